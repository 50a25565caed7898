#include "core/reach.hpp"

#include <algorithm>
#include <cmath>

namespace lifecircle {

namespace {

/** Travel time along part of an edge: t(x) = t0 + slope * (x - a) for x in [a, b]. */
struct Cone {
    double a;
    double b;
    double t0;
    double slope;
    std::uint32_t origin;
    double at(double x) const { return t0 + slope * (x - a); }
};

/**
 * The lower envelope of the cones on edge `e`, cut at `max_time`, appended to `out` as pieces:
 * between breakpoints (cone ends, crossings, where a cone reaches max_time) one cone is fastest.
 */
void envelope(EdgeId e, const std::vector<Cone>& cones, Seconds max_time, std::vector<double>& xs,
              std::vector<ReachedPiece>& out) {
    if (cones.empty()) return;
    const double len = std::max_element(cones.begin(), cones.end(), [](const Cone& a, const Cone& b) {
                           return a.b < b.b;
                       })->b;

    // Breakpoints: cone ends, where cones cross each other, where they cross max_time.
    xs.assign({0.0, len});
    for (std::size_t i = 0; i < cones.size(); ++i) {
        const Cone& c = cones[i];
        xs.push_back(c.a);
        xs.push_back(c.b);
        if (c.slope != 0) {
            const double x = c.a + (max_time - c.t0) / c.slope;
            if (x > c.a && x < c.b) xs.push_back(x);
        }
        for (std::size_t j = i + 1; j < cones.size(); ++j) {
            const Cone& d = cones[j];
            const double ds = c.slope - d.slope;
            if (ds == 0) continue;
            // c.t0 + c.slope (x - c.a) = d.t0 + d.slope (x - d.a)
            const double x = (d.t0 - d.slope * d.a - c.t0 + c.slope * c.a) / ds;
            if (x > std::max(c.a, d.a) && x < std::min(c.b, d.b)) xs.push_back(x);
        }
    }
    std::sort(xs.begin(), xs.end());
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());

    for (std::size_t k = 0; k + 1 < xs.size(); ++k) {
        const double x0 = xs[k], x1 = xs[k + 1];
        if (x1 - x0 < 1e-9) continue;
        const double mid = 0.5 * (x0 + x1);
        const Cone* best = nullptr;
        double best_t = unreachable;
        for (const Cone& c : cones) {
            if (mid < c.a || mid > c.b) continue;
            const double t = c.at(mid);
            if (t < best_t || (t == best_t && best && c.origin < best->origin)) {
                best_t = t;
                best = &c;
            }
        }
        if (!best || best_t > max_time) continue;
        const double t0 = std::min(best->at(x0), max_time);
        const double t1 = std::min(best->at(x1), max_time);
        // Merge with the previous piece when it continues the same cone.
        if (!out.empty() && out.back().edge == e && out.back().origin == best->origin &&
            std::abs(out.back().to - x0) < 1e-9 && std::abs(out.back().t_to - t0) < 1e-9 &&
            ((out.back().t_to - out.back().t_from) * (t1 - t0) > 0)) {
            out.back().to = x1;
            out.back().t_to = t1;
            continue;
        }
        out.push_back({e, x0, x1, t0, t1, best->origin});
    }
}

void edge_pieces(const RoadGraph& g, const float* weight, const SearchWorkspace& ws, EdgeId e, Seconds max_time,
                 std::vector<Cone>& cones, std::vector<double>& xs, std::vector<ReachedPiece>& out) {
    const double len = g.edge_length_m[e];
    const float tf = weight[g.edge_forward_arc[e]];
    const float tb = weight[g.edge_backward_arc[e]];
    const double rate_f = tf / len;  // seconds per metre going towards `to`
    const double rate_b = tb / len;
    cones.clear();
    const NodeId u = g.edge_from[e];
    const NodeId v = g.edge_to[e];
    if (tf != forbidden_arc && ws.is_settled(u)) cones.push_back({0, len, ws.node_time(u), rate_f, ws.node_origin(u)});
    if (tb != forbidden_arc && ws.is_settled(v))
        cones.push_back({0, len, ws.node_time(v) + tb, -rate_b, ws.node_origin(v)});
    for (const Seed& s : ws.seeds_on(e)) {
        const double o = std::clamp(s.position.offset, 0.0, len);
        if (tf != forbidden_arc && o < len) cones.push_back({o, len, s.start, rate_f, s.origin});
        if (tb != forbidden_arc && o > 0) cones.push_back({0, o, s.start + rate_b * o, -rate_b, s.origin});
    }
    envelope(e, cones, max_time, xs, out);
}

}  // namespace

std::vector<ReachedPiece> reached_pieces(const RoadGraph& graph, const SearchWorkspace& ws, Seconds max_time) {
    const float* weight = graph.arc_weights(ws.profile());
    std::vector<EdgeId> edges;
    for (NodeId n : ws.settled()) {
        if (ws.node_time(n) > max_time) continue;
        for (ArcId a = graph.first_out[n]; a < graph.first_out[n + 1]; ++a) {
            // Each edge once: from its forward arc when both ends were settled.
            if (ws.is_settled(graph.head[a]) && !graph.arc_is_forward(a) && ws.node_time(graph.head[a]) <= max_time)
                continue;
            edges.push_back(graph.arc_edge[a]);
        }
    }
    for (const Seed& s : ws.seeds()) edges.push_back(s.position.edge);
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());

    std::vector<ReachedPiece> out;
    std::vector<Cone> cones;
    std::vector<double> xs;
    for (EdgeId e : edges) edge_pieces(graph, weight, ws, e, max_time, cones, xs, out);
    return out;
}

}  // namespace lifecircle

namespace lifecircle {

std::vector<ReachedPiece> fastest_pieces(std::vector<ReachedPiece> pieces, Seconds max_time) {
    std::stable_sort(pieces.begin(), pieces.end(),
                     [](const ReachedPiece& a, const ReachedPiece& b) { return a.edge < b.edge; });
    std::vector<ReachedPiece> out;
    std::vector<Cone> cones;
    std::vector<double> xs;
    for (std::size_t i = 0; i < pieces.size();) {
        const EdgeId e = pieces[i].edge;
        cones.clear();
        for (; i < pieces.size() && pieces[i].edge == e; ++i) {
            const ReachedPiece& p = pieces[i];
            if (!(p.to > p.from)) continue;
            cones.push_back({p.from, p.to, p.t_from, (p.t_to - p.t_from) / (p.to - p.from), p.origin});
        }
        envelope(e, cones, max_time, xs, out);
    }
    return out;
}

}  // namespace lifecircle

namespace lifecircle {

std::vector<ReachedPiece> pieces_from_node_times(const RoadGraph& graph, ProfileId profile,
                                                 std::span<const float> node_time, Seconds max_time,
                                                 std::uint32_t origin) {
    const float* weight = graph.arc_weights(profile);
    std::vector<ReachedPiece> out;
    std::vector<Cone> cones;
    std::vector<double> xs;
    for (EdgeId e = 0; e < graph.edge_count(); ++e) {
        const NodeId u = graph.edge_from[e];
        const NodeId v = graph.edge_to[e];
        const double tu = node_time[u], tv = node_time[v];
        if (!(tu <= max_time) && !(tv <= max_time)) continue;
        const double len = graph.edge_length_m[e];
        const float tf = weight[graph.edge_forward_arc[e]];
        const float tb = weight[graph.edge_backward_arc[e]];
        cones.clear();
        if (tf != forbidden_arc && std::isfinite(tu)) cones.push_back({0, len, tu, tf / len, origin});
        if (tb != forbidden_arc && std::isfinite(tv)) cones.push_back({0, len, tv + tb, -tb / len, origin});
        envelope(e, cones, max_time, xs, out);
    }
    return out;
}

}  // namespace lifecircle
