#pragma once
/**
 * The buffer of many lines without GEOS's union of overlapping buffers: the lines are burnt
 * into a fine grid, a Euclidean distance transform gives every grid node its distance to the
 * nearest burnt cell centre (exact up to the radius and a cell, which is all that is traced:
 * a separable pass truncated there, vectorised), and marching squares trace the level set
 * {distance = radius}, linearly interpolated along grid edges. The traced rings never cross
 * (they are level lines of one field), exteriors come out counter-clockwise and holes
 * clockwise, and each hole is put in the smallest exterior around it, so the result is a
 * valid MultiPolygon. Its boundary lies within about one cell of the exact buffer's. Lines can
 * be added between contours, so areas for growing time breaks reuse one grid.
 */

#include <cstdint>
#include <span>
#include <vector>

#include "core/types.hpp"
#include "core/geos.hpp"
#include "maps/ring_simplify.hpp"

namespace lifecircle::maps::detail {

class RasterBuffer {
public:
    /** A grid of `cell` metres covering `box` grown by `radius` and two cells. */
    RasterBuffer(Box box, double cell, double radius);

    /** Burns a polyline (work CRS) into the grid: every cell it passes through. */
    void add(std::span<const Point> line);
    /** The MultiPolygon {distance to the burnt cells <= radius}, its vertices rounded to `grid`
        metres (0: not rounded); empty when nothing is burnt. */
    geos::GeometryPtr contour(geos::GeosContext& ctx, double grid = 0.0);
    /**
     * The rings of contour() before they are made into polygons: exteriors counter-clockwise,
     * holes clockwise. A vertex's coordinates depend only on the field at its grid edge, so
     * where two contours of one grid (before and after adding lines) run through an unchanged
     * field they share exactly the same vertices.
     */
    std::vector<Ring> rings(double grid = 0.0);

    std::size_t width() const { return m_nx; }
    std::size_t height() const { return m_ny; }

private:
    void burn(double x, double y);
    /** Squared distance in cells to the nearest burnt cell at every node of the window
        [i0, i0 + wx) x [j0, j0 + wy); exact up to the radius and one cell, larger beyond. */
    std::vector<float> distances(std::size_t i0, std::size_t j0, std::size_t wx, std::size_t wy) const;

    double m_x0 = 0, m_y0 = 0, m_cell = 1, m_radius = 1;
    std::size_t m_nx = 0, m_ny = 0;
    /** Nodes burnt so far lie in [m_imin, m_imax] x [m_jmin, m_jmax]. */
    std::size_t m_imin = ~std::size_t{0}, m_imax = 0, m_jmin = ~std::size_t{0}, m_jmax = 0;
    std::vector<std::uint8_t> m_seed;
    bool m_any = false;
};

/** Rings (exteriors counter-clockwise, holes clockwise) as a MultiPolygon: each hole goes
    into the smallest exterior around it. */
geos::GeometryPtr polygons_of_rings(geos::GeosContext& ctx, const std::vector<Ring>& rings);

}  // namespace lifecircle::maps::detail
