#include "studies/plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <tuple>

#include "core/error.hpp"
#include "core/wkb.hpp"
#include "io/map_layers.hpp"
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
    Areas(const Scenario& sc, std::vector<ScenarioVariant> variants, std::vector<io::NetworkOptions> edited,
          unsigned threads, const Reporter& reporter, const StudyArea* residents = nullptr)
        : m_scenario(sc), m_variants(std::move(variants)), m_edited(std::move(edited)), m_threads(threads),
          m_reporter(reporter), m_residents(residents) {}

    /** The area of a standard's profile on today's network (variant 0) or with the road works
        of variant v (m_edited[v - 1]). */
    const StudyArea& get(const StudyStandard& st, std::size_t variant) {
        // One graph per mode, speed and slope model: a graph holds one walking profile.
        const std::string key = std::to_string(int(st.mode)) + "/" + fmt(st.walk_speed_kmh, 3) + "/" +
                                std::string(slope_model_name(st.profile().slope)) + "/" + std::to_string(variant);
        auto& slot = m_areas[key];
        if (slot) return *slot;
        AreaSpec spec{m_scenario.network, m_scenario.demand, m_scenario.districts, m_threads};
        if (variant > 0) {
            spec.network.read.edits_lonlat = m_edited[variant - 1].edits_lonlat;
            spec.network.read.edits = m_edited[variant - 1].edits;
        }
        try {
            slot = m_residents ? with_residents(spec, st.profile(), *m_residents)
                               : load_area(spec, st.profile(), m_reporter, m_districts ? &*m_districts : nullptr);
        } catch (const InputError& e) {
            if (variant == 0) throw;
            throw located_edit_error(e, m_variants[variant - 1]);
        }
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
    /** A plan in shards: the whole network with the merged residents (placed on it when a service
        suggests sites: the search from the chosen sites reaches them; nothing else searches). */
    std::unique_ptr<StudyArea> with_residents(const AreaSpec& spec, const ProfileSettings& profile,
                                              const StudyArea& residents) const {
        auto a = std::make_unique<StudyArea>();
        a->profile = profile;
        a->threads = spec.threads;
        io::NetworkOptions no = spec.network.read;
        no.profiles = {profile, length_profile(profile)};
        a->net = io::build_network(io::read_roads(spec.network.path, no), no);
        for (const std::string& w : a->net.warnings) m_reporter.note(spec.network.path + ": " + w);
        a->snapper = std::make_unique<Snapper>(a->net.graph, a->net.graph.profile_id(profile.mode), spec.network.snap);
        a->demand = residents.demand;
        // Placed again on the whole network, as the whole run places them, for the minutes to the
        // suggested sites (the studies' own answers come from the shards); else as merged.
        const bool suggests = std::any_of(m_scenario.services.begin(), m_scenario.services.end(),
                                          [](const ScenarioService& sv) { return sv.suggest.has_value(); });
        a->demand_snaps = suggests ? a->snapper->snap_all(a->demand.xy) : residents.demand_snaps;
        a->districts = residents.districts;
        a->membership = residents.membership;
        return a;
    }

    /** A road work the network could not take ("road edit 'x': ..."), located in the scenario:
        the file and the line of the edit with that label. */
    InputError located_edit_error(const InputError& e, const ScenarioVariant& v) const {
        const std::string what = e.what();
        for (const ScenarioEdit& edit : v.edits) {
            const std::string prefix = "road edit '" + edit.label + "': ";
            const std::size_t at = what.find(prefix);
            if (at == std::string::npos) continue;
            return InputError("line " + std::to_string(edit.line_number) + ": road work '" + edit.label + "': " +
                              what.substr(at + prefix.size()) + " (coordinates are WGS 84 [longitude, latitude])")
                .set_file(m_scenario.path);
        }
        return e;
    }

    const Scenario& m_scenario;
    std::vector<ScenarioVariant> m_variants;
    std::vector<io::NetworkOptions> m_edited;
    unsigned m_threads;
    const Reporter& m_reporter;
    const StudyArea* m_residents;
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
    f.read.input_crs = sv.crs;
    f.read.layer = sv.layer;
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
void check_edits_within(const Scenario& sc, const std::vector<ScenarioVariant>& variants, const Box& lonlat) {
    const double margin = 0.05;  // degrees, about 5 km
    const auto outside = [&](double lon, double lat) {
        return lon < lonlat.min.x - margin || lon > lonlat.max.x + margin || lat < lonlat.min.y - margin ||
               lat > lonlat.max.y + margin;
    };
    for (const ScenarioVariant& v : variants)
        for (const ScenarioEdit& e : v.edits)
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

double segment_distance(const Point& p, const Point& a, const Point& b) {
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    return std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

double edge_distance(const RoadGraph& g, EdgeId e, const Point& p) {
    const Point* s = g.shape_begin(e);
    double best = std::numeric_limits<double>::infinity();
    for (std::uint32_t k = 0; k + 1 < g.shape_size(e); ++k) best = std::min(best, segment_distance(p, s[k], s[k + 1]));
    return best;
}

const std::string& edge_name(const RoadGraph& g, EdgeId e) { return g.names[g.edge_name[e]]; }

/** The distinct names of the roads within `radius` of p, nearest first (at most two). */
std::vector<std::string> names_near(const RoadGraph& g, const Point& p, double radius) {
    std::vector<std::pair<double, std::string>> found;
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        const std::string& name = edge_name(g, e);
        if (name.empty()) continue;
        const double d = edge_distance(g, e, p);
        if (d <= radius) found.emplace_back(d, name);
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (const auto& [d, name] : found)
        if (std::find(out.begin(), out.end(), name) == out.end() && out.size() < 2) out.push_back(name);
    return out;
}

/** The nearest named road within `radius`, other than `besides`, and how far it is (metres);
    empty name if none. */
std::pair<std::string, double> nearest_named_road(const RoadGraph& g, const Point& p, double radius,
                                                  const std::string& besides = {}) {
    std::pair<std::string, double> best{"", std::numeric_limits<double>::infinity()};
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        const std::string& name = edge_name(g, e);
        if (name.empty() || name == besides) continue;
        const double d = edge_distance(g, e, p);
        if (d <= radius && d < best.second) best = {name, d};
    }
    return best;
}

std::string class_zh(const std::string& c) {
    static const std::map<std::string, std::string> names = {
        {"footway", "人行道"},   {"path", "小路"},          {"cycleway", "自行车道"}, {"pedestrian", "步行街"},
        {"steps", "台阶"},       {"residential", "居住区道路"}, {"living_street", "生活街道"},
        {"service", "服务道路"}, {"primary", "主干路"},     {"secondary", "次干路"}, {"tertiary", "支路"},
        {"trunk", "快速路"},     {"unclassified", "道路"}};
    const auto it = names.find(c);
    return it == names.end() ? "道路" : it->second;
}

std::string joined(const std::vector<std::string>& items, const std::string& sep, std::size_t max = 6) {
    std::string out;
    for (std::size_t k = 0; k < items.size() && k < max; ++k) out += (k ? sep : "") + items[k];
    if (items.size() > max) out += sep + "…";
    return out;
}

bool in_rings(const std::vector<Ring>& rings, const Point& p) {
    bool inside = false;
    for (const Ring& r : rings)
        for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++)
            if ((r[i].y > p.y) != (r[j].y > p.y) &&
                p.x < (r[j].x - r[i].x) * (p.y - r[i].y) / (r[j].y - r[i].y) + r[i].x)
                inside = !inside;
    return inside;
}

/** Each road work of a variant in words: lengths, the roads joined and changed, by name. */
std::vector<RoadWork> describe_road_works(const Scenario& sc, const std::vector<ScenarioEdit>& edits,
                                          const io::Network& today, const io::Network& after,
                                          const Reporter& reporter) {
    // apply_edits reports the changes first, then the added roads, each in scenario order.
    std::vector<const ScenarioEdit*> order;
    for (const ScenarioEdit& e : edits)
        if (e.type != "add_road") order.push_back(&e);
    for (const ScenarioEdit& e : edits)
        if (e.type == "add_road") order.push_back(&e);
    const RoadGraph& g = today.graph;
    std::vector<RoadWork> out;
    for (std::size_t k = 0; k < order.size(); ++k) {
        const ScenarioEdit& e = *order[k];
        const EditReport* rep = k < after.edit_reports.size() ? &after.edit_reports[k] : nullptr;
        RoadWork w;
        w.label = e.label;
        w.type = e.type;
        if (rep) w.notes = rep->notes;
        if (e.type == "add_road") {
            std::vector<Point> line;
            for (const auto& [lon, lat] : e.line) line.push_back({lon, lat});
            today.to_work(line);
            double len = 0;
            for (std::size_t i = 0; i + 1 < line.size(); ++i) len += std::hypot(line[i + 1].x - line[i].x, line[i + 1].y - line[i].y);
            w.length_m = rep && rep->km_added > 0 ? rep->km_added * 1000 : len;
            w.road_class = e.road_class;
            w.bridge = e.bridge;
            for (const Point& end : {line.front(), line.back()}) w.joins.push_back(joined(names_near(g, end, 8.0), " / "));
            const auto end_zh = [](const std::string& n) { return n.empty() ? std::string("无名道路") : n; };
            const auto end_en = [](const std::string& n) { return n.empty() ? std::string("an unnamed road") : n; };
            const std::string len_text = fmt(w.length_m, 0);
            w.zh = e.label + "：新建" + class_zh(e.road_class) + (e.bridge ? "（桥）" : "") + "，长 " + len_text +
                   " 米，连接 " + end_zh(w.joins[0]) + " 与 " + end_zh(w.joins[1]);
            w.en = e.label + ": a new " + e.road_class + (e.bridge ? " bridge" : "") + " of " + len_text +
                   " m joining " + end_en(w.joins[0]) + " and " + end_en(w.joins[1]);
        } else {
            std::vector<std::vector<Ring>> areas;
            for (auto part : edit_areas(e, sc.path, Reporter())) {
                for (Ring& r : part) today.to_work(r);
                areas.push_back(std::move(part));
            }
            std::vector<std::string> names;
            for (EdgeId ed = 0; ed < g.edge_count(); ++ed) {
                const std::string& name = edge_name(g, ed);
                if (name.empty() || std::find(names.begin(), names.end(), name) != names.end()) continue;
                bool hit = false;
                const std::int64_t src = today.source_ids.empty() ? 0 : today.source_ids[g.edge_source[ed]];
                hit = std::find(e.osm_ids.begin(), e.osm_ids.end(), src) != e.osm_ids.end();
                for (std::uint32_t i = 0; !hit && i < g.shape_size(ed); ++i)
                    for (const auto& rings : areas) hit = hit || in_rings(rings, g.shape_begin(ed)[i]);
                if (hit) names.push_back(name);
            }
            std::sort(names.begin(), names.end());
            w.roads = names;
            if (rep) {
                w.roads_changed = rep->roads_changed;
                w.km_changed = rep->km_changed;
            }
            std::string what_zh, what_en;
            if (e.type == "close") {
                what_zh = "封闭";
                what_en = "closes";
            } else {
                std::vector<std::string> zh, en;
                if (e.new_class) {
                    zh.push_back("改为" + class_zh(*e.new_class));
                    en.push_back("reclassified as " + *e.new_class);
                }
                if (e.maxspeed_kmh) {
                    zh.push_back("限速 " + fmt(*e.maxspeed_kmh, 0) + " km/h");
                    en.push_back("speed limit " + fmt(*e.maxspeed_kmh, 0) + " km/h");
                }
                if (e.speed_factor) {
                    zh.push_back("通行速度 ×" + fmt(*e.speed_factor, 2));
                    en.push_back("travel speed ×" + fmt(*e.speed_factor, 2));
                }
                what_zh = "调整（" + joined(zh, "，") + "）";
                what_en = "changes (" + joined(en, ", ") + ")";
            }
            const std::string km = fmt(w.km_changed, 2);
            w.zh = e.label + "：" + what_zh + " " + std::to_string(w.roads_changed) + " 段道路（" + km + " 公里）" +
                   (names.empty() ? std::string() : "：" + joined(names, "、"));
            w.en = e.label + ": " + what_en + " " + std::to_string(w.roads_changed) + " pieces of road (" + km +
                   " km)" + (names.empty() ? std::string() : ": " + joined(names, ", "));
        }
        for (const std::string& n : w.notes)
            if (n.find("joins nothing") != std::string::npos || n.find("not in the network") != std::string::npos ||
                n.find("selects no roads") != std::string::npos)
                reporter.warning(sc.path + ", line " + std::to_string(e.line_number) + ": road work '" + e.label +
                                 "': " + n);
        out.push_back(std::move(w));
    }
    return out;
}

/** A plain copy of a facility set keeping only `keep[i]`. */
FacilitySet kept(const FacilitySet& f, const std::vector<bool>& keep) {
    FacilitySet out;
    out.source = f.source;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (!keep[i]) continue;
        out.ids.push_back(f.ids[i]);
        out.names.push_back(f.names[i]);
        out.lonlat.push_back(f.lonlat[i]);
        out.xy.push_back(f.xy[i]);
        if (f.has_capacity()) out.capacity.push_back(f.capacity[i]);
        out.delay.push_back(f.delay[i]);
        out.cutoff.push_back(f.cutoff[i]);
        if (!f.cost.empty()) out.cost.push_back(f.cost[i]);
        out.outline.push_back(f.outline[i]);
    }
    return out;
}

/** Appends `more` to `f`; an id already there is an InputError naming it. */
void append(FacilitySet& f, const FacilitySet& more, const std::string& who, const std::string& file, int line) {
    for (std::size_t i = 0; i < more.size(); ++i) {
        if (std::find(f.ids.begin(), f.ids.end(), more.ids[i]) != f.ids.end())
            throw InputError("line " + std::to_string(line) + ": " + who + " adds a facility with id '" + more.ids[i] +
                             "', which the service already has; give added facilities ids of their own")
                .set_file(file);
        f.ids.push_back(more.ids[i]);
        f.names.push_back(more.names[i]);
        f.lonlat.push_back(more.lonlat[i]);
        f.xy.push_back(more.xy[i]);
        if (f.has_capacity() || (f.size() == 1 && more.has_capacity())) {
            if (!more.has_capacity())
                throw InputError("line " + std::to_string(line) + ": " + who +
                                 " adds facilities without a capacity to a service with seats; give each its capacity")
                    .set_file(file);
            f.capacity.push_back(more.capacity[i]);
        }
        f.delay.push_back(more.delay[i]);
        f.cutoff.push_back(more.cutoff[i]);
        if (!f.cost.empty()) f.cost.push_back(more.cost.empty() ? 0.0 : more.cost[i]);
        f.outline.push_back(more.outline.empty() ? std::vector<Point>{} : more.outline[i]);
    }
}

/** The facilities of a service in a variant: its own, less those closed, plus those added. */
FacilitySet variant_facilities(const Scenario& sc, const ScenarioVariant& v, const ScenarioFacilityChange& c,
                               const io::Network& net, const ServiceOptions& o, const Reporter& quiet,
                               const Reporter& reporter, std::vector<std::string>& words, std::size_t& first_added) {
    const std::string who = "variant '" + v.id + "' (service '" + c.service + "')";
    FacilitySet base = read_facilities(o.facilities, net, quiet);
    std::vector<bool> keep(base.size(), true);
    std::vector<std::string> closed;
    for (const std::string& id : c.close) {
        const auto it = std::find(base.ids.begin(), base.ids.end(), id);
        if (it == base.ids.end())
            throw InputError("line " + std::to_string(c.line) + ": " + who + " closes '" + id +
                             "', which is not one of the service's facilities (" + list_text(base.ids, 20) + ")")
                .set_file(sc.path);
        const std::size_t i = static_cast<std::size_t>(it - base.ids.begin());
        keep[i] = false;
        closed.push_back(base.names[i].empty() ? id : base.names[i] + " (" + id + ")");
    }
    FacilitySet out = kept(base, keep);
    first_added = out.size();
    std::vector<std::string> added;
    if (!c.add_file.empty()) {
        FacilitySpec spec = o.facilities;
        spec.path = c.add_file;
        spec.osm_kind.clear();
        spec.osm_file.clear();
        spec.required = true;
        spec.label = who;
        const FacilitySet more = read_facilities(spec, net, reporter);
        append(out, more, who, sc.path, c.line);
        for (std::size_t i = 0; i < more.size(); ++i) added.push_back(more.names[i].empty() ? more.ids[i] : more.names[i]);
    }
    if (!c.add.empty()) {
        FacilitySet more;
        more.source = sc.path;
        for (const ScenarioPoint& p : c.add) {
            more.ids.push_back(p.id);
            more.names.push_back(p.name);
            more.lonlat.push_back({p.lon, p.lat});
            if (base.has_capacity()) {
                if (!p.capacity)
                    throw InputError("line " + std::to_string(p.line) + ": " + who + " adds '" + p.id +
                                     "' without a capacity; the service counts seats (capacity_field '" +
                                     o.facilities.read.capacity_field + "'): give it capacity = N")
                        .set_file(sc.path);
                more.capacity.push_back(*p.capacity);
            }
            more.delay.push_back(0.0);
            more.cutoff.push_back(unreachable);
            more.outline.emplace_back();
            added.push_back(p.name.empty() ? p.id : p.name);
        }
        more.xy = more.lonlat;
        net.to_work(more.xy);
        append(out, more, who, sc.path, c.line);
    }
    out.source = base.source;
    if (!added.empty()) words.push_back("+" + std::to_string(added.size()) + ": " + joined(added, ", ", 10));
    if (!closed.empty()) words.push_back("−" + std::to_string(closed.size()) + ": " + joined(closed, ", ", 10));
    return out;
}

Layer shapes_layer(const std::string& name, GeometryKind kind, const io::MapShapes& shapes, const io::Network& net) {
    Layer layer;
    layer.name = name;
    layer.kind = kind;
    layer.fields = {{"name", FieldType::string}};
    if (kind == GeometryKind::polygon) {
        for (std::size_t k = 0; k < shapes.areas.size(); ++k) {
            MultiPolygonXY mp = shapes.areas[k];
            for (auto& part : mp)
                for (Ring& r : part) net.to_work(r);
            Feature f;
            f.wkb = wkb_multipolygon(mp);
            f.values = {shapes.area_names[k]};
            layer.features.push_back(std::move(f));
        }
    } else {
        for (std::size_t k = 0; k < shapes.lines.size(); ++k) {
            std::vector<Point> line = shapes.lines[k];
            net.to_work(line);
            Feature f;
            const std::vector<std::vector<Point>> parts{line};
            f.wkb = wkb_multilinestring(parts);
            f.values = {shapes.line_names[k]};
            layer.features.push_back(std::move(f));
        }
    }
    return layer;
}

/** Water under the maps: the scenario's layer, else natural=water, waterway=* and
    landuse=reservoir from an OSM network. */
void read_water(const Scenario& sc, bool osm, const io::Network& net, PlanResult& out, const Reporter& reporter) {
    io::MapShapes shapes;
    if (!sc.report.water.empty()) {
        shapes = io::read_map_shapes(sc.report.water, sc.report.water_layer, sc.report.water_crs);
    } else if (osm) {
        shapes = io::read_osm_water(sc.network.path);
    }
    for (const std::string& n : shapes.notes) reporter.note(sc.network.path + ": " + n);
    out.water = shapes_layer("water", GeometryKind::polygon, shapes, net);
    out.waterways = shapes_layer("waterways", GeometryKind::line, shapes, net);
}

struct DefaultLabel {
    const char* group;
    const char* zh;
    const char* en;
};
constexpr DefaultLabel default_labels[] = {
    {"pop_total", "全部居民", "all residents"},       {"residents", "居民", "residents"},
    {"population", "居民", "residents"},              {"pop_0_3", "0–3岁婴幼儿", "children 0–3"},
    {"pop_3_6", "3–6岁儿童", "children 3–6"},         {"pop_0_6", "0–6岁儿童", "children 0–6"},
    {"pop_60plus", "60岁及以上老人", "residents 60+"}, {"pop_65plus", "65岁及以上老人", "residents 65+"}};

}  // namespace

std::string group_label(const Scenario& sc, const std::string& group) {
    for (const GroupLabel& g : sc.groups)
        if (g.group == group) return g.label;
    for (const DefaultLabel& d : default_labels)
        if (group == d.group)
            return sc.report.language == "en" ? std::string(d.en) + " " + d.zh : std::string(d.zh) + " " + d.en;
    return group;
}

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
    if (sv.target_share) {
        st.target_source = sv.target_source;
        st.target_nature = sv.target_nature;
    }
    return st;
}

io::NetworkOptions network_edits(const Scenario& sc, const Reporter& reporter) {
    return network_edits(sc, sc.edits, reporter);
}

io::NetworkOptions network_edits(const Scenario& sc, const std::vector<ScenarioEdit>& edits, const Reporter& reporter) {
    io::NetworkOptions no;
    for (const ScenarioEdit& e : edits) {
        if (e.type == "add_road") {
            AddRoad a;
            a.name = e.label;
            for (const auto& [lon, lat] : e.line) a.line.push_back({lon, lat});
            a.attributes.road_class = parse_class(e.road_class, sc.path, e.line_number);
            if (e.maxspeed_kmh) a.attributes.maxspeed_kmh = *e.maxspeed_kmh;
            a.attributes.oneway = e.oneway ? Oneway::forward : Oneway::no;
            a.attributes.bridge_or_tunnel = e.bridge;
            a.join_tolerance_m = e.join_tolerance_m;
            a.allow_dangling = e.allow_dangling;
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

PlanResult run_plan(const Scenario& sc, const PlanOptions& options, const Reporter& caller) {
    // Every note and warning once: a service's facilities are read again for each variant and
    // for its suggestion.
    Callbacks callbacks = caller.callbacks();
    if (callbacks.notice) {
        auto seen = std::make_shared<std::pair<std::mutex, std::set<std::string>>>();
        callbacks.notice = [inner = callbacks.notice, seen](const Notice& n) {
            {
                std::lock_guard lock(seen->first);
                if (!seen->second.insert(n.text).second) return;
            }
            inner(n);
        };
    }
    const Reporter reporter(callbacks);
    std::vector<StudyStandard> standards;
    for (const ScenarioService& sv : sc.services) standards.push_back(service_standard(sc, sv));
    const std::vector<ScenarioVariant> variants = sc.variants_with_edits();
    std::vector<io::NetworkOptions> edited;
    for (const ScenarioVariant& v : variants) edited.push_back(network_edits(sc, v.edits, reporter));
    // Re-reading a service's facilities for a variant repeats no warning; progress and
    // cancellation stay.
    Callbacks quiet_callbacks = reporter.callbacks();
    quiet_callbacks.notice = nullptr;
    const Reporter quiet(quiet_callbacks);

    std::size_t steps = 2 + sc.services.size() * (1 + variants.size()), step = 0;
    for (const ScenarioService& sv : sc.services) steps += sv.suggest ? 1 : 0;
    const auto progressed = [&] { reporter.progress("plan", ++step, steps); };
    reporter.progress("plan", 0, steps);

    const std::vector<MergedPlanStudy>* merged = options.merged.get();
    if (merged && merged->empty()) throw std::invalid_argument("run_plan: a plan in shards without its studies");
    Areas areas(sc, variants, edited, options.threads, reporter, merged ? merged->front().merged.area.get() : nullptr);
    // A plan in shards takes each study's residents from its merge, in plan_studies() order: the
    // facilities placed on the whole network and the service areas drawn, as run_service does.
    std::size_t next = 0;
    const auto from_shards = [&](std::size_t service, std::size_t variant, const StudyArea& area,
                                 const ServiceOptions& o) {
        if (next >= merged->size() || (*merged)[next].service != service || (*merged)[next].variant != variant)
            throw std::logic_error("run_plan: the merged studies are not the plan's");
        ServiceResult r = (*merged)[next++].merged.result;
        r.placed = place_facilities(r.facilities, *area.snapper);
        draw_service_areas(area, o, r, reporter);
        return r;
    };
    const StudyArea& first = areas.get(standards.front(), 0);
    check_groups(sc, first);
    check_edits_within(sc, variants, first.net.lonlat_bounds());
    for (const GroupLabel& g : sc.groups) {
        const auto& known = first.demand.groups;
        if (std::find(known.begin(), known.end(), g.group) == known.end())
            throw InputError("line " + std::to_string(g.line) + ": [groups] labels '" + g.group +
                             "', which is not one of the demand's groups (" + list_text(known, 50) + ")")
                .set_file(sc.path);
    }
    progressed();

    PlanResult out;
    out.title = sc.title;
    out.language = sc.report.language;
    out.hex_m = sc.hex_m;
    out.work_crs = first.net.work_crs;
    out.osm = first.net.format == "OpenStreetMap";
    out.roads = roads_layer(first.net.graph);
    out.groups = first.demand.groups;
    for (const std::string& g : out.groups) out.group_labels.push_back(group_label(sc, g));
    out.bounds_lonlat = first.net.lonlat_bounds();
    read_water(sc, out.osm, first.net, out, reporter);
    progressed();

    PlanVariant today;
    today.id = "today";
    today.title = sc.report.language == "en" ? "today 现状" : "现状 today";
    out.variants.push_back(std::move(today));
    for (std::size_t v = 0; v < variants.size(); ++v) {
        const ScenarioVariant& sv = variants[v];
        PlanVariant pv;
        pv.id = sv.id;
        pv.title = sv.title;
        if (!sv.edits.empty()) {
            const StudyArea& after = areas.get(standards.front(), v + 1);
            pv.road_works = describe_road_works(sc, sv.edits, first.net, after.net, reporter);
            // The plain [[edits]] keep their layer names (road_works, road_work_areas).
            pv.edits = edits_layers(sv.edits, first.net, sv.id == "road_works" ? std::string() : sv.id + "_");
            for (const RoadWork& w : pv.road_works) out.edit_notes.push_back(w.en);
            out.edits.insert(out.edits.end(), pv.edits.begin(), pv.edits.end());
        }
        out.variants.push_back(std::move(pv));
    }

    for (std::size_t k = 0; k < sc.services.size(); ++k) {
        const ScenarioService& sv = sc.services[k];
        ServiceResults s;
        s.id = sv.id;
        s.title = sv.title;
        s.capacity_field = sv.capacity_field;
        s.osm_kind = sv.osm_kind;
        s.standard = standards[k];
        ServiceOptions o = service_options(sc, sv, s.standard);
        {
            const StudyArea& area = areas.get(s.standard, 0);
            if (sv.transit) s.standard.transit = o.standard.transit = areas.transit(area, s.standard.max_seconds());
            VariantResults t;
            t.name = out.variants[0].title;
            t.id = "today";
            t.result = merged ? from_shards(k, 0, area, o) : run_service(area, o, reporter);
            t.layers = service_layers(area, o, t.result);
            t.demand_xy = area.demand.xy;
            t.demand_feature = area.demand.feature;
            t.demand_weight = area.demand.weights[t.result.group];
            s.group = area.demand.groups[t.result.group];
            s.group_label = out.group_labels[t.result.group];
            if (t.result.facilities.size() == 0)
                s.notes.push_back(sc.report.language == "en"
                                      ? "No facility was found (" + t.result.facilities.source +
                                            "): nobody is covered, 0%. 未找到设施：覆盖率为 0%。"
                                      : "未找到设施（" + t.result.facilities.source +
                                            "）：无人被覆盖，覆盖率为 0%。No facility was found: nobody is covered, 0%.");
            s.variants.push_back(std::move(t));
            progressed();
            if (sv.suggest) {
                const SuggestionOptions so = suggestion_options(o, *sv.suggest, options.threads);
                if (merged) {
                    // On today's merged tables; then placed on the whole network, as run_suggestion places.
                    // The minutes with the sites: every resident's nearest chosen site on the whole network.
                    const auto nearest = [&](std::span<const Point> xy) {
                        FacilitySet sites;
                        sites.xy.assign(xy.begin(), xy.end());
                        sites.lonlat = sites.xy;
                        sites.ids.assign(xy.size(), std::string());
                        sites.names = sites.ids;
                        sites.delay.assign(xy.size(), 0.0);
                        sites.cutoff.assign(xy.size(), unreachable);
                        sites.outline.resize(xy.size());
                        ServiceOptions plain = so.service;
                        plain.facilities.read.capacity_field.clear();
                        return service_searches(area, plain, sites, place_points(xy, *area.snapper), reporter).coverage;
                    };
                    s.suggestion = run_suggestion_on_shards((*merged)[next - 1].merged, so, area.net, reporter, nearest);
                    SuggestionResult& x = *s.suggestion;
                    x.before.placed = place_facilities(x.before.facilities, *area.snapper);
                    x.candidates.placed = place_points(x.candidates.xy, *area.snapper);
                    x.after.placed = combined(x.before.placed, x.candidates.placed, x.suggestion.selected);
                } else {
                    s.suggestion = run_suggestion(area, so, reporter);
                }
                // Each site is named by its nearest road, so that a planner can find it.
                std::vector<maps::SiteRow> rows = s.suggestion->rows;
                const auto& g = area.net.graph;
                for (std::size_t r = 0; r < rows.size(); ++r) {
                    const std::uint32_t j = s.suggestion->suggestion.selected[r];
                    const Snap& sn = s.suggestion->candidates.placed.snaps[j];
                    const Point at = sn.ok() ? sn.on_road : s.suggestion->candidates.xy[j];
                    std::string road = sn.ok() ? edge_name(g, sn.position.edge) : std::string();
                    double far = 0;
                    if (road.empty()) std::tie(road, far) = nearest_named_road(g, at, 300.0);
                    const std::string rank = std::to_string(rows[r].rank);
                    if (!rows[r].name.empty()) continue;
                    if (road.empty())
                        rows[r].name = sc.report.language == "en" ? "site " + rank + " 新址" + rank : "新址" + rank + " site " + rank;
                    else if (far > 30)
                        rows[r].name = sc.report.language == "en"
                                           ? "site " + rank + ", " + fmt(far, 0) + " m from " + road
                                           : "新址" + rank + "：距" + road + " " + fmt(far, 0) + " 米";
                    else
                        rows[r].name = sc.report.language == "en" ? "site " + rank + " on " + road
                                                                  : "新址" + rank + "：" + road + "旁";
                    // Sites along one road told apart by the nearest crossing road.
                    const std::string cross = road.empty() ? std::string() : nearest_named_road(g, at, 250.0, road).first;
                    if (!cross.empty())
                        rows[r].name += sc.report.language == "en" ? " near " + cross : "（近" + cross + "）";
                }
                s.suggestion->rows = rows;
                s.sites = maps::sites_layer(rows);
                VariantResults w;
                w.id = "with_sites";
                w.name = sc.report.language == "en" ? "with the suggested sites 增设建议选址后" : "增设建议选址后 with the suggested sites";
                w.result = s.suggestion->after;
                draw_service_areas(area, o, w.result, reporter);  // the panel shows them as the others do
                w.layers = service_layers(area, o, w.result);
                w.demand_xy = area.demand.xy;
                w.demand_feature = area.demand.feature;
                w.demand_weight = area.demand.weights[w.result.group];
                s.with_sites = std::move(w);
                progressed();
            }
        }
        for (std::size_t v = 0; v < variants.size(); ++v) {
            const ScenarioVariant& sv2 = variants[v];
            const ScenarioFacilityChange* change = nullptr;
            for (const ScenarioFacilityChange& c : sv2.facilities)
                if (c.service == sv.id) change = &c;
            VariantResults r;
            if (sv2.edits.empty() && !change) {
                r = s.variants.front();  // the variant leaves this service as it is today
            } else {
                const StudyArea& area = areas.get(s.standard, sv2.edits.empty() ? 0 : v + 1);
                if (sv.transit) o.standard.transit = areas.transit(area, s.standard.max_seconds());
                if (change) {
                    std::size_t first_added = 0;
                    FacilitySet f =
                        variant_facilities(sc, sv2, *change, area.net, o, quiet, reporter, r.notes, first_added);
                    r.result = merged ? from_shards(k, v + 1, area, o) : run_service(area, o, std::move(f), quiet);
                    for (std::size_t i = first_added; i < r.result.placed.snaps.size(); ++i)
                        if (!r.result.placed.snaps[i].ok())
                            reporter.warning("variant '" + sv2.id + "': the facility '" + r.result.facilities.ids[i] +
                                             "' it adds to service '" + sv.id +
                                             "' lies too far from any road to be placed (check lon and lat)");
                    for (const std::string& w : r.notes) out.variants[v + 1].facility_changes.push_back(sv.title + ": " + w);
                } else {
                    if (merged) throw std::logic_error("run_plan: road works in shards");
                    r.result = run_service(area, o, quiet);
                }
                r.layers = service_layers(area, o, r.result);
                r.demand_xy = area.demand.xy;
                r.demand_feature = area.demand.feature;
                r.demand_weight = area.demand.weights[r.result.group];
            }
            r.id = sv2.id;
            r.name = out.variants[v + 1].title;
            s.variants.push_back(std::move(r));
            progressed();
        }
        out.services.push_back(std::move(s));
    }
    // The project opens where the people and the facilities are, not on the whole network.
    std::vector<Point> corners;
    Box view;
    const auto add = [&view](const Point& p) {
        view.min.x = std::min(view.min.x, p.x);
        view.min.y = std::min(view.min.y, p.y);
        view.max.x = std::max(view.max.x, p.x);
        view.max.y = std::max(view.max.y, p.y);
    };
    for (const ServiceResults& s : out.services) {
        const VariantResults& t = s.variants.front();
        for (std::size_t i = 0; i < t.demand_xy.size() && i < t.demand_weight.size(); ++i)
            if (t.demand_weight[i] > 0) add(t.demand_xy[i]);
        for (const Point& p : t.result.facilities.xy) add(p);
    }
    if (view.min.x <= view.max.x) {
        corners = {view.min, view.max};
        first.net.to_lonlat(corners);
        out.view_lonlat = {corners[0], corners[1]};
    } else {
        out.view_lonlat = out.bounds_lonlat;
    }
    return out;
}

std::vector<PlanStudy> plan_studies(const Scenario& sc) {
    const std::string what = "a plan in shards ";
    if (!sc.edits.empty() || std::any_of(sc.variants.begin(), sc.variants.end(),
                                         [](const ScenarioVariant& v) { return !v.edits.empty(); }))
        throw UsageError(what + "takes no road works ([[edits]], a variant's edits): they change the roads every "
                         "shard reads; run the what-if study whole (a city fits one machine)");
    if (!sc.demand.buildings.empty())
        throw UsageError(what + "reads the residents from a layer, not buildings: estimate them first (lifecircle "
                         "demand --buildings ... --out residents.gpkg) and give that layer as [demand] file");
    std::vector<PlanStudy> out;
    const std::vector<ScenarioVariant> variants = sc.variants_with_edits();
    std::optional<ProfileSettings> profile;
    for (std::size_t k = 0; k < sc.services.size(); ++k) {
        const ScenarioService& sv = sc.services[k];
        if (sv.transit)
            throw UsageError(what + "has no service by public transport (service '" + sv.id + "'): a ride carries "
                             "residents beyond any halo; run it whole");
        const StudyStandard standard = service_standard(sc, sv);
        const ProfileSettings p = standard.profile();
        if (!profile) profile = p;
        if (p.mode != profile->mode || p.walk_speed_kmh != profile->walk_speed_kmh || p.slope != profile->slope)
            throw UsageError(what + "needs one travel profile for every service: service '" + sv.id + "' goes by " +
                             standard.mode_label() + " at another speed or slope than '" + sc.services[0].id +
                             "'; run the services of each profile as their own scenario");
        PlanStudy today;
        today.service = k;
        today.options = service_options(sc, sv, standard);
        today.options.areas.reset();
        if (sv.suggest) {
            const SuggestionOptions so = suggestion_options(today.options, *sv.suggest, 1);
            check_sharded_suggestion(so);
            today.sites = candidate_table(so);
        }
        out.push_back(today);
        for (std::size_t v = 0; v < variants.size(); ++v) {
            const ScenarioFacilityChange* change = nullptr;
            for (const ScenarioFacilityChange& c : variants[v].facilities)
                if (c.service == sv.id) change = &c;
            if (!change) continue;
            PlanStudy study;
            study.service = k;
            study.variant = v + 1;
            study.options = today.options;
            const ScenarioVariant variant = variants[v];
            const ScenarioFacilityChange c = *change;
            const ServiceOptions o = today.options;
            study.facilities = [&sc, variant, c, o](const io::Network& net, const Box& bounds, const Reporter& reporter) {
                ServiceOptions within = o;
                within.facilities.network_lonlat_bounds = bounds;
                std::vector<std::string> words;
                std::size_t first_added = 0;
                return variant_facilities(sc, variant, c, net, within, reporter, reporter, words, first_added);
            };
            out.push_back(std::move(study));
        }
    }
    return out;
}

}  // namespace lifecircle::studies
