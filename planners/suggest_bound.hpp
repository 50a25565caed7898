#pragma once
// Lagrangian bounds of the location problems, shared by the suggest() solvers. Not installed API.

#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <vector>

#include "planners/suggest_detail.hpp"

namespace lifecircle::planners::detail {

/**
 * Lagrangian upper bound of max coverage (the assignment form: x_ij <= y_j, sum_j x_ij <= 1
 * relaxed with multipliers lambda_i in [0, w_i]). For given lambda, with V_j = the best a
 * facility can collect at prices lambda (all of its points with w_i > lambda_i, or, when
 * capacitated, a fractional knapsack of them within its capacity):
 *   L(lambda) = base + sum_i lambda_i + sum_{existing} V_j + max over sites allowed of sum V_j,
 * "sites allowed" being the `count` largest V_j, or a fractional knapsack of V_j by cost within
 * the budget. Every L(lambda) >= the optimum, so the smallest one seen is reported.
 */
class CoverageBound {
public:
    /** `rows`: candidates' coverable demand; `fixed_rows`: existing facilities (always open). */
    CoverageBound(std::vector<double> w, Lists<std::uint32_t> rows, Lists<std::uint32_t> fixed_rows,
                  std::vector<double> capacity, std::vector<double> fixed_capacity,
                  std::vector<double> cost, double base)
        : m_w(std::move(w)),
          m_rows(std::move(rows)),
          m_fixed(std::move(fixed_rows)),
          m_capacity(std::move(capacity)),
          m_fixed_capacity(std::move(fixed_capacity)),
          m_cost(std::move(cost)),
          m_base(base) {}

    /** Iterations without a better L before the step halves (default 20). */
    void set_patience(std::size_t iterations) { m_patience = iterations; }
    /** Asked every iteration; true stops with the best bound so far. */
    void set_stop(std::function<bool()> stop) { m_stop = std::move(stop); }

    /**
     * Runs subgradient optimisation from lambda = `start` (default w / 2) and returns the
     * smallest L found;
     * stops early when L falls below `stop_below` (nothing more to prove) or to within
     * `target` (a known feasible value) by a relative 1e-9. `site_values`, when given, gets each
     * candidate's V_j at the multipliers of the best L: forcing site j open, the bound becomes
     * L - (the count-th largest V, if > 0) + V_j for a site outside the count largest.
     */
    double run(std::size_t count, double budget, double target, double stop_below,
               std::size_t iterations, double time_limit, std::size_t* used = nullptr,
               const std::function<double(const std::vector<std::uint32_t>&)>& heuristic = {},
               std::span<const double> start = {},
               std::vector<double>* site_values = nullptr) const;

private:
    static double cap(const std::vector<double>& c, std::size_t j) {
        return c.empty() ? std::numeric_limits<double>::infinity() : c[j];
    }

    /** V_j at prices lambda; with `g`, subtracts scale x (share of each point taken). */
    double facility_value(std::span<const std::uint32_t> row, double capacity,
                          const std::vector<double>& lambda, std::vector<double>* g,
                          double scale) const;

    std::vector<double> m_w;
    Lists<std::uint32_t> m_rows;
    Lists<std::uint32_t> m_fixed;
    std::vector<double> m_capacity, m_fixed_capacity, m_cost;
    double m_base = 0.0;
    std::size_t m_patience = 20;
    std::function<bool()> m_stop;
};

/**
 * Lagrangian lower bound of the p-median (sum_j x_ij + x_i0 = 1 relaxed with free lambda_i;
 * x_i0 = served by the fallback): for given lambda,
 *   L = sum_i lambda_i + sum_i min(0, w_i f0_i - lambda_i) + sum of the `count` most negative
 *       rho_j,  rho_j = min over what facility j may take of sum_i (w_i t_ij - lambda_i) x_ij,
 * all of its points with w_i t_ij < lambda_i, or, when capacitated, a fractional knapsack of them
 * by weight within its capacity (existing facilities, when capacitated, are always open).
 * Opening fewer than `count` sites never helps, so choosing up to `count` is the same optimum.
 */
class MedianBound {
public:
    struct Row {
        std::span<const Item> items;  ///< (demand, time)
        double capacity;
    };

    MedianBound(std::vector<double> w, std::vector<double> f0, std::vector<Row> rows,
                std::vector<Row> fixed)
        : m_w(std::move(w)),
          m_f0(std::move(f0)),
          m_rows(std::move(rows)),
          m_fixed(std::move(fixed)) {}

    /** Asked every iteration; true stops with the best bound so far. */
    void set_stop(std::function<bool()> stop) { m_stop = std::move(stop); }

    /**
     * Subgradient ascent from `start`. `upper` is the best known objective (the Polyak target);
     * `heuristic`, when given, is called with the sites of the Lagrangian solution whenever the
     * bound improves (at most every 10 iterations) and returns the objective it reached from
     * them (a Lagrangian heuristic), which may lower `upper`.
     */
    double run(
        std::size_t count, const std::vector<double>& start, double upper, std::size_t iterations,
        double time_limit, std::size_t* used = nullptr,
        const std::function<double(const std::vector<std::uint32_t>&)>& heuristic = {}) const;

private:
    double facility_value(const Row& r, const std::vector<double>& lambda,
                          std::vector<double>* g) const;

    std::vector<double> m_w, m_f0;
    std::vector<Row> m_rows, m_fixed;
    std::function<bool()> m_stop;
};

}  // namespace lifecircle::planners::detail
