#pragma once
/**
 * Site suggestion (location-allocation) on sparse tables, with a bound on every answer.
 *
 * The problem is given as tables from the same bounded search coverage uses: rows = candidate
 * sites (or existing facilities), columns = demand points, entries = travel time (any cost unit
 * works: a matrix from another tool is read the same way). Objectives:
 *  - max_coverage (MCLP): choose `count` new sites (or sites costing at most `budget`) to
 *    maximise the weight within `cutoff` of an open facility; existing facilities stay open and
 *    what they cover is already covered.
 *  - min_facilities (partial set cover): the fewest new sites for a covered share >= `target`
 *    (of all demand weight); when that share cannot be reached, the fewest sites that reach the
 *    highest share that can, with the weight no site and no existing facility reaches.
 *  - p_median: choose `count` sites minimising total weight x time, each point served by its
 *    nearest open facility among the table's pairs, else by its `fallback` time (its nearest
 *    existing facility, whatever the distance), else at `unreached_penalty` per unit weight.
 *  - capacitated: each facility serves at most its capacity and only within the cutoff (p-median:
 *    within the table); demand is assigned optimally as in coverage's served share (assign()):
 *    "covered" means "has a seat within reach".
 *
 * Heuristic (always): lazy greedy (coverage is submodular, so lazy evaluation is exact), then
 * best-improvement swap search (for the uncapacitated problems Whitaker's fast interchange
 * with the closest / second-closest bookkeeping of Resende & Werneck; for the capacitated ones
 * each move evaluated exactly by an IncrementalAssignment, the optimal assignment repaired
 * around the site opened or closed instead of solved again, and only after bounds on the move's
 * gain said it could be the best: capacity, weight within reach, the gain with the existing
 * facilities alone, a dual bound from the assignment's potentials), then seeded perturbation
 * restarts while time is left. Deterministic for a given seed and any thread count.
 *
 * Bound (always): Lagrangian relaxation of the assignment constraints, solved by subgradient
 * optimisation (each facility's subproblem a fractional knapsack when capacitated); every
 * Lagrangian value is a valid bound, so the best one found is reported: for maximisation an
 * upper bound, for minimisation a lower bound, never on the wrong side of the optimum. The
 * capacitated coverage objectives also use the sites' gains alone (served weight is submodular
 * in the open set, so the optimum serves at most what the existing facilities serve plus the
 * `count` largest gains of single sites), often the tighter where seats are short, and start the
 * subgradient from a minimum cut of the heuristic's assignment. When every weight x time is an
 * integer the bound is rounded up (minimisation) or down (maximisation) to an integer, which is
 * still valid. gap = |objective - bound| / |objective|; the objective is the chosen sites' value
 * at full precision (the capacitated p-median's from the table's seconds, not the assignment's
 * rounded ones), and proven_optimal means it meets the bound.
 *
 * Exact (optional): a MIP through COIN-OR CBC seeded with the heuristic's answer (see
 * suggest_exact()), which says whether optimality was proven.
 */

#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/time_table.hpp"

namespace lifecircle::planners {

enum class Objective : std::uint8_t { max_coverage, min_facilities, p_median };
/** "max-coverage", "min-facilities" or "p-median". */
std::string_view objective_name(Objective objective);

/** A location problem. Spans and pointers must outlive the call. */
struct LocationProblem {
    /** Demand weight per column (people of one group), finite and >= 0. */
    std::span<const double> weight;
    /** Candidate sites x demand points, rows sorted by column (time_table() gives that). */
    const TimeTable* candidates = nullptr;
    /** Existing open facilities x demand points (null or zero rows = none). */
    const TimeTable* existing = nullptr;
    /** A pair covers when its time is <= cutoff (coverage objectives and capacitated p-median
        use only such pairs; the tables may hold more). */
    double cutoff = std::numeric_limits<double>::infinity();
    /** Per candidate seats / meals; empty = uncapacitated. */
    std::span<const double> candidate_capacity;
    /** Per existing facility; needed when capacitated. */
    std::span<const double> existing_capacity;
    /** Per candidate cost (for `budget`); empty = every site costs 1. */
    std::span<const double> candidate_cost;
    /** p-median: per demand point the time to serve it when no open candidate in the table does
        (its nearest existing facility); empty = none. */
    std::span<const double> fallback;
    /** p-median: time charged per unit weight to demand that no open facility reaches and that
        has no fallback; NaN = twice the largest time in the tables (any reaching site is
        better). */
    double unreached_penalty = std::numeric_limits<double>::quiet_NaN();
};

struct SuggestOptions {
    Objective objective = Objective::max_coverage;
    bool capacitated = false;
    /** Sites to choose (max_coverage without budget, p_median). */
    std::size_t count = 0;
    /** Covered share to reach (min_facilities), in (0, 1]. */
    double target = 1.0;
    /** Total candidate cost allowed (max_coverage); infinity = use `count`. */
    double budget = std::numeric_limits<double>::infinity();
    /** Seed of the perturbation restarts. */
    std::uint64_t seed = 1;
    /** A cap on the improvement phase (restarts, subgradient), seconds. The work is bounded by
        `restarts` and `bound_iterations`, so the answer depends only on the seed unless this cap
        is reached first (Suggestion::time_capped says so). The greedy and the first local
        optimum are always completed. */
    double time_limit = 600.0;
    /** Restarts (perturbation + local search) at most; 0 = none. Capacitated problems, whose
        moves each cost an exact assignment, use a fortieth of it. */
    std::size_t restarts = 200;
    /** Subgradient iterations at most. */
    std::size_t bound_iterations = 1000;
    /** Its threads only: the search reports through `progress` and `cancelled` below. */
    ParallelOptions parallel;
    /** Start from these candidates instead of the greedy (an exact solver's answer, a
        planner's own list); the search then only improves on them. */
    std::vector<std::uint32_t> start;
    /** Called now and then with (steps done, steps in all) of the search: the greedy's picks,
        the restarts, the bound. From the calling thread; may be empty. */
    std::function<void(std::size_t done, std::size_t total)> progress;
    /** Asked now and then; true stops the search: with the answer so far (Suggestion::cancelled)
        once the greedy is complete, else by throwing Cancelled (core/error.hpp). May be empty. */
    std::function<bool()> cancelled;
};

struct Suggestion {
    Objective objective = Objective::max_coverage;
    bool capacitated = false;
    /** Chosen candidates (row indices), in pick order: rank = position + 1. */
    std::vector<std::uint32_t> selected;
    /** Per selected site: the marginal gain when it was added in pick order (covered or served
        weight for coverage objectives; weight x time saved for p-median). */
    std::vector<double> added_weight;
    /** Per selected site: the weight it serves (nearest open facility, or the assignment). */
    std::vector<double> assigned_weight;
    /** Covered (served) weight, number of sites, or total weight x time. */
    double objective_value = 0.0;
    /** Valid bound on the optimum: upper for max_coverage, lower for the others. */
    double bound = 0.0;
    /** |objective - bound| / |objective| (0 when both are 0). */
    double gap = 0.0;
    bool proven_optimal = false;
    std::string method;
    /** Total demand weight. */
    double total_weight = 0.0;
    /** Weight covered (served when capacitated) by existing facilities only, and with the
        selected sites added (for p-median: within the cutoff). */
    double covered_before = 0.0, covered_after = 0.0;
    /** Weight no candidate and no existing facility covers within the cutoff. */
    double unreachable_weight = 0.0;
    /** Demand points with weight > 0 that nothing covers. */
    std::vector<std::uint32_t> unreachable;
    /** min_facilities: whether the target share was reached, and the highest share possible. */
    bool target_reached = true;
    double best_share = 0.0;
    /** Total weight x time before and after (p-median; NaN otherwise). */
    double weighted_time_before = std::numeric_limits<double>::quiet_NaN();
    double weighted_time_after = std::numeric_limits<double>::quiet_NaN();
    std::size_t restarts = 0, bound_iterations = 0, evaluations = 0;
    double seconds = 0.0;
    /** The time cap stopped the improvement: another run may differ. */
    bool time_capped = false;
    /** SuggestOptions::cancelled stopped the improvement: the answer so far, with its bound. */
    bool cancelled = false;
};

/**
 * Solves `problem` heuristically with a bound. Throws InputError on inconsistent input (sizes,
 * negative weights or capacities, a count larger than the candidates, capacitated without
 * capacities) and UsageError on options that do not fit the objective.
 */
Suggestion suggest(const LocationProblem& problem, const SuggestOptions& options);

/** The p-median charge per unit weight for demand that no open facility reaches and that has
    no fallback: LocationProblem::unreached_penalty, or twice the largest time in the tables. */
double unreached_charge(const LocationProblem& problem);

/** How suggest_exact() runs CBC. */
struct ExactOptions {
    double time_limit = 600.0;  ///< seconds
    unsigned threads = 1;
};

/**
 * Solves `problem` as a MIP with COIN-OR CBC, started from `heuristic` (suggest()'s answer for
 * the same problem and options), and returns the answer with CBC's bound combined with the
 * heuristic's (the tighter of the two valid bounds) and whether optimality was proven.
 * Formulations (x = fraction of a point's weight served by a facility, y = site open):
 *  - coverage: max sum w_i z_i, z_i <= sum_{j covers i} y_j, sum y_j <= count (or
 *    sum cost_j y_j <= budget); min-facilities: min sum y_j, sum w_i z_i >= goal;
 *  - p-median: min sum w_i (t_ij - f_i) x_ij (+ sum w_i f_i), x_ij <= y_j, sum_j x_ij <= 1,
 *    sum y_j <= count, f_i = the fallback (or unreached charge);
 *  - capacitated: x_ij <= y_j, sum_j x_ij <= 1, sum_i w_i x_ij <= capacity_j y_j over the pairs
 *    within the cutoff (p-median: also better than the fallback), existing facilities always
 *    open. The capacitated p-median MIP minimises cost with the fallback as an option, a
 *    relaxation of suggest()'s "serve the most, then the fastest", so its bound is valid too.
 * The returned answer is suggest()'s description of CBC's sites (pick order, gains).
 */
Suggestion suggest_exact(const LocationProblem& problem, const SuggestOptions& options,
                         const Suggestion& heuristic, const ExactOptions& exact = {});

/** The objective of a given set of open candidates (for tests and what-if). */
double evaluate(const LocationProblem& problem, const SuggestOptions& options,
                std::span<const std::uint32_t> open);

}  // namespace lifecircle::planners
