#include "studies/transit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <tbb/enumerable_thread_specific.h>

#include "core/error.hpp"
#include "core/limits.hpp"

namespace lifecircle::studies {

namespace {

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

}  // namespace

std::shared_ptr<const TransitData> load_transit(const TransitSpec& spec, const io::Network& net, const Snapper& snapper,
                                                Seconds standard_seconds, const Reporter& reporter) {
    auto data = std::make_shared<TransitData>();
    data->spec = spec;
    if (spec.gtfs.empty()) throw UsageError("--mode transit needs the timetables: --gtfs feed.zip (repeatable)");
    if (spec.departure.empty())
        throw UsageError("--mode transit needs --departure YYYY-MM-DDTHH:MM (the first departure of the window)");
    if (spec.percentiles.empty()) throw UsageError("--percentiles needs at least one percentile, e.g. 25,50,75");
    for (const double p : spec.percentiles)
        if (!(p > 0 && p <= 100))
            throw UsageError("--percentiles must lie in (0, 100], not " + number(p));
    const auto judged = std::find(spec.percentiles.begin(), spec.percentiles.end(), spec.percentile);
    if (judged == spec.percentiles.end())
        throw UsageError("--percentile " + number(spec.percentile) + " must be one of --percentiles");
    data->judged = static_cast<std::size_t>(judged - spec.percentiles.begin());
    check_option(Quantity::minutes, spec.window_minutes, "--window-minutes");
    if (spec.max_walk_minutes != 0.0) check_option(Quantity::minutes, spec.max_walk_minutes, "--max-walk-minutes");
    check_option(Quantity::snap_m, spec.max_transfer_m, "--max-transfer-m");
    if (spec.max_rides < 1 || spec.max_rides > 8) throw UsageError("--max-rides must be 1 to 8");
    const auto departure = io::parse_departure(spec.departure);
    if (!departure)
        throw UsageError("--departure must be a date and time YYYY-MM-DDTHH:MM in the feeds' local time, e.g. "
                         "2019-05-13T14:00, not '" + spec.departure + "'");
    transit::RouterOptions& r = data->router;
    r.departures.first = departure->second;
    r.departures.count = static_cast<std::uint32_t>(std::max(1.0, std::round(spec.window_minutes)));
    r.departures.step = 60;
    r.raptor.max_rides = spec.max_rides;
    r.max_walk_seconds = spec.max_walk_minutes > 0 ? spec.max_walk_minutes * 60.0 : standard_seconds;
    if (r.max_walk_seconds == unreachable) r.max_walk_seconds = 15 * 60.0;
    r.max_transfer_m = spec.max_transfer_m;

    std::vector<io::GtfsFeed> feeds;
    for (const std::string& path : spec.gtfs) {
        reporter.check();
        feeds.push_back(io::read_gtfs(path));
    }
    const transit::Time last = r.departures.at(r.departures.count - 1) + r.raptor.max_travel;
    data->schedule = io::build_schedule(feeds, {departure->first, r.departures.first, last});
    for (const std::string& n : data->schedule.notes) reporter.note(n);
    // Stops far outside the network (another city's feed, a stop at 0,0) are not even projected:
    // a UTM zone cannot take the other side of the world.
    const Box box = net.lonlat_bounds();
    const double margin = 0.05;  // degrees, about 5 km
    std::vector<Point> stop_xy = data->schedule.stop_lonlat;
    std::vector<char> near(stop_xy.size(), 0);
    std::size_t near_count = 0;
    for (std::size_t s = 0; s < stop_xy.size(); ++s) {
        const Point p = stop_xy[s];
        near[s] = p.x >= box.min.x - margin && p.x <= box.max.x + margin && p.y >= box.min.y - margin &&
                  p.y <= box.max.y + margin;
        near_count += near[s];
        if (!near[s]) stop_xy[s] = {(box.min.x + box.max.x) / 2, (box.min.y + box.max.y) / 2};
    }
    if (near_count == 0 && !stop_xy.empty()) {
        char where[160];
        std::snprintf(where, sizeof where, "lon %.4f..%.4f, lat %.4f..%.4f", box.min.x, box.max.x, box.min.y, box.max.y);
        throw InputError("none of the " + std::to_string(stop_xy.size()) +
                         " stops the feeds serve in the window lies near the network (" + where +
                         "): are the feeds (--gtfs) for this city?")
            .set_file(spec.gtfs.front());
    }
    net.to_work(stop_xy);
    data->stop_snaps = snapper.snap_all(stop_xy);
    for (std::size_t s = 0; s < stop_xy.size(); ++s)
        if (!near[s]) data->stop_snaps[s].failure = SnapFailure::too_far;
    std::vector<std::string> far;
    for (std::size_t s = 0; s < data->stop_snaps.size(); ++s)
        if (!data->stop_snaps[s].ok()) far.push_back(data->schedule.stop_ids[s]);
    data->unsnapped_stops = far.size();
    if (!far.empty()) {
        std::string ids;
        for (std::size_t k = 0; k < far.size() && k < 10; ++k) ids += (k ? ", " : "") + far[k];
        reporter.warning(std::to_string(far.size()) + " of " + std::to_string(data->stop_snaps.size()) +
                         " stops of the window lie farther than the snap distance from the walk network (beyond the "
                         "network's extent?) and can be ridden through but not walked to: " + ids +
                         (far.size() > 10 ? ", ..." : ""));
    }
    return data;
}

std::unique_ptr<transit::TransitRouter> transit_router(const RoadGraph& graph, ProfileId walk, const TransitData& data,
                                                       std::span<const Snap> targets, const Reporter& reporter) {
    // Footpaths are measured in metres when the graph has the walk profile's length twin.
    std::optional<ProfileId> metres;
    for (std::size_t k = 0; k < graph.profiles.size(); ++k) {
        const ProfileSettings& p = graph.profiles[k].settings;
        if (p.mode == Mode::walk && p.metric == Metric::length) metres = ProfileId(static_cast<std::uint8_t>(k));
    }
    return std::make_unique<transit::TransitRouter>(graph, walk.forward(), data.schedule.timetable, data.stop_snaps,
                                                    targets, data.router,
                                                    reporter.parallel("transit: walks from stops", 0, 64),
                                                    metres ? &*metres : nullptr);
}

TimeTable transit_table(const transit::TransitRouter& router, const TransitData& data, std::span<const Snap> origins,
                        Seconds cutoff, const Reporter& reporter, const std::string& phase) {
    transit::SummaryOptions so;
    so.percentiles = data.spec.percentiles;
    so.limit = cutoff;
    so.rank_by = data.judged;
    const transit::TransitMatrix m =
        transit::transit_matrix(router, origins, so, reporter.parallel(phase, 0, 16));
    std::vector<std::vector<TimeEntry>> rows(m.rows());
    for (std::size_t i = 0; i < m.rows(); ++i) {
        const auto targets = m.targets(i);
        for (std::size_t e = 0; e < targets.size(); ++e) {
            const float t = m.percentiles(i, e)[data.judged];
            if (std::isfinite(t) && t <= cutoff) rows[i].push_back({targets[e], t});
        }
    }
    return TimeTable(std::move(rows), m.cols());
}

std::vector<Snap> node_snaps(const RoadGraph& g, ProfileId walk) {
    const float* weight = g.arc_weights(walk.forward());
    std::vector<Snap> out(g.node_count());
    for (NodeId n = 0; n < g.node_count(); ++n) {
        Snap& s = out[n];
        s.failure = SnapFailure::too_far;
        for (ArcId a = g.first_out[n]; a < g.first_out[n + 1]; ++a) {
            if (weight[a] == forbidden_arc) continue;
            const EdgeId e = g.arc_edge[a];
            s.position = {e, g.edge_from[e] == n ? 0.0 : g.edge_length_m[e]};
            s.on_road = g.node_xy[n];
            s.failure = SnapFailure::none;
            break;
        }
    }
    return out;
}

std::function<std::vector<ReachedPiece>(std::size_t, Seconds)> transit_reach(const RoadGraph& graph, ProfileId walk,
                                                                           const TransitData& data,
                                                                           std::shared_ptr<const transit::TransitRouter> router,
                                                                           std::vector<Snap> facility_snaps) {
    struct Scratch {
        explicit Scratch(const transit::TransitRouter& r) : ws(r) {}
        transit::TransitRouter::Workspace ws;
        std::vector<float> sorted, node_time;
    };
    auto scratch = std::make_shared<tbb::enumerable_thread_specific<std::unique_ptr<Scratch>>>();
    const double percentile = data.spec.percentile;
    return [&graph, walk, percentile, router, scratch, snaps = std::move(facility_snaps)](std::size_t i,
                                                                                          Seconds max_time) {
        std::unique_ptr<Scratch>& mine = scratch->local();
        if (!mine) mine = std::make_unique<Scratch>(*router);
        const transit::DepartureTimes& times = router->route(snaps[i], mine->ws);
        mine->node_time.assign(graph.node_count(), std::numeric_limits<float>::infinity());
        for (const std::uint32_t j : times.reached()) {
            const auto of = times.of(j);
            mine->sorted.assign(of.begin(), of.end());
            std::sort(mine->sorted.begin(), mine->sorted.end());
            mine->node_time[j] = transit::percentile_of_sorted(mine->sorted, percentile);
        }
        return pieces_from_node_times(graph, walk.forward(), mine->node_time, max_time, static_cast<std::uint32_t>(i));
    };
}

std::string transit_words(const TransitData& d) {
    char buf[160];
    const int h = static_cast<int>(d.router.departures.first / 3600), mi = static_cast<int>(d.router.departures.first / 60 % 60);
    std::snprintf(buf, sizeof buf, "by public transport (%zu feed%s, %u departures from %s %02d:%02d, percentile %g)",
                  d.spec.gtfs.size(), d.spec.gtfs.size() == 1 ? "" : "s", d.router.departures.count,
                  d.spec.departure.substr(0, 10).c_str(), h, mi, d.spec.percentile);
    return buf;
}

}  // namespace lifecircle::studies
