#pragma once
/**
 * The service study: for one kind of facility and one standard, who is covered (per group and
 * district), whether the seats are enough (an exact assignment within the standard), how
 * accessible the supply is (E2SFCA / BFCA / spatial availability), where the gaps are, and the
 * service areas. `lifecircle coverage`, every service of a plan, the before/after of a
 * suggestion, Python's `Network.coverage` and QGIS's `lifecircle:coverage` are all this call.
 */

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/layer.hpp"
#include "maps/coverage_layers.hpp"
#include "maps/isochrones.hpp"
#include "planners/accessibility.hpp"
#include "planners/assignment.hpp"
#include "planners/coverage.hpp"
#include "planners/gaps.hpp"
#include "studies/area.hpp"
#include "studies/callbacks.hpp"
#include "studies/inputs.hpp"
#include "studies/standard.hpp"

namespace lifecircle::studies {

/** Accessibility measures of a capacity run. */
enum class AccessMeasure { e2sfca, bfca, availability };
/** "e2sfca", "bfca" or "availability". */
std::string_view access_name(AccessMeasure measure);
/** Parses a measure name; UsageError naming `option` otherwise. */
AccessMeasure parse_access(const std::string& text, const std::string& option);

/** Service areas drawn with a service study. */
struct AreaDrawing {
    /** Breaks in minutes; empty = the standard's minutes. */
    std::vector<double> minutes;
    maps::AreaMethod method = maps::AreaMethod::raster;
    maps::IsochroneShape shape = maps::IsochroneShape::dissolve;
    double buffer_m = 50.0;
};

/** What a service study computes. */
struct ServiceOptions {
    StudyStandard standard;
    FacilitySpec facilities;
    /** The demand group the service is for (seats, access and the gap map's colours); empty =
        the first group. */
    std::string group;
    /** With a capacity field: the accessibility measure and its decay. */
    AccessMeasure access = AccessMeasure::e2sfca;
    planners::Decay decay = planners::Decay::steps;
    /** The gap map's hexagon width (m); 0 = no gap map. */
    double hex_m = 0.0;
    /** Service areas; none when empty. */
    std::optional<AreaDrawing> areas;
    /** Messages name the service so: "--facilities", "service 'clinics'". */
    std::string label = "coverage";
};

/** Seats of a capacity run (for the service's group). */
struct Seats {
    planners::Assignment assignment;
    std::vector<double> access;  ///< per demand point, the measure's score
    std::vector<double> ratio;   ///< per facility, the measure's supply-to-demand ratio
    std::size_t pairs = 0;       ///< facility x demand pairs within the standard
};

/** One district's figures with the served weight of the service's group (capacity runs). */
struct ServiceResult {
    FacilitySet facilities;
    PlacedFacilities placed;
    planners::CoverageResult coverage;
    std::size_t group = 0;                        ///< index of the service's group
    std::vector<planners::Figures> overall;       ///< per demand group
    std::vector<maps::DistrictFigures> districts; ///< per district, then "(outside every district)"
    std::vector<double> district_served;          ///< capacity runs: served weight per district row
    std::optional<Seats> seats;
    std::vector<planners::GapCell> gaps;
    maps::IsochroneLayers areas;
    /** By public transport: per resident the percentiles (row-major, TransitSpec::percentiles)
        of the time to the nearest facility over the departures, and the share of departures
        within the standard. Empty otherwise. */
    std::vector<float> transit_percentiles, transit_share;
};

/** The searches of a service study: every resident's nearest facility (by time, and by network
    distance with a metre limit) and, in a capacity run, the facility x resident pairs within
    the standard. The only part of the study that needs the road network. */
struct ServiceSearches {
    planners::CoverageResult coverage;
    std::optional<TimeTable> pairs;  ///< capacity runs (the facilities have capacities)
    /** By public transport: per resident the percentiles over the departures and the share
        of departures within the standard (as ServiceResult holds them). */
    std::vector<float> transit_percentiles, transit_share;
};

/** Runs the searches of a service study for facilities already read and placed. */
ServiceSearches service_searches(const StudyArea& area, const ServiceOptions& options, const FacilitySet& facilities,
                                 const PlacedFacilities& placed, const Reporter& reporter);

/**
 * Everything a service study computes from its searches, as arithmetic on per-resident results
 * and the pairs: the figures per group and district, the seats (an exact assignment over
 * `pairs`) and the accessibility measure, the gap map. `r` holds the facilities, their
 * placement, the group and the coverage; `area` is used for its demand, districts and
 * membership only (not its network). evaluate_service() calls it after the searches; a sharded
 * run's merge calls it on the residents and pairs of every shard (studies/shard.hpp), so the
 * figures are computed one way. `pairs` is required when the facilities have capacities.
 */
void service_figures(const StudyArea& area, const ServiceOptions& options, const TimeTable* pairs, ServiceResult& r,
                     const Reporter& reporter);

/** Runs a service study on an area. */
ServiceResult run_service(const StudyArea& area, const ServiceOptions& options, const Reporter& reporter);

/**
 * The same study for facilities already read (a plan's variant: some closed, some added):
 * placed, evaluated and, with options.areas, drawn as service areas.
 */
ServiceResult run_service(const StudyArea& area, const ServiceOptions& options, FacilitySet facilities,
                          const Reporter& reporter);

/** Draws the service areas of `r`'s placed facilities into r.areas, with options.areas (else nothing). */
void draw_service_areas(const StudyArea& area, const ServiceOptions& options, ServiceResult& r,
                        const Reporter& reporter);

/**
 * The same study for facilities already read and placed (the suggestion's after, a variant with
 * facilities added): coverage, districts, seats, access and gaps (not the service areas).
 */
ServiceResult evaluate_service(const StudyArea& area, const ServiceOptions& options, FacilitySet facilities,
                               PlacedFacilities placed, const Reporter& reporter);

/**
 * Facility x demand pairs within the standard (both limits, each facility's own cutoff and
 * delay, a resident at a facility's very place at its delay only), optionally up to
 * `time_cutoff` instead of the standard's time. Rows = facilities.
 */
TimeTable pairs_within(const StudyArea& area, const StudyStandard& standard, const PlacedFacilities& placed,
                       std::span<const Point> facility_xy, const Reporter& reporter, const std::string& phase,
                       Seconds time_cutoff = -1.0, bool apply_metres = true);

/**
 * An upper bound on the pairs pairs_within() can keep: per source, the placed residents within
 * the straight-line reach of `cutoff` at the fastest speed `profile` allows on any arc or access
 * walk (the network is never shorter than the straight line), counted on a grid of that reach.
 * pairs_within() refuses (UsageError naming the figure and what to change) a table whose bound
 * exceeds 4e8 pairs (about 3 GB), before any search.
 */
double pair_bound(const StudyArea& area, ProfileId profile, const PlacedFacilities& placed,
                  std::span<const Point> source_xy, Seconds cutoff);

/** The output layers of a service study. */
struct ServiceLayers {
    Layer demand, districts, facilities, gaps, areas;
    std::vector<std::string> notes;  ///< input fields left out of the demand layer, ...
};

/** Makes the layers (districts, gaps and areas empty when not computed). */
ServiceLayers service_layers(const StudyArea& area, const ServiceOptions& options, const ServiceResult& result);

/** The figures of one group as JSON (NaN as null). */
nlohmann::ordered_json figures_json(const planners::Figures& f);
/** A finite number, or JSON null. */
nlohmann::ordered_json json_number(double v);

/** The coverage summary (`lifecircle coverage --summary`): parameters, counts, groups,
    capacity, districts. */
nlohmann::ordered_json service_summary(const StudyArea& area, const AreaSpec& spec, const ServiceOptions& options,
                                       const ServiceResult& result);

}  // namespace lifecircle::studies
