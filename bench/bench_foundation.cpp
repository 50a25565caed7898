// Foundation benchmark: load and build, whole-graph search speed, and a 1,000 x 1,000 walking
// matrix with a 30-minute cutoff, each against a baseline timed in the same run.
//   build/bench/bench_foundation [file.osm.pbf]   (default: ../shared/data/osm/porto_metro_2015.osm.pbf)
// Baselines: `osmium fileinfo -e` (reads and checks the whole file) and SciPy's csgraph.dijkstra
// on the same graph and points (bench/baseline_scipy_matrix.py, Debian's python3-scipy).

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "core/matrix.hpp"
#include "core/search.hpp"
#include "core/snap.hpp"
#include "io/atomic_file.hpp"
#include "io/network.hpp"

using namespace lifecircle;

namespace {

/** Median of a few timings. */
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? -1.0 : v[v.size() / 2];
}

/** `bench_foundation --load-only FILE`: one load in this fresh process; prints the seconds. */
int load_only(const std::string& file) {
    const auto t0 = bench::Clock::now();
    const io::Network net = io::load_network(file, io::NetworkOptions{});
    std::printf("{\"load_s\": %.6f, \"read_s\": %.6f, \"build_s\": %.6f}\n", bench::since(t0), net.read_seconds,
                net.build_seconds);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "--load-only") return load_only(argv[2]);
    const std::string file = argc > 1 ? argv[1] : LIFECIRCLE_SHARED_DATA "/osm/porto_metro_2015.osm.pbf";
    const std::string dir = (std::filesystem::temp_directory_path() / "lifecircle_bench_foundation").string();
    std::filesystem::create_directories(dir);
    std::printf("lifecircle foundation benchmark on %s\n\n", file.c_str());

    // 1. Load and build vs osmium fileinfo -e. A command-line run loads once in a fresh
    //    process, so both are timed in fresh processes, alternating, and the medians compared.
    constexpr int load_runs = 7;
    std::vector<double> osmium_runs, load_runs_s, read_runs, build_runs;
    std::string osmium_cmd = "osmium fileinfo -e '";
    osmium_cmd.append(file).append("' > /dev/null");
    std::string load_cmd = "'";
    load_cmd.append(argv[0]).append("' --load-only '").append(file).append("'");
    for (int run = 0; run < load_runs; ++run) {
        const double o = bench::time_command(osmium_cmd);
        if (o > 0) osmium_runs.push_back(o);
        const std::string json = bench::capture(load_cmd);
        load_runs_s.push_back(bench::json_number(json, "load_s"));
        read_runs.push_back(bench::json_number(json, "read_s"));
        build_runs.push_back(bench::json_number(json, "build_s"));
    }
    const double load_s = median(load_runs_s);
    const double osmium_s = median(osmium_runs);
    io::NetworkOptions opts;
    io::Network net = io::load_network(file, opts);
    const RoadGraph& g = net.graph;
    std::printf("load+build       %.3f s median of %d fresh processes (read %.3f, build %.3f; fastest %.3f, slowest %.3f)"
                ": %zu nodes, %zu edges\n",
                load_s, load_runs, median(read_runs), median(build_runs),
                *std::min_element(load_runs_s.begin(), load_runs_s.end()),
                *std::max_element(load_runs_s.begin(), load_runs_s.end()), g.node_count(), g.edge_count());
    if (osmium_s > 0)
        std::printf("  osmium fileinfo -e  %.3f s median (whole process)  -> ratio %.2fx (target <= 3x)\n", osmium_s,
                    load_s / osmium_s);
    else
        std::printf("  osmium fileinfo -e  not available (install osmium-tool)\n");
    // For comparison: the whole `lifecircle network-info` process, which also pays for starting
    // up (loading GDAL, PROJ and GEOS) and for the report.
    const std::filesystem::path cli = std::filesystem::path(argv[0]).parent_path().parent_path() / "lifecircle";
    if (std::filesystem::exists(cli)) {
        std::string info_cmd = "'";
        info_cmd.append(cli.string()).append("' network-info --network '").append(file).append("' > /dev/null");
        std::string version_cmd = "'";
        version_cmd.append(cli.string()).append("' --version > /dev/null");
        std::vector<double> info_runs, start_runs;
        for (int run = 0; run < load_runs; ++run) {
            info_runs.push_back(bench::time_command(info_cmd));
            start_runs.push_back(bench::time_command(version_cmd));
        }
        std::printf("  whole `lifecircle network-info` process  %.3f s median (of which starting up: %.3f s)"
                    "  -> %.2fx osmium\n",
                    median(info_runs), median(start_runs), osmium_s > 0 ? median(info_runs) / osmium_s : 0.0);
    }

    // 2. Whole-graph searches, one thread.
    SearchWorkspace ws(g.node_count());
    std::mt19937 rng(7);
    std::uniform_int_distribution<EdgeId> pick(0, static_cast<EdgeId>(g.edge_count() - 1));
    std::size_t settled = 0;
    const int runs = 20;
    const auto t1 = bench::Clock::now();
    for (int r = 0; r < runs; ++r) {
        const Seed s{{pick(rng), 0.0}, 0.0, 0};
        search(g, ProfileId{}, std::span<const Seed>(&s, 1), unreachable, ws);
        settled += ws.settled().size();
    }
    const double search_s = bench::since(t1);
    const double per_s = static_cast<double>(settled) / search_s;
    std::printf("\nwhole-graph search  %d runs, %.3f s: %.1f million settled nodes/s on one core (target >= 10)\n",
                runs, search_s, per_s / 1e6);

    // 3. 1,000 x 1,000 walking matrix, 30-minute cutoff: snapping, searches and CSV output.
    const auto from_pts = bench::random_points_near_roads(g, ProfileId{}, 1000, 1, 40.0);
    const auto to_pts = bench::random_points_near_roads(g, ProfileId{}, 1000, 2, 40.0);
    const auto t2 = bench::Clock::now();
    const Snapper snapper(g, ProfileId{}, SnapOptions{});
    const auto from = snapper.snap_all(from_pts);
    const auto to = snapper.snap_all(to_pts);
    const double snap_s = bench::since(t2);
    MatrixOptions mo;
    mo.cutoff = 1800;
    const auto rows = travel_time_matrix(g, ProfileId{}, from, to, mo);
    const double matrix_s = bench::since(t2) - snap_s;
    std::size_t pairs = 0;
    {
        io::AtomicFile out(dir + "/od.csv");
        out.stream() << "from_id,to_id,minutes\n";
        char buf[64];
        for (std::size_t i = 0; i < rows.rows(); ++i)
            for (const TimeEntry& e : rows.row(i)) {
                std::snprintf(buf, sizeof buf, "%zu,%u,%.3f\n", i, e.col, e.seconds / 60.0);
                out.stream() << buf;
                ++pairs;
            }
        out.commit();
    }
    const double total_s = bench::since(t2);
    std::printf("\nmatrix 1000x1000 walk, 30 min  %.3f s total (snap %.3f, searches %.3f, output %.3f): %zu pairs\n",
                total_s, snap_s, matrix_s, total_s - snap_s - matrix_s, pairs);

    // SciPy on the same graph and points (nearest nodes), timed beside it.
    bench::export_graph(g, ProfileId{}, dir);
    bench::export_points(g, from, dir + "/origins.csv");
    bench::export_points(g, to, dir + "/targets.csv");
    const std::string script = LIFECIRCLE_SOURCE_DIR "/bench/baseline_scipy_matrix.py";
    const std::string json = bench::capture(bench::python() + " '" + script + "' '" + dir + "' 1800 --chunk 100");
    const double scipy_total = bench::json_number(json, "total_s");
    if (std::isfinite(scipy_total)) {
        std::printf("  scipy csgraph.dijkstra  %.3f s (dijkstra %.3f s, %.0f pairs) -> lifecircle is %.1fx faster "
                    "(target >= 5x)\n",
                    scipy_total, bench::json_number(json, "dijkstra_s"), bench::json_number(json, "pairs"),
                    scipy_total / total_s);
    } else {
        std::printf("  scipy baseline did not run (needs python3-scipy): %s\n", json.c_str());
    }
    const std::string whole = bench::capture(bench::python() + " '" + script + "' '" + dir + "' 0 --whole-graph 5");
    const double scipy_nodes = bench::json_number(whole, "nodes_per_s");
    if (std::isfinite(scipy_nodes))
        std::printf("  scipy whole-graph dijkstra  %.2f million nodes/s -> ratio %.1fx\n", scipy_nodes / 1e6,
                    per_s / scipy_nodes);

    std::printf("\npeak memory  %.0f MiB\n", bench::peak_rss_mib());
    return 0;
}
