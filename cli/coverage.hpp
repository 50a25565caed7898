#pragma once
/**
 * The coverage verb's options, shared with the verbs that run it in shards: `lifecircle slurm`
 * (plans a sharded coverage study and writes its Slurm jobs) and `lifecircle merge` (merges the
 * shards' results into the outputs the coverage options name).
 */

#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/common.hpp"
#include "studies/shard.hpp"

namespace lifecircle::cli {

/** Everything `lifecircle coverage` takes. */
struct CoverageArgs {
    NetworkArgs network;
    StandardArgs standard;
    studies::FacilitySpec facilities;
    studies::DemandSpec demand;
    std::string weight_fields;
    studies::PolygonSpec districts;
    std::string access = "e2sfca";
    std::string decay = "steps";
    std::string out, summary, districts_out, gaps, facilities_out;
    double hex_m = 250.0;
    bool update = false;
    // Sharding (not part of the study: left out of a sharded run's stored arguments).
    std::size_t shards = 0;    ///< --shards N: run in N shards on this machine
    std::size_t jobs = 0;      ///< --jobs J: at most J shards at once (default: one per 2 cores)
    std::string shard_by = "tiles";
    std::string shard;         ///< --shard I/N: run one shard of a planned run
    std::string shard_dir;     ///< --shard-dir DIR: the planned run's folder
    bool keep_shards = false;  ///< --keep-shards: keep the local run's folder
    /** The arguments as given (after the verb), for a sharded run's manifest. */
    std::vector<std::string> raw_args;
};

/** Adds the coverage options (the sharding options too) to a command. */
void add_coverage_options(CLI::App& cmd, CoverageArgs& a);

/** Parses a coverage verb's arguments (without the verb), as a sharded run's manifest stores
    them; UsageError naming the problem. */
void parse_coverage_args(const std::vector<std::string>& args, CoverageArgs& a);

/** The arguments of a verb without the options of sharding and logging (--shards, --jobs,
    --shard-by, --shard, --shard-dir, --keep-shards, --threads, --quiet, --progress). */
std::vector<std::string> study_args(const std::vector<std::string>& args);

/**
 * Plans a sharded coverage study into `dir` (an output folder: manifest.json, network.parts and
 * the `extra` files given as name and text, one transaction) for `shards` shards. `expected`
 * names (relative) files others will write there (results, logs), so a later run over the folder
 * knows them as ours.
 */
studies::ShardPlan plan_coverage(CoverageArgs& a, const std::string& dir, std::size_t shards, bool force,
                                 const std::vector<std::pair<std::string, std::string>>& extra,
                                 const std::vector<std::string>& expected);

/** Merges a planned run's shard results (in `dir`/shards) into the outputs of `a`. */
int merge_coverage(CoverageArgs& a, const std::string& dir);

/** The files a plan of `shards` shards expects others to write into its folder. */
std::vector<std::string> expected_shard_files(std::size_t shards);

/** Reads a planned run's manifest (`dir`/manifest.json). */
studies::ShardPlan read_plan(const std::string& dir);

}  // namespace lifecircle::cli
