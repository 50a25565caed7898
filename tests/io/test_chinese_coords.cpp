#include <cmath>
#include <numbers>
#include <random>

#include <catch2/catch.hpp>

#include "io/chinese_coords.hpp"
#include "tests/geo.hpp"

using lifecircle::io::bd09_to_gcj02;
using lifecircle::io::bd09_to_wgs84;
using lifecircle::io::gcj02_to_bd09;
using lifecircle::io::gcj02_to_wgs84;
using lifecircle::io::inside_china;
using lifecircle::io::LonLat;
using lifecircle::io::wgs84_to_bd09;
using lifecircle::io::wgs84_to_gcj02;

namespace {

/** Great-circle distance in metres between two lon/lat points. */
double distance_m(LonLat a, LonLat b) { return lifecircle::test::haversine_m(a.lon, a.lat, b.lon, b.lat); }

void check_close(LonLat got, LonLat expected, double tolerance) {
    INFO("got " << got.lon << ", " << got.lat << " expected " << expected.lon << ", "
                << expected.lat);
    CHECK(std::abs(got.lon - expected.lon) < tolerance);
    CHECK(std::abs(got.lat - expected.lat) < tolerance);
}

}  // namespace

TEST_CASE("WGS 84 to GCJ-02 matches published pairs", "[chinese_coords]") {
    // Test pairs of googollee/eviltransform (go/transform_test.go), given there as lat, lng.
    check_close(wgs84_to_gcj02({121.5272106, 31.1774276}), {121.531541859215, 31.17530398364597},
                1e-9);
    check_close(wgs84_to_gcj02({113.912316, 22.543847}), {113.9171764808363, 22.540796131694766},
                1e-9);
    check_close(wgs84_to_gcj02({116.377817, 39.911954}), {116.38404722455657, 39.91334545536069},
                1e-9);
    // hujiulong/gcoord unit tests (test/unit/crs/*.spec.ts), checked there to 5 decimals.
    check_close(wgs84_to_gcj02({123.0, 45.0}), {123.00607541, 45.00197815}, 1e-7);
    check_close(gcj02_to_bd09({123.0, 45.0}), {123.00636499, 45.00636899}, 1e-7);
    check_close(wgs84_to_bd09({123.0, 45.0}), {123.0124491, 45.0083293}, 1e-6);
    // gcoord's inverses use the one-step approximations, good to ~1e-6 degrees.
    check_close(gcj02_to_wgs84({123.0, 45.0}), {122.99395597, 44.99804071}, 2e-6);
    check_close(bd09_to_gcj02({123.0, 45.0}), {122.99363304, 44.99365430}, 2e-6);
    check_close(bd09_to_wgs84({123.0, 45.0}), {122.98762210, 44.99171540}, 2e-6);
}

TEST_CASE("GCJ-02 offset at Tiananmen is a few hundred metres north-east", "[chinese_coords]") {
    const LonLat wgs{116.397128, 39.916527};
    const LonLat gcj = wgs84_to_gcj02(wgs);
    CHECK(gcj.lon - wgs.lon == Approx(0.0062).margin(0.0005));
    CHECK(gcj.lat - wgs.lat == Approx(0.0014).margin(0.0005));
    const double offset = distance_m(wgs, gcj);
    CHECK(offset > 100.0);
    CHECK(offset < 700.0);
    // BD-09 adds roughly another 0.0065 / 0.006 degrees on top.
    const LonLat bd = gcj02_to_bd09(gcj);
    CHECK(bd.lon - gcj.lon == Approx(0.0065).margin(0.0005));
    CHECK(bd.lat - gcj.lat == Approx(0.006).margin(0.0005));
}

TEST_CASE("GCJ-02 and BD-09 round trips are exact", "[chinese_coords]") {
    std::mt19937 random(20240601);
    std::uniform_real_distribution<double> lon(73.0, 135.0);
    std::uniform_real_distribution<double> lat(18.0, 53.0);
    for (int i = 0; i < 1000; ++i) {
        const LonLat wgs{lon(random), lat(random)};
        INFO("WGS 84 " << wgs.lon << ", " << wgs.lat);
        check_close(gcj02_to_wgs84(wgs84_to_gcj02(wgs)), wgs, 1e-8);
        check_close(bd09_to_wgs84(wgs84_to_bd09(wgs)), wgs, 1e-8);
        // And the other way: a GCJ-02 or BD-09 coordinate read from a web map.
        check_close(wgs84_to_gcj02(gcj02_to_wgs84(wgs)), wgs, 1e-8);
        check_close(gcj02_to_bd09(bd09_to_gcj02(wgs)), wgs, 1e-8);
    }
}

TEST_CASE("Outside China GCJ-02 is WGS 84", "[chinese_coords]") {
    CHECK_FALSE(inside_china({-8.61, 41.15}));   // Porto
    CHECK_FALSE(inside_china({139.69, 35.69}));  // Tokyo
    CHECK_FALSE(inside_china({116.4, -30.0}));
    CHECK(inside_china({116.4, 39.9}));
    CHECK(inside_china({121.47, 31.23}));
    const LonLat porto{-8.61, 41.15};
    CHECK(wgs84_to_gcj02(porto) == porto);
    CHECK(gcj02_to_wgs84(porto) == porto);
    // BD-09 is a shift of GCJ-02 everywhere, so it still round-trips.
    check_close(bd09_to_wgs84(wgs84_to_bd09(porto)), porto, 1e-9);
}

TEST_CASE("Chinese coordinate shifts pass NaN through", "[chinese_coords]") {
    const LonLat nan{std::nan(""), 39.9};
    CHECK(std::isnan(gcj02_to_wgs84(nan).lon));
    CHECK(std::isnan(bd09_to_wgs84({116.4, std::nan("")}).lat));
}
