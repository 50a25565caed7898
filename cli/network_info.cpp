// lifecircle network-info: what is in a road network (studies::network_summary).
#include <cstdio>
#include <iostream>

#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "studies/network_summary.hpp"
#include "studies/travel.hpp"

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
            io::check_input_path(args->spec.path, "--network");
            const auto loaded = studies::load_network(args->spec, args->profile(), reporter());
            const studies::LoadedNetwork& n = *loaded;
            const nlohmann::ordered_json j = studies::network_summary(n.net);
            if (*json)
                std::cout << j.dump(2) << "\n";
            else
                std::fputs(studies::network_summary_text(j).c_str(), stdout);
            return 0;
        };
    });
}

}  // namespace lifecircle::cli
