#pragma once
/** The `plan` verb: a whole scenario to styled layers, a QGIS project, a summary and a report. */

#include <string>
#include <vector>

namespace lifecircle::cli {

struct PlanArgs {
    std::string scenario;
    std::string out;
    bool example = false;
    bool force = false;
    bool verbose = false;
    unsigned threads = 0;
    /** Files (relative to `out`) the caller wrote there: listed as kept in the folder's manifest,
        never removed by a rerun (the demo's data). */
    std::vector<std::string> extra_files;
};

/** Runs the scenario into args.out; returns the exit code. */
int run_plan(const PlanArgs& args);

}  // namespace lifecircle::cli
