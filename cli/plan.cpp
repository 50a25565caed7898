// lifecircle plan scenario.toml --out DIR: studies::run_plan, then studies::write_plan, whole or in
// shards (studies/plan_shards.hpp); and lifecircle demo --out DIR: the built-in district
// (studies/demo.hpp), then a plan on it.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/common.hpp"
#include "cli/shards.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "io/html_pdf.hpp"
#include "studies/plan_folder.hpp"
#include "studies/plan_shards.hpp"

namespace lifecircle::cli {

namespace {

struct PlanArgs {
    std::string scenario, out;
    bool example = false, force = false, verbose = false, pdf = false;
    unsigned threads = 0;
    /** Files (relative to `out`) the caller wrote there that count as ours (the demo's data). */
    std::vector<std::string> extra_files;
    ShardArgs sharding;
};

/** The plan in shards: its merge prints the plan's table. */
studies::ShardedStudy sharded_of(const PlanArgs& a) {
    return studies::sharded_study({a.scenario, a.out, a.force, a.threads, studies::study_words(a.sharding.raw), a.pdf},
                                  [](const studies::PlanResult& r) { studies::plan_table(r).print(); });
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

void add_plan_options(CLI::App& app, PlanArgs& args) {
    app.add_option("scenario", args.scenario, "The scenario file (lifecircle plan --example prints one)");
    app.add_option("--out", args.out, "Folder to write into (created if missing)");
    app.add_flag("--example", args.example, "Print a commented example scenario and exit");
    app.add_flag("--force", args.force, "Write into a folder that holds files lifecircle did not write");
    app.add_flag("--verbose", args.verbose, "Print how long the plan took");
    app.add_flag("--pdf", args.pdf, "Also print report.html to report.pdf (A4) with headless Chromium (Debian: chromium)");
    app.add_option("--threads", args.threads, "Worker threads (0 = all cores)")->capture_default_str();
    add_sharding_options(app, args.sharding);
    add_quiet_option(app);
}

}  // namespace

studies::ShardedStudy sharded_plan(const std::vector<std::string>& words, unsigned threads) {
    PlanArgs a;
    parse_words("plan", words, a, add_plan_options);
    if (threads > 0) a.threads = threads;
    return sharded_of(a);
}

void add_plan(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand(
        "plan", "A whole scenario (TOML): every service's areas, coverage, seats, gaps and suggested sites, today and for "
                "every variant (road works, facilities added or closed), as one styled GeoPackage, GeoJSON, a QGIS "
                "project, summary.json, tables.xlsx and report.html (--pdf: report.pdf)");
    auto a = std::make_shared<PlanArgs>();
    add_plan_options(*cmd, *a);
    cmd->callback([&run, a] {
        keep_raw_args(a->sharding, "plan");
        run = [a] { return run_as_asked(a->sharding, a->threads, [a] { return sharded_of(*a); }, [a] { return run_plan(*a); }); };
    });
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
