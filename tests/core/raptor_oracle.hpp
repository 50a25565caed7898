#pragma once
/**
 * An independent oracle for RAPTOR: a plain Dijkstra over a time-expanded graph built straight
 * from the trips (no patterns, no rounds, no range property). States are a stop with the
 * number of vehicles used and whether it was reached by getting off (only then may a footpath
 * or the egress walk follow), and a seat on a trip at one of its stops with the vehicles used.
 * Boarding any trip that leaves at least board_slack after reaching the stop is an arc; the
 * vehicle takes you to each later stop; getting off is an arc where alighting is allowed.
 */

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <queue>
#include <vector>

#include "core/raptor.hpp"
#include "core/timetable.hpp"

namespace lifecircle::test {

/** What the oracle finds for one departure. */
struct OracleResult {
    /** Per stop: earliest arrival with at most max_rides vehicles, by any means but a
        footpath after the last vehicle (RAPTOR skips those: nothing can follow); no_time. */
    std::vector<transit::Time> best;
    /** Per stop: earliest arrival getting off a vehicle; no_time. */
    std::vector<transit::Time> ride;
    /** Per target: travel time (arrival minus departure), or -1 when unreachable. */
    std::vector<transit::Time> travel;
};

/**
 * The time-expanded graph of a trip list, with the footpaths and egress walks, built once;
 * run() answers one origin and departure.
 */
class TimeExpandedOracle {
public:
    TimeExpandedOracle(const transit::TripList& trips, std::size_t stop_count,
                       const transit::LegTable& footpaths, const transit::LegTable& egress,
                       std::size_t target_count, const transit::RaptorOptions& options)
        : m_trips(trips),
          m_stops(stop_count),
          m_footpaths(footpaths),
          m_egress(egress),
          m_targets(target_count),
          m_options(options),
          m_k(options.max_rides),
          m_first_time(trips.size() + 1, 0),
          m_calls(stop_count) {
        for (std::size_t t = 0; t < trips.size(); ++t)
            m_first_time[t + 1] = m_first_time[t] + trips.stops(t).size();
        for (std::size_t t = 0; t < trips.size(); ++t)
            for (std::size_t i = 0; i < trips.stops(t).size(); ++i)
                m_calls[trips.stops(t)[i]].push_back({t, i});
        m_seats_base = stop_count * (m_k + 1) * 2;
        m_label.assign(m_seats_base + m_first_time.back() * (m_k + 1), transit::no_time);
        m_done.assign(m_label.size(), 0);
    }

    /** Earliest arrivals from `legs` leaving at `departure`; see the file comment. */
    OracleResult run(const transit::OriginLegs& legs, transit::Time departure) {
        using transit::no_time;
        using transit::Time;
        const std::size_t K = m_k;
        const Time limit = departure + m_options.max_travel;
        std::fill(m_label.begin(), m_label.end(), no_time);
        std::fill(m_done.begin(), m_done.end(), 0);
        using Item = std::pair<Time, std::size_t>;
        std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
        auto offer = [&](std::size_t state, Time t) {
            if (t <= limit && t < m_label[state]) {
                m_label[state] = t;
                heap.push({t, state});
            }
        };
        for (const transit::Leg& leg : legs.access)
            offer(stop_state(leg.to, 0, false), departure + leg.seconds);
        while (!heap.empty()) {
            const auto [t, state] = heap.top();
            heap.pop();
            if (m_done[state] || t != m_label[state]) continue;
            m_done[state] = 1;
            if (state < m_seats_base) {
                const bool off = state % 2 == 1;
                const std::size_t k = state / 2 % (K + 1);
                const std::size_t s = state / 2 / (K + 1);
                if (k < K) {
                    // Boarding: any trip leaving here at least the slack after now.
                    for (const auto& [trip, i] : m_calls[s]) {
                        if (i + 1 == m_trips.stops(trip).size()) continue;
                        if (!(m_trips.rules(trip)[i] & transit::StopRule::board)) continue;
                        if (m_trips.departure(trip)[i] < t + m_options.board_slack) continue;
                        offer(seat_state(trip, i + 1, k + 1), m_trips.arrival(trip)[i + 1]);
                    }
                }
                if (off)
                    for (const transit::Leg& f : m_footpaths.row(s))
                        offer(stop_state(f.to, k, false), t + f.seconds);
            } else {
                // On board at stop i of the trip: get off, or ride on to the next stop.
                const std::size_t rest = state - m_seats_base;
                const std::size_t k = rest % (K + 1);
                const std::size_t time_index = rest / (K + 1);
                const std::size_t trip = static_cast<std::size_t>(
                    std::upper_bound(m_first_time.begin(), m_first_time.end(), time_index) -
                    m_first_time.begin() - 1);
                const std::size_t i = time_index - m_first_time[trip];
                if (m_trips.rules(trip)[i] & transit::StopRule::alight)
                    offer(stop_state(m_trips.stops(trip)[i], k, true), t);
                if (i + 1 < m_trips.stops(trip).size())
                    offer(seat_state(trip, i + 1, k), m_trips.arrival(trip)[i + 1]);
            }
        }

        OracleResult r;
        r.best.assign(m_stops, no_time);
        r.ride.assign(m_stops, no_time);
        for (std::size_t s = 0; s < m_stops; ++s) {
            for (std::size_t k = 0; k <= K; ++k) {
                const Time walked = k < K ? m_label[stop_state(s, k, false)] : no_time;
                r.best[s] = std::min({r.best[s], walked, m_label[stop_state(s, k, true)]});
                r.ride[s] = std::min(r.ride[s], m_label[stop_state(s, k, true)]);
            }
        }
        std::vector<Time> arrive(m_targets, no_time);
        for (const transit::Leg& leg : legs.direct)
            arrive[leg.to] = std::min(arrive[leg.to], departure + leg.seconds);
        for (std::size_t s = 0; s < m_stops; ++s) {
            if (r.ride[s] == no_time) continue;
            for (const transit::Leg& e : m_egress.row(s))
                arrive[e.to] = std::min(arrive[e.to], r.ride[s] + e.seconds);
        }
        r.travel.assign(m_targets, -1);
        for (std::size_t j = 0; j < m_targets; ++j)
            if (arrive[j] != no_time && arrive[j] - departure <= m_options.max_travel)
                r.travel[j] = arrive[j] - departure;
        return r;
    }

private:
    /** A stop with `k` vehicles used, reached by getting off (`off`) or on foot. */
    std::size_t stop_state(std::size_t s, std::size_t k, bool off) const {
        return (s * (m_k + 1) + k) * 2 + off;
    }
    /** A seat on `trip` arriving at its stop `i`, with `k` vehicles used. */
    std::size_t seat_state(std::size_t trip, std::size_t i, std::size_t k) const {
        return m_seats_base + (m_first_time[trip] + i) * (m_k + 1) + k;
    }

    const transit::TripList& m_trips;
    std::size_t m_stops;
    const transit::LegTable& m_footpaths;
    const transit::LegTable& m_egress;
    std::size_t m_targets;
    transit::RaptorOptions m_options;
    std::size_t m_k;
    std::vector<std::size_t> m_first_time;
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>>
        m_calls;  ///< (trip, index) per stop
    std::size_t m_seats_base = 0;
    std::vector<transit::Time> m_label;
    std::vector<std::uint8_t> m_done;
};

/** Earliest arrivals from `legs` leaving at `departure` (a TimeExpandedOracle made for it). */
inline OracleResult oracle_departure(const transit::TripList& trips, std::size_t stop_count,
                                     const transit::LegTable& footpaths,
                                     const transit::LegTable& egress, std::size_t target_count,
                                     const transit::OriginLegs& legs, transit::Time departure,
                                     const transit::RaptorOptions& options) {
    return TimeExpandedOracle(trips, stop_count, footpaths, egress, target_count, options)
        .run(legs, departure);
}

}  // namespace lifecircle::test
