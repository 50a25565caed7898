#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/edits.hpp"
#include "core/error.hpp"
#include "core/graph.hpp"
#include "core/profile.hpp"
#include "core/search.hpp"
#include "io/network.hpp"
#include "tests/geo.hpp"
#include "tests/temp_dir.hpp"

using namespace lifecircle;
using Catch::Detail::Approx;
using lifecircle::test::TempDir;

namespace {

/*
 * Two streets about 100 m apart (0.0009 degrees of latitude) in Porto, joined only by a
 * bridge at their east end, about 1 km (0.012 degrees of longitude) away:
 *
 *   n1 (-8.6120, 41.1509) ======= way 1 ======= n2 (-8.6000, 41.1509)
 *                                                |  way 3, the bridge
 *   n3 (-8.6120, 41.1500) ======= way 2 ======= n4 (-8.6000, 41.1500)
 */
const char* river_osm = R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" version="1" lat="41.1509" lon="-8.6120"/>
  <node id="2" version="1" lat="41.1509" lon="-8.6000"/>
  <node id="3" version="1" lat="41.1500" lon="-8.6120"/>
  <node id="4" version="1" lat="41.1500" lon="-8.6000"/>
  <way id="1" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
  <way id="2" version="1"><nd ref="3"/><nd ref="4"/><tag k="highway" v="residential"/></way>
  <way id="3" version="1"><nd ref="2"/><nd ref="4"/><tag k="highway" v="residential"/><tag k="bridge" v="yes"/></way>
</osm>
)";

/** Walking time between two lon/lat points snapped to their nearest road positions. */
Seconds walk_time(const io::Network& net, Point from_lonlat, Point to_lonlat) {
    std::vector<Point> pts{from_lonlat, to_lonlat};
    net.to_work(pts);
    const RoadGraph& g = net.graph;
    auto position_of = [&](Point p) {
        EdgePosition best;
        double best_d = 1e300;
        for (EdgeId e = 0; e < g.edge_count(); ++e) {
            const Point* s = g.shape_begin(e);
            double along = 0;
            for (std::uint32_t k = 0; k + 1 < g.shape_size(e); ++k) {
                const double dx = s[k + 1].x - s[k].x;
                const double dy = s[k + 1].y - s[k].y;
                const double len = std::hypot(dx, dy);
                const double t =
                    std::clamp(((p.x - s[k].x) * dx + (p.y - s[k].y) * dy) / (len * len), 0.0, 1.0);
                const double d = std::hypot(s[k].x + t * dx - p.x, s[k].y + t * dy - p.y);
                if (d < best_d) {
                    best_d = d;
                    best = {e, along + t * len};
                }
                along += len;
            }
        }
        return best;
    };
    SearchWorkspace ws(g.node_count());
    const std::vector<Seed> seeds{{position_of(pts[0]), 0.0, 0}};
    search(g, g.profile_id(Mode::walk), seeds, unreachable, ws);
    return time_to(g, ws, position_of(pts[1]));
}

}  // namespace

TEST_CASE("load_network applies edits given in lon/lat before building the graph", "[edits][io]") {
    TempDir dir("lifecircle_edits");
    const std::string path = dir.write("river.osm", river_osm);
    io::NetworkOptions options;
    options.profiles = {default_profile(Mode::walk, 3.6)};  // 1 m/s

    const Point north{-8.6099, 41.1509};
    const Point south{-8.6099, 41.1500};
    const io::Network before = io::load_network(path, options);
    CHECK(before.graph.edge_count() == 3);
    CHECK(before.edit_reports.empty());
    CHECK(before.source_ids == std::vector<std::int64_t>{1, 2, 3});
    // About 1 km east, 100 m across, 1 km back (haversine, within half a percent of UTM).
    const double lon_m = test::haversine_m(-8.6099, 41.1505, -8.6000, 41.1505);
    const double lat_m = test::haversine_m(-8.6, 41.1500, -8.6, 41.1509);
    CHECK(walk_time(before, north, south) == Approx(2 * lon_m + lat_m).epsilon(0.005));

    // A footbridge at lon -8.6100, its ends 0.00002 degrees (2.2 m) short of either street.
    AddRoad bridge;
    bridge.name = "Footbridge";
    bridge.line = {{-8.6100, 41.15088}, {-8.6100, 41.15002}};
    bridge.attributes.road_class = RoadClass::footway;
    options.edits_lonlat.add.push_back(bridge);
    // And the old bridge closed, chosen by a small area across its middle.
    ChangeRoads works;
    works.label = "old bridge closed";
    works.area = {
        {Ring{{-8.6001, 41.1503}, {-8.5999, 41.1503}, {-8.5999, 41.1506}, {-8.6001, 41.1506}}}};
    works.close = true;
    works.source_ids = {42};
    options.edits_lonlat.change.push_back(works);

    const io::Network after = io::load_network(path, options);
    REQUIRE(after.edit_reports.size() == 2);
    const EditReport& closed = after.edit_reports[0];
    CHECK(closed.label == "old bridge closed");
    CHECK(closed.roads_changed == 1);
    CHECK(closed.km_changed == Approx(lat_m / 1000).epsilon(0.005));
    CHECK(closed.notes == std::vector<std::string>{"source id 42 is not in the network"});
    const EditReport& added = after.edit_reports[1];
    CHECK(added.label == "Footbridge");
    CHECK(added.joins == 2);
    CHECK(added.splits == 2);
    CHECK(added.km_added == Approx(lat_m / 1000).epsilon(0.005));
    CHECK(after.source_ids == std::vector<std::int64_t>{1, 2, 3, -1});
    // Two halves of each street and the footbridge; the old bridge is dropped.
    CHECK(after.graph.edge_count() == 5);
    // 0.0001 degrees (8.4 m) west to the footbridge, 100 m across, 8.4 m back east.
    const double step_m = test::haversine_m(-8.6100, 41.1505, -8.6099, 41.1505);
    CHECK(walk_time(after, north, south) == Approx(2 * step_m + lat_m).epsilon(0.005));
    bool has_new_source = false;
    for (EdgeId e = 0; e < after.graph.edge_count(); ++e)
        has_new_source |= after.source_ids[after.graph.edge_source[e]] == -1;
    CHECK(has_new_source);

    // An edit error names the edit.
    options.edits_lonlat.add[0].line.back() = {-8.6100, 41.1504};
    CHECK_THROWS_WITH(io::load_network(path, options),
                      Catch::StartsWith("road edit 'Footbridge': its last point (end) is"));
}
