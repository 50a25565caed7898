#include "io/network.hpp"

#include <chrono>
#include <filesystem>

#include "core/error.hpp"
#include "io/crs.hpp"
#include "io/gdal_network.hpp"
#include "io/osm_network.hpp"

namespace lifecircle::io {

namespace {

/** Edits with every coordinate projected from WGS 84 lon/lat into the work CRS. */
NetworkEdits edits_to_work(const NetworkEdits& lonlat, const Transformer& to_work) {
    NetworkEdits out = lonlat;
    for (AddRoad& a : out.add) to_work.forward(a.line);
    for (ChangeRoads& c : out.change)
        for (auto& part : c.area)
            for (Ring& ring : part) to_work.forward(ring);
    return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

void Network::to_work(std::vector<Point>& lonlat) const { lonlat_to_work->forward(lonlat); }

void Network::to_lonlat(std::vector<Point>& xy) const {
    for (Point& p : xy) p = lonlat_to_work->inverse(p);
}

Box Network::lonlat_bounds() const {
    const Box b = graph.bounds();
    Box out;
    if (b.empty()) return out;
    std::vector<Point> corners{{b.min.x, b.min.y}, {b.max.x, b.min.y}, {b.min.x, b.max.y}, {b.max.x, b.max.y}};
    to_lonlat(corners);
    for (const Point& p : corners) out.extend(p);
    return out;
}

Network load_network(const std::string& path, const NetworkOptions& options) {
    if (!std::filesystem::exists(path))
        throw InputError("cannot open: no such file; check the path given to --network").set_file(path);
    // A geographic or non-metric work CRS is refused before the (possibly long) read.
    if (!options.work_crs.empty()) check_work_crs(options.work_crs, Box{});
    Network net;
    net.path = path;
    RawNetwork raw;
    std::string projection;
    std::string projection_source = "EPSG:4326";
    const auto t0 = std::chrono::steady_clock::now();
    if (is_osm_file(path)) {
        OsmNetworkResult r = read_osm_network(path, options.profiles, options.work_crs);
        raw = std::move(r.network);
        net.work_crs = r.work_crs;
        projection = r.projection;
        projection_source = r.projection_source;
        net.source_ids = std::move(r.way_ids);
        net.source_kind = "way";
        net.format = "OpenStreetMap";
        net.missing_nodes = r.missing_nodes;
        // Options for GDAL layers mean nothing here: say so rather than ignore them silently.
        const GdalNetworkOptions& g = options.gdal;
        if (!g.input_crs.empty())
            net.warnings.push_back("OpenStreetMap data is always WGS 84 longitude/latitude: --network-crs " +
                                   g.input_crs + " was ignored");
        if (!g.layer.empty() || !g.class_field.empty() || !g.oneway_field.empty() || !g.speed_field.empty() ||
            !g.name_field.empty())
            net.warnings.push_back("--layer and the --*-field options apply to GDAL road layers only; "
                                   "OpenStreetMap tags were read instead");
        if (r.missing_nodes)
            net.warnings.push_back(std::to_string(r.missing_nodes) +
                                   " way nodes are missing from the file (a clipped extract); ways are cut there");
    } else {
        GdalNetworkOptions g = options.gdal;
        g.work_crs = options.work_crs;
        GdalNetworkResult r = read_gdal_network(path, g);
        raw = std::move(r.network);
        net.work_crs = r.work_crs;
        net.source_ids = std::move(r.feature_ids);
        net.source_kind = "feature";
        net.format = "GDAL layer '" + r.layer_name + "'";
        net.warnings = std::move(r.warnings);
    }
    net.read_seconds = seconds_since(t0);
    const auto t1 = std::chrono::steady_clock::now();
    auto make_transformer = [&] {
        net.lonlat_to_work =
            std::make_shared<const Transformer>(projection_source, projection.empty() ? net.work_crs : projection);
    };
    if (!options.edits.empty() || !options.edits_lonlat.empty()) {
        make_transformer();  // edits in lon/lat are projected exactly like the roads were
        NetworkEdits edits = options.edits;
        const NetworkEdits converted = edits_to_work(options.edits_lonlat, *net.lonlat_to_work);
        edits.change.insert(edits.change.end(), converted.change.begin(), converted.change.end());
        edits.add.insert(edits.add.end(), converted.add.begin(), converted.add.end());
        net.edit_reports = apply_edits(raw, net.source_ids, edits);
    }
    BuildOptions build;
    build.profiles = options.profiles;
    net.graph = build_graph(std::move(raw), build);
    net.build_seconds = seconds_since(t1);
    if (net.graph.edge_count() == 0) {
        throw InputError("no usable roads for the chosen mode after building the graph; try another --mode")
            .set_file(path);
    }
    // Without edits the transformer is made after the build, as before, so a network without
    // usable roads is reported as such rather than as a CRS problem.
    if (!net.lonlat_to_work) make_transformer();
    // A chosen work CRS must not distort distances over the network (Web Mercator: +33% in Porto).
    if (!options.work_crs.empty()) check_work_crs(net.work_crs, net.lonlat_bounds());
    return net;
}

}  // namespace lifecircle::io
