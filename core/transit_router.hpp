#pragma once
/**
 * Public transport on the walk network: for an origin snapped to the walk graph, one bounded
 * walking search (core/search) gives the access walks to stops and the walk straight to the
 * targets; range RAPTOR (core/raptor) rides the timetable; the egress walks from every stop
 * to the targets and the footpaths between stops are tables made once (core/time_table).
 * The result of one origin is a travel time per target per departure minute; studies reduce
 * it at once (percentiles over the departures, the share within a standard), so nothing of
 * size origins x targets x minutes is ever held.
 *
 * The study layer calls, for
 *  - a matrix:     transit_matrix(router, origins, {percentiles, limit})
 *  - coverage:     transit_nearest(router, residents, {percentiles, limit}) with the
 *                  facilities as targets (covered: the chosen percentile <= the standard)
 *  - isochrones:   transit_matrix(router, facilities, {{50}}) with the network points as
 *                  targets (the median time per point)
 *  - anything else: for_each_origin(router, origins, parallel, sink) streams every origin's
 *                  DepartureTimes to a callback.
 */

#include <cstdint>
#include <span>
#include <vector>

#include "core/graph.hpp"
#include "core/parallel.hpp"
#include "core/raptor.hpp"
#include "core/search.hpp"
#include "core/snap.hpp"
#include "core/time_table.hpp"
#include "core/timetable.hpp"

namespace lifecircle::transit {

/** What a transit journey may do. */
struct RouterOptions {
    /** The departure window: a departure every `step` seconds (r5: every minute). */
    Departures departures;
    /** Rides, board slack, the longest journey kept, and the range property. */
    RaptorOptions raptor;
    /** Longest walk to the first stop and from the last stop (each; seconds). */
    Seconds max_walk_seconds = 15 * 60.0;
    /**
     * Longest walk all the way, without any vehicle (seconds); unreachable: max_walk_seconds,
     * as r5r's max_walk_time bounds walk-only trips too. Walking all the way is always one of
     * a journey's options, up to this. A long limit costs a long walking search per origin
     * (on Porto Alegre, 120 minutes doubles the routing time of 15).
     */
    Seconds max_direct_walk_seconds = unreachable;
    /** Longest footpath between two stops, in metres on the walk network. */
    Meters max_transfer_m = 500.0;
};

/**
 * Everything one origin needs that does not change between origins: the timetable, footpaths
 * between stops (stop -> stop walks up to max_transfer_m) and the egress table (stop -> target
 * walks up to max_walk_seconds), and an index of the stops and targets on the walk network.
 * Walks are rounded to whole seconds (to the nearest), as timetables are. Immutable after
 * construction; share it between threads.
 */
class TransitRouter {
public:
    /**
     * Builds the footpaths and the egress table (one bounded search per snapped stop, in
     * parallel). `walk` is a forward walking profile of `graph`; `stops` has a snap per
     * timetable stop (unsnapped stops are kept for riding through but can be neither walked
     * to nor from: unsnapped_stops() lists them); `targets` are the destinations. With a
     * `length_profile` (a Metric::length profile of the same mode) footpaths are limited by
     * their length in metres exactly; without, by the time max_transfer_m takes on flat
     * ground at the profile's walking speed. The router keeps references to `graph` and
     * `timetable`, which must outlive it. Throws std::invalid_argument when the sizes do not
     * match or the walking profile is not a forward profile.
     */
    TransitRouter(const RoadGraph& graph, ProfileId walk, const Timetable& timetable,
                  std::span<const Snap> stops, std::span<const Snap> targets,
                  const RouterOptions& options, const ParallelOptions& parallel = {},
                  const ProfileId* length_profile = nullptr);

    /** Scratch of one origin's query; one per thread, reused from origin to origin. */
    class Workspace {
    public:
        /** A workspace sized for `router`. */
        explicit Workspace(const TransitRouter& router);
        /** The walking search. */
        SearchWorkspace search;
        /** RAPTOR's labels. */
        RaptorWorkspace raptor;
        /** The last origin's walks. */
        OriginLegs legs;
        /** The last origin's travel times. */
        DepartureTimes times;

    private:
        friend class TransitRouter;
        std::vector<TimeEntry> m_entries;
    };

    /** The walks of one origin: to stops within max_walk_seconds, to targets within the
        direct walk limit; an origin that did not snap has none. */
    void origin_legs(const Snap& origin, Workspace& ws) const;
    /** Travel times from one origin to every target for every departure (in ws.times). */
    const DepartureTimes& route(const Snap& origin, Workspace& ws) const;

    /** The graph walked on. */
    const RoadGraph& graph() const { return *m_graph; }
    /** The timetable ridden. */
    const Timetable& timetable() const { return *m_timetable; }
    /** Walks between stops (a row per stop). */
    const LegTable& footpaths() const { return m_footpaths; }
    /** Walks from stops to targets (a row per stop). */
    const LegTable& egress() const { return m_egress; }
    /** Number of targets. */
    std::size_t target_count() const { return m_target_count; }
    /** Timetable stops that did not snap to the walk network, ascending. */
    std::span<const StopId> unsnapped_stops() const { return m_unsnapped; }
    /** The options the router was made with. */
    const RouterOptions& options() const { return m_options; }
    /** The direct walk limit in effect (seconds). */
    Seconds direct_walk_limit() const;
    /** Bytes held by the footpath and egress tables. */
    std::size_t bytes() const;

private:
    const RoadGraph* m_graph;
    ProfileId m_walk;
    const Timetable* m_timetable;
    RouterOptions m_options;
    std::size_t m_target_count = 0;
    TargetIndex m_stop_index;
    TargetIndex m_target_index;
    LegTable m_footpaths;
    LegTable m_egress;
    std::vector<StopId> m_unsnapped;
};

/**
 * Routes every origin, in parallel (one Workspace per thread), and calls
 * `sink(i, const DepartureTimes&)` for origin i from the thread that routed it; the times are
 * valid during the call only. Every origin's times are the same whatever the thread count.
 */
template <class Sink>
void for_each_origin(const TransitRouter& router, std::span<const Snap> origins,
                     const ParallelOptions& parallel, Sink&& sink) {
    parallel_for_each(
        origins.size(), parallel, [&] { return TransitRouter::Workspace(router); },
        [&](std::size_t i, TransitRouter::Workspace& ws) {
            sink(i, static_cast<const DepartureTimes&>(router.route(origins[i], ws)));
        });
}

/** How travel times over a window are reduced. */
struct SummaryOptions {
    /**
     * Percentiles over the departures, each in (0, 100]. Nearest rank, as r5 computes them
     * (TravelTimeReducer.findPercentileIndex): the time at index ceil(p/100 * n) - 1 of the n
     * sorted times, so always a time that occurred, never an interpolation; with 60
     * departures the median is the 30th smallest time. Unreachable sorts last (+inf). (r5
     * computes p/100 * n in floating point, which for some p and n, as 14% of 50, is a hair above a
     * whole number and takes the next time; here p * n / 100 is exact for whole percentiles.)
     */
    std::vector<double> percentiles{50.0};
    /** The standard: share_within counts the departures whose time is at most this. */
    Seconds limit = unreachable;
    /** Index into `percentiles` of the one that ranks targets (the nearest target). */
    std::size_t rank_by = 0;
};

/** Throws std::invalid_argument for no percentiles, one outside (0, 100], or a bad rank_by. */
void check_summary_options(const SummaryOptions& options);

/** The nearest-rank percentile (see SummaryOptions) of times sorted ascending; +inf if empty. */
float percentile_of_sorted(std::span<const float> sorted, double percentile);

/** Share (0..1) of `times` that are reached and at most `limit`; 0 for no times. */
double share_within(std::span<const float> times, Seconds limit);

/** Sorts `times` in place and writes one value per percentile to `out`. */
void percentiles_of(std::span<float> times, std::span<const double> percentiles,
                    std::span<float> out);

/**
 * Per origin, the targets reached at some departure, each with its percentiles over the
 * departures and the share of departures within the limit (compressed rows).
 */
class TransitMatrix {
public:
    /** Number of origins. */
    std::size_t rows() const { return m_first.size() - 1; }
    /** Number of targets. */
    std::size_t cols() const { return m_cols; }
    /** Number of percentiles per entry. */
    std::size_t percentile_count() const { return m_percentiles; }
    /** Targets origin i reaches at some departure, ascending. */
    std::span<const std::uint32_t> targets(std::size_t i) const {
        return {m_target.data() + m_first[i], m_target.data() + m_first[i + 1]};
    }
    /** Percentiles (seconds, +inf = unreachable) of entry e of row i (e indexes targets(i)). */
    std::span<const float> percentiles(std::size_t i, std::size_t e) const {
        return {m_value.data() + (m_first[i] + e) * m_percentiles, m_percentiles};
    }
    /** Share of departures within the limit of entry e of row i. */
    float share(std::size_t i, std::size_t e) const { return m_share[m_first[i] + e]; }
    /** Percentile `p` (an index into the options' percentiles) from origin i to target j;
        +inf when j is never reached. O(log row size). */
    float at(std::size_t i, std::uint32_t j, std::size_t p) const;

private:
    friend TransitMatrix transit_matrix(const TransitRouter&, std::span<const Snap>,
                                        const SummaryOptions&, const ParallelOptions&);
    std::size_t m_cols = 0;
    std::size_t m_percentiles = 0;
    std::vector<std::uint64_t> m_first{0};
    std::vector<std::uint32_t> m_target;
    std::vector<float> m_value;
    std::vector<float> m_share;
};

/** Percentiles and shares of every origin to every target it reaches. Deterministic. */
TransitMatrix transit_matrix(const TransitRouter& router, std::span<const Snap> origins,
                             const SummaryOptions& summary, const ParallelOptions& parallel = {});

/** Per origin: the nearest target, departure by departure and overall. */
struct TransitNearest {
    /** Number of percentiles per origin. */
    std::size_t percentile_count = 0;
    /**
     * origins x percentiles: the percentiles over the departures of the time to the nearest
     * target at that departure (for each departure, the nearest facility; then the
     * percentiles: the and r5's definition of accessibility). Row-major.
     */
    std::vector<float> seconds;
    /** Per origin: share of departures at which some target is within the limit. */
    std::vector<float> share;
    /** Per origin: the target whose own rank_by percentile is smallest (ties: lower index);
        invalid_index when no target is ever reached. */
    std::vector<std::uint32_t> target;
    /** Per origin: that target's rank_by percentile (+inf when none). */
    std::vector<float> target_seconds;
    /** The percentile p (an index into the options' percentiles) of origin i. */
    float at(std::size_t i, std::size_t p) const { return seconds[i * percentile_count + p]; }
};

/** The nearest target of every origin (coverage: residents as origins, facilities as
    targets). Deterministic. */
TransitNearest transit_nearest(const TransitRouter& router, std::span<const Snap> origins,
                               const SummaryOptions& summary, const ParallelOptions& parallel = {});

}  // namespace lifecircle::transit
