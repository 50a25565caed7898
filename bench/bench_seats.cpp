// Capacitated siting at city scale (issue 23), run by hand (see bench/README.md):
//   build/bench/bench_seats --baseline PATH [--lifecircle PATH] [--counts 2,5,10]
//       [--weights count] [--age-shares 3_6=0.043,0_2=0.02] [--baseline-timeout 900] [--runs 1]
//       [--threads 2]
// Times whole `lifecircle suggest` processes of this build and of a baseline binary (built from
// another commit) on the same inputs, in the same run, and prints beside each other: seconds,
// peak memory, objective, bound, gap. Cases:
//  - Porto 2020: `lifecircle demand --buildings porto_2020.osm.pbf --default-levels 4
//    --age-shares ...` (weight field as given: `count` = suggest's default, one per building, the
//    issue's case; `residents`, 43,899: seats short everywhere; `pop_3_6` = 4.3 % of the
//    residents, the demo's share, and `pop_0_2` = 2 %: seats and children about even), the 14
//    OSM kindergartens (`lifecircle facilities --kind kindergarten`) with 90 seats each, auto
//    candidates of 90 seats at the default spacing, 10-minute walk, `--capacitated --count K`;
//  - the demo (`lifecircle demo`): `lifecircle plan` on its scenario, whose kindergarten service
//    suggests 2 capacitated sites; the plan's "suggest for 'kindergartens'" step (--verbose) and
//    the whole process.
// A baseline run longer than --baseline-timeout seconds is stopped and reported as such.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_common.hpp"

namespace fs = std::filesystem;

namespace {

struct Args {
    std::string lifecircle = LIFECIRCLE_CLI;
    std::string baseline;
    std::vector<int> counts{2, 5, 10};
    std::vector<std::string> weights{"count"};
    std::string age_shares = "3_6=0.043,0_2=0.02";
    double baseline_timeout = 900;
    int runs = 1;
    int threads = 2;
};

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

/** One timed process: its wall time and memory, and its summary JSON (discarded if none). */
struct Run {
    bench::ProcessRun process;
    nlohmann::json summary;
    bool timed_out = false;
    double step_seconds = NAN;  ///< the plan's suggestion step (demo, builds that print it)
};

Run run(const std::vector<std::string>& command, double timeout, const std::string& dir,
        const std::string& summary) {
    std::vector<std::string> args = command;
    if (timeout > 0)
        args.insert(args.begin(), {"timeout", "--signal=KILL", std::to_string(timeout)});
    fs::remove(summary);
    Run r;
    r.process = bench::run_process(args, dir + "/stdout.txt", dir + "/stderr.txt");
    r.timed_out = timeout > 0 && (r.process.exit_code == 124 || r.process.exit_code == -1 ||
                                  r.process.exit_code == 137);
    r.summary = nlohmann::json::parse(bench::read_text(summary), nullptr, false);
    // lifecircle plan --verbose of builds before studies/: "lifecircle: suggest for 'kindergartens'
    // 0.123 s" (the whole step: candidates, their table, the solver, the study after); later ones
    // time only the whole plan, and keep seconds out of its summary (reruns are identical).
    const std::string err = bench::read_text(dir + "/stderr.txt");
    std::smatch m;
    if (std::regex_search(err, m, std::regex("suggest for '[^']*' +([0-9.]+) s")))
        r.step_seconds = std::stod(m[1]);
    if (!r.process.ok() && !r.timed_out)
        std::printf("  (exit %d: %s)\n", r.process.exit_code, err.substr(0, 300).c_str());
    return r;
}

double number(const nlohmann::json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : NAN;
}

/** The suggestion's figures: the summary of `suggest`, or the plan's service that suggests. */
nlohmann::json suggestion(const Run& r) {
    if (r.summary.is_object() && r.summary.contains("services"))
        for (const auto& service : r.summary["services"])
            if (service.contains("suggest")) return service["suggest"];
    return r.summary;
}

void show(const char* who, const Run& r) {
    if (r.timed_out) {
        std::printf("  %-9s not finished in %.0f s (stopped)\n", who, r.process.seconds);
        return;
    }
    const nlohmann::json g = suggestion(r);
    std::string step;
    char buf[64];
    if (std::isfinite(number(g, "seconds"))) {
        std::snprintf(buf, sizeof buf, " (solver %.3f s)", number(g, "seconds"));
        step = buf;
    } else if (std::isfinite(r.step_seconds)) {
        std::snprintf(buf, sizeof buf, " (suggestion step %.3f s)", r.step_seconds);
        step = buf;
    }
    std::printf(
        "  %-9s %8.2f s whole process%s, %4.0f MiB; objective %10.3f, bound %10.3f, gap "
        "%7.4f%%%s\n",
        who, r.process.seconds, step.c_str(), r.process.peak_mib, number(g, "objective_value"),
        number(g, "bound"), 100 * number(g, "gap"),
        g.is_object() && g.value("proven_optimal", false) ? " proven" : "");
    if (g.is_object() && g.contains("method"))
        std::printf("            %s\n", g["method"].get<std::string>().c_str());
}

void compare(const Run& now, const Run& base) {
    if (base.timed_out) {
        std::printf("  -> this build >= %.0fx faster (the baseline did not finish)\n",
                    base.process.seconds / now.process.seconds);
        return;
    }
    if (!base.process.ok() || !now.process.ok()) return;
    std::printf("  -> whole process %.1fx faster", base.process.seconds / now.process.seconds);
    const double solver_now = number(suggestion(now), "seconds");
    const double solver_base = number(suggestion(base), "seconds");
    if (std::isfinite(solver_now) && std::isfinite(solver_base))
        std::printf(", solver %.1fx faster", solver_base / solver_now);
    else if (std::isfinite(solver_now) && std::isfinite(base.step_seconds))
        std::printf(", solver %.1fx faster than the baseline's whole suggestion step",
                    base.step_seconds / solver_now);
    const double diff =
        number(suggestion(now), "objective_value") - number(suggestion(base), "objective_value");
    std::printf("; objective %+.3f (this build - baseline)\n", std::abs(diff) < 5e-4 ? 0.0 : diff);
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        const std::string v = i + 1 < argc ? argv[i + 1] : "";
        if (k == "--lifecircle")
            a.lifecircle = v;
        else if (k == "--baseline")
            a.baseline = v;
        else if (k == "--counts") {
            a.counts.clear();
            for (const std::string& c : split(v)) a.counts.push_back(std::stoi(c));
        } else if (k == "--weights")
            a.weights = split(v);
        else if (k == "--baseline-timeout")
            a.baseline_timeout = std::stod(v);
        else if (k == "--runs")
            a.runs = std::stoi(v);
        else if (k == "--threads")
            a.threads = std::stoi(v);
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 2;
        }
        ++i;
    }
    const std::string dir = (fs::temp_directory_path() / "lifecircle_bench_seats").string();
    fs::create_directories(dir);
    const std::string osm = std::string(LIFECIRCLE_SHARED_DATA) + "/osm/porto_2020.osm.pbf";
    std::printf("capacitated suggest: this build %s\n                     baseline   %s\n\n",
                a.lifecircle.c_str(), a.baseline.empty() ? "(none)" : a.baseline.c_str());

    // Inputs, made once by this build.
    if (!bench::run_process({a.lifecircle, "demand", "--buildings", osm, "--default-levels", "4",
                             "--age-shares", a.age_shares, "--out", dir + "/demand.gpkg", "-q"},
                            dir + "/stdout.txt", dir + "/stderr.txt")
             .ok() ||
        !bench::run_process({a.lifecircle, "facilities", "--network", osm, "--kind", "kindergarten",
                             "--out", dir + "/kindergartens.geojson", "-q"})
             .ok()) {
        std::printf("could not make the inputs\n");
        return 1;
    }
    {
        nlohmann::json k = nlohmann::json::parse(bench::read_text(dir + "/kindergartens.geojson"));
        for (auto& f : k["features"]) f["properties"]["seats"] = 90;
        std::ofstream(dir + "/kindergartens_90.geojson") << k.dump();
        std::printf("Porto 2020: %zu OSM kindergartens, 90 seats each\n", k["features"].size());
    }
    const std::string threads = std::to_string(a.threads);
    for (const std::string& weight : a.weights) {
        for (const int count : a.counts) {
            std::printf(
                "\nPorto 2020, weight %s, 10 min walk, auto candidates of 90 seats, --capacitated "
                "--count %d\n",
                weight.c_str(), count);
            const auto command = [&](const std::string& binary) {
                std::vector<std::string> args{binary,
                                              "suggest",
                                              "--network",
                                              osm,
                                              "--demand",
                                              dir + "/demand.gpkg",
                                              "--facilities",
                                              dir + "/kindergartens_90.geojson",
                                              "--capacity-field",
                                              "seats",
                                              "--candidates",
                                              "auto",
                                              "--candidate-capacity",
                                              "90",
                                              "--minutes",
                                              "10",
                                              "--capacitated",
                                              "--count",
                                              std::to_string(count),
                                              "--threads",
                                              threads,
                                              "--out",
                                              dir + "/sites.gpkg",
                                              "--summary",
                                              dir + "/suggest.json",
                                              "-q"};
                // "count" is suggest's own default: one per demand point (building).
                if (weight != "count") args.insert(args.end(), {"--weight-field", weight});
                return args;
            };
            for (int r = 0; r < a.runs; ++r) {
                const Run now = run(command(a.lifecircle), 0, dir, dir + "/suggest.json");
                show("this", now);
                if (a.baseline.empty()) continue;
                const Run base =
                    run(command(a.baseline), a.baseline_timeout, dir, dir + "/suggest.json");
                show("baseline", base);
                compare(now, base);
            }
        }
    }

    // The demo's plan, with its kindergarten suggestion.
    std::printf(
        "\nthe demo: lifecircle plan on its scenario (kindergartens: 2 capacitated sites, auto "
        "candidates)\n");
    fs::remove_all(dir + "/demo");
    if (!bench::run_process({a.lifecircle, "demo", "--out", dir + "/demo", "-q"},
                            dir + "/stdout.txt", dir + "/stderr.txt")
             .ok()) {
        std::printf("lifecircle demo failed\n");
        return 1;
    }
    const auto plan = [&](const std::string& binary, const std::string& out) {
        fs::remove_all(out);
        return std::vector<std::string>{binary,      "plan", dir + "/demo/data/scenario.toml",
                                        "--out",     out,    "--verbose",
                                        "--threads", threads};
    };
    for (int r = 0; r < a.runs; ++r) {
        const Run now =
            run(plan(a.lifecircle, dir + "/plan_now"), 0, dir, dir + "/plan_now/summary.json");
        show("this", now);
        if (a.baseline.empty()) continue;
        const Run base = run(plan(a.baseline, dir + "/plan_base"), a.baseline_timeout, dir,
                             dir + "/plan_base/summary.json");
        show("baseline", base);
        compare(now, base);
    }
    return 0;
}
