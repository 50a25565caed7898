// lifecircle coverage: one service study with its files (studies/coverage_run.hpp), whole or in
// shards (cli/shards.hpp).
#include "cli/common.hpp"
#include "cli/shards.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "studies/coverage_run.hpp"
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
    ShardArgs sharding;
};

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
    job.args = studies::study_words(a.sharding.raw);
    return job;
}

int print_tables(const studies::CoverageOutcome& done, const studies::CoverageJob& job) {
    studies::print_coverage(done, job);
    print_note("coverage: " + std::to_string(done.features) + " demand features written to " + job.out);
    return 0;
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
    add_sharding_options(cmd, a.sharding);
    add_quiet_option(cmd);
}

/** The job in shards: its merge prints the tables. */
studies::ShardedStudy sharded_of(const studies::CoverageJob& job) {
    studies::ShardedStudy s = studies::sharded_study(job);
    s.merge = [job](const std::string& dir, const studies::Reporter& rep) {
        print_tables(studies::merge_coverage(job, dir, rep), job);
    };
    return s;
}

}  // namespace

studies::ShardedStudy sharded_coverage(const std::vector<std::string>& words, unsigned threads) {
    CoverageArgs a;
    parse_words("coverage", words, a, add_coverage_options);
    if (threads > 0) a.network.threads = threads;
    return sharded_of(coverage_job(a));
}

void add_coverage(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("coverage", "Who is within the standard: per resident the minutes to the nearest "
                                               "facility, shares per group and district, seats, and a gap map");
    auto a = std::make_shared<CoverageArgs>();
    add_coverage_options(*cmd, *a);
    cmd->callback([&run, a] {
        keep_raw_args(a->sharding, "coverage");
        run = [a] {
            const studies::CoverageJob job = coverage_job(*a);
            return run_as_asked(a->sharding, a->network.threads, [&job] { return sharded_of(job); },
                                [&job] { return print_tables(studies::run_coverage(job, reporter()), job); });
        };
    });
}

}  // namespace lifecircle::cli
