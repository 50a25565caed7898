#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "io/layer_writer.hpp"
#include "maps/isochrones.hpp"

namespace lifecircle::cli {

namespace {
struct IsochroneArgs {
    NetworkArgs network;
    PointArgs facilities;
    std::string minutes = "5,10,15";
    std::string method = "network";
    double buffer_m = 50.0;
    bool dissolve = false;
    bool rings = false;
    bool split = false;
    bool entrances = false;
    double entrance_max_m = 30.0;
    std::string lines;
    std::string out;
    bool update = false;
    std::string layer_name;
    std::string lines_layer_name;
};

std::vector<Seconds> parse_breaks(const std::string& text) {
    std::vector<Seconds> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        char* end = nullptr;
        const double m = std::strtod(item.c_str(), &end);
        if (item.empty() || *end != '\0' || !(m > 0) || !std::isfinite(m))
            throw UsageError("--minutes takes positive numbers separated by commas, e.g. 5,10,15; got '" + text + "'");
        out.push_back(m * 60.0);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (out.empty()) throw UsageError("--minutes needs at least one break, e.g. 15");
    return out;
}

/**
 * Warns about every facility that gets no area for some break because the walk from its point
 * to the road (plus its delay) already takes that long, one line each and a count: otherwise
 * the facility silently disappears from the map.
 */
void report_short_breaks(const std::vector<maps::IsochroneFacility>& facilities, const std::vector<Seconds>& breaks,
                         const std::string& path) {
    std::size_t none = 0, some = 0;
    for (const maps::IsochroneFacility& f : facilities) {
        Seconds walk = unreachable;
        Meters metres = 0.0;
        for (const maps::FacilityAccess& access : f.accesses) {
            if (access.snap.access_seconds < walk) {
                walk = access.snap.access_seconds;
                metres = access.snap.distance;
            }
        }
        const Seconds start = walk + f.delay;
        std::vector<Seconds> own;
        for (const Seconds b : breaks)
            if (b < f.cutoff) own.push_back(b);
        if (f.cutoff != unreachable) own.push_back(f.cutoff);
        std::string missed;
        std::size_t missed_count = 0;
        for (const Seconds b : own) {
            if (start < b) continue;
            char buf[32];
            std::snprintf(buf, sizeof buf, "%s%g", missed.empty() ? "" : ", ", b / 60.0);
            missed += buf;
            ++missed_count;
        }
        if (missed_count == 0) continue;
        ++(missed_count == own.size() ? none : some);
        char detail[160];
        std::snprintf(detail, sizeof detail, "the walk to the road (%.0f m, %.1f min)%s takes %.1f min", metres,
                      walk / 60.0, f.delay > 0 ? " plus its delay" : "", start / 60.0);
        print_warning(path + ": facility id " + f.id +
                      (missed_count == own.size() ? " gets no area at all" : " gets no area") + " for the " + missed +
                      " min break" + (missed_count > 1 ? "s" : "") + ": " + detail);
    }
    if (none + some > 0) {
        print_warning(std::to_string(none + some) + " of " + std::to_string(facilities.size()) + " facilities in " +
                      path + " are missing areas (" + std::to_string(none) +
                      " have none at all); check their location, --max-snap or the delay field");
    }
}

}  // namespace

void add_isochrones(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("isochrones", "Service areas (isochrones) around facilities from network "
                                                 "travel time, as GeoJSON or styled GeoPackage");
    auto a = std::make_shared<IsochroneArgs>();
    add_network_options(*cmd, a->network, true);
    cmd->add_option("--facilities", a->facilities.path, "Facility points or polygons: GeoJSON, GeoPackage, "
                                                        "Shapefile, CSV with lon/lat or WKT")
        ->required();
    cmd->add_option("--minutes", a->minutes, "Breaks in minutes, e.g. 5,10,15")->capture_default_str();
    cmd->add_option("--method", a->method,
                    "network: buffered reached roads; hull: smoother concave hull; raster: the network buffer traced "
                    "on a grid of buffer/10 (within a cell of network's, faster where buffers overlap)")
        ->check(CLI::IsMember({"network", "hull", "raster"}))
        ->capture_default_str();
    cmd->add_option("--buffer-m", a->buffer_m, "Buffer around reached roads (m): the walk from road to door")
        ->check(number_in(0.0, 1000.0, true, "m"))
        ->capture_default_str();
    auto* d = cmd->add_flag("--dissolve", a->dissolve, "One area per break for all facilities together");
    auto* r = cmd->add_flag("--rings", a->rings, "Bands (0-5, 5-10, 10-15) instead of nested areas");
    auto* s = cmd->add_flag("--split", a->split, "Each place belongs to the facility that reaches it first");
    d->excludes(r)->excludes(s);
    r->excludes(s);
    cmd->add_option("--id-field", a->facilities.read.id_field, "Facility id field")->capture_default_str();
    cmd->add_option("--name-field", a->facilities.read.name_field, "Facility name field");
    cmd->add_option("--type-field", a->facilities.read.type_field, "Facility type field");
    cmd->add_option("--cutoff-field", a->facilities.read.cutoff_field, "Field with each facility's own largest "
                                                                        "break in minutes");
    cmd->add_option("--delay-field", a->facilities.read.delay_field, "Field with minutes spent before leaving "
                                                                      "(waiting, readiness)");
    cmd->add_option("--input-crs", a->facilities.read.input_crs, "The same as --facilities-crs");
    add_point_input_options(*cmd, a->facilities, "facilities", "facilities", false);
    cmd->add_flag("--entrances", a->entrances, "Polygon facilities: start from every boundary point that a road "
                                               "touches instead of one inner point");
    cmd->add_option("--entrance-max-m", a->entrance_max_m, "With --entrances: boundary points within this distance "
                                                           "(m) of a road count as entrances")
        ->check(number_in(0.0, 1000.0, false, "m"))
        ->capture_default_str();
    cmd->add_option("--lines", a->lines, "Also write the reached road pieces with minutes at each end (.gpkg or "
                                         ".geojson; the same .gpkg as --out is fine)");
    cmd->add_option("--out", a->out, "Output: .geojson (RFC 7946; - = standard output) or .gpkg (styled for QGIS)")
        ->required();
    cmd->add_flag("--update", a->update, "Add or replace only our layers in an existing .gpkg, keeping its other "
                                         "layers (without it an existing file is replaced whole)");
    cmd->add_option("--layer-name", a->layer_name, "Name of the areas layer (default: isochrones)");
    cmd->add_option("--lines-layer-name", a->lines_layer_name, "Name of the --lines layer (default: reached_roads)");
    add_quiet_option(*cmd);
    cmd->callback([&run, a] {
        run = [a] {
            const std::vector<Seconds> breaks = parse_breaks(a->minutes);
            const std::vector<std::string> formats = {".geojson", ".json", ".gpkg"};
            std::vector<io::OutputRequest> requests = {{"--out", a->out, formats, ".geojson", true}};
            if (!a->lines.empty()) requests.push_back({"--lines", a->lines, formats, ".geojson", true});
            io::OutputPlan plan = plan_outputs(std::move(requests), {{"--network", a->network.path},
                                                                     {"--facilities", a->facilities.path}});
            if (!a->lines_layer_name.empty() && a->lines.empty())
                throw UsageError("--lines-layer-name needs --lines FILE");
            const auto lower = [](std::string t) {
                std::transform(t.begin(), t.end(), t.begin(),
                               [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                return t;
            };
            if (!a->lines.empty() && plan.file_of(0) == plan.file_of(1) &&
                lower(a->layer_name.empty() ? "isochrones" : a->layer_name) ==
                    lower(a->lines_layer_name.empty() ? "reached_roads" : a->lines_layer_name))
                throw UsageError("--layer-name and --lines-layer-name must differ when --out and --lines are one "
                                 ".gpkg");
            a->facilities.read.entrances = a->entrances;
            check_points(a->facilities);
            const io::Network net = load_network(a->network);
            const LoadedPoints pts = load_points(a->facilities, net);
            const ProfileId profile = net.graph.profile_id(selected_mode(a->network));
            const Snapper snapper(net.graph, profile, a->network.snap);
            const std::vector<Snap> snaps = snapper.snap_all(pts.xy);

            std::vector<maps::IsochroneFacility> facilities;
            std::vector<Snap> unsnapped_report(snaps.size());
            for (std::size_t i = 0; i < pts.records.size(); ++i) {
                const io::PointRecord& rec = pts.records[i];
                maps::IsochroneFacility f;
                f.id = rec.id;
                f.name = rec.name;
                if (std::isfinite(rec.delay_minutes)) f.delay = rec.delay_minutes * 60.0;
                if (std::isfinite(rec.cutoff_minutes)) f.cutoff = rec.cutoff_minutes * 60.0;
                if (a->entrances && !rec.boundary_lonlat.empty()) {
                    std::vector<Point> doors;
                    for (const auto& [lon, lat] : rec.boundary_lonlat) doors.push_back({lon, lat});
                    net.to_work(doors);
                    for (const Point& door : doors) {
                        const Snap sn = snapper.snap(door);
                        if (sn.ok() && sn.distance <= a->entrance_max_m) f.accesses.push_back({door, sn});
                    }
                }
                if (f.accesses.empty() && snaps[i].ok()) f.accesses.push_back({pts.xy[i], snaps[i]});
                unsnapped_report[i] = snaps[i];
                if (!f.accesses.empty()) {
                    unsnapped_report[i].failure = SnapFailure::none;
                    facilities.push_back(std::move(f));
                }
            }
            report_unsnapped(a->facilities.path, pts, unsnapped_report);
            report_short_breaks(facilities, breaks, a->facilities.path);
            if (facilities.empty())
                throw InputError("no facility could be placed on the road network").set_file(a->facilities.path);

            maps::IsochroneOptions o;
            o.breaks = breaks;
            o.shape = a->dissolve ? maps::IsochroneShape::dissolve
                      : a->rings  ? maps::IsochroneShape::rings
                      : a->split  ? maps::IsochroneShape::split
                                  : maps::IsochroneShape::nested;
            o.area.method = a->method == "hull"     ? maps::AreaMethod::hull
                            : a->method == "raster" ? maps::AreaMethod::raster
                                                    : maps::AreaMethod::network;
            o.area.buffer_m = a->buffer_m;
            o.mode_name = a->network.mode;
            o.lines = !a->lines.empty();
            o.threads = a->network.threads;
            Progress progress("isochrones: facilities");
            o.progress = progress.callback();
            maps::IsochroneLayers layers = maps::isochrone_layers(net.graph, profile, facilities, o);
            if (!layers.without_split_area.empty()) {
                std::string ids;
                for (std::size_t k = 0; k < layers.without_split_area.size() && k < 10; ++k)
                    ids += (k ? ", " : "") + facilities[layers.without_split_area[k]].id;
                if (layers.without_split_area.size() > 10) ids += ", ...";
                print_warning(a->facilities.path + ": " + std::to_string(layers.without_split_area.size()) + " of " +
                              std::to_string(facilities.size()) +
                              " facilities get no split area, because other facilities reach every place near "
                              "their roads first (for example two at one place: the later one in the file gets "
                              "none): id " + ids);
            }

            if (!a->layer_name.empty()) layers.areas.name = a->layer_name;
            if (!a->lines_layer_name.empty()) layers.lines.name = a->lines_layer_name;
            const std::size_t area_count = layers.areas.features.size();
            std::vector<std::vector<Layer>> per_file(plan.files().size());
            per_file[plan.file_of(0)].push_back(std::move(layers.areas));
            if (!a->lines.empty()) per_file[plan.file_of(1)].push_back(std::move(layers.lines));
            io::WriteOptions wo;
            wo.update = a->update;
            wo.threads = a->network.threads;
            for (std::size_t f = 0; f < per_file.size(); ++f) {
                for (const std::string& n : io::write_layers(plan, f, per_file[f], net.work_crs, wo))
                    print_note("note: " + n);
            }
            plan.commit();
            print_note("isochrones: " + std::to_string(area_count) + " areas for " +
                       std::to_string(facilities.size()) + " facilities written to " + a->out);
            return 0;
        };
    });
}

}  // namespace lifecircle::cli
