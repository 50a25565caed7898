#include <algorithm>
#include <cmath>
#include <span>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/graph.hpp"
#include "core/profile.hpp"
#include "io/gdal_network.hpp"
#include "tests/temp_dir.hpp"

using Catch::Contains;
using lifecircle::InputError;
using lifecircle::Oneway;
using lifecircle::Point;
using lifecircle::RawEdge;
using lifecircle::RawNetwork;
using lifecircle::RoadClass;
using lifecircle::UsageError;
using lifecircle::io::GdalNetworkOptions;
using lifecircle::io::GdalNetworkResult;
using lifecircle::io::read_gdal_network;
using lifecircle::test::TempDir;

namespace fs = std::filesystem;

namespace {

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::string number(double value) {
    std::ostringstream out;
    out.precision(15);
    out << value;
    return out.str();
}

/** A GeoJSON LineString feature; `properties` is the inside of the properties object. */
std::string line_feature(const std::vector<Point>& points, const std::string& properties = "") {
    std::string coordinates;
    for (const Point& p : points) {
        if (!coordinates.empty()) coordinates += ",";
        coordinates += '[';  // appended piece by piece: GCC 12 warns falsely on "[" + std::string
        coordinates += number(p.x);
        coordinates += ',';
        coordinates += number(p.y);
        coordinates += ']';
    }
    return R"({"type":"Feature","properties":{)" + properties +
           R"(},"geometry":{"type":"LineString","coordinates":[)" + coordinates + "]}}";
}

/** A GeoJSON FeatureCollection; `epsg` != 0 adds an (old-style) crs member. */
std::string feature_collection(const std::vector<std::string>& features, int epsg = 0) {
    std::string text = R"({"type":"FeatureCollection",)";
    if (epsg != 0) {
        text += R"("crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::)" +
                std::to_string(epsg) + R"("}},)";
    }
    text += R"("features":[)";
    for (std::size_t i = 0; i < features.size(); ++i) {
        if (i > 0) text += ",";
        text += features[i];
    }
    return text + "]}";
}

void register_gdal() { GDALAllRegister(); }

struct LayerSpec {
    std::string name;
    OGRwkbGeometryType type;
    std::vector<std::string> wkt;
};

/** Writes a GeoPackage with the given layers in EPSG:32650. */
void write_gpkg(const std::string& path, const std::vector<LayerSpec>& layers) {
    register_gdal();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    REQUIRE(driver != nullptr);
    GDALDataset* dataset = driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    REQUIRE(dataset != nullptr);
    OGRSpatialReference srs;
    srs.importFromEPSG(32650);
    for (const LayerSpec& spec : layers) {
        OGRLayer* layer = dataset->CreateLayer(spec.name.c_str(), &srs, spec.type, nullptr);
        REQUIRE(layer != nullptr);
        for (const std::string& wkt : spec.wkt) {
            OGRGeometry* geometry = nullptr;
            REQUIRE(OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &geometry) ==
                    OGRERR_NONE);
            OGRFeature* feature = OGRFeature::CreateFeature(layer->GetLayerDefn());
            feature->SetGeometryDirectly(geometry);
            REQUIRE(layer->CreateFeature(feature) == OGRERR_NONE);
            OGRFeature::DestroyFeature(feature);
        }
    }
    GDALClose(dataset);
}

/** The network's node an edge end was snapped to. */
Point node_of(const RawNetwork& network, std::uint32_t node) { return network.nodes.at(node); }

/** Edges whose names (via RawNetwork::names) equal `name`. */
std::vector<const RawEdge*> edges_named(const RawNetwork& network, const std::string& name) {
    std::vector<const RawEdge*> found;
    for (const RawEdge& edge : network.edges) {
        if (network.names.at(edge.name) == name) found.push_back(&edge);
    }
    return found;
}

/** Checks what every reader must deliver: shapes start and end on their nodes. */
void check_invariants(const GdalNetworkResult& result) {
    const RawNetwork& network = result.network;
    REQUIRE_FALSE(network.names.empty());
    CHECK(network.names[0].empty());
    for (const RawEdge& edge : network.edges) {
        REQUIRE(edge.from < network.nodes.size());
        REQUIRE(edge.to < network.nodes.size());
        REQUIRE(network.shape(edge).size() >= 2);
        CHECK(network.shape(edge).front() == network.nodes[edge.from]);
        CHECK(network.shape(edge).back() == network.nodes[edge.to]);
        REQUIRE(edge.source < result.feature_ids.size());
        REQUIRE(edge.name < network.names.size());
    }
}

// A T-junction in UTM 50N (Beijing), drawn with the junction ends 0.3 m apart:
//
//            C (440100, 4420100)
//            |
//            |  stem, ends at J'' = (440100.0, 4420000.28)
//            |
//   A -------J J'------- B        J = (440099.9, 4420000), J' = (440100.2, 4420000)
//
// J and J' sit in different 1 m grid cells (x = 440099.x and 440100.x).
constexpr Point A{440000.0, 4420000.0};
constexpr Point J{440099.9, 4420000.0};
constexpr Point J1{440100.2, 4420000.0};
constexpr Point J2{440100.0, 4420000.28};
constexpr Point B{440200.0, 4420000.0};
constexpr Point C{440100.0, 4420100.0};

std::string t_junction_geojson() {
    return feature_collection({line_feature({A, J}, R"("name":"west","highway":"residential")"),
                               line_feature({J1, B}, R"("name":"east","highway":"residential")"),
                               line_feature({J2, C}, R"("name":"stem","highway":"footway")")},
                              32650);
}

}  // namespace

TEST_CASE("gdal_network: a T-junction with ends 0.3 m apart becomes 4 nodes", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("t.geojson");
    write_text(path, t_junction_geojson());

    const GdalNetworkResult result = read_gdal_network(path, {});
    check_invariants(result);
    CHECK(result.layer_name == "t");
    CHECK(result.source_crs == "EPSG:32650");
    CHECK(result.work_crs == "EPSG:32650");
    CHECK(result.feature_ids == std::vector<std::int64_t>{0, 1, 2});
    CHECK(result.junction_splits == 0);
    CHECK(result.fields.name == "name");
    CHECK(result.fields.road_class == "highway");
    CHECK(result.fields.speed.empty());
    // Without one-way and speed fields every line is two-way at class speeds: said, not silent.
    REQUIRE(result.warnings.size() == 1);
    CHECK(result.warnings[0] ==
          "no one-way (oneway, one_way, 单行) or speed (maxspeed, speed, speed_kmh, maxspeed_kmh, "
          "限速) field found, so every line is two-way and class default speeds are used; the "
          "layer's fields are: name, highway. Name them with --oneway-field / --speed-field");

    const RawNetwork& network = result.network;
    REQUIRE(network.nodes.size() == 4);
    REQUIRE(network.edges.size() == 3);
    const auto west = edges_named(network, "west");
    const auto east = edges_named(network, "east");
    const auto stem = edges_named(network, "stem");
    REQUIRE(west.size() == 1);
    REQUIRE(east.size() == 1);
    REQUIRE(stem.size() == 1);
    // All three meet in one node, the first end seen (J).
    CHECK(west[0]->to == east[0]->from);
    CHECK(west[0]->to == stem[0]->from);
    CHECK(node_of(network, west[0]->to).x == Approx(J.x).margin(1e-6));
    CHECK(node_of(network, west[0]->to).y == Approx(J.y).margin(1e-6));
    CHECK(node_of(network, west[0]->from).x == Approx(A.x).margin(1e-6));
    CHECK(west[0]->attributes.road_class == RoadClass::residential);
    CHECK(stem[0]->attributes.road_class == RoadClass::footway);
    CHECK(stem[0]->source == 2);

    SECTION("a tolerance below the gaps keeps the ends apart") {
        GdalNetworkOptions options;
        options.snap_tolerance_m = 0.1;
        const GdalNetworkResult loose = read_gdal_network(path, options);
        check_invariants(loose);
        CHECK(loose.network.nodes.size() == 6);
        CHECK(loose.network.edges.size() == 3);
    }
    SECTION("the input CRS overrides the layer's") {
        GdalNetworkOptions options;
        options.input_crs = "EPSG:32650";
        const GdalNetworkResult same = read_gdal_network(path, options);
        CHECK(same.network.nodes.size() == 4);
        REQUIRE(same.warnings.size() == 2);
        CHECK(same.warnings[1] ==
              "the layer's coordinate reference system (WGS 84 / UTM zone 50N) "
              "was overridden by EPSG:32650");
    }
    SECTION("tolerance 0 merges identical points only") {
        GdalNetworkOptions options;
        options.snap_tolerance_m = 0.0;
        CHECK(read_gdal_network(path, options).network.nodes.size() == 6);
    }
}

TEST_CASE("gdal_network: lines are split where another line ends on them", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("split.geojson");
    //   A ----------J---------- B     one line with a vertex at J (or none, see below)
    //               |
    //               C                 the stem ends 0.3 m below J
    const Point stem_end{J.x, J.y - 0.3};
    const Point below{J.x, J.y - 100.0};

    SECTION("at an interior vertex") {
        write_text(path, feature_collection({line_feature({A, J, B}, R"("name":"bar")"),
                                             line_feature({below, stem_end}, R"("name":"stem")")},
                                            32650));
        const GdalNetworkResult result = read_gdal_network(path, {});
        check_invariants(result);
        CHECK(result.junction_splits == 1);
        CHECK(result.network.nodes.size() == 4);
        const auto bar = edges_named(result.network, "bar");
        const auto stem = edges_named(result.network, "stem");
        REQUIRE(bar.size() == 2);
        REQUIRE(stem.size() == 1);
        CHECK(bar[0]->to == stem[0]->to);
        CHECK(bar[1]->from == stem[0]->to);
        CHECK(result.network.shape(*bar[0]).size() == 2);
        CHECK(bar[0]->source == bar[1]->source);
        CHECK(result.feature_ids.size() == 2);
    }
    SECTION("inside a segment") {
        write_text(path, feature_collection({line_feature({A, B}, R"("name":"bar")"),
                                             line_feature({below, stem_end}, R"("name":"stem")")},
                                            32650));
        const GdalNetworkResult result = read_gdal_network(path, {});
        check_invariants(result);
        CHECK(result.junction_splits == 1);
        const auto bar = edges_named(result.network, "bar");
        REQUIRE(bar.size() == 2);
        // The bar bends to the stem's end, which is the junction node.
        CHECK(result.network.shape(*bar[0]).back() == stem_end);
        CHECK(result.network.shape(*bar[1]).front() == stem_end);
        CHECK(result.network.shape(*bar[0]).front() == A);
        CHECK(result.network.shape(*bar[1]).back() == B);
    }
    SECTION("not when asked not to") {
        write_text(path, feature_collection({line_feature({A, J, B}, R"("name":"bar")"),
                                             line_feature({below, stem_end}, R"("name":"stem")")},
                                            32650));
        GdalNetworkOptions options;
        options.split_at_junctions = false;
        const GdalNetworkResult result = read_gdal_network(path, options);
        CHECK(result.junction_splits == 0);
        CHECK(result.network.edges.size() == 2);
        CHECK(result.network.nodes.size() == 4);
    }
    SECTION("not at crossings where no line ends (bridges)") {
        write_text(path, feature_collection(
                             {line_feature({A, J, B}, R"("name":"bar")"),
                              line_feature({below, {J.x, J.y + 100.0}}, R"("name":"bridge")")},
                             32650));
        const GdalNetworkResult result = read_gdal_network(path, {});
        CHECK(result.junction_splits == 0);
        CHECK(result.network.edges.size() == 2);
        CHECK(result.network.nodes.size() == 4);
    }
}

TEST_CASE("gdal_network: attributes", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("attrs.geojson");
    const Point o{440000.0, 4420000.0};
    auto segment = [&](int i) {
        const double y = o.y + 10.0 * i;
        return std::vector<Point>{{o.x, y}, {o.x + 50.0, y}};
    };
    write_text(
        path,
        feature_collection(
            {
                line_feature(
                    segment(0),
                    R"("name":"学清路","highway":"primary","oneway":"yes","maxspeed":"60")"),
                line_feature(
                    segment(1),
                    R"("name":"学清路","highway":"Secondary","oneway":"-1","maxspeed":"30 mph")"),
                line_feature(segment(2),
                             R"("name":"  ","highway":"主干路","oneway":"no","maxspeed":"none")"),
                line_feature(segment(3), R"("highway":"主路","oneway":"T","maxspeed":"0")"),
                line_feature(segment(4), R"("name":"清华东路","highway":null,"oneway":"maybe")"),
                line_feature(segment(5), R"("name":"x","highway":"","oneway":"")"),
            },
            32650));
    const GdalNetworkResult result = read_gdal_network(path, {});
    check_invariants(result);
    CHECK(result.fields.speed == "maxspeed");
    CHECK(result.fields.oneway == "oneway");
    const RawNetwork& network = result.network;
    REQUIRE(network.edges.size() == 6);
    // Names are deduplicated; blank names are unnamed.
    CHECK(network.names == std::vector<std::string>{"", "学清路", "清华东路", "x"});
    auto edge = [&](std::size_t feature) -> const RawEdge& {
        for (const RawEdge& e : network.edges) {
            if (result.feature_ids[e.source] == static_cast<std::int64_t>(feature)) return e;
        }
        FAIL("no edge for feature " << feature);
        return network.edges.front();
    };
    CHECK(network.names[edge(0).name] == "学清路");
    CHECK(edge(0).name == edge(1).name);
    CHECK(edge(2).name == 0);

    CHECK(edge(0).attributes.road_class == RoadClass::primary);
    CHECK(edge(1).attributes.road_class == RoadClass::secondary);
    CHECK(edge(2).attributes.road_class == RoadClass::primary);  // 主干路: Chinese grade
    CHECK(edge(3).attributes.road_class == RoadClass::other);    // not recognised
    CHECK(edge(4).attributes.road_class == RoadClass::road);     // not recorded
    CHECK(edge(5).attributes.road_class == RoadClass::road);

    CHECK(edge(0).attributes.oneway == Oneway::forward);
    CHECK(edge(1).attributes.oneway == Oneway::reverse);
    CHECK(edge(2).attributes.oneway == Oneway::no);
    CHECK(edge(3).attributes.oneway == Oneway::forward);  // T = true
    CHECK(edge(4).attributes.oneway == Oneway::no);
    CHECK(edge(5).attributes.oneway == Oneway::no);

    CHECK(edge(0).attributes.maxspeed_kmh == 60.0);
    CHECK(edge(1).attributes.maxspeed_kmh == Approx(48.28032));
    CHECK(edge(2).attributes.maxspeed_kmh == 0.0);
    CHECK(edge(3).attributes.maxspeed_kmh == 0.0);
    CHECK(edge(4).attributes.maxspeed_kmh == 0.0);

    REQUIRE(result.warnings.size() == 3);
    CHECK_THAT(result.warnings[0],
               Contains("1 features have a road class that is not recognised ('主路')"));
    CHECK_THAT(result.warnings[1],
               Contains("1 lines have a oneway value that is not recognised ('maybe')"));
    CHECK_THAT(result.warnings[2], Contains("('none')"));
}

TEST_CASE("gdal_network: bridge and tunnel fields", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("structures.geojson");
    const Point o{440000.0, 4420000.0};
    auto segment = [&](int i) {
        const double y = o.y + 10.0 * i;
        return std::vector<Point>{{o.x, y}, {o.x + 50.0, y}};
    };
    write_text(path, feature_collection({line_feature(segment(0), R"("bridge":"T","tunnel":"F","layer":0)"),
                                         line_feature(segment(1), R"("bridge":"F","tunnel":"T","layer":-1)"),
                                         line_feature(segment(2), R"("bridge":"F","tunnel":"F","layer":1)"),
                                         line_feature(segment(3), R"("bridge":"F","tunnel":"F","layer":0)"),
                                         line_feature(segment(4), R"("bridge":"高架","tunnel":null)"),
                                         line_feature(segment(5), R"("bridge":"maybe")")},
                                        32650));
    auto flags = [](const GdalNetworkResult& r) {
        std::vector<bool> out(r.network.edges.size());
        for (const RawEdge& e : r.network.edges) out[e.source] = e.attributes.bridge_or_tunnel;
        return out;
    };
    SECTION("every field found by name counts") {
        const GdalNetworkResult r = read_gdal_network(path, {});
        CHECK(r.fields.bridge_tunnel == "bridge, tunnel, layer");
        CHECK(flags(r) == std::vector<bool>{true, true, true, false, true, false});
        CHECK(std::count_if(r.warnings.begin(), r.warnings.end(), [](const std::string& w) {
                  return w == "1 features have a bridge/tunnel value that is not recognised ('maybe'); they are "
                              "taken to be on the ground (use 1/0, yes/no, bridge, tunnel)";
              }) == 1);
    }
    SECTION("a named field alone") {
        GdalNetworkOptions options;
        options.bridge_tunnel_field = "LAYER";
        const GdalNetworkResult r = read_gdal_network(path, options);
        CHECK(r.fields.bridge_tunnel == "layer");
        CHECK(flags(r) == std::vector<bool>{false, true, true, false, false, false});
    }
    SECTION("a named field that is missing") {
        GdalNetworkOptions options;
        options.bridge_tunnel_field = "桥隧";
        REQUIRE_THROWS_WITH(read_gdal_network(path, options),
                            Contains("field '桥隧' (given as the bridge/tunnel field) not found") &&
                                Contains("the layer's fields are: bridge, tunnel, layer"));
    }
    SECTION("a Chinese field") {
        write_text(path, feature_collection({line_feature(segment(0), R"("桥梁":"是")"),
                                             line_feature(segment(1), R"("桥梁":"否")")},
                                            32650));
        const GdalNetworkResult r = read_gdal_network(path, {});
        CHECK(r.fields.bridge_tunnel == "桥梁");
        CHECK(flags(r) == std::vector<bool>{true, false});
    }
}

TEST_CASE("gdal_network: Geofabrik's oneway F/T/B and explicit field names", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("geofabrik.geojson");
    const std::vector<Point> a{{440000.0, 4420000.0}, {440050.0, 4420000.0}};
    const std::vector<Point> b{{440000.0, 4420010.0}, {440050.0, 4420010.0}};
    const std::vector<Point> c{{440000.0, 4420020.0}, {440050.0, 4420020.0}};
    write_text(
        path, feature_collection(
                  {line_feature(a, R"("fclass":"track_grade2","oneway":"F","vmax":40,"label":"a")"),
                   line_feature(b, R"("fclass":"residential","oneway":"T","vmax":0,"label":"b")"),
                   line_feature(c, R"("fclass":"unknown","oneway":"B","vmax":-5,"label":"c")")},
                  32650));
    GdalNetworkOptions options;
    options.speed_field = "VMAX";  // case-insensitive
    options.name_field = "label";
    const GdalNetworkResult result = read_gdal_network(path, options);
    CHECK(result.fields.speed == "vmax");
    CHECK(result.fields.road_class == "fclass");
    const RawNetwork& network = result.network;
    REQUIRE(network.edges.size() == 3);
    CHECK(network.edges[0].attributes.road_class == RoadClass::track);
    CHECK(network.edges[1].attributes.road_class == RoadClass::residential);
    CHECK(network.edges[2].attributes.road_class == RoadClass::road);
    CHECK(network.edges[0].attributes.oneway == Oneway::forward);
    CHECK(network.edges[1].attributes.oneway == Oneway::reverse);  // T = against the line
    CHECK(network.edges[2].attributes.oneway == Oneway::no);
    CHECK(network.edges[0].attributes.maxspeed_kmh == 40.0);
    CHECK(network.edges[1].attributes.maxspeed_kmh == 0.0);
    CHECK(network.edges[2].attributes.maxspeed_kmh == 0.0);
    CHECK(network.names[network.edges[2].name] == "c");
    CHECK(result.warnings.empty());
}

TEST_CASE("gdal_network: longitude/latitude input gets a UTM work CRS", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("porto.geojson");
    // Two streets in Porto sharing an end; GeoJSON without crs is WGS 84 lon/lat.
    write_text(path, feature_collection({line_feature({{-8.6110, 41.1460}, {-8.6100, 41.1460}}),
                                         line_feature({{-8.6100, 41.1460}, {-8.6100, 41.1470}})}));
    const GdalNetworkResult result = read_gdal_network(path, {});
    check_invariants(result);
    CHECK(result.source_crs == "EPSG:4326");
    CHECK(result.work_crs == "EPSG:32629");
    REQUIRE(result.network.nodes.size() == 3);
    const RawEdge& east_west = result.network.edges[0];
    const RawEdge& north_south = result.network.edges[1];
    CHECK(east_west.to == north_south.from);
    // 0.001 degrees of longitude at 41.146 N is about 84 m; of latitude about 111 m.
    const Point a = result.network.shape(east_west).front();
    const Point b = result.network.shape(east_west).back();
    CHECK(std::hypot(b.x - a.x, b.y - a.y) == Approx(83.9).margin(0.5));
    const Point c = result.network.shape(north_south).back();
    CHECK(std::hypot(c.x - b.x, c.y - b.y) == Approx(111.0).margin(0.5));
    CHECK(a.x == Approx(532000.0).margin(2000.0));
    CHECK(a.y == Approx(4555000.0).margin(2000.0));

    SECTION("a given work CRS is used") {
        GdalNetworkOptions options;
        options.work_crs = "EPSG:3763";  // Portugal TM06
        const GdalNetworkResult tm06 = read_gdal_network(path, options);
        CHECK(tm06.work_crs == "EPSG:3763");
        CHECK(std::abs(tm06.network.nodes[0].x) < 50000.0);  // TM06 is centred on Portugal
    }
}

TEST_CASE("gdal_network: GeoPackage layers, curves and multi-lines", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("roads.gpkg");
    write_gpkg(
        path,
        {{"pois", wkbPoint, {"POINT (440000 4420000)"}},
         {"roads",
          wkbMultiLineString,
          {"MULTILINESTRING ((440000 4420000,440100 4420000),(440100 4420000,440100 4420100))"}},
         {"curves",
          wkbCompoundCurve,
          {"COMPOUNDCURVE (CIRCULARSTRING (440000 4420000,440050 4420050,440100 4420000))"}}});
    SECTION("the first layer with lines") {
        const GdalNetworkResult result = read_gdal_network(path, {});
        check_invariants(result);
        CHECK(result.layer_name == "roads");
        CHECK(result.feature_ids == std::vector<std::int64_t>{1});  // GeoPackage FIDs start at 1
        REQUIRE(result.network.edges.size() == 2);
        CHECK(result.network.nodes.size() == 3);
        CHECK(result.network.edges[0].source == 0);
        CHECK(result.network.edges[1].source == 0);
    }
    SECTION("curves are linearised") {
        GdalNetworkOptions options;
        options.layer = "curves";
        const GdalNetworkResult result = read_gdal_network(path, options);
        check_invariants(result);
        REQUIRE(result.network.edges.size() == 1);
        const std::span<const Point> shape = result.network.shape(0);
        CHECK(shape.size() > 10);
        double max_y = 0.0;
        for (const Point& p : shape) max_y = std::max(max_y, p.y);
        CHECK(max_y == Approx(4420050.0).margin(0.5));
    }
}

TEST_CASE("gdal_network: GBK Shapefiles come out as UTF-8", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("gbk_roads.shp");
    {
        register_gdal();
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
        REQUIRE(driver != nullptr);
        GDALDataset* dataset = driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
        REQUIRE(dataset != nullptr);
        OGRSpatialReference srs;
        srs.importFromEPSG(4527);
        const char* const layer_options[] = {"ENCODING=GBK", nullptr};
        OGRLayer* layer = dataset->CreateLayer("gbk_roads", &srs, wkbLineString,
                                               const_cast<char**>(layer_options));
        REQUIRE(layer != nullptr);
        OGRFieldDefn name_field("道路名称", OFTString);
        REQUIRE(layer->CreateField(&name_field) == OGRERR_NONE);
        OGRFieldDefn oneway_field("单行", OFTInteger);
        REQUIRE(layer->CreateField(&oneway_field) == OGRERR_NONE);
        OGRFeature* feature = OGRFeature::CreateFeature(layer->GetLayerDefn());
        feature->SetField(0, "学清路");
        feature->SetField(1, 1);
        OGRLineString line;
        line.addPoint(39444187.92, 4429699.54);
        line.addPoint(39444187.90, 4429686.03);
        feature->SetGeometry(&line);
        REQUIRE(layer->CreateFeature(feature) == OGRERR_NONE);
        OGRFeature::DestroyFeature(feature);
        GDALClose(dataset);
    }
    // The .dbf really holds GBK bytes, and the .cpg says so.
    std::ifstream dbf(dir.file("gbk_roads.dbf"), std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(dbf), std::istreambuf_iterator<char>()};
    CHECK(bytes.find("\xD1\xA7\xC7\xE5\xC2\xB7") != std::string::npos);  // 学清路 in GBK
    CHECK(bytes.find("学清路") == std::string::npos);

    auto check = [&] {
        const GdalNetworkResult result = read_gdal_network(path, {});
        CHECK(result.fields.name == "道路名称");
        CHECK(result.fields.oneway == "单行");
        CHECK(result.source_crs == "EPSG:4527");
        CHECK(result.work_crs == "EPSG:32650");
        REQUIRE(result.network.edges.size() == 1);
        CHECK(result.network.names[result.network.edges[0].name] == "学清路");
        CHECK(result.network.edges[0].attributes.oneway == Oneway::forward);
    };
    check();
    // SHAPE_ENCODING="" turns GDAL's recoding off; the reader still names the encoding.
    CPLSetThreadLocalConfigOption("SHAPE_ENCODING", "");
    check();
    CPLSetThreadLocalConfigOption("SHAPE_ENCODING", nullptr);
}

TEST_CASE("gdal_network: the bureau's Haidian Shapefile", "[gdal_network]") {
    const fs::path path = fs::path(LIFECIRCLE_SHARED_DATA) / "bureau" / "haidian_roads.shp";
    if (!fs::exists(path)) {
        WARN("skipped: " << path << " is absent");
        return;
    }
    const GdalNetworkResult result = read_gdal_network(path.string(), {});
    check_invariants(result);
    CHECK(result.layer_name == "haidian_roads");
    CHECK(result.source_crs == "EPSG:4527");
    CHECK(result.work_crs == "EPSG:32650");
    CHECK(result.fields.name == "道路名称");
    CHECK(result.fields.road_class == "道路等级");
    CHECK(result.fields.oneway == "单行");
    CHECK(result.fields.speed == "限速");

    REQUIRE(result.feature_ids.size() == 702);
    std::set<std::int64_t> distinct(result.feature_ids.begin(), result.feature_ids.end());
    CHECK(distinct.size() == 702);
    CHECK(*distinct.begin() == 0);
    CHECK(*distinct.rbegin() == 701);

    const RawNetwork& network = result.network;
    // Feature 647 is a 0.55 m footway: its ends merge into one node and it is dropped.
    CHECK(network.edges.size() == 701);
    CHECK(result.junction_splits == 0);  // the bureau split its lines at junctions
    REQUIRE(result.warnings.size() == 1);
    CHECK_THAT(result.warnings[0], Contains("1 lines or pieces of line shorter than the snap "
                                            "tolerance (1 m) were dropped"));
    CHECK(network.nodes.size() < 2 * 702);  // ends were merged
    CHECK(network.nodes.size() == 526);
    // Names: UTF-8 Chinese, deduplicated, 167 features named.
    const std::vector<std::string>& names = network.names;
    CHECK(std::find(names.begin(), names.end(), "学清路") != names.end());
    CHECK(std::find(names.begin(), names.end(), "清华东路") != names.end());
    std::set<std::uint32_t> named_features;
    for (const RawEdge& edge : network.edges) {
        if (edge.name != 0) named_features.insert(edge.source);
    }
    CHECK(named_features.size() == 167);
    CHECK(edges_named(network, "学清路").size() >= 43);

    std::size_t oneway = 0;
    std::size_t with_speed = 0;
    std::size_t footways = 0;
    for (const RawEdge& edge : network.edges) {
        if (edge.attributes.oneway == Oneway::forward) ++oneway;
        if (edge.attributes.maxspeed_kmh == 15.0) ++with_speed;
        if (edge.attributes.road_class == RoadClass::footway) ++footways;
        CHECK(edge.attributes.road_class != RoadClass::other);
    }
    CHECK(oneway >= 203);
    CHECK(with_speed >= 6);
    CHECK(footways == 141);  // 142 less the dropped one

    // Haidian, around Xueqing Road: UTM 50N easting about 440 km, northing about 4429 km.
    lifecircle::Box box;
    for (const Point& p : network.nodes) box.extend(p);
    CHECK(box.min.x > 435000.0);
    CHECK(box.max.x < 450000.0);
    CHECK(box.min.y > 4420000.0);
    CHECK(box.max.y < 4440000.0);
    CHECK(box.max.x - box.min.x == Approx(2728.0 * 0.9996).margin(30.0));
    CHECK(box.max.y - box.min.y == Approx(3736.5 * 0.9996).margin(30.0));
}

namespace {

/** What a topology build produced, in numbers that do not depend on PROJ's last bits. */
struct TopologyFingerprint {
    std::size_t raw_nodes = 0;
    std::size_t raw_edges = 0;
    std::size_t junction_splits = 0;
    std::uint64_t structure = 0;  ///< FNV-1a over every edge's ends, shape size, source, name, class
    double shape_m = 0.0;         ///< total length of the raw shapes
    std::size_t graph_nodes = 0;
    std::size_t graph_edges = 0;
    double walk_seconds = 0.0;    ///< sum over usable walking arcs
    double drive_seconds = 0.0;   ///< sum over usable driving arcs
};

TopologyFingerprint fingerprint(const std::string& path, const GdalNetworkOptions& options) {
    GdalNetworkResult result = read_gdal_network(path, options);
    TopologyFingerprint f;
    const RawNetwork& raw = result.network;
    f.raw_nodes = raw.nodes.size();
    f.raw_edges = raw.edges.size();
    f.junction_splits = result.junction_splits;
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&](std::uint64_t v) {
        for (int i = 0; i < 8; ++i) {
            h ^= (v >> (8 * i)) & 0xFFu;
            h *= 1099511628211ull;
        }
    };
    for (std::size_t i = 0; i < raw.edges.size(); ++i) {
        const RawEdge& e = raw.edges[i];
        mix(e.from);
        mix(e.to);
        mix(raw.shape(i).size());
        mix(e.source);
        mix(e.name);
        mix(static_cast<std::uint64_t>(e.attributes.road_class));
        for (std::size_t k = 1; k < raw.shape(i).size(); ++k)
            f.shape_m += std::hypot(raw.shape(i)[k].x - raw.shape(i)[k - 1].x,
                                    raw.shape(i)[k].y - raw.shape(i)[k - 1].y);
    }
    f.structure = h;
    lifecircle::BuildOptions build;
    build.profiles = {lifecircle::default_profile(lifecircle::Mode::walk),
                      lifecircle::default_profile(lifecircle::Mode::drive)};
    const lifecircle::RoadGraph g = lifecircle::build_graph(std::move(result.network), build);
    f.graph_nodes = g.node_count();
    f.graph_edges = g.edge_count();
    for (float s : g.profiles[0].arc_seconds)
        if (s != lifecircle::forbidden_arc) f.walk_seconds += s;
    for (float s : g.profiles[1].arc_seconds)
        if (s != lifecircle::forbidden_arc) f.drive_seconds += s;
    return f;
}

void check_fingerprint(const TopologyFingerprint& f, const TopologyFingerprint& expected) {
    CHECK(f.raw_nodes == expected.raw_nodes);
    CHECK(f.raw_edges == expected.raw_edges);
    CHECK(f.junction_splits == expected.junction_splits);
    CHECK(f.structure == expected.structure);
    CHECK(f.shape_m == Approx(expected.shape_m).epsilon(1e-9));
    CHECK(f.graph_nodes == expected.graph_nodes);
    CHECK(f.graph_edges == expected.graph_edges);
    CHECK(f.walk_seconds == Approx(expected.walk_seconds).epsilon(1e-7));
    CHECK(f.drive_seconds == Approx(expected.drive_seconds).epsilon(1e-7));
}

}  // namespace

// Recorded before the topology moved from io/gdal_network.cpp to core/topology.cpp (issue 17):
// the same nodes, edges and travel times, with the default tolerance, a wide one that splits
// lines at T-junctions, and without splitting.
TEST_CASE("gdal_network: the Haidian graph is unchanged by the topology move", "[gdal_network]") {
    const fs::path path = fs::path(LIFECIRCLE_SHARED_DATA) / "bureau" / "haidian_roads.shp";
    if (!fs::exists(path)) {
        WARN("skipped: " << path << " is absent");
        return;
    }
    auto show = [](const TopologyFingerprint& f) {
        std::ostringstream out;
        out.precision(17);
        out << f.raw_nodes << " " << f.raw_edges << " " << f.junction_splits << " " << f.structure << "ull "
            << f.shape_m << " " << f.graph_nodes << " " << f.graph_edges << " " << f.walk_seconds << " "
            << f.drive_seconds;
        return out.str();
    };
    SECTION("default options") {
        const TopologyFingerprint f = fingerprint(path.string(), {});
        INFO(show(f));
        check_fingerprint(f, {526, 701, 0, 8543933898445421907ull, 64458.217564610284, 526, 701, 116206.39256072044, 15132.285080865026});
    }
    SECTION("a 6 m tolerance, splitting at T-junctions") {
        GdalNetworkOptions options;
        options.snap_tolerance_m = 6.0;
        const TopologyFingerprint f = fingerprint(path.string(), options);
        INFO(show(f));
        check_fingerprint(f, {499, 703, 25, 2648469857356849394ull, 64467.739072929013, 499, 703, 116227.58079338074, 15135.694665968418});
    }
    SECTION("a 6 m tolerance without splitting") {
        GdalNetworkOptions options;
        options.snap_tolerance_m = 6.0;
        options.split_at_junctions = false;
        const TopologyFingerprint f = fingerprint(path.string(), options);
        INFO(show(f));
        check_fingerprint(f, {499, 678, 0, 1228130144513233645ull, 64453.989408790047, 499, 678, 116202.83136558533, 15130.005930006504});
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input: every message says what is wrong and what to do.

TEST_CASE("gdal_network: missing file", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("nowhere.shp");
    REQUIRE_THROWS_AS(read_gdal_network(path, {}), InputError);
    REQUIRE_THROWS_WITH(read_gdal_network(path, {}), Contains(path) &&
                                                         Contains("cannot open: No such file") &&
                                                         Contains("check the path"));
}

TEST_CASE("gdal_network: not a vector dataset", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string text = dir.file("notes.txt");
    write_text(text, "these are not roads\n");
    REQUIRE_THROWS_AS(read_gdal_network(text, {}), InputError);
    REQUIRE_THROWS_WITH(read_gdal_network(text, {}),
                        Contains(text) && Contains("not a vector dataset GDAL can read"));

    const std::string tif = dir.file("dem.tif");
    register_gdal();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
    REQUIRE(driver != nullptr);
    GDALClose(driver->Create(tif.c_str(), 4, 4, 1, GDT_Byte, nullptr));
    REQUIRE_THROWS_WITH(read_gdal_network(tif, {}),
                        Contains("is a raster dataset, not a vector dataset"));
}

TEST_CASE("gdal_network: layer choice", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("mixed.gpkg");
    write_gpkg(path, {{"roads", wkbLineString, {"LINESTRING (440000 4420000,440100 4420000)"}},
                      {"pois", wkbPoint, {"POINT (440000 4420000)"}}});
    GdalNetworkOptions options;
    options.layer = "streets";
    REQUIRE_THROWS_WITH(read_gdal_network(path, options),
                        Contains("layer 'streets' not found; the layers are: roads, pois"));
    options.layer = "pois";
    REQUIRE_THROWS_WITH(read_gdal_network(path, options),
                        Contains(path + ", layer 'pois': the layer has Point geometries; a road "
                                        "network needs LineString geometries"));
    options.layer = "roads";
    CHECK(read_gdal_network(path, options).network.edges.size() == 1);

    const std::string no_lines = dir.file("no_lines.gpkg");
    write_gpkg(no_lines,
               {{"pois", wkbPoint, {"POINT (440000 4420000)"}},
                {"parcels",
                 wkbPolygon,
                 {"POLYGON ((440000 4420000,440100 4420000,440100 4420100,440000 4420000))"}}});
    REQUIRE_THROWS_WITH(read_gdal_network(no_lines, {}),
                        Contains("no layer has LineString geometries") &&
                            Contains("the layers are: pois (Point), parcels (Polygon)"));
}

TEST_CASE("gdal_network: a point layer given as a network", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("schools.geojson");
    write_text(path, R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},)"
                     R"("geometry":{"type":"Point","coordinates":[116.3,40.0]}}]})");
    REQUIRE_THROWS_WITH(read_gdal_network(path, {}),
                        Contains("layer 'schools'") &&
                            Contains("has Point geometries; a road network needs LineString "
                                     "geometries"));
}

TEST_CASE("gdal_network: empty layer", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("empty.geojson");
    write_text(path, R"({"type":"FeatureCollection","features":[]})");
    REQUIRE_THROWS_WITH(read_gdal_network(path, {}),
                        Contains("layer 'empty'") && Contains("the layer is empty"));

    const std::string gpkg = dir.file("empty.gpkg");
    write_gpkg(gpkg, {{"roads", wkbLineString, {}}});
    REQUIRE_THROWS_WITH(read_gdal_network(gpkg, {}),
                        Contains("layer 'roads'") && Contains("the layer is empty"));
}

TEST_CASE("gdal_network: layer without a CRS", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("roads.csv");
    write_text(path,
               "WKT,name\n"
               "\"LINESTRING (440000 4420000,440100 4420000)\",a\n"
               "\"LINESTRING (440100 4420000,440100 4420100)\",b\n");
    REQUIRE_THROWS_AS(read_gdal_network(path, {}), InputError);
    REQUIRE_THROWS_WITH(read_gdal_network(path, {}),
                        Contains("layer 'roads'") &&
                            Contains("has no coordinate reference system; pass --network-crs "
                                     "EPSG:xxxx"));
    GdalNetworkOptions options;
    options.input_crs = "EPSG:32650";
    const GdalNetworkResult result = read_gdal_network(path, options);
    CHECK(result.source_crs == "EPSG:32650");
    CHECK(result.network.edges.size() == 2);
    CHECK(result.network.nodes.size() == 3);
    CHECK(result.network.names[result.network.edges[1].name] == "b");
}

TEST_CASE("gdal_network: coordinates that are not numbers", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("nan.gpkg");
    write_gpkg(path, {{"roads", wkbLineString, {"LINESTRING (440000 4420000,440100 4420000)"}}});
    {
        // WKT has no NaN: add the feature through the API.
        GDALDataset* dataset = GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE);
        REQUIRE(dataset != nullptr);
        OGRLayer* layer = dataset->GetLayer(0);
        OGRFeature* feature = OGRFeature::CreateFeature(layer->GetLayerDefn());
        OGRLineString line;
        line.addPoint(440100.0, 4420000.0);
        line.addPoint(std::numeric_limits<double>::quiet_NaN(), 4420100.0);
        feature->SetGeometry(&line);
        REQUIRE(layer->CreateFeature(feature) == OGRERR_NONE);
        OGRFeature::DestroyFeature(feature);
        GDALClose(dataset);
    }
    REQUIRE_THROWS_AS(read_gdal_network(path, {}), InputError);
    REQUIRE_THROWS_WITH(read_gdal_network(path, {}),
                        Contains(path + ", layer 'roads', feature 2: coordinate (nan, 4420100) "
                                        "is not a finite number"));
}

TEST_CASE("gdal_network: longitude and latitude swapped", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("swapped.geojson");
    write_text(path, feature_collection({line_feature({{39.99, 116.30}, {39.99, 116.31}})}));
    REQUIRE_THROWS_WITH(read_gdal_network(path, {}),
                        Contains("layer 'swapped', feature 0") &&
                            Contains("latitude out of range: are longitude and latitude swapped?"));

    // Projected coordinates in a layer that claims to be lon/lat.
    const std::string projected = dir.file("projected.geojson");
    write_text(projected,
               feature_collection({line_feature({{440000.0, 4420000.0}, {440100.0, 4420000.0}})}));
    REQUIRE_THROWS_WITH(read_gdal_network(projected, {}), Contains("latitude out of range") &&
                                                              Contains("looks projected") &&
                                                              Contains("--network-crs"));
}

TEST_CASE("gdal_network: a named field that is missing", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("t.geojson");
    write_text(path, t_junction_geojson());
    GdalNetworkOptions options;
    options.speed_field = "vmax";
    REQUIRE_THROWS_WITH(read_gdal_network(path, options),
                        Contains("field 'vmax' (given as the speed field) not found; the layer's "
                                 "fields are: name, highway"));
    options = {};
    options.oneway_field = "单行";
    REQUIRE_THROWS_WITH(read_gdal_network(path, options),
                        Contains("field '单行' (given as the oneway field) not found"));
    options = {};
    options.class_field = "grade";
    REQUIRE_THROWS_WITH(read_gdal_network(path, options), Contains("road class field"));
    options = {};
    options.name_field = "路名";
    REQUIRE_THROWS_WITH(read_gdal_network(path, options), Contains("'路名' (given as the name"));
}

TEST_CASE("gdal_network: bad options", "[gdal_network]") {
    TempDir dir{"lifecircle_gdal_network"};
    const std::string path = dir.file("t.geojson");
    write_text(path, t_junction_geojson());
    GdalNetworkOptions options;
    options.snap_tolerance_m = -1.0;
    REQUIRE_THROWS_AS(read_gdal_network(path, options), UsageError);
    REQUIRE_THROWS_WITH(read_gdal_network(path, options), Contains("snap tolerance"));

    options = {};
    options.work_crs = "EPSG:4326";
    REQUIRE_THROWS_AS(read_gdal_network(path, options), UsageError);
    REQUIRE_THROWS_WITH(read_gdal_network(path, options),
                        Contains("'EPSG:4326' is not a projected CRS in metres"));

    options = {};
    options.input_crs = "EPSG:12345678";
    REQUIRE_THROWS_AS(read_gdal_network(path, options), UsageError);
    REQUIRE_THROWS_WITH(read_gdal_network(path, options), Contains("'EPSG:12345678'"));
}
