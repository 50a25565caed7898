#include "studies/plan_shards.hpp"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "core/error.hpp"
#include "io/html_pdf.hpp"
#include "studies/plan_folder.hpp"
#include "studies/suggestion.hpp"

namespace lifecircle::studies {

ShardedStudy sharded_study(const PlanShardJob& job, std::function<void(const PlanResult&)> done) {
    auto sc = std::make_shared<const Scenario>(read_scenario(job.scenario_path));
    auto studies = std::make_shared<const std::vector<PlanStudy>>(plan_studies(*sc));
    const AreaSpec spec{sc->network, sc->demand, sc->districts, job.threads};
    ShardedStudy s;
    s.verb = "plan";
    s.spec = spec;
    s.options = studies->front().options;
    s.args = job.args;
    s.out = job.out;
    s.extra_inputs = sc->inputs();
    for (const PlanStudy& st : *studies) {
        const StudyStandard& standard = st.options.standard;
        if (standard.minutes) s.longest_seconds = std::max(s.longest_seconds, standard.max_seconds());
        if (standard.metres) s.longest_metres = std::max(s.longest_metres, *standard.metres);
        if (st.sites) s.longest_seconds = std::max(s.longest_seconds, st.sites->bound);
    }
    // Every service's facilities, every variant's and every candidate site go to the shard they lie in.
    s.more_points = [studies](const io::Network& frame, const Box& bounds) {
        const Reporter quiet;
        std::vector<Point> xy;
        for (const PlanStudy& st : *studies) {
            FacilitySpec fs = st.options.facilities;
            fs.network_lonlat_bounds = bounds;
            const FacilitySet f = st.facilities ? st.facilities(frame, bounds, quiet) : read_facilities(fs, frame, quiet);
            xy.insert(xy.end(), f.xy.begin(), f.xy.end());
            if (st.sites) {
                FacilitySpec cs = st.sites->sites;
                cs.network_lonlat_bounds = bounds;
                const FacilitySet c = read_facilities(cs, frame, quiet);
                xy.insert(xy.end(), c.xy.begin(), c.xy.end());
            }
        }
        return xy;
    };
    s.check_outputs = [out = job.out, pdf = job.pdf](const Reporter&) {
        if (out.empty()) throw UsageError("give the output folder: --out DIR");
        if (pdf) io::require_chromium("--pdf");  // where the run is planned; the merge checks again
    };
    s.shard = [studies, spec](const ShardPlan& plan, const std::string& parts, std::size_t index, const Reporter& rep) {
        std::vector<std::string> results;
        for (const PlanStudy& st : *studies)
            results.push_back(shard_result_bytes(
                run_shard(plan, parts, index, spec, st.options, rep, st.sites ? &*st.sites : nullptr, st.facilities)));
        return shard_studies_bytes(results);
    };
    s.merge = [job, sc, studies, spec, done](const std::string& dir, const Reporter& rep) {
        if (job.pdf) io::require_chromium("--pdf");  // before the merge's work
        const ShardPlan plan = read_plan(dir);
        std::vector<std::vector<ShardResult>> results =
            load_shard_studies(plan, (std::filesystem::path(dir) / "shards").string(), studies->size());
        PlanOptions options;
        options.threads = job.threads;
        options.merged = std::make_shared<std::vector<MergedPlanStudy>>();
        for (std::size_t j = 0; j < studies->size(); ++j) {
            const PlanStudy& st = (*studies)[j];
            options.merged->push_back(
                {st.service, st.variant, merge_shards(plan, std::move(results[j]), spec, st.options, rep)});
        }
        PlanWriteOptions write;
        write.threads = job.threads;
        write.pdf = job.pdf;
        const PlanResult r = plan_into_folder(*sc, {job.out, job.force, {}}, options, write, rep);
        if (done) done(r);
    };
    return s;
}

}  // namespace lifecircle::studies
