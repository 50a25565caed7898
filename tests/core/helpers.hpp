#pragma once
/**
 * Test helpers for core/: tiny networks drawn as ASCII maps (in the style of Valhalla's gurka
 * tests), seeded random networks, and an independent plain Dijkstra (Boost.Graph) to compare
 * searches against.
 */

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

#include "core/graph.hpp"
#include "core/profile.hpp"
#include "core/search.hpp"
#include "core/types.hpp"

namespace lifecircle::test {

// ---------------------------------------------------------------------------------------------
// Edge attributes and profiles
// ---------------------------------------------------------------------------------------------

/** Attributes of a plain two-way road of class `rc`. */
inline EdgeAttributes road(RoadClass rc = RoadClass::residential, Oneway oneway = Oneway::no,
                           double maxspeed_kmh = 0.0) {
    EdgeAttributes a;
    a.road_class = rc;
    a.oneway = oneway;
    a.maxspeed_kmh = maxspeed_kmh;
    return a;
}

/** Walking at 3.6 km/h = 1 m/s, so seconds equal metres (the access walk too). */
inline ProfileSettings walk_1mps() { return default_profile(Mode::walk, 3.6); }

/** Driving with no junction factor: a road with maxspeed 36 km/h is driven at 10 m/s. */
inline ProfileSettings drive_plain() {
    ProfileSettings p = default_profile(Mode::drive, 3.6);
    p.drive_speed_factor = 1.0;
    return p;
}

// ---------------------------------------------------------------------------------------------
// ASCII maps
// ---------------------------------------------------------------------------------------------

/**
 * One way of an ASCII map: its points in order. Upper-case letters are nodes (junctions);
 * lower-case letters are shape points that belong to this way's geometry only.
 */
struct AsciiWay {
    std::string points;
    EdgeAttributes attributes = road();
};

/**
 * A built test graph with names: `node['A']` is the graph node drawn as A and `edge["AB"]` the
 * edge from A to B (consecutive nodes of a way; shape points are left out of the key).
 */
struct TestGraph {
    RoadGraph graph;
    std::map<char, NodeId> node;
    std::map<std::string, EdgeId> edge;
    std::map<char, Point> xy;  ///< every letter of the map, nodes and shape points

    NodeId n(char c) const { return node.at(c); }
    EdgeId e(const std::string& key) const {
        auto it = edge.find(key);
        if (it != edge.end()) return it->second;
        return edge.at(std::string{key[1], key[0]});
    }
    /**
     * The position `offset` metres along the road from the first to the second letter of
     * `key` ("BA" counts from B even if the edge was drawn from A to B).
     */
    EdgePosition at(const std::string& key, Meters offset) const {
        auto it = edge.find(key);
        if (it != edge.end()) return {it->second, offset};
        const EdgeId id = edge.at(std::string{key[1], key[0]});
        return {id, graph.edge_length_m[id] - offset};
    }
    /** Index of the profile of a mode. */
    ProfileId profile(Mode m) const { return graph.profile_id(m); }
};

/** Letters of an ASCII map at their positions: column * col_m east, row * row_m south. */
inline std::map<char, Point> ascii_letters(std::string_view map, double col_m, double row_m) {
    std::map<char, Point> xy;
    int row = 0;
    int col = 0;
    for (char c : map) {
        if (c == '\n') {
            ++row;
            col = 0;
            continue;
        }
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
            if (xy.count(c)) throw std::invalid_argument(std::string("letter drawn twice: ") + c);
            xy[c] = Point{col * col_m, -row * row_m};
        }
        ++col;
    }
    return xy;
}

/**
 * A raw network from an ASCII map. By default a character column is 25 m and a row 50 m, so
 * "A---B" is 100 m and A above '|' above D is 100 m too. Raw edge i gets source i.
 */
inline RawNetwork ascii_raw(std::string_view map, const std::vector<AsciiWay>& ways, double col_m = 25.0,
                            double row_m = 50.0, std::map<char, std::uint32_t>* raw_node = nullptr,
                            std::vector<std::string>* edge_keys = nullptr) {
    const std::map<char, Point> xy = ascii_letters(map, col_m, row_m);
    RawNetwork raw;
    std::map<char, std::uint32_t> index;
    auto node_of = [&](char c) {
        auto it = index.find(c);
        if (it != index.end()) return it->second;
        const auto id = static_cast<std::uint32_t>(raw.nodes.size());
        raw.nodes.push_back(xy.at(c));
        index[c] = id;
        return id;
    };
    for (const AsciiWay& w : ways) {
        if (w.points.size() < 2 || !std::isupper(static_cast<unsigned char>(w.points.front())) ||
            !std::isupper(static_cast<unsigned char>(w.points.back())))
            throw std::invalid_argument("a way starts and ends at nodes: " + w.points);
        RawEdge edge;
        std::vector<Point> shape;
        char from = w.points.front();
        shape.push_back(xy.at(from));
        for (std::size_t i = 1; i < w.points.size(); ++i) {
            const char c = w.points[i];
            shape.push_back(xy.at(c));
            if (!std::isupper(static_cast<unsigned char>(c))) continue;
            edge.from = node_of(from);
            edge.to = node_of(c);
            edge.attributes = w.attributes;
            edge.source = static_cast<std::uint32_t>(raw.edges.size());
            if (edge_keys) edge_keys->push_back(std::string{from, c});
            raw.add_edge(edge, shape);
            edge = RawEdge{};
            shape = {xy.at(c)};
            from = c;
        }
    }
    if (raw_node) *raw_node = index;
    return raw;
}

/** Builds a graph from an ASCII map with the given profiles, keeping the letter names. */
inline TestGraph ascii_graph(std::string_view map, const std::vector<AsciiWay>& ways,
                             std::vector<ProfileSettings> profiles = {walk_1mps()}, double col_m = 25.0,
                             double row_m = 50.0, bool reorder = true) {
    std::map<char, std::uint32_t> raw_node;
    std::vector<std::string> keys;
    RawNetwork raw = ascii_raw(map, ways, col_m, row_m, &raw_node, &keys);
    const std::vector<Point> raw_xy = raw.nodes;
    BuildOptions options;
    options.profiles = std::move(profiles);
    options.reorder_nodes = reorder;
    TestGraph t;
    t.graph = build_graph(std::move(raw), options);
    t.xy = ascii_letters(map, col_m, row_m);
    for (const auto& [c, id] : raw_node) {
        for (NodeId v = 0; v < t.graph.node_count(); ++v)
            if (t.graph.node_xy[v] == raw_xy[id]) t.node[c] = v;
    }
    for (EdgeId e = 0; e < t.graph.edge_count(); ++e) t.edge[keys.at(t.graph.edge_source[e])] = e;
    return t;
}

/**
 * A block with a oneway corner, for walk_1mps() and drive_plain():
 *    A---B---C     A->B is oneway for cars, all else two-way; 36 km/h (10 m/s) everywhere.
 *    |       |
 *    D---E---F
 */
inline TestGraph oneway_corner_block() {
    const EdgeAttributes r = road(RoadClass::residential, Oneway::no, 36);
    return ascii_graph(R"(
A---B---C
|       |
D---E---F
)",
                       {{"AB", road(RoadClass::residential, Oneway::forward, 36)},
                        {"BC", r},
                        {"CF", r},
                        {"FED", r},
                        {"DA", r}},
                       {walk_1mps(), drive_plain()});
}

/** A seed standing on node `v`: the end of an incident edge that may be left from `v` both ways. */
inline Seed seed_at_node(const RoadGraph& g, ProfileId profile, NodeId v, Seconds start = 0.0,
                         std::uint32_t origin = 0) {
    const std::vector<float>& w = g.profile(profile).arc_seconds;
    for (ArcId a = g.first_out[v]; a < g.first_out[v + 1]; ++a) {
        const EdgeId e = g.arc_edge[a];
        // The seed reaches its own node through the arc that runs back to it.
        if (g.edge_from[e] == v && w[g.edge_backward_arc[e]] != forbidden_arc) return {{e, 0.0}, start, origin};
        if (g.edge_to[e] == v && w[g.edge_forward_arc[e]] != forbidden_arc)
            return {{e, g.edge_length_m[e]}, start, origin};
    }
    return {};  // edge invalid_edge: no such edge
}

// ---------------------------------------------------------------------------------------------
// Random networks and the independent oracle
// ---------------------------------------------------------------------------------------------

/** Options for random_grid(). */
struct RandomGridOptions {
    int side = 45;                   ///< side*side nodes before deletions
    double spacing = 100.0;          ///< metres between grid points
    double jitter = 30.0;            ///< node positions move up to this far
    double delete_fraction = 0.2;    ///< grid edges left out
    double shape_fraction = 0.3;     ///< edges with a bent middle shape point
    double oneway_fraction = 0.2;    ///< edges oneway for vehicles (half forward, half reverse)
    double footway_fraction = 0.1;   ///< edges only for walking
    double steps_fraction = 0.05;    ///< steps (half walking speed)
    double motorway_fraction = 0.05; ///< motorways (no walking, implied nothing: oneway set above)
};

/** A jittered grid with random deletions, bends, oneways and a mix of classes; deterministic. */
inline RawNetwork random_grid(std::uint32_t seed, const RandomGridOptions& o = {}) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::uniform_real_distribution<double> jit(-o.jitter, o.jitter);
    RawNetwork raw;
    const int n = o.side;
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) raw.nodes.push_back({c * o.spacing + jit(rng), r * o.spacing + jit(rng)});
    const double speeds[] = {0.0, 30.0, 40.0, 50.0, 60.0};
    auto add = [&](int a, int b) {
        if (unit(rng) < o.delete_fraction) return;
        RawEdge e;
        e.from = static_cast<std::uint32_t>(a);
        e.to = static_cast<std::uint32_t>(b);
        std::vector<Point> shape;
        shape.push_back(raw.nodes[e.from]);
        if (unit(rng) < o.shape_fraction) {
            const Point& p = raw.nodes[e.from];
            const Point& q = raw.nodes[e.to];
            shape.push_back({0.5 * (p.x + q.x) + jit(rng), 0.5 * (p.y + q.y) + jit(rng)});
        }
        shape.push_back(raw.nodes[e.to]);
        const double kind = unit(rng);
        RoadClass rc = RoadClass::residential;
        if (kind < o.footway_fraction) {
            rc = RoadClass::footway;
        } else if (kind < o.footway_fraction + o.steps_fraction) {
            rc = RoadClass::steps;
        } else if (kind < o.footway_fraction + o.steps_fraction + o.motorway_fraction) {
            rc = RoadClass::motorway;
        } else if (unit(rng) < 0.3) {
            rc = RoadClass::primary;
        }
        e.attributes = road(rc);
        if (unit(rng) < o.oneway_fraction) e.attributes.oneway = unit(rng) < 0.5 ? Oneway::forward : Oneway::reverse;
        e.attributes.maxspeed_kmh = speeds[std::uniform_int_distribution<int>(0, 4)(rng)];
        if (unit(rng) < 0.5) {  // draw some edges the other way round
            std::swap(e.from, e.to);
            std::reverse(shape.begin(), shape.end());
        }
        e.source = static_cast<std::uint32_t>(raw.edges.size());
        raw.add_edge(e, shape);
    };
    for (int r = 0; r < n; ++r) {
        for (int c = 0; c < n; ++c) {
            const int v = r * n + c;
            if (c + 1 < n) add(v, v + 1);
            if (r + 1 < n) add(v, v + n);
        }
    }
    return raw;
}

/**
 * Expected speed (m/s) of a raw edge for the test profiles walk_1mps() / drive_plain() and the
 * default drive profile, written out independently of core/profile.cpp; 0 = may not use.
 */
inline double oracle_speed_mps(const ProfileSettings& p, const EdgeAttributes& a) {
    const RoadClass rc = a.road_class;
    if (p.mode == Mode::walk) {
        if (rc == RoadClass::motorway) return 0.0;
        return kmh_to_mps(p.walk_speed_kmh) * (rc == RoadClass::steps ? 0.5 : 1.0);
    }
    if (p.mode == Mode::drive) {
        if (rc == RoadClass::footway || rc == RoadClass::steps) return 0.0;
        double kmh = rc == RoadClass::motorway ? 100.0 : rc == RoadClass::primary ? 60.0 : 25.0;
        if (a.maxspeed_kmh > 0) kmh = a.maxspeed_kmh;
        return kmh_to_mps(kmh * p.drive_speed_factor);
    }
    throw std::invalid_argument("oracle_speed_mps: walk and drive only");
}

/** Length of a polyline. */
inline double polyline_length(const std::vector<Point>& shape) {
    double len = 0;
    for (std::size_t i = 0; i + 1 < shape.size(); ++i)
        len += std::hypot(shape[i + 1].x - shape[i].x, shape[i + 1].y - shape[i].y);
    return len;
}

/** A raw edge's expected arc times for a profile (unreachable where it may not go). */
struct OracleEdge {
    std::uint32_t from;
    std::uint32_t to;
    double length;
    double forward;
    double backward;
};

inline std::vector<OracleEdge> oracle_edges(const RawNetwork& raw, const ProfileSettings& p) {
    std::vector<OracleEdge> out;
    for (std::size_t i = 0; i < raw.edges.size(); ++i) {
        const RawEdge& e = raw.edges[i];
        const std::span<const Point> shape = raw.shape(i);
        const double len = polyline_length(std::vector<Point>(shape.begin(), shape.end()));
        const double v = oracle_speed_mps(p, e.attributes);
        double f = v > 0 ? len / v : unreachable;
        double b = f;
        if (p.mode != Mode::walk && e.attributes.oneway == Oneway::forward) b = unreachable;
        if (p.mode != Mode::walk && e.attributes.oneway == Oneway::reverse) f = unreachable;
        out.push_back({e.from, e.to, len, f, b});
    }
    return out;
}

/**
 * Plain Dijkstra with Boost.Graph over raw node ids, from a virtual source joined to the
 * given (node, seconds) starts. Returns seconds per raw node (unreachable if none).
 */
inline std::vector<double> oracle_dijkstra(std::size_t node_count, const std::vector<OracleEdge>& edges,
                                           const std::vector<std::pair<std::uint32_t, double>>& starts) {
    using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                                        boost::property<boost::edge_weight_t, double>>;
    const std::size_t source = node_count;
    Graph g(node_count + 1);
    for (const OracleEdge& e : edges) {
        if (e.forward != unreachable) boost::add_edge(e.from, e.to, e.forward, g);
        if (e.backward != unreachable) boost::add_edge(e.to, e.from, e.backward, g);
    }
    for (const auto& [v, t] : starts) boost::add_edge(source, v, t, g);
    std::vector<double> dist(node_count + 1, unreachable);
    boost::dijkstra_shortest_paths(
        g, source,
        boost::distance_map(boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, g)))
            .distance_inf(unreachable));
    dist.pop_back();
    return dist;
}

/** Graph node of every raw node (matched by position; invalid_node if it was dropped). */
inline std::vector<NodeId> graph_node_of_raw(const std::vector<Point>& raw_nodes, const RoadGraph& g) {
    std::map<std::pair<double, double>, NodeId> by_xy;
    for (NodeId v = 0; v < g.node_count(); ++v) by_xy[{g.node_xy[v].x, g.node_xy[v].y}] = v;
    std::vector<NodeId> out(raw_nodes.size(), invalid_node);
    for (std::size_t i = 0; i < raw_nodes.size(); ++i) {
        auto it = by_xy.find({raw_nodes[i].x, raw_nodes[i].y});
        if (it != by_xy.end()) out[i] = it->second;
    }
    return out;
}

}  // namespace lifecircle::test
