#pragma once
/**
 * Running the shards of a planned run (studies/coverage_run.hpp): as child processes of this
 * program, or as a Slurm array job with a merge job after it. The job scripts and the retry rule
 * are one: a shard that fails is run once more unless it failed on its options or inputs (exit
 * codes 2 and 3 of the command line, which would fail again), and one that fails twice leaves
 * shards/shard-I-of-N.failed naming its exit code and log, which the merge reports.
 */

#include <cstddef>
#include <string>
#include <vector>

#include "studies/callbacks.hpp"

namespace lifecircle::studies {

/** The shards of a planned run to run here. */
struct LocalShards {
    /** The verb and its arguments (as the manifest stores them). */
    std::vector<std::string> args;
    /** The run's folder (absolute). */
    std::string dir;
    std::size_t shards = 0;
    /** At most this many at once. */
    std::size_t jobs = 1;
    /** --threads of each. */
    unsigned threads = 1;
};

/**
 * Runs every shard as `lifecircle <args> --shard I/N --shard-dir DIR --threads T`, at most `jobs`
 * at once, each writing its messages to DIR/logs/shard-I.log, retried as the file comment says;
 * throws InputError naming every shard that failed for good, its log and its last message.
 * Notes say when each shard is done.
 */
void run_local_shards(const LocalShards& run, const Reporter& reporter);

/** A Slurm run of a planned sharded study. */
struct SlurmJobs {
    std::size_t shards = 0;
    /** The run's folder and the folder the jobs start in (absolute, no shell characters). */
    std::string dir, cwd;
    /** The lifecircle program the jobs run (absolute). */
    std::string lifecircle;
    /** The verb and its arguments, as the manifest stores them. */
    std::vector<std::string> args;
    /** sbatch options: empty ones are left out; `merge_mem` defaults to `mem`. */
    std::string partition, time, mem, merge_mem, account;
    unsigned cpus = 1;
};

/** The job scripts: the shards' array job, the merge job, and submit.sh that submits both. */
struct SlurmScripts {
    std::string shards, merge, submit;
};

/** Writes the scripts of `jobs`; UsageError when a path cannot go into an #SBATCH line. */
SlurmScripts slurm_scripts(const SlurmJobs& jobs);

/** The ids of submitted jobs. */
struct SlurmSubmission {
    std::string array, merge;
};

/**
 * Submits the shards.sbatch and merge.sbatch in `dir` with sbatch (the merge with
 * --dependency=afterok on the array) and notes the ids in `dir`/jobs.txt; UsageError with
 * sbatch's message when it refuses.
 */
SlurmSubmission submit_slurm(const std::string& dir);

/** This program's path (/proc/self/exe), for running itself. */
std::string self_executable();

/** A word for a POSIX shell: as it is when it is plain, else in single quotes. */
std::string shell_quote(const std::string& word);

}  // namespace lifecircle::studies
