// Inputs that used to give silently wrong answers: a distorting work CRS, a CRS override that
// shifts a layer declaring its own, the wrong layer of a multi-layer file, a Shapefile whose
// encoding GDAL guesses wrong, OSM files with unusual names, bike contraflow, bad delays.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/profile.hpp"
#include "io/crs.hpp"
#include "io/gdal_network.hpp"
#include "io/network.hpp"
#include "io/osm_network.hpp"
#include "io/points.hpp"
#include "tests/temp_dir.hpp"

using Catch::Contains;
using lifecircle::Box;
using lifecircle::default_profile;
using lifecircle::EdgeAttributes;
using lifecircle::InputError;
using lifecircle::Mode;
using lifecircle::Oneway;
using lifecircle::Permission;
using lifecircle::Point;
using lifecircle::UsageError;
using lifecircle::test::TempDir;
namespace io = lifecircle::io;
namespace fs = std::filesystem;

namespace {

const std::string source_dir = LIFECIRCLE_SOURCE_DIR;
const std::string shared_data = LIFECIRCLE_SHARED_DATA;

/** Porto's centre as in porto_2020.osm.pbf, roughly. */
const Box porto{{-8.70, 41.10}, {-8.55, 41.20}};

std::string usage_error(const std::string& crs, const Box& box) {
    try {
        io::check_work_crs(crs, box);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "(no error)";
}

std::string point_feature(const std::string& properties, double lon, double lat) {
    return R"({"type":"Feature","properties":{)" + properties +
           R"(},"geometry":{"type":"Point","coordinates":[)" + std::to_string(lon) + "," +
           std::to_string(lat) + "]}}";
}

std::string collection(const std::string& features) {
    return R"({"type":"FeatureCollection","features":[)" + features + "]}";
}

std::string read_error(const std::string& path, const io::PointReadOptions& options) {
    try {
        io::read_points(path, options);
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

Permission bike(const EdgeAttributes& a) { return permission(default_profile(Mode::bike), a); }
Permission drive(const EdgeAttributes& a) { return permission(default_profile(Mode::drive), a); }

}  // namespace

TEST_CASE("work CRS: geographic and distorting CRSs are refused", "[input_checks][crs]") {
    CHECK_THAT(usage_error("EPSG:4326", {}), Contains("'EPSG:4326' is geographic") &&
                                                 Contains("leave --work-crs out") &&
                                                 Contains("Gauss-Kruger"));
    CHECK_THAT(usage_error("EPSG:4326", porto), Contains("UTM zone of the data (EPSG:32629)"));

    // Web Mercator's scale is sec(latitude) (PROJ uses the ellipsoidal latitude with the
    // spherical formula, hence the 2% slack): worst at the box's northern edge.
    const double expected = 1.0 / std::cos(41.20 * std::numbers::pi / 180.0) - 1.0;  // 0.3294
    const double error = io::scale_error("EPSG:3857", porto);
    CHECK(error == Approx(expected).epsilon(0.02));
    CHECK_THAT(usage_error("EPSG:3857", porto), Contains("'EPSG:3857' distorts distances by 3") &&
                                                    Contains("% at this latitude") &&
                                                    Contains("EPSG:32629"));
    // The UTM zone: k0 = 0.9996 on the central meridian (-9), 0.04% error.
    CHECK(io::scale_error("EPSG:32629", porto) == Approx(0.0004).margin(0.0001));
    CHECK(usage_error("EPSG:32629", porto) == "(no error)");
    // UTM zone 30 is 3.4 to 3.7 degrees away: k = 0.9996 / cos(...) stays below 0.5% here.
    CHECK(io::scale_error("EPSG:32630", porto) < 0.005);
    // Beijing in CGCS2000 / 3-degree GK zone 39 (central meridian 117): 0.01% at 116.3 E.
    CHECK(usage_error("EPSG:4527", {{116.29, 39.97}, {116.33, 40.0}}) == "(no error)");
    // Zone 39 used 10 degrees west: about 1.2% too long.
    CHECK_THAT(usage_error("EPSG:4527", {{106.0, 29.5}, {106.6, 29.7}}),
               Contains("distorts distances by 1."));
}

TEST_CASE("work CRS: load_network refuses EPSG:4326 and EPSG:3857 on the demo district",
          "[input_checks][crs]") {
    const std::string demo = source_dir + "/demo/demo_district.osm";
    io::NetworkOptions options;
    options.work_crs = "EPSG:4326";
    CHECK_THROWS_WITH(io::load_network(demo, options), Contains("is geographic"));
    // Latitude 39.98: sec = 1.305.
    options.work_crs = "EPSG:3857";
    CHECK_THROWS_WITH(io::load_network(demo, options),
                      Contains("distorts distances by 30.") && Contains("EPSG:32650"));
    options.work_crs = "EPSG:32650";
    CHECK(io::load_network(demo, options).work_crs == "EPSG:32650");
}

TEST_CASE("work CRS: Porto in Web Mercator is refused", "[input_checks][crs]") {
    const std::string path = shared_data + "/osm/porto_2020.osm.pbf";
    if (!fs::exists(path)) {
        WARN("skipped: " << path << " is absent");
        return;
    }
    io::NetworkOptions options;
    options.work_crs = "EPSG:3857";
    CHECK_THROWS_WITH(io::load_network(path, options),
                      Contains("distorts distances by 3") && Contains("EPSG:32629"));
}

TEST_CASE("points: overriding a declared CRS is noted with both CRSs", "[input_checks][points]") {
    const TempDir dir{"lifecircle_input_checks"};
    const std::string path =
        dir.write("clinics.geojson", collection(point_feature(R"("id":"a")", 116.30, 39.98)));
    io::PointReadOptions options;
    options.input_crs = "gcj02";
    options.option_prefix = "--to";
    const io::PointLayer layer = io::read_points(path, options);
    REQUIRE(layer.notes.size() == 1);
    CHECK_THAT(layer.notes[0], Contains("declares its CRS as EPSG:4326") &&
                                   Contains("--to-crs gcj02 overrides it"));
    // The same CRS as declared is no override.
    options.input_crs = "EPSG:4326";
    CHECK(io::read_points(path, options).notes.empty());
    // A CSV declares none: nothing to note.
    const std::string csv = dir.write("p.csv", "id,lon,lat\na,116.30,39.98\n");
    options.input_crs = "gcj02";
    CHECK(io::read_points(csv, options).notes.empty());
}

TEST_CASE("points: the first point layer of a multi-layer file, with a note",
          "[input_checks][points]") {
    const TempDir dir{"lifecircle_input_checks"};
    const std::string path = dir.file("mixed.gpkg");
    {
        GDALAllRegister();
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
        REQUIRE(driver != nullptr);
        GDALDatasetUniquePtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        REQUIRE(ds);
        OGRSpatialReference wgs84;
        wgs84.SetWellKnownGeogCS("WGS84");
        OGRLayer* roads = ds->CreateLayer("roads", &wgs84, wkbLineString, nullptr);
        OGRLayer* clinics = ds->CreateLayer("clinics", &wgs84, wkbPoint, nullptr);
        REQUIRE((roads != nullptr && clinics != nullptr));
        OGRFieldDefn id("id", OFTString);
        REQUIRE(clinics->CreateField(&id) == OGRERR_NONE);
        OGRFeature line(roads->GetLayerDefn());
        OGRLineString geometry;
        geometry.addPoint(116.30, 39.98);
        geometry.addPoint(116.31, 39.98);
        line.SetGeometry(&geometry);
        REQUIRE(roads->CreateFeature(&line) == OGRERR_NONE);
        OGRFeature clinic(clinics->GetLayerDefn());
        clinic.SetField("id", "c1");
        OGRPoint point(116.305, 39.981);
        clinic.SetGeometry(&point);
        REQUIRE(clinics->CreateFeature(&clinic) == OGRERR_NONE);
    }
    io::PointReadOptions options;
    options.option_prefix = "--facilities";
    const io::PointLayer layer = io::read_points(path, options);
    CHECK(layer.layer_name == "clinics");
    REQUIRE(layer.points.size() == 1);
    CHECK(layer.points[0].id == "c1");
    REQUIRE(layer.notes.size() == 1);
    CHECK_THAT(layer.notes[0], Contains("2 layers") && Contains("read 'clinics'") &&
                                   Contains("--facilities-layer"));
    // Naming the line layer still says what is wrong with it.
    options.layer = "roads";
    CHECK_THAT(read_error(path, options), Contains("the layer holds lines"));
}

TEST_CASE("points: an OSM file points to the facilities verb", "[input_checks][points]") {
    const std::string demo = source_dir + "/demo/demo_district.osm";
    CHECK_THAT(read_error(demo, {}), Contains("OpenStreetMap file") &&
                                         Contains("facilities verb") &&
                                         Contains("demo_district.osm"));
    const TempDir dir{"lifecircle_input_checks"};
    const std::string renamed = dir.file("district.xml");
    fs::copy_file(demo, renamed);
    CHECK_THAT(read_error(renamed, {}), Contains("facilities verb"));
}

TEST_CASE("points: a negative delay and a cutoff <= 0 are refused by name",
          "[input_checks][points]") {
    const TempDir dir{"lifecircle_input_checks"};
    const std::string path =
        dir.write("f.geojson",
                  collection(point_feature(R"("id":"a","wait":1,"cut":10)", 116.30, 39.98) + "," +
                             point_feature(R"("id":"b","wait":-2,"cut":0)", 116.30, 39.98)));
    io::PointReadOptions options;
    options.delay_field = "wait";
    CHECK_THAT(read_error(path, options), Contains("f.geojson") && Contains("feature b") &&
                                              Contains("delay value -2 in field 'wait'") &&
                                              Contains("negative"));
    options.delay_field.clear();
    options.cutoff_field = "cut";
    CHECK_THAT(read_error(path, options), Contains("feature b") &&
                                              Contains("cutoff value 0 in field 'cut'") &&
                                              Contains("not a positive number of minutes"));
}

TEST_CASE("gdal_network: a GBK Shapefile without .cpg still finds its Chinese fields",
          "[input_checks][gdal_network]") {
    const fs::path bureau = fs::path(shared_data) / "bureau";
    if (!fs::exists(bureau / "haidian_roads.shp")) {
        WARN("skipped: " << bureau << " is absent");
        return;
    }
    const TempDir dir{"lifecircle_input_checks"};
    for (const char* ext : {".shp", ".shx", ".dbf", ".prj"})
        fs::copy_file(bureau / (std::string("haidian_roads") + ext),
                      dir.path() / (std::string("roads") + ext));
    const std::string path = dir.file("roads.shp");
    const io::GdalNetworkResult result = io::read_gdal_network(path, {});
    CHECK(result.fields.road_class == "道路等级");
    CHECK(result.fields.oneway == "单行");
    CHECK(result.fields.speed == "限速");
    CHECK(result.fields.name == "道路名称");
    REQUIRE(!result.warnings.empty());
    CHECK_THAT(result.warnings[0], Contains("no .cpg file") && Contains("read as GBK"));
    bool oneway = false;
    for (const auto& edge : result.network.edges)
        oneway = oneway || edge.attributes.oneway != Oneway::no;
    CHECK(oneway);
}

TEST_CASE("gdal_network: missing class, one-way and speed fields are warned about",
          "[input_checks][gdal_network]") {
    const TempDir dir{"lifecircle_input_checks"};
    const std::string path = dir.write(
        "roads.geojson",
        collection(
            R"({"type":"Feature","properties":{"dlmc":"x","dj":"primary"},)"
            R"("geometry":{"type":"LineString","coordinates":[[116.30,39.98],[116.31,39.98]]}})"));
    const io::GdalNetworkResult result = io::read_gdal_network(path, {});
    REQUIRE(result.warnings.size() >= 2);
    CHECK_THAT(result.warnings[0],
               Contains("no road class field found") && Contains("every line is a 'road'") &&
                   Contains("fields are: dlmc, dj") && Contains("--class-field"));
    CHECK_THAT(result.warnings[1], Contains("no one-way") && Contains("or speed") &&
                                       Contains("every line is two-way") &&
                                       Contains("fields are: dlmc, dj"));
}

TEST_CASE("osm_network: OSM files are recognised by content, any extension",
          "[input_checks][osm_network]") {
    const TempDir dir{"lifecircle_input_checks"};
    const std::string demo = source_dir + "/demo/demo_district.osm";
    CHECK(io::osm_format("X.OSM.PBF") == "pbf");  // by name, no file needed
    CHECK(io::osm_format("a/B.OSM") == "osm");
    CHECK(io::osm_format("c.Osm.Bz2") == "osm.bz2");
    const std::string upper = dir.file("DISTRICT.OSM");
    const std::string bare = dir.file("district");
    fs::copy_file(demo, upper);
    fs::copy_file(demo, bare);
    CHECK(io::osm_format(bare) == "osm");
    const io::Network reference = io::load_network(demo, {});
    for (const std::string& path : {upper, bare}) {
        const io::Network net = io::load_network(path, {});
        CHECK(net.format == "OpenStreetMap");
        CHECK(net.graph.edge_count() == reference.graph.edge_count());
    }
    const std::string pbf = shared_data + "/osm/monaco_2016.osm.pbf";
    if (fs::exists(pbf)) {
        const std::string renamed = dir.file("monaco");
        fs::copy_file(pbf, renamed);
        CHECK(io::osm_format(renamed) == "pbf");
        CHECK(io::load_network(renamed, {}).format == "OpenStreetMap");
    }
    // Not OSM: a GeoJSON file without a known extension.
    const std::string json = dir.write("roads", collection(""));
    CHECK(io::osm_format(json).empty());
}

TEST_CASE("bike: oneway:bicycle and contraflow cycle lanes", "[input_checks][profile]") {
    const auto attrs = [](std::initializer_list<std::pair<const char*, const char*>> tags) {
        io::OsmTagView v;
        v.highway = "residential";
        for (const auto& [key, value] : tags) {
            const std::string k = key;
            if (k == "oneway") v.oneway = value;
            if (k == "oneway:bicycle") v.oneway_bicycle = value;
            if (k == "cycleway") v.cycleway = value;
            if (k == "cycleway:left") v.cycleway_left = value;
            if (k == "cycleway:right") v.cycleway_right = value;
            if (k == "cycleway:both") v.cycleway_both = value;
            if (k == "cycleway:left:oneway") v.cycleway_left_oneway = value;
        }
        return io::osm_edge_attributes(v);
    };
    const auto both = [](Permission p) { return p.forward && p.backward; };
    const auto forward_only = [](Permission p) { return p.forward && !p.backward; };

    // A plain one-way street: bikes follow it.
    CHECK(forward_only(bike(attrs({{"oneway", "yes"}}))));
    // oneway:bicycle=no: bikes both ways, cars still one way.
    const EdgeAttributes contraflow = attrs({{"oneway", "yes"}, {"oneway:bicycle", "no"}});
    CHECK(both(bike(contraflow)));
    CHECK(forward_only(drive(contraflow)));
    for (const char* key : {"cycleway", "cycleway:left", "cycleway:right", "cycleway:both"}) {
        for (const char* value : {"opposite", "opposite_lane", "opposite_track"}) {
            INFO(key << "=" << value);
            CHECK(both(bike(attrs({{"oneway", "yes"}, {key, value}}))));
        }
    }
    CHECK(both(bike(
        attrs({{"oneway", "yes"}, {"cycleway:left", "lane"}, {"cycleway:left:oneway", "-1"}}))));
    // A lane in the direction of traffic is no contraflow.
    CHECK(forward_only(bike(attrs({{"oneway", "yes"}, {"cycleway:right", "lane"}}))));
    // oneway:bicycle wins over cycleway tags, and can make a two-way street one-way for bikes.
    CHECK(forward_only(
        bike(attrs({{"oneway", "yes"}, {"cycleway", "opposite"}, {"oneway:bicycle", "yes"}}))));
    const EdgeAttributes bike_only = attrs({{"oneway:bicycle", "-1"}});
    CHECK((!bike(bike_only).forward && bike(bike_only).backward));
    CHECK(both(drive(bike_only)));
    // A reversed one-way street with contraflow.
    CHECK(both(bike(attrs({{"oneway", "-1"}, {"oneway:bicycle", "no"}}))));
}

TEST_CASE("points: check_point_input fails early and names the option", "[input_checks][points]") {
    const TempDir dir{"lifecircle_input_checks"};
    const std::string csv = dir.write("p.csv", "id,lon,lat\na,116.30,39.98\n");
    io::PointReadOptions options;
    options.option_prefix = "--from";
    options.input_crs = "mars";
    CHECK_THROWS_AS(io::check_point_input(csv, options), UsageError);
    CHECK_THROWS_WITH(io::check_point_input(csv, options),
                      Contains("--from-crs 'mars' is not understood"));
    for (const char* good : {"gcj02", "BD-09", "wgs84", "EPSG:4527", ""}) {
        options.input_crs = good;
        CHECK_NOTHROW(io::check_point_input(csv, options));
    }
    CHECK_THROWS_WITH(io::check_point_input(dir.file("none.csv"), options),
                      Contains("none.csv") && Contains("does not exist"));
}

TEST_CASE("points: untyped layers are a fallback, only line layers are refused",
          "[input_checks][points]") {
    const TempDir dir{"lifecircle_input_checks"};
    GDALAllRegister();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    REQUIRE(driver != nullptr);
    OGRSpatialReference wgs84;
    wgs84.SetWellKnownGeogCS("WGS84");
    // Two layers: lines, then a layer of undeclared geometry type holding a point.
    const auto make = [&](const std::string& path, OGRwkbGeometryType second) {
        GDALDatasetUniquePtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        REQUIRE(ds);
        OGRLayer* roads = ds->CreateLayer("roads", &wgs84, wkbLineString, nullptr);
        OGRLayer* other = ds->CreateLayer("other", &wgs84, second, nullptr);
        REQUIRE((roads != nullptr && other != nullptr));
        OGRFeature feature(other->GetLayerDefn());
        if (second == wkbUnknown) {
            OGRPoint point(116.305, 39.981);
            feature.SetGeometry(&point);
        } else {
            OGRLineString line;
            line.addPoint(116.30, 39.98);
            line.addPoint(116.31, 39.98);
            feature.SetGeometry(&line);
        }
        REQUIRE(other->CreateFeature(&feature) == OGRERR_NONE);
    };
    const std::string untyped = dir.file("untyped.gpkg");
    make(untyped, wkbUnknown);
    const io::PointLayer layer = io::read_points(untyped, {});
    CHECK(layer.layer_name == "other");
    REQUIRE(layer.points.size() == 1);
    CHECK(layer.points[0].lon == Approx(116.305));
    const std::string lines = dir.file("lines.gpkg");
    make(lines, wkbLineString);
    CHECK_THAT(read_error(lines, {}),
               Contains("none of the file's layers holds points or polygons") &&
                   Contains("roads (Line String)"));
}

TEST_CASE("load_network: GDAL-only options given for an OSM file are not ignored silently",
          "[input_checks][network]") {
    io::NetworkOptions options;
    options.gdal.input_crs = "EPSG:4527";
    options.gdal.class_field = "dj";
    const io::Network net = io::load_network(source_dir + "/demo/demo_district.osm", options);
    REQUIRE(net.warnings.size() == 2);
    CHECK_THAT(net.warnings[0], Contains("--network-crs EPSG:4527 was ignored"));
    CHECK_THAT(net.warnings[1], Contains("apply to GDAL road layers only"));
}

TEST_CASE("points: a UTF-8 Shapefile without .cpg keeps its Chinese names",
          "[input_checks][points]") {
    const TempDir dir{"lifecircle_input_checks"};
    const std::string path = dir.file("clinics.shp");
    {
        GDALAllRegister();
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
        REQUIRE(driver != nullptr);
        GDALDatasetUniquePtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        REQUIRE(ds);
        OGRSpatialReference wgs84;
        wgs84.SetWellKnownGeogCS("WGS84");
        char** layer_options = CSLSetNameValue(nullptr, "ENCODING", "UTF-8");
        OGRLayer* layer = ds->CreateLayer("clinics", &wgs84, wkbPoint, layer_options);
        CSLDestroy(layer_options);
        REQUIRE(layer != nullptr);
        OGRFieldDefn name("名称", OFTString);
        REQUIRE(layer->CreateField(&name) == OGRERR_NONE);
        OGRFeature feature(layer->GetLayerDefn());
        feature.SetField(0, "清华园社区卫生服务中心");
        OGRPoint point(116.30, 39.98);
        feature.SetGeometry(&point);
        REQUIRE(layer->CreateFeature(&feature) == OGRERR_NONE);
    }
    fs::remove(dir.file("clinics.cpg"));
    const io::PointLayer layer = io::read_points(path, {});
    REQUIRE(layer.points.size() == 1);
    CHECK(layer.points[0].name == "清华园社区卫生服务中心");
    REQUIRE(!layer.notes.empty());
    CHECK_THAT(layer.notes[0], Contains("no .cpg file") && Contains("read as UTF-8"));
}
