// lifecircle demand: residents estimated from building footprints.
#include <cstdio>

#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "io/demand.hpp"
#include "maps/coverage_layers.hpp"
#include "studies/travel.hpp"

namespace lifecircle::cli {

namespace {

struct DemandArgs {
    NetworkArgs network;
    std::string buildings;
    io::BuildingResidentsOptions options;
    std::string age_shares, building_types, out, layer_name = "residents";
    bool update = false;
};

int run_demand(DemandArgs& a) {
    a.options.age_shares = studies::parse_age_shares(a.age_shares, "--age-shares");
    a.options.building_types = split_list(a.building_types);
    io::OutputPlan plan = plan_outputs({{"--out", a.out, {".geojson", ".json", ".gpkg"}, ".geojson", true}},
                                       {{"--buildings", a.buildings}, {"--network", a.network.spec.path}});
    if (a.network.spec.path.empty()) a.network.spec.path = a.buildings;
    const studies::Reporter rep = reporter();
    const auto loaded = studies::load_network(a.network.spec, a.network.profile(), rep);
    const studies::LoadedNetwork& net = *loaded;
    const io::DemandSet d = io::estimate_residents_from_buildings(a.buildings, a.options, net.net);
    for (const std::string& n : d.notes) rep.note(a.buildings + ": " + n);
    write_files(plan, {{maps::residents_layer(d.features, d.groups, d.feature_weights, a.layer_name)}},
                net.net.work_crs, a.update, a.network.threads);
    plan.commit();
    std::printf("%zu housing buildings", d.features.features.size());
    for (std::size_t g = 0; g < d.groups.size(); ++g) {
        double sum = 0;
        for (const double w : d.feature_weights[g]) sum += w;
        if (g == 0)
            std::printf(", %.0f residents", sum);
        else
            std::printf(", %s %.0f", d.groups[g].c_str(), sum);
    }
    std::printf("\n");
    print_note("demand: written to " + a.out);
    return 0;
}

}  // namespace

void add_demand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("demand", "Estimate residents from building footprints (for areas without a census "
                                             "layer), as a layer coverage can read");
    auto a = std::make_shared<DemandArgs>();
    add_network_options(*cmd, a->network, false);
    cmd->get_option("--network")->required(false)->description(
        "Road network for the work CRS and extent (default: the --buildings file when it is OpenStreetMap)");
    cmd->add_option("--buildings", a->buildings, "Buildings: an OpenStreetMap file (residential building types, and "
                                                 "building=yes inside landuse=residential) or a GDAL polygon layer")
        ->required();
    cmd->add_option("--buildings-layer", a->options.layer, "Layer of a multi-layer buildings file");
    cmd->add_option("--buildings-crs", a->options.input_crs, "CRS of the buildings when they have none or it is wrong");
    cmd->add_option("--buildings-id-field", a->options.id_field, "Building id field")->capture_default_str();
    cmd->add_option("--levels-field", a->options.levels_field,
                    "Field with storeys above ground (e.g. 层数, floors; OpenStreetMap: building:levels)");
    cmd->add_option("--default-levels", a->options.default_levels, "Storeys of a building without a levels value")
        ->check(valid(Quantity::storeys))
        ->capture_default_str();
    cmd->add_option("--residential-share-field", a->options.residential_share_field,
                    "Field with the housing share of the floor area (0..1)");
    cmd->add_option("--residential-share", a->options.residential_share, "Housing share of buildings without a share value")
        ->check(valid(Quantity::fraction))
        ->capture_default_str();
    cmd->add_option("--floor-area-per-person", a->options.floor_area_per_person_m2,
                    "Gross floor area per resident in m² (default: China's urban households, 2020 census)")
        ->check(valid(Quantity::floor_area_m2))
        ->capture_default_str();
    cmd->add_option("--age-shares", a->age_shares,
                    "Groups as shares of the residents, e.g. 0_6=0.06,60plus=0.19 (fields pop_0_6, pop_60plus)");
    cmd->add_option("--building-types", a->building_types,
                    "OpenStreetMap building=* values counted as housing, comma-separated (default: residential, "
                    "apartments, house, detached, semidetached_house, terrace, bungalow, dormitory, farm, cabin; "
                    "building=yes counts inside landuse=residential)");
    cmd->add_option("--out", a->out, "Residents per building: .gpkg or .geojson")->required();
    cmd->add_option("--layer-name", a->layer_name, "Layer name")->capture_default_str();
    cmd->add_flag("--update", a->update, "Add the layer to an existing .gpkg, keeping its other layers");
    add_quiet_option(*cmd);
    cmd->callback([&run, a] { run = [a] { return run_demand(*a); }; });
}

}  // namespace lifecircle::cli
