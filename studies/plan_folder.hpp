#pragma once
/**
 * A plan into a folder, as one call: the command line, the demo and the Python module run the
 * same steps (the folder checked and locked before any work, the plan, its outputs) and print the
 * same table.
 */

#include <string>
#include <vector>

#include "studies/console.hpp"
#include "studies/plan.hpp"
#include "studies/plan_outputs.hpp"

namespace lifecircle::studies {

/** Where a plan is written. */
struct PlanFolder {
    std::string dir;  ///< created if missing; empty: the plan is run, nothing is written
    bool force = false;  ///< write into a folder holding files lifecircle did not write
    /** Files (relative to `dir`) the caller wrote there that count as ours (the demo's data). */
    std::vector<std::string> kept;
};

/**
 * Runs the scenario's plan (run_plan) and writes it into `folder` (write_plan). The folder is
 * checked and locked before any work, and the scenario's inputs are never written or removed. A
 * failed plan leaves no folder behind that this call created (one holding a file is kept).
 */
PlanResult plan_into_folder(const Scenario& sc, const PlanFolder& folder, const PlanOptions& options,
                            const PlanWriteOptions& write, const Reporter& reporter);

/** The plan's figures for a console: per service and group, the share covered today and in
    every variant, with the suggested sites, and the share served by seats. */
ConsoleTable plan_table(const PlanResult& r);

/**
 * The demo in `dir`: the folder checked as a plan's is, then the district written into
 * dir/data (write_demo_district). Returns the folder for plan_into_folder, its data kept.
 */
PlanFolder prepare_demo(const std::string& dir, bool force, const Reporter& reporter);

/** The scenario prepare_demo writes (dir/data/scenario.toml). */
std::string demo_scenario_path(const std::string& dir);

}  // namespace lifecircle::studies
