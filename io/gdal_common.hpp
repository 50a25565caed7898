#pragma once
/**
 * GDAL plumbing shared by the io/ readers and writers. GDAL headers stay in the .cpp files:
 * GDAL's types appear here only as forward declarations.
 */

#include <memory>
#include <optional>
#include <string>
#include <vector>

class GDALDataset;
class OGRCoordinateTransformation;

namespace lifecircle::io::detail {

/** Registers GDAL's drivers; only the first call in the process does anything. */
void register_gdal();

/**
 * Routes GDAL's messages to us while alive (library code never prints): the last failure is
 * kept for exception messages, warnings are collected for the caller. GDAL's handler stack is
 * per thread, so this does not disturb other threads.
 */
class GdalMessages {
public:
    /** Clears GDAL's error state and starts capturing this thread's messages. */
    GdalMessages();
    /** Restores the handler that was active before. */
    ~GdalMessages();
    GdalMessages(const GdalMessages&) = delete;
    GdalMessages& operator=(const GdalMessages&) = delete;

    /** The last failure GDAL reported ("" if none since construction or clear()). */
    const std::string& last() const noexcept { return m_last_error; }
    /** Forgets the last failure. */
    void clear() noexcept { m_last_error.clear(); }
    /** The last failure GDAL reported since the previous call, or ""; forgets it. */
    std::string take_last() noexcept;
    /** `what`, followed by GDAL's explanation when it gave one. */
    std::string explain(const std::string& what) const;
    /** GDAL's distinct warnings so far, each prefixed "GDAL: " (at most 20). */
    const std::vector<std::string>& warnings() const noexcept { return m_warnings; }

private:
    struct Handler;  ///< the callback GDAL calls; defined where GDAL's types are known

    std::string m_last_error;
    std::vector<std::string> m_warnings;
};

/**
 * The encoding a Shapefile's .cpg names ("GBK" or "GB18030"), when it is one of the Chinese
 * national encodings and `path` is a .shp or .dbf file; otherwise nothing. GDAL recodes from
 * the .cpg by itself unless SHAPE_ENCODING is set to "" (no recoding); passing this as the
 * ENCODING open option makes the strings UTF-8 whatever that setting is.
 */
std::optional<std::string> shapefile_encoding(const std::string& path);

/**
 * For a Shapefile (.shp or .dbf) without a .cpg file and without a code page in the .dbf
 * header: the encoding its field names and first records are in, judged from the bytes.
 * "UTF-8" when they are valid UTF-8 with some non-ASCII text, "GBK" when they are not UTF-8
 * but valid GBK (what Chinese Windows software writes); otherwise nothing (plain ASCII, or
 * unrecognised). Without this GDAL reads such files as ISO-8859-1, which garbles Chinese
 * field names so the class and one-way fields are not found.
 */
std::optional<std::string> guess_dbf_encoding(const std::string& path);

/** The ENCODING open option to use for `path`: from the .cpg, else guessed from the .dbf
    bytes; `guessed` is set when it was guessed. Nothing for files that are not Shapefiles. */
std::optional<std::string> dbf_open_encoding(const std::string& path, bool& guessed);

/** Whether `path` names a file we can check for: not a connection string ("PG:...") or /vsi. */
bool is_plain_file_path(const std::string& path);

/** Closes a GDAL dataset (writing what is pending). */
struct DatasetCloser {
    /** Calls GDALClose. */
    void operator()(GDALDataset* dataset) const noexcept;
};
/** A GDAL dataset closed on scope exit. */
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

/** Destroys an OGR coordinate transformation. */
struct TransformDeleter {
    /** Calls OGRCoordinateTransformation::DestroyCT. */
    void operator()(OGRCoordinateTransformation* transform) const noexcept;
};
/** An OGR coordinate transformation destroyed on scope exit. */
using TransformPtr = std::unique_ptr<OGRCoordinateTransformation, TransformDeleter>;

}  // namespace lifecircle::io::detail
