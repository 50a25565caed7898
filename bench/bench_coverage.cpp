// Coverage benchmark: 100,000 weighted residents and 1,000 facilities with capacities on the
// largest network, 15-minute walk. Times the WHOLE `lifecircle coverage` process (read the
// network and both CSV files, snap, search, figures, gap hexagons, write a GeoPackage and the
// summary) as a child process, median of several runs, with its peak memory; beside it the
// common Python way (bench/baseline_scipy_coverage.py: SciPy multi-source dijkstra over nearest
// nodes, and NumPy E2SFCA from batched bounded dijkstra calls) on the same graph and points.
//   build/bench/bench_coverage [file.osm.pbf] [demand=100000] [facilities=1000] [runs=5]
//                              [--lifecircle PATH] [--chunk C] [--no-variants]
// The inputs are generated once into a temp folder (seeded, so every run sees the same points).
// When `lifecircle coverage --help` lists --capacity-field (and --access), the run passes
// `--capacity-field capacity --access e2sfca`; otherwise it says it timed coverage without them.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_common.hpp"
#include "io/network.hpp"

using namespace lifecircle;

namespace {

constexpr double standard_minutes = 15.0;

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? -1.0 : v[v.size() / 2];
}

/** Writes `id,lon,lat,<field>` (WGS84, for lifecircle) and `id,x,y,<python_field>` (work CRS
    metres, for the Python baseline) for the same points. */
void write_points(const io::Network& net, const std::vector<Point>& xy,
                  const std::vector<double>& values, const std::string& field,
                  const std::string& lonlat_file, const std::string& python_field,
                  const std::string& xy_file) {
    std::vector<Point> lonlat = xy;
    net.to_lonlat(lonlat);
    std::ofstream ll(lonlat_file), wk(xy_file);
    ll << "id,lon,lat," << field << '\n';
    wk << "id,x,y," << python_field << '\n';
    char buf[160];
    for (std::size_t i = 0; i < xy.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%zu,%.7f,%.7f,%.0f\n", i, lonlat[i].x, lonlat[i].y,
                      values[i]);
        ll << buf;
        std::snprintf(buf, sizeof buf, "%zu,%.3f,%.3f,%.0f\n", i, xy[i].x, xy[i].y, values[i]);
        wk << buf;
    }
}

/** Seeded integers lo..hi as doubles. */
std::vector<double> random_integers(std::size_t count, int lo, int hi, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> u(lo, hi);
    std::vector<double> out(count);
    for (double& v : out) v = u(rng);
    return out;
}

bool has_option(const std::string& help, const std::string& option) {
    // An option is listed as "  --name TEXT ..." or "--name," ; avoid matching a prefix.
    for (std::size_t at = help.find(option); at != std::string::npos;
         at = help.find(option, at + 1)) {
        const char next = at + option.size() < help.size() ? help[at + option.size()] : ' ';
        if (next == ' ' || next == ',' || next == '\n' || next == '=') return true;
    }
    return false;
}

double number_or_nan(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? j[key].get<double>() : NAN;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> pos;
    std::string cli = LIFECIRCLE_CLI;
    std::string chunk = "20";
    bool variants = true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--lifecircle" && i + 1 < argc)
            cli = argv[++i];
        else if (a == "--chunk" && i + 1 < argc)
            chunk = argv[++i];
        else if (a == "--no-variants")
            variants = false;
        else
            pos.push_back(a);
    }
    const std::string file =
        pos.size() > 0 ? pos[0] : LIFECIRCLE_SHARED_DATA "/osm/porto_metro_2015.osm.pbf";
    const std::size_t demand_count = pos.size() > 1 ? std::stoul(pos[1]) : 100000;
    const std::size_t facility_count = pos.size() > 2 ? std::stoul(pos[2]) : 1000;
    const int runs = std::max(3, pos.size() > 3 ? std::stoi(pos[3]) : 5);
    const std::string dir =
        (std::filesystem::temp_directory_path() / "lifecircle_bench_coverage").string();
    std::filesystem::create_directories(dir);
    std::printf(
        "lifecircle coverage benchmark on %s: %zu residents (weights 1-200), %zu facilities "
        "(capacity 20-200), %.0f-minute walk, %u cores\n\n",
        file.c_str(), demand_count, facility_count, standard_minutes,
        std::thread::hardware_concurrency());

    // Inputs, once: the same points go to lifecircle (lon/lat CSV) and to Python (metres).
    const io::Network net = io::load_network(file, io::NetworkOptions{});
    const RoadGraph& g = net.graph;
    const auto homes = bench::random_points_near_roads(g, ProfileId{}, demand_count, 21, 30.0);
    const auto sites = bench::random_points_near_roads(g, ProfileId{}, facility_count, 22, 30.0);
    write_points(net, homes, random_integers(demand_count, 1, 200, 23), "pop", dir + "/demand.csv",
                 "weight", dir + "/coverage_demand.csv");
    write_points(net, sites, random_integers(facility_count, 20, 200, 24), "capacity",
                 dir + "/facilities.csv", "capacity", dir + "/coverage_facilities.csv");
    bench::export_graph(g, ProfileId{}, dir);
    std::printf("inputs in %s: %zu nodes, %zu edges\n", dir.c_str(), g.node_count(),
                g.edge_count());

    // Which capacity options this lifecircle has.
    if (!std::filesystem::exists(cli)) {
        std::printf(
            "lifecircle binary %s not found (build the lifecircle target or pass --lifecircle "
            "PATH)\n",
            cli.c_str());
        return 1;
    }
    const std::string help = bench::capture("'" + cli + "' coverage --help 2>&1");
    const bool capacity = has_option(help, "--capacity-field");
    const bool access = has_option(help, "--access");
    std::vector<std::string> args{cli,
                                  "coverage",
                                  "--network",
                                  file,
                                  "--facilities",
                                  dir + "/facilities.csv",
                                  "--demand",
                                  dir + "/demand.csv",
                                  "--weight-field",
                                  "pop",
                                  "--minutes",
                                  "15",
                                  "--out",
                                  dir + "/coverage.gpkg",
                                  "--gaps",
                                  dir + "/coverage.gpkg",
                                  "--summary",
                                  dir + "/summary.json"};
    if (capacity) args.insert(args.end(), {"--capacity-field", "capacity"});
    if (capacity && access) args.insert(args.end(), {"--access", "e2sfca"});
    std::string cmdline;
    for (std::size_t i = 1; i < args.size(); ++i) cmdline += (i > 1 ? " " : "") + args[i];
    if (capacity)
        std::printf("capacity options found: timing with --capacity-field capacity%s\n",
                    access ? " --access e2sfca" : " (no --access option listed)");
    else
        std::printf(
            "NOTE: this lifecircle has no --capacity-field yet: timed WITHOUT capacities, E2SFCA "
            "or "
            "assignment (nearest facility, shares, gaps and output only)\n");
    std::printf("lifecircle %s\n\n", cmdline.c_str());

    // lifecircle, whole process, several runs.
    std::vector<double> wall, peak;
    for (int r = 0; r < runs; ++r) {
        std::filesystem::remove(dir + "/coverage.gpkg");
        std::filesystem::remove(dir + "/summary.json");
        const bench::ProcessRun run = bench::run_process(args, dir + "/lifecircle_stdout.txt",
                                                         dir + "/lifecircle_stderr.txt");
        if (!run.ok()) {
            std::printf("lifecircle failed (exit %d):\n%s\n", run.exit_code,
                        bench::read_text(dir + "/lifecircle_stderr.txt").c_str());
            return 1;
        }
        std::printf("  run %d: %.3f s, peak %.0f MiB\n", r + 1, run.seconds, run.peak_mib);
        wall.push_back(run.seconds);
        peak.push_back(run.peak_mib);
    }
    const double lc_s = median(wall);
    const auto summary =
        nlohmann::json::parse(bench::read_text(dir + "/summary.json"), nullptr, false);
    double lc_share = NAN;
    if (!summary.is_discarded() && summary.contains("groups") && summary["groups"].contains("pop"))
        lc_share = number_or_nan(summary["groups"]["pop"], "coverage_share");
    std::printf(
        "lifecircle whole process  median %.3f s (min %.3f, max %.3f, %d runs), peak %.0f MiB "
        "(target <= 2 s on 2 cores)\n",
        lc_s, *std::min_element(wall.begin(), wall.end()),
        *std::max_element(wall.begin(), wall.end()), runs,
        *std::max_element(peak.begin(), peak.end()));
    if (!summary.is_discarded()) {
        std::printf(
            "  covered share %.4f, unsnapped points %s, gap cells %s; summary keys:", lc_share,
            summary.contains("counts") ? summary["counts"]
                                             .value("demand_points_unsnapped", nlohmann::json())
                                             .dump()
                                             .c_str()
                                       : "?",
            summary.value("gap_cells", nlohmann::json()).dump().c_str());
        for (const auto& [key, value] : summary.items()) std::printf(" %s", key.c_str());
        std::printf("\n");
    }

    // For reading the figure: the same binary only loading the network (a fresh process too).
    std::vector<double> load_wall;
    for (int r = 0; r < 3; ++r) {
        const bench::ProcessRun run =
            bench::run_process({cli, "network-info", "--network", file}, "/dev/null", "/dev/null");
        if (run.ok()) load_wall.push_back(run.seconds);
    }
    if (!load_wall.empty())
        std::printf(
            "  of which loading the network: `lifecircle network-info` alone takes %.3f s (median "
            "of %zu)\n",
            median(load_wall), load_wall.size());

    // Python, once (it takes a while); its peak memory from wait4 as well.
    const std::string script = LIFECIRCLE_SOURCE_DIR "/bench/baseline_scipy_coverage.py";
    std::vector<std::string> py{bench::python(), script, dir, "15", "--chunk", chunk};
    if (variants) py.push_back("--variants");
    std::printf("\n/usr/bin/python3 baseline (loading the CSV files is not timed):\n");
    const bench::ProcessRun pr = bench::run_process(py, dir + "/python_stdout.txt");
    const auto pj =
        nlohmann::json::parse(bench::read_text(dir + "/python_stdout.txt"), nullptr, false);
    if (!pr.ok() || pj.is_discarded()) {
        std::printf("Python baseline did not run (exit %d; needs python3-scipy, python3-numpy)\n",
                    pr.exit_code);
        return 1;
    }
    const double py_total = number_or_nan(pj, "total_s");
    const double py_nosnap = number_or_nan(pj, "total_without_snap_s");
    const double py_share = number_or_nan(pj, "covered_share");
    std::printf(
        "  build csr+transpose %.3f s, snap (largest component + cKDTree) %.3f s, nearest "
        "(min_only) %.3f s\n",
        number_or_nan(pj, "build_s"), number_or_nan(pj, "snap_s"), number_or_nan(pj, "nearest_s"));
    std::printf(
        "  E2SFCA: dijkstra %.3f s (%s facilities per call), table %.3f s, ratios %.3f s; %.0f "
        "pairs\n",
        number_or_nan(pj, "e2sfca_dijkstra_s"), chunk.c_str(), number_or_nan(pj, "e2sfca_table_s"),
        number_or_nan(pj, "e2sfca_ratio_s"), number_or_nan(pj, "table_pairs"));
    std::printf(
        "  total %.3f s (%.3f s without snapping), not timed: loading CSV %.1f s; process wall "
        "%.1f s, "
        "peak %.0f MiB\n",
        py_total, py_nosnap, number_or_nan(pj, "load_s"), pr.seconds, pr.peak_mib);
    std::printf(
        "  E2SFCA figures: weighted mean A_i %.5f capacity per resident, %.1f%% of residents with "
        "A_i = 0\n",
        number_or_nan(pj, "access_weighted_mean"), 100.0 * number_or_nan(pj, "access_zero_share"));
    if (pj.contains("variant_chunk1_s"))
        std::printf("  weaker variant: E2SFCA with one dijkstra call per facility %.3f s\n",
                    number_or_nan(pj, "variant_chunk1_s"));
    // Ratio > 1: lifecircle is faster. Python's timed parts leave out its interpreter start,
    // imports and reading its (pre-projected, pre-exported) inputs, and it writes no files.
    std::printf(
        "  -> Python timed parts / lifecircle whole process = %.2fx (%.2fx without Python's "
        "snapping)%s\n",
        py_total / lc_s, py_nosnap / lc_s,
        capacity ? "" : "  [lifecircle ran without E2SFCA: not like for like]");
    std::printf(
        "     Python whole process (interpreter, imports, CSV loading included) / lifecircle = "
        "%.2fx\n",
        pr.seconds / lc_s);

    // The covered shares: lifecircle snaps onto the road and counts both access walks (point ->
    // road at 4 km/h); the common Python way starts at the nearest node and ignores them, which
    // covers more; the Python variant that adds the straight walk to the nearest node at the
    // same speed covers less. lifecircle should lie between the two.
    const double diff = std::abs(py_share - lc_share);
    const double py_access = number_or_nan(pj, "variant_access_covered_share");
    std::printf(
        "\ncovered share  lifecircle %.4f  Python (nearest node) %.4f  difference %.4f: %s\n",
        lc_share, py_share, diff, diff <= 0.02 ? "agree within 2%" : "differ by more than 2%");
    const bool bracketed =
        std::isfinite(py_access) && py_access <= lc_share && lc_share <= py_share;
    if (std::isfinite(py_access))
        std::printf(
            "  Python with the access walks to the nearest node %.4f: lifecircle %s\n", py_access,
            bracketed ? "lies between the two (as it should: it walks to the road, not the node)"
                      : "does NOT lie between the two Python shares");
    return diff <= 0.02 || bracketed ? 0 : 1;
}
