#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "core/graph.hpp"
#include "core/reach.hpp"
#include "core/geos.hpp"
#include "maps/service_area.hpp"
#include "road_graph_helpers.hpp"
#include "maps/split_grid.hpp"

using namespace lifecircle;
using namespace lifecircle::maps;
namespace gd = lifecircle::maps::detail;
using lifecircle::test::make_graph;

namespace {

/**
 * A grid of 6 x 6 blocks of 100 m with facilities at `origins` (on nodes), walked at 1 m/s, so
 * the time from a facility is the Manhattan distance. Every edge is cut into 10 m pieces, each
 * given to the facility nearest to its middle:
 *
 *   (0,600) 2 +--+--+--+--+--+ 3 (600,600)
 *             |  |  |  |  |  |
 *             +--+--+--+--+--+
 *               ...
 *     (0,0) 0 +--+--+--+--+--+ 1 (600,0)
 */
struct Town {
    RoadGraph graph;
    std::vector<Point> origins;
    std::vector<ReachedPiece> pieces;
};

Town make_town(const std::vector<Point>& origins) {
    std::vector<std::vector<Point>> roads;
    for (int j = 0; j <= 6; ++j)
        for (int i = 0; i < 6; ++i) {
            roads.push_back({{i * 100.0, j * 100.0}, {(i + 1) * 100.0, j * 100.0}});
            roads.push_back({{j * 100.0, i * 100.0}, {j * 100.0, (i + 1) * 100.0}});
        }
    Town town{make_graph(roads), origins, {}};
    auto time = [&](std::size_t o, Point p) { return std::abs(p.x - origins[o].x) + std::abs(p.y - origins[o].y); };
    for (EdgeId e = 0; e < town.graph.edge_count(); ++e) {
        const Point a = town.graph.node_xy[town.graph.edge_from[e]];
        const Point b = town.graph.node_xy[town.graph.edge_to[e]];
        const double length = town.graph.edge_length_m[e];
        for (double s = 0; s < length - 1e-9; s += 10.0) {
            const double t = std::min(s + 10.0, length);
            auto at = [&](double d) { return Point{a.x + (b.x - a.x) * d / length, a.y + (b.y - a.y) * d / length}; };
            std::size_t best = 0;
            for (std::size_t o = 1; o < origins.size(); ++o)
                if (time(o, at(0.5 * (s + t))) < time(best, at(0.5 * (s + t)))) best = o;
            town.pieces.push_back({e, s, t, time(best, at(s)), time(best, at(t)), static_cast<std::uint32_t>(best)});
        }
    }
    return town;
}

geos::GeometryPtr geometry(geos::GeosContext& ctx, const AreaPolygon& area) { return geos::from_wkb(ctx, area.wkb); }

double area_m2(geos::GeosContext& ctx, const GEOSGeometry* g) {
    double a = 0.0;
    REQUIRE(GEOSArea_r(ctx.handle(), g, &a) == 1);
    return a;
}

double intersection_m2(geos::GeosContext& ctx, const AreaPolygon& a, const AreaPolygon& b) {
    const geos::GeometryPtr ga = geometry(ctx, a);
    const geos::GeometryPtr gb = geometry(ctx, b);
    const geos::GeometryPtr i = geos::own(ctx, GEOSIntersection_r(ctx.handle(), ga.get(), gb.get()), "intersection");
    return area_m2(ctx, i.get());
}

/** Area of the symmetric difference between the union of `parts` and `whole`, in m². */
double mismatch_m2(geos::GeosContext& ctx, const std::vector<AreaPolygon>& parts, const AreaPolygon& whole) {
    std::vector<geos::GeometryPtr> all;
    for (const AreaPolygon& p : parts) all.push_back(geometry(ctx, p));
    const geos::GeometryPtr collection = geos::make_collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(all));
    const geos::GeometryPtr merged = geos::own(ctx, GEOSUnaryUnion_r(ctx.handle(), collection.get()), "union");
    const geos::GeometryPtr w = geometry(ctx, whole);
    const geos::GeometryPtr d = geos::own(ctx, GEOSSymDifference_r(ctx.handle(), merged.get(), w.get()), "difference");
    return area_m2(ctx, d.get());
}

/** The checks every split must pass: valid, disjoint, together the whole area. */
void check_partition(geos::GeosContext& ctx, const std::vector<AreaPolygon>& split, const AreaPolygon& whole,
                     double relative_tolerance) {
    for (const AreaPolygon& part : split) {
        CHECK(wkb_is_valid(ctx, part.wkb));
        CHECK(part.area_km2 * 1e6 == Approx(wkb_area(ctx, part.wkb)).margin(1e-6));
    }
    for (std::size_t a = 0; a < split.size(); ++a)
        for (std::size_t b = a + 1; b < split.size(); ++b) CHECK(intersection_m2(ctx, split[a], split[b]) < 0.01);
    CHECK(mismatch_m2(ctx, split, whole) < relative_tolerance * whole.area_km2 * 1e6);
}

/** Samples as split_areas() documents them: midpoints of equal parts of at most `spacing`. */
void samples_of(const RoadGraph& graph, std::span<const ReachedPiece> pieces, double spacing,
                std::vector<Point>& points, std::vector<std::uint32_t>& labels) {
    for (const ReachedPiece& piece : pieces) {
        const Point a = graph.point_along(piece.edge, piece.from);
        const Point b = graph.point_along(piece.edge, piece.to);
        const double length = piece.to - piece.from;
        const double count = std::max(1.0, std::ceil(length / spacing - 1e-12));
        for (double k = 0; k < count; ++k) {
            const double f = (k + 0.5) / count;
            points.push_back({a.x + f * (b.x - a.x), a.y + f * (b.y - a.y)});
            labels.push_back(piece.origin);
        }
    }
}

}  // namespace

TEST_CASE("A split on a grid of four facilities is a partition of the service area", "[split]") {
    geos::GeosContext ctx;
    const Town town = make_town({{0, 0}, {600, 0}, {0, 600}, {600, 600}});
    for (const AreaMethod method : {AreaMethod::network, AreaMethod::raster, AreaMethod::hull}) {
        AreaOptions options;
        options.method = method;
        CAPTURE(static_cast<int>(method));
        const AreaPolygon whole = service_area(ctx, town.graph, town.pieces, 2000, {}, options);
        const std::vector<AreaPolygon> split = split_areas(ctx, town.graph, town.pieces, 2000, 4, {}, options);
        REQUIRE(split.size() == 4);
        // The raster method traces each part's roads on a grid of its own: the outer edge lies
        // within about a raster cell of the whole area's.
        check_partition(ctx, split, whole, method == AreaMethod::raster ? 0.02 : 1e-6);
        // Roads where two facilities tie go to the lower index (make_town), so the quarters are
        // not equal; the road lengths still add up.
        double road_km = 0.0;
        for (const AreaPolygon& part : split) road_km += part.road_km;
        CHECK(road_km == Approx(whole.road_km));
        // Points on roads each facility reaches first, well away from where they meet, and
        // their mirror images in the other quarters.
        for (const Point p : {Point{50, 0}, Point{0, 150}, Point{100, 50}, Point{200, 120}, Point{0, 250}}) {
            const Point mirrored[4] = {p, {600 - p.x, p.y}, {p.x, 600 - p.y}, {600 - p.x, 600 - p.y}};
            for (std::size_t o = 0; o < 4; ++o)
                for (std::size_t other = 0; other < 4; ++other) {
                    CAPTURE(mirrored[o].x, mirrored[o].y, other);
                    CHECK(wkb_contains(ctx, split[other].wkb, mirrored[o]) == (o == other));
                }
        }
    }
}

TEST_CASE("Each place of a split belongs to the origin of its nearest sample", "[split]") {
    // Three facilities placed off-centre so the meeting lines are not symmetric.
    geos::GeosContext ctx;
    const Town town = make_town({{100, 0}, {600, 300}, {200, 600}});
    AreaOptions options;
    const AreaPolygon whole = service_area(ctx, town.graph, town.pieces, 2000, {}, options);
    const std::vector<AreaPolygon> split = split_areas(ctx, town.graph, town.pieces, 2000, 3, {}, options);
    check_partition(ctx, split, whole, 1e-6);

    // Brute force: the nearest of all samples, and how much nearer it is than any sample of
    // another origin. Near a label boundary (within a cell's diagonal of it) either may win.
    std::vector<Point> samples;
    std::vector<std::uint32_t> labels;
    samples_of(town.graph, town.pieces, options.split_spacing_m, samples, labels);
    std::mt19937 random(7);
    std::uniform_real_distribution<double> coordinate(-60.0, 660.0);
    int tested = 0;
    int wrong = 0;
    const geos::GeometryPtr w = geometry(ctx, whole);
    while (tested < 400) {
        const Point p{coordinate(random), coordinate(random)};
        if (!wkb_contains(ctx, whole.wkb, p)) continue;
        std::vector<double> nearest(3, std::numeric_limits<double>::infinity());
        for (std::size_t k = 0; k < samples.size(); ++k)
            nearest[labels[k]] = std::min(nearest[labels[k]], std::hypot(samples[k].x - p.x, samples[k].y - p.y));
        const auto owner = static_cast<std::size_t>(std::min_element(nearest.begin(), nearest.end()) - nearest.begin());
        double runner_up = std::numeric_limits<double>::infinity();
        for (std::size_t o = 0; o < 3; ++o)
            if (o != owner) runner_up = std::min(runner_up, nearest[o]);
        // Beyond a distance difference of 2 cells diagonals the place is clearly inside.
        if (runner_up - nearest[owner] < 2.0 * std::sqrt(2.0) * options.split_spacing_m) continue;
        ++tested;
        for (std::size_t o = 0; o < 3; ++o)
            if (wkb_contains(ctx, split[o].wkb, p) != (o == owner)) ++wrong;
    }
    CHECK(wrong == 0);
}

TEST_CASE("A split is the same bytes every time", "[split]") {
    geos::GeosContext ctx;
    const Town town = make_town({{100, 0}, {600, 300}, {200, 600}});
    const std::vector<AreaPolygon> a = split_areas(ctx, town.graph, town.pieces, 500, 3, {}, AreaOptions{});
    const std::vector<AreaPolygon> b = split_areas(ctx, town.graph, town.pieces, 500, 3, {}, AreaOptions{});
    for (std::size_t o = 0; o < 3; ++o) CHECK(a[o].wkb == b[o].wkb);
}

TEST_CASE("Label regions traced from a grid are valid and exact", "[split]") {
    // One sample at the centre of each cell of a 10 m grid, labelled from a drawing; a small
    // radius makes each cell its own sample's. Corner-touching cells, a U whose arms meet at a
    // corner, an island inside a lake inside an island, and a pocket reached only diagonally.
    const std::vector<std::string> drawing = {
        "0101000222222",  //
        "1010000200002",  //
        "0101000202202",  //
        "0000000202202",  //
        "1111100200002",  //
        "1000100222222",  //
        "1010100000000",  //
        "1001100333333",  //
        "1111000300003",  //
        "0000000303303",  //
        "0000000300003",  //
        "0000000333333",  //
    };
    std::vector<Point> samples;
    std::vector<std::uint32_t> labels;
    std::vector<double> cells(4, 0.0);
    const auto rows = static_cast<int>(drawing.size());
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < static_cast<int>(drawing[static_cast<std::size_t>(r)].size()); ++c) {
            const auto label = static_cast<std::uint32_t>(drawing[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)] - '0');
            samples.push_back({c * 10.0 + 5.0, (rows - 1 - r) * 10.0 + 5.0});
            labels.push_back(label);
            cells[label] += 100.0;
        }
    Box frame;
    for (const Point& p : samples) frame.extend(p);
    geos::GeosContext ctx;
    gd::SplitGrid grid(frame, 10.0);
    grid.label(samples, labels, 6.0, false);
    for (std::size_t k = 0; k < samples.size(); ++k) CHECK(grid.label_at(samples[k]) == labels[k]);
    std::vector<Box> boxes;
    const std::vector<geos::GeometryPtr> regions = grid.regions(ctx, 4, boxes);
    for (std::uint32_t l = 0; l < 4; ++l) {
        CAPTURE(l);
        REQUIRE(regions[l]);
        CHECK(GEOSisValid_r(ctx.handle(), regions[l].get()) == 1);
        CHECK(area_m2(ctx, regions[l].get()) == Approx(cells[l]));
    }
    for (std::uint32_t a = 0; a < 4; ++a)
        for (std::uint32_t b = a + 1; b < 4; ++b) {
            const geos::GeometryPtr i =
                geos::own(ctx, GEOSIntersection_r(ctx.handle(), regions[a].get(), regions[b].get()), "intersection");
            CHECK(area_m2(ctx, i.get()) == 0.0);
        }
    // Label 2's lake holds an island of its own: two polygons, one with a hole.
    CHECK(GEOSGetNumGeometries_r(ctx.handle(), regions[2].get()) == 2);
}

TEST_CASE("A label nearest to no cell centre still gets the cell under its sample", "[split]") {
    // Label 0 has a sample at the centre of every cell of a 6 x 6 block of 10 m cells; label 1
    // one sample on a cell corner, 7.07 m from the nearest centres, so no centre is nearest to
    // it; label 2 one sample at the same place as label 1's (two facilities in one building).
    std::vector<Point> samples;
    std::vector<std::uint32_t> labels;
    for (int j = 0; j < 6; ++j)
        for (int i = 0; i < 6; ++i) {
            samples.push_back({i * 10.0 + 5.0, j * 10.0 + 5.0});
            labels.push_back(0);
        }
    samples.push_back({30.0, 30.0});
    labels.push_back(1);
    samples.push_back({30.0, 30.0});
    labels.push_back(2);
    Box frame;
    for (const Point& p : samples) frame.extend(p);
    for (const bool fill_all : {false, true}) {
        CAPTURE(fill_all);
        geos::GeosContext ctx;
        gd::SplitGrid grid(frame, 10.0);
        grid.label(samples, labels, 20.0, fill_all);
        // The cell under (30, 30) is the one whose lower-left corner it is.
        CHECK(grid.label_at({35.0, 35.0}) == 1);
        CHECK(grid.label_at({25.0, 25.0}) == 0);
        std::vector<Box> boxes;
        const std::vector<geos::GeometryPtr> regions = grid.regions(ctx, 3, boxes);
        REQUIRE(regions[0]);
        REQUIRE(regions[1]);
        CHECK(area_m2(ctx, regions[1].get()) == Approx(100.0));
        CHECK(boxes[1].min.x == Approx(30.0));
        CHECK(boxes[1].min.y == Approx(30.0));
        CHECK(GEOSisValid_r(ctx.handle(), regions[0].get()) == 1);
        // Label 0 keeps the rest of the block and more (its samples' discs reach past it).
        CHECK(area_m2(ctx, regions[0].get()) > 35 * 100.0 - 1e-6);
        const geos::GeometryPtr overlap =
            geos::own(ctx, GEOSIntersection_r(ctx.handle(), regions[0].get(), regions[1].get()), "intersection");
        CHECK(area_m2(ctx, overlap.get()) == 0.0);
        // Label 2 lies where label 1 does: it stays empty.
        CHECK(!regions[2]);
    }
}

TEST_CASE("Every cell of the label grid holds its nearest sample's label, across tiles", "[split]") {
    // 300 samples of 5 labels over 1 km x 0.7 km (several 32-cell tiles), clustered so that
    // many cells lie beyond the radius of every sample; each cell centre checked by brute force.
    std::mt19937 random(11);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<Point> samples;
    std::vector<std::uint32_t> labels;
    for (int c = 0; c < 12; ++c) {
        const Point centre{unit(random) * 1000.0, unit(random) * 700.0};
        const auto label = static_cast<std::uint32_t>(c % 5);
        for (int k = 0; k < 25; ++k) {
            samples.push_back({centre.x + (unit(random) - 0.5) * 120.0, centre.y + (unit(random) - 0.5) * 120.0});
            labels.push_back(label);
        }
    }
    Box frame{{0.0, 0.0}, {1000.0, 700.0}};
    for (const Point& p : samples) frame.extend(p);
    const double cell = 10.0;
    const double radius = 45.0;
    for (const bool fill_all : {false, true}) {
        CAPTURE(fill_all);
        gd::SplitGrid grid(frame, cell);
        grid.label(samples, labels, radius, fill_all);
        int checked = 0;
        int wrong = 0;
        int unlabelled = 0;
        // The grid's cells, as SplitGrid lays them out: one spare cell around the frame.
        const Point origin{(std::floor(frame.min.x / cell) - 1.0) * cell, (std::floor(frame.min.y / cell) - 1.0) * cell};
        const int columns = static_cast<int>(std::ceil((frame.max.x - origin.x) / cell)) + 1;
        const int rows = static_cast<int>(std::ceil((frame.max.y - origin.y) / cell)) + 1;
        for (int j = 0; j < rows; ++j)
            for (int i = 0; i < columns; ++i) {
                const double x = origin.x + (i + 0.5) * cell;
                const double y = origin.y + (j + 0.5) * cell;
                double best = std::numeric_limits<double>::infinity();
                std::uint32_t expected = gd::no_label;
                for (std::size_t k = 0; k < samples.size(); ++k) {
                    const double d = std::hypot(samples[k].x - x, samples[k].y - y);
                    if (d < best) {
                        best = d;
                        expected = labels[k];
                    }
                }
                if (!fill_all && best > radius) expected = gd::no_label;
                if (std::abs(best - radius) < 1e-6) continue;  // on the radius: either way
                ++checked;
                const std::uint32_t got = grid.label_at({x, y});
                if (got == gd::no_label) ++unlabelled;
                if (got != expected) ++wrong;
            }
        CHECK(checked > 7000);
        CHECK(wrong == 0);
        if (fill_all) CHECK(unlabelled == 0);
        else CHECK(unlabelled > 1000);

        // The traced regions hold exactly the labelled cells.
        geos::GeosContext ctx;
        std::vector<Box> boxes;
        const std::vector<geos::GeometryPtr> regions = grid.regions(ctx, 5, boxes);
        double traced = 0.0;
        for (const geos::GeometryPtr& r : regions) {
            REQUIRE(r);
            CHECK(GEOSisValid_r(ctx.handle(), r.get()) == 1);
            traced += area_m2(ctx, r.get());
        }
        CHECK(traced == Approx((checked - unlabelled) * cell * cell).epsilon(1e-9));
    }
}

TEST_CASE("Split regions' steps are thinned together: one common border, valid, within tolerance", "[split]") {
    // Two labels on either side of a line at 30 degrees across a 400 m x 300 m block, a third
    // in a disc on the line: the borders are staircases of 10 m cell sides until thinned.
    std::vector<Point> samples;
    std::vector<std::uint32_t> labels;
    for (double y = 5.0; y < 300.0; y += 10.0)
        for (double x = 5.0; x < 400.0; x += 10.0) {
            samples.push_back({x, y});
            const bool disc = std::hypot(x - 200.0, y - 150.0) < 60.0;
            labels.push_back(disc ? 2 : (y - 150.0 > 0.577 * (x - 200.0) ? 0 : 1));
        }
    Box frame;
    for (const Point& p : samples) frame.extend(p);
    geos::GeosContext ctx;
    GEOSContextHandle_t h = ctx.handle();
    gd::SplitGrid grid(frame, 10.0);
    grid.label(samples, labels, 8.0, false);
    std::vector<Box> boxes;
    const std::vector<geos::GeometryPtr> steps = grid.regions(ctx, 3, boxes);
    const std::vector<geos::GeometryPtr> thin = grid.regions(ctx, 3, boxes, 5.0);
    int step_vertices = 0;
    int thin_vertices = 0;
    for (std::uint32_t l = 0; l < 3; ++l) {
        CAPTURE(l);
        REQUIRE(thin[l]);
        CHECK(GEOSisValid_r(h, thin[l].get()) == 1);
        step_vertices += GEOSGetNumCoordinates_r(h, steps[l].get());
        thin_vertices += GEOSGetNumCoordinates_r(h, thin[l].get());
        double d = 0.0;
        REQUIRE(GEOSHausdorffDistance_r(h, steps[l].get(), thin[l].get(), &d) == 1);
        // Corners cut within 0.36 cell, then thinned within 5 m.
        CHECK(d <= 0.5 * std::sqrt(0.5) * 10.0 + 5.0 + 1e-9);
        CHECK(area_m2(ctx, thin[l].get()) == Approx(area_m2(ctx, steps[l].get())).epsilon(0.02));
    }
    CHECK(thin_vertices * 3 < step_vertices * 2);
    // Still a tiling: no overlaps, no gaps, and together the same block up to the tolerance
    // along its outer edge.
    for (std::uint32_t a = 0; a < 3; ++a)
        for (std::uint32_t b = a + 1; b < 3; ++b) {
            const geos::GeometryPtr i = geos::own(ctx, GEOSIntersection_r(h, thin[a].get(), thin[b].get()), "intersection");
            CHECK(area_m2(ctx, i.get()) < 1e-6);
        }
    double thin_total = 0.0;
    for (std::uint32_t l = 0; l < 3; ++l) thin_total += area_m2(ctx, thin[l].get());
    std::vector<geos::GeometryPtr> copies;
    for (std::uint32_t l = 0; l < 3; ++l) copies.push_back(geos::own(ctx, GEOSGeom_clone_r(h, thin[l].get()), "clone"));
    const geos::GeometryPtr all = geos::make_collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(copies));
    const geos::GeometryPtr merged = geos::own(ctx, GEOSUnaryUnion_r(h, all.get()), "union");
    CHECK(GEOSGetNumGeometries_r(h, merged.get()) == 1);
    CHECK(GEOSGetNumInteriorRings_r(h, GEOSGetGeometryN_r(h, merged.get(), 0)) == 0);
    CHECK(area_m2(ctx, merged.get()) == Approx(thin_total).epsilon(1e-12));
    const geos::GeometryPtr block = geos::own(ctx, GEOSGeom_createRectangle_r(h, 0.0, 0.0, 400.0, 300.0), "rectangle");
    const geos::GeometryPtr inner = geos::own(ctx, GEOSGeom_createRectangle_r(h, 8.6, 8.6, 391.4, 291.4), "rectangle");
    CHECK(GEOSCovers_r(h, block.get(), merged.get()) == 1);
    CHECK(GEOSCovers_r(h, merged.get(), inner.get()) == 1);
}
