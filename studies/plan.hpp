#pragma once
/**
 * The plan: every service of a scenario studied today and for every variant the scenario weighs
 * against it (road works, facilities added or closed: the service study of studies/service.hpp
 * on each network and facility set), with its suggested sites (studies/suggestion.hpp), as one
 * result from which the GeoPackage, GeoJSON, QGIS project, summary, tables and report are made
 * (studies/plan_outputs.hpp). `lifecircle plan`, Python's `lifecircle.plan` and QGIS's
 * `lifecircle:plan` are this call.
 */

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/layer.hpp"
#include "studies/merge.hpp"
#include "studies/callbacks.hpp"
#include "studies/scenario.hpp"
#include "studies/service.hpp"
#include "studies/suggestion.hpp"

namespace lifecircle::studies {

/** One evaluation of a service for one variant (today, or an option weighed against it). */
struct VariantResults {
    std::string name;  ///< the variant's title
    std::string id;    ///< the variant's id ("today", "road_works", a [[variants]] id)
    ServiceResult result;
    ServiceLayers layers;
    /** What the variant did to this service's facilities, in words ("+1: 清河新诊所; closed: K2"). */
    std::vector<std::string> notes;
    /** The demand points (work CRS), the input feature each came from and the weights of the
        service's group, for the maps. */
    std::vector<Point> demand_xy;
    std::vector<std::uint32_t> demand_feature;
    std::vector<double> demand_weight;
};

/** A service of the plan. */
struct ServiceResults {
    std::string id, title;
    StudyStandard standard;
    std::string group;        ///< the demand group it serves
    std::string group_label;  ///< its label ([groups], or a default such as "3–6岁儿童 children 3–6")
    /** What its capacity counts, for the report's words: the capacity field and the OSM kind. */
    std::string capacity_field, osm_kind;
    /** One per PlanResult::variants, in that order: [0] today. */
    std::vector<VariantResults> variants;
    std::optional<SuggestionResult> suggestion;
    /** Today with the suggested sites added (id "with_sites"): the suggestion's `after` with its
        layers, shown beside the variants. */
    std::optional<VariantResults> with_sites;
    /** The suggested sites, each named by its nearest road (field `name`, e.g. "西五街旁 on 西五街"). */
    Layer sites;
    /** For the report: "no facility: nobody is covered" when the service has none. */
    std::vector<std::string> notes;
};

/** What one road work does, in words a planner reads. */
struct RoadWork {
    std::string label;
    std::string type;          ///< "add_road", "change" or "close"
    double length_m = 0.0;     ///< add_road: the new road with its connectors
    std::string road_class;    ///< add_road: footway, residential...
    bool bridge = false;
    /** add_road: per end, the roads it joins by name ("滨河南路 / 中心大街"); empty = unnamed. */
    std::vector<std::string> joins;
    std::size_t roads_changed = 0;  ///< change / close: pieces of road between junctions
    double km_changed = 0.0;
    std::vector<std::string> roads;  ///< change / close: the named roads it selects
    std::vector<std::string> notes;  ///< apply_edits' notes (unknown ids, dead ends)
    std::string zh, en;              ///< the whole in Chinese and in English
};

/** One variant: today, or an option weighed against it. */
struct PlanVariant {
    std::string id;  ///< "today", "road_works" (the plain [[edits]]) or a [[variants]] id
    std::string title;
    std::vector<RoadWork> road_works;
    /** Its road works as layers (work CRS): `<id>_road_works` (lines), `<id>_road_work_areas`. */
    std::vector<Layer> edits;
    /** Facilities added or closed, per service, in words. */
    std::vector<std::string> facility_changes;
};

/** Everything a plan computed. */
struct PlanResult {
    std::string title, work_crs;
    bool osm = false;
    Box bounds_lonlat;  ///< the network's extent
    /** Where the residents and the facilities are (WGS 84): the QGIS project's initial view, as
        the report's maps are framed on them. */
    Box view_lonlat;
    std::vector<std::string> groups;
    /** Per group: its label ([groups] of the scenario, else a default for pop_3_6 and the like). */
    std::vector<std::string> group_labels;
    /** "zh" or "en" ([report] language). */
    std::string language = "zh";
    /** The gap map's hexagon width (m). */
    double hex_m = 0.0;
    /** Roads (work CRS) with `class`, `name` and `main` (1 for primary to tertiary and trunk). */
    Layer roads;
    /** Water areas and waterways (work CRS, field `name`), empty when there is none. */
    Layer water, waterways;
    /** [0] today, then the road works of [[edits]] ("road_works") and every [[variants]]. */
    std::vector<PlanVariant> variants;
    std::vector<Layer> edits;              ///< every variant's road-work layers
    std::vector<std::string> edit_notes;   ///< every road work in English words
    std::vector<ServiceResults> services;
};

/** A service study of a plan merged from its shards (studies/plan_shards.hpp). */
struct MergedPlanStudy {
    std::size_t service = 0, variant = 0;
    MergedStudy merged;
};

/** How a plan runs. */
struct PlanOptions {
    unsigned threads = 0;  ///< 0 = all cores
    /** A plan in shards: every service study's merged result, in plan_studies() order. run_plan
        takes them instead of searching for the residents, and reads the whole network once,
        without residents, for what needs the roads (service areas, maps, the sites' names). */
    std::shared_ptr<std::vector<MergedPlanStudy>> merged;
};

/**
 * Runs every service of the scenario for today and every variant, with its suggestion. A
 * service whose facilities are absent (an empty file, an OSM kind the area lacks) is evaluated
 * as covering nobody, with a warning, never an abort. Progress: "plan" counts the evaluations.
 */
PlanResult run_plan(const Scenario& scenario, const PlanOptions& options, const Reporter& reporter);

/** One service study of a plan, as a plan in shards runs it (studies/plan_shards.hpp). */
struct PlanStudy {
    std::size_t service = 0;
    /** 0 today; v + 1 the scenario's variants_with_edits()[v]. */
    std::size_t variant = 0;
    /** Its options (no service areas: the merge draws them). */
    ServiceOptions options;
    /** Today's study of a service with a suggestion: its candidate sites. */
    std::optional<SiteTableSpec> sites;
    /** A variant's facilities (its own, some closed, some added); empty: the service's own. */
    FacilityProvider facilities;
};

/**
 * The service studies of a scenario, in the order run_plan() evaluates them (today for each
 * service, then each variant that adds or closes its facilities). UsageError for a scenario a
 * plan in shards does not run: road works, a service by public transport, services of more than
 * one travel profile, buildings as the demand, auto candidates (check_sharded_suggestion).
 * `scenario` must outlive the studies.
 */
std::vector<PlanStudy> plan_studies(const Scenario& scenario);

/** The standard of a service, resolved against the catalogue and the scenario's defaults. */
StudyStandard service_standard(const Scenario& scenario, const ScenarioService& service);

/** The scenario's road works as network options (WGS 84 edits applied by load_network); edit
    polygons are checked with GEOS (an invalid one is repaired, with a warning naming the edit). */
io::NetworkOptions network_edits(const Scenario& scenario, const Reporter& reporter);
/** The same for one variant's road works. */
io::NetworkOptions network_edits(const Scenario& scenario, const std::vector<ScenarioEdit>& edits,
                                 const Reporter& reporter);

/** The label of a demand group: the scenario's [groups] entry, else a default for the usual
    names (pop_total, residents, pop_0_3, pop_3_6, pop_60plus, pop_65plus), else the name. */
std::string group_label(const Scenario& scenario, const std::string& group);

}  // namespace lifecircle::studies
