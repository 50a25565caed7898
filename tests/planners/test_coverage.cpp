#include <cmath>
#include <numeric>
#include <random>
#include <span>
#include <vector>

#include <catch2/catch.hpp>

#include "../core/helpers.hpp"
#include "../core/snap_helpers.hpp"
#include "core/graph.hpp"
#include "core/search.hpp"
#include "core/snap.hpp"
#include "core/time_table.hpp"
#include "planners/coverage.hpp"
#include "planners/gaps.hpp"

using namespace lifecircle;
using namespace lifecircle::test;
using namespace lifecircle::planners;
using Catch::Detail::Approx;

TEST_CASE("nearest facility: one multi-source search equals the minimum over single searches",
          "[coverage][oracle]") {
    for (std::uint32_t seed : {5u, 11u}) {
        BuildOptions options;
        options.profiles = {walk_1mps(), default_profile(Mode::drive, 3.6)};
        const RoadGraph g = build_graph(random_grid(seed, {.side = 18}), options);
        const ProfileId drive = g.profile_id(Mode::drive);
        const Snapper snapper(g, drive, SnapOptions{});
        std::mt19937 rng(seed);
        const std::vector<Snap> fac = snap_random(snapper, rng, 8);
        const std::vector<Snap> homes = snap_random(snapper, rng, 120);
        std::vector<Seconds> delays;
        for (std::size_t i = 0; i < fac.size(); ++i)
            delays.push_back(static_cast<double>(i % 4) * 15.0);
        SearchWorkspace ws(g.node_count());
        for (const bool own_cutoffs : {false, true}) {
            // With own cutoffs the per-facility path is taken; 1e9 s is no limit in practice, so
            // both paths must give the same answer as the brute force below.
            SourceSet sources;
            for (std::size_t f = 0; f < fac.size(); ++f) {
                if (!fac[f].ok()) {
                    sources.add({});
                    continue;
                }
                const Seed s = Snapper::seed(fac[f], static_cast<std::uint32_t>(f), delays[f]);
                sources.add(std::span<const Seed>(&s, 1), own_cutoffs ? 1e9 : unreachable);
            }
            for (const ProfileId p : {drive, drive.reversed()}) {
                INFO("seed " << seed << " own cutoffs " << own_cutoffs << " backward "
                             << (p.direction() == Direction::backward));
                const Nearest n = nearest_facility(g, p, sources, homes);
                for (std::size_t j = 0; j < homes.size(); ++j) {
                    Seconds best = unreachable;
                    std::uint32_t best_f = invalid_index;
                    if (homes[j].ok()) {
                        for (std::size_t f = 0; f < fac.size(); ++f) {
                            if (!fac[f].ok()) continue;
                            const Seconds t = (p.direction() == Direction::forward
                                                   ? forward_time(g, p, fac[f], homes[j], ws)
                                                   : forward_time(g, p, homes[j], fac[f], ws)) +
                                              delays[f];
                            if (t < best - 1e-6) {
                                best = t;
                                best_f = static_cast<std::uint32_t>(f);
                            }
                        }
                    }
                    if (best == unreachable) {
                        CHECK(n.seconds[j] == unreachable);
                        CHECK(n.facility[j] == invalid_index);
                    } else {
                        CHECK(n.seconds[j] == Approx(best).margin(1e-3));
                        // The facility may differ only in an exact tie.
                        if (n.facility[j] != best_f)
                            CHECK(n.seconds[j] == Approx(best).margin(1e-3));
                    }
                }
            }
        }
    }
}

TEST_CASE("per-facility cutoffs: a facility counts only within its own limit", "[coverage]") {
    //  A-------B-------C   walking 1 m/s; clinic X at A (cutoff 100 s), clinic Y at C (no cutoff)
    const TestGraph t = ascii_graph("A-------B-------C", {{"ABC", road()}}, {walk_1mps()});
    const ProfileId walk = t.profile(Mode::walk);
    const Snapper snapper(t.graph, walk, SnapOptions{});
    const std::vector<Point> f_pts{{0, 0}, {400, 0}};
    const std::vector<Point> h_pts{{50, 0}, {150, 0}, {300, 0}};
    const std::vector<Snap> f = snapper.snap_all(f_pts);
    const std::vector<Snap> h = snapper.snap_all(h_pts);
    SourceSet sources;
    const Seed x = Snapper::seed(f[0], 0);
    const Seed y = Snapper::seed(f[1], 1);
    sources.add(std::span<const Seed>(&x, 1), 100.0);
    sources.add(std::span<const Seed>(&y, 1));
    const Nearest n = nearest_facility(t.graph, walk, sources, h);
    CHECK(n.facility[0] == 0);
    CHECK(n.seconds[0] == Approx(50.0));
    // 150 m from X (beyond its 100 s) and 250 m from Y: Y serves it.
    CHECK(n.facility[1] == 1);
    CHECK(n.seconds[1] == Approx(250.0));
    CHECK(n.facility[2] == 1);
    CHECK(n.seconds[2] == Approx(100.0));
}

TEST_CASE("coverage figures on a case worked by hand", "[coverage]") {
    //  A---------------B---------------C    400 m + 400 m of road, walking at 1 m/s
    //  clinic at A. Homes (on the road): h0 at 100 m (w 10), h1 at 300 m (w 20), h2 at 600 m
    //  (w 30), h3 far away (w 40, unsnapped). Standard: 5 minutes = 300 s.
    const TestGraph t =
        ascii_graph("A---------------B---------------C", {{"ABC", road()}}, {walk_1mps()});
    const ProfileId walk = t.profile(Mode::walk);
    const Snapper snapper(t.graph, walk, SnapOptions{});
    const std::vector<Point> h_pts{{100, 0}, {300, 0}, {600, 0}, {5000, 5000}};
    const std::vector<Snap> h = snapper.snap_all(h_pts);
    const std::vector<Point> f_pts{{0, 0}};
    const SourceSet sources = SourceSet::from_snaps(snapper.snap_all(f_pts));
    Standard standard;
    standard.max_seconds = 300.0;
    const CoverageResult r =
        coverage(t.graph, walk.reversed(), nullptr, sources, nullptr, h, standard);
    const std::vector<double> w{10, 20, 30, 40};
    const Figures f = figures(r, w);
    CHECK(f.total == 100.0);
    CHECK(f.covered == 30.0);  // h0 (100 s) and h1 (300 s: the limit counts as inside)
    CHECK(f.unsnapped == 40.0);
    CHECK(f.unreachable == 0.0);
    CHECK(f.share == Approx(0.30));
    // Reached: minutes 100/60, 300/60, 600/60 with weights 10, 20, 30:
    // mean = (10·100 + 20·300 + 30·600) / 60 / 60 = 25000 / 3600 = 6.944 min.
    CHECK(f.mean_minutes == Approx(25000.0 / 3600.0));
    CHECK(f.max_minutes == Approx(10.0));
    // Gini of x = (100, 300, 600) s with w = (10, 20, 30): Σ_i Σ_j w_i w_j |x_i − x_j| =
    // 2·(10·20·200 + 10·30·500 + 20·30·300) = 2·(40000 + 150000 + 180000) = 740000;
    // 2·W²·mean = 2·3600·(25000/60) = 3000000 → G = 0.24667.
    CHECK(f.gini_minutes == Approx(740000.0 / 3000000.0));
    CHECK(snap_status_name(r.status[3]) == "too_far");
}

TEST_CASE("weighted Gini equals its pairwise definition", "[coverage][oracle]") {
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> value(0.0, 30.0);
    std::uniform_real_distribution<double> weight(0.0, 5.0);
    for (int round = 0; round < 20; ++round) {
        const int n = 1 + round * 3;
        std::vector<double> x, w;
        for (int i = 0; i < n; ++i) {
            x.push_back(round % 5 == 0 ? std::floor(value(rng) / 10) : value(rng));  // some ties
            w.push_back(weight(rng));
        }
        double pairs = 0, wsum = 0, wx = 0;
        for (int i = 0; i < n; ++i) {
            wsum += w[static_cast<std::size_t>(i)];
            wx += w[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i)];
            for (int j = 0; j < n; ++j)
                pairs += w[static_cast<std::size_t>(i)] * w[static_cast<std::size_t>(j)] *
                         std::abs(x[static_cast<std::size_t>(i)] - x[static_cast<std::size_t>(j)]);
        }
        const double expected = wx > 0 ? pairs / (2 * wsum * wx) : 0.0;
        CHECK(weighted_gini(x, w) == Approx(expected).margin(1e-12));
    }
    CHECK(std::isnan(weighted_gini(std::vector<double>{}, std::vector<double>{})));
    CHECK(weighted_gini(std::vector<double>{3, 3, 3}, std::vector<double>{1, 2, 3}) ==
          Approx(0.0).margin(1e-12));
}

TEST_CASE("the length profile measures metres where steps slow the walk", "[coverage]") {
    //  A---B---C   A-B steps (half speed), B-C footway; 100 m each
    const TestGraph t =
        ascii_graph("A---B---C", {{"AB", road(RoadClass::steps)}, {"BC", road(RoadClass::footway)}},
                    {walk_1mps(), length_profile(walk_1mps())});
    const ProfileId walk = t.graph.profile_id(Mode::walk);
    const ProfileId metres = t.graph.profile_id(Mode::walk, Direction::forward, Metric::length);
    CHECK(walk.index() != metres.index());
    const Snapper snapper(t.graph, walk, SnapOptions{});
    const Snapper metre_snapper(t.graph, metres, SnapOptions{});
    const std::vector<Point> f_pts{{0, 0}};
    const std::vector<Point> h_pts{{200, 30}};
    const SourceSet by_time = SourceSet::from_snaps(snapper.snap_all(f_pts));
    const SourceSet by_length = SourceSet::from_snaps(metre_snapper.snap_all(f_pts));
    Standard standard;
    standard.max_seconds = 1000;
    standard.max_meters = 220;
    const CoverageResult r =
        coverage(t.graph, walk, &metres, by_time, &by_length, snapper.snap_all(h_pts), standard);
    CHECK(r.by_time.seconds[0] == Approx(200 + 100 + 30));  // steps at 0.5 m/s, 30 m access walk
    CHECK(r.by_length.seconds[0] == Approx(230));
    CHECK(r.covered[0] == 0);  // 230 m > 220 m although well within the time
    standard.max_meters = 230;
    CHECK(coverage(t.graph, walk, &metres, by_time, &by_length, snapper.snap_all(h_pts), standard)
              .covered[0] == 1);
    CHECK_THROWS_AS(
        coverage(t.graph, walk, nullptr, by_time, nullptr, snapper.snap_all(h_pts), standard),
        std::invalid_argument);
}

TEST_CASE("hexagon cells: each point falls in the cell of the nearest centre", "[gaps][oracle]") {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> coord(-5000.0, 5000.0);
    const double hex_m = 250.0;
    for (int i = 0; i < 2000; ++i) {
        const Point p{coord(rng), coord(rng)};
        const HexCell c = hex_cell(p, hex_m);
        const double own = std::hypot(p.x - c.centre.x, p.y - c.centre.y);
        // The six neighbours' centres are hex_m away (the width across flats).
        for (int k = 0; k < 6; ++k) {
            const double a = (60.0 * k) * std::acos(-1.0) / 180.0;
            const Point n{c.centre.x + hex_m * std::cos(a), c.centre.y + hex_m * std::sin(a)};
            CHECK(own <= std::hypot(p.x - n.x, p.y - n.y) + 1e-9);
        }
        CHECK(own <= hex_m / std::sqrt(3.0) + 1e-9);  // within the circumradius
        // Same centre from the cell's own centre (the grid is consistent).
        const HexCell again = hex_cell(c.centre, hex_m);
        CHECK(again.q == c.q);
        CHECK(again.r == c.r);
    }
    const std::array<Point, 6> corners = hex_corners(hex_cell({0, 0}, hex_m), hex_m);
    double area2 = 0;  // shoelace: positive = counter-clockwise
    for (std::size_t k = 0; k < 6; ++k)
        area2 += corners[k].x * corners[(k + 1) % 6].y - corners[(k + 1) % 6].x * corners[k].y;
    CHECK(area2 / 2 == Approx(std::sqrt(3.0) / 2 * hex_m * hex_m));
}

TEST_CASE("gap cells hold all the uncovered weight, largest first", "[gaps]") {
    const TestGraph t =
        ascii_graph("A---------------B---------------C", {{"ABC", road()}}, {walk_1mps()});
    const ProfileId walk = t.profile(Mode::walk);
    const Snapper snapper(t.graph, walk, SnapOptions{});
    std::vector<Point> h_pts;
    for (int x = 0; x <= 800; x += 20) h_pts.push_back({static_cast<double>(x), 5.0});
    const std::vector<Snap> h = snapper.snap_all(h_pts);
    const std::vector<Point> f_pts{{0, 0}};
    Standard standard;
    standard.max_seconds = 300.0;
    const CoverageResult r =
        coverage(t.graph, walk.reversed(), nullptr, SourceSet::from_snaps(snapper.snap_all(f_pts)),
                 nullptr, h, standard);
    std::vector<std::vector<double>> weights(2);
    for (std::size_t i = 0; i < h_pts.size(); ++i) {
        weights[0].push_back(1.0 + static_cast<double>(i % 3));
        weights[1].push_back(0.5);
    }
    const std::vector<GapCell> cells = gap_cells(r, h_pts, weights, {}, 100.0);
    double uncovered0 = 0, uncovered1 = 0;
    for (std::size_t i = 0; i < h_pts.size(); ++i)
        if (!r.covered[i]) {
            uncovered0 += weights[0][i];
            uncovered1 += weights[1][i];
        }
    double sum0 = 0, sum1 = 0;
    for (std::size_t k = 0; k < cells.size(); ++k) {
        sum0 += cells[k].uncovered[0];
        sum1 += cells[k].uncovered[1];
        CHECK(cells[k].max_minutes > 5.0);  // only uncovered points are in gap cells here
        if (k > 0) CHECK(cells[k - 1].uncovered[0] >= cells[k].uncovered[0]);
    }
    CHECK(uncovered0 > 0);
    CHECK(sum0 == Approx(uncovered0));
    CHECK(sum1 == Approx(uncovered1));
}

TEST_CASE("both limits must hold for one facility: covered equals the brute-force pair rule", "[coverage][oracle]") {
    // Steps (half speed) make the nearest facility by time and by distance differ; a point is
    // covered only when one facility is within both the minutes and the metres.
    for (std::uint32_t seed : {3u, 17u, 29u}) {
        BuildOptions options;
        options.profiles = {walk_1mps(), length_profile(walk_1mps())};
        const RoadGraph g = build_graph(random_grid(seed, {.side = 16, .steps_fraction = 0.35}), options);
        const ProfileId time = g.profile_id(Mode::walk, Direction::backward);
        const ProfileId metres = g.profile_id(Mode::walk, Direction::backward, Metric::length);
        const Snapper snapper(g, time.forward(), SnapOptions{});
        std::mt19937 rng(seed);
        const std::vector<Snap> fac = snap_random(snapper, rng, 9);
        const std::vector<Snap> homes = snap_random(snapper, rng, 300);
        SourceSet by_time, by_metres;
        for (std::size_t f = 0; f < fac.size(); ++f) {
            if (!fac[f].ok()) {
                by_time.add({});
                by_metres.add({});
                continue;
            }
            Seed s = Snapper::seed(fac[f], static_cast<std::uint32_t>(f));
            by_time.add(std::span<const Seed>(&s, 1));
            s.start = fac[f].distance;
            by_metres.add(std::span<const Seed>(&s, 1));
        }
        Standard standard;
        standard.max_seconds = 420;
        standard.max_meters = 330;
        const CoverageResult r = coverage(g, time, &metres, by_time, &by_metres, homes, standard);
        SearchWorkspace ws(g.node_count());
        std::size_t differ = 0, covered = 0;
        for (std::size_t j = 0; j < homes.size(); ++j) {
            bool any = false;
            if (homes[j].ok()) {
                Snap home_m = homes[j];
                home_m.access_seconds = homes[j].distance;
                for (std::size_t f = 0; f < fac.size() && !any; ++f) {
                    if (!fac[f].ok()) continue;
                    Snap fac_m = fac[f];
                    fac_m.access_seconds = fac[f].distance;
                    const Seconds t = forward_time(g, time.forward(), homes[j], fac[f], ws);
                    const Seconds m = forward_time(g, metres.forward(), home_m, fac_m, ws);
                    any = t <= standard.max_seconds + 1e-3 && m <= standard.max_meters + 1e-3;
                }
            }
            INFO("seed " << seed << " home " << j);
            CHECK(r.covered[j] == (any ? 1 : 0));
            covered += any;
            differ += r.by_time.facility[j] != r.by_length.facility[j];
        }
        CHECK(covered > 0);
        CHECK(differ > 0);  // the case the pair rule is for occurs
    }
}
