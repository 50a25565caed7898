// lifecircle demand: residents estimated from building footprints.
#include <cstdio>

#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "studies/verb_jobs.hpp"

namespace lifecircle::cli {

namespace {

struct DemandArgs {
    NetworkArgs network;
    studies::DemandJob job;
    std::string age_shares, building_types;
};

int run_demand(DemandArgs& a) {
    a.job.options.age_shares = studies::parse_age_shares(a.age_shares, "--age-shares");
    a.job.options.building_types = studies::split_list(a.building_types);
    a.job.network = {a.network.spec, a.network.profile(), {}, a.network.threads};
    const io::DemandSet d = studies::run_demand_job(a.job, reporter());
    std::fprintf(console(), "%zu housing buildings", d.features.features.size());
    for (std::size_t g = 0; g < d.groups.size(); ++g) {
        double sum = 0;
        for (const double w : d.feature_weights[g]) sum += w;
        if (g == 0)
            std::fprintf(console(), ", %.0f residents", sum);
        else
            std::fprintf(console(), ", %s %.0f", d.groups[g].c_str(), sum);
    }
    std::fprintf(console(), "\n");
    print_note("demand: written to " + a.job.out);
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
    cmd->add_option("--buildings", a->job.buildings, "Buildings: an OpenStreetMap file (residential building types, and "
                                                 "building=yes inside landuse=residential) or a GDAL polygon layer")
        ->required();
    cmd->add_option("--buildings-layer", a->job.options.layer, "Layer of a multi-layer buildings file");
    cmd->add_option("--buildings-crs", a->job.options.input_crs, "CRS of the buildings when they have none or it is wrong");
    cmd->add_option("--buildings-id-field", a->job.options.id_field, "Building id field")->capture_default_str();
    cmd->add_option("--levels-field", a->job.options.levels_field,
                    "Field with storeys above ground (e.g. 层数, floors; OpenStreetMap: building:levels)");
    cmd->add_option("--default-levels", a->job.options.default_levels, "Storeys of a building without a levels value")
        ->check(valid(Quantity::storeys))
        ->capture_default_str();
    cmd->add_option("--residential-share-field", a->job.options.residential_share_field,
                    "Field with the housing share of the floor area (0..1)");
    cmd->add_option("--residential-share", a->job.options.residential_share, "Housing share of buildings without a share value")
        ->check(valid(Quantity::fraction))
        ->capture_default_str();
    cmd->add_option("--floor-area-per-person", a->job.options.floor_area_per_person_m2,
                    "Gross floor area per resident in m² (default: China's urban households, 2020 census)")
        ->check(valid(Quantity::floor_area_m2))
        ->capture_default_str();
    cmd->add_option("--age-shares", a->age_shares,
                    "Groups as shares of the residents, e.g. 0_6=0.06,60plus=0.19 (fields pop_0_6, pop_60plus)");
    cmd->add_option("--building-types", a->building_types,
                    "OpenStreetMap building=* values counted as housing, comma-separated (default: residential, "
                    "apartments, house, detached, semidetached_house, terrace, bungalow, dormitory, farm, cabin; "
                    "building=yes counts inside landuse=residential)");
    cmd->add_option("--out", a->job.out, "Residents per building: .gpkg or .geojson")->required();
    cmd->add_option("--layer-name", a->job.layer_name, "Layer name")->capture_default_str();
    cmd->add_flag("--update", a->job.update, "Add the layer to an existing .gpkg, keeping its other layers");
    add_quiet_option(*cmd);
    cmd->callback([&run, a] { run = [a] { return run_demand(*a); }; });
}

}  // namespace lifecircle::cli
