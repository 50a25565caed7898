#include "studies/merge.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"

namespace lifecircle::studies {

namespace {

std::string shard_name(std::size_t index, std::size_t count) {
    return "shard " + std::to_string(index) + " of " + std::to_string(count);
}

std::string join_numbers(const std::vector<std::size_t>& v, const std::string& sep) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + std::to_string(v[i]);
    return out;
}

/** The first lines of a failure note beside a missing result. */
std::string failure_note(const std::filesystem::path& note) {
    std::ifstream in(note);
    if (!in) return {};
    std::string text, line;
    for (int k = 0; k < 3 && std::getline(in, line); ++k) text += (text.empty() ? "" : " ") + line;
    return text;
}

}  // namespace

namespace {

/** Refuses a run with shards that left no result, naming them and why (their .failed notes). */
void check_shards_present(const ShardPlan& plan, const std::string& folder) {
    namespace fs = std::filesystem;
    const std::size_t n = plan.shards.size();
    std::vector<std::size_t> missing;
    std::vector<std::string> notes;
    for (std::size_t i = 0; i < n; ++i) {
        const fs::path p = fs::path(folder) / shard_file_name(i, n);
        if (fs::exists(p)) continue;
        missing.push_back(i);
        fs::path note = p;
        note.replace_extension(".failed");
        const std::string why = failure_note(note);
        if (!why.empty()) notes.push_back(shard_name(i, n) + ": " + why);
    }
    if (!missing.empty()) {
        std::string text = std::to_string(missing.size()) + " of " + std::to_string(n) + " shards have no result (" +
                           (missing.size() == 1 ? "shard " : "shards ") + join_numbers(missing, ", ") + ")";
        for (const std::string& note : notes) text += "; " + note;
        text += ". Run them (lifecircle " + plan.verb + " ... --shard I/" + std::to_string(n) +
                " --shard-dir DIR, or sbatch --array=" + join_numbers(missing, ",") +
                " shards.sbatch in the run folder) and merge again";
        throw InputError(text).set_file(folder);
    }
}

/** A result read back, refused when it is another plan's or another shard's. */
ShardResult checked_result(std::string_view bytes, const ShardPlan& plan, std::size_t i, const std::string& path) {
    const std::size_t n = plan.shards.size();
    ShardResult r = shard_result_from_bytes(bytes, path);
    if (r.plan_hash != plan.hash)
        throw InputError(shard_name(i, n) + " was made for another plan of the run (plan " + hash_text(r.plan_hash) +
                         ", the manifest's " + hash_text(plan.hash) +
                         "): the inputs or the options changed since; run the shard again")
            .set_file(path);
    if (r.index != i || r.count != n)
        throw InputError("this file holds " + shard_name(r.index, r.count) + ", not " + shard_name(i, n) +
                         "; run the shard again")
            .set_file(path);
    return r;
}

constexpr std::string_view studies_magic = "LCSTUDY1";

}  // namespace

std::vector<ShardResult> load_shard_results(const ShardPlan& plan, const std::string& folder) {
    check_shards_present(plan, folder);
    const std::size_t n = plan.shards.size();
    std::vector<ShardResult> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::string path = (std::filesystem::path(folder) / shard_file_name(i, n)).string();
        out.push_back(checked_result(read_whole_file(path), plan, i, path));
    }
    return out;
}

std::string shard_studies_bytes(const std::vector<std::string>& results) {
    BinaryWriter w;
    w.raw(studies_magic);
    w.put_strings(results);
    return w.buffer();
}

std::vector<std::vector<ShardResult>> load_shard_studies(const ShardPlan& plan, const std::string& folder,
                                                         std::size_t studies) {
    check_shards_present(plan, folder);
    const std::size_t n = plan.shards.size();
    std::vector<std::vector<ShardResult>> out(studies);
    for (std::size_t i = 0; i < n; ++i) {
        const std::string path = (std::filesystem::path(folder) / shard_file_name(i, n)).string();
        const std::string bytes = read_whole_file(path);
        BinaryReader r(bytes, path);
        if (bytes.substr(0, studies_magic.size()) != studies_magic)
            throw InputError("this is not the result of a plan's shard; run the shard again").set_file(path);
        r.take(studies_magic.size());
        const std::vector<std::string> each = r.get_strings();
        if (each.size() != studies || r.left() != 0)
            throw InputError("the shard holds " + std::to_string(each.size()) + " studies, the plan " +
                             std::to_string(studies) + "; run the shard again")
                .set_file(path);
        for (std::size_t j = 0; j < studies; ++j) out[j].push_back(checked_result(each[j], plan, i, path));
    }
    return out;
}

MergedStudy merge_shards(const ShardPlan& plan, std::vector<ShardResult> results, const AreaSpec& spec,
                         const ServiceOptions& o, const Reporter& reporter) {
    const std::size_t n = plan.shards.size();
    const std::string demand_file = spec.demand.path;
    std::sort(results.begin(), results.end(), [](const ShardResult& a, const ShardResult& b) { return a.index < b.index; });
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (results[i].plan_hash != plan.hash)
            throw InputError(shard_name(results[i].index, n) + "'s result was made for another plan; run it again");
        if (results[i].index != i || results[i].count != n)
            throw InputError("the merge needs one result of each of the " + std::to_string(n) + " shards; " +
                             (results[i].index < i ? shard_name(results[i].index, n) + " came twice"
                                                   : shard_name(i, n) + " is missing"));
    }
    if (results.size() != n) throw InputError("the merge needs one result of each of the " + std::to_string(n) + " shards");
    ShardResult& first = results.front();
    for (const ShardResult& r : results) {
        const auto disagree = [&](const std::string& what) {
            return InputError(shard_name(r.index, n) + " read " + what + " other than shard 0 did; the inputs changed "
                              "while the shards ran: plan the run again");
        };
        if (r.demand.groups != first.demand.groups) throw disagree("demand groups");
        if (r.demand.features.fields.size() != first.demand.features.fields.size()) throw disagree("demand fields");
        for (std::size_t k = 0; k < r.demand.features.fields.size(); ++k)
            if (r.demand.features.fields[k].name != first.demand.features.fields[k].name ||
                r.demand.features.fields[k].type != first.demand.features.fields[k].type)
                throw disagree("demand fields");
        if (r.facilities.ids != first.facilities.ids || r.facilities.xy != first.facilities.xy ||
            r.facilities.capacity != first.facilities.capacity || r.facilities.delay != first.facilities.delay ||
            r.facilities.cutoff != first.facilities.cutoff)
            throw disagree("facilities");
        if (r.districts.names != first.districts.names || r.districts.ids != first.districts.ids)
            throw disagree("districts");
        if (r.coverage.has_length != first.coverage.has_length || r.pairs.has_value() != first.pairs.has_value())
            throw disagree("a standard");
        if (r.sites.has_value() != first.sites.has_value() ||
            (r.sites && (r.sites->set.ids != first.sites->set.ids || r.sites->set.xy != first.sites->set.xy ||
                         r.sites->set.capacity != first.sites->set.capacity || r.sites->set.cost != first.sites->set.cost)))
            throw disagree("candidate sites");
    }

    // The features in the input's order: by FID (the plan checked that FIDs follow it).
    struct Ref {
        std::int64_t fid;
        std::uint32_t shard;
        std::uint32_t feature;
    };
    std::vector<Ref> refs;
    for (const ShardResult& r : results)
        for (std::size_t k = 0; k < r.demand.fids.size(); ++k)
            refs.push_back({r.demand.fids[k], static_cast<std::uint32_t>(r.index), static_cast<std::uint32_t>(k)});
    std::sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) { return a.fid < b.fid; });
    for (std::size_t k = 1; k < refs.size(); ++k)
        if (refs[k].fid == refs[k - 1].fid)
            throw InputError("the demand feature with FID " + std::to_string(refs[k].fid) + " is owned by " +
                             shard_name(refs[k - 1].shard, n) + " and by " + shard_name(refs[k].shard, n) +
                             "; plan the run again")
                .set_file(demand_file);
    if (refs.size() != plan.features)
        throw InputError("the shards own " + std::to_string(refs.size()) + " demand features, the plan counted " +
                         std::to_string(plan.features) + "; the demand changed while the shards ran: plan the run again")
            .set_file(demand_file);

    // Each shard's points by feature: read_demand appends them feature after feature.
    std::vector<std::vector<std::size_t>> first_point(n);
    for (const ShardResult& r : results) {
        std::vector<std::size_t>& f = first_point[r.index];
        f.assign(r.demand.ids.size() + 1, 0);
        for (const std::uint32_t k : r.demand.feature) ++f[k + 1];
        for (std::size_t k = 0; k + 1 < f.size(); ++k) f[k + 1] += f[k];
        for (std::size_t i = 1; i < r.demand.feature.size(); ++i)
            if (r.demand.feature[i] < r.demand.feature[i - 1])
                throw InputError(shard_name(r.index, n) + "'s demand points are not grouped by feature; run it again");
    }

    MergedStudy m;
    m.area = std::make_unique<StudyArea>();
    StudyArea& area = *m.area;
    area.net.path = spec.network.path;
    area.net.work_crs = plan.work_crs;
    area.profile = o.standard.profile();
    area.threads = spec.threads;
    io::DemandSet& d = area.demand;
    const std::size_t groups = first.demand.groups.size();
    d.groups = first.demand.groups;
    d.kind = first.demand.kind;
    d.features.name = first.demand.features.name;
    d.features.kind = first.demand.features.kind;
    d.features.fields = first.demand.features.fields;
    d.weights.assign(groups, {});
    d.feature_weights.assign(groups, {});
    std::size_t points = 0;
    for (const ShardResult& r : results) {
        points += r.demand.xy.size();
        d.polygons_without_road += r.demand.polygons_without_road;
        d.empty_weights += r.demand.empty_weights;
    }
    d.xy.reserve(points);
    d.feature.reserve(points);
    for (auto& w : d.weights) w.reserve(points);
    planners::CoverageResult& c = m.result.coverage;
    c.standard = first.coverage.standard;
    c.has_length = first.coverage.has_length;
    std::vector<std::vector<std::uint32_t>> global_of(n);
    for (const ShardResult& r : results) global_of[r.index].resize(r.demand.xy.size());
    std::vector<std::vector<std::uint32_t>> point_districts;
    point_districts.reserve(points);
    for (const Ref& ref : refs) {
        ShardResult& r = results[ref.shard];
        const std::uint32_t k = ref.feature;
        const auto feature = static_cast<std::uint32_t>(d.ids.size());
        d.ids.push_back(r.demand.ids[k]);
        d.fids.push_back(ref.fid);
        for (std::size_t g = 0; g < groups; ++g) d.feature_weights[g].push_back(r.demand.feature_weights[g][k]);
        d.features.features.push_back(std::move(r.demand.features.features[k]));
        for (std::size_t p = first_point[ref.shard][k]; p < first_point[ref.shard][k + 1]; ++p) {
            global_of[ref.shard][p] = static_cast<std::uint32_t>(d.xy.size());
            d.xy.push_back(r.demand.xy[p]);
            d.feature.push_back(feature);
            for (std::size_t g = 0; g < groups; ++g) d.weights[g].push_back(r.demand.weights[g][p]);
            Snap snap;
            snap.failure = static_cast<SnapFailure>(r.snap_failure[p]);
            area.demand_snaps.push_back(snap);
            c.by_time.seconds.push_back(r.coverage.by_time.seconds[p]);
            c.by_time.facility.push_back(r.coverage.by_time.facility[p]);
            if (c.has_length) {
                c.by_length.seconds.push_back(r.coverage.by_length.seconds[p]);
                c.by_length.facility.push_back(r.coverage.by_length.facility[p]);
            }
            c.status.push_back(r.coverage.status[p]);
            c.covered.push_back(r.coverage.covered[p]);
            point_districts.push_back(std::move(r.point_districts[p]));
        }
    }

    // Districts and membership, as district_membership() makes them for the whole demand.
    area.districts = std::move(first.districts);
    DistrictMembership& dm = area.membership;
    dm.overlap_weight.assign(groups, 0.0);
    if (!area.districts.polygons.empty()) {
        dm.members.resize(area.districts.polygons.size());
        for (std::uint32_t i = 0; i < point_districts.size(); ++i) {
            const std::vector<std::uint32_t>& in = point_districts[i];
            if (in.empty()) dm.outside.push_back(i);
            if (in.size() > 1) {
                ++dm.overlap_points;
                for (std::size_t g = 0; g < groups; ++g) dm.overlap_weight[g] += d.weights[g][i];
            }
            for (const std::uint32_t k : in) {
                if (k >= dm.members.size()) throw InputError("a shard names a district the districts file lacks; run it again");
                dm.members[k].push_back(i);
            }
        }
    }

    // Facilities: every shard read them all; each is placed by the shard that owns it.
    ServiceResult& r = m.result;
    r.facilities = std::move(first.facilities);
    const std::size_t facilities = r.facilities.size();
    r.placed.snaps.resize(facilities);
    r.placed.delay = r.facilities.delay;
    r.placed.cutoff = r.facilities.cutoff;
    for (std::size_t f = 0; f < facilities; ++f) {
        std::size_t owners = 0;
        for (const ShardResult& s : results)
            if (s.owns_facility[f]) {
                ++owners;
                r.placed.snaps[f] = s.facility_snaps[f];
            }
        if (owners != 1)
            throw InputError("facility " + r.facilities.ids[f] + " is owned by " + std::to_string(owners) +
                             " shards, not one; plan the run again")
                .set_file(r.facilities.source);
        if (r.placed.snaps[f].ok()) ++r.placed.placed;
    }

    // The pairs of every shard are the whole run's table.
    const auto merged_table = [&](auto table_of, std::size_t sources) {
        std::vector<std::vector<TimeEntry>> rows(sources);
        for (const ShardResult& s : results) {
            const TimeTable& t = table_of(s);
            if (t.rows() != sources || t.cols() != s.demand.xy.size())
                throw InputError(shard_name(s.index, n) + "'s pairs do not fit; run it again");
            for (std::size_t f = 0; f < sources; ++f)
                for (const TimeEntry& e : t.row(f)) rows[f].push_back({global_of[s.index][e.col], e.seconds});
        }
        for (auto& row : rows)
            std::sort(row.begin(), row.end(), [](const TimeEntry& a, const TimeEntry& b) { return a.col < b.col; });
        return TimeTable(std::move(rows), d.xy.size());
    };
    if (first.pairs) m.pairs = merged_table([](const ShardResult& s) -> const TimeTable& { return *s.pairs; }, facilities);
    if (first.sites) {
        const std::size_t k = first.sites->set.size();
        m.sites.emplace();
        m.sites->pairs = merged_table([](const ShardResult& s) -> const TimeTable& { return s.sites->pairs; }, k);
        m.sites->snaps.resize(k);
        for (std::size_t j = 0; j < k; ++j) {
            std::size_t owners = 0;
            for (const ShardResult& s : results)
                if (s.sites->owns[j]) {
                    ++owners;
                    m.sites->snaps[j] = s.sites->snaps[j];
                }
            if (owners != 1)
                throw InputError("candidate site " + first.sites->set.ids[j] + " is owned by " + std::to_string(owners) +
                                 " shards, not one; plan the run again")
                    .set_file(first.sites->set.source);
        }
        m.sites->set = std::move(first.sites->set);
    }
    for (const ShardResult& s : results) {
        m.largest_halo_m = std::max(m.largest_halo_m, s.halo_m);
        if (s.reads > 1) ++m.shards_read_again;
    }
    results.clear();

    // What the whole run refuses or reports, in its order.
    if (d.xy.empty()) throw InputError("the demand layer has no residents (every weight is 0)").set_file(demand_file);
    if (std::none_of(area.demand_snaps.begin(), area.demand_snaps.end(), [](const Snap& s) { return s.ok(); }))
        throw InputError("no demand point could be placed on the road network; check --max-snap and the CRS")
            .set_file(demand_file);
    if (!area.districts.polygons.empty()) report_districts(area, spec.districts.path, reporter);
    report_unsnapped(r.facilities.source, r.facilities.ids, r.placed.snaps, reporter);
    if (r.placed.placed == 0 && o.facilities.required)
        throw InputError("no facility could be placed on the road network; check --max-snap and the CRS")
            .set_file(r.facilities.source);
    r.group = area.group_index(o.group, o.label);
    service_figures(area, o, m.pairs ? &*m.pairs : nullptr, r, reporter);
    return m;
}

}  // namespace lifecircle::studies
