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
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/graph.hpp"
#include "core/layer.hpp"
#include "core/polygon.hpp"
#include "core/types.hpp"
#include "io/network.hpp"
#include "io/points.hpp"

namespace lifecircle::io {

/**
 * Urban housing floor area per person in China, square metres of gross floor area (建筑面积)
 * per resident of urban households: 36.52 m² in the 2020 population census (National Bureau
 * of Statistics, 中国人口普查年鉴-2020 / China Population Census Yearbook 2020, as reported by
 * People's Daily on 27 June 2022). Elsewhere set BuildingResidentsOptions::floor_area_per_person_m2
 * from the national housing statistics.
 */
inline constexpr double china_urban_floor_area_per_person_m2 = 36.52;

/** A share of the residents that forms a group, e.g. {"pop_60plus", 0.187}. */
struct AgeShare {
    std::string group;
    double share = 0.0;  ///< 0..1
};

/** How estimate_residents_from_buildings() turns buildings into residents. */
struct BuildingResidentsOptions {
    /** Layer name; empty: the first layer, "multipolygons" for OpenStreetMap files. */
    std::string layer;
    /** Field holding the building id; as PointReadOptions::id_field (OSM files: the FID). */
    std::string id_field = "id";
    /**
     * Numeric field with the number of storeys above ground, e.g. "floors" or "层数".
     * OpenStreetMap files: the building:levels tag. Empty or 0: default_levels (counted).
     */
    std::string levels_field;
    /** Storeys of a building without a levels value. */
    double default_levels = 1.0;
    /**
     * Optional numeric field, 0..1: the part of the floor area that is housing (a building
     * with shops on the ground floor). Empty field name or value: residential_share.
     */
    std::string residential_share_field;
    /** Housing share of the buildings without a residential share value. */
    double residential_share = 1.0;
    /** Gross floor area per resident (m²). */
    double floor_area_per_person_m2 = china_urban_floor_area_per_person_m2;
    /** Groups as shares of the residents (the first group is always "residents"). */
    std::vector<AgeShare> age_shares;
    /**
     * OpenStreetMap building=* values counted as housing; empty = residential, apartments,
     * house, detached, semidetached_house, terrace, bungalow, dormitory, farm, cabin.
     * building=yes counts inside landuse=residential whatever this list says.
     */
    std::vector<std::string> building_types;
    /** Overrides the layer's CRS, as PointReadOptions::input_crs. */
    std::string input_crs;
};

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
    /**
     * Optional building layer or OpenStreetMap file. When given, each polygon's weight goes
     * to the housing buildings whose point on surface lies inside it, in proportion to their
     * estimated residents (floor area x residential share, estimate_residents_from_buildings()
     * with building_options), one point per building; polygons holding no such building are
     * spread over their roads as without it.
     */
    std::string buildings;
    /** How the buildings are read and weighed (used only with `buildings`). */
    BuildingResidentsOptions building_options;
    /**
     * Vector layers: read only the features whose geometry's bounding box meets this WGS 84
     * box (PointReadOptions::lonlat_filter); empty = all. A shard of a sharded run reads its
     * part of the residents so.
     */
    Box lonlat_filter;
    /**
     * Vector layers: keeps a feature (by its GDAL feature id and WGS 84 representative point,
     * as PointRecord gives them) or leaves it out before anything else is done with it; empty =
     * keep all. A shard keeps the features it owns.
     */
    std::function<bool(std::int64_t fid, double lon, double lat)> keep;
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
    /** Per input feature of a vector layer: its GDAL feature id (FID); empty for rasters and
        buildings. */
    std::vector<std::int64_t> fids;
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
    /** "points", "polygons", "raster" or "buildings". */
    std::string kind;
    /** The CRS a points or polygons layer was read in (PointLayer::source_crs); empty for
        rasters and buildings. */
    std::string source_crs;
    /** How many polygons were spread over buildings (DemandReadOptions::buildings). */
    std::size_t polygons_on_buildings = 0;
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

/** Whether read_demand() reads `path` as a population raster (not a point or polygon layer). */
bool is_demand_raster(const std::string& path);

/**
 * Demand from features given in memory (points or polygons with their weight fields), read as
 * read_demand() reads a vector layer; messages name `table.name` where they would name a file.
 */
DemandSet read_demand(const FeatureTable& table, const DemandReadOptions& options,
                      const Network& net);

/**
 * Residents estimated from building footprints:
 *   residents = footprint area (m², in the work CRS, holes left out) x storeys x residential
 *   share / floor area per person.
 * A GDAL layer is taken to hold housing (give residential_share_field for mixed use). In an
 * OpenStreetMap file (.osm, .osm.pbf; read through GDAL's OSM driver) the residential
 * buildings are building=residential, apartments, house, detached, semidetached_house,
 * terrace, bungalow, dormitory, farm, cabin, and building=yes whose point on surface lies
 * in a landuse=residential area; storeys come from building:levels.
 *
 * Returns a DemandSet of kind "buildings": one point per building with residents (its point
 * on surface), groups "residents" then options.age_shares, and the buildings in
 * DemandSet::features with their own fields plus footprint_m2, levels, floor_area_m2 and
 * residents. Throws InputError for a missing field (lists the fields), a non-numeric,
 * negative or non-finite storey count or share (names the building), a share above 1, a
 * layer without polygons; UsageError for a floor area per person or default that is not
 * positive, or age shares outside 0..1.
 */
DemandSet estimate_residents_from_buildings(const std::string& path,
                                            const BuildingResidentsOptions& options,
                                            const Network& net);

/** A polygon in the work CRS: parts, each a list of closed rings, exterior ring first. */
using WorkPolygon = MultiPolygonXY;

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
