#include "studies/sharded_run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <unistd.h>

#include "core/error.hpp"
#include "io/output.hpp"
#include "io/output_folder.hpp"
#include "studies/local_shards.hpp"
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

void refuse_transit(const ShardedStudy& study) {
    if (study.transit)
        throw UsageError(
            "a study by public transport (--mode transit) is not run in shards: a ride carries residents far beyond "
            "any halo a shard could read, so no part of the timetable is a shard's own; run it whole (a city's "
            "timetable fits one machine)");
}

std::vector<std::string> inputs_of(const ShardedStudy& study) {
    std::vector<std::string> files = study_inputs(study.spec, study.options, study.standards_file,
                                                  study.sites ? study.sites->sites.path : std::string());
    for (const std::string& f : study.extra_inputs)
        if (std::find(files.begin(), files.end(), f) == files.end()) files.push_back(f);
    return files;
}

}  // namespace

ShardPlan plan_sharded(const ShardedStudy& study, const ShardRunPlan& run, const Reporter& rep) {
    refuse_transit(study);
    if (study.check_outputs) study.check_outputs(rep);  // the merge will write them: checked now
    std::vector<std::string> inputs = inputs_of(study);
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
    so.extra_inputs = {study.standards_file};
    so.sites = study.sites;
    so.verb = study.verb;
    so.more_points = study.more_points;
    so.longest_seconds = study.longest_seconds;
    so.longest_metres = study.longest_metres;
    so.extra_inputs.insert(so.extra_inputs.end(), study.extra_inputs.begin(), study.extra_inputs.end());
    std::error_code ec;
    const std::string cwd = fs::current_path(ec).string();
    io::TextOutput parts = plan.open_text(plan.file_of(0));
    const ShardPlan p = plan_shards(
        study.spec, study.options, so, study.args, cwd,
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
    rep.note("planned " + std::to_string(run.shards) + " shards (" +
             std::string(shard_by_name(p.by)) + ") of " + std::to_string(p.features) +
             " demand features, " + std::to_string(p.facilities) + " facilities" +
             (p.has_sites ? " and " + std::to_string(p.sites) + " candidate sites" : std::string()) + " in " + run.dir +
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

void run_sharded_shard(const ShardedStudy& study, const std::string& dir, std::size_t index, std::size_t count,
                       const Reporter& rep) {
    refuse_transit(study);
    const ShardPlan plan = read_plan(dir);
    if (plan.verb != study.verb)
        throw UsageError("the run in " + dir + " is a sharded '" + plan.verb + "' study, not '" + study.verb +
                         "'; run its shards with lifecircle " + plan.verb + " ... --shard I/N");
    if (count != plan.shards.size())
        throw UsageError("--shard " + std::to_string(index) + "/" + std::to_string(count) +
                         ": the run in " + dir + " was planned in " +
                         std::to_string(plan.shards.size()) + " shards, not " +
                         std::to_string(count));
    if (study.args != plan.args) {
        std::size_t k = 0;
        while (k < study.args.size() && k < plan.args.size() && study.args[k] == plan.args[k]) ++k;
        throw UsageError("the shard's options differ from those the run in " + dir +
                         " was planned with (from '" +
                         (k < study.args.size() ? study.args[k] : std::string("the end")) +
                         "', planned: '" +
                         (k < plan.args.size() ? plan.args[k] : std::string("the end")) +
                         "'); give the same options, or plan the run again");
    }
    check_plan_inputs(plan);
    const auto t0 = std::chrono::steady_clock::now();
    const std::string parts = (fs::path(dir) / plan.parts_file).string();
    std::string bytes, what;
    if (study.shard) {
        bytes = study.shard(plan, parts, index, rep);
    } else {
        const ShardResult r = run_shard(plan, parts, index, study.spec, study.options, rep,
                                        study.sites ? &*study.sites : nullptr);
        bytes = shard_result_bytes(r);
        what = std::to_string(r.demand.ids.size()) + " demand features, " + std::to_string(r.demand.xy.size()) +
               " points; halo " + one_decimal(r.halo_m / 1000.0, 2) + " km" +
               (r.reads > 1 ? " (its roads read " + std::to_string(r.reads) + " times)" : std::string()) + "; ";
    }
    const fs::path file = fs::path(dir) / "shards" / shard_file_name(index, count);
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    io::OutputPlan out({{"--shard-dir", file.string(), {".bin"}, "", false}}, inputs_of(study), notes_of(rep));
    out.write_text(0, bytes);
    out.commit();
    fs::path failed = file;
    failed.replace_extension(".failed");
    fs::remove(failed, ec);
    rep.note("shard " + std::to_string(index) + " of " + std::to_string(count) + ": " + what +
             one_decimal(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()) + " s; " +
             file.string());
}

MergedStudy merge_sharded(const ShardedStudy& study, const std::string& dir, const Reporter& rep) {
    refuse_transit(study);
    const ShardPlan plan = read_plan(dir);
    std::vector<ShardResult> results = load_shard_results(plan, (fs::path(dir) / "shards").string());
    MergedStudy m = merge_shards(plan, std::move(results), study.spec, study.options, rep);
    rep.note("merge: " + std::to_string(plan.shards.size()) + " shards; largest halo " +
             one_decimal(m.largest_halo_m / 1000.0, 2) + " km" +
             (m.shards_read_again ? "; " + std::to_string(m.shards_read_again) + " shards read their roads again"
                                  : std::string()));
    return m;
}

void run_sharded_here(const ShardedStudy& study, const LocalShardRun& run, const Reporter& rep) {
    refuse_transit(study);
    std::string dir = run.dir;
    const bool temporary = dir.empty();
    if (temporary) {
        const fs::path target(study.out.empty() || study.out == "-" ? fs::temp_directory_path()
                                                                    : fs::absolute(study.out).parent_path());
        dir = (target / (".lifecircle-shards-" + std::to_string(::getpid()))).string();
    }
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    LocalShards local;
    local.jobs = run.jobs > 0 ? run.jobs : std::max<std::size_t>(1, cores / 2);
    local.threads = run.threads > 0 ? run.threads : static_cast<unsigned>(std::max<std::size_t>(1, cores / local.jobs));
    const ShardPlan plan = plan_sharded(study, {dir, run.shards, run.by, false, {}}, rep);
    local.args = {study.verb};
    local.args.insert(local.args.end(), plan.args.begin(), plan.args.end());
    local.dir = fs::absolute(dir).string();
    local.shards = run.shards;
    run_local_shards(local, rep);
    study.merge(local.dir, rep);
    if (temporary && !run.keep) {
        std::error_code ec;
        fs::remove_all(dir, ec);
    } else {
        rep.note("the shards' folder is " + dir + " (merge it again with lifecircle merge " + dir + ")");
    }
}

void run_as_requested(const ShardRequest& r, unsigned threads, const std::function<ShardedStudy()>& study,
                      const std::function<void()>& whole, const Reporter& rep) {
    if (!r.shard.empty()) {
        if (r.shards > 0) throw UsageError("--shards runs every shard here; --shard I/N runs one of a planned run");
        if (r.dir.empty()) throw UsageError("--shard needs --shard-dir DIR, the folder of the planned run");
        const auto [index, count] = parse_shard_number(r.shard);
        const std::string dir = enter_plan_folder(read_plan(r.dir), r.dir, rep);
        run_sharded_shard(study(), dir, index, count, rep);
    } else if (r.shards > 0) {
        run_sharded_here(study(), {r.shards, r.jobs, parse_shard_by(r.by, "--shard-by"), r.dir, r.keep, threads}, rep);
    } else {
        if (!r.dir.empty()) throw UsageError("--shard-dir goes with --shards N or --shard I/N");
        whole();
    }
}

std::vector<std::string> study_words(const std::vector<std::string>& words) {
    static const std::vector<std::string> valued = {"--shards", "--jobs", "--shard-by", "--shard", "--shard-dir",
                                                    "--threads"};
    static const std::vector<std::string> flags = {"--keep-shards", "--quiet", "-q", "--progress"};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string name = words[i].substr(0, words[i].find('='));
        if (std::find(flags.begin(), flags.end(), words[i]) != flags.end()) continue;
        if (std::find(valued.begin(), valued.end(), name) == valued.end()) out.push_back(words[i]);
        else if (name == words[i]) ++i;  // "--shards 4": the value is the next word
    }
    return out;
}

SlurmScripts plan_slurm(const ShardedStudy& study, SlurmRun& run, const Reporter& rep) {
    SlurmJobs& j = run.jobs;
    j.dir = fs::absolute(j.dir).lexically_normal().string();
    if (j.cwd.empty()) j.cwd = fs::current_path().string();
    j.lifecircle = j.lifecircle.empty() ? self_executable() : fs::absolute(j.lifecircle).string();
    j.args = {study.verb};
    j.args.insert(j.args.end(), study.args.begin(), study.args.end());
    SlurmScripts scripts = slurm_scripts(j);
    if (!run.dry_run)
        plan_sharded(study,
                     {j.dir, j.shards, run.by, run.force,
                      {{"shards.sbatch", scripts.shards}, {"merge.sbatch", scripts.merge}, {"submit.sh", scripts.submit}}},
                     rep);
    return scripts;
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
