#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "io/layer_writer.hpp"
#include "core/layer.hpp"
#include "maps/style.hpp"
#include "tests/temp_dir.hpp"

using lifecircle::OutputError;
using lifecircle::io::write_layers;
using lifecircle::io::WriteOptions;
using lifecircle::Feature;
using lifecircle::Field;
using lifecircle::FieldType;
using lifecircle::GeometryKind;
using lifecircle::Layer;
using lifecircle::Value;
using lifecircle::test::TempDir;

namespace fs = std::filesystem;

namespace {

// Around the UTM 29N central meridian (x = 500000 is exactly 9°W), near Lisbon's latitude.
constexpr const char* utm29 = "EPSG:32629";
constexpr double origin_x = 500000.0;
constexpr double origin_y = 4300000.0;

using Ring = std::vector<std::pair<double, double>>;

/** ISO WKB, little endian, built by hand so the test does not trust the code under test. */
class Wkb {
public:
    Wkb& header(std::uint32_t type) {
        m_bytes.push_back(1);
        return u32(type);
    }
    Wkb& u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) m_bytes.push_back(static_cast<unsigned char>(v >> (8 * i)));
        return *this;
    }
    Wkb& f64(double d) {
        const auto v = std::bit_cast<std::uint64_t>(d);
        for (int i = 0; i < 8; ++i) m_bytes.push_back(static_cast<unsigned char>(v >> (8 * i)));
        return *this;
    }
    Wkb& points(const Ring& ring) {
        u32(static_cast<std::uint32_t>(ring.size()));
        for (const auto& [x, y] : ring) f64(x).f64(y);
        return *this;
    }
    std::vector<unsigned char> bytes() const { return m_bytes; }

private:
    std::vector<unsigned char> m_bytes;
};

std::vector<unsigned char> point_wkb(double x, double y) {
    return Wkb().header(1).f64(x).f64(y).bytes();
}

std::vector<unsigned char> line_wkb(const Ring& points) {
    return Wkb().header(2).points(points).bytes();
}

std::vector<unsigned char> polygon_wkb(const std::vector<Ring>& rings) {
    Wkb wkb;
    wkb.header(3).u32(static_cast<std::uint32_t>(rings.size()));
    for (const Ring& ring : rings) wkb.points(ring);
    return wkb.bytes();
}

/** A square of side 2*half around (cx, cy); clockwise unless ccw. */
Ring square(double cx, double cy, double half, bool ccw) {
    Ring ring{{cx - half, cy - half},
              {cx - half, cy + half},
              {cx + half, cy + half},
              {cx + half, cy - half},
              {cx - half, cy - half}};
    if (ccw) std::reverse(ring.begin(), ring.end());
    return ring;
}

const std::string chinese =
    "\xE7\xA4\xBE\xE5\x8C\xBA\xE5\x8D\xAB\xE7\x94\x9F\xE6\x9C\x8D\xE5\x8A\xA1"
    "\xE4\xB8\xAD\xE5\xBF\x83";  // 社区卫生服务中心

/** Nested isochrones, exteriors deliberately clockwise, a hole counter-clockwise. */
Layer isochrone_layer() {
    Layer layer;
    layer.name = "isochrones";
    layer.kind = GeometryKind::polygon;
    layer.fields = {{"facility", FieldType::string},
                    {"minutes", FieldType::integer},
                    {"area_km2", FieldType::real},
                    {"note", FieldType::string}};
    layer.features.push_back({polygon_wkb({square(origin_x, origin_y, 1000, false)}),
                              {Value{chinese}, Value{std::int64_t{5}}, Value{4.0}, Value{}}});
    layer.features.push_back(
        {polygon_wkb({square(origin_x, origin_y, 2000, false),
                      square(origin_x + 500, origin_y + 500, 100, true)}),
         {Value{chinese}, Value{std::int64_t{10}}, Value{15.96}, Value{std::string("holed")}}});
    layer.qml = lifecircle::maps::graduated_qml(GeometryKind::polygon, "minutes", {5, 10}, "min");
    layer.style_name = "minutes (graduated)";
    return layer;
}

Layer facility_layer() {
    Layer layer;
    layer.name = "facilities";
    layer.kind = GeometryKind::point;
    layer.fields = {{"name", FieldType::string}, {"population", FieldType::integer}};
    layer.features.push_back(
        {point_wkb(origin_x, origin_y), {Value{chinese}, Value{std::int64_t{12345}}}});
    layer.features.push_back({point_wkb(origin_x + 1500, origin_y - 700),
                              {Value{std::string("B")}, Value{std::int64_t{-1}}}});
    return layer;
}

Layer road_layer() {
    Layer layer;
    layer.name = "roads";
    layer.kind = GeometryKind::line;
    layer.fields = {{"seconds", FieldType::real}};
    layer.features.push_back(
        {line_wkb({{origin_x, origin_y}, {origin_x + 100, origin_y + 50}}), {Value{42.5}}});
    layer.features.push_back({line_wkb({{origin_x, origin_y}, {origin_x - 80, origin_y}}),
                              {Value{std::numeric_limits<double>::infinity()}}});
    layer.qml = lifecircle::maps::graduated_qml(GeometryKind::line, "seconds", {60, 120}, "s");
    return layer;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct DatasetCloser {
    void operator()(GDALDataset* dataset) const { GDALClose(dataset); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

DatasetPtr open_vector(const std::string& path) {
    GDALAllRegister();
    return DatasetPtr(
        GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr));
}

/** Twice the signed area (shoelace): positive for counter-clockwise rings. */
double signed_area2(const OGRLinearRing& ring) {
    double sum = 0.0;
    for (int i = 0; i + 1 < ring.getNumPoints(); ++i) {
        sum += ring.getX(i) * ring.getY(i + 1) - ring.getX(i + 1) * ring.getY(i);
    }
    return sum;
}

std::unique_ptr<OGRFeature> next_feature(OGRLayer& layer) {
    return std::unique_ptr<OGRFeature>(layer.GetNextFeature());
}

/** Reads the message of the OutputError `write` throws; fails the test if none is thrown. */
template <typename F>
std::string output_error(F&& write) {
    try {
        write();
    } catch (const OutputError& e) {
        return e.what();
    }
    FAIL("no OutputError thrown");
    return "";
}

}  // namespace

TEST_CASE("GeoJSON output is RFC 7946", "[layer_writer]") {
    const TempDir dir{"lifecircle_layer_writer"};
    const std::string path = dir.file("isochrones.geojson");
    const Layer layer = isochrone_layer();
    write_layers(path, {layer}, utm29);

    // Only the file and its QML sidecar; no temporary left behind.
    CHECK(dir.entries() == std::vector<std::string>{"isochrones.geojson", "isochrones.qml"});
    // The QML as the layer has it, with our mark in the second line (see test_output.cpp).
    std::string qml = read_text(dir.path() / "isochrones.qml");
    const auto eol = qml.find('\n');
    qml.erase(eol + 1, qml.find('\n', eol + 1) - eol);
    CHECK(qml == layer.qml);

    const std::string text = read_text(path);
    INFO(text);
    CHECK(text.find("\"type\": \"FeatureCollection\"") != std::string::npos);
    CHECK(text.find("\"name\": \"isochrones\"") != std::string::npos);
    CHECK(text.find("\"bbox\"") != std::string::npos);
    CHECK(text.find("\"crs\"") == std::string::npos);  // RFC 7946 has no crs member
    CHECK(text.find(chinese) != std::string::npos);    // UTF-8 as is, not \u escapes

    // No coordinate has more than 7 decimals (the attribute reals here have fewer).
    const std::regex decimal(R"(-?\d+\.(\d+))");
    std::size_t numbers = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), decimal);
         it != std::sregex_iterator(); ++it) {
        CHECK((*it)[1].length() <= 7);
        ++numbers;
    }
    CHECK(numbers > 20);

    DatasetPtr dataset = open_vector(path);
    REQUIRE(dataset != nullptr);
    REQUIRE(dataset->GetLayerCount() == 1);
    OGRLayer& out = *dataset->GetLayer(0);
    CHECK(out.GetFeatureCount() == 2);
    CHECK(wkbFlatten(out.GetGeomType()) == wkbMultiPolygon);

    auto first = next_feature(out);
    REQUIRE(first != nullptr);
    CHECK(first->GetFieldAsString("facility") == chinese);
    CHECK(first->GetFieldAsInteger64("minutes") == 5);
    CHECK(first->GetFieldAsDouble("area_km2") == Approx(4.0));
    CHECK(first->IsFieldNull(first->GetFieldIndex("note")));

    // Longitude first: x = 500000 in UTM 29N is exactly 9 degrees west.
    const OGRGeometry* geometry = first->GetGeometryRef();
    REQUIRE(geometry != nullptr);
    OGREnvelope envelope;
    geometry->getEnvelope(&envelope);
    CHECK((envelope.MinX + envelope.MaxX) / 2 == Approx(-9.0).margin(1e-6));
    CHECK(envelope.MinY > 38.0);
    CHECK(envelope.MaxY < 39.5);

    auto second = next_feature(out);
    REQUIRE(second != nullptr);
    CHECK(second->GetFieldAsInteger64("minutes") == 10);
    CHECK(second->GetFieldAsDouble("area_km2") == Approx(15.96));
    CHECK(std::string(second->GetFieldAsString("note")) == "holed");
    const auto* multi = second->GetGeometryRef()->toMultiPolygon();
    REQUIRE(multi->getNumGeometries() == 1);
    const OGRPolygon* polygon = multi->getGeometryRef(0);
    REQUIRE(polygon->getNumInteriorRings() == 1);
    // The input had a clockwise exterior and a counter-clockwise hole; RFC 7946 wants the
    // opposite, and so does every ring we wrote.
    CHECK(signed_area2(*polygon->getExteriorRing()) > 0);
    CHECK(signed_area2(*polygon->getInteriorRing(0)) < 0);
    CHECK(signed_area2(
              *first->GetGeometryRef()->toMultiPolygon()->getGeometryRef(0)->getExteriorRing()) >
          0);
}

TEST_CASE("GeoJSON options: precision, .json, no sidecar", "[layer_writer]") {
    const TempDir dir{"lifecircle_layer_writer"};
    Layer layer = facility_layer();
    WriteOptions options;
    options.coordinate_precision = 3;
    write_layers(dir.file("facilities.json"), {layer}, utm29, options);
    CHECK(dir.entries() == std::vector<std::string>{"facilities.json"});  // no style, no .qml
    const std::string text = read_text(dir.path() / "facilities.json");
    INFO(text);
    CHECK(text.find("\"type\": \"Point\", \"coordinates\": [ -9.0, ") != std::string::npos);
    const std::regex long_decimal(R"(\d+\.\d{4,})");
    CHECK_FALSE(std::regex_search(text, long_decimal));

    layer.qml = "<qgis/>";
    options.qml_sidecar = false;
    write_layers(dir.file("styled.geojson"), {layer}, utm29, options);
    CHECK(dir.entries() == std::vector<std::string>{"facilities.json", "styled.geojson"});
}

TEST_CASE("GeoPackage holds several layers and their QGIS styles", "[layer_writer]") {
    const TempDir dir{"lifecircle_layer_writer"};
    const std::string path = dir.file("study.gpkg");
    const std::vector<Layer> layers{isochrone_layer(), facility_layer(), road_layer()};
    write_layers(path, layers, utm29);
    CHECK(dir.entries() == std::vector<std::string>{"study.gpkg"});

    DatasetPtr dataset = open_vector(path);
    REQUIRE(dataset != nullptr);
    CHECK(dataset->GetLayerCount() == 4);  // three layers + layer_styles

    OGRLayer* isochrones = dataset->GetLayerByName("isochrones");
    REQUIRE(isochrones != nullptr);
    CHECK(isochrones->GetFeatureCount() == 2);
    CHECK(wkbFlatten(isochrones->GetGeomType()) == wkbMultiPolygon);  // promoted from Polygon
    CHECK(std::string(isochrones->GetGeometryColumn()) == "geom");
    REQUIRE(isochrones->GetSpatialRef() != nullptr);
    CHECK(std::string(isochrones->GetSpatialRef()->GetAuthorityCode(nullptr)) == "4326");
    auto feature = next_feature(*isochrones);
    REQUIRE(feature != nullptr);
    CHECK(feature->GetFieldAsString("facility") == chinese);
    CHECK(feature->GetFieldAsInteger64("minutes") == 5);
    CHECK(feature->IsFieldNull(feature->GetFieldIndex("note")));
    OGREnvelope envelope;
    feature->GetGeometryRef()->getEnvelope(&envelope);
    CHECK((envelope.MinX + envelope.MaxX) / 2 == Approx(-9.0).margin(1e-9));

    OGRLayer* roads = dataset->GetLayerByName("roads");
    REQUIRE(roads != nullptr);
    CHECK(wkbFlatten(roads->GetGeomType()) == wkbMultiLineString);
    auto road = next_feature(*roads);
    CHECK(road->GetFieldAsDouble("seconds") == Approx(42.5));
    road = next_feature(*roads);
    CHECK(road->IsFieldNull(road->GetFieldIndex("seconds")));  // infinity is stored as NULL

    OGRLayer* facilities = dataset->GetLayerByName("facilities");
    REQUIRE(facilities != nullptr);
    CHECK(wkbFlatten(facilities->GetGeomType()) == wkbPoint);
    CHECK(facilities->GetFeatureCount() == 2);

    // The style table as QGIS writes and reads it: one default style per styled layer.
    OGRLayer* styles = dataset->GetLayerByName("layer_styles");
    REQUIRE(styles != nullptr);
    CHECK(styles->GetGeomType() == wkbNone);
    CHECK(std::string(styles->GetFIDColumn()) == "id");
    CHECK(styles->GetFeatureCount() == 2);
    styles->SetAttributeFilter(
        "f_table_schema='' AND f_table_name='isochrones' AND "
        "f_geometry_column='geom' AND useAsDefault=1");
    auto row = next_feature(*styles);
    REQUIRE(row != nullptr);
    CHECK(row->GetFieldAsString("styleQML") == layers[0].qml);
    CHECK(std::string(row->GetFieldAsString("styleName")) == "minutes (graduated)");
    CHECK(std::string(row->GetFieldAsString("f_table_catalog")).empty());
    CHECK_FALSE(row->IsFieldNull(row->GetFieldIndex("f_table_catalog")));
    CHECK(next_feature(*styles) == nullptr);
    styles->SetAttributeFilter("f_table_name='roads'");
    row = next_feature(*styles);
    REQUIRE(row != nullptr);
    CHECK(row->GetFieldAsString("styleQML") == layers[2].qml);
    CHECK(std::string(row->GetFieldAsString("styleName")) == "roads");  // default: layer name
    CHECK(row->GetFieldAsInteger("useAsDefault") == 1);
    CHECK_FALSE(row->IsFieldNull(row->GetFieldIndex("update_time")));
    styles->SetAttributeFilter("f_table_name='facilities'");
    CHECK(next_feature(*styles) == nullptr);

    // Column types as QGIS creates them, and registered as a plain attribute table.
    OGRLayer* schema = dataset->ExecuteSQL(
        "SELECT sql FROM sqlite_master WHERE name = 'layer_styles'", nullptr, nullptr);
    REQUIRE(schema != nullptr);
    auto sql = next_feature(*schema);
    REQUIRE(sql != nullptr);
    const std::string create = sql->GetFieldAsString(0);
    INFO(create);
    CHECK(create.find("\"id\" INTEGER PRIMARY KEY AUTOINCREMENT") != std::string::npos);
    CHECK(create.find("\"f_table_name\" TEXT(256)") != std::string::npos);
    CHECK(create.find("\"styleName\" TEXT(30)") != std::string::npos);
    CHECK(create.find("\"styleQML\" TEXT") != std::string::npos);
    CHECK(create.find("\"useAsDefault\" BOOLEAN") != std::string::npos);
    CHECK(create.find("\"update_time\" DATETIME") != std::string::npos);
    dataset->ReleaseResultSet(schema);
    OGRLayer* contents = dataset->ExecuteSQL(
        "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'", nullptr, nullptr);
    REQUIRE(contents != nullptr);
    auto kind = next_feature(*contents);
    REQUIRE(kind != nullptr);
    CHECK(std::string(kind->GetFieldAsString(0)) == "attributes");
    dataset->ReleaseResultSet(contents);
}

TEST_CASE("GeoPackage without styles has no layer_styles table", "[layer_writer]") {
    const TempDir dir{"lifecircle_layer_writer"};
    write_layers(dir.file("plain.gpkg"), {facility_layer()}, utm29);
    DatasetPtr dataset = open_vector(dir.file("plain.gpkg"));
    REQUIRE(dataset != nullptr);
    CHECK(dataset->GetLayerCount() == 1);
    CHECK(dataset->GetLayerByName("layer_styles") == nullptr);
}

TEST_CASE("overwrite replaces a file, or refuses to", "[layer_writer]") {
    const TempDir dir{"lifecircle_layer_writer"};
    const std::string path = dir.file("out.geojson");
    std::ofstream(path) << "old";
    write_layers(path, {facility_layer()}, utm29);
    CHECK(read_text(path).find("FeatureCollection") != std::string::npos);

    std::ofstream(path) << "old";
    WriteOptions keep;
    keep.overwrite = false;
    const std::string message =
        output_error([&] { write_layers(path, {facility_layer()}, utm29, keep); });
    CHECK(message == path + ": the file already exists and overwriting is off");
    CHECK(read_text(path) == "old");

    // The sidecar counts too.
    const std::string other = dir.file("other.geojson");
    std::ofstream(dir.file("other.qml")) << "mine";
    CHECK_THAT(output_error([&] { write_layers(other, {isochrone_layer()}, utm29, keep); }),
               Catch::Contains("other.qml already exists and overwriting is off"));
    CHECK(read_text(dir.file("other.qml")) == "mine");
    CHECK_FALSE(fs::exists(other));
}

TEST_CASE("a failure leaves no file and no temporary behind", "[layer_writer]") {
    const TempDir dir{"lifecircle_layer_writer"};
    Layer layer = isochrone_layer();
    layer.features[1].wkb.resize(20);  // truncated WKB in the second feature

    for (const std::string name : {"broken.gpkg", "broken.geojson"}) {
        const std::string path = dir.file(name);
        const std::string message = output_error([&] { write_layers(path, {layer}, utm29); });
        CHECK_THAT(message, Catch::StartsWith(path + ", layer 'isochrones', feature #1: "));
        CHECK_THAT(message, Catch::Contains("invalid WKB geometry (20 bytes)"));
        CHECK(dir.entries().empty());
    }

    // An existing file survives a failed overwrite.
    const std::string path = dir.file("kept.gpkg");
    write_layers(path, {facility_layer()}, utm29);
    const std::string before = read_text(path);
    CHECK_THROWS_AS(write_layers(path, {layer}, utm29), OutputError);
    CHECK(read_text(path) == before);
    CHECK(dir.entries() == std::vector<std::string>{"kept.gpkg"});
}

TEST_CASE("bad requests are refused with a message saying what to do", "[layer_writer]") {
    const TempDir dir{"lifecircle_layer_writer"};
    const Layer layer = isochrone_layer();

    CHECK(output_error([&] { write_layers(dir.file("out.shp"), {layer}, utm29); }) ==
          dir.file("out.shp") +
              ": unsupported output format '.shp'; supported are .gpkg (GeoPackage, several "
              "layers) and .geojson or .json (GeoJSON, one layer)");
    CHECK_THAT(output_error([&] { write_layers(dir.file("out"), {layer}, utm29); }),
               Catch::Contains("the file name has no extension; supported are .gpkg"));

    const std::string missing = (dir.path() / "nowhere" / "out.gpkg").string();
    CHECK(output_error([&] { write_layers(missing, {layer}, utm29); }) ==
          missing + ": the folder '" + (dir.path() / "nowhere").string() +
              "' does not exist; create it first");

    CHECK_THAT(
        output_error([&] {
            write_layers(dir.file("two.geojson"), {layer, facility_layer()}, utm29);
        }),
        Catch::Contains("GeoJSON holds exactly one layer but 2 were given; write a .gpkg file or "
                        "one GeoJSON file per layer"));

    Layer twin = facility_layer();
    twin.name = "Isochrones";
    CHECK_THAT(output_error([&] {
                   write_layers(dir.file("twins.gpkg"), {layer, twin}, utm29);
               }),
               Catch::Contains("layer 'Isochrones': two layers have this name"));

    Layer reserved = facility_layer();
    reserved.name = "layer_styles";
    CHECK_THAT(output_error([&] { write_layers(dir.file("r.gpkg"), {reserved}, utm29); }),
               Catch::Contains("reserved"));

    Layer short_row = facility_layer();
    short_row.features[1].values.pop_back();
    CHECK(output_error([&] { write_layers(dir.file("short.gpkg"), {short_row}, utm29); }) ==
          dir.file("short.gpkg") +
              ", layer 'facilities', feature #1: the feature has 1 values but the layer has 2 "
              "fields");

    Layer wrong_type = isochrone_layer();
    wrong_type.features[0].wkb = point_wkb(origin_x, origin_y);
    CHECK_THAT(output_error([&] { write_layers(dir.file("type.gpkg"), {wrong_type}, utm29); }),
               Catch::EndsWith("feature #0: a polygon layer cannot hold a Point geometry"));

    CHECK_THAT(output_error([&] { write_layers(dir.file("crs.gpkg"), {layer}, "EPSG:999999"); }),
               Catch::Contains("cannot understand the source CRS 'EPSG:999999'"));

    CHECK_THAT(output_error([&] { write_layers(dir.file("none.gpkg"), {}, utm29); }),
               Catch::Contains("there are no layers to write"));

    WriteOptions precise;
    precise.coordinate_precision = 16;
    CHECK_THAT(output_error([&] { write_layers(dir.file("p.geojson"), {layer}, utm29, precise); }),
               Catch::Contains("coordinate precision must be 0 to 15 decimals, not 16"));

    CHECK(dir.entries().empty());
}

TEST_CASE("a bare EPSG number and null geometries are accepted", "[layer_writer]") {
    const TempDir dir{"lifecircle_layer_writer"};
    Layer layer = facility_layer();
    layer.features[1].wkb.clear();
    write_layers(dir.file("f.gpkg"), {layer}, "32629");
    DatasetPtr dataset = open_vector(dir.file("f.gpkg"));
    REQUIRE(dataset != nullptr);
    OGRLayer& out = *dataset->GetLayer(0);
    auto first = next_feature(out);
    REQUIRE(first->GetGeometryRef() != nullptr);
    CHECK(first->GetGeometryRef()->toPoint()->getX() == Approx(-9.0));
    auto second = next_feature(out);
    CHECK(second->GetGeometryRef() == nullptr);
}

TEST_CASE("polygons across the antimeridian are cut, not wrapped round the globe",
          "[layer_writer]") {
    // A 10 km square on Taveuni, Fiji, in UTM 60S (central meridian 177E): 180 runs through it.
    const TempDir dir{"lifecircle_layer_writer"};
    Layer layer;
    layer.name = "fiji";
    layer.kind = GeometryKind::polygon;
    layer.features.push_back({polygon_wkb({square(819000, 8120000, 5000, true)}), {}});
    for (const std::string name : {"fiji.geojson", "fiji.gpkg"}) {
        write_layers(dir.file(name), {layer}, "EPSG:32760");
        DatasetPtr dataset = open_vector(dir.file(name));
        REQUIRE(dataset != nullptr);
        auto feature = next_feature(*dataset->GetLayer(0));
        REQUIRE(feature != nullptr);
        const auto* multi = feature->GetGeometryRef()->toMultiPolygon();
        REQUIRE(multi->getNumGeometries() == 2);
        for (const OGRPolygon* part : *multi) {
            OGREnvelope envelope;
            part->getEnvelope(&envelope);
            CHECK(envelope.MinX >= -180.0);
            CHECK(envelope.MaxX <= 180.0);
            CHECK(envelope.MaxX - envelope.MinX < 0.1);  // not 359.9 degrees wide
            CHECK(std::abs(std::abs(envelope.MinX + envelope.MaxX) / 2 - 180.0) < 0.1);
        }
    }
}

TEST_CASE("field names must be usable", "[layer_writer]") {
    const TempDir dir{"lifecircle_layer_writer"};
    Layer layer = facility_layer();
    layer.fields[1].name = "NAME";
    CHECK(output_error([&] { write_layers(dir.file("f.geojson"), {layer}, utm29); }) ==
          dir.file("f.geojson") + ", layer 'facilities': two fields are named 'NAME'");
    layer.fields[1].name = "fid";
    CHECK_THAT(output_error([&] { write_layers(dir.file("f.gpkg"), {layer}, utm29); }),
               Catch::EndsWith("the field name 'fid' is reserved for the feature id or geometry"));
    layer.fields[1].name = "";
    CHECK_THAT(output_error([&] { write_layers(dir.file("f.gpkg"), {layer}, utm29); }),
               Catch::EndsWith("field 2 has no name"));
    CHECK(dir.entries().empty());
}

// Geometries are prepared on several threads in batches and written one by one in order: the
// file must not depend on the thread count, and the first failing feature is still the one
// named. 5,000 squares of 200 m on a 100-column grid of 300 m, every 7th a bow-tie.
TEST_CASE("a large polygon layer is written in order, repaired, whatever the thread count",
          "[layer_writer][writer]") {
    constexpr std::size_t count = 5000;
    constexpr std::size_t columns = 100;
    Layer layer;
    layer.name = "many";
    layer.kind = GeometryKind::polygon;
    layer.fields = {{"n", FieldType::integer}};
    for (std::size_t i = 0; i < count; ++i) {
        const double x0 = origin_x + 300.0 * static_cast<double>(i % columns);
        const double y0 = origin_y + 300.0 * static_cast<double>(i / columns);
        const double x1 = x0 + 200.0;
        const double y1 = y0 + 200.0;
        const Ring ring = i % 7 == 3 ? Ring{{x0, y0}, {x1, y1}, {x1, y0}, {x0, y1}, {x0, y0}}
                                     : Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
        layer.features.push_back({polygon_wkb({ring}), {Value{static_cast<std::int64_t>(i)}}});
    }

    const TempDir dir{"lifecircle_layer_writer"};
    for (const std::string extension : {".gpkg", ".geojson"}) {
        INFO(extension);
        WriteOptions one;
        one.threads = 1;
        WriteOptions two;
        two.threads = 2;
        const std::string serial = dir.file("one" + extension);
        const std::string parallel = dir.file("two" + extension);
        write_layers(serial, {layer}, utm29, one);
        write_layers(parallel, {layer}, utm29, two);
        CHECK(read_text(serial) == read_text(parallel));

        DatasetPtr dataset = open_vector(parallel);
        REQUIRE(dataset != nullptr);
        OGRLayer& out = *dataset->GetLayer(0);
        REQUIRE(out.GetFeatureCount() == static_cast<GIntBig>(count));
        OGREnvelope previous;
        for (std::size_t i = 0; i < count; ++i) {
            INFO("feature " << i);
            auto feature = next_feature(out);
            REQUIRE(feature != nullptr);
            REQUIRE(feature->GetFieldAsInteger64("n") == static_cast<GIntBig>(i));
            const OGRGeometry* geometry = feature->GetGeometryRef();
            REQUIRE(geometry != nullptr);
            REQUIRE(wkbFlatten(geometry->getGeometryType()) == wkbMultiPolygon);
            CPLPushErrorHandler(CPLQuietErrorHandler);
            const bool valid = geometry->IsValid() != 0;
            CPLPopErrorHandler();
            CHECK(valid);
            // A bow-tie is repaired into its two triangles.
            CHECK(geometry->toMultiPolygon()->getNumGeometries() == (i % 7 == 3 ? 2 : 1));
            // Each geometry is its feature's: east of the one before in a row, north of the
            // row before at a row's start.
            OGREnvelope envelope;
            geometry->getEnvelope(&envelope);
            if (i % columns != 0) {
                CHECK(envelope.MinX > previous.MaxX);
            } else if (i > 0) {
                CHECK(envelope.MinY > previous.MaxY);
            }
            previous = envelope;
        }
    }

    // Coordinates PROJ cannot transform (x = 10^12 m) in two features, both in the second batch
    // of 4,096, and broken WKB after them: the first one is named, by its index.
    Layer failing = layer;
    for (const std::size_t f : {4321u, 4700u}) {
        failing.features[f].wkb = polygon_wkb({{{1e12, origin_y}, {1e12 + 200, origin_y},
                                                {1e12 + 200, origin_y + 200}, {1e12, origin_y}}});
    }
    failing.features[4800].wkb.resize(20);
    for (const std::string name : {"failing.gpkg", "failing.geojson"}) {
        const std::string path = dir.file(name);
        const std::string message = output_error([&] { write_layers(path, {failing}, utm29); });
        CHECK_THAT(message, Catch::StartsWith(path + ", layer 'many', feature #4321: "));
        CHECK_THAT(message, Catch::Contains("cannot transform the geometry to WGS 84"));
        CHECK_FALSE(fs::exists(path));
    }
    failing.features[17].wkb.resize(20);
    CHECK_THAT(output_error([&] { write_layers(dir.file("early.gpkg"), {failing}, utm29); }),
               Catch::Contains("feature #17: invalid WKB geometry (20 bytes)"));
}
