#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <numbers>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/error.hpp"
#include "core/graph.hpp"
#include "io/crs.hpp"
#include "io/demand.hpp"
#include "io/network.hpp"
#include "tests/core/helpers.hpp"
#include "tests/temp_dir.hpp"

using lifecircle::EdgeId;
using lifecircle::InputError;
using lifecircle::Point;
using lifecircle::RawEdge;
using lifecircle::RawNetwork;
using lifecircle::RoadGraph;
using lifecircle::io::DemandReadOptions;
using lifecircle::io::DemandSet;
using lifecircle::io::Network;
using lifecircle::io::read_demand;
using lifecircle::io::spread_polygons;
using lifecircle::io::WorkPolygon;
using lifecircle::test::TempDir;

namespace {

/** Porto, Portugal, in WGS 84 / UTM 29N: the origin of the hand-drawn networks. */
constexpr double origin_x = 532000.0;
constexpr double origin_y = 4555000.0;
constexpr const char* work_crs = "EPSG:32629";

/** A network around Porto from straight roads given in local metres (added to the origin). */
Network network_of(const std::vector<std::vector<Point>>& roads) {
    RawNetwork raw;
    for (const auto& road : roads) {
        std::vector<Point> shape;
        for (const Point& p : road) shape.push_back({origin_x + p.x, origin_y + p.y});
        RawEdge e;
        e.from = static_cast<std::uint32_t>(raw.nodes.size());
        raw.nodes.push_back(shape.front());
        e.to = static_cast<std::uint32_t>(raw.nodes.size());
        raw.nodes.push_back(shape.back());
        e.attributes = lifecircle::test::road();
        raw.add_edge(e, shape);
    }
    Network net;
    lifecircle::BuildOptions build;
    build.profiles = {lifecircle::test::walk_1mps()};
    net.graph = lifecircle::build_graph(std::move(raw), build);
    net.work_crs = work_crs;
    net.lonlat_to_work = std::make_shared<const lifecircle::io::Transformer>(
        lifecircle::io::wgs84_lonlat_proj, work_crs);
    return net;
}

/** A GeoJSON ring in lon/lat from a ring in local metres. */
std::string geojson_ring(const Network& net, const std::vector<Point>& local) {
    std::vector<Point> xy;
    for (const Point& p : local) xy.push_back({origin_x + p.x, origin_y + p.y});
    net.to_lonlat(xy);
    std::ostringstream out;
    out.precision(12);
    out << "[";
    for (std::size_t i = 0; i < xy.size(); ++i)
        out << (i ? "," : "") << "[" << xy[i].x << "," << xy[i].y << "]";
    out << "]";
    return out.str();
}

std::vector<Point> rect(double x0, double y0, double x1, double y1) {
    return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
}

std::string polygon_feature(const std::string& properties, const std::vector<std::string>& rings) {
    std::string coords;
    for (const auto& r : rings) coords += (coords.empty() ? "" : ",") + r;
    return R"({"type":"Feature","properties":{)" + properties +
           R"(},"geometry":{"type":"Polygon","coordinates":[)" + coords + "]}}";
}

std::string collection(const std::vector<std::string>& features) {
    std::string all;
    for (const auto& f : features) all += (all.empty() ? "" : ",") + f;
    return R"({"type":"FeatureCollection","features":[)" + all + "]}";
}

/** Distance from p to the nearest segment of any edge of the graph. */
double distance_to_road(const RoadGraph& g, Point p) {
    double best = std::numeric_limits<double>::infinity();
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        const Point* s = g.shape_begin(e);
        for (std::uint32_t k = 0; k + 1 < g.shape_size(e); ++k) {
            const double dx = s[k + 1].x - s[k].x;
            const double dy = s[k + 1].y - s[k].y;
            const double len2 = dx * dx + dy * dy;
            const double t =
                len2 > 0 ? std::clamp(((p.x - s[k].x) * dx + (p.y - s[k].y) * dy) / len2, 0.0, 1.0)
                         : 0.0;
            best = std::min(best, std::hypot(p.x - s[k].x - t * dx, p.y - s[k].y - t * dy));
        }
    }
    return best;
}

/** The feature's WKB as an OGR geometry (an independent reading of what read_demand wrote). */
std::unique_ptr<OGRGeometry> geometry_of(const std::vector<unsigned char>& wkb) {
    OGRGeometry* g = nullptr;
    REQUIRE(OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &g, wkb.size()) == OGRERR_NONE);
    return std::unique_ptr<OGRGeometry>(g);
}

InputError demand_error(const std::string& path, const DemandReadOptions& options,
                        const Network& net) {
    try {
        read_demand(path, options, net);
    } catch (const InputError& e) {
        return e;
    }
    FAIL("read_demand did not throw for " << path);
    return InputError("unreachable");
}

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

}  // namespace

TEST_CASE("spread_polygons samples roads inside polygons every spacing metres", "[demand]") {
    // A road along y = 0 from x = 0 to 300 (two edges, cut at x = 150) and one along x = 100
    // from y = -100 to 100 (one edge, crossing without a junction).
    const Network net =
        network_of({{{0, 0}, {150, 0}}, {{150, 0}, {300, 0}}, {{100, -100}, {100, 100}}});
    const auto at = [](double x, double y) { return Point{origin_x + x, origin_y + y}; };
    const auto local = [&](std::vector<Point> ring) {
        for (Point& p : ring) p = at(p.x, p.y);
        return ring;
    };
    const std::vector<WorkPolygon> polygons{
        {{local(rect(50, -20, 150, 20))}},
        {{local(rect(160, -20, 300, 20)), local(rect(200, -10, 250, 10))}},  // with a hole
        {{local(rect(200, 50, 280, 90))}},                                   // no road
    };
    const auto samples = spread_polygons(net.graph, polygons, 25.0);
    REQUIRE(samples.size() == 3);
    // Polygon 0: the x-road edge 0..150 has samples at 12.5 + 25k; inside 50 < x < 150 are
    // 62.5, 87.5, 112.5, 137.5 (4). The y-road has samples at y = -100 + 12.5 + 25k; inside
    // -20 < y < 20 are -12.5 and 12.5 (2). Edge 150..300 starts at 150: its first is 162.5.
    std::vector<std::pair<double, double>> got;
    for (const Point& p : samples[0].points) got.emplace_back(p.x - origin_x, p.y - origin_y);
    std::sort(got.begin(), got.end());
    const std::vector<std::pair<double, double>> expected{{62.5, 0},   {87.5, 0},  {100, -12.5},
                                                          {100, 12.5}, {112.5, 0}, {137.5, 0}};
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        CHECK(got[i].first == Approx(expected[i].first).margin(1e-6));
        CHECK(got[i].second == Approx(expected[i].second).margin(1e-6));
    }
    // Polygon 1: edge 150..300 has 162.5, 187.5, ..., 287.5 (6); the hole 200..250 takes out
    // 212.5 and 237.5: 4 are left.
    CHECK(samples[1].points.size() == 4);
    for (const Point& p : samples[1].points) CHECK((p.x - origin_x < 200 || p.x - origin_x > 250));
    CHECK(samples[2].points.empty());

    // Only usable edges: without the y-road, polygon 0 keeps its 4 x-road samples.
    std::vector<bool> usable(net.graph.edge_count(), true);
    for (EdgeId e = 0; e < net.graph.edge_count(); ++e)
        if (net.graph.shape_begin(e)[0].x == origin_x + 100) usable[e] = false;
    CHECK(spread_polygons(net.graph, polygons, 25.0, usable)[0].points.size() == 4);
    CHECK_THROWS_WITH(spread_polygons(net.graph, polygons, 0.0),
                      Catch::Contains("spacing must be a positive number"));
}

TEST_CASE("read_demand spreads polygon weights over the roads inside, groups per field",
          "[demand]") {
    const Network net =
        network_of({{{0, 0}, {150, 0}}, {{150, 0}, {300, 0}}, {{100, -100}, {100, 100}}});
    const TempDir dir{"lifecircle_demand"};
    const std::string path =
        dir.write("blocks.geojson",
                  collection({
                      polygon_feature(R"("id":"b1","name":"North","pop_total":120,"pop_60plus":30)",
                                      {geojson_ring(net, rect(50, -20, 150, 20))}),
                      polygon_feature(R"("id":"b2","name":"Ring","pop_total":40,"pop_60plus":null)",
                                      {geojson_ring(net, rect(160, -20, 300, 20)),
                                       geojson_ring(net, rect(200, -10, 250, 10))}),
                      polygon_feature(R"("id":"pond","name":"Pond","pop_total":7,"pop_60plus":1)",
                                      {geojson_ring(net, rect(200, 50, 280, 90))}),
                      polygon_feature(R"("id":"empty","name":"Park","pop_total":0,"pop_60plus":0)",
                                      {geojson_ring(net, rect(-50, -20, 40, 20))}),
                  }));
    DemandReadOptions options;
    options.weight_fields = {"pop_total", "pop_60plus"};
    const DemandSet set = read_demand(path, options, net);
    CHECK(set.kind == "polygons");
    CHECK(set.groups == std::vector<std::string>{"pop_total", "pop_60plus"});
    CHECK(set.ids == std::vector<std::string>{"b1", "b2", "pond", "empty"});
    // b1: 6 samples (see spread_polygons test) of 120/6 = 20 and 30/6 = 5; b2: 4 of 10 and 0;
    // pond: its point on surface; empty: weight 0, no points.
    REQUIRE(set.xy.size() == 6 + 4 + 1);
    REQUIRE(set.weights.size() == 2);
    std::vector<std::vector<double>> per_feature(2, std::vector<double>(4, 0.0));
    std::vector<int> points_of(4, 0);
    for (std::size_t i = 0; i < set.xy.size(); ++i) {
        const std::uint32_t f = set.feature[i];
        ++points_of[f];
        for (std::size_t g = 0; g < 2; ++g) per_feature[g][f] += set.weights[g][i];
        if (f == 0) {
            CHECK(set.weights[0][i] == Approx(20.0));
            CHECK(set.weights[1][i] == Approx(5.0));
        }
        if (f == 1) CHECK(set.weights[0][i] == Approx(10.0));
        if (f != 2) CHECK(distance_to_road(net.graph, set.xy[i]) < 1e-6);
        // Inside its own polygon, by GEOS through OGR on the written-back geometry.
        const auto polygon = geometry_of(set.features.features[f].wkb);
        OGRPoint p(set.xy[i].x, set.xy[i].y);
        CHECK(polygon->Contains(&p));
    }
    CHECK(points_of == std::vector<int>{6, 4, 1, 0});
    const double expected_total[] = {120, 40, 7, 0};
    const double expected_60plus[] = {30, 0, 1, 0};
    for (std::size_t f = 0; f < 4; ++f) {
        CHECK(per_feature[0][f] == Approx(expected_total[f]));
        CHECK(per_feature[1][f] == Approx(expected_60plus[f]));
    }
    CHECK(set.feature_weights[0] == std::vector<double>{120, 40, 7, 0});
    CHECK(set.empty_weights == 1);
    CHECK(set.polygons_without_road == 1);
    const auto has_note = [&](const std::string& text) {
        return std::any_of(set.notes.begin(), set.notes.end(),
                           [&](const std::string& n) { return n.find(text) != std::string::npos; });
    };
    CHECK(has_note("1 empty weight value(s) counted as 0, the first in feature b2 (pop_60plus)"));
    CHECK(has_note("1 polygon(s) with no road inside, the first with id pond"));

    // The input features come back with their own fields, polygons in the work CRS.
    CHECK(set.features.kind == lifecircle::GeometryKind::polygon);
    REQUIRE(set.features.features.size() == 4);
    std::vector<std::string> names;
    for (const auto& f : set.features.fields) names.push_back(f.name);
    CHECK(names == std::vector<std::string>{"id", "name", "pop_total", "pop_60plus"});
    CHECK(std::get<std::string>(set.features.features[0].values[1]) == "North");
    OGREnvelope env;
    geometry_of(set.features.features[0].wkb)->getEnvelope(&env);
    CHECK(env.MinX == Approx(origin_x + 50).margin(1e-3));
    CHECK(env.MaxY == Approx(origin_y + 20).margin(1e-3));
    OGRPoint hole(origin_x + 225, origin_y);
    CHECK_FALSE(geometry_of(set.features.features[1].wkb)->Contains(&hole));

    // With buildings: b1 holds two housing buildings, 20 x 10 m and 10 x 10 m, 2 storeys each
    // (400 and 200 m²): 120 residents go 80 / 40 and 30 over 60 go 20 / 10. b2 holds none and
    // is spread over its roads as before; the pond keeps its point on surface.
    const std::string houses = dir.write(
        "houses.geojson",
        collection(
            {polygon_feature(R"("id":"h1","floors":2)", {geojson_ring(net, rect(60, 5, 80, 15))}),
             polygon_feature(R"("id":"h2","floors":2)",
                             {geojson_ring(net, rect(110, -15, 120, -5))})}));
    DemandReadOptions with_buildings = options;
    with_buildings.buildings = houses;
    with_buildings.building_options.levels_field = "floors";
    const DemandSet housed = read_demand(path, with_buildings, net);
    CHECK(housed.polygons_on_buildings == 1);
    REQUIRE(housed.xy.size() == 2 + 4 + 1);
    std::vector<double> b1_total;
    std::vector<double> b1_60plus;
    for (std::size_t i = 0; i < housed.xy.size(); ++i) {
        if (housed.feature[i] != 0) continue;
        b1_total.push_back(housed.weights[0][i]);
        b1_60plus.push_back(housed.weights[1][i]);
        const double x = housed.xy[i].x - origin_x;
        CHECK(((x > 60 && x < 80) || (x > 110 && x < 120)));
    }
    REQUIRE(b1_total.size() == 2);
    std::sort(b1_total.begin(), b1_total.end());
    std::sort(b1_60plus.begin(), b1_60plus.end());
    CHECK(b1_total[0] == Approx(40).epsilon(1e-6));
    CHECK(b1_total[1] == Approx(80).epsilon(1e-6));
    CHECK(b1_60plus[0] == Approx(10).epsilon(1e-6));
    CHECK(b1_60plus[1] == Approx(20).epsilon(1e-6));
    CHECK(sum(housed.weights[0]) == Approx(167));

    // Without weight fields every feature weighs 1.
    const DemandSet counted = read_demand(path, {}, net);
    CHECK(counted.groups == std::vector<std::string>{"count"});
    CHECK(sum(counted.weights[0]) == Approx(4.0));
}

TEST_CASE("read_demand rejects bad weights with the feature and field", "[demand]") {
    const Network net = network_of({{{0, 0}, {150, 0}}});
    const TempDir dir{"lifecircle_demand"};
    const auto csv = [&](const std::string& name, const std::string& rows) {
        return dir.write(name, "id,lon,lat,pop\n" + rows);
    };
    DemandReadOptions options;
    options.weight_fields = {"pop"};
    const std::string good = csv("good.csv", "a,-8.6,41.15,10\nb,-8.61,41.15,\n");
    const DemandSet set = read_demand(good, options, net);
    CHECK(set.kind == "points");
    CHECK(set.xy.size() == 1);
    CHECK(set.feature_weights[0] == std::vector<double>{10, 0});
    CHECK(set.empty_weights == 1);
    // Points in the work CRS, written back as Point WKB with the CSV's other columns.
    std::vector<Point> expected{{-8.6, 41.15}};
    net.to_work(expected);
    CHECK(set.xy[0].x == Approx(expected[0].x).margin(1e-6));
    CHECK(set.xy[0].y == Approx(expected[0].y).margin(1e-6));
    CHECK(set.features.kind == lifecircle::GeometryKind::point);
    REQUIRE(set.features.features.size() == 2);
    const auto point = geometry_of(set.features.features[0].wkb);
    CHECK(point->toPoint()->getX() == set.xy[0].x);
    CHECK(std::get<std::string>(set.features.features[1].values[1]).empty());

    DemandReadOptions missing = options;
    missing.weight_fields = {"pop", "pop_0_6"};
    const InputError e1 = demand_error(good, missing, net);
    CHECK(e1.file() == good);
    CHECK_THAT(e1.problem(), Catch::Contains("there is no weight field 'pop_0_6'") &&
                                 Catch::Contains("the layer has the fields id, pop"));

    const std::string text = csv("text.csv", "a,-8.6,41.15,10\nb,-8.61,41.15,many\n");
    const InputError e2 = demand_error(text, options, net);
    CHECK(e2.feature() == "b");
    CHECK_THAT(e2.problem(), Catch::Contains("'many' in field 'pop' is not a number"));

    const std::string negative = csv("negative.csv", "a,-8.6,41.15,-3\n");
    const InputError e3 = demand_error(negative, options, net);
    CHECK(e3.feature() == "a");
    CHECK_THAT(e3.problem(), Catch::Contains("-3 in field 'pop' is negative"));

    const std::string mixed = dir.write(
        "mixed.geojson",
        collection({polygon_feature(R"("id":"p","pop":3)", {geojson_ring(net, rect(0, 0, 10, 10))}),
                    R"({"type":"Feature","properties":{"id":"q","pop":1},)"
                    R"("geometry":{"type":"Point","coordinates":[-8.6,41.15]}})"}));
    CHECK_THAT(demand_error(mixed, options, net).problem(),
               Catch::Contains("the layer mixes points (1) and polygons (1)"));

    const InputError e4 = demand_error(dir.file("nothing.csv"), options, net);
    CHECK_THAT(e4.problem(), Catch::Contains("does not exist"));
}

TEST_CASE("read_demand turns raster cells into points at their centres", "[demand]") {
    // The raster spans about 300 m x 225 m from (-100, 150) (Mercator metres are 0.75 m here);
    // the network's extent covers it, and only the network's extent is read.
    const Network net = network_of({{{-150, -200}, {450, 200}}});
    const TempDir dir{"lifecircle_demand"};
    const std::string path = dir.file("pop.tif");
    // A 4 x 3 grid of 100 m cells in Web Mercator (EPSG:3857), over the network.
    std::vector<Point> corner{{origin_x - 100, origin_y + 150}};
    net.to_lonlat(corner);
    OGRSpatialReference wgs84;
    wgs84.SetWellKnownGeogCS("WGS84");
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReference mercator;
    mercator.importFromEPSG(3857);
    mercator.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReference utm;
    utm.importFromEPSG(32629);
    utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> to_mercator(
        OGRCreateCoordinateTransformation(&wgs84, &mercator));
    std::unique_ptr<OGRCoordinateTransformation> mercator_to_utm(
        OGRCreateCoordinateTransformation(&mercator, &utm));
    double x0 = corner[0].x;
    double y0 = corner[0].y;
    REQUIRE(to_mercator->Transform(1, &x0, &y0));
    const double nodata = -99;
    // Row-major, top row first: nodata, zero and a negative value are skipped.
    const std::vector<float> cells{5, 0, -99, 2.5f, -1, 8, 1, 0, 3, -99, -99, 4};
    {
        GDALAllRegister();
        GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
        REQUIRE(driver != nullptr);
        GDALDataset* ds = driver->Create(path.c_str(), 4, 3, 1, GDT_Float32, nullptr);
        REQUIRE(ds != nullptr);
        double gt[6] = {x0, 100, 0, y0, 0, -100};
        ds->SetGeoTransform(gt);
        ds->SetSpatialRef(&mercator);
        GDALRasterBand* band = ds->GetRasterBand(1);
        band->SetNoDataValue(nodata);
        REQUIRE(band->RasterIO(GF_Write, 0, 0, 4, 3, const_cast<float*>(cells.data()), 4, 3,
                               GDT_Float32, 0, 0) == CE_None);
        GDALClose(ds);
    }
    const DemandSet set = read_demand(path, {}, net);
    CHECK(set.kind == "raster");
    CHECK(set.groups == std::vector<std::string>{"population"});
    // Populated: (0,0)=5 (0,3)=2.5 (1,1)=8 (1,2)=1 (2,0)=3 (2,3)=4; total 23.5.
    CHECK(set.ids == std::vector<std::string>{"0:0", "0:3", "1:1", "1:2", "2:0", "2:3"});
    CHECK(set.weights[0] == std::vector<double>{5, 2.5, 8, 1, 3, 4});
    REQUIRE(set.xy.size() == 6);
    const int rows[] = {0, 0, 1, 1, 2, 2};
    const int cols[] = {0, 3, 1, 2, 0, 3};
    for (std::size_t i = 0; i < 6; ++i) {
        double x = x0 + 100 * (cols[i] + 0.5);
        double y = y0 - 100 * (rows[i] + 0.5);
        REQUIRE(mercator_to_utm->Transform(1, &x, &y));
        CHECK(set.xy[i].x == Approx(x).margin(1e-3));
        CHECK(set.xy[i].y == Approx(y).margin(1e-3));
    }
    REQUIRE(set.features.features.size() == 6);
    CHECK(std::get<double>(set.features.features[2].values[2]) == 8.0);
    CHECK_THAT(set.notes.at(0), Catch::Contains("6 populated, 3 nodata, 3 zero or negative"));

    const Network far = network_of({{{2000, 2000}, {2300, 2000}}});
    CHECK_THAT(demand_error(path, {}, far).problem(),
               Catch::Contains("no cell with a value above 0 lies over the network"));

    // A raster without a CRS is refused unless the CRS is given.
    const std::string bare = dir.file("bare.tif");
    {
        GDALDataset* ds = GetGDALDriverManager()->GetDriverByName("GTiff")->Create(
            bare.c_str(), 4, 3, 1, GDT_Float32, nullptr);
        REQUIRE(ds != nullptr);
        double gt[6] = {x0, 100, 0, y0, 0, -100};
        ds->SetGeoTransform(gt);
        REQUIRE(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 4, 3,
                                               const_cast<float*>(cells.data()), 4, 3, GDT_Float32,
                                               0, 0) == CE_None);
        GDALClose(ds);
    }
    CHECK_THAT(demand_error(bare, {}, net).problem(), Catch::Contains("the raster has no CRS"));
    DemandReadOptions mercator_given;
    mercator_given.input_crs = "EPSG:3857";
    // Without nodata the -99 cells count as negative.
    CHECK_THAT(read_demand(bare, mercator_given, net).notes.at(0),
               Catch::Contains("6 populated, 0 nodata, 6 zero or negative"));

    DemandReadOptions band2;
    band2.band = 2;
    CHECK_THAT(demand_error(path, band2, net).problem(),
               Catch::Contains("there is no band 2; the raster has 1 band(s)"));
}

TEST_CASE("read_demand on the Porto Alegre hexagons: points and polygons", "[demand][data]") {
    if (!std::filesystem::exists(std::string(LIFECIRCLE_SHARED_DATA) + "/osm/porto_alegre.osm.pbf")) {
        WARN("skipped: ../shared/data/osm/porto_alegre.osm.pbf not found");
        return;
    }
    const std::string hexgrid =
        std::string(LIFECIRCLE_SHARED_DATA) + "/osm/porto_alegre_hexgrid.csv";
    lifecircle::io::NetworkOptions network_options;
    const Network net = lifecircle::io::load_network(
        std::string(LIFECIRCLE_SHARED_DATA) + "/osm/porto_alegre.osm.pbf", network_options);
    DemandReadOptions options;
    options.weight_fields = {"population"};
    const DemandSet points = read_demand(hexgrid, options, net);
    CHECK(points.kind == "points");
    CHECK(points.ids.size() == 1227);
    CHECK(sum(points.weights[0]) == Approx(812935.0).epsilon(1e-12));
    CHECK(sum(points.feature_weights[0]) == Approx(812935.0).epsilon(1e-12));

    // Hexagons around the centres (H3 level 9: edge about 174 m), as polygons in lon/lat.
    std::vector<std::string> features;
    for (std::size_t i = 0; i < points.xy.size(); ++i) {
        std::vector<Point> ring;
        for (int k = 0; k <= 6; ++k) {
            const double a = std::numbers::pi / 3 * (k % 6);
            ring.push_back(
                {points.xy[i].x + 174 * std::cos(a), points.xy[i].y + 174 * std::sin(a)});
        }
        net.to_lonlat(ring);
        std::ostringstream coords;
        coords.precision(12);
        coords << "[";
        for (std::size_t k = 0; k < ring.size(); ++k)
            coords << (k ? "," : "") << "[" << ring[k].x << "," << ring[k].y << "]";
        coords << "]";
        const double pop = points.weights[0][i];
        features.push_back(polygon_feature("\"id\":\"" + points.ids[points.feature[i]] +
                                               "\",\"population\":" + std::to_string(pop),
                                           {coords.str()}));
    }
    const TempDir dir{"lifecircle_demand"};
    const std::string path = dir.write("hexagons.geojson", collection(features));
    options.profile = net.graph.profile_id(lifecircle::Mode::walk);
    const auto t0 = std::chrono::steady_clock::now();
    const DemandSet hexes = read_demand(path, options, net);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(seconds < 1.0);
    CHECK(hexes.kind == "polygons");
    CHECK(sum(hexes.weights[0]) == Approx(sum(points.weights[0])).epsilon(1e-9));
    std::vector<double> spread(hexes.ids.size(), 0.0);
    for (std::size_t i = 0; i < hexes.xy.size(); ++i)
        spread[hexes.feature[i]] += hexes.weights[0][i];
    for (std::size_t f = 0; f < hexes.ids.size(); ++f)
        CHECK(spread[f] == Approx(hexes.feature_weights[0][f]).epsilon(1e-9));
    std::vector<int> points_of(hexes.ids.size(), 0);
    for (const std::uint32_t f : hexes.feature) ++points_of[f];
    // Every sample inside its own hexagon (GEOS) and on a road (brute force, so on a subset);
    // only the single point of a road-less hexagon may be off the roads.
    std::size_t checked = 0;
    for (std::size_t i = 0; i < hexes.xy.size(); i += 151) {
        const auto polygon = geometry_of(hexes.features.features[hexes.feature[i]].wkb);
        OGRPoint p(hexes.xy[i].x, hexes.xy[i].y);
        CHECK(polygon->Contains(&p));
        if (distance_to_road(net.graph, hexes.xy[i]) > 1e-6)
            CHECK(points_of[hexes.feature[i]] == 1);
        ++checked;
    }
    CHECK(checked > 100);
    CHECK(hexes.xy.size() > 10 * hexes.ids.size());
}

TEST_CASE("spread_polygons is not quadratic: 10,000 blocks on a 100k-edge grid", "[demand]") {
    lifecircle::test::RandomGridOptions grid;
    grid.side = 224;  // 2 * 224 * 223 = 99,904 grid edges before deletions
    grid.delete_fraction = 0.0;
    lifecircle::BuildOptions build;
    build.profiles = {lifecircle::test::walk_1mps()};
    const RoadGraph g = lifecircle::build_graph(lifecircle::test::random_grid(7, grid), build);
    REQUIRE(g.edge_count() > 90000);
    // 100 x 100 blocks of 223 m covering the grid (22,300 m on a side).
    std::vector<WorkPolygon> blocks;
    const double side = 22300.0 / 100;
    for (int r = 0; r < 100; ++r)
        for (int c = 0; c < 100; ++c)
            blocks.push_back({{rect(c * side, r * side, (c + 1) * side, (r + 1) * side)}});
    const auto t0 = std::chrono::steady_clock::now();
    const auto samples = spread_polygons(g, blocks, 25.0);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(seconds < 1.0);
    // Each sample inside its block (checked directly against the rectangle).
    std::size_t total = 0;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const Point lo = blocks[i][0][0][0];
        for (const Point& p : samples[i].points) {
            if (p.x < lo.x || p.x > lo.x + side || p.y < lo.y || p.y > lo.y + side)
                FAIL("sample outside");
        }
        total += samples[i].points.size();
    }
    // About one sample per 25 m of road in the blocks: road length / 25 within a few percent.
    double road_m = 0;
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        const Point* s = g.shape_begin(e);
        for (std::uint32_t k = 0; k + 1 < g.shape_size(e); ++k)
            road_m += std::hypot(s[k + 1].x - s[k].x, s[k + 1].y - s[k].y);
    }
    CHECK(static_cast<double>(total) == Approx(road_m / 25.0).epsilon(0.05));
}

TEST_CASE("estimate_residents_from_buildings: footprint x storeys x share / floor area",
          "[demand][buildings]") {
    const Network net = network_of({{{0, 0}, {300, 0}}});
    const TempDir dir{"lifecircle_demand"};
    const std::string path =
        dir.write("block.geojson", collection({
                                       polygon_feature(R"("id":"A","floors":6,"housing":null)",
                                                       {geojson_ring(net, rect(10, 10, 30, 20))}),
                                       polygon_feature(R"("id":"B","floors":null,"housing":1)",
                                                       {geojson_ring(net, rect(40, 10, 50, 20)),
                                                        geojson_ring(net, rect(43, 13, 47, 17))}),
                                       polygon_feature(R"("id":"C","floors":2,"housing":0.5)",
                                                       {geojson_ring(net, rect(60, 10, 90, 30))}),
                                   }));
    lifecircle::io::BuildingResidentsOptions options;
    options.levels_field = "floors";
    options.residential_share_field = "housing";
    options.age_shares = {{"pop_60plus", 0.2}};
    const DemandSet set = lifecircle::io::estimate_residents_from_buildings(path, options, net);
    CHECK(set.kind == "buildings");
    CHECK(set.groups == std::vector<std::string>{"residents", "pop_60plus"});
    CHECK(set.ids == std::vector<std::string>{"A", "B", "C"});
    // A: 20 x 10 m x 6 storeys = 1200 m², all housing: 1200 / 36.52 = 32.858 residents.
    // B: 10 x 10 m minus a 4 x 4 m courtyard = 84 m², 1 storey (default): 84 / 36.52.
    // C: 30 x 20 m x 2 storeys x 0.5 = 600 m²: 600 / 36.52.
    const double expected[] = {1200 / 36.52, 84 / 36.52, 600 / 36.52};
    REQUIRE(set.xy.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(set.weights[0][i] == Approx(expected[i]).epsilon(1e-4));
        CHECK(set.weights[1][i] == Approx(0.2 * expected[i]).epsilon(1e-4));
        CHECK(geometry_of(set.features.features[i].wkb)
                  ->Contains(std::make_unique<OGRPoint>(set.xy[i].x, set.xy[i].y).get()));
    }
    std::vector<std::string> names;
    for (const auto& f : set.features.fields) names.push_back(f.name);
    CHECK(names == std::vector<std::string>{"id", "floors", "housing", "footprint_m2", "levels",
                                            "floor_area_m2", "residents"});
    CHECK(std::get<double>(set.features.features[1].values[3]) == Approx(84).epsilon(1e-4));
    CHECK(std::get<double>(set.features.features[1].values[4]) == 1.0);
    CHECK_THAT(set.notes.at(0), Catch::Contains("1 building(s) without a storey count"));

    // Bad values name the building and the field.
    const std::string bad = dir.write(
        "bad.geojson", collection({polygon_feature(R"("id":"X","floors":"six","housing":2)",
                                                   {geojson_ring(net, rect(10, 10, 30, 20))})}));
    try {
        lifecircle::io::estimate_residents_from_buildings(bad, options, net);
        FAIL("no error for 'six' storeys");
    } catch (const InputError& e) {
        CHECK(e.feature() == "X");
        CHECK_THAT(e.problem(), Catch::Contains("'six' in field 'floors' is not a number"));
    }
    lifecircle::io::BuildingResidentsOptions no_field = options;
    no_field.levels_field = "层数";
    try {
        lifecircle::io::estimate_residents_from_buildings(path, no_field, net);
        FAIL("no error for a missing field");
    } catch (const InputError& e) {
        CHECK_THAT(e.problem(), Catch::Contains("there is no storeys field '层数'") &&
                                    Catch::Contains("id, floors, housing"));
    }
    lifecircle::io::BuildingResidentsOptions zero = options;
    zero.floor_area_per_person_m2 = 0;
    CHECK_THROWS_AS(lifecircle::io::estimate_residents_from_buildings(path, zero, net),
                    lifecircle::UsageError);
}

TEST_CASE("estimate_residents_from_buildings reads OpenStreetMap housing", "[demand][buildings]") {
    const Network net = network_of({{{0, 0}, {300, 0}}});
    // Nodes of rectangles in local metres; ways: a residential area 0..100 x 0..100, a
    // building=yes inside it, one outside, apartments with 4 levels and a shop (not housing).
    std::string nodes;
    std::string ways;
    long next = 1;
    const auto way = [&](long id, const std::vector<Point>& ring, const std::string& tags) {
        std::vector<Point> xy;
        for (const Point& p : ring) xy.push_back({origin_x + p.x, origin_y + p.y});
        net.to_lonlat(xy);
        std::ostringstream w;
        w.precision(12);
        const long first = next;
        for (std::size_t i = 0; i + 1 < xy.size(); ++i) {
            std::ostringstream n;
            n.precision(12);
            n << "<node id=\"" << next++ << "\" version=\"1\" lat=\"" << xy[i].y << "\" lon=\""
              << xy[i].x << "\"/>\n";
            nodes += n.str();
        }
        w << "<way id=\"" << id << "\" version=\"1\">";
        for (long k = first; k < next; ++k) w << "<nd ref=\"" << k << "\"/>";
        w << "<nd ref=\"" << first << "\"/>" << tags << "</way>\n";
        ways += w.str();
    };
    way(100, rect(0, 0, 100, 100), R"(<tag k="landuse" v="residential"/>)");
    way(101, rect(10, 10, 30, 20), R"(<tag k="building" v="yes"/>)");
    way(102, rect(150, 10, 170, 20), R"(<tag k="building" v="yes"/>)");
    way(103, rect(40, 40, 60, 60),
        R"(<tag k="building" v="apartments"/><tag k="building:levels" v="4"/>)");
    way(104, rect(70, 70, 80, 80), R"(<tag k="building" v="retail"/>)");
    const TempDir dir{"lifecircle_demand"};
    const std::string path = dir.write(
        "block.osm", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\">\n" + nodes +
                         ways + "</osm>\n");
    const DemandSet set = lifecircle::io::estimate_residents_from_buildings(path, {}, net);
    // 101: 200 m² x 1 storey (default) = 200 m²; 103: 400 m² x 4 = 1600 m². The OSM driver
    // keeps 7 decimals of a degree (about 1 cm): a 20 m side is good to 1e-3.
    REQUIRE(set.ids.size() == 2);
    REQUIRE(set.weights[0].size() == 2);
    const double total = sum(set.weights[0]);
    CHECK(total == Approx((200 + 1600) / 36.52).epsilon(2e-3));
    CHECK(std::max(set.weights[0][0], set.weights[0][1]) == Approx(1600 / 36.52).epsilon(2e-3));
}
