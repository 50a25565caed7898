// Isochrone benchmark: 500 facilities, 15-minute walk, breaks 5/10/15, on the largest network,
// written to a styled GeoPackage; beside it the common Python way (networkx ego_graph + shapely
// buffer, bench/baseline_networkx_isochrones.py) on the same graph and facilities.
//   build/bench/bench_isochrones [file.osm.pbf] [facilities=500] [python sample=all]
// Python runs every facility by default (the first ones are not typical, so a sample would be
// extrapolated with a bias); give a smaller sample to save time.

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>

#include "bench_common.hpp"
#include "core/snap.hpp"
#include "io/layer_writer.hpp"
#include "io/network.hpp"
#include "maps/isochrones.hpp"

using namespace lifecircle;

int main(int argc, char** argv) {
    const std::string file = argc > 1 ? argv[1] : LIFECIRCLE_SHARED_DATA "/osm/porto_metro_2015.osm.pbf";
    const std::size_t count = argc > 2 ? std::stoul(argv[2]) : 500;
    const std::string sample = argc > 3 ? argv[3] : std::to_string(count);
    // methods: raster (every study's default) and network, both unless named; "none" skips
    // the Python baseline's run too.
    const std::string methods = argc > 4 ? argv[4] : "raster,network";
    const std::string dir = (std::filesystem::temp_directory_path() / "lifecircle_bench_isochrones").string();
    std::filesystem::create_directories(dir);
    std::printf("lifecircle isochrone benchmark on %s: %zu facilities, walk, breaks 5/10/15 min\n\n", file.c_str(),
                count);

    const io::Network net = io::load_network(file, io::NetworkOptions{});
    const RoadGraph& g = net.graph;
    const auto points = bench::random_points_near_roads(g, ProfileId{}, count, 3, 30.0);

    const auto t0 = bench::Clock::now();
    std::vector<Snap> snaps;
    const std::vector<maps::IsochroneFacility> facilities = bench::snapped_facilities(g, points, &snaps);
    const double snap_s = bench::since(t0);
    // Both area methods: the GEOS union of buffers (network) and the same buffer traced on a grid
    // of buffer/10 (raster). Each total includes the snapping and writing the GeoPackage.
    std::vector<std::pair<std::string, double>> totals;
    for (const maps::AreaMethod method : {maps::AreaMethod::raster, maps::AreaMethod::network}) {
        const char* name = method == maps::AreaMethod::raster ? "raster" : "network";
        if (methods.find(name) == std::string::npos) continue;
        maps::IsochroneOptions o;
        o.breaks = {300, 600, 900};
        o.area.method = method;
        const auto t1 = bench::Clock::now();
        const std::clock_t c1 = std::clock();
        maps::IsochroneLayers layers = maps::isochrone_layers(g, ProfileId{}, facilities, o);
        const double compute_s = bench::since(t1);
        const std::size_t polygons = layers.areas.features.size();
        const double area_km2 = bench::total_area_km2(layers.areas);
        const auto t2 = bench::Clock::now();
        io::write_layers(dir + "/isochrones_" + name + ".gpkg", {std::move(layers.areas)}, net.work_crs);
        const double write_s = bench::since(t2);
        const double cpu_s = double(std::clock() - c1) / CLOCKS_PER_SEC;
        const double total_s = snap_s + compute_s + write_s;
        std::printf("lifecircle --method %-7s %.2f s total on %u threads (snap %.2f s, polygons %.2f s, write %.2f s): "
                    "%zu polygons, %.1f km2 in all; CPU time of polygons + write %.2f s\n",
                    name, total_s, std::thread::hardware_concurrency(), snap_s, compute_s, write_s, polygons, area_km2, cpu_s);
        totals.emplace_back(name, total_s);
    }

    if (sample == "0") return 0;
    bench::export_graph(g, ProfileId{}, dir);
    bench::export_points(g, snaps, dir + "/facilities.csv");
    const std::string script = LIFECIRCLE_SOURCE_DIR "/bench/baseline_networkx_isochrones.py";
    // Two common ways to make the polygons in Python: buffer each edge and union (what OSMnx's
    // example does, and the faster of the two here), and one MultiLineString buffered at once.
    for (const char* geometry : {"union-each", "mls"}) {
        const std::string json = bench::capture(bench::python() + " '" + script + "' '" + dir + "' 5,10,15 50 " +
                                                sample + " --geometry " + geometry);
        const double extrapolated = bench::json_number(json, "extrapolated_s");
        if (!std::isfinite(extrapolated)) {
            std::printf("networkx baseline did not run (needs python3-networkx, python3-shapely): %s\n", json.c_str());
            break;
        }
        std::printf("networkx ego_graph + shapely (%s)  %.2f s for %s facilities (%.0f s for %zu)\n", geometry,
                    bench::json_number(json, "seconds"), sample.c_str(), extrapolated, facilities.size());
        for (const auto& [name, total_s] : totals)
            std::printf("  -> lifecircle --method %s%s is %.1fx faster%s\n", name.c_str(),
                        name == "raster" ? " (the default)" : "", extrapolated / total_s,
                        name == "raster" ? " (target >= 20x)" : "");
    }
    std::printf("\npeak memory  %.0f MiB\n", bench::peak_rss_mib());
    return 0;
}
