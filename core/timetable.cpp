#include "core/timetable.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace lifecircle::transit {

void TripList::add(std::uint32_t route, std::span<const StopId> stops,
                   std::span<const Time> arrival, std::span<const Time> departure,
                   std::span<const std::uint8_t> rules) {
    const std::size_t n = stops.size();
    if (n < 2) throw std::invalid_argument("TripList::add: a trip needs at least two stops");
    if (arrival.size() != n || departure.size() != n || (!rules.empty() && rules.size() != n))
        throw std::invalid_argument("TripList::add: stops, times and rules differ in length");
    for (std::size_t i = 0; i < n; ++i) {
        if (departure[i] < arrival[i])
            throw std::invalid_argument("TripList::add: a departure before its arrival at stop " +
                                        std::to_string(i));
        if (i > 0 && arrival[i] < departure[i - 1])
            throw std::invalid_argument(
                "TripList::add: an arrival before the departure from "
                "the stop before, at stop " +
                std::to_string(i));
    }
    m_route.push_back(route);
    m_stop.insert(m_stop.end(), stops.begin(), stops.end());
    m_arrival.insert(m_arrival.end(), arrival.begin(), arrival.end());
    m_departure.insert(m_departure.end(), departure.begin(), departure.end());
    if (rules.empty()) {
        m_rules.insert(m_rules.end(), n, StopRule::board_and_alight);
    } else {
        m_rules.insert(m_rules.end(), rules.begin(), rules.end());
    }
    m_first.push_back(static_cast<std::uint32_t>(m_stop.size()));
    for (StopId s : stops) m_stop_bound = std::max<std::size_t>(m_stop_bound, std::size_t{s} + 1);
}

namespace {

/** The bytes of a trip's route, stops and rules: trips with equal keys may share a pattern. */
std::string pattern_key(const TripList& trips, std::size_t i) {
    const auto stops = trips.stops(i);
    const auto rules = trips.rules(i);
    std::string key;
    key.reserve(4 + stops.size() * 5);
    const std::uint32_t route = trips.route(i);
    key.append(reinterpret_cast<const char*>(&route), sizeof route);
    key.append(reinterpret_cast<const char*>(stops.data()), stops.size() * sizeof(StopId));
    key.append(reinterpret_cast<const char*>(rules.data()), rules.size());
    return key;
}

/** Whether trip b never runs ahead of trip a: at every stop b arrives and departs no earlier. */
bool not_before(const TripList& trips, std::size_t a, std::size_t b) {
    const auto aa = trips.arrival(a), ad = trips.departure(a);
    const auto ba = trips.arrival(b), bd = trips.departure(b);
    for (std::size_t i = 0; i < aa.size(); ++i)
        if (ba[i] < aa[i] || bd[i] < ad[i]) return false;
    return true;
}

}  // namespace

Timetable build_timetable(const TripList& trips, std::size_t stop_count) {
    if (stop_count < trips.stop_bound())
        throw std::invalid_argument("build_timetable: a trip uses stop " +
                                    std::to_string(trips.stop_bound() - 1) + " of only " +
                                    std::to_string(stop_count));
    // Groups in the order their first trip was added, so the result does not depend on hashing.
    std::unordered_map<std::string, std::uint32_t> group_of;
    std::vector<std::vector<std::uint32_t>> groups;
    for (std::uint32_t i = 0; i < trips.size(); ++i) {
        const auto [it, added] =
            group_of.try_emplace(pattern_key(trips, i), static_cast<std::uint32_t>(groups.size()));
        if (added) groups.emplace_back();
        groups[it->second].push_back(i);
    }

    Timetable t;
    for (std::vector<std::uint32_t>& group : groups) {
        // By departure from the first stop, then by every time along the trip, then by index:
        // a total order, so equal trips keep their input order.
        std::sort(group.begin(), group.end(), [&](std::uint32_t a, std::uint32_t b) {
            const auto ad = trips.departure(a), bd = trips.departure(b);
            const auto aa = trips.arrival(a), ba = trips.arrival(b);
            for (std::size_t i = 0; i < ad.size(); ++i) {
                if (ad[i] != bd[i]) return ad[i] < bd[i];
                if (aa[i] != ba[i]) return aa[i] < ba[i];
            }
            return a < b;
        });
        // First fit: each trip joins the first pattern whose last trip it does not overtake.
        std::vector<std::vector<std::uint32_t>> split;
        for (std::uint32_t trip : group) {
            auto fits = std::find_if(split.begin(), split.end(), [&](const auto& s) {
                return not_before(trips, s.back(), trip);
            });
            if (fits == split.end()) {
                split.push_back({trip});
            } else {
                fits->push_back(trip);
            }
        }
        for (const std::vector<std::uint32_t>& members : split) {
            const std::uint32_t first = members.front();
            const auto stops = trips.stops(first);
            const auto rules = trips.rules(first);
            const std::size_t n = stops.size(), m = members.size();
            t.m_pattern_route.push_back(trips.route(first));
            t.m_pattern_stop.insert(t.m_pattern_stop.end(), stops.begin(), stops.end());
            t.m_pattern_rules.insert(t.m_pattern_rules.end(), rules.begin(), rules.end());
            t.m_stop_first.push_back(static_cast<std::uint32_t>(t.m_pattern_stop.size()));
            t.m_trip_source.insert(t.m_trip_source.end(), members.begin(), members.end());
            t.m_trip_first.push_back(static_cast<std::uint32_t>(t.m_trip_source.size()));
            t.m_time_first.push_back(t.m_arrival.size());
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t k = 0; k < m; ++k) {
                    t.m_arrival.push_back(trips.arrival(members[k])[i]);
                    t.m_departure.push_back(trips.departure(members[k])[i]);
                }
            }
        }
    }

    // Stop -> (pattern, position), sorted by stop, then pattern, then position.
    t.m_stop_patterns_first.assign(stop_count + 1, 0);
    for (StopId s : t.m_pattern_stop) ++t.m_stop_patterns_first[s + 1];
    for (std::size_t s = 0; s < stop_count; ++s)
        t.m_stop_patterns_first[s + 1] += t.m_stop_patterns_first[s];
    t.m_stop_patterns.resize(t.m_pattern_stop.size());
    std::vector<std::uint32_t> next(t.m_stop_patterns_first.begin(),
                                    t.m_stop_patterns_first.end() - 1);
    for (PatternId p = 0; p < t.pattern_count(); ++p) {
        const auto stops = t.stops(p);
        for (std::uint32_t i = 0; i < stops.size(); ++i)
            t.m_stop_patterns[next[stops[i]]++] = {p, i};
    }
    return t;
}

void Timetable::validate() const {
    auto fail = [](const std::string& what) { throw std::logic_error("Timetable: " + what); };
    const std::size_t patterns = pattern_count();
    if (m_stop_first.size() != patterns + 1 || m_trip_first.size() != patterns + 1 ||
        m_time_first.size() != patterns)
        fail("pattern offsets have the wrong size");
    for (PatternId p = 0; p < patterns; ++p) {
        const auto s = stops(p);
        const std::uint32_t m = trip_count(p);
        if (s.size() < 2) fail("pattern " + std::to_string(p) + " has fewer than two stops");
        if (m == 0) fail("pattern " + std::to_string(p) + " has no trips");
        for (StopId stop : s)
            if (stop >= stop_count())
                fail("pattern " + std::to_string(p) + " uses an unknown stop");
        for (std::uint32_t i = 0; i < s.size(); ++i) {
            const Time* a = arrivals(p, i);
            const Time* d = departures(p, i);
            for (std::uint32_t k = 0; k < m; ++k) {
                if (d[k] < a[k]) fail("pattern " + std::to_string(p) + " departs before arriving");
                if (i > 0 && a[k] < departures(p, i - 1)[k])
                    fail("pattern " + std::to_string(p) +
                         " arrives before leaving the stop before");
                if (k > 0 && (a[k] < a[k - 1] || d[k] < d[k - 1]))
                    fail("pattern " + std::to_string(p) + " has a trip overtaking another");
            }
        }
    }
    std::size_t listed = 0;
    for (StopId s = 0; s < stop_count(); ++s) {
        for (const PatternStop& ps : patterns_at(s)) {
            if (ps.pattern >= patterns || ps.position >= stops(ps.pattern).size() ||
                stops(ps.pattern)[ps.position] != s)
                fail("the stop index lists a pattern not passing stop " + std::to_string(s));
            ++listed;
        }
    }
    if (listed != m_pattern_stop.size()) fail("the stop index misses pattern stops");
}

LegTable::LegTable(std::vector<std::vector<Leg>> rows) {
    std::size_t total = 0;
    for (const auto& r : rows) total += r.size();
    m_first.reserve(rows.size() + 1);
    m_legs.reserve(total);
    for (auto& r : rows) {
        std::sort(r.begin(), r.end(), [](const Leg& a, const Leg& b) {
            return a.to != b.to ? a.to < b.to : a.seconds < b.seconds;
        });
        m_legs.insert(m_legs.end(), r.begin(), r.end());
        m_first.push_back(m_legs.size());
        std::vector<Leg>().swap(r);
    }
}

}  // namespace lifecircle::transit
