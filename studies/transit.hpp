#pragma once
/**
 * Public transport by timetable in the studies: GTFS feeds read once, the service day's
 * schedule for a departure window, its stops placed on the walk network, and the router
 * (core/transit_router) made for each study's targets. Coverage, seats, access and gaps,
 * matrices and service areas use the same reduction: per pair (resident, facility) the chosen
 * percentile of the travel times over the departures (the median unless said otherwise), and
 * the share of departures within the standard.
 */

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/reach.hpp"
#include "core/time_table.hpp"
#include "core/transit_router.hpp"
#include "io/gtfs.hpp"
#include "io/network.hpp"
#include "studies/callbacks.hpp"

namespace lifecircle::studies {

/** What a public-transport study rides. */
struct TransitSpec {
    /** GTFS feeds (zip or folder), several agencies at once. */
    std::vector<std::string> gtfs;
    /** The first departure, "YYYY-MM-DDTHH:MM" in the feeds' local time. */
    std::string departure;
    /** A departure every minute for this many minutes. */
    double window_minutes = 60.0;
    /** Percentiles of the travel times over the departures reported per resident. */
    std::vector<double> percentiles{50.0};
    /** The percentile `covered` is judged on (one of `percentiles`; the median by default). */
    double percentile = 50.0;
    /** Longest walk to the first stop and from the last (minutes); 0 = the standard's minutes. */
    double max_walk_minutes = 0.0;
    /** Longest walk between two stops (metres on the walk network). */
    double max_transfer_m = 500.0;
    /** At most this many vehicles in a journey. */
    unsigned max_rides = 3;

    bool enabled() const { return !gtfs.empty(); }
};

/** The schedule of the window and its stops on the walk network. */
struct TransitData {
    TransitSpec spec;
    io::TransitSchedule schedule;
    std::vector<Snap> stop_snaps;
    transit::RouterOptions router;
    std::size_t unsnapped_stops = 0;
    /** Index of TransitSpec::percentile in TransitSpec::percentiles. */
    std::size_t judged = 0;
};

/**
 * Reads the feeds, builds the window's schedule (refusing a feed valid on no day of it, naming
 * its dates) and places the stops with `snapper`; `standard_seconds` bounds the walks when the
 * spec leaves them at 0. Checks every number (percentiles in (0, 100], the window, walks,
 * rides); notes unsnapped stops.
 */
std::shared_ptr<const TransitData> load_transit(const TransitSpec& spec, const io::Network& net, const Snapper& snapper,
                                                Seconds standard_seconds, const Reporter& reporter);

/** A router for `targets` (facilities, or network points), sharing `data`. */
std::unique_ptr<transit::TransitRouter> transit_router(const RoadGraph& graph, ProfileId walk, const TransitData& data,
                                                       std::span<const Snap> targets, const Reporter& reporter);

/**
 * The table of `origins` x targets holding, per pair reached at some departure, the judged
 * percentile of its travel times if it is at most `cutoff` (rows = origins). Deterministic.
 */
TimeTable transit_table(const transit::TransitRouter& router, const TransitData& data, std::span<const Snap> origins,
                        Seconds cutoff, const Reporter& reporter, const std::string& phase);

/**
 * Service areas by public transport: the roads reached from a facility are those whose nodes
 * the judged percentile of its times over the departures reaches (walking on along the roads
 * from each node), drawn outward from the facility as r5 draws isochrones. Returns the reach
 * callback maps::IsochroneOptions takes (facility i of `facility_snaps`); it routes one
 * facility at a time, on the calling thread's workspace, so nothing of size facilities x nodes
 * is held. The router and `data` must outlive the callback.
 */
std::function<std::vector<ReachedPiece>(std::size_t, Seconds)> transit_reach(const RoadGraph& graph, ProfileId walk,
                                                                           const TransitData& data,
                                                                           std::shared_ptr<const transit::TransitRouter> router,
                                                                           std::vector<Snap> facility_snaps);

/** A snap at every node of the graph that `walk` may leave or enter (the targets of transit_reach's router); others unsnapped. */
std::vector<Snap> node_snaps(const RoadGraph& graph, ProfileId walk);

/** "by public transport: 3 feeds, 60 departures from 2019-05-13 14:00, the median". */
std::string transit_words(const TransitData& data);

}  // namespace lifecircle::studies
