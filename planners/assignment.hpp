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
#include <functional>
#include <memory>
#include <queue>
#include <span>
#include <utility>
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

/** An exact total of weight units x time ticks: 128 bits, so that no city overflows it. */
__extension__ using WideUnits = __int128;

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
    /** The exact totals the solver optimised: served weight in weight_resolution units, and
        served weight units x time ticks (time_resolution), as IncrementalAssignment counts them. */
    std::int64_t served_units = 0;
    WideUnits weighted_units = 0;
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

/**
 * The optimal assignment of assign() kept up to date while facilities open and close one at a
 * time: the same problem ("serve the most weight, then spend the least weighted time", demand
 * splittable, only the table's pairs), the same integer units (AssignmentOptions), so the same
 * optimal served weight and weighted time as assign() run from scratch on the open facilities.
 *
 * It keeps the min-cost flow (who is served where, and the weight left unserved) and node
 * potentials that prove it optimal (every residual arc has a reduced cost >= 0; the "most
 * served first" rule is a cost M per unserved unit, larger than any path of times). A change
 * only repairs that proof where it broke:
 *  - open(f): the new seats are filled along shortest augmenting cycles through f (a waiting
 *    person seated, or someone moved closer), while each one lowers the cost;
 *  - close(f): the weight f served is re-routed along shortest paths from f (to a spare seat
 *    elsewhere, possibly by moving others, or to "unserved").
 * Both are successive shortest paths on reduced costs (Dijkstra), searching only around f.
 *
 * begin_trial() / undo_trial() make a change tentative: everything changed since (flows,
 * potentials, totals) is put back exactly, so a search can try a move, read its value and
 * undo it. Copies are independent states over the same shared tables (one per thread).
 */
class IncrementalAssignment {
public:
    /**
     * Every facility closed, every person unserved. `times` false: only the served weight is
     * optimised (which is all the coverage objectives need): a maximum flow kept by augmenting
     * paths of fewest steps (Dinic's phases) instead of shortest ones, much faster where many
     * small demand points share the seats; the weighted time is then not tracked.
     * Throws as assign() on sizes or amounts that do not fit.
     */
    IncrementalAssignment(const TimeTable& facility_by_demand, std::span<const double> weights,
                          std::span<const double> capacities, const AssignmentOptions& options = {},
                          bool times = true);

    std::size_t facilities() const;
    std::size_t demands() const;
    bool is_open(std::uint32_t facility) const { return m_open[facility] != 0; }
    /** Opens a closed facility and repairs the optimum. */
    void open(std::uint32_t facility);
    /** Closes an open facility and repairs the optimum. */
    void close(std::uint32_t facility);

    /**
     * Charges per demand point for weight left unserved (seconds per unit weight: the
     * p-median's fallback), counted by charge_units(); they do not change the assignment.
     */
    void set_unserved_charge(std::span<const double> seconds);

    /** Served weight, in weight units (AssignmentOptions::weight_resolution). */
    std::int64_t served_units() const { return m_served; }
    /** Sum of served weight units x time ticks (AssignmentOptions::time_resolution). */
    WideUnits time_units() const { return m_time; }
    /** Sum of unserved weight units x charge ticks (see set_unserved_charge()). */
    WideUnits charge_units() const { return m_charge; }
    double served_weight() const;
    /** Weight x seconds of the served weight, in the rounded units (as assign()'s total). */
    double weighted_seconds() const;
    /** Weight assigned to a facility now. */
    double assigned_weight(std::uint32_t facility) const;
    /** Weight of a demand point that is served now. */
    double served_weight(std::uint32_t demand) const;
    /** Every pair carrying weight, sorted by demand then facility, with the table's seconds. */
    std::vector<AssignedFlow> flows() const;

    /**
     * Whether opening the closed `facility` would leave the assignment as it is (then its gain
     * is exactly 0), decided from the potentials in O(its pairs).
     */
    bool opening_changes_nothing(std::uint32_t facility) const;

    /**
     * An upper bound of what opening the closed `facility` would save of time_units() +
     * charge_units() (with times; LP duality: its capacity times how much cheaper its best pair
     * is than the potentials say; valid for the sum while every point that a facility may
     * serve has the same charge, else the largest value), in O(its pairs). Without times: its
     * capacity, in weight units.
     */
    WideUnits opening_gain_bound(std::uint32_t facility) const;

    /**
     * Per facility: whether opening it (a closed one) would serve more weight now: whether a
     * person among its pairs can be reached from someone waiting by a path of moves (a waiting
     * person takes a seat whose holder moves on...). Exact; O(all pairs) for every facility.
     */
    std::vector<std::uint8_t> serves_more_if_opened() const;

    /** Makes the following changes tentative, until undo_trial() or keep_trial(). */
    void begin_trial();
    /** Restores the state of begin_trial() exactly. */
    void undo_trial();
    /** Keeps the changes made since begin_trial(). */
    void keep_trial();

    /** Shortest-path augmentations done so far (a measure of work). */
    std::size_t augmentations() const { return m_augmentations; }

private:
    using Units = std::int64_t;
    using Cost = std::int64_t;
    struct Tables;
    enum class Field : std::uint8_t { flow, unserved, load, open, potential };
    struct Change {
        Field field;
        std::uint32_t index;
        std::int64_t old;
    };

    std::uint32_t node_of_demand(std::uint32_t i) const;
    std::uint32_t unserved_node() const;
    std::uint32_t sink_node() const;
    Cost reduced(Cost cost, std::uint32_t u, std::uint32_t v) const {
        return cost + m_potential[u] - m_potential[v];
    }
    void set(Field field, std::uint32_t index, std::int64_t value);
    void change_flow(std::uint32_t arc, Units delta);
    void change_unserved(std::uint32_t demand, Units delta);
    void change_load(std::uint32_t facility, Units delta);
    void start_search();
    void relax(std::uint32_t v, Cost d, std::uint32_t from, std::uint32_t arc, bool near_end);
    bool search_from(std::uint32_t source);
    bool search_to(std::uint32_t target, Cost limit);
    void raise_potentials(Cost level);
    void lower_potentials(Cost level);
    // Arcs of the residual network, named by their end nodes (and the pair, for pair arcs).
    Units residual(std::uint32_t u, std::uint32_t v, std::uint32_t arc) const;
    Cost arc_cost(std::uint32_t u, std::uint32_t v, std::uint32_t arc) const;
    void push(std::uint32_t u, std::uint32_t v, std::uint32_t arc, Units delta);
    bool next_arc(std::uint32_t v, bool backwards, std::uint32_t start, std::uint32_t& other,
                  std::uint32_t& arc);
    Units push_admissible(std::uint32_t start, bool backwards, Units limit, std::uint32_t goal,
                          bool by_level);
    bool levels_from(std::uint32_t start, bool backwards);

    std::shared_ptr<const Tables> m_tables;
    // The flow and its proof.
    std::vector<Units> m_flow;      ///< per pair (facility-major)
    std::vector<Units> m_unserved;  ///< per demand point
    std::vector<Units> m_load;      ///< per facility
    std::vector<std::uint8_t> m_open;
    std::vector<Cost> m_potential;  ///< facilities, demand points, unserved node, sink
    Units m_served = 0, m_unserved_total = 0;
    WideUnits m_time = 0, m_charge = 0;
    std::vector<Cost> m_charge_ticks;  ///< per demand point (empty = none)
    bool m_uniform_charge = true;      ///< the same charge for every point a facility may serve
    // Trials.
    bool m_in_trial = false;
    std::vector<Change> m_journal;
    Units m_saved_served = 0, m_saved_unserved_total = 0;
    WideUnits m_saved_time = 0, m_saved_charge = 0;
    std::size_t m_augmentations = 0, m_saved_augmentations = 0;
    // Dijkstra and path buffers, reset in O(1) by stamps.
    std::vector<Cost> m_dist;
    std::vector<std::uint32_t> m_parent, m_parent_arc, m_reached, m_done, m_settled;
    std::uint32_t m_stamp = 0;
    /** Distance, then (near an end ? 0 : 1) << 32 | node. */
    using HeapItem = std::pair<Cost, std::uint64_t>;
    std::priority_queue<HeapItem, std::vector<HeapItem>, std::greater<>> m_heap;
    std::vector<std::uint64_t> m_cursor;
    std::vector<std::uint32_t> m_cursor_stamp, m_dead, m_on_path, m_path, m_path_arc;
    std::uint32_t m_phase = 0;
};

}  // namespace lifecircle::planners
