#include "planners/suggest_bound.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace lifecircle::planners::detail {

namespace {

/**
 * Fractional knapsack: items (ratio = profit per unit of size, id) taken best ratio first (ties:
 * lower id) within `room`; calls take(id, fraction) for every item taken, whole ones with 1.
 * Returns the profit. Selection (nth_element on halves) instead of a sort: O(n) expected.
 */
template <class Size, class Take>
double fractional_knapsack(std::vector<std::pair<double, std::uint32_t>>& items, double room,
                           Size&& size, Take&& take) {
    const auto better = [](const std::pair<double, std::uint32_t>& a,
                           const std::pair<double, std::uint32_t>& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    };
    double value = 0.0;
    const auto take_all = [&](std::size_t from, std::size_t to) {
        for (std::size_t k = from; k < to; ++k) {
            value += items[k].first * size(items[k].second);
            take(items[k].second, 1.0);
        }
    };
    std::size_t lo = 0, hi = items.size();
    double total = 0.0;
    for (const auto& item : items) total += size(item.second);
    while (lo < hi && room > 0.0) {
        if (total <= room) {
            take_all(lo, hi);
            break;
        }
        if (hi - lo == 1) {
            const double fraction = room / size(items[lo].second);
            value += fraction * items[lo].first * size(items[lo].second);
            take(items[lo].second, fraction);
            break;
        }
        const std::size_t mid = lo + (hi - lo) / 2;
        std::nth_element(items.begin() + static_cast<std::ptrdiff_t>(lo),
                         items.begin() + static_cast<std::ptrdiff_t>(mid),
                         items.begin() + static_cast<std::ptrdiff_t>(hi), better);
        double left = 0.0;
        for (std::size_t k = lo; k < mid; ++k) left += size(items[k].second);
        if (left <= room) {
            take_all(lo, mid);
            room -= left;
            total -= left;
            lo = mid;
        } else {
            total = left;
            hi = mid;
        }
    }
    return value;
}

}  // namespace

double CoverageBound::run(std::size_t count, double budget, double target, double stop_below,
                          std::size_t iterations, double time_limit, std::size_t* used,
                          const std::function<double(const std::vector<std::uint32_t>&)>& heuristic,
                          std::span<const double> start, std::vector<double>* site_values) const {
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
    for (std::size_t i = 0; i < D; ++i)
        lambda[i] = !active[i]      ? 0.0
                    : start.empty() ? 0.5 * m_w[i]
                                    : std::clamp(start[i], 0.0, m_w[i]);
    const std::size_t patience = m_patience;
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
                const double ra =
                    m_cost[a] > 0 ? value[a] / m_cost[a] : std::numeric_limits<double>::infinity();
                const double rb =
                    m_cost[b] > 0 ? value[b] / m_cost[b] : std::numeric_limits<double>::infinity();
                return ra != rb ? ra > rb : a < b;
            });
            double room = budget;
            for (const std::uint32_t j : order) {
                if (value[j] <= 0.0) break;
                const double take =
                    m_cost[j] <= room ? 1.0 : (m_cost[j] > 0 ? room / m_cost[j] : 1.0);
                y[j] = take;
                L += take * value[j];
                room -= take * m_cost[j];
                if (room <= 0.0) break;
            }
        } else {
            const std::size_t k = std::min(count, order.size());
            std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k),
                              order.end(), [&](std::uint32_t a, std::uint32_t b) {
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
            if (site_values) *site_values = value;
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
        if (theta < 1e-4 || clock.seconds() > time_limit || (m_stop && m_stop())) break;
        double norm = 0.0;
        for (std::size_t i = 0; i < D; ++i) {
            // Projected onto [0, w_i]: a component pushing out of the box does not count.
            if (!active[i] || (lambda[i] <= 0.0 && g[i] > 0.0) ||
                (lambda[i] >= m_w[i] && g[i] < 0.0))
                g[i] = 0.0;
            norm += g[i] * g[i];
        }
        if (norm == 0.0) break;  // lambda is optimal
        const double step = theta * (L - std::min(target, L * (1.0 - 1e-9))) / norm;
        for (std::size_t i = 0; i < D; ++i)
            lambda[i] = std::clamp(lambda[i] - step * g[i], 0.0, m_w[i]);
    }
    if (used) *used = it + 1;
    return best;
}

double CoverageBound::facility_value(std::span<const std::uint32_t> row, double capacity,
                                     const std::vector<double>& lambda, std::vector<double>* g,
                                     double scale) const {
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
    return fractional_knapsack(
        items, capacity, [&](std::uint32_t i) { return m_w[i]; },
        [&](std::uint32_t i, double take) {
            if (g) (*g)[i] -= scale * take;
        });
}

double MedianBound::run(
    std::size_t count, const std::vector<double>& start, double upper, std::size_t iterations,
    double time_limit, std::size_t* used,
    const std::function<double(const std::vector<std::uint32_t>&)>& heuristic) const {
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
        for (std::size_t j = 0; j < m_rows.size(); ++j)
            rho[j] = facility_value(m_rows[j], lambda, nullptr);
        std::iota(order.begin(), order.end(), 0u);
        const std::size_t k = std::min(count, order.size());
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k),
                          order.end(), [&](std::uint32_t a, std::uint32_t b) {
                              return rho[a] != rho[b] ? rho[a] < rho[b] : a < b;
                          });
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
        if (theta < 1e-4 || clock.seconds() > time_limit || (m_stop && m_stop())) break;
        double norm = 0.0;
        for (std::size_t i = 0; i < D; ++i) norm += g[i] * g[i];
        if (norm == 0.0) break;
        const double step = theta * (std::max(upper, L + 1e-9 * std::abs(L)) - L) / norm;
        for (std::size_t i = 0; i < D; ++i) lambda[i] += step * g[i];
    }
    if (used) *used = it + 1;
    return best;
}

double MedianBound::facility_value(const Row& r, const std::vector<double>& lambda,
                                   std::vector<double>* g) const {
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
    // Fractional knapsack: profit -(w_i t_ij - lambda_i) for size w_i, best ratio first.
    thread_local std::vector<std::pair<double, std::uint32_t>> items;
    items.clear();
    for (std::size_t q = 0; q < r.items.size(); ++q) {
        const Item& it = r.items[q];
        if (m_w[it.id] <= 0.0) continue;
        const double c = m_w[it.id] * it.cost - lambda[it.id];
        if (c < 0.0) items.emplace_back(-c / m_w[it.id], static_cast<std::uint32_t>(q));
    }
    return -fractional_knapsack(
        items, r.capacity, [&](std::uint32_t q) { return m_w[r.items[q].id]; },
        [&](std::uint32_t q, double take) {
            if (g) (*g)[r.items[q].id] -= take;
        });
}

}  // namespace lifecircle::planners::detail
