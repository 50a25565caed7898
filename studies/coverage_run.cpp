#include "studies/coverage_run.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "io/layer_writer.hpp"
#include "io/output.hpp"
#include "io/points.hpp"
#include "studies/console.hpp"
#include "studies/merge.hpp"

namespace lifecircle::studies {

namespace fs = std::filesystem;

namespace {

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

void print_coverage(const CoverageOutcome& done, const CoverageJob& job) {
    const ServiceResult& r = done.result;
    const std::vector<std::string>& groups = done.area->demand.groups;
    std::fprintf(console_stream(), "coverage within %s, %s\n", done.options.standard.describe().c_str(),
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
        std::fprintf(console_stream(), "\ncapacity (%s): %.0f for %.0f %s; within the standard %.0f (%s), served %.0f (%s), covered but "
                    "unserved %.0f, spare %.0f\n",
                    job.options.facilities.read.capacity_field.c_str(), s.capacity, s.demand_weight,
                    groups[r.group].c_str(), s.covered_weight, percent(s.covered_weight, s.demand_weight).c_str(),
                    s.served_weight, percent(s.served_weight, s.demand_weight).c_str(), s.covered_unserved_weight,
                    s.spare_capacity);
    }
    if (!r.districts.empty()) {
        std::fprintf(console_stream(), "\n");
        ConsoleTable d({"district", groups[r.group], "share", "mean min"});
        for (const maps::DistrictFigures& f : r.districts) {
            const planners::Figures& g = f.groups[r.group];
            d.add({f.name, fixed(g.total, 0), percent(g.covered, g.total), fixed(g.mean_minutes, 1)});
        }
        d.print();
    }
}

ShardedStudy sharded_study(const CoverageJob& job) {
    ShardedStudy s;
    s.verb = "coverage";
    s.spec = job.spec;
    s.options = job.options;
    s.standards_file = job.standards_file;
    s.args = job.args;
    s.transit = job.transit.has_value();
    s.out = job.out;
    s.check_outputs = [job](const Reporter& rep) { const Outputs check = declare_outputs(job, rep); };
    s.merge = [job](const std::string& dir, const Reporter& rep) { merge_coverage(job, dir, rep); };
    return s;
}

CoverageOutcome merge_coverage(const CoverageJob& job, const std::string& dir, const Reporter& rep) {
    Outputs out = declare_outputs(job, rep);
    MergedStudy m = merge_sharded(sharded_study(job), dir, rep);
    CoverageOutcome done;
    done.features = write_outputs(job, out, *m.area, job.options, m.result, rep);
    done.area = std::move(m.area);
    done.result = std::move(m.result);
    done.options = job.options;
    return done;
}

}  // namespace lifecircle::studies
