#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/graph.hpp"
#include "core/matrix.hpp"
#include "core/search.hpp"
#include "core/snap.hpp"
#include "helpers.hpp"
#include "snap_helpers.hpp"

using namespace lifecircle;
using namespace lifecircle::test;
using Catch::Detail::Approx;

namespace {

/** Brute force: one unbounded search per origin, time_to plus the access walks. */
std::vector<std::vector<Seconds>> brute_force(const RoadGraph& g, ProfileId p, const std::vector<Snap>& origins,
                                              const std::vector<Snap>& targets) {
    std::vector<std::vector<Seconds>> out(origins.size(), std::vector<Seconds>(targets.size(), unreachable));
    SearchWorkspace ws(g.node_count());
    for (std::size_t i = 0; i < origins.size(); ++i) {
        if (!origins[i].ok()) continue;
        const Seed s = Snapper::seed(origins[i], 0);
        search(g, p, std::span<const Seed>(&s, 1), unreachable, ws);
        for (std::size_t j = 0; j < targets.size(); ++j) {
            if (!targets[j].ok()) continue;
            out[i][j] = time_to(g, ws, targets[j].position) + targets[j].access_seconds;
        }
    }
    return out;
}

struct Fixture {
    RoadGraph graph;
    std::vector<Snap> origins;
    std::vector<Snap> targets;
};

Fixture make_fixture(std::uint32_t seed) {
    Fixture f;
    BuildOptions options;
    options.profiles = {walk_1mps(), default_profile(Mode::drive, 3.6)};
    f.graph = build_graph(random_grid(seed, {.side = 20}), options);
    return f;
}

}  // namespace

TEST_CASE("a tiny matrix by hand", "[matrix]") {
    //  A---B---C    points: o1 20 m north of AB at 30 m; t1 10 m south of BC at 50 m
    const TestGraph t = ascii_graph("A---B---C", {{"ABC", road()}});
    const Snapper snapper(t.graph, ProfileId{}, SnapOptions{});
    const std::vector<Point> pts{{30, 20}, {150, -10}, {5000, 5000}};
    const std::vector<Snap> snaps = snapper.snap_all(pts);
    REQUIRE(snaps[0].ok());
    REQUIRE(snaps[1].ok());
    REQUIRE_FALSE(snaps[2].ok());
    const auto rows = travel_time_matrix(t.graph, ProfileId{}, snaps, snaps, MatrixOptions{unreachable, 1, {}, {}});
    REQUIRE(rows.rows() == 3);
    REQUIRE(rows.row(0).size() == 2);
    CHECK(rows.row(0)[0].col == 0);
    CHECK(rows.row(0)[0].seconds == Approx(40.0));  // 20 s out to the road and 20 s back
    CHECK(rows.row(0)[1].col == 1);
    CHECK(rows.row(0)[1].seconds == Approx(20 + 120 + 10));
    REQUIRE(rows.row(1).size() == 2);
    CHECK(rows.row(1)[0].seconds == Approx(150.0));
    CHECK(rows.row(2).empty());  // unsnapped origin
}

TEST_CASE("travel_time_matrix equals one search per origin", "[matrix][oracle]") {
    for (const Mode mode : {Mode::walk, Mode::drive}) {
        INFO("mode " << mode_name(mode));
        Fixture f = make_fixture(mode == Mode::walk ? 41u : 42u);
        const RoadGraph& g = f.graph;
        const ProfileId p = g.profile_id(mode);
        SnapOptions so;
        so.max_distance = 200.0;
        const Snapper snapper(g, p, so);
        std::mt19937 rng(43);
        const std::vector<Snap> origins = snap_random(snapper, rng, 40);
        const std::vector<Snap> targets = snap_random(snapper, rng, 60);
        const auto expected = brute_force(g, p, origins, targets);

        MatrixOptions one;
        one.threads = 1;
        const auto rows = travel_time_matrix(g, p, origins, targets, one);
        REQUIRE(rows.rows() == origins.size());
        std::size_t pairs = 0;
        std::size_t missing = 0;          // reachable pairs not in the row
        std::size_t unreachable_kept = 0;  // pairs in the row that cannot be travelled
        std::size_t out_of_order = 0;
        for (std::size_t i = 0; i < origins.size(); ++i) {
            INFO("origin " << i);
            if (!origins[i].ok()) {
                CHECK(rows.row(i).empty());
                continue;
            }
            for (std::size_t k = 0; k < rows.row(i).size(); ++k) {
                const TimeEntry& m = rows.row(i)[k];
                REQUIRE(m.col < targets.size());
                REQUIRE(targets[m.col].ok());
                if (k > 0 && rows.row(i)[k - 1].col >= m.col) ++out_of_order;
                if (expected[i][m.col] == unreachable) {
                    ++unreachable_kept;
                    continue;
                }
                CHECK(m.seconds == Approx(expected[i][m.col]).margin(1e-3));
                ++pairs;
            }
            for (std::uint32_t j = 0; j < targets.size(); ++j) {
                if (expected[i][j] == unreachable) continue;
                missing += std::none_of(rows.row(i).begin(), rows.row(i).end(), [&](const TimeEntry& m) { return m.col == j; });
            }
        }
        CHECK(missing == 0);
        CHECK(out_of_order == 0);
        // "Row i holds origin i's reachable targets": no entries of infinite seconds.
        CHECK(unreachable_kept == 0);
        CHECK(pairs > 500);

        // Same answer with two threads, bit for bit.
        MatrixOptions two;
        two.threads = 2;
        const auto rows2 = travel_time_matrix(g, p, origins, targets, two);
        REQUIRE(rows2.rows() == rows.rows());
        for (std::size_t i = 0; i < rows.rows(); ++i) {
            REQUIRE(rows2.row(i).size() == rows.row(i).size());
            for (std::size_t k = 0; k < rows.row(i).size(); ++k) {
                CHECK(rows2.row(i)[k].col == rows.row(i)[k].col);
                CHECK(rows2.row(i)[k].seconds == rows.row(i)[k].seconds);
            }
        }

        // A cutoff keeps exactly the pairs within it.
        std::vector<double> all;
        for (const auto& r : expected)
            for (double s : r)
                if (s != unreachable) all.push_back(s);
        std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(all.size() / 3), all.end());
        MatrixOptions cut;
        cut.cutoff = all[all.size() / 3];
        cut.threads = 2;
        const auto rows3 = travel_time_matrix(g, p, origins, targets, cut);
        for (std::size_t i = 0; i < origins.size(); ++i) {
            INFO("origin " << i << " cutoff " << cut.cutoff);
            for (const TimeEntry& m : rows3.row(i)) {
                CHECK(m.seconds <= cut.cutoff + 1e-3);
                CHECK(m.seconds == Approx(expected[i][m.col]).margin(1e-3));
            }
            for (std::uint32_t j = 0; j < targets.size(); ++j) {
                const bool present = std::any_of(rows3.row(i).begin(), rows3.row(i).end(),
                                                 [&](const TimeEntry& m) { return m.col == j; });
                if (expected[i][j] <= cut.cutoff - 1e-3) CHECK(present);
                if (expected[i][j] > cut.cutoff + 1e-3) CHECK_FALSE(present);
            }
        }
    }
}

TEST_CASE("unreachable pairs are left out of the rows", "[matrix]") {
    //  A---B   oneway A->B for cars; the origin is near B, the target near A.
    const TestGraph t = ascii_graph("A---B", {{"AB", road(RoadClass::residential, Oneway::forward, 36)}},
                                    {walk_1mps(), drive_plain()});
    const ProfileId drive = t.profile(Mode::drive);
    const Snapper snapper(t.graph, drive, SnapOptions{});
    const std::vector<Point> origin_points{{90, 10}};
    const std::vector<Point> target_points{{10, 10}, {95, 10}};
    const std::vector<Snap> origins = snapper.snap_all(origin_points);
    const std::vector<Snap> targets = snapper.snap_all(target_points);
    REQUIRE(origins[0].ok());
    REQUIRE(targets[0].ok());
    // "Row i holds origin i's reachable targets": target 0 is behind the origin on a oneway.
    const auto rows = travel_time_matrix(t.graph, drive, origins, targets, MatrixOptions{unreachable, 1, {}, {}});
    REQUIRE(rows.rows() == 1);
    REQUIRE(rows.row(0).size() == 1);
    CHECK(rows.row(0)[0].col == 1);
    CHECK(rows.row(0)[0].seconds == Approx(10 + 0.5 + 10));  // walk 10 m, drive 5 m, walk 10 m
    // With a finite cutoff the same pair is left out too.
    const auto cut = travel_time_matrix(t.graph, drive, origins, targets, MatrixOptions{1000.0, 1, {}, {}});
    REQUIRE(cut.row(0).size() == 1);
    CHECK(cut.row(0)[0].col == 1);
}

TEST_CASE("a point by a corner starts at the junction, even where a oneway leaves it", "[matrix]") {
    //  A---B---C     A->B is oneway for cars (10 m/s), all else two-way.
    //  |       |     P stands 10 m west and 10 m north of A: its nearest road point is A
    //  D---E---F     itself, on both AB and AD (a tie, resolved to the lower edge id: AB).
    const TestGraph t = oneway_corner_block();
    const ProfileId drive = t.profile(Mode::drive);
    const Snapper snapper(t.graph, drive, SnapOptions{});
    const Point a = t.xy.at('A');
    const Point d = t.xy.at('D');
    const std::vector<Point> origin_points{{a.x - 10, a.y + 10}};
    const std::vector<Point> target_points{{d.x + 50, d.y - 10}};  // 10 m south of DE, 50 m from D
    const std::vector<Snap> origins = snapper.snap_all(origin_points);
    const std::vector<Snap> targets = snapper.snap_all(target_points);
    REQUIRE(origins[0].ok());
    REQUIRE(targets[0].ok());
    CHECK(origins[0].distance == Approx(std::sqrt(200.0)));
    // Drive A-D (10 s) and 50 m of D-E (5 s), plus both access walks.
    const double expected = std::sqrt(200.0) + 10 + 5 + 10;
    const auto rows = travel_time_matrix(t.graph, drive, origins, targets, MatrixOptions{unreachable, 1, {}, {}});
    REQUIRE(rows.row(0).size() == 1);
    CHECK(rows.row(0)[0].seconds == Approx(expected).margin(1e-3));
}

TEST_CASE("progress ends at (total, total)", "[matrix]") {
    const TestGraph t = ascii_graph("A---B---C", {{"ABC", road()}});
    const Snapper snapper(t.graph, ProfileId{}, SnapOptions{});
    for (const bool with_unsnapped : {false, true}) {
        INFO((with_unsnapped ? "one origin does not snap" : "every origin snaps"));
        std::vector<Point> points;
        for (int i = 0; i < 100; ++i) points.push_back({2.0 * i, 10});
        if (with_unsnapped) points[50] = {1e6, 1e6};
        const std::vector<Snap> snaps = snapper.snap_all(points);
        std::vector<std::pair<std::size_t, std::size_t>> calls;
        MatrixOptions o;
        o.threads = 1;
        o.progress = [&](std::size_t done, std::size_t total) { calls.emplace_back(done, total); };
        const auto rows = travel_time_matrix(t.graph, ProfileId{}, snaps, snaps, o);
        CHECK(rows.rows() == 100);
        REQUIRE_FALSE(calls.empty());
        CHECK(calls.back().first == 100);  // the last call says all origins are done
        CHECK(calls.back().second == 100);
        for (const auto& [done, total] : calls) {
            CHECK(done <= total);
            CHECK(total == 100);
        }
    }
}

TEST_CASE("travel_time_matrix stops with Cancelled when asked", "[matrix]") {
    const TestGraph t = ascii_graph("A---B---C", {{"ABC", road()}});
    const Snapper snapper(t.graph, ProfileId{}, SnapOptions{});
    std::vector<Point> points;
    for (int i = 0; i < 200; ++i) points.push_back({1.0 * i, 10});
    const std::vector<Snap> snaps = snapper.snap_all(points);
    std::atomic<std::size_t> polls{0};
    MatrixOptions o;
    o.threads = 2;
    o.cancelled = [&] { return ++polls > 10; };  // the caller says stop after a few origins
    CHECK_THROWS_AS(travel_time_matrix(t.graph, ProfileId{}, snaps, snaps, o), lifecircle::Cancelled);
    CHECK(polls >= 11);
    CHECK(polls <= 200);  // at most one poll per origin, none once stopped
}
