#include "studies/area.hpp"

#include <algorithm>
#include <map>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/polygon.hpp"

namespace lifecircle::studies {

std::size_t StudyArea::group_index(const std::string& group, const std::string& who) const {
    if (group.empty()) return 0;
    const auto it = std::find(demand.groups.begin(), demand.groups.end(), group);
    if (it == demand.groups.end())
        throw InputError(who + ": the demand group '" + group + "' is not one of the demand's groups (" +
                         list_text(demand.groups, 50) + ")");
    return static_cast<std::size_t>(it - demand.groups.begin());
}

std::vector<io::AgeShare> parse_age_shares(const std::string& text, const std::string& option) {
    std::vector<io::AgeShare> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find(',', start), text.size());
        const std::string item = text.substr(start, end - start);
        start = end + 1;
        if (item.empty()) continue;
        const auto eq = item.find('=');
        const std::string name = eq == std::string::npos ? item : item.substr(0, eq);
        const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
        if (eq == 0 || value.empty() || !limit_problem(Quantity::fraction, value).empty())
            throw UsageError(option + " takes GROUP=SHARE pairs with shares from 0 to 1, e.g. 0_6=0.06,60plus=0.19; got '" +
                             item + "'");
        out.push_back({name.rfind("pop_", 0) == 0 ? name : "pop_" + name, std::stod(value)});
    }
    return out;
}

DistrictMembership district_membership(const PolygonSet& districts, const io::DemandSet& demand) {
    DistrictMembership m;
    m.overlap_weight.assign(demand.groups.size(), 0.0);
    if (districts.polygons.empty()) return m;
    const PolygonIndex index(districts.polygons);
    m.members.resize(districts.polygons.size());
    for (std::uint32_t i = 0; i < demand.xy.size(); ++i) {
        const std::vector<std::uint32_t> in = index.containing(demand.xy[i]);
        if (in.empty()) m.outside.push_back(i);
        if (in.size() > 1) {
            ++m.overlap_points;
            for (std::size_t g = 0; g < demand.groups.size(); ++g) m.overlap_weight[g] += demand.weights[g][i];
        }
        for (const std::uint32_t d : in) m.members[d].push_back(i);
    }
    return m;
}

void report_districts(const StudyArea& a, const std::string& path, const Reporter& reporter) {
    std::map<std::string, std::size_t> count;
    for (const std::string& n : a.districts.names) ++count[n];
    std::vector<std::string> twice;
    for (const auto& [name, k] : count)
        if (k > 1) twice.push_back(name + " (" + std::to_string(k) + "x)");
    if (!twice.empty())
        reporter.warning(path + ": districts share a name, so their rows look alike in the tables: " +
                         list_text(twice) + "; give them distinct names (the district name field)");
    if (a.membership.overlap_points > 0) {
        double weight = 0;
        if (!a.membership.overlap_weight.empty()) weight = a.membership.overlap_weight.front();
        reporter.warning(path + ": " + std::to_string(a.membership.overlap_points) +
                         " demand points lie in two or more districts (" + std::to_string(static_cast<long long>(weight)) +
                         " " + a.demand.groups.front() +
                         "); they count in each, so district totals add up to more than the whole: check for "
                         "overlapping or duplicate polygons");
    }
}

std::unique_ptr<StudyArea> load_area(const AreaSpec& spec, const ProfileSettings& profile, const Reporter& reporter,
                                     const PolygonSet* districts) {
    io::NetworkOptions no = spec.network.read;
    no.profiles = {profile, length_profile(profile)};
    io::Network net = io::build_network(
        spec.network.read_roads ? spec.network.read_roads(no) : io::read_roads(spec.network.path, no), no);
    for (const std::string& w : net.warnings) reporter.note(spec.network.path + ": " + w);
    return load_area(spec, std::move(net), profile, reporter, districts);
}

std::unique_ptr<StudyArea> load_area(const AreaSpec& spec, io::Network net, const ProfileSettings& profile,
                                     const Reporter& reporter, const PolygonSet* districts) {
    auto a = std::make_unique<StudyArea>();
    a->profile = profile;
    a->threads = spec.threads;
    a->net = std::move(net);
    reporter.check();
    const ProfileId forward = a->net.graph.profile_id(profile.mode);
    const DemandSpec& d = spec.demand;
    if (d.path.empty() == d.buildings.empty())
        throw UsageError("the demand needs exactly one of a residents layer and a buildings layer");
    if (!d.buildings.empty()) {
        a->demand = io::estimate_residents_from_buildings(d.buildings, d.read.building_options, a->net);
    } else {
        io::DemandReadOptions ro = d.read;
        ro.profile = forward;
        a->demand = d.table ? io::read_demand(*d.table, ro, a->net) : io::read_demand(d.path, ro, a->net);
    }
    const std::string demand_file = d.path.empty() ? d.buildings : d.path;
    for (const std::string& n : a->demand.notes) reporter.note(demand_file + ": " + n);
    // Point residents read as WGS 84 may hold Chinese map coordinates (GCJ-02, BD-09).
    if (a->demand.kind == "points" && d.read.input_crs.empty() && a->demand.source_crs == "EPSG:4326") {
        std::vector<Point> lonlat = a->demand.xy;
        a->net.to_lonlat(lonlat);
        const std::string hint =
            chinese_offset_hint(lonlat, a->net, "the demand (" + demand_file + ")", d.crs_setting);
        if (!hint.empty()) reporter.warning(hint);
    }
    if (a->demand.xy.empty() && !spec.part)
        throw InputError("the demand layer has no residents (every weight is 0)").set_file(demand_file);
    reporter.check();
    a->snapper = std::make_unique<Snapper>(a->net.graph, forward, spec.network.snap);
    a->demand_snaps = a->snapper->snap_all(a->demand.xy);
    if (!spec.part &&
        std::none_of(a->demand_snaps.begin(), a->demand_snaps.end(), [](const Snap& s) { return s.ok(); }))
        throw InputError("no demand point could be placed on the road network; check --max-snap and the CRS")
            .set_file(demand_file);
    if (districts) {
        a->districts = *districts;
    } else if (!spec.districts.path.empty()) {
        a->districts = read_polygon_layer(spec.districts, a->net, "the districts must be polygons", reporter);
    }
    a->membership = district_membership(a->districts, a->demand);
    if (!districts && !spec.part && !a->districts.polygons.empty()) report_districts(*a, spec.districts.path, reporter);
    return a;
}

}  // namespace lifecircle::studies
