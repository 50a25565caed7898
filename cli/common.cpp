#include "cli/common.hpp"

#include <cstdlib>

#include "core/error.hpp"
#include "studies/console.hpp"

namespace lifecircle::cli {

namespace {
std::vector<std::string>& pending_notes() {  // old spellings, said once the verb runs
    static std::vector<std::string> notes;
    return notes;
}
std::vector<std::string>& stored_command_line() {
    static std::vector<std::string> args;
    return args;
}
studies::ConsoleOptions& console_options() {
    static studies::ConsoleOptions options;
    return options;
}
}  // namespace

CLI::Validator valid(Quantity q) {
    return CLI::Validator([q](std::string& value) { return limit_problem(q, value); }, "NUMBER");
}

CLI::Option* add_number(CLI::App& app, const std::string& name, std::optional<double>& target, Quantity q,
                        const std::string& help) {
    return app.add_option_function<double>(name, [&target](const double& v) { target = v; }, help)->check(valid(q));
}

void add_old_spelling(CLI::App& app, const std::string& old_name, const std::string& new_name, std::string& target) {
    app.add_option_function<std::string>(
           old_name,
           [&target, old_name, new_name](const std::string& v) {
               target = v;
               pending_notes().push_back("note: " + old_name + " is now spelled " + new_name +
                                                 "; the old spelling still works");
           },
           "Old spelling of " + new_name)
        ->group("");  // hidden from --help
}

void add_network_options(CLI::App& app, NetworkArgs& a, bool with_snapping) {
    app.add_option("--network", a.spec.path, "Road network: .osm.pbf/.osm/.osm.bz2/.osm.gz, or a GDAL line layer "
                                             "(Shapefile, GeoPackage, GeoJSON, FileGDB)")
        ->required();
    app.add_option_function<std::string>(
           "--mode",
           [&a](const std::string& m) {
               a.transit = m == "transit";
               a.mode = a.transit ? Mode::walk : parse_mode(m);
               if (!a.mode) throw CLI::ValidationError("--mode", "must be walk, bike, drive or transit, not '" + m + "'");
           },
           "Travel mode: walk (default), bike, drive, or transit (public transport by timetable: --gtfs, "
           "--departure; walking on the walk network)")
        ->check(CLI::IsMember({"walk", "bike", "drive", "transit"}));
    add_number(app, "--walk-speed", a.walk_speed_kmh, Quantity::walk_speed_kmh,
               "Walking speed in km/h (default 4: GB 50180-2018's 15-minute life circle is ~1 km)");
    io::NetworkOptions& r = a.spec.read;
    app.add_option("--work-crs", r.work_crs, "Metric CRS for all geometry, e.g. EPSG:4547 (default: UTM zone)");
    app.add_option("--network-crs", r.gdal.input_crs, "CRS of a GDAL road layer that has none, e.g. EPSG:4527");
    app.add_option("--layer", r.gdal.layer, "Layer of a multi-layer road file (default: the first line layer)");
    app.add_option("--speed-field", r.gdal.speed_field, "Road layer field with the speed limit in km/h (0 = unknown)");
    app.add_option("--oneway-field", r.gdal.oneway_field, "Road layer field with 1/yes = one-way, -1 = reversed");
    app.add_option("--class-field", r.gdal.class_field, "Road layer field with the road class (OSM highway values)");
    app.add_option("--road-name-field", r.gdal.name_field, "Road layer field with the road name");
    app.add_option("--elevation", r.elevation,
                   "DEM (any GDAL raster, any CRS) for slope-aware walking: Tobler's hiking function on pieces of at "
                   "most 10 m, scaled so flat ground keeps the walking speed");
    app.add_option("--snap-tolerance", r.gdal.snap_tolerance_m, "Road layer line ends closer than this (m) are joined")
        ->check(valid(Quantity::tolerance_m))
        ->capture_default_str();
    if (!with_snapping) return;
    SnapOptions& s = a.spec.snap;
    app.add_option("--max-snap", s.max_distance, "Points farther than this (m) from a road are reported unsnapped")
        ->check(valid(Quantity::snap_m))
        ->capture_default_str();
    app.add_option("--island-m", s.min_component_m, "Road components with less road than this (m) are islands")
        ->check(valid(Quantity::snap_m))
        ->capture_default_str();
    app.add_flag("--snap-to-islands", s.allow_islands, "Let points snap to small disconnected islands");
    app.add_option("--threads", a.threads, "Worker threads (default: all cores)");
}

void add_transit_options(CLI::App& app, TransitArgs& a) {
    studies::TransitSpec& t = a.spec;
    app.add_option("--gtfs", t.gtfs, "A GTFS feed (zip or folder) for --mode transit; repeat it for several agencies");
    app.add_option("--departure", t.departure,
                   "First departure of the window, YYYY-MM-DDTHH:MM in the feeds' local time (a departure every minute)");
    app.add_option("--window-minutes", t.window_minutes, "Departures every minute for this many minutes")
        ->check(valid(Quantity::minutes))
        ->capture_default_str();
    app.add_option("--percentiles", t.percentiles,
                   "Percentiles of the travel times over the departures reported per resident, e.g. 25,50,75 "
                   "(default 50)")
        ->delimiter(',');
    app.add_option("--percentile", t.percentile, "The percentile 'covered' is judged on (one of --percentiles)")
        ->capture_default_str();
    app.add_option("--max-walk-minutes", t.max_walk_minutes,
                   "Longest walk to the first stop and from the last (default: the standard's minutes)")
        ->check(valid(Quantity::minutes));
    app.add_option("--max-transfer-m", t.max_transfer_m, "Longest walk between two stops (m on the walk network)")
        ->check(valid(Quantity::snap_m))
        ->capture_default_str();
    app.add_option("--max-rides", t.max_rides, "At most this many vehicles in a journey (1-8)")->capture_default_str();
}

std::optional<studies::TransitSpec> transit_spec(const TransitArgs& a, const NetworkArgs& network) {
    if (network.transit) return a.spec;
    if (!a.spec.gtfs.empty()) throw UsageError("--gtfs is for --mode transit");
    return std::nullopt;
}

void add_standard_options(CLI::App& app, StandardArgs& a) {
    app.add_option("--standard", a.choice.name,
                   "A service standard from the catalogue (lifecircle standards): its minutes, metres, mode and "
                   "walking speed unless given here");
    app.add_option("--standards-file", a.choice.standards_file, "Your own standards (TOML, as standards/standards.toml)");
    add_number(app, "--minutes", a.choice.minutes, Quantity::minutes,
               "The standard: minutes to the nearest facility (default 15 without --standard)");
    add_number(app, "--max-meters", a.choice.metres, Quantity::metres,
               "Also (or instead) a network distance limit in metres (GB 50180 states service radii in metres); "
               "both must hold");
    app.add_option("--direction", a.direction,
                   "to-facility: residents travel to it; from-facility: it travels to them (ambulance, meal "
                   "delivery). Matters on one-way streets")
        ->check(CLI::IsMember({"to-facility", "from-facility"}))
        ->capture_default_str();
}

studies::StudyStandard resolve(const StandardArgs& a, const NetworkArgs& network) {
    studies::StandardChoice c = a.choice;
    c.mode = network.mode;
    c.walk_speed_kmh = network.walk_speed_kmh;
    c.direction = studies::parse_direction(a.direction, "--direction");
    if (network.transit && c.metres)
        throw UsageError("--max-meters is for walking, biking and driving; by public transport the standard is "
                         "--minutes");
    if (network.transit && *c.direction == Direction::forward)
        throw UsageError("by public transport residents travel to the facility (--direction to-facility)");
    if (c.name.empty() && !c.minutes && !c.metres) c.minutes = 15.0;
    return studies::resolve_standard(c);
}

void add_facility_options(CLI::App& app, studies::FacilitySpec& spec, const FacilityFields& fields, bool required) {
    spec.label = "--facilities";
    spec.read.option_prefix = "--facilities";
    auto* f = app.add_option("--facilities", spec.path,
                             "Facility points or polygons (GeoJSON, GeoPackage, Shapefile, CSV with lon/lat or WKT)");
    if (required) f->required();
    io::PointReadOptions& r = spec.read;
    app.add_option("--facilities-layer", r.layer, "Layer of a multi-layer facilities file");
    app.add_option("--facilities-crs", r.input_crs,
                   "CRS of the facilities when the file has none or it is wrong: EPSG:xxxx, wgs84, gcj02 or bd09");
    app.add_option("--facilities-id-field", r.id_field, "Facility id field")->capture_default_str();
    app.add_option("--facilities-name-field", r.name_field, "Facility name field (default: name or 名称)");
    add_old_spelling(app, "--facility-id-field", "--facilities-id-field", r.id_field);
    add_old_spelling(app, "--facility-name-field", "--facilities-name-field", r.name_field);
    if (fields.capacity)
        app.add_option("--capacity-field", r.capacity_field,
                       "Facility capacity (seats, meals a day, doctors): adds the served share (optimal assignment "
                       "within the standard), covered-but-unserved residents and an accessibility score");
    if (fields.delay_cutoff) {
        app.add_option("--delay-field", r.delay_field, "Field with minutes spent before leaving (waiting, readiness)");
        app.add_option("--cutoff-field", r.cutoff_field,
                       "Field with each facility's own limit in minutes (it counts only within it)");
    }
}

void add_point_input_options(CLI::App& app, io::PointReadOptions& read, const std::string& prefix,
                             const std::string& what, bool with_id_field) {
    read.option_prefix = "--" + prefix;
    app.add_option("--" + prefix + "-crs", read.input_crs,
                   "CRS of the " + what + " when the file has none or it is wrong: EPSG:xxxx, wgs84, gcj02 or bd09");
    app.add_option("--" + prefix + "-layer", read.layer,
                   "Layer of the " + what + " in a multi-layer file (default: the first point or polygon layer)");
    if (with_id_field)
        app.add_option("--" + prefix + "-id-field", read.id_field, "Field holding the " + what + " ids")
            ->capture_default_str();
}

void add_demand_options(CLI::App& app, studies::DemandSpec& spec, std::string& weight_fields) {
    app.add_option("--demand", spec.path,
                   "Residents: points, polygons (spread over the roads inside), CSV with lon/lat, or a population "
                   "raster (GeoTIFF)")
        ->required();
    app.add_option("--demand-layer", spec.read.layer, "Layer of a multi-layer demand file");
    app.add_option("--demand-crs", spec.read.input_crs, "CRS of the demand when it has none or it is wrong");
    app.add_option("--demand-id-field", spec.read.id_field, "Demand id field")->capture_default_str();
    app.add_option("--weight-field", weight_fields,
                   "Fields with residents, one group each, e.g. pop_total,pop_0_6,pop_60plus (the first is the "
                   "service's group; default: each feature counts 1)");
    app.add_option("--spread-m", spec.read.spread_spacing_m,
                   "Polygons: spacing (m) of the road points their residents are spread over")
        ->check(valid(Quantity::spread_m))
        ->capture_default_str();
}

void add_district_options(CLI::App& app, studies::PolygonSpec& spec) {
    spec.label = "--districts";
    spec.read.option_prefix = "--districts";
    app.add_option("--districts", spec.path, "District polygons (街道, 社区) to report shares for");
    app.add_option("--districts-layer", spec.read.layer, "Layer of a multi-layer districts file");
    app.add_option("--districts-crs", spec.read.input_crs, "CRS of the districts when they have none or it is wrong");
    app.add_option("--district-field", spec.read.name_field, "District name field (default: name or 名称)");
}

studies::Reporter reporter() {
    for (const std::string& n : pending_notes()) print_note(n);
    pending_notes().clear();
    return studies::console_reporter();
}

void set_command_line(std::vector<std::string> args) { stored_command_line() = std::move(args); }
const std::vector<std::string>& command_line() { return stored_command_line(); }

void print_error(const std::string& message) { studies::console_line("lifecircle: error: " + message, true); }
void print_note(const std::string& message) { studies::console_line("lifecircle: " + message); }
void print_warning(const std::string& message) { studies::console_line("lifecircle: warning: " + message); }

void add_quiet_option(CLI::App& app) {
    const auto set = [](bool studies::ConsoleOptions::*field) {
        return [field] {
            console_options().*field = true;
            studies::set_console(console_options());
        };
    };
    app.add_flag_callback("--quiet,-q", set(&studies::ConsoleOptions::quiet),
                          "No notes, warnings or progress (errors are still printed)");
    app.add_flag_callback("--progress", set(&studies::ConsoleOptions::progress_lines),
                          "Progress as one line per 10% on stderr when it is not a terminal (a log, a pipe)");
}

}  // namespace lifecircle::cli
