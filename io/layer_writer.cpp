#include "io/layer_writer.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <unistd.h>

#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogr_feature.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "core/error.hpp"
#include "core/geos.hpp"
#include "core/parallel.hpp"
#include "io/gdal_common.hpp"
#include "io/output.hpp"

namespace lifecircle::io {

namespace {

namespace fs = std::filesystem;

enum class Format { geojson, gpkg, parquet };

using detail::DatasetPtr;
using detail::GdalMessages;
using detail::register_gdal;
using detail::TransformPtr;

struct GeometryDeleter {
    void operator()(OGRGeometry* geometry) const noexcept {
        OGRGeometryFactory::destroyGeometry(geometry);
    }
};
using GeometryPtr = std::unique_ptr<OGRGeometry, GeometryDeleter>;

/** A GDAL string list (CSL) freed on scope exit. */
class Options {
public:
    Options() = default;
    ~Options() { CSLDestroy(m_list); }
    Options(const Options&) = delete;
    Options& operator=(const Options&) = delete;
    void set(const char* name, const std::string& value) {
        m_list = CSLSetNameValue(m_list, name, value.c_str());
    }
    char** get() const noexcept { return m_list; }

private:
    char** m_list = nullptr;
};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

/** The name of a geometry type for messages ("MultiPolygon"), without Z or M. */
std::string type_name(OGRwkbGeometryType type) { return OGRGeometryTypeToName(wkbFlatten(type)); }

const char* kind_name(GeometryKind kind) {
    switch (kind) {
        case GeometryKind::point:
            return "point";
        case GeometryKind::line:
            return "line";
        case GeometryKind::polygon:
            return "polygon";
        case GeometryKind::none:
            return "table (no geometry)";
    }
    return "unknown";
}

OGRwkbGeometryType layer_type(GeometryKind kind) {
    switch (kind) {
        case GeometryKind::point:
            return wkbPoint;
        case GeometryKind::line:
            return wkbMultiLineString;
        case GeometryKind::polygon:
            return wkbMultiPolygon;
        case GeometryKind::none:
            return wkbNone;
    }
    return wkbUnknown;
}

OGRFieldType field_type(FieldType type) {
    switch (type) {
        case FieldType::integer:
            return OFTInteger64;
        case FieldType::real:
            return OFTReal;
        case FieldType::string:
            return OFTString;
    }
    return OFTString;
}

OutputError feature_error(const std::string& problem, const std::string& path,
                          const Layer& layer, std::size_t index) {
    OutputError error(problem);
    error.set_feature("#" + std::to_string(index)).set_layer(layer.name).set_file(path);
    return error;
}

/** Whether a geometry of (flat) type `type` may go into a layer of kind `kind`. */
bool fits(OGRwkbGeometryType type, GeometryKind kind) {
    switch (kind) {
        case GeometryKind::point:
            return type == wkbPoint;
        case GeometryKind::line:
            return type == wkbLineString || type == wkbMultiLineString;
        case GeometryKind::polygon:
            return type == wkbPolygon || type == wkbMultiPolygon;
        case GeometryKind::none:
            return false;
    }
    return false;
}

/** Promotes a single part to the layer's multi type (it may come back null). */
GeometryPtr promote(GeometryPtr geometry, GeometryKind kind) {
    switch (kind) {
        case GeometryKind::point:
            return geometry;
        case GeometryKind::line:
            return GeometryPtr(OGRGeometryFactory::forceToMultiLineString(geometry.release()));
        case GeometryKind::polygon:
            return GeometryPtr(OGRGeometryFactory::forceToMultiPolygon(geometry.release()));
        case GeometryKind::none:
            return geometry;
    }
    return geometry;
}

/**
 * Makes WGS 84 polygons valid as the file will store them. A polygon valid in the work CRS can
 * turn invalid on the way out: reprojection moves vertices by float noise, and GeoJSON's
 * rounding to a few decimals moves them by up to half a grid cell, enough to fold a thin
 * ring over itself or collapse it to a line. So the polygon is snap-rounded to the grid the
 * file stores (GEOSGeom_setPrecision, which nodes and keeps the topology valid rather than
 * only rounding vertices; parts thinner than a cell are dropped), repaired with GEOSMakeValid
 * if still invalid, and its rings oriented as RFC 7946 asks (exterior counter-clockwise, holes
 * clockwise). The writer then prints exactly these coordinates: a grid value k / 10^d prints
 * as k with d decimals. One GEOS context per layer written.
 */
class PolygonRepair {
public:
    /**
     * `decimals`: the file's coordinate decimals, or -1 for full doubles (no rounding). Above
     * 12 decimals grid values of 180° no longer fit a double's 53 bits, and the rounding is
     * far below float noise of reprojection anyway: such files are only repaired.
     */
    explicit PolygonRepair(int decimals)
        : m_context(m_geos.handle()),
          // Parsed, so the cell is the double nearest 10^-d, as the reader will parse values.
          m_grid(decimals >= 0 && decimals <= 12 ? std::stod("1e-" + std::to_string(decimals))
                                                 : 0.0) {}

    /**
     * `geometry` (a MultiPolygon) as a valid MultiPolygon (possibly empty) at the file's
     * precision, rings oriented.
     */
    GeometryPtr repair(GeometryPtr geometry) {
        geos::GeometryPtr current = own(geometry->exportToGEOS(m_context));
        if (!current) throw OutputError("cannot hand the polygon to GEOS to check it");
        bool valid = GEOSisValid_r(m_context, current.get()) == 1;
        if (valid && m_grid == 0.0 && exported_as_is(*geometry)) {
            // Valid and not rounded: GEOS would hand back the very same coordinates, so the
            // polygon itself is kept rather than read back from GEOS and copied part by part.
            geometry->assignSpatialReference(nullptr);  // as a geometry read back has none
            for (OGRPolygon* polygon : *geometry->toMultiPolygon()) orient(*polygon);
            return geometry;
        }
        // Snapping needs valid input, and a snapped result is valid; the loop only guards
        // against a GEOS robustness failure, which one more repair-and-snap settles. Each
        // check's answer is kept for the next round: the geometry has not changed since.
        constexpr int attempts = 3;
        for (int attempt = 0; attempt < attempts; ++attempt) {
            // Valid and no grid to round to: nothing would change, so nothing to check again.
            if (valid && m_grid == 0.0) break;
            if (!valid) {
                // A repaired spike or collapsed ring comes back as a line beside the polygons,
                // and snapping refuses collections of mixed dimension: only the polygons stay.
                try {
                    current = geos::to_valid_multipolygon(m_geos, std::move(current));
                } catch (const geos::GeometryError& e) {
                    throw OutputError(std::string("GEOS could not repair the polygon: ") + e.what());
                }
            }
            if (m_grid > 0.0) {
                geos::GeometryPtr snapped = own(GEOSGeom_setPrecision_r(m_context, current.get(), m_grid, 0));
                if (!snapped) throw OutputError("GEOS could not round the polygon");
                current = std::move(snapped);
            }
            if (attempt + 1 == attempts) break;  // the answer would not be used
            valid = GEOSisValid_r(m_context, current.get()) == 1;
            if (valid) break;
        }
        auto multi = std::make_unique<OGRMultiPolygon>();
        GeometryPtr repaired(OGRGeometryFactory::createFromGEOS(m_context, current.get()));
        if (repaired == nullptr) throw OutputError("cannot read the repaired polygon back");
        add_polygons(*repaired, *multi);
        for (OGRPolygon* polygon : *multi) orient(*polygon);
        return GeometryPtr(multi.release());
    }

private:
    /** Owns what a GEOS call returned; null stays null (the caller says what failed). */
    geos::GeometryPtr own(GEOSGeometry* geometry) const {
        return geos::GeometryPtr(geometry, geos::GeometryDeleter{m_context});
    }

    /**
     * Whether exportToGEOS() copies `multi` unchanged: every part non-empty and every ring
     * closed with at least 4 points (GDAL adds points to rings GEOS would refuse).
     */
    static bool exported_as_is(const OGRGeometry& multi) {
        if (wkbFlatten(multi.getGeometryType()) != wkbMultiPolygon) return false;
        for (const OGRPolygon* polygon : *multi.toMultiPolygon()) {
            if (polygon->IsEmpty()) return false;
            for (const OGRLinearRing* ring : *polygon) {
                if (ring->getNumPoints() < 4 || !ring->get_IsClosed()) return false;
            }
        }
        return true;
    }

    /** The non-empty polygons of a repair result (lines and points of collapsed parts go). */
    static void add_polygons(const OGRGeometry& geometry, OGRMultiPolygon& out) {
        const OGRwkbGeometryType type = wkbFlatten(geometry.getGeometryType());
        if (type == wkbPolygon) {
            if (!geometry.IsEmpty()) out.addGeometry(&geometry);
        } else if (type == wkbMultiPolygon || type == wkbGeometryCollection) {
            for (const OGRGeometry* part : *geometry.toGeometryCollection())
                add_polygons(*part, out);
        }
    }

    /** Twice the signed area (shoelace), positive when counter-clockwise. */
    static double signed_area2(const OGRLinearRing& ring) {
        double sum = 0.0;
        const int n = ring.getNumPoints();
        for (int i = 0; i + 1 < n; ++i)
            sum += ring.getX(i) * ring.getY(i + 1) - ring.getX(i + 1) * ring.getY(i);
        return sum;
    }

    static void orient(OGRPolygon& polygon) {
        // The sign of the area, not GDAL's isClockwise() (which looks at the turn at one
        // extreme vertex): a valid ring has a clear sign however its vertices were rounded.
        for (int r = 0; r <= polygon.getNumInteriorRings(); ++r) {
            OGRLinearRing* ring =
                r == 0 ? polygon.getExteriorRing() : polygon.getInteriorRing(r - 1);
            const double area2 = signed_area2(*ring);
            if ((r == 0 && area2 < 0.0) || (r > 0 && area2 > 0.0)) ring->reversePoints();
        }
    }

    geos::GeosContext m_geos;  // one GEOS handle type for io, maps and studies
    GEOSContextHandle_t m_context;
    double m_grid;
};

/** A feature's ISO WKB as an OGR geometry, Z and M dropped; OutputError if invalid. */
GeometryPtr parse_wkb(const std::vector<unsigned char>& wkb) {
    OGRGeometry* raw = nullptr;
    std::size_t consumed = 0;
    const OGRErr parsed = OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &raw, wkb.size(),
                                                            wkbVariantIso, consumed);
    GeometryPtr geometry(raw);
    if (parsed != OGRERR_NONE || geometry == nullptr) {
        throw OutputError("invalid WKB geometry (" + std::to_string(wkb.size()) + " bytes)");
    }
    if (consumed != wkb.size()) {
        throw OutputError("invalid WKB geometry: " + std::to_string(wkb.size() - consumed) +
                          " bytes left over after a " + type_name(geometry->getGeometryType()));
    }
    geometry->flattenTo2D();
    return geometry;
}

/**
 * Parses a feature's WKB, transforms it to WGS 84 and brings it to the layer's geometry type
 * (single parts promoted to multi, Z/M dropped; polygons made valid by `polygons`). Throws a
 * message-only OutputError the caller adds the file, layer and feature to.
 */
GeometryPtr layer_geometry(const std::vector<unsigned char>& wkb, GeometryKind kind,
                           OGRCoordinateTransformation& transform,
                           const OGRGeometryFactory::TransformWithOptionsCache& cache,
                           GdalMessages& gdal, PolygonRepair& polygons) {
    GeometryPtr transformed = parse_wkb(wkb);
    const OGRwkbGeometryType given = wkbFlatten(transformed->getGeometryType());
    if (!fits(given, kind)) {
        throw OutputError(std::string("a ") + kind_name(kind) + " layer cannot hold a " +
                          type_name(given) + " geometry");
    }

    // Fast path: transform in place with the layer's one transformation. Only a geometry that
    // comes out wider than 180 degrees of longitude can have crossed the antimeridian; that one
    // is parsed again and transformed from the original with WRAPDATELINE, which cuts it into
    // parts on either side (as RFC 7946 asks) instead of leaving a polygon that spans the globe
    // the other way round. (transformWithOptions rebuilds its SRS objects on every call: 37 %
    // of a 100,000-point GeoPackage write; parsing again only in that rare case spares every
    // other geometry a copy.)
    gdal.clear();
    if (transformed->transform(&transform) != OGRERR_NONE) {
        throw OutputError(gdal.explain("cannot transform the geometry to WGS 84"));
    }
    if (wkbFlatten(given) != wkbPoint) {
        OGREnvelope envelope;
        transformed->getEnvelope(&envelope);
        if (envelope.MaxX - envelope.MinX > 180.0) {
            const GeometryPtr original = parse_wkb(wkb);
            const char* const wrap[] = {"WRAPDATELINE=YES", nullptr};
            gdal.clear();
            transformed.reset(OGRGeometryFactory::transformWithOptions(
                original.get(), &transform, const_cast<char**>(wrap), cache));
            if (transformed == nullptr) {
                throw OutputError(gdal.explain("cannot transform the geometry to WGS 84"));
            }
        }
    }
    transformed = promote(std::move(transformed), kind);
    if (transformed == nullptr || wkbFlatten(transformed->getGeometryType()) != layer_type(kind)) {
        throw OutputError(
            std::string("transforming a ") + type_name(given) + " to WGS 84 gave a " +
            (transformed ? type_name(transformed->getGeometryType()) : std::string("nothing")) +
            ", which a " + kind_name(kind) + " layer cannot hold");
    }
    if (kind == GeometryKind::polygon) return polygons.repair(std::move(transformed));
    return transformed;
}

/** A feature's geometry as layer_geometry() made it, or the exception it threw. */
struct PreparedGeometry {
    GeometryPtr geometry;
    std::exception_ptr error;
};

/**
 * One thread's tools for layer_geometry(): coordinate transformations are not thread-safe, so
 * each thread has its own copy, and its own GEOS context.
 */
struct GeometryWorker {
    GeometryWorker(TransformPtr transform_copy, int decimals)
        : transform(std::move(transform_copy)), polygons(decimals) {}
    TransformPtr transform;
    PolygonRepair polygons;
    const OGRGeometryFactory::TransformWithOptionsCache cache;
};

// Geometries prepared ahead of writing, at most: a few thousand features or 16 MiB of WKB
// (the prepared geometries take about as much again).
constexpr std::size_t batch_features = 4096;
constexpr std::size_t batch_wkb_bytes = std::size_t{16} << 20;

/**
 * Prepares the geometries of features [begin, end) of `layer` on `threads` threads (0 = all
 * cores) into `prepared` (index f - begin). Each is independent of the others, and the results
 * do not depend on the thread that made them. Features after one that failed are skipped: the
 * writer stops at the first failure.
 */
void prepare_geometries(const Layer& layer, std::size_t begin, std::size_t end,
                        const OGRCoordinateTransformation& transform, int decimals,
                        unsigned threads, std::vector<PreparedGeometry>& prepared) {
    prepared.clear();
    prepared.resize(end - begin);
    std::mutex cloning;  // Clone() reads the transformation's PROJ objects
    std::atomic<std::size_t> first_failure{end};
    ParallelOptions parallel;
    parallel.threads = threads;
    parallel_for_each(
        end - begin, parallel,
        [&] {
            const std::lock_guard<std::mutex> lock(cloning);
            TransformPtr copy(transform.Clone());
            if (copy == nullptr) throw OutputError("cannot copy the transformation to WGS 84");
            return std::make_unique<GeometryWorker>(std::move(copy), decimals);
        },
        [&](std::size_t i, std::unique_ptr<GeometryWorker>& worker) {
            const std::size_t f = begin + i;
            const std::vector<unsigned char>& wkb = layer.features[f].wkb;
            if (wkb.empty() || f > first_failure.load(std::memory_order_relaxed)) return;
            try {
                // GDAL's message handlers are per thread: this thread's messages go here.
                GdalMessages gdal;
                prepared[i].geometry = layer_geometry(wkb, layer.kind, *worker->transform,
                                                      worker->cache, gdal, worker->polygons);
            } catch (...) {
                prepared[i].error = std::current_exception();
                std::size_t known = first_failure.load();
                while (f < known && !first_failure.compare_exchange_weak(known, f)) {
                }
            }
        });
}

void set_value(OGRFeature& feature, int index, const Value& value) {
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                feature.SetFieldNull(index);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                feature.SetField(index, static_cast<GIntBig>(v));
            } else if constexpr (std::is_same_v<T, double>) {
                if (std::isfinite(v)) {
                    feature.SetField(index, v);
                } else {
                    feature.SetFieldNull(index);
                }
            } else {
                feature.SetField(index, v.c_str());
            }
        },
        value);
}

/** The CRS text as OGR should read it: a bare number is an EPSG code. */
std::string crs_input(const std::string& crs) {
    const bool digits = !crs.empty() && std::all_of(crs.begin(), crs.end(), [](unsigned char c) {
        return std::isdigit(c) != 0;
    });
    return digits ? "EPSG:" + crs : crs;
}

/** What is wrong with the name of fields[index] ("" if nothing). */
std::string field_problem(const std::vector<Field>& fields, std::size_t index) {
    const std::string& name = fields[index].name;
    if (name.empty()) return "field " + std::to_string(index + 1) + " has no name";
    // GeoPackage uses these columns itself.
    if (lower(name) == "fid" || lower(name) == "geom") {
        return "the field name '" + name + "' is reserved for the feature id or geometry";
    }
    for (std::size_t other = 0; other < index; ++other) {
        // GeoPackage (SQLite) and QGIS both compare field names ignoring case.
        if (lower(fields[other].name) == lower(name)) {
            return "two fields are named '" + name + "'";
        }
    }
    return "";
}

/** The format of a lower-case extension; OutputError for anything else. */
Format format_of(const std::string& extension) {
    if (extension == ".geojson" || extension == ".json") return Format::geojson;
    if (extension == ".gpkg") return Format::gpkg;
    if (extension == ".parquet") return Format::parquet;
    throw OutputError(
        (extension.empty() ? std::string("the file name has no extension")
                           : "unsupported output format '" + extension + "'") +
        "; supported are .gpkg (GeoPackage, several layers) and .geojson or .json (GeoJSON, "
        "one layer)");
}

/** Checks the path of a single-file write before a byte is written. */
void check_path(const std::string& path, const WriteOptions& options) {
    const fs::path target(path);
    format_of(lower(target.extension().string()));
    if (target.filename().empty() || target.filename() == "." || target.filename() == "..") {
        throw OutputError("the path names a folder, not a file");
    }
    const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::error_code error;
    if (!fs::is_directory(folder, error)) {
        throw OutputError("the folder '" + folder.string() + "' does not exist; create it first");
    }
    if (fs::is_directory(target, error)) throw OutputError("a folder of that name exists");
    if (!options.overwrite && fs::exists(target, error)) {
        throw OutputError("the file already exists and overwriting is off");
    }
}

/** Checks the layers and options before a byte is written. */
void check_layers(Format format, const std::string& path, const std::vector<Layer>& layers,
                  const WriteOptions& options) {
    if (options.coordinate_precision < 0 || options.coordinate_precision > 15) {
        throw OutputError("the coordinate precision must be 0 to 15 decimals, not " +
                          std::to_string(options.coordinate_precision));
    }
    if (layers.empty()) throw OutputError("there are no layers to write");
    if (format == Format::geojson && layers.size() > 1) {
        throw OutputError("GeoJSON holds exactly one layer but " + std::to_string(layers.size()) +
                          " were given; write a .gpkg file or one GeoJSON file per layer");
    }
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const Layer& layer = layers[i];
        if (layer.name.empty()) {
            throw OutputError("layer " + std::to_string(i + 1) + " has no name");
        }
        if (format == Format::gpkg) {
            if (lower(layer.name) == "layer_styles" || lower(layer.name).starts_with("gpkg_") ||
                lower(layer.name).starts_with("rtree_")) {
                OutputError e("the layer name is reserved in GeoPackage; choose another");
                e.set_layer(layer.name);
                throw e;
            }
            for (std::size_t j = 0; j < i; ++j) {
                // SQLite table names ignore ASCII case.
                if (lower(layers[j].name) == lower(layer.name)) {
                    OutputError e(
                        "two layers have this name (GeoPackage table names ignore "
                        "case); give each layer its own name");
                    e.set_layer(layer.name);
                    throw e;
                }
            }
        }
        for (std::size_t a = 0; a < layer.fields.size(); ++a) {
            const std::string problem = field_problem(layer.fields, a);
            if (!problem.empty()) {
                OutputError e(problem);
                e.set_layer(layer.name);
                throw e;
            }
        }
        for (std::size_t f = 0; f < layer.features.size(); ++f) {
            if (layer.features[f].values.size() != layer.fields.size()) {
                throw feature_error("the feature has " +
                                        std::to_string(layer.features[f].values.size()) +
                                        " values but the layer has " +
                                        std::to_string(layer.fields.size()) + " fields",
                                    path, layer, f);
            }
            if (layer.kind == GeometryKind::none && !layer.features[f].wkb.empty()) {
                throw feature_error("a table (no geometry) layer cannot hold a geometry", path,
                                    layer, f);
            }
        }
        if (format != Format::gpkg && i > 0) {
            throw OutputError("this format holds exactly one layer; write a .gpkg");
        }
        if (layer.kind == GeometryKind::none && format == Format::geojson) {
            OutputError e("GeoJSON cannot hold a table without geometry; write a .gpkg");
            e.set_layer(layer.name);
            throw e;
        }
    }
}

void write_layer(GDALDataset& dataset, Format format, const Layer& layer,
                 OGRSpatialReference& wgs84, OGRCoordinateTransformation& transform,
                 const WriteOptions& options, GdalMessages& gdal, const std::string& path) {
    const auto fail = [&](const std::string& what) {
        OutputError error(gdal.explain(what));
        error.set_layer(layer.name).set_file(path);
        return error;
    };

    Options creation;
    if (format == Format::geojson) {
        creation.set("RFC7946", "YES");
        creation.set("COORDINATE_PRECISION", std::to_string(options.coordinate_precision));
        creation.set("WRITE_BBOX", "YES");
        creation.set("WRITE_NAME", "YES");
        // Geometries arrive in WGS 84, already cut at the antimeridian; GDAL's own cutting
        // would also turn every single-part MultiPolygon into a Polygon.
        creation.set("WRAPDATELINE", "NO");
    } else if (format == Format::gpkg) {
        creation.set("FID", "fid");
        if (layer.kind != GeometryKind::none) {
            creation.set("GEOMETRY_NAME", "geom");
            creation.set("SPATIAL_INDEX", "YES");
        }
    }
    gdal.clear();
    if (layer.kind == GeometryKind::none && format == Format::gpkg) {
        creation.set("ASPATIAL_VARIANT", "GPKG_ATTRIBUTES");
    }
    OGRLayer* out = dataset.CreateLayer(layer.name.c_str(),
                                        layer.kind == GeometryKind::none ? nullptr : &wgs84,
                                        layer_type(layer.kind), creation.get());
    if (out == nullptr) throw fail("cannot create the layer");

    for (const Field& field : layer.fields) {
        OGRFieldDefn definition(field.name.c_str(), field_type(field.type));
        gdal.clear();
        if (out->CreateField(&definition) != OGRERR_NONE) {
            throw fail("cannot create the field '" + field.name + "'");
        }
    }
    if (out->GetLayerDefn()->GetFieldCount() != static_cast<int>(layer.fields.size())) {
        throw fail("the driver did not create every field");
    }

    const bool transactions = dataset.TestCapability(ODsCTransactions) != 0;
    if (transactions && dataset.StartTransaction() != OGRERR_NONE) {
        throw fail("cannot start a transaction");
    }
    // GeoJSON prints `coordinate_precision` decimals; GeoPackage keeps full doubles.
    const int decimals = format == Format::geojson ? options.coordinate_precision : -1;
    const std::size_t count = layer.features.size();
    std::vector<PreparedGeometry> prepared;
    for (std::size_t begin = 0; begin < count;) {
        // Batches bound the memory of geometries prepared ahead of writing.
        std::size_t end = begin;
        std::size_t bytes = 0;
        while (end < count && end - begin < batch_features && bytes < batch_wkb_bytes) {
            bytes += layer.features[end++].wkb.size();
        }
        if (layer.kind != GeometryKind::none) {
            prepare_geometries(layer, begin, end, transform, decimals, options.threads, prepared);
        }
        for (std::size_t f = begin; f < end; ++f) {
            const Feature& source = layer.features[f];
            OGRFeature feature(out->GetLayerDefn());
            if (!source.wkb.empty()) {
                PreparedGeometry& geometry = prepared[f - begin];
                if (geometry.error) {
                    try {
                        std::rethrow_exception(geometry.error);
                    } catch (OutputError& e) {
                        e.set_feature("#" + std::to_string(f)).set_layer(layer.name).set_file(path);
                        throw;
                    }
                }
                feature.SetGeometryDirectly(geometry.geometry.release());
            }
            for (std::size_t v = 0; v < source.values.size(); ++v) {
                set_value(feature, static_cast<int>(v), source.values[v]);
            }
            gdal.clear();
            if (out->CreateFeature(&feature) != OGRERR_NONE) {
                throw feature_error(gdal.explain("cannot write the feature"), path, layer, f);
            }
        }
        begin = end;
    }
    gdal.clear();
    if (transactions && dataset.CommitTransaction() != OGRERR_NONE) {
        throw fail("cannot commit the layer's features");
    }
}

void write_style_rows(GDALDataset& dataset, OGRLayer& table, const std::vector<Layer>& layers,
                      GdalMessages& gdal, const std::string& path);

/** Creates QGIS's layer_styles table (same schema QGIS uses) with a default style per layer. */
void write_styles(GDALDataset& dataset, const std::vector<Layer>& layers, GdalMessages& gdal,
                  const std::string& path) {
    const auto fail = [&](const std::string& what) {
        OutputError error(gdal.explain(what));
        error.set_layer("layer_styles").set_file(path);
        return error;
    };
    OGRLayer* styles = dataset.GetLayerByName("layer_styles");
    if (styles != nullptr) {
        // Updating: our layers' old styles go, other layers' styles stay.
        for (const Layer& layer : layers) {
            std::string quoted;
            for (char c : layer.name) quoted += c == '\'' ? std::string("''") : std::string(1, c);
            gdal.clear();
            dataset.ExecuteSQL(("DELETE FROM layer_styles WHERE lower(f_table_name) = lower('" +
                                quoted + "')")
                                   .c_str(),
                               nullptr, nullptr);
            if (!gdal.last().empty()) throw fail("cannot remove the old style of " + layer.name);
        }
        write_style_rows(dataset, *styles, layers, gdal, path);
        return;
    }
    Options creation;
    creation.set("FID", "id");
    gdal.clear();
    styles = dataset.CreateLayer("layer_styles", nullptr, wkbNone, creation.get());
    if (styles == nullptr) throw fail("cannot create the QGIS style table");

    struct Column {
        const char* name;
        OGRFieldType type;
        int width;
    };
    constexpr Column columns[] = {
        {"f_table_catalog", OFTString, 256},
        {"f_table_schema", OFTString, 256},
        {"f_table_name", OFTString, 256},
        {"f_geometry_column", OFTString, 256},
        {"styleName", OFTString, 30},
        {"styleQML", OFTString, 0},
        {"styleSLD", OFTString, 0},
        {"useAsDefault", OFTInteger, 0},
        {"description", OFTString, 0},
        {"owner", OFTString, 30},
        {"ui", OFTString, 30},
        {"update_time", OFTDateTime, 0},
    };
    for (const Column& column : columns) {
        OGRFieldDefn definition(column.name, column.type);
        definition.SetWidth(column.width);
        if (column.type == OFTInteger) definition.SetSubType(OFSTBoolean);
        if (column.type == OFTDateTime) definition.SetDefault("CURRENT_TIMESTAMP");
        gdal.clear();
        if (styles->CreateField(&definition) != OGRERR_NONE) {
            throw fail(std::string("cannot create the style table column ") + column.name);
        }
    }
    write_style_rows(dataset, *styles, layers, gdal, path);
}

/** One default-style row per styled layer in `table`. */
void write_style_rows(GDALDataset& dataset, OGRLayer& table, const std::vector<Layer>& layers,
                      GdalMessages& gdal, const std::string& path) {
    OGRLayer* styles = &table;
    const auto fail = [&](const std::string& what) {
        OutputError error(gdal.explain(what));
        error.set_layer("layer_styles").set_file(path);
        return error;
    };

    const bool transactions = dataset.TestCapability(ODsCTransactions) != 0;
    if (transactions && dataset.StartTransaction() != OGRERR_NONE) {
        throw fail("cannot start a transaction");
    }
    for (const Layer& layer : layers) {
        if (layer.qml.empty()) continue;
        OGRLayer* written = dataset.GetLayerByName(layer.name.c_str());
        if (written == nullptr) throw fail("cannot find the written layer " + layer.name);
        // QGIS looks its default style up by table name, geometry column and an empty (not
        // NULL) schema, exactly as its own saveStyle() stores it.
        std::string name = layer.style_name.empty() ? layer.name : layer.style_name;
        if (name.size() > 30) {
            name.resize(30);
            // Don't cut a UTF-8 sequence in half.
            while (!name.empty() && (static_cast<unsigned char>(name.back()) & 0xC0) == 0x80) {
                name.pop_back();
            }
            if (!name.empty() && (static_cast<unsigned char>(name.back()) & 0x80) != 0) {
                name.pop_back();
            }
        }
        OGRFeature row(styles->GetLayerDefn());
        row.SetField("f_table_catalog", "");
        row.SetField("f_table_schema", "");
        row.SetField("f_table_name", written->GetName());
        row.SetField("f_geometry_column", written->GetGeometryColumn());
        row.SetField("styleName", name.c_str());
        row.SetField("styleQML", layer.qml.c_str());
        row.SetField("styleSLD", "");
        row.SetField("useAsDefault", 1);
        row.SetField("description", ("Written by lifecircle: " + name).c_str());
        row.SetField("owner", "");
        row.SetField("update_time", fixed_timestamp);  // not CURRENT_TIMESTAMP: reruns identical
        gdal.clear();
        if (styles->CreateFeature(&row) != OGRERR_NONE) {
            throw fail("cannot store the style of layer " + layer.name);
        }
    }
    gdal.clear();
    if (transactions && dataset.CommitTransaction() != OGRERR_NONE) {
        throw fail("cannot commit the QGIS styles");
    }
}

/** Whether the file's last character other than white space is '}'. */
bool ends_with_brace(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    const std::streamoff size = in ? static_cast<std::streamoff>(in.tellg()) : 0;
    if (size <= 0) return false;
    const std::streamoff tail = std::min<std::streamoff>(size, 64);
    std::string end(static_cast<std::size_t>(tail), ' ');
    in.seekg(size - tail);
    in.read(end.data(), tail);
    const auto last = end.find_last_not_of(" \t\r\n");
    return in && last != std::string::npos && end[last] == '}';
}

/** Sets a GDAL configuration option for this thread until scope exit. */
class ScopedConfig {
public:
    ScopedConfig(const char* name, const char* value) : m_name(name) {
        const char* old = CPLGetThreadLocalConfigOption(name, nullptr);
        if (old != nullptr) m_old = old;
        m_had = old != nullptr;
        CPLSetThreadLocalConfigOption(name, value);
    }
    ~ScopedConfig() { CPLSetThreadLocalConfigOption(m_name, m_had ? m_old.c_str() : nullptr); }
    ScopedConfig(const ScopedConfig&) = delete;
    ScopedConfig& operator=(const ScopedConfig&) = delete;

private:
    const char* m_name;
    std::string m_old;
    bool m_had = false;
};

}  // namespace

std::vector<std::string> write_layers(OutputPlan& plan, std::size_t file_index,
                                      const std::vector<Layer>& layers,
                                      const std::string& source_crs, const WriteOptions& options) {
    const OutputFile& file = plan.files().at(file_index);
    const std::string& path = file.path;
    std::vector<std::string> notes;
    try {
        const Format format = format_of(file.format);
        check_layers(format, path, layers, options);
        const bool write_sidecar =
            format == Format::geojson && options.qml_sidecar && !layers.front().qml.empty();

        register_gdal();
        GdalMessages gdal;

        OGRSpatialReference source;
        source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        if (source.SetFromUserInput(crs_input(source_crs).c_str(),
                                    OGRSpatialReference::SET_FROM_USER_INPUT_LIMITATIONS_get()) !=
            OGRERR_NONE) {
            throw OutputError(
                gdal.explain("cannot understand the source CRS '" + source_crs + "'"));
        }
        source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        OGRSpatialReference wgs84;
        wgs84.importFromEPSG(4326);
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        gdal.clear();
        TransformPtr transform(OGRCreateCoordinateTransformation(&source, &wgs84));
        if (transform == nullptr) {
            throw OutputError(
                gdal.explain("no transformation from '" + source_crs + "' to WGS 84"));
        }

        const char* driver_name = format == Format::geojson ? "GeoJSON"
                                  : format == Format::gpkg  ? "GPKG"
                                                            : "Parquet";
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name);
        if (driver == nullptr) {
            throw OutputError(std::string("this GDAL has no ") + driver_name + " driver");
        }

        // GeoPackages record the time of writing (gpkg_contents.last_change, metadata);
        // a fixed date makes reruns byte-identical.
        const ScopedConfig date("OGR_CURRENT_DATE", fixed_timestamp);
        // Updating locks the folder, then copies the file if it exists by then.
        const bool want_update = options.update && format == Format::gpkg && !file.stream;
        const std::string temporary = plan.stage(file_index, want_update);
        const bool update = want_update && plan.staged_copy(file_index);
        gdal.clear();
        DatasetPtr dataset;
        if (update) {
            const char* const drivers[] = {"GPKG", nullptr};
            dataset.reset(GDALDataset::Open(temporary.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE,
                                            drivers, nullptr, nullptr));
            if (dataset == nullptr) {
                throw OutputError(
                    gdal.explain("cannot open the existing file as a GeoPackage to update it"));
            }
            for (const Layer& layer : layers) {
                for (int i = dataset->GetLayerCount() - 1; i >= 0; --i) {
                    if (lower(dataset->GetLayer(i)->GetName()) == lower(layer.name)) {
                        gdal.clear();
                        if (dataset->DeleteLayer(i) != OGRERR_NONE) {
                            OutputError e(gdal.explain("cannot replace the existing layer"));
                            e.set_layer(layer.name);
                            throw e;
                        }
                    }
                }
            }
        } else {
            std::error_code ignored;
            fs::remove(temporary, ignored);
            dataset.reset(driver->Create(temporary.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        }
        if (dataset == nullptr) throw OutputError(gdal.explain("cannot create the file"));

        for (const Layer& layer : layers) {
            write_layer(*dataset, format, layer, wgs84, *transform, options, gdal, path);
        }
        const bool any_style = std::any_of(layers.begin(), layers.end(),
                                           [](const Layer& l) { return !l.qml.empty(); });
        if (format == Format::gpkg && any_style) write_styles(*dataset, layers, gdal, path);

        // GeoJSON is only complete once closed, and closing can fail (a full disk).
        gdal.clear();
        dataset.reset();
        if (!gdal.last().empty()) throw OutputError(gdal.explain("cannot finish the file"));
        // GDAL's GeoJSON writer lets failed writes pass (a full disk): a whole file ends in '}'.
        if (format == Format::geojson && !ends_with_brace(temporary))
            throw OutputError("the GeoJSON file was cut short while it was written (its end is missing)");

        if (write_sidecar) {
            const std::string note = plan.stage_sidecar(file_index, layers.front().qml);
            if (!note.empty()) notes.push_back(note);
        }
    } catch (OutputError& e) {
        // GDAL's words ("attempt to write a readonly database") hide causes one can see.
        const std::string cause = plan.explain_failure(file_index);
        if (cause.empty()) {
            e.set_file(path);
            throw;
        }
        OutputError error("cannot write: " + cause + " (" + e.problem() + ")");
        error.set_file(path);
        if (!e.layer().empty()) error.set_layer(e.layer());
        if (!e.feature().empty()) error.set_feature(e.feature());
        throw error;
    } catch (Error& e) {
        e.set_file(path);
        throw;
    } catch (const std::exception& e) {
        // std::bad_alloc, filesystem errors: still a failed output, named as such.
        const std::string cause = plan.explain_failure(file_index);
        OutputError error("cannot write: " + (cause.empty() ? std::string(e.what()) : cause + " (" + e.what() + ")"));
        error.set_file(path);
        throw error;
    }
    return notes;
}

bool output_format_available(const std::string& extension) {
    register_gdal();
    const char* name = extension == ".gpkg"                              ? "GPKG"
                       : extension == ".geojson" || extension == ".json" ? "GeoJSON"
                       : extension == ".parquet"                         ? "Parquet"
                                                                         : nullptr;
    return name != nullptr && GetGDALDriverManager()->GetDriverByName(name) != nullptr;
}

std::vector<std::string> write_layers(const std::string& path, const std::vector<Layer>& layers,
                                      const std::string& source_crs, const WriteOptions& options) {
    try {
        check_path(path, options);
        const Format format = format_of(lower(fs::path(path).extension().string()));
        check_layers(format, path, layers, options);
        if (format == Format::geojson && options.qml_sidecar && !options.overwrite &&
            !layers.front().qml.empty()) {
            std::error_code error;
            const std::string sidecar = OutputPlan::sidecar_path(path);
            if (fs::exists(sidecar, error)) {
                throw OutputError("the style file " + sidecar +
                                  " already exists and overwriting is off");
            }
        }
    } catch (Error& e) {
        e.set_file(path);
        throw;
    }
    OutputPlan plan(
        {{"the output", path, {".gpkg", ".geojson", ".json"}, ".geojson", options.qml_sidecar}},
        {});
    std::vector<std::string> notes = write_layers(plan, 0, layers, source_crs, options);
    plan.commit();
    return notes;
}

}  // namespace lifecircle::io
