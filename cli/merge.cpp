// lifecircle merge DIR: the results of a sharded run's shards into the outputs its study names
// (studies/merge.hpp), as the whole run would have written them.
#include <filesystem>

#include "cli/common.hpp"
#include "cli/coverage.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"

namespace lifecircle::cli {

namespace {

struct MergeArgs {
    std::string dir;
    unsigned threads = 0;
};

int run_merge(const MergeArgs& m) {
    const studies::ShardPlan plan = read_plan(m.dir);
    if (plan.verb != "coverage")
        throw UsageError("the run in " + m.dir + " is a sharded '" + plan.verb + "' study, which this lifecircle cannot "
                         "merge");
    CoverageArgs a;
    parse_coverage_args(plan.args, a);
    if (m.threads > 0) a.network.threads = m.threads;
    return merge_coverage(a, m.dir);
}

}  // namespace

void add_merge(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand(
        "merge", "Merge the shards of a sharded run (lifecircle slurm, or coverage --shards N --shard-dir DIR) into the "
                 "outputs its study names: per resident as read, figures recomputed over all residents, the seats "
                 "by one exact assignment; refuses missing shards and shards of another plan");
    auto m = std::make_shared<MergeArgs>();
    cmd->add_option("dir", m->dir, "The run's folder (holding manifest.json and shards/)")->required();
    cmd->add_option("--threads", m->threads, "Worker threads (0 = the study's --threads, or all cores)");
    add_quiet_option(*cmd);
    cmd->callback([&run, m] { run = [m] { return run_merge(*m); }; });
}

}  // namespace lifecircle::cli
