#pragma once
/**
 * "Bring your own matrix" for site suggestion: a candidate x demand cost table computed by
 * another tool (ArcGIS, r5, OSRM...) read from CSV files, so that location-allocation runs on
 * it without a road network. Costs keep the matrix's own unit (seconds, minutes, metres...).
 */

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/time_table.hpp"

namespace lifecircle::io {

/** A location-allocation problem read from an origin-destination matrix. */
struct OdProblem {
    /** Candidate site ids: the table's rows, in candidates-CSV order (or first appearance). */
    std::vector<std::string> candidate_ids;
    /** Demand point ids: the table's columns, in demand-CSV order. */
    std::vector<std::string> demand_ids;
    /** Weight of each demand point. */
    std::vector<double> weight;
    /** Capacity of each candidate; empty when the candidates CSV has no capacity column. */
    std::vector<double> capacity;
    /** Opening cost of each candidate; empty when the candidates CSV has no cost column. */
    std::vector<double> cost;
    /** The existing sites, as candidate indices, in the order given. */
    std::vector<std::uint32_t> existing;
    /**
     * candidates x demand; each row sorted by column, only pairs with cost <= cutoff. The cost
     * is stored in TimeEntry::seconds as a float, in the matrix's unit.
     */
    TimeTable table;
    /** Data lines of the matrix (every pair, including those beyond the cutoff). */
    std::size_t pairs_read = 0;
    /** Pairs dropped because their cost exceeds OdOptions::cutoff. */
    std::size_t pairs_beyond_cutoff = 0;
    /** Demand points that appear on no line of the matrix (unreachable from every candidate). */
    std::size_t demand_not_in_matrix = 0;
};

/** How read_od_problem() reads. */
struct OdOptions {
    /** Drop pairs costing more than this (the matrix's unit); +inf keeps every pair. */
    double cutoff = std::numeric_limits<double>::infinity();
    /** Name of the demand CSV's weight column (ASCII case-insensitive). */
    std::string weight_field = "weight";
};

/**
 * Reads a location-allocation problem from CSV files. Every file needs a header; column names
 * are ASCII case-insensitive and trimmed, columns may come in any order and extra columns are
 * ignored; the delimiter (comma, semicolon or tab) is detected from the header, a UTF-8 BOM is
 * skipped, quoted values and empty lines are fine. Ids are kept as text ("0012" stays "0012").
 *
 * - `matrix_csv`: columns from_id (candidate), to_id (demand point), cost (finite, >= 0).
 * - `demand_csv`: columns id and options.weight_field (finite, >= 0, never empty).
 * - `candidates_csv` (empty: none): column id, optional capacity and cost (finite, >= 0).
 *   When absent the candidates are the matrix's distinct from_ids in order of first
 *   appearance.
 * - `existing`: ids of existing sites; each must be a candidate (surrounding spaces ignored).
 *
 * The matrix is streamed in blocks, never held whole. Pairs beyond options.cutoff are not kept
 * in the table; only their (row, column) keys (8 bytes each) are held while reading, so that a
 * pair given twice is found even when one or both copies are beyond the cutoff. Demand points
 * on no matrix line at all are kept (their columns are empty) and counted.
 *
 * Throws InputError naming the file (and the line, the value and what to do) for: a missing
 * or empty file; a header without the expected columns (lists the columns found and
 * expected); a missing value, an empty id, or a number that is not finite and >= 0; a pair or
 * id given twice (names both lines); matrix to_ids missing from the demand CSV or from_ids
 * missing from the candidates CSV (up to 5 listed, and the count); a matrix or demand CSV
 * without data lines; an existing id that is no candidate. UsageError for a negative or NaN
 * cutoff.
 */
OdProblem read_od_problem(const std::string& matrix_csv, const std::string& demand_csv,
                          const std::string& candidates_csv,
                          const std::vector<std::string>& existing, const OdOptions& options = {});

}  // namespace lifecircle::io
