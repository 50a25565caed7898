// lifecircle isochrones: service areas around facilities (studies::run_isochrones).
#include <algorithm>
#include <cctype>

#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "studies/travel.hpp"

namespace lifecircle::cli {

namespace {

struct IsochroneArgs {
    NetworkArgs network;
    TransitArgs transit;
    studies::IsochroneStudyOptions study;
    std::string minutes = "5,10,15";
    std::string method = "raster";
    bool dissolve = false, rings = false, split = false, entrances = false;
    double entrance_max_m = 30.0;
    std::string lines, out, layer_name, lines_layer_name;
    bool update = false;
};

std::vector<double> parse_breaks(const std::string& text) {
    std::vector<double> out;
    for (const std::string& item : split_list(text)) {
        const std::string why = limit_problem(Quantity::minutes, item);
        if (!why.empty()) throw UsageError("--minutes takes breaks separated by commas, e.g. 5,10,15: each " + why);
        out.push_back(std::stod(item));
    }
    if (out.empty()) throw UsageError("--minutes needs at least one break, e.g. 15");
    return out;
}

std::string lower(std::string t) {
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return t;
}

int run_isochrones(IsochroneArgs& a) {
    studies::IsochroneStudyOptions& o = a.study;
    o.minutes = parse_breaks(a.minutes);
    const std::vector<std::string> formats = {".geojson", ".json", ".gpkg"};
    std::vector<io::OutputRequest> requests = {{"--out", a.out, formats, ".geojson", true}};
    if (!a.lines.empty()) requests.push_back({"--lines", a.lines, formats, ".geojson", true});
    io::OutputPlan plan =
        plan_outputs(std::move(requests), {{"--network", a.network.spec.path}, {"--facilities", o.facilities.path}});
    if (!a.lines_layer_name.empty() && a.lines.empty()) throw UsageError("--lines-layer-name needs --lines FILE");
    if (!a.lines.empty() && plan.file_of(0) == plan.file_of(1) &&
        lower(a.layer_name.empty() ? "isochrones" : a.layer_name) ==
            lower(a.lines_layer_name.empty() ? "reached_roads" : a.lines_layer_name))
        throw UsageError("--layer-name and --lines-layer-name must differ when --out and --lines are one .gpkg");
    io::check_point_input(o.facilities.path, o.facilities.read);
    o.shape = a.dissolve ? maps::IsochroneShape::dissolve
              : a.rings  ? maps::IsochroneShape::rings
              : a.split  ? maps::IsochroneShape::split
                         : maps::IsochroneShape::nested;
    o.area.method = a.method == "hull"      ? maps::AreaMethod::hull
                    : a.method == "network" ? maps::AreaMethod::network
                                            : maps::AreaMethod::raster;
    o.entrance_max_m = a.entrances ? a.entrance_max_m : 0.0;
    o.lines = !a.lines.empty();
    o.threads = a.network.threads;
    const studies::Reporter rep = reporter();
    const auto loaded = studies::load_network(a.network.spec, a.network.profile(), rep, a.network.transit);
    const studies::LoadedNetwork& net = *loaded;
    o.transit = load_transit(a.transit, a.network, net.net, *net.snapper,
                             *std::max_element(o.minutes.begin(), o.minutes.end()) * 60.0, rep);
    studies::IsochroneStudyResult r = studies::run_isochrones(net, o, rep);
    if (!a.layer_name.empty()) r.layers.areas.name = a.layer_name;
    if (!a.lines_layer_name.empty()) r.layers.lines.name = a.lines_layer_name;
    const std::size_t area_count = r.layers.areas.features.size();
    std::vector<std::vector<Layer>> per_file(plan.files().size());
    per_file[plan.file_of(0)].push_back(std::move(r.layers.areas));
    if (!a.lines.empty()) per_file[plan.file_of(1)].push_back(std::move(r.layers.lines));
    write_files(plan, std::move(per_file), net.net.work_crs, a.update, a.network.threads);
    plan.commit();
    print_note("isochrones: " + std::to_string(area_count) + " areas for " + std::to_string(r.placed) +
               " facilities written to " + a.out);
    return 0;
}

}  // namespace

void add_isochrones(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("isochrones", "Service areas (isochrones) around facilities from network "
                                                 "travel time, as GeoJSON or styled GeoPackage");
    auto a = std::make_shared<IsochroneArgs>();
    add_network_options(*cmd, a->network, true);
    add_transit_options(*cmd, a->transit);
    studies::FacilitySpec& f = a->study.facilities;
    add_facility_options(*cmd, f, {false, true});
    add_old_spelling(*cmd, "--id-field", "--facilities-id-field", f.read.id_field);
    add_old_spelling(*cmd, "--name-field", "--facilities-name-field", f.read.name_field);
    add_old_spelling(*cmd, "--input-crs", "--facilities-crs", f.read.input_crs);
    cmd->add_option("--type-field", f.read.type_field, "Facility type field");
    cmd->add_option("--minutes", a->minutes, "Breaks in minutes, e.g. 5,10,15")->capture_default_str();
    cmd->add_option("--method", a->method,
                    "raster (default): the network buffer traced on a grid of buffer/10, within a cell of network's; "
                    "network: buffered reached roads; hull: a smoother concave hull for presentation")
        ->check(CLI::IsMember({"network", "hull", "raster"}))
        ->capture_default_str();
    cmd->add_option("--buffer-m", a->study.area.buffer_m, "Buffer around reached roads (m): the walk from road to door")
        ->check(valid(Quantity::buffer_m))
        ->capture_default_str();
    auto* d = cmd->add_flag("--dissolve", a->dissolve, "One area per break for all facilities together");
    auto* r = cmd->add_flag("--rings", a->rings, "Bands (0-5, 5-10, 10-15) instead of nested areas");
    auto* s = cmd->add_flag("--split", a->split, "Each place belongs to the facility that reaches it first");
    d->excludes(r)->excludes(s);
    r->excludes(s);
    cmd->add_flag("--entrances", a->entrances, "Polygon facilities: start from every boundary point that a road "
                                               "touches instead of one inner point");
    cmd->add_option("--entrance-max-m", a->entrance_max_m, "With --entrances: boundary points within this distance "
                                                           "(m) of a road count as entrances")
        ->check(valid(Quantity::snap_m))
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
    cmd->callback([&run, a] { run = [a] { return run_isochrones(*a); }; });
}

}  // namespace lifecircle::cli
