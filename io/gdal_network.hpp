#pragma once
/**
 * Road centre-lines from any GDAL line layer (Shapefile, GeoPackage, GeoJSON, FileGDB, ...):
 * planning bureau data, Geofabrik shapefiles and the like. GDAL headers stay inside
 * io/gdal_network.cpp.
 */

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/graph.hpp"

namespace lifecircle::io {

/** How to read a GDAL line layer. Field names are matched case-insensitively. */
struct GdalNetworkOptions {
    /** Layer name; empty: the first layer that has line geometries. */
    std::string layer;
    /** Speed limit field (km/h); empty: maxspeed, speed, speed_kmh, maxspeed_kmh, 限速. */
    std::string speed_field;
    /** Oneway field; empty: oneway, one_way, 单行. */
    std::string oneway_field;
    /**
     * Road class field: OSM highway values, Geofabrik fclass values or Chinese road grades
     * (主干路, 次干路, 支路, ...); empty: highway, class, fclass, road_class, 道路等级.
     */
    std::string class_field;
    /** Road name field; empty: name, 道路名称, 路名, 名称. */
    std::string name_field;
    /**
     * Field saying a line is on a bridge or in a tunnel (with elevation data it then runs level
     * between its ends' ground rather than over the ground under it): a number (non-zero:
     * yes, so an OSM-style layer field works) or text (1, yes, true, T, bridge, tunnel,
     * viaduct, 桥, 桥梁, 隧道, 高架, 是 ...; 0, no, false, F, 否, 地面 or empty: no). Empty: every
     * field named bridge, tunnel, layer, brunnel, is_bridge, is_tunnel, 桥梁, 隧道 or 桥隧.
     */
    std::string bridge_tunnel_field;
    /** Line ends closer than this (metres in the work CRS) become one node. */
    double snap_tolerance_m = 1.0;
    /** Overrides the layer's CRS (e.g. "EPSG:4527"); required if the layer has none. */
    std::string input_crs;
    /** Metric CRS for the network; empty: the UTM zone of the layer's centre. */
    std::string work_crs;
    /**
     * Split a line where another line ends on it (within snap_tolerance_m), so that
     * T-junctions connect even when the data was not split at junctions. Crossings where no
     * line ends are left alone: they may be bridges.
     */
    bool split_at_junctions = true;
};

/** The attribute fields a reader used; empty when the layer has none. */
struct GdalNetworkFields {
    std::string speed;
    std::string oneway;
    std::string road_class;
    std::string name;
    /** The bridge/tunnel fields, comma-separated ("bridge, tunnel, layer"). */
    std::string bridge_tunnel;
};

/** A road network read from a GDAL layer. */
struct GdalNetworkResult {
    /** Nodes and edges in the work CRS; RawEdge::source indexes feature_ids. */
    RawNetwork network;
    /** The work CRS used, e.g. "EPSG:32650". */
    std::string work_crs;
    /** The layer's CRS (or the input_crs override) as "EPSG:xxxx" or WKT. */
    std::string source_crs;
    /** The layer's feature id (FID) of every feature with line geometry, in reading order. */
    std::vector<std::int64_t> feature_ids;
    /** The layer that was read. */
    std::string layer_name;
    /** The fields attributes were taken from. */
    GdalNetworkFields fields;
    /** How many times a line was split where another line ends on it. */
    std::size_t junction_splits = 0;
    /** Things the user may want to know: skipped features, unrecognised values, GDAL warnings. */
    std::vector<std::string> warnings;
};

/**
 * Reads the road centre-lines of a GDAL vector layer into a RawNetwork in a metric work CRS.
 * Every LineString (each part of a MultiLineString; curves are linearised) becomes one or more
 * edges; line ends within snap_tolerance_m become one node (core/topology.hpp builds the
 * junctions: this reader only reads features). Never modifies the input.
 * Throws InputError (naming file, layer and feature) for unreadable or unsuitable data and
 * UsageError for unsuitable options.
 */
GdalNetworkResult read_gdal_network(const std::string& path, const GdalNetworkOptions& options);

}  // namespace lifecircle::io
