// lifecircle plan scenario.toml --out DIR: every service of a scenario evaluated (service areas,
// coverage per group and district, seats, gaps, suggested sites), before and after what-if road
// works, written as one styled GeoPackage, GeoJSON layers, a QGIS project, summary.json and a
// report. It calls the library entry points the other verbs call.
#include "cli/plan.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "cli/format.hpp"
#include "cli/plan_outputs.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "core/polygon.hpp"
#include "core/time_table.hpp"
#include "core/wkb.hpp"
#include "io/demand.hpp"
#include "io/layer_writer.hpp"
#include "io/osm_facilities.hpp"
#include "io/output.hpp"
#include "io/points.hpp"
#include "io/scenario.hpp"
#include "maps/coverage_layers.hpp"
#include "maps/isochrones.hpp"
#include "maps/style.hpp"
#include "maps/suggest_layers.hpp"
#include "planners/assignment.hpp"
#include "planners/coverage.hpp"
#include "planners/gaps.hpp"
#include "planners/standards.hpp"
#include "planners/suggest.hpp"

namespace lifecircle::cli {

namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

class Timer {
public:
    explicit Timer(bool verbose) : m_verbose(verbose) {}
    void step(const std::string& what) {
        const auto now = std::chrono::steady_clock::now();
        if (m_verbose)
            std::fprintf(stderr, "lifecircle: %-56s %7.3f s\n", what.c_str(),
                         std::chrono::duration<double>(now - m_last).count());
        m_last = now;
    }

private:
    bool m_verbose;
    std::chrono::steady_clock::time_point m_last = std::chrono::steady_clock::now();
};

/** What a service asks, after its standard filled the gaps. */
struct Resolved {
    const io::ScenarioService* service = nullptr;
    Mode mode = Mode::walk;
    double walk_speed_kmh = 4.0;
    double minutes = 15.0;
    double meters = 0.0;  ///< 0 = none
    std::string standard_name, standard_title, standard_source;
    std::size_t group = 0;  ///< index into the demand groups
};

/** The demand points in each district, and those outside every district (read once per network). */
struct Districts {
    std::vector<MultiPolygonXY> polygons;
    std::vector<std::string> names;
};
struct Membership {
    std::vector<std::vector<std::uint32_t>> members;  ///< per district
    std::vector<std::uint32_t> outside;
};

/** A network with its demand, for one profile and one variant (before / after the road works). */
struct Evaluated {
    io::Network net;
    io::DemandSet demand;
    std::unique_ptr<Snapper> snapper;  ///< the service profile's, shared by every service on this network
    std::vector<Snap> demand_snaps;
    Membership districts;
};

/** Facilities of a service: a file, or a kind taken from the network's OSM file. */
LoadedPoints service_facilities(const io::ScenarioService& sv, const io::Scenario& sc, const io::Network& net) {
    if (!sv.facilities.empty()) {
        PointArgs a;
        a.path = sv.facilities;
        a.read.id_field = sv.id_field;
        a.read.name_field = sv.name_field;
        a.read.capacity_field = sv.capacity_field;
        a.read.option_prefix = "--facilities";
        return load_points(a, net);
    }
    const auto kind = io::parse_facility_kind(sv.osm_kind);
    if (!kind)
        throw InputError("service '" + sv.id + "': unknown osm_kind '" + sv.osm_kind +
                         "'; use hospital, clinic, community-health, kindergarten, meal-point or elderly-care")
            .set_file(sc.path);
    const std::vector<io::OsmFacility> found = io::read_osm_facilities(sc.network, *kind);
    if (found.empty())
        throw InputError("service '" + sv.id + "': the OpenStreetMap file has no " + sv.osm_kind +
                         " facilities; give a facilities file instead")
            .set_file(sc.network);
    LoadedPoints out;
    for (const io::OsmFacility& f : found) {
        io::PointRecord r;
        r.id = f.osm_type + "/" + std::to_string(f.osm_id);
        r.name = !f.name_zh.empty() ? f.name_zh : f.name;
        r.lon = f.lon;
        r.lat = f.lat;
        if (!sv.capacity_field.empty()) {
            char* end = nullptr;
            const double c = std::strtod(f.capacity.c_str(), &end);
            r.capacity = (!f.capacity.empty() && end && *end == '\0' && c >= 0) ? c : 0.0;
        }
        out.ids.push_back(r.id);
        out.lonlat.push_back({r.lon, r.lat});
        out.records.push_back(r);
    }
    out.xy = out.lonlat;
    net.to_work(out.xy);
    return out;
}

/** Sources (one seed per snapped facility) by time and by metres. */
void facility_sources(const std::vector<Snap>& snaps, SourceSet& by_time, SourceSet& by_metres) {
    for (std::size_t i = 0; i < snaps.size(); ++i) {
        if (!snaps[i].ok()) {
            by_time.add({});
            by_metres.add({});
            continue;
        }
        const Seed s = Snapper::seed(snaps[i], static_cast<std::uint32_t>(i), 0.0);
        by_time.add(std::span<const Seed>(&s, 1));
        Seed m = s;
        m.start = snaps[i].distance;
        by_metres.add(std::span<const Seed>(&m, 1));
    }
}

/** A simple point layer of facilities (no capacities). */
Layer plain_facilities_layer(const LoadedPoints& fac, const std::vector<Snap>& snaps) {
    Layer out;
    out.name = "facilities";
    out.kind = GeometryKind::point;
    out.fields = {{"facility_id", FieldType::string}, {"name", FieldType::string}, {"snapped", FieldType::integer}};
    for (std::size_t i = 0; i < fac.xy.size(); ++i) {
        Feature f;
        f.wkb = wkb_point(fac.xy[i]);
        f.values = {fac.ids[i], fac.records[i].name, std::int64_t{snaps[i].ok() ? 1 : 0}};
        out.features.push_back(std::move(f));
    }
    out.qml = maps::categorized_qml(GeometryKind::point, "snapped",
                                    {{"1", "on the network", 31, 120, 180}, {"0", "not placed (too far)", 160, 160, 160}});
    out.style_name = "facilities";
    return out;
}

Membership membership(const Districts& districts, const io::DemandSet& demand) {
    Membership m;
    if (districts.polygons.empty()) return m;
    const PolygonIndex index(districts.polygons);
    m.members.resize(districts.polygons.size());
    for (std::uint32_t i = 0; i < demand.xy.size(); ++i) {
        const std::vector<std::uint32_t> in = index.containing(demand.xy[i]);
        if (in.empty()) m.outside.push_back(i);
        for (const std::uint32_t d : in) m.members[d].push_back(i);
    }
    return m;
}

/** Per district (and outside all of them, when any demand is): the sum of `values` over its
    points, in the order district_figures() lists them. */
std::vector<double> district_sums(const Membership& m, std::span<const double> values) {
    std::vector<double> out;
    for (const auto& points : m.members) {
        double sum = 0;
        for (const std::uint32_t i : points) sum += values[i];
        out.push_back(sum);
    }
    if (!m.outside.empty()) {
        double sum = 0;
        for (const std::uint32_t i : m.outside) sum += values[i];
        out.push_back(sum);
    }
    return out;
}

/** Figures of every group over the points in each district (and outside all of them). */
std::vector<maps::DistrictFigures> district_figures(const planners::CoverageResult& result, const io::DemandSet& demand,
                                                    const Districts& districts, const Membership& m) {
    std::vector<maps::DistrictFigures> out;
    for (std::size_t d = 0; d < m.members.size(); ++d) {
        maps::DistrictFigures f;
        f.name = districts.names[d];
        f.polygon = districts.polygons[d];
        for (const auto& w : demand.weights) f.groups.push_back(planners::figures(result, w, m.members[d]));
        out.push_back(std::move(f));
    }
    if (!m.members.empty() && !m.outside.empty()) {
        maps::DistrictFigures f;
        f.name = "(outside every district)";
        for (const auto& w : demand.weights) f.groups.push_back(planners::figures(result, w, m.outside));
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace

int run_plan(const PlanArgs& args) {
    if (args.example) {
        std::fputs(io::example_scenario().c_str(), stdout);
        return 0;
    }
    if (args.scenario.empty()) throw UsageError("give the scenario file: lifecircle plan scenario.toml --out DIR");
    if (args.out.empty()) throw UsageError("give the output folder: --out DIR");
    Timer timer(args.verbose);
    const io::Scenario sc = io::read_scenario(args.scenario);
    const std::vector<ServiceStandard> catalogue = standards_catalogue("");
    // Checks the folder before any work; every input of the scenario is kept safe in it.
    PlanFolder folder(args.out, args.force, io::scenario_inputs(sc), args.extra_files,
                      [](const std::string& n) { print_note("note: " + n); });
    timer.step("scenario " + args.scenario);

    // Services: their standards resolved.
    std::vector<Resolved> services;
    for (const io::ScenarioService& sv : sc.services) {
        Resolved r;
        r.service = &sv;
        r.mode = sc.mode == "bike" ? Mode::bike : sc.mode == "drive" ? Mode::drive : Mode::walk;
        r.walk_speed_kmh = sc.walk_speed_kmh;
        if (!sv.standard.empty()) {
            const ServiceStandard& st = find_standard(catalogue, sv.standard);
            r.standard_name = st.name;
            r.standard_title = st.title_en + (st.title_zh.empty() ? "" : " (" + st.title_zh + ")");
            r.standard_source = st.source.short_name;
            r.mode = st.mode;
            if (st.minutes) r.minutes = *st.minutes;
            if (st.metres) r.meters = *st.metres;
            if (st.walk_speed_kmh) r.walk_speed_kmh = *st.walk_speed_kmh;
            if (!st.minutes && st.metres) r.minutes = 24 * 60.0;
        }
        if (sv.minutes) r.minutes = *sv.minutes;
        if (sv.meters) r.meters = *sv.meters;
        if (sv.walk_speed_kmh) r.walk_speed_kmh = *sv.walk_speed_kmh;
        if (sv.mode) r.mode = *sv.mode == "bike" ? Mode::bike : *sv.mode == "drive" ? Mode::drive : Mode::walk;
        services.push_back(r);
    }

    // Networks (one per profile and variant), each with its own demand (polygons are spread
    // over the roads, which the road works change).
    const bool with_edits = !sc.edits.empty();
    const io::NetworkOptions edited = network_edits(sc);
    std::map<std::string, std::unique_ptr<Evaluated>> networks;
    Districts districts;  // read once the first network gives the work CRS
    auto evaluated = [&](const Resolved& r, bool after) -> Evaluated& {
        const std::string key =
            std::to_string(int(r.mode)) + "/" + fixed(r.walk_speed_kmh, 3) + "/" + (after ? "after" : "before");
        auto& slot = networks[key];
        if (slot) return *slot;
        slot = std::make_unique<Evaluated>();
        io::NetworkOptions no = after ? edited : io::NetworkOptions{};
        no.profiles = {default_profile(r.mode, r.walk_speed_kmh), length_profile(default_profile(r.mode, r.walk_speed_kmh))};
        slot->net = io::load_network(sc.network, no);
        timer.step("network, " + std::string(mode_name(r.mode)) + (after ? ", after the road works" : ""));
        const ProfileId profile = slot->net.graph.profile_id(r.mode, Direction::backward);
        if (!sc.buildings.empty()) {
            io::BuildingResidentsOptions bo;
            slot->demand = io::estimate_residents_from_buildings(sc.buildings, bo, slot->net);
        } else {
            io::DemandReadOptions dro;
            dro.layer = sc.demand_layer;
            dro.id_field = sc.demand_id_field;
            dro.weight_fields = sc.weight_fields;
            dro.profile = profile.forward();
            slot->demand = io::read_demand(sc.demand, dro, slot->net);
        }
        slot->snapper = std::make_unique<Snapper>(slot->net.graph, profile, SnapOptions{});
        slot->demand_snaps = slot->snapper->snap_all(slot->demand.xy);
        slot->districts = membership(districts, slot->demand);
        timer.step("demand");
        return *slot;
    };
    Evaluated& first = evaluated(services.front(), false);
    for (Resolved& r : services) {
        const auto& groups = first.demand.groups;
        const std::string want = r.service->demand_group.empty() ? groups.front() : r.service->demand_group;
        const auto it = std::find(groups.begin(), groups.end(), want);
        if (it == groups.end()) {
            std::string list;
            for (const std::string& g : groups) list += (list.empty() ? "" : ", ") + g;
            throw InputError("service '" + r.service->id + "': demand_group '" + want +
                             "' is not one of the demand's weight fields (" + list + ")")
                .set_file(sc.path);
        }
        r.group = static_cast<std::size_t>(it - groups.begin());
    }
    const std::vector<std::string>& groups = first.demand.groups;

    if (!sc.districts.empty()) {
        PointArgs da;
        da.path = sc.districts;
        da.read.name_field = sc.district_field;
        districts.polygons = read_polygons(da, first.net, "the districts must be polygons", &districts.names);
        first.districts = membership(districts, first.demand);  // later networks get theirs as they load
    }

    PlanResults results;
    results.title = sc.title;
    results.work_crs = first.net.work_crs;
    results.osm = first.net.format == "OpenStreetMap";
    results.roads = roads_layer(first.net.graph);
    results.groups = groups;
    results.bounds_lonlat = first.net.lonlat_bounds();
    if (with_edits) {
        results.edits = edits_layers(sc, first.net);
        for (const EditReport& e : evaluated(services.front(), true).net.edit_reports) {
            std::string line = e.label + ": ";
            if (e.roads_added) line += fixed(e.km_added * 1000, 0) + " m of new road, " + std::to_string(e.joins) + " joins";
            else line += std::to_string(e.roads_changed) + " road pieces (" + fixed(e.km_changed, 2) + " km) changed";
            for (const std::string& n : e.notes) line += "; " + n;
            results.edit_notes.push_back(line);
        }
    }

    ParallelOptions par;
    par.threads = args.threads;
    for (const Resolved& r : services) {
        const io::ScenarioService& sv = *r.service;
        ServiceResults out;
        out.id = sv.id;
        out.title = sv.title;
        out.standard = r.standard_name;
        out.standard_title = r.standard_title;
        out.standard_source = r.standard_source;
        out.mode = std::string(mode_name(r.mode));
        out.walk_speed_kmh = r.walk_speed_kmh;
        out.minutes = r.minutes;
        out.meters = r.meters;
        out.group = groups[r.group];
        for (const bool after : with_edits ? std::vector<bool>{false, true} : std::vector<bool>{false}) {
            Evaluated& ev = evaluated(r, after);
            const RoadGraph& g = ev.net.graph;
            const ProfileId profile = g.profile_id(r.mode, Direction::backward);
            const ProfileId metres = g.profile_id(r.mode, Direction::backward, Metric::length);
            const Snapper& snapper = *ev.snapper;
            const LoadedPoints fac = service_facilities(sv, sc, ev.net);
            const std::vector<Snap> fsnaps = snapper.snap_all(fac.xy);
            SourceSet sources, metre_sources;
            facility_sources(fsnaps, sources, metre_sources);
            planners::Standard standard;
            standard.max_seconds = r.minutes * 60.0;
            if (r.meters > 0) standard.max_meters = r.meters;
            const planners::CoverageResult result =
                planners::coverage(g, profile, r.meters > 0 ? &metres : nullptr, sources,
                                   r.meters > 0 ? &metre_sources : nullptr, ev.demand_snaps, standard, par);
            VariantResults v;
            v.name = after ? "after the road works" : "as today";
            for (const auto& w : ev.demand.weights) v.overall.push_back(planners::figures(result, w));
            v.districts = district_figures(result, ev.demand, districts, ev.districts);
            const std::string suffix = after ? "_after" : "";

            // Seats: the exact assignment within the standard, for the service's group.
            maps::DemandView view;
            std::vector<double> unserved;
            std::vector<double> caps;
            TimeTable table;
            if (!sv.capacity_field.empty()) {
                for (std::size_t i = 0; i < fac.records.size(); ++i) {
                    const double c = fac.records[i].capacity;
                    if (!std::isfinite(c) || c < 0)
                        throw InputError("the capacity field '" + sv.capacity_field +
                                         "' is empty or negative: give every facility its capacity (0 for none)")
                            .set_file(sv.facilities.empty() ? sc.network : sv.facilities)
                            .set_feature(fac.ids[i]);
                    caps.push_back(c);
                }
                TableOptions to;
                to.cutoff = standard.max_seconds;
                to.parallel = par;
                const TargetIndex targets(g, ev.demand_snaps);
                table = time_table(g, profile, sources, targets, to);
                if (r.meters > 0) {  // pairs within the metres too, as coverage judges them
                    TableOptions mo = to;
                    mo.cutoff = r.meters;
                    table = intersect(table, time_table(g, metres, metre_sources, targets, mo));
                }
                const planners::Assignment as = planners::assign(table, ev.demand.weights[r.group], caps);
                v.capacity = as.totals.capacity;
                v.served = as.totals.served_weight;
                v.covered_unserved = as.totals.covered_unserved_weight;
                maps::PointColumn served{"served_weight", {}, true};
                maps::PointColumn cu{"unserved_weight", {}, true};
                for (const planners::DemandAssignment& d : as.demand) {
                    served.values.push_back(d.served_weight);
                    cu.values.push_back(d.covered_unserved_weight);
                }
                unserved = cu.values;
                v.district_served = district_sums(ev.districts, served.values);
                view.columns = {std::move(served), std::move(cu)};
                std::vector<std::string> names;
                for (const io::PointRecord& rec : fac.records) names.push_back(rec.name);
                v.facilities = maps::facilities_layer(maps::facility_rows(fac.ids, names, fac.xy, as), "none");
            } else {
                v.facilities = plain_facilities_layer(fac, fsnaps);
            }
            view.features = &ev.demand.features;
            view.point_feature = ev.demand.feature;
            view.groups = ev.demand.groups;
            view.weights = ev.demand.weights;
            v.demand = maps::demand_layer(view, result, fac.ids);
            if (!v.districts.empty()) v.districts_layer = maps::districts_layer(v.districts, groups);
            v.gaps = maps::gaps_layer(planners::gap_cells(result, ev.demand.xy, ev.demand.weights, unserved, sc.hex_m),
                                      groups, sc.hex_m, r.group);

            // Service areas at the standard (or the service's own breaks).
            std::vector<maps::IsochroneFacility> iso;
            for (std::size_t i = 0; i < fsnaps.size(); ++i) {
                if (!fsnaps[i].ok()) continue;
                maps::IsochroneFacility f;
                f.id = fac.ids[i];
                f.name = fac.records[i].name;
                f.accesses.push_back({fac.xy[i], fsnaps[i]});
                iso.push_back(std::move(f));
            }
            maps::IsochroneOptions io_opts;
            if (sv.breaks_minutes.empty()) io_opts.breaks = {std::min(r.minutes, 600.0) * 60.0};
            else
                for (const double b : sv.breaks_minutes) io_opts.breaks.push_back(b * 60.0);
            std::sort(io_opts.breaks.begin(), io_opts.breaks.end());
            io_opts.shape = maps::IsochroneShape::dissolve;
            io_opts.mode_name = std::string(mode_name(r.mode));
            io_opts.threads = args.threads;
            if (!iso.empty()) v.areas = maps::isochrone_layers(g, profile, iso, io_opts).areas;
            timer.step("service '" + sv.id + "'" + (after ? " after the road works" : ""));

            // New sites (today's network only): candidates, the sparse table, the heuristic and
            // its bound, then coverage with the sites added.
            if (sv.suggest && !after) {
                const io::ScenarioSuggest& sg = *sv.suggest;
                const std::vector<double>& w = ev.demand.weights[r.group];
                std::vector<Point> cxy;
                std::vector<std::string> cids;
                std::vector<double> ccap;
                if (sg.candidates == "auto") {
                    std::vector<Point> gap_points;
                    for (std::size_t i = 0; i < ev.demand_snaps.size(); ++i)
                        if (ev.demand_snaps[i].ok() && !result.covered[i] && w[i] > 0) gap_points.push_back(ev.demand.xy[i]);
                    cxy = auto_candidates(g, gap_points, straight_reach_m(r.mode, r.walk_speed_kmh, r.minutes * 60.0),
                                          sg.candidate_spacing_m);
                    for (std::size_t k = 0; k < cxy.size(); ++k) {
                        cids.push_back("auto-" + std::to_string(k + 1));
                        ccap.push_back(sg.candidate_capacity.value_or(0.0));
                    }
                } else {
                    PointArgs ca;
                    ca.path = sg.candidates;
                    ca.read.capacity_field = sg.candidates_capacity_field;
                    const LoadedPoints c = load_points(ca, ev.net);
                    cxy = c.xy;
                    cids = c.ids;
                    for (const io::PointRecord& rec : c.records)
                        ccap.push_back(sg.candidates_capacity_field.empty() ? sg.candidate_capacity.value_or(0.0)
                                                                            : rec.capacity);
                }
                out.candidates = cxy.size();
                if (!cxy.empty()) {
                    const std::vector<Snap> csnaps = snapper.snap_all(cxy);
                    const TargetIndex targets(g, ev.demand_snaps);
                    TableOptions to;
                    to.cutoff = sg.objective == "p-median" ? 3 * standard.max_seconds : standard.max_seconds;
                    to.parallel = par;
                    Progress progress("'" + sv.id + "': searches from " + std::to_string(csnaps.size()) + " candidate sites");
                    to.parallel.progress = progress.callback();
                    to.parallel.progress_every = 64;
                    const TimeTable cand = time_table(g, profile, SourceSet::from_snaps(csnaps), targets, to);
                    to.parallel.progress = {};
                    TableOptions eo = to;
                    eo.cutoff = standard.max_seconds;
                    const TimeTable existing = time_table(g, profile, sources, targets, eo);
                    planners::LocationProblem p;
                    p.weight = w;
                    p.candidates = &cand;
                    p.existing = &existing;
                    p.cutoff = standard.max_seconds;
                    if (sg.capacitated) {
                        p.candidate_capacity = ccap;
                        p.existing_capacity = caps;
                    }
                    p.unreached_penalty = to.cutoff;
                    planners::SuggestOptions so;
                    so.objective = sg.objective == "p-median"        ? planners::Objective::p_median
                                   : sg.objective == "min-facilities" ? planners::Objective::min_facilities
                                                                      : planners::Objective::max_coverage;
                    so.capacitated = sg.capacitated;
                    so.count = std::min(sg.count, cand.rows());
                    if (sg.target) so.target = *sg.target;
                    so.seed = sg.seed;
                    so.time_limit = sg.time_limit_s;
                    so.parallel = par;
                    const planners::Suggestion s = planners::suggest(p, so);
                    out.suggestion = s;
                    std::vector<maps::SiteRow> rows;
                    for (std::size_t k = 0; k < s.selected.size(); ++k) {
                        const std::uint32_t j = s.selected[k];
                        maps::SiteRow row;
                        row.rank = k + 1;
                        row.candidate_id = cids[j];
                        row.kind = "new";
                        row.wkb = wkb_point(csnaps[j].ok() ? csnaps[j].on_road : cxy[j]);
                        row.added_weight = so.objective == planners::Objective::p_median ? s.added_weight[k] / 60.0
                                                                                         : s.added_weight[k];
                        row.assigned_weight = s.assigned_weight[k];
                        row.capacity = sg.capacitated ? ccap[j] : nan;
                        row.cost = nan;
                        rows.push_back(row);
                        out.selected_ids.push_back(cids[j]);
                    }
                    out.sites = maps::sites_layer(rows);
                    // Coverage with the sites added: the same search, more sources.
                    SourceSet with_sites, with_sites_m;
                    std::vector<Snap> all = fsnaps;
                    for (const std::uint32_t j : s.selected) all.push_back(csnaps[j]);
                    facility_sources(all, with_sites, with_sites_m);
                    const planners::CoverageResult added =
                        planners::coverage(g, profile, r.meters > 0 ? &metres : nullptr, with_sites,
                                           r.meters > 0 ? &with_sites_m : nullptr, ev.demand_snaps, standard, par);
                    for (const auto& wg : ev.demand.weights) out.with_sites.push_back(planners::figures(added, wg));
                    out.with_sites_districts = district_figures(added, ev.demand, districts, ev.districts);
                    if (sg.capacitated) {
                        std::vector<double> all_caps = caps;
                        for (const std::uint32_t j : s.selected) all_caps.push_back(ccap[j]);
                        TableOptions at = eo;
                        const TimeTable t2 = time_table(g, profile, with_sites, targets, at);
                        out.with_sites_served = planners::assign(t2, w, all_caps).totals.served_weight;
                    }
                }
                timer.step("suggest for '" + sv.id + "'");
            }
            out.variants.push_back(std::move(v));
        }
        results.services.push_back(std::move(out));
    }

    write_plan(folder, results, sc, args.threads);
    timer.step("outputs");
    print_plan_summary(results);
    print_note("plan: outputs in " + args.out + " (report.html, lifecircle.gpkg, lifecircle.qgs, summary.json)");
    return 0;
}

void add_plan(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand(
        "plan", "A whole scenario (TOML): every service's areas, coverage, seats, gaps and suggested sites, before and "
                "after what-if road works, as one styled GeoPackage, GeoJSON, a QGIS project, summary.json and report.html");
    auto a = std::make_shared<PlanArgs>();
    cmd->add_option("scenario", a->scenario, "The scenario file (lifecircle plan --example prints one)");
    cmd->add_option("--out", a->out, "Folder to write into (created if missing)");
    cmd->add_flag("--example", a->example, "Print a commented example scenario and exit");
    cmd->add_flag("--force", a->force, "Write into a folder that holds files lifecircle did not write");
    cmd->add_flag("--verbose", a->verbose, "Print the time each step took");
    cmd->add_option("--threads", a->threads, "Worker threads (0 = all cores)")->capture_default_str();
    add_quiet_option(*cmd);
    cmd->callback([&run, a] { run = [a] { return run_plan(*a); }; });
}

}  // namespace lifecircle::cli
