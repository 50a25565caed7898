#include "studies/plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>

#include "core/error.hpp"
#include "core/wkb.hpp"
#include "io/points.hpp"
#include "studies/plan_outputs.hpp"

namespace lifecircle::studies {

namespace {

std::string fmt(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

RoadClass parse_class(const std::string& name, const std::string& file, int line) {
    const RoadClass c = parse_road_class(name);
    if (c == RoadClass::other && name != "other")
        throw InputError("line " + std::to_string(line) + ": unknown road class '" + name +
                         "'; use an OpenStreetMap highway value such as footway, residential or primary")
            .set_file(file);
    return c;
}

/** A closed ring from [lon, lat] pairs. */
Ring closed_ring(const std::vector<std::pair<double, double>>& points) {
    Ring ring;
    for (const auto& [lon, lat] : points) ring.push_back({lon, lat});
    if (!(ring.front().x == ring.back().x && ring.front().y == ring.back().y)) ring.push_back(ring.front());
    return ring;
}

/** The areas of a change or close edit: its polygon and the polygons of its area file. */
std::vector<std::vector<Ring>> edit_areas(const ScenarioEdit& e, const std::string& file, const Reporter& reporter) {
    std::vector<std::vector<Ring>> out;
    if (!e.polygon.empty()) {
        bool repaired = false;
        MultiPolygonXY mp = made_valid({{closed_ring(e.polygon)}}, &repaired);
        if (mp.empty())
            throw InputError("line " + std::to_string(e.line_number) + ": the polygon of road work '" + e.label +
                             "' has no area (its points are in a line or repeat)")
                .set_file(file);
        if (repaired)
            reporter.warning(file + ", line " + std::to_string(e.line_number) + ": the polygon of road work '" +
                             e.label + "' crosses itself (a bow-tie); it was repaired with GEOS MakeValid: check it");
        for (auto& part : mp) out.push_back(std::move(part));
    }
    if (!e.area_file.empty()) {
        io::PointReadOptions ro;
        ro.polygons = true;
        for (const io::PointRecord& r : io::read_points(e.area_file, ro).points) {
            if (r.polygon_lonlat.empty())
                throw InputError("the area of a road work must be polygons; this feature is a point")
                    .set_file(e.area_file)
                    .set_feature(r.id);
            MultiPolygonXY mp;
            for (const auto& part : r.polygon_lonlat) {
                std::vector<Ring> rings;
                for (const auto& ring : part) {
                    Ring pts;
                    for (const auto& [lon, lat] : ring) pts.push_back({lon, lat});
                    rings.push_back(std::move(pts));
                }
                mp.push_back(std::move(rings));
            }
            bool repaired = false;
            mp = made_valid(mp, &repaired);
            if (repaired)
                reporter.warning(e.area_file + ", feature " + r.id +
                                 ": the polygon crosses itself; it was repaired with GEOS MakeValid: check it");
            for (auto& part : mp) out.push_back(std::move(part));
        }
    }
    return out;
}

/** The areas of one travel profile and variant, loaded once and shared by the services. */
class Areas {
public:
    Areas(const Scenario& sc, io::NetworkOptions edited, unsigned threads, const Reporter& reporter)
        : m_scenario(sc), m_edited(std::move(edited)), m_threads(threads), m_reporter(reporter) {}

    const StudyArea& get(const StudyStandard& st, bool after) {
        // One graph per mode, speed and slope model: a graph holds one walking profile.
        const std::string key = std::to_string(int(st.mode)) + "/" + fmt(st.walk_speed_kmh, 3) + "/" +
                                std::string(slope_model_name(st.profile().slope)) + (after ? "/after" : "");
        auto& slot = m_areas[key];
        if (slot) return *slot;
        AreaSpec spec{m_scenario.network, m_scenario.demand, m_scenario.districts, m_threads};
        if (after) {
            spec.network.read.edits_lonlat = m_edited.edits_lonlat;
            spec.network.read.edits = m_edited.edits;
        }
        slot = load_area(spec, st.profile(), m_reporter, m_districts ? &*m_districts : nullptr);
        if (!m_districts) m_districts = slot->districts;
        return *slot;
    }

    /** The scenario's timetables on `area`'s walk network, read once per area and walking limit. */
    std::shared_ptr<const TransitData> transit(const StudyArea& area, Seconds standard_seconds) {
        auto& slot = m_transit[{&area, standard_seconds}];
        if (!slot) slot = load_transit(m_scenario.transit, area.net, *area.snapper, standard_seconds, m_reporter);
        return slot;
    }

private:
    const Scenario& m_scenario;
    io::NetworkOptions m_edited;
    unsigned m_threads;
    const Reporter& m_reporter;
    std::map<std::string, std::unique_ptr<StudyArea>> m_areas;
    std::optional<PolygonSet> m_districts;  // read once, with the first area's work CRS
    std::map<std::pair<const StudyArea*, Seconds>, std::shared_ptr<const TransitData>> m_transit;
};

ServiceOptions service_options(const Scenario& sc, const ScenarioService& sv, const StudyStandard& standard) {
    ServiceOptions o;
    o.standard = standard;
    o.label = "service '" + sv.id + "'";
    o.group = sv.demand_group;
    o.hex_m = sc.hex_m;
    FacilitySpec& f = o.facilities;
    f.path = sv.facilities;
    f.osm_kind = sv.osm_kind;
    f.osm_file = sv.osm_kind.empty() ? std::string() : sc.network.path;
    f.read.id_field = sv.id_field;
    f.read.name_field = sv.name_field;
    f.read.capacity_field = sv.capacity_field;
    f.read.delay_field = sv.delay_field;
    f.read.cutoff_field = sv.cutoff_field;
    f.read.option_prefix = "--facilities";
    f.default_capacity = sv.default_capacity.value_or(0.0);
    f.label = o.label;
    f.required = false;  // no facility: 0% covered, with a warning
    AreaDrawing areas;
    areas.minutes = sv.breaks_minutes;
    o.areas = areas;
    return o;
}

SuggestionOptions suggestion_options(const ServiceOptions& service, const ScenarioSuggest& sg, unsigned threads) {
    SuggestionOptions o;
    o.service = service;
    o.service.areas.reset();
    o.candidates.path = sg.candidates;
    o.candidates.read.capacity_field = sg.candidates_capacity_field;
    o.candidates.spacing_m = sg.candidate_spacing_m;
    o.candidates.max_candidates = sg.max_candidates;
    o.candidates.capacity = sg.candidate_capacity;
    planners::SuggestOptions& s = o.solver;
    s.objective = sg.objective == "p-median"         ? planners::Objective::p_median
                  : sg.objective == "min-facilities" ? planners::Objective::min_facilities
                                                     : planners::Objective::max_coverage;
    s.capacitated = sg.capacitated;
    s.count = sg.count;
    if (sg.target) s.target = *sg.target;
    s.seed = sg.seed;
    s.time_limit = sg.time_limit_s;
    s.parallel.threads = threads;
    return o;
}

/** Checks every service's demand group against the groups the demand gives. */
void check_groups(const Scenario& sc, const StudyArea& area) {
    for (const ScenarioService& sv : sc.services) {
        if (sv.demand_group.empty()) continue;
        const auto& g = area.demand.groups;
        if (std::find(g.begin(), g.end(), sv.demand_group) != g.end()) continue;
        throw InputError("line " + std::to_string(sv.line) + ": service '" + sv.id + "': demand_group '" +
                         sv.demand_group + "' is not one of the demand's groups (" + list_text(g, 50) + ")" +
                         (sc.demand.buildings.empty() ? "; add it to [demand] weight_fields"
                                                      : "; with buildings the groups are 'residents' and those of "
                                                        "[demand] age_shares"))
            .set_file(sc.path);
    }
}

/** Road works lie on the network: a point far outside it (a typo, swapped coordinates) is an
    error naming the edit's line before the network is rebuilt with it. */
void check_edits_within(const Scenario& sc, const Box& lonlat) {
    const double margin = 0.05;  // degrees, about 5 km
    const auto outside = [&](double lon, double lat) {
        return lon < lonlat.min.x - margin || lon > lonlat.max.x + margin || lat < lonlat.min.y - margin ||
               lat > lonlat.max.y + margin;
    };
    for (const ScenarioEdit& e : sc.edits)
        for (const auto* points : {&e.line, &e.polygon})
            for (const auto& [lon, lat] : *points) {
                if (!outside(lon, lat)) continue;
                char buf[512];
                std::snprintf(buf, sizeof buf,
                              "line %d: road work '%s': the point [%.6f, %.6f] lies outside the network (lon %.4f..%.4f, "
                              "lat %.4f..%.4f); coordinates are WGS 84 [longitude, latitude]",
                              e.line_number, e.label.c_str(), lon, lat, lonlat.min.x, lonlat.max.x, lonlat.min.y,
                              lonlat.max.y);
                throw InputError(buf).set_file(sc.path);
            }
}

std::string edit_note(const EditReport& e) {
    std::string line = e.label + ": ";
    if (e.roads_added)
        line += fmt(e.km_added * 1000, 0) + " m of new road, " + std::to_string(e.joins) + " joins";
    else
        line += std::to_string(e.roads_changed) + " road pieces (" + fmt(e.km_changed, 2) + " km) changed";
    for (const std::string& n : e.notes) line += "; " + n;
    return line;
}

}  // namespace

StudyStandard service_standard(const Scenario& sc, const ScenarioService& sv) {
    StandardChoice c;
    c.command_line = false;
    c.name = sv.standard;
    c.minutes = sv.minutes;
    c.metres = sv.meters;
    c.walk_speed_kmh = sv.walk_speed_kmh;
    c.target_share = sv.target_share;
    c.direction = parse_direction(sv.direction, "direction");
    c.slope = sv.slope;
    if (sv.mode) c.mode = parse_mode(*sv.mode);
    StudyStandard st;
    try {
        st = resolve_standard(c);
    } catch (const Error& e) {
        throw InputError("line " + std::to_string(sv.line) + ": service '" + sv.id + "': " + e.what()).set_file(sc.path);
    }
    // The scenario's network mode and speed fill what neither the service nor its catalogue
    // entry says.
    const ServiceStandard* entry = sv.standard.empty() ? nullptr : &find_standard(standards_catalogue(""), sv.standard);
    if (!sv.mode && !entry) st.mode = *parse_mode(sc.mode);
    if (!sv.walk_speed_kmh && !(entry && entry->walk_speed_kmh)) st.walk_speed_kmh = sc.walk_speed_kmh;
    return st;
}

io::NetworkOptions network_edits(const Scenario& sc, const Reporter& reporter) {
    io::NetworkOptions no;
    for (const ScenarioEdit& e : sc.edits) {
        if (e.type == "add_road") {
            AddRoad a;
            a.name = e.label;
            for (const auto& [lon, lat] : e.line) a.line.push_back({lon, lat});
            a.attributes.road_class = parse_class(e.road_class, sc.path, e.line_number);
            if (e.maxspeed_kmh) a.attributes.maxspeed_kmh = *e.maxspeed_kmh;
            a.attributes.oneway = e.oneway ? Oneway::forward : Oneway::no;
            a.attributes.bridge_or_tunnel = e.bridge;
            no.edits_lonlat.add.push_back(std::move(a));
            continue;
        }
        ChangeRoads c;
        c.label = e.label;
        c.source_ids = e.osm_ids;
        c.area = edit_areas(e, sc.path, reporter);
        if (e.type == "close") c.close = true;
        if (e.new_class) c.road_class = parse_class(*e.new_class, sc.path, e.line_number);
        c.speed_factor = e.speed_factor;
        c.maxspeed_kmh = e.maxspeed_kmh;
        no.edits_lonlat.change.push_back(std::move(c));
    }
    return no;
}

PlanResult run_plan(const Scenario& sc, const PlanOptions& options, const Reporter& reporter) {
    std::vector<StudyStandard> standards;
    for (const ScenarioService& sv : sc.services) standards.push_back(service_standard(sc, sv));
    const bool with_edits = !sc.edits.empty();
    Areas areas(sc, network_edits(sc, reporter), options.threads, reporter);
    const StudyArea& first = areas.get(standards.front(), false);
    check_groups(sc, first);
    check_edits_within(sc, first.net.lonlat_bounds());

    PlanResult out;
    out.title = sc.title;
    out.work_crs = first.net.work_crs;
    out.osm = first.net.format == "OpenStreetMap";
    out.roads = roads_layer(first.net.graph);
    out.groups = first.demand.groups;
    out.bounds_lonlat = first.net.lonlat_bounds();
    if (with_edits) {
        out.edits = edits_layers(sc, first.net);
        for (const EditReport& e : areas.get(standards.front(), true).net.edit_reports)
            out.edit_notes.push_back(edit_note(e));
    }
    for (std::size_t k = 0; k < sc.services.size(); ++k) {
        const ScenarioService& sv = sc.services[k];
        ServiceResults s;
        s.id = sv.id;
        s.title = sv.title;
        s.standard = standards[k];
        ServiceOptions o = service_options(sc, sv, s.standard);
        for (const bool after : with_edits ? std::vector<bool>{false, true} : std::vector<bool>{false}) {
            const StudyArea& area = areas.get(s.standard, after);
            if (sv.transit) s.standard.transit = o.standard.transit = areas.transit(area, s.standard.max_seconds());
            VariantResults v;
            v.name = after ? "after the road works" : "as today";
            v.result = run_service(area, o, reporter);
            v.layers = service_layers(area, o, v.result);
            if (!after && sv.suggest) {
                const SuggestionOptions so = suggestion_options(o, *sv.suggest, options.threads);
                s.suggestion = run_suggestion(area, so, reporter);
                s.sites = maps::sites_layer(s.suggestion->rows);
            }
            s.group = area.demand.groups[v.result.group];
            s.variants.push_back(std::move(v));
        }
        out.services.push_back(std::move(s));
    }
    return out;
}

}  // namespace lifecircle::studies
