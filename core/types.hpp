#pragma once
/** Basic ids, units and sentinels shared by every layer. */

#include <cstdint>
#include <limits>

namespace lifecircle {

/** Dense internal node id (0..node_count-1). External ids are translated in io/ only. */
using NodeId = std::uint32_t;
/** Dense id of a directed arc in the CSR graph. */
using ArcId = std::uint32_t;
/** Dense id of an undirected road edge (one piece of road between two junctions). */
using EdgeId = std::uint32_t;
/** Travel time in seconds. */
using Seconds = double;
/** Length in metres of the work CRS. */
using Meters = double;

inline constexpr NodeId invalid_node = std::numeric_limits<NodeId>::max();
inline constexpr ArcId invalid_arc = std::numeric_limits<ArcId>::max();
inline constexpr EdgeId invalid_edge = std::numeric_limits<EdgeId>::max();
inline constexpr std::uint32_t invalid_index = std::numeric_limits<std::uint32_t>::max();
/** Travel time of a place that cannot be reached (or an arc that may not be used). */
inline constexpr Seconds unreachable = std::numeric_limits<Seconds>::infinity();
/** Arc weights are stored as float: half the memory, precise to well under 0.01 s. */
inline constexpr float forbidden_arc = std::numeric_limits<float>::infinity();

/** A point in the metric work CRS (metres). */
struct Point {
    double x = 0.0;
    double y = 0.0;
    friend bool operator==(const Point&, const Point&) = default;
};

/** Axis-aligned box in the work CRS. */
struct Box {
    Point min{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
    Point max{-std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    void extend(const Point& p) {
        if (p.x < min.x) min.x = p.x;
        if (p.y < min.y) min.y = p.y;
        if (p.x > max.x) max.x = p.x;
        if (p.y > max.y) max.y = p.y;
    }
    bool empty() const { return min.x > max.x; }
};

inline constexpr double kmh_to_mps(double kmh) { return kmh / 3.6; }

}  // namespace lifecircle
