#pragma once
// Shared bits of the benchmark programs: timing, peak memory, export for the Python baselines.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/graph.hpp"
#include "core/snap.hpp"
#include "maps/isochrones.hpp"

namespace bench {

using Clock = std::chrono::steady_clock;
inline double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/** Peak resident memory of this process in MiB. */
inline double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

/** Runs a shell command and returns its wall time in seconds (-1 if it failed). */
inline double time_command(const std::string& cmd) {
    const auto t0 = Clock::now();
    const int rc = std::system(cmd.c_str());
    return rc == 0 ? since(t0) : -1.0;
}

/** What run_process() measured of one child process. */
struct ProcessRun {
    double seconds = -1.0;  ///< wall time from fork to reaped; -1 if it could not start
    double peak_mib = 0.0;  ///< the child's peak resident memory (wait4's ru_maxrss)
    double cpu_seconds = 0.0;  ///< the child's user + system CPU time (wait4's rusage)
    int exit_code = -1;     ///< exit status, or -1 if it did not exit normally
    bool ok() const { return exit_code == 0; }
};

/** Runs `args` (args[0] a path or a name on PATH; no shell) with stdout and stderr sent to files
   (empty: this process's own), and measures its wall time and peak memory with wait4(). */
inline ProcessRun run_process(const std::vector<std::string>& args,
                              const std::string& stdout_file = "",
                              const std::string& stderr_file = "") {
    ProcessRun run;
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::fflush(nullptr);
    const auto t0 = Clock::now();
    const pid_t pid = fork();
    if (pid < 0) return run;
    if (pid == 0) {
        auto redirect = [](const std::string& file, int fd) {
            if (file.empty()) return;
            const int f = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (f < 0 || dup2(f, fd) < 0) _exit(127);
            close(f);
        };
        redirect(stdout_file, STDOUT_FILENO);
        redirect(stderr_file, STDERR_FILENO);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    rusage u{};
    if (wait4(pid, &status, 0, &u) != pid) return run;
    run.seconds = since(t0);
    run.peak_mib = static_cast<double>(u.ru_maxrss) / 1024.0;
    run.cpu_seconds = static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
                      1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

/** The whole text of a file ("" if it cannot be read). */
inline std::string read_text(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/** Runs a command and returns its standard output. */
inline std::string capture(const std::string& cmd) {
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char buf[4096];
        while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
        pclose(p);
    }
    return out;
}

/** A number from a flat JSON line: {"key": 1.23, ...}; NaN when absent. */
inline double json_number(const std::string& json, const std::string& key) {
    const auto at = json.find("\"" + key + "\"");
    if (at == std::string::npos) return NAN;
    const auto colon = json.find(':', at);
    return std::strtod(json.c_str() + colon + 1, nullptr);
}

/** Random points near the roads of the largest component: a random place on a random
    edge (uniform by length), moved up to `jitter_m` off the road. Seeded, so repeatable. */
inline std::vector<lifecircle::Point> random_points_near_roads(const lifecircle::RoadGraph& g, lifecircle::ProfileId profile,
                                                               std::size_t count, unsigned seed, double jitter_m) {
    using namespace lifecircle;
    const ProfileData& p = g.profile(profile);
    std::vector<EdgeId> edges;
    std::vector<double> cumulative;
    double total = 0;
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        if (p.node_component[g.edge_from[e]] != 0) continue;
        if (p.arc_seconds[g.edge_forward_arc[e]] == forbidden_arc) continue;
        total += g.edge_length_m[e];
        edges.push_back(e);
        cumulative.push_back(total);
    }
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<Point> out;
    for (std::size_t i = 0; i < count; ++i) {
        const double at = u(rng) * total;
        const std::size_t k = static_cast<std::size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), at) -
                                                       cumulative.begin());
        const EdgeId e = edges[std::min(k, edges.size() - 1)];
        Point q = g.point_along(e, u(rng) * g.edge_length_m[e]);
        q.x += (u(rng) - 0.5) * 2 * jitter_m;
        q.y += (u(rng) - 0.5) * 2 * jitter_m;
        out.push_back(q);
    }
    return out;
}

/** Writes nodes.csv and arcs.csv of a profile for the Python baselines. */
inline void export_graph(const lifecircle::RoadGraph& g, lifecircle::ProfileId profile, const std::string& dir) {
    using namespace lifecircle;
    std::filesystem::create_directories(dir);
    std::ofstream nodes(dir + "/nodes.csv");
    nodes << "node,x,y\n";
    char buf[128];
    for (NodeId v = 0; v < g.node_count(); ++v) {
        std::snprintf(buf, sizeof buf, "%u,%.3f,%.3f\n", v, g.node_xy[v].x, g.node_xy[v].y);
        nodes << buf;
    }
    std::ofstream arcs(dir + "/arcs.csv");
    arcs << "tail,head,seconds\n";
    const auto& w = g.profile(profile).arc_seconds;
    for (NodeId v = 0; v < g.node_count(); ++v) {
        for (ArcId a = g.first_out[v]; a < g.first_out[v + 1]; ++a) {
            if (w[a] == forbidden_arc) continue;
            std::snprintf(buf, sizeof buf, "%u,%u,%.4f\n", v, g.head[a], static_cast<double>(w[a]));
            arcs << buf;
        }
    }
}

/** Writes id,node with each snapped point's nearer edge end (what the common approach uses). */
inline void export_points(const lifecircle::RoadGraph& g, const std::vector<lifecircle::Snap>& snaps,
                          const std::string& file) {
    std::ofstream out(file);
    out << "id,node\n";
    for (std::size_t i = 0; i < snaps.size(); ++i) {
        if (!snaps[i].ok()) continue;
        const auto e = snaps[i].position.edge;
        const bool near_from = snaps[i].position.offset < 0.5 * g.edge_length_m[e];
        out << i << ',' << (near_from ? g.edge_from[e] : g.edge_to[e]) << '\n';
    }
}

/** The points snapped to the profile's roads as isochrone facilities (id = index), unsnapped ones left out. */
inline std::vector<lifecircle::maps::IsochroneFacility> snapped_facilities(const lifecircle::RoadGraph& g,
                                                                        const std::vector<lifecircle::Point>& points,
                                                                        std::vector<lifecircle::Snap>* snaps_out = nullptr) {
    using namespace lifecircle;
    const Snapper snapper(g, ProfileId{}, SnapOptions{});
    const std::vector<Snap> snaps = snapper.snap_all(points);
    std::vector<maps::IsochroneFacility> facilities;
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!snaps[i].ok()) continue;
        maps::IsochroneFacility f;
        f.id = std::to_string(i);
        f.accesses.push_back({points[i], snaps[i]});
        facilities.push_back(std::move(f));
    }
    if (snaps_out) *snaps_out = snaps;
    return facilities;
}

/** Sum of an areas layer's area_km2 field. */
inline double total_area_km2(const lifecircle::Layer& areas) {
    double sum = 0;
    for (const lifecircle::Feature& f : areas.features)
        for (std::size_t k = 0; k < areas.fields.size(); ++k)
            if (areas.fields[k].name == "area_km2" && std::holds_alternative<double>(f.values[k]))
                sum += std::get<double>(f.values[k]);
    return sum;
}

inline std::string python() {
    return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

}  // namespace bench
