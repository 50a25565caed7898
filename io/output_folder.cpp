#include "io/output_folder.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <system_error>

#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"
#include "io/output_fault.hpp"
#include "io/output_journal.hpp"

namespace lifecircle::io {

namespace fs = std::filesystem;

namespace {

/** Whether `path` is `base` or inside it (both canonical). */
bool within(const fs::path& base, const fs::path& path) {
    const std::string b = base.string();
    const std::string p = path.string();
    return p == b || (p.size() > b.size() && p.compare(0, b.size(), b) == 0 && (b.back() == '/' || p[b.size()] == '/'));
}

fs::path canonical_folder(const std::string& dir) {
    std::error_code ec;
    fs::path c = fs::canonical(dir, ec);
    return ec ? fs::absolute(dir).lexically_normal() : c;
}

std::string list_some(const std::vector<std::string>& names) {
    return names.front() + (names.size() > 1 ? ", ..." : "");
}

}  // namespace

std::string folder_name_problem(const std::string& folder, const std::string& name) {
    if (name.empty()) return "is an empty name";
    if (name.front() == '/') return "is an absolute path";
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto slash = name.find('/', start);
        parts.push_back(name.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    for (const std::string& part : parts) {
        if (part == "..") return "climbs out of the folder with '..'";
        if (part == ".") return "has a '.' part";
        if (part.empty()) return "has an empty part (a '//' or a '/' at the end)";
    }
    if (name == OutputFolder::manifest_name) return "is the manifest itself";
    // A symbolic link on the way (or the file itself) must not lead out of the folder.
    const fs::path base = canonical_folder(folder);
    fs::path at = fs::path(folder);
    std::string shown;
    for (const std::string& part : parts) {
        at /= part;
        shown += (shown.empty() ? "" : "/") + part;
        std::error_code ec;
        const fs::file_status st = fs::symlink_status(at, ec);
        if (ec || !fs::exists(st)) break;  // nothing further exists to lead anywhere
        if (!fs::is_symlink(st)) continue;
        const fs::path to = fs::weakly_canonical(at, ec);
        if (ec || !within(base, to))
            return "goes through the symbolic link '" + shown + "', which leads out of the folder (to '" +
                   (ec ? fs::read_symlink(at, ec).string() : to.string()) + "')";
    }
    return {};
}

OutputFolder::OutputFolder(std::string dir, bool force, std::vector<std::string> inputs, std::vector<std::string> kept,
                           OutputNotes notes)
    : m_dir(std::move(dir)), m_inputs(std::move(inputs)), m_kept(std::move(kept)), m_notes(std::move(notes)) {
    if (const std::string why = fault::spec_error(); !why.empty()) throw UsageError(why);
    const fs::path d(m_dir);
    std::error_code ec;
    const fs::file_status status = fs::status(d, ec);
    if (fs::exists(status) && !fs::is_directory(status))
        throw OutputError("is not a folder; --out names the folder to write into").set_file(m_dir);
    if (!fs::exists(status)) {
        if (fs::is_symlink(fs::symlink_status(d, ec)))
            throw OutputError("is a symbolic link to '" + fs::read_symlink(d, ec).string() +
                              "', which does not exist; create that folder or give --out another one")
                .set_file(m_dir);
        fs::create_directories(d, ec);
        if (ec) throw OutputError("cannot create the folder: " + ec.message()).set_file(m_dir);
    }
    if (::access(m_dir.c_str(), W_OK | X_OK) != 0)
        throw OutputError("cannot write into the folder: " + detail::error_text(errno)).set_file(m_dir);
    m_lock = detail::FolderLock::acquire(m_dir, m_dir);
    if (!m_lock.supported())
        note("the folder " + m_dir + " cannot be locked (" + m_lock.refusal() + "); do not run two plans into it at once");
    for (const std::string& k : m_kept) {
        const std::string why = folder_name_problem(m_dir, k);
        if (!why.empty()) throw OutputError("cannot keep '" + k + "' in the folder: it " + why).set_file(m_dir);
    }

    // What interrupted runs left, here and in the subfolders.
    std::vector<std::string> folders = {m_dir};
    for (fs::recursive_directory_iterator it(d, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        if (it->is_directory(ec) && !it->is_symlink(ec)) folders.push_back(it->path().string());
    }
    for (const std::string& f : folders) detail::recover_folder(f, m_notes);

    // The manifest of the earlier run.
    const fs::path manifest = d / manifest_name;
    bool empty_manifest = false;
    if (fs::exists(fs::symlink_status(manifest, ec))) {
        if (!fs::is_regular_file(fs::symlink_status(manifest, ec)))
            throw OutputError("the manifest is not a regular file; remove it and pass --force").set_file(manifest.string());
        std::ifstream in(manifest, std::ios::binary);
        if (!in) throw OutputError("cannot read the manifest: " + detail::error_text(errno)).set_file(manifest.string());
        int version = 1;
        bool first = true;
        std::size_t number = 0;
        empty_manifest = true;
        for (std::string line; std::getline(in, line);) {
            ++number;
            empty_manifest = false;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty() || line.front() == '#') continue;
            const std::string at_line = "line " + std::to_string(number) + ": ";
            if (first) {
                first = false;
                if (line.rfind("version ", 0) == 0) {
                    if (line != "version 2")
                        throw OutputError(at_line + "'" + line +
                                          "': a newer lifecircle wrote this folder; use it, or remove the manifest "
                                          "and pass --force")
                            .set_file(manifest.string());
                    version = 2;
                    continue;
                }
            }
            std::string name = line;
            FolderEntry kind = FolderEntry::kept;  // a first-version line: never removed
            if (version == 2) {
                const auto space = line.find(' ');
                const std::string key = line.substr(0, space);
                if (space == std::string::npos || (key != "output" && key != "kept"))
                    throw OutputError(at_line + "'" + line +
                                      "' is neither 'output NAME' nor 'kept NAME'; remove that line (or the "
                                      "manifest, and pass --force)")
                        .set_file(manifest.string());
                kind = key == "output" ? FolderEntry::output : FolderEntry::kept;
                name = line.substr(space + 1);
            }
            const std::string why = folder_name_problem(m_dir, name);
            if (!why.empty())
                throw OutputError(at_line + "'" + name + "' " + why +
                                  "; a manifest lists only plain names of files inside its folder: remove that "
                                  "line (or the manifest, and pass --force)")
                    .set_file(manifest.string());
            const auto [it, added] = m_earlier.emplace(name, kind);
            if (!added && kind == FolderEntry::kept) it->second = kind;
        }
    }

    // Anything else in the folder is somebody else's.
    std::vector<std::string> foreign;
    for (fs::recursive_directory_iterator it(d, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        const fs::file_status st = it->symlink_status(ec);
        if (fs::is_directory(st)) continue;
        const std::string rel = it->path().lexically_relative(d).generic_string();
        if (rel == manifest_name || m_earlier.count(rel) != 0 ||
            std::find(m_kept.begin(), m_kept.end(), rel) != m_kept.end())
            continue;
        // A transaction file of a run in progress (those of runs that are gone were removed).
        if (detail::parse_our_name(it->path().filename().string())) continue;
        foreign.push_back(rel);
    }
    std::sort(foreign.begin(), foreign.end());
    if (!foreign.empty() && !force)
        throw OutputError("the folder holds " + std::to_string(foreign.size()) + " file(s) lifecircle did not write (" +
                          list_some(foreign) + ")" +
                          (empty_manifest ? std::string("; its manifest ") + manifest_name +
                                                " is empty (an earlier run was cut short, perhaps by a full disk)"
                                          : std::string()) +
                          "; choose another folder or pass --force to write beside them")
            .set_file(m_dir);
}

std::string OutputFolder::manifest_path() const { return (fs::path(m_dir) / manifest_name).string(); }

OutputRequest OutputFolder::manifest_request() const { return {"--out", manifest_path(), {""}, "", false}; }

void OutputFolder::note(const std::string& text) const {
    if (m_notes) m_notes(text);
}

void OutputFolder::commit(OutputPlan& plan, std::size_t manifest_file, const std::vector<std::string>& outputs) const {
    const fs::path d(m_dir);
    std::map<std::string, FolderEntry> next;
    for (const std::string& o : outputs) {
        const std::string why = folder_name_problem(m_dir, o);
        if (!why.empty()) throw OutputError("cannot list '" + o + "' in the manifest: it " + why).set_file(manifest_path());
        next[o] = FolderEntry::output;
    }
    for (const std::string& k : m_kept) next.emplace(k, FolderEntry::kept);

    // Who the inputs are, so that no file this run reads is removed.
    std::vector<std::pair<dev_t, ino_t>> input_ids;
    for (const std::string& in : m_inputs) {
        struct stat st {};
        if (!in.empty() && ::stat(in.c_str(), &st) == 0) input_ids.emplace_back(st.st_dev, st.st_ino);
    }
    const auto is_input = [&input_ids](const fs::path& p) {
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) return false;
        return std::find(input_ids.begin(), input_ids.end(), std::make_pair(st.st_dev, st.st_ino)) != input_ids.end();
    };
    std::vector<std::string> stale;
    for (const auto& [name, kind] : m_earlier) {
        if (next.count(name) != 0) continue;
        struct stat st {};
        if (::lstat((d / name).c_str(), &st) != 0) continue;  // gone already
        if (kind == FolderEntry::kept) {
            next[name] = FolderEntry::kept;
        } else if (is_input(d / name)) {
            next[name] = FolderEntry::output;  // read by this run: stays, still ours
        } else {
            stale.push_back(name);
        }
    }

    std::string text =
        "# The files lifecircle wrote into this folder, relative to it. \"output\": replaced by a rerun and\n"
        "# removed when the rerun no longer writes it; \"kept\": never removed (such as the demo's data).\n"
        "version 2\n";
    for (const auto& [name, kind] : next) text += (kind == FolderEntry::output ? "output " : "kept ") + name + "\n";
    plan.write_text(manifest_file, text);
    plan.commit();

    // Only now, with the new files in place: what the earlier run wrote and this one did not.
    const fs::path base = canonical_folder(m_dir);
    for (const std::string& name : stale) {
        const fs::path p = d / name;
        struct stat st {};
        if (::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        std::error_code ec;
        if (!within(base, fs::weakly_canonical(p.parent_path(), ec)) || ec || is_input(p)) continue;
        if (::unlink(p.c_str()) != 0)
            note("could not remove " + p.string() + ", which an earlier run wrote and this one did not (" +
                 detail::error_text(errno) + "); remove it yourself");
    }
}

}  // namespace lifecircle::io
