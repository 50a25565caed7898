// County-scale benchmark (issue 11): the command-line program on 1, 4 and 16 tiles of Porto.
//   build/bench/bench_county [IN.osm.pbf] [--tiles 1,4,16] [--lifecircle PATH] [--make-mosaic PATH]
//                            [--load-runs R] [--runs R] [--matrix-from N] [--isochrones N]
// (--load-runs: network-info runs, median, default 3; --runs: the same for the other jobs, default 1)
// 1 tile is IN itself; 4 and 16 tiles are 2 x 2 and 4 x 4 mosaics of it made once by make_mosaic
// into $TMPDIR/lifecircle_bench_county/. Every job is a whole `lifecircle` process (fork/exec,
// wall time and peak RSS from wait4): (a) network-info (load), (b) coverage with 1,000
// facilities and a small demand file at 15 minutes (one multi-source search), (c) matrix
// 10,000 x 1,000 with a 30-minute cutoff, (d) isochrones of 500 facilities at 15 minutes.
// Targets at 16 tiles: load <= 5 s, peak <= 2 GB, time growing no faster than the nodes.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "io/network.hpp"

using namespace lifecircle;

namespace {

struct Job {
    std::string name;
    bench::ProcessRun run;
};

struct Row {
    int tiles = 0;
    std::size_t nodes = 0, edges = 0;
    double giant_share = 0;   // nodes of the largest walk component / all nodes
    std::vector<Job> jobs;    // load, search, matrix, isochrones
    double search_only = -1;  // coverage minus load
};

void write_lonlat(const io::Network& net, std::vector<Point> xy, const std::string& file) {
    net.to_lonlat(xy);
    std::ofstream out(file);
    out << "id,lon,lat\n";
    char buf[96];
    for (std::size_t i = 0; i < xy.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%zu,%.7f,%.7f\n", i, xy[i].x, xy[i].y);
        out << buf;
    }
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? -1.0 : v[v.size() / 2];
}

std::string exe_beside(const char* argv0, const std::string& name) {
    return (std::filesystem::path(argv0).parent_path() / name).string();
}

}  // namespace

int main(int argc, char** argv) {
    std::string file = LIFECIRCLE_SHARED_DATA "/osm/porto_metro_2015.osm.pbf";
    std::string cli = LIFECIRCLE_CLI;
    std::string mosaic_exe = exe_beside(argv[0], "make_mosaic");
    std::vector<int> tile_counts = {1, 4, 16};
    int load_runs = 3, runs = 1;
    std::size_t matrix_from = 10000, matrix_to = 1000, isochrones = 500, facilities = 1000, demand = 1000;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "bench_county: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--tiles") {
            tile_counts.clear();
            std::stringstream ss(value());
            for (std::string t; std::getline(ss, t, ',');) tile_counts.push_back(std::stoi(t));
        } else if (a == "--lifecircle") cli = value();
        else if (a == "--make-mosaic") mosaic_exe = value();
        else if (a == "--load-runs") load_runs = std::max(1, std::stoi(value()));
        else if (a == "--runs") runs = std::max(1, std::stoi(value()));
        else if (a == "--matrix-from") matrix_from = std::stoul(value());
        else if (a == "--isochrones") isochrones = std::stoul(value());
        else if (!a.empty() && a[0] != '-') file = a;
        else {
            std::fprintf(stderr, "bench_county: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    for (int t : tile_counts) {
        const int n = static_cast<int>(std::lround(std::sqrt(t)));
        if (n < 1 || n * n != t) {
            std::fprintf(stderr, "bench_county: --tiles takes squares (1, 4, 9, 16...), not %d\n", t);
            return 2;
        }
    }
    const std::string dir = (std::filesystem::temp_directory_path() / "lifecircle_bench_county").string();
    std::filesystem::create_directories(dir);
    const std::string stem = std::filesystem::path(file).stem().stem().string();
    std::printf("lifecircle county benchmark: %s, tiles %s, whole `%s` processes\n", file.c_str(),
                [&] {
                    std::string s;
                    for (int t : tile_counts) {
                        if (!s.empty()) s += ',';
                        s += std::to_string(t);
                    }
                    return s;
                }().c_str(),
                cli.c_str());
    std::printf("jobs: load = network-info; search = coverage, %zu facilities, %zu demand points, 15 min; "
                "matrix = %zu x %zu, 30 min cutoff; isochrones = %zu facilities, 15 min\n\n",
                facilities, demand, matrix_from, matrix_to, isochrones);

    std::vector<Row> rows;
    for (const int tiles : tile_counts) {
        const int n = static_cast<int>(std::lround(std::sqrt(tiles)));
        std::string net_file = file;
        if (tiles > 1) {
            net_file = dir + "/" + stem + "_mosaic" + std::to_string(n) + "x" + std::to_string(n) + ".osm.pbf";
            if (!std::filesystem::exists(net_file)) {
                const std::string tmp = net_file + ".tmp.osm.pbf";
                const bench::ProcessRun m =
                    bench::run_process({mosaic_exe, file, std::to_string(n), tmp}, "", dir + "/make_mosaic.log");
                if (!m.ok()) {
                    std::fprintf(stderr, "bench_county: make_mosaic failed (%s):\n%s", mosaic_exe.c_str(),
                                 bench::read_text(dir + "/make_mosaic.log").c_str());
                    return 1;
                }
                std::filesystem::rename(tmp, net_file);
                std::printf("made %s in %.1f s: %s", net_file.c_str(), m.seconds,
                            bench::read_text(dir + "/make_mosaic.log").c_str());
            }
        }
        Row row;
        row.tiles = tiles;
        const std::string tag = dir + "/t" + std::to_string(tiles) + "_";
        {
            // Points, seeded, near the walkable roads of the largest component (all tiles when
            // the mosaic is connected). The graph is freed before any job runs.
            const io::Network net = io::load_network(net_file, io::NetworkOptions{});
            const RoadGraph& g = net.graph;
            row.nodes = g.node_count();
            row.edges = g.edge_count();
            const ProfileData& p = g.profile(ProfileId{});
            row.giant_share = p.component_size.empty() ? 0.0
                                                       : static_cast<double>(p.component_size[0]) / static_cast<double>(row.nodes);
            write_lonlat(net, bench::random_points_near_roads(g, ProfileId{}, facilities, 11, 30.0), tag + "fac.csv");
            write_lonlat(net, bench::random_points_near_roads(g, ProfileId{}, demand, 12, 30.0), tag + "dem.csv");
            write_lonlat(net, bench::random_points_near_roads(g, ProfileId{}, matrix_from, 13, 30.0),
                         tag + "from.csv");
            write_lonlat(net, bench::random_points_near_roads(g, ProfileId{}, matrix_to, 14, 30.0), tag + "to.csv");
            write_lonlat(net, bench::random_points_near_roads(g, ProfileId{}, isochrones, 15, 30.0), tag + "iso.csv");
        }
        std::printf("%2d tiles: %zu nodes, %zu edges, largest walk component %.1f%% of the nodes\n", tiles, row.nodes,
                    row.edges, 100.0 * row.giant_share);
        std::fflush(stdout);
        auto job = [&](const std::string& name, std::vector<std::string> args, int times) {
            std::vector<double> secs;
            bench::ProcessRun last;
            double peak = 0;
            for (int r = 0; r < times; ++r) {
                last = bench::run_process(args, tag + name + ".out", tag + name + ".err");
                if (!last.ok()) {
                    std::fprintf(stderr, "bench_county: %s failed at %d tiles (exit %d):\n%s", name.c_str(), tiles,
                                 last.exit_code, bench::read_text(tag + name + ".err").c_str());
                    break;
                }
                secs.push_back(last.seconds);
                peak = std::max(peak, last.peak_mib);
            }
            if (last.ok()) {
                last.seconds = median(secs);
                last.peak_mib = peak;
            }
            std::printf("   %-10s %8.2f s  %7.0f MiB%s\n", name.c_str(), last.seconds, last.peak_mib,
                        times > 1 ? (" (median of " + std::to_string(times) + ")").c_str() : "");
            std::fflush(stdout);
            row.jobs.push_back({name, last});
        };
        job("load", {cli, "network-info", "--network", net_file}, load_runs);
        job("search", {cli, "coverage", "--network", net_file, "--facilities", tag + "fac.csv", "--demand",
                       tag + "dem.csv", "--minutes", "15", "--out", tag + "coverage.gpkg"}, runs);
        job("matrix", {cli, "matrix", "--network", net_file, "--from", tag + "from.csv", "--to", tag + "to.csv",
                       "--max-minutes", "30", "--out", tag + "od.csv"}, runs);
        {
            std::ifstream od(tag + "od.csv");
            const auto lines = std::count(std::istreambuf_iterator<char>(od), std::istreambuf_iterator<char>(), '\n');
            std::printf("   matrix: %ld pairs within 30 minutes\n", static_cast<long>(lines) - 1);
        }
        job("isochrones", {cli, "isochrones", "--network", net_file, "--facilities", tag + "iso.csv", "--minutes",
                           "15", "--out", tag + "iso.gpkg"}, runs);
        if (row.jobs[0].run.ok() && row.jobs[1].run.ok())
            row.search_only = row.jobs[1].run.seconds - row.jobs[0].run.seconds;
        rows.push_back(row);
    }

    // Table.
    std::printf("\n| tiles | nodes | edges | load s | MiB | search s (minus load) | MiB | matrix s | MiB | "
                "isochrones s | MiB |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const Row& r : rows) {
        std::printf("| %d | %zu | %zu | %.2f | %.0f | %.2f (%.2f) | %.0f | %.2f | %.0f | %.2f | %.0f |\n", r.tiles,
                    r.nodes, r.edges, r.jobs[0].run.seconds, r.jobs[0].run.peak_mib, r.jobs[1].run.seconds,
                    r.search_only, r.jobs[1].run.peak_mib, r.jobs[2].run.seconds, r.jobs[2].run.peak_mib,
                    r.jobs[3].run.seconds, r.jobs[3].run.peak_mib);
    }
    if (rows.size() < 2) return 0;
    const Row& first = rows.front();
    const Row& last = rows.back();
    const double node_ratio = static_cast<double>(last.nodes) / static_cast<double>(first.nodes);
    std::printf("\ngrowth %d -> %d tiles: nodes x%.2f\n", first.tiles, last.tiles, node_ratio);
    bool all_linear = true;
    std::string worst;
    for (std::size_t k = 0; k < last.jobs.size(); ++k) {
        const double ratio = last.jobs[k].run.seconds / first.jobs[k].run.seconds;
        const bool ok = last.jobs[k].run.ok() && first.jobs[k].run.ok() && ratio <= node_ratio * 1.2;
        all_linear = all_linear && ok;
        std::printf("  %-10s time x%.2f (%.2f -> %.2f s)  %s\n", last.jobs[k].name.c_str(), ratio,
                    first.jobs[k].run.seconds, last.jobs[k].run.seconds,
                    ok ? "<= nodes x 1.2" : "OVER nodes x 1.2");
    }
    if (first.search_only > 0 && last.search_only > 0)
        std::printf("  %-10s time x%.2f (search part: %.2f -> %.2f s)\n", "search-load",
                    last.search_only / first.search_only, first.search_only, last.search_only);
    double peak = 0;
    for (const Job& j : last.jobs) peak = std::max(peak, j.run.peak_mib);
    const std::string at = std::to_string(last.tiles) + " tiles" + (last.tiles == 16 ? "" : " (not 16!)");
    std::printf("\ntargets at %s:\n", at.c_str());
    std::printf("  load <= 5 s:            %s (%.2f s)\n", last.jobs[0].run.seconds <= 5.0 ? "met" : "NOT MET",
                last.jobs[0].run.seconds);
    std::printf("  peak memory <= 2 GB:    %s (largest job %.0f MiB)\n", peak <= 2048.0 ? "met" : "NOT MET", peak);
    std::printf("  growth <= linear x 1.2: %s (node ratio %.2f, limit %.2f)\n", all_linear ? "met" : "NOT MET",
                node_ratio, node_ratio * 1.2);
    return 0;
}
