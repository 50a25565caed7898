#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "core/geos.hpp"
#include "maps/raster_buffer.hpp"
#include "maps/ring_simplify.hpp"

using namespace lifecircle;
namespace gd = lifecircle::maps::detail;
using gd::Ring;
using lifecircle::geos::GeosContext;

namespace {

std::size_t vertices(const std::vector<Ring>& rings) {
    std::size_t n = 0;
    for (const Ring& r : rings) n += r.size();
    return n;
}

bool valid(geos::GeosContext& ctx, const GEOSGeometry* g) { return GEOSisValid_r(ctx.handle(), g) == 1; }

double boundary_hausdorff(geos::GeosContext& ctx, const GEOSGeometry* a, const GEOSGeometry* b) {
    const geos::GeometryPtr ba = geos::own(ctx, GEOSBoundary_r(ctx.handle(), a), "boundary");
    const geos::GeometryPtr bb = geos::own(ctx, GEOSBoundary_r(ctx.handle(), b), "boundary");
    double d = 0;
    REQUIRE(GEOSHausdorffDistance_r(ctx.handle(), ba.get(), bb.get(), &d) == 1);
    return d;
}

double area(geos::GeosContext& ctx, const GEOSGeometry* g) {
    double a = 0;
    REQUIRE(GEOSArea_r(ctx.handle(), g, &a) == 1);
    return a;
}

/** A closed ring through `pts` (the closing point added). */
Ring closed(std::vector<Point> pts) {
    pts.push_back(pts.front());
    return pts;
}

}  // namespace

TEST_CASE("Simplified raster contours stay valid, nested and within the tolerance", "[ring_simplify][raster]") {
    // Random streets burnt in three stages, as the breaks of a service area grow: the contours
    // of the three stages share the stretches where nothing new was burnt nearby.
    geos::GeosContext ctx;
    for (unsigned seed = 1; seed <= 20; ++seed) {
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> coord(0, 600);
        gd::RasterBuffer grid(Box{{0, 0}, {600, 600}}, 5.0, 50.0);
        std::vector<std::vector<Ring>> stages;
        std::size_t lines = 0;
        for (int stage = 0; stage < 3; ++stage) {
            for (int k = 0; k < 4 + 3 * stage; ++k, ++lines) {
                const Point a{coord(rng), coord(rng)};
                const Point b{std::clamp(a.x + coord(rng) / 3 - 100, 0.0, 600.0), std::clamp(a.y + coord(rng) / 3 - 100, 0.0, 600.0)};
                const std::vector<Point> line{a, b};
                grid.add(line);
            }
            stages.push_back(grid.rings(0.001));
        }
        std::vector<Ring> all;
        for (const auto& s : stages) all.insert(all.end(), s.begin(), s.end());
        const std::size_t before = vertices(all);
        REQUIRE(gd::simplify_rings(all, 2.5));
        INFO("seed " << seed << ", " << lines << " lines, " << before << " vertices -> " << vertices(all));
        CHECK(vertices(all) * 3 < before);
        std::vector<geos::GeometryPtr> simplified, original;
        for (std::size_t s = 0, at = 0; s < stages.size(); ++s) {
            const std::vector<Ring> mine(all.begin() + std::ptrdiff_t(at), all.begin() + std::ptrdiff_t(at + stages[s].size()));
            at += stages[s].size();
            simplified.push_back(gd::polygons_of_rings(ctx, mine));
            original.push_back(gd::polygons_of_rings(ctx, stages[s]));
            CHECK(valid(ctx, simplified.back().get()));
            if (!valid(ctx, original.back().get())) {
                char* why = GEOSisValidReason_r(ctx.handle(), original.back().get());
                FAIL_CHECK("original stage " << s << ": " << why);
                GEOSFree_r(ctx.handle(), why);
            }
            // Every original vertex is within the tolerance of the simplified boundary (and the
            // simplified vertices are original ones).
            CHECK(boundary_hausdorff(ctx, original.back().get(), simplified.back().get()) <= 2.5 + 1e-9);
            if (s > 0) CHECK(GEOSCovers_r(ctx.handle(), simplified[s].get(), simplified[s - 1].get()) == 1);
        }
    }
}

TEST_CASE("A stretch two rings share is simplified the same in both", "[ring_simplify]") {
    // Ring A is the square (0,0)-(100,100) with a wiggly top edge; ring B runs along the same
    // top edge (same vertices, same direction) but goes round a larger area below.
    std::vector<Point> top;
    for (int x = 100; x >= 0; --x) top.push_back({double(x), 100 + ((x % 2) ? 0.3 : -0.3)});
    std::vector<Point> a{{0, 0}, {100, 0}};
    a.insert(a.end(), top.begin(), top.end());
    std::vector<Point> b{{0, -50}, {100, -50}};
    b.insert(b.end(), top.begin(), top.end());
    // B is not a level line of the same field as A here, only a ring sharing A's top: the point
    // is that the shared stretch comes out identical.
    std::vector<Ring> rings{closed(a), closed(b)};
    REQUIRE(gd::simplify_rings(rings, 1.0));
    auto top_of = [](const Ring& r) {
        std::set<std::pair<double, double>> out;
        for (const Point& p : r)
            if (p.y > 99) out.insert({p.x, p.y});
        return out;
    };
    CHECK(top_of(rings[0]) == top_of(rings[1]));
    CHECK(top_of(rings[0]).size() < 10);  // simplified, ends kept
    CHECK(top_of(rings[0]).count({100, 99.7}) == 1);
    CHECK(top_of(rings[0]).count({0, 99.7}) == 1);
}

TEST_CASE("Simplification never sweeps over a hole or crosses a neighbour", "[ring_simplify]") {
    geos::GeosContext ctx;
    SECTION("a hole in a notch of the boundary") {
        // The bottom edge dips 0.9 below y = 0 at x = 50, and a small hole sits in the dip:
        // straightening the edge (within the tolerance of 1) would leave the hole outside.
        Ring outer = closed({{0, 0}, {49, 0}, {50, -0.9}, {51, 0}, {100, 0}, {100, 100}, {0, 100}});
        Ring hole = closed({{49.9, -0.5}, {50, -0.3}, {50.1, -0.5}});  // clockwise
        std::vector<Ring> rings{outer, hole};
        REQUIRE(gd::simplify_rings(rings, 1.0));
        const geos::GeometryPtr poly = gd::polygons_of_rings(ctx, rings);
        CHECK(valid(ctx, poly.get()));
        // The hole is still there (a hole outside every exterior would be dropped); the dip's
        // sides may straighten, moving the boundary outwards by less than the tolerance.
        REQUIRE(GEOSGetNumGeometries_r(ctx.handle(), poly.get()) == 1);
        CHECK(GEOSGetNumInteriorRings_r(ctx.handle(), GEOSGetGeometryN_r(ctx.handle(), poly.get(), 0)) == 1);
        CHECK(area(ctx, poly.get()) >= 100 * 100 + 0.9 - 0.02);
    }
    SECTION("two parts a hair apart") {
        // The left square's right edge zigzags between x = 10.8 and 10; the right square pokes
        // into each notch to 10.5. Straightening the left edge along x = 10.8 (within the
        // tolerance of 1) would overlap the right square.
        std::vector<Point> left{{0, 0}}, right;
        for (int y = 0; y <= 20; ++y) left.push_back({y % 2 ? 10.0 : 10.8, double(y)});
        left.push_back({0, 20});
        for (int y = 20; y >= 0; --y) right.push_back({y % 2 ? 10.5 : 11.0, double(y)});
        right.push_back({20, 0});
        right.push_back({20, 20});
        std::vector<Ring> rings{closed(left), closed(right)};
        const std::vector<Ring> before = rings;
        REQUIRE(gd::simplify_rings(rings, 1.0));
        const geos::GeometryPtr poly = gd::polygons_of_rings(ctx, rings);
        CHECK(valid(ctx, poly.get()));
        const geos::GeometryPtr a = gd::polygons_of_rings(ctx, std::vector<Ring>{rings[0]});
        const geos::GeometryPtr b = gd::polygons_of_rings(ctx, std::vector<Ring>{rings[1]});
        const geos::GeometryPtr both = geos::own(ctx, GEOSIntersection_r(ctx.handle(), a.get(), b.get()), "intersection");
        CHECK(area(ctx, both.get()) == 0);
        CHECK(vertices(rings) < vertices(before));  // the right square's edge straightens inwards
    }
    SECTION("a ring smaller than the tolerance keeps three corners") {
        std::vector<Ring> rings{closed({{0, 0}, {0.2, 0}, {0.5, 0.1}, {0.5, 0.5}, {0.1, 0.5}})};
        REQUIRE(gd::simplify_rings(rings, 1.0));
        REQUIRE(rings[0].size() >= 4);
        const geos::GeometryPtr poly = gd::polygons_of_rings(ctx, rings);
        CHECK(valid(ctx, poly.get()));
        CHECK(area(ctx, poly.get()) > 0);
    }
}
