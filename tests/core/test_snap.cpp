#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "core/graph.hpp"
#include "core/snap.hpp"
#include "helpers.hpp"

using namespace lifecircle;
using namespace lifecircle::test;
using Catch::Detail::Approx;

namespace {

// Rows are 100 m here: A-B-C is a 200 m street, X-Y a 50 m island 200 m south of it.
//
//   A---B---C          y = -100
//
//   X-Y                y = -300
constexpr const char* island_map = R"(
A---B---C

X-Y
)";

TestGraph island_graph(std::vector<ProfileSettings> profiles = {walk_1mps()}) {
    return ascii_graph(island_map, {{"ABC", road()}, {"XY", road()}}, std::move(profiles), 25.0, 100.0);
}

SnapOptions small_options() {
    SnapOptions o;
    o.max_distance = 60.0;
    o.min_component_m = 100.0;
    return o;
}

}  // namespace

TEST_CASE("a point snaps onto the middle of the nearest road", "[snap]") {
    const TestGraph t = island_graph();
    const Snapper snapper(t.graph, ProfileId{}, small_options());
    const Snap s = snapper.snap({130, -80});
    REQUIRE(s.ok());
    CHECK(s.position.edge == t.e("BC"));
    CHECK(s.position.offset == Approx(30.0));
    CHECK(s.on_road.x == Approx(130.0));
    CHECK(s.on_road.y == Approx(-100.0));
    CHECK(s.distance == Approx(20.0));
    CHECK(s.access_seconds == Approx(20.0));  // 1 m/s

    // Near B but closer to the middle of BC than to the node: not snapped to the node.
    const Snap near_b = snapper.snap({110, -90});
    REQUIRE(near_b.ok());
    CHECK(near_b.position.edge == t.e("BC"));
    CHECK(near_b.position.offset == Approx(10.0));
    CHECK(near_b.distance == Approx(10.0));

    // Beyond the end of the street: the end node, offset 0.
    const Snap beyond = snapper.snap({-30, -100});
    REQUIRE(beyond.ok());
    CHECK(beyond.position.edge == t.e("AB"));
    CHECK(beyond.position.offset == Approx(0.0).margin(1e-9));
    CHECK(beyond.distance == Approx(30.0));
    CHECK(beyond.on_road == t.xy.at('A'));

    // Right on the road.
    const Snap on = snapper.snap({40, -100});
    REQUIRE(on.ok());
    CHECK(on.distance == Approx(0.0).margin(1e-9));
    CHECK(on.access_seconds == Approx(0.0).margin(1e-9));
    CHECK(on.position.offset == Approx(40.0));
}

TEST_CASE("a point exactly at a junction goes to the lower edge id", "[snap]") {
    const TestGraph t = island_graph();
    const Snapper snapper(t.graph, ProfileId{}, small_options());
    REQUIRE(t.e("AB") < t.e("BC"));
    for (int i = 0; i < 3; ++i) {  // and always the same
        const Snap s = snapper.snap(t.xy.at('B'));
        REQUIRE(s.ok());
        CHECK(s.position.edge == t.e("AB"));
        CHECK(s.position.offset == Approx(100.0));
        CHECK(s.distance == 0.0);
    }
}

TEST_CASE("access seconds use the profile's access walking speed", "[snap]") {
    ProfileSettings walk = walk_1mps();
    walk.access_walk_speed_kmh = 7.2;  // 2 m/s
    const TestGraph t = island_graph({walk});
    const Snapper snapper(t.graph, ProfileId{}, small_options());
    const Snap s = snapper.snap({130, -80});
    REQUIRE(s.ok());
    CHECK(s.access_seconds == Approx(10.0));
    const Seed seed = Snapper::seed(s, 3, 5.0);
    CHECK(seed.start == Approx(15.0));
    CHECK(seed.origin == 3);
    CHECK(seed.position.edge == s.position.edge);
    CHECK(seed.position.offset == s.position.offset);
}

TEST_CASE("points that do not snap say why", "[snap]") {
    const TestGraph t = island_graph();
    REQUIRE(t.graph.profiles[0].component_size == std::vector<std::uint32_t>{3, 2});
    SECTION("too far from everything") {
        const Snapper snapper(t.graph, ProfileId{}, small_options());
        const Snap s = snapper.snap({130, -180});  // 80 m from A-B-C, 120 m and more from X-Y
        CHECK(s.failure == SnapFailure::too_far);
        CHECK_FALSE(s.ok());
        CHECK(snap_failure_text(s.failure) == "farther than the maximum snap distance from any usable road");
    }
    SECTION("only near an island") {
        const Snapper snapper(t.graph, ProfileId{}, small_options());
        const Snap s = snapper.snap({25, -250});  // 50 m from X-Y, 150 m from A-B-C
        CHECK(s.failure == SnapFailure::only_islands);
        CHECK(snap_failure_text(s.failure) == "only near a small disconnected island of roads");
        // Nearer the main street it snaps there, island or not.
        const Snap main = snapper.snap({25, -150});
        REQUIRE(main.ok());
        CHECK(main.position.edge == t.e("AB"));
        CHECK(main.distance == Approx(50.0));
    }
    SECTION("islands allowed") {
        SnapOptions o = small_options();
        o.allow_islands = true;
        const Snapper snapper(t.graph, ProfileId{}, o);
        const Snap s = snapper.snap({25, -250});
        REQUIRE(s.ok());
        CHECK(s.position.edge == t.e("XY"));
        CHECK(s.position.offset == Approx(25.0));
        CHECK(s.distance == Approx(50.0));
    }
    SECTION("an island is a component with less road than the minimum") {
        SnapOptions o = small_options();
        o.min_component_m = 40.0;  // X-Y has 50 m: not an island any more
        const Snapper snapper(t.graph, ProfileId{}, o);
        CHECK(snapper.snap({25, -250}).ok());
    }
    SECTION("the largest component is never an island") {
        SnapOptions o = small_options();
        o.min_component_m = 1e9;
        const Snapper snapper(t.graph, ProfileId{}, o);
        CHECK(snapper.snap({130, -80}).ok());
        CHECK(snapper.snap({25, -250}).failure == SnapFailure::only_islands);
    }
    SECTION("coordinates that are not numbers") {
        const Snapper snapper(t.graph, ProfileId{}, small_options());
        CHECK(snapper.snap({std::nan(""), 0}).failure == SnapFailure::not_finite);
        CHECK(snapper.snap({0, std::numeric_limits<double>::infinity()}).failure == SnapFailure::not_finite);
    }
}

TEST_CASE("snapping along a bent edge measures the offset along the shape", "[snap]") {
    //  A---x
    //      |
    //      B
    const TestGraph t = ascii_graph(R"(
A---x
    |
    B
)",
                                    {{"AxB", road()}}, {walk_1mps()}, 25.0, 100.0);
    const Snapper snapper(t.graph, ProfileId{}, SnapOptions{});
    const Point x = t.xy.at('x');
    const Snap s = snapper.snap({x.x + 20, x.y - 40});
    REQUIRE(s.ok());
    CHECK(s.position.edge == t.e("AB"));
    CHECK(s.position.offset == Approx(140.0));
    CHECK(s.distance == Approx(20.0));
    CHECK(s.on_road.x == Approx(x.x));
    CHECK(s.on_road.y == Approx(x.y - 40));
    const Point along = t.graph.point_along(s.position.edge, s.position.offset);
    CHECK(along.x == Approx(s.on_road.x));
    CHECK(along.y == Approx(s.on_road.y));
}

TEST_CASE("snapping only onto roads the mode may use", "[snap]") {
    //  A---B   footway
    //
    //  C---D   residential oneway
    const TestGraph t = ascii_graph(R"(
A---B

C---D
)",
                                    {{"AB", road(RoadClass::footway)},
                                     {"CD", road(RoadClass::residential, Oneway::forward)}},
                                    {walk_1mps(), drive_plain()}, 25.0, 100.0);
    SnapOptions o;
    o.min_component_m = 0.0;
    const Snapper walk(t.graph, t.profile(Mode::walk), o);
    const Snapper drive(t.graph, t.profile(Mode::drive), o);
    const Point p{50, -120};  // 20 m from the footway, 180 m from C-D
    REQUIRE(walk.snap(p).ok());
    CHECK(walk.snap(p).position.edge == t.e("AB"));
    REQUIRE(drive.snap(p).ok());
    CHECK(drive.snap(p).position.edge == t.e("CD"));  // oneway roads are still roads
    CHECK(drive.snap(p).distance == Approx(180.0));
}

TEST_CASE("snap_all equals snap in input order", "[snap]") {
    RawNetwork raw = random_grid(7, {.side = 20});
    const RoadGraph g = build_graph(std::move(raw), BuildOptions{{walk_1mps()}});
    const Snapper snapper(g, ProfileId{}, SnapOptions{});
    std::mt19937 rng(8);
    std::uniform_real_distribution<double> coord(-300.0, 2200.0);
    std::vector<Point> points;
    for (int i = 0; i < 500; ++i) points.push_back({coord(rng), coord(rng)});
    const std::vector<Snap> all = snapper.snap_all(points);
    REQUIRE(all.size() == points.size());
    std::size_t ok = 0;
    std::size_t far = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const Snap one = snapper.snap(points[i]);
        CHECK(all[i].failure == one.failure);
        CHECK(all[i].position.edge == one.position.edge);
        CHECK(all[i].position.offset == one.position.offset);
        if (one.ok()) {
            ++ok;
            // The snapped point is on the road and as far as reported.
            const Point q = g.point_along(one.position.edge, one.position.offset);
            CHECK(q.x == Approx(one.on_road.x).margin(1e-6));
            CHECK(q.y == Approx(one.on_road.y).margin(1e-6));
            CHECK(std::hypot(points[i].x - q.x, points[i].y - q.y) == Approx(one.distance).margin(1e-6));
        } else {
            ++far;
        }
    }
    CHECK(ok > 400);
    (void)far;
}

TEST_CASE("snapping finds the truly nearest road (brute force)", "[snap]") {
    RawNetwork raw = random_grid(9, {.side = 15});
    const RoadGraph g = build_graph(std::move(raw), BuildOptions{{walk_1mps()}});
    SnapOptions o;
    o.min_component_m = 0.0;
    o.allow_islands = true;
    o.max_distance = 1e9;
    const Snapper snapper(g, ProfileId{}, o);
    std::mt19937 rng(10);
    std::uniform_real_distribution<double> coord(-200.0, 1600.0);
    for (int i = 0; i < 300; ++i) {
        const Point p{coord(rng), coord(rng)};
        double best = std::numeric_limits<double>::infinity();
        for (EdgeId e = 0; e < g.edge_count(); ++e) {
            for (std::uint32_t k = g.edge_shape_first[e]; k + 1 < g.edge_shape_first[e + 1]; ++k) {
                const Point& a = g.shape_points[k];
                const Point& b = g.shape_points[k + 1];
                const double dx = b.x - a.x, dy = b.y - a.y;
                const double len2 = dx * dx + dy * dy;
                double tt = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0;
                tt = std::clamp(tt, 0.0, 1.0);
                best = std::min(best, std::hypot(a.x + tt * dx - p.x, a.y + tt * dy - p.y));
            }
        }
        const Snap s = snapper.snap(p);
        REQUIRE(s.ok());
        CHECK(s.distance == Approx(best).margin(1e-9));
    }
}
