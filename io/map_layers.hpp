#pragma once
/**
 * Background layers for maps: water (rivers, lakes, reservoirs) from an OpenStreetMap file or
 * from any GDAL polygon/line layer, as WGS 84 shapes. They are drawn under a plan's report maps
 * and QGIS project, so that a footbridge over a river, or a gap on the far bank, explains
 * itself. libosmium and GDAL headers stay in io/map_layers.cpp.
 */

#include <string>
#include <vector>

#include "core/polygon.hpp"
#include "core/types.hpp"

namespace lifecircle::io {

/** Areas and lines with their names, WGS 84 longitude (x) and latitude (y). */
struct MapShapes {
    std::vector<MultiPolygonXY> areas;
    std::vector<std::string> area_names;
    std::vector<std::vector<Point>> lines;
    std::vector<std::string> line_names;
    /** Things skipped that the user may want to know (a relation cut by the extract). */
    std::vector<std::string> notes;

    bool empty() const { return areas.empty() && lines.empty(); }
};

/**
 * Water in an OpenStreetMap file: areas tagged natural=water, landuse=reservoir or
 * landuse=basin, or waterway=riverbank/dock (closed ways and multipolygon relations, assembled
 * with libosmium; a relation the extract cuts off cannot be assembled and is left out with a
 * note), and lines tagged waterway=river, stream, canal, drain or ditch. Names are name:zh,
 * then name. Sorted by OSM type and id, so the result is the same on every run. Throws
 * InputError naming the file when it cannot be read.
 */
MapShapes read_osm_water(const std::string& path);

/**
 * The polygons and lines of a GDAL vector layer (Shapefile, GeoPackage, GeoJSON...) in WGS 84:
 * `layer` (empty = the first layer), `input_crs` overrides a missing or wrong CRS
 * ("EPSG:xxxx"). Points are ignored; the name field is "name" or "名称" when present. Throws
 * InputError naming the file (and layer) for a missing file, a missing layer (listing the
 * layers), a layer without a CRS and no input_crs, or a layer with neither polygons nor lines.
 */
MapShapes read_map_shapes(const std::string& path, const std::string& layer = {},
                          const std::string& input_crs = {});

}  // namespace lifecircle::io
