#include "io/network.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>

#include "core/error.hpp"
#include "io/crs.hpp"
#include "io/elevation.hpp"
#include "io/gdal_network.hpp"
#include "io/text_format.hpp"
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

/** "12.3%" */
std::string percent(double share) { return detail::format_number(std::round(share * 1000.0) / 10.0, 6) + "%"; }

/** The box around every point of the raw network (nodes and shapes). */
Box raw_bounds(const RawNetwork& raw) {
    Box box;
    for (const Point& p : raw.nodes) box.extend(p);
    for (const Point& p : raw.shape_points) box.extend(p);
    return box;
}

/**
 * After a build with a DEM: refuses a DEM that left too much of the network without ground
 * elevation, and tells the user what the slope did.
 */
void check_elevation(const Network& net, const ElevationRaster& dem, const NetworkOptions& options,
                     std::vector<std::string>& warnings) {
    const ElevationSummary& s = net.graph.elevation;
    if (!s.applied) {
        warnings.push_back("the DEM " + dem.path() +
                           " was not used: no walking profile follows the slope (bike and drive times ignore "
                           "slope, and so does a walking profile with slope = none)");
        return;
    }
    if (s.pieces == 0) return;
    const double unknown = static_cast<double>(s.fallback_pieces) / static_cast<double>(s.pieces);
    if (1.0 - unknown < options.elevation_min_coverage) {
        throw InputError("the DEM covers only " + percent(1.0 - unknown) + " of the walkable network (" +
                         std::to_string(s.pieces - s.fallback_pieces) + " of " + std::to_string(s.pieces) +
                         " pieces of road have ground elevation at both ends; the others lie outside it or over "
                         "nodata cells). The network spans " + describe_lonlat_box(net.lonlat_bounds()) +
                         ", the DEM " + describe_lonlat_box(dem.lonlat_extent()) +
                         ". Give a DEM that covers the whole network (join tiles with gdalbuildvrt), or clip the "
                         "network to the DEM")
            .set_file(dem.path());
    }
    warnings.push_back("walking times follow the slope of " + dem.path() + " (" + dem.describe() + "): " +
                       std::to_string(s.edges) + " roads cut into " + std::to_string(s.pieces) +
                       " pieces of at most 10 m; " + std::to_string(s.bridge_tunnel_edges) +
                       " bridges and tunnels run straight between their ends");
    if (s.fallback_pieces > 0) {
        warnings.push_back(std::to_string(s.fallback_pieces) + " of " + std::to_string(s.pieces) +
                           " pieces of walkable road (" + percent(unknown) +
                           ") have an end outside the DEM or over a nodata cell: their ground elevation was "
                           "interpolated along the road between the nearest samples with data" +
                           (s.flat_edges > 0 ? "; " + std::to_string(s.flat_edges) +
                                                   " roads with no elevation at all were taken as flat"
                                             : std::string()));
    }
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

RawRoads read_roads(const std::string& path, const NetworkOptions& options) {
    if (!std::filesystem::exists(path))
        throw InputError("cannot open: no such file; check the path given to --network").set_file(path);
    // A geographic or non-metric work CRS is refused before the (possibly long) read.
    if (!options.work_crs.empty()) check_work_crs(options.work_crs, Box{});
    // A missing DEM is reported before the (possibly long) read too.
    if (!options.elevation.empty() && !std::filesystem::exists(options.elevation))
        throw InputError("cannot open the DEM: no such file; check the path given to --elevation")
            .set_file(options.elevation);
    RawRoads roads;
    roads.path = path;
    const auto t0 = std::chrono::steady_clock::now();
    if (is_osm_file(path)) {
        OsmNetworkResult r = read_osm_network(path, options.profiles, options.work_crs);
        roads.network = std::move(r.network);
        roads.work_crs = r.work_crs;
        roads.projection = r.projection;
        roads.projection_source = r.projection_source;
        roads.source_ids = std::move(r.way_ids);
        roads.source_kind = "way";
        roads.format = "OpenStreetMap";
        roads.missing_nodes = r.missing_nodes;
        // Options for GDAL layers mean nothing here: say so rather than ignore them silently.
        const GdalNetworkOptions& g = options.gdal;
        if (!g.input_crs.empty())
            roads.warnings.push_back("OpenStreetMap data is always WGS 84 longitude/latitude: --network-crs " +
                                     g.input_crs + " was ignored");
        if (!g.layer.empty() || !g.class_field.empty() || !g.oneway_field.empty() || !g.speed_field.empty() ||
            !g.name_field.empty())
            roads.warnings.push_back("--layer and the --*-field options apply to GDAL road layers only; "
                                     "OpenStreetMap tags were read instead");
        if (r.missing_nodes)
            roads.warnings.push_back(std::to_string(r.missing_nodes) +
                                     " way nodes are missing from the file (a clipped extract); ways are cut there");
    } else {
        GdalNetworkOptions g = options.gdal;
        g.work_crs = options.work_crs;
        GdalNetworkResult r = read_gdal_network(path, g);
        roads.network = std::move(r.network);
        roads.work_crs = r.work_crs;
        roads.source_ids = std::move(r.feature_ids);
        roads.source_kind = "feature";
        roads.format = "GDAL layer '" + r.layer_name + "'";
        roads.warnings = std::move(r.warnings);
        roads.bridge_tunnel_fields = !r.fields.bridge_tunnel.empty();
    }
    roads.read_seconds = seconds_since(t0);
    return roads;
}

Network build_network(RawRoads&& roads, const NetworkOptions& options) {
    Network net;
    net.path = roads.path;
    net.work_crs = roads.work_crs;
    net.source_ids = std::move(roads.source_ids);
    net.source_kind = roads.source_kind;
    net.format = roads.format;
    net.missing_nodes = roads.missing_nodes;
    net.warnings = std::move(roads.warnings);
    net.read_seconds = roads.read_seconds;
    if (!options.elevation.empty() && !roads.bridge_tunnel_fields)
        net.warnings.push_back(
            "no bridge or tunnel field found (looked for bridge, tunnel, layer, brunnel, is_bridge, is_tunnel, "
            "桥梁, 隧道, 桥隧), so every road follows the ground under it, bridges and tunnels too");
    RawNetwork raw = std::move(roads.network);
    const std::string& projection = roads.projection;
    const std::string& projection_source = roads.projection_source;
    const std::string& path = roads.path;
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
    std::unique_ptr<ElevationRaster> dem;
    if (!options.elevation.empty()) {
        // The projection the reader used (a fast UTM for OSM data) places the DEM exactly
        // where the roads were put.
        dem = std::make_unique<ElevationRaster>(options.elevation, projection.empty() ? net.work_crs : projection,
                                                raw_bounds(raw));
        build.elevation = dem.get();
        net.elevation = options.elevation;
    }
    net.graph = build_graph(std::move(raw), build);
    net.build_seconds = seconds_since(t1);
    if (net.graph.edge_count() == 0) {
        std::string modes;
        for (const ProfileSettings& p : options.profiles) {
            const std::string m(mode_name(p.mode));
            if (modes.find(m) == std::string::npos) modes += (modes.empty() ? "" : ", ") + m;
        }
        throw InputError("no road here may be used by " + modes +
                         ": the file has no roads of the classes that mode travels on (see README, Travel profiles); "
                         "choose another mode (--mode, or mode in the scenario or the service)")
            .set_file(path);
    }
    // Without edits the transformer is made after the build, as before, so a network without
    // usable roads is reported as such rather than as a CRS problem.
    if (!net.lonlat_to_work) make_transformer();
    // A chosen work CRS must not distort distances over the network (Web Mercator: +33% in Porto).
    if (!options.work_crs.empty()) check_work_crs(net.work_crs, net.lonlat_bounds());
    if (dem) check_elevation(net, *dem, options, net.warnings);
    return net;
}

Network load_network(const std::string& path, const NetworkOptions& options) {
    return build_network(read_roads(path, options), options);
}

}  // namespace lifecircle::io
