#include "io/output.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/error.hpp"
#include "io/output_fault.hpp"
#include "io/output_journal.hpp"

namespace lifecircle::io {

namespace fs = std::filesystem;

namespace {

/** SQLite's unix VFS opens paths of at most this many bytes (MAX_PATHNAME). */
constexpr std::size_t sqlite_max_path = 512;
/** Room for our temporary names (".lc-<pid>-<n>.tmp" plus the extension) and "-journal". */
constexpr std::size_t temporary_room = 40 + 8;

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

/** The absolute, lexically normal form of a path (symbolic links are not resolved). */
std::string absolute_of(const std::string& path) {
    std::error_code ec;
    const fs::path a = fs::absolute(path, ec);
    return (ec ? fs::path(path) : a).lexically_normal().string();
}

std::string folder_of(const std::string& path) {
    const fs::path p(path);
    return p.has_parent_path() ? p.parent_path().string() : std::string(".");
}

/** What a file that is not a regular file is, for messages. */
std::string kind_of(mode_t mode) {
    if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISLNK(mode)) return "a symbolic link";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

/**
 * Where a symbolic link finally points, also when that does not exist (yet): the link is
 * followed as writing through it would. Throws OutputError on a loop.
 */
std::string resolve_link(const std::string& path) {
    fs::path p = fs::absolute(path);
    std::error_code ec;
    for (int hops = 0; fs::is_symlink(fs::symlink_status(p, ec)); ++hops) {
        if (hops == 40) throw OutputError("too many levels of symbolic links").set_file(path);
        const fs::path to = fs::read_symlink(p, ec);
        if (ec) throw OutputError("cannot read the symbolic link: " + ec.message()).set_file(path);
        p = to.is_absolute() ? to : p.parent_path() / to;
    }
    return fs::weakly_canonical(p, ec).string();
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

/** The file name a fault rule's @NAME matches: the target's (a stream's as given, "-"). */
std::string fault_name(const std::string& target, bool stream, const std::string& shown) {
    return fs::path(stream ? shown : target).filename().string();
}

/** "" when `path` is absent or a regular file; otherwise what it is now. */
std::string target_problem(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return {};
        return "cannot be checked before it is replaced: " + detail::error_text(errno);
    }
    if (S_ISREG(st.st_mode)) return {};
    return "is now " + kind_of(st.st_mode) +
           ", not a regular file: something put it there while lifecircle was working, and lifecircle "
           "only replaces regular files";
}

/** Creates `path` (it must not exist), writes `text` and syncs it; 0 or the errno. */
int write_new_file(const std::string& path, std::string_view text, std::string_view name) noexcept {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    int error = detail::write_all(fd, text, name);
    if (error == 0) error = detail::sync_fd(fd, name);
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error != 0) ::unlink(path.c_str());
    return error;
}

long long mtime_ns(const struct stat& st) {
    return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
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

// --- TextOutput -------------------------------------------------------------------------------

namespace {
constexpr std::size_t text_block = 1 << 16;
}

TextOutput::TextOutput(OutputPlan& plan, std::size_t staged, int fd) : m_plan(&plan), m_staged(staged), m_fd(fd) {
    m_buffer.reserve(text_block);
}

TextOutput::TextOutput(TextOutput&& other) noexcept
    : m_plan(other.m_plan),
      m_staged(other.m_staged),
      m_fd(std::exchange(other.m_fd, -1)),
      m_buffer(std::move(other.m_buffer)) {}

TextOutput::~TextOutput() {
    if (m_fd >= 0) ::close(m_fd);
}

void TextOutput::write(std::string_view text) {
    if (m_fd < 0) throw OutputError("written after it was closed").set_file(m_plan->m_staged[m_staged].shown);
    if (m_buffer.size() + text.size() > text_block) flush();
    if (text.size() >= text_block) {
        const OutputPlan::Staged& s = m_plan->m_staged[m_staged];
        const int error = detail::write_all(m_fd, text, fault_name(s.target, s.stream, s.shown));
        if (error != 0) m_plan->throw_write_error(m_staged, error);
        return;
    }
    m_buffer.append(text);
}

void TextOutput::flush() {
    if (m_buffer.empty()) return;
    const OutputPlan::Staged& s = m_plan->m_staged[m_staged];
    const int error = detail::write_all(m_fd, m_buffer, fault_name(s.target, s.stream, s.shown));
    m_buffer.clear();
    if (error != 0) m_plan->throw_write_error(m_staged, error);
}

void TextOutput::close() {
    if (m_fd < 0) return;
    flush();
    const OutputPlan::Staged& s = m_plan->m_staged[m_staged];
    int error = detail::sync_fd(m_fd, fault_name(s.target, s.stream, s.shown));
    if (::close(std::exchange(m_fd, -1)) != 0 && error == 0) error = errno;
    if (error != 0) m_plan->throw_write_error(m_staged, error);
    m_plan->m_staged[m_staged].synced = true;
}

// --- OutputPlan -------------------------------------------------------------------------------

OutputPlan::OutputPlan(std::vector<OutputRequest> requests, const std::vector<std::string>& inputs, OutputNotes notes)
    : m_requests(std::move(requests)), m_notes(std::move(notes)) {
    if (const std::string why = fault::spec_error(); !why.empty()) throw UsageError(why);
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
            // A pipe called x.gpkg would get GeoJSON: its name promises what a stream cannot be.
            const std::string ext = req.path == "-" ? std::string() : lower_extension(req.path);
            const auto json = [](const std::string& e) { return e == ".json" || e == ".geojson"; };
            if (!ext.empty() && ext != req.stream_format && !(json(ext) && json(req.stream_format)) &&
                std::find(req.extensions.begin(), req.extensions.end(), ext) != req.extensions.end()) {
                struct stat st {};
                const std::string what = ::stat(req.path.c_str(), &st) == 0 ? kind_of(st.st_mode) : "a stream";
                throw UsageError(req.option + " is " + what + ", which lifecircle can only write as a stream of " +
                                 req.stream_format.substr(1) + ", but its name promises a " + ext +
                                 " file; give a regular file for " + ext + ", or a name ending in " +
                                 req.stream_format + " for the stream")
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
            const bool is_link = fs::is_symlink(link);
            if (is_link) file.target = resolve_link(req.path);
            const fs::path folder = folder_of(file.target);
            if (!fs::is_directory(folder, ec)) {
                if (is_link)
                    throw OutputError("cannot write: " + req.option + " is a symbolic link to '" + file.target +
                                      "', whose folder '" + folder.string() +
                                      "' does not exist; create it or fix the link")
                        .set_file(req.path);
                throw OutputError("cannot write: the folder '" + folder.string() +
                                  "' does not exist; create it first")
                    .set_file(req.path);
            }
            if (::access(folder.c_str(), W_OK | X_OK) != 0) {
                throw OutputError("cannot write: the folder '" + folder.string() +
                                  "' is not writable")
                    .set_file(req.path);
            }
            const std::string name = fs::path(file.target).filename().string();
            long name_max = ::pathconf(folder.c_str(), _PC_NAME_MAX);
            if (name_max <= 0) name_max = 255;
            if (name.size() > static_cast<std::size_t>(name_max)) {
                throw OutputError("cannot write: the file name is " + std::to_string(name.size()) +
                                  " bytes long and the file system of '" + folder.string() + "' allows " +
                                  std::to_string(name_max) + "; choose a shorter name")
                    .set_file(req.path);
            }
            if (file.format == ".gpkg") {
                const std::string plain = absolute_of(folder.string());
                const std::string real = fs::weakly_canonical(plain, ec).string();
                const std::size_t longest = std::max(plain.size(), real.size());
                if (longest + 1 + temporary_room > sqlite_max_path) {
                    throw OutputError("cannot write: the GeoPackage's folder path is " + std::to_string(longest) +
                                      " bytes long, and SQLite, which writes GeoPackages, opens paths of at most " +
                                      std::to_string(sqlite_max_path) +
                                      " bytes (with the file name); write it into a folder with a shorter path")
                        .set_file(req.path);
                }
            }
            file.exists = fs::is_regular_file(fs::status(file.target, ec));
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
    // Streams are kept whole in the temporary folder until the commit.
    for (const OutputFile& file : m_files) {
        if (!file.stream || !m_stream_folder.empty()) continue;
        std::error_code ec;
        const fs::path temp = fs::temp_directory_path(ec);
        const std::string what = file.path == "-" ? "standard output" : "what goes to " + file.path;
        if (ec || ::access(temp.c_str(), W_OK | X_OK) != 0) {
            const char* env = std::getenv("TMPDIR");
            throw OutputError("cannot write: lifecircle keeps " + what +
                              " in a temporary file until the run has finished, and the temporary folder '" +
                              (ec ? std::string(env ? env : "/tmp") : temp.string()) +
                              "' (TMPDIR) is missing or not writable; point TMPDIR at a writable folder")
                .set_file(file.path);
        }
        m_stream_folder = absolute_of(temp.string());
    }
    // What interrupted runs left behind: finished or rolled back, their temporaries removed.
    std::set<std::string> folders;
    for (const OutputFile& file : m_files) {
        if (!file.stream) folders.insert(absolute_of(folder_of(file.target)));
    }
    if (!m_stream_folder.empty()) folders.insert(m_stream_folder);
    for (const std::string& folder : folders) detail::recover_folder(folder, m_notes);
    for (OutputFile& file : m_files) {
        std::error_code ec;
        if (!file.stream) file.exists = fs::is_regular_file(fs::status(file.target, ec));
    }
    m_stage_of.assign(m_files.size(), -1);
}

OutputPlan::~OutputPlan() { forget_staged(!m_journal_kept); }

void OutputPlan::forget_staged(bool remove_files) noexcept {
    for (Staged& s : m_staged) {
        detail::unregister_temporary(s.slot);
        s.slot = -1;
        // Streams are never part of a journal.
        if (remove_files || s.stream) detail::remove_with_companions(s.temporary);
    }
}

void OutputPlan::note(const std::string& text) const {
    if (m_notes) m_notes(text);
}

std::size_t OutputPlan::add_staged(Staged s) {
    // Registered before it exists, so that a signal can never leave it behind.
    s.slot = detail::register_temporary(s.temporary);
    m_staged.push_back(std::move(s));
    return m_staged.size() - 1;
}

std::string OutputPlan::stage(std::size_t index, bool copy_existing) {
    const OutputFile& file = m_files.at(index);
    if (m_stage_of[index] >= 0)
        return m_staged[static_cast<std::size_t>(m_stage_of[index])].temporary;
    Staged s;
    s.shown = file.path;
    s.stream = file.stream;
    s.target = file.stream ? file.target : absolute_of(file.target);
    const std::string extension = file.stream ? file.format : fs::path(file.target).extension().string();
    const std::string folder = file.stream ? m_stream_folder : folder_of(s.target);
    // Short names: any legal target name has one, and a GeoPackage's path stays within SQLite's.
    s.temporary = (fs::path(folder) / detail::our_name("tmp", extension)).string();
    s.for_update = copy_existing && !file.stream;
    if (s.for_update) {
        // Held until the commit: another run updating a file in this folder waits meanwhile.
        m_locks.push_back(detail::FolderLock::acquire(folder, file.path));
        if (!m_locks.back().supported())
            note("the folder " + folder + " cannot be locked (" + m_locks.back().refusal() +
                 "): do not update " + file.path + " from two runs at once");
    }
    const std::size_t k = add_staged(s);
    m_stage_of[index] = static_cast<int>(k);
    Staged& staged = m_staged[k];
    if (staged.for_update) {
        struct stat st {};
        if (::lstat(staged.target.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            const int error = detail::copy_contents(staged.target, staged.temporary,
                                                    fault_name(staged.target, false, staged.shown), false);
            if (error != 0)
                throw OutputError("cannot copy the existing file to update it: " + detail::error_text(error) +
                                  (error == ENOSPC ? " (the disk holding '" + folder + "' is full)" : "") +
                                  "; no output was replaced")
                    .set_file(file.path);
            staged.copied = true;
            staged.device = st.st_dev;
            staged.inode = st.st_ino;
            staged.size = st.st_size;
            staged.mtime_ns = mtime_ns(st);
        }
    }
    return staged.temporary;
}

bool OutputPlan::staged_copy(std::size_t file) const {
    const int k = m_stage_of.at(file);
    return k >= 0 && m_staged[static_cast<std::size_t>(k)].copied;
}

void OutputPlan::throw_write_error(std::size_t staged, int error) const {
    const Staged& s = m_staged[staged];
    const std::string cause = detail::error_text(error);
    const bool full = error == ENOSPC || error == EDQUOT;
    if (s.stream) {
        const std::string what = s.shown == "-" ? "standard output" : "what goes to " + s.shown;
        throw OutputError("cannot write the temporary file '" + s.temporary + "', which keeps " + what +
                          " until the run has finished: " + cause +
                          (full ? "; the temporary folder '" + m_stream_folder +
                                      "' (TMPDIR) is full: free space there or point TMPDIR at a folder with room"
                                : std::string()))
            .set_file(s.shown);
    }
    throw OutputError("cannot write: " + cause +
                      (full ? " (the disk holding '" + folder_of(s.target) + "' is full)" : std::string()) +
                      "; no output was replaced")
        .set_file(s.shown);
}

void OutputPlan::write_staged(std::size_t staged, std::string_view text) {
    const Staged& s = m_staged[staged];
    const std::string name = fault_name(s.target, s.stream, s.shown);
    const int fd = ::open(s.temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) throw_write_error(staged, errno);
    int error = detail::write_all(fd, text, name);
    if (error == 0) error = detail::sync_fd(fd, name);
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error != 0) throw_write_error(staged, error);
    m_staged[staged].synced = true;
}

void OutputPlan::write_text(std::size_t file, std::string_view text) {
    stage(file);
    write_staged(static_cast<std::size_t>(m_stage_of[file]), text);
}

TextOutput OutputPlan::open_text(std::size_t file) {
    stage(file);
    const auto k = static_cast<std::size_t>(m_stage_of[file]);
    const int fd = ::open(m_staged[k].temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) throw_write_error(k, errno);
    m_staged[k].synced = false;
    return TextOutput(*this, k, fd);
}


std::string OutputPlan::stage_sidecar(std::size_t index, const std::string& text) {
    const OutputFile& file = m_files.at(index);
    if (file.stream) return "no QGIS style file is written beside a stream";
    const std::string side = sidecar_path(file.target);
    std::error_code ec;
    if (fs::exists(fs::symlink_status(side, ec))) {
        if (!fs::is_regular_file(fs::symlink_status(side, ec)) || !is_ours(side)) {
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
    s.target = absolute_of(side);
    s.temporary = (fs::path(folder_of(s.target)) / detail::our_name("tmp", ".qml")).string();
    write_staged(add_staged(s), marked);
    return {};
}

std::string OutputPlan::explain_failure(std::size_t index) const {
    const OutputFile& file = m_files.at(index);
    const std::string folder = file.stream ? m_stream_folder : folder_of(absolute_of(file.target));
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0) {
        if (errno == ENOENT) return "the folder '" + folder + "' was removed while lifecircle was working";
        return "the folder '" + folder + "' cannot be reached any more (" + detail::error_text(errno) + ")";
    }
    if (::access(folder.c_str(), W_OK | X_OK) != 0)
        return "the folder '" + folder + "' was made read-only while lifecircle was working";
    struct statvfs vfs {};
    if (::statvfs(folder.c_str(), &vfs) == 0) {
        const unsigned long long free_bytes =
            static_cast<unsigned long long>(vfs.f_bavail) * static_cast<unsigned long long>(vfs.f_frsize);
        if (free_bytes < (1ULL << 20)) {
            const std::string left = std::to_string(free_bytes / 1024) + " KiB free";
            if (file.stream)
                return "the temporary folder '" + folder + "' (TMPDIR), which keeps " +
                       (file.path == "-" ? std::string("standard output") : "what goes to " + file.path) +
                       " until the run has finished, is full (" + left +
                       "): free space there or point TMPDIR at a folder with room";
            return "the disk holding '" + folder + "' is full (" + left + ")";
        }
    }
    return {};
}

void OutputPlan::check_unchanged(const Staged& s) const {
    if (!s.for_update) return;
    struct stat st {};
    const bool exists = ::lstat(s.target.c_str(), &st) == 0;
    if (s.copied) {
        if (!exists || st.st_dev != s.device || st.st_ino != s.inode || st.st_size != s.size ||
            mtime_ns(st) != s.mtime_ns)
            throw OutputError("changed while lifecircle was updating it (another program wrote to it or replaced "
                              "it after lifecircle had copied it); no output was replaced: run again")
                .set_file(s.shown);
    } else if (exists) {
        throw OutputError("was created by another program while lifecircle was writing it; no output was "
                          "replaced: run again to add the layers to it")
            .set_file(s.shown);
    }
}

void OutputPlan::commit() {
    if (m_committed) return;
    if (m_journal_kept) throw OutputError("a failed commit cannot be tried again; run again");
    std::vector<std::size_t> files;  // staged files (not streams), in the order they were staged
    for (std::size_t k = 0; k < m_staged.size(); ++k)
        if (!m_staged[k].stream) files.push_back(k);

    // 1. Every finished file is complete and on the disk.
    for (const std::size_t k : files) {
        Staged& s = m_staged[k];
        struct stat st {};
        if (::lstat(s.temporary.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
            throw OutputError("the finished file is missing from its temporary name '" + s.temporary +
                              "'; no output was replaced")
                .set_file(s.shown);
        if (!s.synced) {
            const int error = detail::sync_path(s.temporary, fault_name(s.target, false, s.shown));
            if (error != 0)
                throw OutputError("cannot save the finished file to the disk (fsync: " + detail::error_text(error) +
                                  "); no output was replaced")
                    .set_file(s.shown);
            s.synced = true;
        }
    }

    // 2. The folders locked, the targets checked once more.
    std::map<std::string, std::size_t> folders;  // folder -> the first file in it (for messages)
    for (const std::size_t k : files) folders.emplace(folder_of(m_staged[k].target), k);
    std::vector<detail::FolderLock> locks;
    for (const auto& [folder, k] : folders) {
        locks.push_back(detail::FolderLock::acquire(folder, m_staged[k].shown));
        if (!locks.back().supported())
            note("the folder " + folder + " cannot be locked (" + locks.back().refusal() +
                 "); two runs writing there at once could mix their files");
    }
    for (const std::size_t k : files) check_unchanged(m_staged[k]);
    for (const std::size_t k : files) {
        const std::string problem = target_problem(m_staged[k].target);
        if (!problem.empty()) throw OutputError(problem + "; no output was replaced").set_file(m_staged[k].shown);
    }

    {
        // A signal now waits until the commit or its rollback is over.
        const detail::SignalDeferral deferral;
        std::vector<detail::JournalEntry> entries;
        const auto drop_backups = [&entries]() noexcept {
            for (const detail::JournalEntry& e : entries)
                if (!e.backup.empty()) ::unlink(e.backup.c_str());
        };

        // 3. A backup of every existing target: a hard link costs nothing.
        for (const std::size_t k : files) {
            const Staged& s = m_staged[k];
            detail::JournalEntry e{s.target, s.temporary, {}};
            struct stat st {};
            if (::lstat(s.target.c_str(), &st) == 0) {
                // The replacement keeps the replaced file's permissions (a private file stays so).
                ::chmod(s.temporary.c_str(), st.st_mode & 07777);
                e.backup = (fs::path(folder_of(s.target)) / detail::our_name("bak")).string();
                if (::link(s.target.c_str(), e.backup.c_str()) != 0) {
                    const int error = detail::copy_contents(s.target, e.backup, fault_name(s.target, false, s.shown));
                    if (error != 0) {
                        ::unlink(e.backup.c_str());
                        drop_backups();
                        throw OutputError("cannot keep a backup of the existing file (" + detail::error_text(error) +
                                          "); no output was replaced")
                            .set_file(s.shown);
                    }
                }
            }
            entries.push_back(std::move(e));
        }

        // 4. The journal, synced with its folder, in every folder the commit touches.
        detail::Journal journal;
        journal.pid = ::getpid();
        journal.start = detail::process_start(journal.pid);
        journal.entries = entries;
        for (const auto& [folder, k] : folders)
            journal.copies.push_back((fs::path(folder) / detail::our_name("journal")).string());
        const std::string text = detail::journal_text(journal);
        std::size_t written = 0;
        for (const auto& [folder, k] : folders) {
            const std::string& copy = journal.copies[written];
            int error = write_new_file(copy, text, "journal");
            if (error == 0) {
                ++written;
                error = detail::sync_path(folder, fs::path(folder).filename().string());
            }
            if (error != 0) {
                for (std::size_t c = 0; c < written; ++c) ::unlink(journal.copies[c].c_str());
                drop_backups();
                throw OutputError("cannot write the journal '" + copy + "' that keeps the commit safe (" +
                                  detail::error_text(error) + "); no output was replaced")
                    .set_file(m_staged[k].shown);
            }
        }

        // 5. The renames; on a failure every replaced target gets its previous file back.
        const auto roll_back = [&](std::size_t renamed, const std::string& shown, const std::string& why) {
            std::string failure;
            for (std::size_t i = renamed; i-- > 0;) {
                const int error = detail::restore_entry(entries[i]);
                if (error != 0 && failure.empty())
                    failure = detail::error_text(error) + " for " + fs::path(entries[i].target).filename().string();
            }
            if (failure.empty()) {
                for (const auto& [folder, k] : folders) detail::sync_path(folder, fs::path(folder).filename().string());
                for (const std::string& copy : journal.copies) ::unlink(copy.c_str());
                drop_backups();
                throw OutputError(why + "; no output was replaced").set_file(shown);
            }
            // The journal and everything it names stay for the next run to put back.
            m_journal_kept = true;
            for (Staged& s : m_staged) {
                if (s.stream) continue;
                detail::unregister_temporary(s.slot);
                s.slot = -1;
            }
            throw OutputError(why + "; putting the previous files back failed too (" + failure + "): the journal " +
                              journal.copies.front() +
                              " and the backups are kept, and the next lifecircle run that writes into " +
                              folders.begin()->first + " puts the previous files back")
                .set_file(shown);
        };
        for (std::size_t i = 0; i < files.size(); ++i) {
            const Staged& s = m_staged[files[i]];
            const std::string problem = target_problem(s.target);
            if (!problem.empty()) roll_back(i, s.shown, problem);
            const int error = detail::rename_file(s.temporary, s.target, fault_name(s.target, false, s.shown));
            if (error != 0)
                roll_back(i, s.shown, "cannot move the finished file into place (" + detail::error_text(error) + ")");
        }
        for (const auto& [folder, k] : folders) {
            const int error = detail::sync_path(folder, fs::path(folder).filename().string());
            if (error != 0)
                roll_back(files.size(), m_staged[k].shown,
                          "cannot save the folder's new entries to the disk (fsync of " + folder + ": " +
                              detail::error_text(error) + ")");
        }

        // 6. Committed: the journal goes first (the commit point), then the backups.
        for (const std::string& copy : journal.copies) {
            if (::unlink(copy.c_str()) != 0 && errno != ENOENT)
                note("could not remove the journal " + copy + " (" + detail::error_text(errno) +
                     "); the next run into that folder finishes the commit");
        }
        drop_backups();
        for (const std::size_t k : files) {
            detail::unregister_temporary(m_staged[k].slot);
            m_staged[k].slot = -1;
        }
        std::vector<Staged> streams;
        for (Staged& s : m_staged)
            if (s.stream) streams.push_back(std::move(s));
        m_staged = std::move(streams);
        m_committed = true;
    }
    copy_streams();
}

void OutputPlan::copy_streams() {
    for (Staged& s : m_staged) {
        const std::string name = fault_name(s.target, true, s.shown);
        const int in = ::open(s.temporary.c_str(), O_RDONLY | O_CLOEXEC);
        if (in < 0) continue;  // nothing was written to it
        const bool to_stdout = s.target == "-";
        int out = 1;
        if (to_stdout) {
            std::fflush(stdout);
            std::cout.flush();
        } else {
            out = ::open(s.target.c_str(), O_WRONLY | O_CLOEXEC);
            if (out < 0) {
                const int error = errno;
                ::close(in);
                throw OutputError("cannot open the stream to write to it: " + detail::error_text(error))
                    .set_file(s.shown);
            }
        }
        int error = 0;
        std::array<char, 1 << 16> buffer{};
        for (;;) {
            const ssize_t n = ::read(in, buffer.data(), buffer.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                if (n < 0) error = errno;
                break;
            }
            error = detail::write_all(out, std::string_view(buffer.data(), static_cast<std::size_t>(n)), name);
            if (error != 0) break;
        }
        ::close(in);
        if (!to_stdout) ::close(out);
        detail::unregister_temporary(s.slot);
        s.slot = -1;
        detail::remove_with_companions(s.temporary);
        if (error != 0)
            throw OutputError((to_stdout ? "cannot write to standard output: " : "cannot write to the stream: ") +
                              detail::error_text(error))
                .set_file(s.shown);
    }
}

}  // namespace lifecircle::io
