#include <cstddef>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/graph.hpp"
#include "core/topology.hpp"

using namespace lifecircle;

namespace {

TopologyLine line(std::vector<Point> points, std::uint32_t source) {
    TopologyLine l;
    l.points = std::move(points);
    l.source = source;
    return l;
}

/** The edges that came from source object `source`, in the order they were emitted. */
std::vector<std::size_t> edges_of(const RawNetwork& net, std::uint32_t source) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < net.edges.size(); ++i)
        if (net.edges[i].source == source) out.push_back(i);
    return out;
}

std::vector<Point> shape_of(const RawNetwork& net, std::size_t edge) {
    const auto s = net.shape(edge);
    return {s.begin(), s.end()};
}

}  // namespace

// Hand-drawn in metres (x right, y up), tolerance 1 m:
//
//     D (0,40)                     F (60,40)
//      \                           |
//       \ diagonal                 | stem 2: ends 0.5 m above the bar, mid-segment
//        \                         |
//   A (0,0) ------ J (30,0) ------ K ------------ B (100,0)     bar: A, J, B (J a vertex)
//                  |               (60, 0.5)
//                  | stem 1: ends 0.4 m below J
//                  C (30,-30)
//
//   G (0,-60) ================ H (100,-60)   a road crossing nothing: stays whole
//   P (200,0) -> P' (200.3,0)                 0.3 m long: shorter than the tolerance, dropped
//   Q (300,0)                                 one point: dropped
TEST_CASE("topology: junctions and splits on a hand-drawn layer", "[topology]") {
    const Point A{0, 0}, J{30, 0}, B{100, 0}, C{30, -30}, stem1_end{30, -0.4};
    const Point D{0, 40}, F{60, 40}, stem2_end{60, 0.5};
    const Point G{0, -60}, H{100, -60};
    std::vector<TopologyLine> lines{
        line({A, J, B}, 0),               // the bar
        line({C, stem1_end}, 1),          // stem 1 ends near vertex J
        line({F, stem2_end}, 2),          // stem 2 ends near the middle of segment J-B
        line({D, {0.6, 0.2}}, 3),         // the diagonal ends 0.63 m from A: joins A
        line({G, H}, 4),                  // alone
        line({{200, 0}, {200.3, 0}}, 5),  // too short
        line({{300, 0}}, 6),              // a single point
    };
    RawNetwork net;
    const TopologyStats stats = build_topology(lines, {}, net);

    CHECK(stats.junction_splits == 2);
    CHECK(stats.dropped_pieces == 2);
    // Nodes in line order, each end snapped to the nearest earlier node within 1 m:
    // A, B, C, stem1_end, F, stem2_end, D (its far end is A), G, H, (200,0) (its far end too).
    REQUIRE(net.nodes.size() == 10);
    CHECK(net.nodes[0] == A);
    CHECK(net.nodes[1] == B);
    CHECK(net.nodes[3] == stem1_end);
    CHECK(net.nodes[5] == stem2_end);
    CHECK(net.nodes[6] == D);

    // The bar is cut at vertex J (where stem 1 ends: the node is stem 1's end, J moves onto
    // it) and inside segment J-B at stem 2's end.
    const auto bar = edges_of(net, 0);
    REQUIRE(bar.size() == 3);
    CHECK(net.edges[bar[0]].from == 0);
    CHECK(net.edges[bar[0]].to == 3);
    CHECK(shape_of(net, bar[0]) == std::vector<Point>{A, stem1_end});
    CHECK(net.edges[bar[1]].from == 3);
    CHECK(net.edges[bar[1]].to == 5);
    CHECK(shape_of(net, bar[1]) == std::vector<Point>{stem1_end, stem2_end});
    CHECK(net.edges[bar[2]].from == 5);
    CHECK(net.edges[bar[2]].to == 1);
    CHECK(shape_of(net, bar[2]) == std::vector<Point>{stem2_end, B});

    const auto stem1 = edges_of(net, 1);
    REQUIRE(stem1.size() == 1);
    CHECK(net.edges[stem1[0]].from == 2);
    CHECK(net.edges[stem1[0]].to == 3);
    const auto stem2 = edges_of(net, 2);
    REQUIRE(stem2.size() == 1);
    CHECK(net.edges[stem2[0]].to == 5);

    // The diagonal's end joined A, and its shape ends exactly on A.
    const auto diagonal = edges_of(net, 3);
    REQUIRE(diagonal.size() == 1);
    CHECK(net.edges[diagonal[0]].to == 0);
    CHECK(shape_of(net, diagonal[0]) == std::vector<Point>{D, A});

    CHECK(edges_of(net, 4).size() == 1);
    CHECK(edges_of(net, 5).empty());
    CHECK(edges_of(net, 6).empty());
    CHECK(net.shape_first.size() == net.edges.size() + 1);

    SECTION("without splitting, the stems end at their own nodes") {
        RawNetwork whole;
        const TopologyStats s =
            build_topology(lines, {.snap_tolerance_m = 1.0, .split_at_junctions = false}, whole);
        CHECK(s.junction_splits == 0);
        CHECK(edges_of(whole, 0).size() == 1);
        CHECK(whole.edges.size() == 5);
    }
    SECTION("a tolerance of 0 joins identical points only") {
        RawNetwork strict;
        const TopologyStats s =
            build_topology(lines, {.snap_tolerance_m = 0.0, .split_at_junctions = true}, strict);
        CHECK(s.junction_splits == 0);
        CHECK(strict.nodes.size() ==
              12);                     // the diagonal keeps its own end; the short piece has two
        CHECK(s.dropped_pieces == 1);  // only the single point
    }
}

TEST_CASE("topology: two lines ending on one line in the same segment are cut in order",
          "[topology]") {
    //   A ------------------------------------------ B
    //            |                     |
    //            C (20, -10)           E (70, -10)      (listed E first)
    const Point A{0, 0}, B{100, 0};
    std::vector<TopologyLine> lines{line({A, B}, 0), line({{70, -10}, {70, -0.2}}, 1),
                                    line({{20, -10}, {20, 0.3}}, 2)};
    RawNetwork net;
    const TopologyStats stats = build_topology(lines, {}, net);
    CHECK(stats.junction_splits == 2);
    const auto bar = edges_of(net, 0);
    REQUIRE(bar.size() == 3);
    CHECK(shape_of(net, bar[0]).back() == Point{20, 0.3});
    CHECK(shape_of(net, bar[1]).front() == Point{20, 0.3});
    CHECK(shape_of(net, bar[1]).back() == Point{70, -0.2});
    CHECK(shape_of(net, bar[2]).back() == B);
}

TEST_CASE("topology: a line's attributes, name and source go to every piece", "[topology]") {
    TopologyLine bar = line({{0, 0}, {100, 0}}, 7);
    bar.attributes.road_class = RoadClass::footway;
    bar.attributes.oneway = Oneway::forward;
    bar.name = 3;
    RawNetwork net;
    net.names = {"", "a", "b", "c"};
    build_topology({bar, line({{50, -10}, {50, 0}}, 8)}, {}, net);
    const auto pieces = edges_of(net, 7);
    REQUIRE(pieces.size() == 2);
    for (std::size_t e : pieces) {
        CHECK(net.edges[e].attributes.road_class == RoadClass::footway);
        CHECK(net.edges[e].attributes.oneway == Oneway::forward);
        CHECK(net.edges[e].name == 3);
    }
}
