#include "maps/raster_buffer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include <geos_c.h>

namespace lifecircle::maps::detail {

namespace {

/** Squared distances beyond every distance traced: "far". */
constexpr float far_away = 1e9f;

double signed_area(const std::vector<Point>& ring) {
    double a = 0;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) a += ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y;
    return a / 2;
}

bool inside_ring(const std::vector<Point>& ring, Point p) {
    bool in = false;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const Point& a = ring[i];
        const Point& b = ring[j];
        if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) in = !in;
    }
    return in;
}

geos::GeometryPtr make_ring(geos::GeosContext& ctx, const std::vector<Point>& pts) {
    GEOSContextHandle_t h = ctx.handle();
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, static_cast<unsigned>(pts.size()), 2);
    for (std::size_t i = 0; i < pts.size(); ++i) GEOSCoordSeq_setXY_r(h, seq, static_cast<unsigned>(i), pts[i].x, pts[i].y);
    return own(ctx, GEOSGeom_createLinearRing_r(h, seq), "raster ring");
}

}  // namespace

RasterBuffer::RasterBuffer(Box box, double cell, double radius) : m_cell(cell), m_radius(radius) {
    const double margin = radius + 2 * cell;
    m_x0 = box.min.x - margin;
    m_y0 = box.min.y - margin;
    m_nx = static_cast<std::size_t>(std::ceil((box.max.x - box.min.x + 2 * margin) / cell)) + 1;
    m_ny = static_cast<std::size_t>(std::ceil((box.max.y - box.min.y + 2 * margin) / cell)) + 1;
    m_seed.assign(m_nx * m_ny, 0);
}

void RasterBuffer::burn(double x, double y) {
    const double fi = std::round((x - m_x0) / m_cell), fj = std::round((y - m_y0) / m_cell);
    if (!(fi >= 0 && fj >= 0 && fi < double(m_nx) && fj < double(m_ny))) return;
    const auto i = static_cast<std::size_t>(fi), j = static_cast<std::size_t>(fj);
    m_seed[j * m_nx + i] = 1;
    m_any = true;
    m_imin = std::min(m_imin, i);
    m_imax = std::max(m_imax, i);
    m_jmin = std::min(m_jmin, j);
    m_jmax = std::max(m_jmax, j);
}

void RasterBuffer::add(std::span<const Point> line) {
    if (line.empty()) return;
    burn(line[0].x, line[0].y);
    for (std::size_t k = 1; k < line.size(); ++k) {
        const Point a = line[k - 1], b = line[k];
        const double len = std::hypot(b.x - a.x, b.y - a.y);
        const auto steps = static_cast<std::size_t>(std::ceil(len / (0.5 * m_cell)));
        for (std::size_t s = 1; s <= steps; ++s) {
            const double t = double(s) / double(steps);
            burn(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y));
        }
    }
}

/**
 * out[i] = min over |s| <= cap of in[i + s] + s² (in is padded by cap on the left and by cap +
 * block on the right). Blocks of `block` outputs stay in registers over all offsets; compiled
 * for AVX-512 and AVX2 too, chosen at run time.
 */
constexpr std::size_t block = 16;
typedef float Lanes __attribute__((vector_size(block * sizeof(float))));
__attribute__((target_clones("avx512f", "avx2", "default")))
static void row_minimum(const float* in, float* out, std::size_t n, std::size_t cap) {
    for (std::size_t i = 0; i < n; i += block) {
        Lanes acc, a, b;
        std::memcpy(&acc, in + i, sizeof acc);
        for (std::size_t s = 1; s <= cap; ++s) {
            const float s2 = float(s * s);
            std::memcpy(&a, in + i - s, sizeof a);
            std::memcpy(&b, in + i + s, sizeof b);
            a += s2;
            b += s2;
            const Lanes m = a < b ? a : b;
            acc = m < acc ? m : acc;
        }
        float lanes[block];
        std::memcpy(lanes, &acc, sizeof lanes);
        const std::size_t count = std::min(block, n - i);
        std::memcpy(out + i, lanes, count * sizeof(float));
    }
}

std::vector<float> RasterBuffer::distances(std::size_t i0, std::size_t j0, std::size_t wx, std::size_t wy) const {
    // Only distances up to the radius and one cell are ever traced (a node inside, or the
    // neighbour of one). Within that cap the nearest burnt cell is at most `cap` cells away
    // along each axis, so a separable pass truncated to the cap is exact there, and larger
    // elsewhere: first each node's distance to the nearest burnt cell of its column (two
    // sweeps along the rows, counting up to cap + 1), then along each row the minimum of
    // column distance² + offset² over offsets within the cap. Squared distances are small
    // integers, exact in float; both passes run along memory in order and vectorise.
    const auto cap = static_cast<std::size_t>(std::ceil(m_radius / m_cell)) + 1;
    const float over = float(cap + 1);
    std::vector<float> g(wx * wy);
    for (std::size_t j = 0; j < wy; ++j) {
        const std::uint8_t* seed = m_seed.data() + (j0 + j) * m_nx + i0;
        float* row = g.data() + j * wx;
        if (j == 0) {
            for (std::size_t i = 0; i < wx; ++i) row[i] = seed[i] ? 0.0f : over;
        } else {
            const float* below = row - wx;
            for (std::size_t i = 0; i < wx; ++i) {
                const float up = below[i] + 1.0f;
                row[i] = seed[i] ? 0.0f : (up < over ? up : over);
            }
        }
    }
    for (std::size_t j = wy - 1; j-- > 0;) {
        float* row = g.data() + j * wx;
        const float* above = row + wx;
        for (std::size_t i = 0; i < wx; ++i) {
            const float down = above[i] + 1.0f;
            row[i] = down < row[i] ? down : row[i];
        }
    }
    std::vector<float> padded(wx + 2 * cap + block, far_away);
    for (std::size_t j = 0; j < wy; ++j) {
        float* row = g.data() + j * wx;
        for (std::size_t i = 0; i < wx; ++i) padded[cap + i] = row[i] < over ? row[i] * row[i] : far_away;
        row_minimum(padded.data() + cap, row, wx, cap);
    }
    return g;
}

std::vector<Ring> RasterBuffer::rings(double grid) {
    std::vector<Ring> rings;
    if (!m_any) return rings;
    // Only the window around what is burnt can be inside: its seeds' box grown by the radius
    // and two cells (the grid's own margin guarantees room).
    const auto reach = static_cast<std::size_t>(std::ceil(m_radius / m_cell)) + 2;
    const std::size_t i0 = m_imin >= reach ? m_imin - reach : 0, j0 = m_jmin >= reach ? m_jmin - reach : 0;
    const std::size_t i1 = std::min(m_nx - 1, m_imax + reach), j1 = std::min(m_ny - 1, m_jmax + reach);
    const std::size_t nx = i1 - i0 + 1, ny = j1 - j0 + 1;
    const std::vector<float> d2 = distances(i0, j0, nx, ny);
    // Level function distance - radius in metres (an exact zero counts as inside). It rises
    // with the squared distance, so "inside" is d2 <= limit for one integer limit.
    // A level within a hundredth of a cell of zero is pushed out to that hundredth (an exact
    // zero counts as inside): squared distances are integers, so a node exactly at the radius
    // is common, and a crossing next to a node would otherwise be rounded onto it together
    // with the crossings on the node's other edges, making rings touch. The push is monotone,
    // so nested breaks still nest.
    const float nudge = 0.01f * float(m_cell);
    const auto level = [&](float x) {
        const float val = std::sqrt(x) * float(m_cell) - float(m_radius);
        if (val <= 0.0f && val > -nudge) return -nudge;
        if (val > 0.0f && val < nudge) return nudge;
        return val;
    };
    float limit = std::ceil(float((m_radius / m_cell) * (m_radius / m_cell))) + 2;
    while (limit >= 0 && !(level(limit) < 0)) limit -= 1;
    // Inside flags, one byte per node, so that runs of cells wholly inside or outside are
    // skipped eight at a time.
    std::vector<std::uint8_t> inside(nx * ny + 8, 0);
    for (std::size_t k = 0; k < nx * ny; ++k) inside[k] = d2[k] <= limit ? 1 : 0;
    auto in = [&](std::size_t i, std::size_t j) { return inside[j * nx + i] != 0; };
    // A crossing's position is computed from the grid's own node indices, so it does not
    // depend on the window: on the edge from node (i, j) to its right (horizontal) or upper
    // neighbour.
    auto crossing = [&](std::size_t i, std::size_t j, bool horizontal) {
        const std::size_t i2 = horizontal ? i + 1 : i, j2 = horizontal ? j : j + 1;
        const double v1 = level(d2[j * nx + i]), v2 = level(d2[j2 * nx + i2]);
        const double t = v1 / (v1 - v2);
        Point p{m_x0 + (double(i0 + i) + t * double(i2 - i)) * m_cell, m_y0 + (double(j0 + j) + t * double(j2 - j)) * m_cell};
        if (grid > 0) p = {std::round(p.x / grid) * grid, std::round(p.y / grid) * grid};
        return p;
    };
    // Segments are linked as they are made: every crossed edge starts exactly one segment and
    // ends exactly one, and an edge is met only by the cells of this row and the next, so a
    // slot per edge of the current row's bottom, top and sides holds whichever comes first
    // (segment * 2, + 1 for a start) until the other arrives.
    constexpr auto open = std::numeric_limits<std::uint32_t>::max();
    std::vector<Point> starts;             // each segment's first point
    std::vector<std::uint32_t> follow;     // the segment after it
    std::vector<std::uint32_t> bottom_slots(nx, open), top_slots(nx, open), side_slots(nx + 1, open);
    auto meet = [&](std::uint32_t& slot, std::uint32_t segment, bool start) {
        if (slot == open) {
            slot = segment * 2 + (start ? 1 : 0);
            return;
        }
        const std::uint32_t other = slot / 2;
        if (start) follow[other] = segment;
        else follow[segment] = other;
        slot = open;
    };
    enum Side { bottom, right, top, left };
    auto word = [&](std::size_t k) {
        std::uint64_t w;
        std::memcpy(&w, inside.data() + k, 8);
        return w;
    };
    for (std::size_t j = 0; j + 1 < ny; ++j) {
        auto slot = [&](Side side, std::size_t i) -> std::uint32_t& {
            switch (side) {
                case bottom: return bottom_slots[i];
                case top: return top_slots[i];
                case left: return side_slots[i];
                default: return side_slots[i + 1];
            }
        };
        auto point = [&](Side side, std::size_t i) {
            switch (side) {
                case bottom: return crossing(i, j, true);
                case top: return crossing(i, j + 1, true);
                case left: return crossing(i, j, false);
                default: return crossing(i + 1, j, false);
            }
        };
        for (std::size_t i = 0; i + 1 < nx; ++i) {
            // Nodes i..i+8 of both rows alike: cells i..i+7 have no crossing.
            if (i + 9 <= nx) {
                const std::uint64_t a = word(j * nx + i), b = word((j + 1) * nx + i);
                const std::uint8_t last = inside[j * nx + i + 8];
                if (a == b && inside[(j + 1) * nx + i + 8] == last &&
                    ((a == 0 && last == 0) || (a == 0x0101010101010101ULL && last == 1))) {
                    i += 7;
                    continue;
                }
            }
            const bool ins[4] = {in(i, j), in(i + 1, j), in(i + 1, j + 1), in(i, j + 1)};
            const int code = (ins[0] ? 1 : 0) | (ins[1] ? 2 : 0) | (ins[2] ? 4 : 0) | (ins[3] ? 8 : 0);
            if (code == 0 || code == 15) continue;
            auto add = [&](Side from, Side to) {
                const auto segment = static_cast<std::uint32_t>(starts.size());
                starts.push_back(point(from, i));
                follow.push_back(open);
                meet(slot(from, i), segment, true);
                meet(slot(to, i), segment, false);
            };
            // Corners: 0 (i,j), 1 (i+1,j), 2 (i+1,j+1), 3 (i,j+1), counter-clockwise. Each
            // segment runs with the inside on its left.
            switch (code) {
                // One corner inside: round it.
                case 1: add(bottom, left); break;
                case 2: add(right, bottom); break;
                case 4: add(top, right); break;
                case 8: add(left, top); break;
                // Three inside: cut off the outside one.
                case 14: add(left, bottom); break;
                case 13: add(bottom, right); break;
                case 11: add(right, top); break;
                case 7: add(top, left); break;
                // Two neighbours inside.
                case 3: add(right, left); break;
                case 6: add(top, bottom); break;
                case 12: add(left, right); break;
                case 9: add(bottom, top); break;
                case 5: case 10: {
                    // Saddle: the centre (mean of the four levels) decides.
                    const float sum = level(d2[j * nx + i]) + level(d2[j * nx + i + 1]) +
                                      level(d2[(j + 1) * nx + i + 1]) + level(d2[(j + 1) * nx + i]);
                    const bool centre_in = sum < 0;
                    if (code == 5) {
                        if (centre_in) {  // one region through the centre: cut off corners 1 and 3
                            add(bottom, right);
                            add(top, left);
                        } else {  // corners 0 and 2 apart
                            add(bottom, left);
                            add(top, right);
                        }
                    } else {
                        if (centre_in) {  // cut off corners 0 and 2
                            add(left, bottom);
                            add(right, top);
                        } else {  // corners 1 and 3 apart
                            add(right, bottom);
                            add(left, top);
                        }
                    }
                    break;
                }
                default: break;
            }
        }
        std::swap(bottom_slots, top_slots);  // every bottom slot has met both its cells
    }
    // Trace the loops.
    std::vector<std::uint8_t> seen(starts.size(), 0);
    for (std::size_t s = 0; s < starts.size(); ++s) {
        if (seen[s]) continue;
        Ring ring;
        std::size_t cur = s;
        while (cur != open && !seen[cur]) {
            seen[cur] = 1;
            const Point p = starts[cur];
            if (ring.empty() || p.x != ring.back().x || p.y != ring.back().y) ring.push_back(p);
            cur = follow[cur];
        }
        if (cur != s) continue;  // not closed (cannot happen inside the padded frame)
        if (ring.size() >= 3) {
            if (!(ring.front().x == ring.back().x && ring.front().y == ring.back().y)) ring.push_back(ring.front());
            if (ring.size() >= 4) rings.push_back(std::move(ring));
        }
    }
    return rings;
}

geos::GeometryPtr RasterBuffer::contour(geos::GeosContext& ctx, double grid) { return polygons_of_rings(ctx, rings(grid)); }

geos::GeometryPtr polygons_of_rings(geos::GeosContext& ctx, const std::vector<Ring>& rings) {
    // Exteriors (counter-clockwise) and holes; each hole into the smallest exterior around it.
    struct Shell {
        std::size_t ring;
        double area;
        Box box;
        std::vector<std::size_t> holes;
    };
    std::vector<Shell> shells;
    std::vector<std::size_t> holes;
    auto box_of = [](const std::vector<Point>& r) {
        Box b;
        for (const Point& p : r) b.extend(p);
        return b;
    };
    for (std::size_t r = 0; r < rings.size(); ++r) {
        const double a = signed_area(rings[r]);
        if (a > 0) shells.push_back({r, a, box_of(rings[r]), {}});
        else if (a < 0) holes.push_back(r);
    }
    std::sort(shells.begin(), shells.end(), [](const Shell& x, const Shell& y) {
        return x.area != y.area ? x.area < y.area : x.ring < y.ring;
    });
    for (const std::size_t h : holes) {
        const Point p = rings[h][0];
        for (Shell& s : shells) {
            if (p.x < s.box.min.x || p.x > s.box.max.x || p.y < s.box.min.y || p.y > s.box.max.y) continue;
            if (!inside_ring(rings[s.ring], p)) continue;
            s.holes.push_back(h);
            break;
        }
    }
    std::sort(shells.begin(), shells.end(), [](const Shell& x, const Shell& y) { return x.ring < y.ring; });
    std::vector<geos::GeometryPtr> polys;
    GEOSContextHandle_t h = ctx.handle();
    for (Shell& s : shells) {
        std::sort(s.holes.begin(), s.holes.end());
        geos::GeometryPtr shell = make_ring(ctx, rings[s.ring]);
        std::vector<GEOSGeometry*> hs;
        for (const std::size_t k : s.holes) hs.push_back(make_ring(ctx, rings[k]).release());
        polys.push_back(own(ctx,
                            GEOSGeom_createPolygon_r(h, shell.release(), hs.empty() ? nullptr : hs.data(),
                                                     static_cast<unsigned>(hs.size())),
                            "raster polygon"));
    }
    return make_collection(ctx, GEOS_MULTIPOLYGON, std::move(polys));
}

}  // namespace lifecircle::maps::detail
