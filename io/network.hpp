#pragma once
/** One entry point for road networks: OpenStreetMap files or any GDAL line layer. */

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/edits.hpp"
#include "core/graph.hpp"
#include "core/profile.hpp"
#include "io/gdal_network.hpp"

namespace lifecircle::io {

class Transformer;

/** How to read and build a network. */
struct NetworkOptions {
    /** Profiles to build travel times for (one array each in the graph). */
    std::vector<ProfileSettings> profiles{default_profile(Mode::walk)};
    /** Metric CRS for all geometry; empty: UTM zone of the data's centre. */
    std::string work_crs;
    /** How to read a GDAL line layer (its work_crs is taken from the field above). */
    GdalNetworkOptions gdal;
    /** What-if road works in the work CRS, applied before the graph is built. */
    NetworkEdits edits;
    /** The same with every coordinate (lines, areas) in WGS 84 longitude/latitude; converted
        to the work CRS and applied after `edits` (changes of both first, then added roads). */
    NetworkEdits edits_lonlat;
    /**
     * A DEM (any GDAL raster, any CRS) for slope-aware walking; empty: flat ground. Walking
     * profiles with SlopeModel::tobler then follow the slope (see BuildOptions::elevation).
     */
    std::string elevation;
    /**
     * A DEM that leaves a larger share than 1 - this of the walkable pieces of road without
     * ground elevation (outside it or over nodata) is refused: their slope would be guessed.
     */
    double elevation_min_coverage = 0.95;
};

/** A loaded network: the graph and what is needed to relate it to the outside world. */
struct Network {
    RoadGraph graph;
    std::string path;
    std::string format;                   ///< "OpenStreetMap" or the GDAL driver and layer
    std::string work_crs;
    std::string source_kind;              ///< "way" or "feature": what source_ids count
    std::vector<std::int64_t> source_ids; ///< per RoadGraph::edge_source: OSM way id or feature id (-1, -2...: roads added by edits)
    double read_seconds = 0.0;
    double build_seconds = 0.0;           ///< including the DEM's reading and sampling
    /** The DEM walking times follow (NetworkOptions::elevation), or empty; what was done with
        it is graph.elevation. */
    std::string elevation;
    std::size_t missing_nodes = 0;        ///< OSM way nodes without a location (clipped extract)
    std::vector<std::string> warnings;    ///< things the reader fixed or skipped, for the user
    /** One per applied edit (see apply_edits); empty without edits. Added roads have
        negative source ids. */
    std::vector<EditReport> edit_reports;
    /** WGS84 lon/lat to work CRS and back. */
    std::shared_ptr<const Transformer> lonlat_to_work;

    /** Projects WGS84 lon/lat points into the work CRS (in place). */
    void to_work(std::vector<Point>& lonlat) const;
    /** Projects work CRS points to WGS84 lon/lat (in place). */
    void to_lonlat(std::vector<Point>& xy) const;
    /** The network's bounding box in WGS84 lon/lat. */
    Box lonlat_bounds() const;
};

/**
 * A road file read but not yet built into a graph: the roads in the work CRS, cut at junctions
 * (OSM) or joined into a topology (GDAL layers), with what is needed to relate them to the world.
 * load_network() is read_roads() then build_network(); a sharded run reads the roads once, cuts
 * them into overlapping parts (studies/network_parts.hpp) and builds each shard's graph from its
 * part with build_network(), so every road a shard keeps is the very edge of the whole run.
 */
struct RawRoads {
    RawNetwork network;
    std::string path;
    std::string format;             ///< as Network::format
    std::string work_crs;
    /** The PROJ definition the roads were projected with (a fast UTM for OSM data's automatic
        zone; empty: work_crs itself) and the WGS 84 text given to PROJ with it. */
    std::string projection;
    std::string projection_source = "EPSG:4326";
    std::string source_kind;              ///< as Network::source_kind
    std::vector<std::int64_t> source_ids; ///< per RawEdge::source
    std::size_t missing_nodes = 0;
    std::vector<std::string> warnings;
    /** Whether the bridge/tunnel fields of a GDAL layer were found (a DEM then says so). */
    bool bridge_tunnel_fields = true;
    double read_seconds = 0.0;
};

/**
 * Reads the roads of `path` (OSM by extension or content, anything else through GDAL) into the
 * work CRS. Throws InputError naming the file for unreadable data and for a missing DEM, and
 * UsageError for a work CRS that is not metric, before the (possibly long) read.
 */
RawRoads read_roads(const std::string& path, const NetworkOptions& options);

/**
 * Builds the graph of roads read by read_roads() (or a part of them): applies the edits, samples
 * options.elevation, builds the profiles' travel times. Throws InputError when no road may be
 * used by the profiles' modes and, with a DEM, when it covers too little of the network (saying
 * how much).
 */
Network build_network(RawRoads&& roads, const NetworkOptions& options);

/**
 * Reads `path` (OSM by extension, anything else through GDAL) and builds the graph, with slope
 * from options.elevation if given: build_network(read_roads(path, options), options). Throws
 * InputError naming the file for unreadable data, including a DEM that is missing, is no
 * raster, or covers too little of the network (saying how much it covers).
 */
Network load_network(const std::string& path, const NetworkOptions& options);

}  // namespace lifecircle::io
