#include "cli/sharded.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/common.hpp"
#include "cli/format.hpp"
#include "core/error.hpp"
#include "studies/shard.hpp"

extern char** environ;

namespace lifecircle::cli {

namespace fs = std::filesystem;

namespace {

/** The last line of a log that says something (an error, if there is one). */
std::string last_message(const std::string& log) {
    std::ifstream in(log);
    std::string line, last, error;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        last = line;
        if (line.find("error") != std::string::npos) error = line;
    }
    return error.empty() ? last : error;
}

struct Child {
    std::size_t index = 0;
    int attempt = 1;
    std::chrono::steady_clock::time_point start;
};

pid_t spawn(const LocalShards& run, std::size_t index, int attempt, const std::string& log) {
    std::vector<std::string> words = {self_executable()};
    words.insert(words.end(), run.args.begin(), run.args.end());
    for (const std::string& w : {std::string("--shard"), std::to_string(index) + "/" + std::to_string(run.shards),
                                 std::string("--shard-dir"), run.dir, std::string("--threads"),
                                 std::to_string(run.threads), std::string("--progress")})
        words.push_back(w);
    std::vector<char*> argv;
    for (std::string& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const int flags = O_WRONLY | O_CREAT | (attempt == 1 ? O_TRUNC : O_APPEND);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), flags, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        throw Error("cannot start " + std::string(argv[0]) + " for shard " + std::to_string(index) + ": " +
                    std::strerror(rc));
    return pid;
}

}  // namespace

std::string self_executable() {
    std::error_code ec;
    const fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("lifecircle") : p.string();
}

std::string shell_quote(const std::string& word) {
    if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                                "_-./:=,+%@") == std::string::npos)
        return word;
    std::string out = "'";
    for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void run_local_shards(const LocalShards& run) {
    std::error_code ec;
    fs::create_directories(fs::path(run.dir) / "logs", ec);
    fs::create_directories(fs::path(run.dir) / "shards", ec);
    const auto log_of = [&](std::size_t i) { return (fs::path(run.dir) / "logs" / ("shard-" + std::to_string(i) + ".log")).string(); };
    std::map<pid_t, Child> running;
    std::vector<std::size_t> failed;
    std::vector<std::string> why;
    std::size_t next = 0, done = 0;
    const auto start = [&](std::size_t i, int attempt) {
        const pid_t pid = spawn(run, i, attempt, log_of(i));
        running[pid] = {i, attempt, std::chrono::steady_clock::now()};
    };
    try {
        while (done + failed.size() < run.shards) {
            while (running.size() < run.jobs && next < run.shards) start(next++, 1);
            int status = 0;
            const pid_t pid = ::waitpid(-1, &status, 0);
            if (pid < 0) {
                if (errno == EINTR) continue;
                throw Error(std::string("waiting for the shards: ") + std::strerror(errno));
            }
            const auto it = running.find(pid);
            if (it == running.end()) continue;
            const Child child = it->second;
            running.erase(it);
            const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - child.start).count();
            const std::string name = "shard " + std::to_string(child.index) + " of " + std::to_string(run.shards);
            if (code == 0) {
                ++done;
                print_note(name + " done in " + fixed(seconds, 1) + " s (" + std::to_string(done) + " of " +
                           std::to_string(run.shards) + ")");
                continue;
            }
            const std::string message = last_message(log_of(child.index));
            if (child.attempt == 1 && code != exit_usage && code != exit_input) {
                print_warning(name + " failed (exit code " + std::to_string(code) + ": " + message +
                              "); running it once more");
                start(child.index, 2);
                continue;
            }
            failed.push_back(child.index);
            why.push_back(name + " failed" + (child.attempt == 2 ? " twice" : "") + " (exit code " +
                          std::to_string(code) + "): " + message + " [log: " + log_of(child.index) + "]");
            std::string bin = studies::shard_file_name(child.index, run.shards);
            std::ofstream note(fs::path(run.dir) / "shards" / (bin.substr(0, bin.size() - 4) + ".failed"));
            note << why.back() << "\n";
        }
    } catch (...) {
        for (const auto& [pid, child] : running) ::kill(pid, SIGTERM);
        for (const auto& [pid, child] : running) ::waitpid(pid, nullptr, 0);
        throw;
    }
    if (!failed.empty()) {
        std::string text;
        for (const std::string& w : why) text += (text.empty() ? "" : "; ") + w;
        throw InputError(text + ". Fix what it says and run the failed shards again (lifecircle " + run.args.front() +
                         " ... --shard I/" + std::to_string(run.shards) + " --shard-dir " + run.dir +
                         "), then lifecircle merge " + run.dir);
    }
}

}  // namespace lifecircle::cli
