#include <cstdio>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "cli/verbs.hpp"

namespace lifecircle::cli {

void add_network_info(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("network-info", "Summarise a road network: nodes, arcs, km of road by class, "
                                                   "components, bounding box, load time");
    auto args = std::make_shared<NetworkArgs>();
    auto json = std::make_shared<bool>(false);
    add_network_options(*cmd, *args, false);
    cmd->add_flag("--json", *json, "Print JSON instead of text");
    add_quiet_option(*cmd);
    cmd->callback([&run, args, json] {
        run = [args, json] {
            io::check_input_path(args->path, "--network");
            const io::Network net = load_network(*args);
            const RoadGraph& g = net.graph;
            const ProfileData& p = g.profiles.front();
            std::map<std::string, double> km_by_class;
            double total_km = 0;
            for (EdgeId e = 0; e < g.edge_count(); ++e) {
                const bool usable = p.arc_seconds[g.edge_forward_arc[e]] != forbidden_arc ||
                                    p.arc_seconds[g.edge_backward_arc[e]] != forbidden_arc;
                if (!usable) continue;
                km_by_class[std::string(road_class_name(g.edge_class[e]))] += g.edge_length_m[e] / 1000.0;
                total_km += g.edge_length_m[e] / 1000.0;
            }
            std::size_t usable_arcs = 0;
            for (float s : p.arc_seconds) usable_arcs += s != forbidden_arc;
            const Box ll = net.lonlat_bounds();
            const std::size_t islands = p.component_size.empty() ? 0 : p.component_size.size() - 1;
            if (*json) {
                nlohmann::json j;
                j["network"] = net.path;
                j["format"] = net.format;
                j["mode"] = args->mode;
                j["work_crs"] = net.work_crs;
                j["nodes"] = g.node_count();
                j["arcs"] = usable_arcs;
                j["edges"] = g.edge_count();
                j["road_km"] = total_km;
                j["road_km_by_class"] = km_by_class;
                j["components"] = p.component_size.size();
                j["largest_component_nodes"] = p.component_size.empty() ? 0 : p.component_size.front();
                j["largest_component_km"] = p.component_road_m.empty() ? 0.0 : p.component_road_m.front() / 1000.0;
                j["bbox_lonlat"] = {ll.min.x, ll.min.y, ll.max.x, ll.max.y};
                j["read_seconds"] = net.read_seconds;
                j["build_seconds"] = net.build_seconds;
                j["missing_nodes"] = net.missing_nodes;
                std::cout << j.dump(2) << "\n";
                return 0;
            }
            std::printf("network      %s (%s)\n", net.path.c_str(), net.format.c_str());
            std::printf("mode         %s\n", args->mode.c_str());
            std::printf("work CRS     %s\n", net.work_crs.c_str());
            std::printf("nodes        %zu\n", g.node_count());
            std::printf("arcs         %zu usable by %s (%zu edges)\n", usable_arcs, args->mode.c_str(), g.edge_count());
            std::printf("road         %.1f km\n", total_km);
            for (const auto& [cls, km] : km_by_class) std::printf("  %-16s %9.1f km\n", cls.c_str(), km);
            std::printf("components   %zu (largest: %u nodes, %.1f km; %zu smaller)\n", p.component_size.size(),
                        p.component_size.empty() ? 0u : p.component_size.front(),
                        p.component_road_m.empty() ? 0.0 : p.component_road_m.front() / 1000.0, islands);
            std::size_t shown = 0;
            for (std::size_t c = 1; c < p.component_size.size() && shown < 5; ++c, ++shown)
                std::printf("  component %-4zu %7u nodes %8.2f km%s\n", c, p.component_size[c],
                            p.component_road_m[c] / 1000.0,
                            p.component_road_m[c] < SnapOptions{}.min_component_m ? " (island: points do not snap here)" : "");
            std::printf("bbox         lon %.6f .. %.6f, lat %.6f .. %.6f\n", ll.min.x, ll.max.x, ll.min.y, ll.max.y);
            std::printf("load time    %.2f s read + %.2f s build\n", net.read_seconds, net.build_seconds);
            return 0;
        };
    });
}

}  // namespace lifecircle::cli
