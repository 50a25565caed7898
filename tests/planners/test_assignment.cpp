#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/time_table.hpp"
#include "planners/assignment.hpp"

using namespace lifecircle;
using namespace lifecircle::planners;
using Catch::Detail::Approx;

namespace {

/** A table from dense rows: rows[j][i] < 0 means "not within the standard". */
TimeTable dense_table(const std::vector<std::vector<double>>& rows, std::size_t cols) {
    std::vector<std::vector<TimeEntry>> sparse(rows.size());
    for (std::size_t j = 0; j < rows.size(); ++j)
        for (std::uint32_t i = 0; i < cols; ++i)
            if (rows[j][i] >= 0.0) sparse[j].push_back({i, static_cast<float>(rows[j][i])});
    return TimeTable(std::move(sparse), cols);
}

/**
 * Textbook min-cost max-flow: successive shortest paths found by Bellman-Ford on the plain
 * residual graph s -> facility (capacity) -> demand (pair, cost = seconds) -> t (weight), from
 * the zero flow. Integer amounts and integer seconds, so the answer is exact.
 */
struct OracleResult {
    std::int64_t served = 0;
    std::int64_t cost = 0;
};
OracleResult oracle(const std::vector<std::vector<double>>& rows,
                    const std::vector<std::int64_t>& weights,
                    const std::vector<std::int64_t>& capacities) {
    const int F = static_cast<int>(rows.size());
    const int D = static_cast<int>(weights.size());
    const int n = F + D + 2, s = F + D, t = F + D + 1;
    struct Arc {
        int to;
        std::int64_t cap;
        std::int64_t cost;
    };
    std::vector<Arc> arcs;
    std::vector<std::vector<int>> out(n);
    auto add = [&](int u, int v, std::int64_t cap, std::int64_t cost) {
        out[u].push_back(static_cast<int>(arcs.size()));
        arcs.push_back({v, cap, cost});
        out[v].push_back(static_cast<int>(arcs.size()));
        arcs.push_back({u, 0, -cost});
    };
    const std::int64_t big = std::int64_t{1} << 40;
    for (int j = 0; j < F; ++j) add(s, j, capacities[j], 0);
    for (int j = 0; j < F; ++j)
        for (int i = 0; i < D; ++i)
            if (rows[j][i] >= 0.0) add(j, F + i, big, std::llround(rows[j][i] * 1000.0));
    for (int i = 0; i < D; ++i) add(F + i, t, weights[i], 0);
    OracleResult r;
    for (;;) {
        const std::int64_t inf = std::numeric_limits<std::int64_t>::max() / 4;
        std::vector<std::int64_t> dist(n, inf);
        std::vector<int> via(n, -1);
        dist[s] = 0;
        for (int round = 0; round < n; ++round) {
            bool changed = false;
            for (int u = 0; u < n; ++u) {
                if (dist[u] == inf) continue;
                for (const int a : out[u])
                    if (arcs[a].cap > 0 && dist[u] + arcs[a].cost < dist[arcs[a].to]) {
                        dist[arcs[a].to] = dist[u] + arcs[a].cost;
                        via[arcs[a].to] = a;
                        changed = true;
                    }
            }
            if (!changed) break;
        }
        if (dist[t] == inf) break;
        std::int64_t delta = big;
        for (int v = t; v != s; v = arcs[via[v] ^ 1].to) delta = std::min(delta, arcs[via[v]].cap);
        for (int v = t; v != s; v = arcs[via[v] ^ 1].to) {
            arcs[via[v]].cap -= delta;
            arcs[via[v] ^ 1].cap += delta;
        }
        r.served += delta;
        r.cost += delta * dist[t];
    }
    return r;
}

/** Feasibility of an assignment against its inputs. */
void check_feasible(const Assignment& a, const TimeTable& table, const std::vector<double>& weights,
                    const std::vector<double>& capacities) {
    std::vector<double> per_facility(capacities.size(), 0.0), per_demand(weights.size(), 0.0);
    for (const AssignedFlow& f : a.flows) {
        REQUIRE(f.weight > 0.0);
        REQUIRE(table.at(f.facility, f.demand) != unreachable);  // only pairs within the standard
        per_facility[f.facility] += f.weight;
        per_demand[f.demand] += f.weight;
    }
    for (std::size_t j = 0; j < capacities.size(); ++j) {
        CHECK(per_facility[j] <= capacities[j] + 1e-9);
        CHECK(a.facilities[j].assigned_weight == Approx(per_facility[j]).margin(1e-9));
        CHECK(a.facilities[j].spare_capacity ==
              Approx(capacities[j] - per_facility[j]).margin(1e-9));
    }
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const DemandAssignment& d = a.demand[i];
        CHECK(d.served_weight == Approx(per_demand[i]).margin(1e-9));
        CHECK(d.served_weight + d.covered_unserved_weight + d.uncovered_weight ==
              Approx(weights[i]).margin(1e-6));
    }
}

struct Random {
    std::vector<std::vector<double>> rows;
    std::vector<std::int64_t> weights, capacities;
};
Random random_instance(std::mt19937& rng, int F, int D, double density) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::uniform_int_distribution<int> seconds(0, 900), weight(0, 9), cap(0, 25);
    Random r;
    r.rows.assign(F, std::vector<double>(D, -1.0));
    for (int j = 0; j < F; ++j)
        for (int i = 0; i < D; ++i)
            if (u(rng) < density) r.rows[j][i] = seconds(rng);
    for (int i = 0; i < D; ++i) r.weights.push_back(weight(rng));
    for (int j = 0; j < F; ++j) r.capacities.push_back(cap(rng));
    return r;
}

}  // namespace

TEST_CASE("assignment beats greedy nearest-first on a hand-made case", "[assignment]") {
    // Facilities A, B with 1 seat each; children x, y of weight 1 (seconds):
    //        x    y
    //   A    60   120
    //   B   120   600
    // Greedy by the shortest pair: x->A (60), then y->B (600): 660 s.
    // Optimum: x->B (120), y->A (120): 240 s, both served.
    const TimeTable table = dense_table({{60, 120}, {120, 600}}, 2);
    const std::vector<double> w{1, 1}, c{1, 1};
    const Assignment a = assign(table, w, c);
    check_feasible(a, table, w, c);
    CHECK(a.totals.served_weight == Approx(2.0));
    CHECK(a.totals.weighted_seconds == Approx(240.0));
    CHECK(a.demand[0].assigned_facility == 1);
    CHECK(a.demand[1].assigned_facility == 0);
}

TEST_CASE("assignment serves the most weight before saving time", "[assignment]") {
    // A has 1 seat, B has 1 seat; x reaches A (60) and B (120), y reaches only A (300).
    // Nearest-first seats x at A and leaves y out: 1 served. Optimum: x->B, y->A, 2 served,
    // 120 + 300 = 420 s although it is slower than 60 s.
    const TimeTable table = dense_table({{60, 300}, {120, -1}}, 2);
    const std::vector<double> w{1, 1}, c{1, 1};
    const Assignment a = assign(table, w, c);
    check_feasible(a, table, w, c);
    CHECK(a.totals.served_weight == Approx(2.0));
    CHECK(a.totals.weighted_seconds == Approx(420.0));
    CHECK(a.totals.covered_unserved_weight == Approx(0.0));
}

TEST_CASE("assignment splits demand and leaves the farthest unserved", "[assignment]") {
    // One facility with 1.5 seats; x (weight 1, 60 s) and y (weight 1, 300 s): x fully, half of y.
    // Then a second facility (2 seats, 200 s from x only) takes x, so y is fully seated at A:
    // cost 200 + 300 = 500 s vs. x at A + y nowhere.
    {
        const TimeTable table = dense_table({{60, 300}}, 2);
        const std::vector<double> w{1, 1}, c{1.5};
        const Assignment a = assign(table, w, c);
        check_feasible(a, table, w, c);
        CHECK(a.demand[0].served_weight == Approx(1.0));
        CHECK(a.demand[1].served_weight == Approx(0.5));
        CHECK(a.demand[1].covered_unserved_weight == Approx(0.5));
        CHECK(a.facilities[0].load_ratio == Approx(2.0 / 1.5));
        CHECK(a.totals.weighted_seconds == Approx(60.0 + 150.0));
    }
    {
        // Demand 3 at one point, two facilities with 2 seats each: split 2 + 1, nearer gets 2.
        const TimeTable table = dense_table({{100}, {200}}, 1);
        const std::vector<double> w{3}, c{2, 2};
        const Assignment a = assign(table, w, c);
        check_feasible(a, table, w, c);
        REQUIRE(a.flows.size() == 2);
        CHECK(a.flows[0].weight == Approx(2.0));
        CHECK(a.flows[1].weight == Approx(1.0));
        CHECK(a.demand[0].assigned_facility == 0);
        CHECK(a.demand[0].mean_seconds == Approx((200.0 + 200.0) / 3.0));
    }
}

TEST_CASE("assignment: load ratio, uncovered demand and capacity 0", "[assignment]") {
    // Facility 0 has no seats but 3 people in reach -> load inf; facility 1 has no seats and no
    // one in reach -> NaN (0/0); demand 1 reaches nothing -> uncovered.
    const TimeTable table = dense_table({{10, -1}, {-1, -1}}, 2);
    const std::vector<double> w{3, 2}, c{0, 0};
    const Assignment a = assign(table, w, c);
    check_feasible(a, table, w, c);
    CHECK(std::isinf(a.facilities[0].load_ratio));
    CHECK(std::isnan(a.facilities[1].load_ratio));
    CHECK(a.demand[0].covered_unserved_weight == Approx(3.0));
    CHECK(a.demand[0].assigned_facility == invalid_index);
    CHECK(a.demand[1].uncovered_weight == Approx(2.0));
    CHECK(a.totals.covered_weight == Approx(3.0));
    CHECK(a.totals.uncovered_weight == Approx(2.0));
}

TEST_CASE("assignment matches a Bellman-Ford min-cost max-flow on random instances",
          "[assignment]") {
    std::mt19937 rng(20260512);
    for (int round = 0; round < 60; ++round) {
        const int F = 1 + round % 7, D = 2 + (round * 3) % 17;
        const Random r = random_instance(rng, F, D, round % 3 == 0 ? 0.25 : 0.6);
        const TimeTable table = dense_table(r.rows, static_cast<std::size_t>(D));
        const std::vector<double> w(r.weights.begin(), r.weights.end());
        const std::vector<double> c(r.capacities.begin(), r.capacities.end());
        AssignmentOptions options;
        options.parallel.threads = 1 + static_cast<unsigned>(round % 2);
        const Assignment a = assign(table, w, c, options);
        check_feasible(a, table, w, c);
        const OracleResult o = oracle(r.rows, r.weights, r.capacities);
        INFO("round " << round);
        CHECK(a.totals.served_weight == Approx(double(o.served)).margin(1e-6));
        CHECK(a.totals.weighted_seconds == Approx(double(o.cost) / 1000.0).margin(1e-6));
    }
}

TEST_CASE("assignment is exact both when seats are short and when they are plenty",
          "[assignment]") {
    // A component whose overload exceeds its seats is solved by pulling from the seats, the
    // others by pushing out the overload: scale capacities down (pull) and up (push) and check
    // both against the Bellman-Ford oracle.
    std::mt19937 rng(20261203);
    for (int round = 0; round < 60; ++round) {
        const int F = 2 + round % 6, D = 5 + (round * 7) % 23;
        Random r = random_instance(rng, F, D, round % 2 == 0 ? 0.3 : 0.7);
        const bool short_of_seats = round % 2 == 0;
        for (auto& c : r.capacities) c = short_of_seats ? c / 8 : c * 3;
        const TimeTable table = dense_table(r.rows, static_cast<std::size_t>(D));
        const std::vector<double> w(r.weights.begin(), r.weights.end());
        const std::vector<double> c(r.capacities.begin(), r.capacities.end());
        const Assignment a = assign(table, w, c);
        check_feasible(a, table, w, c);
        const OracleResult o = oracle(r.rows, r.weights, r.capacities);
        INFO("round " << round << (short_of_seats ? " (seats short)" : " (seats plenty)"));
        CHECK(a.totals.served_weight == Approx(double(o.served)).margin(1e-6));
        CHECK(a.totals.weighted_seconds == Approx(double(o.cost) / 1000.0).margin(1e-6));
        CHECK(a.totals.served_weight + a.totals.covered_unserved_weight ==
              Approx(a.totals.covered_weight).margin(1e-6));
    }
}

TEST_CASE("assignment with fractional weights and many components is thread-independent",
          "[assignment]") {
    // Blocks of 4 facilities x 20 demand points that do not touch: separate components.
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const int blocks = 6, F = 4 * blocks, D = 20 * blocks;
    std::vector<std::vector<double>> rows(F, std::vector<double>(D, -1.0));
    std::vector<double> w(D), c(F);
    for (int j = 0; j < F; ++j) {
        c[j] = 20.0 * u(rng);
        for (int i = 0; i < D; ++i)
            if (i / 20 == j / 4 && u(rng) < 0.7) rows[j][i] = std::floor(900.0 * u(rng));
    }
    for (int i = 0; i < D; ++i) w[i] = 3.0 * u(rng);
    const TimeTable table = dense_table(rows, static_cast<std::size_t>(D));
    AssignmentOptions one, two;
    one.parallel.threads = 1;
    two.parallel.threads = 2;
    const Assignment a = assign(table, w, c, one);
    const Assignment b = assign(table, w, c, two);
    check_feasible(a, table, w, c);
    CHECK(a.totals.components == blocks);
    REQUIRE(a.flows.size() == b.flows.size());
    for (std::size_t k = 0; k < a.flows.size(); ++k) {
        CHECK(a.flows[k].facility == b.flows[k].facility);
        CHECK(a.flows[k].demand == b.flows[k].demand);
        CHECK(a.flows[k].weight == b.flows[k].weight);
    }
    // The oracle on micro-person integers (the solver's own rounding of weights).
    std::vector<std::int64_t> wi(D), ci(F);
    for (int i = 0; i < D; ++i)
        wi[i] = static_cast<std::int64_t>(std::floor(w[i] / 1e-6 * (1.0 + 1e-12) + 1e-9));
    for (int j = 0; j < F; ++j)
        ci[j] = static_cast<std::int64_t>(std::floor(c[j] / 1e-6 * (1.0 + 1e-12) + 1e-9));
    const OracleResult o = oracle(rows, wi, ci);
    CHECK(a.totals.served_weight == Approx(double(o.served) * 1e-6).epsilon(1e-12));
    CHECK(a.totals.weighted_seconds == Approx(double(o.cost) * 1e-9).epsilon(1e-9));
}

TEST_CASE("assignment rejects bad input with a clear message", "[assignment]") {
    const TimeTable table = dense_table({{10, 20}}, 2);
    const std::vector<double> w{1, 1}, c{1};
    CHECK_THROWS_WITH(
        assign(table, std::vector<double>{1}, c),
        "assignment: 1 weights given for a table of 2 demand points; pass one weight per demand "
        "point (table column)");
    CHECK_THROWS_WITH(
        assign(table, w, std::vector<double>{1, 2}),
        "assignment: 2 capacities given for a table of 1 facilities; pass one capacity per "
        "facility (table row)");
    CHECK_THROWS_WITH(
        assign(table, std::vector<double>{1, -2}, c),
        "assignment: demand point 1 has weight -2.000000; weights must be finite and >= 0");
    CHECK_THROWS_WITH(
        assign(table, w, std::vector<double>{NAN}),
        Catch::Contains("facility 0 has capacity") && Catch::Contains("must be finite and >= 0"));
    CHECK_THROWS_WITH(assign(table, std::vector<double>{1e300, 1}, c),
                      Catch::Contains("use a coarser weight_resolution"));
    AssignmentOptions bad;
    bad.weight_resolution = 0.0;
    CHECK_THROWS_AS(assign(table, w, c, bad), UsageError);
    std::vector<std::vector<TimeEntry>> rows{{{0, -5.0f}}};
    CHECK_THROWS_WITH(assign(TimeTable(std::move(rows), 2), w, c),
                      "assignment: facility 0 to demand point 0 has time -5.000000 s; times must "
                      "be finite and >= 0");
}

namespace {

/** assign() from scratch on the open facilities only (the others' rows emptied), in units. */
struct Scratch {
    std::int64_t served = 0;
    std::int64_t cost = 0;  ///< weight units x ticks
};
Scratch from_scratch(const std::vector<std::vector<double>>& rows, const std::vector<double>& w,
                     const std::vector<double>& c, const std::vector<std::uint8_t>& open,
                     const AssignmentOptions& options) {
    std::vector<std::vector<double>> open_rows = rows;
    for (std::size_t j = 0; j < rows.size(); ++j)
        if (!open[j]) open_rows[j].assign(w.size(), -1.0);
    const Assignment a = assign(dense_table(open_rows, w.size()), w, c, options);
    Scratch s;
    s.served = a.totals.served_units;
    s.cost = static_cast<std::int64_t>(a.totals.weighted_units);
    // The exact totals agree with the reported ones.
    CHECK(double(s.served) * options.weight_resolution ==
          Approx(a.totals.served_weight).margin(1e-9));
    CHECK(double(s.cost) * options.weight_resolution * options.time_resolution ==
          Approx(a.totals.weighted_seconds).margin(1e-6));
    return s;
}

}  // namespace

TEST_CASE(
    "incremental assignment equals assign() from scratch over long random open/close sequences",
    "[assignment][incremental]") {
    std::mt19937 rng(20261207);
    for (int round = 0; round < 40; ++round) {
        // Integer people in some rounds, micro-people (the default) of fractional weights in
        // others.
        AssignmentOptions options;
        if (round % 3 != 2) options.weight_resolution = 1.0;
        const int F = 3 + round % 9, D = 10 + (round * 7) % 31;
        Random r = random_instance(rng, F, D, round % 3 == 0 ? 0.2 : 0.5);
        // Seats short in some rounds, plenty in others.
        for (auto& cap : r.capacities)
            cap = round % 4 == 0 ? cap / 6 : round % 4 == 1 ? cap * 3 : cap;
        std::vector<double> w(r.weights.begin(), r.weights.end());
        if (round % 3 == 2)
            for (double& x : w) x *= 0.37;
        const std::vector<double> c(r.capacities.begin(), r.capacities.end());
        const TimeTable table = dense_table(r.rows, static_cast<std::size_t>(D));
        const bool times = round % 2 == 0;
        IncrementalAssignment inc(table, w, c, options, times);
        std::vector<std::uint8_t> open(F, 0);
        std::uniform_int_distribution<int> pick(0, F - 1), coin(0, 3);
        for (int step = 0; step < 60; ++step) {
            const auto f = static_cast<std::uint32_t>(pick(rng));
            const bool trial = coin(rng) == 0;
            if (trial) inc.begin_trial();
            const std::int64_t served0 = inc.served_units();
            const WideUnits time0 = inc.time_units();
            if (open[f])
                inc.close(f);
            else
                inc.open(f);
            open[f] ^= 1;
            const Scratch s = from_scratch(r.rows, w, c, open, options);
            INFO("round " << round << " step " << step << (trial ? " (trial)" : ""));
            CHECK(inc.served_units() == s.served);
            if (times) CHECK(std::int64_t(inc.time_units()) == s.cost);
            // The flows it reports are feasible and add up to its totals.
            std::vector<double> per_facility(F, 0.0), per_demand(D, 0.0);
            double sum = 0.0;
            for (const AssignedFlow& fl : inc.flows()) {
                REQUIRE(open[fl.facility]);
                REQUIRE(r.rows[fl.facility][fl.demand] >= 0.0);
                per_facility[fl.facility] += fl.weight;
                per_demand[fl.demand] += fl.weight;
                sum += fl.weight;
            }
            for (int j = 0; j < F; ++j) {
                CHECK(per_facility[j] <= c[j] + 1e-9);
                CHECK(inc.assigned_weight(static_cast<std::uint32_t>(j)) ==
                      Approx(per_facility[j]).margin(1e-9));
            }
            for (int i = 0; i < D; ++i) CHECK(per_demand[i] <= w[i] + 1e-9);
            CHECK(sum ==
                  Approx(double(inc.served_units()) * options.weight_resolution).margin(1e-9));
            if (trial) {
                inc.undo_trial();
                open[f] ^= 1;
                CHECK(inc.served_units() == served0);
                CHECK(inc.time_units() == time0);
            }
        }
    }
}

TEST_CASE(
    "incremental assignment matches the Bellman-Ford oracle, and says when opening changes nothing",
    "[assignment][incremental]") {
    std::mt19937 rng(4711);
    for (int round = 0; round < 40; ++round) {
        const int F = 2 + round % 6, D = 4 + (round * 5) % 15;
        const Random r = random_instance(rng, F, D, 0.5);
        const std::vector<double> w(r.weights.begin(), r.weights.end());
        const std::vector<double> c(r.capacities.begin(), r.capacities.end());
        const TimeTable table = dense_table(r.rows, static_cast<std::size_t>(D));
        AssignmentOptions options;
        IncrementalAssignment inc(table, w, c, options);
        std::vector<std::uint32_t> order(F);
        for (int j = 0; j < F; ++j) order[j] = static_cast<std::uint32_t>(j);
        std::shuffle(order.begin(), order.end(), rng);
        std::vector<std::vector<double>> open_rows(F, std::vector<double>(D, -1.0));
        for (const std::uint32_t f : order) {
            // The quick test may only say "nothing" when that is so.
            const bool nothing = inc.opening_changes_nothing(f);
            inc.begin_trial();
            const std::int64_t served0 = inc.served_units();
            const WideUnits time0 = inc.time_units();
            inc.open(f);
            if (nothing) {
                CHECK(inc.served_units() == served0);
                CHECK(inc.time_units() == time0);
            }
            inc.keep_trial();
            open_rows[f] = r.rows[f];
            const OracleResult o = oracle(open_rows, r.weights, r.capacities);
            INFO("round " << round << " opened " << f);
            CHECK(inc.served_weight() == Approx(double(o.served)).margin(1e-6));
            CHECK(inc.weighted_seconds() == Approx(double(o.cost) / 1000.0).margin(1e-6));
        }
    }
}

TEST_CASE("incremental assignment: unserved charges and bad input", "[assignment][incremental]") {
    // Two people at point 0 (a seat for one at facility 0, 60 s), one at point 1 (nothing).
    const TimeTable table = dense_table({{60, -1}}, 2);
    const std::vector<double> w{2, 1}, c{1};
    IncrementalAssignment inc(table, w, c);
    const std::vector<double> charge{500, 700};
    inc.set_unserved_charge(charge);
    CHECK(double(inc.charge_units()) * 1e-9 == Approx(2 * 500 + 700));
    inc.open(0);
    CHECK(inc.served_weight() == Approx(1));
    CHECK(inc.weighted_seconds() == Approx(60));
    CHECK(double(inc.charge_units()) * 1e-9 == Approx(500 + 700));
    CHECK(inc.served_weight(0) == Approx(1));
    CHECK(inc.served_weight(1) == Approx(0));
    inc.close(0);
    CHECK(inc.served_units() == 0);
    CHECK_THROWS_WITH(inc.set_unserved_charge(std::vector<double>{1}),
                      "assignment: 1 unserved charges for 2 demand points");
    CHECK_THROWS_WITH(IncrementalAssignment(table, std::vector<double>{1}, c),
                      Catch::Contains("1 weights given for a table of 2 demand points"));
}
