#pragma once
/** Sharded runs on the command line (studies/sharded_run.hpp): the options of the verbs that run
    in shards, and what `merge` and `slurm` need of each. */

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/error.hpp"
#include "studies/sharded_run.hpp"

namespace lifecircle::cli {

/** The sharding options, and the verb's words as given (for a sharded run's manifest). */
struct ShardArgs {
    studies::ShardRequest request;
    std::vector<std::string> raw;
};
void add_sharding_options(CLI::App& cmd, ShardArgs& a);
/** Keeps the verb's own words of the command line (after `verb`) in a.raw. */
void keep_raw_args(ShardArgs& a, const std::string& verb);

/** Runs a verb as asked (studies::run_as_requested). */
int run_as_asked(const ShardArgs& a, unsigned threads, const std::function<studies::ShardedStudy()>& sharded,
                 const std::function<int()>& whole);

/** Parses a verb's words (as a manifest keeps them) with its options; UsageError naming it. */
template <class Args>
void parse_words(const std::string& verb, const std::vector<std::string>& words, Args& a,
                 void (*add_options)(CLI::App&, Args&)) {
    CLI::App app{"lifecircle " + verb, verb};
    add_options(app, a);
    try {
        app.parse(std::vector<std::string>(words.rbegin(), words.rend()));
    } catch (const CLI::ParseError& e) {
        throw UsageError("the " + verb + " options of the sharded run: " + std::string(e.what()));
    }
    a.sharding.raw = words;
}

/** coverage's, suggest's and plan's words parsed (parse_words), as sharded studies whose merge
    prints the verb's tables; `threads` > 0 replaces their --threads. */
studies::ShardedStudy sharded_coverage(const std::vector<std::string>& words, unsigned threads);
studies::ShardedStudy sharded_suggest(const std::vector<std::string>& words, unsigned threads);
studies::ShardedStudy sharded_plan(const std::vector<std::string>& words, unsigned threads);

}  // namespace lifecircle::cli
