// lifecircle matrix: travel times between two point layers (studies::run_matrix).
#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "studies/verb_jobs.hpp"

namespace lifecircle::cli {

namespace {

struct MatrixArgs {
    NetworkArgs network;
    TransitArgs transit;
    studies::MatrixJob job;
};

int run_matrix(MatrixArgs& a) {
    a.job.network = {a.network.spec, a.network.profile(), transit_spec(a.transit, a.network), a.network.threads};
    const std::size_t pairs = studies::run_matrix_job(a.job, reporter());
    print_note("matrix: " + std::to_string(pairs) + " pairs written to " + a.job.out);
    return 0;
}

}  // namespace

void add_matrix(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("matrix", "Travel-time matrix (OD) between two point layers, as CSV "
                                             "from_id,to_id,minutes");
    auto a = std::make_shared<MatrixArgs>();
    add_network_options(*cmd, a->network, true);
    add_transit_options(*cmd, a->transit);
    for (auto [spec, prefix, what] : {std::tuple{&a->job.matrix.from, "from", "origin points"},
                                      std::tuple{&a->job.matrix.to, "to", "destination points"}}) {
        spec->label = std::string("--") + prefix;
        spec->read.id_field.clear();  // --id-field is the default of both
        cmd->add_option(std::string("--") + prefix, spec->path,
                        std::string(what) + ": GeoJSON, GeoPackage, Shapefile or CSV with lon/lat")
            ->required();
        add_point_input_options(*cmd, spec->read, prefix, what);
    }
    cmd->get_option("--from-id-field")->default_str("");
    cmd->get_option("--to-id-field")->default_str("");
    cmd->add_option("--id-field", a->job.id_field, "Field holding the point ids of both layers (default of "
                                               "--from-id-field and --to-id-field)")
        ->capture_default_str();
    cmd->add_option("--input-crs", a->job.input_crs, "CRS of both point layers when they have none or it is wrong: "
                                                 "EPSG:xxxx, wgs84, gcj02 or bd09 (default of --from-crs and --to-crs)");
    add_number(*cmd, "--max-minutes", a->job.max_minutes, Quantity::minutes, "Only pairs reachable within this many minutes");
    cmd->add_option("--out", a->job.out, "Output: .csv (from_id,to_id,minutes; - = standard output), .gpkg (a table "
                                     "without geometry) or .parquet (when GDAL has the driver)")
        ->required();
    cmd->add_flag("--update", a->job.update, "Add the table to an existing .gpkg, keeping its other layers (without it "
                                         "an existing file is replaced whole)");
    cmd->add_option("--layer-name", a->job.layer_name, "Table name in a .gpkg or .parquet")->capture_default_str();
    add_quiet_option(*cmd);
    cmd->callback([&run, a] { run = [a] { return run_matrix(*a); }; });
}

}  // namespace lifecircle::cli
