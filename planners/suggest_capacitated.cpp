// Capacitated objectives of suggest(): every objective evaluated by the exact assignment.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <utility>

#include "planners/assignment.hpp"
#include "planners/suggest_bound.hpp"
#include "planners/suggest_detail.hpp"

namespace lifecircle::planners::detail {

namespace {

class CapacitatedModel {
public:
    CapacitatedModel(const LocationProblem& p, const SuggestOptions& o) : m_p(p), m_o(o) {
        const std::size_t D = p.weight.size();
        m_w.assign(p.weight.begin(), p.weight.end());
        m_f0.assign(D, 0.0);
        const double penalty = unreached_charge(p);
        for (std::size_t i = 0; i < D; ++i) {
            const double fb = p.fallback.empty() ? std::numeric_limits<double>::infinity() : p.fallback[i];
            m_f0[i] = std::isfinite(fb) ? fb : penalty;
            total += m_w[i];
        }
        const double limit = p.cutoff;
        auto keep = [&](const TimeEntry& t) {
            if (m_w[t.col] <= 0.0 || t.seconds > limit) return false;
            if (median() && !(double(t.seconds) < m_f0[t.col])) return false;  // fallback is as good
            return true;
        };
        for (std::size_t j = 0; j < p.candidates->rows(); ++j) {
            std::vector<TimeEntry> row;
            for (const TimeEntry& t : p.candidates->row(j))
                if (keep(t)) row.push_back(t);
            m_cand.push_back(std::move(row));
        }
        if (p.existing)
            for (std::size_t e = 0; e < p.existing->rows(); ++e) {
                std::vector<TimeEntry> row;
                for (const TimeEntry& t : p.existing->row(e))
                    if (keep(t)) row.push_back(t);
                m_exist.push_back(std::move(row));
            }
        std::vector<std::uint8_t> reach(D, 0);
        for (const auto& r : m_cand)
            for (const TimeEntry& t : r) reach[t.col] = 1;
        for (const auto& r : m_exist)
            for (const TimeEntry& t : r) reach[t.col] = 1;
        for (std::size_t i = 0; i < D; ++i) {
            if (m_w[i] <= 0.0) continue;
            if (reach[i]) reachable += m_w[i];
            else unreachable.push_back(static_cast<std::uint32_t>(i));
        }
        integer_data = true;
        for (std::size_t i = 0; i < D && integer_data; ++i)
            if (m_w[i] > 0.0 && !integral(m_w[i] * m_f0[i])) integer_data = false;
        for (const auto& r : m_cand)
            for (const TimeEntry& t : r)
                if (!integral(m_w[t.col] * double(t.seconds))) integer_data = false;
    }

    double total = 0.0, reachable = 0.0;
    bool integer_data = true;
    std::vector<std::uint32_t> unreachable;
    mutable std::atomic<std::size_t> evaluations{0};

    bool median() const { return m_o.objective == Objective::p_median; }
    std::size_t candidates() const { return m_cand.size(); }
    const std::vector<TimeEntry>& candidate_row(std::size_t j) const { return m_cand[j]; }
    const std::vector<TimeEntry>& existing_row(std::size_t e) const { return m_exist[e]; }
    std::size_t existing() const { return m_exist.size(); }
    const std::vector<double>& weights() const { return m_w; }
    const std::vector<double>& fallbacks() const { return m_f0; }

    struct Value {
        double served = 0.0;    ///< weight with a seat
        double weighted = 0.0;  ///< weight x time incl. fallbacks (p-median)
        std::vector<double> assigned;  ///< per open site (existing first, then `open` order)
    };

    /** The optimal assignment with the existing facilities and `open` candidates. */
    Value evaluate(std::span<const std::uint32_t> open, bool per_site = false) const {
        std::vector<std::vector<TimeEntry>> rows;
        std::vector<double> capacity;
        rows.reserve(m_exist.size() + open.size());
        for (std::size_t e = 0; e < m_exist.size(); ++e) {
            rows.push_back(m_exist[e]);
            capacity.push_back(m_p.existing_capacity[e]);
        }
        for (const std::uint32_t j : open) {
            rows.push_back(m_cand[j]);
            capacity.push_back(m_p.candidate_capacity[j]);
        }
        const TimeTable table(std::move(rows), m_w.size());
        AssignmentOptions options;
        options.parallel.threads = 1;
        const Assignment a = assign(table, m_w, capacity, options);
        Value v;
        v.served = a.totals.served_weight;
        v.weighted = a.totals.weighted_seconds;
        for (std::size_t i = 0; i < m_w.size(); ++i)
            v.weighted += (m_w[i] - a.demand[i].served_weight) * m_f0[i];
        if (per_site)
            for (const FacilityAssignment& f : a.facilities) v.assigned.push_back(f.assigned_weight);
        ++evaluations;
        return v;
    }

    /** The objective as a number to maximise. */
    double score(const Value& v) const { return median() ? -v.weighted : v.served; }

private:
    const LocationProblem& m_p;
    const SuggestOptions& m_o;
    std::vector<double> m_w, m_f0;
    std::vector<std::vector<TimeEntry>> m_cand, m_exist;
};

Lists<std::uint32_t> to_lists(const std::vector<std::vector<TimeEntry>>& rows) {
    Lists<std::uint32_t> out;
    for (const auto& r : rows) {
        for (const TimeEntry& t : r) out.items.push_back(t.col);
        out.close();
    }
    return out;
}


}  // namespace

Suggestion solve_capacitated(const LocationProblem& p, const SuggestOptions& o) {
    const Clock clock;
    CapacitatedModel m(p, o);
    Suggestion s;
    s.objective = o.objective;
    s.capacitated = true;
    s.total_weight = m.total;
    s.unreachable = m.unreachable;
    s.unreachable_weight = m.total - m.reachable;
    const CapacitatedModel::Value none_open = m.evaluate({});
    s.covered_before = none_open.served;
    if (m.median()) s.weighted_time_before = none_open.weighted;
    // The highest served weight possible: every candidate open.
    std::vector<std::uint32_t> all(m.candidates());
    std::iota(all.begin(), all.end(), 0u);
    const double max_served = m.evaluate(all).served;
    s.best_share = m.total > 0 ? max_served / m.total : 1.0;
    const double eps = 1e-9 * std::max(1.0, m.total);
    const bool budgeted = o.objective == Objective::max_coverage && std::isfinite(o.budget);
    std::vector<double> cost(m.candidates(), 1.0);
    if (!p.candidate_cost.empty()) cost.assign(p.candidate_cost.begin(), p.candidate_cost.end());

    double goal = std::numeric_limits<double>::infinity();
    if (o.objective == Objective::min_facilities) {
        goal = o.target * m.total;
        if (goal > max_served + eps) {
            s.target_reached = false;
            goal = max_served;
        }
    }
    std::vector<std::uint32_t> open(o.start.begin(), o.start.end());
    double current = m.score(open.empty() ? none_open : m.evaluate(open));
    double spent = 0.0;
    for (const std::uint32_t j : open) spent += cost[j];
    auto more = [&] {
        if (o.objective == Objective::min_facilities) return current < goal - eps;  // current = served weight
        if (budgeted) return true;
        return open.size() < o.count;
    };
    // Greedy: lazy for the coverage objectives (served weight is submodular in the open set),
    // plain (every candidate re-evaluated) for the p-median, whose cost is not.
    {
        std::vector<double> key(m.candidates(), std::numeric_limits<double>::infinity());
        std::vector<std::uint8_t> is_open(m.candidates(), 0);
        for (const std::uint32_t j : open) is_open[j] = 1;
        const bool lazy = !m.median();
        while (more()) {
            std::uint32_t pick = none;
            double pick_gain = 0.0, pick_key = -std::numeric_limits<double>::infinity();
            std::vector<std::uint32_t> order;
            for (std::uint32_t j = 0; j < m.candidates(); ++j)
                if (!is_open[j] && (!budgeted || spent + cost[j] <= o.budget * (1 + 1e-12))) order.push_back(j);
            if (order.empty()) break;
            std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return key[a] > key[b]; });
            for (const std::uint32_t j : order) {
                if (lazy && key[j] <= pick_key) break;  // stale keys are upper bounds
                std::vector<std::uint32_t> trial = open;
                trial.push_back(j);
                const double g = m.score(m.evaluate(trial)) - current;
                key[j] = budgeted ? (cost[j] > 0 ? g / cost[j] : (g > 0 ? std::numeric_limits<double>::infinity() : 0.0)) : g;
                if (key[j] > pick_key) {
                    pick_key = key[j];
                    pick = j;
                    pick_gain = g;
                }
            }
            if (pick == none || (pick_gain <= eps && !m.median())) break;
            open.push_back(pick);
            is_open[pick] = 1;
            spent += cost[pick];
            current += pick_gain;
        }
    }
    s.method = m.median() ? "greedy (exact assignment per evaluation)" : "lazy greedy (exact assignment per evaluation)";

    // Swap search: best (in, out) by full evaluation; min_facilities also tries dropping a site.
    auto value_of = [&](const std::vector<std::uint32_t>& set) { return m.score(m.evaluate(set)); };
    auto search = [&](std::vector<std::uint32_t>& set, double& val) {
        std::size_t moves = 0;
        for (;;) {
            std::vector<std::uint8_t> is_open(m.candidates(), 0);
            double set_cost = 0.0;
            for (const std::uint32_t j : set) {
                is_open[j] = 1;
                set_cost += cost[j];
            }
            const std::size_t K = set.size();
            std::vector<std::uint32_t> closed;
            for (std::uint32_t j = 0; j < m.candidates(); ++j)
                if (!is_open[j]) closed.push_back(j);
            const Move best = best_move(closed.size() * std::max<std::size_t>(K, 1), o.parallel, [&](std::uint32_t q) {
                Move mv;
                if (K == 0) return mv;
                const std::uint32_t f = closed[q / K];
                const std::size_t k = q % K;
                if (budgeted && set_cost - cost[set[k]] + cost[f] > o.budget * (1 + 1e-12)) return mv;
                std::vector<std::uint32_t> trial = set;
                trial[k] = f;
                const double profit = value_of(trial) - val;
                if (profit > 1e-9 * std::max(1.0, std::abs(val))) {
                    mv.profit = profit;
                    mv.in = f;
                    mv.out = set[k];
                }
                return mv;
            });
            if (best.in == none) return moves;
            *std::find(set.begin(), set.end(), best.out) = best.in;
            val += best.profit;
            ++moves;
            if (clock.seconds() > o.time_limit) return moves;
        }
    };
    double val = current;
    std::size_t moves = 0, lagrangian_starts = 0;
    std::size_t used = 0;
    double median_lb = -std::numeric_limits<double>::infinity();
    // Lagrangian lower bound of the capacitated p-median (fractional knapsack per site), from
    // lambda_i = w_i x the cheapest pair of i (where every site's rho_j >= 0).
    auto median_bound = [&](double upper, double seconds,
                            const std::function<double(const std::vector<std::uint32_t>&)>& heuristic) {
        std::vector<std::vector<Item>> items(m.candidates()), fixed_items(m.existing());
        std::vector<MedianBound::Row> rows, fixed;
        std::vector<double> start(m.weights().size());
        for (std::size_t i = 0; i < start.size(); ++i) start[i] = m.weights()[i] * m.fallbacks()[i];
        for (std::size_t j = 0; j < m.candidates(); ++j)
            for (const TimeEntry& t : m.candidate_row(j)) {
                items[j].push_back({t.col, double(t.seconds)});
                start[t.col] = std::min(start[t.col], m.weights()[t.col] * double(t.seconds));
            }
        for (std::size_t e = 0; e < m.existing(); ++e)
            for (const TimeEntry& t : m.existing_row(e)) {
                fixed_items[e].push_back({t.col, double(t.seconds)});
                start[t.col] = std::min(start[t.col], m.weights()[t.col] * double(t.seconds));
            }
        for (std::size_t j = 0; j < m.candidates(); ++j) rows.push_back({items[j], p.candidate_capacity[j]});
        for (std::size_t e = 0; e < m.existing(); ++e) fixed.push_back({fixed_items[e], p.existing_capacity[e]});
        const MedianBound bounder(m.weights(), m.fallbacks(), rows, fixed);
        std::size_t u = 0;
        const double lb = bounder.run(o.count, start, upper, o.bound_iterations, seconds, &u, heuristic);
        used += u;
        return round_bound(lb, m.integer_data, false);
    };
    if (o.objective == Objective::min_facilities) {
        // Fewer sites: drop one, repair by swaps on served weight, keep while the goal holds.
        while (!open.empty() && clock.seconds() < o.time_limit) {
            std::vector<std::uint32_t> best_drop;
            double best_val = -std::numeric_limits<double>::infinity();
            for (std::size_t k = 0; k < open.size(); ++k) {
                std::vector<std::uint32_t> trial = open;
                trial.erase(trial.begin() + static_cast<std::ptrdiff_t>(k));
                const double v = value_of(trial);
                if (v > best_val) {
                    best_val = v;
                    best_drop = trial;
                }
            }
            if (best_val < goal - eps) moves += search(best_drop, best_val);
            if (best_val >= goal - eps) {
                open = best_drop;
                val = best_val;
            } else {
                break;
            }
        }
    } else {
        moves = search(open, val);
        std::mt19937_64 rng(o.seed);
        std::vector<std::uint32_t> best = open;
        double best_val = val;
        std::size_t restarts = 0;
        if (m.median()) {
            // The bound with a Lagrangian heuristic: the relaxation's sites, completed and
            // improved by the swap search, whenever the bound rises.
            auto from_lagrangian = [&](const std::vector<std::uint32_t>& sites) {
                std::vector<std::uint32_t> set = sites;
                std::vector<std::uint8_t> in(m.candidates(), 0);
                for (const std::uint32_t j : set) in[j] = 1;
                for (const std::uint32_t j : best)
                    if (set.size() < o.count && !in[j]) {
                        set.push_back(j);
                        in[j] = 1;
                    }
                double v = value_of(set);
                search(set, v);
                ++lagrangian_starts;
                if (v > best_val + 1e-9 * std::max(1.0, std::abs(best_val))) {
                    best_val = v;
                    best = set;
                }
                return -best_val;
            };
            median_lb = median_bound(-best_val, std::max(0.2, o.time_limit * 0.5), from_lagrangian);
        }
        const std::size_t restart_cap = std::max<std::size_t>(1, o.restarts / 100);
        while (!budgeted && restarts < restart_cap && clock.seconds() < o.time_limit * 0.8 && !open.empty() &&
               !(m.median() && -best_val - median_lb <= 1e-9 * std::max(1.0, std::abs(best_val)))) {
            std::vector<std::uint32_t> trial = perturb(best, m.candidates(), rng, 1 + restarts % 2);
            double tv = value_of(trial);
            search(trial, tv);
            ++restarts;
            if (tv > best_val + 1e-9 * std::max(1.0, std::abs(best_val))) {
                best_val = tv;
                best = trial;
            }
        }
        open = best;
        val = best_val;
        s.restarts = restarts;
    }
    if (moves) s.method += " + swap search";
    if (lagrangian_starts) s.method += " + " + std::to_string(lagrangian_starts) + " Lagrangian-heuristic starts";
    if (s.restarts) s.method += " + " + std::to_string(s.restarts) + " perturbation restarts";

    // Pick order and marginal gains.
    {
        std::vector<std::uint32_t> left = open, order;
        double cur = m.score(none_open);
        while (!left.empty()) {
            std::size_t at = 0;
            double g = -std::numeric_limits<double>::infinity();
            for (std::size_t q = 0; q < left.size(); ++q) {
                std::vector<std::uint32_t> trial = order;
                trial.push_back(left[q]);
                const double gq = value_of(trial) - cur;
                if (gq > g) {
                    g = gq;
                    at = q;
                }
            }
            order.push_back(left[at]);
            left.erase(left.begin() + static_cast<std::ptrdiff_t>(at));
            s.added_weight.push_back(g);
            cur += g;
        }
        open = order;
    }
    const CapacitatedModel::Value final_value = m.evaluate(open, true);
    s.selected = open;
    s.assigned_weight.assign(final_value.assigned.begin() + static_cast<std::ptrdiff_t>(m.existing()),
                             final_value.assigned.end());
    s.covered_after = final_value.served;
    if (m.median()) s.weighted_time_after = final_value.weighted;

    // Bounds.
    const double remaining = std::max(0.3, o.time_limit - clock.seconds());
    if (m.median()) {
        s.objective_value = final_value.weighted;
        s.bound = std::min(median_lb, s.objective_value);
    } else {
        std::vector<std::vector<TimeEntry>> crow, erow;
        for (std::size_t j = 0; j < m.candidates(); ++j) crow.push_back(m.candidate_row(j));
        for (std::size_t e = 0; e < m.existing(); ++e) erow.push_back(m.existing_row(e));
        std::vector<double> cap(p.candidate_capacity.begin(), p.candidate_capacity.end());
        std::vector<double> ecap(p.existing_capacity.begin(), p.existing_capacity.end());
        const CoverageBound bounder(m.weights(), to_lists(crow), to_lists(erow), cap, ecap, cost, 0.0);
        bool integer_weights = true;
        for (const double w : m.weights())
            if (!integral(w)) integer_weights = false;
        if (o.objective == Objective::max_coverage) {
            s.objective_value = final_value.served;
            const double ub = bounder.run(o.count, o.budget, s.objective_value, -std::numeric_limits<double>::infinity(),
                                          o.bound_iterations, remaining, &used);
            s.bound = std::max(std::min(round_bound(ub, integer_weights, true), max_served), s.objective_value);
        } else {
            s.objective_value = double(open.size());
            std::size_t lo = 0, hi = open.size();
            if (none_open.served >= goal - eps) hi = 0;
            while (lo < hi) {
                const std::size_t k = (lo + hi) / 2;
                std::size_t u = 0;
                const double ub = bounder.run(k, std::numeric_limits<double>::infinity(), goal - eps, goal - eps,
                                              o.bound_iterations,
                                              remaining / 4, &u);
                used += u;
                if (round_bound(ub, integer_weights, true) < goal - eps) lo = k + 1;
                else hi = k;
            }
            s.bound = double(lo);
        }
    }
    s.bound_iterations = used;
    s.evaluations = m.evaluations;
    s.method += "; bound: Lagrangian relaxation with a fractional knapsack per site (subgradient)";
    finish_gap(s);
    s.seconds = clock.seconds();
    return s;
}

double evaluate_capacitated(const LocationProblem& problem, const SuggestOptions& options,
                            std::span<const std::uint32_t> open) {
    CapacitatedModel m(problem, options);
    const auto v = m.evaluate(open);
    return options.objective == Objective::p_median ? v.weighted : v.served;
}

}  // namespace lifecircle::planners::detail
