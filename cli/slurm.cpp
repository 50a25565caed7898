// lifecircle slurm --shards N --out DIR -- coverage ...: plans a sharded coverage study into DIR
// and writes its Slurm jobs (an array of N shard tasks, a merge that runs after all of them
// succeeded); --submit hands them to sbatch, --dry-run prints them.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/common.hpp"
#include "cli/coverage.hpp"
#include "cli/sharded.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"

namespace lifecircle::cli {

namespace fs = std::filesystem;

namespace {

struct SlurmArgs {
    std::size_t shards = 0;
    std::string out;
    std::string shard_by = "tiles";
    std::string partition, time, mem, merge_mem, account;
    unsigned cpus = 1;
    std::string lifecircle;
    bool submit = false, dry_run = false, force = false;
    std::vector<std::string> study;
};

/** Whether a path can go into an #SBATCH line (which takes no quotes). */
void check_plain_path(const std::string& path, const std::string& what) {
    if (path.find_first_of(" \t\n'\"$`\\;&|<>*?") != std::string::npos)
        throw UsageError(what + " '" + path + "' holds spaces or shell characters, which #SBATCH lines cannot carry; "
                                "choose a path without them");
}

std::string sbatch_options(const SlurmArgs& s, const std::string& mem) {
    std::string out = "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=" + std::to_string(s.cpus) + "\n";
    if (!s.partition.empty()) out += "#SBATCH --partition=" + s.partition + "\n";
    if (!s.time.empty()) out += "#SBATCH --time=" + s.time + "\n";
    if (!mem.empty()) out += "#SBATCH --mem=" + mem + "\n";
    if (!s.account.empty()) out += "#SBATCH --account=" + s.account + "\n";
    return out;
}

struct Scripts {
    std::string shards, merge, submit;
};

Scripts make_scripts(const SlurmArgs& s, const std::vector<std::string>& args, const std::string& dir,
                     const std::string& cwd, const std::string& exe) {
    const std::string n = std::to_string(s.shards);
    std::string command = shell_quote(exe) + " coverage";
    for (const std::string& a : args) command += " " + shell_quote(a);
    Scripts out;
    out.shards = "#!/bin/bash\n"
                 "# Shard $SLURM_ARRAY_TASK_ID of " + n + " of a sharded lifecircle coverage study planned in\n"
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
        throw UsageError("sbatch refused the job (" + command + "): " + (out.empty() ? "no message" : out) +
                         "; the run is planned, fix that and submit it with submit.sh in the run's folder");
    return out;
}

int run_slurm(SlurmArgs& s) {
    if (s.study.empty() || s.study.front() != "coverage")
        throw UsageError("lifecircle slurm runs a coverage study in shards: lifecircle slurm --shards 16 --out DIR -- "
                         "coverage --network ... --demand ... --facilities ... --out merged.gpkg");
    if (s.submit && s.dry_run) throw UsageError("--submit and --dry-run exclude each other");
    const std::vector<std::string> study(s.study.begin() + 1, s.study.end());
    CoverageArgs a;
    parse_coverage_args(study, a);
    if (!a.shard.empty() || a.shards > 0 || !a.shard_dir.empty())
        throw UsageError("give the study without --shard, --shards or --shard-dir: lifecircle slurm plans the shards");
    a.shard_by = s.shard_by;
    std::error_code ec;
    const std::string dir = fs::absolute(s.out, ec).lexically_normal().string();
    const std::string cwd = fs::current_path(ec).string();
    const std::string exe = s.lifecircle.empty() ? self_executable() : fs::absolute(s.lifecircle, ec).string();
    check_plain_path(dir, "--out");
    check_plain_path(cwd, "the current folder");
    const Scripts scripts = make_scripts(s, study_args(study), dir, cwd, exe);
    if (s.dry_run) {
        std::printf("# %s/shards.sbatch\n%s\n# %s/merge.sbatch\n%s\n# %s/submit.sh\n%s", dir.c_str(),
                    scripts.shards.c_str(), dir.c_str(), scripts.merge.c_str(), dir.c_str(), scripts.submit.c_str());
        return 0;
    }
    plan_coverage(a, dir, s.shards, s.force,
                  {{"shards.sbatch", scripts.shards}, {"merge.sbatch", scripts.merge}, {"submit.sh", scripts.submit}},
                  expected_shard_files(s.shards));
    if (!s.submit) {
        print_note("slurm: submit with sh " + dir + "/submit.sh (or sbatch " + dir +
                   "/shards.sbatch, then the merge with --dependency=afterok:<its job id>)");
        return 0;
    }
    std::string array = run_command("sbatch --parsable " + dir + "/shards.sbatch");
    array = array.substr(0, array.find(';'));
    std::string merge = run_command("sbatch --parsable --dependency=afterok:" + array +
                                    " --kill-on-invalid-dep=yes " + dir + "/merge.sbatch");
    merge = merge.substr(0, merge.find(';'));
    std::ofstream(fs::path(dir) / "jobs.txt") << array << " " << merge << "\n";
    std::printf("submitted: array job %s (%zu shards), merge job %s after it; outputs: %s\n", array.c_str(), s.shards,
                merge.c_str(), a.out.c_str());
    return 0;
}

}  // namespace

void add_slurm(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand(
        "slurm", "Plan a coverage study in shards on a Slurm cluster: writes the network's parts, an array job of N "
                 "shards (each retried once) and a merge job that runs after all succeeded; --submit submits them. "
                 "lifecircle slurm --shards 16 --out DIR -- coverage --network ...");
    auto s = std::make_shared<SlurmArgs>();
    cmd->add_option("--shards", s->shards, "Number of shards (array tasks)")->required()->check(CLI::Range(1, 100000));
    cmd->add_option("--out", s->out, "Folder of the run: manifest, network parts, scripts, shard results, logs")
        ->required();
    cmd->add_option("--shard-by", s->shard_by, "tiles (rectangles holding about as many residents' features) or "
                                               "districts (whole --districts together)")
        ->check(CLI::IsMember({"tiles", "districts"}))
        ->capture_default_str();
    cmd->add_option("--partition", s->partition, "Slurm partition");
    cmd->add_option("--time", s->time, "Time limit of each task, as sbatch takes it (e.g. 1:00:00)");
    cmd->add_option("--mem", s->mem, "Memory of each shard task, as sbatch takes it (e.g. 2G)");
    cmd->add_option("--merge-mem", s->merge_mem, "Memory of the merge job (default: --mem)");
    cmd->add_option("--cpus", s->cpus, "CPUs per task (each shard's threads)")->capture_default_str()->check(CLI::Range(1u, 1024u));
    cmd->add_option("--account", s->account, "Slurm account to charge");
    cmd->add_option("--lifecircle", s->lifecircle, "The lifecircle program the jobs run (default: this one)");
    cmd->add_flag("--submit", s->submit, "Submit the jobs with sbatch");
    cmd->add_flag("--dry-run", s->dry_run, "Print the job scripts; plan and write nothing");
    cmd->add_flag("--force", s->force, "Write into a folder that holds files lifecircle did not write");
    cmd->add_option("study", s->study, "-- coverage and its options (the study every shard runs on its part)")
        ->required();
    add_quiet_option(*cmd);
    cmd->callback([&run, s] { run = [s] { return run_slurm(*s); }; });
}

}  // namespace lifecircle::cli
