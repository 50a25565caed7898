// lifecircle network-info: what is in a road network (studies::network_summary).
#include <cstdio>
#include <iostream>

#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "studies/network_summary.hpp"
#include "studies/travel.hpp"

namespace lifecircle::cli {

namespace {

void print_text(const nlohmann::ordered_json& j) {
    const auto str = [&](const char* k) { return j[k].get<std::string>(); };
    std::printf("network      %s (%s)\n", str("network").c_str(), str("format").c_str());
    std::printf("mode         %s\n", str("mode").c_str());
    std::printf("work CRS     %s\n", str("work_crs").c_str());
    std::printf("nodes        %zu\n", j["nodes"].get<std::size_t>());
    std::printf("arcs         %zu usable by %s (%zu edges)\n", j["arcs"].get<std::size_t>(), str("mode").c_str(),
                j["edges"].get<std::size_t>());
    std::printf("road         %.1f km\n", j["road_km"].get<double>());
    for (const auto& [cls, km] : j["road_km_by_class"].items()) std::printf("  %-16s %9.1f km\n", cls.c_str(), km.get<double>());
    const auto& small = j["smaller_components"];
    std::printf("components   %zu (largest: %zu nodes, %.1f km; %zu smaller)\n", j["components"].get<std::size_t>(),
                j["largest_component_nodes"].get<std::size_t>(), j["largest_component_km"].get<double>(),
                j["components"].get<std::size_t>() > 0 ? j["components"].get<std::size_t>() - 1 : 0);
    for (std::size_t c = 0; c < small.size(); ++c)
        std::printf("  component %-4zu %7zu nodes %8.2f km%s\n", c + 1, small[c]["nodes"].get<std::size_t>(),
                    small[c]["km"].get<double>(), small[c]["island"].get<bool>() ? " (island: points do not snap here)" : "");
    const auto& b = j["bbox_lonlat"];
    std::printf("bbox         lon %.6f .. %.6f, lat %.6f .. %.6f\n", b[0].get<double>(), b[2].get<double>(),
                b[1].get<double>(), b[3].get<double>());
    std::printf("load time    %.2f s read + %.2f s build\n", j["read_seconds"].get<double>(),
                j["build_seconds"].get<double>());
}

}  // namespace

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
            io::check_input_path(args->spec.path, "--network");
            const auto loaded = studies::load_network(args->spec, args->profile(), reporter());
            const studies::LoadedNetwork& n = *loaded;
            const nlohmann::ordered_json j = studies::network_summary(n.net);
            if (*json)
                std::cout << j.dump(2) << "\n";
            else
                print_text(j);
            return 0;
        };
    });
}

}  // namespace lifecircle::cli
