#include <algorithm>
#include <cmath>
#include <span>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/sparse_mem_array.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/visitor.hpp>

#include "core/error.hpp"
#include "core/graph.hpp"
#include "core/profile.hpp"
#include "io/crs.hpp"
#include "io/osm_network.hpp"
#include "tests/geo.hpp"
#include "tests/temp_dir.hpp"

using namespace lifecircle;
using lifecircle::io::is_osm_file;
using lifecircle::io::osm_edge_attributes;
using lifecircle::io::OsmNetworkResult;
using lifecircle::io::OsmTagView;
using lifecircle::io::parse_maxspeed_kmh;
using lifecircle::io::read_osm_network;
using Catch::Detail::Approx;
using lifecircle::test::TempDir;

namespace {

const std::string small_osm = std::string(LIFECIRCLE_SOURCE_DIR) + "/tests/data/osm/small.osm";

/** Node positions of tests/data/osm/small.osm (lon, lat). */
const std::map<int, Point> small_lonlat{
    {1, {-8.6120, 41.1500}}, {2, {-8.6100, 41.1500}}, {3, {-8.6080, 41.1500}}, {4, {-8.6095, 41.1490}},
    {5, {-8.6100, 41.1480}}, {6, {-8.6120, 41.1480}}, {7, {-8.6080, 41.1480}}, {8, {-8.6080, 41.1510}},
    {10, {-8.6080, 41.1470}}, {11, {-8.6120, 41.1470}},
};

/** Great-circle distance between two nodes of small.osm; within a few tenths of a percent of UTM. */
double haversine_m(int a, int b) {
    const Point p = small_lonlat.at(a);
    const Point q = small_lonlat.at(b);
    return lifecircle::test::haversine_m(p.x, p.y, q.x, q.y);
}

double length(std::span<const Point> shape) {
    double len = 0;
    for (std::size_t i = 0; i + 1 < shape.size(); ++i)
        len += std::hypot(shape[i + 1].x - shape[i].x, shape[i + 1].y - shape[i].y);
    return len;
}

/** Raw edges of one way, in way order. */
std::vector<const RawEdge*> edges_of_way(const OsmNetworkResult& r, std::int64_t way) {
    std::vector<const RawEdge*> out;
    for (const RawEdge& e : r.network.edges)
        if (r.way_ids.at(e.source) == way) out.push_back(&e);
    return out;
}

/** Graph edges of one way. */
std::vector<EdgeId> graph_edges_of_way(const RoadGraph& g, const OsmNetworkResult& r, std::int64_t way) {
    std::vector<EdgeId> out;
    for (EdgeId e = 0; e < g.edge_count(); ++e)
        if (r.way_ids.at(g.edge_source[e]) == way) out.push_back(e);
    return out;
}

}  // namespace

TEST_CASE("parse_maxspeed_kmh", "[osm_network]") {
    CHECK(parse_maxspeed_kmh("50") == 50.0);
    CHECK(parse_maxspeed_kmh("30 mph") == Approx(48.28032));
    CHECK(parse_maxspeed_kmh("20mph") == Approx(32.18688));
    CHECK(parse_maxspeed_kmh("10 knots") == Approx(18.52));
    CHECK(parse_maxspeed_kmh("walk") == 5.0);
    CHECK(parse_maxspeed_kmh("RU:urban") == 0.0);
    CHECK(parse_maxspeed_kmh("none") == 0.0);
    CHECK(parse_maxspeed_kmh("signals") == 0.0);
    CHECK(parse_maxspeed_kmh("") == 0.0);
    CHECK(parse_maxspeed_kmh(nullptr) == 0.0);
    CHECK(parse_maxspeed_kmh("0") == 0.0);
    CHECK(parse_maxspeed_kmh("-30") == 0.0);
    CHECK(parse_maxspeed_kmh("60;50") == 60.0);
}

TEST_CASE("osm_edge_attributes reads access, oneway and speed", "[osm_network]") {
    constexpr auto walk = static_cast<std::size_t>(Mode::walk);
    constexpr auto bike = static_cast<std::size_t>(Mode::bike);
    constexpr auto drive = static_cast<std::size_t>(Mode::drive);
    SECTION("a plain residential street") {
        OsmTagView v;
        v.highway = "residential";
        v.maxspeed = "30";
        const EdgeAttributes a = osm_edge_attributes(v);
        CHECK(a.road_class == RoadClass::residential);
        CHECK(a.oneway == Oneway::no);
        CHECK(a.maxspeed_kmh == 30.0);
        CHECK(a.access[walk] == Access::by_class);
        CHECK(a.access[drive] == Access::by_class);
    }
    SECTION("oneway values") {
        OsmTagView v;
        v.highway = "residential";
        v.oneway = "yes";
        CHECK(osm_edge_attributes(v).oneway == Oneway::forward);
        v.oneway = "-1";
        CHECK(osm_edge_attributes(v).oneway == Oneway::reverse);
        v.oneway = "no";
        CHECK(osm_edge_attributes(v).oneway == Oneway::no);
        v.oneway = nullptr;
        v.junction = "roundabout";
        CHECK(osm_edge_attributes(v).oneway == Oneway::forward);
        v.junction = nullptr;
        v.highway = "motorway";
        CHECK(osm_edge_attributes(v).oneway == Oneway::forward);  // implied
        v.oneway = "no";
        CHECK(osm_edge_attributes(v).oneway == Oneway::no);
    }
    SECTION("access: the most specific tag wins") {
        OsmTagView v;
        v.highway = "service";
        v.access = "private";
        EdgeAttributes a = osm_edge_attributes(v);
        CHECK(a.access[walk] == Access::denied);
        CHECK(a.access[bike] == Access::denied);
        CHECK(a.access[drive] == Access::denied);
        v.foot = "yes";
        a = osm_edge_attributes(v);
        CHECK(a.access[walk] == Access::allowed);
        CHECK(a.access[drive] == Access::denied);
        v.motor_vehicle = "destination";
        CHECK(osm_edge_attributes(v).access[drive] == Access::allowed);
    }
    SECTION("foot=yes opens a motorway link to walkers") {
        OsmTagView v;
        v.highway = "motorway_link";
        v.foot = "yes";
        const EdgeAttributes a = osm_edge_attributes(v);
        CHECK(permission(default_profile(Mode::walk), a).forward);
        CHECK(permission(default_profile(Mode::walk), a).backward);
        v.foot = nullptr;
        CHECK_FALSE(permission(default_profile(Mode::walk), osm_edge_attributes(v)).forward);
    }
    SECTION("construction stays closed even with foot=yes") {
        OsmTagView v;
        v.highway = "construction";
        v.foot = "yes";
        const EdgeAttributes a = osm_edge_attributes(v);
        CHECK(a.road_class == RoadClass::construction);
        CHECK_FALSE(permission(default_profile(Mode::walk), a).forward);
    }
    SECTION("unknown highway values") {
        OsmTagView v;
        v.highway = "bus_guideway_of_the_future";
        CHECK(osm_edge_attributes(v).road_class == RoadClass::other);
    }
    SECTION("bridges, tunnels and layers leave the ground") {
        OsmTagView v;
        v.highway = "footway";
        CHECK_FALSE(osm_edge_attributes(v).bridge_or_tunnel);
        for (const char* bridge : {"yes", "viaduct", "boardwalk"}) {
            v.bridge = bridge;
            CHECK(osm_edge_attributes(v).bridge_or_tunnel);
        }
        v.bridge = "no";
        CHECK_FALSE(osm_edge_attributes(v).bridge_or_tunnel);
        v.tunnel = "building_passage";
        CHECK(osm_edge_attributes(v).bridge_or_tunnel);
        v.tunnel = "no";
        CHECK_FALSE(osm_edge_attributes(v).bridge_or_tunnel);
        for (const char* layer : {"1", "-1", "2"}) {
            v.layer = layer;
            CHECK(osm_edge_attributes(v).bridge_or_tunnel);
        }
        for (const char* layer : {"0", "", "ground"}) {
            v.layer = layer;
            CHECK_FALSE(osm_edge_attributes(v).bridge_or_tunnel);
        }
    }
}

TEST_CASE("is_osm_file", "[osm_network]") {
    CHECK(is_osm_file("porto.osm.pbf"));
    CHECK(is_osm_file("a/b/huangpu.osm"));
    CHECK(is_osm_file("x.osm.bz2"));
    CHECK(is_osm_file("x.osm.gz"));
    CHECK_FALSE(is_osm_file("roads.shp"));
    CHECK_FALSE(is_osm_file("roads.gpkg"));
}

TEST_CASE("read a hand-written OSM file for walking", "[osm_network]") {
    const OsmNetworkResult r = read_osm_network(small_osm, {default_profile(Mode::walk)});
    CHECK(r.work_crs == "EPSG:32629");
    // Roads for walking: 100, 101, 102, 104, 106 (foot=yes) and 108. Not the motorway 103, the
    // private 105, the construction 107 or the building 109.
    CHECK(r.ways_read == 6);
    std::vector<std::int64_t> ways = r.way_ids;
    std::sort(ways.begin(), ways.end());
    CHECK(ways == std::vector<std::int64_t>{100, 101, 102, 104, 106, 108});
    CHECK(r.missing_nodes == 1);
    // Way 100 is split at n2, where way 101 starts.
    const auto w100 = edges_of_way(r, 100);
    REQUIRE(w100.size() == 2);
    CHECK(length(r.network.shape(*w100[0])) == Approx(haversine_m(1, 2)).epsilon(0.005));
    CHECK(length(r.network.shape(*w100[1])) == Approx(haversine_m(2, 3)).epsilon(0.005));
    CHECK(w100[0]->to == w100[1]->from);
    CHECK(r.network.names.at(w100[0]->name) == "Rua A");
    // Way 101: n4 is a bend, kept in the shape but not a node.
    const auto w101 = edges_of_way(r, 101);
    REQUIRE(w101.size() == 1);
    REQUIRE(r.network.shape(*w101[0]).size() == 3);
    CHECK(w101[0]->from == w100[0]->to);  // shares n2
    CHECK(length(r.network.shape(*w101[0])) == Approx(haversine_m(2, 4) + haversine_m(4, 5)).epsilon(0.005));
    CHECK(r.network.shape(*w101[0])[1].x > r.network.shape(*w101[0])[0].x + 30);  // the bend lies east, about 42 m
    // Way 108 is cut where node 999 is missing: one edge n6-n11.
    const auto w108 = edges_of_way(r, 108);
    REQUIRE(w108.size() == 1);
    CHECK(length(r.network.shape(*w108[0])) == Approx(haversine_m(6, 11)).epsilon(0.005));
    CHECK(r.network.edges.size() == 7);
    // Shapes start and end at their nodes.
    for (const RawEdge& e : r.network.edges) {
        REQUIRE(r.network.shape(e).size() >= 2);
        CHECK(r.network.shape(e).front() == r.network.nodes.at(e.from));
        CHECK(r.network.shape(e).back() == r.network.nodes.at(e.to));
    }

    OsmNetworkResult copy = r;
    const RoadGraph g = build_graph(std::move(copy.network), BuildOptions{{default_profile(Mode::walk)}});
    REQUIRE_NOTHROW(g.validate());
    CHECK(g.node_count() == 9);  // n1 n2 n3 n5 n6 n7 n8 n10 n11
    CHECK(g.edge_count() == 7);
    // n7-n10 (the motorway link) is cut off from the rest without the motorway.
    CHECK(g.profiles[0].component_size == std::vector<std::uint32_t>{7, 2});
}

TEST_CASE("read a hand-written OSM file for walking and driving", "[osm_network]") {
    const std::vector<ProfileSettings> profiles{default_profile(Mode::walk), default_profile(Mode::drive)};
    OsmNetworkResult r = read_osm_network(small_osm, profiles);
    CHECK(r.ways_read == 7);  // now with the motorway 103
    CHECK(r.network.edges.size() == 8);
    const OsmNetworkResult kept = r;
    const RoadGraph g = build_graph(std::move(r.network), BuildOptions{profiles});
    REQUIRE_NOTHROW(g.validate());
    CHECK(g.node_count() == 9);
    const ProfileId walk = g.profile_id(Mode::walk);
    const ProfileId drive = g.profile_id(Mode::drive);
    auto fwd = [&](ProfileId p, EdgeId e) { return g.profile(p).arc_seconds[g.edge_forward_arc[e]]; };
    auto bwd = [&](ProfileId p, EdgeId e) { return g.profile(p).arc_seconds[g.edge_backward_arc[e]]; };

    const auto motorway = graph_edges_of_way(g, kept, 103);
    REQUIRE(motorway.size() == 1);
    CHECK(fwd(walk, motorway[0]) == forbidden_arc);
    CHECK(bwd(walk, motorway[0]) == forbidden_arc);
    CHECK(fwd(drive, motorway[0]) != forbidden_arc);
    CHECK(bwd(drive, motorway[0]) == forbidden_arc);  // motorways are oneway

    const auto reverse = graph_edges_of_way(g, kept, 104);  // n3 -> n8, oneway=-1
    REQUIRE(reverse.size() == 1);
    CHECK(fwd(drive, reverse[0]) == forbidden_arc);
    CHECK(bwd(drive, reverse[0]) != forbidden_arc);
    CHECK(fwd(walk, reverse[0]) != forbidden_arc);
    CHECK(bwd(walk, reverse[0]) != forbidden_arc);

    const auto footway = graph_edges_of_way(g, kept, 102);
    REQUIRE(footway.size() == 1);
    CHECK(fwd(drive, footway[0]) == forbidden_arc);
    CHECK(bwd(drive, footway[0]) == forbidden_arc);
    CHECK(fwd(walk, footway[0]) != forbidden_arc);

    const auto link = graph_edges_of_way(g, kept, 106);
    REQUIRE(link.size() == 1);
    CHECK(fwd(walk, link[0]) != forbidden_arc);
    CHECK(fwd(drive, link[0]) != forbidden_arc);
    CHECK(bwd(drive, link[0]) != forbidden_arc);

    // Rua A: 30 mph = 48.28 km/h, times the drive factor 0.8; walking at 4 km/h.
    const auto rua_a = graph_edges_of_way(g, kept, 100);
    REQUIRE(rua_a.size() == 2);
    for (EdgeId e : rua_a) {
        CHECK(fwd(drive, e) == Approx(g.edge_length_m[e] / (48.28032 * 0.8 / 3.6)).epsilon(1e-5));
        CHECK(fwd(walk, e) == Approx(g.edge_length_m[e] / (4.0 / 3.6)).epsilon(1e-5));
        CHECK(g.names[g.edge_name[e]] == "Rua A");
    }
    // Driving reaches n7 and n10 over the motorway, but not n6-n11, joined only by the footway.
    CHECK(g.profile(walk).component_size == std::vector<std::uint32_t>{7, 2});
    CHECK(g.profile(drive).component_size == std::vector<std::uint32_t>{7, 2});
}

/** The geometry of every way as the reader split it: its edges' shapes joined end to end (a
    shape that starts where the last one ended adds only its other points). */
std::map<std::int64_t, std::vector<Point>> joined_ways(const OsmNetworkResult& r) {
    std::map<std::int64_t, std::vector<Point>> out;
    for (const RawEdge& e : r.network.edges) {
        std::vector<Point>& line = out[r.way_ids.at(e.source)];
        const std::span<const Point> shape = r.network.shape(e);
        const bool continues = !line.empty() && line.back() == shape.front();
        line.insert(line.end(), shape.begin() + (continues ? 1 : 0), shape.end());
    }
    return out;
}

TEST_CASE("an unsorted OSM file reads like the sorted one", "[osm_network]") {
    // Editors save files in any order: here the ways come first, the nodes after them in
    // reverse, and node 4 appears twice (the later one, with the true position, wins).
    std::ifstream in(small_osm);
    std::vector<std::string> nodes;
    std::string head, ways, line;
    bool in_header = true;
    while (std::getline(in, line)) {
        if (line.find("<node ") != std::string::npos) {
            nodes.push_back(line);
            in_header = false;
        } else if (line.find("</osm>") != std::string::npos) {
            break;
        } else if (in_header) {
            head += line + "\n";
        } else {
            ways += line + "\n";
        }
    }
    REQUIRE(nodes.size() == 11);
    std::string shuffled = head + ways;
    shuffled += R"(  <node id="4" version="1" lat="41.2000" lon="-8.7000"/>)" "\n";
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) shuffled += *it + "\n";
    shuffled += "</osm>\n";
    TempDir dir{"lifecircle_osm_unsorted"};
    const std::string path = dir.file("unsorted.osm");
    std::ofstream(path) << shuffled;

    const std::vector<ProfileSettings> walk{default_profile(Mode::walk)};
    const OsmNetworkResult sorted = read_osm_network(small_osm, walk);
    const OsmNetworkResult unsorted = read_osm_network(path, walk);
    CHECK(unsorted.ways_read == sorted.ways_read);
    CHECK(unsorted.missing_nodes == sorted.missing_nodes);
    CHECK(unsorted.network.edges.size() == sorted.network.edges.size());
    CHECK(joined_ways(unsorted) == joined_ways(sorted));
}

TEST_CASE("read an OSM file into a chosen work CRS", "[osm_network]") {
    // ETRS89 / Portugal TM06.
    const OsmNetworkResult r = read_osm_network(small_osm, {default_profile(Mode::walk)}, "EPSG:3763");
    CHECK(r.work_crs == "EPSG:3763");
    const auto w100 = edges_of_way(r, 100);
    REQUIRE(w100.size() == 2);
    CHECK(length(r.network.shape(*w100[0])) == Approx(haversine_m(1, 2)).epsilon(0.005));
}

TEST_CASE("OSM input errors name the file", "[osm_network]") {
    const std::vector<ProfileSettings> walk{default_profile(Mode::walk)};
    SECTION("missing file") {
        CHECK_THROWS_AS(read_osm_network("/no/such/dir/nowhere.osm.pbf", walk), InputError);
        CHECK_THROWS_WITH(read_osm_network("/no/such/dir/nowhere.osm.pbf", walk),
                          Catch::Contains("/no/such/dir/nowhere.osm.pbf") && Catch::Contains("no such file"));
    }
    SECTION("not OSM data") {
        const auto dir = std::filesystem::temp_directory_path() / "lifecircle_test_osm_network";
        std::filesystem::create_directories(dir);
        const std::string path = (dir / "garbage.osm").string();
        std::ofstream(path) << "this is not XML at all <<<";
        CHECK_THROWS_AS(read_osm_network(path, walk), InputError);
        CHECK_THROWS_WITH(read_osm_network(path, walk),
                          Catch::Contains("garbage.osm") && Catch::Contains("cannot read OpenStreetMap data"));
        std::filesystem::remove_all(dir);
    }
    SECTION("roads without any of their nodes") {
        TempDir dir{"lifecircle_osm_no_nodes"};
        const std::string path = dir.file("ways_only.osm");
        std::ofstream(path) << R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <way id="1" version="1"><nd ref="10"/><nd ref="11"/><tag k="highway" v="residential"/></way>
</osm>
)";
        CHECK_THROWS_AS(read_osm_network(path, walk), InputError);
        CHECK_THROWS_WITH(read_osm_network(path, walk),
                          Catch::Contains("ways_only.osm") && Catch::Contains("none of their nodes"));
    }
    SECTION("no roads") {
        const std::string path = std::string(LIFECIRCLE_SOURCE_DIR) + "/tests/data/osm/no_roads.osm";
        CHECK_THROWS_AS(read_osm_network(path, walk), InputError);
        CHECK_THROWS_WITH(read_osm_network(path, walk), Catch::Contains("no_roads.osm") && Catch::Contains("no roads"));
    }
}

TEST_CASE("read Porto 2020 (real data smoke test)", "[osm_network]") {
    const std::string path = std::string(LIFECIRCLE_SHARED_DATA) + "/osm/porto_2020.osm.pbf";
    if (!std::filesystem::exists(path)) {
        WARN("skipped: " << path << " not found");
        return;
    }
    const std::vector<ProfileSettings> profiles{default_profile(Mode::walk), default_profile(Mode::drive)};
    OsmNetworkResult r = read_osm_network(path, profiles);
    CHECK(r.work_crs == "EPSG:32629");
    CHECK(r.ways_read > 1000);
    const RoadGraph g = build_graph(std::move(r.network), BuildOptions{profiles});
    REQUIRE_NOTHROW(g.validate());
    CHECK(g.node_count() > 5000);
    const ProfileData& walk = g.profile(g.profile_id(Mode::walk));
    REQUIRE(!walk.component_size.empty());
    std::size_t walk_nodes = 0;
    for (std::uint32_t c : walk.node_component) walk_nodes += c != invalid_index;
    // By road length the largest component holds 85 %. By nodes it holds just under 80 %:
    // about 1,200 pedestrian squares (highway=pedestrian + area=yes) are closed outlines that
    // share no node with the streets around them, so each becomes a little island.
    double walk_road = 0;
    for (double m : walk.component_road_m) walk_road += m;
    CHECK(walk.component_road_m[0] > 0.8 * walk_road);
    CHECK(walk.component_size[0] > 0.75 * static_cast<double>(walk_nodes));
    // Edges are a few metres to a few hundred metres long, nothing absurd.
    double longest = 0;
    for (double len : g.edge_length_m) longest = std::max(longest, len);
    CHECK(longest < 5000.0);
    const Box box = g.bounds();
    CHECK(box.max.x - box.min.x < 30000.0);
    CHECK(box.max.y - box.min.y < 30000.0);
}

TEST_CASE("OSM reader agrees with osmium's own node-location index on Porto 2020", "[osm_network]") {
    // An independent answer: osmium's NodeLocationsForWays handler gives every way its node
    // locations; runs of located nodes (a clipped extract leaves gaps), projected with the
    // same PROJ definition, must be exactly the reader's edges of that way joined up.
    const std::string path = std::string(LIFECIRCLE_SHARED_DATA) + "/osm/porto_2020.osm.pbf";
    if (!std::filesystem::exists(path)) {
        WARN("skipped: " << path << " not found");
        return;
    }
    const OsmNetworkResult r = read_osm_network(path, {default_profile(Mode::walk)});
    const std::map<std::int64_t, std::vector<Point>> ours = joined_ways(r);

    struct Collect : osmium::handler::Handler {
        const std::vector<std::int64_t>* wanted = nullptr;
        std::map<std::int64_t, std::vector<std::vector<Point>>> runs;  // lon/lat
        void way(const osmium::Way& way) {
            if (!std::binary_search(wanted->begin(), wanted->end(), way.id())) return;
            std::vector<std::vector<Point>>& out = runs[way.id()];
            std::vector<Point> run;
            for (const osmium::NodeRef& ref : way.nodes()) {
                if (ref.location().valid()) {
                    run.push_back({ref.location().lon(), ref.location().lat()});
                    continue;
                }
                if (run.size() >= 2) out.push_back(run);
                run.clear();
            }
            if (run.size() >= 2) out.push_back(run);
        }
    };
    std::vector<std::int64_t> wanted = r.way_ids;
    std::sort(wanted.begin(), wanted.end());
    Collect collect;
    collect.wanted = &wanted;
    using Index = osmium::index::map::SparseMemArray<osmium::unsigned_object_id_type, osmium::Location>;
    Index index;
    osmium::handler::NodeLocationsForWays<Index> locations(index);
    locations.ignore_errors();
    osmium::io::Reader reader(path, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way);
    osmium::apply(reader, locations, collect);
    reader.close();

    const io::Transformer project(r.projection_source, r.projection);
    std::size_t compared = 0;
    std::size_t mismatched = 0;
    for (const auto& [way, runs] : collect.runs) {
        std::vector<Point> expected;
        for (std::vector<Point> run : runs) {
            project.forward(run);
            expected.insert(expected.end(), run.begin(), run.end());
        }
        const auto it = ours.find(way);
        const std::vector<Point> got = it == ours.end() ? std::vector<Point>{} : it->second;
        bool same = got.size() == expected.size();
        for (std::size_t i = 0; same && i < got.size(); ++i)
            same = std::abs(got[i].x - expected[i].x) < 1e-6 && std::abs(got[i].y - expected[i].y) < 1e-6;
        ++compared;
        if (!same) {
            if (++mismatched <= 3) WARN("way " << way << ": " << got.size() << " points, expected " << expected.size());
        }
    }
    CHECK(compared == r.way_ids.size());
    CHECK(mismatched == 0);
}
