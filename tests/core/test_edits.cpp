#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/edits.hpp"
#include "core/error.hpp"
#include "core/graph.hpp"
#include "core/profile.hpp"
#include "core/search.hpp"
#include "helpers.hpp"

using namespace lifecircle;
using namespace lifecircle::test;
using Catch::Detail::Approx;

namespace {

/*
 * Two streets 100 m apart with a river between them, joined only by a bridge at the east end:
 *
 *   y=100  N0 (-500,100) ====================== N1 (1000,100)   north street, way 100
 *                 .  footbridge site x=0              |
 *              ~~~~~~~~~~~~~~~ river ~~~~~~~~~~~~~~   |  bridge, way 300
 *   y=0    S0 (-500,0) ======================== S1 (1000,0)     south street, way 200
 *
 * Each street is one raw edge of 1500 m; the bridge is 100 m. Raw edge i has source i, and
 * source_ids() maps the sources to the way ids 100, 200, 300.
 */
RawNetwork river(EdgeAttributes attrs = road()) {
    RawNetwork raw;
    raw.nodes = {{-500, 100}, {1000, 100}, {-500, 0}, {1000, 0}};
    auto add = [&](std::uint32_t a, std::uint32_t b, std::uint32_t source) {
        RawEdge e;
        e.from = a;
        e.to = b;
        e.attributes = attrs;
        e.source = source;
        raw.add_edge(e, std::vector<Point>{raw.nodes[a], raw.nodes[b]});
    };
    add(0, 1, 0);
    add(2, 3, 1);
    add(1, 3, 2);
    return raw;
}

std::vector<std::int64_t> source_ids() { return {100, 200, 300}; }

/** The footbridge straight across at x=0, its ends drawn 2 m short of each street. */
AddRoad footbridge() {
    AddRoad a;
    a.name = "Footbridge";
    a.line = {{0, 98}, {0, 2}};
    a.attributes = road(RoadClass::footway);
    return a;
}

RoadGraph build(RawNetwork raw, std::vector<ProfileSettings> profiles = {walk_1mps()}) {
    BuildOptions options;
    options.profiles = std::move(profiles);
    return build_graph(std::move(raw), options);
}

/** The position on the graph nearest to p (brute force over every segment). */
EdgePosition position_of(const RoadGraph& g, Point p) {
    EdgePosition best;
    double best_d = std::numeric_limits<double>::infinity();
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        const Point* s = g.shape_begin(e);
        double along = 0;
        for (std::uint32_t k = 0; k + 1 < g.shape_size(e); ++k) {
            const Point a = s[k];
            const Point b = s[k + 1];
            const double len = std::hypot(b.x - a.x, b.y - a.y);
            const double t = std::clamp(
                ((p.x - a.x) * (b.x - a.x) + (p.y - a.y) * (b.y - a.y)) / (len * len), 0.0, 1.0);
            const double d = std::hypot(a.x + t * (b.x - a.x) - p.x, a.y + t * (b.y - a.y) - p.y);
            if (d < best_d) {
                best_d = d;
                best = {e, along + t * len};
            }
            along += len;
        }
    }
    return best;
}

/** Travel time between two points on the roads (both snapped to their nearest road). */
Seconds travel_time(const RoadGraph& g, Point from, Point to, Mode mode = Mode::walk) {
    SearchWorkspace ws(g.node_count());
    const std::vector<Seed> seeds{{position_of(g, from), 0.0, 0}};
    search(g, g.profile_id(mode), seeds, unreachable, ws);
    return time_to(g, ws, position_of(g, to));
}

double raw_length(const RawNetwork& raw, std::size_t e) {
    const std::span<const Point> s = raw.shape(e);
    double len = 0;
    for (std::size_t i = 0; i + 1 < s.size(); ++i)
        len += std::hypot(s[i + 1].x - s[i].x, s[i + 1].y - s[i].y);
    return len;
}

/** A rectangle as an area. */
MultiPolygonXY box_area(double x0, double y0, double x1, double y1) {
    return {{Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}}};
}

// Points on the north and south street, 10 m east of the footbridge site.
const Point north_point{10, 100};
const Point south_point{10, 0};

}  // namespace

TEST_CASE("a footbridge across the river shortens the trip to the opposite street", "[edits]") {
    // Before, at 1 m/s: 990 m east along the north street, 100 m over the bridge, 990 m back west
    // along the south street = 2080 s.
    CHECK(travel_time(build(river()), north_point, south_point) == Approx(2080.0));

    RawNetwork raw = river();
    std::vector<std::int64_t> ids = source_ids();
    NetworkEdits edits;
    edits.add.push_back(footbridge());
    const std::vector<EditReport> reports = apply_edits(raw, ids, edits);

    // After: 10 m west to the new junction at (0,100), the footbridge (2 m connector + 96 m
    // drawn + 2 m connector = 100 m), 10 m east = 120 s.
    const RoadGraph g = build(raw);
    REQUIRE_NOTHROW(g.validate());
    CHECK(travel_time(g, north_point, south_point) == Approx(120.0));

    REQUIRE(reports.size() == 1);
    const EditReport& r = reports[0];
    CHECK(r.label == "Footbridge");
    CHECK(r.roads_added == 1);
    CHECK(r.km_added == Approx(0.100));
    CHECK(r.joins == 2);
    CHECK(r.splits == 2);
    CHECK(r.notes == std::vector<std::string>{
                         "start joined by splitting the road of source id 100, 2.0 m away",
                         "end joined by splitting the road of source id 200, 2.0 m away",
                         "added with source id -1"});

    // Both streets are split at x=0: the halves keep attributes and source and their lengths
    // add up to the original 1500 m; the new road has the appended source id -1.
    REQUIRE(raw.edges.size() == 6);
    CHECK(ids == std::vector<std::int64_t>{100, 200, 300, -1});
    for (std::uint32_t source : {0u, 1u}) {
        double total = 0;
        std::size_t pieces = 0;
        for (std::size_t e = 0; e < raw.edges.size(); ++e) {
            if (raw.edges[e].source != source) continue;
            total += raw_length(raw, e);
            ++pieces;
            CHECK(raw.edges[e].attributes.road_class == RoadClass::residential);
        }
        CHECK(pieces == 2);
        CHECK(total == Approx(1500.0).epsilon(1e-12));
    }
    CHECK(raw_length(raw, 0) == Approx(500.0));  // the first half keeps the original's index
    const RawEdge& bridge = raw.edges.back();
    CHECK(raw.names[bridge.name] == "Footbridge");
    CHECK(ids[bridge.source] == -1);
    CHECK(raw.nodes[bridge.from] == Point{0, 100});
    CHECK(raw.nodes[bridge.to] == Point{0, 0});
    const std::span<const Point> shape = raw.shape(raw.edges.size() - 1);
    CHECK(std::vector<Point>(shape.begin(), shape.end()) ==
          std::vector<Point>{{0, 100}, {0, 98}, {0, 2}, {0, 0}});
}

TEST_CASE("an added road joins an existing junction within the tolerance instead of splitting",
          "[edits]") {
    RawNetwork raw = river();
    std::vector<std::int64_t> ids = source_ids();
    NetworkEdits edits;
    AddRoad a = footbridge();
    a.line = {{-497, 98}, {-497, 3}};  // 3.6 m from N0 and 4.2 m from S0, both nodes
    edits.add.push_back(a);
    const std::vector<EditReport> reports = apply_edits(raw, ids, edits);
    CHECK(reports[0].joins == 2);
    CHECK(reports[0].splits == 0);
    CHECK(raw.edges.size() == 4);
    CHECK(raw.edges.back().from == 0);
    CHECK(raw.edges.back().to == 2);
    CHECK(reports[0].notes[0] ==
          "start joined to a junction of the road of source id 100, 3.6 m away");
}

TEST_CASE("an added road whose end joins nothing is refused unless allowed", "[edits]") {
    RawNetwork raw = river();
    std::vector<std::int64_t> ids = source_ids();
    NetworkEdits edits;
    AddRoad a = footbridge();
    a.line = {{0, 98}, {0, 50}};  // ends mid-river, 50 m from either street
    edits.add.push_back(a);
    CHECK_THROWS_MATCHES(
        apply_edits(raw, ids, edits), InputError,
        Catch::Message(
            "road edit 'Footbridge': its last point (end) is 50.0 m from the nearest usable road, "
            "farther "
            "than join_tolerance_m (5.0 m); move it onto a road, raise join_tolerance_m, or set "
            "allow_dangling if a dead end is meant"));
    // The ends are checked first, so nothing was split.
    CHECK(raw.edges.size() == 3);
    CHECK(ids.size() == 3);

    edits.add[0].allow_dangling = true;
    const std::vector<EditReport> reports = apply_edits(raw, ids, edits);
    CHECK(reports[0].joins == 1);
    CHECK(reports[0].notes[1] == "end joins nothing: a dead end (nearest road 50.0 m away)");
    CHECK(raw.edges.size() == 5);

    AddRoad one_point = footbridge();
    one_point.line = {{0, 98}};
    CHECK_THROWS_WITH(apply_edits(raw, ids, NetworkEdits{{one_point}, {}}),
                      "road edit 'Footbridge': a new road needs at least two points, got 1");
}

TEST_CASE("an added road does not join a closed road", "[edits]") {
    RawNetwork raw = river();
    std::vector<std::int64_t> ids = source_ids();
    ChangeRoads close;
    close.source_ids = {100};
    close.close = true;
    NetworkEdits edits;
    edits.change.push_back(close);
    edits.add.push_back(footbridge());
    CHECK_THROWS_WITH(apply_edits(raw, ids, edits),
                      Catch::StartsWith("road edit 'Footbridge': its first point "
                                        "(start) is 98.0 m from the nearest usable road"));
}

TEST_CASE("closing the bridge by way id disconnects the two streets", "[edits]") {
    RawNetwork raw = river();
    std::vector<std::int64_t> ids = source_ids();
    ChangeRoads c;
    c.source_ids = {300};
    c.close = true;
    c.label = "bridge works";
    const std::vector<EditReport> reports = apply_edits(raw, ids, NetworkEdits{{}, {c}});
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].label == "bridge works");
    CHECK(reports[0].roads_changed == 1);
    CHECK(reports[0].km_changed == Approx(0.1));
    CHECK(reports[0].notes.empty());
    const RoadGraph g = build(raw);
    CHECK(g.edge_count() == 2);  // build_graph drops the closed bridge
    CHECK(travel_time(g, north_point, south_point) == unreachable);
    CHECK(travel_time(g, north_point, {900, 100}) == Approx(890.0));
}

TEST_CASE("a speed factor by area changes only the roads with a part inside", "[edits]") {
    // A box across the middle of the bridge: none of the bridge's vertices are inside, only its
    // segment crosses the box, so this also checks segment/polygon intersection. The streets
    // (y = 0 and 100) stay outside.
    RawNetwork raw = river();
    std::vector<std::int64_t> ids = source_ids();
    ChangeRoads c;
    c.area = box_area(990, 40, 1010, 60);
    c.speed_factor = 2.0;
    const std::vector<EditReport> reports = apply_edits(raw, ids, NetworkEdits{{}, {c}});
    CHECK(reports[0].label == "change 1");
    CHECK(reports[0].roads_changed == 1);
    CHECK(reports[0].km_changed == Approx(0.1));
    // 990 m + 100 m at twice 1 m/s (50 s) + 990 m = 2030 s, down from 2080 s.
    CHECK(travel_time(build(raw), north_point, south_point) == Approx(2030.0));
    CHECK(travel_time(build(raw), north_point, {900, 100}) == Approx(890.0));  // unchanged street

    // A factor for driving only leaves walking times alone.
    RawNetwork raw2 = river(road(RoadClass::residential, Oneway::no, 36));
    std::vector<std::int64_t> ids2 = source_ids();
    c.factor_modes = {Mode::drive};
    apply_edits(raw2, ids2, NetworkEdits{{}, {c}});
    const RoadGraph g = build(raw2, {walk_1mps(), drive_plain()});
    CHECK(travel_time(g, north_point, south_point, Mode::walk) == Approx(2080.0));
    // Driving at 10 m/s: 99 s + 100 m at 20 m/s (5 s) + 99 s = 203 s.
    CHECK(travel_time(g, north_point, south_point, Mode::drive) == Approx(203.0));

    // An area that touches nothing selects nothing, and says so.
    RawNetwork raw3 = river();
    std::vector<std::int64_t> ids3 = source_ids();
    c.area = box_area(0, 20, 500, 80);
    CHECK(apply_edits(raw3, ids3, NetworkEdits{{}, {c}})[0].notes ==
          std::vector<std::string>{"selects no roads"});
}

TEST_CASE("speed_factor scales the profile's speed and is ignored by length profiles",
          "[edits][profile]") {
    EdgeAttributes a = road(RoadClass::residential, Oneway::no, 50);
    const ProfileSettings drive = drive_plain();
    const double before = speed_mps(drive, a);
    a.speed_factor[static_cast<std::size_t>(Mode::drive)] = 1.25f;
    CHECK(speed_mps(drive, a) == Approx(before * 1.25));
    CHECK(speed_mps(walk_1mps(), a) == Approx(1.0));
    CHECK(speed_mps(length_profile(drive), a) == 1.0);
}

TEST_CASE("a class change to footway makes a road walk-only", "[edits]") {
    RawNetwork raw = river(road(RoadClass::residential, Oneway::no, 36));
    std::vector<std::int64_t> ids = source_ids();
    ChangeRoads c;
    c.source_ids = {300, 999};
    c.road_class = RoadClass::footway;
    const std::vector<EditReport> reports = apply_edits(raw, ids, NetworkEdits{{}, {c}});
    CHECK(reports[0].roads_changed == 1);
    CHECK(reports[0].notes == std::vector<std::string>{"source id 999 is not in the network"});
    CHECK(raw.edges[2].attributes.maxspeed_kmh == 0);  // the class default applies now
    const RoadGraph g = build(raw, {walk_1mps(), drive_plain()});
    CHECK(travel_time(g, north_point, south_point, Mode::walk) == Approx(2080.0));
    CHECK(travel_time(g, north_point, south_point, Mode::drive) == unreachable);
}

TEST_CASE("a maxspeed change sets the driving speed", "[edits]") {
    RawNetwork raw = river(road(RoadClass::residential, Oneway::no, 36));
    std::vector<std::int64_t> ids = source_ids();
    ChangeRoads c;
    c.source_ids = {100, 200};
    c.maxspeed_kmh = 72;  // 20 m/s
    apply_edits(raw, ids, NetworkEdits{{}, {c}});
    const RoadGraph g = build(raw, {drive_plain()});
    // 990 m at 20 m/s + 100 m at 10 m/s + 990 m at 20 m/s = 49.5 + 10 + 49.5 s.
    CHECK(travel_time(g, north_point, south_point, Mode::drive) == Approx(109.0));

    c.maxspeed_kmh = 0;
    CHECK_THROWS_WITH(
        apply_edits(raw, ids, NetworkEdits{{}, {c}}),
        "road change 'change 1': maxspeed_kmh must be a positive number of km/h, not 0.000000");
}

TEST_CASE("no edits leave the network untouched", "[edits]") {
    RawNetwork raw = river();
    std::vector<std::int64_t> ids = source_ids();
    CHECK(apply_edits(raw, ids, NetworkEdits{}).empty());
    const RawNetwork fresh = river();
    CHECK(raw.nodes == fresh.nodes);
    CHECK(raw.shape_points == fresh.shape_points);
    CHECK(raw.shape_first == fresh.shape_first);
    CHECK(ids == source_ids());
}

TEST_CASE("interior vertices join only when asked", "[edits]") {
    // A path from the north street at x=400 across the river, over the south street with a
    // vertex 1 m from it, to a dead end 50 m beyond:
    //   (400,98) -> (400,1) -> (600,-50)
    AddRoad path;
    path.name = "Path";
    path.line = {{400, 98}, {400, 1}, {600, -50}};
    path.attributes = road(RoadClass::path);
    path.allow_dangling = true;

    RawNetwork raw = river();
    std::vector<std::int64_t> ids = source_ids();
    std::vector<EditReport> reports = apply_edits(raw, ids, NetworkEdits{{path}, {}});
    CHECK(reports[0].joins == 1);
    CHECK(reports[0].roads_added == 1);
    // Without the crossing: 600 m east, the bridge, 990 m west = 1690 s.
    CHECK(travel_time(build(raw), {400, 100}, south_point) == Approx(1690.0));

    raw = river();
    ids = source_ids();
    path.join_interior = true;
    reports = apply_edits(raw, ids, NetworkEdits{{path}, {}});
    CHECK(reports[0].joins == 2);
    CHECK(reports[0].splits == 2);
    CHECK(reports[0].roads_added == 2);
    CHECK(reports[0].notes[1] ==
          "vertex 1 joined by splitting the road of source id 200, 1.0 m away");
    CHECK(reports[0].notes[2] == "end joins nothing: a dead end (nearest road 50.0 m away)");
    // The vertex moved onto the south street: 2 m connector + 98 m across + 390 m west = 490 s.
    CHECK(travel_time(build(raw), {400, 100}, south_point) == Approx(490.0));
    const std::span<const Point> first = raw.shape(raw.edges.size() - 2);
    CHECK(std::vector<Point>(first.begin(), first.end()) ==
          std::vector<Point>{{400, 100}, {400, 98}, {400, 0}});
    CHECK(raw.edges[raw.edges.size() - 2].source == raw.edges.back().source);
    CHECK(reports[0].km_added == Approx((100.0 + std::hypot(200.0, 50.0)) / 1000));
}

TEST_CASE("bad edits are refused with a message naming the edit", "[edits]") {
    RawNetwork raw = river();
    std::vector<std::int64_t> ids = source_ids();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto add_error = [&](AddRoad a) {
        try {
            apply_edits(raw, ids, NetworkEdits{{a}, {}});
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    AddRoad a = footbridge();
    a.line = {{0, 98}, {nan, 2}};
    CHECK(add_error(a) == "road edit 'Footbridge': the line has a point with a non-finite coordinate");
    a = footbridge();
    a.join_tolerance_m = -1;
    CHECK(add_error(a) == "road edit 'Footbridge': join_tolerance_m must be zero or more metres");
    a = footbridge();
    a.line = {{0, 98}, {0, 98}};
    CHECK(add_error(a) == "road edit 'Footbridge': the line has zero length");
    a = footbridge();
    a.name.clear();
    a.line = {{0, 98}, {0, 50}};
    CHECK(add_error(a) == "road edit 'added road 1': its last point (end) is 50.0 m from the nearest usable road, "
                         "farther than join_tolerance_m (5.0 m); move it onto a road, raise join_tolerance_m, or "
                         "set allow_dangling if a dead end is meant");
    RawNetwork empty;
    std::vector<std::int64_t> no_ids;
    CHECK_THROWS_WITH(apply_edits(empty, no_ids, NetworkEdits{{footbridge()}, {}}),
                      "road edit 'Footbridge': its first point (start) has no usable road to join");

    ChangeRoads c;
    c.label = "faster";
    c.source_ids = {100};
    c.speed_factor = 0.0;
    CHECK_THROWS_WITH(apply_edits(raw, ids, NetworkEdits{{}, {c}}),
                      "road change 'faster': speed_factor must be positive (1.2: 20% faster), not 0.000000");
    c.speed_factor.reset();
    c.area = box_area(0, 0, nan, 10);
    CHECK_THROWS_WITH(apply_edits(raw, ids, NetworkEdits{{}, {c}}),
                      "road change 'faster': the area has a point with a non-finite coordinate");
    c.area.clear();
    CHECK(apply_edits(raw, ids, NetworkEdits{{}, {c}})[0].notes ==
          std::vector<std::string>{"changes nothing: no road_class, maxspeed_kmh, speed_factor or close given"});
}
