// Slope-aware walking: every expected time below is worked out by hand from Tobler's function
// scaled to the flat, speed = v * exp(-3.5 |S + 0.05|) / exp(-3.5 * 0.05), i.e. a piece of
// length L takes L / v * exp(3.5 (|S + 0.05| - 0.05)). Walking is 1 m/s, so seconds read as
// metres on the flat.
#include <cmath>
#include <functional>
#include <limits>
#include <span>
#include <vector>

#include <tbb/global_control.h>
#include <catch2/catch.hpp>

#include "core/graph.hpp"
#include "core/profile.hpp"
#include "core/search.hpp"
#include "tests/core/helpers.hpp"

using namespace lifecircle;
using lifecircle::test::road;
using lifecircle::test::walk_1mps;

namespace {

/** Ground given by a function of the work CRS coordinates; NaN where it has no data. */
class FunctionGround final : public ElevationSampler {
public:
    explicit FunctionGround(std::function<double(Point)> f) : m_f(std::move(f)) {}
    void sample(std::span<const Point> xy, std::span<double> z) const override {
        for (std::size_t i = 0; i < xy.size(); ++i) z[i] = m_f(xy[i]);
    }

private:
    std::function<double(Point)> m_f;
};

/** Edges drawn one by one; each gets its own two nodes unless they share a point. */
struct Roads {
    RawNetwork raw;
    EdgeId add(std::vector<Point> shape, EdgeAttributes attrs = road(RoadClass::footway)) {
        RawEdge e;
        e.from = node(shape.front());
        e.to = node(shape.back());
        e.attributes = attrs;
        e.source = static_cast<std::uint32_t>(raw.edges.size());
        raw.add_edge(e, shape);
        return static_cast<EdgeId>(raw.edges.size() - 1);
    }
    std::uint32_t node(Point p) {
        for (std::uint32_t i = 0; i < raw.nodes.size(); ++i)
            if (raw.nodes[i] == p) return i;
        raw.nodes.push_back(p);
        return static_cast<std::uint32_t>(raw.nodes.size() - 1);
    }
};

struct Built {
    RoadGraph graph;
    /** Seconds from the edge's first point to its last (forward) and back, profile p. */
    double forward(EdgeId e, std::size_t p = 0) const {
        return graph.profiles[p].arc_seconds[graph.edge_forward_arc[e]];
    }
    double backward(EdgeId e, std::size_t p = 0) const {
        return graph.profiles[p].arc_seconds[graph.edge_backward_arc[e]];
    }
};

Built build(Roads roads, const ElevationSampler* ground,
            std::vector<ProfileSettings> profiles = {walk_1mps()}) {
    BuildOptions options;
    options.profiles = std::move(profiles);
    options.elevation = ground;
    Built b{build_graph(std::move(roads.raw), options)};
    b.graph.validate();
    return b;
}

/** Seconds for a piece of `length` metres and slope `s` at 1 m/s, written out. */
double piece(double length, double s) {
    return length * std::exp(3.5 * (std::abs(s + 0.05) - 0.05));
}

constexpr double no_data = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("slope: Tobler's function scaled to the flat", "[slope]") {
    CHECK(tobler_speed_factor(0.0) == Approx(1.0));
    CHECK(tobler_speed_factor(-0.05) == Approx(std::exp(0.175)));  // the optimum, 19% faster
    CHECK(tobler_speed_factor(-0.10) == Approx(1.0));              // as fast as on the flat
    CHECK(tobler_speed_factor(0.10) == Approx(std::exp(-0.35)));
    CHECK(tobler_speed_factor(-0.15) == Approx(std::exp(-0.175)));
    CHECK(*parse_slope_model("tobler") == SlopeModel::tobler);
    CHECK(*parse_slope_model("none") == SlopeModel::none);
    CHECK_FALSE(parse_slope_model("Tobler"));
    CHECK(slope_model_name(SlopeModel::tobler) == "tobler");
    CHECK(default_profile(Mode::walk).slope == SlopeModel::tobler);
    CHECK(default_profile(Mode::bike).slope == SlopeModel::none);
    CHECK(default_profile(Mode::drive).slope == SlopeModel::none);
}

// A plane rising 10% to the east (z = 0.1 x) and one rising 5% (z = 0.05 x):
//
//   N (0,100)
//   |  north: across the slope, flat
//   A (0,0) ---- east, 100 m ---- B (100,0)
TEST_CASE("slope: a plane of known grade, up, down, across and at the optimum", "[slope]") {
    const FunctionGround ten([](Point p) { return 0.1 * p.x; });
    const FunctionGround five([](Point p) { return 0.05 * p.x; });
    Roads roads;
    const auto east = roads.add({{0, 0}, {100, 0}});
    const auto north = roads.add({{0, 0}, {0, 100}});
    const auto east_bent =
        roads.add({{0, 10}, {40, 10}, {40, 50}, {100, 50}});  // 140 m, 100 m of it east

    SECTION("10%") {
        const Built b = build(roads, &ten);
        // Ten pieces of 10 m, each S = +0.1 forward: 100 e^0.35 = 141.9068 s; back S = -0.1: 100 s.
        CHECK(b.forward(east) == Approx(100 * std::exp(0.35)).epsilon(1e-6));
        CHECK(b.forward(east) == Approx(141.9068).epsilon(1e-6));
        CHECK(b.backward(east) == Approx(100.0).epsilon(1e-6));
        CHECK(b.forward(north) == Approx(100.0).epsilon(1e-6));
        CHECK(b.backward(north) == Approx(100.0).epsilon(1e-6));
        // 14 equal pieces of 10 m: the 4 across the slope are flat, the 10 along it climb 10%
        // forward; the pieces straddling the corners mix both, so the sum is written piecewise.
        // Piece ends at 0, 10, ..., 140 m along: x = min(s, 40) then 40, then 40 + (s - 80).
        auto x_at = [](double s) { return s <= 40 ? s : s <= 80 ? 40.0 : 40.0 + (s - 80.0); };
        double fwd = 0, bwd = 0;
        for (int k = 0; k < 14; ++k) {
            const double rise = 0.1 * (x_at(10.0 * (k + 1)) - x_at(10.0 * k));
            fwd += piece(10.0, rise / 10.0);
            bwd += piece(10.0, -rise / 10.0);
        }
        CHECK(fwd == Approx(40 * std::exp(0.35) + 40 + 60 * std::exp(0.35)));
        CHECK(b.forward(east_bent) == Approx(fwd).epsilon(1e-6));
        CHECK(b.backward(east_bent) == Approx(bwd).epsilon(1e-6));
        CHECK(b.graph.elevation.applied);
        CHECK(b.graph.elevation.edges == 3);
        CHECK(b.graph.elevation.pieces == 10 + 10 + 14);
        CHECK(b.graph.elevation.fallback_pieces == 0);
    }
    SECTION("5%: downhill at the optimum is 19% faster than the flat") {
        const Built b = build(roads, &five);
        CHECK(b.forward(east) == Approx(100 * std::exp(0.175)).epsilon(1e-6));    // 119.12 s up
        CHECK(b.backward(east) == Approx(100 * std::exp(-0.175)).epsilon(1e-6));  // 83.94 s down
        CHECK(b.backward(east) == Approx(83.9457).epsilon(1e-5));
    }
    SECTION("a slower walker keeps the same ratios") {
        const Built b = build(roads, &ten, {default_profile(Mode::walk, 1.8)});  // 0.5 m/s
        CHECK(b.forward(east) == Approx(200 * std::exp(0.35)).epsilon(1e-6));
        CHECK(b.backward(east) == Approx(200.0).epsilon(1e-6));
    }
    SECTION("without a sampler, or with slope = none, walking is flat") {
        const Built flat = build(roads, nullptr);
        CHECK(flat.forward(east) == Approx(100.0));
        CHECK_FALSE(flat.graph.elevation.applied);
        ProfileSettings none = walk_1mps();
        none.slope = SlopeModel::none;
        const Built b = build(roads, &ten, {none});
        CHECK(b.forward(east) == Approx(100.0));
        CHECK(b.backward(east) == Approx(100.0));
        CHECK_FALSE(b.graph.elevation.applied);
        CHECK(b.graph.elevation.pieces == 0);
    }
    SECTION("length, bike and drive profiles ignore slope") {
        ProfileSettings bike = default_profile(Mode::bike, 3.6);
        ProfileSettings drive = test::drive_plain();
        Roads streets;
        const auto street =
            streets.add({{0, 0}, {100, 0}}, road(RoadClass::residential, Oneway::no, 36));
        const Built b =
            build(streets, &ten, {walk_1mps(), length_profile(walk_1mps()), bike, drive});
        CHECK(b.forward(street, 0) == Approx(100 * std::exp(0.35)).epsilon(1e-6));
        CHECK(b.forward(street, 1) == Approx(100.0));
        CHECK(b.backward(street, 1) == Approx(100.0));
        CHECK(b.forward(street, 2) == Approx(100.0 / (15.0 / 3.6)).epsilon(1e-6));
        CHECK(b.backward(street, 2) == Approx(b.forward(street, 2)));
        CHECK(b.forward(street, 3) == Approx(10.0).epsilon(1e-6));
        CHECK(b.backward(street, 3) == Approx(10.0).epsilon(1e-6));
    }
    SECTION("steps keep their own speed") {
        Roads stairs;
        const auto s = stairs.add({{0, 0}, {100, 0}}, road(RoadClass::steps));
        const Built b = build(stairs, &ten);
        CHECK(b.forward(s) == Approx(200.0));  // half the walking speed, both ways
        CHECK(b.backward(s) == Approx(200.0));
        CHECK(b.graph.elevation.edges == 0);
    }
}

TEST_CASE("slope: a search walks downhill faster than uphill", "[slope]") {
    const FunctionGround ten([](Point p) { return 0.1 * p.x; });
    Roads roads;
    const auto e = roads.add({{0, 0}, {100, 0}});
    const Built b = build(roads, &ten);
    SearchWorkspace ws(b.graph.node_count());
    const ProfileId walk = b.graph.profile_id(Mode::walk);
    const Seed at_a{{e, 0.0}, 0.0, 0};
    search(b.graph, walk, std::span<const Seed>(&at_a, 1), unreachable, ws);
    CHECK(time_to(b.graph, ws, {e, 100.0}) == Approx(100 * std::exp(0.35)).epsilon(1e-6));
    // Halfway up the uniform climb: half the uphill time.
    CHECK(time_to(b.graph, ws, {e, 50.0}) == Approx(50 * std::exp(0.35)).epsilon(1e-6));
    const Seed at_b{{e, 100.0}, 0.0, 0};
    search(b.graph, walk, std::span<const Seed>(&at_b, 1), unreachable, ws);
    CHECK(time_to(b.graph, ws, {e, 0.0}) == Approx(100.0).epsilon(1e-6));
    // A backward search (times *to* B) uses the uphill arc from A.
    search(b.graph, walk.reversed(), std::span<const Seed>(&at_b, 1), unreachable, ws);
    CHECK(time_to(b.graph, ws, {e, 0.0}) == Approx(100 * std::exp(0.35)).epsilon(1e-6));
}

// A cone with its top at the origin, 50 m high, falling 20% outward: z = 50 - 0.2 r.
TEST_CASE("slope: a cone, radial and across", "[slope]") {
    const FunctionGround cone([](Point p) { return 50.0 - 0.2 * std::hypot(p.x, p.y); });
    Roads roads;
    const auto radial = roads.add({{10, 0}, {60, 0}});    // outward: downhill 20%, 50 m
    const auto chord = roads.add({{30, -20}, {30, 20}});  // across: up to r = 30, then down
    const Built b = build(roads, &cone);
    // Outward S = -0.2: 50 e^(3.5 * 0.1); inward S = +0.2: 50 e^(3.5 * 0.2).
    CHECK(b.forward(radial) == Approx(50 * std::exp(0.35)).epsilon(1e-6));
    CHECK(b.backward(radial) == Approx(50 * std::exp(0.70)).epsilon(1e-6));
    CHECK(b.backward(radial) == Approx(100.6876).epsilon(1e-6));
    // The 40 m chord: four pieces, samples at y = -20, -10, 0, 10, 20, i.e. r = sqrt(900 + y^2).
    const double r[] = {std::sqrt(1300.0), std::sqrt(1000.0), 30.0, std::sqrt(1000.0),
                        std::sqrt(1300.0)};
    double expected = 0;
    for (int k = 0; k < 4; ++k) expected += piece(10.0, (-0.2 * r[k + 1] + 0.2 * r[k]) / 10.0);
    // Slopes +0.0887, +0.0325, -0.0325, -0.0887: |S + 0.05| - 0.05 = 0.0887, 0.0325, -0.0325,
    // -0.0113.
    CHECK(expected ==
          Approx(10 * (std::exp(3.5 * 0.0887) + std::exp(3.5 * 0.0325) +
                       std::exp(3.5 * (0.0175 - 0.05)) + std::exp(3.5 * (0.0387 - 0.05))))
              .epsilon(2e-3));
    CHECK(b.forward(chord) == Approx(expected).epsilon(1e-6));
    CHECK(b.backward(chord) == Approx(expected).epsilon(1e-6));  // symmetric
}

// The pieces: an edge of L metres is cut into ceil(L / 10) equal pieces. The ground is flat to
// x = 10, then climbs 20%: z = max(0, 0.2 (x - 10)).
TEST_CASE("slope: pieces of at most 10 m, and where they end", "[slope]") {
    const FunctionGround kink([](Point p) { return std::max(0.0, 0.2 * (p.x - 10.0)); });
    Roads roads;
    const auto ten = roads.add({{0, 0}, {10, 0}});           // one piece, flat
    const auto twenty = roads.add({{0, 1}, {20, 1}});        // two: flat, then 20%
    const auto over = roads.add({{0, 2}, {20.5, 2}});        // three of 6.8333 m
    const auto short_climb = roads.add({{10, 3}, {15, 3}});  // one piece of 5 m at 20%
    const Built b = build(roads, &kink);
    CHECK(b.forward(ten) == Approx(10.0).epsilon(1e-6));
    CHECK(b.forward(twenty) == Approx(10.0 + piece(10.0, 0.2)).epsilon(1e-6));
    CHECK(b.forward(twenty) == Approx(10 + 10 * std::exp(0.7)).epsilon(1e-6));
    // Ends at 0, 6.8333, 13.6667, 20.5 m: z = 0, 0, 0.7333, 2.1.
    const double l = 20.5 / 3;
    CHECK(b.forward(over) ==
          Approx(l + piece(l, 0.73333333 / l) + piece(l, (2.1 - 0.73333333) / l)).epsilon(1e-6));
    CHECK(b.backward(over) ==
          Approx(l + piece(l, -0.73333333 / l) + piece(l, -(2.1 - 0.73333333) / l)).epsilon(1e-6));
    CHECK(b.forward(short_climb) == Approx(5 * std::exp(0.7)).epsilon(1e-6));
    CHECK(b.graph.elevation.pieces == 1 + 2 + 3 + 1);
}

// A V-shaped valley 25 m deep, z = 0.5 |x - 50|, crossed by a bridge from bank to bank.
TEST_CASE("slope: a bridge over a valley keeps the straight line", "[slope]") {
    const FunctionGround valley([](Point p) { return 0.5 * std::abs(p.x - 50.0); });
    EdgeAttributes bridge = road(RoadClass::footway);
    bridge.bridge_or_tunnel = true;
    Roads roads;
    const auto level = roads.add({{0, 0}, {100, 0}}, bridge);  // both banks at 25 m
    const auto on_ground = roads.add({{0, 10}, {100, 10}});    // the same line down and up
    const auto rising = roads.add({{10, 20}, {50, 20}, {90, 20}}, bridge);  // banks at 20 and 20
    const auto ramp = roads.add({{40, 30}, {100, 30}}, bridge);             // 5 m to 25 m over 60 m
    const Built b = build(roads, &valley);
    CHECK(b.forward(level) == Approx(100.0).epsilon(1e-6));
    CHECK(b.backward(level) == Approx(100.0).epsilon(1e-6));
    // On the ground: 50 m down at 50%, 50 m up at 50%, either way.
    CHECK(b.forward(on_ground) ==
          Approx(50 * std::exp(3.5 * 0.4) + 50 * std::exp(3.5 * 0.5)).epsilon(1e-6));
    CHECK(b.backward(on_ground) == Approx(b.forward(on_ground)).epsilon(1e-6));
    CHECK(b.forward(rising) == Approx(80.0).epsilon(1e-6));
    // One straight piece of 60 m rising 20 m: S = 1/3.
    CHECK(b.forward(ramp) == Approx(piece(60.0, 20.0 / 60.0)).epsilon(1e-6));
    CHECK(b.backward(ramp) == Approx(piece(60.0, -20.0 / 60.0)).epsilon(1e-6));
    CHECK(b.graph.elevation.bridge_tunnel_edges == 3);
    CHECK(b.graph.elevation.pieces == 3 + 10);
}

// The 10% plane with holes (NaN) where a DEM has nodata.
TEST_CASE("slope: unknown ground falls back along the edge and is counted", "[slope]") {
    Roads roads;
    const auto middle = roads.add({{0, 0}, {100, 0}});     // samples at x = 40 and 50 unknown
    const auto start = roads.add({{0, 100}, {100, 100}});  // the first sample unknown
    const auto whole = roads.add({{0, 200}, {100, 200}});  // everything unknown
    const auto bridge_end = [&] {
        EdgeAttributes a = road(RoadClass::footway);
        a.bridge_or_tunnel = true;
        return roads.add({{0, 300}, {100, 300}}, a);  // its first end unknown
    }();
    const FunctionGround holes([](Point p) {
        if (p.y == 0 && p.x > 35 && p.x < 55) return no_data;
        if (p.y == 100 && p.x < 5) return no_data;
        if (p.y == 200) return no_data;
        if (p.y == 300 && p.x < 5) return no_data;
        return 0.1 * p.x;
    });
    const Built b = build(roads, &holes);
    // The hole is bridged by the straight line from x = 30 to x = 60: the plane itself.
    CHECK(b.forward(middle) == Approx(100 * std::exp(0.35)).epsilon(1e-6));
    // The first sample takes the second's elevation: one flat piece, nine climbing.
    CHECK(b.forward(start) == Approx(10 + 90 * std::exp(0.35)).epsilon(1e-6));
    CHECK(b.backward(start) == Approx(100.0).epsilon(1e-6));
    CHECK(b.forward(whole) == Approx(100.0).epsilon(1e-6));
    CHECK(b.backward(whole) == Approx(100.0).epsilon(1e-6));
    CHECK(b.forward(bridge_end) == Approx(100.0).epsilon(1e-6));  // one end known: level
    const ElevationSummary& s = b.graph.elevation;
    CHECK(s.edges == 4);
    CHECK(s.pieces == 10 + 10 + 10 + 1);
    CHECK(s.fallback_pieces == 3 + 1 + 10 + 1);  // [30,40] [40,50] [50,60]; [0,10]; all; the bridge
    CHECK(s.flat_edges == 1);
}

TEST_CASE("slope: the same graph on one thread and on many", "[slope]") {
    const FunctionGround cone(
        [](Point p) { return 80.0 - 0.15 * std::hypot(p.x - 300, p.y - 200); });
    Roads roads;
    std::uint32_t state = 12345;
    auto next = [&] {
        state = state * 1664525u + 1013904223u;
        return static_cast<double>(state >> 8) / static_cast<double>(1u << 24);
    };
    for (int i = 0; i < 2000; ++i) {
        const Point a{600 * next(), 400 * next()};
        roads.add({a,
                   {a.x + 80 * next() - 40, a.y + 80 * next() - 40},
                   {a.x + 80 * next() - 40, a.y + 80 * next() - 40}});
    }
    const Built many = build(roads, &cone);
    Built one = [&] {
        const tbb::global_control single(tbb::global_control::max_allowed_parallelism, 1);
        return build(roads, &cone);
    }();
    CHECK(many.graph.profiles[0].arc_seconds == one.graph.profiles[0].arc_seconds);
    CHECK(many.graph.elevation.pieces == one.graph.elevation.pieces);
    std::size_t directed = 0;
    for (EdgeId e = 0; e < many.graph.edge_count(); ++e)
        if (many.forward(e) != many.backward(e)) ++directed;
    CHECK(directed > many.graph.edge_count() * 9 / 10);
}
