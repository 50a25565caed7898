#pragma once
/**
 * Polygons in the work CRS (districts 街道/社区, residential compounds, exclusion zones) and a
 * spatial index answering "which polygons contain this point". GDAL- and GEOS-free: readers in
 * io/ deliver the rings, planners and the CLI ask the questions.
 */

#include <cstdint>
#include <memory>
#include <vector>

#include "core/types.hpp"

namespace lifecircle {

/** A ring of points (closed or not; the closing edge is implied). */
using Ring = std::vector<Point>;
/** Parts, each a list of rings: the exterior first, then its holes. */
using MultiPolygonXY = std::vector<std::vector<Ring>>;

/** Whether p lies inside (even-odd rule over all rings of all parts). Boundary points may go either
 * way. */
bool contains(const MultiPolygonXY& polygon, Point p);
/** Bounding box of all rings. */
Box bounds(const MultiPolygonXY& polygon);

/** An R-tree over polygon boxes with exact point-in-polygon tests. Thread-safe to query. */
class PolygonIndex {
public:
    explicit PolygonIndex(std::vector<MultiPolygonXY> polygons);
    ~PolygonIndex();
    PolygonIndex(PolygonIndex&&) noexcept;
    PolygonIndex& operator=(PolygonIndex&&) noexcept;

    /** Indices of the polygons containing p, ascending. */
    std::vector<std::uint32_t> containing(Point p) const;
    std::size_t size() const { return m_polygons.size(); }
    const MultiPolygonXY& polygon(std::size_t i) const { return m_polygons[i]; }

private:
    struct Tree;
    std::vector<MultiPolygonXY> m_polygons;
    std::unique_ptr<Tree> m_tree;
};

}  // namespace lifecircle
