#pragma once
/** The verbs of the command line. Each adds its subcommand and sets `run` when chosen. */

#include <functional>

#include <CLI/CLI.hpp>

namespace lifecircle::cli {

using Runner = std::function<int()>;

void add_network_info(CLI::App& app, Runner& run);
void add_matrix(CLI::App& app, Runner& run);
void add_isochrones(CLI::App& app, Runner& run);
void add_facilities(CLI::App& app, Runner& run);
void add_coverage(CLI::App& app, Runner& run);
void add_demand(CLI::App& app, Runner& run);
void add_standards(CLI::App& app, Runner& run);
void add_suggest(CLI::App& app, Runner& run);
void add_plan(CLI::App& app, Runner& run);
void add_demo(CLI::App& app, Runner& run);
void add_merge(CLI::App& app, Runner& run);
void add_slurm(CLI::App& app, Runner& run);

}  // namespace lifecircle::cli
