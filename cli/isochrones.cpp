// lifecircle isochrones: service areas around facilities (studies::run_isochrones).
#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "studies/verb_jobs.hpp"

namespace lifecircle::cli {

namespace {

struct IsochroneArgs {
    NetworkArgs network;
    TransitArgs transit;
    studies::IsochroneJob job;
    std::string method = "raster";
    bool dissolve = false, rings = false, split = false, entrances = false;
    double entrance_max_m = 30.0;
};

int run_isochrones(IsochroneArgs& a) {
    studies::IsochroneJob& job = a.job;
    studies::IsochroneStudyOptions& o = job.study;
    job.network = {a.network.spec, a.network.profile(), transit_spec(a.transit, a.network), a.network.threads};
    o.shape = a.dissolve ? maps::IsochroneShape::dissolve
              : a.rings  ? maps::IsochroneShape::rings
              : a.split  ? maps::IsochroneShape::split
                         : maps::IsochroneShape::nested;
    o.area.method = a.method == "hull"      ? maps::AreaMethod::hull
                    : a.method == "network" ? maps::AreaMethod::network
                                            : maps::AreaMethod::raster;
    o.entrance_max_m = a.entrances ? a.entrance_max_m : 0.0;
    const studies::IsochroneJobResult r = studies::run_isochrone_job(job, reporter());
    print_note("isochrones: " + std::to_string(r.areas) + " areas for " + std::to_string(r.placed) +
               " facilities written to " + job.out);
    return 0;
}

}  // namespace

void add_isochrones(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("isochrones", "Service areas (isochrones) around facilities from network "
                                                 "travel time, as GeoJSON or styled GeoPackage");
    auto a = std::make_shared<IsochroneArgs>();
    add_network_options(*cmd, a->network, true);
    add_transit_options(*cmd, a->transit);
    studies::FacilitySpec& f = a->job.study.facilities;
    add_facility_options(*cmd, f, {false, true});
    add_old_spelling(*cmd, "--id-field", "--facilities-id-field", f.read.id_field);
    add_old_spelling(*cmd, "--name-field", "--facilities-name-field", f.read.name_field);
    add_old_spelling(*cmd, "--input-crs", "--facilities-crs", f.read.input_crs);
    cmd->add_option("--type-field", f.read.type_field, "Facility type field");
    cmd->add_option("--minutes", a->job.minutes, "Breaks in minutes, e.g. 5,10,15")->capture_default_str();
    cmd->add_option("--method", a->method,
                    "raster (default): the network buffer traced on a grid of buffer/10, within a cell of network's; "
                    "network: buffered reached roads; hull: a smoother concave hull for presentation")
        ->check(CLI::IsMember({"network", "hull", "raster"}))
        ->capture_default_str();
    cmd->add_option("--buffer-m", a->job.study.area.buffer_m, "Buffer around reached roads (m): the walk from road to door")
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
    cmd->add_option("--lines", a->job.lines, "Also write the reached road pieces with minutes at each end (.gpkg or "
                                         ".geojson; the same .gpkg as --out is fine)");
    cmd->add_option("--out", a->job.out, "Output: .geojson (RFC 7946; - = standard output) or .gpkg (styled for QGIS)")
        ->required();
    cmd->add_flag("--update", a->job.update, "Add or replace only our layers in an existing .gpkg, keeping its other "
                                         "layers (without it an existing file is replaced whole)");
    cmd->add_option("--layer-name", a->job.layer_name, "Name of the areas layer (default: isochrones)");
    cmd->add_option("--lines-layer-name", a->job.lines_layer_name, "Name of the --lines layer (default: reached_roads)");
    add_quiet_option(*cmd);
    cmd->callback([&run, a] { run = [a] { return run_isochrones(*a); }; });
}

}  // namespace lifecircle::cli
