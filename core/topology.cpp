#include "core/topology.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iterator>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/index/rtree.hpp>

namespace lifecircle {

namespace {

double squared_distance(Point a, Point b) {
    const double dx = a.x - b.x;
    const double dy = a.y - b.y;
    return dx * dx + dy * dy;
}

double polyline_length(const std::vector<Point>& points) {
    double length = 0.0;
    for (std::size_t i = 1; i < points.size(); ++i) {
        length += std::sqrt(squared_distance(points[i - 1], points[i]));
    }
    return length;
}

/**
 * Merges points into nodes with a grid hash whose cells are as wide as the tolerance: a
 * point joins the nearest existing node within the tolerance (looking into the 3x3 cells
 * around it, so points on either side of a cell border merge), or becomes a new node.
 */
class NodeSnapper {
public:
    NodeSnapper(double tolerance, std::vector<Point>& nodes)
        : m_tolerance_sq(tolerance * tolerance),
          m_cell(tolerance > 0.0 ? tolerance : 1.0),
          m_nodes(nodes) {}

    std::uint32_t snap(Point p) {
        const std::uint32_t found = find(p);
        if (found != invalid_index) return found;
        const auto id = static_cast<std::uint32_t>(m_nodes.size());
        m_nodes.push_back(p);
        m_cells[cell_of(p)].push_back(id);
        return id;
    }

    /** The nearest node within the tolerance, or invalid_index. */
    std::uint32_t find(Point p) const {
        const Cell centre = cell_of(p);
        std::uint32_t best = invalid_index;
        double best_sq = m_tolerance_sq;
        for (std::int64_t dx = -1; dx <= 1; ++dx) {
            for (std::int64_t dy = -1; dy <= 1; ++dy) {
                const auto it = m_cells.find(Cell{centre.x + dx, centre.y + dy});
                if (it == m_cells.end()) continue;
                for (const std::uint32_t id : it->second) {
                    const double d_sq = squared_distance(p, m_nodes[id]);
                    if (d_sq <= best_sq && (best == invalid_index || d_sq < best_sq)) {
                        best = id;
                        best_sq = d_sq;
                    }
                }
            }
        }
        return best;
    }

private:
    struct Cell {
        std::int64_t x = 0;
        std::int64_t y = 0;
        bool operator==(const Cell&) const = default;
    };
    struct CellHash {
        std::size_t operator()(const Cell& c) const noexcept {
            const auto x = static_cast<std::uint64_t>(c.x);
            const auto y = static_cast<std::uint64_t>(c.y);
            return std::hash<std::uint64_t>{}(x * 0x9E3779B97F4A7C15ull ^ y);
        }
    };

    Cell cell_of(Point p) const {
        constexpr double limit = 4.0e18;  // keeps the casts defined for absurd coordinates
        return {static_cast<std::int64_t>(std::clamp(std::floor(p.x / m_cell), -limit, limit)),
                static_cast<std::int64_t>(std::clamp(std::floor(p.y / m_cell), -limit, limit))};
    }

    double m_tolerance_sq;
    double m_cell;
    std::vector<Point>& m_nodes;
    std::unordered_map<Cell, std::vector<std::uint32_t>, CellHash> m_cells;
};

/** Where a line is cut: at interior vertex `index` (t == 0) or inside segment `index`. */
struct Split {
    std::uint32_t index = 0;
    double t = 0.0;
    std::uint32_t node = 0;
    bool operator<(const Split& other) const {
        return index != other.index ? index < other.index : t < other.t;
    }
};

/**
 * Finds where line ends (nodes) lie on other lines, or on the same line away from its own
 * ends, within the tolerance: bureau data often runs a road straight through a T-junction.
 * Per line and node only the nearest place counts.
 */
std::vector<std::vector<Split>> find_junction_splits(const std::vector<TopologyLine>& lines,
                                                     const std::vector<Point>& nodes,
                                                     double tolerance) {
    namespace bg = boost::geometry;
    namespace bgi = boost::geometry::index;
    using BgPoint = bg::model::point<double, 2, bg::cs::cartesian>;
    using BgBox = bg::model::box<BgPoint>;
    using Entry = std::pair<BgBox, std::uint64_t>;  // line << 32 | segment

    std::vector<Entry> entries;
    for (std::size_t l = 0; l < lines.size(); ++l) {
        const std::vector<Point>& pts = lines[l].points;
        for (std::size_t s = 0; s + 1 < pts.size(); ++s) {
            const BgBox box(
                BgPoint(std::min(pts[s].x, pts[s + 1].x), std::min(pts[s].y, pts[s + 1].y)),
                BgPoint(std::max(pts[s].x, pts[s + 1].x), std::max(pts[s].y, pts[s + 1].y)));
            entries.emplace_back(box, (static_cast<std::uint64_t>(l) << 32) | s);
        }
    }
    const bgi::rtree<Entry, bgi::rstar<16>> tree(entries.begin(), entries.end());

    struct Candidate {
        std::uint32_t line;
        Split split;
        double distance_sq;
    };
    std::vector<std::vector<Split>> splits(lines.size());
    std::vector<Entry> hits;
    std::vector<Candidate> candidates;
    const double tolerance_sq = tolerance * tolerance;
    for (std::size_t n = 0; n < nodes.size(); ++n) {
        const Point p = nodes[n];
        hits.clear();
        candidates.clear();
        tree.query(bgi::intersects(BgBox(BgPoint(p.x - tolerance, p.y - tolerance),
                                         BgPoint(p.x + tolerance, p.y + tolerance))),
                   std::back_inserter(hits));
        for (const Entry& hit : hits) {
            const auto l = static_cast<std::uint32_t>(hit.second >> 32);
            const auto s = static_cast<std::uint32_t>(hit.second & 0xFFFFFFFFu);
            const std::vector<Point>& pts = lines[l].points;
            const Point a = pts[s];
            const Point b = pts[s + 1];
            const double length_sq = squared_distance(a, b);
            const double t = std::clamp(
                ((p.x - a.x) * (b.x - a.x) + (p.y - a.y) * (b.y - a.y)) / length_sq, 0.0, 1.0);
            const Point closest{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)};
            const double distance_sq = squared_distance(p, closest);
            if (distance_sq > tolerance_sq) continue;
            // Near the line's own ends: those are nodes already.
            if (squared_distance(closest, pts.front()) <= tolerance_sq ||
                squared_distance(closest, pts.back()) <= tolerance_sq) {
                continue;
            }
            Split split{s, t, static_cast<std::uint32_t>(n)};
            if (squared_distance(closest, a) <= tolerance_sq) {
                split = {s, 0.0, split.node};  // at vertex s, which is interior (s > 0)
            } else if (squared_distance(closest, b) <= tolerance_sq) {
                split = {s + 1, 0.0, split.node};
            }
            const auto same_line = std::find_if(candidates.begin(), candidates.end(),
                                                [&](const Candidate& c) { return c.line == l; });
            if (same_line == candidates.end()) {
                candidates.push_back({l, split, distance_sq});
            } else if (distance_sq < same_line->distance_sq) {
                *same_line = {l, split, distance_sq};
            }
        }
        for (const Candidate& c : candidates) splits[c.line].push_back(c.split);
    }
    for (std::vector<Split>& line_splits : splits) {
        std::sort(line_splits.begin(), line_splits.end());
        // Two nodes claiming the same vertex: the first (lowest id) keeps it.
        line_splits.erase(std::unique(line_splits.begin(), line_splits.end(),
                                      [](const Split& x, const Split& y) {
                                          return x.index == y.index && x.t == y.t;
                                      }),
                          line_splits.end());
    }
    return splits;
}

}  // namespace

void remove_repeated_points(std::vector<Point>& points) {
    points.erase(std::unique(points.begin(), points.end()), points.end());
}

TopologyStats build_topology(const std::vector<TopologyLine>& lines, const TopologyOptions& options,
                             RawNetwork& network) {
    const double tolerance = options.snap_tolerance_m;
    TopologyStats stats;
    NodeSnapper snapper(tolerance, network.nodes);
    std::vector<std::uint32_t> start_node(lines.size(), invalid_index);
    std::vector<std::uint32_t> end_node(lines.size(), invalid_index);
    for (std::size_t l = 0; l < lines.size(); ++l) {
        if (lines[l].points.size() < 2) continue;
        start_node[l] = snapper.snap(lines[l].points.front());
        end_node[l] = snapper.snap(lines[l].points.back());
    }
    std::vector<std::vector<Split>> splits(lines.size());
    if (options.split_at_junctions) {
        splits = find_junction_splits(lines, network.nodes, tolerance);
    }

    auto emit = [&](const TopologyLine& line, std::uint32_t from, std::uint32_t to,
                    std::vector<Point>&& shape) {
        remove_repeated_points(shape);
        if (shape.size() < 2 || (from == to && polyline_length(shape) <= tolerance)) {
            ++stats.dropped_pieces;
            return;
        }
        RawEdge edge;
        edge.from = from;
        edge.to = to;
        edge.attributes = line.attributes;
        edge.name = line.name;
        edge.source = line.source;
        network.add_edge(edge, shape);
    };

    for (std::size_t l = 0; l < lines.size(); ++l) {
        const TopologyLine& line = lines[l];
        if (line.points.size() < 2) {
            ++stats.dropped_pieces;
            continue;
        }
        const std::vector<Point>& pts = line.points;
        const std::vector<Split>& cuts = splits[l];
        stats.junction_splits += cuts.size();
        std::size_t next_cut = 0;
        std::uint32_t from = start_node[l];
        std::vector<Point> shape{network.nodes[from]};
        auto cut_here = [&](std::uint32_t node) {
            shape.push_back(network.nodes[node]);
            emit(line, from, node, std::move(shape));
            from = node;
            shape = {network.nodes[node]};
        };
        for (std::size_t k = 1; k < pts.size(); ++k) {
            // Cuts inside segment k-1, in order along it.
            while (next_cut < cuts.size() && cuts[next_cut].index == k - 1 &&
                   cuts[next_cut].t > 0.0) {
                cut_here(cuts[next_cut++].node);
            }
            if (k + 1 == pts.size()) {
                shape.push_back(network.nodes[end_node[l]]);
                emit(line, from, end_node[l], std::move(shape));
            } else if (next_cut < cuts.size() && cuts[next_cut].index == k &&
                       cuts[next_cut].t == 0.0) {
                cut_here(cuts[next_cut++].node);
            } else {
                shape.push_back(pts[k]);
            }
        }
        assert(next_cut == cuts.size());
    }
    return stats;
}

}  // namespace lifecircle
