#pragma once
/**
 * Range RAPTOR (Delling, Pajor & Werneck 2012, "Round-Based Public Transit Routing", section
 * 4; the method r5's FastRaptorWorker uses): earliest arrivals at every stop for a departure
 * every minute of a window, with at most `max_rides` vehicles. Round k rides the k-th vehicle:
 * every pattern passing a stop improved in round k-1 is scanned once from that stop, boarding
 * the earliest trip that can still be caught; footpaths to nearby stops follow each ride.
 *
 * The departures run from the last to the first and keep their labels (the range property):
 * an arrival reachable leaving at minute t+1 is reachable leaving at t by waiting, so each
 * earlier departure only works where it improves something. Waiting at the first stop
 * counts: a travel time is arrival minus departure.
 *
 * transit_times() adds the walking legs of one origin (access to stops, egress from stops to
 * targets, walking all the way) and gives the travel time to every target per departure.
 */

#include <cstdint>
#include <span>
#include <vector>

#include "core/timetable.hpp"

namespace lifecircle::transit {

/** How RAPTOR rides. */
struct RaptorOptions {
    /** At most this many vehicles in a journey (rounds). */
    std::uint32_t max_rides = 3;
    /**
     * Seconds between reaching a stop and the departure of a vehicle boarded there, for the
     * first vehicle too: a bus leaving the second you reach the stop is not caught. r5 uses
     * 60 s (MINIMUM_BOARD_WAIT_SEC); so do we by default.
     */
    Time board_slack = 60;
    /** Arrivals later than the departure plus this are not kept: such times are unreachable
        (r5's MAX_TRIP_DURATION is 120 minutes). */
    Time max_travel = 2 * 3600;
    /** Keep the labels of later departures (range RAPTOR). False runs every departure from
        scratch, which gives the same times more slowly: the baseline of the benchmark. */
    bool range = true;
};

/** The departure times of a window: first, first + step, ... (count of them). */
struct Departures {
    /** The first departure (seconds since midnight of the timetable's service date). */
    Time first = 0;
    /** Number of departures (60: one a minute for an hour). */
    std::uint32_t count = 60;
    /** Seconds between departures. */
    Time step = 60;
    /** Departure i. */
    Time at(std::uint32_t i) const { return first + static_cast<Time>(i) * step; }
};

/**
 * Labels and scratch of RAPTOR for one timetable, reused from origin to origin: one per
 * thread. Resetting for a new origin costs what the last origin touched, never a pass over
 * all stops (a list of touched stops, as RoutingKit's timestamp flags make a reset O(1)).
 */
class RaptorWorkspace {
public:
    /** A workspace for `timetable` and journeys of up to `max_rides` vehicles. */
    RaptorWorkspace(const Timetable& timetable, std::uint32_t max_rides);

    /** Most vehicles a run may use with this workspace. */
    std::uint32_t capacity() const { return m_capacity; }
    /** Vehicles of the current run (RaptorOptions::max_rides). */
    std::uint32_t max_rides() const { return m_rides; }
    /**
     * Earliest arrival at stop s getting off a vehicle (at most max_rides() of them), for the
     * current departure; no_time if none. With the range property: leaving at or after it.
     */
    Time ride_arrival(StopId s) const { return m_ride[index(m_rides, s)]; }
    /**
     * Earliest arrival at stop s with at most `rides` vehicles, by any means (the access walk,
     * getting off, or a footpath after getting off; with rides == max_rides(), no footpath
     * after the last vehicle, as nothing follows one); no_time if none.
     */
    Time arrival(StopId s, std::uint32_t rides) const { return m_best[index(rides, s)]; }
    /** Stops whose ride_arrival() changed during the current departure. */
    std::span<const StopId> ride_changed() const { return m_final_changed; }

    /** Forgets every label (a new origin). O(stops touched since the last reset). */
    void reset();
    /**
     * Runs the rounds for one departure from `access` (walks to stops, whole seconds) on the
     * labels already held (range RAPTOR: call for departures in decreasing order, reset()
     * before the first). range_raptor() is the usual way in.
     */
    void run_departure(const Timetable& timetable, const LegTable& footpaths,
                       std::span<const Leg> access, Time departure, const RaptorOptions& options);

private:
    std::size_t index(std::uint32_t round, StopId s) const {
        return std::size_t{round} * m_stops + s;
    }
    void touch(StopId s) {
        if (!m_dirty_flag[s]) {
            m_dirty_flag[s] = 1;
            m_dirty.push_back(s);
        }
    }
    void changed(std::uint32_t round, StopId s) {
        const std::size_t i = index(round, s);
        if (!m_changed_flag[i]) {
            m_changed_flag[i] = 1;
            m_changed[round].push_back(s);
        }
    }
    void ride_improved_final(StopId s) {
        if (!m_final_flag[s]) {
            m_final_flag[s] = 1;
            m_final_changed.push_back(s);
        }
    }
    void mark(StopId s) {
        if (!m_marked_flag[s]) {
            m_marked_flag[s] = 1;
            m_marked_next.push_back(s);
        }
    }
    void scan_pattern(const Timetable& timetable, PatternId p, std::uint32_t from,
                      std::uint32_t round, Time limit, Time slack);

    std::size_t m_stops = 0;
    std::uint32_t m_capacity = 0;
    std::uint32_t m_rides = 0;
    std::vector<Time> m_best;  ///< (capacity+1) x stops: best arrival with <= k rides
    std::vector<Time> m_ride;  ///< (capacity+1) x stops: best arrival off a vehicle, <= k rides
    std::vector<std::uint8_t> m_dirty_flag;
    std::vector<StopId> m_dirty;
    std::vector<std::uint8_t> m_changed_flag;    ///< (capacity+1) x stops
    std::vector<std::vector<StopId>> m_changed;  ///< per round: labels changed this departure
    std::vector<std::uint8_t> m_final_flag;
    std::vector<StopId> m_final_changed;
    std::vector<std::uint8_t> m_marked_flag;
    std::vector<StopId> m_marked;       ///< improved in the last round: patterns to scan
    std::vector<StopId> m_marked_next;  ///< improved in this round
    std::vector<std::uint8_t> m_rode_flag;
    std::vector<StopId> m_rode;  ///< got off a vehicle this round: footpaths to follow
    std::vector<std::uint32_t> m_pattern_from;  ///< per pattern: first position to scan
    std::vector<PatternId> m_queue;
};

/**
 * Range RAPTOR from one origin: resets `ws`, then for the departures from the last to the
 * first runs the rounds and calls `on_departure(i, departures.at(i), ws)`, during which
 * ws.ride_arrival() and ws.arrival() hold that departure's arrivals. Deterministic.
 * Throws std::invalid_argument when options.max_rides exceeds ws.capacity().
 */
template <class OnDeparture>
void range_raptor(const Timetable& timetable, const LegTable& footpaths,
                  std::span<const Leg> access, const Departures& departures,
                  const RaptorOptions& options, RaptorWorkspace& ws, OnDeparture&& on_departure) {
    ws.reset();
    for (std::uint32_t i = departures.count; i-- > 0;) {
        if (!options.range) ws.reset();
        ws.run_departure(timetable, footpaths, access, departures.at(i), options);
        on_departure(i, departures.at(i), static_cast<const RaptorWorkspace&>(ws));
    }
}

/** The walking legs of one origin, in whole seconds. */
struct OriginLegs {
    /** Walks from the origin to stops (the access walk). */
    std::vector<Leg> access;
    /** Walks from the origin straight to targets (no vehicle at all). */
    std::vector<Leg> direct;
};

/**
 * Travel times of one origin to every target for every departure of a window, in seconds
 * (whole seconds stored as float; +inf when unreachable or above RaptorOptions::max_travel).
 * Reused from origin to origin: resetting costs what the last origin reached.
 */
class DepartureTimes {
public:
    /** Number of targets. */
    std::size_t targets() const { return m_targets; }
    /** Number of departures. */
    std::uint32_t departures() const { return m_departures; }
    /** Time to target j leaving at departure d. */
    float at(std::uint32_t j, std::uint32_t d) const {
        return m_seconds[std::size_t{j} * m_departures + d];
    }
    /** Times to target j, one per departure (departure order). */
    std::span<const float> of(std::uint32_t j) const {
        return {m_seconds.data() + std::size_t{j} * m_departures, m_departures};
    }
    /** Targets with a finite time at some departure, ascending; all others are +inf. */
    std::span<const std::uint32_t> reached() const { return m_reached; }

    /** Sets the shape and makes every time +inf (O(targets reached last) for the same shape). */
    void reset(std::size_t targets, std::uint32_t departures);

private:
    friend void transit_times(const Timetable&, const LegTable&, const LegTable&, std::size_t,
                              const OriginLegs&, const Departures&, const RaptorOptions&,
                              RaptorWorkspace&, DepartureTimes&);
    void set(std::uint32_t j, std::uint32_t d, float seconds) {
        if (!m_reached_flag[j]) {
            m_reached_flag[j] = 1;
            m_reached.push_back(j);
        }
        m_seconds[std::size_t{j} * m_departures + d] = seconds;
    }
    /** Lists target j among the ones transit_times() writes out. */
    void list(std::uint32_t j) {
        if (!m_listed_flag[j]) {
            m_listed_flag[j] = 1;
            m_listed.push_back(j);
        }
    }

    std::size_t m_targets = 0;
    std::uint32_t m_departures = 0;
    std::vector<float> m_seconds;  ///< target-major
    std::vector<std::uint8_t> m_reached_flag;
    std::vector<std::uint32_t> m_reached;
    // Scratch of transit_times(): earliest arrival at each target over the departures so far.
    std::vector<Time> m_arrival;
    std::vector<Time> m_direct;  ///< direct walk per target
    std::vector<std::uint8_t> m_listed_flag;
    std::vector<std::uint32_t> m_listed;  ///< targets with an arrival or a direct walk
};

/**
 * RAPTOR with walking at both ends: for each departure t of `departures` and each target j,
 * the travel time is min(direct walk, min over stops s of ride_arrival(s) + egress(s, j) - t),
 * +inf if above options.max_travel. Egress only follows getting off a vehicle (not a footpath:
 * no two walks in a row, so the walking limits hold). `egress` has a row per stop, with
 * targets (below `target_count`) as its `to` values; so do `legs.direct`. `out` is reset to
 * target_count x departures.count first. With options.range the target arrivals are kept
 * across departures like the stop labels.
 */
void transit_times(const Timetable& timetable, const LegTable& footpaths, const LegTable& egress,
                   std::size_t target_count, const OriginLegs& legs, const Departures& departures,
                   const RaptorOptions& options, RaptorWorkspace& ws, DepartureTimes& out);

}  // namespace lifecircle::transit
