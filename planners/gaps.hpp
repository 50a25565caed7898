#pragma once
/**
 * Gap maps: uncovered (and unserved) demand aggregated on a hexagon grid in the work CRS, one
 * cell per hexagon that holds any such demand: the map a planner takes to a meeting.
 */

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/types.hpp"
#include "planners/coverage.hpp"

namespace lifecircle::planners {

/**
 * A pointy-topped hexagon of a grid anchored at the work CRS origin. `hex_m` is the distance
 * between opposite sides (the cell's width); the area of a cell is (√3/2)·hex_m².
 */
struct HexCell {
    std::int64_t q = 0;  ///< axial column
    std::int64_t r = 0;  ///< axial row
    Point centre;
};

/** The cell of a point. */
HexCell hex_cell(Point p, double hex_m);
/** The six corners of a cell, counter-clockwise from the east-north-east one. */
std::array<Point, 6> hex_corners(const HexCell& cell, double hex_m);

/** One cell of the gap map. */
struct GapCell {
    HexCell cell;
    std::vector<double>
        uncovered;        ///< per group: weight not within the standard (unreachable included)
    double unserved = 0;  ///< covered but without a seat (capacity runs); 0 otherwise
    double mean_minutes =
        0;  ///< weighted (first group) over reached points of the cell; NaN if none
    double max_minutes = 0;  ///< over reached points with weight; NaN if none
    std::size_t points = 0;  ///< demand points in the cell
};

/**
 * Hexagon cells holding uncovered weight of any group (unsnapped points count as uncovered:
 * they are people the standard does not reach) or unserved weight, sorted by the first group's
 * uncovered weight, largest first (ties by q, r). `unserved` is empty or one value per point.
 */
std::vector<GapCell> gap_cells(const CoverageResult& result, std::span<const Point> xy,
                               std::span<const std::vector<double>> group_weights,
                               std::span<const double> unserved, double hex_m);

}  // namespace lifecircle::planners
