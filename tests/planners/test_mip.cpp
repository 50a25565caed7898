#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "planners/mip.hpp"

using namespace lifecircle::planners;
using Catch::Detail::Approx;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

bool close(double a, double b) { return std::abs(a - b) <= 1e-6 * std::max(1.0, std::abs(b)); }

/**
 * What every result must satisfy whatever the status: a returned solution is feasible and its
 * objective is the one reported; the bound is on the right side of it, and equals it when
 * optimality was proven.
 */
void check_consistent(const Mip& mip, const MipResult& r) {
    INFO("status " << to_string(r.status) << ", objective " << r.objective << ", bound " << r.bound << ", message "
                   << r.message);
    const bool minimise = mip.sense() == Sense::minimise;
    REQUIRE_FALSE(std::isnan(r.bound));
    if (r.status == MipStatus::optimal || r.status == MipStatus::feasible) {
        REQUIRE(r.values.size() == mip.columns());
        std::string why;
        CHECK(mip.is_feasible(r.values, 1e-6, &why));
        INFO(why);
        CHECK(r.objective == Approx(mip.objective_of(r.values)).margin(1e-9));
        if (minimise)
            CHECK(r.bound <= r.objective + 1e-9 * std::max(1.0, std::abs(r.objective)));
        else
            CHECK(r.bound >= r.objective - 1e-9 * std::max(1.0, std::abs(r.objective)));
    } else {
        CHECK(r.values.empty());
        CHECK(std::isnan(r.objective));
    }
    if (r.proven_optimal) {
        CHECK(r.status == MipStatus::optimal);
        CHECK(close(r.bound, r.objective));
    }
    if (r.status == MipStatus::infeasible) CHECK(r.bound == (minimise ? inf : -inf));
}

/** An exact solve must be optimal and match the brute-force optimum; the bound must too. */
void check_optimal(const Mip& mip, const MipResult& r, double brute) {
    check_consistent(mip, r);
    INFO("brute force " << brute << ", message " << r.message);
    REQUIRE(r.status == MipStatus::optimal);
    CHECK(r.proven_optimal);
    CHECK(close(r.objective, brute));
    CHECK(close(r.bound, brute));
}

struct Knapsack {
    std::vector<double> value, weight;
    double capacity = 0;
};

Knapsack random_knapsack(std::mt19937& rng, int n, bool correlated) {
    Knapsack k;
    std::uniform_int_distribution<int> w(1, correlated ? 100 : 30);
    std::uniform_int_distribution<int> v(1, 40);
    double total = 0;
    for (int i = 0; i < n; ++i) {
        k.weight.push_back(w(rng));
        k.value.push_back(correlated ? k.weight.back() + 10 : v(rng));
        total += k.weight.back();
    }
    k.capacity = std::floor(total / 2);
    return k;
}

Mip knapsack_mip(const Knapsack& k) {
    Mip mip(Sense::maximise);
    std::vector<std::uint32_t> cols;
    for (double v : k.value) cols.push_back(mip.add_column(v, 0, 1, true));
    mip.add_row(cols, k.weight, RowType::less_equal, k.capacity);
    return mip;
}

/** Every subset. */
double knapsack_brute(const Knapsack& k) {
    const std::size_t n = k.value.size();
    double best = 0;
    for (std::uint32_t s = 0; s < (1u << n); ++s) {
        double v = 0, w = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (s >> i & 1u) v += k.value[i], w += k.weight[i];
        if (w <= k.capacity) best = std::max(best, v);
    }
    return best;
}

/** Dynamic programme over integer capacities (for instances too big to enumerate). */
double knapsack_dp(const Knapsack& k) {
    const auto cap = static_cast<std::size_t>(k.capacity);
    std::vector<double> best(cap + 1, 0);
    for (std::size_t i = 0; i < k.value.size(); ++i) {
        const auto w = static_cast<std::size_t>(k.weight[i]);
        for (std::size_t c = cap; c >= w && c != static_cast<std::size_t>(-1); --c)
            best[c] = std::max(best[c], best[c - w] + k.value[i]);
    }
    return best[cap];
}

/** Sets over elements: covers[j] lists the elements set j covers. */
struct Cover {
    std::size_t elements = 0;
    std::vector<std::vector<std::uint32_t>> covers;
    std::vector<double> cost, weight;
};

Cover random_cover(std::mt19937& rng, std::size_t elements, std::size_t sets) {
    Cover c;
    c.elements = elements;
    std::uniform_int_distribution<int> coin(0, 3), cost(1, 20), weight(1, 50);
    c.covers.resize(sets);
    for (auto& s : c.covers)
        for (std::uint32_t e = 0; e < elements; ++e)
            if (coin(rng) == 0) s.push_back(e);
    for (std::size_t j = 0; j < sets; ++j) c.cost.push_back(cost(rng));
    for (std::size_t e = 0; e < elements; ++e) c.weight.push_back(weight(rng));
    return c;
}

/** Which sets cover each element. */
std::vector<std::vector<std::uint32_t>> covering(const Cover& c) {
    std::vector<std::vector<std::uint32_t>> by(c.elements);
    for (std::uint32_t j = 0; j < c.covers.size(); ++j)
        for (std::uint32_t e : c.covers[j]) by[e].push_back(j);
    return by;
}

/** Set cover: min sum cost y, every element covered; y binary. Columns y then nothing else. */
Mip set_cover_mip(const Cover& c) {
    Mip mip(Sense::minimise);
    for (double cost : c.cost) mip.add_column(cost, 0, 1, true);
    for (const auto& sets : covering(c)) {
        const std::vector<double> ones(sets.size(), 1.0);
        mip.add_row(sets, ones, RowType::greater_equal, 1);
    }
    return mip;
}

/** inf when some element is in no set. */
double set_cover_brute(const Cover& c) {
    double best = inf;
    const std::size_t k = c.covers.size();
    for (std::uint32_t s = 0; s < (1u << k); ++s) {
        std::vector<char> covered(c.elements, 0);
        double cost = 0;
        for (std::size_t j = 0; j < k; ++j)
            if (s >> j & 1u) {
                cost += c.cost[j];
                for (std::uint32_t e : c.covers[j]) covered[e] = 1;
            }
        if (std::all_of(covered.begin(), covered.end(), [](char x) { return x != 0; })) best = std::min(best, cost);
    }
    return best;
}

/** Max coverage: max sum weight z, z_e <= sum_{j covers e} y_j, sum y <= p; y binary, z in [0, 1]. */
Mip max_coverage_mip(const Cover& c, double p) {
    Mip mip(Sense::maximise);
    const auto k = static_cast<std::uint32_t>(c.covers.size());
    for (std::uint32_t j = 0; j < k; ++j) mip.add_column(0, 0, 1, true);
    const auto by = covering(c);
    for (std::size_t e = 0; e < c.elements; ++e) {
        const std::uint32_t z = mip.add_column(c.weight[e], 0, 1, false);
        std::vector<std::uint32_t> cols{z};
        std::vector<double> coefs{1.0};
        for (std::uint32_t j : by[e]) cols.push_back(j), coefs.push_back(-1.0);
        mip.add_row(cols, coefs, RowType::less_equal, 0);
    }
    std::vector<std::uint32_t> ys(k);
    for (std::uint32_t j = 0; j < k; ++j) ys[j] = j;
    mip.add_row(ys, std::vector<double>(k, 1.0), RowType::less_equal, p);
    return mip;
}

double max_coverage_brute(const Cover& c, std::size_t p) {
    double best = 0;
    const std::size_t k = c.covers.size();
    for (std::uint32_t s = 0; s < (1u << k); ++s) {
        if (static_cast<std::size_t>(__builtin_popcount(s)) > p) continue;
        std::vector<char> covered(c.elements, 0);
        for (std::size_t j = 0; j < k; ++j)
            if (s >> j & 1u)
                for (std::uint32_t e : c.covers[j]) covered[e] = 1;
        double w = 0;
        for (std::size_t e = 0; e < c.elements; ++e)
            if (covered[e]) w += c.weight[e];
        best = std::max(best, w);
    }
    return best;
}

/** p-median: d[i][j] weighted distance from client i to site j. */
struct PMedian {
    std::vector<std::vector<double>> d;
    std::size_t sites = 0, p = 0;
};

PMedian random_pmedian(std::mt19937& rng, std::size_t clients, std::size_t sites, std::size_t p) {
    PMedian pm;
    pm.sites = sites;
    pm.p = p;
    std::uniform_int_distribution<int> coord(0, 100), weight(1, 5);
    std::vector<std::pair<int, int>> site_at(sites);
    for (auto& s : site_at) s = {coord(rng), coord(rng)};
    for (std::size_t i = 0; i < clients; ++i) {
        const int x = coord(rng), y = coord(rng), w = weight(rng);
        std::vector<double> row;
        for (const auto& s : site_at) row.push_back(w * (std::abs(x - s.first) + std::abs(y - s.second)));
        pm.d.push_back(std::move(row));
    }
    return pm;
}

/** Columns: y_j (j < sites), then x_ij at sites + i * sites + j. */
Mip pmedian_mip(const PMedian& pm) {
    Mip mip(Sense::minimise);
    const auto m = static_cast<std::uint32_t>(pm.sites);
    for (std::uint32_t j = 0; j < m; ++j) mip.add_column(0, 0, 1, true);
    for (const auto& row : pm.d)
        for (std::uint32_t j = 0; j < m; ++j) mip.add_column(row[j], 0, 1, false);
    for (std::uint32_t i = 0; i < pm.d.size(); ++i) {
        std::vector<std::uint32_t> xs;
        for (std::uint32_t j = 0; j < m; ++j) {
            const std::uint32_t x = m + i * m + j;
            xs.push_back(x);
            const std::uint32_t cols[] = {x, j};
            const double coefs[] = {1.0, -1.0};
            mip.add_row(cols, coefs, RowType::less_equal, 0);
        }
        mip.add_row(xs, std::vector<double>(m, 1.0), RowType::equal, 1);
    }
    std::vector<std::uint32_t> ys(m);
    for (std::uint32_t j = 0; j < m; ++j) ys[j] = j;
    mip.add_row(ys, std::vector<double>(m, 1.0), RowType::equal, static_cast<double>(pm.p));
    return mip;
}

double pmedian_cost(const PMedian& pm, std::uint32_t open) {
    double cost = 0;
    for (const auto& row : pm.d) {
        double best = inf;
        for (std::size_t j = 0; j < pm.sites; ++j)
            if (open >> j & 1u) best = std::min(best, row[j]);
        cost += best;
    }
    return cost;
}

double pmedian_brute(const PMedian& pm) {
    double best = inf;
    for (std::uint32_t s = 0; s < (1u << pm.sites); ++s)
        if (static_cast<std::size_t>(__builtin_popcount(s)) == pm.p) best = std::min(best, pmedian_cost(pm, s));
    return best;
}

/** A feasible p-median solution opening the given sites (each client to its nearest open one). */
std::vector<double> pmedian_solution(const PMedian& pm, std::uint32_t open) {
    const std::size_t m = pm.sites;
    std::vector<double> v(m + pm.d.size() * m, 0.0);
    for (std::size_t j = 0; j < m; ++j) v[j] = open >> j & 1u ? 1.0 : 0.0;
    for (std::size_t i = 0; i < pm.d.size(); ++i) {
        std::size_t at = m;
        for (std::size_t j = 0; j < m; ++j)
            if (open >> j & 1u && (at == m || pm.d[i][j] < pm.d[i][at])) at = j;
        v[m + i * m + at] = 1.0;
    }
    return v;
}

MipOptions exact() {
    MipOptions o;
    o.time_limit_seconds = 60;
    return o;
}

}  // namespace

TEST_CASE("mip: random 0/1 knapsacks match enumeration of every subset", "[mip]") {
    std::mt19937 rng(20261203);
    for (int round = 0; round < 30; ++round) {
        const int n = 1 + round % 14;
        const Knapsack k = random_knapsack(rng, n, round % 2 == 1);
        INFO("round " << round << ", " << n << " items");
        const Mip mip = knapsack_mip(k);
        CHECK(mip.columns() == static_cast<std::size_t>(n));
        CHECK(mip.rows() == 1);
        check_optimal(mip, mip.solve(exact()), knapsack_brute(k));
    }
}

TEST_CASE("mip: random set covers match enumeration over the sets (infeasible when an element is in no set)",
          "[mip]") {
    std::mt19937 rng(7);
    int infeasible = 0;
    for (int round = 0; round < 25; ++round) {
        const Cover c = random_cover(rng, 3 + round % 6, 3 + round % 8);
        INFO("round " << round);
        const Mip mip = set_cover_mip(c);
        const double brute = set_cover_brute(c);
        const MipResult r = mip.solve(exact());
        if (std::isinf(brute)) {
            ++infeasible;
            check_consistent(mip, r);
            CHECK(r.status == MipStatus::infeasible);
        } else {
            check_optimal(mip, r, brute);
        }
    }
    CHECK(infeasible > 0);  // the generator does produce both kinds
    CHECK(infeasible < 25);
}

TEST_CASE("mip: random max-coverage (binary y, continuous z in [0, 1]) matches enumeration over y", "[mip]") {
    std::mt19937 rng(11);
    for (int round = 0; round < 25; ++round) {
        const Cover c = random_cover(rng, 4 + round % 7, 3 + round % 8);
        const std::size_t p = 1 + round % 3;
        INFO("round " << round << ", p " << p);
        const Mip mip = max_coverage_mip(c, static_cast<double>(p));
        const MipResult r = mip.solve(exact());
        check_optimal(mip, r, max_coverage_brute(c, p));
        for (std::size_t j = 0; j < c.covers.size(); ++j) CHECK((r.values[j] == 0.0 || r.values[j] == 1.0));
    }
}

TEST_CASE("mip: small p-medians match enumeration of every p-subset of sites", "[mip]") {
    std::mt19937 rng(5);
    for (int round = 0; round < 12; ++round) {
        const std::size_t sites = 3 + round % 6, p = 1 + round % 3;
        const PMedian pm = random_pmedian(rng, 6 + round % 7, sites, std::min(p, sites));
        INFO("round " << round);
        const Mip mip = pmedian_mip(pm);
        const MipResult r = mip.solve(exact());
        check_optimal(mip, r, pmedian_brute(pm));
        std::uint32_t open = 0;
        for (std::uint32_t j = 0; j < sites; ++j)
            if (r.values[j] > 0.5) open |= 1u << j;
        CHECK(static_cast<std::size_t>(__builtin_popcount(open)) == pm.p);
        CHECK(pmedian_cost(pm, open) == Approx(r.objective));
    }
}

TEST_CASE("mip: infeasible models are reported infeasible with the trivial bound", "[mip]") {
    SECTION("LP-infeasible") {
        Mip mip(Sense::minimise);
        const std::uint32_t a = mip.add_column(1, 0, 1, true), b = mip.add_column(1, 0, 1, true);
        const std::uint32_t cols[] = {a, b};
        const double coefs[] = {1, 1};
        mip.add_row(cols, coefs, RowType::greater_equal, 3);
        const MipResult r = mip.solve(exact());
        check_consistent(mip, r);
        CHECK(r.status == MipStatus::infeasible);
        CHECK_FALSE(r.proven_optimal);
        CHECK(r.bound == inf);
    }
    SECTION("LP-feasible, integer-infeasible (2x = 1), maximise") {
        Mip mip(Sense::maximise);
        const std::uint32_t x = mip.add_column(1, 0, 5, true);
        const std::uint32_t cols[] = {x};
        const double coefs[] = {2};
        mip.add_row(cols, coefs, RowType::equal, 1);
        const MipResult r = mip.solve(exact());
        check_consistent(mip, r);
        CHECK(r.status == MipStatus::infeasible);
        CHECK(r.bound == -inf);
    }
}

TEST_CASE("mip: a start solution is used and the result is never worse than it", "[mip]") {
    std::mt19937 rng(3);
    for (int round = 0; round < 8; ++round) {
        const PMedian pm = random_pmedian(rng, 10, 7, 2 + round % 3);
        INFO("round " << round);
        Mip mip = pmedian_mip(pm);
        std::uint32_t open = (1u << pm.p) - 1;  // the first p sites: feasible, rarely optimal
        const std::vector<double> start = pmedian_solution(pm, open);
        REQUIRE(mip.is_feasible(start));
        mip.set_start(start);
        const MipResult r = mip.solve(exact());
        CHECK(r.message.find("start solution ignored") == std::string::npos);
        check_optimal(mip, r, pmedian_brute(pm));
        CHECK(r.objective <= mip.objective_of(start) + 1e-9);
        // With next to no time the answer is still no worse than the start.
        MipOptions quick;
        quick.time_limit_seconds = 0.001;
        const MipResult q = mip.solve(quick);
        check_consistent(mip, q);
        REQUIRE((q.status == MipStatus::optimal || q.status == MipStatus::feasible));
        CHECK(q.objective <= mip.objective_of(start) + 1e-9);
    }
    SECTION("an infeasible start is ignored with a message") {
        const PMedian pm = random_pmedian(rng, 8, 5, 2);
        Mip mip = pmedian_mip(pm);
        mip.set_start(pmedian_solution(pm, 0b111));  // three sites open where p = 2
        const MipResult r = mip.solve(exact());
        CHECK(r.message.find("start solution ignored") != std::string::npos);
        check_optimal(mip, r, pmedian_brute(pm));
    }
    SECTION("a start with the wrong number of values is an error") {
        Mip mip(Sense::minimise);
        mip.add_column(1, 0, 1, true);
        const std::vector<double> two{0, 1};
        CHECK_THROWS_AS(mip.set_start(two), std::invalid_argument);
    }
}

TEST_CASE("mip: a tiny time limit still gives a valid status and an honest bound", "[mip]") {
    std::mt19937 rng(60);
    const Knapsack k = random_knapsack(rng, 60, true);
    const double optimum = knapsack_dp(k);
    const Mip mip = knapsack_mip(k);
    const MipResult full = mip.solve(exact());
    check_optimal(mip, full, optimum);
    for (int rep = 0; rep < 3; ++rep) {
        MipOptions quick;
        quick.time_limit_seconds = 0.001;
        const MipResult r = mip.solve(quick);
        check_consistent(mip, r);
        CHECK(r.status != MipStatus::error);
        CHECK(r.status != MipStatus::infeasible);
        CHECK(r.bound >= optimum - 1e-9);  // maximise: the bound is never below the optimum
        if (!r.values.empty()) CHECK(r.objective <= optimum + 1e-9);
        CHECK(r.seconds < 5.0);
    }
    // A minimising p-median too big to finish in a millisecond.
    const PMedian pm = random_pmedian(rng, 40, 20, 5);
    const Mip pmip = pmedian_mip(pm);
    MipOptions quick;
    quick.time_limit_seconds = 0.001;
    const MipResult r = pmip.solve(quick);
    check_consistent(pmip, r);
    CHECK(r.status != MipStatus::error);
    CHECK(r.status != MipStatus::infeasible);
    const MipResult best = pmip.solve(exact());
    check_consistent(pmip, best);
    REQUIRE(best.status == MipStatus::optimal);
    CHECK(r.bound <= best.objective + 1e-9);  // minimise: the bound is never above the optimum
    if (!r.values.empty()) CHECK(r.objective >= best.objective - 1e-9);
}

TEST_CASE("mip: malformed input throws std::invalid_argument", "[mip]") {
    Mip mip(Sense::minimise);
    const std::uint32_t a = mip.add_column(1, 0, 1, true);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(mip.add_column(nan, 0, 1, false), std::invalid_argument);
    CHECK_THROWS_AS(mip.add_column(1, 2, 1, false), std::invalid_argument);
    CHECK_THROWS_AS(mip.add_column(1, nan, 1, false), std::invalid_argument);
    const std::uint32_t bad[] = {a + 1};
    const std::uint32_t good[] = {a};
    const double one[] = {1};
    const double two[] = {1, 2};
    const double not_a_number[] = {nan};
    CHECK_THROWS_AS(mip.add_row(bad, one, RowType::less_equal, 1), std::invalid_argument);
    CHECK_THROWS_AS(mip.add_row(good, two, RowType::less_equal, 1), std::invalid_argument);
    CHECK_THROWS_AS(mip.add_row(good, not_a_number, RowType::less_equal, 1), std::invalid_argument);
    CHECK_THROWS_AS(mip.add_row(good, one, RowType::less_equal, nan), std::invalid_argument);
    CHECK(mip.rows() == 0);
    MipOptions o;
    o.time_limit_seconds = 0;
    CHECK_THROWS_AS(mip.solve(o), std::invalid_argument);
    // Repeated columns in a row are summed: x + x <= 1 with x integer forces x = 0.
    Mip sum(Sense::maximise);
    const std::uint32_t x = sum.add_column(1, 0, 1, true);
    const std::uint32_t xx[] = {x, x};
    const double ones[] = {1, 1};
    sum.add_row(xx, ones, RowType::less_equal, 1);
    CHECK(sum.nonzeros() == 1);
    check_optimal(sum, sum.solve(exact()), 0);
}

TEST_CASE("mip: separate models solve concurrently with the same answers", "[mip]") {
    std::mt19937 rng(99);
    std::vector<PMedian> pms;
    for (int i = 0; i < 4; ++i) pms.push_back(random_pmedian(rng, 9, 6, 2));
    std::vector<MipResult> results(pms.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < pms.size(); ++i)
        threads.emplace_back([&, i] { results[i] = pmedian_mip(pms[i]).solve(exact()); });
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < pms.size(); ++i) check_optimal(pmedian_mip(pms[i]), results[i], pmedian_brute(pms[i]));
}

TEST_CASE("mip: nothing is printed on stdout unless log is set", "[mip]") {
    // Point file descriptor 1 at a temporary file around the solves (CBC writes with printf and
    // C++ streams), then read back what arrived.
    std::fflush(stdout);
    std::cout.flush();
    std::FILE* capture = std::tmpfile();
    REQUIRE(capture != nullptr);
    const int saved = ::dup(1);
    REQUIRE(saved >= 0);
    REQUIRE(::dup2(::fileno(capture), 1) >= 0);
    std::mt19937 rng(1);
    const Knapsack k = random_knapsack(rng, 30, true);
    const MipResult a = knapsack_mip(k).solve(exact());
    MipOptions quick;
    quick.time_limit_seconds = 0.001;
    const MipResult b = knapsack_mip(k).solve(quick);
    Mip infeasible(Sense::minimise);
    const std::uint32_t x = infeasible.add_column(1, 0, 1, true);
    const std::uint32_t cols[] = {x};
    const double coefs[] = {1};
    infeasible.add_row(cols, coefs, RowType::greater_equal, 2);
    const MipResult c = infeasible.solve(exact());
    std::fflush(stdout);
    std::cout.flush();
    ::dup2(saved, 1);
    ::close(saved);
    std::fseek(capture, 0, SEEK_END);
    const long printed = std::ftell(capture);
    std::string text;
    if (printed > 0) {
        std::rewind(capture);
        text.resize(static_cast<std::size_t>(std::min(printed, 2000L)));
        text.resize(std::fread(text.data(), 1, text.size(), capture));
    }
    std::fclose(capture);
    INFO("printed: " << text);
    CHECK(printed == 0);
    CHECK(a.status == MipStatus::optimal);
    CHECK(b.status != MipStatus::error);
    CHECK(c.status == MipStatus::infeasible);
}

TEST_CASE("mip: a relative gap stops early within the gap, with an honest bound", "[mip]") {
    std::mt19937 rng(61);
    const Knapsack k = random_knapsack(rng, 60, true);
    const double optimum = knapsack_dp(k);
    const Mip mip = knapsack_mip(k);
    MipOptions gap = exact();
    gap.relative_gap = 0.05;
    const MipResult r = mip.solve(gap);
    check_consistent(mip, r);
    REQUIRE(r.status == MipStatus::optimal);
    CHECK(r.objective >= (1 - 0.05) * optimum - 1e-9);
    CHECK(r.objective <= optimum + 1e-9);
    CHECK(r.bound >= optimum - 1e-9);
    if (!r.proven_optimal) CHECK(r.bound > r.objective);
}

TEST_CASE("mip: a model without columns is decided without CBC", "[mip]") {
    Mip empty(Sense::minimise);
    const MipResult r = empty.solve(exact());
    check_consistent(empty, r);
    CHECK(r.status == MipStatus::optimal);
    CHECK(r.objective == 0);
    Mip impossible(Sense::maximise);
    impossible.add_row({}, {}, RowType::greater_equal, 1);  // 0 >= 1
    const MipResult s = impossible.solve(exact());
    check_consistent(impossible, s);
    CHECK(s.status == MipStatus::infeasible);
}
