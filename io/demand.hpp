#pragma once
/**
 * Demand (residents) for coverage: weighted points in the network's work CRS, read from a
 * GDAL point or polygon layer, a CSV table with coordinates (both through read_points(), so
 * the same CSV/GBK/input_crs rules apply) or a population raster (WorldPop, census grids).
 * Polygons (census blocks, residential compounds 小区, communities 社区) do not put their
 * residents on one centroid: their weight is spread over sample points along the roads inside
 * them. GDAL headers stay in io/demand.cpp.
 */

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/graph.hpp"
#include "core/layer.hpp"
#include "core/types.hpp"
#include "io/network.hpp"

namespace lifecircle::io {

/** What read_demand() reads and how. */
struct DemandReadOptions {
    /** Layer name (vector files); empty: the first layer. */
    std::string layer;
    /** Field holding the feature id; as PointReadOptions::id_field (default "id", else FID). */
    std::string id_field = "id";
    /**
     * Numeric fields holding residents, e.g. {"pop_total", "pop_0_6", "pop_60plus"}; each
     * becomes a group of DemandSet. Empty: every feature weighs 1 (one group "count").
     * Ignored for rasters (the band's values are the weight).
     */
    std::vector<std::string> weight_fields;
    /** Overrides the layer's (or raster's) CRS, as PointReadOptions::input_crs. */
    std::string input_crs;
    /** Distance between the sample points a polygon's weight is spread over, in metres. */
    double spread_spacing_m = 25.0;
    /**
     * Spread polygons only over roads this profile may use (either direction), e.g. the walk
     * profile so that motorways inside a block get no residents. Empty: every graph edge.
     */
    std::optional<ProfileId> profile;
    /** Raster band to read (1-based). */
    int band = 1;
};

/** Demand points and the input features they came from. */
struct DemandSet {
    /** Names of the weight groups: the weight fields, or one name for a raster. */
    std::vector<std::string> groups;
    /** Demand points in the network's work CRS. */
    std::vector<Point> xy;
    /** Per point: index of the input feature (into ids / features.features) it came from. */
    std::vector<std::uint32_t> feature;
    /** weights[group][point]: residents of that group the point stands for (>= 0). */
    std::vector<std::vector<double>> weights;
    /** Per input feature: its id (the id field, the FID, or "row:col" for raster cells). */
    std::vector<std::string> ids;
    /**
     * feature_weights[group][feature]: the feature's own weight (the sum of its points'
     * weights). A feature with zero weight has no points.
     */
    std::vector<std::vector<double>> feature_weights;
    /**
     * The input features with the input's own attribute fields and values, geometry as WKB
     * in the work CRS (points as Point, polygons as MultiPolygon; raster cells as the cell's
     * centre Point with fields row, col, value), so that coverage can write them back with
     * its columns added.
     */
    Layer features;
    /** "points", "polygons" or "raster". */
    std::string kind;
    /** How many polygons got no road sample and were put at their point on surface. */
    std::size_t polygons_without_road = 0;
    /** How many weight values were empty or NULL and counted as 0. */
    std::size_t empty_weights = 0;
    /** Things to tell the user that are not errors (counts of empty values, fallbacks...). */
    std::vector<std::string> notes;
};

/**
 * Reads demand from `path`:
 * - a raster (GeoTIFF or anything GDAL opens as raster): every cell of `options.band` with a
 *   value > 0 that is not nodata and lies within the network's extent becomes a point at the
 *   cell centre, projected from the raster's CRS (or options.input_crs) to the work CRS;
 *   weight = cell value; one group named after the band description, or "population";
 * - a vector layer or CSV (read_points()): points stay where they are (projected to the work
 *   CRS); polygons are spread over the network's roads inside them (spread_polygons()).
 *
 * Throws InputError naming the file, layer and feature for: a missing weight field (lists the
 * layer's fields), a non-numeric weight (names the feature id and field), a negative or
 * non-finite weight, a missing band, a raster without CRS, and everything read_points()
 * rejects. Empty or NULL weights count as 0 and are reported in DemandSet::notes.
 */
DemandSet read_demand(const std::string& path, const DemandReadOptions& options,
                      const Network& net);

/** A polygon in the work CRS: parts, each a list of closed rings, exterior ring first. */
using WorkPolygon = std::vector<std::vector<std::vector<Point>>>;

/** Sample points of one polygon (spread_polygons()). */
struct PolygonSamples {
    /** Points on roads inside the polygon, in the work CRS; empty if there is no road. */
    std::vector<Point> points;
    /** Per point: the edge it lies on. */
    std::vector<EdgeId> edges;
};

/**
 * Sample points along the roads inside each polygon: every edge is sampled at offsets
 * spacing/2, 3*spacing/2, ... from its start (the same points whichever polygon asks, so each
 * sample stands for `spacing_m` metres of road), and the samples inside the polygon (even-odd
 * rule over all its rings) are kept. Edges are found through an R-tree over edge boxes, so the
 * cost grows with polygons + edges + samples, not their product. `usable` (per edge, may be
 * empty = all) leaves out edges the mode may not use.
 */
std::vector<PolygonSamples> spread_polygons(const RoadGraph& graph,
                                            std::span<const WorkPolygon> polygons, double spacing_m,
                                            const std::vector<bool>& usable = {});

}  // namespace lifecircle::io
