// Province-scale benchmark (issue 20): a whole coverage study single vs in 16 shards, on mosaics
// of Porto metro from 1 x 1 to 8 x 8 (~4.7 M graph nodes) with 2 M residents and 20,000
// facilities at 8 x 8 (and the same density below it).
//   build/bench/bench_province [IN.osm.pbf] [--sides 1,2,4,8] [--shards 16] [--residents 2000000]
//                              [--facilities 20000] [--lifecircle PATH] [--make-mosaic PATH] [--keep]
//                              [--suggest]
// Mosaics are made once by make_mosaic into $TMPDIR/lifecircle_bench_county/ (shared with
// bench_county). Residents and facilities are seeded points near the walkable roads (residents
// 1-60 people each, in a GeoPackage so that each shard reads its part through the spatial index;
// facilities with 200-2,000 seats). The study: 15 minutes' walk, seats by exact assignment, E2SFCA,
// a 500 m gap map, a GeoPackage demand layer and a summary. Every job is a whole `lifecircle`
// process (fork/exec; wall time, CPU time and peak RSS from wait4): the single run, then the plan
// (lifecircle slurm, no submission: network parts, manifest), the 16 shards one at a time, the
// merge. The merged summary must equal the single run's, byte for byte. With --suggest, the same for
// `suggest` (max-coverage of 50 new sites among every 100th resident's place, not capacitated):
// single vs plan + shards + merge, the sites file equal byte for byte.
// Targets at 8 x 8: each shard <= 1.5 GB, the shards' total CPU (plan and merge included)
// <= 1.5 x the single run, the single run <= 24 GB.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "io/network.hpp"

using namespace lifecircle;
namespace fs = std::filesystem;

namespace {

/** One verb whole and in shards. */
struct Runs {
    bench::ProcessRun single, plan, merge;
    std::vector<bench::ProcessRun> shards;
    bool same = false;
    double shards_cpu() const {
        double s = 0;
        for (const auto& r : shards) s += r.cpu_seconds;
        return s;
    }
    double shards_wall() const {
        double s = 0;
        for (const auto& r : shards) s += r.seconds;
        return s;
    }
    double shard_peak() const {
        double m = 0;
        for (const auto& r : shards) m = std::max(m, r.peak_mib);
        return m;
    }
    double sharded_cpu() const { return plan.cpu_seconds + shards_cpu() + merge.cpu_seconds; }
    void print(const char* verb, std::size_t count) const {
        std::printf("  %s single  %7.1f s  %7.1f s CPU  %6.0f MiB\n", verb, single.seconds, single.cpu_seconds,
                    single.peak_mib);
        std::printf("  %s plan    %7.1f s  %7.1f s CPU  %6.0f MiB\n", verb, plan.seconds, plan.cpu_seconds, plan.peak_mib);
        std::printf("  %s shards  %7.1f s  %7.1f s CPU  %6.0f MiB at most (%zu one at a time)\n", verb, shards_wall(),
                    shards_cpu(), shard_peak(), count);
        std::printf("  %s merge   %7.1f s  %7.1f s CPU  %6.0f MiB\n", verb, merge.seconds, merge.cpu_seconds,
                    merge.peak_mib);
        std::printf("  %s sharded CPU / single CPU = %.2f; merged output %s the single run's\n\n", verb,
                    sharded_cpu() / single.cpu_seconds, same ? "equals" : "DIFFERS FROM");
        std::fflush(stdout);
    }
};

struct Row : Runs {
    int side = 0;
    std::size_t nodes = 0, residents = 0, facilities = 0;
    std::optional<Runs> suggest;
};

void write_points(const io::Network& net, std::vector<Point> xy, const std::string& file, const std::string& header,
                  unsigned seed, int lo, int hi) {
    net.to_lonlat(xy);
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> value(lo, hi);
    std::ofstream out(file);
    out << "id,lon,lat," << header << "\n";
    char buf[128];
    for (std::size_t i = 0; i < xy.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%zu,%.7f,%.7f,%d\n", i, xy[i].x, xy[i].y, value(rng));
        out << buf;
    }
}

std::string exe_beside(const char* argv0, const std::string& name) {
    return (fs::path(argv0).parent_path() / name).string();
}

bool run_ok(const bench::ProcessRun& r, const std::string& what, const std::string& err) {
    if (r.ok()) return true;
    std::fprintf(stderr, "bench_province: %s failed (exit %d):\n%s", what.c_str(), r.exit_code,
                 bench::read_text(err).c_str());
    return false;
}

/** `verb` whole, then planned (lifecircle slurm, no submission), its shards one at a time and the
    merge, each a whole process. */
bool run_whole_and_sharded(const std::string& cli, const std::string& verb, const std::vector<std::string>& study,
                           const std::vector<std::string>& single_out, const std::vector<std::string>& merged_out,
                           std::size_t shards, const std::string& tag, Runs& runs) {
    std::vector<std::string> args = {cli, verb};
    args.insert(args.end(), study.begin(), study.end());
    args.insert(args.end(), single_out.begin(), single_out.end());
    runs.single = bench::run_process(args, tag + "single.out", tag + "single.err");
    if (!run_ok(runs.single, verb + " whole", tag + "single.err")) return false;
    const std::string run_dir = tag + "run";
    fs::remove_all(run_dir);
    std::vector<std::string> shard_args = study;
    shard_args.insert(shard_args.end(), merged_out.begin(), merged_out.end());
    args = {cli, "slurm", "--shards", std::to_string(shards), "--out", run_dir, "--force", "--", verb};
    args.insert(args.end(), shard_args.begin(), shard_args.end());
    runs.plan = bench::run_process(args, tag + "plan.out", tag + "plan.err");
    if (!run_ok(runs.plan, "the plan", tag + "plan.err")) return false;
    runs.shards.clear();
    for (std::size_t i = 0; i < shards; ++i) {
        args = {cli, verb};
        args.insert(args.end(), shard_args.begin(), shard_args.end());
        for (const std::string& a : {std::string("--shard"), std::to_string(i) + "/" + std::to_string(shards),
                                     std::string("--shard-dir"), run_dir})
            args.push_back(a);
        const std::string err = tag + "shard" + std::to_string(i) + ".err";
        runs.shards.push_back(bench::run_process(args, "", err));
        if (!run_ok(runs.shards.back(), "shard " + std::to_string(i), err)) return false;
    }
    runs.merge = bench::run_process({cli, "merge", run_dir}, tag + "merge.out", tag + "merge.err");
    return run_ok(runs.merge, "the merge", tag + "merge.err");
}

}  // namespace

int main(int argc, char** argv) {
    std::string file = LIFECIRCLE_SHARED_DATA "/osm/porto_metro_2015.osm.pbf";
    std::string cli = LIFECIRCLE_CLI;
    std::string mosaic_exe = exe_beside(argv[0], "make_mosaic");
    std::vector<int> sides = {1, 2, 4, 8};
    std::size_t shards = 16, residents_top = 2000000, facilities_top = 20000;
    bool keep = false, with_suggest = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "bench_province: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--sides") {
            sides.clear();
            std::stringstream ss(value());
            for (std::string t; std::getline(ss, t, ',');) sides.push_back(std::stoi(t));
        } else if (a == "--shards") shards = std::stoul(value());
        else if (a == "--residents") residents_top = std::stoul(value());
        else if (a == "--facilities") facilities_top = std::stoul(value());
        else if (a == "--lifecircle") cli = value();
        else if (a == "--make-mosaic") mosaic_exe = value();
        else if (a == "--keep") keep = true;
        else if (a == "--suggest") with_suggest = true;
        else if (!a.empty() && a[0] != '-') file = a;
        else {
            std::fprintf(stderr, "bench_province: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    const int top = *std::max_element(sides.begin(), sides.end());
    const std::string mosaics = (fs::temp_directory_path() / "lifecircle_bench_county").string();
    const std::string dir = (fs::temp_directory_path() / "lifecircle_bench_province").string();
    fs::create_directories(mosaics);
    fs::create_directories(dir);
    const std::string stem = fs::path(file).stem().stem().string();
    std::printf("lifecircle province benchmark: %s; %zu residents and %zu facilities at %d x %d (the same density "
                "below); %zu shards run one at a time; whole `%s` processes\n\n",
                file.c_str(), residents_top, facilities_top, top, top, shards, cli.c_str());
    std::fflush(stdout);

    std::vector<Row> rows;
    for (const int side : sides) {
        std::string net_file = file;
        if (side > 1) {
            net_file = mosaics + "/" + stem + "_mosaic" + std::to_string(side) + "x" + std::to_string(side) + ".osm.pbf";
            if (!fs::exists(net_file)) {
                const std::string tmp = net_file + ".tmp.osm.pbf";
                const bench::ProcessRun m =
                    bench::run_process({mosaic_exe, file, std::to_string(side), tmp}, "", mosaics + "/make_mosaic.log");
                if (!run_ok(m, "make_mosaic", mosaics + "/make_mosaic.log")) return 1;
                fs::rename(tmp, net_file);
            }
        }
        Row row;
        row.side = side;
        const double share = static_cast<double>(side * side) / static_cast<double>(top * top);
        row.residents = static_cast<std::size_t>(std::llround(static_cast<double>(residents_top) * share));
        row.facilities = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(static_cast<double>(facilities_top) * share)));
        const std::string tag = dir + "/s" + std::to_string(side) + "_";
        {
            const io::Network net = io::load_network(net_file, io::NetworkOptions{});
            row.nodes = net.graph.node_count();
            write_points(net, bench::random_points_near_roads(net.graph, ProfileId{}, row.residents, 100 + side, 40.0),
                         tag + "residents.csv", "pop", 200 + side, 1, 60);
            write_points(net, bench::random_points_near_roads(net.graph, ProfileId{}, row.facilities, 300 + side, 30.0),
                         tag + "facilities.csv", "seats", 400 + side, 200, 2000);
        }
        fs::remove(tag + "residents.gpkg");
        const bench::ProcessRun conv = bench::run_process(
            {"ogr2ogr", "-f", "GPKG", tag + "residents.gpkg", tag + "residents.csv", "-oo", "X_POSSIBLE_NAMES=lon",
             "-oo", "Y_POSSIBLE_NAMES=lat", "-oo", "AUTODETECT_TYPE=YES", "-a_srs", "EPSG:4326", "-nln", "residents"},
            "", tag + "ogr2ogr.err");
        if (!run_ok(conv, "ogr2ogr", tag + "ogr2ogr.err")) return 1;
        std::printf("%d x %d: %zu graph nodes, %zu residents, %zu facilities\n", side, side, row.nodes, row.residents,
                    row.facilities);
        std::fflush(stdout);

        const std::vector<std::string> study = {"--network", net_file, "--demand", tag + "residents.gpkg",
                                                "--weight-field", "pop", "--facilities", tag + "facilities.csv",
                                                "--capacity-field", "seats", "--minutes", "15", "--hex-m", "500"};
        const auto outputs = [&](const std::string& name) {
            return std::vector<std::string>{"--out", tag + name + ".gpkg", "--summary", tag + name + ".json", "--gaps",
                                            tag + name + "_gaps.gpkg"};
        };
        for (const char* name : {"single", "merged"})
            for (const char* ext : {".gpkg", ".json", "_gaps.gpkg"}) fs::remove(tag + std::string(name) + ext);

        if (!run_whole_and_sharded(cli, "coverage", study, outputs("single"), outputs("merged"), shards, tag, row))
            return 1;
        row.same = bench::read_text(tag + "single.json") == bench::read_text(tag + "merged.json") &&
                   !bench::read_text(tag + "single.json").empty();
        row.print("coverage", shards);
        if (with_suggest) {
            // Candidates: every 100th resident's place.
            std::ifstream in(tag + "residents.csv");
            std::ofstream out(tag + "candidates.csv");
            std::string line;
            for (std::size_t k = 0; std::getline(in, line); ++k)
                if (k == 0 || k % 100 == 0) out << line << "\n";
            out.close();
            std::vector<std::string> sug = {"--network", net_file, "--demand", tag + "residents.gpkg", "--weight-field",
                                            "pop", "--facilities", tag + "facilities.csv", "--minutes", "15",
                                            "--candidates", tag + "candidates.csv", "--count", "50"};
            const auto sites = [&](const std::string& name) {
                return std::vector<std::string>{"--out", tag + name + ".geojson"};
            };
            for (const char* name : {"sites_single", "sites_merged"}) fs::remove(tag + name + std::string(".geojson"));
            row.suggest.emplace();
            if (!run_whole_and_sharded(cli, "suggest", sug, sites("sites_single"), sites("sites_merged"), shards, tag,
                                       *row.suggest))
                return 1;
            row.suggest->same = bench::read_text(tag + "sites_single.geojson") ==
                                    bench::read_text(tag + "sites_merged.geojson") &&
                                !bench::read_text(tag + "sites_single.geojson").empty();
            row.suggest->print("suggest", shards);
        }
        if (!keep) fs::remove_all(tag + "run");
        rows.push_back(row);
    }

    std::printf("side  graph nodes  residents  facil.  single s  CPU s   MiB | plan CPU s  MiB | shards CPU s  max MiB | "
                "merge CPU s  MiB | CPU ratio  same\n");
    for (const Row& r : rows)
        std::printf("%2dx%-2d %11zu %10zu %7zu %9.1f %6.1f %5.0f | %10.1f %4.0f | %12.1f %8.0f | %11.1f %4.0f | %9.2f  %s\n",
                    r.side, r.side, r.nodes, r.residents, r.facilities, r.single.seconds, r.single.cpu_seconds,
                    r.single.peak_mib, r.plan.cpu_seconds, r.plan.peak_mib, r.shards_cpu(), r.shard_peak(),
                    r.merge.cpu_seconds, r.merge.peak_mib, r.sharded_cpu() / r.single.cpu_seconds,
                    r.same ? "yes" : "NO");
    for (const Row& r : rows)
        if (r.suggest)
            std::printf("suggest %dx%d: single %.1f s CPU, %.0f MiB | plan %.1f s, %.0f MiB | shards %.1f s, at most "
                        "%.0f MiB | merge %.1f s, %.0f MiB | CPU ratio %.2f | same sites: %s\n",
                        r.side, r.side, r.suggest->single.cpu_seconds, r.suggest->single.peak_mib,
                        r.suggest->plan.cpu_seconds, r.suggest->plan.peak_mib, r.suggest->shards_cpu(),
                        r.suggest->shard_peak(), r.suggest->merge.cpu_seconds, r.suggest->merge.peak_mib,
                        r.suggest->sharded_cpu() / r.suggest->single.cpu_seconds, r.suggest->same ? "yes" : "NO");
    if (rows.size() > 1) {
        const Row& a = rows.front();
        const Row& b = rows.back();
        const double grow = static_cast<double>(b.nodes) / static_cast<double>(a.nodes);
        std::printf("\nfrom %dx%d to %dx%d (nodes x%.1f): single time x%.1f, CPU x%.1f, memory x%.1f; largest shard "
                    "memory x%.1f; sharded CPU x%.1f\n",
                    a.side, a.side, b.side, b.side, grow, b.single.seconds / a.single.seconds,
                    b.single.cpu_seconds / a.single.cpu_seconds, b.single.peak_mib / a.single.peak_mib,
                    b.shard_peak() / a.shard_peak(), b.sharded_cpu() / a.sharded_cpu());
        std::printf("targets at %dx%d: each shard <= 1536 MiB: %s (%.0f); sharded CPU <= 1.5 x single: %s (%.2f); "
                    "single <= 24576 MiB: %s (%.0f)\n",
                    b.side, b.side, b.shard_peak() <= 1536 ? "met" : "MISSED", b.shard_peak(),
                    b.sharded_cpu() <= 1.5 * b.single.cpu_seconds ? "met" : "MISSED",
                    b.sharded_cpu() / b.single.cpu_seconds, b.single.peak_mib <= 24576 ? "met" : "MISSED",
                    b.single.peak_mib);
    }
    return 0;
}
