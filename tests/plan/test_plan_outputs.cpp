// What a plan writes beside the report (issue 18): numeric CSV fields and a snap status on every
// resident row, water from OpenStreetMap and from a file, tables.xlsx (deterministic, numbers as
// numbers), the PDF printer's message when Chromium is missing, and the hint for Chinese map
// coordinates read as WGS 84.

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../temp_dir.hpp"
#include "core/error.hpp"
#include "core/wkb.hpp"
#include "io/chinese_coords.hpp"
#include "io/html_pdf.hpp"
#include "io/map_layers.hpp"
#include "io/network.hpp"
#include "io/xlsx_writer.hpp"
#include "maps/coverage_layers.hpp"
#include "studies/demo.hpp"
#include "studies/inputs.hpp"

using namespace lifecircle;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

/** The demo district's files in a scratch folder, and its network. */
struct Demo {
    test::TempDir dir{"plan_outputs"};
    fs::path data = dir.path() / "data";
    io::Network net;
    Demo() {
        studies::write_demo_district(data.string());
        net = io::load_network((data / "district.osm").string(), {});
    }
    /** A point layer of (lon, lat) in WGS 84. */
    std::string points(const std::string& name, const std::vector<Point>& lonlat) const {
        std::string text = "{\"type\":\"FeatureCollection\",\"features\":[";
        for (std::size_t i = 0; i < lonlat.size(); ++i) {
            char buf[200];
            std::snprintf(buf, sizeof buf,
                          "%s{\"type\":\"Feature\",\"properties\":{\"id\":\"P%zu\"},\"geometry\":{"
                          "\"type\":\"Point\","
                          "\"coordinates\":[%.8f,%.8f]}}",
                          i ? "," : "", i, lonlat[i].x, lonlat[i].y);
            text += buf;
        }
        const fs::path path = data / name;
        std::ofstream(path) << text << "]}\n";
        return path.string();
    }
};

/** Twelve points on the demo's streets (crossings of its 200 m grid), WGS 84. */
std::vector<Point> on_streets(const io::Network& net) {
    std::vector<Point> xy;
    const Box b = net.graph.bounds();
    for (int k = 0; k < 12; ++k) {
        const double x = b.min.x + 200.0 * (1 + k % 6), y = b.min.y + 200.0 * (1 + (k / 6) * 4);
        xy.push_back({x, y});
    }
    net.to_lonlat(xy);
    return xy;
}

struct Warnings {
    std::vector<std::string> said;
    studies::Reporter reporter() {
        studies::Callbacks cb;
        cb.notice = [this](const studies::Notice& n) {
            if (n.level == studies::Notice::Level::warning) said.push_back(n.text);
        };
        return studies::Reporter(cb);
    }
};

}  // namespace

TEST_CASE(
    "demand layer: text columns of numbers become numbers, ids written beside them stay text, "
    "every row has a snap status",
    "[plan][coverage]") {
    Layer in;
    in.name = "homes";
    in.kind = GeometryKind::point;
    in.fields = {{"id", FieldType::string},
                 {"population", FieldType::string},
                 {"area", FieldType::string},
                 {"code", FieldType::string},
                 {"note", FieldType::string}};
    in.features.push_back(
        {wkb_point({0, 0}),
         {Value{"A"}, Value{"1146"}, Value{"12.5"}, Value{"007"}, Value{"1146"}}});
    in.features.push_back(
        {wkb_point({10, 0}), {Value{"B"}, Value{"0"}, Value{"-3"}, Value{"12"}, Value{"小区"}}});
    in.features.push_back(
        {wkb_point({20, 0}), {Value{"C"}, Value{""}, Value{"2e3"}, Value{"15"}, Value{"2"}}});
    // Points of A and C only: B has no residents (every weight 0), so no point.
    const std::vector<std::uint32_t> point_feature = {0, 2};
    const std::vector<std::string> groups = {"population"};
    const std::vector<std::vector<double>> weights = {{1146, 1}};
    planners::CoverageResult r;
    r.by_time.seconds = {120, unreachable};
    r.by_time.facility = {0, invalid_index};
    r.status = {planners::SnapStatus::ok, planners::SnapStatus::too_far};
    r.covered = {1, 0};
    maps::DemandView view;
    view.features = &in;
    view.point_feature = point_feature;
    view.groups = groups;
    view.weights = weights;
    const std::vector<std::string> ids = {"1"};  // a facility id that looks like a number
    const Layer out = maps::demand_layer(view, r, ids);
    const auto field = [&](const std::string& name) {
        for (std::size_t k = 0; k < out.fields.size(); ++k)
            if (out.fields[k].name == name) return k;
        FAIL("no field " << name);
        return std::size_t{0};
    };
    // Whole numbers become integers, others reals; "007" is a code and the mixed column text.
    CHECK(out.fields[field("population")].type == FieldType::integer);
    CHECK(std::get<std::int64_t>(out.features[0].values[field("population")]) == 1146);
    CHECK(std::holds_alternative<std::monostate>(out.features[2].values[field("population")]));
    CHECK(out.fields[field("area")].type == FieldType::real);
    CHECK(std::get<double>(out.features[2].values[field("area")]) == 2000.0);
    CHECK(out.fields[field("code")].type == FieldType::string);
    CHECK(out.fields[field("note")].type == FieldType::string);
    CHECK(out.fields[field("id")].type == FieldType::string);
    // The nearest facility's id is an id, whatever it looks like.
    CHECK(out.fields[field("nearest_facility_id")].type == FieldType::string);
    CHECK(std::get<std::string>(out.features[0].values[field("nearest_facility_id")]) == "1");
    // Every row has a snap status: ok, too_far, and no_residents for the row without weight.
    CHECK(std::get<std::string>(out.features[0].values[field("snap_status")]) == "ok");
    CHECK(std::get<std::string>(out.features[1].values[field("snap_status")]) == "no_residents");
    CHECK(std::get<std::string>(out.features[2].values[field("snap_status")]) == "too_far");
}

TEST_CASE("water under the maps: from the OSM file, and from any polygon or line layer",
          "[plan][io]") {
    Demo demo;
    const io::MapShapes osm = io::read_osm_water((demo.data / "district.osm").string());
    REQUIRE(osm.areas.size() == 1);
    CHECK(osm.area_names[0] == "清河");
    CHECK(osm.lines.empty());
    // A layer of the scenario's own: a river as a line in a projected CRS, a lake as a polygon.
    const fs::path file = demo.data / "water.geojson";
    std::ofstream(file)
        << R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32650"}},"features":[
{"type":"Feature","properties":{"name":"小清河"},"geometry":{"type":"LineString","coordinates":[[441000,4425000],[442000,4425100]]}},
{"type":"Feature","properties":{"名称":"湖"},"geometry":{"type":"Polygon","coordinates":[[[441000,4426000],[441100,4426000],[441100,4426100],[441000,4426000]]]}},
{"type":"Feature","properties":{"name":"井"},"geometry":{"type":"Point","coordinates":[441000,4426000]}}]})";
    const io::MapShapes own = io::read_map_shapes(file.string());
    REQUIRE(own.lines.size() == 1);
    REQUIRE(own.areas.size() == 1);
    CHECK(own.line_names[0] == "小清河");
    CHECK(std::abs(own.lines[0][0].x - 116.3) < 0.1);  // in WGS 84
    CHECK(std::abs(own.lines[0][0].y - 39.97) < 0.1);
    CHECK_THROWS_WITH(io::read_map_shapes(file.string(), "rivers"),
                      Contains("no layer 'rivers'; its layers: water"));
    const fs::path points = demo.data / "wells.geojson";
    std::ofstream(points)
        << R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[116.3,39.97]}}]})";
    CHECK_THROWS_WITH(io::read_map_shapes(points.string()),
                      Contains("the water layer has no polygons or lines"));
}

TEST_CASE("xlsx: numbers as numbers, sheet names checked, the same bytes on every run",
          "[plan][io]") {
    test::TempDir dir("xlsx");
    std::vector<io::XlsxSheet> sheets(1);
    sheets[0].name = io::xlsx_sheet_name("clinics: 15/min [a]");
    CHECK(sheets[0].name == "clinics_ 15_min _a_");
    sheets[0].rows = {{io::XlsxCell("group", true), io::XlsxCell("share")},
                      {io::XlsxCell("pop_3_6"), io::XlsxCell(0.303, "0.0%")},
                      {io::XlsxCell("幼儿"), io::XlsxCell(std::nan(""))}};
    const std::string a = dir.file("a.xlsx"), b = dir.file("b.xlsx");
    io::write_xlsx(a, sheets);
    io::write_xlsx(b, sheets);
    CHECK(read_bytes(a) == read_bytes(b));
    CHECK(read_bytes(a).rfind("PK", 0) == 0);  // a zip
    CHECK(io::xlsx_sheet_name(std::string(40, 'x')).size() == 31);
    CHECK(io::xlsx_sheet_name("三至六岁儿童幼儿园学位覆盖情况表格").size() <=
          31);  // cut between characters
    sheets.push_back(sheets[0]);
    CHECK_THROWS_WITH(io::write_xlsx(a, sheets), Contains("is used twice"));
    sheets[1].name = "a/b";
    CHECK_THROWS_AS(io::write_xlsx(a, sheets), std::invalid_argument);
    CHECK_THROWS_WITH(io::write_xlsx(dir.file("gone/c.xlsx"), {sheets[0]}),
                      Contains("gone/c.xlsx"));
}

TEST_CASE("plan --pdf without Chromium says what to install", "[plan][io]") {
    ::setenv("LIFECIRCLE_CHROMIUM", "/nonexistent/chromium", 1);
    CHECK(io::find_chromium().empty());
    CHECK_THROWS_WITH(
        io::require_chromium("--pdf"),
        Contains("--pdf prints the report with headless Chromium, which is not installed") &&
            Contains("apt-get install chromium"));
    ::unsetenv("LIFECIRCLE_CHROMIUM");
}

TEST_CASE("Chinese map coordinates read as WGS 84 are named, with the setting that fixes them",
          "[plan][inputs]") {
    Demo demo;
    const std::vector<Point> wgs = on_streets(demo.net);
    std::vector<Point> gcj, bd;
    for (const Point& p : wgs) {
        const io::LonLat g = io::wgs84_to_gcj02({p.x, p.y});
        gcj.push_back({g.lon, g.lat});
        const io::LonLat b = io::wgs84_to_bd09({p.x, p.y});
        bd.push_back({b.lon, b.lat});
    }
    studies::FacilitySpec spec;
    spec.read.option_prefix = "--facilities";
    {
        Warnings heard;
        spec.path = demo.points("gcj.geojson", gcj);
        studies::read_facilities(spec, demo.net, heard.reporter());
        REQUIRE(heard.said.size() == 1);
        CHECK_THAT(heard.said[0], Contains("read as WGS 84, its 12 points in China lie a median") &&
                                      Contains("as GCJ-02 (Amap/Gaode, Tencent) coordinates") &&
                                      Contains("set --facilities-crs gcj02"));
    }
    {
        Warnings heard;
        spec.path = demo.points("bd.geojson", bd);
        spec.label = "service 'clinics'";
        studies::read_facilities(spec, demo.net, heard.reporter());
        REQUIRE(heard.said.size() == 1);
        CHECK_THAT(heard.said[0], Contains("BD-09 (Baidu)") &&
                                      Contains("set crs = \"bd09\" in service 'clinics'"));
        // Said gcj02, read so: nothing to say, and the points land on the streets.
        Warnings quiet;
        spec.path = demo.points("gcj2.geojson", gcj);
        spec.read.input_crs = "gcj02";
        const studies::FacilitySet f = studies::read_facilities(spec, demo.net, quiet.reporter());
        CHECK(quiet.said.empty());
        std::vector<Point> back = wgs;
        demo.net.to_work(back);
        for (std::size_t i = 0; i < back.size(); ++i)
            CHECK(std::hypot(f.xy[i].x - back[i].x, f.xy[i].y - back[i].y) < 2.0);
        spec.read.input_crs.clear();
    }
    {
        // Points that are right, too few to judge, or outside China: nothing.
        Warnings heard;
        spec.path = demo.points("wgs.geojson", wgs);
        studies::read_facilities(spec, demo.net, heard.reporter());
        spec.path = demo.points("few.geojson", {gcj.begin(), gcj.begin() + 4});
        studies::read_facilities(spec, demo.net, heard.reporter());
        CHECK(heard.said.empty());
        std::vector<Point> porto = gcj;
        for (Point& p : porto) p.x -= 125.0;  // 8.6° W: Portugal (checked before the network)
        CHECK(studies::chinese_offset_hint(porto, demo.net, "x", "{crs}").empty());
    }
}
