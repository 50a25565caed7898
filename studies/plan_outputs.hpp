#pragma once
/** How a plan's result is written into its folder: layers, GeoJSON, QGIS project, summary, report. */

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/layer.hpp"
#include "io/network.hpp"
#include "io/output_folder.hpp"
#include "studies/plan.hpp"
#include "studies/scenario.hpp"

namespace lifecircle::studies {

/** The road works as layers (added roads as lines, changed or closed areas as polygons). */
std::vector<Layer> edits_layers(const Scenario& scenario, const io::Network& net);

/** Roads as a line layer for the report's maps. */
Layer roads_layer(const RoadGraph& graph);

/** summary.json: every figure and parameter of the plan. */
nlohmann::ordered_json plan_summary(const PlanResult& result, const Scenario& scenario);

/**
 * Writes lifecircle.gpkg (every layer, styled), geojson/<layer>.geojson, lifecircle.qgs,
 * summary.json, report.html and the folder's manifest, all in one output transaction; files of
 * an earlier run that this one did not write are removed afterwards (never an input). Geometries are prepared on `threads`
 * threads (0 = all cores).
 */
void write_plan(const io::OutputFolder& folder, const PlanResult& result, const Scenario& scenario, unsigned threads,
                const Reporter& reporter);

}  // namespace lifecircle::studies
