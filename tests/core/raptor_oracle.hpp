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

/** Earliest arrivals from `legs` leaving at `departure`, by Dijkstra; see the file comment. */
inline OracleResult oracle_departure(const transit::TripList& trips, std::size_t stop_count,
                                     const transit::LegTable& footpaths,
                                     const transit::LegTable& egress, std::size_t target_count,
                                     const transit::OriginLegs& legs, transit::Time departure,
                                     const transit::RaptorOptions& options) {
    using transit::Time;
    using transit::no_time;
    const std::size_t K = options.max_rides;
    const Time limit = departure + options.max_travel;
    // Stop states: (stop, rides, got_off); seat states follow, one per (trip stop time, rides).
    auto stop_state = [&](std::size_t s, std::size_t k, bool off) { return (s * (K + 1) + k) * 2 + off; };
    const std::size_t seats_base = stop_count * (K + 1) * 2;
    std::vector<std::size_t> first_time(trips.size() + 1, 0);
    for (std::size_t t = 0; t < trips.size(); ++t) first_time[t + 1] = first_time[t] + trips.stops(t).size();
    auto seat_state = [&](std::size_t trip, std::size_t i, std::size_t k) {
        return seats_base + (first_time[trip] + i) * (K + 1) + k;
    };
    // Which trips stop where: (trip, index) per stop.
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>> calls(stop_count);
    for (std::size_t t = 0; t < trips.size(); ++t)
        for (std::size_t i = 0; i < trips.stops(t).size(); ++i) calls[trips.stops(t)[i]].push_back({t, i});

    std::vector<Time> label(seats_base + first_time.back() * (K + 1), no_time);
    std::vector<std::uint8_t> done(label.size(), 0);
    using Item = std::pair<Time, std::size_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
    auto offer = [&](std::size_t state, Time t) {
        if (t <= limit && t < label[state]) {
            label[state] = t;
            heap.push({t, state});
        }
    };
    for (const transit::Leg& leg : legs.access) offer(stop_state(leg.to, 0, false), departure + leg.seconds);
    while (!heap.empty()) {
        const auto [t, state] = heap.top();
        heap.pop();
        if (done[state] || t != label[state]) continue;
        done[state] = 1;
        if (state < seats_base) {
            const bool off = state % 2 == 1;
            const std::size_t k = state / 2 % (K + 1);
            const std::size_t s = state / 2 / (K + 1);
            if (k < K) {
                for (const auto& [trip, i] : calls[s]) {
                    if (i + 1 == trips.stops(trip).size()) continue;
                    if (!(trips.rules(trip)[i] & transit::StopRule::board)) continue;
                    if (trips.departure(trip)[i] < t + options.board_slack) continue;
                    offer(seat_state(trip, i + 1, k + 1), trips.arrival(trip)[i + 1]);
                }
            }
            if (off)
                for (const transit::Leg& f : footpaths.row(s)) offer(stop_state(f.to, k, false), t + f.seconds);
        } else {
            const std::size_t rest = state - seats_base;
            const std::size_t k = rest % (K + 1);
            const std::size_t time_index = rest / (K + 1);
            const std::size_t trip = static_cast<std::size_t>(
                std::upper_bound(first_time.begin(), first_time.end(), time_index) - first_time.begin() - 1);
            const std::size_t i = time_index - first_time[trip];
            if (trips.rules(trip)[i] & transit::StopRule::alight)
                offer(stop_state(trips.stops(trip)[i], k, true), t);
            if (i + 1 < trips.stops(trip).size()) offer(seat_state(trip, i + 1, k), trips.arrival(trip)[i + 1]);
        }
    }

    OracleResult r;
    r.best.assign(stop_count, no_time);
    r.ride.assign(stop_count, no_time);
    for (std::size_t s = 0; s < stop_count; ++s) {
        for (std::size_t k = 0; k <= K; ++k) {
            const Time walked = k < K ? label[stop_state(s, k, false)] : no_time;
            r.best[s] = std::min({r.best[s], walked, label[stop_state(s, k, true)]});
            r.ride[s] = std::min(r.ride[s], label[stop_state(s, k, true)]);
        }
    }
    std::vector<Time> arrive(target_count, no_time);
    for (const transit::Leg& leg : legs.direct) arrive[leg.to] = std::min(arrive[leg.to], departure + leg.seconds);
    for (std::size_t s = 0; s < stop_count; ++s) {
        if (r.ride[s] == no_time) continue;
        for (const transit::Leg& e : egress.row(s)) arrive[e.to] = std::min(arrive[e.to], r.ride[s] + e.seconds);
    }
    r.travel.assign(target_count, -1);
    for (std::size_t j = 0; j < target_count; ++j)
        if (arrive[j] != no_time && arrive[j] - departure <= options.max_travel) r.travel[j] = arrive[j] - departure;
    return r;
}

}  // namespace lifecircle::test
