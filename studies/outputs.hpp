#pragma once
/**
 * A verb's output files, the same way for every front end: the inputs checked and the outputs
 * declared against them before any work, then the layers written into the planned files.
 */

#include <string>
#include <utility>
#include <vector>

#include "core/layer.hpp"
#include "io/output.hpp"
#include "studies/callbacks.hpp"

namespace lifecircle::studies {

/**
 * Checks the inputs (the option or keyword naming each, its path; empty paths are skipped, a
 * folder is an InputError) and declares the outputs against them (io::OutputPlan: an output
 * that is an input is refused). Notes go to `reporter`. Call it before any computation.
 */
io::OutputPlan plan_outputs(std::vector<io::OutputRequest> outputs,
                            const std::vector<std::pair<std::string, std::string>>& inputs,
                            const Reporter& reporter);

/**
 * Writes layers into the planned files (per_file[f] into file f of `plan`), `crs` being the
 * layers' CRS; the writer's notes go to `reporter`. Commit the plan afterwards.
 */
void write_layer_files(io::OutputPlan& plan, std::vector<std::vector<Layer>> per_file,
                       const std::string& crs, bool update, unsigned threads,
                       const Reporter& reporter);

}  // namespace lifecircle::studies
