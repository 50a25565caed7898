#include "studies/verb_jobs.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "io/layer_writer.hpp"
#include "io/osm_network.hpp"
#include "io/points.hpp"
#include "maps/coverage_layers.hpp"
#include "maps/suggest_layers.hpp"

namespace lifecircle::studies {

namespace {

std::vector<double> parse_breaks(const std::string& text) {
    std::vector<double> out;
    for (const std::string& item : split_list(text)) {
        const std::string why = limit_problem(Quantity::minutes, item);
        if (!why.empty())
            throw UsageError("--minutes takes breaks separated by commas, e.g. 5,10,15: each " +
                             why);
        out.push_back(std::stod(item));
    }
    if (out.empty()) throw UsageError("--minutes needs at least one break, e.g. 15");
    return out;
}

std::string lower(std::string t) {
    std::transform(t.begin(), t.end(), t.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return t;
}

/** The network for a verb, by public transport with its length twin. */
std::unique_ptr<LoadedNetwork> load_job_network(const NetworkJob& n, const Reporter& rep) {
    return load_network(n.spec, n.profile, rep, n.transit.has_value());
}

/** The timetable by public transport, placed on the network; null otherwise. */
std::shared_ptr<const TransitData> job_transit(const NetworkJob& n, const LoadedNetwork& net,
                                               Seconds seconds, const Reporter& rep) {
    return n.transit ? load_transit(*n.transit, net.net, *net.snapper, seconds, rep) : nullptr;
}

}  // namespace

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        const auto b = item.find_first_not_of(" \t");
        const auto e = item.find_last_not_of(" \t");
        if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    }
    return out;
}

io::OutputPlan plan_outputs(std::vector<io::OutputRequest> outputs,
                            const std::vector<std::pair<std::string, std::string>>& inputs,
                            const Reporter& reporter) {
    std::vector<std::string> paths;
    for (const auto& [option, path] : inputs) {
        if (path.empty()) continue;
        io::check_input_path(path, option);
        paths.push_back(path);
    }
    return io::OutputPlan(std::move(outputs), paths,
                          [&reporter](const std::string& n) { reporter.note(n); });
}

void write_files(io::OutputPlan& plan, std::vector<std::vector<Layer>> per_file,
                 const std::string& crs, bool update, unsigned threads, const Reporter& reporter) {
    io::WriteOptions wo;
    wo.update = update;
    wo.threads = threads;
    for (std::size_t f = 0; f < per_file.size(); ++f) {
        if (per_file[f].empty()) continue;
        for (const std::string& n : io::write_layers(plan, f, per_file[f], crs, wo))
            reporter.note(n);
    }
}

IsochroneJobResult run_isochrone_job(IsochroneJob job, const Reporter& rep) {
    IsochroneStudyOptions& o = job.study;
    o.minutes = parse_breaks(job.minutes);
    const std::vector<std::string> formats = {".geojson", ".json", ".gpkg"};
    std::vector<io::OutputRequest> requests = {{"--out", job.out, formats, ".geojson", true}};
    if (!job.lines.empty()) requests.push_back({"--lines", job.lines, formats, ".geojson", true});
    io::OutputPlan plan = plan_outputs(
        std::move(requests),
        {{"--network", job.network.spec.path}, {"--facilities", o.facilities.path}}, rep);
    if (!job.lines_layer_name.empty() && job.lines.empty())
        throw UsageError("--lines-layer-name needs --lines FILE");
    if (!job.lines.empty() && plan.file_of(0) == plan.file_of(1) &&
        lower(job.layer_name.empty() ? "isochrones" : job.layer_name) ==
            lower(job.lines_layer_name.empty() ? "reached_roads" : job.lines_layer_name))
        throw UsageError(
            "--layer-name and --lines-layer-name must differ when --out and --lines are one .gpkg");
    io::check_point_input(o.facilities.path, o.facilities.read);
    o.lines = !job.lines.empty();
    o.threads = job.network.threads;
    const auto loaded = load_job_network(job.network, rep);
    o.transit = job_transit(job.network, *loaded,
                            *std::max_element(o.minutes.begin(), o.minutes.end()) * 60.0, rep);
    IsochroneStudyResult r = run_isochrones(*loaded, o, rep);
    if (!job.layer_name.empty()) r.layers.areas.name = job.layer_name;
    if (!job.lines_layer_name.empty()) r.layers.lines.name = job.lines_layer_name;
    const IsochroneJobResult out{r.layers.areas.features.size(), r.placed};
    std::vector<std::vector<Layer>> per_file(plan.files().size());
    per_file[plan.file_of(0)].push_back(std::move(r.layers.areas));
    if (!job.lines.empty()) per_file[plan.file_of(1)].push_back(std::move(r.layers.lines));
    write_files(plan, std::move(per_file), loaded->net.work_crs, job.update, job.network.threads,
                rep);
    plan.commit();
    return out;
}

std::size_t run_matrix_job(MatrixJob job, const Reporter& rep) {
    for (FacilitySpec* s : {&job.matrix.from, &job.matrix.to}) {
        if (s->read.input_crs.empty()) s->read.input_crs = job.input_crs;
        if (s->read.id_field.empty()) s->read.id_field = job.id_field;
        io::check_point_input(s->path, s->read);
    }
    std::vector<std::string> formats = {".csv", ".gpkg"};
    if (io::output_format_available(".parquet")) formats.push_back(".parquet");
    io::OutputPlan plan = plan_outputs({{"--out", job.out, formats, ".csv", false}},
                                       {{"--network", job.network.spec.path},
                                        {"--from", job.matrix.from.path},
                                        {"--to", job.matrix.to.path}},
                                       rep);
    const auto loaded = load_job_network(job.network, rep);
    job.matrix.cutoff = job.max_minutes ? *job.max_minutes * 60.0 : unreachable;
    job.matrix.threads = job.network.threads;
    job.matrix.transit = job_transit(job.network, *loaded, job.matrix.cutoff, rep);
    const MatrixResult r = run_matrix(*loaded, job.matrix, rep);
    if (plan.files().front().format == ".csv") {
        io::TextOutput out = plan.open_text(0);
        write_matrix_csv(r, [&out](std::string_view text) { out << text; });
        out.close();
    } else {
        write_files(plan, {{matrix_layer(r, job.layer_name)}}, "EPSG:4326", job.update,
                    job.network.threads, rep);
    }
    plan.commit();
    return r.table.size();
}

io::DemandSet run_demand_job(DemandJob job, const Reporter& rep) {
    io::OutputPlan plan =
        plan_outputs({{"--out", job.out, {".geojson", ".json", ".gpkg"}, ".geojson", true}},
                     {{"--buildings", job.buildings}, {"--network", job.network.spec.path}}, rep);
    if (job.network.spec.path.empty()) {
        // An OpenStreetMap file holds the roads beside its buildings; a building layer does not.
        if (!io::is_osm_file(job.buildings))
            throw UsageError("--buildings " + job.buildings +
                             " is not OpenStreetMap, so it holds no roads: give the road network too (--network "
                             "roads.shp or an .osm.pbf), for the work CRS and to place the residents");
        job.network.spec.path = job.buildings;
    }
    const auto loaded = load_network(job.network.spec, job.network.profile, rep);
    io::DemandSet d =
        io::estimate_residents_from_buildings(job.buildings, job.options, loaded->net);
    for (const std::string& n : d.notes) rep.note(job.buildings + ": " + n);
    write_files(plan,
                {{maps::residents_layer(d.features, d.groups, d.feature_weights, job.layer_name)}},
                loaded->net.work_crs, job.update, job.network.threads, rep);
    plan.commit();
    return d;
}

std::size_t run_facilities_job(const std::string& osm_file, const std::string& kind,
                               const std::string& out, const std::string& layer_name, bool update,
                               const Reporter& rep) {
    io::OutputPlan plan =
        plan_outputs({{"--out", out, {".geojson", ".json", ".gpkg"}, ".geojson", false}},
                     {{"--network", osm_file}}, rep);
    Layer layer = osm_facilities_layer(osm_file, kind, layer_name);
    const std::size_t count = layer.features.size();
    write_files(plan, {{std::move(layer)}}, "EPSG:4326", update, 0, rep);
    plan.commit();
    return count;
}

namespace {

/** The outputs of a suggestion, declared and checked before any work. */
io::OutputPlan suggestion_outputs(const SuggestionJob& job, const Reporter& rep) {
    const SuggestionOptions& o = job.options;
    const std::vector<std::string> layer_formats = {".geojson", ".json", ".gpkg"};
    std::vector<io::OutputRequest> requests = {{"--out", job.out, layer_formats, ".geojson", true}};
    if (!job.summary.empty())
        requests.push_back({"--summary", job.summary, {".json"}, ".json", false});
    const bool auto_cands = o.candidates.path == "auto";
    return plan_outputs(std::move(requests),
                        {{"--network", job.spec.network.path},
                         {"--demand", job.spec.demand.path},
                         {"--facilities", o.service.facilities.path},
                         {"--candidates", auto_cands ? "" : o.candidates.path},
                         {"--exclude", o.candidates.exclude.path}},
                        rep);
}

/** Checks the inputs of a suggestion, after its outputs and before the network is loaded. */
void check_suggestion_inputs(const SuggestionJob& job) {
    const SuggestionOptions& o = job.options;
    if (!o.service.facilities.path.empty())
        io::check_point_input(o.service.facilities.path, o.service.facilities.read);
    if (o.candidates.path != "auto") io::check_point_input(o.candidates.path, o.candidates.read);
    check_suggestion(o);
}

void write_suggestion(const SuggestionJob& job, io::OutputPlan& plan, const SuggestionRun& run, const Reporter& rep) {
    write_files(plan, {{maps::sites_layer(run.result.rows)}}, run.area->net.work_crs, job.update,
                job.spec.threads, rep);
    if (!job.summary.empty())
        plan.write_text(plan.file_of(1),
                        suggestion_summary(*run.area, job.spec, run.options, run.result).dump(2) + "\n");
    plan.commit();
}

}  // namespace

SuggestionRun run_suggestion_job(const SuggestionJob& job, const Reporter& rep) {
    io::OutputPlan plan = suggestion_outputs(job, rep);
    check_suggestion_inputs(job);
    SuggestionRun run;
    run.options = job.options;
    StudyStandard& standard = run.options.service.standard;
    run.area = load_area(job.spec, standard.profile(), rep);
    if (job.transit)
        standard.transit = load_transit(*job.transit, run.area->net, *run.area->snapper,
                                        standard.max_seconds(), rep);
    run.result = run_suggestion(*run.area, run.options, rep);
    write_suggestion(job, plan, run, rep);
    return run;
}

ShardedStudy sharded_study(const SuggestionJob& job) {
    check_sharded_suggestion(job.options);  // transit: refused by plan_sharded
    ShardedStudy s;
    s.verb = "suggest";
    s.spec = job.spec;
    s.options = job.options.service;
    s.options.facilities.required = false;
    s.options.areas.reset();
    s.sites = candidate_table(job.options);
    s.standards_file = job.standards_file;
    s.args = job.args;
    s.transit = job.transit.has_value();
    s.out = job.out;
    s.check_outputs = [job](const Reporter& rep) {
        const io::OutputPlan check = suggestion_outputs(job, rep);
        check_suggestion_inputs(job);
    };
    s.merge = [job](const std::string& dir, const Reporter& rep) { merge_suggestion(job, dir, rep); };
    return s;
}

SuggestionRun merge_suggestion(const SuggestionJob& job, const std::string& dir, const Reporter& rep) {
    io::OutputPlan plan = suggestion_outputs(job, rep);
    check_suggestion_inputs(job);
    MergedStudy m = merge_sharded(sharded_study(job), dir, rep);
    SuggestionRun run;
    run.options = job.options;
    run.result = run_suggestion_on_shards(m, run.options, plan_frame(read_plan(dir)), rep);
    run.area = std::move(m.area);
    write_suggestion(job, plan, run, rep);
    return run;
}

MatrixSuggestionResult run_matrix_suggestion_job(const MatrixSuggestionOptions& o,
                                                 const std::string& out, const std::string& summary,
                                                 const Reporter& rep) {
    std::vector<io::OutputRequest> requests = {{"--out", out, {".csv"}, ".csv", false}};
    if (!summary.empty()) requests.push_back({"--summary", summary, {".json"}, ".json", false});
    io::OutputPlan plan = plan_outputs(
        std::move(requests),
        {{"--matrix", o.matrix}, {"--demand", o.demand}, {"--candidates", o.candidates}}, rep);
    MatrixSuggestionResult r = run_matrix_suggestion(o, rep);
    plan.write_text(plan.file_of(0), r.csv);
    if (!summary.empty()) plan.write_text(plan.file_of(1), r.summary.dump(2) + "\n");
    plan.commit();
    return r;
}

}  // namespace lifecircle::studies
