#include "core/edits.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <span>
#include <stdexcept>
#include <utility>

#include "core/error.hpp"

namespace lifecircle {

namespace {

std::string metres(double m) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f m", m);
    return buf;
}

double distance(Point a, Point b) { return std::hypot(b.x - a.x, b.y - a.y); }

double length_of(std::span<const Point> shape) {
    double len = 0;
    for (std::size_t i = 0; i + 1 < shape.size(); ++i) len += distance(shape[i], shape[i + 1]);
    return len;
}

/** The point of segment ab nearest to q. */
Point project(Point a, Point b, Point q) {
    const double dx = b.x - a.x;
    const double dy = b.y - a.y;
    const double len2 = dx * dx + dy * dy;
    if (len2 == 0) return a;
    const double t = std::clamp(((q.x - a.x) * dx + (q.y - a.y) * dy) / len2, 0.0, 1.0);
    if (t == 0) return a;
    if (t == 1) return b;
    return {a.x + t * dx, a.y + t * dy};
}

double cross(Point o, Point a, Point b) {
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

bool on_segment(Point a, Point b, Point p) {
    return std::min(a.x, b.x) <= p.x && p.x <= std::max(a.x, b.x) && std::min(a.y, b.y) <= p.y &&
           p.y <= std::max(a.y, b.y);
}

/** Whether segments ab and cd share a point (touching counts). */
bool segments_intersect(Point a, Point b, Point c, Point d) {
    const double d1 = cross(c, d, a);
    const double d2 = cross(c, d, b);
    const double d3 = cross(a, b, c);
    const double d4 = cross(a, b, d);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
        return true;
    if (d1 == 0 && on_segment(c, d, a)) return true;
    if (d2 == 0 && on_segment(c, d, b)) return true;
    if (d3 == 0 && on_segment(a, b, c)) return true;
    if (d4 == 0 && on_segment(a, b, d)) return true;
    return false;
}

bool boxes_overlap(const Box& a, const Box& b) {
    return !a.empty() && !b.empty() && a.min.x <= b.max.x && b.min.x <= a.max.x &&
           a.min.y <= b.max.y && b.min.y <= a.max.y;
}

/** Whether any part of the polyline lies inside the area or on its boundary: a vertex inside,
    or a segment meeting a ring edge (which catches segments that cross the area between
    vertices outside it). */
bool touches_area(std::span<const Point> shape, const MultiPolygonXY& area, const Box& area_box) {
    Box box;
    for (const Point& p : shape) box.extend(p);
    if (!boxes_overlap(box, area_box)) return false;
    for (const Point& p : shape)
        if (contains(area, p)) return true;
    for (std::size_t i = 0; i + 1 < shape.size(); ++i) {
        Box seg;
        seg.extend(shape[i]);
        seg.extend(shape[i + 1]);
        if (!boxes_overlap(seg, area_box)) continue;
        for (const auto& part : area) {
            for (const Ring& ring : part) {
                for (std::size_t j = 0; j < ring.size(); ++j) {
                    const Point& c = ring[j];
                    const Point& d = ring[(j + 1) % ring.size()];
                    if (segments_intersect(shape[i], shape[i + 1], c, d)) return true;
                }
            }
        }
    }
    return false;
}

/** A road an added road may join: not closed to everyone, not under construction or planned
    (build_graph would drop it and leave the new road dangling). */
bool joinable(const EdgeAttributes& a) {
    if (a.road_class == RoadClass::construction || a.road_class == RoadClass::proposed)
        return false;
    return !std::all_of(a.access.begin(), a.access.end(),
                        [](Access x) { return x == Access::denied; });
}

/** The network with one geometry vector per edge while it is being edited. */
struct Work {
    RawNetwork& net;
    std::vector<std::vector<Point>> shapes;

    explicit Work(RawNetwork& n) : net(n) {
        shapes.reserve(n.edges.size());
        for (std::size_t i = 0; i < n.edges.size(); ++i) {
            const std::span<const Point> s = n.shape(i);
            shapes.emplace_back(s.begin(), s.end());
        }
    }

    void finish() {
        net.shape_points.clear();
        net.shape_first.assign(1, 0);
        for (const std::vector<Point>& s : shapes) {
            net.shape_points.insert(net.shape_points.end(), s.begin(), s.end());
            net.shape_first.push_back(static_cast<std::uint32_t>(net.shape_points.size()));
        }
    }

    std::uint32_t add_node(Point p) {
        net.nodes.push_back(p);
        return static_cast<std::uint32_t>(net.nodes.size() - 1);
    }
};

/** Where an end of an added road joins. */
struct Join {
    enum class Kind { none, node, split } kind = Kind::none;
    std::uint32_t node = 0;   ///< Kind::node
    std::size_t edge = 0;     ///< Kind::split, and the edge the node was found on
    std::size_t segment = 0;  ///< Kind::split
    Point point;
    double distance = std::numeric_limits<double>::infinity();  ///< to the nearest road
};

Join find_join(const Work& w, Point end, double tolerance) {
    Join best_node;
    Join best_edge;
    for (std::size_t e = 0; e < w.net.edges.size(); ++e) {
        const RawEdge& edge = w.net.edges[e];
        if (!joinable(edge.attributes)) continue;
        const std::vector<Point>& s = w.shapes[e];
        for (const std::uint32_t v : {edge.from, edge.to}) {
            const double d = distance(end, w.net.nodes[v]);
            if (d < best_node.distance) best_node = {Join::Kind::node, v, e, 0, w.net.nodes[v], d};
        }
        for (std::size_t k = 0; k + 1 < s.size(); ++k) {
            const Point p = project(s[k], s[k + 1], end);
            const double d = distance(end, p);
            if (d < best_edge.distance) best_edge = {Join::Kind::split, 0, e, k, p, d};
        }
    }
    if (best_node.distance <= tolerance) return best_node;
    if (best_edge.distance <= tolerance) {
        // A projection onto the edge's own end is a join to its node, not a split.
        const RawEdge& edge = w.net.edges[best_edge.edge];
        for (const std::uint32_t v : {edge.from, edge.to}) {
            if (best_edge.point == w.net.nodes[v]) {
                best_edge.kind = Join::Kind::node;
                best_edge.node = v;
            }
        }
        return best_edge;
    }
    Join none;
    none.distance = std::min(best_node.distance, best_edge.distance);
    return none;
}

/** Splits edge j.edge at j.point: the first half keeps the edge's index and ends at a new
    node, the second half is appended. Both keep attributes, name and source. */
std::uint32_t split_edge(Work& w, const Join& j) {
    const std::vector<Point> shape = w.shapes[j.edge];
    const std::size_t k = j.segment;
    std::vector<Point> first(shape.begin(), shape.begin() + static_cast<std::ptrdiff_t>(k) + 1);
    std::vector<Point> second;
    second.push_back(j.point);
    if (j.point == shape[k + 1]) {
        first.push_back(shape[k + 1]);  // an interior vertex: no new shape point
        second.insert(second.end(), shape.begin() + static_cast<std::ptrdiff_t>(k) + 2,
                      shape.end());
    } else {
        if (!(j.point == shape[k])) first.push_back(j.point);
        second.insert(second.end(), shape.begin() + static_cast<std::ptrdiff_t>(k) + 1,
                      shape.end());
    }
    const std::uint32_t node = w.add_node(j.point);
    RawEdge tail = w.net.edges[j.edge];
    tail.from = node;
    w.net.edges[j.edge].to = node;
    w.shapes[j.edge] = std::move(first);
    w.net.edges.push_back(tail);
    w.shapes.push_back(std::move(second));
    return node;
}

std::uint32_t name_index(RawNetwork& net, const std::string& name) {
    const auto it = std::find(net.names.begin(), net.names.end(), name);
    if (it != net.names.end()) return static_cast<std::uint32_t>(it - net.names.begin());
    net.names.push_back(name);
    return static_cast<std::uint32_t>(net.names.size() - 1);
}

bool finite(Point p) { return std::isfinite(p.x) && std::isfinite(p.y); }

EditReport apply_change(Work& w, const std::vector<std::int64_t>& source_ids,
                        const std::vector<std::pair<std::int64_t, std::uint32_t>>& by_id,
                        const ChangeRoads& c, const std::string& label) {
    EditReport report;
    report.label = label;
    auto fail = [&](const std::string& what) {
        return InputError("road change '" + label + "': " + what);
    };
    if (c.maxspeed_kmh && !(std::isfinite(*c.maxspeed_kmh) && *c.maxspeed_kmh > 0))
        throw fail("maxspeed_kmh must be a positive number of km/h, not " +
                   std::to_string(*c.maxspeed_kmh));
    if (c.speed_factor && !(std::isfinite(*c.speed_factor) && *c.speed_factor > 0))
        throw fail("speed_factor must be positive (1.2: 20% faster), not " +
                   std::to_string(*c.speed_factor));
    for (const auto& part : c.area)
        for (const Ring& ring : part)
            for (const Point& p : ring)
                if (!finite(p)) throw fail("the area has a point with a non-finite coordinate");

    std::vector<char> source_selected(source_ids.size(), 0);
    for (const std::int64_t id : c.source_ids) {
        auto [lo, hi] =
            std::equal_range(by_id.begin(), by_id.end(), std::pair{id, std::uint32_t{0}},
                             [](const auto& a, const auto& b) { return a.first < b.first; });
        if (lo == hi)
            report.notes.push_back("source id " + std::to_string(id) + " is not in the network");
        for (auto it = lo; it != hi; ++it) source_selected[it->second] = 1;
    }
    const Box area_box = bounds(c.area);
    const bool by_area = !area_box.empty();
    for (std::size_t e = 0; e < w.net.edges.size(); ++e) {
        RawEdge& edge = w.net.edges[e];
        const bool selected =
            (edge.source < source_selected.size() && source_selected[edge.source]) ||
            (by_area && touches_area(w.shapes[e], c.area, area_box));
        if (!selected) continue;
        EdgeAttributes& a = edge.attributes;
        if (c.road_class) {
            a.road_class = *c.road_class;
            a.maxspeed_kmh = 0;
            a.access.fill(Access::by_class);
        }
        if (c.maxspeed_kmh) a.maxspeed_kmh = *c.maxspeed_kmh;
        if (c.speed_factor) {
            for (std::size_t m = 0; m < mode_count; ++m) {
                const bool applies = c.factor_modes.empty() ||
                                     std::find(c.factor_modes.begin(), c.factor_modes.end(),
                                               static_cast<Mode>(m)) != c.factor_modes.end();
                if (applies)
                    a.speed_factor[m] = static_cast<float>(a.speed_factor[m] * *c.speed_factor);
            }
        }
        if (c.close) a.access.fill(Access::denied);
        ++report.roads_changed;
        report.km_changed += length_of(w.shapes[e]) / 1000.0;
    }
    if (report.roads_changed == 0) report.notes.push_back("selects no roads");
    if (!c.road_class && !c.maxspeed_kmh && !c.speed_factor && !c.close)
        report.notes.push_back(
            "changes nothing: no road_class, maxspeed_kmh, speed_factor or close given");
    return report;
}

EditReport apply_add(Work& w, std::vector<std::int64_t>& source_ids, const AddRoad& add,
                     const std::string& label, std::int64_t new_id) {
    EditReport report;
    report.label = label;
    auto fail = [&](const std::string& what) {
        return InputError("road edit '" + label + "': " + what);
    };
    if (add.line.size() < 2)
        throw fail("a new road needs at least two points, got " + std::to_string(add.line.size()));
    for (const Point& p : add.line)
        if (!finite(p)) throw fail("the line has a point with a non-finite coordinate");
    if (!(add.join_tolerance_m >= 0) || !std::isfinite(add.join_tolerance_m))
        throw fail("join_tolerance_m must be zero or more metres");
    if (length_of(add.line) == 0) throw fail("the line has zero length");

    // Both ends are checked before anything changes, so a failed edit leaves no half-split road.
    const char* end_names[2] = {"first point (start)", "last point (end)"};
    const Point ends[2] = {add.line.front(), add.line.back()};
    for (int i = 0; i < 2; ++i) {
        const Join j = find_join(w, ends[i], add.join_tolerance_m);
        if (j.kind != Join::Kind::none || add.allow_dangling) continue;
        if (!std::isfinite(j.distance))
            throw fail(std::string("its ") + end_names[i] + " has no usable road to join");
        throw fail(std::string("its ") + end_names[i] + " is " + metres(j.distance) +
                   " from the nearest usable road, farther than join_tolerance_m (" +
                   metres(add.join_tolerance_m) +
                   "); move it onto a road, raise join_tolerance_m, or set allow_dangling if a "
                   "dead end is meant");
    }

    // Join vertex by vertex: the ends always (to the network or as dead ends), interior
    // vertices when asked. junction[i] is the node at vertex i, invalid_index if none.
    const std::size_t n = add.line.size();
    std::vector<Point> at = add.line;  // the vertices, interior joins moved onto their join point
    std::vector<std::uint32_t> junction(n, invalid_index);
    for (std::size_t i = 0; i < n; ++i) {
        const bool is_end = i == 0 || i + 1 == n;
        if (!is_end && !add.join_interior) continue;
        const Join j = find_join(w, add.line[i], add.join_tolerance_m);
        const std::string where = i == 0 ? "start" : is_end ? "end" : "vertex " + std::to_string(i);
        if (j.kind == Join::Kind::none) {
            if (!is_end) continue;
            junction[i] = w.add_node(add.line[i]);
            report.notes.push_back(where + " joins nothing: a dead end" +
                                   (std::isfinite(j.distance)
                                        ? " (nearest road " + metres(j.distance) + " away)"
                                        : ""));
            continue;
        }
        const std::size_t source = w.net.edges[j.edge].source;
        const std::string road = "source id " + std::to_string(source_ids[source]);
        if (j.kind == Join::Kind::node) {
            junction[i] = j.node;
            report.notes.push_back(where + " joined to a junction of the road of " + road + ", " +
                                   metres(j.distance) + " away");
        } else {
            junction[i] = split_edge(w, j);
            ++report.splits;
            report.notes.push_back(where + " joined by splitting the road of " + road + ", " +
                                   metres(j.distance) + " away");
        }
        ++report.joins;
        if (!is_end) at[i] = w.net.nodes[junction[i]];
    }

    // One edge per stretch between junctions; an end's connector to its join point is part of
    // the new road.
    RawEdge edge;
    edge.attributes = add.attributes;
    edge.name = name_index(w.net, add.name);
    edge.source = static_cast<std::uint32_t>(source_ids.size());
    source_ids.push_back(new_id);
    std::vector<Point> shape{w.net.nodes[junction[0]]};
    std::size_t piece_start = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!(at[i] == shape.back())) shape.push_back(at[i]);
        if (i == 0 || junction[i] == invalid_index) continue;
        const Point node_xy = w.net.nodes[junction[i]];
        if (!(node_xy == shape.back())) shape.push_back(node_xy);
        const double len = length_of(shape);
        if (len > 0) {
            edge.from = junction[piece_start];
            edge.to = junction[i];
            w.net.edges.push_back(edge);
            w.shapes.push_back(shape);
            ++report.roads_added;
            report.km_added += len / 1000.0;
        }
        shape.assign(1, node_xy);
        piece_start = i;
    }
    report.notes.push_back("added with source id " + std::to_string(new_id));
    return report;
}

}  // namespace

std::vector<EditReport> apply_edits(RawNetwork& network, std::vector<std::int64_t>& source_ids,
                                    const NetworkEdits& edits) {
    std::vector<EditReport> reports;
    if (edits.empty()) return reports;
    for (const RawEdge& e : network.edges)
        if (e.source >= source_ids.size())
            throw std::invalid_argument(
                "apply_edits: a raw edge's source has no entry in source_ids");

    std::vector<std::pair<std::int64_t, std::uint32_t>> by_id;
    by_id.reserve(source_ids.size());
    for (std::size_t i = 0; i < source_ids.size(); ++i)
        by_id.emplace_back(source_ids[i], static_cast<std::uint32_t>(i));
    std::sort(by_id.begin(), by_id.end());

    Work w(network);
    try {
        for (std::size_t i = 0; i < edits.change.size(); ++i) {
            const ChangeRoads& c = edits.change[i];
            reports.push_back(
                apply_change(w, source_ids, by_id, c,
                             c.label.empty() ? "change " + std::to_string(i + 1) : c.label));
        }
        for (std::size_t i = 0; i < edits.add.size(); ++i) {
            const AddRoad& a = edits.add[i];
            reports.push_back(apply_add(
                w, source_ids, a, a.name.empty() ? "added road " + std::to_string(i + 1) : a.name,
                -static_cast<std::int64_t>(i + 1)));
        }
    } catch (...) {
        w.finish();  // keep the network consistent (edited up to the failing edit)
        throw;
    }
    w.finish();
    return reports;
}

}  // namespace lifecircle
