#include "cli/plan_outputs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "cli/format.hpp"
#include "core/error.hpp"
#include "core/wkb.hpp"
#include "io/layer_writer.hpp"
#include "io/output.hpp"
#include "io/points.hpp"
#include "maps/qgis_project.hpp"
#include "maps/report.hpp"
#include "maps/style.hpp"

namespace lifecircle::cli {

namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string pct(double part, double total) {
    if (!(total > 0) || !std::isfinite(part)) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100 * part / total);
    return buf;
}

RoadClass parse_class(const std::string& name, const std::string& file) {
    const RoadClass c = parse_road_class(name);
    if (c == RoadClass::other && name != "other")
        throw InputError("unknown road class '" + name + "'; use an OpenStreetMap highway value such as footway, "
                                                         "residential or primary")
            .set_file(file);
    return c;
}

/** A named layer copy. */
Layer named(Layer layer, const std::string& name) {
    layer.name = name;
    return layer;
}

}  // namespace

io::NetworkOptions network_edits(const io::Scenario& sc) {
    io::NetworkOptions no;
    for (const io::ScenarioEdit& e : sc.edits) {
        if (e.type == "add_road") {
            AddRoad a;
            a.name = e.label;
            for (const auto& [lon, lat] : e.line) a.line.push_back({lon, lat});
            a.attributes.road_class = parse_class(e.road_class, sc.path);
            if (e.maxspeed_kmh) a.attributes.maxspeed_kmh = *e.maxspeed_kmh;
            a.attributes.oneway = e.oneway ? Oneway::forward : Oneway::no;
            no.edits_lonlat.add.push_back(std::move(a));
            continue;
        }
        ChangeRoads c;
        c.label = e.label;
        c.source_ids = e.osm_ids;
        if (!e.polygon.empty()) {
            Ring ring;
            for (const auto& [lon, lat] : e.polygon) ring.push_back({lon, lat});
            if (!(ring.front().x == ring.back().x && ring.front().y == ring.back().y)) ring.push_back(ring.front());
            c.area.push_back({ring});
        }
        if (!e.area_file.empty()) {
            PointArgs pa;
            pa.path = e.area_file;
            pa.read.polygons = true;
            const io::PointLayer layer = io::read_points(pa.path, pa.read);
            for (const io::PointRecord& r : layer.points) {
                if (r.polygon_lonlat.empty())
                    throw InputError("the area of a road work must be polygons; this feature is a point")
                        .set_file(pa.path)
                        .set_feature(r.id);
                for (const auto& part : r.polygon_lonlat) {
                    std::vector<Ring> rings;
                    for (const auto& ring : part) {
                        Ring pts;
                        for (const auto& [lon, lat] : ring) pts.push_back({lon, lat});
                        rings.push_back(std::move(pts));
                    }
                    c.area.push_back(std::move(rings));
                }
            }
        }
        if (e.type == "close") c.close = true;
        if (e.new_class) c.road_class = parse_class(*e.new_class, sc.path);
        c.speed_factor = e.speed_factor;
        c.maxspeed_kmh = e.maxspeed_kmh;
        no.edits_lonlat.change.push_back(std::move(c));
    }
    return no;
}

std::vector<Layer> edits_layers(const io::Scenario& sc, const io::Network& net) {
    Layer lines;
    lines.name = "road_works";
    lines.kind = GeometryKind::line;
    lines.fields = {{"label", FieldType::string}, {"type", FieldType::string}, {"class", FieldType::string}};
    Layer areas;
    areas.name = "road_work_areas";
    areas.kind = GeometryKind::polygon;
    areas.fields = {{"label", FieldType::string}, {"type", FieldType::string}};
    for (const io::ScenarioEdit& e : sc.edits) {
        if (e.type == "add_road") {
            std::vector<Point> line;
            for (const auto& [lon, lat] : e.line) line.push_back({lon, lat});
            net.to_work(line);
            Feature f;
            const std::vector<std::vector<Point>> parts{line};
            f.wkb = wkb_multilinestring(parts);
            f.values = {e.label, e.type, e.road_class};
            lines.features.push_back(std::move(f));
        } else if (!e.polygon.empty()) {
            Ring ring;
            for (const auto& [lon, lat] : e.polygon) ring.push_back({lon, lat});
            if (!(ring.front().x == ring.back().x && ring.front().y == ring.back().y)) ring.push_back(ring.front());
            net.to_work(ring);
            Feature f;
            const MultiPolygonXY poly{{ring}};
            f.wkb = wkb_multipolygon(poly);
            f.values = {e.label, e.type};
            areas.features.push_back(std::move(f));
        }
    }
    lines.qml = maps::categorized_qml(GeometryKind::line, "type", {{"add_road", "new road or footbridge", 200, 30, 160}});
    lines.style_name = "road works";
    areas.qml = maps::categorized_qml(GeometryKind::polygon, "type",
                                      {{"change", "roads changed", 240, 160, 40}, {"close", "roads closed", 200, 40, 40}});
    areas.style_name = "road work areas";
    std::vector<Layer> out;
    if (!lines.features.empty()) out.push_back(std::move(lines));
    if (!areas.features.empty()) out.push_back(std::move(areas));
    return out;
}

Layer roads_layer(const RoadGraph& g) {
    Layer out;
    out.name = "roads";
    out.kind = GeometryKind::line;
    out.fields = {{"class", FieldType::string}};
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        Feature f;
        const std::vector<Point> shape(g.shape_begin(e), g.shape_begin(e) + g.shape_size(e));
        const std::vector<std::vector<Point>> parts{shape};
        f.wkb = wkb_multilinestring(parts);
        f.values = {std::string(road_class_name(g.edge_class[e]))};
        out.features.push_back(std::move(f));
    }
    return out;
}

namespace {

/** One output layer with where it goes in the project's legend. */
struct Placed {
    Layer layer;
    std::string title, group;
    bool visible = true;
};

std::vector<Placed> placed_layers(const PlanResults& r) {
    std::vector<Placed> out;
    for (const Layer& l : r.edits) out.push_back({l, l.name == "road_works" ? "Road works: new roads" : "Road works: areas", "Road works", true});
    // The first service as it is today is switched on; the others, and the variants after the
    // road works, are in the legend to switch on one at a time.
    for (std::size_t k = 0; k < r.services.size(); ++k) {
        const ServiceResults& s = r.services[k];
        if (!s.sites.features.empty())
            out.push_back({named(s.sites, s.id + "_suggested_sites"), "Suggested sites", s.title, k == 0});
        for (std::size_t v = 0; v < s.variants.size(); ++v) {
            const VariantResults& vr = s.variants[v];
            const std::string suffix = v == 0 ? "" : "_after";
            const std::string when = v == 0 ? "" : " (after the road works)";
            const bool visible = v == 0 && k == 0;
            out.push_back({named(vr.facilities, s.id + "_facilities" + suffix), "Facilities" + when, s.title, visible});
            out.push_back({named(vr.demand, s.id + "_demand" + suffix), "Residents: covered or not" + when, s.title, visible});
            out.push_back({named(vr.gaps, s.id + "_gaps" + suffix), "Gaps: uncovered residents" + when, s.title, visible});
            if (!vr.districts_layer.features.empty())
                out.push_back({named(vr.districts_layer, s.id + "_districts" + suffix), "Districts: share covered" + when,
                               s.title, false});
            if (!vr.areas.features.empty())
                out.push_back({named(vr.areas, s.id + "_service_areas" + suffix), "Service areas" + when, s.title, visible});
        }
    }
    return out;
}

nlohmann::ordered_json variant_json(const VariantResults& v, const std::vector<std::string>& groups) {
    nlohmann::ordered_json j;
    j["name"] = v.name;
    nlohmann::ordered_json g;
    for (std::size_t k = 0; k < groups.size() && k < v.overall.size(); ++k) g[groups[k]] = figures_json(v.overall[k]);
    j["groups"] = g;
    if (std::isfinite(v.capacity))
        j["capacity"] = {{"capacity", v.capacity}, {"served", v.served}, {"covered_unserved", v.covered_unserved}};
    if (!v.districts.empty()) {
        nlohmann::ordered_json d = nlohmann::ordered_json::array();
        for (const maps::DistrictFigures& f : v.districts) {
            nlohmann::ordered_json one;
            one["district"] = f.name;
            const std::size_t at = static_cast<std::size_t>(&f - v.districts.data());
            if (at < v.district_served.size()) one["served"] = v.district_served[at];
            for (std::size_t k = 0; k < groups.size() && k < f.groups.size(); ++k) one[groups[k]] = figures_json(f.groups[k]);
            d.push_back(one);
        }
        j["districts"] = d;
    }
    return j;
}

maps::Report build_report(const PlanResults& r, const io::Scenario& sc) {
    maps::Report rep;
    rep.title = r.title;
    rep.subtitle = "Network travel time to the nearest facility, per service, before and after the suggested sites" +
                   std::string(r.edits.empty() ? "" : " and the road works");
    const maps::SvgStyle roads_style{"none", "#bbbbbb", 0.8, 1.0, 2.0, "circle", "", {}, {}};
    for (const ServiceResults& s : r.services) {
        maps::ReportSection sec;
        sec.title = s.title;
        const VariantResults& today = s.variants.front();
        const std::size_t g = static_cast<std::size_t>(
            std::find(r.groups.begin(), r.groups.end(), s.group) - r.groups.begin());
        const planners::Figures& f = today.overall[g];
        sec.text = "Standard: " + (s.standard_title.empty() ? std::string("own limits") : s.standard_title) +
                   (s.standard_source.empty() ? "" : " — source: " + s.standard_source) + ". Within " +
                   fixed(s.minutes, 0) + " min" + (s.meters > 0 ? " and " + fixed(s.meters, 0) + " m" : "") + " by " +
                   s.mode + " (" + fixed(s.walk_speed_kmh, 1) + " km/h walking). Today " + pct(f.covered, f.total) +
                   " of " + s.group + " (" + fixed(f.covered, 0) + " of " + fixed(f.total, 0) + ") are covered.";
        maps::ReportMap map;
        map.title = s.title + ": service areas, gaps and sites";
        map.layers.push_back({&r.roads, roads_style, "roads"});
        if (!today.areas.features.empty())
            map.layers.push_back({&today.areas, {"#6baed6", "#2171b5", 0.8, 0.35, 3, "circle", "", {}, {}}, "service area"});
        if (!today.gaps.features.empty()) {
            double top = 0;
            for (const Feature& ft : today.gaps.features)
                for (std::size_t k = 0; k < today.gaps.fields.size(); ++k)
                    if (today.gaps.fields[k].name == "uncovered_" + s.group && std::holds_alternative<double>(ft.values[k]))
                        top = std::max(top, std::get<double>(ft.values[k]));
            const std::vector<double> breaks = maps::fraction_breaks(top, {0.1, 0.3, 0.6, 1.0});
            const std::vector<std::string> ramp = {"#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"};
            std::vector<std::string> colours(ramp.begin(), ramp.begin() + static_cast<std::ptrdiff_t>(std::min(breaks.size(), ramp.size())));
            while (colours.size() < breaks.size()) colours.push_back(ramp.back());
            map.layers.push_back({&today.gaps, {"#fb6a4a", "none", 0.0, 0.75, 3, "circle", "uncovered_" + s.group, breaks, colours},
                                  "uncovered " + s.group});
        }
        map.layers.push_back({&today.facilities, {"#08519c", "#ffffff", 1.0, 1.0, 4.5, "circle", "", {}, {}}, "existing facility"});
        if (!s.sites.features.empty())
            map.layers.push_back({&s.sites, {"#d94801", "#ffffff", 1.0, 1.0, 7, "star", "", {}, {}}, "suggested site"});
        for (const Layer& e : r.edits)
            map.layers.push_back({&e, {"none", "#c51b8a", 2.5, 1.0, 3, "circle", "", {}, {}}, "road works"});
        sec.maps.push_back(std::move(map));

        maps::ReportTable t;
        t.title = "Coverage by group";
        t.header = {"group", "residents", "covered today", "share today"};
        const bool after = s.variants.size() > 1;
        if (after) t.header.insert(t.header.end(), {"after road works", "change"});
        if (!s.with_sites.empty()) t.header.insert(t.header.end(), {"with suggested sites", "change"});
        for (std::size_t k = 0; k < r.groups.size(); ++k) {
            const planners::Figures& a = today.overall[k];
            std::vector<std::string> row = {r.groups[k], fixed(a.total, 0), fixed(a.covered, 0), pct(a.covered, a.total)};
            if (after) {
                const planners::Figures& b = s.variants[1].overall[k];
                row.push_back(pct(b.covered, b.total));
                row.push_back((b.covered >= a.covered ? "+" : "") + fixed(b.covered - a.covered, 0));
            }
            if (!s.with_sites.empty()) {
                const planners::Figures& c = s.with_sites[k];
                row.push_back(pct(c.covered, c.total));
                row.push_back("+" + fixed(c.covered - a.covered, 0));
            }
            t.rows.push_back(row);
        }
        if (std::isfinite(today.capacity))
            t.note = "Seats: " + fixed(today.capacity, 0) + " for " + fixed(f.total, 0) + " " + s.group + "; served " +
                     fixed(today.served, 0) + " (" + pct(today.served, f.total) + "), covered but without a seat " +
                     fixed(today.covered_unserved, 0) +
                     (std::isfinite(s.with_sites_served) ? "; with the suggested sites served " + fixed(s.with_sites_served, 0) +
                                                               " (" + pct(s.with_sites_served, f.total) + ")"
                                                         : "") +
                     ".";
        sec.tables.push_back(std::move(t));
        if (!today.districts.empty()) {
            maps::ReportTable d;
            d.title = "Share of " + s.group + " covered per district";
            d.header = {"district", s.group, "share today"};
            if (after) d.header.push_back("after road works");
            if (!s.with_sites_districts.empty()) d.header.push_back("with suggested sites");
            const bool seats = !today.district_served.empty();
            if (seats) d.header.push_back("served (seat within reach)");
            d.header.push_back("mean minutes");
            for (std::size_t k = 0; k < today.districts.size(); ++k) {
                const planners::Figures& a = today.districts[k].groups[g];
                std::vector<std::string> row = {today.districts[k].name, fixed(a.total, 0), pct(a.covered, a.total)};
                if (after) {
                    const planners::Figures& b = s.variants[1].districts[k].groups[g];
                    row.push_back(pct(b.covered, b.total));
                }
                if (!s.with_sites_districts.empty()) {
                    const planners::Figures& c = s.with_sites_districts[k].groups[g];
                    row.push_back(pct(c.covered, c.total));
                }
                if (seats) row.push_back(pct(today.district_served[k], a.total));
                row.push_back(fixed(a.mean_minutes, 1));
                d.rows.push_back(row);
            }
            sec.tables.push_back(std::move(d));
        }
        if (s.suggestion) {
            const planners::Suggestion& sg = *s.suggestion;
            maps::ReportTable st;
            st.title = "Suggested sites (" + std::string(planners::objective_name(sg.objective)) +
                       (sg.capacitated ? ", capacitated" : "") + ")";
            st.header = {"rank", "site", "added", "assigned"};
            for (std::size_t k = 0; k < s.selected_ids.size(); ++k)
                st.rows.push_back({std::to_string(k + 1), s.selected_ids[k], fixed(sg.added_weight[k], 0),
                                   fixed(sg.assigned_weight[k], 0)});
            st.note = std::to_string(s.candidates) + " candidate sites; objective " + fixed(sg.objective_value, 1) +
                      ", bound " + fixed(sg.bound, 1) + ", gap " + fixed(100 * sg.gap, 2) + "%" +
                      (sg.proven_optimal ? " (proven optimal)" : "") + ". Method: " + sg.method + ".";
            sec.tables.push_back(std::move(st));
        }
        rep.sections.push_back(std::move(sec));
    }
    // Parameters and sources.
    maps::ReportSection params;
    params.title = "Parameters and sources";
    maps::ReportTable p;
    p.title = "Services";
    p.header = {"service", "standard", "source", "mode", "minutes", "metres", "walking km/h", "demand group"};
    for (const ServiceResults& s : r.services)
        p.rows.push_back({s.title, s.standard.empty() ? "-" : s.standard, s.standard_source.empty() ? "-" : s.standard_source,
                          s.mode, fixed(s.minutes, 0), s.meters > 0 ? fixed(s.meters, 0) : "-", fixed(s.walk_speed_kmh, 1),
                          s.group});
    params.tables.push_back(std::move(p));
    params.text = "Network: " + fs::path(sc.network).filename().string() + "; demand: " +
                  fs::path(sc.demand.empty() ? sc.buildings : sc.demand).filename().string() + "; work CRS " + r.work_crs +
                  ". Times include the walk from each home and facility to its road.";
    if (!r.edit_notes.empty()) {
        maps::ReportTable e;
        e.title = "Road works";
        e.header = {"road work"};
        for (const std::string& n : r.edit_notes) e.rows.push_back({n});
        params.tables.push_back(std::move(e));
    }
    rep.sections.push_back(std::move(params));
    rep.footer = std::string("Made with lifecircle. ") +
                 (r.osm ? "Road data © OpenStreetMap contributors, available under the Open Database Licence (ODbL)." : "");
    return rep;
}

}  // namespace

void write_plan(const PlanFolder& folder, const PlanResults& r, const io::Scenario& sc, unsigned threads) {
    const fs::path dir(folder.dir());
    std::error_code ec;
    fs::create_directories(dir / "geojson", ec);
    const std::vector<Placed> layers = placed_layers(r);
    std::vector<io::OutputRequest> requests;
    requests.push_back({"--out", (dir / "lifecircle.gpkg").string(), {".gpkg"}, "", false});
    for (const Placed& p : layers)
        requests.push_back({"--out", (dir / "geojson" / (p.layer.name + ".geojson")).string(), {".geojson"}, "", true});
    const std::size_t summary_req = requests.size();
    requests.push_back({"--out", (dir / "summary.json").string(), {".json"}, "", false});
    const std::size_t report_req = requests.size();
    requests.push_back({"--out", (dir / "report.html").string(), {".html"}, "", false});
    const std::size_t project_req = requests.size();
    requests.push_back({"--out", (dir / "lifecircle.qgs").string(), {".qgs"}, "", false});
    const std::size_t manifest_req = requests.size();
    requests.push_back(folder.manifest_request());
    io::OutputPlan plan(std::move(requests), folder.inputs(), [](const std::string& n) { print_note("note: " + n); });

    std::vector<Layer> all;
    for (const Placed& p : layers) all.push_back(p.layer);
    io::WriteOptions wo;
    wo.threads = threads;
    io::write_layers(plan, plan.file_of(0), all, r.work_crs, wo);
    for (std::size_t k = 0; k < layers.size(); ++k)
        io::write_layers(plan, plan.file_of(k + 1), {layers[k].layer}, r.work_crs, wo);

    // summary.json
    nlohmann::ordered_json j;
    j["title"] = r.title;
    j["scenario"] = sc.path;
    j["network"] = sc.network;
    j["demand"] = sc.demand.empty() ? sc.buildings : sc.demand;
    j["work_crs"] = r.work_crs;
    j["groups"] = r.groups;
    nlohmann::ordered_json services = nlohmann::ordered_json::array();
    for (const ServiceResults& s : r.services) {
        nlohmann::ordered_json sj;
        sj["id"] = s.id;
        sj["title"] = s.title;
        sj["standard"] = s.standard.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.standard);
        sj["standard_source"] = s.standard_source;
        sj["mode"] = s.mode;
        sj["walk_speed_kmh"] = s.walk_speed_kmh;
        sj["minutes"] = s.minutes;
        sj["meters"] = s.meters > 0 ? nlohmann::ordered_json(s.meters) : nlohmann::ordered_json(nullptr);
        sj["demand_group"] = s.group;
        nlohmann::ordered_json vs = nlohmann::ordered_json::array();
        for (const VariantResults& v : s.variants) vs.push_back(variant_json(v, r.groups));
        sj["variants"] = vs;
        if (s.suggestion) {
            const planners::Suggestion& g = *s.suggestion;
            nlohmann::ordered_json gj;
            gj["objective"] = std::string(planners::objective_name(g.objective));
            gj["capacitated"] = g.capacitated;
            gj["candidates"] = s.candidates;
            gj["selected"] = s.selected_ids;
            gj["objective_value"] = g.objective_value;
            gj["bound"] = num(g.bound);
            gj["gap"] = num(g.gap);
            gj["proven_optimal"] = g.proven_optimal;
            gj["method"] = g.method;
            nlohmann::ordered_json w;
            for (std::size_t k = 0; k < r.groups.size() && k < s.with_sites.size(); ++k)
                w[r.groups[k]] = figures_json(s.with_sites[k]);
            gj["with_sites"] = w;
            if (std::isfinite(s.with_sites_served)) gj["with_sites_served"] = s.with_sites_served;
            sj["suggest"] = gj;
        }
        services.push_back(sj);
    }
    j["services"] = services;
    if (!r.edit_notes.empty()) j["road_works"] = r.edit_notes;
    plan.write_text(plan.file_of(summary_req), j.dump(2) + "\n");
    // report.html
    plan.write_text(plan.file_of(report_req), maps::report_html(build_report(r, sc)));
    // lifecircle.qgs
    {
        maps::QgisProject project;
        project.title = r.title;
        project.gpkg_file = "lifecircle.gpkg";
        for (const Placed& p : layers)
            project.layers.push_back({p.layer.name, p.title, p.layer.kind, p.layer.qml, p.visible, p.group});
        project.min_lon = r.bounds_lonlat.min.x;
        project.min_lat = r.bounds_lonlat.min.y;
        project.max_lon = r.bounds_lonlat.max.x;
        project.max_lat = r.bounds_lonlat.max.y;
        plan.write_text(plan.file_of(project_req), maps::qgis_project_xml(project));
    }

    // The manifest lists what this run wrote and is committed with it; what an earlier run
    // wrote and this one did not goes afterwards.
    std::vector<std::string> now = {"lifecircle.gpkg", "summary.json", "report.html", "lifecircle.qgs"};
    for (const Placed& p : layers) {
        now.push_back("geojson/" + p.layer.name + ".geojson");
        if (!p.layer.qml.empty()) now.push_back("geojson/" + p.layer.name + ".qml");
    }
    folder.commit(plan, plan.file_of(manifest_req), now);
}

void print_plan_summary(const PlanResults& r) {
    for (const ServiceResults& s : r.services) {
        const std::size_t g = static_cast<std::size_t>(std::find(r.groups.begin(), r.groups.end(), s.group) - r.groups.begin());
        const planners::Figures& a = s.variants.front().overall[g];
        std::printf("%-40s %-12s covered %7s", s.title.c_str(), s.group.c_str(), pct(a.covered, a.total).c_str());
        if (s.variants.size() > 1) {
            const planners::Figures& b = s.variants[1].overall[g];
            std::printf(", after road works %7s", pct(b.covered, b.total).c_str());
        }
        if (!s.with_sites.empty()) std::printf(", with %zu suggested sites %7s", s.selected_ids.size(),
                                               pct(s.with_sites[g].covered, s.with_sites[g].total).c_str());
        if (std::isfinite(s.variants.front().served))
            std::printf(", served %s", pct(s.variants.front().served, a.total).c_str());
        std::printf("\n");
    }
}

}  // namespace lifecircle::cli
