#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/graph.hpp"
#include "core/snap.hpp"
#include "core/transit_router.hpp"
#include "helpers.hpp"
#include "raptor_oracle.hpp"
#include "snap_helpers.hpp"

using namespace lifecircle;
using namespace lifecircle::test;
using namespace lifecircle::transit;

namespace {

constexpr Time hm(int h, int m, int s = 0) { return h * 3600 + m * 60 + s; }
constexpr float inf = std::numeric_limits<float>::infinity();

/** O at column 0, A at 4, C at 68, B at 76, X at 80 (25 m a column). */
std::string street_map() {
    std::string m(81, '-');
    m[0] = 'O';
    m[4] = 'A';
    m[68] = 'C';
    m[76] = 'B';
    m[80] = 'X';
    return m;
}

/**
 * One straight street walked at 1 m/s (a character is 25 m):
 *
 *   O---A----------------------------------------------------------------C-------B---X
 *   0   100                                                           1700     1900  2000 m
 *
 * The origin stands at O, target 0 at X, target 1 at A. Stops A, B and C are on the street;
 * stop Z is far away and does not snap. Buses: A 08:05 -> B 08:06:40 and A 08:35 -> B 08:36:40;
 * B 09:00 -> Z 09:30.
 */
struct Street {
    TestGraph t =
        ascii_graph(street_map(), {{"OACBX"}}, {walk_1mps(), length_profile(walk_1mps())});
    TripList trips;
    Timetable timetable;
    std::vector<Snap> stops;
    std::vector<Snap> targets;
    Snap origin;

    Street() {
        const Snapper snapper(t.graph, t.graph.profile_id(Mode::walk), SnapOptions{});
        stops = snapper.snap_all(
            std::vector<Point>{t.xy.at('A'), t.xy.at('B'), t.xy.at('C'), {1e6, 1e6}});
        targets = snapper.snap_all(std::vector<Point>{t.xy.at('X'), t.xy.at('A')});
        origin = snapper.snap(t.xy.at('O'));
        const std::vector<StopId> ab{0, 1}, bz{1, 3};
        trips.add(0, ab, std::vector<Time>{hm(8, 5), hm(8, 6, 40)},
                  std::vector<Time>{hm(8, 5), hm(8, 6, 40)});
        trips.add(0, ab, std::vector<Time>{hm(8, 35), hm(8, 36, 40)},
                  std::vector<Time>{hm(8, 35), hm(8, 36, 40)});
        trips.add(1, bz, std::vector<Time>{hm(9, 0), hm(9, 30)},
                  std::vector<Time>{hm(9, 0), hm(9, 30)});
        timetable = build_timetable(trips, 4);
    }

    RouterOptions options() const {
        RouterOptions o;
        o.departures = {hm(8, 0), 5, 60};
        o.max_walk_seconds = 600;
        o.max_direct_walk_seconds = 3000;
        return o;
    }
};

std::vector<float> times_to(const DepartureTimes& t, std::uint32_t j) {
    const auto of = t.of(j);
    return {of.begin(), of.end()};
}

}  // namespace

TEST_CASE("transit on a street: access, bus, egress, walking all the way beats a late bus",
          "[transit][router]") {
    Street s;
    const TransitRouter router(s.t.graph, s.t.graph.profile_id(Mode::walk), s.timetable, s.stops,
                               s.targets, s.options());
    REQUIRE(router.unsnapped_stops().size() == 1);
    CHECK(router.unsnapped_stops()[0] == 3);
    // Footpaths: B <-> C, 200 m; A is 1600 m from C (over 500 m).
    CHECK(router.footpaths().row(1).size() == 1);
    CHECK(router.footpaths().row(1)[0] == Leg{2, 200});
    CHECK(router.footpaths().row(0).empty());
    // Egress within 600 s: B -> X 100 s, C -> X 300 s, A -> A 0 s.
    CHECK(router.egress().row(1)[0] == Leg{0, 100});
    CHECK(router.egress().row(2)[0] == Leg{0, 300});
    CHECK(router.egress().row(0)[0] == Leg{1, 0});
    CHECK(router.egress().row(3).empty());

    TransitRouter::Workspace ws(router);
    const DepartureTimes& t = router.route(s.origin, ws);
    // 08:00: at A 08:01:40, ready 08:02:40, the 08:05 bus, B 08:06:40, X 08:08:20 = 500 s.
    // 08:03: at A 08:04:40, not ready before 08:05:40: the 08:35 bus, X 08:38:20 (2120 s), but
    // walking the 2000 m takes 2000 s.
    CHECK(times_to(t, 0) == std::vector<float>{500, 440, 380, 2000, 2000});
    CHECK(times_to(t, 1) == std::vector<float>{100, 100, 100, 100, 100});
    CHECK(ws.legs.access == std::vector<Leg>{{0, 100}});

    // Walking all the way limited to 1000 s: the late bus it is. By default the limit is
    // the access and egress limit (600 s), with the same result.
    RouterOptions o = s.options();
    o.max_direct_walk_seconds = unreachable;
    CHECK(TransitRouter(s.t.graph, s.t.graph.profile_id(Mode::walk), s.timetable, s.stops,
                        s.targets, o)
              .direct_walk_limit() == 600);
    o.max_direct_walk_seconds = 1000;
    const TransitRouter limited(s.t.graph, s.t.graph.profile_id(Mode::walk), s.timetable, s.stops,
                                s.targets, o);
    CHECK(times_to(limited.route(s.origin, ws), 0) ==
          std::vector<float>{500, 440, 380, 2120, 2060});
    // And at most 2000 s of travel: 2120 and 2060 are unreachable.
    o.raptor.max_travel = 2000;
    const TransitRouter capped(s.t.graph, s.t.graph.profile_id(Mode::walk), s.timetable, s.stops,
                               s.targets, o);
    CHECK(times_to(capped.route(s.origin, ws), 0) == std::vector<float>{500, 440, 380, inf, inf});
    // An origin that did not snap reaches nothing.
    Snap nowhere;
    nowhere.failure = SnapFailure::too_far;
    CHECK(router.route(nowhere, ws).reached().empty());
}

TEST_CASE("footpaths limited by metres on the network with a length profile", "[transit][router]") {
    Street s;
    const ProfileId walk = s.t.graph.profile_id(Mode::walk);
    const ProfileId metres = s.t.graph.profile_id(Mode::walk, Direction::forward, Metric::length);
    RouterOptions o = s.options();
    o.max_transfer_m = 150;
    CHECK(TransitRouter(s.t.graph, walk, s.timetable, s.stops, s.targets, o, {}, &metres)
              .footpaths()
              .size() == 0);
    o.max_transfer_m = 250;
    const TransitRouter r(s.t.graph, walk, s.timetable, s.stops, s.targets, o, {}, &metres);
    REQUIRE(r.footpaths().size() == 2);
    CHECK(r.footpaths().row(2)[0] == Leg{1, 200});
    // Without the length profile the same limit is the time 250 m take at the walking speed.
    CHECK(TransitRouter(s.t.graph, walk, s.timetable, s.stops, s.targets, o).footpaths().size() ==
          2);
    CHECK_THROWS_WITH(TransitRouter(s.t.graph, walk, s.timetable, s.stops, s.targets, o, {}, &walk),
                      Catch::Contains("the length profile measures time"));
    CHECK_THROWS_WITH(TransitRouter(s.t.graph, walk.reversed(), s.timetable, s.stops, s.targets, o),
                      Catch::Contains("must be searched forward"));
    CHECK_THROWS_WITH(TransitRouter(s.t.graph, walk, s.timetable,
                                    std::span<const Snap>(s.stops).first(2), s.targets, o),
                      Catch::Contains("2 stop snaps for a timetable of 4 stops"));
}

TEST_CASE("percentiles are nearest rank, as r5's", "[transit][router]") {
    std::vector<float> ten{10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    std::vector<float> out(5);
    percentiles_of(ten, std::vector<double>{25, 50, 75, 100, 1}, out);
    // index ceil(p/100 * 10) - 1 of the sorted times: 3rd, 5th, 8th, 10th, 1st.
    CHECK(out == std::vector<float>{3, 5, 8, 10, 1});
    const std::vector<float> some{100, inf, 300, inf, 200};
    std::vector<float> sorted = some;
    std::sort(sorted.begin(), sorted.end());
    CHECK(percentile_of_sorted(sorted, 50) == 300);  // ceil(2.5) = 3rd of 5
    CHECK(percentile_of_sorted(sorted, 61) == inf);  // ceil(3.05) = 4th: unreachable
    CHECK(percentile_of_sorted({}, 50) == inf);
    // 14% of 50 departures is the 7th time (not the 8th, as p / 100 * n in doubles gives).
    std::vector<float> fifty(50);
    for (std::size_t i = 0; i < 50; ++i) fifty[i] = static_cast<float>(i + 1);
    CHECK(percentile_of_sorted(fifty, 14) == 7);
    CHECK(percentile_of_sorted(fifty, 50) == 25);
    CHECK(share_within(some, 200) == Approx(0.4));
    CHECK(share_within(some, unreachable) == Approx(0.6));
    CHECK(share_within({}, 100) == 0.0);
    CHECK_THROWS_WITH(check_summary_options({{}, unreachable, 0}),
                      Catch::Contains("no percentiles"));
    CHECK_THROWS_WITH(check_summary_options({{50, 0}, unreachable, 0}),
                      Catch::Contains("percentile 0 is not in (0, 100]"));
    CHECK_THROWS_WITH(check_summary_options({{50}, unreachable, 1}), Catch::Contains("rank_by"));
}

TEST_CASE("matrix and nearest-target summaries of the street", "[transit][router]") {
    Street s;
    const TransitRouter router(s.t.graph, s.t.graph.profile_id(Mode::walk), s.timetable, s.stops,
                               s.targets, s.options());
    const std::vector<Snap> origins{s.origin, Snap{}};  // the second never snapped
    std::vector<Snap> two = origins;
    two[1].failure = SnapFailure::too_far;
    SummaryOptions summary{{25, 50, 75}, 600, 1};
    const TransitMatrix m = transit_matrix(router, two, summary);
    REQUIRE(m.rows() == 2);
    CHECK(m.cols() == 2);
    REQUIRE(m.targets(0).size() == 2);
    // To X: sorted 380 440 500 2000 2000; the 2nd, 3rd and 4th; 3 of 5 within 600 s.
    CHECK(std::vector<float>(m.percentiles(0, 0).begin(), m.percentiles(0, 0).end()) ==
          std::vector<float>{440, 500, 2000});
    CHECK(m.share(0, 0) == Approx(0.6f));
    CHECK(m.at(0, 1, 1) == 100);
    CHECK(m.targets(1).empty());
    CHECK(m.at(1, 0, 1) == inf);
    // Nearest: A is 100 s away at every departure.
    const TransitNearest n = transit_nearest(router, two, summary);
    CHECK(n.at(0, 1) == 100);
    CHECK(n.share[0] == 1.0f);
    CHECK(n.target[0] == 1);
    CHECK(n.target_seconds[0] == 100);
    CHECK(n.target[1] == invalid_index);
    CHECK(n.at(1, 0) == inf);
}

TEST_CASE("the router equals the oracle on a random walk network and timetable, any threads",
          "[transit][router][oracle]") {
    for (std::uint32_t seed : {5u, 23u}) {
        BuildOptions build;
        build.profiles = {walk_1mps()};
        const RoadGraph g = build_graph(random_grid(seed, {.side = 20}), build);
        const ProfileId walk = g.profile_id(Mode::walk);
        const Snapper snapper(g, walk, SnapOptions{});
        std::mt19937 rng(seed);
        const std::vector<Snap> stops = snap_random(snapper, rng, 25);  // the last never snaps
        const std::vector<Snap> targets = snap_random(snapper, rng, 12);
        const std::vector<Snap> origins = snap_random(snapper, rng, 8);
        auto uniform = [&](int lo, int hi) {
            return std::uniform_int_distribution<int>(lo, hi)(rng);
        };
        TripList trips;
        for (std::uint32_t r = 0; r < 8; ++r) {
            std::vector<StopId> line;
            for (int i = uniform(2, 6); i > 0; --i)
                line.push_back(static_cast<StopId>(uniform(0, 25)));
            line.erase(std::unique(line.begin(), line.end()), line.end());
            if (line.size() < 2) continue;
            for (int k = uniform(3, 10); k > 0; --k) {
                Time t = hm(7, 0) + uniform(0, 7200);
                std::vector<Time> times;
                for (std::size_t i = 0; i < line.size(); ++i) {
                    if (i > 0) t += uniform(60, 500);
                    times.push_back(t);
                }
                trips.add(r, line, times, times);
            }
        }
        const Timetable tt = build_timetable(trips, stops.size());
        RouterOptions o;
        o.departures = {hm(7, 30), 60, 60};
        o.max_walk_seconds = 500;
        o.max_direct_walk_seconds = 1500;
        o.max_transfer_m = 300;
        ParallelOptions one;
        one.threads = 1;
        const TransitRouter router(g, walk, tt, stops, targets, o, one);
        CHECK(router.unsnapped_stops().size() >= 1);
        CHECK(router.footpaths().size() > 0);
        CHECK(router.egress().size() > 0);

        TransitRouter::Workspace ws(router);
        SearchWorkspace check(g.node_count());
        std::size_t reached = 0;
        for (std::size_t i = 0; i < origins.size(); ++i) {
            const DepartureTimes& t = router.route(origins[i], ws);
            // The access walks are the walking times to the stops, rounded to whole seconds.
            for (const Leg& leg : ws.legs.access) {
                const Seconds walk_time = forward_time(g, walk, origins[i], stops[leg.to], check);
                CHECK(leg.seconds == static_cast<Time>(std::lround(walk_time)));
                CHECK(walk_time <= o.max_walk_seconds + 0.5);
            }
            for (std::uint32_t d = 0; d < o.departures.count; ++d) {
                const OracleResult expected =
                    oracle_departure(trips, stops.size(), router.footpaths(), router.egress(),
                                     targets.size(), ws.legs, o.departures.at(d), o.raptor);
                for (std::uint32_t j = 0; j < targets.size(); ++j) {
                    const float got = t.at(j, d);
                    const Time want = expected.travel[j];
                    if (want < 0) {
                        CHECK(got == inf);
                    } else {
                        CHECK(got == static_cast<float>(want));
                        ++reached;
                    }
                }
            }
        }
        CHECK(reached > 500);
        // The summaries are the same on one thread and on two.
        ParallelOptions two;
        two.threads = 2;
        const SummaryOptions summary{{25, 50, 75}, 1200, 1};
        const TransitMatrix m1 = transit_matrix(router, origins, summary, one);
        const TransitMatrix m2 = transit_matrix(router, origins, summary, two);
        const TransitNearest n1 = transit_nearest(router, origins, summary, one);
        const TransitNearest n2 = transit_nearest(router, origins, summary, two);
        for (std::size_t i = 0; i < origins.size(); ++i) {
            REQUIRE(std::vector<std::uint32_t>(m1.targets(i).begin(), m1.targets(i).end()) ==
                    std::vector<std::uint32_t>(m2.targets(i).begin(), m2.targets(i).end()));
            for (std::size_t e = 0; e < m1.targets(i).size(); ++e) {
                for (std::size_t p = 0; p < 3; ++p)
                    CHECK(m1.percentiles(i, e)[p] == m2.percentiles(i, e)[p]);
                CHECK(m1.share(i, e) == m2.share(i, e));
            }
        }
        CHECK(n1.seconds == n2.seconds);
        CHECK(n1.target == n2.target);
        CHECK(n1.share == n2.share);
        // The nearest-target summary agrees with the matrix: its target's median is the
        // smallest median of the row.
        for (std::size_t i = 0; i < origins.size(); ++i) {
            float best = inf;
            for (std::size_t e = 0; e < m1.targets(i).size(); ++e)
                best = std::min(best, m1.percentiles(i, e)[1]);
            CHECK(n1.target_seconds[i] == best);
            CHECK(n1.at(i, 1) <= best);  // per departure nearest, then the median: no later
        }
    }
}
