#include "maps/raster_buffer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <geos_c.h>

namespace lifecircle::maps::detail {

namespace {

constexpr float far_away = std::numeric_limits<float>::max() / 4;

/** 1-D squared distance transform of f (n samples) into d (Felzenszwalb & Huttenlocher). */
void dt1(const float* f, float* d, std::size_t n, std::vector<int>& v, std::vector<float>& z) {
    v.resize(n);
    z.resize(n + 1);
    std::size_t k = 0;
    std::size_t first = n;
    for (std::size_t q = 0; q < n; ++q)
        if (f[q] < far_away) {
            first = q;
            break;
        }
    if (first == n) {
        std::fill(d, d + n, far_away);
        return;
    }
    v[0] = static_cast<int>(first);
    z[0] = -std::numeric_limits<float>::infinity();
    z[1] = std::numeric_limits<float>::infinity();
    for (std::size_t q = first + 1; q < n; ++q) {
        if (!(f[q] < far_away)) continue;
        const float fq = f[q] + float(q) * float(q);
        float s;
        for (;;) {
            const int p = v[k];
            s = (fq - (f[p] + float(p) * float(p))) / (2.0f * (float(q) - float(p)));
            if (s <= z[k] && k > 0) {
                --k;
                continue;
            }
            break;
        }
        if (s <= z[k]) {  // k == 0: the new parabola hides the first one everywhere
            v[0] = static_cast<int>(q);
            z[0] = -std::numeric_limits<float>::infinity();
            z[1] = std::numeric_limits<float>::infinity();
            continue;
        }
        ++k;
        v[k] = static_cast<int>(q);
        z[k] = s;
        z[k + 1] = std::numeric_limits<float>::infinity();
    }
    k = 0;
    for (std::size_t q = 0; q < n; ++q) {
        while (z[k + 1] < float(q)) ++k;
        const float dq = float(q) - float(v[k]);
        d[q] = dq * dq + f[v[k]];
    }
}

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

GeometryPtr make_ring(GeosContext& ctx, const std::vector<Point>& pts) {
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

std::vector<float> RasterBuffer::distances(std::size_t i0, std::size_t j0, std::size_t wx, std::size_t wy) const {
    // Squared distances in cells over the window: columns, then rows.
    std::vector<float> g(wx * wy);
    for (std::size_t j = 0; j < wy; ++j)
        for (std::size_t i = 0; i < wx; ++i) g[j * wx + i] = m_seed[(j0 + j) * m_nx + i0 + i] ? 0.0f : far_away;
    std::vector<int> v;
    std::vector<float> z, f(std::max(wx, wy)), d(std::max(wx, wy));
    for (std::size_t i = 0; i < wx; ++i) {
        for (std::size_t j = 0; j < wy; ++j) f[j] = g[j * wx + i];
        dt1(f.data(), d.data(), wy, v, z);
        for (std::size_t j = 0; j < wy; ++j) g[j * wx + i] = d[j];
    }
    for (std::size_t j = 0; j < wy; ++j) {
        dt1(g.data() + j * wx, d.data(), wx, v, z);
        std::copy(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(wx), g.begin() + static_cast<std::ptrdiff_t>(j * wx));
    }
    // Level function: distance - radius, in metres; exact zeros count as inside.
    for (float& x : g) {
        float val = std::sqrt(x) * float(m_cell) - float(m_radius);
        if (val == 0.0f) val = -1e-6f;
        x = val;
    }
    return g;
}

GeometryPtr RasterBuffer::contour(GeosContext& ctx, double grid) {
    if (!m_any) return make_collection(ctx, GEOS_MULTIPOLYGON, {});
    // Only the window around what is burnt can be inside: its seeds' box grown by the radius
    // and two cells (the grid's own margin guarantees room).
    const auto reach = static_cast<std::size_t>(std::ceil(m_radius / m_cell)) + 2;
    const std::size_t i0 = m_imin >= reach ? m_imin - reach : 0, j0 = m_jmin >= reach ? m_jmin - reach : 0;
    const std::size_t i1 = std::min(m_nx - 1, m_imax + reach), j1 = std::min(m_ny - 1, m_jmax + reach);
    const std::size_t nx = i1 - i0 + 1, ny = j1 - j0 + 1;
    const std::vector<float> v = distances(i0, j0, nx, ny);
    const double x0 = m_x0 + double(i0) * m_cell, y0 = m_y0 + double(j0) * m_cell;
    auto val = [&](std::size_t i, std::size_t j) { return v[j * nx + i]; };
    // Edge ids: 2 * node + 0 for the edge to the right neighbour, + 1 for the edge upwards.
    const std::size_t edges = 2 * nx * ny;
    std::vector<std::uint32_t> next(edges, std::numeric_limits<std::uint32_t>::max());
    std::vector<Point> at(edges);
    auto crossing = [&](std::size_t e) {
        const std::size_t node = e / 2;
        const std::size_t i = node % nx, j = node / nx;
        const std::size_t i2 = (e % 2 == 0) ? i + 1 : i, j2 = (e % 2 == 0) ? j : j + 1;
        const double v1 = val(i, j), v2 = val(i2, j2);
        const double t = v1 / (v1 - v2);
        return Point{x0 + (double(i) + t * double(i2 - i)) * m_cell, y0 + (double(j) + t * double(j2 - j)) * m_cell};
    };
    std::size_t segments = 0;
    for (std::size_t j = 0; j + 1 < ny; ++j) {
        for (std::size_t i = 0; i + 1 < nx; ++i) {
            const float a = val(i, j), b = val(i + 1, j), c = val(i + 1, j + 1), d = val(i, j + 1);
            const int code = (a < 0 ? 1 : 0) | (b < 0 ? 2 : 0) | (c < 0 ? 4 : 0) | (d < 0 ? 8 : 0);
            if (code == 0 || code == 15) continue;
            const std::uint32_t bottom = static_cast<std::uint32_t>(2 * (j * nx + i));
            const std::uint32_t left = bottom + 1;
            const std::uint32_t right = static_cast<std::uint32_t>(2 * (j * nx + i + 1) + 1);
            const std::uint32_t top = static_cast<std::uint32_t>(2 * ((j + 1) * nx + i));
            // Corners: 0 a (i,j), 1 b (i+1,j), 2 c (i+1,j+1), 3 d (i,j+1).
            const Point corner[4] = {{x0 + double(i) * m_cell, y0 + double(j) * m_cell},
                                     {x0 + double(i + 1) * m_cell, y0 + double(j) * m_cell},
                                     {x0 + double(i + 1) * m_cell, y0 + double(j + 1) * m_cell},
                                     {x0 + double(i) * m_cell, y0 + double(j + 1) * m_cell}};
            const bool in[4] = {a < 0, b < 0, c < 0, d < 0};
            struct Seg {
                std::uint32_t e1, e2;
                int corner;  ///< the corner it cuts off (-1: it separates two sides)
            };
            Seg segs[2];
            int count = 0;
            auto cut = [&](std::uint32_t e1, std::uint32_t e2, int k) { segs[count++] = {e1, e2, k}; };
            switch (code) {
                case 1: case 14: cut(bottom, left, 0); break;
                case 2: case 13: cut(bottom, right, 1); break;
                case 4: case 11: cut(right, top, 2); break;
                case 8: case 7: cut(top, left, 3); break;
                case 3: case 12: cut(left, right, -1); break;
                case 6: case 9: cut(bottom, top, -1); break;
                case 5: case 10: {
                    const bool centre_in = (a + b + c + d) < 0;
                    // Centre inside joins the inside corners: cut off the outside ones.
                    const bool cut_ac = (code == 5) != centre_in;
                    if (cut_ac) {
                        cut(bottom, left, 0);
                        cut(right, top, 2);
                    } else {
                        cut(bottom, right, 1);
                        cut(top, left, 3);
                    }
                    break;
                }
                default: break;
            }
            for (int s = 0; s < count; ++s) {
                const Point p1 = crossing(segs[s].e1), p2 = crossing(segs[s].e2);
                // Orient with the inside on the left.
                Point probe;
                bool probe_inside;
                if (segs[s].corner >= 0) {
                    probe = corner[segs[s].corner];
                    probe_inside = in[segs[s].corner];
                } else {
                    int k = 0;
                    while (!in[k]) ++k;
                    probe = corner[k];
                    probe_inside = true;
                }
                const double cross = (p2.x - p1.x) * (probe.y - p1.y) - (p2.y - p1.y) * (probe.x - p1.x);
                std::uint32_t from = segs[s].e1, to = segs[s].e2;
                if ((cross > 0) != probe_inside) std::swap(from, to);
                next[from] = to;
                at[from] = from == segs[s].e1 ? p1 : p2;
                at[to] = to == segs[s].e1 ? p1 : p2;
                ++segments;
            }
        }
    }
    // Trace the loops.
    std::vector<std::vector<Point>> rings;
    std::vector<std::uint8_t> seen(edges, 0);
    for (std::uint32_t e = 0; e < edges; ++e) {
        if (next[e] == std::numeric_limits<std::uint32_t>::max() || seen[e]) continue;
        std::vector<Point> ring;
        std::uint32_t cur = e;
        while (!seen[cur] && next[cur] != std::numeric_limits<std::uint32_t>::max()) {
            seen[cur] = 1;
            Point p = at[cur];
            if (grid > 0) p = {std::round(p.x / grid) * grid, std::round(p.y / grid) * grid};
            if (ring.empty() || p.x != ring.back().x || p.y != ring.back().y) ring.push_back(p);
            cur = next[cur];
        }
        if (cur != e) continue;  // not closed (cannot happen inside the padded frame)
        if (ring.size() >= 3) {
            if (!(ring.front().x == ring.back().x && ring.front().y == ring.back().y)) ring.push_back(ring.front());
            if (ring.size() >= 4) rings.push_back(std::move(ring));
        }
    }
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
    std::vector<GeometryPtr> polys;
    GEOSContextHandle_t h = ctx.handle();
    for (Shell& s : shells) {
        std::sort(s.holes.begin(), s.holes.end());
        GeometryPtr shell = make_ring(ctx, rings[s.ring]);
        std::vector<GEOSGeometry*> hs;
        for (const std::size_t k : s.holes) hs.push_back(make_ring(ctx, rings[k]).release());
        polys.push_back(own(ctx,
                            GEOSGeom_createPolygon_r(h, shell.release(), hs.empty() ? nullptr : hs.data(),
                                                     static_cast<unsigned>(hs.size())),
                            "raster polygon"));
    }
    (void)segments;
    return make_collection(ctx, GEOS_MULTIPOLYGON, std::move(polys));
}

}  // namespace lifecircle::maps::detail
