#pragma once
/**
 * Coverage results as styled output layers: the demand features written back with their own
 * fields plus the coverage columns, districts with their shares (达标率), and the hexagon gap
 * map. Geometry stays in the work CRS (io/ transforms when writing).
 */

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/layer.hpp"
#include "core/polygon.hpp"
#include "core/snap.hpp"
#include "planners/assignment.hpp"
#include "planners/coverage.hpp"
#include "planners/gaps.hpp"

namespace lifecircle::maps {

/** A per-demand-point column added to the demand layer, aggregated per input feature. */
struct PointColumn {
    std::string name;
    std::vector<double> values;  ///< one per demand point
    /** true: the feature's value is the sum over its points (served weight); false: the weighted
        mean with the first group's weights (an accessibility score). */
    bool sum = true;
};

/** A per-demand-point label (a facility id) taken from the point that carries the most `by`. */
struct PointLabel {
    std::string name;
    std::vector<std::string> values;  ///< one per demand point; empty = none
    std::vector<double> by;           ///< one per demand point
};

/** The demand side of a coverage run. */
struct DemandView {
    /** The input features: their own fields and values, WKB in the work CRS. */
    const Layer* features = nullptr;
    /** Per demand point: the feature it came from. */
    std::span<const std::uint32_t> point_feature;
    /** Group names and weights[group][point]. */
    std::span<const std::string> groups;
    std::span<const std::vector<double>> weights;
    /** Extra columns (capacity runs: served weight, E2SFCA access...). */
    std::vector<PointColumn> columns;
    std::vector<PointLabel> labels;
};

/**
 * The demand layer: every input feature with its fields, plus `minutes_to_nearest` (a point's
 * own time; a polygon's weighted mean over its road samples, first group's weights; NULL when
 * nothing is reached), `minutes_max`, `meters_to_nearest` (when measured), `nearest_facility_id`
 * (of its fastest sample), `covered_share` (first group), `covered` (1 when at least half its
 * weight is covered; for a point: it is) and `snap_status` (ok when any sample snapped).
 * Input fields whose names clash with these are left out and named in `notes`.
 * Styled categorised by `covered`.
 */
Layer demand_layer(const DemandView& demand, const planners::CoverageResult& result,
                   std::span<const std::string> facility_ids,
                   std::vector<std::string>* notes = nullptr);

/** One facility of a capacity run. */
struct FacilityRow {
    std::string id;
    std::string name;
    std::vector<unsigned char> wkb;  ///< Point in the work CRS
    double capacity = 0;
    double assigned_weight = 0;
    double demand_within = 0;
    double load_ratio = 0;
    double spare_capacity = 0;
    double ratio = 0;  ///< the accessibility measure's supply-to-demand ratio R_j (NaN: none in reach)
};

/** One row per facility of an assignment: ids, names and points (work CRS) in facility order;
    `ratio` per facility (the accessibility measure's R_j), empty = NaN for all. */
std::vector<FacilityRow> facility_rows(std::span<const std::string> ids, std::span<const std::string> names,
                                       std::span<const Point> xy, const planners::Assignment& assignment,
                                       std::span<const double> ratio = {});

/**
 * The facilities layer of a capacity run: `facility_id`, `name`, `capacity`, `assigned_weight`,
 * `demand_within`, `load_ratio` (demand within the standard ÷ capacity), `spare_capacity` and
 * `ratio_<measure>`; graduated by load ratio (1 = exactly full).
 */
Layer facilities_layer(std::span<const FacilityRow> rows, const std::string& measure);

/**
 * The facilities layer without capacities: `facility_id`, `name`, `snapped` (1 when placed on the
 * network), categorised by `snapped`.
 */
Layer plain_facilities_layer(std::span<const std::string> ids, std::span<const std::string> names,
                             std::span<const Point> xy, std::span<const Snap> snaps);

/**
 * Residents estimated per building (io::estimate_residents_from_buildings) as a layer named
 * `name`: the buildings with their fields, plus one field per age group, graduated by residents.
 */
Layer residents_layer(const Layer& buildings, std::span<const std::string> groups,
                      std::span<const std::vector<double>> feature_weights, const std::string& name);

/** Figures of one district (or of the demand outside every district) for every group. */
struct DistrictFigures {
    std::string name;
    MultiPolygonXY polygon;  ///< empty for the "outside every district" row
    std::vector<planners::Figures> groups;
};

/**
 * The districts layer: per district and group `<group>_total`, `_covered`, `_share`,
 * `_unreachable`, `_unsnapped`, `_mean_min`, `_gini`; graduated by the first group's share.
 * The row without a polygon (demand outside every district) is written without geometry.
 */
Layer districts_layer(std::span<const DistrictFigures> districts,
                      std::span<const std::string> groups);

/**
 * The gap map: one hexagon per cell with `uncovered_<group>` per group, `unserved_weight`,
 * `minutes_mean`, `minutes_max`, `points`, sorted as given; graduated by the uncovered weight of
 * groups[style_group] (the group the service is for).
 */
Layer gaps_layer(std::span<const planners::GapCell> cells, std::span<const std::string> groups,
                 double hex_m, std::size_t style_group = 0);

}  // namespace lifecircle::maps
