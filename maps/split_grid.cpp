#include "maps/split_grid.hpp"

#include "core/parallel.hpp"
#include "maps/ring_simplify.hpp"

#include <algorithm>
#include <atomic>
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
struct CellRing {
    std::vector<std::pair<std::int64_t, std::int64_t>> v;
    std::int64_t twice_area = 0;  ///< positive counter-clockwise (a shell), negative for a hole
};

/** Drops vertices between two sides of the same direction and computes the signed area. */
CellRing simplify(const std::vector<std::pair<std::int64_t, std::int64_t>>& loop) {
    CellRing ring;
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
bool inside(const CellRing& ring, double x, double y) {
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
}

double SplitGrid::d2(std::uint32_t k, std::int64_t i, std::int64_t j) const {
    const double dx = static_cast<double>(i) + 0.5 - m_samples[k].x;
    const double dy = static_cast<double>(j) + 0.5 - m_samples[k].y;
    return dx * dx + dy * dy;
}

void SplitGrid::label(std::vector<Point> samples, std::vector<std::uint32_t> labels, double radius,
                      bool fill_all, unsigned threads) {
    assert(samples.size() == labels.size());
    // In cell units, relative to the grid's corner: cell (i, j) has its centre at (i + ½, j + ½).
    for (Point& p : samples) p = {(p.x - m_origin.x) / m_cell, (p.y - m_origin.y) / m_cell};
    m_samples = std::move(samples);
    m_labels = std::move(labels);
    m_radius = radius / m_cell;
    m_fill_all = fill_all;
    // A sample labels cells whose centres lie within the radius; a window reaches one cell past
    // its tile.
    m_reach = static_cast<std::int64_t>(std::floor((m_radius + 2.0) / tile)) + 1;
    const std::size_t tiles = static_cast<std::size_t>(m_tile_columns * m_tile_rows);
    auto tile_x = [&](double x) {
        return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(x / tile)), 0, m_tile_columns - 1);
    };
    auto tile_y = [&](double y) {
        return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(y / tile)), 0, m_tile_rows - 1);
    };
    m_first.assign(tiles + 1, 0);
    std::vector<std::uint32_t> tile_of(m_samples.size());
    for (std::size_t k = 0; k < m_samples.size(); ++k) {
        tile_of[k] = static_cast<std::uint32_t>(tile_y(m_samples[k].y) * m_tile_columns + tile_x(m_samples[k].x));
        ++m_first[tile_of[k] + 1];
    }
    for (std::size_t t = 0; t < tiles; ++t) m_first[t + 1] += m_first[t];
    m_by_tile.resize(m_samples.size());
    {
        std::vector<std::uint32_t> fill(m_first.begin(), m_first.end() - 1);
        for (std::size_t k = 0; k < m_samples.size(); ++k) m_by_tile[fill[tile_of[k]]++] = static_cast<std::uint32_t>(k);
    }
    tile_of = {};
    m_active.assign(tiles, fill_all && !m_samples.empty() ? 1 : 0);
    if (!fill_all)
        for (const Point& p : m_samples)
            for (std::int64_t tj = tile_y(p.y - m_radius - 1.0); tj <= tile_y(p.y + m_radius + 1.0); ++tj)
                for (std::int64_t ti = tile_x(p.x - m_radius - 1.0); ti <= tile_x(p.x + m_radius + 1.0); ++ti)
                    m_active[static_cast<std::size_t>(tj * m_tile_columns + ti)] = 1;

    // Cells per label, then a cell for each label that has samples but no cell.
    std::uint32_t label_end = 0;
    for (std::uint32_t l : m_labels) label_end = std::max(label_end, l + 1);
    std::vector<char> has_samples(label_end, 0);
    for (std::uint32_t l : m_labels) has_samples[l] = 1;
    // The active tiles in parallel; their sides are joined in tile order, so the result does not
    // depend on the threads.
    std::vector<std::uint32_t> active;
    for (std::size_t t = 0; t < tiles; ++t)
        if (m_active[t]) active.push_back(static_cast<std::uint32_t>(t));
    std::vector<std::vector<std::pair<std::uint32_t, std::uint64_t>>> tile_sides(active.size());
    std::vector<std::vector<std::uint64_t>> tile_junctions(active.size());
    std::vector<std::atomic<std::uint32_t>> cells_of(label_end);
    struct Scratch {
        std::vector<std::uint32_t> win;
        std::vector<double> distance;
    };
    ParallelOptions par;
    par.threads = threads;
    parallel_for_each(active.size(), par, [] { return Scratch{}; }, [&](std::size_t n, Scratch& w) {
        const std::int64_t ti = active[n] % m_tile_columns;
        const std::int64_t tj = active[n] / m_tile_columns;
        label_window(ti, tj, w.win, w.distance);
        emit_sides(ti, tj, w.win, tile_sides[n], tile_junctions[n]);
        // Runs of one label along a row, counted at once.
        std::uint32_t run_label = no_label;
        std::uint32_t run = 0;
        for (int r = 1; r <= tile; ++r)
            for (int c = 1; c <= tile; ++c) {
                const std::uint32_t k = w.win[static_cast<std::size_t>(r * window + c)];
                const std::uint32_t l = k == no_label ? no_label : m_labels[k];
                if (l != run_label) {
                    if (run_label != no_label) cells_of[run_label].fetch_add(run, std::memory_order_relaxed);
                    run_label = l;
                    run = 0;
                }
                ++run;
            }
        if (run_label != no_label) cells_of[run_label].fetch_add(run, std::memory_order_relaxed);
    });
    std::size_t side_count = 0;
    for (const auto& v : tile_sides) side_count += v.size();
    m_sides.reserve(side_count);
    for (auto& v : tile_sides) {
        m_sides.insert(m_sides.end(), v.begin(), v.end());
        v = {};
    }
    for (auto& v : tile_junctions) {
        m_junctions.insert(m_junctions.end(), v.begin(), v.end());
        v = {};
    }
    std::vector<std::uint32_t> count(label_end);
    for (std::uint32_t l = 0; l < label_end; ++l) count[l] = cells_of[l].load();
    for (std::uint32_t l = 0; l < label_end; ++l) {
        if (!has_samples[l] || count[l] > 0) continue;
        std::vector<std::pair<double, std::uint32_t>> candidates;  // distance to its cell's centre, sample
        for (std::uint32_t k = 0; k < m_samples.size(); ++k)
            if (m_labels[k] == l) {
                const auto i = static_cast<std::int64_t>(std::floor(m_samples[k].x));
                const auto j = static_cast<std::int64_t>(std::floor(m_samples[k].y));
                candidates.emplace_back(d2(k, i, j), k);
            }
        std::sort(candidates.begin(), candidates.end());
        for (const auto& [d, k] : candidates) {
            const auto i = static_cast<std::int64_t>(std::floor(m_samples[k].x));
            const auto j = static_cast<std::int64_t>(std::floor(m_samples[k].y));
            if (i < 0 || j < 0 || i >= m_columns || j >= m_rows) continue;
            const auto key = static_cast<std::uint64_t>(j * m_columns + i);
            if (std::any_of(m_forced.begin(), m_forced.end(), [&](const auto& f) { return f.first == key; })) continue;
            // A sample of another label at the very same place and earlier wins every tie.
            const std::size_t t = static_cast<std::size_t>(tile_y(m_samples[k].y) * m_tile_columns + tile_x(m_samples[k].x));
            if (std::any_of(m_by_tile.begin() + m_first[t], m_by_tile.begin() + m_first[t + 1], [&](std::uint32_t q) {
                    return q < k && m_labels[q] != l && m_samples[q].x == m_samples[k].x && m_samples[q].y == m_samples[k].y;
                }))
                continue;
            const std::uint32_t o = owner(i, j);
            if (o == no_label || count[m_labels[o]] <= 1) continue;
            --count[m_labels[o]];
            ++count[l];
            m_forced.emplace_back(key, k);
            break;
        }
    }
    std::sort(m_forced.begin(), m_forced.end());
    if (!m_forced.empty()) give_sides_again();
    std::sort(m_sides.begin(), m_sides.end());
    std::sort(m_junctions.begin(), m_junctions.end());
}

void SplitGrid::give_sides_again() {
    std::vector<char> dirty(m_active.size(), 0);
    for (const auto& [key, k] : m_forced) {
        const auto i = static_cast<std::int64_t>(key % static_cast<std::uint64_t>(m_columns));
        const auto j = static_cast<std::int64_t>(key / static_cast<std::uint64_t>(m_columns));
        for (std::int64_t y = std::max<std::int64_t>(j - 1, 0); y <= std::min(j + 1, m_rows - 1); ++y)
            for (std::int64_t x = std::max<std::int64_t>(i - 1, 0); x <= std::min(i + 1, m_columns - 1); ++x)
                dirty[static_cast<std::size_t>((y >> tile_bits) * m_tile_columns + (x >> tile_bits))] = 1;
    }
    const std::int64_t vertex_columns = m_columns + 1;
    std::erase_if(m_sides, [&](const std::pair<std::uint32_t, std::uint64_t>& side) {
        // The cell left of the side: the one that emitted it.
        const std::uint64_t vertex = side.second / 4;
        const int d = static_cast<int>(side.second % 4);
        const std::int64_t i = static_cast<std::int64_t>(vertex % static_cast<std::uint64_t>(vertex_columns)) -
                               (d == 1 || d == 2 ? 1 : 0);
        const std::int64_t j = static_cast<std::int64_t>(vertex / static_cast<std::uint64_t>(vertex_columns)) -
                               (d == 2 || d == 3 ? 1 : 0);
        return dirty[static_cast<std::size_t>((j >> tile_bits) * m_tile_columns + (i >> tile_bits))] != 0;
    });
    std::erase_if(m_junctions, [&](std::uint64_t vertex) {
        // Emitted by the cell to its upper right.
        const auto i = static_cast<std::int64_t>(vertex % static_cast<std::uint64_t>(vertex_columns));
        const auto j = static_cast<std::int64_t>(vertex / static_cast<std::uint64_t>(vertex_columns));
        return dirty[static_cast<std::size_t>((j >> tile_bits) * m_tile_columns + (i >> tile_bits))] != 0;
    });
    std::vector<std::uint32_t> win;
    std::vector<double> distance;
    for (std::int64_t tj = 0; tj < m_tile_rows; ++tj)
        for (std::int64_t ti = 0; ti < m_tile_columns; ++ti) {
            if (!dirty[static_cast<std::size_t>(tj * m_tile_columns + ti)]) continue;
            label_window(ti, tj, win, distance);
            emit_sides(ti, tj, win, m_sides, m_junctions);
        }
}

void SplitGrid::emit_sides(std::int64_t ti, std::int64_t tj, const std::vector<std::uint32_t>& win,
                           std::vector<std::pair<std::uint32_t, std::uint64_t>>& out,
                           std::vector<std::uint64_t>& junctions) const {
    auto at = [&](int r, int c) {
        const std::uint32_t k = win[static_cast<std::size_t>(r * window + c)];
        return k == no_label ? no_label : m_labels[k];
    };
    const std::int64_t vertex_columns = m_columns + 1;
    const std::int64_t jend = std::min(m_rows, (tj + 1) * tile);
    const std::int64_t iend = std::min(m_columns, (ti + 1) * tile);
    for (std::int64_t j = tj * tile; j < jend; ++j)
        for (std::int64_t i = ti * tile; i < iend; ++i) {
            const int r = static_cast<int>(j - tj * tile) + 1;
            const int c = static_cast<int>(i - ti * tile) + 1;
            const std::uint32_t a = at(r, c);
            {
                // The vertex at this cell's lower left: a junction where its four cells hold
                // three labels or more (no label counts as one), or two in a checkerboard.
                const std::uint32_t sw = at(r - 1, c - 1);
                const std::uint32_t se = at(r - 1, c);
                const std::uint32_t nw = at(r, c - 1);
                std::uint32_t seen[4] = {a, 0, 0, 0};
                int distinct = 1;
                for (const std::uint32_t l : {sw, se, nw})
                    if (std::find(seen, seen + distinct, l) == seen + distinct) seen[distinct++] = l;
                if (distinct >= 3 || (distinct == 2 && sw == a && se == nw))
                    junctions.push_back(static_cast<std::uint64_t>(j * vertex_columns + i));
            }
            if (a == no_label) continue;
            auto emit = [&](std::int64_t vi, std::int64_t vj, int d) {
                out.emplace_back(a, static_cast<std::uint64_t>(vj * vertex_columns + vi) * 4 +
                                            static_cast<std::uint64_t>(d));
            };
            if (at(r - 1, c) != a) emit(i, j, 0);
            if (at(r, c + 1) != a) emit(i + 1, j, 1);
            if (at(r + 1, c) != a) emit(i + 1, j + 1, 2);
            if (at(r, c - 1) != a) emit(i, j + 1, 3);
        }
}

void SplitGrid::label_window(std::int64_t ti, std::int64_t tj, std::vector<std::uint32_t>& out,
                             std::vector<double>& distance) const {
    out.assign(static_cast<std::size_t>(window * window), no_label);
    distance.resize(out.size());
    const std::int64_t ib = ti * tile - 1;
    const std::int64_t jb = tj * tile - 1;
    // Window cells inside the grid.
    const std::int64_t wi0 = std::max<std::int64_t>(ib, 0);
    const std::int64_t wi1 = std::min<std::int64_t>(ib + window - 1, m_columns - 1);
    const std::int64_t wj0 = std::max<std::int64_t>(jb, 0);
    const std::int64_t wj1 = std::min<std::int64_t>(jb + window - 1, m_rows - 1);
    const double r = m_radius;
    for (std::int64_t uj = std::max<std::int64_t>(0, tj - m_reach); uj <= std::min(m_tile_rows - 1, tj + m_reach); ++uj)
        for (std::int64_t ui = std::max<std::int64_t>(0, ti - m_reach); ui <= std::min(m_tile_columns - 1, ti + m_reach);
             ++ui) {
            const auto t = static_cast<std::size_t>(uj * m_tile_columns + ui);
            for (std::uint32_t e = m_first[t]; e < m_first[t + 1]; ++e) {
                const std::uint32_t k = m_by_tile[e];
                const double x = m_samples[k].x;
                const double y = m_samples[k].y;
                // The sample's disc, row by row; the same spans whichever window asks.
                const std::int64_t j0 = std::max(wj0, static_cast<std::int64_t>(std::ceil(y - r - 0.5)));
                const std::int64_t j1 = std::min(wj1, static_cast<std::int64_t>(std::floor(y + r - 0.5)));
                for (std::int64_t j = j0; j <= j1; ++j) {
                    const double dy = static_cast<double>(j) + 0.5 - y;
                    const double dy2 = dy * dy;
                    const double half = std::sqrt(std::max(0.0, r * r - dy2));
                    const std::int64_t i0 = std::max(wi0, static_cast<std::int64_t>(std::ceil(x - half - 0.5)));
                    const std::int64_t i1 = std::min(wi1, static_cast<std::int64_t>(std::floor(x + half - 0.5)));
                    const std::size_t row = static_cast<std::size_t>((j - jb) * window - ib);
                    for (std::int64_t i = i0; i <= i1; ++i) {
                        // As d2(k, i, j) computes it, so every window agrees.
                        const double dx = static_cast<double>(i) + 0.5 - x;
                        const double d = dx * dx + dy2;
                        const std::size_t at = row + static_cast<std::size_t>(i);
                        std::uint32_t& o = out[at];
                        if (o == no_label || d < distance[at] || (d == distance[at] && k < o)) {
                            o = k;
                            distance[at] = d;
                        }
                    }
                }
            }
        }
    if (m_fill_all)
        for (std::int64_t j = wj0; j <= wj1; ++j)
            for (std::int64_t i = wi0; i <= wi1; ++i) {
                std::uint32_t& o = out[static_cast<std::size_t>((j - jb) * window + (i - ib))];
                if (o == no_label) o = nearest_anywhere(i, j);
            }
    for (const auto& [key, k] : m_forced) {
        const auto i = static_cast<std::int64_t>(key % static_cast<std::uint64_t>(m_columns));
        const auto j = static_cast<std::int64_t>(key / static_cast<std::uint64_t>(m_columns));
        if (i >= wi0 && i <= wi1 && j >= wj0 && j <= wj1) out[static_cast<std::size_t>((j - jb) * window + (i - ib))] = k;
    }
}

std::uint32_t SplitGrid::nearest_anywhere(std::int64_t i, std::int64_t j) const {
    const std::int64_t ci = i >> tile_bits;
    const std::int64_t cj = j >> tile_bits;
    const std::int64_t rings = std::max({ci, cj, m_tile_columns - 1 - ci, m_tile_rows - 1 - cj});
    std::uint32_t best = no_label;
    double best_d = 0.0;
    for (std::int64_t m = 0; m <= rings; ++m) {
        // A sample m tiles away (Chebyshev) is more than (m − 1) tiles from any centre in this one.
        const double bound = static_cast<double>((m - 1) * tile);
        if (best != no_label && m >= 1 && bound * bound >= best_d) break;
        for (std::int64_t uj = std::max<std::int64_t>(0, cj - m); uj <= std::min(m_tile_rows - 1, cj + m); ++uj)
            for (std::int64_t ui = std::max<std::int64_t>(0, ci - m); ui <= std::min(m_tile_columns - 1, ci + m); ++ui) {
                if (std::max(std::abs(ui - ci), std::abs(uj - cj)) != m) continue;
                const auto t = static_cast<std::size_t>(uj * m_tile_columns + ui);
                for (std::uint32_t e = m_first[t]; e < m_first[t + 1]; ++e) {
                    const std::uint32_t k = m_by_tile[e];
                    const double d = d2(k, i, j);
                    if (best == no_label || d < best_d || (d == best_d && k < best)) {
                        best = k;
                        best_d = d;
                    }
                }
            }
    }
    return best;
}

std::uint32_t SplitGrid::owner(std::int64_t i, std::int64_t j) const {
    if (i < 0 || j < 0 || i >= m_columns || j >= m_rows) return no_label;
    std::vector<std::uint32_t> win;
    std::vector<double> distance;
    label_window(i >> tile_bits, j >> tile_bits, win, distance);
    return win[static_cast<std::size_t>(((j & (tile - 1)) + 1) * window + (i & (tile - 1)) + 1)];
}

std::uint32_t SplitGrid::label_at(Point p) const {
    const std::uint32_t k = owner(static_cast<std::int64_t>(std::floor((p.x - m_origin.x) / m_cell)),
                                  static_cast<std::int64_t>(std::floor((p.y - m_origin.y) / m_cell)));
    return k == no_label ? no_label : m_labels[k];
}

std::vector<geos::GeometryPtr> SplitGrid::regions(geos::GeosContext& ctx, std::uint32_t label_count, std::vector<Box>& boxes,
                                            double simplify_m) const {
    GEOSContextHandle_t h = ctx.handle();
    // The sides label() emitted, sorted by label and key.
    const std::int64_t vertex_columns = m_columns + 1;
    std::vector<std::size_t> first(static_cast<std::size_t>(label_count) + 1, 0);
    std::vector<std::uint64_t> sides;
    for (const auto& [a, key] : m_sides) {
        if (a >= label_count) break;
        ++first[a + 1];
        sides.push_back(key);
    }
    for (std::size_t a = 0; a < label_count; ++a) first[a + 1] += first[a];

    std::vector<geos::GeometryPtr> out(label_count);
    boxes.assign(label_count, Box{});
    std::vector<char> used;
    std::vector<std::pair<std::int64_t, std::int64_t>> path;
    std::unordered_map<std::uint64_t, std::size_t> at;
    // Every polygon traced: its label and its rings in `world`.
    struct Part {
        std::uint32_t label;
        std::size_t shell;
        std::vector<std::size_t> holes;
    };
    std::vector<Part> parts;
    std::vector<Ring> world;
    for (std::uint32_t a = 0; a < label_count; ++a) {
        const auto begin = sides.begin() + static_cast<std::ptrdiff_t>(first[a]);
        const auto end = sides.begin() + static_cast<std::ptrdiff_t>(first[a + 1]);
        if (begin == end) continue;
        const std::size_t n = first[a + 1] - first[a];
        used.assign(n, 0);
        std::vector<CellRing> shells;
        std::vector<CellRing> holes;
        auto emit_loop = [&](std::size_t from) {
            std::vector<std::pair<std::int64_t, std::int64_t>> loop(path.begin() + static_cast<std::ptrdiff_t>(from),
                                                                    path.end());
            if (loop.size() < 4) return;
            CellRing ring = simplify(loop);
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
        std::vector<std::vector<const CellRing*>> holes_of(shells.size());
        for (const CellRing& hole : holes) {
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

        // With simplification, every corner but a junction is cut from the middle of one side
        // to the middle of the other: the neighbour on the other side of the corner cuts it
        // the same way, and a 45° staircase becomes a straight line. In half cells, so that
        // both neighbours compute the very same coordinates.
        auto world_ring = [&](const CellRing& ring) {
            std::vector<std::pair<std::int64_t, std::int64_t>> half;
            const std::size_t m = ring.v.size();
            for (std::size_t q = 0; q < m; ++q) {
                const auto [i, j] = ring.v[q];
                const bool junction =
                    simplify_m <= 0 ||
                    std::binary_search(m_junctions.begin(), m_junctions.end(),
                                       static_cast<std::uint64_t>(j * vertex_columns + i));
                if (junction) {
                    half.emplace_back(2 * i, 2 * j);
                    continue;
                }
                const auto [pi, pj] = ring.v[(q + m - 1) % m];
                const auto [ni, nj] = ring.v[(q + 1) % m];
                auto sign = [](std::int64_t d) { return static_cast<std::int64_t>((d > 0) - (d < 0)); };
                half.emplace_back(2 * i + sign(pi - i), 2 * j + sign(pj - j));
                half.emplace_back(2 * i + sign(ni - i), 2 * j + sign(nj - j));
            }
            Ring w;
            w.reserve(half.size() + 1);
            for (std::size_t q = 0; q < half.size(); ++q) {
                if (half[q] == half[(q + 1) % half.size()]) continue;  // two cuts meet mid-side
                w.push_back({m_origin.x + static_cast<double>(half[q].first) * (0.5 * m_cell),
                             m_origin.y + static_cast<double>(half[q].second) * (0.5 * m_cell)});
            }
            w.push_back(w.front());
            return w;
        };
        for (std::size_t k = 0; k < shells.size(); ++k) {
            parts.push_back({a, world.size(), {}});
            world.push_back(world_ring(shells[k]));
            for (const CellRing* hole : holes_of[k]) {
                parts.back().holes.push_back(world.size());
                world.push_back(world_ring(*hole));
            }
        }
    }

    // All labels' rings thinned together, so that neighbours keep one common border; kept as
    // traced if that cannot be done.
    if (simplify_m > 0) simplify_rings(world, simplify_m);
    std::vector<double> xy;
    auto make_ring = [&](const Ring& ring) {
        xy.clear();
        for (const Point& p : ring) {
            xy.push_back(p.x);
            xy.push_back(p.y);
        }
        GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(h, xy.data(), static_cast<unsigned>(ring.size()), 0, 0);
        if (seq == nullptr) fail(ctx, "create coordinates");
        GEOSGeometry* linear = GEOSGeom_createLinearRing_r(h, seq);
        if (linear == nullptr) fail(ctx, "create ring");
        return linear;
    };
    std::vector<std::vector<geos::GeometryPtr>> polygons(label_count);
    for (const Part& part : parts) {
        GEOSGeometry* shell = make_ring(world[part.shell]);
        std::vector<GEOSGeometry*> inner;
        for (const std::size_t hole : part.holes) inner.push_back(make_ring(world[hole]));
        polygons[part.label].push_back(
            own(ctx, GEOSGeom_createPolygon_r(h, shell, inner.data(), static_cast<unsigned>(inner.size())),
                "create polygon"));
        for (const Point& p : world[part.shell]) boxes[part.label].extend(p);
    }
    for (std::uint32_t a = 0; a < label_count; ++a)
        if (!polygons[a].empty()) out[a] = make_collection(ctx, GEOS_MULTIPOLYGON, std::move(polygons[a]));
    return out;
}

}  // namespace lifecircle::maps::detail
