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
using BSegment = bg::model::segment<BPoint>;
/** A segment of an edge's geometry: the edge, and the index of its first shape point. */
struct SegmentRef {
    BSegment segment;
    EdgeId edge;
    std::uint32_t first;  // absolute index into RoadGraph::shape_points
};
struct SegmentIndexable {
    using result_type = const BSegment&;
    result_type operator()(const SegmentRef& r) const { return r.segment; }
};
}  // namespace

struct Snapper::Index {
    bgi::rtree<SegmentRef, bgi::rstar<16>, SegmentIndexable> tree;
    /** Segments of islands, only to tell "near an island" from "near nothing". */
    bgi::rtree<SegmentRef, bgi::rstar<16>, SegmentIndexable> islands;
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

Snapper::Snapper(const RoadGraph& graph, std::size_t profile, SnapOptions options)
    : m_graph(&graph), m_profile(profile), m_options(options), m_index(std::make_unique<Index>()) {
    const ProfileData& p = graph.profiles[profile];
    std::vector<SegmentRef> refs;
    std::vector<SegmentRef> island_refs;
    refs.reserve(graph.shape_points.size());
    for (EdgeId e = 0; e < graph.edge_count(); ++e) {
        if (p.arc_seconds[graph.edge_forward_arc[e]] == forbidden_arc &&
            p.arc_seconds[graph.edge_backward_arc[e]] == forbidden_arc)
            continue;
        const std::uint32_t c = p.node_component[graph.edge_from[e]];
        const bool island = c != 0 && p.component_road_m[c] < options.min_component_m;
        auto& target = island && !options.allow_islands ? island_refs : refs;
        for (std::uint32_t i = graph.edge_shape_first[e]; i + 1 < graph.edge_shape_first[e + 1]; ++i) {
            const Point& a = graph.shape_points[i];
            const Point& b = graph.shape_points[i + 1];
            target.push_back({BSegment(BPoint(a.x, a.y), BPoint(b.x, b.y)), e, i});
        }
    }
    m_index->tree = decltype(m_index->tree)(refs.begin(), refs.end());  // bulk loading (packing)
    m_index->islands = decltype(m_index->islands)(island_refs.begin(), island_refs.end());
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
    const BPoint q(p.x, p.y);
    // Nearest few segments by box distance; pick the truly nearest by exact projection.
    double best = std::numeric_limits<double>::infinity();
    const SegmentRef* best_ref = nullptr;
    double best_t = 0.0;
    for (auto it = m_index->tree.qbegin(bgi::nearest(q, 4)); it != m_index->tree.qend(); ++it) {
        const Point& a = m_graph->shape_points[it->first];
        const Point& b = m_graph->shape_points[it->first + 1];
        const double dx = b.x - a.x, dy = b.y - a.y;
        const double len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0;
        t = std::clamp(t, 0.0, 1.0);
        const double d = std::hypot(a.x + t * dx - p.x, a.y + t * dy - p.y);
        // Ties go to the lower edge id so results never depend on index internals.
        if (d < best || (d == best && best_ref && it->edge < best_ref->edge)) {
            best = d;
            best_ref = &*it;
            best_t = t;
        }
    }
    if (!best_ref || best > m_options.max_distance) {
        result.failure = SnapFailure::too_far;
        result.distance = best;
        for (auto it = m_index->islands.qbegin(bgi::nearest(q, 1)); it != m_index->islands.qend(); ++it) {
            if (bg::distance(q, it->segment) <= m_options.max_distance) result.failure = SnapFailure::only_islands;
        }
        return result;
    }
    const EdgeId e = best_ref->edge;
    double offset = 0.0;
    for (std::uint32_t i = m_graph->edge_shape_first[e]; i < best_ref->first; ++i) {
        const Point& a = m_graph->shape_points[i];
        const Point& b = m_graph->shape_points[i + 1];
        offset += std::hypot(b.x - a.x, b.y - a.y);
    }
    const Point& a = m_graph->shape_points[best_ref->first];
    const Point& b = m_graph->shape_points[best_ref->first + 1];
    offset += best_t * std::hypot(b.x - a.x, b.y - a.y);
    result.position = {e, std::min(offset, m_graph->edge_length_m[e])};
    result.on_road = {a.x + best_t * (b.x - a.x), a.y + best_t * (b.y - a.y)};
    result.distance = best;
    result.access_seconds = best / kmh_to_mps(m_graph->profiles[m_profile].settings.access_walk_speed_kmh);
    return result;
}

std::vector<Snap> Snapper::snap_all(std::span<const Point> points) const {
    std::vector<Snap> out(points.size());
    tbb::parallel_for(std::size_t{0}, points.size(), [&](std::size_t i) { out[i] = snap(points[i]); });
    return out;
}

}  // namespace lifecircle
