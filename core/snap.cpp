#include "core/snap.hpp"

#include <cmath>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <tbb/parallel_for.h>

namespace lifecircle {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {
using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BBox = bg::model::box<BPoint>;
/** Edges are indexed by their bounding boxes (a third as many entries as segments). */
using EdgeTree = bgi::rtree<std::pair<BBox, EdgeId>, bgi::rstar<16>>;

/** Exact nearest point of an edge's geometry: distance, and offset along the edge. */
struct EdgeHit {
    double distance = std::numeric_limits<double>::infinity();
    double offset = 0.0;
    Point on_road;
};

EdgeHit nearest_on_edge(const RoadGraph& g, EdgeId e, Point p) {
    EdgeHit hit;
    double walked = 0.0;
    const Point* pts = g.shape_begin(e);
    for (std::uint32_t i = 0; i + 1 < g.shape_size(e); ++i) {
        const Point& a = pts[i];
        const Point& b = pts[i + 1];
        const double dx = b.x - a.x, dy = b.y - a.y;
        const double len2 = dx * dx + dy * dy;
        const double t = len2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0) : 0.0;
        const Point q{a.x + t * dx, a.y + t * dy};
        const double d = std::hypot(q.x - p.x, q.y - p.y);
        const double len = std::sqrt(len2);
        if (d < hit.distance) hit = {d, walked + t * len, q};
        walked += len;
    }
    return hit;
}

/**
 * Best-first over edge boxes until no box can be nearer than the best edge found. Boost's
 * nearest query keeps k results, so ask for a few and ask again for more only when all of
 * them were closer than the best edge (a long edge's box can be near while its road is not).
 */
std::pair<EdgeId, EdgeHit> nearest_edge(const EdgeTree& tree, const RoadGraph& g, Point p) {
    const BPoint q(p.x, p.y);
    EdgeId best_edge = invalid_edge;
    EdgeHit best;
    for (unsigned k = 16;; k *= 8) {
        unsigned seen = 0;
        bool done = false;
        for (auto it = tree.qbegin(bgi::nearest(q, k)); it != tree.qend(); ++it, ++seen) {
            if (bg::distance(q, it->first) > best.distance) {
                done = true;
                break;
            }
            const EdgeHit hit = nearest_on_edge(g, it->second, p);
            // Ties go to the lower edge id so results never depend on index internals.
            if (hit.distance < best.distance || (hit.distance == best.distance && it->second < best_edge)) {
                best = hit;
                best_edge = it->second;
            }
        }
        if (done || seen < k || k >= tree.size()) break;
    }
    return {best_edge, best};
}
}  // namespace

struct Snapper::Index {
    EdgeTree tree;
    /** Edges of islands, only to tell "near an island" from "near nothing". */
    EdgeTree islands;
};

std::string_view snap_failure_text(SnapFailure failure) {
    switch (failure) {
        case SnapFailure::none: return "snapped";
        case SnapFailure::too_far: return "farther than the maximum snap distance from any usable road";
        case SnapFailure::only_islands: return "only near a small disconnected island of roads";
        case SnapFailure::not_finite: return "coordinates are not finite numbers";
    }
    return "unknown";
}

Snapper::Snapper(const RoadGraph& graph, ProfileId profile, SnapOptions options)
    : m_graph(&graph), m_profile(profile), m_options(options), m_index(std::make_unique<Index>()) {
    const ProfileData& p = graph.profile(profile);
    std::vector<std::pair<BBox, EdgeId>> edges;
    std::vector<std::pair<BBox, EdgeId>> island_edges;
    edges.reserve(graph.edge_count());
    for (EdgeId e = 0; e < graph.edge_count(); ++e) {
        if (p.arc_seconds[graph.edge_forward_arc[e]] == forbidden_arc &&
            p.arc_seconds[graph.edge_backward_arc[e]] == forbidden_arc)
            continue;
        const std::uint32_t c = p.node_component[graph.edge_from[e]];
        const bool island = (c != 0 || !options.largest_never_island) && p.component_road_m[c] < options.min_component_m;
        Box box;
        for (std::uint32_t i = 0; i < graph.shape_size(e); ++i) box.extend(graph.shape_begin(e)[i]);
        (island && !options.allow_islands ? island_edges : edges)
            .emplace_back(BBox(BPoint(box.min.x, box.min.y), BPoint(box.max.x, box.max.y)), e);
    }
    m_index->tree = EdgeTree(edges.begin(), edges.end());  // bulk loading (packing)
    m_index->islands = EdgeTree(island_edges.begin(), island_edges.end());
}

Snapper::~Snapper() = default;
Snapper::Snapper(Snapper&&) noexcept = default;
Snapper& Snapper::operator=(Snapper&&) noexcept = default;

Snap Snapper::snap(Point p) const {
    Snap result;
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
        result.failure = SnapFailure::not_finite;
        return result;
    }
    const auto [edge, hit] = nearest_edge(m_index->tree, *m_graph, p);
    if (edge == invalid_edge || hit.distance > m_options.max_distance) {
        result.failure = SnapFailure::too_far;
        result.distance = hit.distance;
        if (!m_index->islands.empty() && nearest_edge(m_index->islands, *m_graph, p).second.distance <=
                                             m_options.max_distance)
            result.failure = SnapFailure::only_islands;
        return result;
    }
    result.position = {edge, std::min(hit.offset, m_graph->edge_length_m[edge])};
    result.on_road = hit.on_road;
    result.distance = hit.distance;
    result.access_seconds =
        hit.distance / kmh_to_mps(m_graph->profile(m_profile).settings.access_walk_speed_kmh);
    return result;
}

std::vector<Snap> Snapper::snap_all(std::span<const Point> points) const {
    std::vector<Snap> out(points.size());
    tbb::parallel_for(std::size_t{0}, points.size(), [&](std::size_t i) { out[i] = snap(points[i]); });
    return out;
}

}  // namespace lifecircle
