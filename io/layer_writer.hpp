#pragma once
/**
 * Writing output layers (Layer) to GeoJSON or GeoPackage files with GDAL. GDAL headers
 * stay inside io/layer_writer.cpp.
 */

#include <cstddef>
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
    /**
     * GeoPackage only: add the layers to an existing file, replacing only layers of the same
     * names (and their QGIS styles) and keeping every other layer. The existing file is copied
     * and the copy updated, so a failure still leaves the original untouched. Without it an
     * existing file is replaced whole.
     */
    bool update = false;
    /**
     * Threads preparing geometries (reprojection and polygon repair); 0 = all cores. Features
     * are still written one by one in their order, so the file is the same for any count.
     */
    unsigned threads = 0;
};

class OutputPlan;

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
std::vector<std::string> write_layers(const std::string& path, const std::vector<Layer>& layers,
                                      const std::string& source_crs,
                                      const WriteOptions& options = {});

/**
 * Writes layers into file `file` of a checked OutputPlan (staged, not yet committed: call
 * plan.commit() once every output is written). The format is the file's (.gpkg, .geojson or
 * .json, .parquet; a stream is GeoJSON). GeoPackages are byte-identical for identical inputs:
 * GDAL's timestamps are fixed (OGR_CURRENT_DATE) and so is the styles' update_time. A
 * GeoJSON's style sidecar is staged through the plan. Returns notes for the user, e.g. a
 * sidecar left alone because lifecircle did not write it.
 */
std::vector<std::string> write_layers(OutputPlan& plan, std::size_t file,
                                      const std::vector<Layer>& layers,
                                      const std::string& source_crs,
                                      const WriteOptions& options = {});

/** Whether this GDAL can write the format of `extension` (".gpkg", ".geojson", ".parquet"). */
bool output_format_available(const std::string& extension);

/** The fixed timestamp written into GeoPackages, so that reruns are byte-identical. */
inline constexpr const char* fixed_timestamp = "2000-01-01T00:00:00.000Z";

}  // namespace lifecircle::io
