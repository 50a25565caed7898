#pragma once
/**
 * Sparse source x target travel-time tables: one bounded search per source, read out through an
 * index of targets by the edge they lie on, kept as compressed rows (CSR). Matrices, coverage,
 * E2SFCA catchments and candidate x demand tables for site suggestion are all made here, so no
 * planner touches the search loop.
 */

#include <cstdint>
#include <span>
#include <vector>

#include "core/graph.hpp"
#include "core/parallel.hpp"
#include "core/search.hpp"
#include "core/snap.hpp"

namespace lifecircle {

/** One entry of a table row: a column (target) and its travel time. */
struct TimeEntry {
    std::uint32_t col = 0;
    float seconds = 0.0f;
    friend bool operator==(const TimeEntry&, const TimeEntry&) = default;
};

/** Immutable sparse table: rows() rows of entries sorted by column. */
class TimeTable {
public:
    TimeTable() = default;
    /** A table from per-row entries (each row sorted by column, columns < `cols`). */
    TimeTable(std::vector<std::vector<TimeEntry>>&& rows, std::size_t cols);

    std::size_t rows() const { return m_first.size() - 1; }
    std::size_t cols() const { return m_cols; }
    /** Number of stored entries. */
    std::size_t size() const { return m_entries.size(); }
    /** The entries of row i, sorted by column. */
    std::span<const TimeEntry> row(std::size_t i) const {
        return {m_entries.data() + m_first[i], m_entries.data() + m_first[i + 1]};
    }
    /** Time of (row, col), or `unreachable` when not stored. O(log row size). */
    Seconds at(std::size_t row, std::uint32_t col) const;
    /** The same table with rows and columns swapped (rows sorted by column again). */
    TimeTable transposed() const;

private:
    std::size_t m_cols = 0;
    std::vector<std::uint64_t> m_first{0};
    std::vector<TimeEntry> m_entries;
};

/**
 * The entries of `a` whose (row, column) pair `b` also holds, with a's values: pairs within two
 * limits at once (minutes by one table, metres by another). Throws std::invalid_argument when
 * the shapes differ.
 */
TimeTable intersect(const TimeTable& a, const TimeTable& b);

/** Snapped targets indexed by the edge they lie on. */
class TargetIndex {
public:
    /** Indexes the snapped targets (unsnapped ones are never found). */
    TargetIndex(const RoadGraph& graph, std::span<const Snap> targets);

    /** Number of targets, snapped or not (the table's column count). */
    std::size_t size() const { return m_snaps.size(); }
    /** Ids of the targets on edge e, ascending. */
    std::span<const std::uint32_t> on_edge(EdgeId e) const {
        return {m_targets.data() + m_edge_first[e], m_targets.data() + m_edge_first[e + 1]};
    }
    bool has_targets(EdgeId e) const { return m_edge_first[e + 1] != m_edge_first[e]; }
    const Snap& snap(std::uint32_t target) const { return m_snaps[target]; }
    /** Whether node v is an end of an edge that holds a target. */
    bool is_target_node(NodeId v) const { return m_target_node[v] != 0; }
    /** How many distinct nodes are ends of target edges. */
    std::size_t target_node_count() const { return m_target_node_count; }

private:
    std::vector<Snap> m_snaps;
    std::vector<std::uint32_t> m_edge_first;  ///< edge_count()+1
    std::vector<std::uint32_t> m_targets;
    std::vector<std::uint8_t> m_target_node;
    std::size_t m_target_node_count = 0;
};

/**
 * Every target the last search in `ws` reached, with its time including the target's own access
 * walk, if at most `cutoff`; appended to `out` sorted by target. Targets on an edge with a seed
 * (a target just down the road from its source) are found even when neither end node was
 * settled.
 */
void collect_targets(const RoadGraph& graph, const SearchWorkspace& ws, const TargetIndex& targets,
                     Seconds cutoff, std::vector<TimeEntry>& out);

/** The seeds of many sources, each with its own cutoff (CSR). */
class SourceSet {
public:
    /** Adds a source; no seeds = a source that reaches nothing (an unsnapped point). */
    void add(std::span<const Seed> seeds, Seconds cutoff = unreachable);
    /** One source per snap (seed = the snap, start = access walk + delays[i]); unsnapped: none. */
    static SourceSet from_snaps(std::span<const Snap> snaps, std::span<const Seconds> delays = {});

    std::size_t size() const { return m_cutoff.size(); }
    std::span<const Seed> seeds(std::size_t i) const {
        return {m_seeds.data() + m_first[i], m_seeds.data() + m_first[i + 1]};
    }
    Seconds cutoff(std::size_t i) const { return m_cutoff[i]; }

private:
    std::vector<std::uint32_t> m_first{0};
    std::vector<Seed> m_seeds;
    std::vector<Seconds> m_cutoff;
};

/** Options of time_table(). */
struct TableOptions {
    /** Keep pairs up to this total time (access walks included); unreachable = every reachable
     * pair. */
    Seconds cutoff = unreachable;
    ParallelOptions parallel;
};

/**
 * Row i holds the targets source i reaches within min(options.cutoff, its own cutoff), with
 * total times (the source's seed start, the network, the target's access walk). `profile`'s
 * direction decides what a time means: forward = from the source to the target, backward =
 * from the target to the source (residents travelling to a facility). Without any cutoff a
 * search stops once every target edge's end nodes are settled. Deterministic whatever the
 * thread count.
 */
TimeTable time_table(const RoadGraph& graph, ProfileId profile, const SourceSet& sources,
                     const TargetIndex& targets, const TableOptions& options = {});

}  // namespace lifecircle
