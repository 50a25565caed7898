// Transit benchmark: Porto Alegre, the 1,227 hexagon centres of porto_alegre_hexgrid.csv as
// residents, the hexagons with healthcare as facilities, the EPTC bus and Trensurb metro feeds,
// a departure every minute for an hour (Monday 13 May 2019 from 14:00, as r5r's examples use).
// Runs in one process what a `coverage --mode transit` run will do (read the walk network
// and both feeds, build the day's timetable, snap, make the footpath and egress tables, route
// every resident with range RAPTOR, reduce to percentiles of the nearest facility), timing each
// step and the whole, with the peak memory. Then, in the same run, the baseline: the same
// routing with RAPTOR run from scratch for each departure minute (no range property), its
// ratio, and a check that both give the same times.
//   build/bench/bench_transit [threads=2] [standard_minutes=15] [max_walk_minutes=standard]
//                             [max_direct_walk_minutes=max_walk] [max_travel_minutes=120]
//                             [--no-baseline]
// The defaults are the issue's: walks up to the standard's minutes, walking all the way up to
// the same (as r5r's max_walk_time), 500 m transfers, 3 rides, board slack 60 s, journeys up
// to 2 hours (r5's MAX_TRIP_DURATION). Wall times on a shared machine depend on its load, so
// the CPU seconds and the load average are printed too.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "bench_common.hpp"
#include "core/snap.hpp"
#include "core/transit_router.hpp"
#include "io/gtfs.hpp"
#include "io/network.hpp"

using namespace lifecircle;

namespace {

struct Hexagon {
    Point lonlat;
    double population = 0;
    double healthcare = 0;
};

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
        rows.push_back({{std::stod(c[1]), std::stod(c[2])},
                        c[3].empty() ? 0.0 : std::stod(c[3]),
                        c[6].empty() ? 0.0 : std::stod(c[6])});
    }
    return rows;
}

/** The 1-minute load average ("?" if unknown): other work on the machine slows wall times. */
std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string first;
    in >> first;
    return first.empty() ? "?" : first;
}

/** CPU seconds this process has used (all threads, user and system). */
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args;
    bool baseline = true;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--no-baseline") == 0) {
            baseline = false;
        } else {
            args.emplace_back(argv[i]);
        }
    }
    const unsigned threads = args.size() > 0 ? static_cast<unsigned>(std::stoul(args[0])) : 2;
    const double standard_min = args.size() > 1 ? std::stod(args[1]) : 15.0;
    const double max_walk_min = args.size() > 2 ? std::stod(args[2]) : standard_min;
    const double direct_min = args.size() > 3 ? std::stod(args[3]) : max_walk_min;
    const double max_travel_min = args.size() > 4 ? std::stod(args[4]) : 120.0;
    const std::string data = LIFECIRCLE_SHARED_DATA;
    const std::string osm = data + "/osm/porto_alegre.osm.pbf";
    const std::string hexgrid = data + "/osm/porto_alegre_hexgrid.csv";
    const std::string eptc = data + "/transit/porto_alegre_eptc_gtfs.zip";
    const std::string trensurb = data + "/transit/porto_alegre_trensurb_gtfs.zip";
    for (const std::string& f : {osm, hexgrid, eptc, trensurb}) {
        if (!std::filesystem::exists(f)) {
            std::fprintf(stderr, "bench_transit: %s not found\n", f.c_str());
            return 2;
        }
    }
    std::printf(
        "Porto Alegre transit coverage: %u threads, standard %.0f min, walks up to %.0f min "
        "(all the way: %.0f min), transfers 500 m, 3 rides, journeys up to %.0f min, 60 "
        "departures from 14:00 on 2019-05-13; load average %s\n",
        threads, standard_min, max_walk_min, direct_min, max_travel_min, load_average().c_str());
    ParallelOptions parallel;
    parallel.threads = threads;

    const auto t0 = bench::Clock::now();
    const double cpu0 = cpu_seconds();
    io::NetworkOptions no;
    no.profiles = {default_profile(Mode::walk)};
    const io::Network net = io::load_network(osm, no);
    const ProfileId walk = net.graph.profile_id(Mode::walk);
    const double t_network = bench::since(t0);

    auto t = bench::Clock::now();
    const std::vector<io::GtfsFeed> feeds{io::read_gtfs(eptc, {.name = "eptc"}),
                                          io::read_gtfs(trensurb, {.name = "trensurb"})};
    const double t_gtfs = bench::since(t);

    transit::RouterOptions options;
    options.departures = {14 * 3600, 60, 60};
    options.max_walk_seconds = max_walk_min * 60.0;
    options.max_direct_walk_seconds = direct_min * 60.0;
    options.max_transfer_m = 500.0;
    options.raptor.max_travel = static_cast<transit::Time>(max_travel_min * 60.0);
    t = bench::Clock::now();
    const io::TransitSchedule schedule = io::build_schedule(
        feeds, {*io::parse_iso_date("2019-05-13"), options.departures.first,
                options.departures.at(options.departures.count - 1) + options.raptor.max_travel});
    const double t_schedule = bench::since(t);

    t = bench::Clock::now();
    const std::vector<Hexagon> hex = read_hexgrid(hexgrid);
    std::vector<Point> homes, clinics;
    std::vector<double> population;
    for (const Hexagon& h : hex) {
        homes.push_back(h.lonlat);
        population.push_back(h.population);
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
    const double t_snap = bench::since(t);

    t = bench::Clock::now();
    const transit::TransitRouter router(net.graph, walk, schedule.timetable, stop_snaps,
                                        clinic_snaps, options, parallel);
    const double t_tables = bench::since(t);

    transit::SummaryOptions summary;
    summary.percentiles = {25, 50, 75};
    summary.limit = standard_min * 60.0;
    summary.rank_by = 1;
    t = bench::Clock::now();
    const double cpu_route0 = cpu_seconds();
    const transit::TransitNearest nearest =
        transit::transit_nearest(router, home_snaps, summary, parallel);
    const double t_route = bench::since(t);
    const double cpu_route = cpu_seconds() - cpu_route0;
    const double t_total = bench::since(t0);
    const double cpu_total = cpu_seconds() - cpu0;
    const double peak = bench::peak_rss_mib();

    std::printf(
        "inputs: %zu walk nodes; %zu stops in the window (%zu not snapped), %zu trips, %zu "
        "patterns; %zu residents, %zu healthcare hexagons\n",
        net.graph.node_count(), schedule.stop_ids.size(), router.unsnapped_stops().size(),
        schedule.trips.size(), schedule.timetable.pattern_count(), homes.size(), clinics.size());
    std::printf("tables: %zu footpaths, %zu egress walks (%.1f MiB)\n", router.footpaths().size(),
                router.egress().size(), static_cast<double>(router.bytes()) / (1 << 20));
    std::printf(
        "time: network %.2f s, GTFS %.2f s, timetable %.2f s, snap %.2f s, tables %.2f s, "
        "routing %.2f s (%.2f CPU s; %zu origins x %u departures)\n",
        t_network, t_gtfs, t_schedule, t_snap, t_tables, t_route, cpu_route, homes.size(),
        options.departures.count);
    std::printf("whole run: %.2f s (%.2f CPU s), peak memory %.0f MiB\n", t_total, cpu_total, peak);

    // Figures: the median of the per-departure nearest facility, against the standard.
    double total = 0, covered = 0, share_sum = 0, walk_covered = 0;
    transit::TransitRouter::Workspace ws(router);
    for (std::size_t i = 0; i < homes.size(); ++i) {
        total += population[i];
        if (nearest.at(i, 1) <= summary.limit) covered += population[i];
        share_sum += population[i] * nearest.share[i];
        router.origin_legs(home_snaps[i], ws);
        transit::Time walk_best = transit::no_time;
        for (const transit::Leg& l : ws.legs.direct) walk_best = std::min(walk_best, l.seconds);
        if (walk_best <= summary.limit) walk_covered += population[i];
    }
    std::printf(
        "coverage: %.1f%% of %.0f residents reach healthcare within %.0f min at the median "
        "departure (walking only: %.1f%%); on average %.1f%% of departures do\n",
        100.0 * covered / total, total, standard_min, 100.0 * walk_covered / total,
        100.0 * share_sum / total);

    if (baseline) {
        transit::RouterOptions plain_options = options;
        plain_options.raptor.range = false;
        const transit::TransitRouter plain(net.graph, walk, schedule.timetable, stop_snaps,
                                           clinic_snaps, plain_options, parallel);
        t = bench::Clock::now();
        const double cpu_plain0 = cpu_seconds();
        const transit::TransitNearest plain_nearest =
            transit::transit_nearest(plain, home_snaps, summary, parallel);
        const double t_plain = bench::since(t);
        const double cpu_plain = cpu_seconds() - cpu_plain0;
        const bool same = plain_nearest.seconds == nearest.seconds &&
                          plain_nearest.share == nearest.share &&
                          plain_nearest.target == nearest.target;
        std::printf(
            "baseline, RAPTOR from scratch every minute (same run): routing %.2f s (%.2f CPU s); "
            "range RAPTOR is %.1fx faster (%.1fx in CPU); same results: %s\n",
            t_plain, cpu_plain, t_plain / t_route, cpu_plain / cpu_route, same ? "yes" : "NO");
        if (!same) return 1;
    }
    return 0;
}
