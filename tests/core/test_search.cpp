#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include <catch2/catch.hpp>

#include "core/graph.hpp"
#include "core/search.hpp"
#include "helpers.hpp"

using namespace lifecircle;
using namespace lifecircle::test;
using Catch::Detail::Approx;

namespace {

// A ring of six 100 m roads; B and E are not joined.
constexpr const char* ring_map = R"(
A---B---C
|       |
D---E---F
)";

std::vector<AsciiWay> ring_ways(EdgeAttributes ab = road(RoadClass::residential, Oneway::no, 36)) {
    const EdgeAttributes r = road(RoadClass::residential, Oneway::no, 36);
    return {{"AB", ab}, {"BC", r}, {"CF", r}, {"FED", r}, {"DA", r}};
}

// A straight street of four 100 m blocks.
constexpr const char* line_map = R"(
A---B---C---D---E
)";

Seconds run_and_time(const TestGraph& t, ProfileId p, std::vector<Seed> seeds, EdgePosition target,
                     Seconds cutoff = unreachable, std::uint32_t* origin = nullptr) {
    SearchWorkspace ws(t.graph.node_count());
    search(t.graph, p, std::span<const Seed>(seeds), cutoff, ws);
    return time_to(t.graph, ws, target, origin);
}

}  // namespace

TEST_CASE("ascii helper draws 100 m blocks", "[search]") {
    const TestGraph t = ascii_graph(ring_map, ring_ways());
    REQUIRE(t.graph.node_count() == 6);
    REQUIRE(t.graph.edge_count() == 6);
    for (const auto& [key, e] : t.edge) CHECK(t.graph.edge_length_m[e] == Approx(100.0));
}

TEST_CASE("walk from part-way along one edge to part-way along another", "[search]") {
    const TestGraph t = ascii_graph(ring_map, ring_ways());
    const ProfileId walk = t.profile(Mode::walk);
    // Source 30 m from A on AB; target 40 m from E on EF.
    // Via A: 30 + 100 (AD) + 100 (DE) + 40 = 270 s; via B: 70 + 100 + 100 + 60 = 330 s.
    const Seed s{t.at("AB", 30), 0.0, 0};
    CHECK(run_and_time(t, walk, {s}, t.at("EF", 40)) == Approx(270.0).margin(1e-6));
    // The same target drawn from the other end: 60 m from F.
    CHECK(run_and_time(t, walk, {s}, t.at("FE", 60)) == Approx(270.0).margin(1e-6));
    // A start time shifts everything.
    const Seed late{t.at("AB", 30), 45.0, 0};
    CHECK(run_and_time(t, walk, {late}, t.at("EF", 40)) == Approx(315.0).margin(1e-6));
}

TEST_CASE("source and target on the same edge", "[search]") {
    SECTION("walking goes straight along the edge either way") {
        const TestGraph t = ascii_graph(ring_map, ring_ways());
        const ProfileId walk = t.profile(Mode::walk);
        const Seed s{t.at("AB", 30), 0.0, 0};
        CHECK(run_and_time(t, walk, {s}, t.at("AB", 50)) == Approx(20.0).margin(1e-6));
        CHECK(run_and_time(t, walk, {s}, t.at("AB", 10)) == Approx(20.0).margin(1e-6));
        CHECK(run_and_time(t, walk, {s}, t.at("AB", 30)) == Approx(0.0).margin(1e-6));
    }
    SECTION("walking ignores oneway") {
        const TestGraph t = ascii_graph(ring_map, ring_ways(road(RoadClass::residential, Oneway::forward, 36)),
                                        {walk_1mps(), drive_plain()});
        const ProfileId walk = t.profile(Mode::walk);
        const Seed s{t.at("AB", 50), 0.0, 0};
        CHECK(run_and_time(t, walk, {s}, t.at("AB", 30)) == Approx(20.0).margin(1e-6));
    }
    SECTION("driving a oneway: ahead directly, behind all the way round") {
        const TestGraph t = ascii_graph(ring_map, ring_ways(road(RoadClass::residential, Oneway::forward, 36)),
                                        {walk_1mps(), drive_plain()});
        const ProfileId drive = t.profile(Mode::drive);
        const Seed s{t.at("AB", 50), 0.0, 0};
        // 36 km/h = 10 m/s.
        CHECK(run_and_time(t, drive, {s}, t.at("AB", 70)) == Approx(2.0).margin(1e-6));
        // Behind: 50 to B, B-C-F-E-D-A 500, A to target 30: 580 m = 58 s.
        CHECK(run_and_time(t, drive, {s}, t.at("AB", 30)) == Approx(58.0).margin(1e-5));
    }
    SECTION("oneway against the drawing direction") {
        const TestGraph t = ascii_graph(ring_map, ring_ways(road(RoadClass::residential, Oneway::reverse, 36)),
                                        {walk_1mps(), drive_plain()});
        const ProfileId drive = t.profile(Mode::drive);
        const Seed s{t.at("AB", 50), 0.0, 0};
        CHECK(run_and_time(t, drive, {s}, t.at("AB", 30)) == Approx(2.0).margin(1e-6));
        CHECK(run_and_time(t, drive, {s}, t.at("AB", 70)) == Approx(58.0).margin(1e-5));
    }
    SECTION("a oneway with no way round: behind is unreachable") {
        const TestGraph t = ascii_graph("A---B", {{"AB", road(RoadClass::residential, Oneway::forward, 36)}},
                                        {walk_1mps(), drive_plain()});
        const ProfileId drive = t.profile(Mode::drive);
        const Seed s{t.at("AB", 50), 0.0, 0};
        CHECK(run_and_time(t, drive, {s}, t.at("AB", 30)) == unreachable);
        CHECK(run_and_time(t, drive, {s}, t.at("AB", 100)) == Approx(5.0).margin(1e-6));
        CHECK(run_and_time(t, drive, {s}, t.at("AB", 0)) == unreachable);
    }
}

TEST_CASE("drive speeds come from the class table and maxspeed", "[search]") {
    // Residential is 25 km/h, times the default drive factor 0.8: 20 km/h, 100 m in 18 s.
    const TestGraph t = ascii_graph(line_map,
                                    {{"AB", road(RoadClass::residential)},
                                     {"BC", road(RoadClass::residential, Oneway::no, 45)},
                                     {"CD", road(RoadClass::footway)},
                                     {"DE", road(RoadClass::primary)}},
                                    {walk_1mps(), default_profile(Mode::drive, 3.6)});
    const ProfileId drive = t.profile(Mode::drive);
    const std::vector<float>& w = t.graph.profile(drive).arc_seconds;
    CHECK(w[t.graph.edge_forward_arc[t.e("AB")]] == Approx(18.0));
    CHECK(w[t.graph.edge_backward_arc[t.e("AB")]] == Approx(18.0));
    CHECK(w[t.graph.edge_forward_arc[t.e("BC")]] == Approx(10.0));  // 45 * 0.8 = 36 km/h
    CHECK(w[t.graph.edge_forward_arc[t.e("CD")]] == forbidden_arc);  // no cars on footways
    CHECK(w[t.graph.edge_backward_arc[t.e("CD")]] == forbidden_arc);
    CHECK(w[t.graph.edge_forward_arc[t.e("DE")]] == Approx(7.5));  // 60 * 0.8 = 48 km/h
    const Seed s{t.at("AB", 0), 0.0, 0};
    CHECK(run_and_time(t, drive, {s}, t.at("AB", 50)) == Approx(9.0).margin(1e-5));
    CHECK(run_and_time(t, drive, {s}, t.at("BC", 50)) == Approx(23.0).margin(1e-5));
    CHECK(run_and_time(t, drive, {s}, t.at("DE", 50)) == unreachable);
    const ProfileId walk = t.profile(Mode::walk);
    CHECK(run_and_time(t, walk, {s}, t.at("DE", 50)) == Approx(350.0).margin(1e-5));
}

TEST_CASE("oneway arcs at the node level", "[search]") {
    const TestGraph t = ascii_graph(ring_map, ring_ways(road(RoadClass::residential, Oneway::forward, 36)),
                                    {walk_1mps(), drive_plain()});
    const ProfileId drive = t.profile(Mode::drive);
    SearchWorkspace ws(t.graph.node_count());
    const Seed s = seed_at_node(t.graph, drive, t.n('B'));
    REQUIRE(s.position.edge != invalid_edge);
    search(t.graph, drive, std::span<const Seed>(&s, 1), unreachable, ws);
    CHECK(ws.node_time(t.n('B')) == Approx(0.0).margin(1e-9));
    CHECK(ws.node_time(t.n('C')) == Approx(10.0));
    CHECK(ws.node_time(t.n('D')) == Approx(40.0));
    CHECK(ws.node_time(t.n('A')) == Approx(50.0));  // not 10: B->A is against the oneway
    const ProfileId walk = t.profile(Mode::walk);
    const Seed sw = seed_at_node(t.graph, walk, t.n('B'));
    search(t.graph, walk, std::span<const Seed>(&sw, 1), unreachable, ws);
    CHECK(ws.node_time(t.n('A')) == Approx(100.0));
}

// A position at offset 0 (or at the full length) of an edge *is* its end node, whichever way
// the edge may be driven: a car standing at junction A can take any road out of A.
TEST_CASE("a seed or target exactly at a node of a oneway edge is at that node", "[search]") {
    const TestGraph t = ascii_graph(ring_map, ring_ways(road(RoadClass::residential, Oneway::forward, 36)),
                                    {walk_1mps(), drive_plain()});
    const ProfileId drive = t.profile(Mode::drive);
    SECTION("seed at the start of a oneway edge") {
        // Standing at A (offset 0 of A->B): D is 10 s away along the two-way road A-D.
        const Seed s{t.at("AB", 0), 0.0, 0};
        SearchWorkspace ws(t.graph.node_count());
        search(t.graph, drive, std::span<const Seed>(&s, 1), unreachable, ws);
        CHECK(ws.node_time(t.n('A')) == Approx(0.0).margin(1e-9));
        CHECK(ws.node_time(t.n('D')) == Approx(10.0));
        CHECK(time_to(t.graph, ws, t.at("DE", 50)) == Approx(15.0));
    }
    SECTION("seed at the end of a oneway edge, drawn against it") {
        // Standing at B, at the full length of A->B drawn from B ("BA" offset 0 is offset 100 of AB).
        const Seed s{t.at("BA", 0), 0.0, 0};
        SearchWorkspace ws(t.graph.node_count());
        search(t.graph, drive, std::span<const Seed>(&s, 1), unreachable, ws);
        CHECK(ws.node_time(t.n('B')) == Approx(0.0).margin(1e-9));
        CHECK(ws.node_time(t.n('C')) == Approx(10.0));
    }
    SECTION("target at the end of a oneway edge") {
        // From C, B is 10 s away (C->B is two-way); the target at offset 100 of A->B is B.
        SearchWorkspace ws(t.graph.node_count());
        const Seed s = seed_at_node(t.graph, drive, t.n('C'));
        search(t.graph, drive, std::span<const Seed>(&s, 1), unreachable, ws);
        REQUIRE(ws.node_time(t.n('B')) == Approx(10.0));
        CHECK(time_to(t.graph, ws, t.at("AB", 100)) == Approx(10.0));
    }
}

TEST_CASE("cutoff: nothing beyond it is settled", "[search]") {
    const TestGraph t = ascii_graph(line_map, {{"ABCDE", road()}});
    const ProfileId walk = t.profile(Mode::walk);
    SearchWorkspace ws(t.graph.node_count());
    const Seed s{t.at("AB", 0), 0.0, 0};
    search(t.graph, walk, std::span<const Seed>(&s, 1), 250.0, ws);
    CHECK(ws.is_settled(t.n('A')));
    CHECK(ws.is_settled(t.n('B')));
    CHECK(ws.is_settled(t.n('C')));
    CHECK_FALSE(ws.is_settled(t.n('D')));
    CHECK_FALSE(ws.is_settled(t.n('E')));
    CHECK(ws.node_time(t.n('C')) == Approx(200.0));
    CHECK(ws.node_time(t.n('D')) == unreachable);
    CHECK(ws.settled().size() == 3);
    CHECK(time_to(t.graph, ws, t.at("CD", 50)) == Approx(250.0));
    // D and E lie beyond the cutoff: from edge DE they were not reached.
    CHECK(time_to(t.graph, ws, t.at("DE", 0)) == unreachable);
    CHECK(time_to(t.graph, ws, t.at("DE", 50)) == unreachable);
    // "Returns unreachable if the position was not reached": 280 s is past the 250 s cutoff,
    // and D itself (the end of CD) is not settled.
    CHECK(time_to(t.graph, ws, t.at("CD", 80)) == unreachable);
    CHECK(time_to(t.graph, ws, t.at("CD", 100)) == unreachable);
}

TEST_CASE("a hook can stop the search", "[search]") {
    const TestGraph t = ascii_graph(line_map, {{"ABCDE", road()}});
    const ProfileId walk = t.profile(Mode::walk);
    SearchWorkspace ws(t.graph.node_count());
    const Seed s{t.at("AB", 0), 0.0, 0};
    struct StopAfterTwo {
        int count = 0;
        std::vector<Seconds> times;
        bool on_settle(NodeId, Seconds time) {
            times.push_back(time);
            return ++count < 2;
        }
    } hooks;
    search(t.graph, walk, std::span<const Seed>(&s, 1), unreachable, ws, hooks);
    CHECK(ws.settled().size() == 2);
    REQUIRE(hooks.times.size() == 2);
    CHECK(hooks.times[0] == Approx(0.0).margin(1e-9));
    CHECK(hooks.times[1] == Approx(100.0));
}

TEST_CASE("several seeds: origins, start times, same-edge seeds", "[search]") {
    const TestGraph t = ascii_graph(line_map, {{"ABCDE", road()}});
    const ProfileId walk = t.profile(Mode::walk);
    SearchWorkspace ws(t.graph.node_count());
    SECTION("each node is labelled with its nearest seed") {
        const std::vector<Seed> seeds{{t.at("AB", 0), 0.0, 7}, {t.at("ED", 0), 10.0, 9}};
        search(t.graph, walk, std::span<const Seed>(seeds), unreachable, ws);
        CHECK(ws.node_origin(t.n('A')) == 7);
        CHECK(ws.node_origin(t.n('B')) == 7);
        CHECK(ws.node_origin(t.n('C')) == 7);  // 200 s from A, 210 s from E
        CHECK(ws.node_origin(t.n('D')) == 9);
        CHECK(ws.node_origin(t.n('E')) == 9);
        CHECK(ws.node_time(t.n('D')) == Approx(110.0));
        CHECK(ws.node_time(t.n('E')) == Approx(10.0));
        std::uint32_t origin = 0;
        CHECK(time_to(t.graph, ws, t.at("CD", 95), &origin) == Approx(115.0));
        CHECK(origin == 9);
        CHECK(time_to(t.graph, ws, t.at("CD", 5), &origin) == Approx(205.0));
        CHECK(origin == 7);
    }
    SECTION("a start delay moves the border") {
        const std::vector<Seed> seeds{{t.at("AB", 0), 50.0, 7}, {t.at("ED", 0), 10.0, 9}};
        search(t.graph, walk, std::span<const Seed>(seeds), unreachable, ws);
        CHECK(ws.node_time(t.n('A')) == Approx(50.0));
        CHECK(ws.node_time(t.n('B')) == Approx(150.0));
        CHECK(ws.node_time(t.n('C')) == Approx(210.0));
        CHECK(ws.node_origin(t.n('C')) == 9);
        CHECK(ws.node_origin(t.n('B')) == 7);
    }
    SECTION("two seeds on one edge") {
        const std::vector<Seed> seeds{{t.at("AB", 80), 0.0, 2}, {t.at("AB", 20), 0.0, 1}};
        search(t.graph, walk, std::span<const Seed>(seeds), unreachable, ws);
        std::uint32_t origin = 0;
        CHECK(time_to(t.graph, ws, t.at("AB", 40), &origin) == Approx(20.0));
        CHECK(origin == 1);
        CHECK(time_to(t.graph, ws, t.at("AB", 65), &origin) == Approx(15.0));
        CHECK(origin == 2);
        CHECK(time_to(t.graph, ws, t.at("AB", 50), &origin) == Approx(30.0));
        CHECK(origin == 1);  // a tie goes to the lower label
        CHECK(ws.node_origin(t.n('A')) == 1);
        CHECK(ws.node_origin(t.n('B')) == 2);
        CHECK(ws.node_time(t.n('C')) == Approx(120.0));
        CHECK(ws.seeds_on(t.e("AB")).size() == 2);
        CHECK(ws.seeds_on(t.e("CD")).empty());
    }
}

TEST_CASE("path_to returns the node sequence", "[search]") {
    const TestGraph t = ascii_graph(ring_map, ring_ways());
    const ProfileId walk = t.profile(Mode::walk);
    SearchWorkspace ws(t.graph.node_count());
    const Seed s{t.at("AB", 30), 0.0, 0};
    search(t.graph, walk, std::span<const Seed>(&s, 1), unreachable, ws);
    CHECK(path_to(t.graph, ws, t.n('E')) == std::vector<NodeId>{t.n('A'), t.n('D'), t.n('E')});
    CHECK(path_to(t.graph, ws, t.n('C')) == std::vector<NodeId>{t.n('B'), t.n('C')});
    CHECK(path_to(t.graph, ws, t.n('A')) == std::vector<NodeId>{t.n('A')});
    CHECK(ws.parent_arc(t.n('A')) == invalid_arc);
    // Nothing is settled beyond a cutoff: no path.
    search(t.graph, walk, std::span<const Seed>(&s, 1), 100.0, ws);
    CHECK(path_to(t.graph, ws, t.n('E')).empty());
}

TEST_CASE("search matches Boost Dijkstra on random grids", "[search][oracle]") {
    for (const std::uint32_t seed : {11u, 12u}) {
        RawNetwork raw = random_grid(seed);
        const RawNetwork copy = raw;
        const std::vector<ProfileSettings> profiles{walk_1mps(), default_profile(Mode::drive, 3.6)};
        BuildOptions options;
        options.profiles = profiles;
        const RoadGraph g = build_graph(std::move(raw), options);
        REQUIRE_NOTHROW(g.validate());
        const std::vector<NodeId> to_graph = graph_node_of_raw(copy.nodes, g);
        std::mt19937 rng(seed);
        SearchWorkspace ws(g.node_count());  // reused by every search below

        for (std::size_t p = 0; p < profiles.size(); ++p) {
            const ProfileId pid(static_cast<std::uint8_t>(p));
            INFO("grid seed " << seed << ", profile " << mode_name(profiles[p].mode));
            const std::vector<OracleEdge> oracle = oracle_edges(copy, profiles[p]);
            // Arc weights: same as computed independently, direction by direction.
            for (EdgeId e = 0; e < g.edge_count(); ++e) {
                const OracleEdge& o = oracle.at(g.edge_source[e]);
                REQUIRE(g.edge_from[e] == to_graph[o.from]);
                REQUIRE(g.edge_to[e] == to_graph[o.to]);
                CHECK(g.edge_length_m[e] == Approx(o.length).epsilon(1e-12));
                const float wf = g.profiles[p].arc_seconds[g.edge_forward_arc[e]];
                const float wb = g.profiles[p].arc_seconds[g.edge_backward_arc[e]];
                if (o.forward == unreachable) CHECK(wf == forbidden_arc);
                else CHECK(wf == Approx(o.forward).epsilon(1e-6));
                if (o.backward == unreachable) CHECK(wb == forbidden_arc);
                else CHECK(wb == Approx(o.backward).epsilon(1e-6));
            }

            std::uniform_int_distribution<std::uint32_t> pick_node(0, static_cast<std::uint32_t>(copy.nodes.size() - 1));
            int sources = 0;
            std::size_t most_reached = 0;  // random oneways trap some sources in small pockets
            while (sources < 4) {
                const std::uint32_t src = pick_node(rng);
                // Sources in the largest component, so that most nodes are reached.
                if (to_graph[src] == invalid_node || g.profiles[p].node_component[to_graph[src]] != 0) continue;
                const Seed s = seed_at_node(g, pid, to_graph[src]);
                if (s.position.edge == invalid_edge) continue;
                ++sources;
                const std::vector<double> dist = oracle_dijkstra(copy.nodes.size(), oracle, {{src, 0.0}});
                search(g, pid, std::span<const Seed>(&s, 1), unreachable, ws);
                std::size_t reached = 0;
                for (std::size_t v = 0; v < copy.nodes.size(); ++v) {
                    if (to_graph[v] == invalid_node) continue;
                    INFO("raw node " << v << " from " << src);
                    if (dist[v] == unreachable) {
                        CHECK_FALSE(ws.is_settled(to_graph[v]));
                    } else {
                        ++reached;
                        CHECK(ws.node_time(to_graph[v]) == Approx(dist[v]).margin(1e-3));
                    }
                }
                CHECK(ws.settled().size() == reached);
                most_reached = std::max(most_reached, reached);

                // With a cutoff halfway: exactly the nodes within it, same times.
                std::vector<double> finite;
                for (double d : dist)
                    if (d != unreachable) finite.push_back(d);
                std::nth_element(finite.begin(), finite.begin() + static_cast<std::ptrdiff_t>(finite.size() / 2),
                                 finite.end());
                const Seconds cutoff = finite[finite.size() / 2] + 0.5;
                search(g, pid, std::span<const Seed>(&s, 1), cutoff, ws);
                for (std::size_t v = 0; v < copy.nodes.size(); ++v) {
                    if (to_graph[v] == invalid_node || std::abs(dist[v] - cutoff) < 1e-3) continue;
                    INFO("raw node " << v << " from " << src << " cutoff " << cutoff);
                    CHECK(ws.is_settled(to_graph[v]) == (dist[v] <= cutoff));
                    if (dist[v] <= cutoff) CHECK(ws.node_time(to_graph[v]) == Approx(dist[v]).margin(1e-3));
                }
            }
            CHECK(most_reached > copy.nodes.size() / 2);
        }
    }
}

TEST_CASE("positions part-way along edges match brute force", "[search][oracle]") {
    RawNetwork raw = random_grid(21, {.side = 30});
    const RawNetwork copy = raw;
    const std::vector<ProfileSettings> profiles{walk_1mps(), default_profile(Mode::drive, 3.6)};
    BuildOptions options;
    options.profiles = profiles;
    const RoadGraph g = build_graph(std::move(raw), options);
    const std::vector<NodeId> to_graph = graph_node_of_raw(copy.nodes, g);
    std::vector<std::uint32_t> raw_of_graph(g.node_count());
    for (std::uint32_t v = 0; v < to_graph.size(); ++v)
        if (to_graph[v] != invalid_node) raw_of_graph[to_graph[v]] = v;
    std::mt19937 rng(5);
    std::uniform_int_distribution<EdgeId> pick_edge(0, static_cast<EdgeId>(g.edge_count() - 1));
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    SearchWorkspace ws(g.node_count());

    for (std::size_t p = 0; p < profiles.size(); ++p) {
        const ProfileId pid(static_cast<std::uint8_t>(p));
        const std::vector<OracleEdge> oracle = oracle_edges(copy, profiles[p]);
        for (int round = 0; round < 6; ++round) {
            // One to three seeds with their own start times and labels.
            std::vector<Seed> seeds;
            const int count = 1 + round % 3;
            while (static_cast<int>(seeds.size()) < count) {
                const EdgeId e = pick_edge(rng);
                const OracleEdge& o = oracle[g.edge_source[e]];
                if (o.forward == unreachable && o.backward == unreachable) continue;
                seeds.push_back({{e, unit(rng) * o.length}, 60.0 * unit(rng), static_cast<std::uint32_t>(seeds.size())});
            }
            // Per seed: the oracle from a virtual node joined to the seed edge's ends.
            std::vector<std::vector<double>> dist;
            for (const Seed& s : seeds) {
                const OracleEdge& o = oracle[g.edge_source[s.position.edge]];
                const double y = s.position.offset;
                std::vector<std::pair<std::uint32_t, double>> starts;
                if (o.forward != unreachable) starts.push_back({o.to, s.start + o.forward * (o.length - y) / o.length});
                if (o.backward != unreachable) starts.push_back({o.from, s.start + o.backward * y / o.length});
                dist.push_back(oracle_dijkstra(copy.nodes.size(), oracle, starts));
            }
            search(g, pid, std::span<const Seed>(seeds), unreachable, ws);
            for (int k = 0; k < 300; ++k) {
                const EdgeId e = pick_edge(rng);
                const OracleEdge& o = oracle[g.edge_source[e]];
                const double x = unit(rng) * o.length;
                std::vector<double> per_seed(seeds.size(), unreachable);
                for (std::size_t i = 0; i < seeds.size(); ++i) {
                    double best = unreachable;
                    if (o.forward != unreachable) best = std::min(best, dist[i][o.from] + o.forward * x / o.length);
                    if (o.backward != unreachable)
                        best = std::min(best, dist[i][o.to] + o.backward * (o.length - x) / o.length);
                    if (seeds[i].position.edge == e) {
                        const double y = seeds[i].position.offset;
                        if (y <= x && o.forward != unreachable)
                            best = std::min(best, seeds[i].start + o.forward * (x - y) / o.length);
                        if (y >= x && o.backward != unreachable)
                            best = std::min(best, seeds[i].start + o.backward * (y - x) / o.length);
                    }
                    per_seed[i] = best;
                }
                const double expected = *std::min_element(per_seed.begin(), per_seed.end());
                std::uint32_t origin = invalid_index;
                const Seconds got = time_to(g, ws, {e, x}, &origin);
                INFO("profile " << mode_name(profiles[p].mode) << " round " << round << " edge " << e << " at " << x);
                if (expected == unreachable) {
                    CHECK(got == unreachable);
                } else {
                    CHECK(got == Approx(expected).margin(1e-3));
                    REQUIRE(origin < seeds.size());
                    CHECK(per_seed[origin] <= expected + 1e-3);  // the label of a nearest seed
                }
            }
            // Node labels: each settled node carries the label of a nearest seed.
            for (NodeId v = 0; v < g.node_count(); ++v) {
                if (!ws.is_settled(v)) continue;
                const std::uint32_t o = ws.node_origin(v);
                REQUIRE(o < seeds.size());
                double best = unreachable;
                for (const auto& d : dist) best = std::min(best, d[raw_of_graph[v]]);
                CHECK(dist[o][raw_of_graph[v]] <= best + 1e-3);
                CHECK(ws.node_time(v) == Approx(best).margin(1e-3));
            }
        }
    }
}
