// lifecircle plan scenario.toml --out DIR: studies::run_plan, then studies::write_plan; and
// lifecircle demo --out DIR: the built-in district (studies/demo.hpp), then a plan on it.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/common.hpp"
#include "cli/format.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "studies/demo.hpp"
#include "studies/plan.hpp"
#include "io/output_folder.hpp"
#include "studies/plan_outputs.hpp"

namespace lifecircle::cli {

namespace {

struct PlanArgs {
    std::string scenario, out;
    bool example = false, force = false, verbose = false;
    unsigned threads = 0;
    /** Files (relative to `out`) the caller wrote there that count as ours (the demo's data). */
    std::vector<std::string> extra_files;
};

void print_plan_summary(const studies::PlanResult& r) {
    ConsoleTable t({"service", "group", "covered", "after road works", "with suggested sites", "served"});
    for (const studies::ServiceResults& s : r.services) {
        const studies::ServiceResult& today = s.variants.front().result;
        const planners::Figures& a = today.overall[today.group];
        std::vector<std::string> row = {s.title, s.group, percent(a.covered, a.total), "-", "-", "-"};
        if (s.variants.size() > 1) {
            const planners::Figures& b = s.variants[1].result.overall[today.group];
            row[3] = percent(b.covered, b.total);
        }
        if (s.suggestion) {
            const planners::Figures& c = s.suggestion->after.overall[today.group];
            row[4] = std::to_string(s.suggestion->rows.size()) + " sites: " + percent(c.covered, c.total);
        }
        if (today.seats) row[5] = percent(today.seats->assignment.totals.served_weight, a.total);
        t.add(row);
    }
    t.print();
}

int run_plan(const PlanArgs& args) {
    if (args.example) {
        std::fputs(studies::example_scenario().c_str(), stdout);
        return 0;
    }
    if (args.scenario.empty()) throw UsageError("give the scenario file: lifecircle plan scenario.toml --out DIR");
    if (args.out.empty()) throw UsageError("give the output folder: --out DIR");
    const auto start = std::chrono::steady_clock::now();
    const studies::Scenario sc = studies::read_scenario(args.scenario);
    const studies::Reporter rep = reporter();
    const auto notes = [&rep](const std::string& n) { rep.note(n); };
    // Checked (and locked) before any work; the scenario's inputs are never written or removed.
    const io::OutputFolder folder(args.out, args.force, sc.inputs(), args.extra_files, notes);
    studies::PlanOptions options;
    options.threads = args.threads;
    const studies::PlanResult result = studies::run_plan(sc, options, rep);
    studies::write_plan(folder, result, sc, args.threads, rep);
    print_plan_summary(result);
    if (args.verbose)
        print_note("plan: " + fixed(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1) +
                   " s");
    print_note("plan: outputs in " + args.out + " (report.html, lifecircle.gpkg, lifecircle.qgs, summary.json)");
    return 0;
}

}  // namespace

void add_plan(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand(
        "plan", "A whole scenario (TOML): every service's areas, coverage, seats, gaps and suggested sites, before and "
                "after what-if road works, as one styled GeoPackage, GeoJSON, a QGIS project, summary.json and report.html");
    auto a = std::make_shared<PlanArgs>();
    cmd->add_option("scenario", a->scenario, "The scenario file (lifecircle plan --example prints one)");
    cmd->add_option("--out", a->out, "Folder to write into (created if missing)");
    cmd->add_flag("--example", a->example, "Print a commented example scenario and exit");
    cmd->add_flag("--force", a->force, "Write into a folder that holds files lifecircle did not write");
    cmd->add_flag("--verbose", a->verbose, "Print how long the plan took");
    cmd->add_option("--threads", a->threads, "Worker threads (0 = all cores)")->capture_default_str();
    add_quiet_option(*cmd);
    cmd->callback([&run, a] { run = [a] { return run_plan(*a); }; });
}

void add_demo(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand(
        "demo", "Build a synthetic district (no download needed) and run a whole plan on it: service areas, coverage, "
                "seats, two suggested kindergartens and a what-if footbridge, with report.html");
    auto a = std::make_shared<PlanArgs>();
    a->out = "lifecircle-demo";
    cmd->add_option("--out", a->out, "Folder to write into")->capture_default_str();
    cmd->add_flag("--force", a->force, "Write into a folder that holds files lifecircle did not write");
    add_quiet_option(*cmd);
    cmd->callback([&run, a] {
        run = [a] {
            namespace fs = std::filesystem;
            const std::string data = (fs::path(a->out) / "data").string();
            a->scenario = (fs::path(data) / "scenario.toml").string();
            for (const std::string& f : studies::demo_files()) a->extra_files.push_back("data/" + f);
            // The folder is checked before the district is written into it. The district's files
            // are kept in the folder's manifest: a plan rerun into the folder (of the edited
            // data/scenario.toml, say) keeps them.
            const studies::Reporter rep = reporter();
            { const io::OutputFolder check(a->out, a->force, {}, a->extra_files, [&rep](const std::string& n) { rep.note(n); }); }
            studies::write_demo_district(data, rep);
            const int rc = run_plan(*a);
            std::printf("\nThe report: %s\n", (fs::path(a->out) / "report.html").string().c_str());
            return rc;
        };
    });
}

}  // namespace lifecircle::cli
