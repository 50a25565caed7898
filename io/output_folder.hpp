#pragma once
/**
 * A folder a run owns as a whole (`plan --out DIR`) and its manifest, `.lifecircle-plan`.
 *
 * The manifest lists the files lifecircle wrote into the folder as plain names relative to it:
 *
 *     version 2
 *     output lifecircle.gpkg
 *     output geojson/clinics_demand.geojson
 *     kept data/scenario.toml
 *
 * `output` files are replaced by a rerun and removed when the rerun no longer writes them;
 * `kept` files (the demo's district under data/) are lifecircle's too, so they do not make the
 * folder foreign, but no run ever removes them. A manifest of the first version (one name per
 * line, as lifecircle before 0.2 wrote it) is still read: its names count as kept until a run
 * writes them again, so that nothing it listed is removed by mistake.
 */

#include <map>
#include <string>
#include <vector>

#include "io/output.hpp"
#include "io/output_files.hpp"

namespace lifecircle::io {

/** How a file came into an output folder, as the manifest says. */
enum class FolderEntry { output, kept };

/**
 * Why `name` is not a plain name of a file inside `folder` ("" when it is): empty, absolute,
 * with a "." or ".." part or an empty part, the manifest itself, or through a symbolic link (the
 * file itself or a folder on the way) that leads out of the folder.
 */
std::string folder_name_problem(const std::string& folder, const std::string& name);

/** A folder a run owns as a whole, with its manifest (see the file comment). */
class OutputFolder {
public:
    /** The manifest's file name. */
    static constexpr const char* manifest_name = ".lifecircle-plan";

    /**
     * Creates the folder if missing and locks it for the life of the object (another run into
     * it waits, then fails naming the folder: detail::FolderLock), recovers what interrupted
     * runs left in it and its subfolders (io/output_journal.hpp), reads the manifest and
     * refuses (OutputError) a folder holding files lifecircle did not write there, unless
     * `force`. Every manifest line must be a plain name inside the folder
     * (folder_name_problem); anything else is an OutputError naming the manifest and the line.
     * `inputs`: every file this run reads (never removed, never written: OutputPlan refuses them
     * as outputs). `kept`: names (relative) the caller writes there that stay across runs.
     */
    OutputFolder(std::string dir, bool force, std::vector<std::string> inputs = {},
                 std::vector<std::string> kept = {}, OutputNotes notes = {});

    /** The folder as given. */
    const std::string& dir() const noexcept { return m_dir; }
    /** Every file this run reads. */
    const std::vector<std::string>& inputs() const noexcept { return m_inputs; }
    /** What the manifest of the earlier run listed (relative names). */
    const std::map<std::string, FolderEntry>& earlier() const noexcept { return m_earlier; }
    /** The manifest's path. */
    std::string manifest_path() const;
    /** The request that declares the manifest as an output of the run's OutputPlan. */
    OutputRequest manifest_request() const;

    /**
     * Stages the manifest (file `manifest_file` of `plan`, declared with manifest_request())
     * listing `outputs` (relative names, each checked like a manifest line) and the kept files,
     * commits `plan` (the outputs and the manifest together: all or none), then removes what
     * the earlier run wrote and this one did not: only `output` entries, only regular files
     * inside the folder, never an input of this run. A file it cannot remove is a note.
     */
    void commit(OutputPlan& plan, std::size_t manifest_file, const std::vector<std::string>& outputs) const;

private:
    void note(const std::string& text) const;

    std::string m_dir;
    std::vector<std::string> m_inputs;
    std::vector<std::string> m_kept;
    std::map<std::string, FolderEntry> m_earlier;
    OutputNotes m_notes;
    detail::FolderLock m_lock;
};

}  // namespace lifecircle::io
