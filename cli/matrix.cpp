#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <utility>
#include <vector>
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
/**
 * The same point as origin and target is 0 minutes, not the access walk there and back: a
 * resident of the clinic's building does not walk to the road and back. Applies to points with
 * identical coordinates in both layers that both snapped.
 */
TimeTable with_identical_pairs_zero(TimeTable table, const LoadedPoints& from, const LoadedPoints& to,
                                    const std::vector<Snap>& from_snaps, const std::vector<Snap>& to_snaps) {
    std::map<std::pair<double, double>, std::vector<std::uint32_t>> targets_at;
    for (std::size_t j = 0; j < to.xy.size(); ++j)
        if (to_snaps[j].ok()) targets_at[{to.xy[j].x, to.xy[j].y}].push_back(static_cast<std::uint32_t>(j));
    if (targets_at.empty()) return table;
    bool changed = false;
    std::vector<std::vector<TimeEntry>> rows(table.rows());
    for (std::size_t i = 0; i < table.rows(); ++i) {
        const std::span<const TimeEntry> row = table.row(i);
        rows[i].assign(row.begin(), row.end());
        if (!from_snaps[i].ok()) continue;
        const auto same = targets_at.find({from.xy[i].x, from.xy[i].y});
        if (same == targets_at.end()) continue;
        for (const std::uint32_t j : same->second) {
            auto at = std::lower_bound(rows[i].begin(), rows[i].end(), j,
                                       [](const TimeEntry& e, std::uint32_t col) { return e.col < col; });
            if (at != rows[i].end() && at->col == j) {
                at->seconds = 0.0f;
            } else {
                rows[i].insert(at, TimeEntry{j, 0.0f});
            }
            changed = true;
        }
    }
    return changed ? TimeTable(std::move(rows), table.cols()) : table;
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
    add_point_input_options(*cmd, a->from, "from", "origin points");
    add_point_input_options(*cmd, a->to, "to", "destination points");
    cmd->add_option("--id-field", a->id_field, "Field holding the point ids of both layers (default of "
                                               "--from-id-field and --to-id-field)")
        ->capture_default_str();
    cmd->add_option("--input-crs", a->input_crs, "CRS of both point layers when they have none or it is wrong: "
                                                 "EPSG:xxxx, wgs84, gcj02 or bd09 (default of --from-crs and "
                                                 "--to-crs)");
    cmd->add_option("--max-minutes", a->max_minutes, "Only pairs reachable within this many minutes")
        ->check(minutes_validator());
    cmd->add_option("--out", a->out, "Output: .csv (from_id,to_id,minutes; - = standard output), .gpkg (a table "
                                     "without geometry) or .parquet (when GDAL has the driver)")
        ->required();
    cmd->add_flag("--update", a->update, "Add the table to an existing .gpkg, keeping its other layers (without it "
                                         "an existing file is replaced whole)");
    cmd->add_option("--layer-name", a->layer_name, "Table name in a .gpkg or .parquet")->capture_default_str();
    add_quiet_option(*cmd);
    cmd->callback([&run, a] {
        run = [a] {
            apply_point_defaults(a->from, a->input_crs, a->id_field);
            apply_point_defaults(a->to, a->input_crs, a->id_field);
            check_points(a->from);
            check_points(a->to);
            std::vector<std::string> formats = {".csv", ".gpkg"};
            if (io::output_format_available(".parquet")) formats.push_back(".parquet");
            io::OutputPlan plan = plan_outputs({{"--out", a->out, formats, ".csv", false}},
                                               {{"--network", a->network.path},
                                                {"--from", a->from.path},
                                                {"--to", a->to.path}});
            const io::Network net = load_network(a->network);
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
            const auto rows = with_identical_pairs_zero(
                travel_time_matrix(net.graph, profile, from_snaps, to_snaps, options), from, to, from_snaps, to_snaps);
            std::size_t pairs = 0;
            if (plan.files().front().format == ".csv") {
                io::TextOutput out = plan.open_text(0);
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
                wo.threads = a->network.threads;
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
