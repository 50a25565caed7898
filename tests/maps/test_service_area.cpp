#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <stdexcept>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "core/error.hpp"
#include "core/graph.hpp"
#include "core/reach.hpp"
#include "core/geos.hpp"
#include "maps/service_area.hpp"
#include "road_graph_helpers.hpp"

using namespace lifecircle;
using namespace lifecircle::maps;
using lifecircle::test::make_graph;

namespace {

/** The whole of edge e, reached at t_from at its start and t_to at its end. */
ReachedPiece whole(const RoadGraph& graph, EdgeId e, Seconds t_from, Seconds t_to,
                   std::uint32_t origin = 0) {
    return ReachedPiece{e, 0.0, graph.edge_length_m[e], t_from, t_to, origin};
}

geos::GeometryPtr geometry(geos::GeosContext& ctx, const AreaPolygon& area) {
    return geos::from_wkb(ctx, area.wkb);
}

double area_m2(geos::GeosContext& ctx, const GEOSGeometry* g) {
    double a = 0.0;
    REQUIRE(GEOSArea_r(ctx.handle(), g, &a) == 1);
    return a;
}

/** Area of a minus b in m². */
double difference_m2(geos::GeosContext& ctx, const AreaPolygon& a, const AreaPolygon& b) {
    const geos::GeometryPtr ga = geometry(ctx, a);
    const geos::GeometryPtr gb = geometry(ctx, b);
    const geos::GeometryPtr d =
        geos::own(ctx, GEOSDifference_r(ctx.handle(), ga.get(), gb.get()), "difference");
    return area_m2(ctx, d.get());
}

double intersection_m2(geos::GeosContext& ctx, const AreaPolygon& a, const AreaPolygon& b) {
    const geos::GeometryPtr ga = geometry(ctx, a);
    const geos::GeometryPtr gb = geometry(ctx, b);
    const geos::GeometryPtr i =
        geos::own(ctx, GEOSIntersection_r(ctx.handle(), ga.get(), gb.get()), "intersection");
    return area_m2(ctx, i.get());
}

bool is_multipolygon(geos::GeosContext& ctx, const AreaPolygon& area) {
    const geos::GeometryPtr g = geometry(ctx, area);
    return GEOSGeomTypeId_r(ctx.handle(), g.get()) == GEOS_MULTIPOLYGON;
}

/** Every check a result must pass: valid MultiPolygon whose area_km2 matches its geometry. */
void check_result(geos::GeosContext& ctx, const AreaPolygon& area) {
    CHECK(wkb_is_valid(ctx, area.wkb));
    CHECK(is_multipolygon(ctx, area));
    CHECK(area.area_km2 * 1e6 == Approx(wkb_area(ctx, area.wkb)).margin(1e-6));
}

/**
 * A grid of n x n blocks of `block` metres, reached from its corner (0, 0) at 1 m/s, so the time
 * anywhere on a road is its Manhattan distance from the corner.
 *
 *   (0,n*block) +---+---+
 *               |   |   |
 *               +---+---+
 *               |   |   |
 *         (0,0) +---+---+ (n*block,0)
 */
struct Grid {
    RoadGraph graph;
    std::vector<ReachedPiece> pieces;
};

Grid make_grid(int n, double block) {
    std::vector<std::vector<Point>> roads;
    for (int j = 0; j <= n; ++j) {
        for (int i = 0; i < n; ++i) {
            const double a = i * block;
            const double b = (i + 1) * block;
            const double c = j * block;
            roads.push_back({{a, c}, {b, c}});  // horizontal
            roads.push_back({{c, a}, {c, b}});  // vertical
        }
    }
    Grid grid{make_graph(roads), {}};
    for (EdgeId e = 0; e < grid.graph.edge_count(); ++e) {
        const Point from = grid.graph.node_xy[grid.graph.edge_from[e]];
        const Point to = grid.graph.node_xy[grid.graph.edge_to[e]];
        grid.pieces.push_back(whole(grid.graph, e, from.x + from.y, to.x + to.y));
    }
    return grid;
}

}  // namespace

TEST_CASE("A straight road cut at the cutoff gives a stadium", "[service_area]") {
    geos::GeosContext ctx;
    const RoadGraph graph = make_graph({{{0, 0}, {400, 0}, {1000, 0}}});
    const std::vector<ReachedPiece> pieces{whole(graph, 0, 0, 1000)};
    AreaOptions options;
    options.quadrant_segments = 8;

    const AreaPolygon area = service_area(ctx, graph, pieces, 500, {}, options);
    check_result(ctx, area);
    CHECK(area.road_km == Approx(0.5));
    CHECK(area.area_km2 * 1e6 == Approx(500 * 100 + std::numbers::pi * 50 * 50).epsilon(0.01));
    CHECK(wkb_contains(ctx, area.wkb, {250, 0}));
    CHECK(wkb_contains(ctx, area.wkb, {250, 49}));
    CHECK(wkb_contains(ctx, area.wkb, {-49, 0}));
    CHECK(wkb_contains(ctx, area.wkb, {549, 0}));
    CHECK_FALSE(wkb_contains(ctx, area.wkb, {250, 51}));
    CHECK_FALSE(wkb_contains(ctx, area.wkb, {600, 0}));
    CHECK_FALSE(wkb_contains(ctx, area.wkb, {551, 0}));

    SECTION("reached from the far end, the other half is cut") {
        const std::vector<ReachedPiece> reverse{whole(graph, 0, 1000, 0)};
        const AreaPolygon back = service_area(ctx, graph, reverse, 500, {}, options);
        CHECK(back.road_km == Approx(0.5));
        CHECK(wkb_contains(ctx, back.wkb, {750, 0}));
        CHECK_FALSE(wkb_contains(ctx, back.wkb, {400, 0}));
    }
    SECTION("a piece starting after the cutoff adds nothing") {
        const std::vector<ReachedPiece> late{whole(graph, 0, 600, 1600)};
        const AreaPolygon none = service_area(ctx, graph, late, 500, {}, options);
        check_result(ctx, none);
        CHECK(none.area_km2 == 0.0);
        CHECK(none.road_km == 0.0);
        CHECK(wkb_to_wkt(ctx, none.wkb) == "MULTIPOLYGON EMPTY");
    }
    SECTION("a piece reached exactly at the cutoff leaves a circle around its start") {
        const std::vector<ReachedPiece> edge_on{whole(graph, 0, 500, 1500)};
        const AreaPolygon dot = service_area(ctx, graph, edge_on, 500, {}, options);
        check_result(ctx, dot);
        CHECK(dot.road_km == 0.0);
        CHECK(dot.area_km2 * 1e6 == Approx(std::numbers::pi * 50 * 50).epsilon(0.01));
        CHECK(wkb_contains(ctx, dot.wkb, {0, 40}));
    }
}

TEST_CASE("An extra line brings the facility into its area", "[service_area]") {
    geos::GeosContext ctx;
    const RoadGraph graph = make_graph({{{0, 0}, {1000, 0}}});
    const std::vector<ReachedPiece> pieces{whole(graph, 0, 0, 1000)};
    const std::vector<std::vector<Point>> walk_in{{{300, 120}, {300, 0}}};
    const AreaPolygon without = service_area(ctx, graph, pieces, 500, {}, AreaOptions{});
    const AreaPolygon with = service_area(ctx, graph, pieces, 500, walk_in, AreaOptions{});
    check_result(ctx, with);
    CHECK_FALSE(wkb_contains(ctx, without.wkb, {300, 120}));
    CHECK(wkb_contains(ctx, with.wkb, {300, 120}));
    CHECK(with.road_km == Approx(0.5));  // the walk in is not road
}

TEST_CASE("A river between two reached roads stays out of the area", "[service_area]") {
    // Walk out along the south bank, over the bridge, and back along the north bank:
    //
    //   (0,300) +===================+ (1000,300)
    //                  river        | bridge
    //     (0,0) o-------------------+ (1000,0)
    geos::GeosContext ctx;
    const RoadGraph graph =
        make_graph({{{0, 0}, {1000, 0}}, {{1000, 0}, {1000, 300}}, {{0, 300}, {1000, 300}}});
    const std::vector<ReachedPiece> pieces{whole(graph, 0, 0, 1000), whole(graph, 1, 1000, 1300),
                                           whole(graph, 2, 2300, 1300)};
    const AreaPolygon area = service_area(ctx, graph, pieces, 2300, {}, AreaOptions{});
    check_result(ctx, area);
    CHECK(area.road_km == Approx(2.3));
    CHECK(wkb_contains(ctx, area.wkb, {500, 0}));
    CHECK(wkb_contains(ctx, area.wkb, {500, 300}));
    CHECK(wkb_contains(ctx, area.wkb, {10, 300}));
    CHECK_FALSE(wkb_contains(ctx, area.wkb, {500, 150}));
    CHECK_FALSE(wkb_contains(ctx, area.wkb, {0, 150}));

    SECTION("the concave hull contains the network area") {
        AreaOptions hull;
        hull.method = AreaMethod::hull;
        const AreaPolygon full = service_area(ctx, graph, pieces, 2300, {}, hull);
        check_result(ctx, full);
        CHECK(full.road_km == Approx(2.3));
        CHECK(full.area_km2 >= area.area_km2);
        CHECK(difference_m2(ctx, area, full) < 1.0);
        const geos::GeometryPtr outer = geometry(ctx, full);
        const geos::GeometryPtr inner = geometry(ctx, area);
        CHECK(GEOSContains_r(ctx.handle(), outer.get(), inner.get()) == 1);
    }
}

TEST_CASE("A block whose inside is beyond the buffer stays a hole", "[service_area]") {
    //   (0,400) +------+ (400,400)
    //           | hole |
    //     (0,0) +------+ (400,0)
    geos::GeosContext ctx;
    const RoadGraph graph = make_graph(
        {{{0, 0}, {400, 0}}, {{400, 0}, {400, 400}}, {{0, 0}, {0, 400}}, {{0, 400}, {400, 400}}});
    const std::vector<ReachedPiece> pieces{whole(graph, 0, 0, 400), whole(graph, 1, 400, 800),
                                           whole(graph, 2, 0, 400), whole(graph, 3, 400, 800)};
    const AreaPolygon area = service_area(ctx, graph, pieces, 1000, {}, AreaOptions{});
    check_result(ctx, area);
    const geos::GeometryPtr g = geometry(ctx, area);
    REQUIRE(GEOSGetNumGeometries_r(ctx.handle(), g.get()) == 1);
    CHECK(GEOSGetNumInteriorRings_r(ctx.handle(), GEOSGetGeometryN_r(ctx.handle(), g.get(), 0)) ==
          1);
    CHECK_FALSE(wkb_contains(ctx, area.wkb, {200, 200}));
    CHECK(wkb_contains(ctx, area.wkb, {200, 40}));
    // A 500 m square with rounded corners less the 300 m x 300 m hole.
    const double corners = 4 * (1 - std::numbers::pi / 4) * 50 * 50;
    CHECK(area.area_km2 * 1e6 == Approx(500.0 * 500.0 - corners - 300.0 * 300.0).epsilon(0.005));
}

TEST_CASE("Nested areas nest and rings partition the outer area", "[service_area]") {
    geos::GeosContext ctx;
    const Grid grid = make_grid(6, 100);
    const std::vector<Seconds> breaks{100, 250, 400};
    const std::vector<std::vector<Point>> walk_in{{{-20, -20}, {0, 0}}};
    const std::vector<AreaPolygon> nested =
        nested_areas(ctx, grid.graph, grid.pieces, breaks, walk_in, AreaOptions{});
    REQUIRE(nested.size() == 3);
    for (std::size_t i = 0; i < nested.size(); ++i) {
        check_result(ctx, nested[i]);
        const AreaPolygon alone =
            service_area(ctx, grid.graph, grid.pieces, breaks[i], walk_in, AreaOptions{});
        CHECK(nested[i].road_km == Approx(alone.road_km));
        CHECK(nested[i].area_km2 == Approx(alone.area_km2).epsilon(1e-6));
        CHECK(wkb_contains(ctx, nested[i].wkb, {-20, -20}));
    }
    // Reached road: the Manhattan ball of radius t on a 100 m grid.
    CHECK(nested[0].road_km == Approx(0.2));
    CHECK(nested[1].road_km == Approx(0.6 + 0.3));  // 6 whole edges and 6 half edges
    for (std::size_t i = 1; i < nested.size(); ++i) {
        const geos::GeometryPtr outer = geometry(ctx, nested[i]);
        const geos::GeometryPtr inner = geometry(ctx, nested[i - 1]);
        CHECK(GEOSContains_r(ctx.handle(), outer.get(), inner.get()) == 1);
        CHECK(difference_m2(ctx, nested[i - 1], nested[i]) == 0.0);
    }
    // Nothing beyond the cutoff: (300, 200) is 500 s away, 100 m beyond the 400 s line.
    CHECK(wkb_contains(ctx, nested[2].wkb, {200, 200}));
    CHECK_FALSE(wkb_contains(ctx, nested[2].wkb, {300, 200}));
    CHECK_FALSE(wkb_contains(ctx, nested[0].wkb, {160, 0}));

    SECTION("rings") {
        const std::vector<AreaPolygon> rings = ring_areas(ctx, nested);
        REQUIRE(rings.size() == 3);
        double sum_area = 0.0;
        double sum_road = 0.0;
        for (const AreaPolygon& ring : rings) {
            check_result(ctx, ring);
            sum_area += ring.area_km2;
            sum_road += ring.road_km;
        }
        CHECK(sum_area == Approx(nested.back().area_km2).epsilon(0.001));
        CHECK(sum_road == Approx(nested.back().road_km));
        CHECK(rings[0].wkb == nested[0].wkb);
        CHECK(rings[1].road_km == Approx(nested[1].road_km - nested[0].road_km));
        for (std::size_t i = 0; i < rings.size(); ++i)
            for (std::size_t j = i + 1; j < rings.size(); ++j)
                CHECK(intersection_m2(ctx, rings[i], rings[j]) < 1.0);
        CHECK(wkb_contains(ctx, rings[0].wkb, {50, 0}));
        CHECK_FALSE(wkb_contains(ctx, rings[1].wkb, {50, 0}));
        CHECK(wkb_contains(ctx, rings[2].wkb, {200, 200}));
    }
    SECTION("hull areas nest too and contain the network areas") {
        AreaOptions hull;
        hull.method = AreaMethod::hull;
        const std::vector<AreaPolygon> full =
            nested_areas(ctx, grid.graph, grid.pieces, breaks, walk_in, hull);
        for (std::size_t i = 0; i < full.size(); ++i) {
            check_result(ctx, full[i]);
            CHECK(difference_m2(ctx, nested[i], full[i]) < 1.0);
            if (i > 0) CHECK(difference_m2(ctx, full[i - 1], full[i]) == 0.0);
        }
    }
    SECTION("breaks must ascend") {
        const std::vector<Seconds> bad{100, 100};
        CHECK_THROWS_WITH(nested_areas(ctx, grid.graph, grid.pieces, bad, {}, AreaOptions{}),
                          Catch::Contains("time breaks must ascend"));
    }
}

TEST_CASE("Split areas divide the area where the facilities' times meet", "[service_area]") {
    // Two facilities at the ends of one road meet in the middle:
    //   0 o---------+---------o 1
    geos::GeosContext ctx;
    const RoadGraph graph = make_graph({{{0, 0}, {1000, 0}}});
    const std::vector<ReachedPiece> pieces{{0, 0, 500, 0, 500, 0}, {0, 500, 1000, 500, 0, 1}};
    const std::vector<std::vector<Point>> walk_in{{{0, -30}, {0, 0}}, {}};

    const AreaPolygon all = service_area(ctx, graph, pieces, 1000, walk_in, AreaOptions{});
    const std::vector<AreaPolygon> split =
        split_areas(ctx, graph, pieces, 1000, 2, walk_in, AreaOptions{});
    REQUIRE(split.size() == 2);
    for (const AreaPolygon& part : split) check_result(ctx, part);
    CHECK(split[0].road_km == Approx(0.5));
    CHECK(split[1].road_km == Approx(0.5));
    CHECK(intersection_m2(ctx, split[0], split[1]) < 1.0);
    CHECK(split[0].area_km2 + split[1].area_km2 == Approx(all.area_km2).epsilon(0.005));
    CHECK(wkb_contains(ctx, split[0].wkb, {100, 0}));
    CHECK(wkb_contains(ctx, split[0].wkb, {450, 40}));
    CHECK(wkb_contains(ctx, split[0].wkb, {0, -30}));
    CHECK_FALSE(wkb_contains(ctx, split[0].wkb, {600, 0}));
    CHECK(wkb_contains(ctx, split[1].wkb, {900, 0}));
    CHECK_FALSE(wkb_contains(ctx, split[1].wkb, {400, 0}));

    SECTION("a short cutoff leaves each its own stretch") {
        const std::vector<AreaPolygon> near =
            split_areas(ctx, graph, pieces, 300, 2, {}, AreaOptions{});
        CHECK(near[0].road_km == Approx(0.3));
        CHECK(wkb_contains(ctx, near[0].wkb, {200, 0}));
        CHECK_FALSE(wkb_contains(ctx, near[0].wkb, {500, 0}));
        CHECK(wkb_contains(ctx, near[1].wkb, {800, 0}));
    }
    SECTION("an origin that reaches nothing gets an empty area") {
        const std::vector<AreaPolygon> three =
            split_areas(ctx, graph, pieces, 1000, 3, {}, AreaOptions{});
        REQUIRE(three.size() == 3);
        check_result(ctx, three[2]);
        CHECK(three[2].area_km2 == 0.0);
    }
    SECTION("a single origin gets the whole area") {
        const std::vector<ReachedPiece> one{{0, 0, 1000, 0, 1000, 0}};
        const std::vector<AreaPolygon> single =
            split_areas(ctx, graph, one, 1000, 1, {}, AreaOptions{});
        const AreaPolygon whole_area = service_area(ctx, graph, one, 1000, {}, AreaOptions{});
        CHECK(single[0].wkb == whole_area.wkb);
    }
    SECTION("origins must be below origin_count") {
        CHECK_THROWS_WITH(split_areas(ctx, graph, pieces, 1000, 1, {}, AreaOptions{}),
                          Catch::Contains("has origin 1 but there are only 1 origins"));
        CHECK_THROWS_WITH(
            split_areas(ctx, graph, pieces, 1000, 2, std::span(walk_in).first(1), AreaOptions{}),
            Catch::Contains("1 extra lines for 2 origins"));
    }
}

TEST_CASE("Split areas on a grid tile the service area", "[service_area]") {
    // Facility 0 at (0,0), facility 1 at (600,600): each road goes to the nearer one.
    geos::GeosContext ctx;
    Grid grid = make_grid(6, 100);
    std::vector<ReachedPiece> pieces;
    for (const ReachedPiece& p : grid.pieces) {
        // Time from (600,600) is 1200 - time from (0,0); they meet on the anti-diagonal.
        ReachedPiece from0 = p;
        ReachedPiece from1 = p;
        from1.t_from = 1200 - p.t_from;
        from1.t_to = 1200 - p.t_to;
        from1.origin = 1;
        if (std::max(p.t_from, p.t_to) <= 600) {
            pieces.push_back(from0);
        } else if (std::min(p.t_from, p.t_to) >= 600) {
            pieces.push_back(from1);
        } else {
            const double cut = (600 - p.t_from) / (p.t_to - p.t_from) * p.to;
            pieces.push_back({p.edge, 0, cut, p.t_from, 600, 0});
            pieces.push_back({p.edge, cut, p.to, 600, from1.t_to, 1});
        }
    }
    const AreaOptions options;
    const AreaPolygon all = service_area(ctx, grid.graph, pieces, 1000, {}, options);
    const std::vector<AreaPolygon> split =
        split_areas(ctx, grid.graph, pieces, 1000, 2, {}, options);
    for (const AreaPolygon& part : split) check_result(ctx, part);
    CHECK(intersection_m2(ctx, split[0], split[1]) < 1.0);
    CHECK(split[0].area_km2 + split[1].area_km2 == Approx(all.area_km2).epsilon(0.005));
    CHECK(split[0].area_km2 == Approx(split[1].area_km2).epsilon(0.02));
    CHECK(split[0].road_km + split[1].road_km == Approx(all.road_km));
    CHECK(wkb_contains(ctx, split[0].wkb, {100, 100}));
    CHECK(wkb_contains(ctx, split[1].wkb, {500, 500}));
    CHECK_FALSE(wkb_contains(ctx, split[0].wkb, {500, 500}));
}

TEST_CASE("Bad options are refused with a message", "[service_area]") {
    geos::GeosContext ctx;
    const RoadGraph graph = make_graph({{{0, 0}, {1000, 0}}});
    AreaOptions options;
    options.buffer_m = 0;
    CHECK_THROWS_AS(service_area(ctx, graph, {}, 100, {}, options), UsageError);
    CHECK_THROWS_WITH(service_area(ctx, graph, {}, 100, {}, options),
                      Catch::Contains("buffer must be more than 0 m"));
    options = AreaOptions{};
    options.hull_ratio = 2;
    CHECK_THROWS_WITH(service_area(ctx, graph, {}, 100, {}, options),
                      Catch::Contains("ratio must be between 0 and 1"));
}

TEST_CASE("GEOS helpers make valid MultiPolygons and report GEOS errors", "[service_area]") {
    geos::GeosContext ctx;
    SECTION("a bow tie is repaired") {
        GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.handle());
        geos::GeometryPtr bow = geos::own(
            ctx,
            GEOSWKTReader_read_r(ctx.handle(), reader, "POLYGON((0 0, 10 10, 10 0, 0 10, 0 0))"),
            "read");
        GEOSWKTReader_destroy_r(ctx.handle(), reader);
        CHECK(GEOSisValid_r(ctx.handle(), bow.get()) == 0);
        const geos::GeometryPtr fixed = geos::to_valid_multipolygon(ctx, std::move(bow));
        CHECK(GEOSisValid_r(ctx.handle(), fixed.get()) == 1);
        CHECK(GEOSGeomTypeId_r(ctx.handle(), fixed.get()) == GEOS_MULTIPOLYGON);
        CHECK(area_m2(ctx, fixed.get()) == Approx(50.0));
        const std::vector<unsigned char> wkb = geos::to_wkb(ctx, fixed.get());
        CHECK(wkb_to_wkt(ctx, wkb, 1) ==
              "MULTIPOLYGON (((0 10, 5 5, 0 0, 0 10)), ((10 0, 5 5, 10 10, 10 0)))");
    }
    SECTION("bad WKB throws geos::GeometryError with GEOS's reason") {
        const std::vector<unsigned char> junk{1, 2, 3};
        CHECK_THROWS_AS(wkb_area(ctx, junk), geos::GeometryError);
        CHECK_THROWS_WITH(wkb_area(ctx, junk), Catch::Contains("read WKB") && Catch::Contains(":"));
    }
    SECTION("a context can be moved") {
        geos::GeosContext other = std::move(ctx);
        const geos::GeometryPtr p = geos::make_point(other, {1, 2});
        CHECK(GEOSGeomTypeId_r(other.handle(), p.get()) == GEOS_POINT);
    }
}

TEST_CASE("One GEOS context per thread", "[service_area]") {
    const RoadGraph graph = make_graph({{{0, 0}, {1000, 0}}});
    const std::vector<ReachedPiece> pieces{whole(graph, 0, 0, 1000)};
    std::vector<double> areas(4, 0.0);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < areas.size(); ++i) {
        threads.emplace_back([&, i] {
            geos::GeosContext ctx;
            for (int k = 0; k < 20; ++k)
                areas[i] = service_area(ctx, graph, pieces, 250.0 * static_cast<double>(i + 1), {},
                                        AreaOptions{})
                               .area_km2;
        });
    }
    for (std::thread& t : threads) t.join();
    for (std::size_t i = 1; i < areas.size(); ++i) CHECK(areas[i] > areas[i - 1]);
}

namespace {

/** An AreaPolygon of WKT (as nested_areas would return it). */
AreaPolygon area_of_wkt(geos::GeosContext& ctx, const char* wkt) {
    GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.handle());
    geos::GeometryPtr g = geos::own(ctx, GEOSWKTReader_read_r(ctx.handle(), reader, wkt), "read");
    GEOSWKTReader_destroy_r(ctx.handle(), reader);
    AreaPolygon out;
    out.wkb = geos::to_wkb(ctx, g.get());
    out.area_km2 = area_m2(ctx, g.get()) / 1e6;
    return out;
}

/** Whether every vertex of a WKB geometry lies on the grid of `cell` (to 1e-9 cells). */
bool on_grid(geos::GeosContext& ctx, const AreaPolygon& area, double cell) {
    const geos::GeometryPtr g = geometry(ctx, area);
    const geos::GeometryPtr points =
        geos::own(ctx, GEOSGeom_extractUniquePoints_r(ctx.handle(), g.get()), "points");
    for (int i = 0; i < GEOSGetNumGeometries_r(ctx.handle(), points.get()); ++i) {
        double x = 0.0;
        double y = 0.0;
        const GEOSGeometry* p = GEOSGetGeometryN_r(ctx.handle(), points.get(), i);
        GEOSGeomGetX_r(ctx.handle(), p, &x);
        GEOSGeomGetY_r(ctx.handle(), p, &y);
        if (std::abs(x / cell - std::round(x / cell)) > 1e-9 ||
            std::abs(y / cell - std::round(y / cell)) > 1e-9)
            return false;
    }
    return true;
}

}  // namespace

TEST_CASE("Rings drop the slivers between nearly shared boundaries", "[service_area]") {
    geos::GeosContext ctx;
    // The outer area is the inner 100 m square with its top edge 0.1 µm higher and a 10 x 10 m
    // bump on the right: the true ring is the bump (100 m²) plus a 100 m x 0.1 µm sliver
    // (1e-5 m²) that no output can draw and that folds over itself once rounded.
    const std::vector<AreaPolygon> nested{
        area_of_wkt(ctx, "MULTIPOLYGON(((0 0, 100 0, 100 100, 0 100, 0 0)))"),
        area_of_wkt(ctx,
                    "MULTIPOLYGON(((0 0, 100 0, 100 40, 110 40, 110 50, 100 50, "
                    "100 100.0000001, 0 100.0000001, 0 0)))")};
    const std::vector<AreaPolygon> unsnapped = ring_areas(ctx, nested, 0.0);
    REQUIRE(unsnapped.size() == 2);
    CHECK(wkb_area(ctx, unsnapped[1].wkb) == Approx(100.0 + 1e-5).margin(1e-9));
    CHECK(wkb_area(ctx, unsnapped[1].wkb) > 100.0 + 0.5e-5);  // the sliver is there
    const std::vector<AreaPolygon> rings = ring_areas(ctx, nested, 0.001);
    REQUIRE(rings.size() == 2);
    check_result(ctx, rings[1]);
    CHECK(wkb_area(ctx, rings[1].wkb) == Approx(100.0).margin(1e-9));
    CHECK(wkb_to_wkt(ctx, rings[1].wkb, 3) ==
          "MULTIPOLYGON (((110 40, 100 40, 100 50, 110 50, 110 40)))");
}

TEST_CASE("Every returned polygon is on the 1 mm grid and valid", "[service_area]") {
    geos::GeosContext ctx;
    // Roads at odd angles and positions so buffer vertices fall off any grid.
    const RoadGraph graph = make_graph({{{0.123456, 0.654321}, {401.987654, 133.3333333}},
                                        {{401.987654, 133.3333333}, {257.7777, 601.1111}}});
    const std::vector<ReachedPiece> pieces{whole(graph, 0, 0, 420), whole(graph, 1, 420, 910)};
    const std::vector<Seconds> breaks{300, 600, 900};
    const AreaOptions options;
    REQUIRE(options.grid_m == 0.001);
    const std::vector<AreaPolygon> nested = nested_areas(ctx, graph, pieces, breaks, {}, options);
    const std::vector<AreaPolygon> rings = ring_areas(ctx, nested, options.grid_m);
    std::vector<AreaPolygon> all = nested;
    all.insert(all.end(), rings.begin(), rings.end());
    all.push_back(service_area(ctx, graph, pieces, 600, {}, options));
    for (const AreaPolygon& a :
         split_areas(ctx, graph, {{whole(graph, 0, 0, 420, 0), whole(graph, 1, 910, 420, 1)}}, 900,
                     2, {}, options))
        all.push_back(a);
    for (std::size_t i = 0; i < all.size(); ++i) {
        INFO("polygon " << i);
        check_result(ctx, all[i]);
        CHECK(wkb_area(ctx, all[i].wkb) > 0.0);
        CHECK(on_grid(ctx, all[i], options.grid_m));
    }
    // The snapped areas still nest: the inner one sticks out by less than a band of one grid
    // cell along its boundary (snap-rounding moves an edge by at most a cell).
    for (std::size_t i = 0; i + 1 < nested.size(); ++i) {
        const geos::GeometryPtr inner = geometry(ctx, nested[i]);
        double perimeter = 0.0;
        REQUIRE(GEOSLength_r(ctx.handle(), inner.get(), &perimeter) == 1);
        CHECK(difference_m2(ctx, nested[i], nested[i + 1]) < perimeter * options.grid_m);
    }
    // Unsnapped, they nest up to float noise (the original construction), for comparison.
    AreaOptions exact = options;
    exact.grid_m = 0.0;
    const std::vector<AreaPolygon> raw = nested_areas(ctx, graph, pieces, breaks, {}, exact);
    for (std::size_t i = 0; i + 1 < raw.size(); ++i)
        CHECK(difference_m2(ctx, raw[i], raw[i + 1]) < 1e-6);
}

TEST_CASE("A grid as coarse as the buffer is refused", "[service_area]") {
    geos::GeosContext ctx;
    const RoadGraph graph = make_graph({{{0, 0}, {1000, 0}}});
    AreaOptions options;
    options.grid_m = 50.0;
    CHECK_THROWS_AS(service_area(ctx, graph, {}, 100, {}, options), UsageError);
    CHECK_THROWS_WITH(service_area(ctx, graph, {}, 100, {}, options),
                      Catch::Contains("grid must be at least 0 m and finer than the buffer"));
    options.grid_m = -1.0;
    CHECK_THROWS_WITH(service_area(ctx, graph, {}, 100, {}, options),
                      Catch::Contains("got -1.000000 m"));
}

TEST_CASE("The raster method traces the same stadium within a cell", "[service_area][raster]") {
    // Buffer 50 m, cell 5 m: the boundary of {distance <= 50} is traced within a cell, so the
    // stadium's area 500 x 100 + pi 50^2 = 57,854 m^2 is matched to ~1% (the cell-centre seeds
    // are at most 2.5 m off the road; the boundary length is ~1,300 m, so ±3,000 m^2 at worst).
    geos::GeosContext ctx;
    const RoadGraph graph = make_graph({{{0, 0}, {400, 0}, {1000, 0}}});
    const std::vector<ReachedPiece> pieces{whole(graph, 0, 0, 1000)};
    AreaOptions options;
    options.method = AreaMethod::raster;
    const AreaPolygon area = service_area(ctx, graph, pieces, 500, {}, options);
    check_result(ctx, area);
    CHECK(area.road_km == Approx(0.5));
    CHECK(area.area_km2 * 1e6 == Approx(500 * 100 + std::numbers::pi * 50 * 50).epsilon(0.02));
    CHECK(wkb_contains(ctx, area.wkb, {250, 0}));
    CHECK(wkb_contains(ctx, area.wkb, {250, 44}));
    CHECK(wkb_contains(ctx, area.wkb, {-44, 0}));
    CHECK(wkb_contains(ctx, area.wkb, {544, 0}));
    CHECK_FALSE(wkb_contains(ctx, area.wkb, {250, 56}));
    CHECK_FALSE(wkb_contains(ctx, area.wkb, {556, 0}));
}

TEST_CASE("Raster areas nest, keep holes, and match the network method within a cell", "[service_area][raster]") {
    geos::GeosContext ctx;
    const Grid grid = make_grid(6, 100);
    const std::vector<Seconds> breaks{100, 250, 400};
    const std::vector<std::vector<Point>> walk_in{{{-20, -20}, {0, 0}}};
    AreaOptions raster;
    raster.method = AreaMethod::raster;
    raster.buffer_m = 30;  // 100 m blocks: a 40 m hole inside each fully reached block
    AreaOptions network = raster;
    network.method = AreaMethod::network;
    network.quadrant_segments = 16;
    const std::vector<AreaPolygon> r = nested_areas(ctx, grid.graph, grid.pieces, breaks, walk_in, raster);
    const std::vector<AreaPolygon> n = nested_areas(ctx, grid.graph, grid.pieces, breaks, walk_in, network);
    REQUIRE(r.size() == 3);
    for (std::size_t i = 0; i < r.size(); ++i) {
        check_result(ctx, r[i]);
        CHECK(r[i].road_km == Approx(n[i].road_km));
        CHECK(wkb_contains(ctx, r[i].wkb, {-20, -20}));
        // Symmetric difference below a cell (3 m) times the boundary length.
        const geos::GeometryPtr a = geometry(ctx, r[i]), b = geometry(ctx, n[i]);
        const geos::GeometryPtr diff = geos::own(ctx, GEOSSymDifference_r(ctx.handle(), a.get(), b.get()), "symdiff");
        double length = 0;
        GEOSLength_r(ctx.handle(), b.get(), &length);
        CHECK(area_m2(ctx, diff.get()) < 3.0 * length);
        if (i > 0) {
            const geos::GeometryPtr inner = geometry(ctx, r[i - 1]);
            CHECK(GEOSCovers_r(ctx.handle(), a.get(), inner.get()) == 1);
        }
    }
    // The block between (100,100) and (200,200) is reached all round at 400 s: its middle is a hole.
    CHECK_FALSE(wkb_contains(ctx, r[2].wkb, {150, 150}));
    CHECK(wkb_contains(ctx, r[2].wkb, {150, 110}));
}
