#pragma once
/** Helpers for the output transaction tests: snapshots of folders, fault injection, children. */

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "io/output_fault.hpp"
#include "io/output_files.hpp"

namespace lifecircle::test {

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

/** Every regular file under `dir` (relative name -> contents); folders as "name/". */
inline std::map<std::string, std::string> snapshot(const std::filesystem::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        const std::string rel = entry.path().lexically_relative(dir).generic_string();
        if (entry.is_symlink())
            out[rel] = "-> " + std::filesystem::read_symlink(entry.path()).string();
        else if (entry.is_directory())
            out[rel + "/"] = "";
        else if (entry.is_regular_file())
            out[rel] = read_file(entry.path().string());
        else
            out[rel] = "(special)";
    }
    return out;
}

/** The transaction files (".lc-<pid>-<n>.*") anywhere under `dir`. */
inline std::vector<std::string> debris(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
        if (io::detail::parse_our_name(entry.path().filename().string()))
            out.push_back(entry.path().lexically_relative(dir).generic_string());
    return out;
}

/** Sets an environment variable (and re-reads LIFECIRCLE_FAULT) for one scope. */
class ScopedEnv {
public:
    ScopedEnv(std::string name, const std::string& value) : m_name(std::move(name)) {
        const char* old = std::getenv(m_name.c_str());
        m_had = old != nullptr;
        if (m_had) m_old = old;
        ::setenv(m_name.c_str(), value.c_str(), 1);
        io::fault::reset();
    }
    ~ScopedEnv() {
        if (m_had)
            ::setenv(m_name.c_str(), m_old.c_str(), 1);
        else
            ::unsetenv(m_name.c_str());
        io::fault::reset();
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string m_name, m_old;
    bool m_had = false;
};

/** The pid of a process that has ended (a child that exited at once, reaped). */
inline long dead_pid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

/**
 * Runs `body` in a child process with the default disposition of SIGINT and SIGTERM (the test
 * framework's handlers are not inherited) and returns its wait status. The child exits 0, or 1
 * when `body` throws.
 */
inline int in_child(const std::function<void()>& body) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        std::signal(SIGHUP, SIG_DFL);
        try {
            body();
        } catch (...) {
            ::_exit(1);
        }
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
}

}  // namespace lifecircle::test
