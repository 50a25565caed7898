#pragma once
/**
 * Coordinate reference systems through PROJ: choosing a metric work CRS, transforming points
 * and describing a CRS as WKT. PROJ headers stay inside io/crs.cpp.
 */

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace lifecircle::io {

namespace detail {
struct ProjState;
}  // namespace detail

/** WGS 84 longitude/latitude as a PROJ string: the same CRS as EPSG:4326 with x = longitude,
    but PROJ builds it without opening its database. */
inline constexpr const char* wgs84_lonlat_proj = "+proj=longlat +datum=WGS84 +no_defs +type=crs";

/**
 * Picks the WGS 84 / UTM zone for a longitude and latitude: "EPSG:326zz" in the northern
 * hemisphere (latitude >= 0), "EPSG:327zz" in the southern. Plain 6-degree zones (no
 * Norway/Svalbard exceptions: the plain zone has the smaller scale error there). Throws
 * InputError for non-finite or out-of-range values.
 */
std::string utm_crs_for(double lon, double lat);

/**
 * A coordinate transformation between two CRSs, each given as anything PROJ accepts
 * ("EPSG:4527", WKT1 including ESRI's dialect, WKT2, PROJ strings). A bare number is read as
 * an EPSG code and a PROJ string without "+type=crs" gets it added. Axis order is always
 * x = easting/longitude, y = northing/latitude, whatever the CRS definition says.
 *
 * Each object owns its PROJ context. PROJ keeps per-object state, so calls on one object are
 * serialised by a mutex: sharing one object between threads is safe but not parallel; give
 * each thread its own for throughput. Movable (a moved-from object may only be destroyed or
 * assigned), not copyable.
 */
class Transformer {
public:
    /** Throws InputError naming the CRS text when PROJ rejects it or no transformation exists. */
    Transformer(const std::string& from, const std::string& to);
    ~Transformer();
    Transformer(Transformer&&) noexcept;
    Transformer& operator=(Transformer&&) noexcept;
    Transformer(const Transformer&) = delete;
    Transformer& operator=(const Transformer&) = delete;

    /**
     * Transforms from the source to the target CRS; throws InputError if the point can't be.
     * A missing point (NaN or infinite coordinate) stays missing: it comes back as {NaN, NaN}.
     */
    Point forward(Point p) const;
    /** Transforms from the target back to the source CRS, like forward(). */
    Point inverse(Point p) const;
    /**
     * Transforms points in place from the source to the target CRS. Missing points come back
     * as {NaN, NaN}; throws InputError naming the first finite point that cannot be
     * transformed (the vector is then partly transformed).
     */
    void forward(std::vector<Point>& points) const;
    /** The same for a span (for example one thread's part of a larger array). */
    void forward(std::span<Point> points) const;

    /** Whether the source CRS is geographic (coordinates are longitude/latitude in degrees). */
    bool source_is_geographic() const;
    /** Whether the target CRS is geographic. */
    bool target_is_geographic() const;
    /** The source CRS text as given to the constructor. */
    const std::string& source() const;
    /** The target CRS text as given to the constructor. */
    const std::string& target() const;

private:
    Point transform(Point p, bool forward) const;

    std::unique_ptr<detail::ProjState> m_state;
    std::string m_source;
    std::string m_target;
    bool m_source_geographic = false;
    bool m_target_geographic = false;
};

/** True when the CRS text names a geographic (longitude/latitude) CRS; throws InputError if
    PROJ does not understand the text. */
bool is_geographic(const std::string& crs);

/** True when the CRS is projected with axes in metres, i.e. usable as a work CRS; throws
    InputError if PROJ does not understand the text. */
bool is_projected_metric(const std::string& crs);

/**
 * The largest distance distortion of a projected CRS over a WGS 84 longitude/latitude box:
 * max |k - 1| of the meridional and parallel scale factors at the four corners and the
 * centre (0.0004 = 0.04%, the UTM central meridian), measured by projecting 0.001-degree steps
 * and comparing them with their lengths on the WGS 84 ellipsoid. Throws InputError if PROJ
 * does not understand the text or the CRS is not projected in metres.
 */
double scale_error(const std::string& crs, const Box& lonlat_box);

/** Largest scale error (fraction) accepted for a work CRS: 0.5%, 5 m on a 1 km walk. */
inline constexpr double max_work_crs_scale_error = 0.005;

/**
 * Checks that `crs` can serve as the work CRS for data inside `lonlat_box`: projected in
 * metres and with scale_error() at most max_work_crs_scale_error. Throws UsageError naming
 * the CRS, the distortion ("EPSG:3857 distorts distances by 33.6% at this latitude") and
 * suggesting the UTM zone of the box's centre or a Gauss-Krüger zone. An empty box checks
 * the kind of CRS only.
 */
void check_work_crs(const std::string& crs, const Box& lonlat_box);

/** The CRS as WKT2 (2019 dialect), for writing into outputs; throws InputError if PROJ does
    not understand the text. */
std::string crs_to_wkt(const std::string& crs);

}  // namespace lifecircle::io
