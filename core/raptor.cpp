#include "core/raptor.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace lifecircle::transit {

namespace {

constexpr std::uint32_t no_position = std::numeric_limits<std::uint32_t>::max();

/** a + b without passing no_time (labels near the top of the range stay "not reached"). */
Time add(Time a, Time b) {
    const std::int64_t s = std::int64_t{a} + b;
    return s >= no_time ? no_time - 1 : static_cast<Time>(s);
}

}  // namespace

RaptorWorkspace::RaptorWorkspace(const Timetable& timetable, std::uint32_t max_rides)
    : m_stops(timetable.stop_count()),
      m_capacity(max_rides),
      m_rides(max_rides),
      m_best((std::size_t{max_rides} + 1) * m_stops, no_time),
      m_ride((std::size_t{max_rides} + 1) * m_stops, no_time),
      m_dirty_flag(m_stops, 0),
      m_changed_flag((std::size_t{max_rides} + 1) * m_stops, 0),
      m_changed(max_rides + 1),
      m_final_flag(m_stops, 0),
      m_marked_flag(m_stops, 0),
      m_rode_flag(m_stops, 0),
      m_pattern_from(timetable.pattern_count(), no_position) {}

void RaptorWorkspace::reset() {
    for (StopId s : m_dirty) {
        for (std::uint32_t k = 0; k <= m_capacity; ++k) {
            m_best[index(k, s)] = no_time;
            m_ride[index(k, s)] = no_time;
        }
        m_dirty_flag[s] = 0;
    }
    m_dirty.clear();
}

void RaptorWorkspace::scan_pattern(const Timetable& tt, PatternId p, std::uint32_t from,
                                   std::uint32_t round, Time limit, Time slack) {
    // Everything the loop reads from the timetable in locals: the label stores below could
    // alias the timetable's unsigned offsets, which would otherwise be reloaded every stop.
    const StopId* const stops = tt.stops(p).data();
    const std::uint8_t* const rules = tt.rules(p).data();
    const std::uint32_t count = static_cast<std::uint32_t>(tt.stops(p).size());
    const std::uint32_t trips = tt.trip_count(p);
    const Time* const arrivals = tt.arrivals(p, 0);
    const Time* const departures = tt.departures(p, 0);
    const Time* const before = m_best.data() + index(round - 1, 0);
    Time* const best = m_best.data() + index(round, 0);
    Time* const ride = m_ride.data() + index(round, 0);
    const bool last_round = round == m_rides;
    std::uint32_t trip = trips;  // none yet
    for (std::uint32_t i = from; i < count; ++i) {
        const StopId s = stops[i];
        const std::uint8_t rule = rules[i];
        if (trip < trips && (rule & StopRule::alight)) {
            const Time a = arrivals[std::size_t{i} * trips + trip];
            if (a <= limit && a < ride[s]) {
                // best <= ride always, so only a new ride can improve best.
                ride[s] = a;
                touch(s);
                changed(round, s);
                if (!m_rode_flag[s]) {
                    m_rode_flag[s] = 1;
                    m_rode.push_back(s);
                }
                if (last_round) ride_improved_final(s);
                if (a < best[s]) {
                    best[s] = a;
                    mark(s);
                }
            }
        }
        if ((rule & StopRule::board) && before[s] != no_time) {
            // Only a trip earlier than the one ridden can improve anything from here on.
            const Time ready = add(before[s], slack);
            const Time* dep = departures + std::size_t{i} * trips;
            if (trip > 0 && dep[trip - 1] >= ready)
                trip = static_cast<std::uint32_t>(std::lower_bound(dep, dep + trip, ready) - dep);
        }
    }
}

void RaptorWorkspace::run_departure(const Timetable& tt, const LegTable& footpaths,
                                    std::span<const Leg> access, Time departure,
                                    const RaptorOptions& options) {
    if (options.max_rides > m_capacity)
        throw std::invalid_argument("RaptorWorkspace: made for " + std::to_string(m_capacity) +
                                    " rides, asked for " + std::to_string(options.max_rides));
    m_rides = options.max_rides;
    const Time limit = add(departure, options.max_travel);
    for (std::uint32_t k = 0; k <= m_capacity; ++k) {
        for (StopId s : m_changed[k]) m_changed_flag[index(k, s)] = 0;
        m_changed[k].clear();
    }
    for (StopId s : m_final_changed) m_final_flag[s] = 0;
    m_final_changed.clear();
    for (StopId s : m_marked_next) m_marked_flag[s] = 0;
    m_marked_next.clear();

    // Round 0: the access walks.
    for (const Leg& leg : access) {
        const Time a = add(departure, leg.seconds);
        if (a <= limit && a < m_best[index(0, leg.to)]) {
            m_best[index(0, leg.to)] = a;
            touch(leg.to);
            changed(0, leg.to);
            mark(leg.to);
        }
    }

    for (std::uint32_t k = 1; k <= m_rides; ++k) {
        // Fewer rides are as good as more: what improved with k-1 rides holds with k.
        for (StopId s : m_changed[k - 1]) {
            if (m_best[index(k - 1, s)] < m_best[index(k, s)]) {
                m_best[index(k, s)] = m_best[index(k - 1, s)];
                changed(k, s);
            }
            if (m_ride[index(k - 1, s)] < m_ride[index(k, s)]) {
                m_ride[index(k, s)] = m_ride[index(k - 1, s)];
                changed(k, s);
                if (k == m_rides) ride_improved_final(s);
            }
        }
        // Patterns through stops improved in the last round, each from its first such stop.
        m_marked.swap(m_marked_next);
        for (StopId s : m_marked) {
            m_marked_flag[s] = 0;
            for (const PatternStop& ps : tt.patterns_at(s)) {
                if (!(tt.rules(ps.pattern)[ps.position] & StopRule::board)) continue;
                std::uint32_t& from = m_pattern_from[ps.pattern];
                if (from == no_position) m_queue.push_back(ps.pattern);
                from = std::min(from, ps.position);
            }
        }
        m_marked.clear();
        for (PatternId p : m_queue) {
            scan_pattern(tt, p, m_pattern_from[p], k, limit, options.board_slack);
            m_pattern_from[p] = no_position;
        }
        m_queue.clear();
        // Footpaths after getting off (never after another walk). Not after the last ride:
        // no vehicle is boarded after it and the egress walk starts where one gets off, so a
        // footpath then would change nothing that is read (a third of the work, saved).
        Time* best = m_best.data() + index(k, 0);
        for (StopId s : m_rode) {
            m_rode_flag[s] = 0;
            if (k == m_rides) continue;
            const Time r = m_ride[index(k, s)];
            for (const Leg& leg : footpaths.row(s)) {
                const Time a = add(r, leg.seconds);
                if (a <= limit && a < best[leg.to]) {
                    best[leg.to] = a;
                    touch(leg.to);
                    changed(k, leg.to);
                    mark(leg.to);
                }
            }
        }
        m_rode.clear();
    }
}

void DepartureTimes::reset(std::size_t targets, std::uint32_t departures) {
    const float inf = std::numeric_limits<float>::infinity();
    if (targets != m_targets || departures != m_departures) {
        m_targets = targets;
        m_departures = departures;
        m_seconds.assign(targets * departures, inf);
        m_reached_flag.assign(targets, 0);
        m_reached.clear();
        m_arrival.assign(targets, no_time);
        m_direct.assign(targets, no_time);
        m_listed_flag.assign(targets, 0);
        m_listed.clear();
        return;
    }
    for (std::uint32_t j : m_reached) {
        std::fill_n(m_seconds.begin() + static_cast<std::ptrdiff_t>(std::size_t{j} * departures),
                    departures, inf);
        m_reached_flag[j] = 0;
    }
    m_reached.clear();
    for (std::uint32_t j : m_listed) {
        m_arrival[j] = no_time;
        m_direct[j] = no_time;
        m_listed_flag[j] = 0;
    }
    m_listed.clear();
}

void transit_times(const Timetable& timetable, const LegTable& footpaths, const LegTable& egress,
                   std::size_t target_count, const OriginLegs& legs, const Departures& departures,
                   const RaptorOptions& options, RaptorWorkspace& ws, DepartureTimes& out) {
    out.reset(target_count, departures.count);
    for (const Leg& leg : legs.direct) {
        out.list(leg.to);
        out.m_direct[leg.to] = std::min(out.m_direct[leg.to], leg.seconds);
    }
    range_raptor(timetable, footpaths, legs.access, departures, options, ws,
                 [&](std::uint32_t d, Time t, const RaptorWorkspace& w) {
                     if (!options.range)
                         for (std::uint32_t j : out.m_listed) out.m_arrival[j] = no_time;
                     for (StopId s : w.ride_changed()) {
                         const Time r = w.ride_arrival(s);
                         for (const Leg& e : egress.row(s)) {
                             const Time a = add(r, e.seconds);
                             if (a < out.m_arrival[e.to]) {
                                 out.list(e.to);
                                 out.m_arrival[e.to] = a;
                             }
                         }
                     }
                     for (std::uint32_t j : out.m_listed) {
                         Time best = out.m_direct[j];
                         if (out.m_arrival[j] != no_time)
                             best = std::min(best, out.m_arrival[j] - t);
                         if (best <= options.max_travel) out.set(j, d, static_cast<float>(best));
                     }
                 });
    std::sort(out.m_reached.begin(), out.m_reached.end());
}

}  // namespace lifecircle::transit
