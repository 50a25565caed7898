// lifecircle matrix: travel times between two point layers (studies::run_matrix).
#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "io/layer_writer.hpp"
#include "studies/travel.hpp"

namespace lifecircle::cli {

namespace {

struct MatrixArgs {
    NetworkArgs network;
    TransitArgs transit;
    studies::MatrixOptions matrix;
    std::string id_field = "id";
    std::string input_crs;
    std::optional<double> max_minutes;
    std::string out;
    bool update = false;
    std::string layer_name = "matrix";
};

int run_matrix(MatrixArgs& a) {
    for (studies::FacilitySpec* s : {&a.matrix.from, &a.matrix.to}) {
        if (s->read.input_crs.empty()) s->read.input_crs = a.input_crs;
        if (s->read.id_field.empty()) s->read.id_field = a.id_field;
        io::check_point_input(s->path, s->read);
    }
    std::vector<std::string> formats = {".csv", ".gpkg"};
    if (io::output_format_available(".parquet")) formats.push_back(".parquet");
    io::OutputPlan plan = plan_outputs({{"--out", a.out, formats, ".csv", false}}, {{"--network", a.network.spec.path},
                                                                                  {"--from", a.matrix.from.path},
                                                                                  {"--to", a.matrix.to.path}});
    const studies::Reporter rep = reporter();
    const auto loaded = studies::load_network(a.network.spec, a.network.profile(), rep, a.network.transit);
    const studies::LoadedNetwork& net = *loaded;
    a.matrix.cutoff = a.max_minutes ? *a.max_minutes * 60.0 : unreachable;
    a.matrix.threads = a.network.threads;
    a.matrix.transit = load_transit(a.transit, a.network, net.net, *net.snapper, a.matrix.cutoff, rep);
    const studies::MatrixResult r = studies::run_matrix(net, a.matrix, rep);
    if (plan.files().front().format == ".csv") {
        io::TextOutput out = plan.open_text(0);
        studies::write_matrix_csv(r, [&out](std::string_view text) { out << text; });
        out.close();
    } else
        write_files(plan, {{studies::matrix_layer(r, a.layer_name)}}, "EPSG:4326", a.update, a.network.threads);
    plan.commit();
    print_note("matrix: " + std::to_string(r.table.size()) + " pairs written to " + a.out);
    return 0;
}

}  // namespace

void add_matrix(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("matrix", "Travel-time matrix (OD) between two point layers, as CSV "
                                             "from_id,to_id,minutes");
    auto a = std::make_shared<MatrixArgs>();
    add_network_options(*cmd, a->network, true);
    add_transit_options(*cmd, a->transit);
    for (auto [spec, prefix, what] : {std::tuple{&a->matrix.from, "from", "origin points"},
                                      std::tuple{&a->matrix.to, "to", "destination points"}}) {
        spec->label = std::string("--") + prefix;
        spec->read.id_field.clear();  // --id-field is the default of both
        cmd->add_option(std::string("--") + prefix, spec->path,
                        std::string(what) + ": GeoJSON, GeoPackage, Shapefile or CSV with lon/lat")
            ->required();
        add_point_input_options(*cmd, spec->read, prefix, what);
    }
    cmd->get_option("--from-id-field")->default_str("");
    cmd->get_option("--to-id-field")->default_str("");
    cmd->add_option("--id-field", a->id_field, "Field holding the point ids of both layers (default of "
                                               "--from-id-field and --to-id-field)")
        ->capture_default_str();
    cmd->add_option("--input-crs", a->input_crs, "CRS of both point layers when they have none or it is wrong: "
                                                 "EPSG:xxxx, wgs84, gcj02 or bd09 (default of --from-crs and --to-crs)");
    add_number(*cmd, "--max-minutes", a->max_minutes, Quantity::minutes, "Only pairs reachable within this many minutes");
    cmd->add_option("--out", a->out, "Output: .csv (from_id,to_id,minutes; - = standard output), .gpkg (a table "
                                     "without geometry) or .parquet (when GDAL has the driver)")
        ->required();
    cmd->add_flag("--update", a->update, "Add the table to an existing .gpkg, keeping its other layers (without it "
                                         "an existing file is replaced whole)");
    cmd->add_option("--layer-name", a->layer_name, "Table name in a .gpkg or .parquet")->capture_default_str();
    add_quiet_option(*cmd);
    cmd->callback([&run, a] { run = [a] { return run_matrix(*a); }; });
}

}  // namespace lifecircle::cli
