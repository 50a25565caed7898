#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "io/crs.hpp"

using lifecircle::InputError;
using lifecircle::Point;
using lifecircle::io::crs_to_wkt;
using lifecircle::io::is_geographic;
using lifecircle::io::is_projected_metric;
using lifecircle::io::Transformer;
using lifecircle::io::utm_crs_for;

namespace {

// A point on Xueqing Road, Haidian, in CGCS2000 / 3-degree GK zone 39 (zone number in the
// false easting), as the bureau's road layer stores it.
constexpr Point haidian_gk39{39444187.9223525, 4429699.54062116};

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("utm_crs_for picks the zone and hemisphere", "[crs]") {
    CHECK(utm_crs_for(-8.6, 41.15) == "EPSG:32629");   // Porto
    CHECK(utm_crs_for(116.3, 39.9) == "EPSG:32650");   // Beijing
    CHECK(utm_crs_for(-51.2, -30.0) == "EPSG:32722");  // Porto Alegre
    CHECK(utm_crs_for(-180.0, 10.0) == "EPSG:32601");
    CHECK(utm_crs_for(179.999, 10.0) == "EPSG:32660");
    CHECK(utm_crs_for(180.0, 10.0) == "EPSG:32601");  // 180 E is 180 W
    CHECK(utm_crs_for(3.0, 0.0) == "EPSG:32631");     // the equator counts as north
    CHECK(utm_crs_for(5.99, 60.0) == "EPSG:32631");   // no Norway exception
    REQUIRE_THROWS_AS(utm_crs_for(std::nan(""), 10.0), InputError);
    REQUIRE_THROWS_WITH(utm_crs_for(10.0, 95.0), Catch::Contains("latitude 95"));
}

TEST_CASE("Transformer round trip WGS 84 <-> UTM 50N", "[crs]") {
    const Transformer t("EPSG:4326", "EPSG:32650");
    CHECK(t.source_is_geographic());
    CHECK_FALSE(t.target_is_geographic());
    CHECK(t.source() == "EPSG:4326");
    CHECK(t.target() == "EPSG:32650");

    // Longitude first even though EPSG:4326 is defined latitude first.
    const Point utm = t.forward({117.0, 40.0});
    CHECK(utm.x == Approx(500000.0).margin(0.01));  // central meridian of zone 50
    CHECK(utm.y == Approx(4427757.22).margin(1.0));

    const Point back = t.inverse(utm);
    CHECK(back.x == Approx(117.0).margin(1e-9));
    CHECK(back.y == Approx(40.0).margin(1e-9));

    const Point p{116.3, 39.9};
    const Point q = t.inverse(t.forward(p));
    CHECK(q.x == Approx(p.x).margin(1e-9));
    CHECK(q.y == Approx(p.y).margin(1e-9));
}

TEST_CASE("Transformer: CGCS2000 3-degree Gauss-Kruger zone 39 to WGS 84", "[crs]") {
    const Transformer t("EPSG:4527", "EPSG:4326");
    CHECK_FALSE(t.source_is_geographic());
    CHECK(t.target_is_geographic());
    const Point lonlat = t.forward(haidian_gk39);
    CHECK(lonlat.x == Approx(116.346).margin(0.01));
    CHECK(lonlat.y == Approx(40.0).margin(0.01));

    const Point back = t.inverse(lonlat);
    CHECK(back.x == Approx(haidian_gk39.x).margin(1e-4));
    CHECK(back.y == Approx(haidian_gk39.y).margin(1e-4));

    // GK zone 39 and UTM 50N are both transverse Mercator on (nearly) the same ellipsoid with
    // the same central meridian: only the false easting and the scale factor differ.
    const Transformer to_utm("EPSG:4527", "EPSG:32650");
    const Point utm = to_utm.forward(haidian_gk39);
    CHECK(utm.x == Approx(500000.0 + (haidian_gk39.x - 39500000.0) * 0.9996).margin(0.5));
    CHECK(utm.y == Approx(haidian_gk39.y * 0.9996).margin(0.5));
}

TEST_CASE("Transformer: CGCS2000 geographic and bare EPSG numbers", "[crs]") {
    const Transformer t("4490", "EPSG:4527");
    CHECK(t.source_is_geographic());
    const Point gk = t.forward({117.0, 40.0});
    CHECK(gk.x == Approx(39500000.0).margin(0.01));
    CHECK(gk.y == Approx(4429000.0).margin(2000.0));
}

TEST_CASE("Transformer reads the bureau's ESRI-style WKT", "[crs]") {
    const std::filesystem::path prj =
        std::filesystem::path(LIFECIRCLE_SHARED_DATA) / "bureau" / "haidian_roads.prj";
    if (!std::filesystem::exists(prj)) {
        WARN("skipped: " << prj << " is absent");
        return;
    }
    const std::string wkt = read_text(prj);
    REQUIRE(wkt.find("Gauss_Kruger") != std::string::npos);
    CHECK_FALSE(is_geographic(wkt));

    const Transformer esri(wkt, "EPSG:4326");
    const Transformer epsg("EPSG:4527", "EPSG:4326");
    const Point a = esri.forward(haidian_gk39);
    const Point b = epsg.forward(haidian_gk39);
    CHECK(a.x == Approx(b.x).margin(1e-7));
    CHECK(a.y == Approx(b.y).margin(1e-7));

    const std::string wkt2 = crs_to_wkt(wkt);
    CHECK(wkt2.find("PROJCRS") != std::string::npos);
    CHECK(wkt2.find("39500000") != std::string::npos);
}

TEST_CASE("Transformer batch forward matches single points", "[crs]") {
    const Transformer t("EPSG:4527", "EPSG:32650");
    std::vector<Point> points{haidian_gk39, {39445000.0, 4430000.0}, {39443200.0, 4428400.0}};
    const std::vector<Point> original = points;
    t.forward(points);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const Point single = t.forward(original[i]);
        CHECK(points[i].x == Approx(single.x).margin(1e-6));
        CHECK(points[i].y == Approx(single.y).margin(1e-6));
    }
    std::vector<Point> empty;
    t.forward(empty);
    CHECK(empty.empty());
}

TEST_CASE("Transformer is movable", "[crs]") {
    Transformer a("EPSG:4326", "EPSG:32650");
    Transformer b(std::move(a));
    CHECK(b.forward({117.0, 40.0}).x == Approx(500000.0).margin(0.01));
    Transformer c("EPSG:4326", "EPSG:3857");
    c = std::move(b);
    CHECK(c.target() == "EPSG:32650");
    CHECK(c.forward({117.0, 40.0}).x == Approx(500000.0).margin(0.01));
}

TEST_CASE("Transformer accepts PROJ strings", "[crs]") {
    const Transformer t("+proj=longlat +datum=WGS84 +no_defs", "+proj=utm +zone=50 +datum=WGS84");
    CHECK(t.source_is_geographic());
    CHECK(t.forward({117.0, 40.0}).x == Approx(500000.0).margin(0.01));
}

TEST_CASE("is_geographic and crs_to_wkt", "[crs]") {
    CHECK(is_geographic("EPSG:4326"));
    CHECK(is_geographic("EPSG:4490"));
    CHECK(is_geographic("+proj=longlat +ellps=GRS80"));
    CHECK_FALSE(is_geographic("EPSG:4527"));
    CHECK_FALSE(is_geographic("EPSG:32650"));
    CHECK_FALSE(is_geographic("EPSG:3857"));

    CHECK(is_projected_metric("EPSG:32650"));
    CHECK(is_projected_metric("EPSG:4527"));
    CHECK(is_projected_metric("EPSG:3857"));
    CHECK_FALSE(is_projected_metric("EPSG:4326"));
    CHECK_FALSE(is_projected_metric("EPSG:2263"));  // New York Long Island, US survey feet
    CHECK_FALSE(is_projected_metric("EPSG:4978"));  // geocentric

    const std::string wkt = crs_to_wkt("EPSG:4527");
    CHECK(wkt.find("PROJCRS[\"CGCS2000 / 3-degree Gauss-Kruger zone 39\"") != std::string::npos);
    CHECK(wkt.find("ID[\"EPSG\",4527]") != std::string::npos);
    // WKT2 round trips through PROJ.
    CHECK_FALSE(is_geographic(wkt));
}

TEST_CASE("bad CRS text is named in the error", "[crs]") {
    REQUIRE_THROWS_AS(Transformer("EPSG:99999", "EPSG:4326"), InputError);
    REQUIRE_THROWS_WITH(Transformer("EPSG:99999", "EPSG:4326"),
                        Catch::Contains("cannot understand the coordinate reference system "
                                        "'EPSG:99999'"));
    REQUIRE_THROWS_WITH(
        Transformer("EPSG:4326", "not a crs at all"),
        Catch::Contains("'not a crs at all'") && Catch::Contains("give an EPSG code"));
    REQUIRE_THROWS_WITH(Transformer("", "EPSG:4326"), Catch::Contains("is empty"));
    REQUIRE_THROWS_WITH(is_geographic("EPSG:bogus"), Catch::Contains("'EPSG:bogus'"));
    REQUIRE_THROWS_WITH(crs_to_wkt("+proj=nonsense"), Catch::Contains("'+proj=nonsense'"));
    // A coordinate operation is not a CRS.
    REQUIRE_THROWS_WITH(Transformer("urn:ogc:def:coordinateOperation:EPSG::1671", "EPSG:4326"),
                        Catch::Contains("is not a coordinate reference system"));
}

TEST_CASE("a point that cannot be transformed is named in the error", "[crs]") {
    const Transformer t("EPSG:4326", "EPSG:32650");
    REQUIRE_THROWS_WITH(t.forward(Point{116.0, 95.0}),
                        Catch::Contains("coordinate (116, 95) cannot be transformed from "
                                        "'EPSG:4326' to 'EPSG:32650'"));
    std::vector<Point> points{{116.0, 40.0}, {116.0, 95.0}};
    REQUIRE_THROWS_WITH(t.forward(points), Catch::Contains("coordinate (116, 95)"));
}

TEST_CASE("missing points stay missing", "[crs]") {
    const Transformer t("EPSG:4326", "EPSG:32650");
    const double nan = std::nan("");
    const Point single = t.forward(Point{nan, 40.0});
    CHECK(std::isnan(single.x));
    CHECK(std::isnan(single.y));
    CHECK(std::isnan(t.inverse(Point{500000.0, HUGE_VAL}).x));
    std::vector<Point> points{{117.0, 40.0}, {nan, nan}, {117.0, 40.0}};
    t.forward(points);
    CHECK(points[0].x == Approx(500000.0).margin(0.01));
    CHECK(std::isnan(points[1].x));
    CHECK(std::isnan(points[1].y));
    CHECK(points[2].x == Approx(500000.0).margin(0.01));
}
