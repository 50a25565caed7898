#include "studies/local_shards.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.hpp"
#include "studies/shard.hpp"

extern char** environ;

namespace lifecircle::studies {

namespace fs = std::filesystem;

namespace {

/** The command line's exit codes for refused options and inputs: a retry would fail again. */
constexpr int exit_usage = 2;
constexpr int exit_input = 3;

std::string one_decimal(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

/** Whether a path can go into an #SBATCH line (which takes no quotes). */
void check_plain_path(const std::string& path, const std::string& what) {
    if (path.find_first_of(" \t\n'\"$`\\;&|<>*?") != std::string::npos)
        throw UsageError(what + " '" + path +
                         "' holds spaces or shell characters, which #SBATCH lines cannot carry; "
                         "choose a path without them");
}

std::string sbatch_options(const SlurmJobs& s, const std::string& mem) {
    std::string out =
        "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=" + std::to_string(s.cpus) + "\n";
    if (!s.partition.empty()) out += "#SBATCH --partition=" + s.partition + "\n";
    if (!s.time.empty()) out += "#SBATCH --time=" + s.time + "\n";
    if (!mem.empty()) out += "#SBATCH --mem=" + mem + "\n";
    if (!s.account.empty()) out += "#SBATCH --account=" + s.account + "\n";
    return out;
}

SlurmScripts make_scripts(const SlurmJobs& s) {
    const std::string& dir = s.dir;
    const std::string& cwd = s.cwd;
    const std::string& exe = s.lifecircle;
    const std::string n = std::to_string(s.shards);
    std::string command = shell_quote(exe);
    for (const std::string& a : s.args) {
        command += ' ';
        command += shell_quote(a);
    }
    SlurmScripts out;
    // clang-format off: the scripts as they read
    out.shards = "#!/bin/bash\n"
                 "# Shard $SLURM_ARRAY_TASK_ID of " + n + " of a sharded lifecircle " + (s.args.empty() ? std::string("coverage") : s.args.front()) + " study planned in\n"
                 "# " + dir + " (written by lifecircle slurm; submit with submit.sh beside it).\n"
                 "#SBATCH --job-name=lifecircle-shards\n"
                 "#SBATCH --array=0-" + std::to_string(s.shards - 1) + "\n"
                 "#SBATCH --chdir=" + cwd + "\n"
                 "#SBATCH --output=" + dir + "/logs/shard-%a.out\n"
                 "#SBATCH --error=" + dir + "/logs/shard-%a.err\n" +
                 sbatch_options(s, s.mem) +
                 "set -u\n"
                 "i=${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is an array job}\n"
                 "code=1\n"
                 "for attempt in 1 2; do\n"
                 "  " + command + " --shard \"$i/" + n + "\" --shard-dir " + dir +
                 " --threads \"${SLURM_CPUS_PER_TASK:-1}\" --progress && exit 0\n"
                 "  code=$?\n"
                 "  echo \"lifecircle: shard $i of " + n + " failed with exit code $code (attempt $attempt of 2)\" >&2\n"
                 "  # Options and inputs that were refused (exit codes 2 and 3) would be refused again.\n"
                 "  if [ \"$code\" -eq 2 ] || [ \"$code\" -eq 3 ]; then break; fi\n"
                 "done\n"
                 "echo \"shard $i of " + n + " failed (exit code $code); its messages are in " + dir +
                 "/logs/shard-$i.err\" > \"" + dir + "/shards/shard-$i-of-" + n + ".failed\"\n"
                 "exit \"$code\"\n";
    out.merge = "#!/bin/bash\n"
                "# The merge of the " + n + " shards of the sharded lifecircle study planned in\n"
                "# " + dir + ": submitted by submit.sh to run once every shard succeeded.\n"
                "#SBATCH --job-name=lifecircle-merge\n"
                "#SBATCH --chdir=" + cwd + "\n"
                "#SBATCH --output=" + dir + "/logs/merge.out\n"
                "#SBATCH --error=" + dir + "/logs/merge.err\n" +
                sbatch_options(s, s.merge_mem.empty() ? s.mem : s.merge_mem) +
                shell_quote(exe) + " merge " + dir + " --threads \"${SLURM_CPUS_PER_TASK:-1}\" --progress\n";
    out.submit = "#!/bin/sh\n"
                 "# Submits the shards as one array job and the merge to run after all of them succeeded.\n"
                 "set -e\n"
                 "array=$(sbatch --parsable " + dir + "/shards.sbatch)\n"
                 "array=${array%%;*}\n"
                 "merge=$(sbatch --parsable --dependency=afterok:$array --kill-on-invalid-dep=yes " + dir +
                 "/merge.sbatch)\n"
                 "echo \"array job $array (" + n + " shards), merge job ${merge%%;*} after it\"\n"
                 "echo \"$array ${merge%%;*}\" > " + dir + "/jobs.txt\n";
    // clang-format on
    return out;
}

/** Runs a command, returning what it printed; UsageError with its output when it fails. */
std::string run_command(const std::string& command) {
    std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe) throw Error("cannot run " + command);
    std::string out;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, pipe)) out += buf;
    const int status = ::pclose(pipe);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    if (status != 0)
        throw UsageError(
            "sbatch refused the job (" + command + "): " + (out.empty() ? "no message" : out) +
            "; the run is planned, fix that and submit it with submit.sh in the run's folder");
    return out;
}

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
    for (const std::string& w :
         {std::string("--shard"), std::to_string(index) + "/" + std::to_string(run.shards),
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
        throw Error("cannot start " + std::string(argv[0]) + " for shard " + std::to_string(index) +
                    ": " + std::strerror(rc));
    return pid;
}

}  // namespace

SlurmScripts slurm_scripts(const SlurmJobs& jobs) {
    check_plain_path(jobs.dir, "the run's folder");
    check_plain_path(jobs.cwd, "the current folder");
    return make_scripts(jobs);
}

SlurmSubmission submit_slurm(const std::string& dir) {
    SlurmSubmission out;
    out.array = run_command("sbatch --parsable " + dir + "/shards.sbatch");
    out.array = out.array.substr(0, out.array.find(';'));
    out.merge = run_command("sbatch --parsable --dependency=afterok:" + out.array +
                            " --kill-on-invalid-dep=yes " + dir + "/merge.sbatch");
    out.merge = out.merge.substr(0, out.merge.find(';'));
    std::ofstream(fs::path(dir) / "jobs.txt") << out.array << " " << out.merge << "\n";
    return out;
}

std::string self_executable() {
    std::error_code ec;
    const fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("lifecircle") : p.string();
}

std::string shell_quote(const std::string& word) {
    if (!word.empty() &&
        word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                               "_-./:=,+%@") == std::string::npos)
        return word;
    std::string out = "'";
    for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void run_local_shards(const LocalShards& run, const Reporter& reporter) {
    std::error_code ec;
    fs::create_directories(fs::path(run.dir) / "logs", ec);
    fs::create_directories(fs::path(run.dir) / "shards", ec);
    const auto log_of = [&](std::size_t i) {
        return (fs::path(run.dir) / "logs" / ("shard-" + std::to_string(i) + ".log")).string();
    };
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
                std::chrono::duration<double>(std::chrono::steady_clock::now() - child.start)
                    .count();
            const std::string name =
                "shard " + std::to_string(child.index) + " of " + std::to_string(run.shards);
            if (code == 0) {
                ++done;
                reporter.note(name + " done in " + one_decimal(seconds) + " s (" +
                              std::to_string(done) + " of " + std::to_string(run.shards) + ")");
                continue;
            }
            const std::string message = last_message(log_of(child.index));
            if (child.attempt == 1 && code != exit_usage && code != exit_input) {
                reporter.warning(name + " failed (exit code " + std::to_string(code) + ": " +
                                 message + "); running it once more");
                start(child.index, 2);
                continue;
            }
            failed.push_back(child.index);
            why.push_back(name + " failed" + (child.attempt == 2 ? " twice" : "") + " (exit code " +
                          std::to_string(code) + "): " + message + " [log: " + log_of(child.index) +
                          "]");
            std::string bin = shard_file_name(child.index, run.shards);
            std::ofstream note(fs::path(run.dir) / "shards" /
                               (bin.substr(0, bin.size() - 4) + ".failed"));
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
        throw InputError(text + ". Fix what it says and run the failed shards again (lifecircle " +
                         run.args.front() + " ... --shard I/" + std::to_string(run.shards) +
                         " --shard-dir " + run.dir + "), then lifecircle merge " + run.dir);
    }
}

}  // namespace lifecircle::studies
