// lifecircle plan scenario.toml --out DIR: studies::run_plan, then studies::write_plan; and
// lifecircle demo --out DIR: the built-in district (studies/demo.hpp), then a plan on it.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "io/html_pdf.hpp"
#include "studies/plan_folder.hpp"

namespace lifecircle::cli {

namespace {

struct PlanArgs {
    std::string scenario, out;
    bool example = false, force = false, verbose = false, pdf = false;
    unsigned threads = 0;
    /** Files (relative to `out`) the caller wrote there that count as ours (the demo's data). */
    std::vector<std::string> extra_files;
};

int run_plan(const PlanArgs& args) {
    if (args.example) {
        std::fputs(studies::example_scenario().c_str(), stdout);
        return 0;
    }
    if (args.scenario.empty()) throw UsageError("give the scenario file: lifecircle plan scenario.toml --out DIR");
    if (args.out.empty()) throw UsageError("give the output folder: --out DIR");
    const auto start = std::chrono::steady_clock::now();
    const studies::Scenario sc = studies::read_scenario(args.scenario);
    if (args.pdf) io::require_chromium("--pdf");  // before any work
    studies::PlanOptions options;
    options.threads = args.threads;
    studies::PlanWriteOptions write;
    write.threads = args.threads;
    write.pdf = args.pdf;
    studies::plan_table(
        studies::plan_into_folder(sc, {args.out, args.force, args.extra_files}, options, write, reporter()))
        .print();
    if (args.verbose)
        print_note("plan: " + fixed(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1) +
                   " s");
    print_note("plan: outputs in " + args.out + " (report.html" + std::string(args.pdf ? ", report.pdf" : "") +
               ", tables.xlsx, lifecircle.gpkg, lifecircle.qgs, summary.json)");
    return 0;
}

}  // namespace

void add_plan(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand(
        "plan", "A whole scenario (TOML): every service's areas, coverage, seats, gaps and suggested sites, today and for "
                "every variant (road works, facilities added or closed), as one styled GeoPackage, GeoJSON, a QGIS "
                "project, summary.json, tables.xlsx and report.html (--pdf: report.pdf)");
    auto a = std::make_shared<PlanArgs>();
    cmd->add_option("scenario", a->scenario, "The scenario file (lifecircle plan --example prints one)");
    cmd->add_option("--out", a->out, "Folder to write into (created if missing)");
    cmd->add_flag("--example", a->example, "Print a commented example scenario and exit");
    cmd->add_flag("--force", a->force, "Write into a folder that holds files lifecircle did not write");
    cmd->add_flag("--verbose", a->verbose, "Print how long the plan took");
    cmd->add_flag("--pdf", a->pdf, "Also print report.html to report.pdf (A4) with headless Chromium (Debian: chromium)");
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
    cmd->add_flag("--pdf", a->pdf, "Also print report.html to report.pdf (A4) with headless Chromium (Debian: chromium)");
    cmd->add_flag("--force", a->force,
                  "Write into a folder that holds files lifecircle did not write, and the original district over "
                  "your edits of its data");
    add_quiet_option(*cmd);
    cmd->callback([&run, a] {
        run = [a] {
            const studies::PlanFolder demo = studies::prepare_demo(a->out, a->force, reporter());
            a->scenario = studies::demo_scenario_path(a->out);
            a->extra_files = demo.kept;
            const int rc = run_plan(*a);
            std::printf("\nThe report: %s\n", (std::filesystem::path(a->out) / "report.html").string().c_str());
            return rc;
        };
    });
}

}  // namespace lifecircle::cli
