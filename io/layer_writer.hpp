#pragma once
/**
 * Writing output layers (Layer) to GeoJSON or GeoPackage files with GDAL. GDAL headers
 * stay inside io/layer_writer.cpp.
 */

#include <string>
#include <vector>

#include "core/layer.hpp"

namespace lifecircle::io {

/** How write_layers() writes. */
struct WriteOptions {
    /** Decimal places of GeoJSON coordinates (7 ≈ 1 cm); 0..15. GeoPackage keeps full doubles. */
    int coordinate_precision = 7;
    /** Replace an existing file; when false an existing file is an OutputError. */
    bool overwrite = true;
    /**
     * For GeoJSON, also write the layer's QML style (if any) next to the file as
     * "<name>.qml", which QGIS loads automatically as the default style.
     */
    bool qml_sidecar = true;
};

/**
 * Writes layers to `path`, the format chosen by its extension (case-insensitive):
 *  - .geojson / .json: RFC 7946 GeoJSON, exactly one layer, WGS 84 longitude/latitude,
 *    counter-clockwise exterior rings, `coordinate_precision` decimals and bounding boxes;
 *    a styled layer also gets a "<name>.qml" sidecar (see WriteOptions::qml_sidecar);
 *  - .gpkg: GeoPackage with every layer (EPSG:4326, geometry column "geom") plus QGIS's
 *    `layer_styles` table holding each styled layer's QML as its default style.
 * Point layers are written as Point, line layers as MultiLineString and polygon layers as
 * MultiPolygon (single parts promoted); Z and M are dropped. Non-finite reals become NULL.
 * Polygons are valid as the file stores them: after reprojection they are snap-rounded to the
 * GeoJSON grid (10^-coordinate_precision degrees; GeoPackage: full doubles, only repaired),
 * repaired with GEOS if needed, parts that collapse are dropped (an empty MultiPolygon if all
 * do), and rings are oriented exterior counter-clockwise, holes clockwise, in both formats.
 * Geometries are transformed from `source_crs` (anything GDAL/PROJ accepts, e.g.
 * "EPSG:32629"; a bare number is an EPSG code) to WGS 84 and cut at the antimeridian.
 *
 * The file is written to a temporary file in the same folder and renamed over `path` on
 * success; on any failure the temporary file is removed, an existing file at `path` is left
 * untouched and OutputError names the path (and the layer and feature index "#i" where
 * known) and the cause: unsupported extension, missing folder, existing file with overwrite
 * off, several layers for GeoJSON, duplicate layer names, a feature whose value count does
 * not match the fields, invalid WKB or wrong geometry type, untransformable coordinates, or
 * GDAL's own error.
 */
void write_layers(const std::string& path, const std::vector<Layer>& layers,
                  const std::string& source_crs, const WriteOptions& options = {});

}  // namespace lifecircle::io
