#pragma once
/** Road networks from OpenStreetMap files (.osm.pbf, .osm, .osm.bz2, .osm.gz) via libosmium. */

#include <cstdint>
#include <string>
#include <vector>

#include "core/graph.hpp"
#include "core/profile.hpp"

namespace lifecircle::io {

/** Result of reading OSM roads: a raw network in the work CRS, ready for build_graph(). */
struct OsmNetworkResult {
    RawNetwork network;
    std::string work_crs;                 ///< e.g. "EPSG:32629"
    std::string projection;               ///< the PROJ definition used for it (fast UTM when automatic)
    std::string projection_source;        ///< WGS 84 lon/lat as given to PROJ with `projection`
    std::vector<std::int64_t> way_ids;    ///< RawEdge::source indexes into this
    std::size_t ways_read = 0;            ///< ways with a highway tag some profile may use
    std::size_t missing_nodes = 0;        ///< way node references without a location (clipped extract)
};

/**
 * Which ways become roads, and what their tags mean for each mode (see README, "Travel
 * profiles"). Exposed for tests; `tags` is a flat list of key/value pairs.
 */
struct OsmTagView {
    const char* highway = nullptr;
    const char* access = nullptr;
    const char* foot = nullptr;
    const char* bicycle = nullptr;
    const char* vehicle = nullptr;
    const char* motor_vehicle = nullptr;
    const char* motorcar = nullptr;
    const char* oneway = nullptr;
    const char* junction = nullptr;
    const char* maxspeed = nullptr;
    const char* oneway_bicycle = nullptr;         ///< oneway:bicycle
    const char* cycleway = nullptr;               ///< cycleway (opposite, opposite_lane, ...)
    const char* cycleway_both = nullptr;          ///< cycleway:both
    const char* cycleway_left = nullptr;          ///< cycleway:left
    const char* cycleway_right = nullptr;         ///< cycleway:right
    const char* cycleway_left_oneway = nullptr;   ///< cycleway:left:oneway
    const char* cycleway_right_oneway = nullptr;  ///< cycleway:right:oneway
    const char* bridge = nullptr;
    const char* tunnel = nullptr;
    const char* layer = nullptr;
};
/** Reduces the tags of a way to EdgeAttributes. */
EdgeAttributes osm_edge_attributes(const OsmTagView& tags);
/** Parses maxspeed ("50", "30 mph", "walk"); 0 when unknown. */
double parse_maxspeed_kmh(const char* value);

/**
 * Reads highway ways usable by any of `profiles`, splits them at every node shared with another
 * way (and at way ends), keeps the shape points between junctions, and projects everything to
 * `work_crs` (empty: the UTM zone of the data's centre).
 */
OsmNetworkResult read_osm_network(const std::string& path, const std::vector<ProfileSettings>& profiles,
                                  const std::string& work_crs = {});

/**
 * The libosmium format of an OSM file ("pbf", "osm", "osm.bz2", "osm.gz", "osc"), or "" when
 * the file is not OSM data. Recognised by extension in any case (".OSM.PBF"), and otherwise
 * by content: a PBF file starts with an "OSMHeader" blob, an XML file has an <osm> root.
 */
std::string osm_format(const std::string& path);

/** Whether a path names an OSM file (by extension in any case, or by content). */
bool is_osm_file(const std::string& path);

}  // namespace lifecircle::io
