// Uncapacitated p-median of suggest(): lazy greedy, fast interchange, Lagrangian bound.
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

class MedianModel {
public:
    MedianModel(const LocationProblem& p) : m_C(p.candidates->rows()) {
        const std::size_t D = p.weight.size();
        const double penalty = unreached_charge(p);
        m_w.assign(p.weight.begin(), p.weight.end());
        m_f0.resize(D);
        for (std::size_t i = 0; i < D; ++i) {
            const double fb =
                p.fallback.empty() ? std::numeric_limits<double>::infinity() : p.fallback[i];
            m_f0[i] = std::isfinite(fb) ? fb : penalty;
        }
        // Per candidate: points it serves better than their fallback (cost = w x t).
        std::vector<std::vector<std::pair<float, std::uint32_t>>> by_demand(D);
        for (std::uint32_t j = 0; j < m_C; ++j) {
            for (const TimeEntry& t : p.candidates->row(j)) {
                if (m_w[t.col] <= 0.0 || !(double(t.seconds) < m_f0[t.col])) continue;
                m_rows.items.push_back({t.col, double(t.seconds)});
                by_demand[t.col].emplace_back(t.seconds, j);
            }
            m_rows.close();
        }
        for (std::size_t i = 0; i < D; ++i) {
            auto& list = by_demand[i];
            std::sort(list.begin(), list.end());
            for (const auto& [t, j] : list) m_sorted.items.push_back({j, double(t)});
            m_sorted.close();
        }
        integer_data = true;
        for (std::size_t i = 0; i < D && integer_data; ++i) {
            if (m_w[i] <= 0.0) continue;
            if (!integral(m_w[i] * m_f0[i])) integer_data = false;
            for (const Item& it : m_sorted[i])
                if (!integral(m_w[i] * it.cost)) {
                    integer_data = false;
                    break;
                }
        }
        m_open.assign(m_C, 0);
        m_d1.resize(D);
        m_d2.resize(D);
        m_p1.resize(D);
        m_p2.resize(D);
        baseline = 0.0;
        for (std::size_t i = 0; i < D; ++i) baseline += m_w[i] * m_f0[i];
        recompute();
    }

    bool integer_data = true;
    double baseline = 0.0;  ///< weight x time with no candidate open

    std::size_t candidates() const { return m_C; }
    std::size_t demands() const { return m_w.size(); }
    double weight(std::size_t i) const { return m_w[i]; }
    double fallback(std::size_t i) const { return m_f0[i]; }
    std::span<const Item> row(std::uint32_t j) const { return m_rows[j]; }
    double value() const { return m_value; }
    const std::vector<std::uint32_t>& selected() const { return m_selected; }
    bool is_open(std::uint32_t j) const { return m_open[j] != 0; }
    std::uint32_t nearest(std::size_t i) const { return m_p1[i]; }
    double nearest_time(std::size_t i) const { return m_d1[i]; }

    void set(std::span<const std::uint32_t> sites) {
        std::fill(m_open.begin(), m_open.end(), 0);
        m_selected.assign(sites.begin(), sites.end());
        for (const std::uint32_t j : sites) m_open[j] = 1;
        recompute();
    }
    void open(std::uint32_t j) {
        m_open[j] = 1;
        m_selected.push_back(j);
        recompute();
    }
    void swap(std::uint32_t in, std::uint32_t out) {
        m_open[out] = 0;
        *std::find(m_selected.begin(), m_selected.end(), out) = in;
        m_open[in] = 1;
        recompute();
    }

    /** Weight x time saved by opening j now. */
    double gain(std::uint32_t j) const {
        double g = 0.0;
        for (const Item& it : m_rows[j])
            if (it.cost < m_d1[it.id]) g += m_w[it.id] * (m_d1[it.id] - it.cost);
        return g;
    }

    /** Whitaker's fast interchange: the best (in, out) swap by the closest/second-closest
        bookkeeping, O(row(in) + p) per candidate. */
    Move best_swap(const ParallelOptions& parallel) const {
        const std::size_t K = m_selected.size();
        std::vector<std::uint32_t> position(m_C, none);
        for (std::size_t k = 0; k < K; ++k) position[m_selected[k]] = static_cast<std::uint32_t>(k);
        std::vector<double> loss(K, 0.0);  // cost of closing k with nothing new
        for (std::size_t i = 0; i < m_w.size(); ++i)
            if (m_p1[i] != none) loss[position[m_p1[i]]] += m_w[i] * (m_d2[i] - m_d1[i]);
        const double eps = 1e-12 * std::max(m_value, 1.0);
        return best_move(m_C, parallel, [&](std::uint32_t f) {
            Move m;
            if (m_open[f]) return m;
            thread_local std::vector<double> saved;
            saved.assign(K, 0.0);  // loss of closing k that opening f avoids
            double g = 0.0;
            for (const Item& it : m_rows[f]) {
                const std::size_t i = it.id;
                const double w = m_w[i];
                if (it.cost < m_d1[i]) {
                    g += w * (m_d1[i] - it.cost);
                    if (m_p1[i] != none) saved[position[m_p1[i]]] += w * (m_d2[i] - m_d1[i]);
                } else if (it.cost < m_d2[i] && m_p1[i] != none) {
                    saved[position[m_p1[i]]] += w * (m_d2[i] - it.cost);
                }
            }
            for (std::size_t k = 0; k < K; ++k) {
                const double profit = g - (loss[k] - saved[k]);
                if (profit > eps && (m.in == none || profit > m.profit)) {
                    m.profit = profit;
                    m.in = f;
                    m.out = m_selected[k];
                }
            }
            return m;
        });
    }

    std::size_t local_search(const ParallelOptions& parallel) {
        std::size_t moves = 0;
        for (;;) {
            const Move m = best_swap(parallel);
            if (m.in == none) return moves;
            swap(m.in, m.out);
            ++moves;
        }
    }

private:
    void recompute() {
        m_value = 0.0;
        for (std::size_t i = 0; i < m_w.size(); ++i) {
            double d1 = m_f0[i], d2 = m_f0[i];
            std::uint32_t p1 = none, p2 = none;
            for (const Item& it : m_sorted[i]) {
                if (!m_open[it.id]) continue;
                if (p1 == none) {
                    d1 = it.cost;
                    p1 = it.id;
                } else {
                    d2 = it.cost;
                    p2 = it.id;
                    break;
                }
            }
            m_d1[i] = d1;
            m_d2[i] = d2;
            m_p1[i] = p1;
            m_p2[i] = p2;
            m_value += m_w[i] * d1;
        }
    }

    std::size_t m_C;
    std::vector<double> m_w, m_f0;
    Lists<Item> m_rows;    ///< per candidate: (demand, time) better than the fallback
    Lists<Item> m_sorted;  ///< per demand: (candidate, time) ascending
    std::vector<std::uint8_t> m_open;
    std::vector<std::uint32_t> m_selected;
    std::vector<double> m_d1, m_d2;
    std::vector<std::uint32_t> m_p1, m_p2;
    double m_value = 0.0;
};

}  // namespace

Suggestion solve_median(const LocationProblem& p, const SuggestOptions& o) {
    const Clock clock;
    MedianModel m(p);
    Suggestion s;
    s.objective = o.objective;
    for (const double w : p.weight) s.total_weight += w;
    s.weighted_time_before = m.baseline;
    const std::size_t K = o.count;
    // Progress: the greedy (its picks), the bound, the restarts.
    Steps steps(o, K + 1 + o.restarts);
    steps.check_start();
    // Lazy greedy on the weight x time saved (submodular).
    {
        using Entry = std::pair<double, std::uint32_t>;
        auto cmp = [](const Entry& a, const Entry& b) {
            return a.first != b.first ? a.first < b.first : a.second > b.second;
        };
        std::priority_queue<Entry, std::vector<Entry>, decltype(cmp)> heap(cmp);
        if (!o.start.empty())
            m.set(o.start);
        else
            for (std::uint32_t j = 0; j < m.candidates(); ++j) heap.emplace(m.gain(j), j);
        while (m.selected().size() < K && !heap.empty()) {
            const auto [g0, j] = heap.top();
            heap.pop();
            const double g = m.gain(j);
            if (!heap.empty() && g < heap.top().first) {
                heap.emplace(g, j);
                continue;
            }
            m.open(j);
        }
        // Fewer useful candidates than K: fill with the lowest-index closed ones (they change
        // nothing).
        for (std::uint32_t j = 0; m.selected().size() < K && j < m.candidates(); ++j)
            if (!m.is_open(j)) m.open(j);
    }
    s.method = "lazy greedy";
    steps.done(K);
    const std::size_t moves = m.local_search(o.parallel);
    if (moves) s.method += " + fast interchange (" + std::to_string(moves) + " swaps)";
    std::vector<std::uint32_t> best = m.selected();
    double best_value = m.value();

    // Bound first (its value tells the restarts when to stop), then restarts, then the bound
    // again from where it stopped if time is left.
    std::vector<MedianBound::Row> rows;
    for (std::uint32_t j = 0; j < m.candidates(); ++j)
        rows.push_back({m.row(j), std::numeric_limits<double>::infinity()});
    std::vector<double> w(m.demands()), f0(m.demands()), start(m.demands());
    for (std::size_t i = 0; i < m.demands(); ++i) {
        w[i] = m.weight(i);
        f0[i] = m.fallback(i);
        start[i] = m.weight(i) * m.nearest_time(i);
    }
    MedianBound bounder(w, f0, rows, {});
    bounder.set_stop([&] { return steps.cancelled(); });
    std::size_t used = 0, lagrangian_starts = 0;
    const double budget = std::max(0.2, o.time_limit * 0.5);
    // Lagrangian heuristic: the relaxation's sites, completed to K and improved by the
    // interchange, are often the optimum where the bound is tight.
    auto from_lagrangian = [&](const std::vector<std::uint32_t>& sites) {
        std::vector<std::uint32_t> set = sites;
        std::vector<std::uint8_t> in(m.candidates(), 0);
        for (const std::uint32_t j : set) in[j] = 1;
        for (const std::uint32_t j : best)
            if (set.size() < K && !in[j]) {
                set.push_back(j);
                in[j] = 1;
            }
        m.set(set);
        m.local_search(o.parallel);
        ++lagrangian_starts;
        if (m.value() < best_value - 1e-9 * std::max(1.0, best_value)) {
            best_value = m.value();
            best = m.selected();
        }
        return best_value;
    };
    double lb =
        bounder.run(K, start, best_value, o.bound_iterations, budget, &used, from_lagrangian);
    lb = round_bound(lb, m.integer_data, false);
    steps.done();
    s.bound_iterations = used;

    std::mt19937_64 rng(o.seed);
    std::size_t restarts = 0;
    const double eps = 1e-9 * std::max(1.0, best_value);
    while (restarts < o.restarts && clock.seconds() < o.time_limit && best_value - lb > eps &&
           K < m.candidates() && !steps.cancelled()) {
        const std::size_t r = 1 + restarts % std::max<std::size_t>(1, std::min<std::size_t>(K, 4));
        m.set(perturb(best, m.candidates(), rng, r));
        m.local_search(o.parallel);
        ++restarts;
        steps.done();
        if (m.value() < best_value - eps) {
            best_value = m.value();
            best = m.selected();
        }
    }
    s.restarts = restarts;
    if (lagrangian_starts)
        s.method += " + " + std::to_string(lagrangian_starts) + " Lagrangian-heuristic starts";
    if (restarts) s.method += " + " + std::to_string(restarts) + " perturbation restarts";
    s.method += "; bound: Lagrangian relaxation (subgradient)";
    // Pick order: greedy re-add of the final set.
    pick_order(m, best, s.added_weight);
    s.selected = m.selected();
    s.objective_value = m.value();
    s.weighted_time_after = m.value();
    s.assigned_weight.assign(s.selected.size(), 0.0);
    std::vector<std::uint32_t> position(m.candidates(), none);
    for (std::size_t k = 0; k < s.selected.size(); ++k)
        position[s.selected[k]] = static_cast<std::uint32_t>(k);
    for (std::size_t i = 0; i < m.demands(); ++i) {
        if (m.nearest(i) != none) s.assigned_weight[position[m.nearest(i)]] += m.weight(i);
        const bool covered_now = m.nearest_time(i) <= p.cutoff;
        const bool covered_then =
            m.fallback(i) <= p.cutoff && !p.fallback.empty() && std::isfinite(p.fallback[i]);
        if (covered_now) s.covered_after += m.weight(i);
        if (covered_then) s.covered_before += m.weight(i);
    }
    s.bound = std::min(lb, s.objective_value);
    finish_gap(s);
    s.cancelled = steps.cancelled();
    steps.finish();
    s.seconds = clock.seconds();
    return s;
}

double evaluate_median(const LocationProblem& problem, std::span<const std::uint32_t> open) {
    MedianModel m(problem);
    m.set(open);
    return m.value();
}

}  // namespace lifecircle::planners::detail
