#include <algorithm>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "planners/standards.hpp"
#include "studies/standard.hpp"

namespace lifecircle::cli {

namespace {

void print_table(const std::vector<ServiceStandard>& all) {
    ConsoleTable t({"name", "kinds", "demand", "minutes", "metres", "mode", "verified", "source"});
    for (const ServiceStandard& s : all)
        t.add(studies::standard_row(s));
    t.print();
}

void print_one(const ServiceStandard& s) {
    const nlohmann::ordered_json j = studies::standard_json(s);
    for (const auto& [key, value] : j.items()) {
        if (key == "source") continue;
        const std::string text = value.is_string() ? value.get<std::string>() : value.is_null() ? "" : value.dump();
        if (!text.empty() && text != "[]") std::printf("%-15s %s\n", key.c_str(), text.c_str());
    }
    for (const auto& [key, value] : j["source"].items())
        if (!value.is_string() || !value.get<std::string>().empty())
            std::printf("%-15s %s\n", ("source " + key).c_str(), value.is_string() ? value.get<std::string>().c_str()
                                                                                   : value.dump().c_str());
}

}  // namespace

void add_standards(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("standards",
                                   "List the service standards coverage can test (source, "
                                   "section, minutes, metres), or show one in full");
    struct Args {
        std::string name;
        std::string file;
        bool json = false;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("name", a->name, "Show only this standard, e.g. kindergarten");
    cmd->add_option("--standards-file", a->file,
                    "Also list the standards of this TOML file (same format as "
                    "standards/standards.toml)");
    cmd->add_flag("--json", a->json, "Print every field as JSON");
    cmd->callback([&run, a] {
        run = [a] {
            const std::vector<ServiceStandard> all = standards_catalogue(a->file);
            if (!a->name.empty()) {
                const ServiceStandard& s = find_standard(all, a->name);
                if (a->json)
                    std::cout << studies::standard_json(s).dump(2) << "\n";
                else
                    print_one(s);
                return 0;
            }
            if (a->json) {
                nlohmann::ordered_json list = nlohmann::ordered_json::array();
                for (const ServiceStandard& s : all) list.push_back(studies::standard_json(s));
                std::cout << list.dump(2) << "\n";
            } else {
                print_table(all);
            }
            return 0;
        };
    });
}

}  // namespace lifecircle::cli
