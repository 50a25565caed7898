#include "studies/suggestion.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/wkb.hpp"
#include "studies/console.hpp"
#include "studies/merge.hpp"

namespace lifecircle::studies {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string fmt(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

[[noreturn]] void no_residents(const StudyArea& area, std::size_t group) {
    throw InputError("the group '" + area.demand.groups[group] +
                     "' has no residents (every weight is 0): there is nothing to place sites for; choose "
                     "another group (the first weight field) or check the weights");
}

/** p-median: the longest trip its candidate table keeps (s); -1 = the standard. */
Seconds median_table_bound(const SuggestionOptions& o) {
    if (o.solver.objective != planners::Objective::p_median) return -1.0;
    return (o.p_median_minutes > 0 ? o.p_median_minutes : 3.0 * o.service.standard.minutes.value_or(15.0)) * 60.0;
}

/** Candidate sites of a layer, as read. */
CandidateSet candidate_layer(const FacilitySet& f, const CandidateSpec& c) {
    CandidateSet out;
    out.ids = f.ids;
    out.names = f.names;
    out.xy = f.xy;
    out.kinds.assign(f.size(), "new");
    out.capacity = f.has_capacity() ? f.capacity : std::vector<double>(f.size(), c.capacity.value_or(0.0));
    out.cost = f.cost.empty() ? std::vector<double>(f.size(), 1.0) : f.cost;
    return out;
}

/** Drops the candidates inside the exclusion layer; the indexes of those kept. */
std::vector<std::uint32_t> drop_excluded(CandidateSet& out, const CandidateSpec& c, const io::Network& net,
                                         const Reporter& reporter) {
    std::vector<std::uint32_t> kept(out.xy.size());
    for (std::size_t k = 0; k < kept.size(); ++k) kept[k] = static_cast<std::uint32_t>(k);
    if (c.exclude.path.empty()) return kept;
    const PolygonSet polys = read_polygon_layer(
        c.exclude, net, "the exclusion layer must hold polygons (water, parks, protected land)", reporter);
    const PolygonIndex index(polys.polygons);
    std::size_t keep = 0;
    for (std::size_t k = 0; k < out.xy.size(); ++k) {
        if (!index.containing(out.xy[k]).empty()) {
            ++out.excluded;
            continue;
        }
        out.xy[keep] = out.xy[k];
        out.ids[keep] = out.ids[k];
        out.names[keep] = out.names[k];
        out.kinds[keep] = out.kinds[k];
        out.capacity[keep] = out.capacity[k];
        out.cost[keep] = out.cost[k];
        kept[keep] = static_cast<std::uint32_t>(k);
        ++keep;
    }
    for (auto* v : {&out.ids, &out.names, &out.kinds}) v->resize(keep);
    out.xy.resize(keep);
    out.capacity.resize(keep);
    out.cost.resize(keep);
    kept.resize(keep);
    return kept;
}

/** Expansions: more seats at each placed existing facility, at its place; the facilities. */
std::vector<std::uint32_t> add_expansions(CandidateSet& out, const CandidateSpec& c, const ServiceResult& before) {
    std::vector<std::uint32_t> at;
    const FacilitySet& e = before.facilities;
    for (std::size_t i = 0; c.expansion_seats > 0 && i < e.size(); ++i) {
        if (!before.placed.snaps[i].ok()) continue;
        out.xy.push_back(e.xy[i]);
        out.ids.push_back(e.ids[i] + "+" + fmt(c.expansion_seats, 0));
        out.names.push_back(e.names[i]);
        out.kinds.emplace_back("expansion");
        out.capacity.push_back(c.expansion_seats);
        out.cost.push_back(c.expansion_cost.value_or(1.0));
        ++out.expansions;
        at.push_back(static_cast<std::uint32_t>(i));
    }
    return at;
}

/** Refuses a candidate set with no site left or none placed. */
void check_placed(CandidateSet& out, const CandidateSpec& c, const std::string& network) {
    out.unsnapped = out.placed.snaps.size() - out.placed.placed;
    if (out.xy.empty() || out.placed.placed == 0) {
        std::string why = out.xy.empty() ? "no candidate sites are left" : "no candidate site could be placed on the road network";
        if (out.xy.empty() && out.excluded) why += " after the exclusion";
        if (out.xy.empty() && c.path == "auto") why += ": every resident of the group is already covered";
        throw InputError(why).set_file(c.path == "auto" ? network : c.path);
    }
}

/** Auto candidates around the residents of the group that the existing facilities leave
    uncovered, or the candidate layer. */
CandidateSet read_candidates(const StudyArea& area, const SuggestionOptions& o, const ServiceResult& before,
                             const Reporter& reporter) {
    const CandidateSpec& c = o.candidates;
    const StudyStandard& st = o.service.standard;
    const bool capacitated = o.solver.capacitated;
    CandidateSet out;
    if (c.path == "auto") {
        const std::vector<double>& w = area.demand.weights[before.group];
        std::vector<Point> gaps;
        for (std::size_t i = 0; i < area.demand_snaps.size(); ++i)
            if (area.demand_snaps[i].ok() && !before.coverage.covered[i] && w[i] > 0) gaps.push_back(area.demand.xy[i]);
        const double seconds = st.minutes ? st.max_seconds() : *st.metres / (st.walk_speed_kmh / 3.6);
        double reach = straight_reach_m(st.mode, st.walk_speed_kmh, seconds);
        // Downhill a slope-aware walk is up to 1.19 times the flat speed.
        if (area.net.graph.elevation.applied && st.mode == Mode::walk) reach *= tobler_speed_factor(-0.05);
        if (st.metres) reach = std::min(reach, *st.metres);
        // The candidates are at most one per spacing x spacing cell of the roads' extent.
        const Box box = area.net.graph.bounds();
        const double cells = (box.max.x - box.min.x) * (box.max.y - box.min.y) / (c.spacing_m * c.spacing_m);
        out.xy = auto_candidates(area.net.graph, gaps, reach, c.spacing_m);
        out.generated = out.xy.size();
        if (out.xy.size() > c.max_candidates)
            throw UsageError(std::to_string(out.xy.size()) + " candidates would be generated every " +
                             fmt(c.spacing_m, 0) + " m around the gaps (of at most " + fmt(cells, 0) +
                             " cells), more than the limit of " + std::to_string(c.max_candidates) +
                             ": raise the candidate spacing (--candidate-spacing, candidate_spacing_m) or the limit "
                             "(--max-candidates)");
        for (std::size_t k = 0; k < out.xy.size(); ++k) {
            std::string id = "auto-";  // (appended: GCC 12's -Wrestrict false positive on "literal" + string&&)
            id += std::to_string(k + 1);
            out.ids.push_back(std::move(id));
            out.names.emplace_back();
            out.kinds.emplace_back("new");
            out.capacity.push_back(c.capacity.value_or(0.0));
            out.cost.push_back(1.0);
        }
    } else {
        out = candidate_layer(read_facilities(candidate_spec(c), area.net, reporter), c);
    }
    drop_excluded(out, c, area.net, reporter);
    out.placed = place_points(out.xy, *area.snapper);
    if (!add_expansions(out, c, before).empty()) out.placed = place_points(out.xy, *area.snapper);
    check_placed(out, c, area.net.path);
    if (!capacitated) out.capacity.clear();
    return out;
}

void check_options(const StudyArea& area, const SuggestionOptions& o, const CandidateSet& cands) {
    const planners::SuggestOptions& s = o.solver;
    if (s.objective != planners::Objective::min_facilities && s.count > cands.xy.size())
        throw UsageError("the count " + std::to_string(s.count) + " is more than the " +
                         std::to_string(cands.xy.size()) + " candidate sites; ask for fewer sites or give more candidates");
    (void)area;
}

}  // namespace

planners::SuggestOptions objective_options(const std::string& objective, std::optional<double> count,
                                           std::optional<double> target, std::optional<double> budget,
                                           bool command_line) {
    using planners::Objective;
    const std::string dash = command_line ? "--" : "";
    planners::SuggestOptions s;
    if (objective == "max-coverage")
        s.objective = Objective::max_coverage;
    else if (objective == "min-facilities")
        s.objective = Objective::min_facilities;
    else if (objective == "p-median")
        s.objective = Objective::p_median;
    else
        throw UsageError(dash + "objective must be max-coverage, min-facilities or p-median, not '" + objective + "'");
    const Objective o = s.objective;
    if (o == Objective::max_coverage && count.has_value() == budget.has_value())
        throw UsageError("max-coverage needs exactly one of " + dash + "count K and " + dash + "budget B");
    if (o == Objective::min_facilities && !target)
        throw UsageError("min-facilities needs " + dash + "target SHARE (for example 0.95 = 95% of the residents)");
    if (o == Objective::p_median && !count) throw UsageError("p-median needs " + dash + "count K");
    if (target && o != Objective::min_facilities) throw UsageError(dash + "target is for objective min-facilities");
    if (budget && o != Objective::max_coverage) throw UsageError(dash + "budget is for objective max-coverage");
    if (count && o == Objective::min_facilities)
        throw UsageError("min-facilities finds the count itself: give " + dash + "target, not " + dash + "count");
    if (count) s.count = static_cast<std::size_t>(check_option(Quantity::count, *count, dash + "count"));
    if (target) s.target = check_option(Quantity::share, *target, dash + "target");
    if (budget) s.budget = check_option(Quantity::cost, *budget, dash + "budget");
    return s;
}

SiteTableSpec candidate_table(const SuggestionOptions& o) {
    return {candidate_spec(o.candidates), median_table_bound(o), o.solver.objective != planners::Objective::p_median,
            o.candidates.expansion_seats > 0};
}

FacilitySpec candidate_spec(const CandidateSpec& c) {
    FacilitySpec fs;
    fs.path = c.path;
    fs.table = c.table;
    fs.read = c.read;
    fs.label = "--candidates";
    return fs;
}

void check_suggestion(const SuggestionOptions& o) {
    const bool existing = !o.service.facilities.path.empty() || !o.service.facilities.osm_kind.empty();
    if (o.candidates.path.empty()) throw UsageError("give the candidate sites: a file, or 'auto' (--candidates auto)");
    if (o.solver.capacitated) {
        if (existing && o.service.facilities.read.capacity_field.empty())
            throw UsageError("a capacitated suggestion needs the existing facilities' seats (--capacity-field)");
        if (o.candidates.read.capacity_field.empty() && !o.candidates.capacity)
            throw UsageError("a capacitated suggestion needs the new sites' capacity: --candidate-capacity N or "
                             "--candidates-capacity-field FIELD");
    }
    if (o.candidates.expansion_seats > 0 && !existing)
        throw UsageError("--expansion-seats needs --facilities (the facilities that could grow)");
    if (std::isfinite(o.solver.budget) && o.candidates.read.cost_field.empty() && !(o.candidates.expansion_seats > 0))
        throw UsageError("--budget needs the sites' costs: --cost-field FIELD on the candidates");
}

void check_sharded_suggestion(const SuggestionOptions& o) {
    check_suggestion(o);
    const std::string what = "a suggestion in shards ";
    if (o.candidates.path == "auto" || o.candidates.path.empty())
        throw UsageError(what + "needs a candidate layer (--candidates FILE): auto candidates are drawn around the "
                         "whole run's gaps, which no shard knows; draw them on a county whole, or give parcels");
    if (o.candidates.table) throw UsageError(what + "reads its candidate sites from a file");
    if (o.solver.objective == planners::Objective::p_median && o.service.standard.metres)
        throw UsageError(what + "does not solve a p-median with a metre limit (--max-meters): its table keeps "
                         "trips beyond the standard by time alone; give the standard in minutes, or run it whole");
    if (o.service.facilities.path.empty())
        throw UsageError(what + "needs the existing facilities (--facilities FILE; a file with a header and no rows "
                         "when there are none)");
    if (o.service.standard.transit)
        throw UsageError(what + "does not go by public transport (--mode transit): a ride carries residents beyond "
                         "any halo; run it whole");
}

void search_callbacks(planners::SuggestOptions& solver, unsigned threads, const Reporter& reporter) {
    solver.parallel = ParallelOptions{};
    solver.parallel.threads = threads;
    solver.progress = nullptr;
    if (const auto& cb = reporter.callbacks().progress)
        solver.progress = [cb](std::size_t done, std::size_t total) { cb("site search", done, total); };
    solver.cancelled = reporter.callbacks().cancelled;
}

namespace {

/** The service study of the existing facilities (none: nothing covered). */
ServiceResult existing_study(const StudyArea& area, const ServiceOptions& existing, const Reporter& reporter) {
    FacilitySet facilities;
    if (!existing.facilities.path.empty() || !existing.facilities.osm_kind.empty())
        facilities = read_facilities(existing.facilities, area.net, reporter);
    PlacedFacilities placed = place_facilities(facilities, *area.snapper);
    report_unsnapped(facilities.source, facilities.ids, placed.snaps, reporter);
    ServiceResult r = evaluate_service(area, existing, std::move(facilities), std::move(placed), reporter);
    if (r.overall[r.group].total <= 0) no_residents(area, r.group);
    return r;
}

/** Solves the location problem: the heuristic with its bound, then CBC when asked. */
planners::Suggestion solve(const planners::LocationProblem& p, const SuggestionOptions& o, unsigned threads,
                           const Reporter& reporter) {
    planners::SuggestOptions so = o.solver;
    search_callbacks(so, threads, reporter);
    planners::Suggestion s = planners::suggest(p, so);
    reporter.check();  // cancelled during the improvement: the answer so far is not written
    if (s.time_capped)
        reporter.warning("the time limit of " + fmt(o.solver.time_limit, 0) +
                         " s stopped the improvement early: a rerun on another machine may give another answer");
    if (o.exact) {
        planners::ExactOptions eo;
        eo.time_limit = o.exact_time_limit;
        so.progress = nullptr;  // its description of CBC's answer would restart the search's bar
        s = planners::suggest_exact(p, so, s, eo);
        if (!s.proven_optimal)
            reporter.warning("the exact solver stopped at its time limit of " + fmt(o.exact_time_limit, 0) +
                             " s without proving optimality; the gap to the bound is " + fmt(100 * s.gap, 3) + "%");
    }
    reporter.check();
    return s;
}

/** The existing facilities with the chosen sites added, for the service study after. */
FacilitySet with_sites(const FacilitySet& existing, const CandidateSet& c, std::span<const std::uint32_t> chosen,
                       bool capacitated) {
    FacilitySet after = existing;
    for (const std::uint32_t j : chosen) {
        after.ids.push_back(c.ids[j]);
        after.names.push_back(c.names[j]);
        after.lonlat.push_back({nan, nan});
        after.xy.push_back(c.xy[j]);
        if (capacitated) after.capacity.push_back(c.capacity[j]);
        after.delay.push_back(0.0);
        after.cutoff.push_back(unreachable);
        after.outline.emplace_back();
        if (!after.cost.empty()) after.cost.push_back(c.cost[j]);
    }
    if (!capacitated) after.capacity.clear();
    return after;
}

std::vector<maps::SiteRow> site_rows(const SuggestionOptions& o, const CandidateSet& c, const planners::Suggestion& s) {
    std::vector<maps::SiteRow> rows;
    const bool median = s.objective == planners::Objective::p_median;
    const bool costs = !o.candidates.read.cost_field.empty() || o.candidates.expansion_seats > 0;
    for (std::size_t k = 0; k < s.selected.size(); ++k) {
        const std::uint32_t j = s.selected[k];
        maps::SiteRow row;
        row.rank = k + 1;
        row.candidate_id = c.ids[j];
        row.name = c.names[j];
        row.kind = c.kinds[j];
        const Snap& sn = c.placed.snaps[j];
        row.wkb = wkb_point(sn.ok() ? sn.on_road : c.xy[j]);
        row.added_weight = median ? s.added_weight[k] / 60.0 : s.added_weight[k];
        row.assigned_weight = s.assigned_weight[k];
        row.capacity = o.solver.capacitated ? c.capacity[j] : nan;
        row.cost = costs ? c.cost[j] : nan;
        rows.push_back(row);
    }
    return rows;
}

/** Chooses the sites on the tables of the pairs (r.before and r.candidates set): the
    suggestion, its rows and (p-median) the demand beyond everything. */
void solve_on_tables(const StudyArea& area, const SuggestionOptions& o, const TimeTable& cand, const TimeTable& exist,
                     SuggestionResult& r, const Reporter& reporter) {
    const StudyStandard& st = o.service.standard;
    const bool median = o.solver.objective == planners::Objective::p_median;
    const std::vector<double>& w = area.demand.weights[r.before.group];
    r.table_pairs = cand.size();
    std::vector<double> fallback;  // p-median: each point's nearest existing facility
    if (median) {
        fallback.assign(area.demand_snaps.size(), std::numeric_limits<double>::infinity());
        for (std::size_t i = 0; i < fallback.size(); ++i)
            if (r.before.coverage.by_time.seconds[i] != unreachable) fallback[i] = r.before.coverage.by_time.seconds[i];
    }
    planners::LocationProblem p;
    p.weight = w;
    p.candidates = &cand;
    p.existing = &exist;
    p.cutoff = st.minutes ? st.max_seconds() : std::numeric_limits<double>::infinity();
    if (o.solver.capacitated) {
        p.candidate_capacity = r.candidates.capacity;
        p.existing_capacity = r.before.facilities.capacity;
    }
    p.candidate_cost = r.candidates.cost;
    p.fallback = fallback;
    // Demand that no chosen site reaches within the table and no existing facility serves is
    // charged the table bound: a lower estimate of its time, stated in the summary.
    p.unreached_penalty = median ? median_table_bound(o) : std::numeric_limits<double>::quiet_NaN();
    r.suggestion = solve(p, o, area.threads, reporter);
    r.time_capped = r.suggestion.time_capped;
    const planners::Suggestion& s = r.suggestion;
    if (s.objective == planners::Objective::min_facilities && !s.target_reached)
        reporter.warning("the target " + fixed(100 * o.solver.target, 1) + "% cannot be reached: at most " +
                         fixed(100 * s.best_share, 2) + "% of " + area.demand.groups[r.before.group] + " is within " +
                         st.describe() + " of a candidate or an existing facility; " + fixed(s.unreachable_weight, 1) +
                         " people in " + std::to_string(s.unreachable.size()) +
                         " demand points are beyond every one; the answer is the fewest sites for " +
                         fixed(100 * s.best_share, 2) + "%");
    r.rows = site_rows(o, r.candidates, s);
    for (std::size_t i = 0; median && i < area.demand_snaps.size(); ++i) {
        if (!area.demand_snaps[i].ok() || !(w[i] > 0) || std::isfinite(fallback[i])) continue;
        const bool reached = std::any_of(s.selected.begin(), s.selected.end(), [&](std::uint32_t j) {
            return cand.at(j, static_cast<std::uint32_t>(i)) != unreachable;
        });
        if (!reached) ++r.beyond_everything;
    }
}

}  // namespace

SuggestionResult run_suggestion(const StudyArea& area, const SuggestionOptions& o, const Reporter& reporter) {
    check_suggestion(o);
    SuggestionResult r;
    const StudyStandard& st = o.service.standard;
    const bool median = o.solver.objective == planners::Objective::p_median;
    ServiceOptions existing = o.service;
    existing.facilities.required = false;
    existing.areas.reset();
    r.before = existing_study(area, existing, reporter);
    r.candidates = read_candidates(area, o, r.before, reporter);
    check_options(area, o, r.candidates);
    if (o.candidates.path == "auto")
        reporter.note(std::to_string(r.candidates.generated) + " candidate sites generated every " +
                      fmt(o.candidates.spacing_m, 0) + " m along the roads around the gaps");
    if (r.candidates.excluded)
        reporter.note(std::to_string(r.candidates.excluded) + " candidates inside the exclusion layer dropped");

    // Tables of the pairs within the standard, made as the service study makes them.
    const Seconds table_bound = median_table_bound(o);
    const TimeTable cand = pairs_within(area, st, r.candidates.placed, r.candidates.xy, reporter,
                                        "searches from " + std::to_string(r.candidates.xy.size()) + " candidate sites",
                                        table_bound, !median);
    const TimeTable exist = pairs_within(area, st, r.before.placed, r.before.facilities.xy, reporter,
                                         "searches from existing facilities", -1.0, true);
    solve_on_tables(area, o, cand, exist, r, reporter);
    // The service study with the chosen sites added: the same figures coverage gives.
    r.after = evaluate_service(area, existing, with_sites(r.before.facilities, r.candidates, r.suggestion.selected, o.solver.capacitated),
                               combined(r.before.placed, r.candidates.placed, r.suggestion.selected), reporter);
    return r;
}

SuggestionResult run_suggestion_on_shards(const MergedStudy& m, const SuggestionOptions& o, const io::Network& frame,
                                          const Reporter& reporter,
                                          const std::function<planners::CoverageResult(std::span<const Point>)>& nearest_site) {
    check_sharded_suggestion(o);
    if (!m.sites || !m.pairs) throw std::invalid_argument("run_suggestion_on_shards: the shards tabulated no sites");
    const StudyArea& area = *m.area;
    SuggestionResult r;
    r.before = m.result;
    if (r.before.overall[r.before.group].total <= 0) no_residents(area, r.before.group);
    // The candidates as read_candidates() makes them from a layer: the exclusion, then where the
    // shard owning each placed it, with its row of the merged table.
    // The shards' sites: the layer's, then (expansions) one at every existing facility.
    FacilitySet layer = m.sites->set;
    const std::size_t from_layer = layer.size() - (o.candidates.expansion_seats > 0 ? r.before.facilities.size() : 0);
    for (auto* v : {&layer.ids, &layer.names}) v->resize(from_layer);
    layer.xy.resize(from_layer);
    if (layer.has_capacity()) layer.capacity.resize(from_layer);
    if (!layer.cost.empty()) layer.cost.resize(from_layer);
    r.candidates = candidate_layer(layer, o.candidates);
    std::vector<std::uint32_t> kept = drop_excluded(r.candidates, o.candidates, frame, reporter);
    for (const std::uint32_t i : add_expansions(r.candidates, o.candidates, r.before))
        kept.push_back(static_cast<std::uint32_t>(from_layer + i));
    std::vector<std::vector<TimeEntry>> rows;
    PlacedFacilities& placed = r.candidates.placed;
    for (const std::uint32_t k : kept) {
        const auto row = m.sites->pairs.row(k);
        rows.emplace_back(row.begin(), row.end());
        placed.snaps.push_back(m.sites->snaps[k]);
        placed.placed += m.sites->snaps[k].ok() ? 1 : 0;
    }
    placed.delay.assign(kept.size(), 0.0);
    placed.cutoff.assign(kept.size(), unreachable);
    check_placed(r.candidates, o.candidates, area.net.path);
    if (!o.solver.capacitated) r.candidates.capacity.clear();
    check_options(area, o, r.candidates);
    if (r.candidates.excluded)
        reporter.note(std::to_string(r.candidates.excluded) + " candidates inside the exclusion layer dropped");
    const TimeTable cand(std::move(rows), area.demand.xy.size());
    solve_on_tables(area, o, cand, *m.pairs, r, reporter);

    // After: the coverage and seats with the chosen sites added, from the tables (a resident is
    // covered when one facility is within the standard, as coverage() says; the seats are one
    // assignment over the existing pairs and the chosen sites' rows, as evaluate_service makes them).
    const std::vector<std::uint32_t>& chosen = r.suggestion.selected;
    const Seconds standard_seconds = o.service.standard.max_seconds();
    ServiceResult& a = r.after;
    a.group = r.before.group;
    a.facilities = with_sites(r.before.facilities, r.candidates, chosen, o.solver.capacitated);
    a.placed.snaps = r.before.placed.snaps;
    a.placed.delay = r.before.placed.delay;
    a.placed.cutoff = r.before.placed.cutoff;
    a.placed.placed = r.before.placed.placed;
    a.coverage = r.before.coverage;
    std::vector<std::vector<TimeEntry>> after_rows;
    for (std::size_t f = 0; f < m.pairs->rows(); ++f) after_rows.emplace_back(m.pairs->row(f).begin(), m.pairs->row(f).end());
    planners::CoverageResult& c = a.coverage;
    for (std::size_t k = 0; k < chosen.size(); ++k) {
        const std::uint32_t j = chosen[k];
        const auto facility = static_cast<std::uint32_t>(r.before.facilities.size() + k);
        a.placed.snaps.push_back(placed.snaps[j]);
        a.placed.delay.push_back(0.0);
        a.placed.cutoff.push_back(unreachable);
        a.placed.placed += placed.snaps[j].ok() ? 1 : 0;
        std::vector<TimeEntry>& within = after_rows.emplace_back();
        for (const TimeEntry& e : cand.row(j)) {
            if (!(c.by_time.seconds[e.col] <= e.seconds)) {
                c.by_time.seconds[e.col] = e.seconds;
                c.by_time.facility[e.col] = facility;
            }
            // A p-median's table keeps trips beyond the standard (by time: it has no metre limit).
            if (e.seconds <= standard_seconds) {
                c.covered[e.col] = 1;
                within.push_back(e);
            }
        }
    }
    if (nearest_site) {
        std::vector<Point> xy;
        for (const std::uint32_t j : chosen) xy.push_back(r.candidates.xy[j]);
        const planners::CoverageResult n = nearest_site(xy);
        const auto nearer = [&](planners::Nearest& after, const planners::Nearest& sites) {
            for (std::size_t i = 0; i < after.seconds.size(); ++i)
                if (sites.seconds[i] != unreachable && !(after.seconds[i] <= sites.seconds[i])) {
                    after.seconds[i] = sites.seconds[i];
                    after.facility[i] = static_cast<std::uint32_t>(r.before.facilities.size()) + sites.facility[i];
                }
        };
        nearer(c.by_time, n.by_time);
        if (c.has_length) nearer(c.by_length, n.by_length);
        for (std::size_t i = 0; i < c.covered.size(); ++i) c.covered[i] = c.covered[i] || n.covered[i];
    }
    const TimeTable after_pairs(std::move(after_rows), area.demand.xy.size());
    ServiceOptions existing = o.service;
    existing.areas.reset();
    service_figures(area, existing, &after_pairs, a, reporter);
    return r;
}

void solver_json(nlohmann::ordered_json& j, const planners::Suggestion& s, double time_divisor) {
    const bool median = s.objective == planners::Objective::p_median;
    const double scale = median ? 1.0 / time_divisor : 1.0;
    j["objective"] = std::string(planners::objective_name(s.objective));
    j["capacitated"] = s.capacitated;
    j["objective_value"] = s.objective_value * scale;
    j["bound"] = json_number(s.bound * scale);
    j["gap"] = json_number(s.gap);
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
    if (median) {
        j["weighted_minutes_before"] = json_number(s.weighted_time_before / time_divisor);
        j["weighted_minutes_after"] = json_number(s.weighted_time_after / time_divisor);
    }
}

nlohmann::ordered_json suggestion_summary(const StudyArea& area, const AreaSpec& spec, const SuggestionOptions& o,
                                          const SuggestionResult& r) {
    const planners::Suggestion& s = r.suggestion;
    const bool median = s.objective == planners::Objective::p_median;
    const StudyStandard& st = o.service.standard;
    const std::vector<std::string>& groups = area.demand.groups;
    nlohmann::ordered_json j;
    // Minutes, not seconds, in what the user reads.
    solver_json(j, s, 60.0);
    if (median) {
        j["objective_unit"] = "people x minutes";
        j["demand_beyond_table_and_existing"] = r.beyond_everything;
    } else {
        j["objective_unit"] = s.objective == planners::Objective::min_facilities ? "sites"
                              : s.capacitated                                    ? "people served (with a seat)"
                                                                                 : "people covered";
    }
    nlohmann::ordered_json sel = nlohmann::ordered_json::array();
    for (const maps::SiteRow& row : r.rows) sel.push_back(row.candidate_id);
    j["selected"] = sel;
    const auto coverage_json = [&](const ServiceResult& sr) {
        nlohmann::ordered_json c;
        for (std::size_t g = 0; g < groups.size(); ++g) {
            const planners::Figures& f = sr.overall[g];
            c[groups[g]] = {{"total", f.total}, {"covered", f.covered}, {"share", f.total > 0 ? f.covered / f.total : 0.0}};
        }
        if (s.capacitated) {
            const double served = sr.seats ? sr.seats->assignment.totals.served_weight : 0.0;
            const double total = sr.overall[sr.group].total;
            c[groups[sr.group]]["served"] = served;
            c[groups[sr.group]]["served_share"] = total > 0 ? served / total : 0.0;
        }
        return c;
    };
    j["coverage_before"] = coverage_json(r.before);
    j["coverage_after"] = coverage_json(r.after);
    if (!s.unreachable.empty()) {
        const std::vector<double>& w = area.demand.weights[r.before.group];
        nlohmann::ordered_json un = nlohmann::ordered_json::array();
        std::vector<std::uint32_t> order = s.unreachable;
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) { return w[x] > w[y]; });
        for (std::size_t k = 0; k < std::min<std::size_t>(order.size(), 100); ++k)
            un.push_back({{"id", area.demand.ids[area.demand.feature[order[k]]]}, {"weight", w[order[k]]}});
        j["unreachable_demand"] = un;
    }
    const std::string standard_title =
        st.name.empty() ? std::string() : st.name + " (" + st.title_en + "; " + st.source + ")";
    const auto str_or_null = [](const std::string& v) {
        return v.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
    };
    j["parameters"] = {
        {"network", spec.network.path},
        {"mode", st.mode_label()},
        {"walk_speed_kmh", st.walk_speed_kmh},
        {"direction", st.direction_name()},
        {"minutes", st.minutes ? nlohmann::ordered_json(*st.minutes) : nlohmann::ordered_json(nullptr)},
        {"max_meters", st.metres ? nlohmann::ordered_json(*st.metres) : nlohmann::ordered_json(nullptr)},
        {"standard", str_or_null(standard_title)},
        {"p_median_table_minutes",
         median ? json_number(o.p_median_minutes > 0 ? o.p_median_minutes : 3.0 * st.minutes.value_or(15.0))
                : nlohmann::ordered_json(nullptr)},
        {"demand", spec.demand.path.empty() ? spec.demand.buildings : spec.demand.path},
        {"weight_field", groups[r.before.group]},
        {"facilities", str_or_null(o.service.facilities.path)},
        {"candidates", o.candidates.path},
        {"candidate_spacing_m", o.candidates.path == "auto" ? json_number(o.candidates.spacing_m) : nullptr},
        {"exclude", str_or_null(o.candidates.exclude.path)},
        {"count", o.solver.count},
        {"target", json_number(o.solver.objective == planners::Objective::min_facilities ? o.solver.target : nan)},
        {"budget", json_number(std::isfinite(o.solver.budget) ? o.solver.budget : nan)},
        {"capacitated", o.solver.capacitated},
        {"seed", o.solver.seed},
        {"time_limit_seconds", o.solver.time_limit},
        {"exact", o.exact},
        {"work_crs", area.net.work_crs}};
    if (!st.overrides.empty()) j["parameters"]["standard_overrides"] = st.overrides;
    if (st.transit) j["parameters"]["transit"] = st.transit_json();
    std::size_t unsnapped = 0;
    for (const Snap& sn : area.demand_snaps) unsnapped += sn.ok() ? 0 : 1;
    j["counts"] = {{"candidates", r.candidates.xy.size()},
                   {"candidates_generated", r.candidates.generated},
                   {"candidates_excluded", r.candidates.excluded},
                   {"candidates_unsnapped", r.candidates.unsnapped},
                   {"expansions", r.candidates.expansions},
                   {"existing_facilities", r.before.facilities.size()},
                   {"demand_points", area.demand_snaps.size()},
                   {"demand_points_unsnapped", unsnapped},
                   {"table_pairs", r.table_pairs}};
    return j;
}

}  // namespace lifecircle::studies
