#pragma once
/**
 * A coverage study with the files it writes, as one call: whole, in shards on this machine, one
 * shard of a planned run, or the merge of a planned run's shards (studies/shard.hpp). The
 * coverage, merge and slurm verbs, and anything else that runs coverage to files, call these, so
 * a sharded run writes what the whole run writes.
 */

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "studies/area.hpp"
#include "studies/callbacks.hpp"
#include "studies/service.hpp"
#include "studies/shard.hpp"
#include "studies/transit.hpp"

namespace lifecircle::studies {

/** A coverage study and the files it writes. */
struct CoverageJob {
    AreaSpec spec;
    /** The standard resolved, the facilities, the measure; `hex_m` 0 without `gaps`. */
    ServiceOptions options;
    /** By public transport (--mode transit): the feeds, read once the network is loaded. */
    std::optional<TransitSpec> transit;
    /** An own standards catalogue (an input of the run), or empty. */
    std::string standards_file;
    /** Outputs: the demand layer (required), the summary JSON, layers of districts, gaps and
        facilities (into `out` when it is a .gpkg and they are not named). */
    std::string out, summary, districts_out, gaps, facilities_out;
    /** Add the layers to existing .gpkg files. */
    bool update = false;
    /** The study's arguments (without sharding and logging options): a sharded run's manifest
        keeps them, and every shard must be given the same. */
    std::vector<std::string> args;
};

/** A finished coverage run, for the caller's tables. */
struct CoverageOutcome {
    std::unique_ptr<StudyArea> area;
    /** The options as run (the standard with its timetable, by public transport). */
    ServiceOptions options;
    ServiceResult result;
    /** Demand features written. */
    std::size_t features = 0;
};

/** Checks a job's inputs and outputs before any work (UsageError, OutputError). */
void check_coverage_job(const CoverageJob& job);

/** Runs the study whole and writes its files. */
CoverageOutcome run_coverage(const CoverageJob& job, const Reporter& reporter);

/** A sharded run to plan into a folder. */
struct ShardRunPlan {
    std::string dir;
    std::size_t shards = 0;
    ShardBy by = ShardBy::tiles;
    /** Write into a folder holding files lifecircle did not write. */
    bool force = false;
    /** Files written beside the plan (name, text), e.g. job scripts. */
    std::vector<std::pair<std::string, std::string>> extra;
};

/**
 * Plans a sharded run into `plan.dir` (manifest.json, network.parts and the extra files, one
 * transaction), after checking the outputs the merge will write. A study by public transport is
 * refused: a ride carries residents beyond any halo a shard could read.
 */
ShardPlan plan_coverage(const CoverageJob& job, const ShardRunPlan& plan, const Reporter& reporter);

/** Reads a planned run's manifest (`dir`/manifest.json); InputError when there is none. */
ShardPlan read_plan(const std::string& dir);

/** Enters the folder the run was planned from (relative paths in its arguments start there)
    and returns `dir` made absolute. */
std::string enter_plan_folder(const ShardPlan& plan, const std::string& dir,
                              const Reporter& reporter);

/** "3/16" as (3, 16); UsageError otherwise. */
std::pair<std::size_t, std::size_t> parse_shard_number(const std::string& text);

/**
 * Runs shard `index` of `count` of the run planned in `dir` (absolute; the caller has entered
 * its planning folder) and writes its result to `dir`/shards. Refuses a job whose arguments
 * differ from the plan's, and inputs changed since the plan.
 */
void run_coverage_shard(const CoverageJob& job, const std::string& dir, std::size_t index,
                        std::size_t count, const Reporter& reporter);

/** Merges the shards of the run planned in `dir` (absolute) into the job's outputs. */
CoverageOutcome merge_coverage(const CoverageJob& job, const std::string& dir,
                               const Reporter& reporter);

/** A sharded run on this machine. */
struct LocalShardRun {
    std::size_t shards = 0;
    /** At most this many shards at once (0: one per two cores). */
    std::size_t jobs = 0;
    ShardBy by = ShardBy::tiles;
    /** The run's folder, kept; empty: a temporary folder beside `out`, removed unless `keep`. */
    std::string dir;
    bool keep = false;
    /** Threads of each shard (0: the cores shared among the jobs). */
    unsigned threads = 0;
};

/** Plans the run, runs its shards as child processes of this program (each retried once,
    local_shards.hpp), and merges them into the job's outputs. */
CoverageOutcome run_coverage_in_shards(const CoverageJob& job, const LocalShardRun& run,
                                       const Reporter& reporter);

/** The files a plan of `shards` shards expects others to write into its folder. */
std::vector<std::string> expected_shard_files(std::size_t shards);

}  // namespace lifecircle::studies
