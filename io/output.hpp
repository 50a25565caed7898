#pragma once
/**
 * The one output mechanism of the verbs: every output is declared and checked before any
 * computation, written to temporaries, and committed all together at the end (all or none).
 */

#include <cstddef>
#include <string>
#include <vector>

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

/**
 * All outputs of one run. The constructor checks every output: the folder exists and is
 * writable, the extension is accepted, the path is no folder, it is not the same file as any
 * input (by device and inode for existing files, by canonical folder and name otherwise), and
 * two requests naming one file by different paths share it when both accept several layers
 * (.gpkg) or are refused. Problems throw UsageError (a clash with an input or another output,
 * an unknown extension) or OutputError (a missing or unwritable folder, a folder as a file).
 *
 * Files are then written to temporaries (stage()) and commit() renames them all into place:
 * when one rename fails, the targets already replaced are restored from hard-linked backups,
 * so either every target is replaced or none is. Temporaries never outlive the object.
 */
class OutputPlan {
public:
    /** Checks the requests against each other and against the input paths. */
    OutputPlan(std::vector<OutputRequest> requests, const std::vector<std::string>& inputs);
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
     * A temporary path in the target's folder to write file `file` to (a stream's temporary
     * lives in the system temp folder). With `copy_existing`, the temporary starts as a copy
     * of the existing target (for updating a GeoPackage in place). Calling it again returns
     * the same path.
     */
    std::string stage(std::size_t file, bool copy_existing = false);

    /**
     * Stages `text` as the QGIS style sidecar "<folder>/<basename>.qml" of file `file`, marked
     * as ours in its second line. Returns an empty string when it was staged, else a note
     * saying why not: the file is a stream, or a .qml that lifecircle did not write exists there
     * (it is never overwritten).
     */
    std::string stage_sidecar(std::size_t file, const std::string& text);

    /** Stages file `file` with `text` (a summary, a CSV, a report); OutputError naming the file
        when it cannot be written whole. */
    void write_text(std::size_t file, const std::string& text);

    /**
     * Renames every staged temporary into place (all or none, see the class) and then copies
     * the staged streams to their destinations. Throws OutputError naming the file.
     */
    void commit();

    /** The sidecar path of a file, "<folder>/<completeBaseName>.qml", as QGIS looks it up. */
    static std::string sidecar_path(const std::string& path);
    /** The mark written into the second line of our sidecars. */
    static const char* sidecar_mark() noexcept;

private:
    struct Staged {
        std::string temporary;
        std::string target;
        std::string shown;  // for messages
        bool stream = false;
    };
    std::vector<OutputRequest> m_requests;
    std::vector<std::size_t> m_file_of;
    std::vector<OutputFile> m_files;
    std::vector<Staged> m_staged;
    std::vector<int> m_stage_of;  // per file: index into m_staged or -1
    bool m_committed = false;
};

/** The lower-case extension of a path, with the dot (".gpkg"); "" when there is none. */
std::string lower_extension(const std::string& path);

/**
 * Checks that an input path can be read as a file: an existing folder (other than a FileGDB
 * ".gdb" folder) is an InputError saying to give a file.
 */
void check_input_path(const std::string& path, const std::string& option);

}  // namespace lifecircle::io
