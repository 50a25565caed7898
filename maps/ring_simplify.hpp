#pragma once
/**
 * Douglas–Peucker simplification of a set of closed rings that keeps their arrangement: rings
 * that do not cross still do not cross, no ring passes over another's vertex, and a stretch two
 * rings share (identical vertices, as nested level lines of one field share where the field did
 * not change, or as two regions side by side share their border in opposite directions) is
 * simplified once, so it stays shared. That is what keeps nested service areas nested, split
 * parts edge to edge, and every polygon valid after the many small steps of marching squares or
 * of a cell grid are thinned out.
 *
 * Method: a vertex is fixed where the rings through it do not all have the same two neighbours
 * (where shared stretches begin and end, and where rings touch); a ring through
 * no such vertex is fixed at its smallest vertex. The stretches between fixed vertices are
 * simplified one at a time, top-down: a shortcut replaces a stretch when every vertex of it lies
 * within `tolerance` of the shortcut and the shortcut neither meets any current segment (other
 * than at its own two ends) nor sweeps over any current vertex (the region between stretch and
 * shortcut lies within `tolerance` of the shortcut, so only vertices that near are tested).
 * Current segments are kept in a hash grid and updated as shortcuts are accepted, as in
 * JTS's TopologyPreservingSimplifier, which does not share stretches between geometries.
 */

#include <vector>

#include "core/types.hpp"

namespace lifecircle::maps::detail {

/** A closed ring: first point == last point. */
using Ring = std::vector<Point>;

/**
 * Simplifies `rings` in place with `tolerance` (> 0; the work CRS's units). Returns false, and
 * leaves `rings` unchanged, when a ring would fall below three distinct vertices or change its
 * orientation (which the checks above make impossible short of floating-point ties; the caller
 * then keeps the rings as they are). Rings shorter than four points are left alone.
 */
bool simplify_rings(std::vector<Ring>& rings, double tolerance);

}  // namespace lifecircle::maps::detail
