// read_points() on features given in memory (io::FeatureTable, the Python module's inputs):
// the same records and the same refusals as the same features read from a file.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/wkb.hpp"
#include "io/chinese_coords.hpp"
#include "io/points.hpp"
#include "tests/temp_dir.hpp"

using lifecircle::FieldType;
using lifecircle::InputError;
using lifecircle::UsageError;
using lifecircle::Value;
using lifecircle::io::FeatureTable;
using lifecircle::io::PointLayer;
using lifecircle::io::PointReadOptions;
using lifecircle::io::read_points;
using lifecircle::test::TempDir;

namespace {

FeatureTable clinics() {
    FeatureTable t;
    t.name = "clinics (array)";
    t.x = {116.30, 116.31};
    t.y = {39.99, 39.98};
    t.fields = {{"id", FieldType::string}, {"beds", FieldType::real}, {"wait", FieldType::integer}};
    t.columns = {{Value{"c1"}, Value{"c2"}}, {Value{12.0}, Value{}}, {Value{std::int64_t{2}}, Value{std::int64_t{0}}}};
    return t;
}

template <typename E>
E error_of(const FeatureTable& t, const PointReadOptions& o = {}) {
    try {
        read_points(t, o);
    } catch (const E& e) {
        return e;
    }
    FAIL("read_points did not throw");
    return E("unreachable");
}

}  // namespace

TEST_CASE("read_points reads a table as it reads the same CSV file", "[points][table]") {
    const TempDir dir{"lifecircle_table"};
    const std::string csv = dir.write("clinics.csv", "id,lon,lat,beds,wait\nc1,116.30,39.99,12,2\nc2,116.31,39.98,,0\n");
    PointReadOptions o;
    o.capacity_field = "beds";
    o.delay_field = "wait";
    o.attributes = true;
    const PointLayer file = read_points(csv, o);
    const PointLayer table = read_points(clinics(), o);
    REQUIRE(table.points.size() == file.points.size());
    for (std::size_t i = 0; i < file.points.size(); ++i) {
        CHECK(table.points[i].id == file.points[i].id);
        CHECK(table.points[i].lon == file.points[i].lon);
        CHECK(table.points[i].lat == file.points[i].lat);
        CHECK(table.points[i].delay_minutes == file.points[i].delay_minutes);
        CHECK((std::isnan(table.points[i].capacity) == std::isnan(file.points[i].capacity)));
    }
    CHECK(table.points[0].capacity == 12.0);
    CHECK(table.layer_name == "features");
    CHECK(table.source_crs == "EPSG:4326");
    REQUIRE(table.fields.size() == 3);
    CHECK(table.fields[2].type == FieldType::integer);
}

TEST_CASE("read_points reads a table's WKB, its CRS and the Chinese keywords", "[points][table]") {
    SECTION("WKB polygons in a projected CRS") {
        FeatureTable t;
        t.name = "blocks (GeoDataFrame)";
        t.crs = "EPSG:32650";
        // A 100 m square in UTM 50N near Beijing.
        const std::vector<std::vector<std::vector<lifecircle::Point>>> square = {
            {{{440000, 4427000}, {440100, 4427000}, {440100, 4427100}, {440000, 4427100}, {440000, 4427000}}}};
        const std::vector<unsigned char> wkb = lifecircle::wkb_multipolygon(square);
        t.wkb = {std::string(wkb.begin(), wkb.end())};
        PointReadOptions o;
        o.polygons = true;
        const PointLayer layer = read_points(t, o);
        REQUIRE(layer.points.size() == 1);
        CHECK(layer.points[0].id == "0");  // no id field: the row number, as a file's FID
        CHECK(layer.points[0].lon == Approx(116.296).margin(0.01));
        CHECK(layer.points[0].lat == Approx(39.99).margin(0.01));
        REQUIRE(layer.points[0].polygon_lonlat.size() == 1);
        CHECK(layer.points[0].polygon_lonlat[0][0].size() == 5);
        CHECK(layer.source_crs == "EPSG:32650");
    }
    SECTION("gcj02 as the table's CRS is read as the input CRS keyword") {
        FeatureTable t = clinics();
        t.crs = "gcj02";
        const PointLayer layer = read_points(t);
        const lifecircle::io::LonLat w = lifecircle::io::gcj02_to_wgs84({116.30, 39.99});
        CHECK(layer.points[0].lon == Approx(w.lon).margin(1e-12));
        CHECK(layer.points[0].lat == Approx(w.lat).margin(1e-12));
        CHECK(layer.notes.empty());
    }
    SECTION("an input CRS overrides the table's, with the note a file gets") {
        FeatureTable t = clinics();
        PointReadOptions o;
        o.input_crs = "gcj02";
        o.option_prefix = "facilities";
        const PointLayer layer = read_points(t, o);
        REQUIRE(layer.notes.size() == 1);
        CHECK(layer.notes[0].find("declares its CRS as EPSG:4326 but facilities-crs gcj02 overrides it") !=
              std::string::npos);
    }
}

TEST_CASE("read_points refuses bad tables with the file reader's messages", "[points][table]") {
    SECTION("projected coordinates given as longitude/latitude") {
        FeatureTable t = clinics();
        t.x[1] = 440000;
        t.y[1] = 4427000;
        const InputError e = error_of<InputError>(t);
        CHECK(e.file() == "clinics (array)");
        CHECK(e.layer() == "features");
        CHECK(e.feature() == "c2");
        CHECK(e.problem().find("are these projected coordinates? give the input CRS") != std::string::npos);
    }
    SECTION("NaN coordinates") {
        FeatureTable t = clinics();
        t.x[0] = std::numeric_limits<double>::quiet_NaN();
        const InputError e = error_of<InputError>(t);
        CHECK(e.feature() == "c1");
        CHECK(e.problem().find("no coordinates") != std::string::npos);
    }
    SECTION("a duplicate id") {
        FeatureTable t = clinics();
        t.columns[0][1] = Value{"c1"};
        CHECK(std::string(error_of<InputError>(t).what()).find("the id 'c1' is used twice") != std::string::npos);
    }
    SECTION("a missing capacity field lists the fields") {
        PointReadOptions o;
        o.capacity_field = "seats";
        CHECK(std::string(error_of<InputError>(clinics(), o).what())
                  .find("there is no field 'seats' for the capacity; the layer has the fields id, beds, wait") !=
              std::string::npos);
    }
    SECTION("a geometry that is not WKB") {
        FeatureTable t;
        t.name = "sites";
        t.wkb = {"not wkb"};
        const InputError e = error_of<InputError>(t);
        CHECK(e.feature() == "#0");
        CHECK(e.problem() == "the geometry is not valid WKB");
    }
    SECTION("a CRS that is not understood") {
        FeatureTable t = clinics();
        t.crs = "EPSG:99999999";
        CHECK(error_of<InputError>(t).problem().find("the CRS 'EPSG:99999999' is not understood") != std::string::npos);
    }
    SECTION("columns that do not fit the features") {
        FeatureTable t = clinics();
        t.columns[1].pop_back();
        CHECK(std::string(error_of<UsageError>(t).what()) ==
              "clinics (array): the column 'beds' has 1 values for 2 features");
        FeatureTable u = clinics();
        u.y.pop_back();
        CHECK(std::string(error_of<UsageError>(u).what()) == "clinics (array): 2 x but 1 y coordinates");
    }
}
