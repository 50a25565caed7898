#pragma once
/** ISO WKB (little endian) for the simple geometries our layers carry. */

#include <span>
#include <vector>

#include "core/types.hpp"

namespace lifecircle {

/** A Point. */
std::vector<unsigned char> wkb_point(Point p);
/** A MultiLineString of the given lines (each at least two points). */
std::vector<unsigned char> wkb_multilinestring(std::span<const std::vector<Point>> lines);
/**
 * A MultiPolygon: parts, each a list of closed rings (exterior first, then holes), written
 * as given (no orientation or validity fixing).
 */
std::vector<unsigned char> wkb_multipolygon(
    std::span<const std::vector<std::vector<Point>>> polygons);

}  // namespace lifecircle
