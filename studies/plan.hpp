#pragma once
/**
 * The plan: every service of a scenario studied today and after its what-if road works (the
 * service study of studies/service.hpp on each network), with its suggested sites
 * (studies/suggestion.hpp), as one result from which the GeoPackage, GeoJSON, QGIS project,
 * summary and report are made (studies/plan_outputs.hpp). `lifecircle plan`, Python's
 * `lifecircle.plan` and QGIS's `lifecircle:plan` are this call.
 */

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/layer.hpp"
#include "studies/callbacks.hpp"
#include "studies/scenario.hpp"
#include "studies/service.hpp"
#include "studies/suggestion.hpp"

namespace lifecircle::studies {

/** One evaluation of a service on one network (today's, or after the road works). */
struct VariantResults {
    std::string name;
    ServiceResult result;
    ServiceLayers layers;
};

/** A service of the plan. */
struct ServiceResults {
    std::string id, title;
    StudyStandard standard;
    std::string group;                     ///< the demand group it serves
    std::vector<VariantResults> variants;  ///< [0] today, [1] after the road works
    std::optional<SuggestionResult> suggestion;
    Layer sites;  ///< the suggested sites
};

/** Everything a plan computed. */
struct PlanResult {
    std::string title, work_crs;
    bool osm = false;
    Box bounds_lonlat;  ///< the network's extent (the project's initial view)
    std::vector<std::string> groups;
    Layer roads;              ///< for the report's maps
    std::vector<Layer> edits; ///< added roads, changed/closed areas
    std::vector<std::string> edit_notes;
    std::vector<ServiceResults> services;
};

/** How a plan runs. */
struct PlanOptions {
    unsigned threads = 0;  ///< 0 = all cores
};

/**
 * Runs every service of the scenario. A service whose facilities are absent (an empty file, an
 * OSM kind the area lacks) is evaluated as covering nobody, with a warning, never an abort.
 */
PlanResult run_plan(const Scenario& scenario, const PlanOptions& options, const Reporter& reporter);

/** The standard of a service, resolved against the catalogue and the scenario's defaults. */
StudyStandard service_standard(const Scenario& scenario, const ScenarioService& service);

/** The scenario's road works as network options (WGS 84 edits applied by load_network); edit
    polygons are checked with GEOS (an invalid one is repaired, with a warning naming the edit). */
io::NetworkOptions network_edits(const Scenario& scenario, const Reporter& reporter);

}  // namespace lifecircle::studies
