#pragma once
/**
 * The timetable public transport is routed on. Readers (io/gtfs) deliver the trips of one
 * service day as a TripList (each trip a sequence of stops with arrival and departure times);
 * build_timetable() groups them into patterns, as RAPTOR wants them: trips of one route with
 * the same stops and the same boarding/alighting rules, sorted so that no trip overtakes
 * another (a trip that would is put in a pattern of its own). Walking between stops comes in
 * separately as a LegTable (footpaths), which the transit router makes from the walk network.
 *
 * Knows nothing of files, ids in feeds or coordinates: stops are dense indices.
 */

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace lifecircle::transit {

/** Dense id of a transit stop (0..stop_count-1). Feed ids are translated in io/ only. */
using StopId = std::uint32_t;
/** Dense id of a pattern of a Timetable. */
using PatternId = std::uint32_t;
/**
 * A clock time in whole seconds since midnight of the service date a timetable was built for
 * (negative: the evening before; 86,400 and more: after midnight), or a duration in seconds.
 */
using Time = std::int32_t;
/** A time not reached (an unset label). Larger than every real time. */
inline constexpr Time no_time = std::numeric_limits<Time>::max();

/** What passengers may do at one stop of a trip (GTFS pickup_type / drop_off_type 1 = no). */
enum StopRule : std::uint8_t {
    board = 1,   ///< passengers may get on
    alight = 2,  ///< passengers may get off
    board_and_alight = 3,
};

/**
 * Trips as a reader delivers them (compressed rows): per trip a route index (any number the
 * reader chooses; trips of different routes never share a pattern), its stops in order, the
 * arrival and departure time at each, and what passengers may do there.
 */
class TripList {
public:
    /**
     * Appends a trip. `rules` may be empty (board and alight everywhere). Throws
     * std::invalid_argument for fewer than two stops, spans of different lengths, a departure
     * before the arrival at a stop, or an arrival before the departure from the stop before.
     */
    void add(std::uint32_t route, std::span<const StopId> stops, std::span<const Time> arrival,
             std::span<const Time> departure, std::span<const std::uint8_t> rules = {});

    /** Number of trips. */
    std::size_t size() const { return m_route.size(); }
    /** Number of stop times over all trips. */
    std::size_t stop_time_count() const { return m_stop.size(); }
    /** The route index trip `i` was added with. */
    std::uint32_t route(std::size_t i) const { return m_route[i]; }
    /** The stops of trip `i`, in order. */
    std::span<const StopId> stops(std::size_t i) const { return slice(m_stop, i); }
    /** Arrival times of trip `i`, one per stop. */
    std::span<const Time> arrival(std::size_t i) const { return slice(m_arrival, i); }
    /** Departure times of trip `i`, one per stop. */
    std::span<const Time> departure(std::size_t i) const { return slice(m_departure, i); }
    /** StopRule bits of trip `i`, one per stop. */
    std::span<const std::uint8_t> rules(std::size_t i) const { return slice(m_rules, i); }
    /** The largest stop index used plus one (0 without trips). */
    std::size_t stop_bound() const { return m_stop_bound; }

private:
    template <class T>
    std::span<const T> slice(const std::vector<T>& v, std::size_t i) const {
        return {v.data() + m_first[i], v.data() + m_first[i + 1]};
    }

    std::vector<std::uint32_t> m_first{0};
    std::vector<std::uint32_t> m_route;
    std::vector<StopId> m_stop;
    std::vector<Time> m_arrival;
    std::vector<Time> m_departure;
    std::vector<std::uint8_t> m_rules;
    std::size_t m_stop_bound = 0;
};

/** Where a pattern passes a stop: the pattern and the stop's position in it. */
struct PatternStop {
    PatternId pattern = 0;       ///< the pattern
    std::uint32_t position = 0;  ///< index of the stop in stops(pattern)
};

/**
 * Immutable timetable of patterns. Pattern p has stops(p) and trip_count(p) trips; the trips
 * are sorted by departure and none overtakes another, so at every position the departures
 * (and arrivals) are sorted ascending over the trips. Times are stored position by position
 * (all trips' departures at position 0, then at position 1...), so finding the first trip
 * leaving a stop after a time is a binary search over contiguous memory.
 */
class Timetable {
public:
    /** An empty timetable (no stops); build_timetable() makes real ones. */
    Timetable() = default;

    /** Number of stops (the stop index space, including stops no trip serves). */
    std::size_t stop_count() const { return m_stop_patterns_first.size() - 1; }
    /** Number of patterns. */
    std::size_t pattern_count() const { return m_pattern_route.size(); }
    /** Number of trips over all patterns. */
    std::size_t trip_count() const { return m_trip_source.size(); }

    /** The stops of pattern p, in order. */
    std::span<const StopId> stops(PatternId p) const {
        return {m_pattern_stop.data() + m_stop_first[p],
                m_pattern_stop.data() + m_stop_first[p + 1]};
    }
    /** StopRule bits of pattern p, one per stop. */
    std::span<const std::uint8_t> rules(PatternId p) const {
        return {m_pattern_rules.data() + m_stop_first[p],
                m_pattern_rules.data() + m_stop_first[p + 1]};
    }
    /** Number of trips of pattern p. */
    std::uint32_t trip_count(PatternId p) const { return m_trip_first[p + 1] - m_trip_first[p]; }
    /** Departures of every trip of pattern p at stop position `position`, ascending. */
    const Time* departures(PatternId p, std::uint32_t position) const {
        return m_departure.data() + m_time_first[p] + std::size_t{position} * trip_count(p);
    }
    /** Arrivals of every trip of pattern p at stop position `position`, ascending. */
    const Time* arrivals(PatternId p, std::uint32_t position) const {
        return m_arrival.data() + m_time_first[p] + std::size_t{position} * trip_count(p);
    }
    /** The TripList index of trip k (0-based, in departure order) of pattern p. */
    std::uint32_t trip_source(PatternId p, std::uint32_t k) const {
        return m_trip_source[m_trip_first[p] + k];
    }
    /** The route index of pattern p's trips. */
    std::uint32_t route(PatternId p) const { return m_pattern_route[p]; }
    /** The patterns passing stop s, each with the stop's position in it (a loop: twice). */
    std::span<const PatternStop> patterns_at(StopId s) const {
        return {m_stop_patterns.data() + m_stop_patterns_first[s],
                m_stop_patterns.data() + m_stop_patterns_first[s + 1]};
    }

    /** Checks the invariants (sorted, no overtaking, indices in range); throws
        std::logic_error naming the first broken one. */
    void validate() const;

private:
    friend Timetable build_timetable(const TripList& trips, std::size_t stop_count);

    std::vector<std::uint32_t> m_pattern_route;
    std::vector<std::uint32_t> m_stop_first{0};  ///< pattern_count()+1
    std::vector<StopId> m_pattern_stop;
    std::vector<std::uint8_t> m_pattern_rules;
    std::vector<std::uint32_t> m_trip_first{0};  ///< pattern_count()+1
    std::vector<std::uint32_t> m_trip_source;
    std::vector<std::size_t> m_time_first;  ///< pattern_count(): offset of its times
    std::vector<Time> m_arrival;
    std::vector<Time> m_departure;
    std::vector<std::uint32_t> m_stop_patterns_first{0};  ///< stop_count()+1
    std::vector<PatternStop> m_stop_patterns;
};

/**
 * Groups trips into patterns: the same route, stops and stop rules, and no overtaking (trips
 * sorted by their times; a trip that departs later than another at some stop but earlier at
 * another, or overtakes it in arrival, goes to the first pattern of its group it does not
 * overtake, or to a new one). Deterministic: the same trips give the same timetable.
 * `stop_count` must be at least trips.stop_bound(); throws std::invalid_argument otherwise.
 */
Timetable build_timetable(const TripList& trips, std::size_t stop_count);

/** One walking leg to a stop or a target: where to, and how long, in whole seconds. */
struct Leg {
    std::uint32_t to = 0;  ///< a stop, or a target
    Time seconds = 0;      ///< the walk, whole seconds
    friend bool operator==(const Leg&, const Leg&) = default;
};

/**
 * Walking legs from each stop (compressed rows): footpaths between stops (transfers), or the
 * walks from stops to targets (egress). Each row is sorted by `to`.
 */
class LegTable {
public:
    /** An empty table (no rows). */
    LegTable() = default;
    /** A table from per-row legs (rows are sorted by `to` here). */
    explicit LegTable(std::vector<std::vector<Leg>> rows);

    /** Number of rows (stops). */
    std::size_t rows() const { return m_first.size() - 1; }
    /** Number of legs. */
    std::size_t size() const { return m_legs.size(); }
    /** The legs from stop s, sorted by `to`. */
    std::span<const Leg> row(std::size_t s) const {
        return {m_legs.data() + m_first[s], m_legs.data() + m_first[s + 1]};
    }
    /** Bytes held. */
    std::size_t bytes() const {
        return m_first.capacity() * sizeof(std::uint64_t) + m_legs.capacity() * sizeof(Leg);
    }

private:
    std::vector<std::uint64_t> m_first{0};
    std::vector<Leg> m_legs;
};

}  // namespace lifecircle::transit
