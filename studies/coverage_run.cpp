#include "studies/coverage_run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "io/layer_writer.hpp"
#include "io/output.hpp"
#include "io/output_folder.hpp"
#include "io/points.hpp"
#include "studies/local_shards.hpp"
#include "studies/merge.hpp"
#include "studies/shard_io.hpp"

namespace lifecircle::studies {

namespace fs = std::filesystem;

namespace {

std::string one_decimal(double v, int decimals = 1) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

io::OutputNotes notes_of(const Reporter& rep) {
    return [&rep](const std::string& n) { rep.note(n); };
}

/** The outputs a job names, declared and checked before any work. */
struct Outputs {
    std::unique_ptr<io::OutputPlan> plan;
    std::size_t districts = 0, gaps = 0, facilities = 0, summary = 0;
    bool capacities = false;
    bool gpkg = false;
};

Outputs declare_outputs(const CoverageJob& job, const Reporter& rep) {
    const std::vector<std::string> layer_formats = {".geojson", ".json", ".gpkg"};
    std::vector<io::OutputRequest> requests = {{"--out", job.out, layer_formats, ".geojson", true}};
    const auto add = [&](const std::string& option, const std::string& path,
                         std::vector<std::string> formats) {
        if (path.empty()) return std::size_t{0};
        requests.push_back({option, path, std::move(formats), "", option != "--summary"});
        return requests.size() - 1;
    };
    Outputs out;
    out.districts = add("--districts-out", job.districts_out, layer_formats);
    out.gaps = add("--gaps", job.gaps, layer_formats);
    out.facilities = add("--facilities-out", job.facilities_out, layer_formats);
    out.summary = add("--summary", job.summary, {".json"});
    std::vector<std::string> inputs;
    for (const auto& [option, path] : std::vector<std::pair<std::string, std::string>>{
             {"--network", job.spec.network.path},
             {"--facilities", job.options.facilities.path},
             {"--demand", job.spec.demand.path},
             {"--districts", job.spec.districts.path}}) {
        if (path.empty()) continue;
        io::check_input_path(path, option);
        inputs.push_back(path);
    }
    out.plan = std::make_unique<io::OutputPlan>(std::move(requests), inputs, notes_of(rep));
    out.capacities = !job.options.facilities.read.capacity_field.empty();
    out.gpkg = out.plan->files()[out.plan->file_of(0)].format == ".gpkg";
    if (!job.facilities_out.empty() && !out.capacities)
        throw UsageError("--facilities-out needs --capacity-field");
    if (!job.districts_out.empty() && job.spec.districts.path.empty())
        throw UsageError("--districts-out needs --districts FILE");
    if (!job.spec.districts.path.empty() && job.districts_out.empty() && !out.gpkg)
        throw UsageError("--districts needs --districts-out FILE when --out is not a .gpkg");
    io::check_point_input(job.options.facilities.path, job.options.facilities.read);
    return out;
}

std::size_t write_outputs(const CoverageJob& job, Outputs& out, const StudyArea& area,
                          const ServiceOptions& o, const ServiceResult& r, const Reporter& rep) {
    ServiceLayers layers = service_layers(area, o, r);
    for (const std::string& n : layers.notes) rep.note(n);
    io::OutputPlan& plan = *out.plan;
    std::vector<std::vector<Layer>> per_file(plan.files().size());
    per_file[plan.file_of(0)].push_back(layers.demand);
    if (!r.districts.empty())
        per_file[plan.file_of(job.districts_out.empty() ? 0 : out.districts)].push_back(
            layers.districts);
    if (out.capacities && (!job.facilities_out.empty() || out.gpkg))
        per_file[plan.file_of(job.facilities_out.empty() ? 0 : out.facilities)].push_back(
            layers.facilities);
    if (!job.gaps.empty()) per_file[plan.file_of(out.gaps)].push_back(layers.gaps);
    io::WriteOptions wo;
    wo.update = job.update;
    wo.threads = job.spec.threads;
    for (std::size_t f = 0; f < per_file.size(); ++f) {
        if (per_file[f].empty()) continue;
        for (const std::string& n : io::write_layers(plan, f, per_file[f], area.net.work_crs, wo))
            rep.note(n);
    }
    if (!job.summary.empty())
        plan.write_text(plan.file_of(out.summary),
                        service_summary(area, job.spec, o, r).dump(2) + "\n");
    plan.commit();
    return layers.demand.features.size();
}

void refuse_transit(const CoverageJob& job) {
    if (job.transit)
        throw UsageError(
            "a study by public transport (--mode transit) is not run in shards: a ride carries "
            "residents "
            "far beyond any halo a shard could read, so no part of the timetable is a shard's own; "
            "run it "
            "whole (a city's timetable fits one machine)");
}

}  // namespace

void check_coverage_job(const CoverageJob& job) {
    const Reporter quiet;
    const Outputs out = declare_outputs(job, quiet);
}

CoverageOutcome run_coverage(const CoverageJob& job, const Reporter& rep) {
    Outputs out = declare_outputs(job, rep);
    CoverageOutcome done;
    done.area = load_area(job.spec, job.options.standard.profile(), rep);
    ServiceOptions o = job.options;
    if (job.transit)
        o.standard.transit = load_transit(*job.transit, done.area->net, *done.area->snapper,
                                          o.standard.max_seconds(), rep);
    done.result = run_service(*done.area, o, rep);
    done.features = write_outputs(job, out, *done.area, o, done.result, rep);
    done.options = std::move(o);
    return done;
}

ShardPlan plan_coverage(const CoverageJob& job, const ShardRunPlan& run, const Reporter& rep) {
    refuse_transit(job);
    { const Outputs check = declare_outputs(job, rep); }  // the merge will write them: checked now
    std::vector<std::string> inputs = study_inputs(job.spec, job.options, job.standards_file);
    const io::OutputFolder folder(run.dir, run.force, inputs, {}, notes_of(rep));
    const fs::path d(run.dir);
    std::vector<io::OutputRequest> requests = {
        {"--shard-dir", (d / "network.parts").string(), {".parts"}, "", false},
        {"--shard-dir", (d / "manifest.json").string(), {".json"}, "", false}};
    for (const auto& [name, text] : run.extra)
        requests.push_back(
            {"--shard-dir", (d / name).string(), {io::lower_extension(name)}, "", false});
    requests.push_back(folder.manifest_request());
    io::OutputPlan plan(std::move(requests), inputs, notes_of(rep));
    ShardOptions so;
    so.shards = run.shards;
    so.by = run.by;
    so.extra_inputs = {job.standards_file};
    std::error_code ec;
    const std::string cwd = fs::current_path(ec).string();
    io::TextOutput parts = plan.open_text(plan.file_of(0));
    const ShardPlan p = plan_shards(
        job.spec, job.options, so, job.args, cwd,
        [&parts](std::string_view bytes) { parts.write(bytes); }, rep);
    parts.close();
    plan.write_text(plan.file_of(1), plan_json(p).dump(2) + "\n");
    for (std::size_t k = 0; k < run.extra.size(); ++k)
        plan.write_text(plan.file_of(2 + k), run.extra[k].second);
    std::vector<std::string> names = {"network.parts", "manifest.json"};
    for (const auto& e : run.extra) names.push_back(e.first);
    const std::vector<std::string> expected = expected_shard_files(run.shards);
    names.insert(names.end(), expected.begin(), expected.end());
    folder.commit(plan, plan.file_of(2 + run.extra.size()), names);
    for (const char* sub : {"shards", "logs"}) fs::create_directories(d / sub, ec);
    std::size_t facilities = 0;
    for (const ShardSpec& sp : p.shards) facilities += sp.facilities;
    rep.note("planned " + std::to_string(run.shards) + " shards (" +
             std::string(shard_by_name(p.by)) + ") of " + std::to_string(p.features) +
             " demand features and " + std::to_string(facilities) + " facilities in " + run.dir +
             "; first halo " + one_decimal(p.halo_m / 1000.0, 2) + " km (fastest " +
             one_decimal(p.fastest_mps * 3.6) + " km/h), work CRS " + p.work_crs);
    return p;
}

ShardPlan read_plan(const std::string& dir) {
    const std::string path = (fs::path(dir) / "manifest.json").string();
    if (!fs::exists(path))
        throw InputError(
            "no sharded run was planned here (no manifest.json); plan one with lifecircle slurm "
            "... or "
            "lifecircle coverage ... --shards N --shard-dir DIR")
            .set_file(dir);
    return plan_from_json(read_whole_file(path), path);
}

std::string enter_plan_folder(const ShardPlan& plan, const std::string& dir, const Reporter& rep) {
    std::error_code ec;
    const std::string absolute = fs::absolute(dir, ec).lexically_normal().string();
    if (!plan.cwd.empty() && fs::current_path(ec) != fs::path(plan.cwd)) {
        if (::chdir(plan.cwd.c_str()) != 0)
            throw UsageError("the run was planned in " + plan.cwd +
                             ", which cannot be entered now; relative paths in "
                             "its arguments start there");
        rep.note("working in " + plan.cwd + ", where the run was planned");
    }
    return absolute;
}

std::pair<std::size_t, std::size_t> parse_shard_number(const std::string& text) {
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
        throw UsageError(
            "--shard takes I/N, the shard's number (from 0) and the number of shards, e.g. 3/16; "
            "got '" +
            text + "'");
    }
    if (n == 0 || i >= n)
        throw UsageError("--shard " + text + ": the shard's number runs from 0 to N - 1 (N = " +
                         std::to_string(n) + ")");
    return {i, n};
}

void run_coverage_shard(const CoverageJob& job, const std::string& dir, std::size_t index,
                        std::size_t count, const Reporter& rep) {
    refuse_transit(job);
    const ShardPlan plan = read_plan(dir);
    if (count != plan.shards.size())
        throw UsageError("--shard " + std::to_string(index) + "/" + std::to_string(count) +
                         ": the run in " + dir + " was planned in " +
                         std::to_string(plan.shards.size()) + " shards, not " +
                         std::to_string(count));
    if (job.args != plan.args) {
        std::size_t k = 0;
        while (k < job.args.size() && k < plan.args.size() && job.args[k] == plan.args[k]) ++k;
        throw UsageError("the shard's options differ from those the run in " + dir +
                         " was planned with (from '" +
                         (k < job.args.size() ? job.args[k] : std::string("the end")) +
                         "', planned: '" +
                         (k < plan.args.size() ? plan.args[k] : std::string("the end")) +
                         "'); give the same options, or plan the run again");
    }
    check_plan_inputs(plan);
    const auto t0 = std::chrono::steady_clock::now();
    const ShardResult r = run_shard(plan, (fs::path(dir) / plan.parts_file).string(), index,
                                    job.spec, job.options, rep);
    const fs::path file = fs::path(dir) / "shards" / shard_file_name(index, count);
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    io::OutputPlan out({{"--shard-dir", file.string(), {".bin"}, "", false}},
                       study_inputs(job.spec, job.options, {}), notes_of(rep));
    out.write_text(0, shard_result_bytes(r));
    out.commit();
    fs::path failed = file;
    failed.replace_extension(".failed");
    fs::remove(failed, ec);
    rep.note(
        "shard " + std::to_string(index) + " of " + std::to_string(count) + ": " +
        std::to_string(r.demand.ids.size()) + " demand features, " +
        std::to_string(r.demand.xy.size()) + " points; halo " + one_decimal(r.halo_m / 1000.0, 2) +
        " km" +
        (r.reads > 1 ? " (its roads read " + std::to_string(r.reads) + " times)" : std::string()) +
        "; " +
        one_decimal(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()) +
        " s; " + file.string());
}

CoverageOutcome merge_coverage(const CoverageJob& job, const std::string& dir,
                               const Reporter& rep) {
    refuse_transit(job);
    Outputs out = declare_outputs(job, rep);
    const ShardPlan plan = read_plan(dir);
    std::vector<ShardResult> results =
        load_shard_results(plan, (fs::path(dir) / "shards").string());
    MergedStudy m = merge_shards(plan, std::move(results), job.spec, job.options, rep);
    rep.note("merge: " + std::to_string(plan.shards.size()) + " shards; largest halo " +
             one_decimal(m.largest_halo_m / 1000.0, 2) + " km" +
             (m.shards_read_again
                  ? "; " + std::to_string(m.shards_read_again) + " shards read their roads again"
                  : std::string()));
    CoverageOutcome done;
    done.features = write_outputs(job, out, *m.area, job.options, m.result, rep);
    done.area = std::move(m.area);
    done.result = std::move(m.result);
    done.options = job.options;
    return done;
}

CoverageOutcome run_coverage_in_shards(const CoverageJob& job, const LocalShardRun& run,
                                       const Reporter& rep) {
    refuse_transit(job);
    std::string dir = run.dir;
    const bool temporary = dir.empty();
    if (temporary) {
        const fs::path target(job.out == "-" ? fs::temp_directory_path()
                                             : fs::absolute(job.out).parent_path());
        dir = (target / (".lifecircle-shards-" + std::to_string(::getpid()))).string();
    }
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    LocalShards local;
    local.jobs = run.jobs > 0 ? run.jobs : std::max<std::size_t>(1, cores / 2);
    local.threads = run.threads > 0
                        ? run.threads
                        : static_cast<unsigned>(std::max<std::size_t>(1, cores / local.jobs));
    const ShardPlan plan = plan_coverage(job, {dir, run.shards, run.by, false, {}}, rep);
    local.args = {"coverage"};
    local.args.insert(local.args.end(), plan.args.begin(), plan.args.end());
    local.dir = fs::absolute(dir).string();
    local.shards = run.shards;
    run_local_shards(local, rep);
    CoverageOutcome done = merge_coverage(job, local.dir, rep);
    if (temporary && !run.keep) {
        std::error_code ec;
        fs::remove_all(dir, ec);
    } else {
        rep.note("the shards' folder is " + dir + " (merge it again with lifecircle merge " + dir +
                 ")");
    }
    return done;
}

std::vector<std::string> expected_shard_files(std::size_t shards) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < shards; ++i) {
        std::string bin = shard_file_name(i, shards);
        out.push_back("shards/" + bin);
        out.push_back("shards/" + bin.substr(0, bin.size() - 4) + ".failed");
        for (const char* ext : {".log", ".out", ".err"})
            out.push_back("logs/shard-" + std::to_string(i) + ext);
    }
    for (const char* name : {"logs/merge.out", "logs/merge.err", "jobs.txt"})
        out.emplace_back(name);
    return out;
}

}  // namespace lifecircle::studies
