#include <cmath>
#include <cstdio>
#include <limits>

#include "core/error.hpp"
#include "io/od_matrix.hpp"
#include "studies/console.hpp"
#include "studies/suggestion.hpp"

namespace lifecircle::studies {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string csv_field(const std::string& id) {
    if (id.find_first_of(",\"\n\r") == std::string::npos) return id;
    std::string q = "\"";
    for (const char c : id) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string number_or_empty(double v) {
    if (!std::isfinite(v)) return {};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}

/** The summary of a matrix suggestion (`--summary`). */
nlohmann::ordered_json matrix_summary(const MatrixSuggestionOptions& o, const io::OdProblem& od,
                                      const MatrixSuggestionResult& r, std::size_t candidates, std::size_t existing) {
    const planners::Suggestion& s = r.suggestion;
    const std::size_t D = od.demand_ids.size();
    nlohmann::ordered_json j;
    solver_json(j, s, 1.0);  // the matrix's own cost unit
    nlohmann::ordered_json sel = nlohmann::ordered_json::array();
    for (const maps::SiteRow& row : r.rows) sel.push_back(row.candidate_id);
    j["selected"] = sel;
    const double total = s.total_weight;
    j["coverage_before"] = {{"weight", {{"covered", s.covered_before}, {"share", total > 0 ? s.covered_before / total : 0.0}}}};
    j["coverage_after"] = {{"weight", {{"covered", s.covered_after}, {"share", total > 0 ? s.covered_after / total : 0.0}}}};
    j["parameters"] = {{"matrix", o.matrix},
                       {"demand", o.demand},
                       {"candidates", o.candidates.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(o.candidates)},
                       {"existing", o.existing},
                       {"cutoff", json_number(o.cutoff)},
                       {"count", o.solver.count},
                       {"target", json_number(o.solver.objective == planners::Objective::min_facilities ? o.solver.target : nan)},
                       {"budget", json_number(std::isfinite(o.solver.budget) ? o.solver.budget : nan)},
                       {"seed", o.solver.seed},
                       {"time_limit_seconds", o.solver.time_limit},
                       {"exact", o.exact}};
    j["counts"] = {{"candidates", candidates},
                   {"existing", existing},
                   {"demand_points", D},
                   {"pairs_read", od.pairs_read},
                   {"pairs_beyond_cutoff", od.pairs_beyond_cutoff},
                   {"demand_not_in_matrix", od.demand_not_in_matrix}};
    return j;
}

}  // namespace

MatrixSuggestionResult run_matrix_suggestion(const MatrixSuggestionOptions& o, const Reporter& reporter) {
    const bool median = o.solver.objective == planners::Objective::p_median;
    const std::string objective(planners::objective_name(o.solver.objective));
    if (!median && !std::isfinite(o.cutoff))
        throw UsageError("with --matrix, " + objective + " needs --cutoff (in the matrix's unit)");
    io::OdOptions oo;
    // p-median uses every pair; the cutoff then only says what counts as covered.
    oo.cutoff = median ? std::numeric_limits<double>::infinity() : o.cutoff;
    oo.weight_field = o.weight_field;
    const io::OdProblem od = io::read_od_problem(o.matrix, o.demand, o.candidates, o.existing, oo);
    if (o.solver.capacitated && od.capacity.empty())
        throw UsageError("--capacitated with --matrix needs a candidates CSV with a capacity column (id,capacity)")
            .set_file(o.candidates.empty() ? o.matrix : o.candidates);
    if (std::isfinite(o.solver.budget) && od.cost.empty())
        throw UsageError("--budget with --matrix needs a candidates CSV with a cost column (id,capacity,cost or id,cost)");
    // Existing sites become the existing table; the others are the candidates.
    std::vector<std::uint8_t> is_existing(od.candidate_ids.size(), 0);
    for (const std::uint32_t e : od.existing) is_existing[e] = 1;
    std::vector<std::vector<TimeEntry>> cand_rows, exist_rows;
    std::vector<std::uint32_t> cand_of;
    std::vector<double> cap, ecap, cost;
    for (std::size_t j = 0; j < od.candidate_ids.size(); ++j) {
        const auto row = od.table.row(j);
        auto& rows = is_existing[j] ? exist_rows : cand_rows;
        rows.emplace_back(row.begin(), row.end());
        if (!od.capacity.empty()) (is_existing[j] ? ecap : cap).push_back(od.capacity[j]);
        if (is_existing[j]) continue;
        cand_of.push_back(static_cast<std::uint32_t>(j));
        if (!od.cost.empty()) cost.push_back(od.cost[j]);
    }
    const std::size_t D = od.demand_ids.size();
    const TimeTable cand(std::move(cand_rows), D), exist(std::move(exist_rows), D);
    if (cand.rows() == 0) throw InputError("every site in the matrix is an existing one: no candidates left").set_file(o.matrix);
    std::vector<double> fallback;
    if (median && exist.rows() > 0) {
        fallback.assign(D, std::numeric_limits<double>::infinity());
        for (std::size_t e = 0; e < exist.rows(); ++e)
            for (const TimeEntry& t : exist.row(e)) fallback[t.col] = std::min(fallback[t.col], double(t.seconds));
    }
    planners::LocationProblem p;
    p.weight = od.weight;
    p.candidates = &cand;
    p.existing = &exist;
    p.cutoff = std::isfinite(o.cutoff) ? o.cutoff : std::numeric_limits<double>::infinity();
    if (o.solver.capacitated) {
        p.candidate_capacity = cap;
        p.existing_capacity = ecap;
    }
    p.candidate_cost = cost;
    p.fallback = fallback;
    planners::SuggestOptions so = o.solver;
    search_callbacks(so, o.solver.parallel.threads, reporter);
    MatrixSuggestionResult r;
    r.suggestion = planners::suggest(p, so);
    reporter.check();
    if (r.suggestion.time_capped)
        reporter.warning("the time limit stopped the improvement early: a rerun on another machine may give another answer");
    if (o.exact) {
        planners::ExactOptions eo;
        eo.time_limit = o.exact_time_limit;
        so.progress = nullptr;
        r.suggestion = planners::suggest_exact(p, so, r.suggestion, eo);
        if (!r.suggestion.proven_optimal)
            reporter.warning("the exact solver stopped at its time limit without proving optimality");
    }
    const planners::Suggestion& s = r.suggestion;
    if (s.objective == planners::Objective::min_facilities && !s.target_reached)
        reporter.warning("the target " + fixed(100 * o.solver.target, 1) + "% cannot be reached: at most " +
                         fixed(100 * s.best_share, 2) + "% is within the cutoff of a candidate or an existing site; " +
                         fixed(s.unreachable_weight, 1) + " of the weight (" + std::to_string(s.unreachable.size()) +
                         " demand points) is beyond every one; the answer is the fewest sites for " +
                         fixed(100 * s.best_share, 2) + "%");
    r.csv = "rank,candidate_id,added_weight,assigned_weight,capacity,cost\n";
    for (std::size_t k = 0; k < s.selected.size(); ++k) {
        const std::uint32_t j = cand_of[s.selected[k]];
        maps::SiteRow row;
        row.rank = k + 1;
        row.candidate_id = od.candidate_ids[j];
        row.kind = "new";
        row.added_weight = s.added_weight[k];
        row.assigned_weight = s.assigned_weight[k];
        row.capacity = od.capacity.empty() ? nan : od.capacity[j];
        row.cost = od.cost.empty() ? nan : od.cost[j];
        char buf[256];
        std::snprintf(buf, sizeof buf, ",%.10g,%.10g,", row.added_weight, row.assigned_weight);
        r.csv += std::to_string(row.rank) + "," + csv_field(row.candidate_id) + buf + number_or_empty(row.capacity) +
                 "," + number_or_empty(row.cost) + "\n";
        r.rows.push_back(row);
    }
    r.summary = matrix_summary(o, od, r, cand.rows(), exist.rows());
    return r;
}

}  // namespace lifecircle::studies
