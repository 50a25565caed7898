#pragma once
/**
 * The one output mechanism of the verbs: every output is declared and checked before any
 * computation, written to temporaries, and committed all together at the end as one
 * transaction (all or none, even when the process is killed mid-commit).
 */

#include <charconv>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <sys/types.h>

#include "io/output_files.hpp"

namespace lifecircle::io {

/** One output a verb will write, declared before it computes anything. */
struct OutputRequest {
    /** The option that named it ("--out"), for messages. */
    std::string option;
    /** The path as given; "-" means standard output. */
    std::string path;
    /** Accepted extensions, lower case with the dot, e.g. {".csv", ".gpkg"}. */
    std::vector<std::string> extensions;
    /**
     * The format written when the output is a stream ("-", /dev/stdout, a pipe), e.g.
     * ".geojson"; empty = this output cannot be streamed.
     */
    std::string stream_format;
    /** Whether a QGIS style sidecar "<basename>.qml" may be written beside a GeoJSON file. */
    bool sidecar = false;
};

/** A checked output file; several requests naming the same file share one. */
struct OutputFile {
    /** The path as the user gave it (for messages). */
    std::string path;
    /** Where the finished file is renamed to (a symlink is followed, so the link stays). */
    std::string target;
    /** The lower-case extension that decides the format (stream_format for streams). */
    std::string format;
    /** True for "-" and anything that is not a regular file (a device, a pipe): written as a
     * stream. */
    bool stream = false;
    /** Whether the target exists now (a regular file). */
    bool exists = false;
    /** Indexes into the requests that name this file. */
    std::vector<std::size_t> requests;
};

/** Receives a note for the user (an interrupted run recovered, a folder that cannot be locked). */
using OutputNotes = std::function<void(const std::string&)>;

class OutputPlan;

/**
 * A checked, buffered text stream into a staged output (OutputPlan::open_text), for outputs
 * too large to build in memory (CSV matrices). Every write is checked: a full disk or an I/O
 * error throws OutputError naming the output and the cause at once. close() syncs the file.
 */
class TextOutput {
public:
    TextOutput(TextOutput&& other) noexcept;
    TextOutput& operator=(TextOutput&&) = delete;
    TextOutput(const TextOutput&) = delete;
    TextOutput& operator=(const TextOutput&) = delete;
    /** Closes the file without checking (an exception is on its way); the plan removes it. */
    ~TextOutput();

    /** Appends text (written out in 64 KiB blocks). */
    void write(std::string_view text);
    TextOutput& operator<<(std::string_view text) {
        write(text);
        return *this;
    }
    TextOutput& operator<<(const std::string& text) {
        write(text);
        return *this;
    }
    TextOutput& operator<<(const char* text) {
        write(text);
        return *this;
    }
    TextOutput& operator<<(char c) {
        write(std::string_view(&c, 1));
        return *this;
    }
    template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, char> &&
                                               !std::is_same_v<T, bool>,
                                           int> = 0>
    TextOutput& operator<<(T value) {
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
        write(std::string_view(digits, static_cast<std::size_t>(end - digits)));
        return *this;
    }
    /** Writes what is buffered, syncs and closes; OutputError on failure. */
    void close();

private:
    friend class OutputPlan;
    TextOutput(OutputPlan& plan, std::size_t staged, int fd);
    void flush();

    OutputPlan* m_plan;
    std::size_t m_staged;
    int m_fd;
    std::string m_buffer;
};

/**
 * All outputs of one run, written as one transaction. The constructor checks every output: the
 * folder exists and is writable, the extension is accepted, the path is no folder, the name
 * fits the file system (and a GeoPackage's path fits SQLite's 512 bytes), it is not the same
 * file as any input (by device and inode for existing files, by canonical folder and name
 * otherwise), a symbolic link is followed (also a dangling one, to a folder that must exist),
 * a pipe or device is written as a stream only when its name does not promise another format,
 * and two requests naming one file by different paths share it when both accept several layers
 * (.gpkg) or are refused. Problems throw UsageError (a clash with an input or another output,
 * an unknown extension) or OutputError (a missing or unwritable folder, a folder as a file).
 * It also recovers what interrupted runs left in the target folders (io/output_journal.hpp)
 * and says so through `notes`.
 *
 * Files are then written to temporaries with short names ".lc-<pid>-<n>.tmp.<ext>" beside
 * their targets (stage(), write_text(), open_text()); a stream's temporary lives in the
 * system's temporary folder (TMPDIR). SIGINT, SIGTERM and SIGHUP remove them. commit() is
 * SQLite's rollback journal with renames: every temporary is synced; the target folders are
 * locked; each target is checked once more (a regular file or absent: anything else that
 * appeared, such as a pipe or a folder, is refused and nothing replaced; a GeoPackage being
 * updated must not have changed since it was copied); each existing target gets a backup (a
 * hard link); a journal of targets, backups and temporaries is written and synced into every
 * target folder; then the temporaries are renamed over their targets and the folders synced.
 * On any failure every target already replaced is restored from its backup (a new target is
 * removed) and OutputError names the file and the cause: either every target is replaced or
 * none. Only then are the journal and the backups removed. A run killed mid-commit leaves the
 * journal, which the next run over the folder uses to finish or roll back the commit.
 */
class OutputPlan {
public:
    /** Checks the requests against each other and against the input paths. */
    OutputPlan(std::vector<OutputRequest> requests, const std::vector<std::string>& inputs, OutputNotes notes = {});
    /** Removes the temporaries of an uncommitted plan (those a failed rollback needs stay). */
    ~OutputPlan();
    OutputPlan(const OutputPlan&) = delete;
    OutputPlan& operator=(const OutputPlan&) = delete;

    /** The requests, as given. */
    const std::vector<OutputRequest>& requests() const noexcept { return m_requests; }
    /** The index of the file request `request` goes to. */
    std::size_t file_of(std::size_t request) const { return m_file_of.at(request); }
    /** The checked files. */
    const std::vector<OutputFile>& files() const noexcept { return m_files; }

    /**
     * A temporary path to write file `file` to, beside its target (a stream's in TMPDIR).
     * With `copy_existing` (updating a GeoPackage in place), the target's folder is locked
     * until the commit (another run updating a file there waits, see FolderLock) and the
     * temporary starts as a copy of the target if it exists now (staged_copy() says whether);
     * commit() refuses when the target changed after the copy. Calling it again returns the
     * same path.
     */
    std::string stage(std::size_t file, bool copy_existing = false);
    /** Whether file `file`'s temporary started as a copy of its target (stage with copy). */
    bool staged_copy(std::size_t file) const;

    /**
     * Writes `text` as file `file` (its temporary; committed with the others): written and
     * synced, every call checked. A full disk or an I/O error throws OutputError naming the
     * file and the cause (for a stream, the temporary folder that ran out).
     */
    void write_text(std::size_t file, std::string_view text);
    /** A checked stream into file `file`'s temporary (see TextOutput); close() it when done. */
    TextOutput open_text(std::size_t file);

    /**
     * Stages `text` as the QGIS style sidecar "<folder>/<basename>.qml" of file `file`, marked
     * as ours in its second line. Returns an empty string when it was staged, else a note
     * saying why not: the file is a stream, or a .qml that lifecircle did not write exists there
     * (it is never overwritten). A failed write throws OutputError with the cause.
     */
    std::string stage_sidecar(std::size_t file, const std::string& text);

    /**
     * After a writer failed on file `file` with a cryptic message (GDAL's "attempt to write a
     * readonly database"), the real cause when one can be seen: the folder was removed or made
     * read-only meanwhile, or its disk (for a stream, TMPDIR's) is full. "" otherwise.
     */
    std::string explain_failure(std::size_t file) const;

    /**
     * Commits every staged file (all or none, see the class), then copies the staged streams to
     * their destinations. Throws OutputError naming the file and the cause.
     */
    void commit();

    /** The sidecar path of a file, "<folder>/<completeBaseName>.qml", as QGIS looks it up. */
    static std::string sidecar_path(const std::string& path);
    /** The mark written into the second line of our sidecars. */
    static const char* sidecar_mark() noexcept;

private:
    friend class TextOutput;
    struct Staged {
        std::string temporary;
        std::string target;
        std::string shown;  // for messages
        bool stream = false;
        bool synced = false;     // written and fsynced by write_text/open_text
        bool for_update = false; // staged with copy_existing
        bool copied = false;     // the temporary started as a copy of the target
        dev_t device = 0;        // the target when copied, to see a change under it
        ino_t inode = 0;
        off_t size = 0;
        long long mtime_ns = 0;
        int slot = -1;           // in the signal handler's registry
    };
    std::size_t add_staged(Staged s);
    void write_staged(std::size_t staged, std::string_view text);
    [[noreturn]] void throw_write_error(std::size_t staged, int error) const;
    void check_unchanged(const Staged& s) const;
    void note(const std::string& text) const;
    void forget_staged(bool remove_files) noexcept;
    void copy_streams();

    std::vector<OutputRequest> m_requests;
    std::vector<std::size_t> m_file_of;
    std::vector<OutputFile> m_files;
    std::vector<Staged> m_staged;
    std::vector<int> m_stage_of;  // per file: index into m_staged or -1
    std::string m_stream_folder;  // where streams are staged
    std::vector<detail::FolderLock> m_locks;
    OutputNotes m_notes;
    bool m_committed = false;
    bool m_journal_kept = false;  // a failed rollback left the journal: keep what it names
};

/** The lower-case extension of a path, with the dot (".gpkg"); "" when there is none. */
std::string lower_extension(const std::string& path);

/**
 * Checks that an input path can be read as a file: an existing folder (other than a FileGDB
 * ".gdb" folder) is an InputError saying to give a file.
 */
void check_input_path(const std::string& path, const std::string& option);

}  // namespace lifecircle::io
