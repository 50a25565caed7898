#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "io/chinese_coords.hpp"
#include "io/points.hpp"
#include "tests/geo.hpp"
#include "tests/temp_dir.hpp"

using lifecircle::InputError;
using lifecircle::io::PointLayer;
using lifecircle::io::PointReadOptions;
using lifecircle::io::read_points;
using lifecircle::test::TempDir;

using lifecircle::test::haversine_m;
using lifecircle::test::inside_ring;

namespace {

std::string feature_collection(const std::string& features) {
    return R"({"type":"FeatureCollection","features":[)" + features + "]}";
}

std::string point_feature(const std::string& properties, double lon, double lat) {
    return R"({"type":"Feature","properties":{)" + properties +
           R"(},"geometry":{"type":"Point","coordinates":[)" + std::to_string(lon) + "," +
           std::to_string(lat) + "]}}";
}

/** Catches the InputError read_points throws so its parts can be checked. */
InputError read_error(const std::string& path, const PointReadOptions& options = {}) {
    try {
        read_points(path, options);
    } catch (const InputError& e) {
        return e;
    }
    FAIL("read_points did not throw for " << path);
    return InputError("unreachable");
}

}  // namespace

TEST_CASE("read_points reads a GeoJSON point layer with all fields", "[points]") {
    const TempDir dir{"lifecircle_points"};
    const std::string path = dir.write(
        "clinics.geojson",
        feature_collection(
            point_feature(
                R"("id":"c1","name":"North clinic","kind":"clinic","beds":"12","cut":15,"wait":2.5)",
                -8.61, 41.15) +
            "," +
            point_feature(
                R"("id":"c2","name":"South clinic","kind":"hospital","beds":null,"cut":10,"wait":0)",
                -8.62, 41.14)));
    PointReadOptions options;
    options.type_field = "kind";
    options.capacity_field = "beds";
    options.cutoff_field = "cut";
    options.delay_field = "wait";
    const PointLayer layer = read_points(path, options);
    CHECK(layer.layer_name == "clinics");
    REQUIRE(layer.points.size() == 2);
    const auto& a = layer.points[0];
    CHECK(a.id == "c1");
    CHECK(a.name == "North clinic");
    CHECK(a.type == "clinic");
    CHECK(a.capacity == 12.0);
    CHECK(a.cutoff_minutes == 15.0);
    CHECK(a.delay_minutes == 2.5);
    CHECK(a.lon == Approx(-8.61).margin(1e-9));
    CHECK(a.lat == Approx(41.15).margin(1e-9));
    CHECK(a.boundary_lonlat.empty());
    CHECK(a.fid == 0);
    const auto& b = layer.points[1];
    CHECK(b.id == "c2");
    CHECK(std::isnan(b.capacity));  // null is "not given", not an error
    CHECK(b.delay_minutes == 0.0);
    CHECK(layer.notes.empty());
}

TEST_CASE("read_points falls back to the FID when there is no id field", "[points]") {
    const TempDir dir{"lifecircle_points"};
    const std::string path = dir.write("kg.csv", "lng,LAT,name\n116.30,39.99,A\n116.31,39.98,B\n");
    const PointLayer layer = read_points(path);
    REQUIRE(layer.points.size() == 2);
    CHECK(layer.points[0].id == std::to_string(layer.points[0].fid));
    CHECK(layer.points[1].id == std::to_string(layer.points[1].fid));
    CHECK(layer.points[0].id != layer.points[1].id);
    CHECK(layer.points[1].name == "B");
    CHECK(layer.points[1].lon == Approx(116.31).margin(1e-12));
    CHECK(layer.source_crs == "EPSG:4326");
}

TEST_CASE("read_points reads Chinese CSV columns, with BOM or in GBK", "[points]") {
    const TempDir dir{"lifecircle_points"};
    // Excel's "CSV UTF-8" starts with a byte order mark.
    const std::string utf8 = dir.write("utf8.csv",
                                       "\xEF\xBB\xBF"
                                       "id,名称,经度,纬度,床位\n"
                                       "A01,海淀社区卫生服务中心,116.3017,39.9836,30\n");
    PointReadOptions options;
    options.capacity_field = "床位";
    const PointLayer a = read_points(utf8, options);
    REQUIRE(a.points.size() == 1);
    CHECK(a.points[0].id == "A01");
    CHECK(a.points[0].name == "海淀社区卫生服务中心");
    CHECK(a.points[0].capacity == 30.0);
    CHECK(a.points[0].lon == Approx(116.3017).margin(1e-12));
    CHECK(a.points[0].lat == Approx(39.9836).margin(1e-12));

    // The same table as Excel saves it on Chinese Windows: GBK (CP936) bytes.
    const std::string gbk =
        dir.write("gbk.csv",
                  "id,\xC3\xFB\xB3\xC6,\xBE\xAD\xB6\xC8,\xCE\xB3\xB6\xC8\n"  // id,名称,经度,纬度
                  "B02,\xD3\xD7\xB6\xF9\xD4\xB0,116.31,39.98\n");            // 幼儿园
    const PointLayer b = read_points(gbk);
    REQUIRE(b.points.size() == 1);
    CHECK(b.points[0].name == "幼儿园");
    CHECK(b.points[0].lon == Approx(116.31).margin(1e-12));
}

TEST_CASE("read_points reads a CSV with a WKT column, points and polygons", "[points]") {
    const TempDir dir{"lifecircle_points"};
    const std::string path = dir.write("wkt.csv",
                                       "id,geometry,name\n"
                                       "p,\"POINT (116.30 39.99)\",point\n"
                                       "q,\"POLYGON ((116.30 39.99,116.31 39.99,116.31 "
                                       "40.00,116.30 40.00,116.30 39.99))\",square\n");
    const PointLayer layer = read_points(path);
    REQUIRE(layer.points.size() == 2);
    CHECK(layer.points[0].lon == Approx(116.30).margin(1e-12));
    CHECK(layer.points[1].lon > 116.30);
    CHECK(layer.points[1].lon < 116.31);
    CHECK(layer.points[1].lat > 39.99);
    CHECK(layer.points[1].lat < 40.00);
}

TEST_CASE("read_points converts GCJ-02 and BD-09 coordinates to WGS 84", "[points]") {
    const TempDir dir{"lifecircle_points"};
    // googollee/eviltransform's Beijing test pair: WGS 84 (116.377817, 39.911954) is GCJ-02
    // (116.38404722455657, 39.91334545536069).
    const std::string gcj = dir.write("gcj.csv",
                                      "id,lon,lat\n"
                                      "bj,116.38404722455657,39.91334545536069\n");
    PointReadOptions options;
    options.input_crs = "gcj02";
    const PointLayer a = read_points(gcj, options);
    REQUIRE(a.points.size() == 1);
    CHECK(a.source_crs == "gcj02");
    CHECK(std::abs(a.points[0].lon - 116.377817) < 1e-6);
    CHECK(std::abs(a.points[0].lat - 39.911954) < 1e-6);

    // Baidu: the test writes the BD-09 coordinate of the same place.
    const lifecircle::io::LonLat bd = lifecircle::io::wgs84_to_bd09({116.377817, 39.911954});
    const std::string bd_csv = dir.write(
        "bd.csv", "id,x,y\nbj," + std::to_string(bd.lon) + "," + std::to_string(bd.lat) + "\n");
    options.input_crs = "BD-09";
    const PointLayer b = read_points(bd_csv, options);
    REQUIRE(b.points.size() == 1);
    CHECK(b.source_crs == "bd09");
    // std::to_string keeps 6 decimals, so the round trip is good to ~1e-6 degrees.
    CHECK(std::abs(b.points[0].lon - 116.377817) < 2e-6);
    CHECK(std::abs(b.points[0].lat - 39.911954) < 2e-6);

    // Without the override the same file is taken as WGS 84.
    const PointLayer c = read_points(gcj);
    CHECK(c.points[0].lon == Approx(116.38404722455657).margin(1e-12));
}

TEST_CASE("read_points transforms a projected GeoPackage layer", "[points]") {
    const TempDir dir{"lifecircle_points"};
    const std::string path = dir.file("facilities.gpkg");
    {
        GDALAllRegister();
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
        REQUIRE(driver != nullptr);
        GDALDatasetUniquePtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        REQUIRE(ds);
        OGRSpatialReference utm;
        utm.importFromEPSG(32650);
        OGRLayer* layer = ds->CreateLayer("care_homes", &utm, wkbPoint, nullptr);
        REQUIRE(layer != nullptr);
        OGRFieldDefn code("code", OFTString);
        REQUIRE(layer->CreateField(&code) == OGRERR_NONE);
        OGRFieldDefn beds("beds", OFTInteger);
        REQUIRE(layer->CreateField(&beds) == OGRERR_NONE);
        OGRFeature feature(layer->GetLayerDefn());
        feature.SetField("code", "H1");
        feature.SetField("beds", 120);
        OGRPoint point(500000.0, 4427757.22);  // about (117, 40)
        feature.SetGeometry(&point);
        REQUIRE(layer->CreateFeature(&feature) == OGRERR_NONE);
        // A second layer so that the layer option matters.
        REQUIRE(ds->CreateLayer("other", &utm, wkbPoint, nullptr) != nullptr);
    }
    PointReadOptions options;
    options.layer = "care_homes";
    options.id_field = "code";
    options.capacity_field = "beds";
    const PointLayer layer = read_points(path, options);
    CHECK(layer.layer_name == "care_homes");
    CHECK(layer.source_crs == "EPSG:32650");
    REQUIRE(layer.points.size() == 1);
    CHECK(layer.points[0].id == "H1");
    CHECK(layer.points[0].capacity == 120.0);
    CHECK(layer.points[0].lon == Approx(117.0).margin(1e-7));
    CHECK(layer.points[0].lat == Approx(40.0).margin(1e-7));

    options.layer = "missing";
    const InputError e = read_error(path, options);
    CHECK_THAT(std::string(e.what()),
               Catch::Contains("no layer 'missing'") && Catch::Contains("care_homes, other"));
}

TEST_CASE("read_points gives a point inside a polygon and its outline as entrances", "[points]") {
    const TempDir dir{"lifecircle_points"};
    // A U-shaped building (about 200 m wide): its centroid lies in the courtyard, outside.
    const std::string u_shape =
        R"({"type":"Feature","properties":{"id":"u","name":"U"},"geometry":{"type":"Polygon","coordinates":[[)"
        R"([116.300,39.990],[116.3024,39.990],[116.3024,39.9918],[116.3018,39.9918],[116.3018,39.9906],)"
        R"([116.3006,39.9906],[116.3006,39.9918],[116.300,39.9918],[116.300,39.990]]]}})";
    const std::string path = dir.write("homes.geojson", feature_collection(u_shape));
    const std::vector<std::pair<double, double>> ring{
        {116.300, 39.990},   {116.3024, 39.990},  {116.3024, 39.9918},
        {116.3018, 39.9918}, {116.3018, 39.9906}, {116.3006, 39.9906},
        {116.3006, 39.9918}, {116.300, 39.9918},  {116.300, 39.990}};
    CHECK_FALSE(inside_ring(ring, 116.3012, 39.9912));  // the courtyard

    PointReadOptions options;
    const PointLayer plain = read_points(path, options);
    REQUIRE(plain.points.size() == 1);
    CHECK(inside_ring(ring, plain.points[0].lon, plain.points[0].lat));
    CHECK(plain.points[0].boundary_lonlat.empty());

    options.entrances = true;
    const PointLayer with = read_points(path, options);
    const auto& boundary = with.points[0].boundary_lonlat;
    REQUIRE(boundary.size() > ring.size());
    CHECK(boundary.front() == boundary.back());
    for (const auto& vertex : ring) {
        CHECK(std::find(boundary.begin(), boundary.end(), vertex) != boundary.end());
    }
    double longest = 0.0;
    for (std::size_t i = 1; i < boundary.size(); ++i) {
        longest = std::max(longest, haversine_m(boundary[i - 1].first, boundary[i - 1].second,
                                               boundary[i].first, boundary[i].second));
    }
    CHECK(longest <= 20.0 + 1e-6);
    CHECK(longest > 10.0);
}

TEST_CASE("read_points takes the first point of a MultiPoint and notes it", "[points]") {
    const TempDir dir{"lifecircle_points"};
    const std::string path = dir.write(
        "mp.geojson",
        feature_collection(
            R"({"type":"Feature","properties":{"id":"m"},"geometry":{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}})"));
    const PointLayer layer = read_points(path);
    REQUIRE(layer.points.size() == 1);
    CHECK(layer.points[0].lon == 1.0);
    CHECK(layer.points[0].lat == 2.0);
    REQUIRE(layer.notes.size() == 1);
    CHECK_THAT(layer.notes[0], Catch::Contains("MultiPoint") && Catch::Contains("first point"));
}

TEST_CASE("read_points reads a GBK Shapefile as UTF-8", "[points]") {
    const TempDir dir{"lifecircle_points"};
    const std::string path = dir.file("kindergartens.shp");
    {
        GDALAllRegister();
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
        REQUIRE(driver != nullptr);
        GDALDatasetUniquePtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        REQUIRE(ds);
        OGRSpatialReference wgs84;
        wgs84.SetWellKnownGeogCS("WGS84");
        CPLStringList lco;
        lco.SetNameValue("ENCODING", "CP936");
        OGRLayer* layer = ds->CreateLayer("kindergartens", &wgs84, wkbPoint, lco.List());
        REQUIRE(layer != nullptr);
        OGRFieldDefn id("id", OFTInteger);
        REQUIRE(layer->CreateField(&id) == OGRERR_NONE);
        OGRFieldDefn name("名称", OFTString);
        REQUIRE(layer->CreateField(&name) == OGRERR_NONE);
        OGRFeature feature(layer->GetLayerDefn());
        feature.SetField("id", 7);
        feature.SetField("名称", "未来之星实验幼儿园");
        OGRPoint point(116.35, 40.0);
        feature.SetGeometry(&point);
        REQUIRE(layer->CreateFeature(&feature) == OGRERR_NONE);
    }
    // Planning bureaus' files say "GBK" in the .cpg.
    dir.write("kindergartens.cpg", "GBK");
    const PointLayer layer = read_points(path);
    REQUIRE(layer.points.size() == 1);
    CHECK(layer.points[0].id == "7");
    CHECK(layer.points[0].name == "未来之星实验幼儿园");
}

TEST_CASE("read_points reports bad input clearly", "[points]") {
    const TempDir dir{"lifecircle_points"};

    SECTION("missing file") {
        const InputError e = read_error(dir.file("nope.geojson"));
        CHECK(e.file() == dir.file("nope.geojson"));
        CHECK_THAT(std::string(e.what()), Catch::Contains("does not exist"));
    }
    SECTION("not a vector file") {
        const std::string path =
            dir.write("photo.bin", std::string("\x89PNG\r\n\x1a\n\0\0garbage", 17));
        const InputError e = read_error(path);
        CHECK(e.file() == path);
        CHECK_THAT(std::string(e.what()), Catch::Contains("not a vector data file"));
    }
    SECTION("empty layer") {
        const std::string path = dir.write("empty.geojson", feature_collection(""));
        const InputError e = read_error(path);
        CHECK(e.layer() == "empty");
        CHECK_THAT(std::string(e.what()), Catch::Contains("layer is empty"));
    }
    SECTION("line layer") {
        const std::string path = dir.write(
            "roads.geojson",
            feature_collection(
                R"({"type":"Feature","properties":{"id":1},"geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}})"));
        const InputError e = read_error(path);
        CHECK_THAT(std::string(e.what()),
                   Catch::Contains("holds lines") && Catch::Contains("points or polygons"));
    }
    SECTION("a line among points") {
        const std::string path = dir.write(
            "mixed.geojson",
            feature_collection(
                point_feature(R"("id":"a")", 1, 2) + "," +
                R"({"type":"Feature","properties":{"id":"b"},"geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}})"));
        const InputError e = read_error(path);
        CHECK(e.feature() == "b");
        CHECK_THAT(std::string(e.what()), Catch::Contains("holds lines"));
    }
    SECTION("empty coordinates") {
        const std::string path = dir.write("gaps.csv", "id,lon,lat\nk1,116.3,39.9\nk2,,39.9\n");
        const InputError e = read_error(path);
        CHECK(e.feature() == "k2");
        CHECK_THAT(std::string(e.what()),
                   Catch::Contains("feature k2") && Catch::Contains("no coordinates"));
    }
    SECTION("NaN coordinates") {
        const std::string path = dir.write("nan.csv", "id,lon,lat\nk1,116.3,39.9\nk3,nan,NaN\n");
        const InputError e = read_error(path);
        CHECK(e.feature() == "k3");
        CHECK_THAT(std::string(e.what()), Catch::Contains("no coordinates"));
    }
    SECTION("longitude and latitude swapped") {
        const std::string path = dir.write("swapped.csv", "id,lon,lat\nk1,39.9,116.3\n");
        const InputError e = read_error(path);
        CHECK(e.feature() == "k1");
        CHECK_THAT(
            std::string(e.what()),
            Catch::Contains("latitude 116.3 is out of range: are longitude and latitude swapped?"));
    }
    SECTION("projected coordinates without a CRS") {
        const std::string path = dir.write("gk.csv", "id,x,y\nr1,39444187.9,4429699.5\n");
        const InputError e = read_error(path);
        CHECK_THAT(std::string(e.what()),
                   Catch::Contains("no CRS") && Catch::Contains("input CRS"));
    }
    SECTION("CSV without coordinate columns") {
        const std::string path = dir.write("table.csv", "id,easting,northing\n1,2,3\n");
        const InputError e = read_error(path);
        CHECK(e.file() == path);
        CHECK_THAT(std::string(e.what()),
                   Catch::Contains("no coordinate columns") &&
                       Catch::Contains("id, easting, northing") && Catch::Contains("经度") &&
                       Catch::Contains("latitude") && Catch::Contains("WKT"));
    }
    SECTION("duplicate ids") {
        const std::string path =
            dir.write("dup.csv", "id,lon,lat\nA7,116.3,39.9\nB1,116.4,39.9\nA7,116.5,39.9\n");
        const InputError e = read_error(path);
        CHECK(e.feature() == "A7");
        CHECK_THAT(std::string(e.what()), Catch::Contains("'A7' is used twice"));
    }
    SECTION("empty id") {
        const std::string path = dir.write("noid.csv", "id,lon,lat\nA7,116.3,39.9\n,116.4,39.9\n");
        const InputError e = read_error(path);
        CHECK_THAT(std::string(e.what()), Catch::Contains("is empty") && Catch::Contains("FID"));
    }
    SECTION("capacity not numeric") {
        const std::string path =
            dir.write("cap.csv", "id,lon,lat,beds\nA7,116.3,39.9,12\nA8,116.4,39.9,many\n");
        PointReadOptions options;
        options.capacity_field = "beds";
        const InputError e = read_error(path, options);
        CHECK(e.feature() == "A8");
        CHECK_THAT(std::string(e.what()), Catch::Contains("capacity value 'many'") &&
                                              Catch::Contains("'beds'") &&
                                              Catch::Contains("not a number"));
    }
    SECTION("missing named field") {
        const std::string path = dir.write("f.csv", "code,name,lon,lat\nA7,x,116.3,39.9\n");
        PointReadOptions options;
        options.id_field = "fid_code";
        const InputError e = read_error(path, options);
        CHECK_THAT(std::string(e.what()),
                   Catch::Contains("no field 'fid_code'") && Catch::Contains("code, name"));
    }
    SECTION("unknown input CRS") {
        const std::string path = dir.write("crs.csv", "id,lon,lat\nA7,116.3,39.9\n");
        PointReadOptions options;
        options.input_crs = "mars";
        const InputError e = read_error(path, options);
        CHECK_THAT(std::string(e.what()), Catch::Contains("'mars' is not understood"));
    }
}

TEST_CASE("read_points returns attributes and polygon rings on request", "[points]") {
    const TempDir dir{"lifecircle_points"};
    const std::string path = dir.write(
        "blocks.geojson",
        feature_collection(
            R"({"type":"Feature","properties":{"id":"b1","pop":12,"share":0.5,"note":null},)"
            R"("geometry":{"type":"Polygon","coordinates":[[[-8.61,41.15],[-8.60,41.15],)"
            R"([-8.60,41.16],[-8.61,41.16],[-8.61,41.15]],[[-8.607,41.153],[-8.603,41.153],)"
            R"([-8.603,41.157],[-8.607,41.157],[-8.607,41.153]]]}})"));
    PointReadOptions options;
    options.attributes = true;
    options.polygons = true;
    const PointLayer layer = read_points(path, options);
    REQUIRE(layer.fields.size() == 4);
    CHECK(layer.fields[0].name == "id");
    CHECK(layer.fields[1].type == lifecircle::FieldType::integer);
    CHECK(layer.fields[2].type == lifecircle::FieldType::real);
    REQUIRE(layer.points.size() == 1);
    const auto& values = layer.points[0].values;
    REQUIRE(values.size() == 4);
    CHECK(std::get<std::string>(values[0]) == "b1");
    CHECK(std::get<std::int64_t>(values[1]) == 12);
    CHECK(std::get<double>(values[2]) == 0.5);
    CHECK(std::holds_alternative<std::monostate>(values[3]));
    const auto& rings = layer.points[0].polygon_lonlat;
    REQUIRE(rings.size() == 1);     // one part
    REQUIRE(rings[0].size() == 2);  // exterior and one hole
    CHECK(rings[0][0].size() == 5);
    CHECK(rings[0][1][0] == std::pair<double, double>{-8.607, 41.153});
    // Without the options nothing extra comes back.
    const PointLayer plain = read_points(path);
    CHECK(plain.fields.empty());
    CHECK(plain.points[0].values.empty());
    CHECK(plain.points[0].polygon_lonlat.empty());
}
