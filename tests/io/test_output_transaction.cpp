// The output transaction: injected failures at every write, sync and rename of a commit, kills
// at every step, journals of dead processes, temporaries of dead and live processes, targets
// replaced under a run, locks and the messages of each bad path.
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/layer.hpp"
#include "core/wkb.hpp"
#include "io/layer_writer.hpp"
#include "io/output.hpp"
#include "io/output_fault.hpp"
#include "io/output_files.hpp"
#include "io/output_journal.hpp"
#include "tests/io/output_helpers.hpp"
#include "tests/temp_dir.hpp"

using lifecircle::OutputError;
using lifecircle::UsageError;
using lifecircle::io::OutputPlan;
using lifecircle::io::OutputRequest;
using lifecircle::test::debris;
using lifecircle::test::in_child;
using lifecircle::test::read_file;
using lifecircle::test::ScopedEnv;
using lifecircle::test::snapshot;
using lifecircle::test::TempDir;
using lifecircle::test::write_file;
namespace detail = lifecircle::io::detail;
namespace fs = std::filesystem;

namespace {

OutputRequest csv(const std::string& option, const std::string& path) {
    return {option, path, {".csv", ".gpkg"}, ".csv", false};
}

template <typename E, typename F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return "";
}

/**
 * Three outputs in two folders: a.csv and b.csv replace old files, sub/c.csv is new. Its
 * commit writes 3 files (3 writes, 3 syncs), a journal in each folder (2 writes, 2 syncs, 2
 * folder syncs), renames 3 files and syncs both folders again.
 */
struct ThreeFiles {
    TempDir dir{"lifecircle_txn"};
    std::string a = dir.file("a.csv"), b = dir.file("b.csv"), c = dir.file("sub/c.csv");
    ThreeFiles() {
        fs::create_directory(dir.path() / "sub");
        write_file(a, "old a\n");
        write_file(b, "old b\n");
    }
    std::vector<OutputRequest> requests() const { return {csv("--a", a), csv("--b", b), csv("--c", c)}; }
    void run(const lifecircle::io::OutputNotes& notes = {}) const {
        OutputPlan plan(requests(), {}, notes);
        plan.write_text(0, "new a\n");
        plan.write_text(1, "new b\n");
        plan.write_text(2, "new c\n");
        plan.commit();
    }
    bool all_old() const { return read_file(a) == "old a\n" && read_file(b) == "old b\n" && !fs::exists(c); }
    bool all_new() const {
        return read_file(a) == "new a\n" && read_file(b) == "new b\n" && read_file(c) == "new c\n";
    }
    /** Recovers what a dead run left, as the next run into both folders does; returns its notes. */
    std::vector<std::string> recover() const {
        std::vector<std::string> notes;
        const OutputPlan probe({csv("--p", dir.file("probe.csv")), csv("--q", dir.file("sub/probe.csv"))}, {},
                               [&notes](const std::string& n) { notes.push_back(n); });
        return notes;
    }
};

}  // namespace

TEST_CASE("a failure at any write, sync or rename of a commit leaves every target as it was",
          "[output][transaction]") {
    // How many of each operation the commit of ThreeFiles does (see ThreeFiles).
    const std::map<std::string, int> expected = {{"write", 5}, {"sync", 9}, {"rename", 3}};
    for (const auto& [op, count] : expected) {
        ThreeFiles t;
        const auto before = snapshot(t.dir.path());
        int failures = 0;
        for (int n = 1; n <= 40; ++n) {
            const ScopedEnv fault("LIFECIRCLE_FAULT", op + ":" + std::to_string(n));
            const std::string message = message_of<OutputError>([&] { t.run(); });
            if (message.empty()) break;
            ++failures;
            INFO(op << " " << n << ": " << message);
            CHECK_THAT(message, Catch::Contains("Input/output error") && Catch::EndsWith("no output was replaced"));
            CHECK(snapshot(t.dir.path()) == before);  // byte for byte, no temporary, no journal
        }
        CHECK(failures == count);
        CHECK(t.all_new());
        CHECK(debris(t.dir.path()).empty());
    }
}

TEST_CASE("a replaced file keeps its permissions", "[output][transaction]") {
    ThreeFiles t;
    fs::permissions(t.a, fs::perms::owner_read | fs::perms::owner_write);
    t.run();
    CHECK(fs::status(t.a).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
    CHECK(t.all_new());
}

TEST_CASE("when every rename fails from the second on, the targets are copied back", "[output][transaction]") {
    ThreeFiles t;
    const auto before = snapshot(t.dir.path());
    const ScopedEnv fault("LIFECIRCLE_FAULT", "rename:2+");
    CHECK(message_of<OutputError>([&] { t.run(); }) ==
          t.b + ": cannot move the finished file into place (Input/output error); no output was replaced");
    CHECK(snapshot(t.dir.path()) == before);
}

TEST_CASE("a full disk is named as such, for a file and for standard output", "[output][transaction]") {
    ThreeFiles t;
    {
        const ScopedEnv fault("LIFECIRCLE_FAULT", "write:1:ENOSPC@b.csv");
        CHECK(message_of<OutputError>([&] { t.run(); }) ==
              t.b + ": cannot write: No space left on device (the disk holding '" + t.dir.path().string() +
                  "' is full); no output was replaced");
        CHECK(t.all_old());
    }
    // Standard output waits whole in TMPDIR: a full TMPDIR is not blamed on standard output.
    const TempDir tmp{"lifecircle_txn_tmp"};
    const ScopedEnv tmpdir("TMPDIR", tmp.path().string());
    const ScopedEnv fault("LIFECIRCLE_FAULT", "write:1:ENOSPC");
    OutputPlan plan({csv("--out", "-")}, {});
    const std::string message = message_of<OutputError>([&] { plan.write_text(0, "id,minutes\n"); });
    CHECK_THAT(message, Catch::StartsWith("-: cannot write the temporary file '" + tmp.path().string() + "/.lc-"));
    CHECK_THAT(message, Catch::EndsWith("', which keeps standard output until the run has finished: No space left "
                                        "on device; the temporary folder '" +
                                        tmp.path().string() +
                                        "' (TMPDIR) is full: free space there or point TMPDIR at a folder with room"));
}

TEST_CASE("a run killed at any step of its outputs is finished or rolled back by the next run",
          "[output][transaction]") {
    // 17 operations in all (ThreeFiles); a kill at each, then the next run recovers.
    int rolled_back = 0, finished = 0, before_journal = 0;
    for (int n = 1; n <= 18; ++n) {
        ThreeFiles t;
        const int status = in_child([&] {
            const ScopedEnv fault("LIFECIRCLE_FAULT", "kill:" + std::to_string(n) + ":KILL");
            t.run();
        });
        INFO("killed at operation " << n);
        if (n == 18) {
            // Past the last operation: the run completed.
            REQUIRE(WIFEXITED(status));
            CHECK(t.all_new());
            continue;
        }
        REQUIRE(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGKILL);
        CHECK_FALSE(debris(t.dir.path()).empty());  // SIGKILL leaves them to the next run
        const std::vector<std::string> notes = t.recover();
        REQUIRE_FALSE(notes.empty());
        const std::string all = Catch::Detail::stringify(notes);
        INFO(all);
        CHECK((t.all_old() || t.all_new()));
        CHECK(debris(t.dir.path()).empty());
        if (all.find("rolled back") != std::string::npos) {
            ++rolled_back;
            CHECK(t.all_old());
        } else if (all.find("finished its commit") != std::string::npos) {
            ++finished;
            CHECK(t.all_new());
        } else {
            ++before_journal;
            CHECK_THAT(all, Catch::Contains("by an interrupted run (process"));
            CHECK(t.all_old());
        }
    }
    CHECK(before_journal > 0);
    CHECK(rolled_back > 0);
    CHECK(finished > 0);
}

TEST_CASE("SIGTERM and SIGINT remove the temporaries, during a commit they wait for its end",
          "[output][transaction]") {
    for (const int sig : {SIGTERM, SIGINT}) {
        ThreeFiles t;
        const int status = in_child([&] {
            OutputPlan plan(t.requests(), {});
            plan.write_text(0, "new a\n");
            plan.write_text(1, "new b\n");
            std::raise(sig);
        });
        REQUIRE(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == sig);
        CHECK(t.all_old());
        CHECK(debris(t.dir.path()).empty());  // no later run needed
    }
    // At every operation: staging is cut short (all old), a commit completes (all new).
    for (int n = 1; n <= 17; ++n) {
        ThreeFiles t;
        const int status = in_child([&] {
            const ScopedEnv fault("LIFECIRCLE_FAULT", "kill:" + std::to_string(n) + ":TERM");
            t.run();
        });
        INFO("SIGTERM at operation " << n);
        REQUIRE(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGTERM);
        CHECK((n <= 6 ? t.all_old() : t.all_new()));
        CHECK(debris(t.dir.path()).empty());
    }
}

TEST_CASE("journals of dead processes are rolled back or finished, with a note", "[output][transaction]") {
    const TempDir dir{"lifecircle_txn"};
    const long pid = lifecircle::test::dead_pid();
    const auto ours = [&](const std::string& rest) {
        return dir.file(".lc-" + std::to_string(pid) + "-" + rest);
    };
    const auto recover = [&] {
        std::vector<std::string> notes;
        detail::recover_folder(dir.path().string(), [&notes](const std::string& n) { notes.push_back(n); });
        return notes;
    };
    detail::Journal j;
    j.pid = pid;
    j.copies = {ours("9.journal")};

    SECTION("stopped mid-commit: a.csv and c.csv replaced, b.csv not yet") {
        write_file(dir.file("a.csv"), "new a");
        write_file(ours("1.bak"), "old a");  // a.csv's backup; its temporary is gone (renamed)
        write_file(dir.file("b.csv"), "old b");
        write_file(ours("2.tmp.csv"), "new b");
        fs::create_hard_link(dir.file("b.csv"), ours("3.bak"));
        write_file(dir.file("c.csv"), "new c");  // new: no backup
        write_file(ours("4.tmp.gpkg-journal"), "SQLite's");
        j.entries = {{dir.file("a.csv"), ours("0.tmp.csv"), ours("1.bak")},
                     {dir.file("b.csv"), ours("2.tmp.csv"), ours("3.bak")},
                     {dir.file("c.csv"), ours("5.tmp.csv"), ""}};
        write_file(j.copies[0], detail::journal_text(j));
        const std::vector<std::string> notes = recover();
        REQUIRE(notes.size() == 2);
        CHECK(notes[0] == "rolled back an interrupted run (process " + std::to_string(pid) +
                              ") that stopped mid-commit: put back the previous a.csv; removed the new c.csv; "
                              "removed its temporary files");
        CHECK(notes[1] == "removed 1 temporary file left in " + dir.path().string() +
                              " by an interrupted run (process " + std::to_string(pid) + ")");
        CHECK(read_file(dir.file("a.csv")) == "old a");
        CHECK(read_file(dir.file("b.csv")) == "old b");
        CHECK(dir.entries() == std::vector<std::string>{"a.csv", "b.csv"});
    }
    SECTION("every rename had happened: the commit is finished") {
        write_file(dir.file("a.csv"), "new a");
        write_file(ours("1.bak"), "old a");
        write_file(dir.file("b.csv"), "new b");
        j.entries = {{dir.file("a.csv"), ours("0.tmp.csv"), ours("1.bak")},
                     {dir.file("b.csv"), ours("2.tmp.csv"), ""}};
        write_file(j.copies[0], detail::journal_text(j));
        const std::vector<std::string> notes = recover();
        REQUIRE(notes.size() == 1);
        CHECK(notes[0] == "an interrupted run (process " + std::to_string(pid) +
                              ") had replaced all 2 of its files (a.csv and b.csv) when it stopped; finished its "
                              "commit (removed its journal .lc-" +
                              std::to_string(pid) + "-9.journal and its backups)");
        CHECK(read_file(dir.file("a.csv")) == "new a");
        CHECK(dir.entries() == std::vector<std::string>{"a.csv", "b.csv"});
    }
    SECTION("a journal cut short: nothing had been replaced") {
        write_file(dir.file("a.csv"), "old a");
        write_file(ours("0.tmp.csv"), "new a");
        j.entries = {{dir.file("a.csv"), ours("0.tmp.csv"), ""}};
        std::string text = detail::journal_text(j);
        text.resize(text.rfind("end "));
        write_file(j.copies[0], text);
        const std::vector<std::string> notes = recover();
        REQUIRE(notes.size() == 2);
        CHECK(notes[0] == "removed the unfinished journal .lc-" + std::to_string(pid) +
                              "-9.journal of an interrupted run; it had not replaced any file");
        CHECK(read_file(dir.file("a.csv")) == "old a");
        CHECK(dir.entries() == std::vector<std::string>{"a.csv"});
    }
    SECTION("the journal and temporaries of a live process are left alone") {
        j.pid = ::getpid();
        j.start = detail::process_start(j.pid);
        j.copies = {dir.file(".lc-" + std::to_string(j.pid) + "-9.journal")};
        write_file(dir.file(".lc-" + std::to_string(j.pid) + "-0.tmp.csv"), "new a");
        j.entries = {{dir.file("a.csv"), dir.file(".lc-" + std::to_string(j.pid) + "-0.tmp.csv"), ""}};
        write_file(j.copies[0], detail::journal_text(j));
        write_file(ours("7.tmp.gpkg"), "a dead run's");
        const auto live_before = dir.entries().size();
        const std::vector<std::string> notes = recover();
        REQUIRE(notes.size() == 1);  // only the dead process's temporary
        CHECK(dir.entries().size() == live_before - 1);
        CHECK_FALSE(fs::exists(ours("7.tmp.gpkg")));
        // Another pid alive now but not the journal's process (its start time differs): recovered.
        j.start += 1;
        write_file(j.copies[0], detail::journal_text(j));
        CHECK(recover().size() == 1);
        CHECK(dir.entries().empty());
    }
}

TEST_CASE("journals survive any file name", "[output][transaction]") {
    detail::Journal j;
    j.pid = 42;
    j.start = 7;
    j.copies = {"/a/.lc-42-0.journal"};
    j.entries = {{"/a/odd\nname %0A 100%.csv", "/a/.lc-42-1.tmp.csv", "/a/.lc-42-2.bak"}, {"/a/b c", "/a/t", ""}};
    const std::string text = detail::journal_text(j);
    const auto back = detail::parse_journal(text);
    REQUIRE(back);
    CHECK(back->pid == 42);
    CHECK(back->start == 7);
    CHECK(back->copies == j.copies);
    REQUIRE(back->entries.size() == 2);
    CHECK(back->entries[0].target == j.entries[0].target);
    CHECK(back->entries[1].backup.empty());
    CHECK_FALSE(detail::parse_journal(text.substr(0, text.size() - 6)));  // cut short
    CHECK_FALSE(detail::parse_journal(text + "target /x\n"));             // after the end
    CHECK_FALSE(detail::parse_journal("something else\n"));
}

TEST_CASE("temporaries of dead processes are removed, of live ones kept", "[output][transaction]") {
    const TempDir dir{"lifecircle_txn"};
    const long dead = lifecircle::test::dead_pid();
    const std::string dead_gpkg = dir.file(".lc-" + std::to_string(dead) + "-3.tmp.gpkg");
    write_file(dead_gpkg, "half a GeoPackage");
    write_file(dead_gpkg + "-journal", "and its SQLite journal");
    write_file(dir.file(".lc-" + std::to_string(dead) + "-4.bak"), "a backup");
    const std::string live = dir.file(".lc-" + std::to_string(::getppid()) + "-3.tmp.gpkg");
    write_file(live, "another run's, still working");
    write_file(dir.file(".lc-notours.tmp"), "not one of ours");
    std::vector<std::string> notes;
    {
        const OutputPlan plan({csv("--out", dir.file("out.csv"))}, {},
                              [&notes](const std::string& n) { notes.push_back(n); });
    }
    REQUIRE(notes.size() == 1);
    CHECK(notes[0] == "removed 3 temporary files left in " + dir.path().string() + " by an interrupted run (process " +
                          std::to_string(dead) + ")");
    CHECK(dir.entries() ==
          std::vector<std::string>{".lc-" + std::to_string(::getppid()) + "-3.tmp.gpkg", ".lc-notours.tmp"});
}

TEST_CASE("a target that became a pipe before the commit is refused and nothing replaced",
          "[output][transaction]") {
    ThreeFiles t;
    {
        OutputPlan plan(t.requests(), {});
        plan.write_text(0, "new a\n");
        plan.write_text(1, "new b\n");
        plan.write_text(2, "new c\n");
        fs::remove(t.b);
        REQUIRE(::mkfifo(t.b.c_str(), 0644) == 0);
        CHECK(message_of<OutputError>([&] { plan.commit(); }) ==
              t.b + ": is now a named pipe (FIFO), not a regular file: something put it there while lifecircle was "
                    "working, and lifecircle only replaces regular files; no output was replaced");
    }
    CHECK(fs::is_fifo(t.b));
    CHECK(read_file(t.a) == "old a\n");
    CHECK_FALSE(fs::exists(t.c));
    CHECK(debris(t.dir.path()).empty());
}

TEST_CASE("an update refuses a GeoPackage that changed after it was copied", "[output][transaction]") {
    const TempDir dir{"lifecircle_txn"};
    const std::string gpkg = dir.file("m.gpkg");
    write_file(gpkg, "the user's layers");
    const OutputRequest request{"--out", gpkg, {".gpkg"}, "", false};
    {
        OutputPlan plan({request}, {});
        const std::string copy = plan.stage(0, true);
        CHECK(plan.staged_copy(0));
        CHECK(read_file(copy) == "the user's layers");
        write_file(gpkg, "QGIS saved an edit meanwhile");
        CHECK(message_of<OutputError>([&] { plan.commit(); }) ==
              gpkg + ": changed while lifecircle was updating it (another program wrote to it or replaced it after "
                     "lifecircle had copied it); no output was replaced: run again");
    }
    CHECK(read_file(gpkg) == "QGIS saved an edit meanwhile");
    CHECK(dir.entries() == std::vector<std::string>{"m.gpkg"});
    fs::remove(gpkg);
    {
        OutputPlan plan({request}, {});
        write_file(plan.stage(0, true), "a new GeoPackage");
        CHECK_FALSE(plan.staged_copy(0));
        write_file(gpkg, "made meanwhile");
        CHECK(message_of<OutputError>([&] { plan.commit(); }) ==
              gpkg + ": was created by another program while lifecircle was writing it; no output was replaced: "
                     "run again to add the layers to it");
    }
    CHECK(dir.entries() == std::vector<std::string>{"m.gpkg"});
}

TEST_CASE("folder locks exclude other processes and threads for a bounded time", "[output][transaction]") {
    const TempDir dir{"lifecircle_txn"};
    const std::string folder = dir.path().string();
    const std::string busy = "x.gpkg: another run (of lifecircle or of another program) holds the lock of the folder '" +
                             folder +
                             "' while it writes there; waited 0.2 s for it. Run again when it has finished "
                             "(LIFECIRCLE_LOCK_TIMEOUT sets how many seconds to wait)";
    {
        // Another process holds it (as util-linux's flock or a second lifecircle would).
        int ready[2], done[2];
        REQUIRE(::pipe(ready) == 0);
        REQUIRE(::pipe(done) == 0);
        const pid_t child = ::fork();
        if (child == 0) {
            const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
            ::flock(fd, LOCK_EX);
            char c = 1;
            (void)!::write(ready[1], &c, 1);
            (void)!::read(done[0], &c, 1);
            ::_exit(0);
        }
        char c = 0;
        REQUIRE(::read(ready[0], &c, 1) == 1);
        const auto start = std::chrono::steady_clock::now();
        CHECK(message_of<OutputError>([&] { detail::FolderLock::acquire(folder, "x.gpkg", 0.2); }) == busy);
        CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(200));
        (void)!::write(done[1], &c, 1);
        int status = 0;
        ::waitpid(child, &status, 0);
        for (const int fd : {ready[0], ready[1], done[0], done[1]}) ::close(fd);
        const detail::FolderLock lock = detail::FolderLock::acquire(folder, "x.gpkg", 0.2);
        CHECK(lock.held());
        // The same thread may take it again (a plan's folder, then its commit).
        const detail::FolderLock again = detail::FolderLock::acquire(folder, "x.gpkg", 0);
        CHECK(again.held());
        // Another thread waits, then gives up.
        std::string other;
        std::thread([&] { other = message_of<OutputError>([&] { detail::FolderLock::acquire(folder, "x.gpkg", 0.2); }); })
            .join();
        CHECK(other == busy);
    }
    CHECK(detail::FolderLock::try_acquire(folder).held());  // released with its last holder
    const ScopedEnv timeout("LIFECIRCLE_LOCK_TIMEOUT", "2.5");
    CHECK(detail::FolderLock::default_timeout() == 2.5);
}

TEST_CASE("names: a 245-byte file name works, longer names and paths are refused before any work",
          "[output][transaction]") {
    const TempDir dir{"lifecircle_txn"};
    lifecircle::Layer points;
    points.name = "points";
    points.kind = lifecircle::GeometryKind::point;
    points.fields = {{"id", lifecircle::FieldType::string}};
    points.features.push_back({lifecircle::wkb_point({10.0, 50.0}), {std::string("p")}});
    const std::string long_gpkg = dir.file(std::string(240, 'g') + ".gpkg");
    const std::string long_geojson = dir.file(std::string(237, 'j') + ".geojson");
    {
        OutputPlan plan({{"--out", long_gpkg, {".gpkg"}, "", false}, {"--lines", long_geojson, {".geojson"}, ".geojson", true}},
                        {});
        lifecircle::io::write_layers(plan, 0, {points}, "EPSG:4326");
        lifecircle::io::write_layers(plan, 1, {points}, "EPSG:4326");
        plan.commit();
    }
    CHECK(fs::file_size(long_gpkg) > 0);
    CHECK(fs::file_size(long_geojson) > 0);
    CHECK(debris(dir.path()).empty());
    const std::string too_long = dir.file(std::string(251, 'x') + ".gpkg");
    CHECK(message_of<OutputError>([&] { OutputPlan({{"--out", too_long, {".gpkg"}, "", false}}, {}); }) ==
          too_long + ": cannot write: the file name is 256 bytes long and the file system of '" + dir.path().string() +
              "' allows 255; choose a shorter name");
    // SQLite opens paths of at most 512 bytes: a GeoPackage deep down is refused, GeoJSON is not.
    fs::path deep = dir.path();
    while (deep.string().size() < 470) deep /= std::string(100, 'd');
    fs::create_directories(deep);
    const std::string deep_gpkg = (deep / "m.gpkg").string();
    CHECK(message_of<OutputError>([&] { OutputPlan({{"--out", deep_gpkg, {".gpkg"}, "", false}}, {}); }) ==
          deep_gpkg + ": cannot write: the GeoPackage's folder path is " + std::to_string(deep.string().size()) +
              " bytes long, and SQLite, which writes GeoPackages, opens paths of at most 512 bytes (with the file "
              "name); write it into a folder with a shorter path");
    CHECK_NOTHROW(OutputPlan({{"--out", (deep / "m.geojson").string(), {".geojson"}, ".geojson", false}}, {}));
}

TEST_CASE("pipes, dangling links and vanished folders get messages with the real cause", "[output][transaction]") {
    const TempDir dir{"lifecircle_txn"};
    const std::string fifo = dir.file("x.gpkg");
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    const OutputRequest layers{"--out", fifo, {".geojson", ".json", ".gpkg"}, ".geojson", true};
    CHECK(message_of<UsageError>([&] { OutputPlan({layers}, {}); }) ==
          fifo + ": --out is a named pipe (FIFO), which lifecircle can only write as a stream of geojson, but its "
                 "name promises a .gpkg file; give a regular file for .gpkg, or a name ending in .geojson for the "
                 "stream");
    const std::string json_fifo = dir.file("x.geojson");
    REQUIRE(::mkfifo(json_fifo.c_str(), 0644) == 0);
    CHECK(OutputPlan({{"--out", json_fifo, {".geojson", ".gpkg"}, ".geojson", true}}, {}).files()[0].stream);

    // A dangling link is followed (the file is made where it points), or refused at once.
    fs::create_symlink(dir.file("missing/out.csv"), dir.file("broken.csv"));
    CHECK(message_of<OutputError>([&] { OutputPlan({csv("--out", dir.file("broken.csv"))}, {}); }) ==
          dir.file("broken.csv") + ": cannot write: --out is a symbolic link to '" + dir.file("missing/out.csv") +
              "', whose folder '" + dir.file("missing") + "' does not exist; create it or fix the link");
    fs::create_symlink("real.csv", dir.file("link.csv"));
    {
        OutputPlan plan({csv("--out", dir.file("link.csv"))}, {});
        plan.write_text(0, "through the link\n");
        plan.commit();
    }
    CHECK(fs::is_symlink(dir.file("link.csv")));
    CHECK(read_file(dir.file("real.csv")) == "through the link\n");

    // The folder removed while the run worked: said so, not "attempt to write a readonly database".
    fs::create_directory(dir.path() / "gone");
    lifecircle::Layer points;
    points.name = "points";
    points.kind = lifecircle::GeometryKind::point;
    points.fields = {{"id", lifecircle::FieldType::string}};
    points.features.push_back({lifecircle::wkb_point({10.0, 50.0}), {std::string("p")}});
    OutputPlan plan({{"--out", dir.file("gone/m.gpkg"), {".gpkg"}, "", false}}, {});
    fs::remove_all(dir.path() / "gone");
    CHECK_THAT(message_of<OutputError>([&] { lifecircle::io::write_layers(plan, 0, {points}, "EPSG:4326"); }),
               Catch::StartsWith(dir.file("gone/m.gpkg") + ": cannot write: the folder '" + dir.file("gone") +
                                 "' was removed while lifecircle was working ("));
}

TEST_CASE("a style file that cannot be written says why", "[output][transaction]") {
    const TempDir dir{"lifecircle_txn"};
    lifecircle::Layer points;
    points.name = "areas";
    points.kind = lifecircle::GeometryKind::point;
    points.fields = {{"id", lifecircle::FieldType::string}};
    points.features.push_back({lifecircle::wkb_point({10.0, 50.0}), {std::string("p")}});
    points.qml = "<!DOCTYPE qgis>\n<qgis/>\n";
    const ScopedEnv fault("LIFECIRCLE_FAULT", "write:1@areas.qml");
    CHECK(message_of<OutputError>([&] {
              lifecircle::io::write_layers(dir.file("areas.geojson"), {points}, "EPSG:4326");
          }) == dir.file("areas.qml") + ": cannot write: Input/output error; no output was replaced");
    CHECK(dir.entries().empty());
}

TEST_CASE("a test-only fault setting that is not understood is a usage error", "[output][transaction]") {
    const TempDir dir{"lifecircle_txn"};
    const ScopedEnv fault("LIFECIRCLE_FAULT", "rename:x");
    CHECK(message_of<UsageError>([&] { OutputPlan({csv("--out", dir.file("a.csv"))}, {}); }) ==
          "LIFECIRCLE_FAULT='rename:x' (a test-only setting) is not understood: 'rename:x': 'x' is not a count (1, "
          "2, ... or 3+)");
}

TEST_CASE("large text outputs are streamed and checked", "[output][transaction]") {
    const TempDir dir{"lifecircle_txn"};
    const std::string out = dir.file("od.csv");
    {
        OutputPlan plan({csv("--out", out)}, {});
        lifecircle::io::TextOutput text = plan.open_text(0);
        text << "from_id,to_id,minutes\n";
        for (int i = 0; i < 20000; ++i) text << "a" << i << ',' << std::string("b") << ',' << std::size_t{0} << ".000\n";
        text.close();
        plan.commit();
    }
    CHECK(fs::file_size(out) > 20000 * 10);
    const ScopedEnv fault("LIFECIRCLE_FAULT", "write:3:ENOSPC");
    OutputPlan plan({csv("--out", out)}, {});
    lifecircle::io::TextOutput text = plan.open_text(0);
    CHECK(message_of<OutputError>([&] {
              for (int i = 0; i < 100000; ++i) text << "row " << i << "\n";
          }) == out + ": cannot write: No space left on device (the disk holding '" + dir.path().string() +
                    "' is full); no output was replaced");
}
