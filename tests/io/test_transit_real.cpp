// Public transport on real data: Porto Alegre's walk network, the EPTC bus and Trensurb metro
// feeds, the 1,227 hexagon centres of the hexgrid as residents and the hexagons with
// healthcare as facilities, a departure every minute from 14:00 to 14:59 on Monday 13 May
// 2019. Every resident is routed; for a seeded sample the travel times equal, exactly and at
// every departure, a time-expanded Dijkstra over the same trips and the same walking tables.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/snap.hpp"
#include "core/transit_router.hpp"
#include "io/gtfs.hpp"
#include "io/network.hpp"
#include "tests/core/raptor_oracle.hpp"

using namespace lifecircle;
using transit::Time;

namespace {

const std::string data_dir = LIFECIRCLE_SHARED_DATA;

struct Hexagon {
    Point lonlat;
    double healthcare = 0;
};

/** The hexgrid CSV, parsed here without the library's readers. */
std::vector<Hexagon> read_hexgrid(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);  // id,lon,lat,population,schools,jobs,healthcare
    std::vector<Hexagon> rows;
    while (std::getline(in, line)) {
        std::vector<std::string> c;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ',')) c.push_back(cell);
        c.resize(7);
        rows.push_back({{std::stod(c[1]), std::stod(c[2])}, c[6].empty() ? 0.0 : std::stod(c[6])});
    }
    return rows;
}

}  // namespace

TEST_CASE(
    "Porto Alegre by bus and metro: every hexagon x 60 departures, a sample equals the oracle",
    "[transit][real]") {
    const std::string osm = data_dir + "/osm/porto_alegre.osm.pbf";
    const std::string hexgrid = data_dir + "/osm/porto_alegre_hexgrid.csv";
    const std::string eptc = data_dir + "/transit/porto_alegre_eptc_gtfs.zip";
    const std::string trensurb = data_dir + "/transit/porto_alegre_trensurb_gtfs.zip";
    for (const std::string& f : {osm, hexgrid, eptc, trensurb}) {
        if (!std::filesystem::exists(f)) {
            WARN("skipped: " << f << " not found");
            return;
        }
    }
    io::NetworkOptions no;
    no.profiles = {default_profile(Mode::walk)};
    const io::Network net = io::load_network(osm, no);
    const ProfileId walk = net.graph.profile_id(Mode::walk);
    const std::vector<io::GtfsFeed> feeds{io::read_gtfs(eptc, {.name = "eptc"}),
                                          io::read_gtfs(trensurb, {.name = "trensurb"})};
    transit::RouterOptions options;
    options.departures = {14 * 3600, 60, 60};
    options.max_walk_seconds = 15 * 60.0;
    options.raptor.max_travel = 60 * 60;
    const io::TransitSchedule schedule =
        io::build_schedule(feeds, {*io::parse_iso_date("2019-05-13"), options.departures.first,
                                   options.departures.at(59) + options.raptor.max_travel});
    REQUIRE(schedule.trips.size() > 1000);

    // Stops, residents and facilities on the walk network.
    const std::vector<Hexagon> hex = read_hexgrid(hexgrid);
    REQUIRE(hex.size() == 1227);
    std::vector<Point> homes, clinics;
    for (const Hexagon& h : hex) {
        homes.push_back(h.lonlat);
        if (h.healthcare > 0) clinics.push_back(h.lonlat);
    }
    std::vector<Point> stop_xy = schedule.stop_lonlat;
    net.to_work(homes);
    net.to_work(clinics);
    net.to_work(stop_xy);
    const Snapper snapper(net.graph, walk, SnapOptions{});
    const std::vector<Snap> home_snaps = snapper.snap_all(homes);
    const std::vector<Snap> clinic_snaps = snapper.snap_all(clinics);
    const std::vector<Snap> stop_snaps = snapper.snap_all(stop_xy);
    const transit::TransitRouter router(net.graph, walk, schedule.timetable, stop_snaps,
                                        clinic_snaps, options);

    // Unsnapped stops are reported, each with its reason, none silently dropped: the bus
    // network reaches beyond the OSM extract, whose stops are too far from its roads.
    std::size_t unsnapped = 0;
    for (transit::StopId s = 0; s < stop_snaps.size(); ++s) {
        if (stop_snaps[s].ok()) continue;
        REQUIRE(unsnapped < router.unsnapped_stops().size());
        CHECK(router.unsnapped_stops()[unsnapped] == s);
        CHECK(stop_snaps[s].failure != SnapFailure::not_finite);
        ++unsnapped;
    }
    CHECK(unsnapped == router.unsnapped_stops().size());
    CHECK(stop_snaps.size() - unsnapped > 2000);
    INFO(unsnapped << " of " << stop_snaps.size() << " stops did not snap, e.g. "
                   << schedule.stop_ids[router.unsnapped_stops().front()]);
    CHECK(router.footpaths().size() > 10000);
    CHECK(router.egress().size() > 1000);

    // Every resident x 60 departures, reduced as coverage will: nearest facility per
    // departure, then the median.
    transit::SummaryOptions summary;
    summary.percentiles = {25, 50, 75};
    summary.limit = 15 * 60.0;
    summary.rank_by = 1;
    const transit::TransitNearest nearest = transit::transit_nearest(router, home_snaps, summary);
    REQUIRE(nearest.share.size() == 1227);
    std::size_t covered = 0, reached = 0;
    for (std::size_t i = 0; i < homes.size(); ++i) {
        covered += nearest.at(i, 1) <= summary.limit;
        reached += std::isfinite(nearest.at(i, 1));
        CHECK(nearest.at(i, 0) <= nearest.at(i, 1));
        CHECK(nearest.at(i, 1) <= nearest.at(i, 2));
    }
    CHECK(covered > 800);
    CHECK(reached > 1100);

    // A seeded sample of residents against the oracle: the same trips, the same walks.
    std::mt19937 rng(2019);
    std::vector<std::size_t> sample;
    while (sample.size() < 10) {
        const std::size_t i = std::uniform_int_distribution<std::size_t>(0, homes.size() - 1)(rng);
        if (home_snaps[i].ok() && std::find(sample.begin(), sample.end(), i) == sample.end())
            sample.push_back(i);
    }
    transit::TransitRouter::Workspace ws(router);
    test::TimeExpandedOracle oracle(schedule.trips, schedule.stop_ids.size(), router.footpaths(),
                                    router.egress(), clinic_snaps.size(), options.raptor);
    std::size_t compared = 0, by_transit = 0;
    for (std::size_t i : sample) {
        const transit::DepartureTimes& times = router.route(home_snaps[i], ws);
        std::vector<float> nearest_by_oracle(60, std::numeric_limits<float>::infinity());
        for (std::uint32_t d = 0; d < 60; ++d) {
            const test::OracleResult expected = oracle.run(ws.legs, options.departures.at(d));
            for (std::uint32_t j = 0; j < clinic_snaps.size(); ++j) {
                const Time want = expected.travel[j];
                const float got = times.at(j, d);
                if (want < 0) {
                    CHECK(std::isinf(got));
                    continue;
                }
                CHECK(got == static_cast<float>(want));
                ++compared;
                nearest_by_oracle[d] = std::min(nearest_by_oracle[d], static_cast<float>(want));
                // Faster than walking there (or no walk at all): a vehicle was used.
                const auto walked = std::find_if(ws.legs.direct.begin(), ws.legs.direct.end(),
                                                 [&](const transit::Leg& l) { return l.to == j; });
                by_transit += walked == ws.legs.direct.end() || walked->seconds > want;
            }
        }
        // The summary is the nearest-rank percentiles of the oracle's nearest per departure.
        std::sort(nearest_by_oracle.begin(), nearest_by_oracle.end());
        CHECK(nearest.at(i, 0) == nearest_by_oracle[14]);  // ceil(0.25 * 60) = 15th
        CHECK(nearest.at(i, 1) == nearest_by_oracle[29]);  // 30th
        CHECK(nearest.at(i, 2) == nearest_by_oracle[44]);  // 45th
    }
    CHECK(compared > 10000);
    CHECK(by_transit > 1000);
}
