#pragma once
/**
 * Topology of line data that was not drawn as a network: road centre-lines from a bureau layer
 * or any GDAL line layer, read by io/gdal_network.cpp. Line ends within a snap tolerance become
 * one junction; a line is split where another line ends on it (a T-junction drawn without a
 * shared vertex); crossings where no line ends are left alone (they may be bridges). The result
 * is a RawNetwork for build_graph(). Knows nothing of files or CRSs: all coordinates are in the
 * metric work CRS.
 */

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/graph.hpp"
#include "core/profile.hpp"
#include "core/types.hpp"

namespace lifecircle {

/** One line (a LineString, or one part of a MultiLineString) before junctions are formed. */
struct TopologyLine {
    std::vector<Point> points;  ///< work CRS, at least two distinct points, in drawing order
    EdgeAttributes attributes;  ///< copied to every edge the line becomes
    std::uint32_t name = 0;     ///< index into the network's names
    std::uint32_t source = 0;   ///< the source object (feature) for messages and ids
};

/** How lines become a network. */
struct TopologyOptions {
    /** Line ends closer than this (metres) become one node; 0 joins identical points only. */
    double snap_tolerance_m = 1.0;
    /**
     * Split a line where another line ends on it (within the tolerance), so that T-junctions
     * connect even when the data was not split at junctions. Crossings where no line ends are
     * left alone: they may be bridges.
     */
    bool split_at_junctions = true;
};

/** What build_topology() did. */
struct TopologyStats {
    /** How many times a line was split where a line end lies on it. */
    std::size_t junction_splits = 0;
    /** Pieces dropped because they were shorter than the tolerance (or a single point). */
    std::size_t dropped_pieces = 0;
};

/**
 * Appends the lines to `network` as edges between snapped nodes (nodes are appended to
 * network.nodes; names must already be in network.names). Line ends are snapped in line order,
 * each to the nearest node within the tolerance or to a new node, so the result depends only
 * on the order of the lines. Each edge keeps its line's attributes, name and source.
 */
TopologyStats build_topology(const std::vector<TopologyLine>& lines, const TopologyOptions& options,
                             RawNetwork& network);

/** Drops repeated consecutive points, which would make zero-length segments. */
void remove_repeated_points(std::vector<Point>& points);

}  // namespace lifecircle
