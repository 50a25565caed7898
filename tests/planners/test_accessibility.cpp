#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include "core/time_table.hpp"
#include "planners/accessibility.hpp"

using namespace lifecircle;
using namespace lifecircle::planners;
using Catch::Detail::Approx;

namespace {
// T = 900 s. f0 (S = 10) reaches d0 (P = 100) at 200 s, d1 (P = 50) at 500 s, d2 (P = 200) at
// 800 s; f1 (S = 6) reaches d1 at 250 s and d2 at 400 s. Zone weights: <= 300 s 1.00,
// <= 600 s 0.68, <= 900 s 0.22.
TimeTable fixture() {
    std::vector<std::vector<TimeEntry>> rows{{{0, 200.f}, {1, 500.f}, {2, 800.f}}, {{1, 250.f}, {2, 400.f}}};
    return TimeTable(std::move(rows), 3);
}
const std::vector<double> population{100, 50, 200};
const std::vector<double> supply{10, 6};
}  // namespace

TEST_CASE("E2SFCA on a case worked by hand", "[accessibility]") {
    CatchmentOptions o;
    o.cutoff = 900;
    const E2sfcaResult r = e2sfca(fixture(), population, supply, o);
    // f0: 100·1 + 50·0.68 + 200·0.22 = 178; f1: 50·1 + 200·0.68 = 186.
    CHECK(r.weighted_demand[0] == Approx(178.0));
    CHECK(r.weighted_demand[1] == Approx(186.0));
    CHECK(r.ratio[0] == Approx(10.0 / 178));
    CHECK(r.ratio[1] == Approx(6.0 / 186));
    // A0 = R0; A1 = 0.68 R0 + R1; A2 = 0.22 R0 + 0.68 R1.
    CHECK(r.access[0] == Approx(10.0 / 178));
    CHECK(r.access[1] == Approx(0.68 * 10 / 178 + 6.0 / 186));
    CHECK(r.access[2] == Approx(0.22 * 10 / 178 + 0.68 * 6 / 186));
    // The demand it counts (364) exceeds the population (350): people counted twice.
    CHECK(r.weighted_demand[0] + r.weighted_demand[1] == Approx(364.0));
    o.decay = Decay::gaussian;
    CHECK(decay_weight(450, o) == Approx((std::exp(-0.125) - std::exp(-0.5)) / (1 - std::exp(-0.5))));
    CHECK(decay_weight(0, o) == Approx(1.0));
    CHECK(decay_weight(900, o) == Approx(0.0).margin(1e-12));
}

TEST_CASE("spatial availability hands out exactly the supply reached, BFCA counts each person once",
          "[accessibility]") {
    SpatialAvailabilityOptions so;
    so.catchment.cutoff = 900;
    const SpatialAvailabilityResult sa = spatial_availability(fixture(), population, supply, so);
    double v = 0;
    for (double x : sa.availability) v += x;
    CHECK(v == Approx(16.0));
    CHECK(sa.allocated_supply[0] + sa.allocated_supply[1] == Approx(16.0));
    CatchmentOptions o;
    o.cutoff = 900;
    const BfcaResult b = bfca(fixture(), population, supply, o);
    CHECK(b.allocated_demand[0] + b.allocated_demand[1] == Approx(350.0));  // every person once
}
