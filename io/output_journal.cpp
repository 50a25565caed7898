#include "io/output_journal.hpp"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"
#include "io/output_files.hpp"

namespace lifecircle::io::detail {

namespace fs = std::filesystem;

namespace {

constexpr const char* header = "lifecircle output journal 1";

std::string escape(const std::string& path) {
    std::string out;
    for (const char c : path) {
        if (c == '%')
            out += "%25";
        else if (c == '\n')
            out += "%0A";
        else if (c == '\r')
            out += "%0D";
        else
            out += c;
    }
    return out;
}

std::optional<std::string> unescape(const std::string& text) {
    std::string out;
    for (std::size_t k = 0; k < text.size(); ++k) {
        if (text[k] != '%') {
            out += text[k];
            continue;
        }
        const std::string code = text.substr(k + 1, 2);
        if (code == "25")
            out += '%';
        else if (code == "0A")
            out += '\n';
        else if (code == "0D")
            out += '\r';
        else
            return std::nullopt;
        k += 2;
    }
    return out;
}

bool exists_no_follow(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

std::string folder_of(const std::string& path) { return fs::path(path).parent_path().string(); }
std::string name_of(const std::string& path) { return fs::path(path).filename().string(); }

/** "a, b and 3 more" for a note. */
std::string some_names(const std::vector<std::string>& paths) {
    std::string out;
    const std::size_t shown = std::min<std::size_t>(paths.size(), 4);
    for (std::size_t k = 0; k < shown; ++k) {
        if (k > 0) out += k + 1 == paths.size() ? " and " : ", ";
        out += name_of(paths[k]);
    }
    if (paths.size() > shown) out += " and " + std::to_string(paths.size() - shown) + " more";
    return out;
}

/** Whether the journal's process still runs (the same process: its start time matches). */
bool owner_alive(const Journal& j) {
    if (!process_alive(j.pid)) return false;
    if (j.start == 0) return true;
    const unsigned long long now = process_start(j.pid);
    return now == 0 || now == j.start;
}

void recover_journal(const Journal& j, const std::string& shown, const std::function<void(const std::string&)>& note) {
    bool any_pending = false;
    for (const JournalEntry& e : j.entries) any_pending = any_pending || exists_no_follow(e.temporary);
    const std::string who = "an interrupted run (process " + std::to_string(j.pid) + ")";
    std::vector<std::string> targets;
    for (const JournalEntry& e : j.entries) targets.push_back(e.target);
    if (!any_pending) {
        // Every rename had happened: the commit only lacked its last step.
        for (const std::string& copy : j.copies) ::unlink(copy.c_str());
        for (const JournalEntry& e : j.entries)
            if (!e.backup.empty()) ::unlink(e.backup.c_str());
        if (note)
            note(who + " had replaced all " + std::to_string(j.entries.size()) + " of its files (" +
                 some_names(targets) + ") when it stopped; finished its commit (removed its journal " +
                 name_of(shown) + " and its backups)");
        return;
    }
    std::vector<std::string> restored, removed;
    for (const JournalEntry& e : j.entries) {
        if (exists_no_follow(e.temporary)) continue;  // never renamed: the target is the old one
        const bool changed = e.backup.empty() ? exists_no_follow(e.target) : exists_no_follow(e.backup);
        const int error = restore_entry(e);
        if (error != 0)
            throw OutputError("cannot put back the previous file after " + who + " stopped mid-commit (" +
                              error_text(error) + "); its journal " + shown +
                              " is kept so that the next run tries again: fix the cause (permissions, a full "
                              "disk) and run again")
                .set_file(e.target);
        if (changed) (e.backup.empty() ? removed : restored).push_back(e.target);
    }
    std::set<std::string> folders;
    for (const JournalEntry& e : j.entries) folders.insert(folder_of(e.target));
    for (const std::string& f : folders) sync_path(f, name_of(f));
    for (const std::string& copy : j.copies) ::unlink(copy.c_str());
    for (const JournalEntry& e : j.entries) {
        remove_with_companions(e.temporary);
        if (!e.backup.empty()) ::unlink(e.backup.c_str());
    }
    std::string what;
    if (!restored.empty()) what = "put back the previous " + some_names(restored);
    if (!removed.empty()) what += (what.empty() ? "" : "; ") + std::string("removed the new ") + some_names(removed);
    if (what.empty()) what = "none of its files had replaced a previous one";
    if (note) note("rolled back " + who + " that stopped mid-commit: " + what + "; removed its temporary files");
}

}  // namespace

std::string journal_text(const Journal& j) {
    std::string out = std::string(header) + "\n";
    out += "pid " + std::to_string(j.pid) + "\n";
    out += "start " + std::to_string(j.start) + "\n";
    for (const std::string& c : j.copies) out += "copy " + escape(c) + "\n";
    for (const JournalEntry& e : j.entries) {
        out += "target " + escape(e.target) + "\n";
        out += "temporary " + escape(e.temporary) + "\n";
        out += "backup " + escape(e.backup) + "\n";
    }
    out += "end " + std::to_string(j.entries.size()) + "\n";
    return out;
}

std::optional<Journal> parse_journal(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    if (!std::getline(in, line) || line != header) return std::nullopt;
    Journal j;
    bool ended = false;
    while (std::getline(in, line)) {
        if (ended) return std::nullopt;  // nothing may follow the end
        const auto space = line.find(' ');
        if (space == std::string::npos) return std::nullopt;
        const std::string key = line.substr(0, space);
        const std::optional<std::string> value = unescape(line.substr(space + 1));
        if (!value) return std::nullopt;
        try {
            if (key == "pid") {
                j.pid = std::stol(*value);
            } else if (key == "start") {
                j.start = std::stoull(*value);
            } else if (key == "copy") {
                j.copies.push_back(*value);
            } else if (key == "target") {
                j.entries.push_back({*value, {}, {}});
            } else if (key == "temporary" && !j.entries.empty()) {
                j.entries.back().temporary = *value;
            } else if (key == "backup" && !j.entries.empty()) {
                j.entries.back().backup = *value;
            } else if (key == "end") {
                if (std::stoul(*value) != j.entries.size()) return std::nullopt;
                ended = true;
            } else {
                return std::nullopt;
            }
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    if (!ended || j.pid <= 0) return std::nullopt;
    for (const JournalEntry& e : j.entries)
        if (e.target.empty() || e.temporary.empty()) return std::nullopt;
    return j;
}

int restore_entry(const JournalEntry& e) noexcept {
    const std::string name = name_of(e.target);
    if (e.backup.empty()) {
        if (::unlink(e.target.c_str()) == 0 || errno == ENOENT) return 0;
        return errno;
    }
    if (!exists_no_follow(e.backup)) return 0;  // already put back (the rename consumed it)
    if (rename_file(e.backup, e.target, name) == 0) return 0;
    // The rename was refused (a failing file system): copy the contents back instead.
    const int error = copy_contents(e.backup, e.target, name);
    if (error == 0) ::unlink(e.backup.c_str());
    return error;
}

void recover_folder(const std::string& folder, const std::function<void(const std::string&)>& note) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) return;
    const FolderLock lock = FolderLock::try_acquire(folder);
    if (!lock.held() && lock.supported()) return;  // somebody is writing there now
    std::vector<std::string> journals;
    std::map<long, std::vector<std::string>> leftovers;  // of processes that are gone, by pid
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const std::optional<OurFile> ours = parse_our_name(name);
        if (!ours) continue;
        if (ours->kind == "journal") {
            journals.push_back(it->path().string());  // its owner is checked with its start time
            continue;
        }
        if (!process_alive(ours->pid)) leftovers[ours->pid].push_back(it->path().string());
    }
    std::sort(journals.begin(), journals.end());
    for (const std::string& path : journals) {
        if (!exists_no_follow(path)) continue;  // a copy removed with an earlier journal
        std::ifstream in(path, std::ios::binary);
        const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        const std::optional<Journal> j = parse_journal(text);
        if (!j) {
            if (process_alive(parse_our_name(name_of(path))->pid)) continue;  // still being written
            // Cut short while it was written: no rename had started (a journal is synced first).
            ::unlink(path.c_str());
            if (note)
                note("removed the unfinished journal " + name_of(path) +
                     " of an interrupted run; it had not replaced any file");
            continue;
        }
        if (owner_alive(*j)) continue;
        recover_journal(*j, path, note);
    }
    for (const auto& [pid, paths] : leftovers) {
        std::size_t removed = 0;
        // SQLite's companions ("-journal") are listed themselves, so each file is removed alone.
        for (const std::string& path : paths)
            if (::unlink(path.c_str()) == 0) ++removed;  // (else removed with its journal)
        if (removed > 0 && note)
            note("removed " + std::to_string(removed) + " temporary file" + (removed > 1 ? "s" : "") +
                 " left in " + folder + " by an interrupted run (process " + std::to_string(pid) + ")");
    }
}

}  // namespace lifecircle::io::detail
