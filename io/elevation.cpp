#include "io/elevation.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include <cpl_conv.h>
#include <gdal.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <tbb/enumerable_thread_specific.h>

#include "core/error.hpp"
#include "io/crs.hpp"
#include "io/gdal_common.hpp"
#include "io/text_format.hpp"

namespace lifecircle::io {

namespace {

using detail::ascii_lower;
using detail::DatasetPtr;
using detail::format_number;
using detail::trim;

/** Cells read into memory at most (1.6 GB of floats): a larger window must be resampled. */
constexpr double max_window_cells = 400.0e6;

/** "EPSG:xxxx" when the CRS has an authority code, otherwise its WKT2. */
std::string crs_text(const OGRSpatialReference& srs) {
    const char* authority = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (authority != nullptr && code != nullptr) return std::string(authority) + ":" + code;
    char* wkt = nullptr;
    const char* const options[] = {"FORMAT=WKT2_2019", nullptr};
    srs.exportToWkt(&wkt, options);
    std::string text = wkt != nullptr ? wkt : "";
    CPLFree(wkt);
    return text;
}

/** Metres per unit of the band's elevations; nullopt for a unit we do not know. */
std::optional<double> metres_per_unit(std::string_view unit) {
    const std::string u = ascii_lower(trim(unit));
    if (u.empty() || u == "m" || u == "metre" || u == "meter" || u == "metres" || u == "meters" ||
        u == "米")
        return 1.0;
    if (u == "ft" || u == "foot" || u == "feet" || u == "international foot") return 0.3048;
    if (u == "us survey foot" || u == "ftus" || u == "us-ft" || u == "us_survey_foot")
        return 1200.0 / 3937.0;
    return std::nullopt;
}

/** Opens a raster, or throws the InputError that says why `path` is none. */
DatasetPtr open_raster(const std::string& path) {
    detail::register_gdal();
    detail::GdalMessages messages;
    std::error_code ec;
    if (detail::is_plain_file_path(path) && !std::filesystem::exists(path, ec))
        throw InputError("cannot open the DEM: no such file; check the path given to --elevation")
            .set_file(path);
    if (detail::is_plain_file_path(path) && std::filesystem::is_directory(path, ec))
        throw InputError(
            "is a folder, not a DEM; give a raster file (GeoTIFF, .asc, .hgt, ...) to --elevation")
            .set_file(path);
    GDALDatasetH handle =
        GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, nullptr,
                   nullptr, nullptr);
    if (handle != nullptr) {
        DatasetPtr dataset(GDALDataset::FromHandle(handle));
        if (dataset->GetRasterCount() > 0) return dataset;
    }
    const std::string gdal_error = messages.take_last();
    if (GDALDatasetH vector = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                         nullptr, nullptr)) {
        GDALClose(vector);
        throw InputError(
            "is a vector dataset, not a raster: --elevation needs a digital elevation model, a "
            "raster of "
            "ground heights such as an SRTM GeoTIFF")
            .set_file(path);
    }
    std::string problem = "is not a raster GDAL can read";
    if (!gdal_error.empty()) problem += " (GDAL: " + gdal_error + ")";
    throw InputError(problem + "; --elevation needs a digital elevation model such as a GeoTIFF")
        .set_file(path);
}

}  // namespace

std::string describe_lonlat_box(const Box& box) {
    if (box.empty()) return "nothing";
    return "lon " + format_number(box.min.x, 7) + " to " + format_number(box.max.x, 7) + ", lat " +
           format_number(box.min.y, 7) + " to " + format_number(box.max.y, 7);
}

struct ElevationRaster::Impl {
    std::string path;
    std::string work_crs;
    std::string dem_crs;
    std::array<double, 6> inverse{};  ///< DEM CRS -> pixel coordinates of the whole raster
    int width = 0;                    ///< of the whole raster
    int height = 0;
    double cell_x = 0;  ///< cell size in DEM CRS units, for describe()
    double cell_y = 0;
    bool geographic = false;
    // The window held in memory: columns col0..col0+cols-1, rows row0..row0+rows-1.
    int col0 = 0;
    int row0 = 0;
    int cols = 0;
    int rows = 0;
    std::vector<float> metres;  ///< per window cell; NaN where nodata
    Box lonlat;
    /** One transformation from the work CRS to the DEM's CRS per thread (PROJ objects are not
        shared between threads). */
    mutable tbb::enumerable_thread_specific<std::optional<Transformer>> to_dem;

    const Transformer& transformer() const {
        std::optional<Transformer>& t = to_dem.local();
        if (!t) t.emplace(work_crs, dem_crs);
        return *t;
    }

    /** Bilinear interpolation at pixel coordinates (px, py) of the whole raster. */
    double interpolate(double px, double py) const {
        if (!(px >= 0 && py >= 0 && px <= width && py <= height))
            return std::numeric_limits<double>::quiet_NaN();
        // Cell centres sit at half-integer pixel coordinates.
        auto axis = [](double p, int size, int& i0, int& i1, double& f) {
            const double u = p - 0.5;
            i0 = static_cast<int>(std::floor(u));
            f = u - i0;
            if (i0 < 0) {
                i0 = 0;
                f = 0;
            } else if (i0 >= size - 1) {
                i0 = size - 1;
                f = 0;
            }
            i1 = std::min(i0 + 1, size - 1);
        };
        int c0 = 0, c1 = 0, r0 = 0, r1 = 0;
        double fx = 0, fy = 0;
        axis(px, width, c0, c1, fx);
        axis(py, height, r0, r1, fy);
        c0 -= col0;
        c1 -= col0;
        r0 -= row0;
        r1 -= row0;
        if (c0 < 0 || r0 < 0 || c1 >= cols || r1 >= rows)
            return std::numeric_limits<double>::quiet_NaN();
        const auto at = [&](int c, int r) {
            return static_cast<double>(
                metres[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) +
                       static_cast<std::size_t>(c)]);
        };
        // A cell with no share (weight 0) may be nodata without spoiling the value.
        const double w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy,
                     w11 = fx * fy;
        double z = 0;
        for (const auto& [w, c, r] : {std::tuple{w00, c0, r0}, std::tuple{w10, c1, r0},
                                      std::tuple{w01, c0, r1}, std::tuple{w11, c1, r1}}) {
            if (w == 0) continue;
            const double v = at(c, r);
            if (std::isnan(v)) return std::numeric_limits<double>::quiet_NaN();
            z += w * v;
        }
        return z;
    }
};

ElevationRaster::ElevationRaster(const std::string& path, const std::string& work_crs,
                                 const Box& work_bounds)
    : m(std::make_unique<Impl>()) {
    m->path = path;
    m->work_crs = work_crs;
    const DatasetPtr dataset = open_raster(path);
    detail::GdalMessages messages;
    const auto fail = [&](const std::string& problem) {
        return InputError(problem).set_file(path);
    };
    const OGRSpatialReference* srs = dataset->GetSpatialRef();
    if (srs == nullptr)
        throw fail(
            "the DEM has no coordinate reference system, so it cannot be placed under the network; "
            "set it, e.g. "
            "gdal_edit.py -a_srs EPSG:4326 dem.tif (SRTM and most global DEMs are WGS 84)");
    m->dem_crs = crs_text(*srs);
    // The same CRS as a PROJ string: PROJ then builds the transformations without its database.
    if (m->dem_crs == "EPSG:4326") m->dem_crs = wgs84_lonlat_proj;
    std::array<double, 6> gt{};
    if (dataset->GetGeoTransform(gt.data()) != CE_None ||
        !GDALInvGeoTransform(gt.data(), m->inverse.data()))
        throw fail(
            "the DEM has no usable georeferencing (geotransform); georeference it with "
            "gdal_translate -a_ullr");
    m->width = dataset->GetRasterXSize();
    m->height = dataset->GetRasterYSize();
    m->cell_x = std::hypot(gt[1], gt[4]);
    m->cell_y = std::hypot(gt[2], gt[5]);
    GDALRasterBand* band = dataset->GetRasterBand(1);
    const auto unit = metres_per_unit(band->GetUnitType());
    if (!unit)
        throw fail(std::string("the DEM's elevations are in '") + band->GetUnitType() +
                   "', a unit lifecircle does not know; give them in metres or feet (gdal_edit.py "
                   "-units m)");
    int has_scale = 0;
    int has_offset = 0;
    double scale = band->GetScale(&has_scale);
    double offset = band->GetOffset(&has_offset);
    if (!has_scale) scale = 1.0;
    if (!has_offset) offset = 0.0;

    // The whole raster in lon/lat, for messages.
    const Transformer dem_to_lonlat(m->dem_crs, wgs84_lonlat_proj);
    m->geographic = dem_to_lonlat.source_is_geographic();
    const Transformer to_dem(work_crs, m->dem_crs);
    constexpr int steps = 32;  // a densified outline: a box of one CRS is no box in another
    auto outline = [&](const Box& b, auto&& visit) {
        for (int i = 0; i <= steps; ++i) {
            const double t = static_cast<double>(i) / steps;
            const double x = b.min.x + t * (b.max.x - b.min.x);
            const double y = b.min.y + t * (b.max.y - b.min.y);
            for (const Point p :
                 {Point{x, b.min.y}, Point{x, b.max.y}, Point{b.min.x, y}, Point{b.max.x, y}})
                visit(p);
        }
    };
    const Box raster_box{{0, 0}, {static_cast<double>(m->width), static_cast<double>(m->height)}};
    outline(raster_box, [&](Point pixel) {
        const Point xy{gt[0] + pixel.x * gt[1] + pixel.y * gt[2],
                       gt[3] + pixel.x * gt[4] + pixel.y * gt[5]};
        try {
            m->lonlat.extend(dem_to_lonlat.forward(xy));
        } catch (const Error&) {
            // a corner outside what the DEM's CRS can express in lon/lat: left out of the message
        }
    });

    // The window over the network, in pixels of the whole raster.
    Box pixels;
    Box network_lonlat;
    const Transformer work_to_lonlat(work_crs, wgs84_lonlat_proj);
    outline(work_bounds, [&](Point p) {
        try {
            const Point d = to_dem.forward(p);
            pixels.extend({m->inverse[0] + d.x * m->inverse[1] + d.y * m->inverse[2],
                           m->inverse[3] + d.x * m->inverse[4] + d.y * m->inverse[5]});
            network_lonlat.extend(work_to_lonlat.forward(p));
        } catch (const Error&) {
            // a point the DEM's CRS cannot express lies outside it
        }
    });
    const double c0 = std::max(0.0, std::floor(pixels.min.x) - 2);
    const double r0 = std::max(0.0, std::floor(pixels.min.y) - 2);
    const double c1 = std::min(static_cast<double>(m->width), std::ceil(pixels.max.x) + 2);
    const double r1 = std::min(static_cast<double>(m->height), std::ceil(pixels.max.y) + 2);
    if (pixels.empty() || !(c1 > c0) || !(r1 > r0))
        throw fail(
            "the DEM does not cover the network at all: the network spans " +
            describe_lonlat_box(network_lonlat) + ", the DEM " + describe_lonlat_box(m->lonlat) +
            "; give a DEM of the network's area (SRTM tiles: https://portal.opentopography.org)");
    if ((c1 - c0) * (r1 - r0) > max_window_cells)
        throw fail(
            "the DEM is too fine for the network's area: " +
            format_number((c1 - c0) * (r1 - r0), 3) + " cells would be read (at most " +
            format_number(max_window_cells, 3) +
            "); resample it first, e.g. gdalwarp -tr 10 10 -r bilinear (10 m cells suit walking)");
    m->col0 = static_cast<int>(c0);
    m->row0 = static_cast<int>(r0);
    m->cols = static_cast<int>(c1 - c0);
    m->rows = static_cast<int>(r1 - r0);

    const std::size_t cells = static_cast<std::size_t>(m->cols) * static_cast<std::size_t>(m->rows);
    m->metres.resize(cells);
    if (band->RasterIO(GF_Read, m->col0, m->row0, m->cols, m->rows, m->metres.data(), m->cols,
                       m->rows, GDT_Float32, 0, 0, nullptr) != CE_None)
        throw fail(messages.explain("cannot read the DEM's cells"));
    std::vector<std::uint8_t> valid;
    if ((band->GetMaskFlags() & GMF_ALL_VALID) == 0) {
        valid.resize(cells);
        if (band->GetMaskBand()->RasterIO(GF_Read, m->col0, m->row0, m->cols, m->rows, valid.data(),
                                          m->cols, m->rows, GDT_Byte, 0, 0, nullptr) != CE_None)
            throw fail(messages.explain("cannot read the DEM's nodata mask"));
    }
    for (std::size_t i = 0; i < cells; ++i) {
        float& v = m->metres[i];
        if ((!valid.empty() && valid[i] == 0) || !std::isfinite(v)) {
            v = std::numeric_limits<float>::quiet_NaN();
        } else {
            v = static_cast<float>((v * scale + offset) * *unit);
        }
    }
}

ElevationRaster::~ElevationRaster() = default;

void ElevationRaster::sample(std::span<const Point> xy, std::span<double> z) const {
    thread_local std::vector<Point> in_dem;
    in_dem.assign(xy.begin(), xy.end());
    const Transformer& to_dem = m->transformer();
    try {
        to_dem.forward(std::span<Point>(in_dem));
    } catch (const Error&) {
        // Some point cannot be expressed in the DEM's CRS: transform one by one, those as unknown.
        for (std::size_t i = 0; i < xy.size(); ++i) {
            try {
                in_dem[i] = to_dem.forward(xy[i]);
            } catch (const Error&) {
                in_dem[i] = {std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::quiet_NaN()};
            }
        }
    }
    const std::array<double, 6>& inv = m->inverse;
    for (std::size_t i = 0; i < in_dem.size(); ++i) {
        const Point d = in_dem[i];
        if (!std::isfinite(d.x) || !std::isfinite(d.y)) {
            z[i] = std::numeric_limits<double>::quiet_NaN();
            continue;
        }
        z[i] = m->interpolate(inv[0] + d.x * inv[1] + d.y * inv[2],
                              inv[3] + d.x * inv[4] + d.y * inv[5]);
    }
}

const std::string& ElevationRaster::path() const { return m->path; }

const Box& ElevationRaster::lonlat_extent() const { return m->lonlat; }

std::string ElevationRaster::describe() const {
    const std::string crs = m->dem_crs == wgs84_lonlat_proj     ? "EPSG:4326"
                            : m->dem_crs.rfind("EPSG:", 0) == 0 ? m->dem_crs
                                                                : "its own CRS";
    return std::to_string(m->width) + " x " + std::to_string(m->height) + " cells of " +
           format_number(m->cell_x, 3) + " x " + format_number(m->cell_y, 3) +
           (m->geographic ? " degrees" : " m") + ", " + crs;
}

}  // namespace lifecircle::io
