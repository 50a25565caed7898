// An output folder and its manifest: only plain names inside the folder, stale outputs removed
// only after a successful commit and never an input or a kept file, the manifest committed with
// the outputs, the folder locked for the run.
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "io/output.hpp"
#include "io/output_folder.hpp"
#include "tests/io/output_helpers.hpp"
#include "tests/temp_dir.hpp"

using lifecircle::OutputError;
using lifecircle::io::OutputFolder;
using lifecircle::io::OutputPlan;
using lifecircle::io::OutputRequest;
using lifecircle::test::debris;
using lifecircle::test::read_file;
using lifecircle::test::ScopedEnv;
using lifecircle::test::snapshot;
using lifecircle::test::TempDir;
using lifecircle::test::write_file;
namespace fs = std::filesystem;

namespace {

template <typename E, typename F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return "";
}

/** A run into `folder` writing `outputs` (relative names), each holding `text`, and the manifest. */
void run(const OutputFolder& folder, const std::vector<std::string>& outputs, const std::string& text) {
    std::vector<OutputRequest> requests;
    for (const std::string& o : outputs)
        requests.push_back({"--out", (fs::path(folder.dir()) / o).string(), {".csv", ".geojson", ".qml", ".html"}, "", false});
    requests.push_back(folder.manifest_request());
    OutputPlan plan(std::move(requests), folder.inputs());
    for (std::size_t k = 0; k < outputs.size(); ++k) plan.write_text(plan.file_of(k), text);
    folder.commit(plan, plan.file_of(outputs.size()), outputs);
}

const std::string header =
    "# The files lifecircle wrote into this folder, relative to it. \"output\": replaced by a rerun and\n"
    "# removed when the rerun no longer writes it; \"kept\": never removed (such as the demo's data).\n"
    "version 2\n";

}  // namespace

TEST_CASE("a manifest lists only plain names inside its folder", "[output][folder]") {
    const TempDir root{"lifecircle_folder"};
    const std::string victim = root.write("victim.txt", "precious\n");
    fs::create_directories(root.path() / "outside");
    root.write("outside/victim.txt", "precious too\n");
    const std::string dir = root.file("results");
    fs::create_directories(dir);
    const std::string manifest = dir + "/.lifecircle-plan";
    const auto refused = [&](const std::string& lines) {
        write_file(manifest, header + lines);
        return message_of<OutputError>([&] { const OutputFolder f(dir, false); });
    };
    const std::string remedy =
        "; a manifest lists only plain names of files inside its folder: remove that line (or the manifest, and pass "
        "--force)";
    CHECK(refused("output report.html\noutput ../victim.txt\n") ==
          manifest + ": line 5: '../victim.txt' climbs out of the folder with '..'" + remedy);
    CHECK(refused("output " + victim + "\n") == manifest + ": line 4: '" + victim + "' is an absolute path" + remedy);
    fs::create_symlink(root.file("outside/victim.txt"), dir + "/link.txt");
    CHECK(refused("output link.txt\n") == manifest +
                                               ": line 4: 'link.txt' goes through the symbolic link 'link.txt', which "
                                               "leads out of the folder (to '" +
                                               fs::canonical(root.file("outside/victim.txt")).string() + "')" + remedy);
    fs::remove(dir + "/link.txt");
    fs::create_directory_symlink(root.file("outside"), dir + "/geojson");
    CHECK(refused("kept geojson/victim.txt\n") ==
          manifest + ": line 4: 'geojson/victim.txt' goes through the symbolic link 'geojson', which leads out of the "
                     "folder (to '" +
              fs::canonical(root.file("outside")).string() + "')" + remedy);
    fs::remove(dir + "/geojson");
    CHECK(refused("output a//b.csv\n") ==
          manifest + ": line 4: 'a//b.csv' has an empty part (a '//' or a '/' at the end)" + remedy);
    CHECK(refused("output ./a.csv\n") == manifest + ": line 4: './a.csv' has a '.' part" + remedy);
    CHECK(refused("delete a.csv\n") == manifest +
                                           ": line 4: 'delete a.csv' is neither 'output NAME' nor 'kept NAME'; remove "
                                           "that line (or the manifest, and pass --force)");
    // The first version of the manifest: one name per line, the same rules.
    write_file(manifest, "# files written by lifecircle plan; a rerun replaces them\nreport.html\n../victim.txt\n");
    CHECK(message_of<OutputError>([&] { const OutputFolder f(dir, false); }) ==
          manifest + ": line 3: '../victim.txt' climbs out of the folder with '..'" + remedy);
    write_file(manifest, "version 3\noutput a.csv\n");
    CHECK(message_of<OutputError>([&] { const OutputFolder f(dir, false); }) ==
          manifest + ": line 1: 'version 3': a newer lifecircle wrote this folder; use it, or remove the manifest and "
                     "pass --force");
    CHECK(read_file(victim) == "precious\n");
    CHECK(read_file(root.file("outside/victim.txt")) == "precious too\n");
    // A link that stays inside the folder is fine.
    write_file(dir + "/a.csv", "a");
    fs::create_symlink("a.csv", dir + "/b.csv");
    write_file(manifest, header + "output a.csv\noutput b.csv\n");
    CHECK_NOTHROW(OutputFolder(dir, false));
}

TEST_CASE("a rerun removes only stale outputs: never an input, a kept file or a file outside",
          "[output][folder]") {
    const TempDir dir{"lifecircle_folder"};
    fs::create_directories(dir.path() / "data");
    fs::create_directories(dir.path() / "geojson");
    dir.write("old.geojson", "an earlier run's layer");
    dir.write("facilities.geojson", "an earlier output, read by this run");
    dir.write("data/scenario.toml", "the demo's scenario");
    dir.write("geojson/stale.qml", "an earlier style");
    dir.write("report.html", "old report");
    dir.write(".lifecircle-plan", header +
                                      "output old.geojson\noutput facilities.geojson\noutput report.html\n"
                                      "output geojson/stale.qml\noutput gone.csv\nkept data/scenario.toml\n");
    {
        const OutputFolder folder(dir.path().string(), false, {dir.file("facilities.geojson")}, {});
        CHECK(folder.earlier().size() == 6);
        run(folder, {"report.html", "geojson/new.geojson"}, "new");
    }
    CHECK(snapshot(dir.path()) ==
          std::map<std::string, std::string>{
              {".lifecircle-plan", header + "kept data/scenario.toml\noutput facilities.geojson\n"
                                            "output geojson/new.geojson\noutput report.html\n"},
              {"data/", ""},
              {"data/scenario.toml", "the demo's scenario"},
              {"facilities.geojson", "an earlier output, read by this run"},
              {"geojson/", ""},
              {"geojson/new.geojson", "new"},
              {"report.html", "new"}});
}

TEST_CASE("a manifest of the first version is read, and what it listed is never removed", "[output][folder]") {
    const TempDir dir{"lifecircle_folder"};
    fs::create_directories(dir.path() / "data");
    dir.write("data/scenario.toml", "the old demo's data");
    dir.write("report.html", "old");
    dir.write(".lifecircle-plan", "# files written by lifecircle plan; a rerun replaces them\ndata/scenario.toml\nreport.html\n");
    {
        const OutputFolder folder(dir.path().string(), false);
        run(folder, {"report.html"}, "new");
    }
    CHECK(read_file(dir.file(".lifecircle-plan")) == header + "kept data/scenario.toml\noutput report.html\n");
    CHECK(read_file(dir.file("data/scenario.toml")) == "the old demo's data");
}

TEST_CASE("the manifest is committed with the outputs: all or none", "[output][folder]") {
    const TempDir dir{"lifecircle_folder"};
    {
        const OutputFolder folder(dir.path().string(), false);
        run(folder, {"a.csv", "b.csv"}, "first");
    }
    const auto before = snapshot(dir.path());
    {
        // The manifest's rename fails: the new a.csv and b.csv are taken back, the manifest stays.
        const ScopedEnv fault("LIFECIRCLE_FAULT", "rename:1@.lifecircle-plan");
        const OutputFolder folder(dir.path().string(), false);
        CHECK(message_of<OutputError>([&] { run(folder, {"a.csv"}, "second"); }) ==
              dir.file(".lifecircle-plan") +
                  ": cannot move the finished file into place (Input/output error); no output was replaced");
    }
    CHECK(snapshot(dir.path()) == before);  // b.csv not removed either: it is removed only after a commit
    {
        // A full disk: no empty manifest, the previous one intact.
        const ScopedEnv fault("LIFECIRCLE_FAULT", "write:1:ENOSPC@.lifecircle-plan");
        const OutputFolder folder(dir.path().string(), false);
        CHECK(message_of<OutputError>([&] { run(folder, {"a.csv"}, "second"); }) ==
              dir.file(".lifecircle-plan") + ": cannot write: No space left on device (the disk holding '" +
                  dir.path().string() + "' is full); no output was replaced");
    }
    CHECK(snapshot(dir.path()) == before);
    {
        const OutputFolder folder(dir.path().string(), false);
        run(folder, {"a.csv"}, "second");
    }
    CHECK(snapshot(dir.path()) == std::map<std::string, std::string>{{".lifecircle-plan", header + "output a.csv\n"},
                                                                      {"a.csv", "second"}});
}

TEST_CASE("a folder with other files needs --force, our temporaries are no foreign files", "[output][folder]") {
    const TempDir dir{"lifecircle_folder"};
    dir.write("notes.txt", "mine");
    CHECK(message_of<OutputError>([&] { const OutputFolder f(dir.path().string(), false); }) ==
          dir.path().string() +
              ": the folder holds 1 file(s) lifecircle did not write (notes.txt); choose another folder or pass --force "
              "to write beside them");
    dir.write(".lifecircle-plan", "");
    CHECK(message_of<OutputError>([&] { const OutputFolder f(dir.path().string(), false); }) ==
          dir.path().string() +
              ": the folder holds 1 file(s) lifecircle did not write (notes.txt); its manifest .lifecircle-plan is "
              "empty (an earlier run was cut short, perhaps by a full disk); choose another folder or pass --force to "
              "write beside them");
    CHECK_NOTHROW(OutputFolder(dir.path().string(), true));
    fs::remove(dir.file("notes.txt"));
    // A dead run's temporary is removed (with a note), a live run's is left alone.
    const long dead = lifecircle::test::dead_pid();
    fs::create_directories(dir.path() / "geojson");
    dir.write("geojson/.lc-" + std::to_string(dead) + "-0.tmp.geojson", "half");
    dir.write(".lc-" + std::to_string(::getppid()) + "-0.tmp.gpkg", "working");
    std::vector<std::string> notes;
    CHECK_NOTHROW(OutputFolder(dir.path().string(), false, {}, {}, [&](const std::string& n) { notes.push_back(n); }));
    CHECK(notes == std::vector<std::string>{"removed 1 temporary file left in " + dir.file("geojson") +
                                            " by an interrupted run (process " + std::to_string(dead) + ")"});
    CHECK(debris(dir.path()) == std::vector<std::string>{".lc-" + std::to_string(::getppid()) + "-0.tmp.gpkg"});
}

TEST_CASE("an output folder is locked for the run, a dangling link is found at once", "[output][folder]") {
    const TempDir dir{"lifecircle_folder"};
    const ScopedEnv timeout("LIFECIRCLE_LOCK_TIMEOUT", "0.1");
    const OutputFolder first(dir.path().string(), false);
    std::string second;
    std::thread([&] {
        second = message_of<OutputError>([&] { const OutputFolder f(dir.path().string(), false); });
    }).join();
    CHECK(second == dir.path().string() +
                        ": another run (of lifecircle or of another program) holds the lock of the folder '" +
                        dir.path().string() +
                        "' while it writes there; waited 0.1 s for it. Run again when it has finished "
                        "(LIFECIRCLE_LOCK_TIMEOUT sets how many seconds to wait)");
    fs::create_directory_symlink(dir.file("nowhere"), dir.file("results"));
    CHECK(message_of<OutputError>([&] { const OutputFolder f(dir.file("results"), false); }) ==
          dir.file("results") + ": is a symbolic link to '" + dir.file("nowhere") +
              "', which does not exist; create that folder or give --out another one");
}

