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
/** The same for some road works, the layers named `<prefix>road_works` and
    `<prefix>road_work_areas`, styled and labelled. */
std::vector<Layer> edits_layers(const std::vector<ScenarioEdit>& edits, const io::Network& net,
                                const std::string& prefix);

/** Roads as a line layer (`class`, `name`, `main` = 1 for motorway to tertiary), styled by
    `main` and labelled with the names. */
Layer roads_layer(const RoadGraph& graph);

/** summary.json: every figure and parameter of the plan. */
nlohmann::ordered_json plan_summary(const PlanResult& result, const Scenario& scenario);

/** What write_plan writes and how. */
struct PlanWriteOptions {
    unsigned threads = 0;  ///< geometries are prepared on this many threads (0 = all cores)
    /** Also report.pdf: report.html printed on A4 by headless Chromium (io/html_pdf.hpp). */
    bool pdf = false;
};

/**
 * Writes lifecircle.gpkg (every layer, styled: the report's palette and class breaks, roads and
 * water beneath, labels on facilities and sites), geojson/<layer>.geojson, lifecircle.qgs (with
 * an OpenStreetMap base map switched off), summary.json, report.html, tables.xlsx (a sheet per
 * service), report.pdf with options.pdf, and the folder's manifest, all in one output
 * transaction; files of an earlier run that this one did not write are removed afterwards
 * (never an input). Progress: "writing the outputs". With options.pdf and no Chromium, a
 * UsageError naming the package before anything is written.
 */
void write_plan(const io::OutputFolder& folder, const PlanResult& result, const Scenario& scenario,
                const PlanWriteOptions& options, const Reporter& reporter);
/** write_plan with `threads` and no PDF. */
void write_plan(const io::OutputFolder& folder, const PlanResult& result, const Scenario& scenario, unsigned threads,
                const Reporter& reporter);

}  // namespace lifecircle::studies
