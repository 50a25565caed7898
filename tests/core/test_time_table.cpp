#include <cmath>
#include <random>
#include <span>
#include <vector>

#include <catch2/catch.hpp>

#include "core/graph.hpp"
#include "core/search.hpp"
#include "core/snap.hpp"
#include "core/time_table.hpp"
#include "helpers.hpp"
#include "snap_helpers.hpp"

using namespace lifecircle;
using namespace lifecircle::test;
using Catch::Detail::Approx;

TEST_CASE("a backward table gives times to the sources on one-way streets", "[time_table]") {
    //  A---B   oneway A->B for cars (10 m/s). The facility stands by A, a home by B.
    //  |   |   A-C, B-D, C-D two-way.
    //  C---D
    const TestGraph t = ascii_graph(
        "A---B\n"
        "|   |\n"
        "C---D",
        {{"AB", road(RoadClass::residential, Oneway::forward, 36)},
         {"ACDB", road(RoadClass::residential, Oneway::no, 36)}},
        {walk_1mps(), drive_plain()});
    const ProfileId drive = t.profile(Mode::drive);
    const Snapper snapper(t.graph, drive, SnapOptions{});
    const std::vector<Point> facility{{0, 0}};  // at A
    const std::vector<Point> home{{100, 0}};    // at B
    const std::vector<Snap> f = snapper.snap_all(facility);
    const std::vector<Snap> h = snapper.snap_all(home);
    const SourceSet sources = SourceSet::from_snaps(f);
    const TargetIndex targets(t.graph, h);
    // From the facility: A->B directly, 100 m at 10 m/s = 10 s.
    const TimeTable out = time_table(t.graph, drive, sources, targets);
    REQUIRE(out.row(0).size() == 1);
    CHECK(out.row(0)[0].seconds == Approx(10.0));
    // To the facility: B->A is against the one-way, so B-D-C-A: 300 m = 30 s.
    const TimeTable in = time_table(t.graph, drive.reversed(), sources, targets);
    REQUIRE(in.row(0).size() == 1);
    CHECK(in.row(0)[0].seconds == Approx(30.0));
}

TEST_CASE("time tables equal single searches, both directions, any threads",
          "[time_table][oracle]") {
    for (std::uint32_t seed : {3u, 17u}) {
        BuildOptions options;
        options.profiles = {walk_1mps(), default_profile(Mode::drive, 3.6)};
        const RoadGraph g = build_graph(random_grid(seed, {.side = 20}), options);
        const ProfileId drive = g.profile_id(Mode::drive);
        const Snapper snapper(g, drive, SnapOptions{});
        std::mt19937 rng(seed);
        const std::vector<Snap> facilities = snap_random(snapper, rng, 12);
        const std::vector<Snap> homes = snap_random(snapper, rng, 80);
        std::vector<Seconds> delays;
        for (std::size_t i = 0; i < facilities.size(); ++i)
            delays.push_back(static_cast<double>(i % 3) * 20.0);
        SourceSet sources = SourceSet::from_snaps(facilities, delays);
        const TargetIndex targets(g, homes);
        const Seconds cutoff = 240.0;
        TableOptions one;
        one.cutoff = cutoff;
        one.parallel.threads = 1;
        SearchWorkspace ws(g.node_count());
        std::size_t asymmetric = 0, checked = 0;
        for (const ProfileId p : {drive, drive.reversed()}) {
            INFO("seed " << seed
                         << (p.direction() == Direction::forward ? " forward" : " backward"));
            const TimeTable table = time_table(g, p, sources, targets, one);
            REQUIRE(table.rows() == facilities.size());
            REQUIRE(table.cols() == homes.size());
            for (std::size_t i = 0; i < facilities.size(); ++i) {
                for (std::uint32_t j = 0; j < homes.size(); ++j) {
                    Seconds expected = unreachable;
                    if (facilities[i].ok() && homes[j].ok()) {
                        // Backward: the home's own forward search, read at the facility.
                        expected =
                            p.direction() == Direction::forward
                                ? forward_time(g, p, facilities[i], homes[j], ws) + delays[i]
                                : forward_time(g, p, homes[j], facilities[i], ws) + delays[i];
                        if (expected > cutoff) expected = unreachable;
                    }
                    const Seconds got = table.at(i, j);
                    if (expected == unreachable) {
                        CHECK(got == unreachable);
                    } else {
                        CHECK(got == Approx(expected).margin(1e-3));
                        ++checked;
                    }
                    if (p.direction() == Direction::forward && facilities[i].ok() &&
                        homes[j].ok()) {
                        const Seconds back = forward_time(g, p, homes[j], facilities[i], ws);
                        if (std::abs(back - (expected - delays[i])) > 1.0) ++asymmetric;
                    }
                }
            }
            // Two threads give the same bits.
            TableOptions two = one;
            two.parallel.threads = 2;
            const TimeTable again = time_table(g, p, sources, targets, two);
            REQUIRE(again.size() == table.size());
            for (std::size_t i = 0; i < table.rows(); ++i)
                CHECK(std::equal(table.row(i).begin(), table.row(i).end(), again.row(i).begin(),
                                 again.row(i).end()));
        }
        CHECK(checked > 100);
        CHECK(asymmetric > 0);  // the fixture has one-ways that make the direction matter
    }
}

TEST_CASE("per-source cutoffs, unsnapped sources and transposition", "[time_table]") {
    //  A-------B   200 m, walking at 1 m/s
    const TestGraph t = ascii_graph("A-------B", {{"AB", road()}}, {walk_1mps()});
    const ProfileId walk = t.profile(Mode::walk);
    const Snapper snapper(t.graph, walk, SnapOptions{});
    const std::vector<Point> f_pts{{0, 0}, {200, 0}, {9000, 9000}};
    const std::vector<Point> h_pts{{50, 0}, {150, 10}};
    const std::vector<Snap> f = snapper.snap_all(f_pts);
    const std::vector<Snap> h = snapper.snap_all(h_pts);
    SourceSet sources;
    const Seed a = Snapper::seed(f[0], 0);
    const Seed b = Snapper::seed(f[1], 1);
    sources.add(std::span<const Seed>(&a, 1), 100.0);  // reaches the home at 50 m only
    sources.add(std::span<const Seed>(&b, 1));         // no own cutoff
    sources.add({});                                   // unsnapped: reaches nothing
    const TimeTable table = time_table(t.graph, walk, sources, TargetIndex(t.graph, h));
    REQUIRE(table.rows() == 3);
    REQUIRE(table.row(0).size() == 1);
    CHECK(table.row(0)[0].col == 0);
    CHECK(table.row(0)[0].seconds == Approx(50.0));
    REQUIRE(table.row(1).size() == 2);
    CHECK(table.row(1)[0].seconds == Approx(150.0));
    CHECK(table.row(1)[1].seconds == Approx(50.0 + 10.0));  // 50 m of road, 10 m walk to the door
    CHECK(table.row(2).empty());
    const TimeTable tr = table.transposed();
    REQUIRE(tr.rows() == 2);
    REQUIRE(tr.cols() == 3);
    CHECK(tr.size() == table.size());
    for (std::size_t i = 0; i < table.rows(); ++i)
        for (const TimeEntry& e : table.row(i))
            CHECK(tr.at(e.col, static_cast<std::uint32_t>(i)) == e.seconds);
    CHECK(tr.row(0).size() == 2);
    CHECK(tr.row(0)[0].col == 0);
    CHECK(tr.row(0)[1].col == 1);
}

TEST_CASE("intersect keeps the pairs both tables hold, with the first table's values", "[time_table]") {
    const TimeTable a({{{0, 10.0f}, {2, 30.0f}, {3, 40.0f}}, {{1, 5.0f}}}, 4);
    const TimeTable b({{{2, 999.0f}, {3, 1.0f}}, {{0, 7.0f}}}, 4);
    const TimeTable c = intersect(a, b);
    REQUIRE(c.rows() == 2);
    REQUIRE(c.row(0).size() == 2);
    CHECK(c.row(0)[0] == TimeEntry{2, 30.0f});
    CHECK(c.row(0)[1] == TimeEntry{3, 40.0f});
    CHECK(c.row(1).empty());
    CHECK_THROWS_AS(intersect(a, TimeTable({{}}, 4)), std::invalid_argument);
}
