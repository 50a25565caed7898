#pragma once
/**
 * Coverage: for every demand point the nearest facility by network travel time (one
 * multi-source search), whether it is within the standard, and the figures a planner reports
 * per group, district or polygon: total, covered, share (达标率), unreachable and unsnapped
 * weight, weighted mean and max minutes, and the Gini index of minutes.
 */

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/colocated.hpp"
#include "core/graph.hpp"
#include "core/parallel.hpp"
#include "core/snap.hpp"
#include "core/time_table.hpp"
#include "core/types.hpp"

namespace lifecircle::planners {

/** The nearest facility of each demand point. */
struct Nearest {
    /** Total time (facility delay and both access walks included); unreachable if none reaches. */
    std::vector<Seconds> seconds;
    /** Index of the facility (source) that reaches it first; invalid_index if none. */
    std::vector<std::uint32_t> facility;
};

/**
 * The nearest facility of every snapped demand point. `facilities` are the search sources
 * (seeds with their start times = access walk + delay; a source without seeds never reaches).
 * `profile`'s direction says who travels: Direction::backward = residents travel to the
 * facility (times from each demand point to the facility), forward = from the facility to them
 * (an ambulance, a meal delivery). Without per-facility cutoffs this is ONE multi-source search
 * over the whole network; when some source has its own cutoff, a facility only counts within
 * it, which one search cannot honour, so one search per facility (a time table) is taken and
 * the minimum kept. Ties go to the lower facility index. Deterministic.
 */
Nearest nearest_facility(const RoadGraph& graph, ProfileId profile, const SourceSet& facilities,
                         std::span<const Snap> demand, const ParallelOptions& parallel = {});

/** What the standard asks. Both limits may be given; then both must hold. */
struct Standard {
    /** Time limit; unreachable = none. */
    Seconds max_seconds = unreachable;
    /** Network-distance limit (metres); unreachable = none. */
    Meters max_meters = unreachable;
};

/** Why a demand point has no time. */
enum class SnapStatus : std::uint8_t { ok, too_far, island, outside_network };
/** "ok", "too_far", "island" or "outside_network". */
std::string_view snap_status_name(SnapStatus status);
/** The status of a snap (not_finite coordinates count as outside_network). */
SnapStatus snap_status(const Snap& snap);

/** Per demand point: nearest facility by time and by distance, and whether it is covered. */
struct CoverageResult {
    Nearest by_time;
    /** Metres to the nearest facility by network distance (only when a length profile was given).
     */
    Nearest by_length;
    std::vector<SnapStatus> status;
    std::vector<std::uint8_t> covered;  ///< 1 when within the standard
    Standard standard;
    bool has_length = false;
};

/**
 * Sources and demand points at one place (core/colocated.hpp) and the time such a pair takes:
 * the source's delay, no access walk (per source; empty = 0). Their distance is 0 m.
 */
struct SamePlace {
    std::span<const Colocated> pairs;
    std::span<const Seconds> start;
};

/**
 * Coverage of every demand point. `length_profile` (optional, a Metric::length profile of the
 * same mode and direction) measures network distance for Standard::max_meters, from
 * `length_facilities` (seeds whose starts are metres: the facility's own walk to its road) and
 * each demand point's walk to its road in metres; without it a metre limit is an
 * std::invalid_argument. A point is covered when one facility is within both limits: within
 * max_seconds and within max_meters. Its nearest facility by time and by distance are found by
 * two multi-source searches; where they differ (steps or a slope slow one route down) the pairs
 * within each limit are intersected for those points. Pairs in `same_place`
 * take their start time (within the source's own cutoff) and 0 m, when that is better.
 */
CoverageResult coverage(const RoadGraph& graph, ProfileId profile, const ProfileId* length_profile,
                        const SourceSet& facilities, const SourceSet* length_facilities,
                        std::span<const Snap> demand, const Standard& standard,
                        const ParallelOptions& parallel = {}, const SamePlace& same_place = {});

/** The figures of one group (weights) over some demand points. */
struct Figures {
    double total = 0;        ///< all weight
    double covered = 0;      ///< weight within the standard
    double unreachable = 0;  ///< snapped, but no facility reaches it at all
    double unsnapped = 0;    ///< not placed on the network
    double share = 0;        ///< covered / total (0 when total is 0)
    /** Weighted mean minutes to the nearest facility over reached weight; NaN if none. */
    double mean_minutes = 0;
    /** Largest minutes of a reached point with weight > 0; NaN if none. */
    double max_minutes = 0;
    /** Weighted Gini index of minutes over reached points (0 = all equal); NaN if none. */
    double gini_minutes = 0;
    std::size_t points = 0;
};

/** Figures of `weights` over the demand points `points` (all points when empty and `all`). */
Figures figures(const CoverageResult& result, std::span<const double> weights,
                std::span<const std::uint32_t> points);
/** Figures over every demand point. */
Figures figures(const CoverageResult& result, std::span<const double> weights);

/**
 * Weighted Gini index of values: Σ_i Σ_j w_i w_j |x_i − x_j| / (2 (Σw)² · mean), computed in
 * O(n log n) from the Lorenz curve. NaN when the total weight or the mean is 0.
 */
double weighted_gini(std::span<const double> values, std::span<const double> weights);

}  // namespace lifecircle::planners
