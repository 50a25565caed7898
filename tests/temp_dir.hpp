#pragma once
/** A scratch folder for tests that read or write files. */

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <unistd.h>

namespace lifecircle::test {

/**
 * A fresh, empty folder under the system temp folder, removed with everything in it when the
 * object goes out of scope. Not copyable: exactly one owner removes the folder.
 */
class TempDir {
public:
    /** Creates `<temp>/<prefix>_<pid>_<n>`, with `n` unique within this process. */
    explicit TempDir(std::string_view prefix) {
        static std::atomic<int> counter{0};
        m_path = std::filesystem::temp_directory_path() /
                 (std::string(prefix) + "_" + std::to_string(::getpid()) + "_" +
                  std::to_string(counter++));
        std::filesystem::remove_all(m_path);
        std::filesystem::create_directories(m_path);
    }

    /** Removes the folder and everything in it; errors are ignored. */
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }

    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    /** The folder itself. */
    const std::filesystem::path& path() const { return m_path; }

    /** The path of a file called `name` in the folder; the file need not exist. */
    std::string file(const std::string& name) const { return (m_path / name).string(); }

    /** Writes `text` byte for byte to the file `name` in the folder and returns its path. */
    std::string write(const std::string& name, const std::string& text) const {
        const std::string p = file(name);
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }

    /** The names of the folder's direct entries, sorted. */
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& entry : std::filesystem::directory_iterator(m_path)) {
            names.push_back(entry.path().filename().string());
        }
        std::sort(names.begin(), names.end());
        return names;
    }

private:
    std::filesystem::path m_path;
};

}  // namespace lifecircle::test
