#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "cli/format.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "core/polygon.hpp"
#include "core/time_table.hpp"
#include "core/wkb.hpp"
#include "io/demand.hpp"
#include "io/layer_writer.hpp"
#include "io/output.hpp"
#include "maps/coverage_layers.hpp"
#include "planners/accessibility.hpp"
#include "planners/assignment.hpp"
#include "planners/coverage.hpp"
#include "planners/gaps.hpp"
#include "planners/standards.hpp"

namespace lifecircle::cli {

namespace {

struct CoverageArgs {
    NetworkArgs network;
    PointArgs facilities;
    std::string demand;
    io::DemandReadOptions demand_read;
    std::string weight_fields;
    double minutes = 15.0;
    double max_meters = 0.0;
    std::string direction = "to-facility";
    std::string access = "e2sfca";
    std::string decay = "steps";
    std::string facilities_out;
    std::string out;
    std::string summary;
    std::string districts;
    std::string districts_layer;
    std::string district_field;
    std::string districts_crs;
    std::string districts_out;
    std::string gaps;
    double hex_m = 250.0;
    std::string standard;
    std::string standards_file;
    bool update = false;
};

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

}  // namespace

void add_coverage(CLI::App& app, Runner& run) {
    auto* cmd =
        app.add_subcommand("coverage",
                           "Who is within the standard: per resident the minutes to the nearest "
                           "facility, shares per group and district, and a gap map");
    auto a = std::make_shared<CoverageArgs>();
    add_network_options(*cmd, a->network, true);
    cmd->add_option("--facilities", a->facilities.path,
                    "Facility points or polygons (GeoJSON, GeoPackage, "
                    "Shapefile, CSV with lon/lat or WKT)")
        ->required();
    cmd->add_option("--facilities-layer", a->facilities.read.layer,
                    "Layer of a multi-layer facilities file");
    cmd->add_option("--facilities-crs", a->facilities.read.input_crs,
                    "CRS of the facilities when they have none or it is wrong: EPSG:xxxx, wgs84, "
                    "gcj02 or bd09");
    cmd->add_option("--facility-id-field", a->facilities.read.id_field, "Facility id field")
        ->capture_default_str();
    cmd->add_option("--facility-name-field", a->facilities.read.name_field, "Facility name field");
    cmd->add_option("--delay-field", a->facilities.read.delay_field,
                    "Field with minutes spent before leaving");
    cmd->add_option(
        "--capacity-field", a->facilities.read.capacity_field,
        "Facility capacity (seats, meals a day, doctors): adds the served share (optimal "
        "assignment "
        "within the standard), covered-but-unserved residents and an accessibility score");
    cmd->add_option("--access", a->access,
                    "Accessibility measure with --capacity-field: e2sfca (Luo & Qi 2009), "
                    "bfca (balanced FCA) or availability (spatial availability)")
        ->check(CLI::IsMember({"e2sfca", "bfca", "availability"}))
        ->capture_default_str();
    cmd->add_option("--decay", a->decay,
                    "Distance decay of the measure: steps (1, 0.68, 0.22 at T/3, 2T/3) or gaussian")
        ->check(CLI::IsMember({"steps", "gaussian"}))
        ->capture_default_str();
    cmd->add_option("--facilities-out", a->facilities_out,
                    "Facilities with load and spare capacity (default: into "
                    "--out when it is a .gpkg)");
    cmd->add_option("--cutoff-field", a->facilities.read.cutoff_field,
                    "Field with each facility's own limit in minutes (it counts only within it)");
    cmd->add_option("--demand", a->demand,
                    "Residents: points, polygons (spread over the roads inside), CSV with "
                    "lon/lat, or a population raster (GeoTIFF)")
        ->required();
    cmd->add_option("--demand-layer", a->demand_read.layer, "Layer of a multi-layer demand file");
    cmd->add_option("--demand-crs", a->demand_read.input_crs,
                    "CRS of the demand when it has none or it is wrong");
    cmd->add_option("--demand-id-field", a->demand_read.id_field, "Demand id field")
        ->capture_default_str();
    cmd->add_option("--weight-field", a->weight_fields,
                    "Fields with residents, one group each, e.g. "
                    "pop_total,pop_0_6,pop_60plus (default: each feature counts 1)");
    cmd->add_option("--spread-m", a->demand_read.spread_spacing_m,
                    "Polygons: spacing (m) of the road points their residents are spread over")
        ->check(CLI::Range(1.0, 10000.0))
        ->capture_default_str();
    cmd->add_option("--standard", a->standard,
                    "A service standard from the catalogue (lifecircle standards): its "
                    "minutes, metres, mode and walking speed unless given here");
    cmd->add_option("--standards-file", a->standards_file,
                    "Your own standards (TOML, as standards/standards.toml)");
    auto* minutes_opt =
        cmd->add_option("--minutes", a->minutes, "The standard: minutes to the nearest facility")
            ->check(CLI::Range(0.01, 1440.0))
            ->capture_default_str();
    auto* meters_opt = cmd->add_option("--max-meters", a->max_meters,
                                       "Also (or instead) a network distance limit in metres "
                                       "(GB 50180 states service radii in metres); both must hold")
                           ->check(CLI::Range(0.0, 1.0e6));
    cmd->add_option("--direction", a->direction,
                    "to-facility: residents travel to it; from-facility: it travels "
                    "to them (ambulance, meal delivery). Matters on one-way streets")
        ->check(CLI::IsMember({"to-facility", "from-facility"}))
        ->capture_default_str();
    cmd->add_option("--out", a->out, "Demand with minutes and coverage: .geojson or .gpkg")
        ->required();
    cmd->add_option("--summary", a->summary, "Every figure and parameter as JSON");
    cmd->add_option("--districts", a->districts,
                    "District polygons (街道, 社区) to report shares for");
    cmd->add_option("--districts-layer", a->districts_layer,
                    "Layer of a multi-layer districts file");
    cmd->add_option("--districts-crs", a->districts_crs,
                    "CRS of the districts when they have none or it is wrong");
    cmd->add_option("--district-field", a->district_field,
                    "District name field (default: name or 名称)");
    cmd->add_option("--districts-out", a->districts_out,
                    "Where the districts layer goes (default: into --out "
                    "when it is a .gpkg)");
    cmd->add_option("--gaps", a->gaps, "Hexagon map of uncovered residents: .gpkg or .geojson");
    cmd->add_option("--hex-m", a->hex_m, "Hexagon width across flats (m) for --gaps")
        ->check(CLI::Range(10.0, 100000.0))
        ->capture_default_str();
    cmd->add_flag("--update", a->update,
                  "Add the layers to existing .gpkg files, keeping their other layers");
    add_quiet_option(*cmd);
    auto* mode_opt = cmd->get_option("--mode");
    auto* speed_opt = cmd->get_option("--walk-speed");
    cmd->callback([&run, a, minutes_opt, meters_opt, mode_opt, speed_opt] {
        run = [a, minutes_opt, meters_opt, mode_opt, speed_opt] {
            // A standard fills what the command line left out.
            std::string standard_title;
            if (!a->standard.empty()) {
                const std::vector<ServiceStandard> catalogue =
                    standards_catalogue(a->standards_file);
                const ServiceStandard& st = find_standard(catalogue, a->standard);
                standard_title = st.name + " (" + st.title_en + "; " + st.source.short_name + ")";
                if (!minutes_opt->count() && st.minutes) a->minutes = *st.minutes;
                if (!meters_opt->count() && st.metres) a->max_meters = *st.metres;
                if (!mode_opt->count()) a->network.mode = std::string(mode_name(st.mode));
                if (!speed_opt->count() && st.walk_speed_kmh)
                    a->network.walk_speed_kmh = *st.walk_speed_kmh;
                if (!minutes_opt->count() && !st.minutes) a->minutes = 1440.0;  // metres only
            }

            // Every output is checked before any work.
            const std::vector<std::string> layer_formats = {".geojson", ".json", ".gpkg"};
            std::vector<io::OutputRequest> requests = {
                {"--out", a->out, layer_formats, ".geojson", true}};
            const std::size_t districts_req = a->districts_out.empty() ? 0 : requests.size();
            if (!a->districts_out.empty())
                requests.push_back({"--districts-out", a->districts_out, layer_formats, "", true});
            const std::size_t gaps_req = a->gaps.empty() ? 0 : requests.size();
            if (!a->gaps.empty()) requests.push_back({"--gaps", a->gaps, layer_formats, "", true});
            const std::size_t facilities_req = a->facilities_out.empty() ? 0 : requests.size();
            if (!a->facilities_out.empty())
                requests.push_back(
                    {"--facilities-out", a->facilities_out, layer_formats, "", true});
            const std::size_t summary_req = a->summary.empty() ? 0 : requests.size();
            if (!a->summary.empty())
                requests.push_back({"--summary", a->summary, {".json"}, ".json", false});
            std::vector<std::pair<std::string, std::string>> inputs = {
                {"--network", a->network.path},
                {"--facilities", a->facilities.path},
                {"--demand", a->demand}};
            if (!a->districts.empty()) inputs.push_back({"--districts", a->districts});
            io::OutputPlan plan = plan_outputs(std::move(requests), inputs);
            const bool capacities = !a->facilities.read.capacity_field.empty();
            if (!a->facilities_out.empty() && !capacities)
                throw UsageError("--facilities-out needs --capacity-field");
            if (!a->districts_out.empty() && a->districts.empty())
                throw UsageError("--districts-out needs --districts FILE");
            if (!a->districts.empty() && a->districts_out.empty() &&
                plan.files()[plan.file_of(0)].format != ".gpkg")
                throw UsageError(
                    "--districts needs --districts-out FILE when --out is not a .gpkg");
            apply_point_defaults(a->facilities, "", "id");
            check_points(a->facilities);
            const Mode mode = selected_mode(a->network);
            const bool by_meters = a->max_meters > 0;
            // Network: the time profile, and its length twin when metres are judged.
            io::NetworkOptions no = a->network.read;
            no.profiles = {default_profile(mode, a->network.walk_speed_kmh)};
            if (by_meters) no.profiles.push_back(length_profile(no.profiles[0]));
            io::Network net = io::load_network(a->network.path, no);
            for (const std::string& w : net.warnings)
                print_note("note: " + a->network.path + ": " + w);
            const Direction dir =
                a->direction == "to-facility" ? Direction::backward : Direction::forward;
            const ProfileId profile = net.graph.profile_id(mode, dir);
            const ProfileId metres =
                by_meters ? net.graph.profile_id(mode, dir, Metric::length) : ProfileId{};

            // Facilities.
            const LoadedPoints fac = load_points(a->facilities, net);
            const Snapper snapper(net.graph, profile, a->network.snap);
            const std::vector<Snap> fac_snaps = snapper.snap_all(fac.xy);
            report_unsnapped(a->facilities.path, fac, fac_snaps);
            SourceSet sources, metre_sources;
            std::size_t placed = 0;
            for (std::size_t i = 0; i < fac_snaps.size(); ++i) {
                const io::PointRecord& rec = fac.records[i];
                if (!fac_snaps[i].ok()) {
                    sources.add({});
                    metre_sources.add({});
                    continue;
                }
                ++placed;
                const Seconds delay =
                    std::isfinite(rec.delay_minutes) ? rec.delay_minutes * 60.0 : 0.0;
                const Seconds cutoff =
                    std::isfinite(rec.cutoff_minutes) ? rec.cutoff_minutes * 60.0 : unreachable;
                const Seed s = Snapper::seed(fac_snaps[i], static_cast<std::uint32_t>(i), delay);
                sources.add(std::span<const Seed>(&s, 1), cutoff);
                // Distances: the access walk in metres, no delay, no time cutoff.
                Seed m = s;
                m.start = fac_snaps[i].distance;
                metre_sources.add(std::span<const Seed>(&m, 1));
            }
            if (placed == 0)
                throw InputError(
                    "no facility could be placed on the road network; check --max-snap and the CRS")
                    .set_file(a->facilities.path);

            // Demand.
            io::DemandReadOptions dro = a->demand_read;
            dro.weight_fields = split_list(a->weight_fields);
            dro.profile = profile.forward();
            const io::DemandSet demand = io::read_demand(a->demand, dro, net);
            for (const std::string& n : demand.notes) print_note("note: " + a->demand + ": " + n);
            if (demand.xy.empty())
                throw InputError("the demand layer has no residents (every weight is 0)")
                    .set_file(a->demand);
            const std::vector<Snap> demand_snaps = snapper.snap_all(demand.xy);

            planners::Standard standard;
            standard.max_seconds = a->minutes * 60.0;
            if (by_meters) standard.max_meters = a->max_meters;
            ParallelOptions par;
            par.threads = a->network.threads;
            const planners::CoverageResult result = planners::coverage(
                net.graph, profile, by_meters ? &metres : nullptr, sources,
                by_meters ? &metre_sources : nullptr, demand_snaps, standard, par);

            // Figures: overall, per district.
            const std::vector<std::string>& groups = demand.groups;
            std::vector<planners::Figures> overall;
            for (const auto& w : demand.weights) overall.push_back(planners::figures(result, w));

            std::vector<maps::DistrictFigures> districts;
            std::size_t overlap_points = 0;
            std::vector<double> overlap_weight(groups.size(), 0.0);
            if (!a->districts.empty()) {
                PointArgs dargs;
                dargs.path = a->districts;
                dargs.read.layer = a->districts_layer;
                dargs.read.input_crs = a->districts_crs;
                dargs.read.name_field = a->district_field;
                std::vector<std::string> names;
                const std::vector<MultiPolygonXY> polys =
                    read_polygons(dargs, net, "the districts must be polygons", &names);
                const PolygonIndex index(polys);
                std::vector<std::vector<std::uint32_t>> members(polys.size());
                std::vector<std::uint32_t> outside;
                for (std::uint32_t i = 0; i < demand.xy.size(); ++i) {
                    const std::vector<std::uint32_t> in = index.containing(demand.xy[i]);
                    if (in.empty()) outside.push_back(i);
                    if (in.size() > 1) {
                        ++overlap_points;
                        for (std::size_t g = 0; g < groups.size(); ++g)
                            overlap_weight[g] += demand.weights[g][i];
                    }
                    for (std::uint32_t d : in) members[d].push_back(i);
                }
                for (std::size_t d = 0; d < polys.size(); ++d) {
                    maps::DistrictFigures f;
                    f.name = names[d];
                    f.polygon = polys[d];
                    for (const auto& w : demand.weights)
                        f.groups.push_back(planners::figures(result, w, members[d]));
                    districts.push_back(std::move(f));
                }
                if (!outside.empty()) {
                    maps::DistrictFigures f;
                    f.name = "(outside every district)";
                    for (const auto& w : demand.weights)
                        f.groups.push_back(planners::figures(result, w, outside));
                    districts.push_back(std::move(f));
                }
            }

            // Capacities: the served share by an optimal assignment within the standard, and the
            // accessibility measure, both for the first group, on one sparse facility x demand
            // table.
            maps::DemandView view;
            std::vector<maps::FacilityRow> facility_rows;
            std::vector<double> unserved;
            nlohmann::ordered_json capacity_json;
            if (capacities) {
                std::vector<double> caps(fac.records.size(), 0.0);
                for (std::size_t i = 0; i < fac.records.size(); ++i) {
                    const double c = fac.records[i].capacity;
                    if (!std::isfinite(c))
                        throw InputError(
                            "the capacity field '" + a->facilities.read.capacity_field +
                            "' is empty: give every facility its capacity (0 for none)")
                            .set_file(a->facilities.path)
                            .set_feature(fac.ids[i]);
                    if (c < 0)
                        throw InputError("the capacity field '" +
                                         a->facilities.read.capacity_field +
                                         "' is negative: give a capacity of 0 or more")
                            .set_file(a->facilities.path)
                            .set_feature(fac.ids[i]);
                    caps[i] = c;
                }
                TableOptions to;
                to.cutoff = standard.max_seconds;
                to.parallel = par;
                const TargetIndex targets(net.graph, demand_snaps);
                TimeTable table = time_table(net.graph, profile, sources, targets, to);
                if (by_meters) {  // pairs within the metres too, as coverage judges them
                    TableOptions mo = to;
                    mo.cutoff = standard.max_meters;
                    table = intersect(table, time_table(net.graph, metres, metre_sources, targets, mo));
                }
                const std::vector<double>& w0 = demand.weights[0];
                planners::AssignmentOptions ao;
                ao.parallel = par;
                const planners::Assignment as = planners::assign(table, w0, caps, ao);
                planners::CatchmentOptions co;
                co.cutoff = standard.max_seconds;
                co.decay =
                    a->decay == "gaussian" ? planners::Decay::gaussian : planners::Decay::steps;
                std::vector<double> access, ratio;
                if (a->access == "e2sfca") {
                    planners::E2sfcaResult e = planners::e2sfca(table, w0, caps, co);
                    access = std::move(e.access);
                    ratio = std::move(e.ratio);
                } else if (a->access == "bfca") {
                    planners::BfcaResult e = planners::bfca(table, w0, caps, co);
                    access = std::move(e.access);
                    ratio = std::move(e.ratio);
                } else {
                    planners::SpatialAvailabilityOptions so;
                    so.catchment = co;
                    planners::SpatialAvailabilityResult e =
                        planners::spatial_availability(table, w0, caps, so);
                    access = std::move(e.per_capita);
                    ratio.assign(caps.size(), std::numeric_limits<double>::quiet_NaN());
                    for (std::size_t j = 0; j < caps.size(); ++j) {
                        double within = 0;
                        for (const TimeEntry& en : table.row(j)) within += w0[en.col];
                        if (within > 0) ratio[j] = e.allocated_supply[j] / within;
                    }
                }
                maps::PointColumn served{"served_weight", {}, true};
                maps::PointColumn cu{"unserved_weight", {}, true};
                maps::PointColumn acc{"access_" + a->access, access, false};
                maps::PointLabel lab{"assigned_facility_id", {}, {}};
                for (const planners::DemandAssignment& d : as.demand) {
                    served.values.push_back(d.served_weight);
                    cu.values.push_back(d.covered_unserved_weight);
                    lab.values.push_back(d.assigned_facility == invalid_index
                                             ? std::string()
                                             : fac.ids[d.assigned_facility]);
                    lab.by.push_back(d.served_weight);
                }
                unserved = cu.values;
                view.columns = {std::move(served), std::move(cu), std::move(acc)};
                view.labels = {std::move(lab)};
                std::vector<std::string> names;
                for (const io::PointRecord& rec : fac.records) names.push_back(rec.name);
                facility_rows = maps::facility_rows(fac.ids, names, fac.xy, as, ratio);
                const planners::AssignmentTotals& t = as.totals;
                capacity_json = {
                    {"group", groups[0]},
                    {"capacity_field", a->facilities.read.capacity_field},
                    {"capacity", t.capacity},
                    {"demand", t.demand_weight},
                    {"covered", t.covered_weight},
                    {"served", t.served_weight},
                    {"served_share", t.demand_weight > 0 ? t.served_weight / t.demand_weight : 0.0},
                    {"coverage_share",
                     t.demand_weight > 0 ? t.covered_weight / t.demand_weight : 0.0},
                    {"covered_unserved", t.covered_unserved_weight},
                    {"spare_capacity", t.spare_capacity},
                    {"pairs_within_standard", table.size()},
                    {"access_measure", a->access},
                    {"decay", a->decay},
                    {"method",
                     "exact min-cost flow (maximum served weight, then minimum total weighted "
                     "minutes) over the pairs within the standard"}};
            }

            // Layers and files.
            std::vector<std::string> notes;
            view.features = &demand.features;
            view.point_feature = demand.feature;
            view.groups = groups;
            view.weights = demand.weights;
            const Layer demand_out = maps::demand_layer(view, result, fac.ids, &notes);
            for (const std::string& n : notes) print_note("note: " + n);
            std::vector<planners::GapCell> cells;
            if (!a->gaps.empty())
                cells = planners::gap_cells(result, demand.xy, demand.weights, unserved, a->hex_m);
            // Layers by file: districts go with the demand unless --districts-out names a file.
            std::vector<std::vector<Layer>> per_file(plan.files().size());
            per_file[plan.file_of(0)].push_back(demand_out);
            if (!districts.empty())
                per_file[plan.file_of(a->districts_out.empty() ? 0 : districts_req)].push_back(
                    maps::districts_layer(districts, groups));
            if (capacities) {
                if (!a->facilities_out.empty() || plan.files()[plan.file_of(0)].format == ".gpkg")
                    per_file[plan.file_of(a->facilities_out.empty() ? 0 : facilities_req)]
                        .push_back(maps::facilities_layer(facility_rows, a->access));
            }
            if (!a->gaps.empty())
                per_file[plan.file_of(gaps_req)].push_back(
                    maps::gaps_layer(cells, groups, a->hex_m));
            io::WriteOptions wo;
            wo.update = a->update;
            wo.threads = a->network.threads;
            for (std::size_t f = 0; f < per_file.size(); ++f) {
                if (per_file[f].empty()) continue;
                for (const std::string& n :
                     io::write_layers(plan, f, per_file[f], net.work_crs, wo))
                    print_note("note: " + n);
            }

            // Summary.
            nlohmann::ordered_json j;
            j["parameters"] = {
                {"network", a->network.path},
                {"mode", a->network.mode},
                {"walk_speed_kmh", a->network.walk_speed_kmh},
                {"direction", a->direction},
                {"minutes", a->minutes},
                {"standard", standard_title.empty() ? nlohmann::ordered_json(nullptr)
                                                    : nlohmann::ordered_json(standard_title)},
                {"max_meters", by_meters ? nlohmann::ordered_json(a->max_meters)
                                         : nlohmann::ordered_json(nullptr)},
                {"facilities", a->facilities.path},
                {"demand", a->demand},
                {"weight_fields", groups},
                {"max_snap_m", a->network.snap.max_distance},
                {"work_crs", net.work_crs}};
            std::size_t unsnapped_fac = fac_snaps.size() - placed, unsnapped_dem = 0;
            for (const Snap& s : demand_snaps) unsnapped_dem += s.ok() ? 0 : 1;
            j["counts"] = {{"facilities", fac_snaps.size()},
                           {"facilities_unsnapped", unsnapped_fac},
                           {"demand_features", demand.features.features.size()},
                           {"demand_points", demand.xy.size()},
                           {"demand_points_unsnapped", unsnapped_dem},
                           {"demand_kind", demand.kind}};
            nlohmann::ordered_json gj;
            for (std::size_t g = 0; g < groups.size(); ++g)
                gj[groups[g]] = figures_json(overall[g]);
            j["groups"] = gj;
            if (capacities) j["capacity"] = capacity_json;
            if (!districts.empty()) {
                nlohmann::ordered_json dj = nlohmann::ordered_json::array();
                for (const maps::DistrictFigures& d : districts) {
                    nlohmann::ordered_json one;
                    one["district"] = d.name;
                    for (std::size_t g = 0; g < groups.size(); ++g)
                        one[groups[g]] = figures_json(d.groups[g]);
                    dj.push_back(one);
                }
                j["districts"] = dj;
                nlohmann::ordered_json ov;
                ov["points"] = overlap_points;
                for (std::size_t g = 0; g < groups.size(); ++g) ov[groups[g]] = overlap_weight[g];
                j["district_overlap"] = ov;
            }
            if (!a->gaps.empty()) j["gap_cells"] = cells.size();
            if (!a->summary.empty()) {
                plan.write_text(plan.file_of(summary_req), j.dump(2) + "\n");
            }
            plan.commit();

            // The same summary, readable.
            std::printf("coverage within %s min%s, %s, %s\n", fixed(a->minutes, 1).c_str(),
                        by_meters ? (" and " + fixed(a->max_meters, 0) + " m").c_str() : "",
                        a->network.mode.c_str(), a->direction.c_str());
            std::printf("%-16s %12s %12s %8s %12s %10s %9s %6s\n", "group", "total", "covered",
                        "share", "unreachable", "unsnapped", "mean min", "gini");
            for (std::size_t g = 0; g < groups.size(); ++g) {
                const planners::Figures& f = overall[g];
                std::printf("%-16s %12s %12s %7s%% %12s %10s %9s %6s\n", groups[g].c_str(),
                            fixed(f.total, 0).c_str(), fixed(f.covered, 0).c_str(),
                            fixed(100.0 * f.share, 1).c_str(), fixed(f.unreachable, 0).c_str(),
                            fixed(f.unsnapped, 0).c_str(), fixed(f.mean_minutes, 1).c_str(),
                            fixed(f.gini_minutes, 3).c_str());
            }
            if (capacities) {
                std::printf(
                    "\ncapacity (%s): %.0f for %.0f %s; within the standard %.0f (%.1f%%), served "
                    "%.0f "
                    "(%.1f%%), covered but unserved %.0f, spare %.0f\n",
                    a->facilities.read.capacity_field.c_str(),
                    capacity_json["capacity"].get<double>(), capacity_json["demand"].get<double>(),
                    groups[0].c_str(), capacity_json["covered"].get<double>(),
                    100 * capacity_json["coverage_share"].get<double>(),
                    capacity_json["served"].get<double>(),
                    100 * capacity_json["served_share"].get<double>(),
                    capacity_json["covered_unserved"].get<double>(),
                    capacity_json["spare_capacity"].get<double>());
            }
            if (!districts.empty() && !groups.empty()) {
                std::printf("\n%-28s %12s %8s %9s\n", "district", groups[0].c_str(), "share",
                            "mean min");
                for (const maps::DistrictFigures& d : districts)
                    std::printf("%-28s %12s %7s%% %9s\n", d.name.c_str(),
                                fixed(d.groups[0].total, 0).c_str(),
                                fixed(100.0 * d.groups[0].share, 1).c_str(),
                                fixed(d.groups[0].mean_minutes, 1).c_str());
            }
            print_note("coverage: " + std::to_string(demand_out.features.size()) +
                       " demand features written to " + a->out);
            return 0;
        };
    });
}

}  // namespace lifecircle::cli
