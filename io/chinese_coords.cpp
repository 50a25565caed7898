#include "io/chinese_coords.hpp"

#include <cmath>
#include <numbers>

namespace lifecircle::io {

namespace {

constexpr double pi = std::numbers::pi;
constexpr double krasovsky_a = 6378245.0;
constexpr double krasovsky_ee = 0.00669342162296594323;
constexpr double x_pi = pi * 3000.0 / 180.0;

/** Fixed-point iterations stop when the step is below this (degrees, about 0.01 mm). */
constexpr double inverse_tolerance = 1e-10;
/** The shifts are contractions with factor ~1e-4, so 3-4 iterations suffice; this is a guard. */
constexpr int max_iterations = 50;

double shift_lat(double x, double y) {
    double ret =
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
    ret += (20.0 * std::sin(6.0 * x * pi) + 20.0 * std::sin(2.0 * x * pi)) * 2.0 / 3.0;
    ret += (20.0 * std::sin(y * pi) + 40.0 * std::sin(y / 3.0 * pi)) * 2.0 / 3.0;
    ret += (160.0 * std::sin(y / 12.0 * pi) + 320.0 * std::sin(y * pi / 30.0)) * 2.0 / 3.0;
    return ret;
}

double shift_lon(double x, double y) {
    double ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
    ret += (20.0 * std::sin(6.0 * x * pi) + 20.0 * std::sin(2.0 * x * pi)) * 2.0 / 3.0;
    ret += (20.0 * std::sin(x * pi) + 40.0 * std::sin(x / 3.0 * pi)) * 2.0 / 3.0;
    ret += (150.0 * std::sin(x / 12.0 * pi) + 300.0 * std::sin(x / 30.0 * pi)) * 2.0 / 3.0;
    return ret;
}

/** The GCJ-02 forward shift without the China box test. */
LonLat gcj02_shift(LonLat p) {
    double dlat = shift_lat(p.lon - 105.0, p.lat - 35.0);
    double dlon = shift_lon(p.lon - 105.0, p.lat - 35.0);
    const double radlat = p.lat / 180.0 * pi;
    double magic = std::sin(radlat);
    magic = 1.0 - krasovsky_ee * magic * magic;
    const double sqrtmagic = std::sqrt(magic);
    dlat = (dlat * 180.0) / ((krasovsky_a * (1.0 - krasovsky_ee)) / (magic * sqrtmagic) * pi);
    dlon = (dlon * 180.0) / (krasovsky_a / sqrtmagic * std::cos(radlat) * pi);
    return {p.lon + dlon, p.lat + dlat};
}

/**
 * Solves forward(x) = target for x by fixed-point iteration x += target - forward(x). Both
 * shifts are close to translations (their Jacobians differ from the identity by ~1e-4), so
 * the iteration converges fast; starting from the target is already within the shift size.
 */
template <typename Forward>
LonLat invert(LonLat target, Forward forward) {
    LonLat x = target;
    for (int i = 0; i < max_iterations; ++i) {
        const LonLat y = forward(x);
        const double dlon = target.lon - y.lon;
        const double dlat = target.lat - y.lat;
        x.lon += dlon;
        x.lat += dlat;
        // Written so that NaN input stops the loop at once.
        if (!(std::abs(dlon) > inverse_tolerance || std::abs(dlat) > inverse_tolerance)) break;
    }
    return x;
}

}  // namespace

bool inside_china(LonLat p) {
    return p.lon >= 72.004 && p.lon <= 137.8347 && p.lat >= 0.8293 && p.lat <= 55.8271;
}

LonLat wgs84_to_gcj02(LonLat p) {
    if (!inside_china(p)) return p;
    return gcj02_shift(p);
}

LonLat gcj02_to_wgs84(LonLat p) {
    if (!inside_china(p)) return p;
    return invert(p, gcj02_shift);
}

LonLat gcj02_to_bd09(LonLat p) {
    const double z = std::sqrt(p.lon * p.lon + p.lat * p.lat) + 0.00002 * std::sin(p.lat * x_pi);
    const double theta = std::atan2(p.lat, p.lon) + 0.000003 * std::cos(p.lon * x_pi);
    return {z * std::cos(theta) + 0.0065, z * std::sin(theta) + 0.006};
}

LonLat bd09_to_gcj02(LonLat p) {
    // The published one-step inverse is off by about 1e-6 degrees; iterating on the exact
    // forward formula removes that error.
    return invert(p, gcj02_to_bd09);
}

LonLat bd09_to_wgs84(LonLat p) { return gcj02_to_wgs84(bd09_to_gcj02(p)); }

LonLat wgs84_to_bd09(LonLat p) { return gcj02_to_bd09(wgs84_to_gcj02(p)); }

}  // namespace lifecircle::io
