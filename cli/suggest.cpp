// lifecircle suggest: where new facilities close the gaps (studies::run_suggestion), on the road
// network (whole or in shards, cli/shards.hpp) or on a matrix another tool produced
// (studies::run_matrix_suggestion).
#include <cstdio>
#include <limits>

#include "cli/common.hpp"
#include "cli/shards.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "studies/verb_jobs.hpp"

namespace lifecircle::cli {

namespace {

struct SuggestArgs {
    NetworkArgs network;
    StandardArgs standard;
    TransitArgs transit;
    studies::FacilitySpec facilities;
    studies::DemandSpec demand;
    std::string weight_fields;
    studies::CandidateSpec candidates;
    std::string objective = "max-coverage";
    planners::SuggestOptions solver;
    std::optional<double> count, target, budget, candidate_capacity, p_median_minutes, expansion_cost;
    double time_limit = 600.0, exact_time_limit = 600.0;
    bool exact = false, update = false;
    std::string out, summary;
    std::string matrix, existing_ids;
    std::optional<double> cutoff;
    ShardArgs sharding;
};

/** Checks that the options fit the objective, before any file is read, and fills the solver's. */
void check_options(SuggestArgs& a) {
    const bool capacitated = a.solver.capacitated;
    const std::uint64_t seed = a.solver.seed;
    a.solver = studies::objective_options(a.objective, a.count, a.target, a.budget);
    a.solver.capacitated = capacitated;
    a.solver.seed = seed;
    a.solver.time_limit = a.time_limit;
    a.solver.parallel.threads = a.network.threads;
}

/** `scale` turns the objective into `unit` (seconds to minutes on the network); rows are in it. */
void print_result(const planners::Suggestion& s, const std::vector<maps::SiteRow>& rows, const std::string& unit,
                  double scale) {
    const bool median = s.objective == planners::Objective::p_median;
    std::fprintf(console(), "%s%s: %zu sites, %s\n", std::string(planners::objective_name(s.objective)).c_str(),
                s.capacitated ? " (capacitated)" : "", rows.size(), s.method.c_str());
    ConsoleTable t({"rank", "candidate", "kind", median ? "saved (" + unit + ")" : "added", "assigned", "capacity"});
    for (const maps::SiteRow& r : rows)
        t.add({std::to_string(r.rank), r.candidate_id, r.kind, fixed(r.added_weight, 1),
               fixed(r.assigned_weight, 1), fixed(r.capacity, 0)});
    t.print();
    const double k = median ? scale : 1.0;
    std::fprintf(console(), "objective %s%s, bound %s, gap %s%%%s\n", fixed(s.objective_value * k, 2).c_str(),
                median ? (" " + unit).c_str() : "", fixed(s.bound * k, 2).c_str(), fixed(100 * s.gap, 3).c_str(),
                s.proven_optimal ? " (proven optimal)" : "");
}

int run_matrix(SuggestArgs& a) {
    studies::MatrixSuggestionOptions o;
    o.matrix = a.matrix;
    o.demand = a.demand.path;
    o.candidates = a.candidates.path;
    if (!a.weight_fields.empty()) o.weight_field = a.weight_fields;
    o.existing = studies::split_list(a.existing_ids);
    o.cutoff = a.cutoff.value_or(std::numeric_limits<double>::quiet_NaN());
    o.solver = a.solver;
    o.exact = a.exact;
    o.exact_time_limit = a.exact_time_limit;
    const studies::MatrixSuggestionResult r = studies::run_matrix_suggestion_job(o, a.out, a.summary, reporter());
    const planners::Suggestion& s = r.suggestion;
    print_result(s, r.rows, "cost units", 1.0);
    std::fprintf(console(), "covered before %s, after %s\n", percent(s.covered_before, s.total_weight).c_str(),
                percent(s.covered_after, s.total_weight).c_str());
    print_note("suggest: " + std::to_string(r.rows.size()) + " sites written to " + a.out);
    return 0;
}

int print_run(const studies::SuggestionRun& run, const std::string& out) {
    const studies::SuggestionResult& r = run.result;
    const studies::SuggestionOptions& o = run.options;
    const planners::Suggestion& s = r.suggestion;
    const std::vector<std::string>& groups = run.area->demand.groups;
    print_result(s, r.rows, "people x min", 1.0 / 60.0);
    // The headline is what was optimised: seats served when capacitated, people covered otherwise.
    if (s.capacitated) {
        const auto served = [](const studies::ServiceResult& x) {
            return x.seats ? x.seats->assignment.totals.served_weight : 0.0;
        };
        const double total = r.before.overall[r.before.group].total;
        std::fprintf(console(), "%s served (with a seat within %s): before %s (%s), after %s (%s)\n", groups[r.before.group].c_str(),
                    o.service.standard.describe().c_str(), fixed(served(r.before), 0).c_str(),
                    percent(served(r.before), total).c_str(), fixed(served(r.after), 0).c_str(),
                    percent(served(r.after), total).c_str());
    }
    ConsoleTable t({"group", s.capacitated ? "within reach before" : "covered before",
                    s.capacitated ? "within reach after" : "covered after"});
    for (std::size_t g = 0; g < groups.size(); ++g)
        t.add({groups[g], percent(r.before.overall[g].covered, r.before.overall[g].total),
               percent(r.after.overall[g].covered, r.after.overall[g].total)});
    t.print();
    print_note("suggest: " + std::to_string(r.rows.size()) + " sites written to " + out);
    return 0;
}

studies::SuggestionJob suggestion_job(SuggestArgs& a) {
    a.candidates.capacity = a.candidate_capacity;
    a.candidates.expansion_cost = a.expansion_cost;
    a.demand.read.weight_fields = studies::split_list(a.weight_fields);
    studies::SuggestionJob job;
    job.spec.network = a.network.spec;
    job.spec.demand = a.demand;
    job.spec.threads = a.network.threads;
    job.transit = transit_spec(a.transit, a.network);
    job.out = a.out;
    job.summary = a.summary;
    job.update = a.update;
    job.standards_file = a.standard.choice.standards_file;
    job.args = studies::study_words(a.sharding.raw);
    studies::SuggestionOptions& o = job.options;
    o.service.standard = resolve(a.standard, a.network);
    o.service.facilities = a.facilities;
    o.candidates = a.candidates;
    o.solver = a.solver;
    o.p_median_minutes = a.p_median_minutes.value_or(0.0);
    o.exact = a.exact;
    o.exact_time_limit = a.exact_time_limit;
    return job;
}

/** The job in shards: its merge prints the sites. */
studies::ShardedStudy sharded_of(const studies::SuggestionJob& job) {
    studies::ShardedStudy s = studies::sharded_study(job);
    s.merge = [job](const std::string& dir, const studies::Reporter& rep) {
        print_run(studies::merge_suggestion(job, dir, rep), job.out);
    };
    return s;
}

void add_solver_options(CLI::App& cmd, SuggestArgs& a) {
    cmd.add_option("--objective", a.objective, "max-coverage, min-facilities or p-median")
        ->check(CLI::IsMember({"max-coverage", "min-facilities", "p-median"}))
        ->capture_default_str();
    cmd.add_flag("--capacitated", a.solver.capacitated,
                 "Each site serves at most its capacity, within the standard (covered = has a seat)");
    add_number(cmd, "--count", a.count, Quantity::count, "Number of new sites (max-coverage, p-median)");
    add_number(cmd, "--target", a.target, Quantity::share, "Share to cover (min-facilities), e.g. 0.95");
    add_number(cmd, "--budget", a.budget, Quantity::cost, "Total cost allowed (max-coverage, with --cost-field)");
    add_number(cmd, "--p-median-minutes", a.p_median_minutes, Quantity::minutes,
               "p-median: longest trip kept in the candidate table (default 3 x --minutes); beyond it demand is "
               "served by its nearest existing facility");
    cmd.add_option("--seed", a.solver.seed, "Seed of the restarts (same seed, same answer)")->capture_default_str();
    cmd.add_option("--time-limit", a.time_limit,
                   "A cap in seconds on the improvement phase (restarts, bound); below it the answer depends only on "
                   "--seed")
        ->check(valid(Quantity::seconds))
        ->capture_default_str();
    cmd.add_flag("--exact", a.exact,
                 "Then solve exactly with COIN-OR CBC from the heuristic's answer, and say whether optimality was "
                 "proven");
    cmd.add_option("--exact-time-limit", a.exact_time_limit, "Seconds CBC may take with --exact")
        ->check(valid(Quantity::seconds))
        ->capture_default_str();
}

void add_candidate_options(CLI::App& cmd, SuggestArgs& a) {
    studies::CandidateSpec& c = a.candidates;
    cmd.add_option("--candidates", c.path,
                   "Candidate sites (points, or parcels: their representative point), or 'auto': points every "
                   "--candidate-spacing metres along the roads around the gaps; with --matrix a CSV "
                   "id[,capacity][,cost]");
    add_point_input_options(cmd, c.read, "candidates", "candidate sites");
    cmd.add_option("--candidates-capacity-field", c.read.capacity_field, "Candidates' capacity field (seats, meals a day)");
    cmd.add_option("--cost-field", c.read.cost_field, "Candidates' cost field (for --budget)");
    add_number(cmd, "--candidate-capacity", a.candidate_capacity, Quantity::capacity,
               "Capacity of every new site (auto candidates)");
    cmd.add_option("--candidate-spacing", c.spacing_m, "Spacing (m) of auto candidates along the roads")
        ->check(valid(Quantity::spacing_m))
        ->capture_default_str();
    cmd.add_option("--max-candidates", c.max_candidates, "Refuse to generate more auto candidates than this")
        ->capture_default_str();
    cmd.add_option("--exclude", c.exclude.path, "Polygons where no site may go (water, parks, protected land)");
    add_point_input_options(cmd, c.exclude.read, "exclude", "exclusion polygons", false);
    cmd.add_option("--expansion-seats", c.expansion_seats,
                   "Also offer, at every existing facility, an extension with this many more seats")
        ->check(valid(Quantity::capacity));
    add_number(cmd, "--expansion-cost", a.expansion_cost, Quantity::cost, "Cost of one extension (for --budget)");
}

void add_suggest_options(CLI::App& cmd, SuggestArgs& a) {
    add_network_options(cmd, a.network, true);
    cmd.get_option("--network")->required(false);
    add_standard_options(cmd, a.standard);
    add_transit_options(cmd, a.transit);
    add_facility_options(cmd, a.facilities, {true, true}, false);
    add_demand_options(cmd, a.demand, a.weight_fields);
    add_candidate_options(cmd, a);
    add_solver_options(cmd, a);
    cmd.add_option("--matrix", a.matrix, "Your own matrix CSV from_id,to_id,cost (candidate to demand)");
    add_number(cmd, "--cutoff", a.cutoff, Quantity::cost, "With --matrix: the standard in the matrix's unit");
    cmd.add_option("--existing", a.existing_ids, "With --matrix: ids of sites already open, comma-separated");
    cmd.add_option("--out", a.out, "Selected sites: .geojson or .gpkg (with --matrix: .csv)")->required();
    cmd.add_option("--summary", a.summary, "Every figure and parameter as JSON");
    cmd.add_flag("--update", a.update, "Add the layer to an existing .gpkg, keeping its other layers");
    add_sharding_options(cmd, a.sharding);
    add_quiet_option(cmd);
}

}  // namespace

studies::ShardedStudy sharded_suggest(const std::vector<std::string>& words, unsigned threads) {
    SuggestArgs a;
    parse_words("suggest", words, a, add_suggest_options);
    if (threads > 0) a.network.threads = threads;
    check_options(a);
    return sharded_of(suggestion_job(a));
}

void add_suggest(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand(
        "suggest", "Where new facilities close the gaps: max-coverage, min-facilities or p-median, with capacities, "
                   "and a bound on how far from optimal the answer is");
    auto a = std::make_shared<SuggestArgs>();
    add_suggest_options(*cmd, *a);
    cmd->callback([&run, a] {
        keep_raw_args(a->sharding, "suggest");
        run = [a] {
            check_options(*a);
            if (!a->matrix.empty()) {
                if (!a->network.spec.path.empty()) throw UsageError("give --network or --matrix, not both");
                return run_matrix(*a);
            }
            if (a->network.spec.path.empty()) throw UsageError("give --network (or --matrix with your own matrix)");
            if (a->candidates.path.empty()) throw UsageError("give --candidates FILE or --candidates auto");
            const studies::SuggestionJob job = suggestion_job(*a);
            return run_as_asked(a->sharding, a->network.threads, [&job] { return sharded_of(job); },
                                [&job] { return print_run(studies::run_suggestion_job(job, reporter()), job.out); });
        };
    });
}

}  // namespace lifecircle::cli
