#include "maps/split_grid.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <unordered_map>
#include <utility>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

namespace lifecircle::maps::detail {

namespace {

/** Directions of a cell side walked with its cell on the left: east, north, west, south. */
constexpr std::int64_t step_x[4] = {1, 0, -1, 0};
constexpr std::int64_t step_y[4] = {0, 1, 0, -1};

/** A traced ring in grid vertex coordinates (not closed: the last vertex joins the first). */
struct Ring {
    std::vector<std::pair<std::int64_t, std::int64_t>> v;
    std::int64_t twice_area = 0;  ///< positive counter-clockwise (a shell), negative for a hole
};

/** Drops vertices between two sides of the same direction and computes the signed area. */
Ring simplify(const std::vector<std::pair<std::int64_t, std::int64_t>>& loop) {
    Ring ring;
    const std::size_t n = loop.size();
    for (std::size_t k = 0; k < n; ++k) {
        const auto& a = loop[(k + n - 1) % n];
        const auto& b = loop[k];
        const auto& c = loop[(k + 1) % n];
        const bool collinear = (b.first - a.first) * (c.second - b.second) == (b.second - a.second) * (c.first - b.first);
        if (!collinear) ring.v.push_back(b);
    }
    const std::size_t m = ring.v.size();
    for (std::size_t k = 0; k < m; ++k) {
        const auto& a = ring.v[k];
        const auto& b = ring.v[(k + 1) % m];
        ring.twice_area += a.first * b.second - b.first * a.second;
    }
    return ring;
}

/** Whether the point (x, y), never on a grid line, lies inside the ring (crossing count). */
bool inside(const Ring& ring, double x, double y) {
    bool in = false;
    const std::size_t m = ring.v.size();
    for (std::size_t k = 0, l = m - 1; k < m; l = k++) {
        const double xi = static_cast<double>(ring.v[k].first);
        const double yi = static_cast<double>(ring.v[k].second);
        const double xj = static_cast<double>(ring.v[l].first);
        const double yj = static_cast<double>(ring.v[l].second);
        // Sides are axis-parallel: only vertical ones can cross the ray to +x.
        if (xi == xj && ((yi > y) != (yj > y)) && xi > x) in = !in;
    }
    return in;
}

}  // namespace

SplitGrid::SplitGrid(const Box& frame, double cell) : m_cell(cell) {
    assert(!frame.empty() && cell > 0);
    m_origin = {(std::floor(frame.min.x / cell) - 1.0) * cell, (std::floor(frame.min.y / cell) - 1.0) * cell};
    m_columns = static_cast<std::int64_t>(std::ceil((frame.max.x - m_origin.x) / cell)) + 1;
    m_rows = static_cast<std::int64_t>(std::ceil((frame.max.y - m_origin.y) / cell)) + 1;
    m_tile_columns = (m_columns + tile - 1) / tile;
    m_tile_rows = (m_rows + tile - 1) / tile;
    m_tile_of.assign(static_cast<std::size_t>(m_tile_columns * m_tile_rows), no_label);
}

std::uint32_t SplitGrid::get(std::int64_t i, std::int64_t j) const {
    if (i < 0 || j < 0 || i >= m_columns || j >= m_rows) return no_label;
    const std::uint32_t t = m_tile_of[static_cast<std::size_t>((j >> tile_bits) * m_tile_columns + (i >> tile_bits))];
    if (t == no_label) return no_label;
    return m_cells[(static_cast<std::size_t>(t) << (2 * tile_bits)) +
                   static_cast<std::size_t>(((j & (tile - 1)) << tile_bits) + (i & (tile - 1)))];
}

std::uint32_t& SplitGrid::slot(std::int64_t i, std::int64_t j) {
    assert(i >= 0 && j >= 0 && i < m_columns && j < m_rows);
    std::uint32_t& t = m_tile_of[static_cast<std::size_t>((j >> tile_bits) * m_tile_columns + (i >> tile_bits))];
    if (t == no_label) {
        t = static_cast<std::uint32_t>(m_cells.size() >> (2 * tile_bits));
        m_cells.resize(m_cells.size() + (std::size_t{1} << (2 * tile_bits)), no_label);
    }
    return m_cells[(static_cast<std::size_t>(t) << (2 * tile_bits)) +
                   static_cast<std::size_t>(((j & (tile - 1)) << tile_bits) + (i & (tile - 1)))];
}

void SplitGrid::label(std::span<const Point> samples, std::span<const std::uint32_t> labels, double radius,
                      bool fill_all) {
    assert(samples.size() == labels.size());
    // In cell units, relative to the grid's corner: cell (i, j) has its centre at (i + ½, j + ½).
    auto cx = [&](std::size_t k) { return (samples[k].x - m_origin.x) / m_cell; };
    auto cy = [&](std::size_t k) { return (samples[k].y - m_origin.y) / m_cell; };
    auto d2 = [&](std::size_t k, std::int64_t i, std::int64_t j) {
        const double dx = static_cast<double>(i) + 0.5 - cx(k);
        const double dy = static_cast<double>(j) + 0.5 - cy(k);
        return dx * dx + dy * dy;
    };
    const double r = radius / m_cell;
    for (std::size_t k = 0; k < samples.size(); ++k) {
        const double x = cx(k);
        const double y = cy(k);
        const std::int64_t j0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil(y - r - 0.5)));
        const std::int64_t j1 = std::min<std::int64_t>(m_rows - 1, static_cast<std::int64_t>(std::floor(y + r - 0.5)));
        for (std::int64_t j = j0; j <= j1; ++j) {
            const double dy = static_cast<double>(j) + 0.5 - y;
            const double half = std::sqrt(std::max(0.0, r * r - dy * dy));
            const std::int64_t i0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil(x - half - 0.5)));
            const std::int64_t i1 =
                std::min<std::int64_t>(m_columns - 1, static_cast<std::int64_t>(std::floor(x + half - 0.5)));
            for (std::int64_t i = i0; i <= i1; ++i) {
                std::uint32_t& owner = slot(i, j);
                // Samples come in index order, so on a tie the earlier (lower) index stays.
                if (owner == no_label || d2(k, i, j) < d2(owner, i, j)) owner = static_cast<std::uint32_t>(k);
            }
        }
    }
    if (fill_all && !samples.empty()) {
        for (std::int64_t j = 0; j < m_rows; j += tile)
            for (std::int64_t i = 0; i < m_columns; i += tile) slot(i, j);
        // Two raster scans, each cell taking a neighbour's sample when that is nearer to it.
        auto relax = [&](std::int64_t i, std::int64_t j, std::int64_t di, std::int64_t dj) {
            const std::uint32_t other = get(i + di, j + dj);
            if (other == no_label) return;
            std::uint32_t& owner = slot(i, j);
            if (owner == no_label || d2(other, i, j) < d2(owner, i, j)) owner = other;
        };
        for (std::int64_t j = 0; j < m_rows; ++j)
            for (std::int64_t i = 0; i < m_columns; ++i) {
                relax(i, j, -1, 0);
                relax(i, j, -1, -1);
                relax(i, j, 0, -1);
                relax(i, j, 1, -1);
            }
        for (std::int64_t j = m_rows - 1; j >= 0; --j)
            for (std::int64_t i = m_columns - 1; i >= 0; --i) {
                relax(i, j, 1, 0);
                relax(i, j, 1, 1);
                relax(i, j, 0, 1);
                relax(i, j, -1, 1);
            }
    }
    for (std::uint32_t& c : m_cells)
        if (c != no_label) c = labels[c];
}

std::uint32_t SplitGrid::label_at(Point p) const {
    return get(static_cast<std::int64_t>(std::floor((p.x - m_origin.x) / m_cell)),
               static_cast<std::int64_t>(std::floor((p.y - m_origin.y) / m_cell)));
}

std::vector<GeometryPtr> SplitGrid::regions(GeosContext& ctx, std::uint32_t label_count,
                                            std::vector<Box>& boxes) const {
    GEOSContextHandle_t h = ctx.handle();
    // Every cell side between two labels, walked with its cell on the left (so shells run
    // counter-clockwise and holes clockwise), keyed by its start vertex and direction and
    // bucketed by label.
    const std::int64_t vertex_columns = m_columns + 1;
    auto for_each_side = [&](auto&& emit) {
        for (std::int64_t tj = 0; tj < m_tile_rows; ++tj)
            for (std::int64_t ti = 0; ti < m_tile_columns; ++ti) {
                if (m_tile_of[static_cast<std::size_t>(tj * m_tile_columns + ti)] == no_label) continue;
                const std::int64_t jend = std::min(m_rows, (tj + 1) * tile);
                const std::int64_t iend = std::min(m_columns, (ti + 1) * tile);
                for (std::int64_t j = tj * tile; j < jend; ++j)
                    for (std::int64_t i = ti * tile; i < iend; ++i) {
                        const std::uint32_t a = get(i, j);
                        if (a == no_label || a >= label_count) continue;
                        if (get(i, j - 1) != a) emit(a, i, j, 0);
                        if (get(i + 1, j) != a) emit(a, i + 1, j, 1);
                        if (get(i, j + 1) != a) emit(a, i + 1, j + 1, 2);
                        if (get(i - 1, j) != a) emit(a, i, j + 1, 3);
                    }
            }
    };
    std::vector<std::size_t> first(static_cast<std::size_t>(label_count) + 1, 0);
    for_each_side([&](std::uint32_t a, std::int64_t, std::int64_t, int) { ++first[a + 1]; });
    for (std::size_t a = 0; a < label_count; ++a) first[a + 1] += first[a];
    std::vector<std::uint64_t> sides(first.back());
    {
        std::vector<std::size_t> fill(first.begin(), first.end() - 1);
        for_each_side([&](std::uint32_t a, std::int64_t i, std::int64_t j, int d) {
            sides[fill[a]++] = static_cast<std::uint64_t>(j * vertex_columns + i) * 4 + static_cast<std::uint64_t>(d);
        });
    }

    std::vector<GeometryPtr> out(label_count);
    boxes.assign(label_count, Box{});
    std::vector<char> used;
    std::vector<std::pair<std::int64_t, std::int64_t>> path;
    std::unordered_map<std::uint64_t, std::size_t> at;
    for (std::uint32_t a = 0; a < label_count; ++a) {
        const auto begin = sides.begin() + static_cast<std::ptrdiff_t>(first[a]);
        const auto end = sides.begin() + static_cast<std::ptrdiff_t>(first[a + 1]);
        if (begin == end) continue;
        std::sort(begin, end);
        const std::size_t n = first[a + 1] - first[a];
        used.assign(n, 0);
        std::vector<Ring> shells;
        std::vector<Ring> holes;
        auto emit_loop = [&](std::size_t from) {
            std::vector<std::pair<std::int64_t, std::int64_t>> loop(path.begin() + static_cast<std::ptrdiff_t>(from),
                                                                    path.end());
            if (loop.size() < 4) return;
            Ring ring = simplify(loop);
            (ring.twice_area > 0 ? shells : holes).push_back(std::move(ring));
        };
        for (std::size_t s = 0; s < n; ++s) {
            if (used[s]) continue;
            // Walk a boundary, turning left where two sides leave a vertex (two cells of this
            // label meeting at a corner): cells joined only at a corner stay apart, so every
            // traced region is edge-connected and its interior connected. A walk that comes back
            // to a vertex splits off a loop there, so every ring is simple; rings may touch at a
            // vertex, which OGC validity allows.
            path.clear();
            at.clear();
            std::size_t e = s;
            for (;;) {
                used[e] = 1;
                const std::uint64_t key = begin[static_cast<std::ptrdiff_t>(e)];
                const std::uint64_t vertex = key / 4;
                const int d = static_cast<int>(key % 4);
                const std::int64_t vi = static_cast<std::int64_t>(vertex % static_cast<std::uint64_t>(vertex_columns));
                const std::int64_t vj = static_cast<std::int64_t>(vertex / static_cast<std::uint64_t>(vertex_columns));
                const auto found = at.find(vertex);
                if (found != at.end()) {
                    emit_loop(found->second);
                    for (std::size_t k = found->second + 1; k < path.size(); ++k)
                        at.erase(static_cast<std::uint64_t>(path[k].second * vertex_columns + path[k].first));
                    path.resize(found->second + 1);
                } else {
                    at.emplace(vertex, path.size());
                    path.emplace_back(vi, vj);
                }
                const std::int64_t ni = vi + step_x[d];
                const std::int64_t nj = vj + step_y[d];
                const std::uint64_t next_vertex = static_cast<std::uint64_t>(nj * vertex_columns + ni);
                const auto lo = std::lower_bound(begin, end, next_vertex * 4);
                const auto hi = std::lower_bound(lo, end, next_vertex * 4 + 4);
                assert(lo != hi);
                // Left, straight, right: the first that leaves this vertex.
                std::size_t next = n;
                for (int turn : {1, 0, 3}) {
                    const auto it = std::lower_bound(lo, hi, next_vertex * 4 + static_cast<std::uint64_t>((d + turn) % 4));
                    if (it != hi && *it == next_vertex * 4 + static_cast<std::uint64_t>((d + turn) % 4)) {
                        next = static_cast<std::size_t>(it - begin);
                        break;
                    }
                }
                assert(next < n);
                if (next == s) break;
                assert(!used[next]);
                e = next;
            }
            emit_loop(0);
        }

        // Each hole goes to the smallest shell around a cell on its inner side (one of this
        // label's cells, so that shell is the hole's own).
        std::vector<std::vector<const Ring*>> holes_of(shells.size());
        for (const Ring& hole : holes) {
            std::size_t owner = 0;
            if (shells.size() > 1) {
                // The cell left of the hole's first side (from v[0] towards v[1]).
                const auto [x0, y0] = hole.v[0];
                const auto [x1, y1] = hole.v[1];
                const int d = x1 > x0 ? 0 : y1 > y0 ? 1 : x1 < x0 ? 2 : 3;
                const double px = static_cast<double>(x0) + (d == 0 ? 0.5 : d == 1 ? -0.5 : d == 2 ? -0.5 : 0.5);
                const double py = static_cast<double>(y0) + (d == 0 ? 0.5 : d == 1 ? 0.5 : d == 2 ? -0.5 : -0.5);
                std::int64_t best = 0;
                for (std::size_t k = 0; k < shells.size(); ++k)
                    if ((best == 0 || shells[k].twice_area < best) && inside(shells[k], px, py)) {
                        best = shells[k].twice_area;
                        owner = k;
                    }
            }
            holes_of[owner].push_back(&hole);
        }

        auto make_ring = [&](const Ring& ring) {
            std::vector<double> xy;
            xy.reserve(2 * ring.v.size() + 2);
            for (const auto& [i, j] : ring.v) {
                xy.push_back(m_origin.x + static_cast<double>(i) * m_cell);
                xy.push_back(m_origin.y + static_cast<double>(j) * m_cell);
            }
            xy.push_back(xy[0]);
            xy.push_back(xy[1]);
            GEOSCoordSequence* seq =
                GEOSCoordSeq_copyFromBuffer_r(h, xy.data(), static_cast<unsigned>(xy.size() / 2), 0, 0);
            if (seq == nullptr) fail(ctx, "create coordinates");
            GEOSGeometry* linear = GEOSGeom_createLinearRing_r(h, seq);
            if (linear == nullptr) fail(ctx, "create ring");
            return linear;
        };
        std::vector<GeometryPtr> polygons;
        for (std::size_t k = 0; k < shells.size(); ++k) {
            GEOSGeometry* shell = make_ring(shells[k]);
            std::vector<GEOSGeometry*> inner;
            for (const Ring* hole : holes_of[k]) inner.push_back(make_ring(*hole));
            polygons.push_back(own(ctx,
                                   GEOSGeom_createPolygon_r(h, shell, inner.data(), static_cast<unsigned>(inner.size())),
                                   "create polygon"));
            for (const auto& [i, j] : shells[k].v)
                boxes[a].extend({m_origin.x + static_cast<double>(i) * m_cell, m_origin.y + static_cast<double>(j) * m_cell});
        }
        out[a] = make_collection(ctx, GEOS_MULTIPOLYGON, std::move(polygons));
    }
    return out;
}

}  // namespace lifecircle::maps::detail
