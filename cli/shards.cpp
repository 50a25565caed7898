// Sharded runs: the sharding options of coverage and suggest, and lifecircle merge DIR and
// lifecircle slurm -- VERB ..., which run either in shards (studies/sharded_run.hpp).
#include "cli/shards.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "cli/common.hpp"
#include "cli/verbs.hpp"

namespace lifecircle::cli {

void add_sharding_options(CLI::App& cmd, ShardArgs& a) {
    studies::ShardRequest& r = a.request;
    const std::string group = cmd.option_defaults()->get_group();
    cmd.option_defaults()->group("Sharding (beyond one machine)");
    cmd.add_option("--shards", r.shards, "Run in N shards (each the same study on its part of the residents with the "
                                         "roads and facilities around them) as processes here, merged exactly")
        ->check(CLI::Range(1, 100000));
    cmd.add_option("--jobs", r.jobs, "With --shards: at most J shards at once (default: one per two cores)")
        ->check(CLI::Range(1, 4096));
    cmd.add_option("--shard-by", r.by, "tiles (rectangles of about as many residents' features) or districts")
        ->check(CLI::IsMember({"tiles", "districts"}))
        ->capture_default_str();
    cmd.add_option("--shard", r.shard, "Run shard I of N of a planned run (I from 0), e.g. a Slurm array task");
    cmd.add_option("--shard-dir", r.dir, "The folder of a sharded run (with --shards: kept after the run)");
    cmd.add_flag("--keep-shards", r.keep, "With --shards: keep the temporary folder of the shards");
    cmd.option_defaults()->group(group);
}

void keep_raw_args(ShardArgs& a, const std::string& verb) {
    const std::vector<std::string>& line = command_line();
    const auto at = std::find(line.begin() + (line.empty() ? 0 : 1), line.end(), verb);
    a.raw.assign(at == line.end() ? line.end() : at + 1, line.end());
}

int run_as_asked(const ShardArgs& a, unsigned threads, const std::function<studies::ShardedStudy()>& sharded,
                 const std::function<int()>& whole) {
    int rc = 0;
    studies::run_as_requested(a.request, threads, sharded, [&] { rc = whole(); }, reporter());
    return rc;
}

namespace {

studies::ShardedStudy sharded_verb(const std::vector<std::string>& words, unsigned threads) {
    const std::string verb = words.empty() ? std::string() : words.front();
    if (verb != "coverage" && verb != "suggest" && verb != "plan")
        throw UsageError("lifecircle slurm runs a coverage, suggest or plan study in shards: lifecircle slurm --shards 16 "
                         "--out DIR -- coverage --network ... --demand ... --facilities ... --out merged.gpkg");
    const auto parse = verb == "coverage" ? sharded_coverage : verb == "suggest" ? sharded_suggest : sharded_plan;
    return parse({words.begin() + 1, words.end()}, threads);
}

struct SlurmArgs {
    studies::SlurmRun run;
    bool submit = false;
    std::vector<std::string> study;
};

int run_slurm(SlurmArgs& s) {
    if (s.submit && s.run.dry_run) throw UsageError("--submit and --dry-run exclude each other");
    for (const char* option : {"--shard", "--shards", "--shard-dir"})
        if (std::find(s.study.begin(), s.study.end(), option) != s.study.end())
            throw UsageError("give the study without --shard, --shards or --shard-dir: lifecircle slurm plans the shards");
    if (s.study.size() == 1 && s.study[0].ends_with(".toml"))  // slurm scenario.toml: the plan into DIR/plan
        s.study = {"plan", s.study[0], "--out", (std::filesystem::path(s.run.jobs.dir) / "plan").string()};
    const studies::ShardedStudy study = sharded_verb(s.study, 0);
    const studies::SlurmScripts scripts = studies::plan_slurm(study, s.run, reporter());
    const std::string& dir = s.run.jobs.dir;
    if (s.run.dry_run)
        std::fprintf(console(), "# %s/shards.sbatch\n%s\n# %s/merge.sbatch\n%s\n# %s/submit.sh\n%s", dir.c_str(),
                     scripts.shards.c_str(), dir.c_str(), scripts.merge.c_str(), dir.c_str(), scripts.submit.c_str());
    else if (!s.submit)
        print_note("slurm: submit with sh " + dir + "/submit.sh");
    if (!s.submit) return 0;
    const studies::SlurmSubmission ids = studies::submit_slurm(dir);
    std::fprintf(console(), "submitted: array job %s (%zu shards), merge job %s after it; outputs: %s\n", ids.array.c_str(),
                 s.run.jobs.shards, ids.merge.c_str(), study.out.c_str());
    return 0;
}

int run_merge(const std::string& dir, unsigned threads) {
    const studies::ShardPlan plan = studies::read_plan(dir);
    std::vector<std::string> words = {plan.verb};
    words.insert(words.end(), plan.args.begin(), plan.args.end());
    const std::string absolute = studies::enter_plan_folder(plan, dir, reporter());
    sharded_verb(words, threads).merge(absolute, reporter());
    return 0;
}

}  // namespace

void add_merge(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("merge", "Merge the shards of a sharded run (lifecircle slurm, or coverage/suggest/plan "
                                            "--shards N --shard-dir DIR) into the outputs its study names, as the whole run");
    auto dir = std::make_shared<std::string>();
    auto threads = std::make_shared<unsigned>(0);
    cmd->add_option("dir", *dir, "The run's folder (holding manifest.json and shards/)")->required();
    cmd->add_option("--threads", *threads, "Worker threads (0 = the study's --threads, or all cores)");
    add_quiet_option(*cmd);
    cmd->callback([&run, dir, threads] { run = [dir, threads] { return run_merge(*dir, *threads); }; });
}

void add_slurm(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("slurm", "Plan a coverage, suggest or plan study in shards on a Slurm cluster: an array "
                                            "job of N shards (each retried once) and a merge job after them; "
                                            "lifecircle slurm --shards 16 --out DIR -- coverage --network ...");
    auto s = std::make_shared<SlurmArgs>();
    studies::SlurmJobs& j = s->run.jobs;
    cmd->add_option("--shards", j.shards, "Number of shards (array tasks)")->required()->check(CLI::Range(1, 100000));
    cmd->add_option("--out", j.dir, "Folder of the run: manifest, network parts, scripts, results, logs")->required();
    cmd->add_option("--shard-by", s->run.by, "tiles or districts (whole --districts together)")
        ->transform(CLI::CheckedTransformer(std::map<std::string, studies::ShardBy>{
            {"tiles", studies::ShardBy::tiles}, {"districts", studies::ShardBy::districts}}));
    cmd->add_option("--partition", j.partition, "Slurm partition");
    cmd->add_option("--time", j.time, "Time limit of each task, as sbatch takes it (e.g. 1:00:00)");
    cmd->add_option("--mem", j.mem, "Memory of each shard task, as sbatch takes it (e.g. 2G)");
    cmd->add_option("--merge-mem", j.merge_mem, "Memory of the merge job (default: --mem)");
    cmd->add_option("--cpus", j.cpus, "CPUs per task")->capture_default_str()->check(CLI::Range(1u, 1024u));
    cmd->add_option("--account", j.account, "Slurm account to charge");
    cmd->add_option("--lifecircle", j.lifecircle, "The lifecircle program the jobs run (default: this one)");
    cmd->add_flag("--submit", s->submit, "Submit the jobs with sbatch");
    cmd->add_flag("--dry-run", s->run.dry_run, "Print the job scripts; plan and write nothing");
    cmd->add_flag("--force", s->run.force, "Write into a folder that holds files lifecircle did not write");
    cmd->add_option("study", s->study, "-- coverage, suggest or plan and its options (the study every shard runs), or a scenario.toml (its plan into DIR/plan)")->required();
    add_quiet_option(*cmd);
    cmd->callback([&run, s] { run = [s] { return run_slurm(*s); }; });
}

}  // namespace lifecircle::cli
