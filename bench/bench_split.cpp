// Split isochrone benchmark: the network Voronoi split (IsochroneShape::split) of a 5/10/15 min
// walk among many facilities on the largest network, beside the nested shape at the same size,
// each written to a GeoPackage. One configuration per process, so the peak memory printed is
// that configuration's own:
//   build/bench/bench_split [split-network|split-raster|nested-network|nested-raster]
//                           [facilities=2000] [file.osm.pbf]
// With no configuration it runs all four, each as a child process of itself.
// Measured on porto_metro_2015, 2,000 facilities, 2 cores, one run each:
//   old split (Voronoi of all samples, intersections with the metro-wide area): 99.5 s, 1937 MiB
//   split-network 22.2 s, 250 MiB; split-raster 6.4 s, 245 MiB;
//   nested-network 20.7 s, 166 MiB; nested-raster 2.2 s, 131 MiB.

#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <variant>

#include "bench_common.hpp"
#include "core/snap.hpp"
#include "io/layer_writer.hpp"
#include "io/network.hpp"
#include "maps/isochrones.hpp"

using namespace lifecircle;

namespace {

int run(const std::string& config, std::size_t count, const std::string& file) {
    const bool split = config.rfind("split", 0) == 0;
    const bool raster = config.find("raster") != std::string::npos;
    const std::string dir = (std::filesystem::temp_directory_path() / "lifecircle_bench_split").string();
    std::filesystem::create_directories(dir);

    const auto t0 = bench::Clock::now();
    const io::Network net = io::load_network(file, io::NetworkOptions{});
    const RoadGraph& g = net.graph;
    const double load_s = bench::since(t0);
    const auto points = bench::random_points_near_roads(g, ProfileId{}, count, 3, 30.0);
    const std::vector<maps::IsochroneFacility> facilities = bench::snapped_facilities(g, points);

    maps::IsochroneOptions o;
    o.breaks = {300, 600, 900};
    o.shape = split ? maps::IsochroneShape::split : maps::IsochroneShape::nested;
    o.area.method = raster ? maps::AreaMethod::raster : maps::AreaMethod::network;
    const auto t1 = bench::Clock::now();
    maps::IsochroneLayers layers = maps::isochrone_layers(g, ProfileId{}, facilities, o);
    const double compute_s = bench::since(t1);
    const std::size_t polygons = layers.areas.features.size();
    const double area_km2 = bench::total_area_km2(layers.areas);
    const auto t2 = bench::Clock::now();
    io::write_layers(dir + "/" + config + ".gpkg", {std::move(layers.areas)}, net.work_crs);
    const double write_s = bench::since(t2);
    std::printf("%-15s %zu facilities: polygons+write %6.2f s (polygons %.2f s, write %.2f s; load %.2f s) on %u threads, "
                "%zu polygons, %.1f km2 in all, peak memory %.0f MiB\n",
                config.c_str(), facilities.size(), compute_s + write_s, compute_s, write_s, load_s,
                std::thread::hardware_concurrency(), polygons, area_km2, bench::peak_rss_mib());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string config = argc > 1 ? argv[1] : "all";
    const std::size_t count = argc > 2 ? std::stoul(argv[2]) : 2000;
    const std::string file = argc > 3 ? argv[3] : LIFECIRCLE_SHARED_DATA "/osm/porto_metro_2015.osm.pbf";
    if (config != "all") return run(config, count, file);
    std::printf("lifecircle split benchmark on %s: %zu facilities, walk, breaks 5/10/15 min\n\n", file.c_str(), count);
    int status = 0;
    for (const char* c : {"split-network", "split-raster", "nested-network", "nested-raster"}) {
        std::fflush(stdout);
        const std::string cmd = std::string("'") + argv[0] + "' " + c + " " + std::to_string(count) + " '" + file + "'";
        if (std::system(cmd.c_str()) != 0) status = 1;
    }
    return status;
}
