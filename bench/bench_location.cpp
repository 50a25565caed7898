// Site suggestion against instances with known answers (run by hand, see bench/README.md):
//   build/bench/bench_location [pmed|pmedcap|sf|all] [seconds per instance=1.2] [threads=2]
//   build/bench/bench_location exact [CBC seconds per instance=600] [threads=2]
// pmed: Beasley's OR-Library p-median pmed1-40, proven optima in pmed/optima.txt.
// pmedcap: Osman-Christofides capacitated p-median (single sourcing; optimum on the first line).
// sf: the spopt San Francisco instance (205 tracts, 16 stores), optimum by enumeration.
// Prints per instance: objective, optimum, gap to the optimum, bound, gap of the bound, seconds.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "../tests/planners/location_instances.hpp"
#include "planners/assignment.hpp"
#include "planners/mip.hpp"
#include "planners/suggest.hpp"

using namespace lifecircle;
using namespace lifecircle::planners;

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void run_pmed(double seconds, unsigned threads) {
    const std::string dir = std::string(LIFECIRCLE_SHARED_DATA) + "/location/pmed/";
    const auto optima = instances::read_pmed_optima(dir + "optima.txt");
    std::printf("\np-median, Beasley pmed1-40 (heuristic with a %.1f s improvement budget, %u threads)\n", seconds,
                threads);
    std::printf("%-7s %5s %4s %10s %10s %8s %10s %8s %8s %9s\n", "inst", "n", "p", "objective", "optimum",
                "gap%", "bound", "bgap%", "seconds", "restarts");
    double sum_gap = 0, sum_bgap = 0, total = 0;
    int at_opt = 0, proven = 0;
    for (int k = 1; k <= 40; ++k) {
        const std::string name = "pmed" + std::to_string(k);
        const instances::Instance x = instances::read_pmed(dir + name + ".txt", optima.at(name));
        const TimeTable table = instances::dense_table(x.d, x.n);
        LocationProblem p;
        p.weight = x.weight;
        p.candidates = &table;
        SuggestOptions o;
        o.objective = Objective::p_median;
        o.count = x.p;
        o.seed = 1;
        o.time_limit = seconds;
        o.restarts = 100000;
        o.bound_iterations = 3000;
        o.parallel.threads = threads;
        const double t0 = now();
        const Suggestion s = suggest(p, o);
        const double t = now() - t0;  // includes nothing but the solver (the table is built above)
        total += t;
        const double gap = (s.objective_value - x.optimum) / x.optimum * 100;
        const double bgap = (x.optimum - s.bound) / x.optimum * 100;
        sum_gap += gap;
        sum_bgap += bgap;
        if (s.objective_value <= x.optimum + 1e-9) ++at_opt;
        if (s.proven_optimal) ++proven;
        std::printf("%-7s %5zu %4zu %10.0f %10.0f %8.3f %10.0f %8.3f %8.2f %9zu%s\n", name.c_str(), x.n, x.p,
                    s.objective_value, x.optimum, gap, s.bound, bgap, t, s.restarts,
                    s.proven_optimal ? "  proven" : "");
        if (s.bound > x.optimum + 1e-6) std::printf("  ERROR: bound above the optimum\n");
    }
    std::printf("pmed1-40: mean gap %.4f%% (target <= 0.05%%), %d of 40 at the optimum (target >= 30), "
                "%d proven by the bound, total %.1f s (target <= 60 s), mean bound gap %.3f%% (target <= 1%%)\n",
                sum_gap / 40, at_opt, proven, total, sum_bgap / 40);
}

/**
 * pmedcap's objective is the sum of distances with each customer wholly at one facility. The
 * planner splits demand (as coverage's served share does), so its value for the chosen sites is
 * a relaxation; the chosen sites are then single-sourced here (largest share first, then the
 * cheapest feasible moves, then exactly as a generalised assignment MIP with CBC) to give a value
 * comparable with the published optimum.
 */
double single_source(const instances::Instance& x, const std::vector<std::uint32_t>& open,
                     const TimeTable& per_unit) {
    const std::size_t n = x.n;
    std::vector<int> at(n, -1);
    std::vector<double> load(open.size(), 0.0);
    // Start from the planner's own (split) optimal assignment: each customer at the site with
    // its largest share (an optimal transportation vertex splits at most p - 1 customers).
    {
        std::vector<std::vector<TimeEntry>> rows;
        std::vector<double> cap;
        for (const std::uint32_t j : open) {
            const auto r = per_unit.row(j);
            rows.emplace_back(r.begin(), r.end());
            cap.push_back(x.capacity[j]);
        }
        const Assignment a = assign(TimeTable(std::move(rows), n), x.weight, cap);
        for (std::size_t i = 0; i < n; ++i) {
            at[i] = a.demand[i].assigned_facility == invalid_index ? 0 : static_cast<int>(a.demand[i].assigned_facility);
            load[static_cast<std::size_t>(at[i])] += x.weight[i];
        }
    }
    // Overloaded sites give up the customer that is cheapest to move elsewhere.
    for (std::size_t k = 0; k < open.size(); ++k) {
        while (load[k] > x.capacity[open[k]] + 1e-9) {
            double best = std::numeric_limits<double>::infinity();
            std::size_t bi = n, bk = 0;
            for (std::size_t i = 0; i < n; ++i) {
                if (at[i] != static_cast<int>(k)) continue;
                for (std::size_t q = 0; q < open.size(); ++q) {
                    if (q == k || load[q] + x.weight[i] > x.capacity[open[q]]) continue;
                    const double extra = x.d[open[q]][i] - x.d[open[k]][i];
                    if (extra < best) {
                        best = extra;
                        bi = i;
                        bk = q;
                    }
                }
            }
            if (bi == n) return std::numeric_limits<double>::infinity();
            load[k] -= x.weight[bi];
            load[bk] += x.weight[bi];
            at[bi] = static_cast<int>(bk);
        }
    }
    // Shift and swap moves until none improves.
    for (bool improved = true; improved;) {
        improved = false;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k = 0; k < open.size(); ++k) {
                const auto a = static_cast<std::size_t>(at[i]);
                if (k == a || load[k] + x.weight[i] > x.capacity[open[k]]) continue;
                if (x.d[open[k]][i] < x.d[open[a]][i] - 1e-9) {
                    load[a] -= x.weight[i];
                    load[k] += x.weight[i];
                    at[i] = static_cast<int>(k);
                    improved = true;
                }
            }
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t q = i + 1; q < n; ++q) {
                const auto a = static_cast<std::size_t>(at[i]), b = static_cast<std::size_t>(at[q]);
                if (a == b) continue;
                const double delta = x.d[open[b]][i] + x.d[open[a]][q] - x.d[open[a]][i] - x.d[open[b]][q];
                if (delta >= -1e-9) continue;
                if (load[a] - x.weight[i] + x.weight[q] > x.capacity[open[a]]) continue;
                if (load[b] - x.weight[q] + x.weight[i] > x.capacity[open[b]]) continue;
                load[a] += x.weight[q] - x.weight[i];
                load[b] += x.weight[i] - x.weight[q];
                std::swap(at[i], at[q]);
                improved = true;
            }
    }
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) total += x.d[open[static_cast<std::size_t>(at[i])]][i];
    return total;
}

void run_exact(double limit, unsigned threads) {
    const std::string dir = std::string(LIFECIRCLE_SHARED_DATA) + "/location/pmed/";
    const auto optima = instances::read_pmed_optima(dir + "optima.txt");
    std::printf("\np-median --exact (CBC from the heuristic's answer, %.0f s limit each), pmed1-20\n", limit);
    std::printf("%-7s %5s %4s %10s %10s %10s %8s %10s %8s\n", "inst", "n", "p", "objective", "optimum", "bound",
                "proven", "MIP s", "total s");
    double total = 0;
    int proven = 0;
    for (int k = 1; k <= 20; ++k) {
        const std::string name = "pmed" + std::to_string(k);
        const instances::Instance x = instances::read_pmed(dir + name + ".txt", optima.at(name));
        const TimeTable table = instances::dense_table(x.d, x.n);
        LocationProblem p;
        p.weight = x.weight;
        p.candidates = &table;
        SuggestOptions o;
        o.objective = Objective::p_median;
        o.count = x.p;
        o.time_limit = 1.0;
        o.parallel.threads = threads;
        const double t0 = now();
        const Suggestion h = suggest(p, o);
        ExactOptions eo;
        eo.time_limit = limit;
        eo.threads = threads;
        const Suggestion s = h.proven_optimal ? h : suggest_exact(p, o, h, eo);
        const double t = now() - t0;
        total += t;
        if (s.proven_optimal) ++proven;
        std::printf("%-7s %5zu %4zu %10.0f %10.0f %10.0f %8s %10.2f %8.2f%s\n", name.c_str(), x.n, x.p, s.objective_value,
                    x.optimum, s.bound, s.proven_optimal ? "yes" : "no", s.seconds - h.seconds, t,
                    h.proven_optimal ? "  (the heuristic's bound already proves it)" : "");
    }
    std::printf("exact: %d of 20 proven optimal in %.1f s in all (target: all 20 within 10 minutes)\n", proven, total);
}

/** The chosen sites single-sourced exactly: the generalised assignment problem (each customer
    wholly at one open site within the capacities, least total distance) as a CBC MIP, started from
    the repair above. */
double single_source_exact(const instances::Instance& x, const std::vector<std::uint32_t>& open, double repaired) {
    Mip mip(Sense::minimise);
    const std::size_t n = x.n, k = open.size();
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t q = 0; q < k; ++q) mip.add_column(x.d[open[q]][i], 0, 1, true);
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<std::uint32_t> cols;
        for (std::size_t q = 0; q < k; ++q) cols.push_back(static_cast<std::uint32_t>(i * k + q));
        const std::vector<double> ones(k, 1.0);
        mip.add_row(cols, ones, RowType::equal, 1.0);
    }
    for (std::size_t q = 0; q < k; ++q) {
        std::vector<std::uint32_t> cols;
        std::vector<double> w;
        for (std::size_t i = 0; i < n; ++i) {
            cols.push_back(static_cast<std::uint32_t>(i * k + q));
            w.push_back(x.weight[i]);
        }
        mip.add_row(cols, w, RowType::less_equal, x.capacity[open[q]]);
    }
    MipOptions mo;
    mo.time_limit_seconds = 20;
    const MipResult r = mip.solve(mo);
    if (r.values.empty()) return repaired;
    return std::min(repaired, r.objective);
}

void run_pmedcap(double seconds, unsigned threads) {
    const std::string dir = std::string(LIFECIRCLE_SHARED_DATA) + "/location/pmedcap/";
    std::printf("\ncapacitated p-median, Osman-Christofides pmedcap1_1-20 (%.1f s budget, %u threads)\n", seconds,
                threads);
    std::printf("%-13s %4s %3s %10s %10s %10s %8s %10s %8s\n", "inst", "n", "p", "split", "single", "optimum",
                "gap%", "bound", "seconds");
    double sum_gap = 0, total = 0;
    int count = 0, at_opt = 0;
    for (int k = 1; k <= 20; ++k) {
        const std::string name = "pmedcap1_" + std::to_string(k);
        const instances::Instance x = instances::read_pmedcap(dir + name + ".txt");
        // Cost per unit of demand = distance / demand, so a customer wholly at j costs d_ij.
        std::vector<std::vector<double>> per_unit = x.d;
        for (auto& row : per_unit)
            for (std::size_t i = 0; i < x.n; ++i) row[i] = x.weight[i] > 0 ? row[i] / x.weight[i] : row[i];
        const TimeTable table = instances::dense_table(per_unit, x.n);
        LocationProblem p;
        p.weight = x.weight;
        p.candidates = &table;
        p.candidate_capacity = x.capacity;
        SuggestOptions o;
        o.objective = Objective::p_median;
        o.capacitated = true;
        o.count = x.p;
        o.time_limit = seconds;
        o.restarts = 100000;
        o.parallel.threads = threads;
        const double t0 = now();
        const Suggestion s = suggest(p, o);
        const double single = single_source_exact(x, s.selected, single_source(x, s.selected, table));
        const double t = now() - t0;
        total += t;
        const double gap = (single - x.optimum) / x.optimum * 100;
        sum_gap += gap;
        ++count;
        if (single <= x.optimum + 0.5) ++at_opt;
        std::printf("%-13s %4zu %3zu %10.1f %10.1f %10.0f %8.3f %10.1f %8.2f\n", name.c_str(), x.n, x.p,
                    s.objective_value, single, x.optimum, gap, s.bound, t);
    }
    std::printf("pmedcap: mean gap of the single-sourced answer %.3f%% (target <= 0.5%%), %d of %d at the optimum, "
                "total %.1f s\n  (split = the planner's own value, demand may be split between sites: a "
                "relaxation of the single-sourcing optimum; the bound is a bound of the split problem)\n",
                sum_gap / count, at_opt, count, total);
}

struct Sf {
    std::vector<std::string> stores, tracts;
    std::vector<double> weight;
    std::vector<std::vector<double>> d;  // store x tract, metres
};

Sf read_sf() {
    const std::string path = std::string(LIFECIRCLE_SHARED_DATA) +
                             "/location/spopt_sf/SF_network_distance_candidateStore_16_censusTract_205_new.csv";
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    Sf sf;
    std::map<std::string, std::size_t> si, ti;
    struct Row {
        std::size_t s, t;
        double d;
    };
    std::vector<Row> rows;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string d, s, t, w;
        std::getline(ss, d, ',');
        std::getline(ss, s, ',');
        std::getline(ss, t, ',');
        std::getline(ss, w, ',');
        if (!si.count(s)) {
            si[s] = sf.stores.size();
            sf.stores.push_back(s);
        }
        if (!ti.count(t)) {
            ti[t] = sf.tracts.size();
            sf.tracts.push_back(t);
            sf.weight.push_back(std::stod(w));
        }
        rows.push_back({si[s], ti[t], std::stod(d)});
    }
    sf.d.assign(sf.stores.size(), std::vector<double>(sf.tracts.size(), std::numeric_limits<double>::infinity()));
    for (const Row& r : rows) sf.d[r.s][r.t] = r.d;
    return sf;
}

void run_sf(unsigned threads) {
    const Sf sf = read_sf();
    const std::size_t C = sf.stores.size(), D = sf.tracts.size();
    const TimeTable table = instances::dense_table(sf.d, D);
    std::printf("\nspopt San Francisco: %zu stores x %zu tracts, weight POP2000, network metres; optimum by enumeration\n",
                C, D);
    std::printf("%-28s %3s %14s %14s %14s %8s\n", "problem", "p", "objective", "optimum", "bound", "seconds");
    for (const std::size_t K : {2u, 4u, 6u}) {
        for (const Objective objective : {Objective::p_median, Objective::max_coverage}) {
            const double cutoff = 5000;
            double opt = objective == Objective::p_median ? std::numeric_limits<double>::infinity() : 0;
            for (unsigned mask = 0; mask < (1u << C); ++mask) {
                if (static_cast<std::size_t>(__builtin_popcount(mask)) != K) continue;
                double v = 0;
                for (std::size_t i = 0; i < D; ++i) {
                    double best = std::numeric_limits<double>::infinity();
                    for (std::size_t j = 0; j < C; ++j)
                        if (mask & (1u << j)) best = std::min(best, sf.d[j][i]);
                    v += objective == Objective::p_median ? sf.weight[i] * best : (best <= cutoff ? sf.weight[i] : 0);
                }
                opt = objective == Objective::p_median ? std::min(opt, v) : std::max(opt, v);
            }
            LocationProblem p;
            p.weight = sf.weight;
            p.candidates = &table;
            p.cutoff = cutoff;
            SuggestOptions o;
            o.objective = objective;
            o.count = K;
            o.time_limit = 1;
            o.parallel.threads = threads;
            const double t0 = now();
            const Suggestion s = suggest(p, o);
            const double t = now() - t0;
            std::printf("%-28s %3zu %14.1f %14.1f %14.1f %8.3f%s\n",
                        objective == Objective::p_median ? "p-median (people x metres)" : "max-coverage 5 km (people)",
                        K, s.objective_value, opt, s.bound, t, std::abs(s.objective_value - opt) <= 1e-6 * std::abs(opt) ? "  = optimum" : "  DIFFERS");
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::string which = argc > 1 ? argv[1] : "all";
    const double seconds = argc > 2 ? std::stod(argv[2]) : 1.2;
    const unsigned threads = argc > 3 ? static_cast<unsigned>(std::stoul(argv[3])) : 2;
    if (which == "pmed" || which == "all") run_pmed(seconds, threads);
    if (which == "pmedcap" || which == "all") run_pmedcap(seconds, threads);
    if (which == "sf" || which == "all") run_sf(threads);
    if (which == "exact") run_exact(argc > 2 ? std::stod(argv[2]) : 600, threads);
    return 0;
}
