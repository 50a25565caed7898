#include "planners/suggest.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <cmath>
#include <numeric>
#include <queue>
#include <random>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "planners/assignment.hpp"

namespace lifecircle::planners {

std::string_view objective_name(Objective objective) {
    switch (objective) {
        case Objective::max_coverage: return "max-coverage";
        case Objective::min_facilities: return "min-facilities";
        case Objective::p_median: return "p-median";
    }
    return "?";
}

namespace {

constexpr std::uint32_t none = invalid_index;

class Clock {
public:
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    }

private:
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

/** Compressed lists: first (n+1) and items. */
template <class T>
struct Lists {
    std::vector<std::size_t> first{0};
    std::vector<T> items;
    std::size_t size() const { return first.size() - 1; }
    std::span<const T> operator[](std::size_t k) const {
        return {items.data() + first[k], items.data() + first[k + 1]};
    }
    void close() { first.push_back(items.size()); }
};

struct Item {
    std::uint32_t id = 0;
    double cost = 0.0;  ///< weight x time (p-median) or weight (coverage)
};

double relative_gap(double objective, double bound) {
    const double diff = std::abs(objective - bound);
    if (diff == 0.0) return 0.0;
    return diff / std::max(std::abs(objective), 1e-300);
}

/** Deterministic best-move reduction: larger profit, then lower first index, then lower second. */
struct Move {
    double profit = 0.0;
    std::uint32_t in = none;   ///< candidate opened
    std::uint32_t out = none;  ///< candidate closed (none = pure addition)
    bool better_than(const Move& o) const {
        if (in == none) return false;
        if (o.in == none) return true;
        if (profit != o.profit) return profit > o.profit;
        if (in != o.in) return in < o.in;
        return out < o.out;
    }
};

template <class Eval>
Move best_move(std::size_t candidates, const ParallelOptions& parallel, Eval&& eval) {
    // Fixed blocks so the reduction order never depends on the thread count.
    const std::size_t block = 64;
    const std::size_t blocks = (candidates + block - 1) / block;
    std::vector<Move> best(blocks);
    // Each round of moves reports its blocks: a capacitated round (an exact assignment per
    // move) can take seconds.
    ParallelOptions round;
    round.threads = parallel.threads;
    round.progress = parallel.progress;
    round.progress_every = std::max<std::size_t>(1, blocks / 20);
    parallel_for_each(
        blocks, round, [] { return 0; },
        [&](std::size_t b, int&) {
            Move m;
            for (std::size_t f = b * block; f < std::min(candidates, (b + 1) * block); ++f) {
                const Move c = eval(static_cast<std::uint32_t>(f));
                if (c.better_than(m)) m = c;
            }
            best[b] = m;
        });
    Move m;
    for (const Move& c : best)
        if (c.better_than(m)) m = c;
    return m;
}

void check_problem(const LocationProblem& p, const SuggestOptions& o) {
    if (p.candidates == nullptr) throw UsageError("suggest: no candidate table given");
    const std::size_t D = p.weight.size();
    if (p.candidates->cols() != D)
        throw InputError("suggest: the candidate table has " + std::to_string(p.candidates->cols()) +
                         " demand columns for " + std::to_string(D) + " weights");
    if (p.existing && p.existing->rows() > 0 && p.existing->cols() != D)
        throw InputError("suggest: the existing-facility table has " + std::to_string(p.existing->cols()) +
                         " demand columns for " + std::to_string(D) + " weights");
    for (std::size_t i = 0; i < D; ++i)
        if (!std::isfinite(p.weight[i]) || p.weight[i] < 0.0)
            throw InputError("suggest: demand point " + std::to_string(i) + " has weight " +
                             std::to_string(p.weight[i]) + "; weights must be finite and >= 0");
    const std::size_t C = p.candidates->rows();
    const std::size_t E = p.existing ? p.existing->rows() : 0;
    if (!p.candidate_capacity.empty() && p.candidate_capacity.size() != C)
        throw InputError("suggest: " + std::to_string(p.candidate_capacity.size()) + " capacities for " +
                         std::to_string(C) + " candidates");
    if (!p.candidate_cost.empty() && p.candidate_cost.size() != C)
        throw InputError("suggest: " + std::to_string(p.candidate_cost.size()) + " costs for " +
                         std::to_string(C) + " candidates");
    if (!p.fallback.empty() && p.fallback.size() != D)
        throw InputError("suggest: " + std::to_string(p.fallback.size()) + " fallback times for " +
                         std::to_string(D) + " demand points");
    for (const double c : p.candidate_cost)
        if (!std::isfinite(c) || c < 0.0) throw InputError("suggest: candidate costs must be finite and >= 0");
    if (o.capacitated) {
        if (p.candidate_capacity.size() != C)
            throw InputError("suggest: capacitated needs one capacity per candidate (" + std::to_string(C) + ")");
        if (p.existing_capacity.size() != E)
            throw InputError("suggest: capacitated needs one capacity per existing facility (" +
                             std::to_string(E) + ")");
    }
    if (!(p.cutoff > 0.0) && !std::isinf(p.cutoff))
        throw UsageError("suggest: the cutoff must be > 0");
    const bool budgeted = o.objective == Objective::max_coverage && std::isfinite(o.budget);
    if ((o.objective == Objective::p_median || (o.objective == Objective::max_coverage && !budgeted)) &&
        o.count == 0)
        throw UsageError(std::string("suggest: ") + std::string(objective_name(o.objective)) +
                         " needs a number of sites to choose (count >= 1)" +
                         (o.objective == Objective::max_coverage ? " or a budget" : ""));
    if (o.count > C && !budgeted && o.objective != Objective::min_facilities)
        throw InputError("suggest: " + std::to_string(o.count) + " sites asked for but only " + std::to_string(C) +
                         " candidates given");
    if (o.objective == Objective::min_facilities && !(o.target > 0.0 && o.target <= 1.0))
        throw UsageError("suggest: the target share must be in (0, 1]");
    if (budgeted && !(o.budget >= 0.0)) throw UsageError("suggest: the budget must be >= 0");
    std::vector<std::uint8_t> seen(C, 0);
    for (const std::uint32_t j : o.start) {
        if (j >= C || seen[j]) throw UsageError("suggest: the start sites must be distinct candidate indices");
        seen[j] = 1;
    }
    if (!o.start.empty() && o.objective == Objective::p_median && o.start.size() > o.count)
        throw UsageError("suggest: more start sites than the count");
}

// ---------------------------------------------------------------------------------------------
// Uncapacitated coverage: max_coverage and min_facilities.

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
            if (m_covered0[i]) before += m_w[i];
            else if (coverable[i]) reachable += m_w[i];
            else if (m_w[i] > 0.0) unreachable.push_back(static_cast<std::uint32_t>(i));
        }
        reachable += before;
        m_cost.assign(C, 1.0);
        if (!p.candidate_cost.empty()) m_cost.assign(p.candidate_cost.begin(), p.candidate_cost.end());
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
            return m_cost[j] > 0.0 ? g / m_cost[j] : (g > 0.0 ? std::numeric_limits<double>::infinity() : 0.0);
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
                if (m_count[i] == 0) g += m_w[i];
                else if (m_count[i] == 1) extra[position[m_sum[i]]] += m_w[i];
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
    std::vector<std::uint64_t> m_sum;  ///< sum of the open sites covering a point: the sole one when count = 1
    std::vector<std::uint8_t> m_open;
    std::vector<std::uint32_t> m_selected;
    double m_covered = 0.0;
    double m_spent = 0.0;
};

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
    struct Pair {
        std::uint32_t demand;
        double weight;
    };

    /** `rows`: candidates' coverable demand; `fixed_rows`: existing facilities (always open). */
    CoverageBound(std::vector<double> w, Lists<std::uint32_t> rows, Lists<std::uint32_t> fixed_rows,
                  std::vector<double> capacity, std::vector<double> fixed_capacity, std::vector<double> cost,
                  double base)
        : m_w(std::move(w)), m_rows(std::move(rows)), m_fixed(std::move(fixed_rows)),
          m_capacity(std::move(capacity)), m_fixed_capacity(std::move(fixed_capacity)),
          m_cost(std::move(cost)), m_base(base) {}

    /**
     * Runs subgradient optimisation from lambda = w / 2 and returns the smallest L found;
     * stops early when L falls below `stop_below` (nothing more to prove) or to within
     * `target` (a known feasible value) by a relative 1e-9.
     */
    double run(std::size_t count, double budget, double target, double stop_below, std::size_t iterations,
               double time_limit, std::size_t* used = nullptr,
               const std::function<double(const std::vector<std::uint32_t>&)>& heuristic = {}) const {
        std::size_t last_heuristic = 0;
        bool improved_since = false;
        const Clock clock;
        const std::size_t D = m_w.size();
        std::vector<double> lambda(D), g(D), value(m_rows.size());
        // Points no facility can take keep lambda = 0 (and count for nothing).
        std::vector<std::uint8_t> active(D, 0);
        for (std::size_t j = 0; j < m_rows.size(); ++j)
            for (const std::uint32_t i : m_rows[j]) active[i] = 1;
        for (std::size_t j = 0; j < m_fixed.size(); ++j)
            for (const std::uint32_t i : m_fixed[j]) active[i] = 1;
        for (std::size_t i = 0; i < D; ++i) lambda[i] = active[i] ? 0.5 * m_w[i] : 0.0;
        const std::size_t patience = 20;
        double best = std::numeric_limits<double>::infinity();
        double theta = 2.0;
        std::size_t since = 0, it = 0;
        std::vector<std::uint32_t> order(m_rows.size());
        std::vector<double> y(m_rows.size());
        for (; it < iterations; ++it) {
            std::fill(g.begin(), g.end(), 1.0);  // d/dlambda_i of sum lambda_i
            double L = m_base;
            for (std::size_t i = 0; i < D; ++i) L += lambda[i];
            for (std::size_t e = 0; e < m_fixed.size(); ++e)
                L += facility_value(m_fixed[e], cap(m_fixed_capacity, e), lambda, &g, 1.0);
            for (std::size_t j = 0; j < m_rows.size(); ++j)
                value[j] = facility_value(m_rows[j], cap(m_capacity, j), lambda, nullptr, 0.0);
            // Choose sites: top `count` or fractional knapsack by cost.
            std::iota(order.begin(), order.end(), 0u);
            std::fill(y.begin(), y.end(), 0.0);
            if (std::isfinite(budget)) {
                std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
                    const double ra = m_cost[a] > 0 ? value[a] / m_cost[a] : std::numeric_limits<double>::infinity();
                    const double rb = m_cost[b] > 0 ? value[b] / m_cost[b] : std::numeric_limits<double>::infinity();
                    return ra != rb ? ra > rb : a < b;
                });
                double room = budget;
                for (const std::uint32_t j : order) {
                    if (value[j] <= 0.0) break;
                    const double take = m_cost[j] <= room ? 1.0 : (m_cost[j] > 0 ? room / m_cost[j] : 1.0);
                    y[j] = take;
                    L += take * value[j];
                    room -= take * m_cost[j];
                    if (room <= 0.0) break;
                }
            } else {
                const std::size_t k = std::min(count, order.size());
                std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                                  [&](std::uint32_t a, std::uint32_t b) {
                                      return value[a] != value[b] ? value[a] > value[b] : a < b;
                                  });
                for (std::size_t q = 0; q < k; ++q) {
                    if (value[order[q]] <= 0.0) break;
                    y[order[q]] = 1.0;
                    L += value[order[q]];
                }
            }
            for (std::size_t j = 0; j < m_rows.size(); ++j)
                if (y[j] > 0.0) facility_value(m_rows[j], cap(m_capacity, j), lambda, &g, y[j]);
            if (std::isinf(best) || L < best - 1e-12 * std::abs(best)) {
                best = L;
                since = 0;
                improved_since = true;
            } else if (++since >= patience) {
                theta *= 0.5;
                since = 0;
            }
            if (heuristic && improved_since && it >= last_heuristic + 10) {
                // The relaxation's sites (whole ones), improved by the caller's search.
                std::vector<std::uint32_t> sites;
                for (std::size_t j = 0; j < y.size(); ++j)
                    if (y[j] >= 1.0) sites.push_back(static_cast<std::uint32_t>(j));
                target = std::max(target, heuristic(sites));
                last_heuristic = it;
                improved_since = false;
            }
            if (best < stop_below) break;
            if (best - target <= 1e-9 * std::max(1.0, std::abs(target))) break;
            if (theta < 1e-4 || clock.seconds() > time_limit) break;
            double norm = 0.0;
            for (std::size_t i = 0; i < D; ++i) {
                // Projected onto [0, w_i]: a component pushing out of the box does not count.
                if (!active[i] || (lambda[i] <= 0.0 && g[i] > 0.0) || (lambda[i] >= m_w[i] && g[i] < 0.0)) g[i] = 0.0;
                norm += g[i] * g[i];
            }
            if (norm == 0.0) break;  // lambda is optimal
            const double step = theta * (L - std::min(target, L * (1.0 - 1e-9))) / norm;
            for (std::size_t i = 0; i < D; ++i) lambda[i] = std::clamp(lambda[i] - step * g[i], 0.0, m_w[i]);
        }
        if (used) *used = it + 1;
        return best;
    }

private:
    static double cap(const std::vector<double>& c, std::size_t j) {
        return c.empty() ? std::numeric_limits<double>::infinity() : c[j];
    }

    /** V_j at prices lambda; with `g`, subtracts scale x (share of each point taken). */
    double facility_value(std::span<const std::uint32_t> row, double capacity, const std::vector<double>& lambda,
                          std::vector<double>* g, double scale) const {
        if (std::isinf(capacity)) {
            double v = 0.0;
            for (const std::uint32_t i : row) {
                if (m_w[i] > lambda[i]) {
                    v += m_w[i] - lambda[i];
                    if (g) (*g)[i] -= scale;
                }
            }
            return v;
        }
        // Fractional knapsack: profit (w_i - lambda_i) for size w_i, best ratio first.
        thread_local std::vector<std::pair<double, std::uint32_t>> items;
        items.clear();
        for (const std::uint32_t i : row)
            if (m_w[i] > lambda[i]) items.emplace_back(1.0 - lambda[i] / m_w[i], i);
        std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        double room = capacity, v = 0.0;
        for (const auto& [ratio, i] : items) {
            if (room <= 0.0) break;
            const double take = std::min(1.0, room / m_w[i]);
            v += take * (m_w[i] - lambda[i]);
            room -= take * m_w[i];
            if (g) (*g)[i] -= scale * take;
        }
        return v;
    }

    std::vector<double> m_w;
    Lists<std::uint32_t> m_rows;
    Lists<std::uint32_t> m_fixed;
    std::vector<double> m_capacity, m_fixed_capacity, m_cost;
    double m_base = 0.0;
};

}  // namespace

double unreached_charge(const LocationProblem& p) {
    if (std::isfinite(p.unreached_penalty)) return p.unreached_penalty;
    double largest = 0.0;
    for (std::size_t j = 0; j < p.candidates->rows(); ++j)
        for (const TimeEntry& t : p.candidates->row(j)) largest = std::max(largest, double(t.seconds));
    if (p.existing)
        for (std::size_t e = 0; e < p.existing->rows(); ++e)
            for (const TimeEntry& t : p.existing->row(e)) largest = std::max(largest, double(t.seconds));
    for (const double f : p.fallback)
        if (std::isfinite(f)) largest = std::max(largest, f);
    return 2.0 * std::max(largest, 1.0);
}

namespace {

bool integral(double v) { return std::abs(v - std::round(v)) <= 1e-9 * std::max(1.0, std::abs(v)); }

/** A valid bound rounded to an integer when the data are integral (upper: floor, lower: ceil). */
double round_bound(double bound, bool integer_data, bool upper) {
    if (!integer_data || !std::isfinite(bound)) return bound;
    const double tol = 1e-6 * std::max(1.0, std::abs(bound));
    return upper ? std::floor(bound + tol) : std::ceil(bound - tol);
}

// ---------------------------------------------------------------------------------------------
// Uncapacitated p-median: fast interchange.

class MedianModel {
public:
    MedianModel(const LocationProblem& p) : m_C(p.candidates->rows()) {
        const std::size_t D = p.weight.size();
        const double penalty = unreached_charge(p);
        m_w.assign(p.weight.begin(), p.weight.end());
        m_f0.resize(D);
        for (std::size_t i = 0; i < D; ++i) {
            const double fb = p.fallback.empty() ? std::numeric_limits<double>::infinity() : p.fallback[i];
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

    MedianBound(std::vector<double> w, std::vector<double> f0, std::vector<Row> rows, std::vector<Row> fixed)
        : m_w(std::move(w)), m_f0(std::move(f0)), m_rows(std::move(rows)), m_fixed(std::move(fixed)) {}

    /**
     * Subgradient ascent from `start`. `upper` is the best known objective (the Polyak target);
     * `heuristic`, when given, is called with the sites of the Lagrangian solution whenever the
     * bound improves (at most every 10 iterations) and returns the objective it reached from
     * them (a Lagrangian heuristic), which may lower `upper`.
     */
    double run(std::size_t count, const std::vector<double>& start, double upper, std::size_t iterations,
               double time_limit, std::size_t* used = nullptr,
               const std::function<double(const std::vector<std::uint32_t>&)>& heuristic = {}) const {
        std::size_t last_heuristic = 0;
        bool improved_since = false;
        const Clock clock;
        const std::size_t D = m_w.size();
        std::vector<double> lambda = start, g(D), rho(m_rows.size());
        std::vector<std::uint32_t> order(m_rows.size());
        double best = -std::numeric_limits<double>::infinity();
        double theta = 2.0;
        std::size_t since = 0, it = 0;
        for (; it < iterations; ++it) {
            double L = 0.0;
            for (std::size_t i = 0; i < D; ++i) {
                g[i] = 1.0;
                L += lambda[i];
                const double c0 = m_w[i] * m_f0[i];
                if (c0 < lambda[i]) {
                    L += c0 - lambda[i];
                    g[i] -= 1.0;
                }
            }
            for (const Row& r : m_fixed) L += facility_value(r, lambda, &g);
            for (std::size_t j = 0; j < m_rows.size(); ++j) rho[j] = facility_value(m_rows[j], lambda, nullptr);
            std::iota(order.begin(), order.end(), 0u);
            const std::size_t k = std::min(count, order.size());
            std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                              [&](std::uint32_t a, std::uint32_t b) { return rho[a] != rho[b] ? rho[a] < rho[b] : a < b; });
            for (std::size_t q = 0; q < k; ++q) {
                if (rho[order[q]] >= 0.0) break;
                L += rho[order[q]];
                facility_value(m_rows[order[q]], lambda, &g);
            }
            if (std::isinf(best) || L > best + 1e-12 * std::abs(best)) {
                best = L;
                since = 0;
                improved_since = true;
            } else if (++since >= 20) {
                theta *= 0.5;
                since = 0;
            }
            if (heuristic && improved_since && it >= last_heuristic + 10) {
                std::vector<std::uint32_t> sites;
                for (std::size_t q = 0; q < k; ++q) sites.push_back(order[q]);
                upper = std::min(upper, heuristic(sites));
                last_heuristic = it;
                improved_since = false;
            }
            if (upper - best <= 1e-9 * std::max(1.0, std::abs(upper))) break;
            if (theta < 1e-4 || clock.seconds() > time_limit) break;
            double norm = 0.0;
            for (std::size_t i = 0; i < D; ++i) norm += g[i] * g[i];
            if (norm == 0.0) break;
            const double step = theta * (std::max(upper, L + 1e-9 * std::abs(L)) - L) / norm;
            for (std::size_t i = 0; i < D; ++i) lambda[i] += step * g[i];
        }
        if (used) *used = it + 1;
        return best;
    }

private:
    double facility_value(const Row& r, const std::vector<double>& lambda, std::vector<double>* g) const {
        if (std::isinf(r.capacity)) {
            double v = 0.0;
            for (const Item& it : r.items) {
                const double c = m_w[it.id] * it.cost - lambda[it.id];
                if (c < 0.0) {
                    v += c;
                    if (g) (*g)[it.id] -= 1.0;
                }
            }
            return v;
        }
        thread_local std::vector<std::pair<double, std::uint32_t>> items;
        thread_local std::vector<double> take_of;
        items.clear();
        for (std::size_t q = 0; q < r.items.size(); ++q) {
            const Item& it = r.items[q];
            if (m_w[it.id] <= 0.0) continue;
            const double c = m_w[it.id] * it.cost - lambda[it.id];
            if (c < 0.0) items.emplace_back(c / m_w[it.id], static_cast<std::uint32_t>(q));
        }
        std::sort(items.begin(), items.end());
        double room = r.capacity, v = 0.0;
        for (const auto& [ratio, q] : items) {
            if (room <= 0.0) break;
            const Item& it = r.items[q];
            const double take = std::min(1.0, room / m_w[it.id]);
            v += take * (m_w[it.id] * it.cost - lambda[it.id]);
            room -= take * m_w[it.id];
            if (g) (*g)[it.id] -= take;
        }
        return v;
    }

    std::vector<double> m_w, m_f0;
    std::vector<Row> m_rows, m_fixed;
};

// ---------------------------------------------------------------------------------------------
// Capacitated: every objective evaluated by the exact assignment.

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

/** Perturbation restarts shared by the solvers: swap `r` open sites for closed ones. */
std::vector<std::uint32_t> perturb(const std::vector<std::uint32_t>& sites, std::size_t candidates,
                                   std::mt19937_64& rng, std::size_t r) {
    std::vector<std::uint32_t> out = sites;
    if (out.empty() || out.size() >= candidates) return out;
    std::vector<std::uint8_t> open(candidates, 0);
    for (const std::uint32_t j : out) open[j] = 1;
    for (std::size_t q = 0; q < r; ++q) {
        const std::size_t k = std::uniform_int_distribution<std::size_t>(0, out.size() - 1)(rng);
        std::uint32_t f;
        do {
            f = static_cast<std::uint32_t>(std::uniform_int_distribution<std::size_t>(0, candidates - 1)(rng));
        } while (open[f]);
        open[out[k]] = 0;
        open[f] = 1;
        out[k] = f;
    }
    return out;
}

void finish_gap(Suggestion& s) {
    s.gap = relative_gap(s.objective_value, s.bound);
    if (s.gap <= 1e-9) s.proven_optimal = true;
}

// ---------------------------------------------------------------------------------------------

/**
 * Re-adds `sites` one at a time, each time the one with the largest gain, so that the pick
 * order and each site's marginal gain (`added`) describe the final answer; `model` is reset
 * first and ends with the sites open.
 */
template <class Model>
void pick_order(Model& model, std::vector<std::uint32_t> left, std::vector<double>& added) {
    model.set({});
    while (!left.empty()) {
        std::size_t at = 0;
        double g = -1.0;
        for (std::size_t q = 0; q < left.size(); ++q) {
            const double gq = model.gain(left[q]);
            if (gq > g) {
                g = gq;
                at = q;
            }
        }
        added.push_back(g);
        model.open(left[at]);
        left.erase(left.begin() + static_cast<std::ptrdiff_t>(at));
    }
}

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
    const CoverageBound bounder(lambda_w, rows, Lists<std::uint32_t>{}, {}, {}, costs, m.before);

    if (o.objective == Objective::max_coverage) {
        std::vector<double> added;
        if (!o.start.empty()) {
            m.set(o.start);
        } else if (budgeted) {
            m.greedy([&] { return true; }, [&](std::uint32_t j) { return m.spent() + m.cost(j) <= o.budget * (1 + 1e-12); },
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
            m.greedy([&] { return m.selected().size() < K; }, [](std::uint32_t) { return true; }, false, added);
        }
        s.method = !o.start.empty() ? "given start" : budgeted ? "lazy greedy by gain per cost" : "lazy greedy";
        std::size_t moves = m.local_search(budgeted, budgeted ? o.budget : std::numeric_limits<double>::infinity(),
                                           o.parallel);
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
        const double ub = bounder.run(o.count, o.budget, best_value, -std::numeric_limits<double>::infinity(),
                                      o.bound_iterations, std::max(0.5, o.time_limit * 0.5), &used,
                                      budgeted ? std::function<double(const std::vector<std::uint32_t>&)>{}
                                               : std::function<double(const std::vector<std::uint32_t>&)>(from_lagrangian));
        const double upper = round_bound(std::min(ub, m.reachable), integer_weights, true);
        if (lagrangian_starts) s.method += " + " + std::to_string(lagrangian_starts) + " Lagrangian-heuristic starts";
        // Restarts.
        std::mt19937_64 rng(o.seed);
        const double until = std::max(0.0, o.time_limit * 0.8);
        std::size_t restarts = 0;
        while (restarts < o.restarts && clock.seconds() < until && !best.empty() && !budgeted &&
               upper - best_value > eps) {
            const std::size_t r = 1 + restarts % std::max<std::size_t>(1, std::min<std::size_t>(best.size(), 3));
            m.set(perturb(best, m.candidates(), rng, r));
            m.local_search(false, std::numeric_limits<double>::infinity(), o.parallel);
            ++restarts;
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
        m.greedy([&] { return m.covered() < goal - eps; }, [](std::uint32_t) { return true; }, false, added);
        s.method = o.start.empty() ? "lazy greedy" : "given start";
        // Try k - 1 sites with swaps until it fails.
        std::vector<std::uint32_t> best = m.selected();
        while (!best.empty()) {
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
            if (m.covered() < goal - eps) m.local_search(false, std::numeric_limits<double>::infinity(), o.parallel);
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
            const double ub = bounder.run(k, std::numeric_limits<double>::infinity(), goal - eps,
                                          goal - eps, o.bound_iterations,
                                          std::max(0.2, (o.time_limit - clock.seconds()) / 4), &used);
            iterations += used;
            if (round_bound(ub, integer_weights, true) < goal - eps) lo = k + 1;  // k sites cannot reach it
            else hi = k;
        }
        s.bound_iterations = iterations;
        s.bound = double(lo);
        finish_gap(s);
        s.method += "; bound: smallest count whose Lagrangian max-coverage bound reaches the target";
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
    s.seconds = clock.seconds();
    return s;
}

Suggestion solve_median(const LocationProblem& p, const SuggestOptions& o) {
    const Clock clock;
    MedianModel m(p);
    Suggestion s;
    s.objective = o.objective;
    for (const double w : p.weight) s.total_weight += w;
    s.weighted_time_before = m.baseline;
    const std::size_t K = o.count;
    // Lazy greedy on the weight x time saved (submodular).
    {
        using Entry = std::pair<double, std::uint32_t>;
        auto cmp = [](const Entry& a, const Entry& b) { return a.first != b.first ? a.first < b.first : a.second > b.second; };
        std::priority_queue<Entry, std::vector<Entry>, decltype(cmp)> heap(cmp);
        if (!o.start.empty()) m.set(o.start);
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
        // Fewer useful candidates than K: fill with the lowest-index closed ones (they change nothing).
        for (std::uint32_t j = 0; m.selected().size() < K && j < m.candidates(); ++j)
            if (!m.is_open(j)) m.open(j);
    }
    s.method = "lazy greedy";
    const std::size_t moves = m.local_search(o.parallel);
    if (moves) s.method += " + fast interchange (" + std::to_string(moves) + " swaps)";
    std::vector<std::uint32_t> best = m.selected();
    double best_value = m.value();

    // Bound first (its value tells the restarts when to stop), then restarts, then the bound
    // again from where it stopped if time is left.
    std::vector<MedianBound::Row> rows;
    for (std::uint32_t j = 0; j < m.candidates(); ++j) rows.push_back({m.row(j), std::numeric_limits<double>::infinity()});
    std::vector<double> w(m.demands()), f0(m.demands()), start(m.demands());
    for (std::size_t i = 0; i < m.demands(); ++i) {
        w[i] = m.weight(i);
        f0[i] = m.fallback(i);
        start[i] = m.weight(i) * m.nearest_time(i);
    }
    const MedianBound bounder(w, f0, rows, {});
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
    double lb = bounder.run(K, start, best_value, o.bound_iterations, budget, &used, from_lagrangian);
    lb = round_bound(lb, m.integer_data, false);
    s.bound_iterations = used;

    std::mt19937_64 rng(o.seed);
    std::size_t restarts = 0;
    const double eps = 1e-9 * std::max(1.0, best_value);
    while (restarts < o.restarts && clock.seconds() < o.time_limit && best_value - lb > eps && K < m.candidates()) {
        const std::size_t r = 1 + restarts % std::max<std::size_t>(1, std::min<std::size_t>(K, 4));
        m.set(perturb(best, m.candidates(), rng, r));
        m.local_search(o.parallel);
        ++restarts;
        if (m.value() < best_value - eps) {
            best_value = m.value();
            best = m.selected();
        }
    }
    s.restarts = restarts;
    if (lagrangian_starts) s.method += " + " + std::to_string(lagrangian_starts) + " Lagrangian-heuristic starts";
    if (restarts) s.method += " + " + std::to_string(restarts) + " perturbation restarts";
    s.method += "; bound: Lagrangian relaxation (subgradient)";
    // Pick order: greedy re-add of the final set.
    pick_order(m, best, s.added_weight);
    s.selected = m.selected();
    s.objective_value = m.value();
    s.weighted_time_after = m.value();
    s.assigned_weight.assign(s.selected.size(), 0.0);
    std::vector<std::uint32_t> position(m.candidates(), none);
    for (std::size_t k = 0; k < s.selected.size(); ++k) position[s.selected[k]] = static_cast<std::uint32_t>(k);
    for (std::size_t i = 0; i < m.demands(); ++i) {
        if (m.nearest(i) != none) s.assigned_weight[position[m.nearest(i)]] += m.weight(i);
        const bool covered_now = m.nearest_time(i) <= p.cutoff;
        const bool covered_then = m.fallback(i) <= p.cutoff && !p.fallback.empty() && std::isfinite(p.fallback[i]);
        if (covered_now) s.covered_after += m.weight(i);
        if (covered_then) s.covered_before += m.weight(i);
    }
    s.bound = std::min(lb, s.objective_value);
    finish_gap(s);
    s.seconds = clock.seconds();
    return s;
}

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
            std::size_t evaluated = 0;  // each evaluation is an exact assignment: report them
            for (const std::uint32_t j : order) {
                if (lazy && key[j] <= pick_key) break;  // stale keys are upper bounds
                if (o.parallel.progress && ++evaluated % 16 == 0) o.parallel.progress(evaluated, order.size());
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
            if (o.parallel.progress) o.parallel.progress(order.size(), order.size());
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

}  // namespace

Suggestion suggest(const LocationProblem& problem, const SuggestOptions& options) {
    check_problem(problem, options);
    Suggestion s;
    if (options.capacitated) s = solve_capacitated(problem, options);
    else if (options.objective == Objective::p_median) s = solve_median(problem, options);
    else s = solve_coverage(problem, options);
    if (options.objective == Objective::min_facilities && s.total_weight > 0)
        s.target_reached = s.target_reached && s.covered_after >= options.target * s.total_weight * (1 - 1e-9);
    s.time_capped = s.seconds >= 0.5 * options.time_limit;
    return s;
}

double evaluate(const LocationProblem& problem, const SuggestOptions& options, std::span<const std::uint32_t> open) {
    check_problem(problem, options);
    if (options.capacitated) {
        CapacitatedModel m(problem, options);
        const auto v = m.evaluate(open);
        return options.objective == Objective::p_median ? v.weighted : v.served;
    }
    if (options.objective == Objective::p_median) {
        MedianModel m(problem);
        m.set(open);
        return m.value();
    }
    CoverageModel m(problem);
    m.set(open);
    return options.objective == Objective::min_facilities ? double(open.size()) : m.covered();
}

}  // namespace lifecircle::planners
