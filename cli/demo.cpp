// lifecircle demo --out DIR: the built-in district (studies/demo.hpp), then a whole plan on it.
#include <cstdio>
#include <filesystem>

#include "cli/common.hpp"
#include "cli/plan.hpp"
#include "cli/verbs.hpp"
#include "studies/demo.hpp"
#include "studies/plan_outputs.hpp"

namespace lifecircle::cli {

namespace fs = std::filesystem;

void add_demo(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand(
        "demo", "Build a synthetic district (no download needed) and run a whole plan on it: service areas, coverage, "
                "seats, two suggested kindergartens and a what-if footbridge, with report.html");
    auto out = std::make_shared<std::string>("lifecircle-demo");
    auto force = std::make_shared<bool>(false);
    cmd->add_option("--out", *out, "Folder to write into")->capture_default_str();
    cmd->add_flag("--force", *force, "Write into a folder that holds files lifecircle did not write");
    add_quiet_option(*cmd);
    cmd->callback([&run, out, force] {
        run = [out, force] {
            const std::string data = (fs::path(*out) / "data").string();
            PlanArgs a;
            a.out = *out;
            a.force = *force;
            a.scenario = (fs::path(data) / "scenario.toml").string();
            for (const std::string& f : studies::demo_files()) a.extra_files.push_back("data/" + f);
            // The folder is checked before the district is written into it.
            { const studies::PlanFolder check(a.out, a.force, a.extra_files); }
            studies::write_demo_district(data);
            const int rc = run_plan(a);
            std::printf("\nThe report: %s\n", (fs::path(*out) / "report.html").string().c_str());
            return rc;
        };
    });
}

}  // namespace lifecircle::cli
