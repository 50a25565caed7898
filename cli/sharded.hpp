#pragma once
/** Running the shards of a planned run as child processes of this one (--shards N --jobs J). */

#include <cstddef>
#include <string>
#include <vector>

namespace lifecircle::cli {

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
 * at once, each writing its messages to DIR/logs/shard-I.log. A shard that fails is run once more
 * (unless it failed on its options or inputs, exit codes 2 and 3: those fail again); one that
 * fails twice leaves DIR/shards/shard-I-of-N.failed and the run throws InputError naming it, its
 * log and its last message. Notes say when each shard is done.
 */
void run_local_shards(const LocalShards& run);

/** This program's path (/proc/self/exe), for running itself. */
std::string self_executable();

/** A word for a POSIX shell: as it is when it is plain, else in single quotes. */
std::string shell_quote(const std::string& word);

}  // namespace lifecircle::cli
