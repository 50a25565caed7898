#pragma once
/**
 * A coverage study with the files it writes, as one call: whole, or the merge of a sharded run
 * (studies/sharded_run.hpp plans and runs its shards from sharded_study()). The coverage, merge
 * and slurm verbs, and anything else that runs coverage to files, call these, so a sharded run
 * writes what the whole run writes.
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
#include "studies/sharded_run.hpp"
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

/** Prints a finished run's figures on the console (console_stream()): per group, the seats, per
    district. */
void print_coverage(const CoverageOutcome& done, const CoverageJob& job);

/** Checks a job's inputs and outputs before any work (UsageError, OutputError). */
void check_coverage_job(const CoverageJob& job);

/** Runs the study whole and writes its files. */
CoverageOutcome run_coverage(const CoverageJob& job, const Reporter& reporter);

/** The job as a sharded study (studies/sharded_run.hpp): verb "coverage". */
ShardedStudy sharded_study(const CoverageJob& job);

/** Merges the shards of the run planned in `dir` (absolute) into the job's outputs. */
CoverageOutcome merge_coverage(const CoverageJob& job, const std::string& dir,
                               const Reporter& reporter);

}  // namespace lifecircle::studies
