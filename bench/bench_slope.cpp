// Slope benchmark: what --elevation costs when a network is loaded. Fresh processes, alternating
// without and with the DEM (a command-line run loads once), medians compared; then, inside one
// process, the DEM's opening and the sampling separately.
//   build/bench/bench_slope [file.osm.pbf dem.tif]
//   (default: ../shared/data/osm/porto_alegre.osm.pbf and transit/porto_alegre_elevation.tif)

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "core/graph.hpp"
#include "io/elevation.hpp"
#include "io/network.hpp"
#include "io/osm_network.hpp"

using namespace lifecircle;

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? -1.0 : v[v.size() / 2];
}

/** `bench_slope --load-only FILE [DEM]`: one load in this fresh process. */
int load_only(const std::string& file, const std::string& dem) {
    io::NetworkOptions options;
    options.elevation = dem;
    const auto t0 = bench::Clock::now();
    const io::Network net = io::load_network(file, options);
    std::printf(
        "{\"load_s\": %.6f, \"read_s\": %.6f, \"build_s\": %.6f, \"pieces\": %zu, \"peak_mib\": "
        "%.1f}\n",
        bench::since(t0), net.read_seconds, net.build_seconds, net.graph.elevation.pieces,
        bench::peak_rss_mib());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 3 && std::string(argv[1]) == "--load-only")
        return load_only(argv[2], argc > 3 ? argv[3] : "");
    const std::string file =
        argc > 2 ? argv[1] : LIFECIRCLE_SHARED_DATA "/osm/porto_alegre.osm.pbf";
    const std::string dem =
        argc > 2 ? argv[2] : LIFECIRCLE_SHARED_DATA "/transit/porto_alegre_elevation.tif";
    std::printf("lifecircle slope benchmark: %s with %s\n\n", file.c_str(), dem.c_str());

    constexpr int runs = 7;
    std::vector<double> flat_load, flat_build, flat_mib, slope_load, slope_build, slope_mib;
    double pieces = 0;
    const std::string self = std::string("'") + argv[0] + "' --load-only '" + file + "'";
    for (int run = 0; run < runs; ++run) {
        const std::string flat = bench::capture(self);
        flat_load.push_back(bench::json_number(flat, "load_s"));
        flat_build.push_back(bench::json_number(flat, "build_s"));
        flat_mib.push_back(bench::json_number(flat, "peak_mib"));
        const std::string sloped = bench::capture(self + " '" + dem + "'");
        slope_load.push_back(bench::json_number(sloped, "load_s"));
        slope_build.push_back(bench::json_number(sloped, "build_s"));
        slope_mib.push_back(bench::json_number(sloped, "peak_mib"));
        pieces = bench::json_number(sloped, "pieces");
    }
    std::printf("fresh processes, median of %d each (alternating):\n", runs);
    std::printf("  flat      load %.3f s (build %.3f s), peak %.1f MiB\n", median(flat_load),
                median(flat_build), median(flat_mib));
    std::printf("  --elevation load %.3f s (build %.3f s), peak %.1f MiB; %.0f pieces sampled\n",
                median(slope_load), median(slope_build), median(slope_mib), pieces);
    std::printf("  overhead  +%.3f s per load (x%.2f), +%.1f MiB\n\n",
                median(slope_load) - median(flat_load), median(slope_load) / median(flat_load),
                median(slope_mib) - median(flat_mib));

    // Inside one process: the DEM's opening, and build_graph with and without sampling.
    const io::OsmNetworkResult read = io::read_osm_network(file, {default_profile(Mode::walk)});
    Box bounds;
    for (const Point& p : read.network.shape_points) bounds.extend(p);
    std::vector<double> open_s, build_flat_s, build_slope_s;
    for (int run = 0; run < runs; ++run) {
        auto t0 = bench::Clock::now();
        const io::ElevationRaster raster(dem,
                                         read.projection.empty() ? read.work_crs : read.projection,
                                         bounds);  // as load_network does
        open_s.push_back(bench::since(t0));
        BuildOptions options;
        RawNetwork copy = read.network;
        t0 = bench::Clock::now();
        const RoadGraph flat = build_graph(std::move(copy), options);
        build_flat_s.push_back(bench::since(t0));
        options.elevation = &raster;
        copy = read.network;
        t0 = bench::Clock::now();
        const RoadGraph sloped = build_graph(std::move(copy), options);
        build_slope_s.push_back(bench::since(t0));
    }
    std::printf(
        "one process, median of %d: open the DEM %.3f s; build_graph flat %.3f s, with sampling "
        "%.3f s "
        "(sampling %.3f s)\n",
        runs, median(open_s), median(build_flat_s), median(build_slope_s),
        median(build_slope_s) - median(build_flat_s));
    return 0;
}
