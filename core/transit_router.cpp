#include "core/transit_router.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

namespace lifecircle::transit {

namespace {

/** A walk in whole seconds, rounded to the nearest (timetables count whole seconds). */
Time whole_seconds(double seconds) {
    const double r = std::round(seconds);
    return r >= static_cast<double>(no_time - 1) ? no_time - 1 : static_cast<Time>(r);
}

/** Rows of a stop x columns table as legs in whole seconds, leaving out stop -> itself. */
LegTable legs_of(const TimeTable& table, bool skip_diagonal) {
    std::vector<std::vector<Leg>> rows(table.rows());
    for (std::size_t s = 0; s < table.rows(); ++s) {
        for (const TimeEntry& e : table.row(s)) {
            if (skip_diagonal && e.col == s) continue;
            rows[s].push_back({e.col, whole_seconds(e.seconds)});
        }
    }
    return LegTable(std::move(rows));
}

constexpr float infinity = std::numeric_limits<float>::infinity();

}  // namespace

TransitRouter::TransitRouter(const RoadGraph& graph, ProfileId walk, const Timetable& timetable,
                             std::span<const Snap> stops, std::span<const Snap> targets,
                             const RouterOptions& options, const ParallelOptions& parallel,
                             const ProfileId* length_profile)
    : m_graph(&graph),
      m_walk(walk),
      m_timetable(&timetable),
      m_options(options),
      m_target_count(targets.size()),
      m_stop_index(graph, stops),
      m_target_index(graph, targets) {
    if (stops.size() != timetable.stop_count())
        throw std::invalid_argument("TransitRouter: " + std::to_string(stops.size()) +
                                    " stop snaps for a timetable of " +
                                    std::to_string(timetable.stop_count()) + " stops");
    if (walk.direction() != Direction::forward)
        throw std::invalid_argument("TransitRouter: the walking profile must be searched forward");
    for (StopId s = 0; s < stops.size(); ++s)
        if (!stops[s].ok()) m_unsnapped.push_back(s);

    const SourceSet sources = SourceSet::from_snaps(stops);
    TableOptions egress;
    egress.cutoff = options.max_walk_seconds;
    egress.parallel = parallel;
    m_egress = legs_of(time_table(graph, walk, sources, m_target_index, egress), false);

    TableOptions transfer;
    transfer.parallel = parallel;
    if (length_profile != nullptr) {
        const ProfileData& pd = graph.profile(*length_profile);
        if (pd.settings.metric != Metric::length)
            throw std::invalid_argument("TransitRouter: the length profile measures time");
        // A footpath's metres are the road's plus the stops' own walks to the road.
        std::vector<Snap> metres(stops.begin(), stops.end());
        for (Snap& s : metres) s.access_seconds = s.distance;
        const SourceSet length_sources = SourceSet::from_snaps(metres);
        const TargetIndex length_index(graph, metres);
        transfer.cutoff = options.max_transfer_m;
        const TimeTable within_m =
            time_table(graph, *length_profile, length_sources, length_index, transfer);
        // The fastest walk between two stops within the metres takes at most the metres at the
        // slowest pace of any walkable arc or of the walk to the road.
        const ProfileData& wd = graph.profile(walk);
        double pace = 1.0 / kmh_to_mps(wd.settings.access_walk_speed_kmh);
        for (ArcId a = 0; a < graph.arc_count(); ++a) {
            const float w = wd.arc_seconds[a];
            if (w != forbidden_arc && graph.edge_length_m[graph.arc_edge[a]] > 0.0)
                pace = std::max(pace, w / graph.edge_length_m[graph.arc_edge[a]]);
        }
        transfer.cutoff = options.max_transfer_m * pace;
        const TimeTable times = time_table(graph, walk, sources, m_stop_index, transfer);
        m_footpaths = legs_of(intersect(times, within_m), true);
    } else {
        const double speed = kmh_to_mps(graph.profile(walk).settings.walk_speed_kmh);
        transfer.cutoff = options.max_transfer_m / speed;
        m_footpaths = legs_of(time_table(graph, walk, sources, m_stop_index, transfer), true);
    }
}

TransitRouter::Workspace::Workspace(const TransitRouter& router)
    : search(router.graph().node_count()),
      raptor(router.timetable(), router.options().raptor.max_rides) {}

Seconds TransitRouter::direct_walk_limit() const {
    return m_options.max_direct_walk_seconds == unreachable ? m_options.max_walk_seconds
                                                            : m_options.max_direct_walk_seconds;
}

void TransitRouter::origin_legs(const Snap& origin, Workspace& ws) const {
    ws.legs.access.clear();
    ws.legs.direct.clear();
    if (!origin.ok()) return;
    const Seconds direct = direct_walk_limit();
    const Seed seed = Snapper::seed(origin, 0);
    search(*m_graph, m_walk, std::span<const Seed>(&seed, 1),
           std::max(m_options.max_walk_seconds, direct), ws.search);
    ws.m_entries.clear();
    collect_targets(*m_graph, ws.search, m_stop_index, m_options.max_walk_seconds, ws.m_entries);
    for (const TimeEntry& e : ws.m_entries)
        ws.legs.access.push_back({e.col, whole_seconds(e.seconds)});
    ws.m_entries.clear();
    collect_targets(*m_graph, ws.search, m_target_index, direct, ws.m_entries);
    for (const TimeEntry& e : ws.m_entries)
        ws.legs.direct.push_back({e.col, whole_seconds(e.seconds)});
}

const DepartureTimes& TransitRouter::route(const Snap& origin, Workspace& ws) const {
    origin_legs(origin, ws);
    transit_times(*m_timetable, m_footpaths, m_egress, m_target_count, ws.legs,
                  m_options.departures, m_options.raptor, ws.raptor, ws.times);
    return ws.times;
}

std::size_t TransitRouter::bytes() const {
    return m_footpaths.bytes() + m_egress.bytes();
}

void check_summary_options(const SummaryOptions& options) {
    if (options.percentiles.empty())
        throw std::invalid_argument("transit summary: no percentiles asked for");
    for (double p : options.percentiles)
        if (!(p > 0.0 && p <= 100.0)) {
            char text[32];
            std::snprintf(text, sizeof text, "%g", p);
            throw std::invalid_argument(std::string("transit summary: percentile ") + text +
                                        " is not in (0, 100]");
        }
    if (options.rank_by >= options.percentiles.size())
        throw std::invalid_argument("transit summary: rank_by names no percentile");
}

float percentile_of_sorted(std::span<const float> sorted, double percentile) {
    if (sorted.empty()) return infinity;
    // p * n first: exact for whole percentiles, where p / 100 * n is not (14% of 50 would come
    // out as 7.000000000000001 and take the 8th time).
    const double rank = std::ceil(percentile * static_cast<double>(sorted.size()) / 100.0);
    const std::size_t i =
        static_cast<std::size_t>(std::clamp(rank, 1.0, double(sorted.size()))) - 1;
    return sorted[i];
}

double share_within(std::span<const float> times, Seconds limit) {
    if (times.empty()) return 0.0;
    std::size_t n = 0;
    for (float t : times) n += std::isfinite(t) && static_cast<double>(t) <= limit;
    return static_cast<double>(n) / static_cast<double>(times.size());
}

void percentiles_of(std::span<float> times, std::span<const double> percentiles,
                    std::span<float> out) {
    std::sort(times.begin(), times.end());
    for (std::size_t p = 0; p < percentiles.size(); ++p)
        out[p] = percentile_of_sorted(times, percentiles[p]);
}

float TransitMatrix::at(std::size_t i, std::uint32_t j, std::size_t p) const {
    const auto t = targets(i);
    const auto it = std::lower_bound(t.begin(), t.end(), j);
    if (it == t.end() || *it != j) return infinity;
    return percentiles(i, static_cast<std::size_t>(it - t.begin()))[p];
}

namespace {

/** One origin's row of a TransitMatrix while origins are routed in parallel. */
struct MatrixRow {
    std::vector<std::uint32_t> target;
    std::vector<float> value;
    std::vector<float> share;
};

}  // namespace

TransitMatrix transit_matrix(const TransitRouter& router, std::span<const Snap> origins,
                             const SummaryOptions& summary, const ParallelOptions& parallel) {
    check_summary_options(summary);
    const std::size_t np = summary.percentiles.size();
    std::vector<MatrixRow> rows(origins.size());
    tbb::enumerable_thread_specific<std::vector<float>> scratch;
    for_each_origin(router, origins, parallel, [&](std::size_t i, const DepartureTimes& times) {
        std::vector<float>& sorted = scratch.local();
        MatrixRow& row = rows[i];
        row.value.resize(times.reached().size() * np);
        std::size_t e = 0;
        for (std::uint32_t j : times.reached()) {
            const auto of = times.of(j);
            sorted.assign(of.begin(), of.end());
            row.target.push_back(j);
            row.share.push_back(static_cast<float>(share_within(of, summary.limit)));
            percentiles_of(sorted, summary.percentiles,
                           std::span<float>(row.value).subspan(e * np, np));
            ++e;
        }
    });
    TransitMatrix m;
    m.m_cols = router.target_count();
    m.m_percentiles = np;
    for (MatrixRow& row : rows) {
        m.m_target.insert(m.m_target.end(), row.target.begin(), row.target.end());
        m.m_value.insert(m.m_value.end(), row.value.begin(), row.value.end());
        m.m_share.insert(m.m_share.end(), row.share.begin(), row.share.end());
        m.m_first.push_back(m.m_target.size());
        row = MatrixRow{};
    }
    return m;
}

TransitNearest transit_nearest(const TransitRouter& router, std::span<const Snap> origins,
                               const SummaryOptions& summary, const ParallelOptions& parallel) {
    check_summary_options(summary);
    const std::size_t np = summary.percentiles.size();
    TransitNearest out;
    out.percentile_count = np;
    out.seconds.assign(origins.size() * np, infinity);
    out.share.assign(origins.size(), 0.0f);
    out.target.assign(origins.size(), invalid_index);
    out.target_seconds.assign(origins.size(), infinity);
    struct Scratch {
        std::vector<float> nearest;
        std::vector<float> sorted;
        std::vector<float> values;
    };
    tbb::enumerable_thread_specific<Scratch> scratch;
    for_each_origin(router, origins, parallel, [&](std::size_t i, const DepartureTimes& times) {
        Scratch& s = scratch.local();
        s.nearest.assign(times.departures(), infinity);
        s.values.resize(np);
        for (std::uint32_t j : times.reached()) {
            const auto of = times.of(j);
            for (std::uint32_t d = 0; d < of.size(); ++d)
                s.nearest[d] = std::min(s.nearest[d], of[d]);
            s.sorted.assign(of.begin(), of.end());
            std::sort(s.sorted.begin(), s.sorted.end());
            const float rank = percentile_of_sorted(s.sorted, summary.percentiles[summary.rank_by]);
            if (rank < out.target_seconds[i]) {  // reached() is ascending: ties keep the lower
                out.target_seconds[i] = rank;
                out.target[i] = j;
            }
        }
        out.share[i] = static_cast<float>(share_within(s.nearest, summary.limit));
        percentiles_of(s.nearest, summary.percentiles, s.values);
        std::copy(s.values.begin(), s.values.end(),
                  out.seconds.begin() + static_cast<std::ptrdiff_t>(i * np));
    });
    return out;
}

}  // namespace lifecircle::transit
