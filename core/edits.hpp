#pragma once
/**
 * What-if road works applied to a RawNetwork before the graph is built: new roads (a
 * footbridge across a river) joined to the network where they meet it, and changes to
 * existing roads (upgraded, slower, reclassified or closed), chosen by area or by source id.
 * Planners compare coverage before and after a project by loading the network twice.
 *
 * All geometry is in the network's metric work CRS; io/network.hpp converts edits given in
 * WGS 84 longitude/latitude.
 */

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/graph.hpp"
#include "core/polygon.hpp"
#include "core/profile.hpp"
#include "core/types.hpp"

namespace lifecircle {

/**
 * A new road. Each end joins the network where it comes within `join_tolerance_m` of a
 * usable road: to the nearest road node within the tolerance if there is one, otherwise to
 * the nearest point of the nearest road, which is split there. A short connector from the
 * end to the join point becomes part of the new road. Interior vertices join only when
 * `join_interior` is set (by default a bridge crosses over what lies beneath it): such a
 * vertex within the tolerance of a road is moved onto its join point and the new road is cut
 * into one edge per stretch between junctions. Segments never join between vertices.
 */
struct AddRoad {
    std::string name;
    std::vector<Point> line;    ///< work CRS, at least two points, first to last
    EdgeAttributes attributes;  ///< class, oneway (along `line`), maxspeed, access
    double join_tolerance_m = 5.0;
    /** Let an end that joins nothing end in a dead end; otherwise apply_edits throws. */
    bool allow_dangling = false;
    /** Also join interior vertices that come within the tolerance of a road (an at-grade
        crossing drawn with a vertex on the street it crosses). */
    bool join_interior = false;
};

/**
 * A change to existing roads. The roads are the union of those with any part inside `area`
 * and those read from the objects in `source_ids`. Changes apply in this order: road_class
 * (the class's default speed and permissions then apply: maxspeed and explicit access are
 * cleared), maxspeed_kmh, speed_factor (multiplied into the current factor), close.
 */
struct ChangeRoads {
    /** Roads with any part of their geometry inside or on the boundary; empty: none. */
    MultiPolygonXY area;
    /** OSM way ids or GDAL feature ids (as in io::Network::source_ids). */
    std::vector<std::int64_t> source_ids;

    std::optional<RoadClass> road_class;
    std::optional<double> maxspeed_kmh;  ///< > 0
    /** Multiplies the travel speed (> 0; 1.25: 25% faster, 0.5: twice the time). */
    std::optional<double> speed_factor;
    /** The modes speed_factor applies to; empty: every mode. */
    std::vector<Mode> factor_modes;
    /** Closes the roads to every mode (build_graph then drops them). */
    bool close = false;
    std::string label;  ///< for the report; empty: "change N"
};

/** A set of what-if edits. */
struct NetworkEdits {
    std::vector<AddRoad> add;
    std::vector<ChangeRoads> change;
    bool empty() const { return add.empty() && change.empty(); }
};

/** What one edit did. */
struct EditReport {
    std::string label;              ///< the change's label or the added road's name
    std::size_t roads_changed = 0;  ///< raw edges (pieces of road between junctions) changed
    double km_changed = 0;
    std::size_t roads_added = 0;     ///< raw edges added (more than one with interior joins)
    double km_added = 0;             ///< including the connectors to the join points
    std::size_t joins = 0;           ///< ends of an added road joined to the network
    std::size_t splits = 0;          ///< existing edges split to make the joins
    std::vector<std::string> notes;  ///< unknown source ids, how each end joined
};

/**
 * Applies `edits` to `network`: every change first, in order, then every added road, in
 * order (a later road may join an earlier one). `source_ids` maps RawEdge::source to the
 * user's ids (OSM way or feature ids); the i-th added road gets source id -(i + 1), appended
 * to `source_ids` (negative like new objects in OSM editors). Returns one report per change,
 * then one per added road. Throws InputError naming the edit for a bad edit (too few points,
 * a non-positive speed) and for an end that joins nothing unless allow_dangling is set.
 * With no edits the network is left untouched. Deterministic. After a throw the network is
 * consistent but holds the edits before the failing one.
 */
std::vector<EditReport> apply_edits(RawNetwork& network, std::vector<std::int64_t>& source_ids,
                                    const NetworkEdits& edits);

}  // namespace lifecircle
