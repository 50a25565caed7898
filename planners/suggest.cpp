#include "planners/suggest.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "core/error.hpp"
#include "planners/suggest_detail.hpp"

namespace lifecircle::planners {

std::string_view objective_name(Objective objective) {
    switch (objective) {
        case Objective::max_coverage:
            return "max-coverage";
        case Objective::min_facilities:
            return "min-facilities";
        case Objective::p_median:
            return "p-median";
    }
    return "?";
}

namespace {

void check_problem(const LocationProblem& p, const SuggestOptions& o) {
    if (p.candidates == nullptr) throw UsageError("suggest: no candidate table given");
    const std::size_t D = p.weight.size();
    if (p.candidates->cols() != D)
        throw InputError("suggest: the candidate table has " +
                         std::to_string(p.candidates->cols()) + " demand columns for " +
                         std::to_string(D) + " weights");
    if (p.existing && p.existing->rows() > 0 && p.existing->cols() != D)
        throw InputError("suggest: the existing-facility table has " +
                         std::to_string(p.existing->cols()) + " demand columns for " +
                         std::to_string(D) + " weights");
    for (std::size_t i = 0; i < D; ++i)
        if (!std::isfinite(p.weight[i]) || p.weight[i] < 0.0)
            throw InputError("suggest: demand point " + std::to_string(i) + " has weight " +
                             std::to_string(p.weight[i]) + "; weights must be finite and >= 0");
    const std::size_t C = p.candidates->rows();
    const std::size_t E = p.existing ? p.existing->rows() : 0;
    if (!p.candidate_capacity.empty() && p.candidate_capacity.size() != C)
        throw InputError("suggest: " + std::to_string(p.candidate_capacity.size()) +
                         " capacities for " + std::to_string(C) + " candidates");
    if (!p.candidate_cost.empty() && p.candidate_cost.size() != C)
        throw InputError("suggest: " + std::to_string(p.candidate_cost.size()) + " costs for " +
                         std::to_string(C) + " candidates");
    if (!p.fallback.empty() && p.fallback.size() != D)
        throw InputError("suggest: " + std::to_string(p.fallback.size()) + " fallback times for " +
                         std::to_string(D) + " demand points");
    for (const double c : p.candidate_cost)
        if (!std::isfinite(c) || c < 0.0)
            throw InputError("suggest: candidate costs must be finite and >= 0");
    if (o.capacitated) {
        if (p.candidate_capacity.size() != C)
            throw InputError("suggest: capacitated needs one capacity per candidate (" +
                             std::to_string(C) + ")");
        if (p.existing_capacity.size() != E)
            throw InputError("suggest: capacitated needs one capacity per existing facility (" +
                             std::to_string(E) + ")");
    }
    if (!(p.cutoff > 0.0) && !std::isinf(p.cutoff))
        throw UsageError("suggest: the cutoff must be > 0");
    const bool budgeted = o.objective == Objective::max_coverage && std::isfinite(o.budget);
    if ((o.objective == Objective::p_median ||
         (o.objective == Objective::max_coverage && !budgeted)) &&
        o.count == 0)
        throw UsageError(std::string("suggest: ") + std::string(objective_name(o.objective)) +
                         " needs a number of sites to choose (count >= 1)" +
                         (o.objective == Objective::max_coverage ? " or a budget" : ""));
    if (o.count > C && !budgeted && o.objective != Objective::min_facilities)
        throw InputError("suggest: " + std::to_string(o.count) + " sites asked for but only " +
                         std::to_string(C) + " candidates given");
    if (o.objective == Objective::min_facilities && !(o.target > 0.0 && o.target <= 1.0))
        throw UsageError("suggest: the target share must be in (0, 1]");
    if (budgeted && !(o.budget >= 0.0)) throw UsageError("suggest: the budget must be >= 0");
    std::vector<std::uint8_t> seen(C, 0);
    for (const std::uint32_t j : o.start) {
        if (j >= C || seen[j])
            throw UsageError("suggest: the start sites must be distinct candidate indices");
        seen[j] = 1;
    }
    if (!o.start.empty() && o.objective == Objective::p_median && o.start.size() > o.count)
        throw UsageError("suggest: more start sites than the count");
}

}  // namespace

double unreached_charge(const LocationProblem& p) {
    if (std::isfinite(p.unreached_penalty)) return p.unreached_penalty;
    double largest = 0.0;
    for (std::size_t j = 0; j < p.candidates->rows(); ++j)
        for (const TimeEntry& t : p.candidates->row(j))
            largest = std::max(largest, double(t.seconds));
    if (p.existing)
        for (std::size_t e = 0; e < p.existing->rows(); ++e)
            for (const TimeEntry& t : p.existing->row(e))
                largest = std::max(largest, double(t.seconds));
    for (const double f : p.fallback)
        if (std::isfinite(f)) largest = std::max(largest, f);
    return 2.0 * std::max(largest, 1.0);
}

namespace detail {

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
            f = static_cast<std::uint32_t>(
                std::uniform_int_distribution<std::size_t>(0, candidates - 1)(rng));
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

}  // namespace detail

Suggestion suggest(const LocationProblem& problem, const SuggestOptions& options) {
    check_problem(problem, options);
    Suggestion s;
    if (options.capacitated)
        s = detail::solve_capacitated(problem, options);
    else if (options.objective == Objective::p_median)
        s = detail::solve_median(problem, options);
    else
        s = detail::solve_coverage(problem, options);
    if (options.objective == Objective::min_facilities && s.total_weight > 0)
        s.target_reached =
            s.target_reached && s.covered_after >= options.target * s.total_weight * (1 - 1e-9);
    s.time_capped = s.seconds >= 0.5 * options.time_limit;
    return s;
}

double evaluate(const LocationProblem& problem, const SuggestOptions& options,
                std::span<const std::uint32_t> open) {
    check_problem(problem, options);
    if (options.capacitated) return detail::evaluate_capacitated(problem, options, open);
    if (options.objective == Objective::p_median) return detail::evaluate_median(problem, open);
    return detail::evaluate_coverage(problem, options, open);
}

}  // namespace lifecircle::planners
