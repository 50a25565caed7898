#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <vector>

#include <catch2/catch.hpp>

#include "core/raptor.hpp"
#include "core/timetable.hpp"
#include "raptor_oracle.hpp"

using namespace lifecircle;
using namespace lifecircle::transit;
using lifecircle::test::oracle_departure;

namespace {

constexpr Time hm(int h, int m, int s = 0) { return h * 3600 + m * 60 + s; }

/** A trip calling at stops at the given times (arrival = departure). */
void add_trip(TripList& trips, std::uint32_t route, std::vector<std::pair<StopId, Time>> calls,
              std::vector<std::uint8_t> rules = {}) {
    std::vector<StopId> stops;
    std::vector<Time> times;
    for (auto [s, t] : calls) {
        stops.push_back(s);
        times.push_back(t);
    }
    trips.add(route, stops, times, times, rules);
}

LegTable table(std::size_t rows, std::vector<std::tuple<std::uint32_t, std::uint32_t, Time>> legs) {
    std::vector<std::vector<Leg>> r(rows);
    for (auto [from, to, s] : legs) r[from].push_back({to, s});
    return LegTable(std::move(r));
}

/** Travel times of one origin as (departure, target) -> seconds; -1 for +inf. */
std::vector<std::vector<Time>> times_of(const DepartureTimes& t) {
    std::vector<std::vector<Time>> out(t.departures(), std::vector<Time>(t.targets(), -1));
    for (std::uint32_t d = 0; d < t.departures(); ++d)
        for (std::uint32_t j = 0; j < t.targets(); ++j)
            if (std::isfinite(t.at(j, d))) out[d][j] = static_cast<Time>(t.at(j, d));
    return out;
}

// The paper network of the first tests. Stops A..E, targets X and Y.
//
//   route 0:  A 08:00 -> B 08:10 -> C 08:20        A 08:10 -> B 08:20 -> C 08:30
//   route 1:  C 08:20 -> D 08:30  (leaves as route 0 arrives)
//             C 08:25 -> D 08:40      C 08:35 -> D 08:50
//   route 2:  E 08:24 -> D 08:45      footpaths C <-> E 120 s
//   walks:    origin -> A 300 s, origin -> X 3600 s (all the way);
//             D -> X 180 s, C -> X 1500 s, E -> Y 60 s
enum : StopId { A, B, C, D, E };
enum : std::uint32_t { X, Y };

struct PaperNetwork {
    TripList trips;
    Timetable timetable;
    LegTable footpaths = table(5, {{C, E, 120}, {E, C, 120}});
    LegTable egress = table(5, {{D, X, 180}, {C, X, 1500}, {E, Y, 60}});
    OriginLegs legs{{{A, 300}}, {{X, 3600}}};

    PaperNetwork() {
        add_trip(trips, 0, {{A, hm(8, 0)}, {B, hm(8, 10)}, {C, hm(8, 20)}});
        add_trip(trips, 0, {{A, hm(8, 10)}, {B, hm(8, 20)}, {C, hm(8, 30)}});
        add_trip(trips, 1, {{C, hm(8, 20)}, {D, hm(8, 30)}});
        add_trip(trips, 1, {{C, hm(8, 25)}, {D, hm(8, 40)}});
        add_trip(trips, 1, {{C, hm(8, 35)}, {D, hm(8, 50)}});
        add_trip(trips, 2, {{E, hm(8, 24)}, {D, hm(8, 45)}});
        timetable = build_timetable(trips, 5);
    }

    std::vector<std::vector<Time>> run(const RaptorOptions& o,
                                       Departures deps = {hm(7, 50), 6, 60}) {
        RaptorWorkspace ws(timetable, 4);
        DepartureTimes out;
        transit_times(timetable, footpaths, egress, 2, legs, deps, o, ws, out);
        return times_of(out);
    }
};

}  // namespace

TEST_CASE("patterns: same stops share one, an overtaking trip gets its own", "[transit][raptor]") {
    TripList trips;
    add_trip(trips, 0, {{0, hm(8, 0)}, {1, hm(8, 10)}, {2, hm(8, 30)}});
    add_trip(trips, 0, {{0, hm(8, 15)}, {1, hm(8, 25)}, {2, hm(8, 45)}});
    add_trip(trips, 0, {{0, hm(8, 5)}, {1, hm(8, 9)}, {2, hm(8, 20)}});   // overtakes the first
    add_trip(trips, 1, {{0, hm(8, 0)}, {1, hm(8, 10)}, {2, hm(8, 30)}});  // another route
    add_trip(trips, 0, {{0, hm(9, 0)}, {1, hm(9, 10)}, {2, hm(9, 30)}},
             {board, board_and_alight, alight});
    const Timetable t = build_timetable(trips, 4);
    t.validate();
    // Route 0: {08:00, 08:15} together and 08:05 alone (it leaves after the 08:00 trip but
    // reaches stop 1 before it); the trip with other stop rules; route 1.
    REQUIRE(t.pattern_count() == 4);
    REQUIRE(t.trip_count() == 5);
    std::multiset<std::uint32_t> sizes;
    for (PatternId p = 0; p < t.pattern_count(); ++p) sizes.insert(t.trip_count(p));
    CHECK(sizes == std::multiset<std::uint32_t>{1, 1, 1, 2});
    CHECK(t.patterns_at(3).empty());
    CHECK(t.patterns_at(1).size() == 4);

    // RAPTOR finds the later but faster trip: leave stop 0 at 07:59, at stop 2 by 08:20.
    RaptorWorkspace ws(t, 1);
    const std::vector<Leg> access{{0, 0}};
    RaptorOptions o;
    o.board_slack = 0;
    o.max_rides = 1;
    range_raptor(t, LegTable(std::vector<std::vector<Leg>>(4)), access, {hm(7, 59), 1, 60}, o, ws,
                 [&](std::uint32_t, Time, const RaptorWorkspace& w) {
                     CHECK(w.ride_arrival(2) == hm(8, 20));
                     CHECK(w.ride_arrival(1) == hm(8, 9));
                 });
}

TEST_CASE("TripList refuses trips that go back in time", "[transit][raptor]") {
    TripList trips;
    const std::vector<StopId> s{0, 1};
    CHECK_THROWS_WITH(trips.add(0, s, std::vector<Time>{100, 50}, std::vector<Time>{100, 50}),
                      Catch::Contains("arrival before the departure"));
    CHECK_THROWS_WITH(trips.add(0, s, std::vector<Time>{100, 200}, std::vector<Time>{90, 200}),
                      Catch::Contains("departure before its arrival"));
    CHECK_THROWS_WITH(
        trips.add(0, std::vector<StopId>{0}, std::vector<Time>{1}, std::vector<Time>{1}),
        Catch::Contains("at least two stops"));
}

TEST_CASE("RAPTOR on a paper network: transfer, wait, missed connection, walking",
          "[transit][raptor]") {
    PaperNetwork net;
    RaptorOptions o;  // board slack 60 s, at most 3 vehicles
    // 07:50: at A 07:55, the 08:00 bus, C 08:20; the 08:20 connection leaves as we arrive
    // (missed: a minute's slack), so the 08:25 one: D 08:40, X 08:43 = 53 min. Via E (footpath
    // 08:22, bus 08:24) D is reached at 08:45 only. Y is never reached: E -> Y would follow a
    // footpath, and two walks in a row are not a journey (E is never got off at).
    // 07:54: at A 07:59, the 08:00 bus is still caught (slack exactly 60 s): 49 min.
    // 07:55: at A 08:00, the 08:00 bus has gone: 08:10 bus, C 08:30, 08:35, D 08:50, X 08:53.
    const auto t = net.run(o);
    const std::vector<Time> expected_x{3180, 3120, 3060, 3000, 2940, 3480};
    for (std::uint32_t d = 0; d < 6; ++d) {
        INFO("departure " << d);
        CHECK(t[d][X] == expected_x[d]);
        CHECK(t[d][Y] == -1);
    }
    // One vehicle: to C and walk 25 minutes (07:50: 08:45, 55 min); at 07:55 the 08:30 arrival
    // plus the walk (60 min) ties with walking all the way.
    o.max_rides = 1;
    const auto one = net.run(o);
    const std::vector<Time> one_x{3300, 3240, 3180, 3120, 3060, 3600};
    for (std::uint32_t d = 0; d < 6; ++d) CHECK(one[d][X] == one_x[d]);
    // No slack: the 08:20 connection is caught and the 08:00 bus too at 07:55: X at 08:33.
    o.max_rides = 3;
    o.board_slack = 0;
    const auto none = net.run(o);
    const std::vector<Time> none_x{2580, 2520, 2460, 2400, 2340, 2280};
    for (std::uint32_t d = 0; d < 6; ++d) CHECK(none[d][X] == none_x[d]);
    // Waiting at the first stop counts: leaving at 07:30 for the 08:00 bus is 73 minutes,
    // more than walking all the way (60), so walking wins.
    o.board_slack = 60;
    const auto early = net.run(o, {hm(7, 30), 1, 60});
    CHECK(early[0][X] == 3600);
    // A journey longer than max_travel is unreachable.
    o.max_travel = 3000;
    const auto capped = net.run(o);
    CHECK(capped[0][X] == -1);  // 3180 > 3000, and the walk (3600) too
    CHECK(capped[4][X] == 2940);
}

TEST_CASE("range RAPTOR equals RAPTOR from scratch per departure on the paper network",
          "[transit][raptor]") {
    PaperNetwork net;
    RaptorOptions range, plain;
    plain.range = false;
    const Departures deps{hm(7, 0), 120, 60};
    CHECK(net.run(range, deps) == net.run(plain, deps));
}

TEST_CASE("RAPTOR's labels are reset between origins", "[transit][raptor]") {
    PaperNetwork net;
    RaptorWorkspace ws(net.timetable, 3);
    RaptorOptions o;
    DepartureTimes out;
    transit_times(net.timetable, net.footpaths, net.egress, 2, net.legs, {hm(7, 50), 6, 60}, o, ws,
                  out);
    CHECK(out.reached().size() == 1);
    // An origin next to nothing: nothing but its own walk, whatever the last origin found.
    const OriginLegs nowhere{{}, {{Y, 100}}};
    transit_times(net.timetable, net.footpaths, net.egress, 2, nowhere, {hm(7, 50), 6, 60}, o, ws,
                  out);
    REQUIRE(out.reached().size() == 1);
    CHECK(out.reached()[0] == Y);
    CHECK(!std::isfinite(out.at(X, 0)));
    CHECK(out.at(Y, 5) == 100.0f);
    for (StopId s = 0; s < 5; ++s) CHECK(ws.ride_arrival(s) == no_time);
}

namespace {

/** A random feed: routes over random stops, trips with random speeds (some overtake),
    some stops without boarding or alighting, random footpaths and egress walks. */
struct RandomFeed {
    std::size_t stops = 0;
    std::size_t targets = 5;
    TripList trips;
    Timetable timetable;
    LegTable footpaths;
    LegTable egress;

    explicit RandomFeed(std::uint32_t seed) {
        std::mt19937 rng(seed);
        auto uniform = [&](int lo, int hi) {
            return std::uniform_int_distribution<int>(lo, hi)(rng);
        };
        auto chance = [&](double p) {
            return std::uniform_real_distribution<double>(0, 1)(rng) < p;
        };
        stops = static_cast<std::size_t>(uniform(6, 14));
        const int routes = uniform(3, 7);
        for (int r = 0; r < routes; ++r) {
            std::vector<StopId> all(stops);
            for (StopId s = 0; s < stops; ++s) all[s] = s;
            std::shuffle(all.begin(), all.end(), rng);
            all.resize(
                static_cast<std::size_t>(uniform(2, std::min<int>(6, static_cast<int>(stops)))));
            std::vector<int> hop(all.size());
            for (int& h : hop) h = uniform(60, 600);
            const int count = uniform(2, 9);
            for (int k = 0; k < count; ++k) {
                const double speed = chance(0.25) ? 0.5 : 1.0;  // expresses overtake
                Time t = hm(7, 0) + uniform(0, 3 * 3600);
                std::vector<Time> arr, dep;
                std::vector<std::uint8_t> rules;
                for (std::size_t i = 0; i < all.size(); ++i) {
                    if (i > 0) t += static_cast<Time>(hop[i] * speed) + uniform(0, 30);
                    arr.push_back(t);
                    t += chance(0.3) ? uniform(0, 90) : 0;
                    dep.push_back(t);
                    std::uint8_t rule = board_and_alight;
                    if (chance(0.1)) rule &= static_cast<std::uint8_t>(~board);
                    if (chance(0.1)) rule &= static_cast<std::uint8_t>(~alight);
                    rules.push_back(rule);
                }
                trips.add(static_cast<std::uint32_t>(r), all, arr, dep, rules);
            }
        }
        timetable = build_timetable(trips, stops);
        timetable.validate();
        std::vector<std::vector<Leg>> fp(stops), eg(stops);
        for (StopId s = 0; s < stops; ++s) {
            for (StopId q = 0; q < stops; ++q)
                if (q != s && chance(0.2)) fp[s].push_back({q, uniform(20, 400)});
            for (std::uint32_t j = 0; j < targets; ++j)
                if (chance(0.35)) eg[s].push_back({j, uniform(0, 900)});
        }
        footpaths = LegTable(std::move(fp));
        egress = LegTable(std::move(eg));
    }

    /** Every stop alone as an origin, and a few origins walking to several stops. */
    std::vector<OriginLegs> origins(std::uint32_t seed) const {
        std::mt19937 rng(seed * 7 + 1);
        auto uniform = [&](int lo, int hi) {
            return std::uniform_int_distribution<int>(lo, hi)(rng);
        };
        std::vector<OriginLegs> out;
        for (StopId s = 0; s < stops; ++s) out.push_back({{{s, 0}}, {}});
        for (int k = 0; k < 3; ++k) {
            OriginLegs o;
            for (int i = uniform(1, 3); i > 0; --i)
                o.access.push_back(
                    {static_cast<std::uint32_t>(uniform(0, static_cast<int>(stops) - 1)),
                     uniform(0, 600)});
            for (std::uint32_t j = 0; j < targets; ++j)
                if (uniform(0, 2) == 0) o.direct.push_back({j, uniform(600, 6000)});
            out.push_back(o);
        }
        return out;
    }
};

}  // namespace

TEST_CASE("range RAPTOR equals a time-expanded Dijkstra on random feeds, exactly",
          "[transit][raptor][oracle]") {
    std::size_t compared = 0, reached = 0;
    for (std::uint32_t seed = 1; seed <= 12; ++seed) {
        const RandomFeed feed(seed);
        const Departures deps{hm(7, 30), 60, 60};
        for (std::uint32_t rides = 1; rides <= 4; ++rides) {
            RaptorOptions o;
            o.max_rides = rides;
            o.board_slack = seed % 3 == 0 ? 0 : 60;
            o.max_travel = seed % 2 == 0 ? 3600 : 7200;
            RaptorWorkspace ws(feed.timetable, 4);
            RaptorWorkspace ws_plain(feed.timetable, 4);
            DepartureTimes out, out_plain;
            const auto origins = feed.origins(seed);
            for (std::size_t oi = 0; oi < origins.size(); ++oi) {
                const OriginLegs& legs = origins[oi];
                std::vector<test::OracleResult> expected(deps.count);
                for (std::uint32_t d = 0; d < deps.count; ++d)
                    expected[d] = oracle_departure(feed.trips, feed.stops, feed.footpaths,
                                                   feed.egress, feed.targets, legs, deps.at(d), o);
                // Stop labels, departure by departure (labels above the limit are not answers).
                range_raptor(
                    feed.timetable, feed.footpaths, legs.access, deps, o, ws,
                    [&](std::uint32_t d, Time t, const RaptorWorkspace& w) {
                        const Time limit = t + o.max_travel;
                        for (StopId s = 0; s < feed.stops; ++s) {
                            const Time best =
                                w.arrival(s, rides) <= limit ? w.arrival(s, rides) : no_time;
                            const Time ride =
                                w.ride_arrival(s) <= limit ? w.ride_arrival(s) : no_time;
                            if (best != expected[d].best[s] || ride != expected[d].ride[s]) {
                                FAIL_CHECK("seed " << seed << " rides " << rides << " origin " << oi
                                                   << " departure " << d << " stop " << s
                                                   << ": raptor " << best << "/" << ride
                                                   << ", oracle " << expected[d].best[s] << "/"
                                                   << expected[d].ride[s]);
                            }
                        }
                    });
                // Travel times to targets, with and without the range property.
                transit_times(feed.timetable, feed.footpaths, feed.egress, feed.targets, legs, deps,
                              o, ws, out);
                RaptorOptions plain = o;
                plain.range = false;
                transit_times(feed.timetable, feed.footpaths, feed.egress, feed.targets, legs, deps,
                              plain, ws_plain, out_plain);
                const auto got = times_of(out);
                REQUIRE(got == times_of(out_plain));
                for (std::uint32_t d = 0; d < deps.count; ++d) {
                    for (std::uint32_t j = 0; j < feed.targets; ++j) {
                        ++compared;
                        reached += got[d][j] >= 0;
                        if (got[d][j] != expected[d].travel[j])
                            FAIL_CHECK("seed " << seed << " rides " << rides << " origin " << oi
                                               << " departure " << d << " target " << j
                                               << ": raptor " << got[d][j] << ", oracle "
                                               << expected[d].travel[j]);
                    }
                }
            }
        }
    }
    // The comparison means something: many pairs, a good part of them reached.
    CHECK(compared > 50000);
    CHECK(reached > compared / 5);
}

TEST_CASE("RaptorWorkspace refuses more rides than it was made for", "[transit][raptor]") {
    PaperNetwork net;
    RaptorWorkspace ws(net.timetable, 2);
    RaptorOptions o;
    o.max_rides = 3;
    CHECK_THROWS_WITH(ws.run_departure(net.timetable, net.footpaths, net.legs.access, 0, o),
                      Catch::Contains("made for 2 rides, asked for 3"));
}
