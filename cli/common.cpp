#include "cli/common.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <unordered_map>

#include <unistd.h>

#include "core/error.hpp"

namespace lifecircle::cli {

CLI::Validator number_in(double min, double max, bool min_exclusive, const std::string& unit) {
    const auto text = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return std::string(buf);
    };
    const std::string range = (min_exclusive ? "more than " : "at least ") + text(min) + " and at most " +
                              text(max) + " " + unit;
    return CLI::Validator(
        [=](std::string& value) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(value.c_str(), &end);
            const bool number = !value.empty() && end != nullptr && *end == '\0';
            if (!number || !std::isfinite(v) || v > max || v < min || (min_exclusive && v == min))
                return "must be a number " + range + ", not '" + value + "'";
            return {};
        },
        "NUMBER " + unit);
}

CLI::Validator minutes_validator() { return number_in(0.0, 7 * 24 * 60.0, true, "minutes"); }

void add_network_options(CLI::App& app, NetworkArgs& a, bool with_snapping) {
    app.add_option("--network", a.path, "Road network: .osm.pbf/.osm/.osm.bz2/.osm.gz, or a GDAL line layer "
                                        "(Shapefile, GeoPackage, GeoJSON, FileGDB)")
        ->required();
    app.add_option("--mode", a.mode, "Travel mode: walk, bike or drive")
        ->check(CLI::IsMember({"walk", "bike", "drive"}))
        ->capture_default_str();
    app.add_option("--walk-speed", a.walk_speed_kmh,
                   "Walking speed in km/h (default 4: GB 50180-2018's 15-minute life circle is ~1 km)")
        ->check(number_in(0.5, 30.0, false, "km/h"))
        ->capture_default_str();
    app.add_option("--work-crs", a.read.work_crs, "Metric CRS for all geometry, e.g. EPSG:4547 (default: UTM zone)");
    app.add_option("--network-crs", a.read.gdal.input_crs, "CRS of a GDAL road layer that has none, e.g. EPSG:4527");
    app.add_option("--layer", a.read.gdal.layer, "Layer of a multi-layer road file (default: the first line layer)");
    app.add_option("--speed-field", a.read.gdal.speed_field, "Road layer field with the speed limit in km/h (0 = unknown)");
    app.add_option("--oneway-field", a.read.gdal.oneway_field, "Road layer field with 1/yes = one-way, -1 = reversed");
    app.add_option("--class-field", a.read.gdal.class_field, "Road layer field with the road class (OSM highway values)");
    app.add_option("--road-name-field", a.read.gdal.name_field, "Road layer field with the road name");
    app.add_option("--snap-tolerance", a.read.gdal.snap_tolerance_m, "Road layer line ends closer than this (m) are joined")
        ->check(number_in(0.0, 100.0, false, "m"))
        ->capture_default_str();
    app.add_option("--elevation", a.read.elevation,
                   "DEM (any GDAL raster, any CRS) for slope-aware walking: Tobler's hiking function on pieces of at "
                   "most 10 m, scaled so flat ground keeps the walking speed");
    if (with_snapping) {
        app.add_option("--max-snap", a.snap.max_distance, "Points farther than this (m) from a road are reported unsnapped")
            ->check(number_in(0.0, 1.0e6, false, "m"))
            ->capture_default_str();
        app.add_option("--island-m", a.snap.min_component_m, "Road components with less road than this (m) are islands")
            ->check(number_in(0.0, 1.0e6, false, "m"))
            ->capture_default_str();
        app.add_flag("--snap-to-islands", a.snap.allow_islands, "Let points snap to small disconnected islands");
        app.add_option("--threads", a.threads, "Worker threads (default: all cores)");
    }
}

Mode selected_mode(const NetworkArgs& a) {
    const auto m = parse_mode(a.mode);
    if (!m) throw UsageError("--mode must be walk, bike or drive, not '" + a.mode + "'");
    return *m;
}

io::Network load_network(const NetworkArgs& a) {
    io::NetworkOptions o = a.read;
    o.profiles = {default_profile(selected_mode(a), a.walk_speed_kmh)};
    io::Network net = io::load_network(a.path, o);
    for (const std::string& w : net.warnings) print_note("note: " + a.path + ": " + w);
    return net;
}

void add_point_input_options(CLI::App& app, PointArgs& a, const std::string& prefix, const std::string& what,
                             bool with_id_field) {
    a.read.option_prefix = "--" + prefix;
    app.add_option("--" + prefix + "-crs", a.read.input_crs,
                   "CRS of the " + what + " when the file has none or it is wrong: EPSG:xxxx, wgs84, gcj02 or bd09");
    app.add_option("--" + prefix + "-layer", a.read.layer,
                   "Layer of the " + what + " in a multi-layer file (default: the first point or polygon layer)");
    if (with_id_field) app.add_option("--" + prefix + "-id-field", a.id_field, "Field holding the " + what + " ids");
}

void apply_point_defaults(PointArgs& a, const std::string& default_crs, const std::string& default_id_field) {
    if (a.read.input_crs.empty()) a.read.input_crs = default_crs;
    a.read.id_field = a.id_field.empty() ? default_id_field : a.id_field;
}

namespace {
bool inside(const Box& b, const Point& p, double margin) {
    return p.x >= b.min.x - margin && p.x <= b.max.x + margin && p.y >= b.min.y - margin && p.y <= b.max.y + margin;
}
}  // namespace

LoadedPoints load_points(const PointArgs& a, const io::Network& net) {
    io::PointLayer layer = io::read_points(a.path, a.read);
    for (const std::string& n : layer.notes) print_note("note: " + a.path + ": " + n);
    if (layer.points.empty()) throw InputError("the layer has no points").set_file(a.path);
    LoadedPoints out;
    for (const io::PointRecord& r : layer.points) {
        out.ids.push_back(r.id);
        out.lonlat.push_back({r.lon, r.lat});
    }
    out.records = std::move(layer.points);
    // Points far outside the network are a sign of a wrong CRS or swapped columns.
    const Box box = net.lonlat_bounds();
    const double margin = 0.05;  // degrees, about 5 km
    std::size_t outside = 0, swapped_inside = 0;
    for (const Point& p : out.lonlat) {
        if (!inside(box, p, margin)) {
            ++outside;
            if (inside(box, {p.y, p.x}, margin)) ++swapped_inside;
        }
    }
    if (outside == out.lonlat.size()) {
        char where[160];
        std::snprintf(where, sizeof where, "lon %.4f..%.4f, lat %.4f..%.4f", box.min.x, box.max.x, box.min.y,
                      box.max.y);
        if (swapped_inside * 2 > outside) {
            throw InputError(std::string("every point lies outside the network (") + where +
                             ") but would lie on it with longitude and latitude swapped: swap the columns")
                .set_file(a.path);
        }
        throw InputError(std::string("every point lies outside the network (") + where +
                         "); check the layer's CRS or pass " +
                         (a.read.option_prefix.empty() ? std::string("--input-crs") : a.read.option_prefix + "-crs") +
                         " (gcj02 and bd09 are accepted)")
            .set_file(a.path);
    }
    out.xy = out.lonlat;
    net.to_work(out.xy);
    return out;
}

std::vector<MultiPolygonXY> read_polygons(const PointArgs& args, const io::Network& net, const std::string& why_polygons,
                                          std::vector<std::string>* names) {
    PointArgs a = args;
    a.read.polygons = true;
    const io::PointLayer layer = io::read_points(a.path, a.read);
    std::vector<MultiPolygonXY> out;
    for (const io::PointRecord& r : layer.points) {
        if (r.polygon_lonlat.empty())
            throw InputError(why_polygons + "; this feature is a point")
                .set_file(a.path)
                .set_layer(layer.layer_name)
                .set_feature(r.id);
        MultiPolygonXY mp;
        for (const auto& part : r.polygon_lonlat) {
            std::vector<Ring> rings;
            for (const auto& ring : part) {
                Ring pts;
                for (const auto& [lon, lat] : ring) pts.push_back({lon, lat});
                net.to_work(pts);
                rings.push_back(std::move(pts));
            }
            mp.push_back(std::move(rings));
        }
        out.push_back(std::move(mp));
        if (names) names->push_back(r.name.empty() ? r.id : r.name);
    }
    return out;
}

double straight_reach_m(Mode mode, double walk_speed_kmh, double seconds) {
    const double speed = mode == Mode::walk ? walk_speed_kmh / 3.6 : mode == Mode::bike ? 4.5 : 14.0;
    return seconds * speed;
}

/** Candidate points every `spacing` metres along the roads within `radius` of an uncovered
    demand point (straight line), at most one per spacing x spacing grid cell. */
std::vector<Point> auto_candidates(const RoadGraph& g, const std::vector<Point>& uncovered, double radius,
                                   double spacing) {
    std::unordered_map<std::int64_t, std::uint8_t> near;  // cells of size radius with uncovered demand
    auto key = [](double x, double y, double cell) {
        const auto cx = static_cast<std::int64_t>(std::floor(x / cell));
        const auto cy = static_cast<std::int64_t>(std::floor(y / cell));
        return cx * 73856093LL ^ cy * 19349663LL;
    };
    std::unordered_map<std::int64_t, std::vector<Point>> buckets;
    for (const Point& p : uncovered) buckets[key(p.x, p.y, radius)].push_back(p);
    auto close_to_gap = [&](const Point& q) {
        const auto cx = static_cast<std::int64_t>(std::floor(q.x / radius));
        const auto cy = static_cast<std::int64_t>(std::floor(q.y / radius));
        for (std::int64_t dx = -1; dx <= 1; ++dx)
            for (std::int64_t dy = -1; dy <= 1; ++dy) {
                const auto it = buckets.find((cx + dx) * 73856093LL ^ (cy + dy) * 19349663LL);
                if (it == buckets.end()) continue;
                for (const Point& p : it->second)
                    if (std::hypot(p.x - q.x, p.y - q.y) <= radius) return true;
            }
        return false;
    };
    std::unordered_map<std::int64_t, std::uint8_t> taken;
    std::vector<Point> out;
    const double cell = spacing;  // at most one candidate per spacing x spacing cell
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        const double len = g.edge_length_m[e];
        for (double at = std::min(spacing / 2, len / 2); at <= len; at += spacing) {
            const Point q = g.point_along(e, at);
            const std::int64_t k = key(q.x, q.y, cell);
            if (taken.count(k)) continue;
            if (!close_to_gap(q)) continue;
            taken[k] = 1;
            out.push_back(q);
        }
    }
    return out;
}

void check_points(const PointArgs& a) { io::check_point_input(a.path, a.read); }

void report_unsnapped(const std::string& what, const LoadedPoints& points, const std::vector<Snap>& snaps) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < snaps.size(); ++i) {
        if (snaps[i].ok()) continue;
        if (++count <= 20) {
            char buf[64] = "";
            if (std::isfinite(snaps[i].distance)) std::snprintf(buf, sizeof buf, " (%.0f m away)", snaps[i].distance);
            print_warning(what + " id " + points.ids[i] + " not snapped: " +
                          std::string(snap_failure_text(snaps[i].failure)) + buf);
        }
    }
    if (count > 20) print_warning("... and " + std::to_string(count - 20) + " more unsnapped in " + what);
    if (count)
        print_warning(std::to_string(count) + " of " + std::to_string(snaps.size()) + " points in " + what +
                      " were not snapped (see --max-snap, --snap-to-islands)");
}

namespace {
/** One console: the progress line's state is shared so that messages never glue onto it. */
struct Console {
    std::mutex mutex;
    bool quiet = false;
    bool line_open = false;  // a progress line is drawn without its newline
};
Console& console() {
    static Console c;
    return c;
}
/** Ends a drawn progress line; the caller holds the mutex. */
void close_line(Console& c) {
    if (c.line_open) std::cerr << "\n";
    c.line_open = false;
}
void print_line(const std::string& text, bool always) {
    Console& c = console();
    std::lock_guard lock(c.mutex);
    if (c.quiet && !always) return;
    close_line(c);
    std::cerr << text << "\n" << std::flush;
}
}  // namespace

Progress::Progress(std::string label)
    : m_label(std::move(label)), m_enabled(::isatty(2) != 0 && !console().quiet) {}

Progress::~Progress() {
    Console& c = console();
    std::lock_guard lock(c.mutex);
    if (m_drawn) close_line(c);
}

void Progress::update(std::size_t done, std::size_t total) {
    if (!m_enabled) return;
    Console& c = console();
    std::lock_guard lock(c.mutex);
    std::cerr << "\r" << m_label << " " << done << "/" << total << std::flush;
    m_drawn = true;
    c.line_open = true;
}

std::function<void(std::size_t, std::size_t)> Progress::callback() {
    return [this](std::size_t d, std::size_t t) { update(d, t); };
}

void print_error(const std::string& message) { print_line("lifecircle: error: " + message, true); }
void print_note(const std::string& message) { print_line("lifecircle: " + message, false); }
void print_warning(const std::string& message) {
    print_line("lifecircle: warning: " + message, false);
}

void add_quiet_option(CLI::App& app) {
    app.add_flag_callback(
        "--quiet,-q", [] { console().quiet = true; },
        "No notes, warnings or progress (errors are still printed)");
}

bool quiet() { return console().quiet; }

io::OutputPlan plan_outputs(std::vector<io::OutputRequest> outputs,
                            const std::vector<std::pair<std::string, std::string>>& inputs) {
    std::vector<std::string> paths;
    for (const auto& [option, path] : inputs) {
        io::check_input_path(path, option);
        paths.push_back(path);
    }
    return io::OutputPlan(std::move(outputs), paths);
}

}  // namespace lifecircle::cli
