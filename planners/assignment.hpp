#pragma once
/**
 * Capacity-aware coverage: who gets a seat.
 *
 * Input: a sparse facility x demand TimeTable holding only the pairs within the standard (rows =
 * facilities, columns = demand points), demand weights (people of one group, >= 0) and facility
 * capacities (seats, meals a day, doctors; >= 0).
 *
 * assign() solves the transportation problem exactly: first maximise the served weight, then
 * minimise the total weighted travel time (weight x seconds). Demand may be split between
 * facilities; only pairs in the table may be used. It is a min-cost max-flow solved by
 * successive shortest paths with potentials (Dijkstra on reduced costs), started from the
 * pseudo-flow "everyone at the nearest facility" so only overload is routed; each connected
 * component of the facility-demand pair graph is solved on its own, components in parallel.
 * A component whose overload exceeds its seats is solved from the other side instead: from
 * nothing assigned, each facility with spare seats pulls the nearest waiting weight along
 * shortest augmenting paths (the work then grows with the weight served, not the weight left
 * out); both are successive shortest paths and give the same optimum.
 *
 * Exactness: weights and capacities are rounded to integer multiples of
 * `AssignmentOptions::weight_resolution` (default 1e-6 people) and seconds to multiples of
 * `time_resolution` (default 1 ms); on those integers the algorithm is exact (integer
 * arithmetic throughout, no tolerance). Deterministic whatever the thread count.
 *
 * Per facility, load_ratio = demand_within / capacity: +inf when capacity is 0 and some demand
 * is within reach, NaN when capacity is 0 and no demand is within reach (0/0: no load, no seat).
 */

#include <cstdint>
#include <span>
#include <vector>

#include "core/parallel.hpp"
#include "core/time_table.hpp"
#include "core/types.hpp"

namespace lifecircle::planners {

/** Options of assign(). */
struct AssignmentOptions {
    /** Weights and capacities are counted in integer multiples of this (people). */
    double weight_resolution = 1e-6;
    /** Travel times are rounded to multiples of this (seconds) for the cost objective. */
    double time_resolution = 1e-3;
    /** Threads for the independent components. */
    ParallelOptions parallel;
};

/** What one demand point gets. */
struct DemandAssignment {
    /** The input weight. */
    double weight = 0.0;
    /** Weight given a seat at some facility within the standard. */
    double served_weight = 0.0;
    /** The facility serving the largest share (lowest index on ties); invalid_index if none. */
    std::uint32_t assigned_facility = invalid_index;
    /** Weight that has a facility within the standard but no seat. */
    double covered_unserved_weight = 0.0;
    /** Weight with no facility within the standard at all. */
    double uncovered_weight = 0.0;
    /** Weighted mean travel time of the served weight (0 when nothing is served). */
    double mean_seconds = 0.0;
};

/** What one facility gets. */
struct FacilityAssignment {
    double capacity = 0.0;
    /** Weight assigned to this facility (<= capacity). */
    double assigned_weight = 0.0;
    /** Sum of the weights of demand points with this facility within the standard. */
    double demand_within = 0.0;
    /** demand_within / capacity (see the file comment for capacity 0). */
    double load_ratio = 0.0;
    /** capacity - assigned_weight. */
    double spare_capacity = 0.0;
};

/** One used pair of the optimal assignment. */
struct AssignedFlow {
    std::uint32_t facility = 0;
    std::uint32_t demand = 0;
    double weight = 0.0;
    double seconds = 0.0;
};

/** Sums over all demand points and facilities. */
struct AssignmentTotals {
    double demand_weight = 0.0;
    /** Weight with at least one facility within the standard. */
    double covered_weight = 0.0;
    double served_weight = 0.0;
    double covered_unserved_weight = 0.0;
    double uncovered_weight = 0.0;
    double capacity = 0.0;
    double spare_capacity = 0.0;
    /** Sum of weight x seconds over the assignment (in the rounded units of the options). */
    double weighted_seconds = 0.0;
    /** Connected components of the pair graph that were solved. */
    std::size_t components = 0;
    /** Shortest-path augmentations done (a measure of how congested the instance was). */
    std::size_t augmentations = 0;
};

/** The optimal assignment. */
struct Assignment {
    std::vector<DemandAssignment> demand;
    std::vector<FacilityAssignment> facilities;
    /** Every pair carrying weight, sorted by demand then facility. */
    std::vector<AssignedFlow> flows;
    AssignmentTotals totals;
};

/**
 * Optimal capacity-respecting assignment of `weights` (one per table column) to facilities with
 * `capacities` (one per table row). Throws InputError on sizes that do not match the table,
 * negative or non-finite weights or capacities, or amounts too large for the resolution.
 */
Assignment assign(const TimeTable& facility_by_demand, std::span<const double> weights,
                  std::span<const double> capacities, const AssignmentOptions& options = {});

}  // namespace lifecircle::planners
