#pragma once
/**
 * A sharded run of a study, whatever the study: planned into a folder (manifest.json, the
 * network parts, job scripts; one transaction), its shards run one by one (this machine's child
 * processes, Slurm array tasks, or by hand), and merged. `coverage` and `suggest` describe
 * themselves as a ShardedStudy and share every step here; each merges into its own files
 * (studies/coverage_run.hpp, studies/verb_jobs.hpp), from the one merged study
 * (studies/merge.hpp).
 */

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "studies/area.hpp"
#include "studies/callbacks.hpp"
#include "studies/local_shards.hpp"
#include "studies/merge.hpp"
#include "studies/service.hpp"
#include "studies/shard.hpp"

namespace lifecircle::studies {

/** What a sharded run needs of the study it cuts. */
struct ShardedStudy {
    /** "coverage" or "suggest": the manifest keeps it, and `merge` runs that verb's merge. */
    std::string verb;
    AreaSpec spec;
    /** The service study of the existing facilities (a suggestion's: not required). */
    ServiceOptions options;
    /** A suggestion's candidate sites (ShardOptions::sites). */
    std::optional<SiteTableSpec> sites;
    /** An own standards catalogue (an input of the run), or empty. */
    std::string standards_file;
    /** The verb's arguments without the sharding and logging options: every shard must be
        given the same. */
    std::vector<std::string> args;
    /** By public transport: refused (a ride carries residents beyond any halo). */
    bool transit = false;
    /** The main output (a temporary shards folder goes beside it; "-": the temporary folder). */
    std::string out;
    /** Declares and checks the outputs the merge will write, before any work. */
    std::function<void(const Reporter&)> check_outputs;
    /** Merges the shards of the run planned in a folder (absolute) into the study's outputs. */
    std::function<void(const std::string& dir, const Reporter&)> merge;

    /** A study of several service studies (a plan): the points its other studies place and their
        longest reach (ShardOptions), its further input files, and how a shard runs them all into
        the bytes of its result file (else: run_shard on `options` and `sites`). */
    std::function<std::vector<Point>(const io::Network& frame, const Box& lonlat_bounds)> more_points;
    Seconds longest_seconds = 0.0;
    double longest_metres = 0.0;
    std::vector<std::string> extra_inputs;
    std::function<std::string(const ShardPlan& plan, const std::string& parts, std::size_t index,
                              const Reporter& reporter)>
        shard;
};

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
 * refused.
 */
ShardPlan plan_sharded(const ShardedStudy& study, const ShardRunPlan& plan, const Reporter& reporter);

/** Reads a planned run's manifest (`dir`/manifest.json); InputError when there is none. */
ShardPlan read_plan(const std::string& dir);

/** Enters the folder the run was planned from (relative paths in its arguments start there)
    and returns `dir` made absolute. */
std::string enter_plan_folder(const ShardPlan& plan, const std::string& dir, const Reporter& reporter);

/** "3/16" as (3, 16); UsageError otherwise. */
std::pair<std::size_t, std::size_t> parse_shard_number(const std::string& text);

/**
 * Runs shard `index` of `count` of the run planned in `dir` (absolute; the caller has entered
 * its planning folder) and writes its result to `dir`/shards. Refuses a study of another verb or
 * whose arguments differ from the plan's, and inputs changed since the plan.
 */
void run_sharded_shard(const ShardedStudy& study, const std::string& dir, std::size_t index, std::size_t count,
                       const Reporter& reporter);

/** Loads the shards' results of the run planned in `dir` (absolute) and merges them. */
MergedStudy merge_sharded(const ShardedStudy& study, const std::string& dir, const Reporter& reporter);

/** A sharded run on this machine. */
struct LocalShardRun {
    std::size_t shards = 0;
    /** At most this many shards at once (0: one per two cores). */
    std::size_t jobs = 0;
    ShardBy by = ShardBy::tiles;
    /** The run's folder, kept; empty: a temporary folder beside the output, removed unless `keep`. */
    std::string dir;
    bool keep = false;
    /** Threads of each shard (0: the cores shared among the jobs). */
    unsigned threads = 0;
};

/**
 * Plans the run, runs its shards as child processes of this program (each retried once,
 * local_shards.hpp), merges them (study.merge), and removes a temporary folder after it.
 */
void run_sharded_here(const ShardedStudy& study, const LocalShardRun& run, const Reporter& reporter);

/** How a verb was asked to run: whole, one shard of a planned run (`shard` "I/N" with `dir`),
    or every shard here (`shards` > 0: at most `jobs` at once, in `dir` or a temporary folder). */
struct ShardRequest {
    std::size_t shards = 0, jobs = 0;
    std::string by = "tiles", shard, dir;
    bool keep = false;
};

/**
 * Runs a study as asked (UsageError for options that do not go together): whole by `whole`;
 * one shard of a planned run (entering its planning folder) by run_sharded_shard; or every
 * shard here by run_sharded_here. `study` is asked for only when sharded.
 */
void run_as_requested(const ShardRequest& request, unsigned threads, const std::function<ShardedStudy()>& study,
                      const std::function<void()>& whole, const Reporter& reporter);

/** A verb's words without the options of sharding and logging (--shards, --jobs, --shard-by,
    --shard, --shard-dir, --threads, --keep-shards, --quiet, --progress), as a manifest keeps them. */
std::vector<std::string> study_words(const std::vector<std::string>& words);

/** A Slurm run of a study: the jobs' options, and how the shards are cut. */
struct SlurmRun {
    SlurmJobs jobs;
    ShardBy by = ShardBy::tiles;
    bool force = false;
    /** Only the scripts: plan and write nothing. */
    bool dry_run = false;
};

/** Writes the job scripts of `run` (jobs.dir, cwd, lifecircle and args are set from `study` when
    empty) and, unless a dry run, plans the run with them in its folder. */
SlurmScripts plan_slurm(const ShardedStudy& study, SlurmRun& run, const Reporter& reporter);

/** The files a plan of `shards` shards expects others to write into its folder. */
std::vector<std::string> expected_shard_files(std::size_t shards);

}  // namespace lifecircle::studies
