#include <cmath>
#include <span>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include "core/graph.hpp"
#include "core/search.hpp"
#include "helpers.hpp"

using namespace lifecircle;
using namespace lifecircle::test;
using Catch::Detail::Approx;

namespace {

bool same_point(const Point& a, const Point& b) { return std::abs(a.x - b.x) < 1e-9 && std::abs(a.y - b.y) < 1e-9; }

}  // namespace

TEST_CASE("a small graph has valid CSR arrays", "[graph]") {
    //  A---B---C
    //  |
    //  D
    const TestGraph t = ascii_graph(R"(
A---B---C
|
D
)",
                                    {{"ABC", road()}, {"AD", road()}});
    const RoadGraph& g = t.graph;
    REQUIRE_NOTHROW(g.validate());
    CHECK(g.node_count() == 4);
    CHECK(g.edge_count() == 3);
    CHECK(g.arc_count() == 6);
    CHECK(g.first_out.size() == 5);
    // Degrees: A has B and D, B has A and C.
    auto degree = [&](char c) { return g.first_out[t.n(c) + 1] - g.first_out[t.n(c)]; };
    CHECK(degree('A') == 2);
    CHECK(degree('B') == 2);
    CHECK(degree('C') == 1);
    CHECK(degree('D') == 1);
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        CHECK(g.head[g.edge_forward_arc[e]] == g.edge_to[e]);
        CHECK(g.head[g.edge_backward_arc[e]] == g.edge_from[e]);
        CHECK(g.arc_is_forward(g.edge_forward_arc[e]));
        CHECK_FALSE(g.arc_is_forward(g.edge_backward_arc[e]));
        CHECK(g.shape_size(e) == 2);
    }
    CHECK(g.edge_from[t.e("AB")] == t.n('A'));
    CHECK(g.edge_to[t.e("AB")] == t.n('B'));
    CHECK(g.edge_length_m[t.e("AD")] == Approx(100.0));
    const std::vector<float>& w = g.profiles[0].arc_seconds;
    CHECK(w[g.edge_forward_arc[t.e("BC")]] == Approx(100.0));  // 1 m/s
    const Box box = g.bounds();
    CHECK(box.min.x == Approx(0.0));
    CHECK(box.max.x == Approx(200.0));
    CHECK(box.min.y == Approx(-150.0));
    CHECK(box.max.y == Approx(-50.0));
}

TEST_CASE("validate names the broken invariant", "[graph]") {
    TestGraph t = ascii_graph("A---B---C", {{"ABC", road()}});
    RoadGraph g = t.graph;
    g.head[0] = 99;
    CHECK_THROWS_MATCHES(g.validate(), std::logic_error, Catch::Message("road graph invariant broken: arc head is a node"));
    g = t.graph;
    g.edge_length_m[0] = 0.0;
    CHECK_THROWS_WITH(g.validate(), Catch::Contains("edge length is positive"));
    g = t.graph;
    g.profiles[0].arc_seconds.pop_back();
    CHECK_THROWS_WITH(g.validate(), Catch::Contains("one travel time per arc"));
}

TEST_CASE("walking and driving times per class", "[graph]") {
    //  A---B---C---D---E, AB steps, BC footway, CD motorway, DE residential oneway
    const TestGraph t = ascii_graph("A---B---C---D---E",
                                    {{"AB", road(RoadClass::steps)},
                                     {"BC", road(RoadClass::footway)},
                                     {"CD", road(RoadClass::motorway)},
                                     {"DE", road(RoadClass::residential, Oneway::forward)}},
                                    {walk_1mps(), default_profile(Mode::drive, 3.6)});
    const RoadGraph& g = t.graph;
    REQUIRE_NOTHROW(g.validate());
    const std::vector<float>& walk = g.profile(g.profile_id(Mode::walk)).arc_seconds;
    const std::vector<float>& drive = g.profile(g.profile_id(Mode::drive)).arc_seconds;
    auto fwd = [&](const std::vector<float>& w, const char* key) { return w[g.edge_forward_arc[t.e(key)]]; };
    auto bwd = [&](const std::vector<float>& w, const char* key) { return w[g.edge_backward_arc[t.e(key)]]; };
    CHECK(fwd(walk, "AB") == Approx(200.0));  // steps at half walking speed
    CHECK(fwd(walk, "BC") == Approx(100.0));
    CHECK(fwd(walk, "CD") == forbidden_arc);
    CHECK(bwd(walk, "CD") == forbidden_arc);
    CHECK(fwd(walk, "DE") == Approx(100.0));
    CHECK(bwd(walk, "DE") == Approx(100.0));  // walkers ignore oneway
    CHECK(fwd(drive, "AB") == forbidden_arc);
    CHECK(fwd(drive, "BC") == forbidden_arc);
    CHECK(fwd(drive, "CD") == Approx(4.5));  // 100 km/h * 0.8
    CHECK(bwd(drive, "CD") == Approx(4.5));  // no oneway given, none implied here
    CHECK(fwd(drive, "DE") == Approx(18.0));
    CHECK(bwd(drive, "DE") == forbidden_arc);
    CHECK_THROWS_AS(g.profile_id(Mode::bike), std::invalid_argument);
}

TEST_CASE("build_graph drops unusable and degenerate edges", "[graph]") {
    SECTION("a motorway is dropped when only walking") {
        const TestGraph t = ascii_graph("A---B---C", {{"AB", road()}, {"BC", road(RoadClass::motorway)}});
        CHECK(t.graph.edge_count() == 1);
        CHECK(t.graph.node_count() == 2);  // C had only the motorway
        CHECK(t.node.count('C') == 0);
        REQUIRE_NOTHROW(t.graph.validate());
    }
    SECTION("kept when a profile may use it, but forbidden for walking") {
        const TestGraph t = ascii_graph("A---B---C", {{"AB", road()}, {"BC", road(RoadClass::motorway)}},
                                        {walk_1mps(), drive_plain()});
        CHECK(t.graph.edge_count() == 2);
        CHECK(t.graph.node_count() == 3);
        const ProfileData& walk = t.graph.profiles[0];
        CHECK(walk.arc_seconds[t.graph.edge_forward_arc[t.e("BC")]] == forbidden_arc);
        // C is only on the motorway: no walking component.
        CHECK(walk.node_component[t.n('C')] == invalid_index);
        CHECK(walk.node_component[t.n('A')] == 0);
        CHECK(walk.component_size == std::vector<std::uint32_t>{2});
        const ProfileData& drive = t.graph.profiles[1];
        CHECK(drive.component_size == std::vector<std::uint32_t>{3});
        CHECK(drive.component_road_m.at(0) == Approx(200.0));
    }
    SECTION("construction and unknown classes are nobody's") {
        const TestGraph t = ascii_graph("A---B---C", {{"AB", road(RoadClass::construction)}, {"BC", road(RoadClass::other)}},
                                        {walk_1mps(), drive_plain()});
        CHECK(t.graph.edge_count() == 0);
        CHECK(t.graph.node_count() == 0);
        REQUIRE_NOTHROW(t.graph.validate());
    }
    SECTION("zero length, too few points, bad node indexes") {
        RawNetwork raw;
        raw.nodes = {{0, 0}, {100, 0}, {100, 0}, {200, 0}};
        auto edge = [&](std::uint32_t a, std::uint32_t b, std::vector<Point> shape) {
            RawEdge e;
            e.from = a;
            e.to = b;
            e.attributes = road();
            raw.add_edge(e, shape);
        };
        edge(0, 1, {{0, 0}, {100, 0}});      // kept
        edge(1, 2, {{100, 0}, {100, 0}});    // zero length: dropped
        edge(1, 3, {{100, 0}});              // one point: dropped
        edge(1, 9, {{100, 0}, {300, 0}});    // no node 9: dropped
        edge(0, 0, {{0, 0}, {0, 10}, {10, 10}, {0, 0}});  // a loop: kept
        for (std::uint32_t i = 0; i < raw.edges.size(); ++i) raw.edges[i].source = i;
        const RoadGraph g = build_graph(std::move(raw), BuildOptions{});
        REQUIRE_NOTHROW(g.validate());
        CHECK(g.edge_count() == 2);
        CHECK(g.node_count() == 2);
        CHECK(g.edge_source == std::vector<std::uint32_t>{0, 4});
        CHECK(g.edge_length_m[1] == Approx(10 + 10 + std::sqrt(200.0)));
        CHECK(g.edge_from[1] == g.edge_to[1]);
    }
    SECTION("no profiles is an error") {
        BuildOptions options;
        options.profiles.clear();
        CHECK_THROWS_WITH(build_graph(RawNetwork{}, options), Catch::Contains("at least one profile"));
    }
    SECTION("an empty network builds an empty graph") {
        const RoadGraph g = build_graph(RawNetwork{}, BuildOptions{});
        CHECK(g.node_count() == 0);
        CHECK(g.names.size() == 1);
        REQUIRE_NOTHROW(g.validate());
    }
}

TEST_CASE("edge length is the length of the stored geometry", "[graph]") {
    // A reader that merges line ends within a tolerance hands over shapes whose ends are a
    // little off the node; build_graph moves the ends onto the nodes ("whatever rounding the
    // reader did"). Length, point_along and snapping offsets must then agree.
    RawNetwork raw;
    raw.nodes = {{0, 0}, {100.8, 0}};
    RawEdge e;
    e.from = 0;
    e.to = 1;
    e.attributes = road();
    raw.add_edge(e, std::vector<Point>{{0, 0}, {50, 0}, {100, 0}});  // ends 0.8 m short of node 1
    const RoadGraph g = build_graph(std::move(raw), BuildOptions{{walk_1mps()}});
    REQUIRE(g.edge_count() == 1);
    const Point* shape = g.shape_begin(0);
    CHECK(shape[2] == Point{100.8, 0});
    double stored = 0;
    for (std::uint32_t i = 0; i + 1 < g.shape_size(0); ++i)
        stored += std::hypot(shape[i + 1].x - shape[i].x, shape[i + 1].y - shape[i].y);
    CHECK(g.edge_length_m[0] == Approx(stored).margin(1e-9));
    CHECK(g.profiles[0].arc_seconds[g.edge_forward_arc[0]] == Approx(100.8));
}

TEST_CASE("components: largest first, with road length", "[graph]") {
    //  A---B---C       X---Y
    //  |
    //  D
    const TestGraph t = ascii_graph(R"(
X---Y       A---B---C
            |
            D
)",
                                    {{"XY", road()}, {"ABC", road()}, {"AD", road()}});
    const ProfileData& p = t.graph.profiles[0];
    REQUIRE(p.component_size == std::vector<std::uint32_t>{4, 2});
    REQUIRE(p.component_road_m.size() == 2);
    CHECK(p.component_road_m[0] == Approx(300.0));
    CHECK(p.component_road_m[1] == Approx(100.0));
    for (char c : {'A', 'B', 'C', 'D'}) CHECK(p.node_component[t.n(c)] == 0);
    for (char c : {'X', 'Y'}) CHECK(p.node_component[t.n(c)] == 1);
}

TEST_CASE("names and sources travel with the edges", "[graph]") {
    RawNetwork raw = ascii_raw("A---B---C", {{"ABC", road()}});
    raw.names = {"", "Rua Nova", "Rua Velha"};
    raw.edges[0].name = 2;
    raw.edges[1].name = 7;  // out of range: unnamed
    const RoadGraph g = build_graph(std::move(raw), BuildOptions{});
    REQUIRE(g.names.size() == 3);
    CHECK(g.names[g.edge_name[0]] == "Rua Velha");
    CHECK(g.edge_name[1] == 0);
}

TEST_CASE("geometry along an edge with a bend", "[graph]") {
    //  A---x
    //      |
    //      B
    const TestGraph t = ascii_graph(R"(
A---x
    |
    B
)",
                                    {{"AxB", road()}});
    const RoadGraph& g = t.graph;
    REQUIRE(g.edge_count() == 1);
    REQUIRE(g.node_count() == 2);  // x is a shape point, not a node
    const EdgeId e = t.e("AB");
    REQUIRE(g.shape_size(e) == 3);
    CHECK(g.edge_length_m[e] == Approx(200.0));
    const Point a = t.xy.at('A');
    const Point x = t.xy.at('x');
    const Point b = t.xy.at('B');
    CHECK(same_point(g.shape_begin(e)[1], x));
    CHECK(same_point(g.point_along(e, 0), a));
    CHECK(same_point(g.point_along(e, -5), a));
    CHECK(same_point(g.point_along(e, 50), {a.x + 50, a.y}));
    CHECK(same_point(g.point_along(e, 100), x));
    CHECK(same_point(g.point_along(e, 150), {x.x, x.y - 50}));
    CHECK(same_point(g.point_along(e, 200), b));
    CHECK(same_point(g.point_along(e, 250), b));

    auto check_shape = [](const std::vector<Point>& got, const std::vector<Point>& want) {
        REQUIRE(got.size() == want.size());
        for (std::size_t i = 0; i < got.size(); ++i) CHECK(same_point(got[i], want[i]));
    };
    check_shape(g.sub_shape(e, 0, 200), {a, x, b});
    check_shape(g.sub_shape(e, 50, 150), {{a.x + 50, a.y}, x, {x.x, x.y - 50}});
    check_shape(g.sub_shape(e, 120, 180), {{x.x, x.y - 20}, {x.x, x.y - 80}});
    check_shape(g.sub_shape(e, 20, 80), {{a.x + 20, a.y}, {a.x + 80, a.y}});
    check_shape(g.sub_shape(e, 50, 100), {{a.x + 50, a.y}, x});
    check_shape(g.sub_shape(e, 100, 150), {x, {x.x, x.y - 50}});
}

TEST_CASE("node order does not change travel times", "[graph]") {
    const RawNetwork raw = random_grid(3, {.side = 25});
    BuildOptions ordered;
    ordered.profiles = {walk_1mps(), default_profile(Mode::drive, 3.6)};
    BuildOptions plain = ordered;
    plain.reorder_nodes = false;
    const RoadGraph g1 = build_graph(RawNetwork(raw), ordered);
    const RoadGraph g2 = build_graph(RawNetwork(raw), plain);
    REQUIRE_NOTHROW(g1.validate());
    REQUIRE_NOTHROW(g2.validate());
    REQUIRE(g1.node_count() == g2.node_count());
    REQUIRE(g1.edge_count() == g2.edge_count());
    const std::vector<NodeId> n1 = graph_node_of_raw(raw.nodes, g1);
    const std::vector<NodeId> n2 = graph_node_of_raw(raw.nodes, g2);
    // Without reordering, used nodes keep their raw order.
    NodeId next = 0;
    for (NodeId v : n2)
        if (v != invalid_node) CHECK(v == next++);
    bool moved = false;
    for (std::size_t i = 0; i < raw.nodes.size(); ++i) moved = moved || n1[i] != n2[i];
    CHECK(moved);
    // Components are numbered the same way (largest first).
    for (std::size_t p = 0; p < 2; ++p) {
        CHECK(g1.profiles[p].component_size == g2.profiles[p].component_size);
    }
    SearchWorkspace ws1(g1.node_count());
    SearchWorkspace ws2(g2.node_count());
    for (const ProfileId p : {ProfileId(0), ProfileId(1)}) {
        for (std::uint32_t src : {0u, 100u, 312u, 624u}) {
            if (n1[src] == invalid_node) continue;
            const Seed s1 = seed_at_node(g1, p, n1[src]);
            const Seed s2 = seed_at_node(g2, p, n2[src]);
            if (s1.position.edge == invalid_edge) continue;
            search(g1, p, std::span<const Seed>(&s1, 1), unreachable, ws1);
            search(g2, p, std::span<const Seed>(&s2, 1), unreachable, ws2);
            for (std::size_t i = 0; i < raw.nodes.size(); ++i) {
                if (n1[i] == invalid_node) continue;
                const Seconds t1 = ws1.node_time(n1[i]);
                const Seconds t2 = ws2.node_time(n2[i]);
                if (t1 == unreachable || t2 == unreachable) CHECK(t1 == t2);
                else CHECK(t1 == Approx(t2).margin(1e-6));
            }
        }
    }
}
