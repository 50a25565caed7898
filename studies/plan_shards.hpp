#pragma once
/**
 * A scenario's plan in shards (`lifecircle plan scenario.toml --shards N`, `plan --shard I/N`,
 * `lifecircle slurm -- plan scenario.toml ...`). What a plan computes for each resident — every
 * service today, with its candidate sites, and in every variant that adds or closes its
 * facilities — is a service study (studies/shard.hpp), so each shard runs those studies on its
 * residents with the roads around them, and the merge (studies/merge.hpp) gives each study's whole
 * result. The merge then runs run_plan() with those results in place of its searches: on the
 * whole network, read once without residents, it draws what needs the roads (the service areas,
 * the maps' roads and water, the sites' names) exactly as the whole run does, and writes the same
 * files.
 *
 * A scenario runs in shards when its services share one travel profile (mode, speed, slope) and
 * it has no road works (they change the network a shard reads), no service by public transport
 * and no auto candidates; its demand is a layer, not buildings. Anything else is a UsageError
 * saying what to do (plan_studies). A suggestion is chosen on the merged tables
 * (run_suggestion_on_shards); the minutes with the chosen sites come from one search from them on
 * the whole network the merge holds.
 */

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "studies/merge.hpp"
#include "studies/plan.hpp"
#include "studies/scenario.hpp"
#include "studies/service.hpp"
#include "studies/shard.hpp"
#include "studies/sharded_run.hpp"

namespace lifecircle::studies {

/** What a plan in shards writes and how: the folder, the caller's kept files, the threads. */
struct PlanShardJob {
    std::string scenario_path;
    std::string out;
    bool force = false;
    unsigned threads = 0;
    /** The verb's arguments without the sharding and logging options (the manifest keeps them). */
    std::vector<std::string> args;
    /** Also report.pdf (PlanWriteOptions::pdf). */
    bool pdf = false;
};

/**
 * The plan as a sharded study (verb "plan"): each shard runs every study of plan_studies() and
 * writes their results in one file; the merge merges each study and runs the plan on the merged
 * results into job.out (plan_into_folder), then calls `done` with the result.
 */
ShardedStudy sharded_study(const PlanShardJob& job, std::function<void(const PlanResult&)> done = {});

}  // namespace lifecircle::studies
