#include "studies/plan_folder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "io/output_folder.hpp"
#include "studies/demo.hpp"

namespace lifecircle::studies {

namespace fs = std::filesystem;

namespace {

/** Removes `dir` when it holds nothing but empty folders. Files are never removed. */
void remove_if_empty(const std::string& dir) {
    std::error_code ec;
    std::vector<fs::path> folders;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_directory(ec) || it->is_symlink(ec)) return;  // a file (or a link): keep all
        folders.push_back(it->path());
    }
    if (ec) return;
    std::sort(folders.begin(), folders.end(), [](const fs::path& a, const fs::path& b) {
        return a.native().size() > b.native().size();
    });
    for (const fs::path& f : folders) fs::remove(f, ec);
    fs::remove(dir, ec);
}

}  // namespace

PlanResult plan_into_folder(const Scenario& sc, const PlanFolder& where, const PlanOptions& options,
                            const PlanWriteOptions& write, const Reporter& reporter) {
    const auto notes = [&reporter](const std::string& n) { reporter.note(n); };
    std::error_code ec;
    const bool existed = where.dir.empty() || fs::exists(where.dir, ec);
    try {
        std::optional<io::OutputFolder> folder;
        if (!where.dir.empty()) folder.emplace(where.dir, where.force, sc.inputs(), where.kept, notes);
        PlanResult result = run_plan(sc, options, reporter);
        reporter.check();
        if (folder) write_plan(*folder, result, sc, write, reporter);
        return result;
    } catch (...) {
        if (!existed) remove_if_empty(where.dir);
        throw;
    }
}

ConsoleTable plan_table(const PlanResult& r) {
    std::vector<std::string> head = {"service", "group"};
    for (const PlanVariant& v : r.variants) head.push_back(v.id);
    head.insert(head.end(), {"with suggested sites", "served"});
    ConsoleTable t(head);
    for (const ServiceResults& s : r.services) {
        const ServiceResult& today = s.variants.front().result;
        const planners::Figures& a = today.overall[today.group];
        std::vector<std::string> row = {s.title, s.group_label};
        for (const VariantResults& v : s.variants) {
            const planners::Figures& f = v.result.overall[today.group];
            row.push_back(percent(f.covered, f.total));
        }
        if (s.suggestion) {
            const planners::Figures& c = s.suggestion->after.overall[today.group];
            row.push_back(std::to_string(s.suggestion->rows.size()) + " sites: " +
                          percent(c.covered, c.total));
        } else {
            row.push_back("-");
        }
        row.push_back(today.seats ? percent(today.seats->assignment.totals.served_weight, a.total)
                                  : "-");
        t.add(row);
    }
    return t;
}

std::string demo_scenario_path(const std::string& dir) {
    return (fs::path(dir) / "data" / "scenario.toml").string();
}

PlanFolder prepare_demo(const std::string& dir, bool force, const Reporter& reporter) {
    PlanFolder out{dir, force, {}};
    for (const std::string& f : demo_files()) out.kept.push_back("data/" + f);
    // The folder is checked before the district is written into it; the district's files stay
    // in the folder's manifest, so a plan rerun into it (of an edited data/scenario.toml) keeps them.
    {
        const io::OutputFolder check(dir, force, {}, out.kept,
                                     [&reporter](const std::string& n) { reporter.note(n); });
    }
    write_demo_district((fs::path(dir) / "data").string(), reporter, force);
    return out;
}

}  // namespace lifecircle::studies
