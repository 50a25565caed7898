// Site suggestion at city scale (run by hand, see bench/README.md):
//   build/bench/bench_suggest [file.osm.pbf] [demand=50000] [candidates=5000] [K=20] [runs=3]
//       [--spacing M] [--lifecircle PATH]
// 15-minute walk on porto_metro_2015.osm.pbf by default. Times the whole `lifecircle suggest`
// process (read, snap, one bounded search per candidate, heuristic, bound, GeoPackage) twice:
//  - with `--candidates auto` (generated every M metres along the roads; the target:
//    table + heuristic + bound <= 10 s on 2 cores), and
//  - with an explicit file of `candidates` random sites near the roads, paired with the Python
//    baseline on the same sites (bench/baseline_scipy_mclp.py: SciPy dijkstra coverage table,
//    lazy greedy and swap search), whose timed parts exclude loading the CSV files.
// Prints objective, bound, gap, seconds and peak memory.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_common.hpp"
#include "io/network.hpp"

using namespace lifecircle;

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

void write_points(const io::Network& net, const std::vector<Point>& xy, const std::vector<double>* values,
                  const std::string& prefix, const std::string& lonlat_file, const std::string& xy_file) {
    std::vector<Point> lonlat = xy;
    net.to_lonlat(lonlat);
    std::ofstream ll(lonlat_file), wk(xy_file);
    ll << "id,lon,lat" << (values ? ",pop" : "") << '\n';
    wk << "id,x,y" << (values ? ",weight" : "") << '\n';
    char buf[160];
    for (std::size_t i = 0; i < xy.size(); ++i) {
        char v[32] = "";  // (no std::string operator+: GCC 12's -Wrestrict false positive)
        if (values) std::snprintf(v, sizeof v, ",%ld", static_cast<long>((*values)[i]));
        std::snprintf(buf, sizeof buf, "%s%zu,%.7f,%.7f%s\n", prefix.c_str(), i, lonlat[i].x, lonlat[i].y, v);
        ll << buf;
        std::snprintf(buf, sizeof buf, "%s%zu,%.3f,%.3f%s\n", prefix.c_str(), i, xy[i].x, xy[i].y, v);
        wk << buf;
    }
}

struct Timed {
    double seconds = 0, peak = 0;
    nlohmann::json summary;
};

Timed time_suggest(const std::vector<std::string>& args, const std::string& dir, int runs) {
    std::vector<double> wall, peak;
    Timed t;
    for (int r = 0; r < runs; ++r) {
        std::filesystem::remove(dir + "/sites.gpkg");
        const bench::ProcessRun run = bench::run_process(args, dir + "/suggest_stdout.txt", dir + "/suggest_stderr.txt");
        if (!run.ok()) {
            std::printf("lifecircle failed (exit %d):\n%s\n", run.exit_code,
                        bench::read_text(dir + "/suggest_stderr.txt").c_str());
            std::exit(1);
        }
        std::printf("  run %d: %.3f s, peak %.0f MiB\n", r + 1, run.seconds, run.peak_mib);
        wall.push_back(run.seconds);
        peak.push_back(run.peak_mib);
    }
    t.seconds = median(wall);
    t.peak = *std::max_element(peak.begin(), peak.end());
    t.summary = nlohmann::json::parse(bench::read_text(dir + "/suggest.json"), nullptr, false);
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> pos;
    std::string cli = LIFECIRCLE_CLI;
    std::string spacing = "500";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--lifecircle" && i + 1 < argc) cli = argv[++i];
        else if (a == "--spacing" && i + 1 < argc) spacing = argv[++i];
        else pos.push_back(a);
    }
    const std::string file = pos.size() > 0 ? pos[0] : LIFECIRCLE_SHARED_DATA "/osm/porto_metro_2015.osm.pbf";
    const std::size_t demand_count = pos.size() > 1 ? std::stoul(pos[1]) : 50000;
    const std::size_t candidate_count = pos.size() > 2 ? std::stoul(pos[2]) : 5000;
    const std::string K = pos.size() > 3 ? pos[3] : "20";
    const int runs = pos.size() > 4 ? std::stoi(pos[4]) : 3;
    const std::string dir = (std::filesystem::temp_directory_path() / "lifecircle_bench_suggest").string();
    std::filesystem::create_directories(dir);
    std::printf("lifecircle suggest benchmark on %s: %zu residents (weights 1-200), K = %s, 15-minute walk\n\n",
                file.c_str(), demand_count, K.c_str());

    const io::Network net = io::load_network(file, io::NetworkOptions{});
    const auto homes = bench::random_points_near_roads(net.graph, ProfileId{}, demand_count, 31, 30.0);
    const auto sites = bench::random_points_near_roads(net.graph, ProfileId{}, candidate_count, 32, 10.0);
    std::mt19937_64 rng(33);
    std::uniform_int_distribution<int> u(1, 200);
    std::vector<double> weights(demand_count);
    for (double& w : weights) w = u(rng);
    write_points(net, homes, &weights, "", dir + "/demand.csv", dir + "/suggest_demand.csv");
    write_points(net, sites, nullptr, "c", dir + "/candidates.csv", dir + "/suggest_candidates.csv");
    bench::export_graph(net.graph, ProfileId{}, dir);

    auto base = [&](const std::string& candidates) {
        std::vector<std::string> args{cli, "suggest", "--network", file, "--demand", dir + "/demand.csv",
                                      "--weight-field", "pop", "--candidates", candidates, "--objective",
                                      "max-coverage", "--count", K, "--minutes", "15", "--out",
                                      dir + "/sites.gpkg", "--summary", dir + "/suggest.json", "--time-limit", "4"};
        if (candidates == "auto") args.insert(args.end(), {"--candidate-spacing", spacing});
        return args;
    };
    auto show = [](const char* what, const Timed& t) {
        const nlohmann::json& s = t.summary;
        if (s.is_discarded()) return;
        std::printf("%s: median %.3f s, peak %.0f MiB; %d candidates, %d table pairs; covered %.0f of %.0f, bound %.0f, "
                    "gap %.3f%%; solver %.3f s (%s)\n",
                    what, t.seconds, t.peak, s["counts"]["candidates"].get<int>(), s["counts"]["table_pairs"].get<int>(),
                    s["objective_value"].get<double>(), s["total_weight"].get<double>(), s["bound"].get<double>(),
                    100 * s["gap"].get<double>(), s["seconds"].get<double>(), s["method"].get<std::string>().c_str());
    };

    std::printf("lifecircle suggest --candidates auto --candidate-spacing %s (whole process)\n", spacing.c_str());
    const Timed a = time_suggest(base("auto"), dir, runs);
    show("auto candidates", a);
    std::printf("  target: table + heuristic + bound <= 10 s on 2 cores\n\n");

    std::printf("lifecircle suggest --candidates %zu random sites (whole process)\n", candidate_count);
    const Timed f = time_suggest(base(dir + "/candidates.csv"), dir, runs);
    show("file candidates", f);

    const std::string script = std::string(LIFECIRCLE_SOURCE_DIR) + "/bench/baseline_scipy_mclp.py";
    if (!std::filesystem::exists(script)) {
        std::printf("\n(no %s: Python baseline skipped)\n", script.c_str());
        return 0;
    }
    std::printf("\n/usr/bin/python3 baseline on the same %zu sites, --chunk 10 (its fastest; loading the CSV files is not timed)\n",
                candidate_count);
    const bench::ProcessRun py = bench::run_process({"/usr/bin/python3", script, dir, "15", K, "--chunk", "10"},
                                                    dir + "/python_stdout.txt", dir + "/python_stderr.txt");
    const auto pj = nlohmann::json::parse(bench::read_text(dir + "/python_stdout.txt"), nullptr, false);
    if (!py.ok() || pj.is_discarded()) {
        std::printf("baseline failed (exit %d):\n%s\n", py.exit_code, bench::read_text(dir + "/python_stderr.txt").c_str());
        return 1;
    }
    std::printf("%s\n", pj.dump().c_str());
    const double py_s = pj.value("total_s", NAN);
    std::printf("Python timed parts %.3f s (whole process %.3f s, peak %.0f MiB), covered %.0f\n", py_s, py.seconds,
                py.peak_mib, pj.value("covered_weight", NAN));
    std::printf("-> Python timed parts / lifecircle whole process = %.2fx; Python whole process / lifecircle = %.2fx\n",
                py_s / f.seconds, py.seconds / f.seconds);
    if (!f.summary.is_discarded())
        std::printf("   covered: lifecircle %.0f, Python %.0f (nearest-node snapping; lifecircle walks to the road)\n",
                    f.summary["objective_value"].get<double>(), pj.value("covered_weight", NAN));
    return 0;
}
