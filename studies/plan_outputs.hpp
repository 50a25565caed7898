#pragma once
/** How a plan's result is written into its folder: layers, GeoJSON, QGIS project, summary, report. */

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/layer.hpp"
#include "io/network.hpp"
#include "studies/plan.hpp"
#include "studies/scenario.hpp"

namespace lifecircle::studies {

/**
 * The output folder: created if missing; refused (OutputError) when it holds files lifecircle
 * did not write there (its manifest `.lifecircle-plan` lists ours), unless `force`.
 */
class PlanFolder {
public:
    /** `extra`: files (relative) the caller writes there that count as ours. */
    PlanFolder(std::string dir, bool force, std::vector<std::string> extra = {});
    const std::string& dir() const { return m_dir; }
    /** Files of an earlier run (relative paths). */
    const std::set<std::string>& ours() const { return m_ours; }
    const std::vector<std::string>& extra() const { return m_extra; }

private:
    std::string m_dir;
    std::set<std::string> m_ours;
    std::vector<std::string> m_extra;
};

/** The road works as layers (added roads as lines, changed or closed areas as polygons). */
std::vector<Layer> edits_layers(const Scenario& scenario, const io::Network& net);

/** Roads as a line layer for the report's maps. */
Layer roads_layer(const RoadGraph& graph);

/** summary.json: every figure and parameter of the plan. */
nlohmann::ordered_json plan_summary(const PlanResult& result, const Scenario& scenario);

/**
 * Writes lifecircle.gpkg (every layer, styled), geojson/<layer>.geojson, lifecircle.qgs,
 * summary.json and report.html into the folder, all or none, then the manifest; files of an
 * earlier run that this one did not write are removed. Geometries are prepared on `threads`
 * threads (0 = all cores).
 */
void write_plan(const PlanFolder& folder, const PlanResult& result, const Scenario& scenario, unsigned threads);

}  // namespace lifecircle::studies
