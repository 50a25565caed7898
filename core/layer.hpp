#pragma once
/**
 * The in-memory output layer: a named table of features with one geometry each. maps/ and
 * planners' callers build layers, io/ writes them with GDAL; living in core/ lets io/ and maps/
 * be siblings over core/. Deliberately GDAL- and GEOS-free.
 */

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace lifecircle {

/** The type of an attribute column. */
enum class FieldType { integer, real, string };

/** One attribute column of a layer. */
struct Field {
    std::string name;
    FieldType type = FieldType::string;
};

/**
 * One attribute value; std::monostate is NULL. Writers store a double that is not finite
 * (an unreachable travel time, say) as NULL, since neither GeoJSON nor QGIS handle infinity.
 */
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

/**
 * The geometry type of a layer. Writers store point layers as Point, line layers as
 * MultiLineString and polygon layers as MultiPolygon (single parts are promoted).
 */
enum class GeometryKind {
    point,
    line,
    polygon,
    /** No geometry: an attribute table (a GeoPackage "attributes" table); every wkb is empty. */
    none
};

/** One feature: a geometry and one value per field of its layer. */
struct Feature {
    /**
     * The geometry as ISO WKB (little endian preferred, big endian accepted) in the layer's
     * source CRS, a metric work CRS such as EPSG:32629. Empty = no geometry (NULL).
     */
    std::vector<unsigned char> wkb;
    /** One value per Layer::fields, in the same order. */
    std::vector<Value> values;
};

/** A named layer of features of one geometry kind, with an optional QGIS style. */
struct Layer {
    /** Layer (table) name in the output, e.g. "isochrones". */
    std::string name;
    GeometryKind kind = GeometryKind::polygon;
    std::vector<Field> fields;
    std::vector<Feature> features;
    /** An optional QGIS style as a QML document (see maps/style.hpp); empty = none. */
    std::string qml;
    /** The name QGIS shows for the style, e.g. "minutes (graduated)"; empty = the layer name. */
    std::string style_name;
};

}  // namespace lifecircle
