// Uncapacitated coverage objectives of suggest(): max_coverage (MCLP) and min_facilities.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <random>
#include <string>
#include <utility>

#include "planners/suggest_bound.hpp"
#include "planners/suggest_detail.hpp"

namespace lifecircle::planners::detail {

namespace {

class CoverageModel {
public:
    explicit CoverageModel(const LocationProblem& p) {
        const std::size_t D = p.weight.size();
        const std::size_t C = p.candidates->rows();
        m_w.assign(p.weight.begin(), p.weight.end());
        m_covered0.assign(D, 0);
        if (p.existing)
            for (std::size_t e = 0; e < p.existing->rows(); ++e)
                for (const TimeEntry& t : p.existing->row(e))
                    if (t.seconds <= p.cutoff) m_covered0[t.col] = 1;
        std::vector<std::uint8_t> coverable(D, 0);
        for (std::size_t j = 0; j < C; ++j) {
            for (const TimeEntry& t : p.candidates->row(j)) {
                if (t.seconds > p.cutoff || m_covered0[t.col] || m_w[t.col] <= 0.0) continue;
                m_rows.items.push_back(t.col);
                coverable[t.col] = 1;
            }
            m_rows.close();
        }
        for (std::size_t i = 0; i < D; ++i) {
            total += m_w[i];
            if (m_covered0[i])
                before += m_w[i];
            else if (coverable[i])
                reachable += m_w[i];
            else if (m_w[i] > 0.0)
                unreachable.push_back(static_cast<std::uint32_t>(i));
        }
        reachable += before;
        m_cost.assign(C, 1.0);
        if (!p.candidate_cost.empty())
            m_cost.assign(p.candidate_cost.begin(), p.candidate_cost.end());
        reset();
    }

    double total = 0.0, before = 0.0, reachable = 0.0;
    std::vector<std::uint32_t> unreachable;

    std::size_t candidates() const { return m_rows.size(); }
    double cost(std::uint32_t j) const { return m_cost[j]; }
    std::span<const std::uint32_t> row(std::uint32_t j) const { return m_rows[j]; }
    double weight(std::uint32_t i) const { return m_w[i]; }

    void reset() {
        m_count.assign(m_w.size(), 0);
        m_sum.assign(m_w.size(), 0);
        m_open.assign(candidates(), 0);
        m_selected.clear();
        m_covered = before;
        m_spent = 0.0;
    }
    const std::vector<std::uint32_t>& selected() const { return m_selected; }
    double covered() const { return m_covered; }
    double spent() const { return m_spent; }
    bool is_open(std::uint32_t j) const { return m_open[j] != 0; }

    double gain(std::uint32_t j) const {
        double g = 0.0;
        for (const std::uint32_t i : m_rows[j])
            if (m_count[i] == 0) g += m_w[i];
        return g;
    }
    void open(std::uint32_t j) {
        for (const std::uint32_t i : m_rows[j]) {
            if (m_count[i]++ == 0) m_covered += m_w[i];
            m_sum[i] += j;
        }
        m_open[j] = 1;
        m_selected.push_back(j);
        m_spent += m_cost[j];
    }
    void close(std::uint32_t j) {
        for (const std::uint32_t i : m_rows[j]) {
            if (--m_count[i] == 0) m_covered -= m_w[i];
            m_sum[i] -= j;
        }
        m_open[j] = 0;
        m_selected.erase(std::find(m_selected.begin(), m_selected.end(), j));
        m_spent -= m_cost[j];
    }
    void set(std::span<const std::uint32_t> open_sites) {
        reset();
        for (const std::uint32_t j : open_sites) open(j);
    }

    /**
     * Lazy greedy: adds sites while `more()` says so, each time the one with the largest gain
     * (per cost when `per_cost`) among those `fits()` accepts. Gains only shrink as sites are
     * added (submodularity), so a stale gain is an upper bound and the heap is exact.
     */
    template <class More, class Fits>
    void greedy(More&& more, Fits&& fits, bool per_cost, std::vector<double>& added) {
        using Entry = std::pair<double, std::uint32_t>;
        auto cmp = [](const Entry& a, const Entry& b) {
            return a.first != b.first ? a.first < b.first : a.second > b.second;
        };
        std::priority_queue<Entry, std::vector<Entry>, decltype(cmp)> heap(cmp);
        auto key = [&](std::uint32_t j, double g) {
            if (!per_cost) return g;
            return m_cost[j] > 0.0 ? g / m_cost[j]
                                   : (g > 0.0 ? std::numeric_limits<double>::infinity() : 0.0);
        };
        for (std::uint32_t j = 0; j < candidates(); ++j)
            if (!m_open[j]) heap.emplace(key(j, gain(j)), j);
        while (more() && !heap.empty()) {
            const auto [k, j] = heap.top();
            heap.pop();
            if (!fits(j)) continue;
            const double g = gain(j);
            const double kk = key(j, g);
            if (!heap.empty() && kk < heap.top().first) {
                heap.emplace(kk, j);
                continue;
            }
            if (g <= 0.0) break;
            open(j);
            added.push_back(g);
        }
    }

    /** Best swap (or addition, when `room` allows) by the cover-count bookkeeping. */
    Move best_swap(bool allow_add, double budget, const ParallelOptions& parallel) const {
        const std::size_t K = m_selected.size();
        std::vector<std::uint32_t> position(candidates(), none);
        for (std::size_t k = 0; k < K; ++k) position[m_selected[k]] = static_cast<std::uint32_t>(k);
        std::vector<double> loss(K, 0.0);
        for (std::size_t k = 0; k < K; ++k)
            for (const std::uint32_t i : m_rows[m_selected[k]])
                if (m_count[i] == 1) loss[k] += m_w[i];
        const double eps = 1e-12 * std::max(total, 1.0);
        return best_move(candidates(), parallel, [&](std::uint32_t f) {
            Move m;
            if (m_open[f]) return m;
            double g = 0.0;
            thread_local std::vector<double> extra;
            extra.assign(K, 0.0);
            for (const std::uint32_t i : m_rows[f]) {
                if (m_count[i] == 0)
                    g += m_w[i];
                else if (m_count[i] == 1)
                    extra[position[m_sum[i]]] += m_w[i];
            }
            if (allow_add && m_spent + m_cost[f] <= budget * (1.0 + 1e-12) && g > eps) {
                m.profit = g;
                m.in = f;
            }
            for (std::size_t k = 0; k < K; ++k) {
                if (m_spent - m_cost[m_selected[k]] + m_cost[f] > budget * (1.0 + 1e-12)) continue;
                const double profit = g - loss[k] + extra[k];
                if (profit > eps && (m.in == none || profit > m.profit)) {
                    m.profit = profit;
                    m.in = f;
                    m.out = m_selected[k];
                }
            }
            return m;
        });
    }

    /** Swap local search to a local optimum; returns moves made. */
    std::size_t local_search(bool allow_add, double budget, const ParallelOptions& parallel) {
        std::size_t moves = 0;
        for (;;) {
            const Move m = best_swap(allow_add, budget, parallel);
            if (m.in == none) return moves;
            if (m.out != none) close(m.out);
            open(m.in);
            ++moves;
        }
    }

private:
    std::vector<double> m_w;
    std::vector<std::uint8_t> m_covered0;
    Lists<std::uint32_t> m_rows;
    std::vector<double> m_cost;
    std::vector<std::uint32_t> m_count;
    std::vector<std::uint64_t>
        m_sum;  ///< sum of the open sites covering a point: the sole one when count = 1
    std::vector<std::uint8_t> m_open;
    std::vector<std::uint32_t> m_selected;
    double m_covered = 0.0;
    double m_spent = 0.0;
};

}  // namespace

Suggestion solve_coverage(const LocationProblem& p, const SuggestOptions& o) {
    const Clock clock;
    CoverageModel m(p);
    Suggestion s;
    s.objective = o.objective;
    s.total_weight = m.total;
    s.covered_before = m.before;
    s.unreachable = m.unreachable;
    s.unreachable_weight = m.total - m.reachable;
    s.best_share = m.total > 0 ? m.reachable / m.total : 1.0;
    const bool budgeted = std::isfinite(o.budget);
    const double eps = 1e-9 * std::max(1.0, m.total);

    std::vector<double> lambda_w(p.weight.size());
    for (std::size_t i = 0; i < lambda_w.size(); ++i) lambda_w[i] = p.weight[i];
    Lists<std::uint32_t> rows;
    for (std::uint32_t j = 0; j < m.candidates(); ++j) {
        for (const std::uint32_t i : m.row(j)) rows.items.push_back(i);
        rows.close();
    }
    std::vector<double> costs(m.candidates());
    for (std::uint32_t j = 0; j < m.candidates(); ++j) costs[j] = m.cost(j);
    bool integer_weights = true;
    for (const double w : p.weight)
        if (!integral(w)) integer_weights = false;
    CoverageBound bounder(lambda_w, rows, Lists<std::uint32_t>{}, {}, {}, costs, m.before);
    // Progress: the greedy (its picks), the bound, the restarts.
    Steps steps(o, (o.objective == Objective::max_coverage ? o.count : 1) + 1 +
                       (o.objective == Objective::max_coverage ? o.restarts : 0));
    steps.check_start();
    bounder.set_stop([&] { return steps.cancelled(); });

    if (o.objective == Objective::max_coverage) {
        std::vector<double> added;
        if (!o.start.empty()) {
            m.set(o.start);
        } else if (budgeted) {
            m.greedy(
                [&] { return true; },
                [&](std::uint32_t j) { return m.spent() + m.cost(j) <= o.budget * (1 + 1e-12); },
                true, added);
            // The ratio greedy alone can be arbitrarily bad; the best single site that fits is the
            // classic safeguard.
            double best_single = 0.0;
            std::uint32_t best_j = none;
            for (std::uint32_t j = 0; j < m.candidates(); ++j) {
                if (m.cost(j) > o.budget * (1 + 1e-12)) continue;
                double g = 0.0;  // its gain alone: rows hold only points the existing ones miss
                for (const std::uint32_t i : m.row(j)) g += m.weight(i);
                if (g > best_single) {
                    best_single = g;
                    best_j = j;
                }
            }
            if (best_j != none && m.before + best_single > m.covered() + eps) {
                m.reset();
                m.open(best_j);
                added = {best_single};
            }
        } else {
            const std::size_t K = o.count;
            m.greedy([&] { return m.selected().size() < K; }, [](std::uint32_t) { return true; },
                     false, added);
        }
        s.method = !o.start.empty() ? "given start"
                   : budgeted       ? "lazy greedy by gain per cost"
                                    : "lazy greedy";
        steps.done(o.count);
        std::size_t moves = m.local_search(
            budgeted, budgeted ? o.budget : std::numeric_limits<double>::infinity(), o.parallel);
        if (moves) s.method += " + swap search (" + std::to_string(moves) + " swaps)";
        std::vector<std::uint32_t> best = m.selected();
        double best_value = m.covered();
        // The bound, with a Lagrangian heuristic (the relaxation's sites, completed to the count
        // and improved by the swap search) whenever it improves; then restarts until proven.
        std::size_t used = 0, lagrangian_starts = 0;
        auto from_lagrangian = [&](const std::vector<std::uint32_t>& sites) {
            std::vector<std::uint32_t> set = sites;
            if (set.size() > o.count) set.resize(o.count);
            std::vector<std::uint8_t> in(m.candidates(), 0);
            for (const std::uint32_t j : set) in[j] = 1;
            for (const std::uint32_t j : best)
                if (set.size() < o.count && !in[j]) {
                    set.push_back(j);
                    in[j] = 1;
                }
            m.set(set);
            m.local_search(false, std::numeric_limits<double>::infinity(), o.parallel);
            ++lagrangian_starts;
            if (m.covered() > best_value + eps) {
                best_value = m.covered();
                best = m.selected();
            }
            return best_value;
        };
        const double ub = bounder.run(
            o.count, o.budget, best_value, -std::numeric_limits<double>::infinity(),
            o.bound_iterations, std::max(0.5, o.time_limit * 0.5), &used,
            budgeted ? std::function<double(const std::vector<std::uint32_t>&)>{}
                     : std::function<double(const std::vector<std::uint32_t>&)>(from_lagrangian));
        const double upper = round_bound(std::min(ub, m.reachable), integer_weights, true);
        steps.done();
        if (lagrangian_starts)
            s.method += " + " + std::to_string(lagrangian_starts) + " Lagrangian-heuristic starts";
        // Restarts.
        std::mt19937_64 rng(o.seed);
        const double until = std::max(0.0, o.time_limit * 0.8);
        std::size_t restarts = 0;
        while (restarts < o.restarts && clock.seconds() < until && !best.empty() && !budgeted &&
               upper - best_value > eps && !steps.cancelled()) {
            const std::size_t r =
                1 + restarts % std::max<std::size_t>(1, std::min<std::size_t>(best.size(), 3));
            m.set(perturb(best, m.candidates(), rng, r));
            m.local_search(false, std::numeric_limits<double>::infinity(), o.parallel);
            ++restarts;
            steps.done();
            if (m.covered() > best_value + eps) {
                best_value = m.covered();
                best = m.selected();
            }
        }
        s.restarts = restarts;
        if (restarts) s.method += " + " + std::to_string(restarts) + " perturbation restarts";
        // Pick order of the final set: re-add greedily so added_weight is the marginal gain.
        pick_order(m, best, s.added_weight);
        s.selected = m.selected();
        s.objective_value = m.covered();
        s.covered_after = m.covered();
        s.bound_iterations = used;
        s.bound = upper;
        s.bound = std::max(s.bound, s.objective_value);  // cannot happen for a valid bound
        finish_gap(s);
        s.method += "; bound: Lagrangian relaxation (subgradient)";
    } else {
        // min_facilities: fewest sites for target x total, or for everything reachable.
        double goal = o.target * m.total;
        if (goal > m.reachable + eps) {
            s.target_reached = false;
            goal = m.reachable;
        }
        std::vector<double> added;
        if (!o.start.empty()) m.set(o.start);
        m.greedy([&] { return m.covered() < goal - eps; }, [](std::uint32_t) { return true; },
                 false, added);
        s.method = o.start.empty() ? "lazy greedy" : "given start";
        steps.done();
        // Try k - 1 sites with swaps until it fails.
        std::vector<std::uint32_t> best = m.selected();
        while (!best.empty() && !steps.cancelled()) {
            // Drop the site whose removal loses least, then let swaps repair.
            m.set(best);
            std::uint32_t drop = best.front();
            double least = std::numeric_limits<double>::infinity();
            for (const std::uint32_t j : best) {
                m.close(j);
                const double loss = goal - m.covered();
                m.open(j);
                if (loss < least) {
                    least = loss;
                    drop = j;
                }
            }
            m.close(drop);
            if (m.covered() < goal - eps)
                m.local_search(false, std::numeric_limits<double>::infinity(), o.parallel);
            if (m.covered() >= goal - eps) {
                best = m.selected();
                s.method = "lazy greedy + drop/swap search";
            } else {
                break;
            }
        }
        pick_order(m, best, s.added_weight);
        s.selected = m.selected();
        s.covered_after = m.covered();
        s.objective_value = double(s.selected.size());
        // Lower bound: the smallest k whose max-coverage upper bound reaches the goal.
        std::size_t lo = 0, hi = s.selected.size();  // the goal is reachable with hi sites
        if (m.before >= goal - eps) hi = 0;
        std::size_t iterations = 0;
        while (lo < hi) {
            const std::size_t k = (lo + hi) / 2;
            std::size_t used = 0;
            const double ub = bounder.run(
                k, std::numeric_limits<double>::infinity(), goal - eps, goal - eps,
                o.bound_iterations, std::max(0.2, (o.time_limit - clock.seconds()) / 4), &used);
            iterations += used;
            if (round_bound(ub, integer_weights, true) < goal - eps)
                lo = k + 1;  // k sites cannot reach it
            else
                hi = k;
        }
        s.bound_iterations = iterations;
        s.bound = double(lo);
        finish_gap(s);
        s.method +=
            "; bound: smallest count whose Lagrangian max-coverage bound reaches the target";
    }
    // Assigned weight per site: points whose first open site (in pick order) it is.
    {
        std::vector<std::uint8_t> taken(p.weight.size(), 0);
        for (const std::uint32_t j : s.selected) {
            double a = 0.0;
            for (const std::uint32_t i : m.row(j))
                if (!taken[i]) {
                    taken[i] = 1;
                    a += p.weight[i];
                }
            s.assigned_weight.push_back(a);
        }
    }
    s.cancelled = steps.cancelled();
    steps.finish();
    s.seconds = clock.seconds();
    return s;
}

double evaluate_coverage(const LocationProblem& problem, const SuggestOptions& options,
                         std::span<const std::uint32_t> open) {
    CoverageModel m(problem);
    m.set(open);
    return options.objective == Objective::min_facilities ? double(open.size()) : m.covered();
}

}  // namespace lifecircle::planners::detail
