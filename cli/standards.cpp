#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "cli/format.hpp"
#include "cli/verbs.hpp"
#include "planners/standards.hpp"
#include "studies/standard.hpp"

namespace lifecircle::cli {

namespace {

std::string number_text(const std::optional<double>& v) {
    if (!v) return "-";
    std::ostringstream out;
    out << *v;  // default formatting: 15, 1000, 0.9
    return out.str();
}

std::string kinds_text(const ServiceStandard& s) {
    if (s.kinds.empty()) return "any";
    std::string out;
    for (const std::string& k : s.kinds) out += (out.empty() ? "" : ",") + k;
    return out;
}

std::string metres_text(const ServiceStandard& s) {
    if (s.metres_min) return number_text(s.metres_min) + "-" + number_text(s.metres);
    return number_text(s.metres);
}

void print_table(const std::vector<ServiceStandard>& all) {
    ConsoleTable t({"name", "kinds", "demand", "minutes", "metres", "mode", "verified", "source"});
    for (const ServiceStandard& s : all)
        t.add({s.name, kinds_text(s), std::string(demand_group_name(s.demand)), number_text(s.minutes), metres_text(s),
               std::string(mode_name(s.mode)), s.verified ? "yes" : "no", s.source.short_name});
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
