#pragma once
/** Text outputs that appear whole or not at all. */

#include <fstream>
#include <string>

namespace lifecircle::io {

/**
 * Writes to a temporary file beside `path` and renames it over `path` on commit(). If the
 * object dies uncommitted (an exception), the temporary file is removed and `path` is untouched.
 */
class AtomicFile {
public:
    /** Opens the temporary file; throws OutputError if the folder is missing or not writable. */
    explicit AtomicFile(std::string path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    /** The stream to write to. */
    std::ofstream& stream() { return m_out; }
    /** Flushes, checks for write errors and renames into place. */
    void commit();

private:
    std::string m_path;
    std::string m_temp;
    std::ofstream m_out;
    bool m_committed = false;
};

}  // namespace lifecircle::io
