// lifecircle coverage: one service study with its files (studies/coverage_run.hpp), whole or in
// shards; lifecircle merge DIR and lifecircle slurm -- coverage ..., which run it in shards.
#include <algorithm>
#include <filesystem>

#include "cli/common.hpp"
#include "cli/format.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "studies/coverage_run.hpp"
#include "studies/local_shards.hpp"
#include "studies/verb_jobs.hpp"

namespace lifecircle::cli {

namespace {

struct CoverageArgs {
    NetworkArgs network;
    StandardArgs standard;
    TransitArgs transit;
    studies::FacilitySpec facilities;
    studies::DemandSpec demand;
    std::string weight_fields;
    studies::PolygonSpec districts;
    std::string access = "e2sfca", decay = "steps";
    std::string out, summary, districts_out, gaps, facilities_out;
    double hex_m = 250.0;
    bool update = false;
    std::size_t shards = 0, jobs = 0;  // --shards N on this machine, at most J at once
    std::string shard_by = "tiles", shard, shard_dir;
    bool keep_shards = false;
    std::vector<std::string> raw_args;  // as given after the verb, for a sharded run's manifest
};

/** The arguments without the options of sharding and logging, as a sharded run's manifest keeps them. */
std::vector<std::string> study_args(const std::vector<std::string>& args) {
    static const std::vector<std::string> valued = {"--shards", "--jobs", "--shard-by", "--shard", "--shard-dir",
                                                    "--threads"};
    static const std::vector<std::string> flags = {"--keep-shards", "--quiet", "-q", "--progress"};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string name = args[i].substr(0, args[i].find('='));
        if (std::find(flags.begin(), flags.end(), args[i]) != flags.end()) continue;
        if (std::find(valued.begin(), valued.end(), name) == valued.end()) out.push_back(args[i]);
        else if (name == args[i]) ++i;  // "--shards 4": the value is the next word
    }
    return out;
}

studies::CoverageJob coverage_job(CoverageArgs& a) {
    studies::CoverageJob job;
    a.demand.read.weight_fields = studies::split_list(a.weight_fields);
    job.spec = {a.network.spec, a.demand, a.districts, a.network.threads};
    studies::ServiceOptions& o = job.options;
    o.standard = resolve(a.standard, a.network);
    o.facilities = a.facilities;
    o.access = studies::parse_access(a.access, "--access");
    o.decay = a.decay == "gaussian" ? planners::Decay::gaussian : planners::Decay::steps;
    o.hex_m = a.gaps.empty() ? 0.0 : a.hex_m;
    job.transit = transit_spec(a.transit, a.network);
    job.standards_file = a.standard.choice.standards_file;
    job.out = a.out;
    job.summary = a.summary;
    job.districts_out = a.districts_out;
    job.gaps = a.gaps;
    job.facilities_out = a.facilities_out;
    job.update = a.update;
    job.args = study_args(a.raw_args);
    return job;
}

int print_tables(const studies::CoverageOutcome& done, const studies::CoverageJob& job) {
    const studies::ServiceResult& r = done.result;
    const std::vector<std::string>& groups = done.area->demand.groups;
    std::fprintf(console(), "coverage within %s, %s\n", done.options.standard.describe().c_str(),
                done.options.standard.direction_name().c_str());
    ConsoleTable t({"group", "total", "covered", "share", "unreachable", "unsnapped", "mean min", "gini"});
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const planners::Figures& f = r.overall[g];
        t.add({groups[g], fixed(f.total, 0), fixed(f.covered, 0), percent(f.covered, f.total), fixed(f.unreachable, 0),
               fixed(f.unsnapped, 0), fixed(f.mean_minutes, 1), fixed(f.gini_minutes, 3)});
    }
    t.print();
    if (r.seats) {
        const planners::AssignmentTotals& s = r.seats->assignment.totals;
        std::fprintf(console(), "\ncapacity (%s): %.0f for %.0f %s; within the standard %.0f (%s), served %.0f (%s), covered but "
                    "unserved %.0f, spare %.0f\n",
                    job.options.facilities.read.capacity_field.c_str(), s.capacity, s.demand_weight,
                    groups[r.group].c_str(), s.covered_weight, percent(s.covered_weight, s.demand_weight).c_str(),
                    s.served_weight, percent(s.served_weight, s.demand_weight).c_str(), s.covered_unserved_weight,
                    s.spare_capacity);
    }
    if (!r.districts.empty()) {
        std::fprintf(console(), "\n");
        ConsoleTable d({"district", groups[r.group], "share", "mean min"});
        for (const maps::DistrictFigures& f : r.districts) {
            const planners::Figures& g = f.groups[r.group];
            d.add({f.name, fixed(g.total, 0), percent(g.covered, g.total), fixed(g.mean_minutes, 1)});
        }
        d.print();
    }
    print_note("coverage: " + std::to_string(done.features) + " demand features written to " + job.out);
    return 0;
}

int run_coverage(CoverageArgs& a) {
    const studies::Reporter rep = reporter();
    if (!a.shard.empty()) {
        if (a.shards > 0) throw UsageError("--shards runs every shard here; --shard I/N runs one of a planned run");
        if (a.shard_dir.empty()) throw UsageError("--shard needs --shard-dir DIR, the folder of the planned run");
        const auto [index, count] = studies::parse_shard_number(a.shard);
        const std::string dir = studies::enter_plan_folder(studies::read_plan(a.shard_dir), a.shard_dir, rep);
        studies::run_coverage_shard(coverage_job(a), dir, index, count, rep);
        return 0;
    }
    studies::CoverageJob job = coverage_job(a);
    if (a.shards == 0 && !a.shard_dir.empty()) throw UsageError("--shard-dir goes with --shards N or --shard I/N");
    if (a.shards == 0) return print_tables(studies::run_coverage(job, rep), job);
    const studies::LocalShardRun run{a.shards, a.jobs, studies::parse_shard_by(a.shard_by, "--shard-by"),
                                     a.shard_dir, a.keep_shards, a.network.threads};
    return print_tables(studies::run_coverage_in_shards(job, run, rep), job);
}

void add_sharding_options(CLI::App& cmd, CoverageArgs& a) {
    const std::string group = "Sharding (beyond one machine)";
    cmd.add_option("--shards", a.shards, "Run in N shards (each the same study on its part of the residents with the "
                                         "roads and facilities around them) as processes here, merged exactly")
        ->check(CLI::Range(1, 100000))
        ->group(group);
    cmd.add_option("--jobs", a.jobs, "With --shards: at most J shards at once (default: one per two cores)")
        ->check(CLI::Range(1, 10000))
        ->group(group);
    cmd.add_option("--shard-by", a.shard_by, "tiles (rectangles of about as many residents' features) or districts")
        ->check(CLI::IsMember({"tiles", "districts"}))
        ->capture_default_str()
        ->group(group);
    cmd.add_option("--shard", a.shard, "Run shard I of N of a planned run (I from 0), e.g. a Slurm array task")
        ->group(group);
    cmd.add_option("--shard-dir", a.shard_dir, "The folder of a sharded run (with --shards: kept after the run)")
        ->group(group);
    cmd.add_flag("--keep-shards", a.keep_shards, "With --shards: keep the temporary folder of the shards")->group(group);
}

void add_coverage_options(CLI::App& cmd, CoverageArgs& a) {
    add_network_options(cmd, a.network, true);
    add_standard_options(cmd, a.standard);
    add_transit_options(cmd, a.transit);
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
    add_sharding_options(cmd, a);
    add_quiet_option(cmd);
}

/** A coverage verb's arguments (without the verb) as a sharded run keeps them. */
CoverageArgs parse_coverage_args(const std::vector<std::string>& args) {
    CoverageArgs a;
    CLI::App app{"lifecircle coverage", "coverage"};
    add_coverage_options(app, a);
    try {
        app.parse(std::vector<std::string>(args.rbegin(), args.rend()));
    } catch (const CLI::ParseError& e) {
        throw UsageError("the coverage options of the sharded run: " + std::string(e.what()));
    }
    a.raw_args = args;
    return a;
}

struct SlurmArgs {
    studies::SlurmJobs jobs;
    std::string out, shard_by = "tiles", lifecircle;
    bool submit = false, dry_run = false, force = false;
    std::vector<std::string> study;
};

int run_slurm(SlurmArgs& s) {
    if (s.study.empty() || s.study.front() != "coverage")
        throw UsageError("lifecircle slurm runs a coverage study in shards: lifecircle slurm --shards 16 --out DIR -- "
                         "coverage --network ... --demand ... --facilities ... --out merged.gpkg");
    if (s.submit && s.dry_run) throw UsageError("--submit and --dry-run exclude each other");
    CoverageArgs a = parse_coverage_args({s.study.begin() + 1, s.study.end()});
    if (!a.shard.empty() || a.shards > 0 || !a.shard_dir.empty())
        throw UsageError("give the study without --shard, --shards or --shard-dir: lifecircle slurm plans the shards");
    const studies::CoverageJob job = coverage_job(a);
    studies::SlurmJobs& j = s.jobs;
    j.dir = std::filesystem::absolute(s.out).lexically_normal().string();
    j.cwd = std::filesystem::current_path().string();
    j.lifecircle = s.lifecircle.empty() ? studies::self_executable() : std::filesystem::absolute(s.lifecircle).string();
    j.args = {"coverage"};
    j.args.insert(j.args.end(), job.args.begin(), job.args.end());
    const studies::SlurmScripts scripts = studies::slurm_scripts(j);
    if (s.dry_run) {
        std::fprintf(console(), "# %s/shards.sbatch\n%s\n# %s/merge.sbatch\n%s\n# %s/submit.sh\n%s", j.dir.c_str(),
                    scripts.shards.c_str(), j.dir.c_str(), scripts.merge.c_str(), j.dir.c_str(), scripts.submit.c_str());
        return 0;
    }
    studies::plan_coverage(job,
                           {j.dir, j.shards, studies::parse_shard_by(s.shard_by, "--shard-by"), s.force,
                            {{"shards.sbatch", scripts.shards}, {"merge.sbatch", scripts.merge}, {"submit.sh", scripts.submit}}},
                           reporter());
    if (!s.submit) {
        print_note("slurm: submit with sh " + j.dir + "/submit.sh");
        return 0;
    }
    const studies::SlurmSubmission ids = studies::submit_slurm(j.dir);
    std::fprintf(console(), "submitted: array job %s (%zu shards), merge job %s after it; outputs: %s\n", ids.array.c_str(),
                j.shards, ids.merge.c_str(), a.out.c_str());
    return 0;
}

int run_merge(const std::string& dir, unsigned threads) {
    const studies::Reporter rep = reporter();
    const studies::ShardPlan plan = studies::read_plan(dir);
    if (plan.verb != "coverage")
        throw UsageError("the run in " + dir + " is a sharded '" + plan.verb + "' study, which this lifecircle cannot "
                         "merge");
    const std::string absolute = studies::enter_plan_folder(plan, dir, rep);
    CoverageArgs a = parse_coverage_args(plan.args);
    if (threads > 0) a.network.threads = threads;
    const studies::CoverageJob job = coverage_job(a);
    return print_tables(studies::merge_coverage(job, absolute, rep), job);
}

}  // namespace

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

void add_merge(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("merge", "Merge the shards of a sharded run (lifecircle slurm, or coverage --shards "
                                            "N --shard-dir DIR) into the outputs its study names, as the whole run");
    auto dir = std::make_shared<std::string>();
    auto threads = std::make_shared<unsigned>(0);
    cmd->add_option("dir", *dir, "The run's folder (holding manifest.json and shards/)")->required();
    cmd->add_option("--threads", *threads, "Worker threads (0 = the study's --threads, or all cores)");
    add_quiet_option(*cmd);
    cmd->callback([&run, dir, threads] { run = [dir, threads] { return run_merge(*dir, *threads); }; });
}

void add_slurm(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("slurm", "Plan a coverage study in shards on a Slurm cluster: an array job of N "
                                            "shards (each retried once) and a merge job after them; lifecircle slurm "
                                            "--shards 16 --out DIR -- coverage --network ...");
    auto s = std::make_shared<SlurmArgs>();
    cmd->add_option("--shards", s->jobs.shards, "Number of shards (array tasks)")->required()->check(CLI::Range(1, 100000));
    cmd->add_option("--out", s->out, "Folder of the run: manifest, network parts, scripts, results, logs")->required();
    cmd->add_option("--shard-by", s->shard_by, "tiles or districts (whole --districts together)")
        ->check(CLI::IsMember({"tiles", "districts"}))
        ->capture_default_str();
    cmd->add_option("--partition", s->jobs.partition, "Slurm partition");
    cmd->add_option("--time", s->jobs.time, "Time limit of each task, as sbatch takes it (e.g. 1:00:00)");
    cmd->add_option("--mem", s->jobs.mem, "Memory of each shard task, as sbatch takes it (e.g. 2G)");
    cmd->add_option("--merge-mem", s->jobs.merge_mem, "Memory of the merge job (default: --mem)");
    cmd->add_option("--cpus", s->jobs.cpus, "CPUs per task")->capture_default_str()->check(CLI::Range(1u, 1024u));
    cmd->add_option("--account", s->jobs.account, "Slurm account to charge");
    cmd->add_option("--lifecircle", s->lifecircle, "The lifecircle program the jobs run (default: this one)");
    cmd->add_flag("--submit", s->submit, "Submit the jobs with sbatch");
    cmd->add_flag("--dry-run", s->dry_run, "Print the job scripts; plan and write nothing");
    cmd->add_flag("--force", s->force, "Write into a folder that holds files lifecircle did not write");
    cmd->add_option("study", s->study, "-- coverage and its options (the study every shard runs)")->required();
    add_quiet_option(*cmd);
    cmd->callback([&run, s] { run = [s] { return run_slurm(*s); }; });
}

}  // namespace lifecircle::cli
