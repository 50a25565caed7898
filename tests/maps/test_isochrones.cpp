#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../core/helpers.hpp"
#include "core/graph.hpp"
#include "core/profile.hpp"
#include "core/reach.hpp"
#include "core/search.hpp"
#include "core/snap.hpp"
#include "io/network.hpp"
#include "io/osm_facilities.hpp"
#include "isochrone_helpers.hpp"
#include "core/geos.hpp"
#include "maps/isochrones.hpp"
#include "core/layer.hpp"
#include "maps/service_area.hpp"

using namespace lifecircle;
using namespace lifecircle::test;
using lifecircle::Feature;
using lifecircle::geos::GeosContext;
using lifecircle::maps::IsochroneFacility;
using lifecircle::maps::IsochroneShape;
using lifecircle::Layer;

namespace {

// Unless said otherwise: walking at 3.6 km/h = 1 m/s, so seconds equal metres; buffer 50 m.

/** Runs isochrone_layers on a test graph's walk (or given) profile. */
Layer areas_of(const RoadGraph& g, ProfileId profile,
               const std::vector<IsochroneFacility>& facilities,
               const maps::IsochroneOptions& options) {
    return maps::isochrone_layers(g, profile, facilities, options).areas;
}

/**
 * A 1200 m x 1200 m grid of 300 m blocks (one character = 100 m). The grid is large enough
 * that 15 minutes (900 m) from one facility does not cover it all.
 */
constexpr const char* grid_map = R"(
A--B--C--D--E
|  |  |  |  |
|  |  |  |  |
F--G--H--I--J
|  |  |  |  |
|  |  |  |  |
K--L--M--N--O
|  |  |  |  |
|  |  |  |  |
P--Q--R--S--T
|  |  |  |  |
|  |  |  |  |
U--V--W--X--Y
)";

TestGraph grid_graph(std::vector<ProfileSettings> profiles = {walk_1mps()}) {
    return ascii_graph(grid_map,
                       {{"ABCDE"},
                        {"FGHIJ"},
                        {"KLMNO"},
                        {"PQRST"},
                        {"UVWXY"},
                        {"AFKPU"},
                        {"BGLQV"},
                        {"CHMRW"},
                        {"DINSX"},
                        {"EJOTY"}},
                       std::move(profiles), 100.0, 100.0);
}

/**
 * Three facilities on the grid: on the street G-H, on the street Q-R, and one 120 m inside
 * the block M-N-R-S (150 m from its side streets, 180 m from R-S): its nearest road is M-N,
 * 120 m away, so it starts 120 s late and only the access leg puts it inside its own area.
 */
std::vector<IsochroneFacility> grid_facilities(const TestGraph& t, const Snapper& snapper) {
    return {snapped_facility(snapper, "gh", shifted(t.xy.at('G'), 100, 0)),
            snapped_facility(snapper, "qr", shifted(t.xy.at('Q'), 200, 0)),
            snapped_facility(snapper, "inside-block", shifted(t.xy.at('M'), 150, -120))};
}

/** A straight road A-B of 2000 m (one character = 100 m). */
constexpr const char* long_road_map = "A-------------------B";

}  // namespace

// ---------------------------------------------------------------------------------------------
// Hand-drawn networks
// ---------------------------------------------------------------------------------------------

TEST_CASE("isochrones: a river with one bridge keeps the far bank out", "[isochrones]") {
    // One character = 25 m, one row = 50 m. North street A-B and south street C-D are 200 m
    // apart; the only crossing is the bridge A-C at the west end. Both streets are 400 m.
    const char* map = R"(
A---------------B
|
|  ~~~~~~~~~~~~
|
C---------------D
)";
    const TestGraph t = ascii_graph(map, {{"AB"}, {"AC"}, {"CD"}});
    const ProfileId walk = t.profile(Mode::walk);
    REQUIRE(t.graph.edge_length_m[t.e("AC")] == Approx(200.0));
    REQUIRE(t.graph.edge_length_m[t.e("CD")] == Approx(400.0));
    const Snapper snapper(t.graph, walk, SnapOptions{});
    // The facility stands on the south street 80 m east of the bridge foot C. (With a 200 m
    // river and 300 s, the bridge must be within 100 m for the north bank to be reached in
    // 5 minutes at all.) Times: C 80 s, A (top of the bridge) 280 s, north street reached
    // 20 m east of A by 300 s.
    const Point door = shifted(t.xy.at('C'), 80, 0);
    const std::vector<IsochroneFacility> facilities{snapped_facility(snapper, "f", door)};
    CHECK(facilities[0].accesses[0].snap.distance == Approx(0.0).margin(1e-9));

    // The point straight across the river, 200 m as the crow flies: by road 80 + 200 + 80.
    const Point across = shifted(t.xy.at('A'), 80, 0);
    {
        SearchWorkspace ws(t.graph.node_count());
        const Seed s = Snapper::seed(facilities[0].accesses[0].snap, 0);
        search(t.graph, walk, std::span<const Seed>(&s, 1), unreachable, ws);
        CHECK(time_to(t.graph, ws, t.at("AB", 80)) == Approx(360.0).margin(1e-3));
        CHECK(time_to(t.graph, ws, t.at("CD", 330)) == Approx(250.0).margin(1e-3));
    }

    const Layer areas = areas_of(t.graph, walk, facilities, minutes_options({5, 10}));
    REQUIRE(areas.features.size() == 2);
    geos::GeosContext ctx;
    const auto& five = areas.features[0].wkb;
    const auto& ten = areas.features[1].wkb;
    CHECK(maps::wkb_contains(ctx, five, door));
    // 360 s by road > 300 s; 60 m from the reached 20 m of the north street, 80 m from the
    // bridge, 200 m from the south street: outside.
    CHECK_FALSE(maps::wkb_contains(ctx, five, across));
    // On the south street 250 m east of the facility: reached at 250 s.
    CHECK(maps::wkb_contains(ctx, five, shifted(door, 250, 0)));
    // On the north street 10 m east of the bridge: over the bridge at 290 s.
    CHECK(maps::wkb_contains(ctx, five, shifted(t.xy.at('A'), 10, 0)));
    // In the middle of the river, 100 m from both streets: never.
    CHECK_FALSE(maps::wkb_contains(ctx, five, shifted(t.xy.at('C'), 200, 100)));
    CHECK_FALSE(maps::wkb_contains(ctx, ten, shifted(t.xy.at('C'), 200, 100)));
    // Ten minutes: across at 360 s, and 300 m along the north street at 280 + 300 = 580 s.
    CHECK(maps::wkb_contains(ctx, ten, across));
    CHECK(maps::wkb_contains(ctx, ten, shifted(t.xy.at('A'), 300, 0)));
    CHECK_FALSE(maps::wkb_contains(ctx, five, shifted(t.xy.at('A'), 300, 0)));
}

TEST_CASE("isochrones: the area stops at a dead end plus the buffer", "[isochrones]") {
    // Main street A-B-C (400 m + 400 m) and a 150 m cul-de-sac B-D going south.
    const char* map = R"(
A---------------B---------------C
                |
                |
                D
)";
    const TestGraph t = ascii_graph(map, {{"ABC"}, {"BD"}});
    const ProfileId walk = t.profile(Mode::walk);
    REQUIRE(t.graph.edge_length_m[t.e("BD")] == Approx(150.0));
    const Snapper snapper(t.graph, walk, SnapOptions{});
    // The facility is on A-B, 50 m west of B: B at 50 s, the tip D at 200 s. With 300 s a
    // road going on past D would be walked 100 m further; the dead end stops it.
    const Point door = shifted(t.xy.at('B'), -50, 0);
    const Layer areas =
        areas_of(t.graph, walk, {snapped_facility(snapper, "f", door)}, minutes_options({5}));
    REQUIRE(areas.features.size() == 1);
    geos::GeosContext ctx;
    const auto& five = areas.features[0].wkb;
    const Point tip = t.xy.at('D');
    CHECK(maps::wkb_contains(ctx, five, door));
    CHECK(maps::wkb_contains(ctx, five, tip));
    CHECK(maps::wkb_contains(ctx, five, shifted(tip, 0, -40)));        // in the round cap
    CHECK_FALSE(maps::wkb_contains(ctx, five, shifted(tip, 0, -60)));  // beyond the cap
    CHECK_FALSE(maps::wkb_contains(ctx, five, shifted(tip, 0, -100)));
    // Beside the cul-de-sac, 40 m off it: inside; 60 m off it (and 100 m from the main street):
    // out.
    CHECK(maps::wkb_contains(ctx, five, shifted(tip, 40, 50)));
    CHECK_FALSE(maps::wkb_contains(ctx, five, shifted(tip, 60, 50)));
    // The reached road: 300 m west of the facility, 50 m east to B and 250 m on, and the
    // whole 150 m cul-de-sac.
    CHECK(real_value(areas, areas.features[0], "road_km") ==
          Approx(0.3 + 0.05 + 0.25 + 0.15).margin(1e-9));
}

TEST_CASE("isochrones: reach stops part-way along an edge", "[isochrones]") {
    // One 1000 m road (one character = 100 m), the facility at its start A.
    const TestGraph t = ascii_graph("A---------B", {{"AB"}}, {walk_1mps()}, 100.0, 50.0);
    const ProfileId walk = t.profile(Mode::walk);
    REQUIRE(t.graph.edge_length_m[t.e("AB")] == Approx(1000.0));
    const Snapper snapper(t.graph, walk, SnapOptions{});
    const Point a = t.xy.at('A');
    // Break 400 s: the road is reached to 400 m, far from the node B at 1000 m.
    maps::IsochroneOptions options = minutes_options({});
    options.breaks = {400.0};
    const Layer areas = areas_of(t.graph, walk, {snapped_facility(snapper, "f", a)}, options);
    REQUIRE(areas.features.size() == 1);
    geos::GeosContext ctx;
    const auto& area = areas.features[0].wkb;
    CHECK(maps::wkb_contains(ctx, area, shifted(a, 390, 0)));
    CHECK(maps::wkb_contains(ctx, area, shifted(a, 440, 0)));        // round cap around 400 m
    CHECK_FALSE(maps::wkb_contains(ctx, area, shifted(a, 460, 0)));  // beyond 400 + 50
    CHECK_FALSE(maps::wkb_contains(ctx, area, shifted(a, 700, 0)));
    CHECK(maps::wkb_contains(ctx, area, shifted(a, 200, 40)));
    CHECK_FALSE(maps::wkb_contains(ctx, area, shifted(a, 200, 60)));
    CHECK(maps::wkb_contains(ctx, area, shifted(a, -40, 0)));  // cap behind the start
    CHECK(real_value(areas, areas.features[0], "road_km") == Approx(0.4).margin(1e-9));
    CHECK(real_value(areas, areas.features[0], "minutes") == Approx(400.0 / 60.0));
}

TEST_CASE("isochrones: a one-way ring road for driving", "[isochrones]") {
    // One character = 50 m, one row = 100 m: a 500 m x 500 m square driven anticlockwise
    // A (south-west) -> B -> C -> D -> A, all one-way residential.
    const char* map = R"(
D---------C
|         |
|         |
|         |
|         |
A---------B
)";
    const EdgeAttributes oneway = road(RoadClass::residential, Oneway::forward);
    const ProfileSettings drive_profile = default_profile(Mode::drive, 3.6);
    const TestGraph t = ascii_graph(map, {{"ABCDA", oneway}}, {drive_profile}, 50.0, 100.0);
    const ProfileId drive = t.profile(Mode::drive);
    // Residential 25 km/h times the junction factor 0.8 = 20 km/h = 50/9 m/s: 0.18 s/m, so
    // a 500 m side takes 90 s and the ring 360 s.
    REQUIRE(drive_profile.drive_speed_factor == Approx(0.8));
    REQUIRE(speed_mps(drive_profile, oneway) == Approx(50.0 / 9.0));
    const EdgeId ab = t.e("AB");
    REQUIRE(t.graph.edge_length_m[ab] == Approx(500.0));
    CHECK(t.graph.profile(drive).arc_seconds[t.graph.edge_forward_arc[ab]] ==
          Approx(90.0).epsilon(1e-6));
    CHECK(t.graph.profile(drive).arc_seconds[t.graph.edge_backward_arc[ab]] == forbidden_arc);

    const Snapper snapper(t.graph, drive, SnapOptions{});
    // The facility is in the middle of A-B. Downstream: B at 45 s, C at 135 s. Upstream, 100 m
    // behind it on A-B, is only reached round the whole loop: 1900 m = 342 s.
    const Point door = shifted(t.xy.at('A'), 250, 0);
    const Point behind = shifted(t.xy.at('A'), 150, 0);
    const std::vector<IsochroneFacility> facilities{snapped_facility(snapper, "f", door)};
    {
        SearchWorkspace ws(t.graph.node_count());
        const Seed s = Snapper::seed(facilities[0].accesses[0].snap, 0);
        search(t.graph, drive, std::span<const Seed>(&s, 1), unreachable, ws);
        CHECK(time_to(t.graph, ws, t.at("AB", 150)) == Approx(342.0).epsilon(1e-5));
        CHECK(time_to(t.graph, ws, t.at("BC", 300)) == Approx(99.0).epsilon(1e-5));
    }
    maps::IsochroneOptions options = minutes_options({2, 6});
    options.mode_name = "drive";
    const Layer areas = areas_of(t.graph, drive, facilities, options);
    REQUIRE(areas.features.size() == 2);
    geos::GeosContext ctx;
    const auto& two = areas.features[0].wkb;
    const auto& six = areas.features[1].wkb;
    // 120 s = 666.7 m downstream: 250 m to B, then 416.7 m up B-C.
    CHECK(maps::wkb_contains(ctx, two, door));
    CHECK(maps::wkb_contains(ctx, two, shifted(t.xy.at('B'), 0, 300)));  // 99 s
    CHECK_FALSE(
        maps::wkb_contains(ctx, two, shifted(t.xy.at('B'), 0, 480)));  // 63 m past the reach
    // Behind the facility: 100 m from where the reached road starts, 342 s away.
    CHECK_FALSE(maps::wkb_contains(ctx, two, behind));
    CHECK_FALSE(
        maps::wkb_contains(ctx, two, shifted(t.xy.at('A'), 0, 250)));  // D-A side: 1500 m on
    // Six minutes (360 s): round the loop and back up behind the facility.
    CHECK(maps::wkb_contains(ctx, six, behind));
    CHECK(maps::wkb_contains(ctx, six, shifted(t.xy.at('A'), 0, 250)));
    CHECK(string_value(areas, areas.features[0], "mode") == "drive");
}

TEST_CASE("isochrones: nested areas are valid, contain their facility and nest", "[isochrones]") {
    const TestGraph t = grid_graph();
    const ProfileId walk = t.profile(Mode::walk);
    const Snapper snapper(t.graph, walk, SnapOptions{});
    const std::vector<IsochroneFacility> facilities = grid_facilities(t, snapper);
    const Snap& off_road = facilities[2].accesses[0].snap;
    REQUIRE(off_road.distance == Approx(120.0));
    REQUIRE(off_road.position.edge == t.e("MN"));
    REQUIRE(off_road.access_seconds == Approx(120.0));

    const Layer areas = areas_of(t.graph, walk, facilities, minutes_options({5, 10, 15}));
    REQUIRE(areas.features.size() == 9);
    geos::GeosContext ctx;
    for (const IsochroneFacility& f : facilities) {
        const std::vector<const Feature*> mine = features_of(areas, f.id);
        REQUIRE(minutes_of(areas, mine) == std::vector<double>{5.0, 10.0, 15.0});
        const Point door = f.accesses[0].door;
        const Point on_road = f.accesses[0].snap.on_road;
        for (std::size_t k = 0; k < mine.size(); ++k) {
            INFO(f.id << " at " << real_value(areas, *mine[k], "minutes") << " min");
            CHECK(maps::wkb_is_valid(ctx, mine[k]->wkb));
            CHECK(maps::wkb_contains(ctx, mine[k]->wkb, door));
            CHECK(maps::wkb_contains(ctx, mine[k]->wkb, on_road));
            // Half-way along the access leg: inside too (the leg is buffered like a road).
            CHECK(maps::wkb_contains(ctx, mine[k]->wkb,
                                     {(door.x + on_road.x) / 2, (door.y + on_road.y) / 2}));
            if (k == 0) continue;
            // Smaller inside larger: nothing of the smaller area is left outside the larger.
            CHECK(difference_m2(ctx, mine[k - 1]->wkb, mine[k]->wkb) < 1e-3);
            CHECK(maps::wkb_area(ctx, mine[k]->wkb) >
                  maps::wkb_area(ctx, mine[k - 1]->wkb) + 1000.0);
            CHECK(real_value(areas, *mine[k], "road_km") >
                  real_value(areas, *mine[k - 1], "road_km"));
        }
    }
    // The off-road facility starts 120 s late from M-N at 150 m: at 5 min its road reaches
    // 180 m each way along M-N (M and N at 150 m) and 30 m down M-H, M-L, M-R, N-I, N-O, N-S.
    const std::vector<const Feature*> off = features_of(areas, "inside-block");
    CHECK(real_value(areas, *off[0], "road_km") == Approx(0.3 + 6 * 0.03).margin(1e-9));
    CHECK(
        maps::wkb_contains(ctx, off[0]->wkb, shifted(t.xy.at('M'), 0, 20)));  // 20 m up M-H: 290 s
    CHECK_FALSE(maps::wkb_contains(ctx, off[0]->wkb, shifted(t.xy.at('M'), 0, 90)));
}

TEST_CASE("isochrones: rings add up to the outer nested area", "[isochrones]") {
    const TestGraph t = grid_graph();
    const ProfileId walk = t.profile(Mode::walk);
    const Snapper snapper(t.graph, walk, SnapOptions{});
    const std::vector<IsochroneFacility> facilities = grid_facilities(t, snapper);
    const Layer nested = areas_of(t.graph, walk, facilities, minutes_options({5, 10, 15}));
    const Layer rings =
        areas_of(t.graph, walk, facilities, minutes_options({5, 10, 15}, IsochroneShape::rings));
    REQUIRE(rings.features.size() == 9);
    geos::GeosContext ctx;
    for (const IsochroneFacility& f : facilities) {
        INFO(f.id);
        const std::vector<const Feature*> n = features_of(nested, f.id);
        const std::vector<const Feature*> r = features_of(rings, f.id);
        REQUIRE(n.size() == 3);
        REQUIRE(r.size() == 3);
        CHECK(minutes_of(rings, r) == std::vector<double>{5.0, 10.0, 15.0});
        CHECK(real_value(rings, *r[0], "min_minutes") == 0.0);
        CHECK(real_value(rings, *r[1], "min_minutes") == 5.0);
        CHECK(real_value(rings, *r[2], "min_minutes") == 10.0);
        for (const Feature* nf : n) CHECK(real_value(nested, *nf, "min_minutes") == 0.0);

        double sum = 0.0;
        for (std::size_t k = 0; k < 3; ++k) {
            const double ring = maps::wkb_area(ctx, r[k]->wkb);
            CHECK(maps::wkb_is_valid(ctx, r[k]->wkb));
            CHECK(real_value(rings, *r[k], "area_km2") == Approx(ring / 1e6).epsilon(1e-9));
            const double inner = k == 0 ? 0.0 : maps::wkb_area(ctx, n[k - 1]->wkb);
            CHECK(ring == Approx(maps::wkb_area(ctx, n[k]->wkb) - inner).epsilon(1e-6));
            const double inner_km = k == 0 ? 0.0 : real_value(nested, *n[k - 1], "road_km");
            CHECK(real_value(rings, *r[k], "road_km") ==
                  Approx(real_value(nested, *n[k], "road_km") - inner_km).margin(1e-9));
            sum += ring;
            for (std::size_t j = 0; j < k; ++j)
                CHECK(intersection_m2(ctx, r[j]->wkb, r[k]->wkb) < 1.0);
        }
        CHECK(sum == Approx(maps::wkb_area(ctx, n[2]->wkb)).epsilon(1e-6));
        // The facility lies in the first ring only.
        CHECK(maps::wkb_contains(ctx, r[0]->wkb, f.accesses[0].door));
        CHECK_FALSE(maps::wkb_contains(ctx, r[1]->wkb, f.accesses[0].door));
    }
}

TEST_CASE("isochrones: split gives each place to the nearer of two facilities", "[isochrones]") {
    // A 1200 m street (one character = 100 m), facilities at 300 m and 800 m. Within 5 min
    // the first reaches [0, 600], the second [500, 1100]; they meet half-way at 550 m.
    const TestGraph t = ascii_graph("A-----------B", {{"AB"}}, {walk_1mps()}, 100.0, 50.0);
    const ProfileId walk = t.profile(Mode::walk);
    const Snapper snapper(t.graph, walk, SnapOptions{});
    const Point a = t.xy.at('A');
    const std::vector<IsochroneFacility> facilities{
        snapped_facility(snapper, "west", shifted(a, 300, 0)),
        snapped_facility(snapper, "east", shifted(a, 800, 0))};
    const Layer split =
        areas_of(t.graph, walk, facilities, minutes_options({5}, IsochroneShape::split));
    const Layer dissolve =
        areas_of(t.graph, walk, facilities, minutes_options({5}, IsochroneShape::dissolve));
    REQUIRE(split.features.size() == 2);
    REQUIRE(dissolve.features.size() == 1);
    CHECK(string_value(dissolve, dissolve.features[0], "facility_id") == "all");
    const std::vector<const Feature*> west = features_of(split, "west");
    const std::vector<const Feature*> east = features_of(split, "east");
    REQUIRE(west.size() == 1);
    REQUIRE(east.size() == 1);
    geos::GeosContext ctx;
    CHECK(maps::wkb_is_valid(ctx, west[0]->wkb));
    CHECK(maps::wkb_is_valid(ctx, east[0]->wkb));
    CHECK(intersection_m2(ctx, west[0]->wkb, east[0]->wkb) < 1.0);
    CHECK(maps::wkb_contains(ctx, west[0]->wkb, shifted(a, 300, 0)));
    CHECK(maps::wkb_contains(ctx, east[0]->wkb, shifted(a, 800, 0)));
    CHECK_FALSE(maps::wkb_contains(ctx, west[0]->wkb, shifted(a, 800, 0)));
    CHECK_FALSE(maps::wkb_contains(ctx, east[0]->wkb, shifted(a, 300, 0)));
    // Either side of the meeting point at 550 m, 30 m off the street.
    CHECK(maps::wkb_contains(ctx, west[0]->wkb, shifted(a, 520, 30)));
    CHECK(maps::wkb_contains(ctx, east[0]->wkb, shifted(a, 580, 30)));
    CHECK_FALSE(maps::wkb_contains(ctx, east[0]->wkb, shifted(a, 520, 30)));
    CHECK_FALSE(maps::wkb_contains(ctx, west[0]->wkb, shifted(a, 580, 30)));
    // Road: west [0, 550], east [550, 1100].
    CHECK(real_value(split, *west[0], "road_km") == Approx(0.55).margin(1e-6));
    CHECK(real_value(split, *east[0], "road_km") == Approx(0.55).margin(1e-6));
    // Together they make up the dissolved area.
    const double parts = maps::wkb_area(ctx, west[0]->wkb) + maps::wkb_area(ctx, east[0]->wkb);
    CHECK(parts == Approx(maps::wkb_area(ctx, dissolve.features[0].wkb)).epsilon(1e-6));
}

TEST_CASE("isochrones: a per-facility cutoff drops later breaks and adds itself", "[isochrones]") {
    CHECK(maps::facility_breaks(std::vector<Seconds>{300, 600, 900}, unreachable) ==
          std::vector<Seconds>{300, 600, 900});
    CHECK(maps::facility_breaks(std::vector<Seconds>{300, 600, 900}, 600) ==
          std::vector<Seconds>{300, 600});
    CHECK(maps::facility_breaks(std::vector<Seconds>{300, 600, 900}, 450) ==
          std::vector<Seconds>{300, 450});
    CHECK(maps::facility_breaks(std::vector<Seconds>{300, 600, 900}, 120) ==
          std::vector<Seconds>{120});

    // Three facilities in the middle of a 2000 m road: each reaches 60 m per minute both ways.
    const TestGraph t = ascii_graph(long_road_map, {{"AB"}}, {walk_1mps()}, 100.0, 50.0);
    const ProfileId walk = t.profile(Mode::walk);
    REQUIRE(t.graph.edge_length_m[t.e("AB")] == Approx(2000.0));
    const Snapper snapper(t.graph, walk, SnapOptions{});
    const Point mid = shifted(t.xy.at('A'), 1000, 0);
    const std::vector<IsochroneFacility> facilities{
        snapped_facility(snapper, "ten", mid, 0.0, 600.0),
        snapped_facility(snapper, "seven-and-a-half", mid, 0.0, 450.0),
        snapped_facility(snapper, "none", mid)};
    const Layer areas = areas_of(t.graph, walk, facilities, minutes_options({5, 10, 15}));
    const std::vector<const Feature*> ten = features_of(areas, "ten");
    const std::vector<const Feature*> odd = features_of(areas, "seven-and-a-half");
    const std::vector<const Feature*> none = features_of(areas, "none");
    CHECK(minutes_of(areas, ten) == std::vector<double>{5.0, 10.0});
    CHECK(minutes_of(areas, odd) == std::vector<double>{5.0, 7.5});
    CHECK(minutes_of(areas, none) == std::vector<double>{5.0, 10.0, 15.0});
    REQUIRE(odd.size() == 2);
    CHECK(real_value(areas, *odd[1], "road_km") == Approx(0.9).margin(1e-9));
    REQUIRE(ten.size() == 2);
    CHECK(real_value(areas, *ten[1], "road_km") == Approx(1.2).margin(1e-9));
    CHECK(real_value(areas, *ten[1], "area_km2") ==
          Approx(real_value(areas, *none[1], "area_km2")).epsilon(1e-9));
}

TEST_CASE("isochrones: a delay shrinks the reached road by the delay's walk", "[isochrones]") {
    const TestGraph t = ascii_graph(long_road_map, {{"AB"}}, {walk_1mps()}, 100.0, 50.0);
    const ProfileId walk = t.profile(Mode::walk);
    const Snapper snapper(t.graph, walk, SnapOptions{});
    const Point mid = shifted(t.xy.at('A'), 1000, 0);
    const std::vector<IsochroneFacility> facilities{
        snapped_facility(snapper, "plain", mid), snapped_facility(snapper, "late", mid, 120.0),
        snapped_facility(snapper, "very-late", mid, 400.0)};
    const Layer areas = areas_of(t.graph, walk, facilities, minutes_options({5, 10, 15}));
    const std::vector<const Feature*> plain = features_of(areas, "plain");
    const std::vector<const Feature*> late = features_of(areas, "late");
    const std::vector<const Feature*> very_late = features_of(areas, "very-late");
    REQUIRE(plain.size() == 3);
    REQUIRE(late.size() == 3);
    // 300 s both ways: 0.6 km; 120 s later: 180 m both ways, 0.36 km.
    CHECK(real_value(areas, *plain[0], "road_km") == Approx(0.6).margin(1e-9));
    CHECK(real_value(areas, *late[0], "road_km") == Approx(0.36).margin(1e-9));
    // 2 x 120 m less road, so a 100 m wide band of 240 m less area (the round caps are equal).
    CHECK(real_value(areas, *plain[0], "area_km2") - real_value(areas, *late[0], "area_km2") ==
          Approx(0.024).margin(1e-6));
    for (std::size_t k = 0; k < 3; ++k)
        CHECK(real_value(areas, *plain[k], "road_km") - real_value(areas, *late[k], "road_km") ==
              Approx(0.24).margin(1e-9));
    // A delay past the first break: no 5-minute area; at 10 min 200 m each way.
    CHECK(minutes_of(areas, very_late) == std::vector<double>{10.0, 15.0});
    REQUIRE(very_late.size() == 2);
    CHECK(real_value(areas, *very_late[0], "road_km") == Approx(0.4).margin(1e-9));
    CHECK(real_value(areas, *very_late[1], "road_km") == Approx(1.0).margin(1e-9));
}

TEST_CASE("isochrones: the same WKB whatever the thread count", "[isochrones]") {
    const TestGraph t = grid_graph();
    const ProfileId walk = t.profile(Mode::walk);
    const Snapper snapper(t.graph, walk, SnapOptions{});
    const std::vector<IsochroneFacility> facilities = grid_facilities(t, snapper);
    for (const IsochroneShape shape : {IsochroneShape::nested, IsochroneShape::rings,
                                       IsochroneShape::dissolve, IsochroneShape::split}) {
        INFO("shape " << static_cast<int>(shape));
        maps::IsochroneOptions one = minutes_options({5, 10, 15}, shape, 1);
        maps::IsochroneOptions two = minutes_options({5, 10, 15}, shape, 2);
        one.lines = two.lines = true;
        const maps::IsochroneLayers a = maps::isochrone_layers(t.graph, walk, facilities, one);
        const maps::IsochroneLayers b = maps::isochrone_layers(t.graph, walk, facilities, two);
        REQUIRE(a.areas.features.size() == b.areas.features.size());
        REQUIRE(!a.areas.features.empty());
        for (std::size_t i = 0; i < a.areas.features.size(); ++i) {
            CHECK(a.areas.features[i].wkb == b.areas.features[i].wkb);
            CHECK(a.areas.features[i].values == b.areas.features[i].values);
        }
        REQUIRE(a.lines.features.size() == b.lines.features.size());
        for (std::size_t i = 0; i < a.lines.features.size(); ++i) {
            CHECK(a.lines.features[i].wkb == b.lines.features[i].wkb);
            CHECK(a.lines.features[i].values == b.lines.features[i].values);
        }
    }
}

TEST_CASE("isochrones: fields of the area layer", "[isochrones]") {
    const TestGraph t = grid_graph();
    const ProfileId walk = t.profile(Mode::walk);
    const Snapper snapper(t.graph, walk, SnapOptions{});
    const std::vector<IsochroneFacility> facilities = grid_facilities(t, snapper);
    maps::IsochroneOptions options = minutes_options({5, 10, 15});
    options.mode_name = "walk 3.6 km/h";
    options.lines = true;
    const maps::IsochroneLayers layers = maps::isochrone_layers(t.graph, walk, facilities, options);
    const Layer& areas = layers.areas;
    CHECK(areas.name == "isochrones");
    CHECK(areas.kind == GeometryKind::polygon);
    std::vector<std::string> names;
    for (const Field& f : areas.fields) names.push_back(f.name);
    CHECK(names == std::vector<std::string>{"facility_id", "name", "minutes", "min_minutes", "mode",
                                            "area_km2", "road_km"});
    CHECK(areas.fields[field_index(areas, "minutes")].type == FieldType::real);
    CHECK(areas.fields[field_index(areas, "road_km")].type == FieldType::real);
    CHECK(areas.fields[field_index(areas, "mode")].type == FieldType::string);
    REQUIRE(areas.features.size() == 9);
    geos::GeosContext ctx;
    for (const Feature& f : areas.features) {
        REQUIRE(f.values.size() == areas.fields.size());
        CHECK(string_value(areas, f, "mode") == options.mode_name);
        const std::string id = string_value(areas, f, "facility_id");
        CHECK(string_value(areas, f, "name") == "name of " + id);
        const double area_m2 = maps::wkb_area(ctx, f.wkb);
        CHECK(area_m2 > 0.0);
        CHECK(real_value(areas, f, "area_km2") == Approx(area_m2 / 1e6).epsilon(1e-9));
        CHECK(real_value(areas, f, "road_km") > 0.0);
    }
    // The reached-road layer holds every piece up to the last break: its length is the
    // road_km of the largest area.
    const Layer& lines = layers.lines;
    REQUIRE(!lines.features.empty());
    for (const IsochroneFacility& fac : facilities) {
        double metres = 0.0;
        for (const Feature& f : lines.features)
            if (string_value(lines, f, "facility_id") == fac.id)
                metres += real_value(lines, f, "length_m");
        const std::vector<const Feature*> mine = features_of(areas, fac.id);
        CHECK(metres / 1000.0 == Approx(real_value(areas, *mine.back(), "road_km")).epsilon(1e-9));
    }
}

// ---------------------------------------------------------------------------------------------
// Real data: properties of the areas against an independent search
// ---------------------------------------------------------------------------------------------

namespace {

/** A reached stretch of road as a polyline, with its box for quick rejection. */
struct ReachedLine {
    EdgeId edge = invalid_edge;
    Meters from = 0.0;  ///< offset of line.front() along the edge
    std::vector<Point> line;
    Box box;
};

std::vector<ReachedLine> reached_lines(const RoadGraph& g, std::span<const ReachedPiece> pieces) {
    std::vector<ReachedLine> out;
    for (const ReachedPiece& p : pieces) {
        ReachedLine r{p.edge, p.from, g.sub_shape(p.edge, p.from, p.to), Box{}};
        for (const Point& q : r.line) r.box.extend(q);
        out.push_back(std::move(r));
    }
    return out;
}

/** Distance from p to the nearest line (infinity if none is within `radius`). */
const ReachedLine* nearest_line(const std::vector<ReachedLine>& lines, Point p, double radius,
                                double& distance, double& along) {
    const ReachedLine* best = nullptr;
    distance = unreachable;
    for (const ReachedLine& r : lines) {
        if (p.x < r.box.min.x - radius || p.x > r.box.max.x + radius ||
            p.y < r.box.min.y - radius || p.y > r.box.max.y + radius)
            continue;
        double a = 0.0;
        const double d = distance_to_polyline(p, r.line, &a);
        if (d < distance) {
            distance = d;
            along = a;
            best = &r;
        }
    }
    return best;
}

}  // namespace

TEST_CASE("isochrones: Porto clinics, nothing beyond a buffer walk from road reached in time",
          "[isochrones][porto]") {
    const std::string path = std::string(LIFECIRCLE_SHARED_DATA) + "/osm/porto_2020.osm.pbf";
    if (!std::filesystem::exists(path)) {
        WARN("skipped: " << path << " not found");
        return;
    }
    io::NetworkOptions network_options;
    network_options.profiles = {default_profile(Mode::walk, 3.6)};  // 1 m/s
    const io::Network network = io::load_network(path, network_options);
    const RoadGraph& g = network.graph;
    const ProfileId walk = g.profile_id(Mode::walk);
    const std::vector<io::OsmFacility> clinics =
        io::read_osm_facilities(path, io::FacilityKind::clinic);
    std::vector<Point> xy;
    for (const io::OsmFacility& c : clinics) xy.push_back({c.lon, c.lat});
    network.to_work(xy);
    const Snapper snapper(g, walk, SnapOptions{});
    std::vector<maps::IsochroneFacility> facilities;
    for (std::size_t i = 0; i < clinics.size() && facilities.size() < 5; ++i) {
        const Snap s = snapper.snap(xy[i]);
        if (!s.ok()) continue;
        maps::IsochroneFacility f;
        f.id = clinics[i].osm_type + "/" + std::to_string(clinics[i].osm_id);
        f.accesses.push_back({xy[i], s});
        facilities.push_back(std::move(f));
    }
    REQUIRE(facilities.size() == 5);

    const double buffer_m = 50.0;
    maps::IsochroneOptions options = minutes_options({5, 10, 15});
    REQUIRE(options.area.buffer_m == buffer_m);
    // The raster method's boundary is off by up to half a cell's diagonal (burnt cell centres,
    // 3.5 m) plus its simplification (half a cell, 2.5 m) beyond the network method's 1 m.
    options.area.method = GENERATE(maps::AreaMethod::network, maps::AreaMethod::raster);
    const double slack = options.area.method == maps::AreaMethod::raster ? 1.0 + 3.6 + 2.5 : 1.0;
    INFO((options.area.method == maps::AreaMethod::raster ? "raster" : "network") << " method");
    const Layer areas = areas_of(g, walk, facilities, options);

    geos::GeosContext ctx;
    SearchWorkspace ws(g.node_count());
    std::mt19937 rng(20200);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::size_t inside_checked = 0;
    std::size_t road_inside_checked = 0;
    std::size_t road_outside_checked = 0;
    for (std::size_t i = 0; i < facilities.size(); ++i) {
        const maps::IsochroneFacility& f = facilities[i];
        const Snap& snap = f.accesses[0].snap;
        // The independent search: same start, a generous cutoff.
        const Seed seed = Snapper::seed(snap, 0);
        search(g, walk, std::span<const Seed>(&seed, 1), 1800.0, ws);
        const std::vector<const Feature*> mine = features_of(areas, f.id);
        const std::size_t first = static_cast<std::size_t>(
            std::count_if(options.breaks.begin(), options.breaks.end(),
                          [&](Seconds b) { return b < snap.access_seconds; }));
        REQUIRE(mine.size() == options.breaks.size() - first);
        for (std::size_t k = 0; k < mine.size(); ++k) {
            const double minutes = real_value(areas, *mine[k], "minutes");
            const Seconds limit = minutes * 60.0;
            INFO(f.id << " at " << minutes << " min");
            const std::vector<ReachedLine> lines =
                reached_lines(g, reached_pieces(g, ws, limit));
            // The access leg counts as reached road (it is drawn when the walk to the road fits
            // in the first break the facility has).
            const std::vector<Point> leg{f.accesses[0].door, snap.on_road};
            const PreparedArea area(ctx, mine[k]->wkb);
            const Box box = area.box();

            // 1. Random points inside the polygon lie within the buffer (+ slack) of a road
            // position reached within the break, and our own search agrees on that position's
            // time. (Snapping the point and timing its nearest road would not do: a point
            // 10 m from a reached road may be 5 m from another road that is far by network.)
            std::size_t found = 0;
            for (int tries = 0; tries < 4000 && found < 300; ++tries) {
                const Point p{box.min.x + unit(rng) * (box.max.x - box.min.x),
                              box.min.y + unit(rng) * (box.max.y - box.min.y)};
                if (!area.contains(p)) continue;
                ++found;
                double d = 0.0;
                double along = 0.0;
                const ReachedLine* r = nearest_line(lines, p, buffer_m + slack, d, along);
                const double d_leg = distance_to_polyline(p, leg);
                INFO("point " << p.x << " " << p.y << ": " << d << " m from reached road, " << d_leg
                              << " m from the access leg");
                REQUIRE(std::min(d, d_leg) <= buffer_m + slack);
                if (r && d <= buffer_m + slack)
                    CHECK(time_to(g, ws, {r->edge, r->from + along}) <= limit + 0.5);
            }
            inside_checked += found;

            // 2. Road reached before the break (by 1 s) lies inside; road reached later than
            // the break plus the buffer walk, and farther than the buffer from every reached
            // piece and the leg, lies outside.
            std::vector<EdgeId> reached_edges;
            std::vector<EdgeId> nearby_edges;
            for (EdgeId e = 0; e < g.edge_count(); ++e) {
                const Point u = g.node_xy[g.edge_from[e]];
                if (u.x > box.min.x - 300 && u.x < box.max.x + 300 && u.y > box.min.y - 300 &&
                    u.y < box.max.y + 300)
                    nearby_edges.push_back(e);
                if (ws.node_time(g.edge_from[e]) < limit || ws.node_time(g.edge_to[e]) < limit)
                    reached_edges.push_back(e);
            }
            reached_edges.push_back(snap.position.edge);
            std::size_t in = 0;
            for (int tries = 0; tries < 2000 && in < 150; ++tries) {
                const EdgeId e =
                    reached_edges[static_cast<std::size_t>(
                                      unit(rng) * static_cast<double>(reached_edges.size())) %
                                  reached_edges.size()];
                const Meters offset = unit(rng) * g.edge_length_m[e];
                if (!(time_to(g, ws, {e, offset}) < limit - 1.0)) continue;
                const Point p = g.point_along(e, offset);
                INFO("edge " << e << " at " << offset << " m: " << p.x << " " << p.y);
                CHECK(area.contains(p));
                ++in;
            }
            road_inside_checked += in;
            std::size_t out = 0;
            for (int tries = 0; tries < 3000 && out < 150; ++tries) {
                const EdgeId e =
                    nearby_edges[static_cast<std::size_t>(
                                     unit(rng) * static_cast<double>(nearby_edges.size())) %
                                 nearby_edges.size()];
                const Meters offset = unit(rng) * g.edge_length_m[e];
                const Seconds t = time_to(g, ws, {e, offset});
                if (!(t > limit + buffer_m / 1.0 + 5.0)) continue;
                const Point p = g.point_along(e, offset);
                double d = 0.0;
                double along = 0.0;
                nearest_line(lines, p, buffer_m + slack + 4.0, d, along);
                if (d <= buffer_m + slack + 4.0 || distance_to_polyline(p, leg) <= buffer_m + slack + 4.0) continue;
                INFO("edge " << e << " at " << offset << " m: " << p.x << " " << p.y << ", " << t
                             << " s");
                CHECK_FALSE(area.contains(p));
                ++out;
            }
            road_outside_checked += out;
        }
    }
    INFO(inside_checked << " points inside, " << road_inside_checked << " reached road points, "
                        << road_outside_checked << " unreached road points checked");
    CHECK(inside_checked >= 3000);
    CHECK(road_inside_checked >= 1500);
    CHECK(road_outside_checked >= 1000);
}

// ---------------------------------------------------------------------------------------------
// Library bugs (these fail until fixed)
// ---------------------------------------------------------------------------------------------

TEST_CASE("isochrones: dissolved areas contain a facility that starts after the first break",
          "[isochrones]") {
    const TestGraph t = grid_graph();
    const ProfileId walk = t.profile(Mode::walk);
    const Snapper snapper(t.graph, walk, SnapOptions{});
    // 120 m inside a block (120 s to the road) and 200 s of delay: it leaves at 320 s, after
    // the 5-minute break but well within 10 minutes.
    const Point door = shifted(t.xy.at('M'), 150, -120);
    const std::vector<IsochroneFacility> facilities{
        snapped_facility(snapper, "a", shifted(t.xy.at('G'), 100, 0)),
        snapped_facility(snapper, "late", door, 200.0)};
    geos::GeosContext ctx;
    // Nested: the late facility gets 10 and 15 minutes, and both contain it.
    const Layer nested = areas_of(t.graph, walk, facilities, minutes_options({5, 10, 15}));
    const std::vector<const Feature*> late = features_of(nested, "late");
    REQUIRE(minutes_of(nested, late) == std::vector<double>{10.0, 15.0});
    for (const Feature* f : late) CHECK(maps::wkb_contains(ctx, f->wkb, door));
    // Dissolved: the 10- and 15-minute areas hold the late facility's reached roads (M-N at
    // 120 m from its door) and should hold the door itself too, as the nested ones do.
    const Layer dissolved =
        areas_of(t.graph, walk, facilities, minutes_options({5, 10, 15}, IsochroneShape::dissolve));
    REQUIRE(dissolved.features.size() == 3);
    for (std::size_t k = 1; k < 3; ++k) {
        INFO("dissolved " << real_value(dissolved, dissolved.features[k], "minutes") << " min");
        CHECK(maps::wkb_contains(ctx, dissolved.features[k].wkb,
                                 facilities[1].accesses[0].snap.on_road));
        CHECK(maps::wkb_contains(ctx, dissolved.features[k].wkb, door));
    }
}

TEST_CASE("isochrones: split with a cutoff gives what one facility may not serve to another",
          "[isochrones]") {
    // A 1200 m street; "near" at 300 m may serve only 1 minute (cutoff 60 s), "far" at 900 m has
    // no cutoff. Within 10 min, "far" reaches 300..1200 m; "near" serves 240..360 m. The place
    // at 450 m is reached by "far" in 450 s and cannot be served by "near" at all, so it
    // belongs to "far" (the dissolved area agrees that it is served).
    const TestGraph t = ascii_graph("A-----------B", {{"AB"}}, {walk_1mps()}, 100.0, 50.0);
    const ProfileId walk = t.profile(Mode::walk);
    const Snapper snapper(t.graph, walk, SnapOptions{});
    const Point a = t.xy.at('A');
    const std::vector<IsochroneFacility> facilities{
        snapped_facility(snapper, "near", shifted(a, 300, 0), 0.0, 60.0),
        snapped_facility(snapper, "far", shifted(a, 900, 0))};
    geos::GeosContext ctx;
    const Point between = shifted(a, 450, 0);
    const Layer dissolved =
        areas_of(t.graph, walk, facilities, minutes_options({10}, IsochroneShape::dissolve));
    REQUIRE(dissolved.features.size() == 1);
    CHECK(maps::wkb_contains(ctx, dissolved.features[0].wkb, between));
    const Layer split =
        areas_of(t.graph, walk, facilities, minutes_options({10}, IsochroneShape::split));
    const std::vector<const Feature*> far = features_of(split, "far");
    REQUIRE(far.size() == 1);
    CHECK(maps::wkb_contains(ctx, far[0]->wkb, between));
    // "far" walks 600 m west (to 300 m) and 300 m east to the end B, but 300..360 m is
    // "near"'s (reached there within its minute, before "far" comes): 0.84 km.
    CHECK(real_value(split, *far[0], "road_km") == Approx(0.84).margin(1e-6));
}
