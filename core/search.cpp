#include "core/search.hpp"

namespace lifecircle {

Seconds time_to(const RoadGraph& graph, const SearchWorkspace& ws, EdgePosition target, std::uint32_t* origin) {
    const EdgeId e = target.edge;
    const float* weight = graph.arc_weights(ws.profile());
    const double len = graph.edge_length_m[e];
    const double off = std::clamp(target.offset, 0.0, len);
    const float tf = weight[graph.edge_forward_arc[e]];
    const float tb = weight[graph.edge_backward_arc[e]];
    Seconds best = unreachable;
    std::uint32_t best_origin = invalid_index;
    auto consider = [&](Seconds t, std::uint32_t o) {
        if (t < best || (t == best && o < best_origin)) {
            best = t;
            best_origin = o;
        }
    };
    const NodeId u = graph.edge_from[e];
    const NodeId v = graph.edge_to[e];
    if (tf != forbidden_arc && ws.is_settled(u)) consider(ws.node_time(u) + tf * (off / len), ws.node_origin(u));
    if (tb != forbidden_arc && ws.is_settled(v)) consider(ws.node_time(v) + tb * ((len - off) / len), ws.node_origin(v));
    // A target exactly at a node is at that node, whichever way the edge may be driven.
    if (off == 0.0 && ws.is_settled(u)) consider(ws.node_time(u), ws.node_origin(u));
    if (off == len && ws.is_settled(v)) consider(ws.node_time(v), ws.node_origin(v));
    for (const Seed& s : ws.seeds_on(e)) {
        const double so = std::clamp(s.position.offset, 0.0, len);
        if (so <= off && tf != forbidden_arc) consider(s.start + tf * ((off - so) / len), s.origin);
        if (so >= off && tb != forbidden_arc) consider(s.start + tb * ((so - off) / len), s.origin);
        if (so == off) consider(s.start, s.origin);
    }
    if (best > ws.cutoff()) best = unreachable;
    if (origin) *origin = best_origin;
    return best;
}

std::vector<NodeId> path_to(const RoadGraph& graph, const SearchWorkspace& ws, NodeId v) {
    std::vector<NodeId> path;
    if (!ws.is_settled(v)) return path;
    for (;;) {
        path.push_back(v);
        const ArcId a = ws.parent_arc(v);
        if (a == invalid_arc) break;
        const EdgeId e = graph.arc_edge[a];
        v = graph.arc_is_forward(a) ? graph.edge_from[e] : graph.edge_to[e];
    }
    std::reverse(path.begin(), path.end());
    return path;
}

}  // namespace lifecircle
