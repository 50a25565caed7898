// lifecircle coverage: one service study (studies::run_service), its layers and summary; in
// shards with --shards N (studies/shard.hpp), one shard of a planned run with --shard I/N.
#include "cli/coverage.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/format.hpp"
#include "cli/sharded.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "io/output_folder.hpp"
#include "studies/merge.hpp"
#include "studies/network_parts.hpp"
#include "studies/service.hpp"

namespace lifecircle::cli {

namespace fs = std::filesystem;

namespace {

void print_tables(const studies::StudyArea& area, const studies::ServiceOptions& o,
                  const studies::ServiceResult& r) {
    const std::vector<std::string>& groups = area.demand.groups;
    std::printf("coverage within %s, %s\n", o.standard.describe().c_str(), o.standard.direction_name().c_str());
    ConsoleTable t({"group", "total", "covered", "share", "unreachable", "unsnapped", "mean min", "gini"});
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const planners::Figures& f = r.overall[g];
        t.add({groups[g], fixed(f.total, 0), fixed(f.covered, 0), percent(f.covered, f.total), fixed(f.unreachable, 0),
               fixed(f.unsnapped, 0), fixed(f.mean_minutes, 1), fixed(f.gini_minutes, 3)});
    }
    t.print();
    if (r.seats) {
        const planners::AssignmentTotals& s = r.seats->assignment.totals;
        std::printf("\ncapacity (%s): %.0f for %.0f %s; within the standard %.0f (%s), served %.0f (%s), covered but "
                    "unserved %.0f, spare %.0f\n",
                    o.facilities.read.capacity_field.c_str(), s.capacity, s.demand_weight, groups[r.group].c_str(),
                    s.covered_weight, percent(s.covered_weight, s.demand_weight).c_str(), s.served_weight,
                    percent(s.served_weight, s.demand_weight).c_str(), s.covered_unserved_weight, s.spare_capacity);
    }
    if (r.districts.empty()) return;
    std::printf("\n");
    ConsoleTable d({"district", groups[r.group], "share", "mean min"});
    for (const maps::DistrictFigures& f : r.districts) {
        const planners::Figures& g = f.groups[r.group];
        d.add({f.name, fixed(g.total, 0), percent(g.covered, g.total), fixed(g.mean_minutes, 1)});
    }
    d.print();
}

/** The study the options describe: what load_area() and run_service() take. */
struct Study {
    studies::AreaSpec spec;
    studies::ServiceOptions options;
};

/** The outputs the options name, declared and checked before any work. */
struct Outputs {
    std::unique_ptr<io::OutputPlan> plan;
    std::size_t districts = 0, gaps = 0, facilities = 0, summary = 0;
    bool capacities = false;
    bool gpkg = false;
};

Outputs declare_outputs(const CoverageArgs& a) {
    const std::vector<std::string> layer_formats = {".geojson", ".json", ".gpkg"};
    std::vector<io::OutputRequest> requests = {{"--out", a.out, layer_formats, ".geojson", true}};
    const auto add = [&](const std::string& option, const std::string& path, std::vector<std::string> formats) {
        if (path.empty()) return std::size_t{0};
        requests.push_back({option, path, std::move(formats), "", option != "--summary"});
        return requests.size() - 1;
    };
    const std::size_t districts_req = add("--districts-out", a.districts_out, layer_formats);
    const std::size_t gaps_req = add("--gaps", a.gaps, layer_formats);
    const std::size_t facilities_req = add("--facilities-out", a.facilities_out, layer_formats);
    const std::size_t summary_req = add("--summary", a.summary, {".json"});
    Outputs out;
    out.plan.reset(new io::OutputPlan(plan_outputs(std::move(requests), {{"--network", a.network.spec.path},
                                                                         {"--facilities", a.facilities.path},
                                                                         {"--demand", a.demand.path},
                                                                         {"--districts", a.districts.path}})));
    out.districts = districts_req;
    out.gaps = gaps_req;
    out.facilities = facilities_req;
    out.summary = summary_req;
    out.capacities = !a.facilities.read.capacity_field.empty();
    out.gpkg = out.plan->files()[out.plan->file_of(0)].format == ".gpkg";
    if (!a.facilities_out.empty() && !out.capacities) throw UsageError("--facilities-out needs --capacity-field");
    if (!a.districts_out.empty() && a.districts.path.empty())
        throw UsageError("--districts-out needs --districts FILE");
    if (!a.districts.path.empty() && a.districts_out.empty() && !out.gpkg)
        throw UsageError("--districts needs --districts-out FILE when --out is not a .gpkg");
    return out;
}

Study prepare(CoverageArgs& a, const studies::StudyStandard& standard) {
    io::check_point_input(a.facilities.path, a.facilities.read);
    a.demand.read.weight_fields = split_list(a.weight_fields);
    Study s{{a.network.spec, a.demand, a.districts, a.network.threads}, {}};
    studies::ServiceOptions& o = s.options;
    o.standard = standard;
    o.facilities = a.facilities;
    o.access = studies::parse_access(a.access, "--access");
    o.decay = a.decay == "gaussian" ? planners::Decay::gaussian : planners::Decay::steps;
    o.hex_m = a.gaps.empty() ? 0.0 : a.hex_m;
    return s;
}

void write_outputs(const CoverageArgs& a, Outputs& out, const studies::StudyArea& area, const Study& s,
                   const studies::ServiceResult& r) {
    studies::ServiceLayers layers = studies::service_layers(area, s.options, r);
    for (const std::string& n : layers.notes) print_note("note: " + n);
    io::OutputPlan& plan = *out.plan;
    std::vector<std::vector<Layer>> per_file(plan.files().size());
    per_file[plan.file_of(0)].push_back(layers.demand);
    if (!r.districts.empty())
        per_file[plan.file_of(a.districts_out.empty() ? 0 : out.districts)].push_back(layers.districts);
    if (out.capacities && (!a.facilities_out.empty() || out.gpkg))
        per_file[plan.file_of(a.facilities_out.empty() ? 0 : out.facilities)].push_back(layers.facilities);
    if (!a.gaps.empty()) per_file[plan.file_of(out.gaps)].push_back(layers.gaps);
    write_files(plan, std::move(per_file), area.net.work_crs, a.update, a.network.threads);
    if (!a.summary.empty())
        plan.write_text(plan.file_of(out.summary), studies::service_summary(area, s.spec, s.options, r).dump(2) + "\n");
    plan.commit();
    print_tables(area, s.options, r);
    print_note("coverage: " + std::to_string(layers.demand.features.size()) + " demand features written to " + a.out);
}

/** "3/16" as (3, 16); UsageError otherwise. */
std::pair<std::size_t, std::size_t> parse_shard(const std::string& text) {
    const auto slash = text.find('/');
    std::size_t i = 0, n = 0;
    try {
        if (slash == std::string::npos) throw std::invalid_argument("no slash");
        std::size_t used = 0;
        i = std::stoul(text.substr(0, slash), &used);
        if (used != slash) throw std::invalid_argument("junk");
        n = std::stoul(text.substr(slash + 1), &used);
        if (used != text.size() - slash - 1) throw std::invalid_argument("junk");
    } catch (const std::exception&) {
        throw UsageError("--shard takes I/N, the shard's number (from 0) and the number of shards, e.g. 3/16; got '" +
                         text + "'");
    }
    if (n == 0 || i >= n)
        throw UsageError("--shard " + text + ": the shard's number runs from 0 to N - 1 (N = " + std::to_string(n) + ")");
    return {i, n};
}

/** Plans into `dir`: the network's parts and the manifest, with `extra` files, one transaction. */
studies::ShardPlan plan_into(CoverageArgs& a, const Study& s, const std::string& dir, std::size_t shards, bool force,
                             const std::vector<std::pair<std::string, std::string>>& extra,
                             const std::vector<std::string>& expected) {
    const studies::Reporter rep = reporter();
    std::vector<std::string> inputs = studies::study_inputs(s.spec, s.options, a.standard.choice.standards_file);
    const io::OutputFolder folder(dir, force, inputs, {}, [&rep](const std::string& n) { rep.note(n); });
    const fs::path d(dir);
    std::vector<io::OutputRequest> requests = {{"--shard-dir", (d / "network.parts").string(), {".parts"}, "", false},
                                               {"--shard-dir", (d / "manifest.json").string(), {".json"}, "", false}};
    for (const auto& [name, text] : extra) requests.push_back({"--shard-dir", (d / name).string(), {io::lower_extension(name)}, "", false});
    requests.push_back(folder.manifest_request());
    io::OutputPlan plan(std::move(requests), inputs, [&rep](const std::string& n) { rep.note(n); });
    studies::ShardOptions so;
    so.shards = shards;
    so.by = studies::parse_shard_by(a.shard_by, "--shard-by");
    so.extra_inputs = {a.standard.choice.standards_file};
    std::error_code ec;
    std::string cwd = fs::current_path(ec).string();
    io::TextOutput parts = plan.open_text(plan.file_of(0));
    const studies::ShardPlan p = studies::plan_shards(s.spec, s.options, so, study_args(a.raw_args), cwd,
                                                      [&parts](std::string_view bytes) { parts.write(bytes); }, rep);
    parts.close();
    plan.write_text(plan.file_of(1), studies::plan_json(p).dump(2) + "\n");
    for (std::size_t k = 0; k < extra.size(); ++k) plan.write_text(plan.file_of(2 + k), extra[k].second);
    std::vector<std::string> names = {"network.parts", "manifest.json"};
    for (const auto& e : extra) names.push_back(e.first);
    names.insert(names.end(), expected.begin(), expected.end());
    folder.commit(plan, plan.file_of(2 + extra.size()), names);
    for (const char* sub : {"shards", "logs"}) fs::create_directories(d / sub, ec);
    std::size_t facilities = 0;
    for (const studies::ShardSpec& sp : p.shards) facilities += sp.facilities;
    print_note("planned " + std::to_string(shards) + " shards (" + std::string(studies::shard_by_name(p.by)) + ") of " +
               std::to_string(p.features) + " demand features and " + std::to_string(facilities) +
               " facilities in " + dir + "; first halo " + fixed(p.halo_m / 1000.0, 2) + " km (fastest " +
               fixed(p.fastest_mps * 3.6, 1) + " km/h), work CRS " + p.work_crs);
    return p;
}

int run_whole(CoverageArgs& a) {
    const studies::StudyStandard standard = resolve(a.standard, a.network);
    Outputs out = declare_outputs(a);
    const Study s = prepare(a, standard);
    const studies::Reporter rep = reporter();
    const auto area = studies::load_area(s.spec, standard.profile(), rep);
    const studies::ServiceResult r = studies::run_service(*area, s.options, rep);
    write_outputs(a, out, *area, s, r);
    return 0;
}

/** Goes to the folder the run was planned from, so relative paths mean what they meant. */
std::string enter_plan_folder(const studies::ShardPlan& plan, const std::string& dir) {
    std::error_code ec;
    const std::string absolute = fs::absolute(dir, ec).string();
    if (!plan.cwd.empty() && fs::current_path(ec) != fs::path(plan.cwd)) {
        if (::chdir(plan.cwd.c_str()) != 0)
            throw UsageError("the run was planned in " + plan.cwd + ", which cannot be entered now; relative paths in "
                             "its arguments start there");
        print_note("note: working in " + plan.cwd + ", where the run was planned");
    }
    return absolute;
}

int run_one_shard(CoverageArgs& a) {
    const auto [index, count] = parse_shard(a.shard);
    if (a.shard_dir.empty()) throw UsageError("--shard needs --shard-dir DIR, the folder of the planned run");
    const studies::ShardPlan plan = read_plan(a.shard_dir);
    const std::string dir = enter_plan_folder(plan, a.shard_dir);
    if (count != plan.shards.size())
        throw UsageError("--shard " + a.shard + ": the run in " + a.shard_dir + " was planned in " +
                         std::to_string(plan.shards.size()) + " shards, not " + std::to_string(count));
    const std::vector<std::string> mine = study_args(a.raw_args);
    if (mine != plan.args) {
        std::size_t k = 0;
        while (k < mine.size() && k < plan.args.size() && mine[k] == plan.args[k]) ++k;
        throw UsageError("the shard's options differ from those the run in " + a.shard_dir +
                         " was planned with (from '" + (k < mine.size() ? mine[k] : std::string("the end")) +
                         "', planned: '" + (k < plan.args.size() ? plan.args[k] : std::string("the end")) +
                         "'); give the same options, or plan the run again");
    }
    studies::check_plan_inputs(plan);
    const studies::StudyStandard standard = resolve(a.standard, a.network);
    const Study s = prepare(a, standard);
    const studies::Reporter rep = reporter();
    const auto t0 = std::chrono::steady_clock::now();
    const studies::ShardResult r =
        studies::run_shard(plan, (fs::path(dir) / plan.parts_file).string(), index, s.spec, s.options, rep);
    const fs::path file = fs::path(dir) / "shards" / studies::shard_file_name(index, count);
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    io::OutputPlan out({{"--shard-dir", file.string(), {".bin"}, "", false}}, studies::study_inputs(s.spec, s.options, {}),
                       [&rep](const std::string& n) { rep.note(n); });
    out.write_text(0, studies::shard_result_bytes(r));
    out.commit();
    fs::path failed = file;
    failed.replace_extension(".failed");
    fs::remove(failed, ec);
    print_note("shard " + std::to_string(index) + " of " + std::to_string(count) + ": " +
               std::to_string(r.demand.ids.size()) + " demand features, " + std::to_string(r.demand.xy.size()) +
               " points; halo " + fixed(r.halo_m / 1000.0, 2) + " km" +
               (r.reads > 1 ? " (its roads read " + std::to_string(r.reads) + " times)" : std::string()) + "; " +
               fixed(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1) + " s; " +
               file.string());
    return 0;
}

int merge_from(CoverageArgs& a, Outputs& out, const Study& s, const std::string& dir) {
    const studies::ShardPlan plan = read_plan(dir);
    const studies::Reporter rep = reporter();
    std::vector<studies::ShardResult> results = studies::load_shard_results(plan, (fs::path(dir) / "shards").string());
    const studies::MergedStudy m = studies::merge_shards(plan, std::move(results), s.spec, s.options, rep);
    print_note("merge: " + std::to_string(plan.shards.size()) + " shards; largest halo " +
               fixed(m.largest_halo_m / 1000.0, 2) + " km" +
               (m.shards_read_again ? "; " + std::to_string(m.shards_read_again) + " shards read their roads again"
                                    : std::string()));
    write_outputs(a, out, *m.area, s, m.result);
    return 0;
}

int run_local(CoverageArgs& a) {
    if (!a.shard.empty()) throw UsageError("--shards runs every shard here; --shard I/N runs one of a planned run");
    const studies::StudyStandard standard = resolve(a.standard, a.network);
    Outputs out = declare_outputs(a);
    const Study s = prepare(a, standard);
    std::string dir = a.shard_dir;
    const bool temporary = dir.empty();
    if (temporary) {
        const fs::path target(a.out == "-" ? fs::temp_directory_path() : fs::absolute(a.out).parent_path());
        dir = (target / (".lifecircle-shards-" + std::to_string(::getpid()))).string();
    }
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t jobs = a.jobs > 0 ? a.jobs : std::max<std::size_t>(1, cores / 2);
    const unsigned threads =
        a.network.threads > 0 ? a.network.threads : static_cast<unsigned>(std::max<std::size_t>(1, cores / jobs));
    const studies::ShardPlan plan = plan_into(a, s, dir, a.shards, false, {}, expected_shard_files(a.shards));
    LocalShards run;
    run.args = {"coverage"};
    run.args.insert(run.args.end(), plan.args.begin(), plan.args.end());
    run.dir = fs::absolute(dir).string();
    run.shards = a.shards;
    run.jobs = jobs;
    run.threads = threads;
    run_local_shards(run);
    merge_from(a, out, s, dir);
    if (temporary && !a.keep_shards) {
        std::error_code ec;
        fs::remove_all(dir, ec);
    } else {
        print_note("coverage: the shards' folder is " + dir + " (merge it again with lifecircle merge " + dir + ")");
    }
    return 0;
}

int run_coverage(CoverageArgs& a) {
    if (!a.shard.empty()) return run_one_shard(a);
    if (a.shards > 0) return run_local(a);
    if (!a.shard_dir.empty()) throw UsageError("--shard-dir goes with --shards N or --shard I/N");
    return run_whole(a);
}

}  // namespace

void add_coverage_options(CLI::App& cmd, CoverageArgs& a) {
    add_network_options(cmd, a.network, true);
    add_standard_options(cmd, a.standard);
    add_facility_options(cmd, a.facilities, {true, true});
    add_demand_options(cmd, a.demand, a.weight_fields);
    add_district_options(cmd, a.districts);
    cmd.add_option("--access", a.access, "Accessibility measure with --capacity-field: e2sfca (Luo & Qi 2009), "
                                          "bfca (balanced FCA) or availability (spatial availability)")
        ->check(CLI::IsMember({"e2sfca", "bfca", "availability"}))
        ->capture_default_str();
    cmd.add_option("--decay", a.decay, "Distance decay of the measure: steps (1, 0.68, 0.22 at T/3, 2T/3) or gaussian")
        ->check(CLI::IsMember({"steps", "gaussian"}))
        ->capture_default_str();
    cmd.add_option("--out", a.out, "Demand with minutes and coverage: .geojson or .gpkg")->required();
    cmd.add_option("--summary", a.summary, "Every figure and parameter as JSON");
    cmd.add_option("--districts-out", a.districts_out, "Districts layer (default: into --out when it is a .gpkg)");
    cmd.add_option("--facilities-out", a.facilities_out,
                   "Facilities with load and spare capacity (default: into --out when it is a .gpkg)");
    cmd.add_option("--gaps", a.gaps, "Hexagon map of uncovered residents: .gpkg or .geojson");
    cmd.add_option("--hex-m", a.hex_m, "Hexagon width across flats (m) for --gaps")
        ->check(valid(Quantity::hex_m))
        ->capture_default_str();
    cmd.add_flag("--update", a.update, "Add the layers to existing .gpkg files, keeping their other layers");
    const std::string sharding = "Sharding (beyond one machine)";
    cmd.add_option("--shards", a.shards,
                   "Run in N shards, each the same study on its part of the residents with the roads and facilities "
                   "around them, as parallel processes on this machine, and merge them exactly (see lifecircle slurm "
                   "for a cluster)")
        ->check(CLI::Range(1, 100000))
        ->group(sharding);
    cmd.add_option("--jobs", a.jobs, "With --shards: at most J shards at once (default: one per two cores)")
        ->check(CLI::Range(1, 10000))
        ->group(sharding);
    cmd.add_option("--shard-by", a.shard_by,
                   "With --shards: tiles (rectangles holding about as many residents' features) or districts "
                   "(whole --districts together)")
        ->check(CLI::IsMember({"tiles", "districts"}))
        ->capture_default_str()
        ->group(sharding);
    cmd.add_option("--shard", a.shard, "Run shard I of N of a planned run (I from 0), e.g. a Slurm array task: "
                                       "--shard $SLURM_ARRAY_TASK_ID/16 --shard-dir DIR")
        ->group(sharding);
    cmd.add_option("--shard-dir", a.shard_dir,
                   "The folder of a sharded run (manifest, network parts, shard results); with --shards, kept after "
                   "the run (default: a temporary folder beside --out)")
        ->group(sharding);
    cmd.add_flag("--keep-shards", a.keep_shards, "With --shards: keep the temporary folder of the shards")->group(sharding);
    add_quiet_option(cmd);
}

void add_coverage(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("coverage", "Who is within the standard: per resident the minutes to the nearest "
                                               "facility, shares per group and district, seats, and a gap map");
    auto a = std::make_shared<CoverageArgs>();
    add_coverage_options(*cmd, *a);
    cmd->callback([&run, a] {
        const std::vector<std::string>& line = command_line();
        const auto verb = std::find(line.begin() + (line.empty() ? 0 : 1), line.end(), std::string("coverage"));
        a->raw_args.assign(verb == line.end() ? line.end() : verb + 1, line.end());
        run = [a] { return run_coverage(*a); };
    });
}

void parse_coverage_args(const std::vector<std::string>& args, CoverageArgs& a) {
    CLI::App app{"lifecircle coverage", "coverage"};
    add_coverage_options(app, a);
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        throw UsageError("the coverage options of the sharded run: " + std::string(e.what()));
    }
    a.raw_args = args;
}

std::vector<std::string> study_args(const std::vector<std::string>& args) {
    static const std::vector<std::string> with_value = {"--shards", "--jobs", "--shard-by", "--shard", "--shard-dir",
                                                        "--threads"};
    static const std::vector<std::string> flags = {"--keep-shards", "--quiet", "-q", "--progress"};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& t = args[i];
        const std::string name = t.substr(0, t.find('='));
        if (std::find(flags.begin(), flags.end(), t) != flags.end()) continue;
        if (std::find(with_value.begin(), with_value.end(), name) != with_value.end()) {
            if (name == t) ++i;  // "--shards 4": the value is the next token
            continue;
        }
        out.push_back(t);
    }
    return out;
}

std::vector<std::string> expected_shard_files(std::size_t shards) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < shards; ++i) {
        std::string bin = studies::shard_file_name(i, shards);
        out.push_back("shards/" + bin);
        out.push_back("shards/" + bin.substr(0, bin.size() - 4) + ".failed");
        for (const char* ext : {".log", ".out", ".err"}) out.push_back("logs/shard-" + std::to_string(i) + ext);
    }
    for (const char* name : {"logs/merge.out", "logs/merge.err", "jobs.txt"}) out.emplace_back(name);
    return out;
}

studies::ShardPlan read_plan(const std::string& dir) {
    const std::string path = (fs::path(dir) / "manifest.json").string();
    if (!fs::exists(path))
        throw InputError("no sharded run was planned here (no manifest.json); plan one with lifecircle slurm ... or "
                         "lifecircle coverage ... --shards N --shard-dir DIR")
            .set_file(dir);
    return studies::plan_from_json(studies::read_whole_file(path), path);
}

studies::ShardPlan plan_coverage(CoverageArgs& a, const std::string& dir, std::size_t shards, bool force,
                                 const std::vector<std::pair<std::string, std::string>>& extra,
                                 const std::vector<std::string>& expected) {
    if (!a.shard.empty() || a.shards > 0)
        throw UsageError("the study's options take no --shard or --shards here: the run is planned in shards already");
    const studies::StudyStandard standard = resolve(a.standard, a.network);
    { const Outputs check = declare_outputs(a); }  // the merge will write them: checked now
    const Study s = prepare(a, standard);
    return plan_into(a, s, dir, shards, force, extra, expected);
}

int merge_coverage(CoverageArgs& a, const std::string& dir) {
    const studies::ShardPlan plan = read_plan(dir);
    const std::string absolute = enter_plan_folder(plan, dir);
    const studies::StudyStandard standard = resolve(a.standard, a.network);
    Outputs out = declare_outputs(a);
    const Study s = prepare(a, standard);
    return merge_from(a, out, s, absolute);
}

}  // namespace lifecircle::cli
