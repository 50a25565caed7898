#pragma once
/**
 * Network parts: the roads of a network read once (io::read_roads: OSM ways cut at every
 * junction of the whole file, a GDAL layer's topology built over every line) and stored in
 * square cells of the work CRS, so that each shard of a sharded run reads only the roads near
 * its residents. A shard's roads are the very edges of the whole run (the same junctions, the
 * same shapes, bit for bit, in the same order), only fewer of them; they then become a graph
 * through io::build_network() as in any run. A PBF holds no spatial index (libosmium has to
 * decode every block to find a box's ways), so reading the file once and cutting it is what lets
 * sixteen shards read a sixteenth of a province each.
 *
 * The file: "LCPARTS1", a JSON header (work CRS, projections, counts, grid), the road names and
 * source ids, a table of cells (offset, count, the box around their roads), the cells' roads
 * (global index, end nodes with their coordinates, attributes, name, source, shape), and a
 * 64-bit hash of everything before it.
 */

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/types.hpp"
#include "io/network.hpp"

namespace lifecircle::studies {

/** What a parts file says about the whole network. */
struct NetworkPartsInfo {
    std::string path;  ///< the network file the roads were read from
    std::string format;
    std::string work_crs;
    std::string projection;
    std::string projection_source;
    std::string source_kind;
    std::size_t edges = 0;
    std::size_t nodes = 0;
    /** Every node and shape point (work CRS). */
    Box extent;
    /** The hash of the file's content before its last 8 bytes (which hold it). */
    std::uint64_t hash = 0;
};

/**
 * Writes `roads` as a parts file through `sink` (called with successive blocks of bytes) in
 * cells of about `cell_m` metres (at most 1024 x 1024 cells). Returns the file's hash.
 */
std::uint64_t write_network_parts(const io::RawRoads& roads, double cell_m,
                                  const std::function<void(std::string_view)>& sink);

/** Reads a parts file's header; InputError naming the file when it is not one or is damaged. */
NetworkPartsInfo read_network_parts_info(const std::string& path);

/**
 * The roads of a parts file whose geometry's bounding box meets `region` (work CRS), in the
 * whole network's order, as read_roads() would give them for the whole file with the others
 * left out (names and source ids only those used). No warnings: the plan reported the file's.
 */
io::RawRoads read_network_part(const std::string& path, const Box& region);

}  // namespace lifecircle::studies
