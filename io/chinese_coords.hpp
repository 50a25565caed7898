#pragma once
/**
 * The shifted coordinate systems of Chinese web maps and geocoders:
 *  - GCJ-02 ("Mars coordinates"): Amap/Gaode, Tencent, Apple and Google maps inside China;
 *  - BD-09: Baidu, a second shift applied on top of GCJ-02.
 * Both are longitude/latitude in degrees, offset from WGS 84 by a few hundred metres in a
 * way that varies smoothly with position. Outside mainland China (the usual rough box test,
 * see inside_china()) GCJ-02 equals WGS 84; BD-09 is shifted everywhere.
 *
 * The forward formulas are the well-known public ones (Krasovsky 1940 ellipsoid,
 * a = 6378245 m, e² = 0.00669342162296594323; BD-09 with x_pi = pi * 3000 / 180). The
 * inverses are computed by fixed-point iteration to better than 1e-9 degrees (about 0.1 mm),
 * not by the usual one-step approximation that is off by up to a few metres.
 */

namespace lifecircle::io {

/** A longitude/latitude pair in degrees. */
struct LonLat {
    double lon = 0.0;
    double lat = 0.0;
    friend bool operator==(const LonLat&, const LonLat&) = default;
};

/**
 * Whether the point lies in the rough box around China (longitude 72.004..137.8347,
 * latitude 0.8293..55.8271) used by every GCJ-02 implementation; outside it GCJ-02 is
 * WGS 84. The box also holds parts of neighbouring countries, as in the reference code.
 */
bool inside_china(LonLat p);

/** WGS 84 to GCJ-02; unchanged outside China (see inside_china()). */
LonLat wgs84_to_gcj02(LonLat p);
/** GCJ-02 to WGS 84, the exact inverse of wgs84_to_gcj02() (iterated to < 1e-9 degrees). */
LonLat gcj02_to_wgs84(LonLat p);
/** GCJ-02 to BD-09 (Baidu). */
LonLat gcj02_to_bd09(LonLat p);
/** BD-09 (Baidu) to GCJ-02, the exact inverse of gcj02_to_bd09() (iterated). */
LonLat bd09_to_gcj02(LonLat p);
/** BD-09 (Baidu) to WGS 84. */
LonLat bd09_to_wgs84(LonLat p);
/** WGS 84 to BD-09 (Baidu). */
LonLat wgs84_to_bd09(LonLat p);

}  // namespace lifecircle::io
