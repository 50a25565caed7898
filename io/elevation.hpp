#pragma once
/**
 * Ground elevation from a DEM for slope-aware walking (core/graph.hpp, ElevationSampler): any
 * raster GDAL reads, in any CRS. Points of the work CRS are transformed into the DEM's CRS and
 * interpolated bilinearly between cell centres there, so the DEM is never resampled. GDAL and
 * PROJ stay inside io/elevation.cpp.
 */

#include <memory>
#include <span>
#include <string>

#include "core/graph.hpp"
#include "core/types.hpp"

namespace lifecircle::io {

/**
 * A DEM's first band over the part of it that covers a network, held in memory as metres.
 * Thread-safe: every thread that samples gets its own PROJ transformation.
 */
class ElevationRaster final : public ElevationSampler {
public:
    /**
     * Opens `path` and reads the cells that cover `work_bounds` (a box in `work_crs`, plus two
     * cells around it). Cell values are scaled by the band's scale and offset and converted
     * to metres from its unit (metres when it names none; feet understood). Throws InputError
     * naming the file, with what to do, when the file is missing, is not a raster GDAL reads,
     * has no CRS or an unknown elevation unit, or does not overlap the box at all (both
     * extents in longitude/latitude).
     */
    ElevationRaster(const std::string& path, const std::string& work_crs, const Box& work_bounds);
    ~ElevationRaster() override;
    ElevationRaster(const ElevationRaster&) = delete;
    ElevationRaster& operator=(const ElevationRaster&) = delete;

    /**
     * Bilinear interpolation between the four cell centres around each point (at the
     * raster's border, the nearest centres). NaN outside the raster, and where a cell with a
     * share in the interpolation is nodata (the band's nodata value, NaN, or masked).
     */
    void sample(std::span<const Point> xy, std::span<double> z) const override;

    /** The DEM file. */
    const std::string& path() const;
    /** The whole raster's extent in WGS 84 longitude/latitude (for messages). */
    const Box& lonlat_extent() const;
    /** "413 x 403 cells of 0.000278 x 0.000278 degrees, EPSG:4326" (for messages). */
    std::string describe() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

/** "lon -51.2549 to -51.1401, lat -30.1096 to -29.9976" */
std::string describe_lonlat_box(const Box& box);

}  // namespace lifecircle::io
