#pragma once
// Internals shared by the suggest() solvers (one file per objective: suggest_coverage.cpp,
// suggest_median.cpp, suggest_capacitated.cpp; bounds in suggest_bound.cpp). Not installed API.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <vector>

#include "core/parallel.hpp"
#include "planners/suggest.hpp"

namespace lifecircle::planners::detail {

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

inline double relative_gap(double objective, double bound) {
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
    ParallelOptions quiet;
    quiet.threads = parallel.threads;
    parallel_for_each(
        blocks, quiet, [] { return 0; },
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

inline bool integral(double v) {
    return std::abs(v - std::round(v)) <= 1e-9 * std::max(1.0, std::abs(v));
}

/** A valid bound rounded to an integer when the data are integral (upper: floor, lower: ceil). */
inline double round_bound(double bound, bool integer_data, bool upper) {
    if (!integer_data || !std::isfinite(bound)) return bound;
    const double tol = 1e-6 * std::max(1.0, std::abs(bound));
    return upper ? std::floor(bound + tol) : std::ceil(bound - tol);
}

/**
 * Progress and cancellation of one suggest() run (SuggestOptions::progress and ::cancelled):
 * steps reported as they are done (never past the total), the total at the end.
 */
class Steps {
public:
    Steps(const SuggestOptions& o, std::size_t total)
        : m_o(o), m_total(std::max<std::size_t>(total, 1)) {}
    void done(std::size_t n = 1) {
        m_done = std::min(m_total, m_done + n);
        if (m_o.progress) m_o.progress(m_done, m_total);
    }
    void finish() { done(m_total); }
    bool cancelled() const { return m_o.cancelled && m_o.cancelled(); }
    /** Throws Cancelled when asked to stop before an answer exists. */
    void check_start() const {
        if (cancelled()) throw Cancelled();
    }

private:
    const SuggestOptions& m_o;
    std::size_t m_total, m_done = 0;
};

/** Perturbation restarts shared by the solvers: swap `r` open sites for closed ones. */
std::vector<std::uint32_t> perturb(const std::vector<std::uint32_t>& sites, std::size_t candidates,
                                   std::mt19937_64& rng, std::size_t r);

/** gap from the objective and the bound; proven optimal when they meet. */
void finish_gap(Suggestion& s);

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

/** The solvers, one per kind of problem (input already checked by suggest()). */
Suggestion solve_coverage(const LocationProblem& p, const SuggestOptions& o);
Suggestion solve_median(const LocationProblem& p, const SuggestOptions& o);
Suggestion solve_capacitated(const LocationProblem& p, const SuggestOptions& o);

/** Which candidates an exact solver must still consider (capacitated max coverage with a count):
    those whose best answer could beat the incumbent, and the largest bound of an answer that
    opens one of the others. */
struct Fixing {
    std::vector<std::uint8_t> keep;  ///< per candidate
    double excluded_bound = -std::numeric_limits<double>::infinity();
};
/** Bounds any answer opening a given candidate by the gains alone and by the Lagrangian with that
    site forced open (from `sites`' cut), and keeps the candidates whose bound exceeds `incumbent`.
 */
Fixing capacitated_fixing(const LocationProblem& p, const SuggestOptions& o,
                          std::span<const std::uint32_t> sites, double incumbent, double seconds);

/** The objective of the given open candidates, per kind of problem (see evaluate()). */
double evaluate_coverage(const LocationProblem& p, const SuggestOptions& o,
                         std::span<const std::uint32_t> open);
double evaluate_median(const LocationProblem& p, std::span<const std::uint32_t> open);
double evaluate_capacitated(const LocationProblem& p, const SuggestOptions& o,
                            std::span<const std::uint32_t> open);

}  // namespace lifecircle::planners::detail
