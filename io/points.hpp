#pragma once
/**
 * Facilities and demand points from any GDAL point or polygon layer, or a CSV table with
 * coordinate columns. Everything comes back as WGS 84 longitude/latitude. GDAL headers stay
 * inside io/points.cpp.
 */

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/layer.hpp"
#include "core/types.hpp"

namespace lifecircle::io {

/** What read_points() reads and how. */
struct PointReadOptions {
    /**
     * Layer name; empty: the first layer of points or polygons (with a note naming it when
     * the file has several layers).
     */
    std::string layer;
    /**
     * How the caller's user names the options of this input, e.g. "--from" (then notes say
     * "--from-layer", "--from-crs"); empty: "--layer" and "--input-crs".
     */
    std::string option_prefix;
    /**
     * Field holding the feature id. A missing field is an InputError listing the fields,
     * except that when the default "id" is absent the GDAL feature id (FID) is used instead.
     */
    std::string id_field = "id";
    /** Field holding a display name; empty: "name" or "名称" if present (case-insensitive). */
    std::string name_field;
    /** Optional field holding a facility type or category (text). */
    std::string type_field;
    /** Optional numeric field: capacity (beds, places, meals a day...). */
    std::string capacity_field;
    /** Optional numeric field: a per-facility cutoff in minutes. */
    std::string cutoff_field;
    /** Optional numeric field: a per-facility delay in minutes (e.g. waiting or walking in). */
    std::string delay_field;
    /** Field with a site's cost (candidate sites for `suggest --budget`); empty = none. */
    std::string cost_field;
    /**
     * Overrides the layer's CRS: "EPSG:xxxx" (or anything GDAL's SetFromUserInput accepts),
     * "wgs84", "gcj02" (Amap/Gaode, Tencent) or "bd09" (Baidu); case-insensitive, "gcj-02"
     * and "bd-09" also work. Empty: the layer's own CRS, and WGS 84 longitude/latitude for
     * layers without one (CSV files). Overriding a CRS the layer declares adds a note naming
     * both CRSs to PointLayer::notes.
     */
    std::string input_crs;
    /**
     * For polygon features, also return the exterior ring (densified to a vertex every 20 m
     * at most) in PointRecord::boundary_lonlat, so that a facility can be entered anywhere
     * along its outline rather than only at its representative point.
     */
    bool entrances = false;
    /**
     * Also return every attribute field of the layer (PointLayer::fields) and each feature's
     * values (PointRecord::values), so that a caller can write the features back with the
     * input's own fields (demand layers, io/demand.hpp).
     */
    bool attributes = false;
    /**
     * For polygon features, also return the whole geometry (every part, exterior ring first,
     * then the holes) as WGS 84 (lon, lat) in PointRecord::polygon_lonlat, undensified.
     */
    bool polygons = false;
    /**
     * Read an OpenStreetMap file through GDAL's OSM driver (its `multipolygons` layer, for
     * buildings). Off: an OSM file is an InputError pointing to the facilities verb.
     */
    bool allow_osm = false;
    /** An empty layer is a PointLayer without points rather than an InputError. */
    bool allow_empty = false;
    /**
     * Read only the features whose geometry's bounding box meets this WGS 84 longitude/latitude
     * box (GDAL's spatial filter, through the layer's spatial index where it has one: a shard of
     * a sharded run reads its part of a province's residents). The box is taken into the layer's
     * CRS with a margin, so a few features just outside it may come too: the caller decides
     * what it keeps. Features keep their order and FIDs. Empty box = every feature.
     */
    Box lonlat_filter;
};

/** One facility or demand point. */
struct PointRecord {
    /** The value of the id field, or the FID as text when the layer has no "id" field. */
    std::string id;
    /** Display name (UTF-8), empty if none. */
    std::string name;
    /** Value of PointReadOptions::type_field, empty if none. */
    std::string type;
    /** Value of the capacity field; NaN when not asked for or empty. */
    double capacity = std::numeric_limits<double>::quiet_NaN();
    /** Value of the cutoff field in minutes; NaN when not asked for or empty. */
    double cutoff_minutes = std::numeric_limits<double>::quiet_NaN();
    /** Value of the delay field in minutes; NaN when not asked for or empty. */
    double delay_minutes = std::numeric_limits<double>::quiet_NaN();
    /** Value of PointReadOptions::cost_field; NaN when not asked for or empty. */
    double cost = std::numeric_limits<double>::quiet_NaN();
    /**
     * WGS 84 longitude in degrees (after GCJ-02/BD-09 conversion). For polygons this is a
     * point guaranteed inside the polygon (OGR PointOnSurface), not the centroid.
     */
    double lon = 0.0;
    /** WGS 84 latitude in degrees. */
    double lat = 0.0;
    /**
     * Polygons only and only with PointReadOptions::entrances: the exterior ring vertices of
     * every part as WGS 84 (lon, lat), closed, densified to at most 20 m between vertices.
     */
    std::vector<std::pair<double, double>> boundary_lonlat;
    /**
     * Polygons only and only with PointReadOptions::polygons: parts, each a list of rings
     * (exterior first, then holes), each ring closed, as WGS 84 (lon, lat).
     */
    std::vector<std::vector<std::vector<std::pair<double, double>>>> polygon_lonlat;
    /**
     * Only with PointReadOptions::attributes: one value per PointLayer::fields (NULL or unset
     * fields are std::monostate; integer fields std::int64_t, real fields double, everything
     * else the text GDAL gives, UTF-8).
     */
    std::vector<Value> values;
    /** GDAL feature id. */
    std::int64_t fid = -1;
};

/** The points of one layer. */
struct PointLayer {
    /** In layer order. */
    std::vector<PointRecord> points;
    /** Name of the layer read. */
    std::string layer_name;
    /** Only with PointReadOptions::attributes: the layer's attribute fields, in order. */
    std::vector<Field> fields;
    /**
     * The CRS the coordinates were read in: "EPSG:xxxx" when the CRS has an EPSG code, its
     * WKT otherwise, or "gcj02" / "bd09" / "EPSG:4326" for the input_crs keywords and for
     * layers without a CRS.
     */
    std::string source_crs;
    /**
     * Things the caller may want to tell the user but that are not errors, e.g. MultiPoint
     * features of which only the first point was used.
     */
    std::vector<std::string> notes;
};

/**
 * Reads points from a vector file: GeoJSON, GeoPackage, Shapefile (the .cpg encoding, e.g.
 * GBK, is converted to UTF-8) or anything else GDAL opens, and CSV files with either
 * longitude/latitude columns (lon/lng/longitude/x/经度 and lat/latitude/y/纬度,
 * case-insensitive) or a WKT column (WKT/geometry/geom). CSV files that are not UTF-8 are
 * read as GBK (as Excel saves them on Chinese Windows).
 *
 * Geometries: Point; MultiPoint (its first point, with a note in PointLayer::notes);
 * Polygon/MultiPolygon (OGR PointOnSurface, plus the outline with options.entrances).
 *
 * Throws InputError naming the file, layer and feature id, saying what is wrong and what to
 * do, for: a missing file; an OpenStreetMap file (pointing to the `facilities` verb); a file
 * without any point or polygon layer; a file that is not vector data; a missing layer (lists the
 * layers); an empty layer; a line layer; a missing field (lists the fields); a CSV without
 * coordinate columns (lists its columns and the accepted names); empty or NaN coordinates;
 * coordinates out of range (suggesting swapped longitude/latitude or a missing CRS); an
 * empty or duplicate id; a non-numeric capacity, cutoff or delay value; a negative or
 * non-finite delay; a cutoff that is not a positive number of minutes.
 */
PointLayer read_points(const std::string& path, const PointReadOptions& options = {});

/**
 * Features given in memory rather than in a file: a Python array or GeoDataFrame, a QGIS layer.
 * read_points() reads them exactly as it reads a file (ids, fields, CRS, geometry rules and
 * messages), so every front end accepts and refuses the same data.
 */
struct FeatureTable {
    /** Names the features in messages where a file's path would be, e.g. "facilities (array)". */
    std::string name;
    /** The layer name messages give. */
    std::string layer = "features";
    /**
     * The coordinates' CRS: EPSG:xxxx, WKT or anything else GDAL's SetFromUserInput accepts, or
     * "wgs84", "gcj02", "bd09" as PointReadOptions::input_crs takes them; empty = WGS 84
     * longitude/latitude. PointReadOptions::input_crs, when given, overrides it as it overrides
     * a file's CRS.
     */
    std::string crs;
    /** Point coordinates, one per feature (NaN = no coordinates); or both empty with `wkb`. */
    std::vector<double> x, y;
    /** One geometry per feature as WKB (points or polygons; empty = none), with x and y empty. */
    std::vector<std::string> wkb;
    /** Attribute fields, and their values column by column: columns[field][feature]
        (std::monostate = NULL). */
    std::vector<Field> fields;
    std::vector<std::vector<Value>> columns;

    /** The number of features. */
    std::size_t size() const { return wkb.empty() ? x.size() : wkb.size(); }
};

/**
 * Reads features given in memory as read_points() reads a file, with `table.name` where a file
 * would be named. Throws UsageError when the table's columns do not fit together (lengths, x
 * without y, both points and WKB) and InputError for everything read_points() rejects, and for a
 * geometry that is not WKB or a CRS that is not understood.
 */
PointLayer read_points(const FeatureTable& table, const PointReadOptions& options = {});

/**
 * The checks read_points() makes before opening the file, for callers that want to fail
 * before a long network load: InputError for a missing file or an OpenStreetMap file;
 * UsageError naming the option (e.g. --from-crs) for an input CRS that is not understood.
 */
void check_point_input(const std::string& path, const PointReadOptions& options);

}  // namespace lifecircle::io
