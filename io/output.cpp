#include "io/output.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>

#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"

namespace lifecircle::io {

namespace fs = std::filesystem;

namespace {

/** Who a path is: device and inode when it exists, else its canonical folder and name. */
struct Identity {
    bool exists = false;
    dev_t device = 0;
    ino_t inode = 0;
    std::string canonical;
};

Identity identity_of(const std::string& path) {
    Identity id;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        id.exists = true;
        id.device = st.st_dev;
        id.inode = st.st_ino;
    }
    std::error_code ec;
    const fs::path p(path);
    const fs::path folder = p.has_parent_path() ? p.parent_path() : fs::path(".");
    const fs::path canonical = fs::weakly_canonical(fs::absolute(folder, ec), ec);
    id.canonical = (canonical / p.filename()).lexically_normal().string();
    return id;
}

bool same_file(const Identity& a, const Identity& b) {
    if (a.exists && b.exists) return a.device == b.device && a.inode == b.inode;
    if (a.exists != b.exists) return false;
    return a.canonical == b.canonical;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
    return out;
}

/** ".<name>.tmp-<pid>-<n><suffix>" beside `target`: hidden, so it is not mistaken for a result. */
std::string temporary_beside(const fs::path& target, const std::string& suffix) {
    static std::atomic<unsigned> counter{0};
    std::string name = ".";
    name += target.filename().string();
    name += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + suffix;
    return (target.parent_path() / name).string();
}

void remove_quietly(const std::string& path) noexcept {
    std::error_code ignored;
    fs::remove(path, ignored);
    // SQLite's journal files, should GDAL have left any.
    for (const char* suffix : {"-journal", "-wal", "-shm"}) fs::remove(path + suffix, ignored);
}

/** Whether the first lines of an existing file carry our sidecar mark. */
bool is_ours(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    for (int i = 0; i < 5 && std::getline(in, line); ++i) {
        if (line.find(OutputPlan::sidecar_mark()) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

std::string lower_extension(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

void check_input_path(const std::string& path, const std::string& option) {
    std::error_code ec;
    if (fs::is_directory(path, ec) && lower_extension(path) != ".gdb") {
        throw InputError("this is a folder; " + option +
                         " takes a file (a FileGDB folder must end in .gdb)")
            .set_file(path);
    }
}

const char* OutputPlan::sidecar_mark() noexcept { return "<!-- written by lifecircle"; }

std::string OutputPlan::sidecar_path(const std::string& path) {
    const fs::path p(path);
    std::string name = p.filename().string();
    const auto dot = name.find_last_of('.');
    if (dot != std::string::npos && dot > 0) name.resize(dot);
    return (p.parent_path() / (name + ".qml")).string();
}

OutputPlan::OutputPlan(std::vector<OutputRequest> requests, const std::vector<std::string>& inputs)
    : m_requests(std::move(requests)) {
    std::vector<Identity> input_ids;
    for (const std::string& in : inputs) {
        if (!in.empty()) input_ids.push_back(identity_of(in));
    }
    std::vector<Identity> file_ids;
    for (std::size_t r = 0; r < m_requests.size(); ++r) {
        const OutputRequest& req = m_requests[r];
        OutputFile file;
        file.path = req.path;
        file.target = req.path;
        const std::string accepted = "; accepted are " + joined(req.extensions);
        std::error_code ec;
        const fs::file_status link = fs::symlink_status(req.path, ec);
        const fs::file_status status = fs::status(req.path, ec);
        if (req.path.empty()) throw UsageError(req.option + " needs a file name");
        // /dev/stdout and its kin are links into /proc/self/fd: renaming over where they point
        // would swap the file out from under whoever opened it, so they are streams too.
        const std::string resolved =
            fs::is_symlink(link) ? fs::canonical(req.path, ec).string() : req.path;
        const bool special = req.path.rfind("/dev/", 0) == 0 || req.path.rfind("/proc/", 0) == 0 ||
                             resolved.rfind("/proc/", 0) == 0 || resolved.rfind("/dev/", 0) == 0;
        if (req.path == "-" || (special && !fs::is_directory(status)) ||
            (fs::exists(status) && !fs::is_regular_file(status) && !fs::is_directory(status))) {
            // Standard output, a device or a pipe: never renamed over, written as a stream.
            if (req.stream_format.empty()) {
                throw UsageError(req.option +
                                 " cannot be written to a stream (standard output, a device or a "
                                 "pipe); give a file name ending in " +
                                 joined(req.extensions))
                    .set_file(req.path);
            }
            file.stream = true;
            file.format = req.stream_format;
        } else {
            file.format = lower_extension(req.path);
            if (fs::is_directory(status)) {
                throw OutputError("this is a folder; " + req.option + " takes a file name")
                    .set_file(req.path);
            }
            if (std::find(req.extensions.begin(), req.extensions.end(), file.format) ==
                req.extensions.end()) {
                throw UsageError((file.format.empty()
                                      ? std::string("the file name has no extension")
                                      : "unsupported output format '" + file.format + "'") +
                                 " for " + req.option + accepted)
                    .set_file(req.path);
            }
            if (fs::is_symlink(link)) file.target = fs::canonical(req.path, ec).string();
            const fs::path folder = fs::path(file.target).has_parent_path()
                                        ? fs::path(file.target).parent_path()
                                        : fs::path(".");
            if (!fs::is_directory(folder, ec)) {
                throw OutputError("cannot write: the folder '" + folder.string() +
                                  "' does not exist; create it first")
                    .set_file(req.path);
            }
            if (::access(folder.c_str(), W_OK | X_OK) != 0) {
                throw OutputError("cannot write: the folder '" + folder.string() +
                                  "' is not writable")
                    .set_file(req.path);
            }
            file.exists = fs::is_regular_file(status);
        }
        const Identity id =
            file.stream && req.path == "-" ? Identity{false, 0, 0, "-"} : identity_of(req.path);
        if (!file.stream || req.path != "-") {
            for (std::size_t i = 0; i < input_ids.size(); ++i) {
                if (same_file(id, input_ids[i])) {
                    throw UsageError(req.option + " is the same file as the input '" + inputs[i] +
                                     "'; inputs are never overwritten, choose another output name")
                        .set_file(req.path);
                }
            }
        }
        std::size_t shared = m_files.size();
        for (std::size_t f = 0; f < m_files.size(); ++f) {
            if (same_file(id, file_ids[f])) {
                shared = f;
                break;
            }
        }
        if (shared < m_files.size()) {
            OutputFile& other = m_files[shared];
            if (file.stream || other.format != ".gpkg" || file.format != ".gpkg") {
                throw UsageError(
                    req.option + " and " + m_requests[other.requests.front()].option +
                    " name the same file; only a .gpkg can hold both, give them different names")
                    .set_file(req.path);
            }
            other.requests.push_back(r);
            m_file_of.push_back(shared);
            continue;
        }
        file.requests.push_back(r);
        m_file_of.push_back(m_files.size());
        m_files.push_back(std::move(file));
        file_ids.push_back(id);
    }
    // Sidecars must not collide with each other, with an output or with an input.
    for (std::size_t f = 0; f < m_files.size(); ++f) {
        const OutputFile& file = m_files[f];
        const OutputRequest& req = m_requests[file.requests.front()];
        if (!req.sidecar || file.stream || file.format == ".gpkg") continue;
        const Identity side = identity_of(sidecar_path(file.target));
        for (std::size_t g = 0; g < m_files.size(); ++g) {
            const OutputRequest& other = m_requests[m_files[g].requests.front()];
            const bool clash_output = same_file(side, file_ids[g]);
            const bool clash_sidecar =
                g != f && g < f && other.sidecar && !m_files[g].stream &&
                m_files[g].format != ".gpkg" &&
                same_file(side, identity_of(sidecar_path(m_files[g].target)));
            if (clash_output || clash_sidecar) {
                throw UsageError(req.option + " and " + other.option +
                                 " would share the QGIS style file " + sidecar_path(file.path) +
                                 "; give them different base names")
                    .set_file(req.path);
            }
        }
        for (std::size_t i = 0; i < input_ids.size(); ++i) {
            if (same_file(side, input_ids[i])) {
                throw UsageError("the QGIS style file " + sidecar_path(file.path) + " of " +
                                 req.option + " would overwrite the input '" + inputs[i] +
                                 "'; choose another output name")
                    .set_file(req.path);
            }
        }
    }
    m_stage_of.assign(m_files.size(), -1);
}

OutputPlan::~OutputPlan() {
    for (const Staged& s : m_staged) remove_quietly(s.temporary);
}

std::string OutputPlan::stage(std::size_t index, bool copy_existing) {
    const OutputFile& file = m_files.at(index);
    if (m_stage_of[index] >= 0)
        return m_staged[static_cast<std::size_t>(m_stage_of[index])].temporary;
    Staged s;
    s.shown = file.path;
    s.stream = file.stream;
    s.target = file.target;
    if (file.stream) {
        s.temporary =
            temporary_beside(fs::temp_directory_path() / "lifecircle-stream", file.format);
    } else {
        // Keep the real extension last: GDAL picks drivers and SQLite nothing from it, but
        // people looking into the folder recognise it.
        s.temporary =
            temporary_beside(fs::path(file.target), fs::path(file.target).extension().string());
    }
    remove_quietly(s.temporary);  // a stale temporary of an earlier crashed run with our pid
    m_staged.push_back(s);
    m_stage_of[index] = static_cast<int>(m_staged.size() - 1);
    if (copy_existing && file.exists) {
        std::error_code ec;
        fs::copy_file(file.target, s.temporary, fs::copy_options::overwrite_existing, ec);
        if (ec)
            throw OutputError("cannot copy the existing file to update it: " + ec.message())
                .set_file(file.path);
    }
    return s.temporary;
}

void OutputPlan::write_text(std::size_t file, const std::string& text) {
    std::ofstream out(stage(file), std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) throw OutputError("cannot write: the disk may be full").set_file(m_files.at(file).path);
}

std::string OutputPlan::stage_sidecar(std::size_t index, const std::string& text) {
    const OutputFile& file = m_files.at(index);
    if (file.stream) return "no QGIS style file is written beside a stream";
    const std::string side = sidecar_path(file.target);
    std::error_code ec;
    if (fs::exists(side, ec)) {
        if (!fs::is_regular_file(side, ec) || !is_ours(side)) {
            return "left " + sidecar_path(file.path) +
                   " alone: lifecircle did not write it; delete or rename it to get the QGIS style";
        }
    }
    // Our mark goes after the DOCTYPE line (comments are allowed there, before the root).
    std::string marked = text;
    const std::string mark = std::string(sidecar_mark()) + ", replaced on every run -->\n";
    const auto eol = marked.find('\n');
    if (marked.rfind("<!DOCTYPE", 0) == 0 && eol != std::string::npos)
        marked.insert(eol + 1, mark);
    else
        marked.insert(0, mark);
    Staged s;
    s.shown = sidecar_path(file.path);
    s.target = side;
    s.temporary = temporary_beside(fs::path(side), ".qml");
    remove_quietly(s.temporary);
    m_staged.push_back(s);
    std::ofstream out(s.temporary, std::ios::binary | std::ios::trunc);
    out.write(marked.data(), static_cast<std::streamsize>(marked.size()));
    out.close();
    if (!out) throw OutputError("cannot write the QGIS style file").set_file(s.shown);
    return {};
}

void OutputPlan::commit() {
    if (m_committed) return;
    struct Done {
        std::string target;
        std::string backup;  // empty: the target did not exist
    };
    std::vector<Done> done;
    const auto roll_back = [&]() noexcept {
        std::error_code ec;
        for (auto it = done.rbegin(); it != done.rend(); ++it) {
            if (it->backup.empty())
                fs::remove(it->target, ec);
            else
                fs::rename(it->backup, it->target, ec);
        }
    };
    for (const Staged& s : m_staged) {
        if (s.stream) continue;
        Done d{s.target, {}};
        std::error_code ec;
        if (fs::is_regular_file(s.target, ec)) {
            // A hard link keeps the old file reachable at no cost until every rename succeeded.
            d.backup = temporary_beside(fs::path(s.target), ".bak");
            remove_quietly(d.backup);
            fs::create_hard_link(s.target, d.backup, ec);
            if (ec) {
                ec.clear();
                fs::copy_file(s.target, d.backup, fs::copy_options::overwrite_existing, ec);
            }
            if (ec) {
                roll_back();
                for (const Done& x : done) remove_quietly(x.backup);
                throw OutputError(
                    "cannot keep a backup of the existing file, nothing was replaced: " +
                    ec.message())
                    .set_file(s.shown);
            }
        }
        fs::rename(s.temporary, s.target, ec);
        if (ec) {
            const std::string why = ec.message();
            remove_quietly(d.backup);
            roll_back();
            for (const Done& x : done)
                if (!x.backup.empty()) remove_quietly(x.backup);
            throw OutputError("cannot move the finished file into place (" + why +
                              "); no output was replaced")
                .set_file(s.shown);
        }
        done.push_back(std::move(d));
    }
    for (const Done& d : done)
        if (!d.backup.empty()) remove_quietly(d.backup);
    // Rename is over: forget the renamed temporaries, streams are copied last.
    std::vector<Staged> streams;
    for (const Staged& s : m_staged)
        if (s.stream) streams.push_back(s);
    m_staged = streams;
    m_committed = true;
    for (const Staged& s : streams) {
        std::ifstream in(s.temporary, std::ios::binary);
        if (in.peek() == std::ifstream::traits_type::eof()) continue;  // nothing to copy
        if (s.target == "-") {
            std::cout << in.rdbuf();
            std::cout.flush();
            if (!std::cout) throw OutputError("cannot write to standard output").set_file("-");
        } else {
            std::ofstream out(s.target, std::ios::binary | std::ios::out);
            out << in.rdbuf();
            out.flush();
            if (!out) throw OutputError("cannot write to the stream").set_file(s.shown);
        }
    }
}

}  // namespace lifecircle::io
