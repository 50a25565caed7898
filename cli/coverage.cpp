// lifecircle coverage: one service study (studies::run_service), its layers and summary.
#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "cli/format.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "studies/service.hpp"

namespace lifecircle::cli {

namespace {

struct CoverageArgs {
    NetworkArgs network;
    StandardArgs standard;
    TransitArgs transit;
    studies::FacilitySpec facilities;
    studies::DemandSpec demand;
    std::string weight_fields;
    studies::PolygonSpec districts;
    std::string access = "e2sfca";
    std::string decay = "steps";
    std::string out, summary, districts_out, gaps, facilities_out;
    double hex_m = 250.0;
    bool update = false;
};

void print_tables(const studies::StudyArea& area, const studies::ServiceOptions& o,
                  const studies::ServiceResult& r) {
    const std::vector<std::string>& groups = area.demand.groups;
    std::printf("coverage within %s, %s\n", o.standard.describe().c_str(), o.standard.direction_name().c_str());
    ConsoleTable t({"group", "total", "covered", "share", "unreachable", "unsnapped", "mean min", "gini"});
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const planners::Figures& f = r.overall[g];
        t.add({groups[g], fixed(f.total, 0), fixed(f.covered, 0), percent(f.covered, f.total), fixed(f.unreachable, 0),
               fixed(f.unsnapped, 0), fixed(f.mean_minutes, 1), fixed(f.gini_minutes, 3)});
    }
    t.print();
    if (r.seats) {
        const planners::AssignmentTotals& s = r.seats->assignment.totals;
        std::printf("\ncapacity (%s): %.0f for %.0f %s; within the standard %.0f (%s), served %.0f (%s), covered but "
                    "unserved %.0f, spare %.0f\n",
                    o.facilities.read.capacity_field.c_str(), s.capacity, s.demand_weight, groups[r.group].c_str(),
                    s.covered_weight, percent(s.covered_weight, s.demand_weight).c_str(), s.served_weight,
                    percent(s.served_weight, s.demand_weight).c_str(), s.covered_unserved_weight, s.spare_capacity);
    }
    if (r.districts.empty()) return;
    std::printf("\n");
    ConsoleTable d({"district", groups[r.group], "share", "mean min"});
    for (const maps::DistrictFigures& f : r.districts) {
        const planners::Figures& g = f.groups[r.group];
        d.add({f.name, fixed(g.total, 0), percent(g.covered, g.total), fixed(g.mean_minutes, 1)});
    }
    d.print();
}

int run_coverage(CoverageArgs& a) {
    const studies::StudyStandard standard = resolve(a.standard, a.network);
    const std::vector<std::string> layer_formats = {".geojson", ".json", ".gpkg"};
    std::vector<io::OutputRequest> requests = {{"--out", a.out, layer_formats, ".geojson", true}};
    const auto add = [&](const std::string& option, const std::string& path, std::vector<std::string> formats) {
        if (path.empty()) return std::size_t{0};
        requests.push_back({option, path, std::move(formats), "", option != "--summary"});
        return requests.size() - 1;
    };
    const std::size_t districts_req = add("--districts-out", a.districts_out, layer_formats);
    const std::size_t gaps_req = add("--gaps", a.gaps, layer_formats);
    const std::size_t facilities_req = add("--facilities-out", a.facilities_out, layer_formats);
    const std::size_t summary_req = add("--summary", a.summary, {".json"});
    io::OutputPlan plan = plan_outputs(std::move(requests), {{"--network", a.network.spec.path},
                                                             {"--facilities", a.facilities.path},
                                                             {"--demand", a.demand.path},
                                                             {"--districts", a.districts.path}});
    const bool capacities = !a.facilities.read.capacity_field.empty();
    const bool out_gpkg = plan.files()[plan.file_of(0)].format == ".gpkg";
    if (!a.facilities_out.empty() && !capacities) throw UsageError("--facilities-out needs --capacity-field");
    if (!a.districts_out.empty() && a.districts.path.empty())
        throw UsageError("--districts-out needs --districts FILE");
    if (!a.districts.path.empty() && a.districts_out.empty() && !out_gpkg)
        throw UsageError("--districts needs --districts-out FILE when --out is not a .gpkg");
    io::check_point_input(a.facilities.path, a.facilities.read);

    const studies::Reporter rep = reporter();
    a.demand.read.weight_fields = split_list(a.weight_fields);
    const studies::AreaSpec spec{a.network.spec, a.demand, a.districts, a.network.threads};
    const auto area = studies::load_area(spec, standard.profile(), rep);
    studies::ServiceOptions o;
    o.standard = standard;
    o.standard.transit = load_transit(a.transit, a.network, area->net, *area->snapper, standard.max_seconds(), rep);
    o.facilities = a.facilities;
    o.access = studies::parse_access(a.access, "--access");
    o.decay = a.decay == "gaussian" ? planners::Decay::gaussian : planners::Decay::steps;
    o.hex_m = a.gaps.empty() ? 0.0 : a.hex_m;
    const studies::ServiceResult r = studies::run_service(*area, o, rep);
    studies::ServiceLayers layers = studies::service_layers(*area, o, r);
    for (const std::string& n : layers.notes) print_note("note: " + n);

    std::vector<std::vector<Layer>> per_file(plan.files().size());
    per_file[plan.file_of(0)].push_back(layers.demand);
    if (!r.districts.empty()) per_file[plan.file_of(a.districts_out.empty() ? 0 : districts_req)].push_back(layers.districts);
    if (capacities && (!a.facilities_out.empty() || out_gpkg))
        per_file[plan.file_of(a.facilities_out.empty() ? 0 : facilities_req)].push_back(layers.facilities);
    if (!a.gaps.empty()) per_file[plan.file_of(gaps_req)].push_back(layers.gaps);
    write_files(plan, std::move(per_file), area->net.work_crs, a.update, a.network.threads);
    if (!a.summary.empty())
        plan.write_text(plan.file_of(summary_req), studies::service_summary(*area, spec, o, r).dump(2) + "\n");
    plan.commit();
    print_tables(*area, o, r);
    print_note("coverage: " + std::to_string(layers.demand.features.size()) + " demand features written to " + a.out);
    return 0;
}

}  // namespace

void add_coverage(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("coverage", "Who is within the standard: per resident the minutes to the nearest "
                                               "facility, shares per group and district, seats, and a gap map");
    auto a = std::make_shared<CoverageArgs>();
    add_network_options(*cmd, a->network, true);
    add_standard_options(*cmd, a->standard);
    add_transit_options(*cmd, a->transit);
    add_facility_options(*cmd, a->facilities, {true, true});
    add_demand_options(*cmd, a->demand, a->weight_fields);
    add_district_options(*cmd, a->districts);
    cmd->add_option("--access", a->access, "Accessibility measure with --capacity-field: e2sfca (Luo & Qi 2009), "
                                           "bfca (balanced FCA) or availability (spatial availability)")
        ->check(CLI::IsMember({"e2sfca", "bfca", "availability"}))
        ->capture_default_str();
    cmd->add_option("--decay", a->decay, "Distance decay of the measure: steps (1, 0.68, 0.22 at T/3, 2T/3) or gaussian")
        ->check(CLI::IsMember({"steps", "gaussian"}))
        ->capture_default_str();
    cmd->add_option("--out", a->out, "Demand with minutes and coverage: .geojson or .gpkg")->required();
    cmd->add_option("--summary", a->summary, "Every figure and parameter as JSON");
    cmd->add_option("--districts-out", a->districts_out, "Districts layer (default: into --out when it is a .gpkg)");
    cmd->add_option("--facilities-out", a->facilities_out,
                    "Facilities with load and spare capacity (default: into --out when it is a .gpkg)");
    cmd->add_option("--gaps", a->gaps, "Hexagon map of uncovered residents: .gpkg or .geojson");
    cmd->add_option("--hex-m", a->hex_m, "Hexagon width across flats (m) for --gaps")
        ->check(valid(Quantity::hex_m))
        ->capture_default_str();
    cmd->add_flag("--update", a->update, "Add the layers to existing .gpkg files, keeping their other layers");
    add_quiet_option(*cmd);
    cmd->callback([&run, a] { run = [a] { return run_coverage(*a); }; });
}

}  // namespace lifecircle::cli
