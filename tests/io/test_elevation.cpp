// Slope-aware walking from a DEM: tiny GeoTIFFs written here with GDAL under hand-made
// networks, every time worked out by hand. Walking is 3.6 km/h = 1 m/s, so a flat metre takes
// a second and a piece of L metres at slope S takes L exp(3.5 (|S + 0.05| - 0.05)) seconds.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/graph.hpp"
#include "core/profile.hpp"
#include "io/elevation.hpp"
#include "io/network.hpp"
#include "tests/temp_dir.hpp"

using Catch::Contains;
using namespace lifecircle;
using lifecircle::test::TempDir;

namespace {

constexpr double no_data = std::numeric_limits<double>::quiet_NaN();

/** A raster of `cols` x `rows` square cells of `cell` metres (or degrees); (x0, y_top) is its
    top-left corner; z(x, y) is evaluated at each cell centre, NaN written as nodata -9999. */
struct Dem {
    int epsg = 32650;
    double x0 = 0;
    double y_top = 0;
    double cell = 10;
    int cols = 0;
    int rows = 0;
    std::function<double(double, double)> z;
    std::string unit;  ///< the band's unit, "" for none
};

void write_dem(const std::string& path, const Dem& d) {
    GDALAllRegister();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
    REQUIRE(driver != nullptr);
    GDALDataset* ds = driver->Create(path.c_str(), d.cols, d.rows, 1, GDT_Float32, nullptr);
    REQUIRE(ds != nullptr);
    double gt[6] = {d.x0, d.cell, 0, d.y_top, 0, -d.cell};
    ds->SetGeoTransform(gt);
    if (d.epsg != 0) {
        OGRSpatialReference srs;
        srs.importFromEPSG(d.epsg);
        ds->SetSpatialRef(&srs);
    }
    GDALRasterBand* band = ds->GetRasterBand(1);
    band->SetNoDataValue(-9999);
    if (!d.unit.empty()) band->SetUnitType(d.unit.c_str());
    std::vector<float> values(static_cast<std::size_t>(d.cols) * static_cast<std::size_t>(d.rows));
    for (int r = 0; r < d.rows; ++r)
        for (int c = 0; c < d.cols; ++c) {
            const double v = d.z(d.x0 + (c + 0.5) * d.cell, d.y_top - (r + 0.5) * d.cell);
            values[static_cast<std::size_t>(r) * static_cast<std::size_t>(d.cols) +
                   static_cast<std::size_t>(c)] = std::isnan(v) ? -9999.0f : static_cast<float>(v);
        }
    REQUIRE(band->RasterIO(GF_Write, 0, 0, d.cols, d.rows, values.data(), d.cols, d.rows,
                           GDT_Float32, 0, 0, nullptr) == CE_None);
    GDALClose(ds);
}

std::string number(double v) {
    std::ostringstream out;
    out.precision(15);
    out << v;
    return out.str();
}

/** A GeoJSON road layer in UTM 50N; each road is a list of points and extra properties. */
struct Road {
    std::vector<Point> points;
    std::string properties = R"("highway":"footway")";
};

void write_roads(const std::string& path, const std::vector<Road>& roads, int epsg = 32650) {
    std::string text =
        R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::)" +
        std::to_string(epsg) + R"("}},"features":[)";
    for (std::size_t i = 0; i < roads.size(); ++i) {
        if (i > 0) text += ",";
        text += R"({"type":"Feature","properties":{"name":"road )" + std::to_string(i) + "\"," +
                roads[i].properties + R"(},"geometry":{"type":"LineString","coordinates":[)";
        for (std::size_t k = 0; k < roads[i].points.size(); ++k) {
            if (k > 0) text += ",";
            text += '[';  // appended piece by piece: GCC 12 warns falsely on "[" + std::string
            text += number(roads[i].points[k].x);
            text += ',';
            text += number(roads[i].points[k].y);
            text += ']';
        }
        text += "]}}";
    }
    std::ofstream(path, std::ios::binary) << text << "]}";
}

io::NetworkOptions walking(const std::string& dem) {
    io::NetworkOptions o;
    o.profiles = {default_profile(Mode::walk, 3.6)};
    o.elevation = dem;
    return o;
}

/** The edge named "road i" (the layer's roads are not split: one edge each). */
EdgeId road(const io::Network& net, int i) {
    for (EdgeId e = 0; e < net.graph.edge_count(); ++e)
        if (net.graph.names[net.graph.edge_name[e]] == "road " + std::to_string(i)) return e;
    FAIL("no edge named road " << i);
    return invalid_edge;
}

/** Seconds along road i as drawn (first point to last), and back. */
double forward(const io::Network& net, int i) {
    return net.graph.profiles[0].arc_seconds[net.graph.edge_forward_arc[road(net, i)]];
}
double backward(const io::Network& net, int i) {
    return net.graph.profiles[0].arc_seconds[net.graph.edge_backward_arc[road(net, i)]];
}

/** The one warning that contains `text`; fails unless exactly one does. */
std::string warning(const io::Network& net, const std::string& text) {
    std::vector<std::string> found;
    for (const std::string& w : net.warnings)
        if (w.find(text) != std::string::npos) found.push_back(w);
    INFO("warnings containing '" << text << "': " << found.size());
    REQUIRE(found.size() == 1);
    return found[0];
}

double piece(double length, double s) {
    return length * std::exp(3.5 * (std::abs(s + 0.05) - 0.05));
}

// Everything sits around (440000, 4420000) in UTM 50N (Beijing); the DEMs span 600 m x 600 m
// of 10 m cells from (439700, 4420300) down to (440300, 4419700), so roads stay far from
// their borders (where interpolation would stop at the last cell centres).
constexpr double X0 = 439700, YTOP = 4420300;
Dem square(std::function<double(double, double)> z) {
    return Dem{32650, X0, YTOP, 10, 60, 60, std::move(z), ""};
}

}  // namespace

TEST_CASE("elevation: bilinear samples of a DEM", "[elevation]") {
    TempDir dir{"lifecircle_elevation"};
    const std::string path = dir.file("plane.tif");
    write_dem(path,
              square([](double x, double y) { return 100 + 0.1 * (x - X0) - 0.02 * (y - YTOP); }));
    const io::ElevationRaster dem(path, "EPSG:32650", Box{{439650, 4419650}, {440350, 4420350}});
    const std::vector<Point> xy{{440000, 4420000}, {440003.7, 4420011.2}, {439705, 4420295},
                                {439701, 4420299}, {439690, 4420000},     {440400, 4420000}};
    std::vector<double> z(xy.size());
    dem.sample(xy, z);
    CHECK(z[0] == Approx(100 + 30 + 6).epsilon(1e-6));  // a plane is interpolated exactly
    CHECK(z[1] == Approx(100 + 30.37 + 0.02 * (4420300 - 4420011.2)).epsilon(1e-6));
    CHECK(z[2] == Approx(100 + 0.5 + 0.1).epsilon(1e-6));  // the first cell centre
    CHECK(z[3] == Approx(z[2]).epsilon(1e-6));             // beyond the last centres: held level
    CHECK(std::isnan(z[4]));                               // outside the raster
    CHECK(std::isnan(z[5]));
    CHECK(dem.describe() == "60 x 60 cells of 10 x 10 m, EPSG:32650");
    CHECK(dem.lonlat_extent().min.x == Approx(116.29).margin(0.01));
}

//   N (440005, 4420105)
//   |
//   A (440005, 4420005) ---- 100 m east ---- B (440105, 4420005)
TEST_CASE("elevation: planes of known grade under a hand-made network", "[elevation]") {
    TempDir dir{"lifecircle_elevation"};
    const std::string roads = dir.file("roads.geojson");
    write_roads(roads, {{{{440005, 4420005}, {440105, 4420005}}},
                        {{{440005, 4420005}, {440005, 4420105}}}});
    SECTION("10%: up, down and across") {
        const std::string dem = dir.file("ten.tif");
        write_dem(dem, square([](double x, double) { return 100 + 0.1 * (x - X0); }));
        const io::Network net = io::load_network(roads, walking(dem));
        CHECK(forward(net, 0) == Approx(100 * std::exp(0.35)).epsilon(1e-6));  // 141.9 s uphill
        CHECK(backward(net, 0) == Approx(100.0).epsilon(1e-6));  // -10%: as on the flat
        CHECK(forward(net, 1) == Approx(100.0).epsilon(1e-6));   // across the slope
        CHECK(backward(net, 1) == Approx(100.0).epsilon(1e-6));
        CHECK(net.elevation == dem);
        CHECK(net.graph.elevation.pieces == 20);
        CHECK_THAT(warning(net, "no bridge or tunnel field"),
                   Contains("so every road follows the ground under it"));
        CHECK_THAT(warning(net, "slope"),
                   Contains("walking times follow the slope of " + dem) &&
                       Contains("60 x 60 cells of 10 x 10 m, EPSG:32650") &&
                       Contains("2 roads cut into 20 pieces of at most 10 m"));
    }
    SECTION("5%: downhill at Tobler's optimum") {
        const std::string dem = dir.file("five.tif");
        write_dem(dem, square([](double x, double) { return 0.05 * (x - X0); }));
        const io::Network net = io::load_network(roads, walking(dem));
        CHECK(forward(net, 0) == Approx(100 * std::exp(0.175)).epsilon(1e-6));  // 119.1 s
        CHECK(backward(net, 0) ==
              Approx(100 * std::exp(-0.175)).epsilon(1e-6));  // 83.9 s, the fastest
    }
    SECTION("elevations in feet") {
        const std::string dem = dir.file("feet.tif");
        Dem d = square(
            [](double x, double) { return 0.1 * (x - X0) / 0.3048; });  // 10% in feet per metre
        d.unit = "ft";
        write_dem(dem, d);
        const io::Network net = io::load_network(roads, walking(dem));
        CHECK(forward(net, 0) == Approx(100 * std::exp(0.35)).epsilon(1e-5));
    }
    SECTION("a DEM in another CRS: CGCS2000 Gauss-Krueger, under a UTM network") {
        // Both are transverse Mercator on 117E; Gauss-Krueger has scale 1 where UTM has 0.9996,
        // so 1 m east in UTM is 1 / 0.9996 m in Gauss-Krueger: a 10% grade there is 0.1 / 0.9996
        // here. The network's (440005, 4420005) is (439981.0, 4421773.7) in EPSG:4548.
        const std::string dem = dir.file("gk.tif");
        write_dem(dem, Dem{4548, 439600, 4422100, 10, 60, 60,
                           [](double x, double) { return 0.1 * (x - 439600); }, ""});
        const io::Network net = io::load_network(roads, walking(dem));
        CHECK(forward(net, 0) == Approx(100 * std::exp(3.5 * 0.1 / 0.9996)).epsilon(1e-6));
        CHECK(forward(net, 0) != Approx(100 * std::exp(0.35)).epsilon(1e-6));
        // 10.004% down: |S + 0.05| - 0.05 = 0.1 / 0.9996 - 0.1, a hair slower than the flat.
        CHECK(backward(net, 0) == Approx(100 * std::exp(3.5 * (0.1 / 0.9996 - 0.1))).epsilon(1e-6));
        CHECK(forward(net, 1) == Approx(100.0).epsilon(1e-6));
    }
}

// A cone 60 m high around A = (440005, 4420005), falling 20% outward: z = 60 - 0.2 r. Roads
// run along rows and columns of cell centres, where bilinear interpolation of the cone's cell
// values is exact.
TEST_CASE("elevation: a cone", "[elevation]") {
    TempDir dir{"lifecircle_elevation"};
    const Point apex{440005, 4420005};
    const std::string dem = dir.file("cone.tif");
    write_dem(dem, square([&](double x, double y) {
                  return 60 - 0.2 * std::hypot(x - apex.x, y - apex.y);
              }));
    const std::string roads = dir.file("roads.geojson");
    write_roads(roads,
                {{{apex, {apex.x + 50, apex.y}}},                               // outward, 50 m
                 {{{apex.x + 30, apex.y - 20}, {apex.x + 30, apex.y + 20}}}});  // across, 40 m
    const io::Network net = io::load_network(roads, walking(dem));
    CHECK(forward(net, 0) == Approx(50 * std::exp(0.35)).epsilon(1e-6));   // S = -0.2: 70.95 s
    CHECK(backward(net, 0) == Approx(50 * std::exp(0.70)).epsilon(1e-6));  // S = +0.2: 100.69 s
    // Across: samples 10 m apart at y = -20 ... 20 from the apex row, r = sqrt(30^2 + y^2).
    double expected = 0;
    for (int k = 0; k < 4; ++k) {
        const double y0 = -20 + 10 * k, y1 = y0 + 10;
        expected += piece(10, (-0.2 * std::hypot(30, y1) + 0.2 * std::hypot(30, y0)) / 10);
    }
    CHECK(forward(net, 1) == Approx(expected).epsilon(1e-6));
    CHECK(backward(net, 1) == Approx(expected).epsilon(1e-6));
}

// One column of cells is 1 m higher than the flat ground around it: its centre line
// x = 440015 is a ridge, so pieces ending on it and pieces crossing it differ.
TEST_CASE("elevation: pieces of at most 10 m end where they should", "[elevation]") {
    TempDir dir{"lifecircle_elevation"};
    const std::string dem = dir.file("ridge.tif");
    write_dem(dem, square([](double x, double) { return std::abs(x - 440015) < 1 ? 1.0 : 0.0; }));
    const std::string roads = dir.file("roads.geojson");
    write_roads(roads, {{{{440005, 4420005}, {440025, 4420005}}},    // 20 m: up 10%, down 10%
                        {{{440005, 4420025}, {440015, 4420025}}},    // 10 m: one piece, up 10%
                        {{{440005, 4420045}, {440015.5, 4420045}}},  // 10.5 m: two pieces of 5.25 m
                        {{{440005, 4420065}, {440035, 4420065}}}});  // 30 m: up, down, flat
    const io::Network net = io::load_network(roads, walking(dem));
    CHECK(forward(net, 0) == Approx(10 * std::exp(0.35) + 10).epsilon(1e-6));
    CHECK(backward(net, 0) == Approx(10 + 10 * std::exp(0.35)).epsilon(1e-6));
    CHECK(forward(net, 1) == Approx(10 * std::exp(0.35)).epsilon(1e-6));
    CHECK(backward(net, 1) == Approx(10.0).epsilon(1e-6));
    // Piece ends at 0, 5.25 and 10.5 m: z = 0, 0.525, 0.95 (10.25 and 15.5 on the rising and
    // falling flanks of the ridge's interpolation).
    CHECK(forward(net, 2) ==
          Approx(piece(5.25, 0.525 / 5.25) + piece(5.25, 0.425 / 5.25)).epsilon(1e-6));
    CHECK(backward(net, 2) ==
          Approx(piece(5.25, -0.525 / 5.25) + piece(5.25, -0.425 / 5.25)).epsilon(1e-6));
    CHECK(forward(net, 3) == Approx(10 * std::exp(0.35) + 10 + 10).epsilon(1e-6));
    CHECK(net.graph.elevation.pieces == 2 + 1 + 2 + 3);
}

// A V-shaped valley, z = 0.5 |x - 440055|, 25 m deep under a 100 m bridge.
TEST_CASE("elevation: a bridge over a valley keeps the straight line", "[elevation]") {
    TempDir dir{"lifecircle_elevation"};
    const std::string dem = dir.file("valley.tif");
    write_dem(dem, square([](double x, double) { return 0.5 * std::abs(x - 440055); }));
    const std::string roads = dir.file("roads.geojson");
    write_roads(roads,
                {{{{440005, 4420005}, {440105, 4420005}}, R"("highway":"footway","bridge":"yes")"},
                 {{{440005, 4420025}, {440105, 4420025}}, R"("highway":"footway","bridge":"no")"},
                 {{{440015, 4420045}, {440075, 4420045}}, R"("highway":"footway","layer":-1)"}});
    const io::Network net = io::load_network(roads, walking(dem));
    CHECK(forward(net, 0) == Approx(100.0).epsilon(1e-6));  // bank to bank, level
    CHECK(backward(net, 0) == Approx(100.0).epsilon(1e-6));
    // Down 50 m at 50% and up 50 m at 50%, either way.
    CHECK(forward(net, 1) == Approx(50 * std::exp(1.4) + 50 * std::exp(1.75)).epsilon(1e-6));
    CHECK(backward(net, 1) == Approx(forward(net, 1)).epsilon(1e-6));
    // An underpass (layer -1) from 20 m down to 10 m over 60 m: one straight piece, S = -1/6.
    CHECK(forward(net, 2) == Approx(piece(60, -10.0 / 60)).epsilon(1e-6));
    CHECK(backward(net, 2) == Approx(piece(60, 10.0 / 60)).epsilon(1e-6));
    CHECK(net.graph.elevation.bridge_tunnel_edges == 2);
    for (const std::string& w : net.warnings) CHECK_THAT(w, !Contains("no bridge or tunnel field"));
}

TEST_CASE("elevation: nodata cells fall back along the road, counted and reported", "[elevation]") {
    TempDir dir{"lifecircle_elevation"};
    const std::string dem = dir.file("holes.tif");
    // The 10% plane with a hole of nodata three cells wide (centres 440045, 440055, 440065)
    // under the middle of the road.
    write_dem(dem, square([](double x, double) {
                  return x > 440040 && x < 440070 ? no_data : 0.1 * (x - X0);
              }));
    const std::string roads = dir.file("roads.geojson");
    write_roads(roads, {{{{440005, 4420005}, {440105, 4420005}}}});
    io::NetworkOptions options = walking(dem);
    options.elevation_min_coverage = 0.5;
    const io::Network net = io::load_network(roads, options);
    // Samples at 40, 50 and 60 m along fall in the hole: the line from 30 m to 70 m fills them.
    CHECK(forward(net, 0) == Approx(100 * std::exp(0.35)).epsilon(1e-6));
    CHECK(net.graph.elevation.fallback_pieces == 4);
    CHECK(net.graph.elevation.flat_edges == 0);
    CHECK(warning(net, "nodata") ==
          "4 of 10 pieces of walkable road (40%) have an end outside the DEM or over a nodata "
          "cell: their ground elevation was interpolated along the road between the nearest "
          "samples with data");
    SECTION("too much unknown ground is refused, saying how much is covered") {
        REQUIRE_THROWS_AS(io::load_network(roads, walking(dem)), InputError);
        REQUIRE_THROWS_WITH(io::load_network(roads, walking(dem)),
                            Contains(dem) &&
                                Contains("the DEM covers only 60% of the walkable network") &&
                                Contains("6 of 10 pieces of road have ground elevation") &&
                                Contains("Give a DEM that covers the whole network"));
    }
}

TEST_CASE("elevation: a DEM covering part of the network, or none of it", "[elevation]") {
    TempDir dir{"lifecircle_elevation"};
    const std::string roads = dir.file("roads.geojson");
    write_roads(roads, {{{{440005, 4420005}, {440105, 4420005}}}});
    SECTION("the western 40 m") {
        // 35 columns: x from 439700 to 440050, so samples at 0..40 m along lie inside.
        const std::string dem = dir.file("west.tif");
        write_dem(dem, Dem{32650, X0, YTOP, 10, 35, 60,
                           [](double x, double) { return 0.1 * (x - X0); }, ""});
        REQUIRE_THROWS_WITH(
            io::load_network(roads, walking(dem)),
            Contains(dem) && Contains("the DEM covers only 40% of the walkable network (4 of 10") &&
                Contains("The network spans lon 116.29") && Contains(", the DEM lon 116.2"));
    }
    SECTION("somewhere else") {
        const std::string dem = dir.file("elsewhere.tif");
        write_dem(dem,
                  Dem{32650, 500000, 4420000, 10, 20, 20, [](double, double) { return 0.0; }, ""});
        REQUIRE_THROWS_AS(io::load_network(roads, walking(dem)), InputError);
        REQUIRE_THROWS_WITH(
            io::load_network(roads, walking(dem)),
            Contains(dem) && Contains("the DEM does not cover the network at all") &&
                Contains("the network spans lon 116.29") && Contains("the DEM lon 117"));
    }
}

TEST_CASE("elevation: bad DEMs name the file and what to do", "[elevation]") {
    TempDir dir{"lifecircle_elevation"};
    const std::string roads = dir.file("roads.geojson");
    write_roads(roads, {{{{440005, 4420005}, {440105, 4420005}}}});
    SECTION("missing") {
        const std::string dem = dir.file("nowhere.tif");
        REQUIRE_THROWS_AS(io::load_network(roads, walking(dem)), InputError);
        REQUIRE_THROWS_WITH(io::load_network(roads, walking(dem)),
                            Contains(dem) && Contains("cannot open the DEM: no such file") &&
                                Contains("check the path given to --elevation"));
        REQUIRE_THROWS_WITH(io::ElevationRaster(dem, "EPSG:32650", Box{{0, 0}, {1, 1}}),
                            Contains(dem) && Contains("no such file"));
    }
    SECTION("a vector layer") {
        REQUIRE_THROWS_WITH(io::load_network(roads, walking(roads)),
                            Contains(roads) && Contains("is a vector dataset, not a raster") &&
                                Contains("--elevation needs a digital elevation model"));
    }
    SECTION("not a dataset at all") {
        const std::string notes = dir.file("heights.txt");
        std::ofstream(notes) << "the hills are high\n";
        REQUIRE_THROWS_WITH(io::load_network(roads, walking(notes)),
                            Contains(notes) && Contains("is not a raster GDAL can read") &&
                                Contains("such as a GeoTIFF"));
    }
    SECTION("no CRS") {
        const std::string dem = dir.file("nocrs.tif");
        Dem d = square([](double, double) { return 0.0; });
        d.epsg = 0;
        write_dem(dem, d);
        REQUIRE_THROWS_WITH(io::load_network(roads, walking(dem)),
                            Contains(dem) &&
                                Contains("the DEM has no coordinate reference system") &&
                                Contains("gdal_edit.py -a_srs"));
    }
    SECTION("an unknown unit") {
        const std::string dem = dir.file("furlongs.tif");
        Dem d = square([](double, double) { return 0.0; });
        d.unit = "furlong";
        write_dem(dem, d);
        REQUIRE_THROWS_WITH(io::load_network(roads, walking(dem)),
                            Contains(dem) && Contains("the DEM's elevations are in 'furlong'") &&
                                Contains("gdal_edit.py -units m"));
    }
}

TEST_CASE("elevation: drive and length profiles are unaffected, and say so", "[elevation]") {
    TempDir dir{"lifecircle_elevation"};
    const std::string dem = dir.file("ten.tif");
    write_dem(dem, square([](double x, double) { return 0.1 * (x - X0); }));
    const std::string roads = dir.file("roads.geojson");
    write_roads(roads, {{{{440005, 4420005}, {440105, 4420005}},
                         R"("highway":"residential","maxspeed":36)"}});
    io::NetworkOptions options = walking(dem);
    ProfileSettings drive = default_profile(Mode::drive);
    drive.drive_speed_factor = 1.0;
    options.profiles = {drive, length_profile(default_profile(Mode::walk, 3.6))};
    const io::Network net = io::load_network(roads, options);
    CHECK(forward(net, 0) == Approx(10.0).epsilon(1e-6));
    CHECK(backward(net, 0) == Approx(10.0).epsilon(1e-6));
    CHECK(net.graph.profiles[1].arc_seconds[net.graph.edge_forward_arc[0]] == Approx(100.0));
    CHECK_FALSE(net.graph.elevation.applied);
    CHECK_THAT(net.warnings.back(), Contains("was not used: no walking profile follows the slope"));
}

// Avenida Coronel Lucas de Oliveira (OSM way 426441289) climbs 29 m in 204 m (14%): 343 s up,
// 243 s down, 204 s flat at 1 m/s. The times are recomputed here from the DEM's cells with the
// test's own code: GDAL reads the cells, OGR projects the piece ends, bilinear by hand.
TEST_CASE("elevation: Porto Alegre, up and down a steep street", "[elevation]") {
    const std::string osm = LIFECIRCLE_SHARED_DATA "/osm/porto_alegre.osm.pbf";
    const std::string tif = LIFECIRCLE_SHARED_DATA "/transit/porto_alegre_elevation.tif";
    if (!std::filesystem::exists(osm) || !std::filesystem::exists(tif)) {
        WARN("skipped: " << osm << " or " << tif << " is absent");
        return;
    }
    const io::Network net = io::load_network(osm, walking(tif));
    const RoadGraph& g = net.graph;
    EdgeId street = invalid_edge;
    for (EdgeId e = 0; e < g.edge_count(); ++e)
        if (net.source_ids[g.edge_source[e]] == 426441289 && g.edge_length_m[e] > 200) street = e;
    REQUIRE(street != invalid_edge);
    CHECK(g.names[g.edge_name[street]] == "Avenida Coronel Lucas de Oliveira");

    // The DEM's cells, as they are in the file (Byte metres, no scale, no nodata).
    GDALAllRegister();
    GDALDataset* ds = static_cast<GDALDataset*>(GDALOpen(tif.c_str(), GA_ReadOnly));
    REQUIRE(ds != nullptr);
    double gt[6];
    REQUIRE(ds->GetGeoTransform(gt) == CE_None);
    const int w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
    std::vector<double> cells(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
    REQUIRE(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, cells.data(), w, h, GDT_Float64, 0,
                                           0, nullptr) == CE_None);
    GDALClose(ds);
    auto cell = [&](int c, int r) {
        c = std::clamp(c, 0, w - 1);
        r = std::clamp(r, 0, h - 1);
        return cells[static_cast<std::size_t>(r) * static_cast<std::size_t>(w) +
                     static_cast<std::size_t>(c)];
    };
    auto ground = [&](double lon, double lat) {  // bilinear between cell centres (no rotation)
        const double u = (lon - gt[0]) / gt[1] - 0.5, v = (lat - gt[3]) / gt[5] - 0.5;
        const int c = static_cast<int>(std::floor(u)), r = static_cast<int>(std::floor(v));
        const double fx = u - c, fy = v - r;
        return (1 - fx) * (1 - fy) * cell(c, r) + fx * (1 - fy) * cell(c + 1, r) +
               (1 - fx) * fy * cell(c, r + 1) + fx * fy * cell(c + 1, r + 1);
    };
    OGRSpatialReference utm, wgs84;
    utm.SetFromUserInput(net.work_crs.c_str());
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformation* to_lonlat = OGRCreateCoordinateTransformation(&utm, &wgs84);
    REQUIRE(to_lonlat != nullptr);

    // Piece ends every L / n metres along the street's geometry, n = ceil(L / 10).
    const Point* shape = g.shape_begin(street);
    const std::uint32_t points = g.shape_size(street);
    const double length = g.edge_length_m[street];
    const int n = static_cast<int>(std::ceil(length / 10));
    std::vector<double> z;
    for (int k = 0; k <= n; ++k) {
        double along = length * k / n;
        std::uint32_t s = 0;
        while (s + 2 < points &&
               along > std::hypot(shape[s + 1].x - shape[s].x, shape[s + 1].y - shape[s].y)) {
            along -= std::hypot(shape[s + 1].x - shape[s].x, shape[s + 1].y - shape[s].y);
            ++s;
        }
        const double seg = std::hypot(shape[s + 1].x - shape[s].x, shape[s + 1].y - shape[s].y);
        const double t = std::min(1.0, along / seg);
        double x = shape[s].x + t * (shape[s + 1].x - shape[s].x),
               y = shape[s].y + t * (shape[s + 1].y - shape[s].y);
        REQUIRE(to_lonlat->Transform(1, &x, &y));
        z.push_back(ground(x, y));
    }
    OGRCoordinateTransformation::DestroyCT(to_lonlat);
    double up = 0, down = 0;
    for (int k = 0; k < n; ++k) {
        const double s = (z[k + 1] - z[k]) / (length / n);
        up += piece(length / n, s);
        down += piece(length / n, -s);
    }
    INFO("rise " << z.back() - z.front() << " m over " << length << " m in " << n << " pieces");
    CHECK(std::abs(z.back() - z.front()) > 25);  // a real hill
    const double forward_s = g.profiles[0].arc_seconds[g.edge_forward_arc[street]];
    const double backward_s = g.profiles[0].arc_seconds[g.edge_backward_arc[street]];
    CHECK(forward_s == Approx(up).epsilon(1e-5));
    CHECK(backward_s == Approx(down).epsilon(1e-5));
    CHECK(forward_s - backward_s == Approx(up - down).epsilon(1e-3));
    // Flat, the same street takes length / 1 m/s either way.
    CHECK(std::max(forward_s, backward_s) > 1.3 * length);
}
