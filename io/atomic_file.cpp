#include "io/atomic_file.hpp"

#include <filesystem>
#include <system_error>

#include <unistd.h>

#include "core/error.hpp"

namespace lifecircle::io {

namespace fs = std::filesystem;

AtomicFile::AtomicFile(std::string path) : m_path(std::move(path)) {
    const fs::path target(m_path);
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::is_directory(folder))
        throw OutputError("cannot write: the folder '" + folder.string() + "' does not exist").set_file(m_path);
    if (fs::is_directory(target)) throw OutputError("cannot write: this is a folder, give a file name").set_file(m_path);
    std::string name(".");  // hidden, so a half-written file is not mistaken for a result
    name += target.filename().string();
    name += ".tmp-";
    name += std::to_string(::getpid());
    m_temp = (folder / name).string();
    m_out.open(m_temp, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!m_out) throw OutputError("cannot write: permission denied or disk full").set_file(m_path);
}

AtomicFile::~AtomicFile() {
    if (!m_committed) {
        m_out.close();
        std::error_code ec;
        fs::remove(m_temp, ec);
    }
}

void AtomicFile::commit() {
    m_out.flush();
    const bool good = static_cast<bool>(m_out);
    m_out.close();
    std::error_code ec;
    if (!good) throw OutputError("cannot write: the disk may be full").set_file(m_path);
    fs::rename(m_temp, m_path, ec);
    if (ec) throw OutputError("cannot move the finished file into place: " + ec.message()).set_file(m_path);
    m_committed = true;
}

}  // namespace lifecircle::io
