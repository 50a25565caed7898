#include "core/graph.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include "core/memory.hpp"

namespace lifecircle {

namespace {

double segment_length(const Point& a, const Point& b) { return std::hypot(b.x - a.x, b.y - a.y); }

/** Position of (x, y) on a Hilbert curve over a 2^16 x 2^16 grid. */
std::uint64_t hilbert_index(std::uint32_t x, std::uint32_t y) {
    std::uint64_t d = 0;
    for (std::uint32_t s = 1u << 15; s > 0; s >>= 1) {
        const std::uint32_t rx = (x & s) ? 1 : 0;
        const std::uint32_t ry = (y & s) ? 1 : 0;
        d += static_cast<std::uint64_t>(s) * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = s - 1 - x;
                y = s - 1 - y;
            }
            std::swap(x, y);
        }
    }
    return d;
}

/** Union-find with path halving, for components. */
class DisjointSets {
public:
    explicit DisjointSets(std::size_t n) {
        resize_prefaulted(m_parent, n);
        std::iota(m_parent.begin(), m_parent.end(), 0u);
    }
    std::uint32_t find(std::uint32_t x) {
        while (m_parent[x] != x) {
            m_parent[x] = m_parent[m_parent[x]];
            x = m_parent[x];
        }
        return x;
    }
    void unite(std::uint32_t a, std::uint32_t b) {
        a = find(a);
        b = find(b);
        if (a != b) m_parent[std::max(a, b)] = std::min(a, b);
    }

private:
    std::vector<std::uint32_t> m_parent;
};

void compute_components(const RoadGraph& g, ProfileData& p) {
    const std::size_t n = g.node_count();
    DisjointSets sets(n);
    std::vector<bool> used(n, false);
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        const bool usable = p.arc_seconds[g.edge_forward_arc[e]] != forbidden_arc ||
                            p.arc_seconds[g.edge_backward_arc[e]] != forbidden_arc;
        if (!usable) continue;
        sets.unite(g.edge_from[e], g.edge_to[e]);
        used[g.edge_from[e]] = used[g.edge_to[e]] = true;
    }
    std::vector<std::uint32_t> root_size;
    assign_prefaulted(root_size, n, 0u);
    for (NodeId v = 0; v < n; ++v)
        if (used[v]) ++root_size[sets.find(v)];
    std::vector<std::uint32_t> roots;
    for (NodeId v = 0; v < n; ++v)
        if (root_size[v] > 0) roots.push_back(v);
    // Largest first; ties by root id so the numbering is deterministic.
    std::stable_sort(roots.begin(), roots.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return root_size[a] > root_size[b]; });
    std::vector<std::uint32_t> root_to_component;
    assign_prefaulted(root_to_component, n, std::uint32_t{invalid_index});
    p.component_size.clear();
    for (std::uint32_t c = 0; c < roots.size(); ++c) {
        root_to_component[roots[c]] = c;
        p.component_size.push_back(root_size[roots[c]]);
    }
    assign_prefaulted(p.node_component, n, std::uint32_t{invalid_index});
    for (NodeId v = 0; v < n; ++v)
        if (used[v]) p.node_component[v] = root_to_component[sets.find(v)];
    p.component_road_m.assign(roots.size(), 0.0);
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        const std::uint32_t c = p.node_component[g.edge_from[e]];
        const bool usable = p.arc_seconds[g.edge_forward_arc[e]] != forbidden_arc ||
                            p.arc_seconds[g.edge_backward_arc[e]] != forbidden_arc;
        if (usable && c != invalid_index) p.component_road_m[c] += g.edge_length_m[e];
    }
}

/** Whether the profile's time on a road of these attributes follows the slope. Steps keep
    their own speed: Tobler's function is for paths, and steps are slow both ways already. */
bool follows_slope(const ProfileSettings& profile, const EdgeAttributes& attrs) {
    return profile.mode == Mode::walk && profile.metric == Metric::time && profile.slope == SlopeModel::tobler &&
           attrs.road_class != RoadClass::steps;
}

/** Per raw edge, flat time multipliers for walking it forward and backward; empty: none. */
struct SlopeFactors {
    std::vector<double> forward;
    std::vector<double> backward;
};

/** Points every length/n along the shape, both ends included (n + 1 points). */
void piece_ends(std::span<const Point> shape, double length, std::size_t n, std::vector<Point>& out) {
    out.clear();
    out.push_back(shape.front());
    std::size_t s = 0;  // current segment: shape[s] -> shape[s + 1]
    double seg_start = 0.0;
    double seg_len = segment_length(shape[0], shape[1]);
    for (std::size_t k = 1; k < n; ++k) {
        const double target = length * static_cast<double>(k) / static_cast<double>(n);
        while (seg_start + seg_len < target && s + 2 < shape.size()) {
            seg_start += seg_len;
            ++s;
            seg_len = segment_length(shape[s], shape[s + 1]);
        }
        const double t = seg_len > 0 ? std::clamp((target - seg_start) / seg_len, 0.0, 1.0) : 0.0;
        out.push_back({shape[s].x + t * (shape[s + 1].x - shape[s].x), shape[s].y + t * (shape[s + 1].y - shape[s].y)});
    }
    out.push_back(shape.back());
}

/**
 * Fills unknown (NaN) elevations from known ones along the edge: between two known samples
 * linearly by position, before the first or after the last known sample with its value.
 * Returns false when no sample is known. `fell_back[k]` says which were filled.
 */
bool fill_unknown(std::vector<double>& z, std::vector<std::uint8_t>& fell_back) {
    const std::size_t n = z.size();
    fell_back.assign(n, 0);
    std::size_t first = n;
    for (std::size_t k = 0; k < n; ++k) {
        if (std::isnan(z[k])) {
            fell_back[k] = 1;
        } else if (first == n) {
            first = k;
        }
    }
    if (first == n) return false;
    for (std::size_t k = 0; k < first; ++k) z[k] = z[first];
    std::size_t last = first;  // the last known sample so far
    for (std::size_t k = first + 1; k < n; ++k) {
        if (fell_back[k]) continue;
        for (std::size_t m = last + 1; m < k; ++m)  // samples are equally spaced
            z[m] = z[last] + (z[k] - z[last]) * static_cast<double>(m - last) / static_cast<double>(k - last);
        last = k;
    }
    for (std::size_t k = last + 1; k < n; ++k) z[k] = z[last];
    return true;
}

/**
 * Samples the ground along every edge some sloped profile may walk (in parallel, one call of
 * the sampler per edge) and works out how much longer walking it takes each way than on the
 * flat: the mean over its equal pieces of 1 / tobler_speed_factor(slope).
 */
SlopeFactors slope_factors(const RawNetwork& raw, const std::vector<double>& length, const BuildOptions& options,
                           ElevationSummary& summary) {
    SlopeFactors out;
    summary = {};
    if (options.elevation == nullptr) return out;
    const bool any_sloped = std::any_of(options.profiles.begin(), options.profiles.end(), [](const ProfileSettings& p) {
        return p.mode == Mode::walk && p.metric == Metric::time && p.slope == SlopeModel::tobler;
    });
    if (!any_sloped) return out;
    summary.applied = true;
    const std::size_t m = raw.edges.size();
    assign_prefaulted(out.forward, m, 1.0);
    assign_prefaulted(out.backward, m, 1.0);

    struct Scratch {
        std::vector<Point> xy;
        std::vector<double> z;
        std::vector<std::uint8_t> fell_back;
        ElevationSummary counts;
    };
    tbb::enumerable_thread_specific<Scratch> scratch;
    const ElevationSampler& dem = *options.elevation;
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, m, 256), [&](const tbb::blocked_range<std::size_t>& range) {
        Scratch& w = scratch.local();
        for (std::size_t i = range.begin(); i < range.end(); ++i) {
            const double len = length[i];
            if (!(len > 0) || !std::isfinite(len)) continue;
            const EdgeAttributes& attrs = raw.edges[i].attributes;
            const bool walked = std::any_of(options.profiles.begin(), options.profiles.end(), [&](const ProfileSettings& p) {
                const Permission perm = permission(p, attrs);
                return (perm.forward || perm.backward) && follows_slope(p, attrs);
            });
            if (!walked) continue;
            const std::span<const Point> shape = raw.shape(i);
            const bool straight = attrs.bridge_or_tunnel;
            const std::size_t n =
                straight ? 1 : std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(len / slope_piece_m)));
            if (straight) {
                w.xy.assign({shape.front(), shape.back()});
            } else {
                piece_ends(shape, len, n, w.xy);
            }
            w.z.assign(w.xy.size(), std::numeric_limits<double>::quiet_NaN());
            dem.sample(w.xy, w.z);
            ++w.counts.edges;
            w.counts.pieces += n;
            if (straight) ++w.counts.bridge_tunnel_edges;
            if (!fill_unknown(w.z, w.fell_back)) {
                ++w.counts.flat_edges;
                w.counts.fallback_pieces += n;
                continue;
            }
            const double piece = len / static_cast<double>(n);
            double fwd = 0.0;
            double bwd = 0.0;
            for (std::size_t k = 0; k < n; ++k) {
                const double slope = (w.z[k + 1] - w.z[k]) / piece;
                fwd += 1.0 / tobler_speed_factor(slope);
                bwd += 1.0 / tobler_speed_factor(-slope);
                if (w.fell_back[k] || w.fell_back[k + 1]) ++w.counts.fallback_pieces;
            }
            out.forward[i] = fwd / static_cast<double>(n);
            out.backward[i] = bwd / static_cast<double>(n);
        }
    });
    for (const Scratch& w : scratch) {
        summary.edges += w.counts.edges;
        summary.pieces += w.counts.pieces;
        summary.bridge_tunnel_edges += w.counts.bridge_tunnel_edges;
        summary.fallback_pieces += w.counts.fallback_pieces;
        summary.flat_edges += w.counts.flat_edges;
    }
    return out;
}

}  // namespace

ProfileId RoadGraph::profile_id(Mode mode, Direction direction, Metric metric) const {
    for (std::size_t i = 0; i < profiles.size(); ++i)
        if (profiles[i].settings.mode == mode && profiles[i].settings.metric == metric)
            return ProfileId(static_cast<std::uint8_t>(i), direction);
    throw std::invalid_argument("the road graph was built without the '" + std::string(mode_name(mode)) + "' " +
                                (metric == Metric::length ? "length " : "") + "profile");
}

Point RoadGraph::point_along(EdgeId e, Meters offset) const {
    const Point* pts = shape_begin(e);
    const std::uint32_t n = shape_size(e);
    if (offset <= 0) return pts[0];
    Meters walked = 0;
    for (std::uint32_t i = 0; i + 1 < n; ++i) {
        const double len = segment_length(pts[i], pts[i + 1]);
        if (walked + len >= offset && len > 0) {
            const double t = (offset - walked) / len;
            return {pts[i].x + t * (pts[i + 1].x - pts[i].x), pts[i].y + t * (pts[i + 1].y - pts[i].y)};
        }
        walked += len;
    }
    return pts[n - 1];
}

std::vector<Point> RoadGraph::sub_shape(EdgeId e, Meters from, Meters to) const {
    const Point* pts = shape_begin(e);
    const std::uint32_t n = shape_size(e);
    std::vector<Point> out;
    out.push_back(point_along(e, from));
    Meters walked = 0;
    for (std::uint32_t i = 0; i + 1 < n; ++i) {
        walked += segment_length(pts[i], pts[i + 1]);
        if (walked > from && walked < to && i + 1 < n - 1) out.push_back(pts[i + 1]);
        if (walked >= to) break;
    }
    out.push_back(point_along(e, to));
    return out;
}

Box RoadGraph::bounds() const {
    Box box;
    for (const Point& p : node_xy) box.extend(p);
    for (const Point& p : shape_points) box.extend(p);
    return box;
}

void RoadGraph::validate() const {
    auto fail = [](const std::string& what) { throw std::logic_error("road graph invariant broken: " + what); };
    const std::size_t n = node_count();
    if (first_out.size() != n + 1) fail("first_out has node_count+1 entries");
    if (first_out.front() != 0 || first_out.back() != arc_count()) fail("first_out spans all arcs");
    for (std::size_t v = 0; v < n; ++v)
        if (first_out[v] > first_out[v + 1]) fail("first_out is non-decreasing");
    if (arc_edge.size() != arc_count()) fail("one edge per arc");
    if (arc_count() != 2 * edge_count()) fail("two arcs per edge");
    for (ArcId a = 0; a < arc_count(); ++a) {
        if (head[a] >= n) fail("arc head is a node");
        if (arc_edge[a] >= edge_count()) fail("arc edge is an edge");
    }
    if (edge_shape_first.size() != edge_count() + 1) fail("edge_shape_first has edge_count+1 entries");
    for (EdgeId e = 0; e < edge_count(); ++e) {
        const ArcId f = edge_forward_arc[e];
        const ArcId b = edge_backward_arc[e];
        if (arc_edge[f] != e || arc_edge[b] != e) fail("edge arcs point back to the edge");
        if (head[f] != edge_to[e] || head[b] != edge_from[e]) fail("edge arcs run between its nodes");
        if (!(f >= first_out[edge_from[e]] && f < first_out[edge_from[e] + 1])) fail("forward arc leaves `from`");
        if (!(b >= first_out[edge_to[e]] && b < first_out[edge_to[e] + 1])) fail("backward arc leaves `to`");
        if (shape_size(e) < 2) fail("every edge has at least two shape points");
        if (!(shape_begin(e)[0] == node_xy[edge_from[e]]) ||
            !(shape_begin(e)[shape_size(e) - 1] == node_xy[edge_to[e]]))
            fail("edge shape starts and ends at its nodes");
        if (!(edge_length_m[e] > 0)) fail("edge length is positive");
    }
    for (const ProfileData& p : profiles) {
        if (p.arc_seconds.size() != arc_count()) fail("one travel time per arc and profile");
        if (p.arc_seconds_reversed.size() != arc_count()) fail("one reversed travel time per arc and profile");
        for (float s : p.arc_seconds)
            if (!(s >= 0)) fail("travel times are non-negative");
        for (EdgeId e = 0; e < edge_count(); ++e) {
            const ArcId f = edge_forward_arc[e], b = edge_backward_arc[e];
            if (!(p.arc_seconds_reversed[f] == p.arc_seconds[b] && p.arc_seconds_reversed[b] == p.arc_seconds[f]))
                fail("a reversed arc time is its twin arc's time");
        }
        if (p.node_component.size() != n) fail("one component per node and profile");
    }
}

void RawNetwork::add_edge(const RawEdge& edge, std::span<const Point> shape) {
    edges.push_back(edge);
    shape_points.insert(shape_points.end(), shape.begin(), shape.end());
    shape_first.push_back(static_cast<std::uint32_t>(shape_points.size()));
}

RoadGraph build_graph(RawNetwork&& raw, const BuildOptions& options) {
    if (options.profiles.empty()) throw std::invalid_argument("build_graph needs at least one profile");
    if (raw.shape_first.size() != raw.edges.size() + 1 || raw.shape_first.front() != 0 ||
        raw.shape_first.back() != raw.shape_points.size())
        throw std::invalid_argument("build_graph: RawNetwork shape offsets do not match its edges");
    const std::size_t profile_count = options.profiles.size();

    // 1. Keep the edges some profile may use, with their lengths and travel times. Their shapes
    //    are compacted in place (kept edges stay in order), so the graph takes over the array.
    struct Kept {
        std::uint32_t raw;
        double length;
    };
    std::vector<Kept> kept;
    reserve_prefaulted(kept, raw.edges.size());
    std::vector<float> fwd_time;  // [kept * profile_count + p]
    std::vector<float> bwd_time;
    reserve_prefaulted(fwd_time, raw.edges.size() * profile_count);
    reserve_prefaulted(bwd_time, raw.edges.size() * profile_count);
    std::vector<std::uint32_t> kept_shape_first{0};
    reserve_prefaulted(kept_shape_first, raw.edges.size() + 1);
    // The shape's ends are exactly the nodes, whatever rounding the reader did; NaN length:
    // an edge to drop (fewer than two points, a node out of range).
    std::vector<double> raw_length;
    resize_prefaulted(raw_length, raw.edges.size());
    for (std::uint32_t i = 0; i < raw.edges.size(); ++i) {
        const RawEdge& e = raw.edges[i];
        const std::uint32_t begin = raw.shape_first[i];
        const std::uint32_t size = raw.shape_first[i + 1] - begin;
        raw_length[i] = std::numeric_limits<double>::quiet_NaN();
        if (size < 2 || e.from >= raw.nodes.size() || e.to >= raw.nodes.size()) continue;
        Point* shape = raw.shape_points.data() + begin;
        shape[0] = raw.nodes[e.from];
        shape[size - 1] = raw.nodes[e.to];
        double length = 0;
        for (std::size_t k = 0; k + 1 < size; ++k) length += segment_length(shape[k], shape[k + 1]);
        raw_length[i] = length;
    }
    RoadGraph g;
    const SlopeFactors slope = slope_factors(raw, raw_length, options, g.elevation);

    std::size_t write = 0;
    for (std::uint32_t i = 0; i < raw.edges.size(); ++i) {
        const RawEdge& e = raw.edges[i];
        const std::uint32_t begin = raw.shape_first[i];
        const std::uint32_t size = raw.shape_first[i + 1] - begin;
        const double length = raw_length[i];
        if (!(length > 0) || !std::isfinite(length)) continue;
        const Point* shape = raw.shape_points.data() + begin;
        bool any = false;
        for (std::size_t p = 0; p < profile_count; ++p) {
            const ProfileSettings& profile = options.profiles[p];
            const Permission perm = permission(profile, e.attributes);
            const double secs = length / speed_mps(profile, e.attributes);
            const bool sloped = !slope.forward.empty() && follows_slope(profile, e.attributes);
            const double fwd = sloped ? secs * slope.forward[i] : secs;
            const double bwd = sloped ? secs * slope.backward[i] : secs;
            fwd_time.push_back(perm.forward ? static_cast<float>(fwd) : forbidden_arc);
            bwd_time.push_back(perm.backward ? static_cast<float>(bwd) : forbidden_arc);
            any = any || perm.forward || perm.backward;
        }
        if (!any) {  // no profile may use it: take its times back
            fwd_time.resize(fwd_time.size() - profile_count);
            bwd_time.resize(bwd_time.size() - profile_count);
            continue;
        }
        kept.push_back({i, length});
        if (write != begin) std::copy(shape, shape + size, raw.shape_points.data() + write);
        write += size;
        kept_shape_first.push_back(static_cast<std::uint32_t>(write));
    }
    raw.shape_points.resize(write);

    // 2. Nodes used by kept edges, in Hilbert-curve order.
    std::vector<std::uint32_t> new_id;
    assign_prefaulted(new_id, raw.nodes.size(), std::uint32_t{invalid_index});
    std::vector<std::uint32_t> used;
    for (const Kept& k : kept) {
        for (std::uint32_t v : {raw.edges[k.raw].from, raw.edges[k.raw].to}) {
            if (new_id[v] == invalid_index) {
                new_id[v] = 0;
                used.push_back(v);
            }
        }
    }
    if (options.reorder_nodes && !used.empty()) {
        Box box;
        for (std::uint32_t v : used) box.extend(raw.nodes[v]);
        const double w = std::max(box.max.x - box.min.x, 1e-9);
        const double h = std::max(box.max.y - box.min.y, 1e-9);
        std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed;
        reserve_prefaulted(keyed, used.size());
        for (std::uint32_t v : used) {
            const auto gx = static_cast<std::uint32_t>((raw.nodes[v].x - box.min.x) / w * 65535.0);
            const auto gy = static_cast<std::uint32_t>((raw.nodes[v].y - box.min.y) / h * 65535.0);
            keyed.emplace_back(hilbert_index(gx, gy), v);
        }
        tbb::parallel_sort(keyed.begin(), keyed.end());
        for (std::size_t i = 0; i < keyed.size(); ++i) used[i] = keyed[i].second;
    } else {
        std::sort(used.begin(), used.end());
    }
    resize_prefaulted(g.node_xy, used.size());
    for (std::uint32_t i = 0; i < used.size(); ++i) {
        new_id[used[i]] = i;
        g.node_xy[i] = raw.nodes[used[i]];
    }

    // 3. Edges with their geometry.
    const std::size_t m = kept.size();
    resize_prefaulted(g.edge_from, m);
    resize_prefaulted(g.edge_to, m);
    resize_prefaulted(g.edge_length_m, m);
    resize_prefaulted(g.edge_class, m);
    resize_prefaulted(g.edge_name, m);
    resize_prefaulted(g.edge_source, m);
    for (std::size_t i = 0; i < m; ++i) {
        const RawEdge& e = raw.edges[kept[i].raw];
        g.edge_from[i] = new_id[e.from];
        g.edge_to[i] = new_id[e.to];
        g.edge_length_m[i] = kept[i].length;
        g.edge_class[i] = e.attributes.road_class;
        g.edge_name[i] = e.name < raw.names.size() ? e.name : 0;
        g.edge_source[i] = e.source;
    }
    g.edge_shape_first = std::move(kept_shape_first);
    g.shape_points = std::move(raw.shape_points);
    g.names = std::move(raw.names);
    if (g.names.empty()) g.names.emplace_back();

    // 4. CSR: arcs grouped by tail; within a tail in edge order, which keeps builds deterministic.
    const std::size_t n = g.node_count();
    assign_prefaulted(g.first_out, n + 1, ArcId{0});
    for (std::size_t i = 0; i < m; ++i) {
        ++g.first_out[g.edge_from[i] + 1];
        ++g.first_out[g.edge_to[i] + 1];
    }
    std::partial_sum(g.first_out.begin(), g.first_out.end(), g.first_out.begin());
    std::vector<ArcId> fill(g.first_out.begin(), g.first_out.end() - 1);
    resize_prefaulted(g.head, 2 * m);
    resize_prefaulted(g.arc_edge, 2 * m);
    resize_prefaulted(g.edge_forward_arc, m);
    resize_prefaulted(g.edge_backward_arc, m);
    g.profiles.resize(profile_count);
    for (std::size_t p = 0; p < profile_count; ++p) {
        g.profiles[p].settings = options.profiles[p];
        resize_prefaulted(g.profiles[p].arc_seconds, 2 * m);
        resize_prefaulted(g.profiles[p].arc_seconds_reversed, 2 * m);
    }
    for (std::size_t i = 0; i < m; ++i) {
        const ArcId f = fill[g.edge_from[i]]++;
        const ArcId b = fill[g.edge_to[i]]++;
        g.head[f] = g.edge_to[i];
        g.head[b] = g.edge_from[i];
        g.arc_edge[f] = g.arc_edge[b] = static_cast<EdgeId>(i);
        g.edge_forward_arc[i] = f;
        g.edge_backward_arc[i] = b;
        for (std::size_t p = 0; p < profile_count; ++p) {
            g.profiles[p].arc_seconds[f] = fwd_time[i * profile_count + p];
            g.profiles[p].arc_seconds[b] = bwd_time[i * profile_count + p];
            g.profiles[p].arc_seconds_reversed[f] = bwd_time[i * profile_count + p];
            g.profiles[p].arc_seconds_reversed[b] = fwd_time[i * profile_count + p];
        }
    }
    for (ProfileData& p : g.profiles) compute_components(g, p);
#ifndef NDEBUG
    g.validate();
#endif
    return g;
}

}  // namespace lifecircle
