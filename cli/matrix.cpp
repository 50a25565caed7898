#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "core/matrix.hpp"
#include "io/layer_writer.hpp"

namespace lifecircle::cli {

namespace {
struct MatrixArgs {
    NetworkArgs network;
    PointArgs from;
    PointArgs to;
    std::string id_field = "id";
    std::string input_crs;
    double max_minutes = -1;
    std::string out;
    bool update = false;
    std::string layer_name = "matrix";
};

/** CSV fields with commas, quotes or line breaks are quoted (RFC 4180). */
std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}
}  // namespace

void add_matrix(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("matrix", "Travel-time matrix (OD) between two point layers, as CSV "
                                             "from_id,to_id,minutes");
    auto a = std::make_shared<MatrixArgs>();
    add_network_options(*cmd, a->network, true);
    cmd->add_option("--from", a->from.path, "Origin points: GeoJSON, GeoPackage, Shapefile or CSV with lon/lat")
        ->required();
    cmd->add_option("--to", a->to.path, "Destination points (same formats)")->required();
    cmd->add_option("--id-field", a->id_field, "Field holding the point ids")->capture_default_str();
    cmd->add_option("--input-crs", a->input_crs, "CRS of the point layers when they have none or it is wrong: "
                                                 "EPSG:xxxx, wgs84, gcj02 or bd09");
    cmd->add_option("--max-minutes", a->max_minutes, "Only pairs reachable within this many minutes")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--out", a->out, "Output: .csv (from_id,to_id,minutes; - = standard output), .gpkg (a table "
                                     "without geometry) or .parquet (when GDAL has the driver)")
        ->required();
    cmd->add_flag("--update", a->update, "Add the table to an existing .gpkg, keeping its other layers (without it "
                                         "an existing file is replaced whole)");
    cmd->add_option("--layer-name", a->layer_name, "Table name in a .gpkg or .parquet")->capture_default_str();
    add_quiet_option(*cmd);
    cmd->callback([&run, a] {
        run = [a] {
            std::vector<std::string> formats = {".csv", ".gpkg"};
            if (io::output_format_available(".parquet")) formats.push_back(".parquet");
            io::OutputPlan plan = plan_outputs({{"--out", a->out, formats, ".csv", false}},
                                               {{"--network", a->network.path},
                                                {"--from", a->from.path},
                                                {"--to", a->to.path}});
            const io::Network net = load_network(a->network);
            a->from.read.id_field = a->to.read.id_field = a->id_field;
            a->from.read.input_crs = a->to.read.input_crs = a->input_crs;
            const LoadedPoints from = load_points(a->from, net);
            const LoadedPoints to = load_points(a->to, net);
            const ProfileId profile = net.graph.profile_id(selected_mode(a->network));
            const Snapper snapper(net.graph, profile, a->network.snap);
            const std::vector<Snap> from_snaps = snapper.snap_all(from.xy);
            const std::vector<Snap> to_snaps = snapper.snap_all(to.xy);
            report_unsnapped(a->from.path, from, from_snaps);
            report_unsnapped(a->to.path, to, to_snaps);
            MatrixOptions options;
            options.cutoff = a->max_minutes > 0 ? a->max_minutes * 60.0 : unreachable;
            options.threads = a->network.threads;
            Progress progress("matrix: origins");
            options.progress = progress.callback();
            const auto rows = travel_time_matrix(net.graph, profile, from_snaps, to_snaps, options);
            std::size_t pairs = 0;
            if (plan.files().front().format == ".csv") {
                std::ofstream out(plan.stage(0), std::ios::binary | std::ios::trunc);
                out << "from_id,to_id,minutes\n";
                char minutes[32];
                for (std::size_t i = 0; i < rows.rows(); ++i) {
                    const std::string from_id = csv_field(from.ids[i]);
                    for (const TimeEntry& e : rows.row(i)) {
                        std::snprintf(minutes, sizeof minutes, "%.3f", e.seconds / 60.0);
                        out << from_id << ',' << csv_field(to.ids[e.col]) << ',' << minutes << '\n';
                        ++pairs;
                    }
                }
                out.close();
                if (!out) throw OutputError("cannot write: the disk may be full").set_file(a->out);
            } else {
                Layer table;
                table.name = a->layer_name;
                table.kind = GeometryKind::none;
                table.fields = {{"from_id", FieldType::string}, {"to_id", FieldType::string},
                                {"minutes", FieldType::real}};
                for (std::size_t i = 0; i < rows.rows(); ++i) {
                    for (const TimeEntry& e : rows.row(i)) {
                        Feature f;
                        // Rounded as in the CSV, so both formats agree.
                        f.values = {from.ids[i], to.ids[e.col], std::round(e.seconds / 60.0 * 1000.0) / 1000.0};
                        table.features.push_back(std::move(f));
                        ++pairs;
                    }
                }
                io::WriteOptions wo;
                wo.update = a->update;
                for (const std::string& n : io::write_layers(plan, 0, {std::move(table)}, "EPSG:4326", wo))
                    print_note("note: " + n);
            }
            plan.commit();
            print_note("matrix: " + std::to_string(pairs) + " pairs written to " + a->out);
            return 0;
        };
    });
}

}  // namespace lifecircle::cli
