#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "planners/standards.hpp"

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

nlohmann::ordered_json to_json(const ServiceStandard& s) {
    const auto opt = [](const std::optional<double>& v) {
        return v ? nlohmann::ordered_json(*v) : nullptr;
    };
    nlohmann::ordered_json j;
    j["name"] = s.name;
    j["title_en"] = s.title_en;
    j["title_zh"] = s.title_zh;
    j["kinds"] = s.kinds;
    j["demand"] = std::string(demand_group_name(s.demand));
    j["mode"] = std::string(mode_name(s.mode));
    j["minutes"] = opt(s.minutes);
    j["metres"] = opt(s.metres);
    j["metres_min"] = opt(s.metres_min);
    j["walk_speed_kmh"] = opt(s.walk_speed_kmh);
    j["target_share"] = opt(s.target_share);
    j["verified"] = s.verified;
    j["note"] = s.note;
    j["source"] = {{"document", s.source.document}, {"section", s.source.section},
                   {"year", s.source.year},         {"short", s.source.short_name},
                   {"quote", s.source.quote},       {"url", s.source.url}};
    return j;
}

void print_table(const std::vector<ServiceStandard>& all) {
    std::size_t name_w = 4;
    std::size_t kind_w = 5;
    for (const ServiceStandard& s : all) {
        name_w = std::max(name_w, s.name.size());
        kind_w = std::max(kind_w, kinds_text(s).size());
    }
    const auto row = [&](const std::string& name, const std::string& kinds,
                         const std::string& demand, const std::string& minutes,
                         const std::string& metres, const std::string& mode,
                         const std::string& checked, const std::string& source) {
        std::cout << std::left << std::setw(static_cast<int>(name_w + 2)) << name
                  << std::setw(static_cast<int>(kind_w + 2)) << kinds << std::setw(14) << demand
                  << std::right << std::setw(7) << minutes << std::setw(10) << metres << "  "
                  << std::left << std::setw(6) << mode << std::setw(10) << checked << source
                  << "\n";
    };
    row("name", "kinds", "demand", "minutes", "metres", "mode", "verified", "source");
    for (const ServiceStandard& s : all)
        row(s.name, kinds_text(s), std::string(demand_group_name(s.demand)), number_text(s.minutes),
            metres_text(s), std::string(mode_name(s.mode)), s.verified ? "yes" : "no",
            s.source.short_name);
}

void print_one(const ServiceStandard& s) {
    const auto line = [](const char* key, const std::string& value) {
        if (!value.empty()) std::cout << std::left << std::setw(15) << key << value << "\n";
    };
    line("name", s.name);
    line("title", s.title_en);
    line("title (zh)", s.title_zh);
    line("kinds", kinds_text(s));
    line("demand", std::string(demand_group_name(s.demand)));
    line("mode", std::string(mode_name(s.mode)));
    if (s.minutes) line("minutes", number_text(s.minutes));
    if (s.metres) line("metres", metres_text(s));
    if (s.walk_speed_kmh) line("walk speed", number_text(s.walk_speed_kmh) + " km/h");
    if (s.target_share) line("target share", number_text(s.target_share));
    line("verified", s.verified ? "yes" : "no (see note)");
    line("source", s.source.document);
    line("section", s.source.section);
    line("year", std::to_string(s.source.year));
    line("quote", s.source.quote);
    line("url", s.source.url);
    line("note", s.note);
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
                    std::cout << to_json(s).dump(2) << "\n";
                else
                    print_one(s);
                return 0;
            }
            if (a->json) {
                nlohmann::ordered_json list = nlohmann::ordered_json::array();
                for (const ServiceStandard& s : all) list.push_back(to_json(s));
                std::cout << list.dump(2) << "\n";
            } else {
                print_table(all);
            }
            return 0;
        };
    });
}

}  // namespace lifecircle::cli
