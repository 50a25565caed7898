#pragma once
/**
 * The suggestion study: where new facilities close the gaps. Candidates (a layer, or auto along
 * the roads near the gaps) and the existing facilities are turned into tables of the pairs
 * within the standard — both limits, each facility's delay and cutoff, the same-place rule —
 * exactly as the service study makes them; planners::suggest() chooses the sites with a bound;
 * and the service study is rerun with the sites added, so the figures after are what
 * `lifecircle coverage` reports for the same facilities.
 */

#include <functional>
#include <limits>
#include <span>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "maps/suggest_layers.hpp"
#include "planners/suggest.hpp"
#include "studies/service.hpp"
#include "studies/shard.hpp"

namespace lifecircle::studies {

struct MergedStudy;

/** Candidate sites: a layer, or "auto" along the roads near the gaps. */
struct CandidateSpec {
    /** A point or polygon layer (parcels: their representative point), or "auto". */
    std::string path;
    /** Candidate sites given in memory (Python) instead of a file; `path` then names them. */
    std::shared_ptr<const io::FeatureTable> table;
    /** Layer, CRS, id, capacity and cost fields of a candidate layer. */
    io::PointReadOptions read;
    /** Auto candidates: spacing along the roads (m), and the most that may be generated. */
    double spacing_m = 100.0;
    std::size_t max_candidates = 20000;
    /** Capacity of every new site without a capacity field (auto candidates). */
    std::optional<double> capacity;
    /** Polygons where no site may go (water, parks); empty path = none. */
    PolygonSpec exclude;
    /** Also offer this many more seats at every existing facility (0 = none), at this cost. */
    double expansion_seats = 0.0;
    std::optional<double> expansion_cost;
};

/** What a suggestion study computes. */
struct SuggestionOptions {
    /** The standard, the existing facilities (their path may be empty: none), the group
        optimised (the first when empty), and the gap hexagons of the figures before and after. */
    ServiceOptions service;
    CandidateSpec candidates;
    /** Objective, capacitated, count / target / budget, seed, time limit, restarts. */
    planners::SuggestOptions solver;
    /** p-median: the longest trip kept in the candidate table (minutes; 0 = 3 x the standard). */
    double p_median_minutes = 0.0;
    /** Then solve exactly with CBC from the heuristic's answer, within this many seconds. */
    bool exact = false;
    double exact_time_limit = 600.0;
};

/** Candidate sites read, generated, excluded and placed. */
struct CandidateSet {
    std::vector<std::string> ids, names, kinds;  ///< kinds: "new" or "expansion"
    std::vector<Point> xy;
    std::vector<double> capacity, cost;
    PlacedFacilities placed;
    std::size_t generated = 0, excluded = 0, unsnapped = 0, expansions = 0;
};

/** A suggestion and the service study before and after it. */
struct SuggestionResult {
    ServiceResult before;  ///< the existing facilities
    CandidateSet candidates;
    planners::Suggestion suggestion;
    ServiceResult after;   ///< the existing facilities and the chosen sites
    std::vector<maps::SiteRow> rows;
    std::size_t table_pairs = 0;
    /** p-median: demand no chosen site reaches within the table and no existing facility at all. */
    std::size_t beyond_everything = 0;
    /** The solver's time cap stopped the improvement (a rerun may differ). */
    bool time_capped = false;
};

/**
 * Solver options from what the user gave: the objective's name and a count, a target share or a
 * budget. Throws UsageError when they do not fit (max-coverage needs a count or a budget,
 * min-facilities a target, p-median a count), naming the options as the command line spells
 * them (`command_line`) or as the scenario and Python do.
 */
planners::SuggestOptions objective_options(const std::string& objective, std::optional<double> count,
                                           std::optional<double> target, std::optional<double> budget,
                                           bool command_line = true);

/** Checks what a suggestion needs besides the objective (capacities when capacitated, costs
    with a budget, existing facilities for expansions); UsageError otherwise. run_suggestion()
    calls it first; callers may call it before loading anything. */
void check_suggestion(const SuggestionOptions& options);

/** The solver's threads, and its progress (phase "site search") and cancellation from a
    study's reporter: suggest() returns the answer so far when cancelled once it has one, so
    callers check the reporter after it. */
void search_callbacks(planners::SuggestOptions& solver, unsigned threads, const Reporter& reporter);

/** Runs a suggestion study on an area. */
SuggestionResult run_suggestion(const StudyArea& area, const SuggestionOptions& options, const Reporter& reporter);

/** The candidate layer as the facility spec it is read with. */
FacilitySpec candidate_spec(const CandidateSpec& candidates);

/** The candidate table as run_suggestion() makes it: the layer, the longest pair kept (p-median:
    its table bound) and whether the standard's metres apply (not in a p-median's table). */
SiteTableSpec candidate_table(const SuggestionOptions& options);

/** Checks that a suggestion can run in shards (check_suggestion, then: a candidate layer,
    existing facilities given, not by transit, and no p-median with a metre limit);
    UsageError saying what to do otherwise. */
void check_sharded_suggestion(const SuggestionOptions& options);

/**
 * The suggestion of a sharded run (studies/shard.hpp) on its merged study: the shards tabulated
 * the existing facilities' and every candidate site's pairs with their residents
 * (ShardOptions::sites), so the sites are chosen on the whole run's tables with the same
 * solver call, and the figures after are arithmetic on them: a resident is covered after when
 * covered before or within the standard of a chosen site; the seats are one assignment over the
 * existing pairs and the chosen sites' rows within the standard. The selection, the rows, the
 * summary and the coverage and seats before and after equal run_suggestion()'s; of the minutes,
 * those within the candidate table (the standard, or a p-median's bound) are exact, while a
 * resident no chosen site reaches within it keeps the minutes of the existing facilities — unless
 * `nearest_site` is given (a caller with the whole network: a plan's merge), the coverage of every
 * resident from the chosen sites alone, which then gives every minute after exactly (the nearer of
 * before and the sites; an existing facility wins a tie). `frame` is the plan's (for the
 * exclusion layer).
 */
SuggestionResult run_suggestion_on_shards(const MergedStudy& merged, const SuggestionOptions& options,
                                          const io::Network& frame, const Reporter& reporter,
                                          const std::function<planners::CoverageResult(std::span<const Point> sites)>&
                                              nearest_site = {});

/** The solver's figures (objective, bound, gap, method, restarts, totals) into `j`; a p-median's
    times divided by `time_divisor` (60: seconds to minutes; 1: a matrix's own unit). */
void solver_json(nlohmann::ordered_json& j, const planners::Suggestion& s, double time_divisor);

/** The summary (`lifecircle suggest --summary`). */
nlohmann::ordered_json suggestion_summary(const StudyArea& area, const AreaSpec& spec, const SuggestionOptions& options,
                                          const SuggestionResult& result);

}  // namespace lifecircle::studies

namespace lifecircle::studies {

/** A suggestion on a matrix another tool produced (no network): everything in its unit. */
struct MatrixSuggestionOptions {
    std::string matrix;      ///< CSV from_id,to_id,cost (candidate to demand)
    std::string demand;      ///< CSV id,weight
    std::string candidates;  ///< CSV id[,capacity][,cost], or empty: the matrix's from_ids
    std::string weight_field = "weight";
    std::vector<std::string> existing;  ///< ids of sites already open
    /** The standard in the matrix's unit; NaN = none (p-median only). */
    double cutoff = std::numeric_limits<double>::quiet_NaN();
    planners::SuggestOptions solver;
    bool exact = false;
    double exact_time_limit = 600.0;
};

/** The answer of a matrix suggestion. */
struct MatrixSuggestionResult {
    planners::Suggestion suggestion;
    std::vector<maps::SiteRow> rows;
    /** rank,candidate_id,added_weight,assigned_weight,capacity,cost */
    std::string csv;
    nlohmann::ordered_json summary;
};

/** Runs a suggestion on a matrix. */
MatrixSuggestionResult run_matrix_suggestion(const MatrixSuggestionOptions& options, const Reporter& reporter);

}  // namespace lifecircle::studies
