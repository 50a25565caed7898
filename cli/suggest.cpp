// lifecircle suggest: where new facilities close the gaps (max-coverage, min-facilities,
// p-median, capacitated), on the road network or on a matrix another tool produced.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "cli/format.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "core/polygon.hpp"
#include "core/time_table.hpp"
#include "core/wkb.hpp"
#include "io/demand.hpp"
#include "io/layer_writer.hpp"
#include "io/od_matrix.hpp"
#include "io/output.hpp"
#include "maps/suggest_layers.hpp"
#include "planners/coverage.hpp"
#include "planners/standards.hpp"
#include "planners/suggest.hpp"

namespace lifecircle::cli {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

struct SuggestArgs {
    NetworkArgs network;
    PointArgs facilities;  ///< existing (optional)
    PointArgs candidates;  ///< a layer, or path "auto"
    PointArgs exclude;
    std::string demand;
    io::DemandReadOptions demand_read;
    std::string weight_fields;
    std::string objective = "max-coverage";
    bool capacitated = false;
    std::size_t count = 0;
    double target = nan;
    double budget = nan;
    double minutes = 15.0;
    double median_minutes = 0.0;
    std::string standard, standards_file;
    std::string direction = "to-facility";
    double candidate_capacity = nan;
    double spacing = 100.0;
    std::size_t max_candidates = 20000;
    double expansion_seats = 0.0;
    double expansion_cost = nan;
    std::uint64_t seed = 1;
    double time_limit = 600.0;
    bool exact = false;
    double exact_time_limit = 600.0;
    std::string out, summary;
    bool update = false;
    // Bring your own matrix.
    std::string matrix;
    double cutoff = nan;
    std::string existing_ids;
};

std::vector<std::string> split_ids(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        const auto b = item.find_first_not_of(" \t");
        const auto e = item.find_last_not_of(" \t");
        if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    }
    return out;
}

planners::Objective parse_objective(const std::string& s) {
    if (s == "max-coverage") return planners::Objective::max_coverage;
    if (s == "min-facilities") return planners::Objective::min_facilities;
    return planners::Objective::p_median;
}

/** Checks that the options fit the objective, before any file is read. */
void check_options(const SuggestArgs& a) {
    const planners::Objective o = parse_objective(a.objective);
    const bool has_count = a.count > 0, has_target = std::isfinite(a.target), has_budget = std::isfinite(a.budget);
    if (o == planners::Objective::max_coverage && has_count == has_budget)
        throw UsageError("max-coverage needs exactly one of --count K and --budget B");
    if (o == planners::Objective::min_facilities && !has_target)
        throw UsageError("min-facilities needs --target SHARE (for example 0.95 = 95% of the residents)");
    if (o == planners::Objective::p_median && !has_count) throw UsageError("p-median needs --count K");
    if (has_target && o != planners::Objective::min_facilities)
        throw UsageError("--target is for --objective min-facilities");
    if (has_budget && o != planners::Objective::max_coverage)
        throw UsageError("--budget is for --objective max-coverage");
    if (has_count && o == planners::Objective::min_facilities)
        throw UsageError("min-facilities finds the count itself: give --target, not --count");
    if (has_target && !(a.target > 0 && a.target <= 1))
        throw UsageError("--target must be a share in (0, 1], for example 0.95");
}

nlohmann::ordered_json result_json(const planners::Suggestion& s) {
    nlohmann::ordered_json j;
    j["objective"] = std::string(planners::objective_name(s.objective));
    j["capacitated"] = s.capacitated;
    j["objective_value"] = s.objective_value;
    j["bound"] = num(s.bound);
    j["gap"] = num(s.gap);
    j["proven_optimal"] = s.proven_optimal;
    j["method"] = s.method;
    j["seconds"] = s.seconds;
    j["restarts"] = s.restarts;
    j["bound_iterations"] = s.bound_iterations;
    j["total_weight"] = s.total_weight;
    j["unreachable_weight"] = s.unreachable_weight;
    if (s.objective == planners::Objective::min_facilities) {
        j["target_reached"] = s.target_reached;
        j["best_share"] = s.best_share;
    }
    if (s.objective == planners::Objective::p_median) {
        j["weighted_minutes_before"] = num(s.weighted_time_before);
        j["weighted_minutes_after"] = num(s.weighted_time_after);
    }
    return j;
}

void print_result(const planners::Suggestion& s, const std::vector<maps::SiteRow>& rows, const std::string& unit,
                  double time_scale) {
    std::printf("%s%s: %zu sites, %s\n", std::string(planners::objective_name(s.objective)).c_str(),
                s.capacitated ? " (capacitated)" : "", rows.size(), s.method.c_str());
    std::printf("%5s  %-24s %-10s %14s %14s %10s\n", "rank", "candidate", "kind",
                s.objective == planners::Objective::p_median ? ("saved (" + unit + ")").c_str() : "added",
                "assigned", "capacity");
    for (const maps::SiteRow& r : rows)
        std::printf("%5zu  %-24s %-10s %14s %14s %10s\n", r.rank, r.candidate_id.c_str(), r.kind.c_str(),
                    fixed(s.objective == planners::Objective::p_median ? r.added_weight * time_scale : r.added_weight, 1)
                        .c_str(),
                    fixed(r.assigned_weight, 1).c_str(), fixed(r.capacity, 0).c_str());
    const bool median = s.objective == planners::Objective::p_median;
    const double scale = median ? time_scale : 1.0;
    std::printf("objective %s%s, bound %s, gap %s%%%s\n", fixed(s.objective_value * scale, 2).c_str(),
                median ? (" " + unit).c_str() : "", fixed(s.bound * scale, 2).c_str(), fixed(100 * s.gap, 3).c_str(),
                s.proven_optimal ? " (proven optimal)" : "");
}

/** The solver options common to both kinds of run. */
planners::SuggestOptions solver_options(const SuggestArgs& a) {
    planners::SuggestOptions so;
    so.objective = parse_objective(a.objective);
    so.capacitated = a.capacitated;
    so.count = a.count;
    if (std::isfinite(a.target)) so.target = a.target;
    if (std::isfinite(a.budget)) so.budget = a.budget;
    so.seed = a.seed;
    so.time_limit = a.time_limit;
    so.parallel.threads = a.network.threads;
    return so;
}

/** Writes the summary JSON to its staged file. */
void write_summary(io::OutputPlan& plan, std::size_t request, const nlohmann::ordered_json& j,
                   const std::string& /*path: the plan names it in its messages*/) {
    plan.write_text(plan.file_of(request), j.dump(2) + "\n");
}

/** The heuristic with its bound, then (--exact) CBC from its answer. */
planners::Suggestion solve(const planners::LocationProblem& p, const planners::SuggestOptions& so,
                           const SuggestArgs& a) {
    planners::Suggestion s = planners::suggest(p, so);
    if (s.time_capped)
        print_warning("--time-limit " + fixed(a.time_limit, 0) +
                      " s stopped the improvement early: a rerun on another machine may give another answer");
    if (!a.exact) return s;
    planners::ExactOptions eo;
    eo.time_limit = a.exact_time_limit;
    s = planners::suggest_exact(p, so, s, eo);
    if (!s.proven_optimal)
        print_warning("--exact stopped at --exact-time-limit " + fixed(a.exact_time_limit, 0) +
                      " s without proving optimality; the gap to the bound is " + fixed(100 * s.gap, 3) + "%");
    return s;
}

/** Bring-your-own-matrix run: everything in the matrix's unit, CSV out. */
int run_matrix(const SuggestArgs& a) {
    std::vector<io::OutputRequest> requests = {{"--out", a.out, {".csv"}, ".csv", false}};
    const std::size_t summary_req = a.summary.empty() ? 0 : requests.size();
    if (!a.summary.empty()) requests.push_back({"--summary", a.summary, {".json"}, ".json", false});
    std::vector<std::pair<std::string, std::string>> inputs = {{"--matrix", a.matrix}, {"--demand", a.demand}};
    if (!a.candidates.path.empty()) inputs.push_back({"--candidates", a.candidates.path});
    io::OutputPlan plan = plan_outputs(std::move(requests), inputs);
    const planners::Objective objective = parse_objective(a.objective);
    const bool median = objective == planners::Objective::p_median;
    if (!median && !std::isfinite(a.cutoff))
        throw UsageError("with --matrix, " + a.objective + " needs --cutoff (in the matrix's unit)");
    io::OdOptions oo;
    // p-median uses every pair; --cutoff then only says what counts as covered.
    oo.cutoff = median ? std::numeric_limits<double>::infinity() : a.cutoff;
    if (!a.weight_fields.empty()) oo.weight_field = a.weight_fields;
    const io::OdProblem od = io::read_od_problem(a.matrix, a.demand, a.candidates.path, split_ids(a.existing_ids), oo);
    if (a.capacitated && od.capacity.empty())
        throw UsageError("--capacitated with --matrix needs a candidates CSV with a capacity column (id,capacity)")
            .set_file(a.candidates.path.empty() ? a.matrix : a.candidates.path);
    if (std::isfinite(a.budget) && od.cost.empty())
        throw UsageError("--budget with --matrix needs a candidates CSV with a cost column (id,capacity,cost or id,cost)");
    // Existing sites become the existing table; the others are the candidates.
    std::vector<std::uint8_t> is_existing(od.candidate_ids.size(), 0);
    for (const std::uint32_t e : od.existing) is_existing[e] = 1;
    std::vector<std::vector<TimeEntry>> cand_rows, exist_rows;
    std::vector<std::uint32_t> cand_of;
    std::vector<double> cap, ecap, cost;
    for (std::size_t j = 0; j < od.candidate_ids.size(); ++j) {
        const auto row = od.table.row(j);
        if (is_existing[j]) {
            exist_rows.emplace_back(row.begin(), row.end());
            if (!od.capacity.empty()) ecap.push_back(od.capacity[j]);
        } else {
            cand_rows.emplace_back(row.begin(), row.end());
            cand_of.push_back(static_cast<std::uint32_t>(j));
            if (!od.capacity.empty()) cap.push_back(od.capacity[j]);
            if (!od.cost.empty()) cost.push_back(od.cost[j]);
        }
    }
    const std::size_t D = od.demand_ids.size();
    const TimeTable cand(std::move(cand_rows), D), exist(std::move(exist_rows), D);
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
    p.cutoff = std::isfinite(a.cutoff) ? a.cutoff : std::numeric_limits<double>::infinity();
    if (a.capacitated) {
        p.candidate_capacity = cap;
        p.existing_capacity = ecap;
    }
    p.candidate_cost = cost;
    p.fallback = fallback;
    const planners::SuggestOptions so = solver_options(a);
    if (cand.rows() == 0) throw InputError("every site in the matrix is an existing one: no candidates left").set_file(a.matrix);
    const planners::Suggestion s = solve(p, so, a);

    std::vector<maps::SiteRow> rows;
    for (std::size_t k = 0; k < s.selected.size(); ++k) {
        const std::uint32_t j = cand_of[s.selected[k]];
        maps::SiteRow r;
        r.rank = k + 1;
        r.candidate_id = od.candidate_ids[j];
        r.kind = "new";
        r.added_weight = s.added_weight[k];
        r.assigned_weight = s.assigned_weight[k];
        r.capacity = od.capacity.empty() ? nan : od.capacity[j];
        r.cost = od.cost.empty() ? nan : od.cost[j];
        rows.push_back(r);
    }
    {
        io::TextOutput file = plan.open_text(plan.file_of(0));
        file << "rank,candidate_id,added_weight,assigned_weight,capacity,cost\n";
        auto csv = [](const std::string& id) {
            if (id.find_first_of(",\"\n") == std::string::npos) return id;
            std::string q = "\"";
            for (const char c : id) q += c == '"' ? std::string("\"\"") : std::string(1, c);
            return q + "\"";
        };
        char buf[256];
        for (const maps::SiteRow& r : rows) {
            std::snprintf(buf, sizeof buf, ",%.10g,%.10g,", r.added_weight, r.assigned_weight);
            file << r.rank << "," << csv(r.candidate_id) << buf << (std::isfinite(r.capacity) ? fixed(r.capacity, 6) : "")
                 << "," << (std::isfinite(r.cost) ? fixed(r.cost, 6) : "") << "\n";
        }
        file.close();
    }
    nlohmann::ordered_json j = result_json(s);
    nlohmann::ordered_json sel = nlohmann::ordered_json::array();
    for (const maps::SiteRow& r : rows) sel.push_back(r.candidate_id);
    j["selected"] = sel;
    j["coverage_before"] = {{"weight", {{"covered", s.covered_before},
                                        {"share", s.total_weight > 0 ? s.covered_before / s.total_weight : 0.0}}}};
    j["coverage_after"] = {{"weight", {{"covered", s.covered_after},
                                       {"share", s.total_weight > 0 ? s.covered_after / s.total_weight : 0.0}}}};
    j["parameters"] = {{"matrix", a.matrix},
                       {"demand", a.demand},
                       {"candidates", a.candidates.path.empty() ? nlohmann::ordered_json(nullptr)
                                                                : nlohmann::ordered_json(a.candidates.path)},
                       {"existing", split_ids(a.existing_ids)},
                       {"cutoff", num(a.cutoff)},
                       {"count", a.count},
                       {"target", num(a.target)},
                       {"budget", num(a.budget)},
                       {"seed", a.seed},
                       {"time_limit_seconds", a.time_limit},
                       {"exact", a.exact}};
    j["counts"] = {{"candidates", cand.rows()},
                   {"existing", exist.rows()},
                   {"demand_points", D},
                   {"pairs_read", od.pairs_read},
                   {"pairs_beyond_cutoff", od.pairs_beyond_cutoff},
                   {"demand_not_in_matrix", od.demand_not_in_matrix}};
    if (!a.summary.empty()) write_summary(plan, summary_req, j, a.summary);
    plan.commit();
    if (objective == planners::Objective::min_facilities && !s.target_reached)
        print_warning("the target " + fixed(100 * a.target, 1) + "% cannot be reached: at most " +
                      fixed(100 * s.best_share, 2) + "% is within the cutoff of any site; " +
                      fixed(s.unreachable_weight, 1) + " of the weight (" + std::to_string(s.unreachable.size()) +
                      " demand points) is beyond every candidate and existing site; the answer is the fewest "
                      "sites for " + fixed(100 * s.best_share, 2) + "%");
    print_result(s, rows, "cost units", 1.0);
    std::printf("covered before %s (%s%%), after %s (%s%%)\n", fixed(s.covered_before, 1).c_str(),
                fixed(100 * s.covered_before / std::max(s.total_weight, 1e-300), 2).c_str(),
                fixed(s.covered_after, 1).c_str(),
                fixed(100 * s.covered_after / std::max(s.total_weight, 1e-300), 2).c_str());
    print_note("suggest: " + std::to_string(rows.size()) + " sites written to " + a.out);
    return 0;
}

int run_network(SuggestArgs& a, const CLI::Option* minutes_opt, const CLI::Option* mode_opt,
                const CLI::Option* speed_opt) {
    std::string standard_title;
    if (!a.standard.empty()) {
        const std::vector<ServiceStandard> catalogue = standards_catalogue(a.standards_file);
        const ServiceStandard& st = find_standard(catalogue, a.standard);
        standard_title = st.name + " (" + st.title_en + "; " + st.source.short_name + ")";
        if (!minutes_opt->count() && st.minutes) a.minutes = *st.minutes;
        if (!mode_opt->count()) a.network.mode = std::string(mode_name(st.mode));
        if (!speed_opt->count() && st.walk_speed_kmh) a.network.walk_speed_kmh = *st.walk_speed_kmh;
        if (!st.minutes && st.metres && !minutes_opt->count())
            a.minutes = *st.metres / (a.network.walk_speed_kmh / 3.6) / 60.0;
    }
    const std::vector<std::string> layer_formats = {".geojson", ".json", ".gpkg"};
    std::vector<io::OutputRequest> requests = {{"--out", a.out, layer_formats, ".geojson", true}};
    const std::size_t summary_req = a.summary.empty() ? 0 : requests.size();
    if (!a.summary.empty()) requests.push_back({"--summary", a.summary, {".json"}, ".json", false});
    std::vector<std::pair<std::string, std::string>> inputs = {{"--network", a.network.path}, {"--demand", a.demand}};
    if (!a.facilities.path.empty()) inputs.push_back({"--facilities", a.facilities.path});
    const bool auto_cands = a.candidates.path == "auto";
    if (!auto_cands) inputs.push_back({"--candidates", a.candidates.path});
    if (!a.exclude.path.empty()) inputs.push_back({"--exclude", a.exclude.path});
    io::OutputPlan plan = plan_outputs(std::move(requests), inputs);
    const planners::Objective objective = parse_objective(a.objective);
    const bool median = objective == planners::Objective::p_median;
    if (!a.facilities.path.empty()) {
        apply_point_defaults(a.facilities, "", "id");
        check_points(a.facilities);
    }
    if (!auto_cands) {
        apply_point_defaults(a.candidates, "", "id");
        check_points(a.candidates);
    }
    if (a.capacitated) {
        if (!a.facilities.path.empty() && a.facilities.read.capacity_field.empty())
            throw UsageError("--capacitated with --facilities needs --capacity-field (their seats)");
        if (a.candidates.read.capacity_field.empty() && !std::isfinite(a.candidate_capacity))
            throw UsageError("--capacitated needs the new sites' capacity: --candidate-capacity N or "
                             "--candidates-capacity-field FIELD");
    }
    if (a.expansion_seats > 0 && a.facilities.path.empty())
        throw UsageError("--expansion-seats needs --facilities (the facilities that could grow)");
    if (std::isfinite(a.budget) && a.candidates.read.cost_field.empty() && !(a.expansion_seats > 0))
        throw UsageError("--budget needs the sites' costs: --cost-field FIELD on the candidates");

    const Mode mode = selected_mode(a.network);
    io::NetworkOptions no = a.network.read;
    no.profiles = {default_profile(mode, a.network.walk_speed_kmh)};
    io::Network net = io::load_network(a.network.path, no);
    for (const std::string& w : net.warnings) print_note("note: " + a.network.path + ": " + w);
    const Direction dir = a.direction == "to-facility" ? Direction::backward : Direction::forward;
    const ProfileId profile = net.graph.profile_id(mode, dir);
    const Snapper snapper(net.graph, profile, a.network.snap);
    ParallelOptions par;
    par.threads = a.network.threads;
    const Seconds cutoff = a.minutes * 60.0;
    const Seconds table_bound = median ? (a.median_minutes > 0 ? a.median_minutes : 3 * a.minutes) * 60.0 : cutoff;

    // Demand: the first weight field is optimised; every group is reported.
    io::DemandReadOptions dro = a.demand_read;
    dro.weight_fields = split_ids(a.weight_fields);
    dro.profile = profile.forward();
    const io::DemandSet demand = io::read_demand(a.demand, dro, net);
    for (const std::string& n : demand.notes) print_note("note: " + a.demand + ": " + n);
    if (demand.xy.empty()) throw InputError("the demand layer has no residents (every weight is 0)").set_file(a.demand);
    const std::vector<Snap> dsnaps = snapper.snap_all(demand.xy);
    std::size_t unsnapped = 0;
    for (const Snap& s : dsnaps) unsnapped += s.ok() ? 0 : 1;
    if (unsnapped == dsnaps.size())
        throw InputError("no demand point could be placed on the road network; check --max-snap and the CRS")
            .set_file(a.demand);
    const TargetIndex targets(net.graph, dsnaps);
    const std::vector<double>& w = demand.weights[0];

    // Existing facilities.
    LoadedPoints fac;
    std::vector<Snap> fsnaps;
    std::vector<double> ecap;
    if (!a.facilities.path.empty()) {
        fac = load_points(a.facilities, net);
        fsnaps = snapper.snap_all(fac.xy);
        report_unsnapped(a.facilities.path, fac, fsnaps);
        if (!a.facilities.read.capacity_field.empty())
            for (std::size_t i = 0; i < fac.records.size(); ++i) {
                const double c = fac.records[i].capacity;
                if (!std::isfinite(c) || c < 0)
                    throw InputError("the capacity field '" + a.facilities.read.capacity_field +
                                     "' is empty or negative: give every facility its capacity (0 for none)")
                        .set_file(a.facilities.path)
                        .set_feature(fac.ids[i]);
                ecap.push_back(c);
            }
    }
    const SourceSet existing_sources = SourceSet::from_snaps(fsnaps);
    TableOptions to;
    to.cutoff = cutoff;
    to.parallel = par;
    const TimeTable existing =
        fsnaps.empty() ? TimeTable({}, dsnaps.size()) : time_table(net.graph, profile, existing_sources, targets, to);
    std::vector<std::uint8_t> covered_by_existing(dsnaps.size(), 0);
    for (std::size_t e = 0; e < existing.rows(); ++e)
        for (const TimeEntry& t : existing.row(e)) covered_by_existing[t.col] = 1;

    // Candidates.
    std::vector<Point> cxy;
    std::vector<std::string> cids, cnames, ckinds;
    std::vector<double> ccap, ccost;
    std::vector<Snap> csnaps;
    std::size_t generated = 0, excluded = 0;
    if (auto_cands) {
        std::vector<Point> gaps;
        for (std::size_t i = 0; i < dsnaps.size(); ++i)
            if (dsnaps[i].ok() && !covered_by_existing[i] && w[i] > 0) gaps.push_back(demand.xy[i]);
        cxy = auto_candidates(net.graph, gaps, straight_reach_m(mode, a.network.walk_speed_kmh, cutoff), a.spacing);
        generated = cxy.size();
        if (cxy.size() > a.max_candidates)
            throw UsageError(std::to_string(cxy.size()) + " candidates would be generated every " + fixed(a.spacing, 0) +
                             " m around the gaps, more than --max-candidates " + std::to_string(a.max_candidates) +
                             ": raise --candidate-spacing or --max-candidates");
        for (std::size_t k = 0; k < cxy.size(); ++k) {
            cids.push_back("auto-" + std::to_string(k + 1));
            cnames.emplace_back();
            ckinds.emplace_back("new");
            ccap.push_back(a.candidate_capacity);
            ccost.push_back(1.0);
        }
    } else {
        const LoadedPoints c = load_points(a.candidates, net);
        for (std::size_t k = 0; k < c.xy.size(); ++k) {
            cxy.push_back(c.xy[k]);
            cids.push_back(c.ids[k]);
            cnames.push_back(c.records[k].name);
            ckinds.emplace_back("new");
            double cap = a.candidate_capacity;
            if (!a.candidates.read.capacity_field.empty()) {
                cap = c.records[k].capacity;
                if (!std::isfinite(cap) || cap < 0)
                    throw InputError("the capacity field '" + a.candidates.read.capacity_field +
                                     "' is empty or negative: give every candidate its capacity")
                        .set_file(a.candidates.path)
                        .set_feature(c.ids[k]);
            }
            ccap.push_back(cap);
            double cost = 1.0;
            if (!a.candidates.read.cost_field.empty()) {
                cost = c.records[k].cost;
                if (!std::isfinite(cost) || cost < 0)
                    throw InputError("the cost field '" + a.candidates.read.cost_field +
                                     "' is empty or negative: give every candidate its cost")
                        .set_file(a.candidates.path)
                        .set_feature(c.ids[k]);
            }
            ccost.push_back(cost);
        }
    }
    if (!a.exclude.path.empty()) {
        PointArgs ex = a.exclude;
        apply_point_defaults(ex, "", "id");
        const std::vector<MultiPolygonXY> polys =
            read_polygons(ex, net, "the exclusion layer must hold polygons (water, parks, protected land)");
        const PolygonIndex index(polys);
        std::size_t keep = 0;
        for (std::size_t k = 0; k < cxy.size(); ++k) {
            if (!index.containing(cxy[k]).empty()) {
                ++excluded;
                continue;
            }
            cxy[keep] = cxy[k];
            cids[keep] = cids[k];
            cnames[keep] = cnames[k];
            ckinds[keep] = ckinds[k];
            ccap[keep] = ccap[k];
            ccost[keep] = ccost[k];
            ++keep;
        }
        cxy.resize(keep);
        cids.resize(keep);
        cnames.resize(keep);
        ckinds.resize(keep);
        ccap.resize(keep);
        ccost.resize(keep);
    }
    csnaps = snapper.snap_all(cxy);
    // Expansions: more seats at an existing facility, at its place.
    if (a.expansion_seats > 0) {
        for (std::size_t e = 0; e < fsnaps.size(); ++e) {
            if (!fsnaps[e].ok()) continue;
            cxy.push_back(fac.xy[e]);
            csnaps.push_back(fsnaps[e]);
            cids.push_back(fac.ids[e] + "+" + fixed(a.expansion_seats, 0));
            cnames.push_back(fac.records[e].name);
            ckinds.emplace_back("expansion");
            ccap.push_back(a.expansion_seats);
            ccost.push_back(std::isfinite(a.expansion_cost) ? a.expansion_cost : 1.0);
        }
    }
    std::size_t cands_unsnapped = 0;
    for (const Snap& s : csnaps) cands_unsnapped += s.ok() ? 0 : 1;
    if (cxy.empty() || cands_unsnapped == csnaps.size())
        throw InputError(cxy.empty() ? "no candidate sites are left" + std::string(excluded ? " after the exclusion" : "")
                                     : "no candidate site could be placed on the road network")
            .set_file(auto_cands ? a.network.path : a.candidates.path);
    const SourceSet cand_sources = SourceSet::from_snaps(csnaps);
    TableOptions cto;
    cto.cutoff = table_bound;
    cto.parallel = par;
    Progress progress("candidate searches");
    cto.parallel.progress = progress.callback();
    cto.parallel.progress_every = 64;
    const TimeTable cand_table = time_table(net.graph, profile, cand_sources, targets, cto);

    // p-median: beyond the table, the nearest existing facility (one multi-source search).
    std::vector<double> fallback;
    std::size_t beyond_everything = 0;
    if (median) {
        fallback.assign(dsnaps.size(), std::numeric_limits<double>::infinity());
        if (!fsnaps.empty()) {
            const planners::Nearest near = planners::nearest_facility(net.graph, profile, existing_sources, dsnaps, par);
            for (std::size_t i = 0; i < dsnaps.size(); ++i) fallback[i] = near.seconds[i];
        }
    }
    planners::LocationProblem p;
    p.weight = w;
    p.candidates = &cand_table;
    p.existing = &existing;
    p.cutoff = cutoff;
    if (a.capacitated) {
        p.candidate_capacity = ccap;
        p.existing_capacity = ecap;
    }
    p.candidate_cost = ccost;
    p.fallback = fallback;
    // Demand that nothing reaches within the table and no existing facility serves is charged
    // the table bound: a lower estimate of its time, stated in the summary.
    p.unreached_penalty = table_bound;
    const planners::SuggestOptions so = solver_options(a);
    const planners::Suggestion s = solve(p, so, a);

    // Coverage per group before and after (within the standard, capacities aside).
    std::vector<std::uint8_t> covered_after = covered_by_existing;
    for (const std::uint32_t j : s.selected)
        for (const TimeEntry& t : cand_table.row(j))
            if (t.seconds <= cutoff) covered_after[t.col] = 1;
    nlohmann::ordered_json before, after;
    for (std::size_t g = 0; g < demand.groups.size(); ++g) {
        double total = 0, b = 0, c = 0;
        for (std::size_t i = 0; i < dsnaps.size(); ++i) {
            total += demand.weights[g][i];
            if (covered_by_existing[i]) b += demand.weights[g][i];
            if (covered_after[i]) c += demand.weights[g][i];
        }
        before[demand.groups[g]] = {{"total", total}, {"covered", b}, {"share", total > 0 ? b / total : 0.0}};
        after[demand.groups[g]] = {{"total", total}, {"covered", c}, {"share", total > 0 ? c / total : 0.0}};
    }
    if (a.capacitated) {
        before[demand.groups[0]]["served"] = s.covered_before;
        after[demand.groups[0]]["served"] = s.covered_after;
        const double total = s.total_weight;
        before[demand.groups[0]]["served_share"] = total > 0 ? s.covered_before / total : 0.0;
        after[demand.groups[0]]["served_share"] = total > 0 ? s.covered_after / total : 0.0;
    }
    if (median)
        for (std::size_t i = 0; i < dsnaps.size(); ++i)
            if (dsnaps[i].ok() && w[i] > 0 && !std::isfinite(fallback[i])) {
                bool reached = false;
                for (const std::uint32_t j : s.selected) reached = reached || std::isfinite(cand_table.at(j, static_cast<std::uint32_t>(i)));
                if (!reached) ++beyond_everything;
            }

    std::vector<maps::SiteRow> rows;
    for (std::size_t k = 0; k < s.selected.size(); ++k) {
        const std::uint32_t j = s.selected[k];
        maps::SiteRow r;
        r.rank = k + 1;
        r.candidate_id = cids[j];
        r.name = cnames[j];
        r.kind = ckinds[j];
        r.wkb = wkb_point(csnaps[j].ok() ? csnaps[j].on_road : cxy[j]);
        r.added_weight = median ? s.added_weight[k] / 60.0 : s.added_weight[k];
        r.assigned_weight = s.assigned_weight[k];
        r.capacity = a.capacitated ? ccap[j] : nan;
        r.cost = a.candidates.read.cost_field.empty() && !(a.expansion_seats > 0) ? nan : ccost[j];
        rows.push_back(r);
    }
    io::WriteOptions wo;
    wo.update = a.update;
    wo.threads = a.network.threads;
    for (const std::string& n : io::write_layers(plan, plan.file_of(0), {maps::sites_layer(rows)}, net.work_crs, wo))
        print_note("note: " + n);

    nlohmann::ordered_json j = result_json(s);
    if (median) {
        // Minutes, not seconds, in what the user reads.
        j["objective_value"] = s.objective_value / 60.0;
        j["bound"] = num(s.bound / 60.0);
        j["weighted_minutes_before"] = num(s.weighted_time_before / 60.0);
        j["weighted_minutes_after"] = num(s.weighted_time_after / 60.0);
        j["objective_unit"] = "people x minutes";
        j["demand_beyond_table_and_existing"] = beyond_everything;
    } else {
        j["objective_unit"] = objective == planners::Objective::min_facilities ? "sites" : "people";
    }
    nlohmann::ordered_json sel = nlohmann::ordered_json::array();
    for (const maps::SiteRow& r : rows) sel.push_back(r.candidate_id);
    j["selected"] = sel;
    j["coverage_before"] = before;
    j["coverage_after"] = after;
    if (!s.unreachable.empty()) {
        nlohmann::ordered_json un = nlohmann::ordered_json::array();
        std::vector<std::uint32_t> order = s.unreachable;
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) { return w[x] > w[y]; });
        for (std::size_t k = 0; k < std::min<std::size_t>(order.size(), 100); ++k) {
            const std::uint32_t i = order[k];
            un.push_back({{"id", demand.ids[demand.feature[i]]}, {"weight", w[i]}});
        }
        j["unreachable_demand"] = un;
    }
    j["parameters"] = {{"network", a.network.path},
                       {"mode", a.network.mode},
                       {"walk_speed_kmh", a.network.walk_speed_kmh},
                       {"direction", a.direction},
                       {"minutes", a.minutes},
                       {"standard", standard_title.empty() ? nlohmann::ordered_json(nullptr)
                                                           : nlohmann::ordered_json(standard_title)},
                       {"p_median_table_minutes", median ? num(table_bound / 60.0) : num(nan)},
                       {"demand", a.demand},
                       {"weight_field", demand.groups[0]},
                       {"facilities", a.facilities.path.empty() ? nlohmann::ordered_json(nullptr)
                                                                : nlohmann::ordered_json(a.facilities.path)},
                       {"candidates", a.candidates.path},
                       {"candidate_spacing_m", auto_cands ? num(a.spacing) : num(nan)},
                       {"exclude", a.exclude.path.empty() ? nlohmann::ordered_json(nullptr)
                                                          : nlohmann::ordered_json(a.exclude.path)},
                       {"count", a.count},
                       {"target", num(a.target)},
                       {"budget", num(a.budget)},
                       {"capacitated", a.capacitated},
                       {"seed", a.seed},
                       {"time_limit_seconds", a.time_limit},
                       {"exact", a.exact},
                       {"work_crs", net.work_crs}};
    j["counts"] = {{"candidates", cxy.size()},
                   {"candidates_generated", generated},
                   {"candidates_excluded", excluded},
                   {"candidates_unsnapped", cands_unsnapped},
                   {"expansions", a.expansion_seats > 0 ? fsnaps.size() : 0},
                   {"existing_facilities", fsnaps.size()},
                   {"demand_points", dsnaps.size()},
                   {"demand_points_unsnapped", unsnapped},
                   {"table_pairs", cand_table.size()}};
    if (!a.summary.empty()) write_summary(plan, summary_req, j, a.summary);
    plan.commit();

    if (auto_cands)
        print_note("note: " + std::to_string(generated) + " candidate sites generated every " + fixed(a.spacing, 0) +
                   " m along the roads around the gaps");
    if (excluded) print_note("note: " + std::to_string(excluded) + " candidates inside the exclusion layer dropped");
    if (objective == planners::Objective::min_facilities && !s.target_reached) {
        std::string where;
        std::vector<std::uint32_t> order = s.unreachable;
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) { return w[x] > w[y]; });
        for (std::size_t k = 0; k < std::min<std::size_t>(order.size(), 3); ++k)
            where += (k ? ", " : "") + demand.ids[demand.feature[order[k]]] + " (" + fixed(w[order[k]], 1) + ")";
        print_warning("the target " + fixed(100 * a.target, 1) + "% cannot be reached: at most " +
                      fixed(100 * s.best_share, 2) + "% of " + demand.groups[0] + " is within " + fixed(a.minutes, 1) +
                      " min of a candidate or an existing facility; " + fixed(s.unreachable_weight, 1) + " people in " +
                      std::to_string(s.unreachable.size()) + " demand points are beyond every one" +
                      (where.empty() ? "" : " (the largest: " + where + ")") + "; the answer is the fewest sites for " +
                      fixed(100 * s.best_share, 2) + "%");
    }
    print_result(s, rows, "people x min", 1.0 / 60.0);
    for (std::size_t g = 0; g < demand.groups.size(); ++g)
        std::printf("%-16s covered before %6s%%, after %6s%%\n", demand.groups[g].c_str(),
                    fixed(100 * before[demand.groups[g]]["share"].get<double>(), 2).c_str(),
                    fixed(100 * after[demand.groups[g]]["share"].get<double>(), 2).c_str());
    print_note("suggest: " + std::to_string(rows.size()) + " sites written to " + a.out);
    return 0;
}

}  // namespace

void add_suggest(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand(
        "suggest", "Where new facilities close the gaps: max-coverage, min-facilities or p-median, with capacities, "
                   "and a bound on how far from optimal the answer is");
    auto a = std::make_shared<SuggestArgs>();
    add_network_options(*cmd, a->network, true);
    cmd->get_option("--network")->required(false);
    cmd->add_option("--demand", a->demand,
                    "Residents (as for coverage); with --matrix a CSV id,weight")
        ->required();
    cmd->add_option("--demand-layer", a->demand_read.layer, "Layer of a multi-layer demand file");
    cmd->add_option("--demand-crs", a->demand_read.input_crs, "CRS of the demand when it has none or it is wrong");
    cmd->add_option("--demand-id-field", a->demand_read.id_field, "Demand id field")->capture_default_str();
    cmd->add_option("--weight-field", a->weight_fields,
                    "Fields with residents; the first is optimised, all are reported (with --matrix: the "
                    "weight column, default weight)");
    cmd->add_option("--facilities", a->facilities.path, "Existing facilities (they stay open)");
    add_point_input_options(*cmd, a->facilities, "facilities", "existing facilities");
    cmd->add_option("--capacity-field", a->facilities.read.capacity_field, "Existing facilities' capacity field");
    cmd->add_option("--candidates", a->candidates.path,
                    "Candidate sites (points, or parcels: their representative point), or 'auto': points every "
                    "--candidate-spacing metres along the roads around the gaps; with --matrix a CSV "
                    "id[,capacity][,cost]");
    add_point_input_options(*cmd, a->candidates, "candidates", "candidate sites");
    cmd->add_option("--candidates-capacity-field", a->candidates.read.capacity_field,
                    "Candidates' capacity field (seats, meals a day)");
    cmd->add_option("--cost-field", a->candidates.read.cost_field, "Candidates' cost field (for --budget)");
    cmd->add_option("--candidate-capacity", a->candidate_capacity, "Capacity of every new site (auto candidates)")
        ->check(CLI::Range(0.0, 1e12));
    cmd->add_option("--candidate-spacing", a->spacing, "Spacing (m) of auto candidates along the roads")
        ->check(CLI::Range(5.0, 100000.0))
        ->capture_default_str();
    cmd->add_option("--max-candidates", a->max_candidates, "Refuse to generate more auto candidates than this")
        ->capture_default_str();
    cmd->add_option("--exclude", a->exclude.path, "Polygons where no site may go (water, parks, protected land)");
    add_point_input_options(*cmd, a->exclude, "exclude", "exclusion polygons", false);
    cmd->add_option("--expansion-seats", a->expansion_seats,
                    "Also offer, at every existing facility, an extension with this many more seats")
        ->check(CLI::Range(0.0, 1e12));
    cmd->add_option("--expansion-cost", a->expansion_cost, "Cost of one extension (for --budget)");
    cmd->add_option("--objective", a->objective, "max-coverage, min-facilities or p-median")
        ->check(CLI::IsMember({"max-coverage", "min-facilities", "p-median"}))
        ->capture_default_str();
    cmd->add_flag("--capacitated", a->capacitated,
                  "Each site serves at most its capacity, within the standard (covered = has a seat)");
    cmd->add_option("--count", a->count, "Number of new sites (max-coverage, p-median)")->check(CLI::Range(1, 1000000));
    cmd->add_option("--target", a->target, "Share to cover (min-facilities), e.g. 0.95");
    cmd->add_option("--budget", a->budget, "Total cost allowed (max-coverage, with --cost-field)")
        ->check(CLI::Range(0.0, 1e18));
    auto* minutes_opt = cmd->add_option("--minutes", a->minutes, "The standard: minutes to the nearest facility")
                            ->check(CLI::Range(0.01, 1440.0))
                            ->capture_default_str();
    cmd->add_option("--p-median-minutes", a->median_minutes,
                    "p-median: longest trip kept in the candidate table (default 3 x --minutes); beyond it demand is "
                    "served by its nearest existing facility")
        ->check(CLI::Range(0.01, 1440.0));
    cmd->add_option("--standard", a->standard, "A service standard from the catalogue (lifecircle standards)");
    cmd->add_option("--standards-file", a->standards_file, "Your own standards (TOML)");
    cmd->add_option("--direction", a->direction, "to-facility (residents travel) or from-facility")
        ->check(CLI::IsMember({"to-facility", "from-facility"}))
        ->capture_default_str();
    cmd->add_option("--seed", a->seed, "Seed of the restarts (same seed, same answer)")->capture_default_str();
    cmd->add_option("--time-limit", a->time_limit,
                    "A cap in seconds on the improvement phase (restarts, bound); below it the answer depends only "
                    "on --seed")
        ->check(CLI::Range(0.0, 86400.0))
        ->capture_default_str();
    cmd->add_flag("--exact", a->exact,
                  "Then solve exactly with COIN-OR CBC from the heuristic's answer, and say whether optimality "
                  "was proven");
    cmd->add_option("--exact-time-limit", a->exact_time_limit, "Seconds CBC may take with --exact")
        ->check(CLI::Range(0.01, 604800.0))
        ->capture_default_str();
    cmd->add_option("--matrix", a->matrix, "Your own matrix CSV from_id,to_id,cost (candidate to demand)");
    cmd->add_option("--cutoff", a->cutoff, "With --matrix: the standard in the matrix's unit")
        ->check(CLI::Range(0.0, 1e18));
    cmd->add_option("--existing", a->existing_ids, "With --matrix: ids of sites already open, comma-separated");
    cmd->add_option("--out", a->out, "Selected sites: .geojson or .gpkg (with --matrix: .csv)")->required();
    cmd->add_option("--summary", a->summary, "Every figure and parameter as JSON");
    cmd->add_flag("--update", a->update, "Add the layer to an existing .gpkg, keeping its other layers");
    add_quiet_option(*cmd);
    auto* mode_opt = cmd->get_option("--mode");
    auto* speed_opt = cmd->get_option("--walk-speed");
    cmd->callback([&run, a, minutes_opt, mode_opt, speed_opt] {
        run = [a, minutes_opt, mode_opt, speed_opt] {
            check_options(*a);
            if (!a->matrix.empty()) {
                if (!a->network.path.empty()) throw UsageError("give --network or --matrix, not both");
                return run_matrix(*a);
            }
            if (a->network.path.empty()) throw UsageError("give --network (or --matrix with your own matrix)");
            if (a->candidates.path.empty())
                throw UsageError("give --candidates FILE or --candidates auto");
            return run_network(*a, minutes_opt, mode_opt, speed_opt);
        };
    });
}

}  // namespace lifecircle::cli
