#pragma once
/**
 * QGIS 3 project files (.qgs, plain XML) that open the layers of a GeoPackage written by
 * io::write_layers() in a chosen order, grouped in the legend and styled, e.g.
 * DIR/lifecircle.qgs next to DIR/lifecircle.gpkg. The project refers to the GeoPackage by a
 * relative path, so the folder can be moved or zipped. Deliberately GDAL- and GEOS-free.
 */

#include <limits>
#include <string>
#include <vector>

#include "core/layer.hpp"

namespace lifecircle::maps {

/** One layer of a project: a table of the GeoPackage and how the legend shows it. */
struct ProjectLayer {
    /** The table in the GeoPackage (Layer::name), e.g. "isochrones". */
    std::string layer_name;
    /** The name shown in the legend, UTF-8 (Chinese is fine); empty = layer_name. */
    std::string title;
    GeometryKind kind = GeometryKind::polygon;
    /**
     * The layer's style as a QML document (Layer::qml); empty = a plain grey single-symbol
     * style. Everything the QML's <qgis> root holds (the <renderer-v2>, <labeling>, opacity,
     * blend modes, field configuration, ...) is copied into the project, and the root's
     * attributes (labelsEnabled, scale visibility, ...) onto the project's <maplayer>.
     */
    std::string qml;
    /** Whether the layer is switched on in the legend. */
    bool visible = true;
    /** The legend group, e.g. "15-minute medical circle"; empty = top level. */
    std::string group;
    /**
     * "ogr" (a table of the GeoPackage, the default) or "wms" for a web tile layer (an XYZ base
     * map): then `source` is QGIS's data source ("type=xyz&url=https://...{z}/{x}/{y}.png&zmax=19"),
     * the layer is a raster in EPSG:3857 and `kind`, `qml` are ignored.
     */
    std::string provider = "ogr";
    std::string source = {};
};

/**
 * The OpenStreetMap standard tiles as an XYZ layer (switched off unless `visible`: the project
 * then opens offline). Tiles in China from Amap or Baidu are not a drop-in replacement: they are
 * drawn in GCJ-02 (Baidu: BD-09), offset by 300-700 m from WGS 84 data (README).
 */
ProjectLayer osm_basemap_layer(const std::string& title, bool visible = false);

/** A project: its title, the GeoPackage and the layers. */
struct QgisProject {
    /** The project title (UTF-8). */
    std::string title;
    /** The GeoPackage, relative to the project file's folder; written as "./<gpkg_file>". */
    std::string gpkg_file = "lifecircle.gpkg";
    /**
     * The layers in drawing order, top first, as the legend lists them. A group is placed
     * where its first layer is and gathers all layers naming it; if that changes the order
     * (layers of one group not adjacent), the project keeps the given drawing order with
     * QGIS's custom layer order.
     */
    std::vector<ProjectLayer> layers;
    /**
     * The initial view as WGS 84 longitudes and latitudes (padded by 5 % on each side);
     * left NaN (or not a proper box) = no initial view, QGIS then shows the layers' extent.
     */
    double min_lon = std::numeric_limits<double>::quiet_NaN();
    double min_lat = std::numeric_limits<double>::quiet_NaN();
    double max_lon = std::numeric_limits<double>::quiet_NaN();
    double max_lat = std::numeric_limits<double>::quiet_NaN();
};

/**
 * The project as a QGIS 3 .qgs document (UTF-8 XML, readable by QGIS 3.22 and later).
 *
 * Vector layers are WGS 84 (EPSG:4326), as write_layers() stores them, read with the "ogr" provider
 * from "./<gpkg_file>|layername=<layer_name>". The project CRS is EPSG:3857 (WGS 84 /
 * Pseudo-Mercator): QGIS reprojects on the fly, city-scale maps keep their shape (in plain
 * longitude/latitude a map at 40° N is stretched 1.3× east-west) and web base maps (OSM
 * tiles, XYZ layers) added by the user fit without reprojection.
 *
 * The output is deterministic: no timestamps, no random ids. Layer ids are the layer name
 * (letters, digits, '_'; anything else becomes '_') + '_' + 8 hex digits of a hash of the
 * name (+ "_2", "_3", ... when a table is listed again). Text is XML-escaped.
 *
 * Throws std::invalid_argument for an empty layer name, a '|' in a layer or file name, an
 * absolute or empty gpkg_file, or a QML document without a <qgis> root element.
 */
std::string qgis_project_xml(const QgisProject& project);

/** A project layer for an output layer: its name, kind and style, with a legend title and group. */
ProjectLayer project_layer(const Layer& layer, std::string title = {}, std::string group = {},
                           bool visible = true);

/** The id qgis_project_xml() gives the first layer reading table `layer_name`. */
std::string qgis_layer_id(const std::string& layer_name);

}  // namespace lifecircle::maps
