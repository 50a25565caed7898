#pragma once
/** What `plan` computed, and how it is written into its folder. */

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/layer.hpp"
#include "io/network.hpp"
#include "io/output_folder.hpp"
#include "io/scenario.hpp"
#include "maps/coverage_layers.hpp"
#include "planners/coverage.hpp"
#include "planners/suggest.hpp"

namespace lifecircle::cli {

/** One evaluation of a service on one network (today's, or after the road works). */
struct VariantResults {
    std::string name;
    std::vector<planners::Figures> overall;  ///< per demand group
    std::vector<maps::DistrictFigures> districts;
    double capacity = std::numeric_limits<double>::quiet_NaN();
    double served = std::numeric_limits<double>::quiet_NaN();
    double covered_unserved = std::numeric_limits<double>::quiet_NaN();
    /** With capacities: the service group's weight with a seat, per district (districts order). */
    std::vector<double> district_served;
    Layer areas, demand, districts_layer, gaps, facilities;
};

struct ServiceResults {
    std::string id, title, standard, standard_title, standard_source, mode, group;
    double walk_speed_kmh = 4.0, minutes = 15.0, meters = 0.0;
    std::vector<VariantResults> variants;  ///< [0] today, [1] after the road works
    std::optional<planners::Suggestion> suggestion;
    std::size_t candidates = 0;
    std::vector<std::string> selected_ids;
    Layer sites;
    std::vector<planners::Figures> with_sites;  ///< per group, with the suggested sites added
    std::vector<maps::DistrictFigures> with_sites_districts;
    double with_sites_served = std::numeric_limits<double>::quiet_NaN();
};

struct PlanResults {
    std::string title, work_crs;
    bool osm = false;
    Box bounds_lonlat;           ///< the network's extent (the project's initial view)
    std::vector<std::string> groups;
    Layer roads;                 ///< for the report's maps only
    std::vector<Layer> edits;    ///< added roads, changed/closed areas
    std::vector<std::string> edit_notes;
    std::vector<ServiceResults> services;
};

/** The output folder and its manifest (io/output_folder.hpp). */
using PlanFolder = io::OutputFolder;

/** The scenario's road works as network options (WGS 84 edits applied by load_network). */
io::NetworkOptions network_edits(const io::Scenario& scenario);

/** The road works as layers (added roads as lines, changed or closed areas as polygons). */
std::vector<Layer> edits_layers(const io::Scenario& scenario, const io::Network& net);

/** Roads as a line layer for the report's maps. */
Layer roads_layer(const RoadGraph& graph);

/**
 * Writes lifecircle.gpkg (every layer, styled), geojson/<layer>.geojson, lifecircle.qgs,
 * summary.json, report.html and the folder's manifest, all or none (one transaction); then
 * the files of an earlier run that this one did not write are removed (never an input: the
 * folder was made with every input of the scenario, io::scenario_inputs). Geometries are
 * prepared on `threads` threads (0 = all cores).
 */
void write_plan(const PlanFolder& folder, const PlanResults& results, const io::Scenario& scenario, unsigned threads);

/** The figures as a readable table on stdout. */
void print_plan_summary(const PlanResults& results);

}  // namespace lifecircle::cli
