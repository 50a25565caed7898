#include "studies/plan_outputs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/wkb.hpp"
#include "io/layer_writer.hpp"
#include "io/output.hpp"
#include "io/points.hpp"
#include "maps/qgis_project.hpp"
#include "maps/report.hpp"
#include "maps/style.hpp"

namespace lifecircle::studies {

namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string fixed(double v, int decimals) {
    if (!std::isfinite(v)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string pct(double part, double total) {
    if (!(total > 0) || !std::isfinite(part)) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100 * part / total);
    return buf;
}

/** A named layer copy. */
Layer named(Layer layer, const std::string& name) {
    layer.name = name;
    return layer;
}

}  // namespace

std::vector<Layer> edits_layers(const Scenario& sc, const io::Network& net) {
    Layer lines;
    lines.name = "road_works";
    lines.kind = GeometryKind::line;
    lines.fields = {{"label", FieldType::string}, {"type", FieldType::string}, {"class", FieldType::string}};
    Layer areas;
    areas.name = "road_work_areas";
    areas.kind = GeometryKind::polygon;
    areas.fields = {{"label", FieldType::string}, {"type", FieldType::string}};
    for (const ScenarioEdit& e : sc.edits) {
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

std::vector<Placed> placed_layers(const PlanResult& r) {
    std::vector<Placed> out;
    for (const Layer& l : r.edits)
        out.push_back({l, l.name == "road_works" ? "Road works: new roads" : "Road works: areas", "Road works", true});
    // The first service as it is today is switched on; the others, and the variants after the
    // road works, are in the legend to switch on one at a time.
    for (std::size_t k = 0; k < r.services.size(); ++k) {
        const ServiceResults& s = r.services[k];
        if (!s.sites.features.empty())
            out.push_back({named(s.sites, s.id + "_suggested_sites"), "Suggested sites", s.title, k == 0});
        for (std::size_t v = 0; v < s.variants.size(); ++v) {
            const ServiceLayers& vr = s.variants[v].layers;
            const std::string suffix = v == 0 ? "" : "_after";
            const std::string when = v == 0 ? "" : " (after the road works)";
            const bool visible = v == 0 && k == 0;
            out.push_back({named(vr.facilities, s.id + "_facilities" + suffix), "Facilities" + when, s.title, visible});
            out.push_back({named(vr.demand, s.id + "_demand" + suffix), "Residents: covered or not" + when, s.title, visible});
            out.push_back({named(vr.gaps, s.id + "_gaps" + suffix), "Gaps: uncovered residents" + when, s.title, visible});
            if (!vr.districts.features.empty())
                out.push_back({named(vr.districts, s.id + "_districts" + suffix), "Districts: share covered" + when,
                               s.title, false});
            if (!vr.areas.features.empty())
                out.push_back({named(vr.areas, s.id + "_service_areas" + suffix), "Service areas" + when, s.title, visible});
        }
    }
    return out;
}

const planners::AssignmentTotals* seats_of(const ServiceResult& r) {
    return r.seats ? &r.seats->assignment.totals : nullptr;
}

nlohmann::ordered_json variant_json(const VariantResults& v, const std::vector<std::string>& groups) {
    const ServiceResult& r = v.result;
    nlohmann::ordered_json j;
    j["name"] = v.name;
    nlohmann::ordered_json g;
    for (std::size_t k = 0; k < groups.size() && k < r.overall.size(); ++k) g[groups[k]] = figures_json(r.overall[k]);
    j["groups"] = g;
    if (const planners::AssignmentTotals* t = seats_of(r))
        j["capacity"] = {{"capacity", t->capacity}, {"served", t->served_weight}, {"covered_unserved", t->covered_unserved_weight}};
    if (!r.districts.empty()) {
        nlohmann::ordered_json d = nlohmann::ordered_json::array();
        for (std::size_t at = 0; at < r.districts.size(); ++at) {
            const maps::DistrictFigures& f = r.districts[at];
            nlohmann::ordered_json one;
            one["district"] = f.name;
            if (at < r.district_served.size()) one["served"] = r.district_served[at];
            for (std::size_t k = 0; k < groups.size() && k < f.groups.size(); ++k) one[groups[k]] = figures_json(f.groups[k]);
            d.push_back(one);
        }
        j["districts"] = d;
    }
    return j;
}

std::string standard_words(const StudyStandard& st) {
    if (st.name.empty()) return "own limits";
    return st.title_en + (st.title_zh.empty() ? "" : " (" + st.title_zh + ")");
}

maps::Report build_report(const PlanResult& r, const Scenario& sc) {
    maps::Report rep;
    rep.title = r.title;
    rep.subtitle = "Network travel time to the nearest facility, per service, before and after the suggested sites" +
                   std::string(r.edits.empty() ? "" : " and the road works");
    const maps::SvgStyle roads_style{"none", "#bbbbbb", 0.8, 1.0, 2.0, "circle", "", {}, {}};
    for (const ServiceResults& s : r.services) {
        maps::ReportSection sec;
        sec.title = s.title;
        const ServiceResult& today = s.variants.front().result;
        const ServiceLayers& layers = s.variants.front().layers;
        const std::size_t g = today.group;
        const planners::Figures& f = today.overall[g];
        const StudyStandard& st = s.standard;
        sec.text = "Standard: " + standard_words(st) + (st.source.empty() ? "" : " — source: " + st.source) + ". Within " +
                   st.describe() + ". Today " + pct(f.covered, f.total) + " of " + s.group + " (" + fixed(f.covered, 0) +
                   " of " + fixed(f.total, 0) + ") are covered.";
        maps::ReportMap map;
        map.title = s.title + ": service areas, gaps and sites";
        map.layers.push_back({&r.roads, roads_style, "roads"});
        if (!layers.areas.features.empty())
            map.layers.push_back({&layers.areas, {"#6baed6", "#2171b5", 0.8, 0.35, 3, "circle", "", {}, {}}, "service area"});
        if (!layers.gaps.features.empty()) {
            double top = 0;
            for (const Feature& ft : layers.gaps.features)
                for (std::size_t k = 0; k < layers.gaps.fields.size(); ++k)
                    if (layers.gaps.fields[k].name == "uncovered_" + s.group && std::holds_alternative<double>(ft.values[k]))
                        top = std::max(top, std::get<double>(ft.values[k]));
            const std::vector<double> breaks = maps::fraction_breaks(top, {0.1, 0.3, 0.6, 1.0});
            const std::vector<std::string> ramp = {"#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"};
            std::vector<std::string> colours(ramp.begin(), ramp.begin() + static_cast<std::ptrdiff_t>(std::min(breaks.size(), ramp.size())));
            while (colours.size() < breaks.size()) colours.push_back(ramp.back());
            map.layers.push_back({&layers.gaps, {"#fb6a4a", "none", 0.0, 0.75, 3, "circle", "uncovered_" + s.group, breaks, colours},
                                  "uncovered " + s.group});
        }
        map.layers.push_back({&layers.facilities, {"#08519c", "#ffffff", 1.0, 1.0, 4.5, "circle", "", {}, {}}, "existing facility"});
        if (!s.sites.features.empty())
            map.layers.push_back({&s.sites, {"#d94801", "#ffffff", 1.0, 1.0, 7, "star", "", {}, {}}, "suggested site"});
        for (const Layer& e : r.edits)
            map.layers.push_back({&e, {"none", "#c51b8a", 2.5, 1.0, 3, "circle", "", {}, {}}, "road works"});
        sec.maps.push_back(std::move(map));

        const ServiceResult* after = s.variants.size() > 1 ? &s.variants[1].result : nullptr;
        const ServiceResult* with_sites = s.suggestion ? &s.suggestion->after : nullptr;
        maps::ReportTable t;
        t.title = "Coverage by group";
        t.header = {"group", "residents", "covered today", "share today"};
        if (after) t.header.insert(t.header.end(), {"after road works", "change"});
        if (with_sites) t.header.insert(t.header.end(), {"with suggested sites", "change"});
        for (std::size_t k = 0; k < r.groups.size(); ++k) {
            const planners::Figures& a = today.overall[k];
            std::vector<std::string> row = {r.groups[k], fixed(a.total, 0), fixed(a.covered, 0), pct(a.covered, a.total)};
            if (after) {
                const planners::Figures& b = after->overall[k];
                row.push_back(pct(b.covered, b.total));
                row.push_back((b.covered >= a.covered ? "+" : "") + fixed(b.covered - a.covered, 0));
            }
            if (with_sites) {
                const planners::Figures& c = with_sites->overall[k];
                row.push_back(pct(c.covered, c.total));
                row.push_back("+" + fixed(c.covered - a.covered, 0));
            }
            t.rows.push_back(row);
        }
        if (const planners::AssignmentTotals* seats = seats_of(today)) {
            const planners::AssignmentTotals* later = with_sites ? seats_of(*with_sites) : nullptr;
            t.note = "Seats: " + fixed(seats->capacity, 0) + " for " + fixed(f.total, 0) + " " + s.group + "; served " +
                     fixed(seats->served_weight, 0) + " (" + pct(seats->served_weight, f.total) +
                     "), covered but without a seat " + fixed(seats->covered_unserved_weight, 0) +
                     (later ? "; with the suggested sites served " + fixed(later->served_weight, 0) + " (" +
                                  pct(later->served_weight, f.total) + ")"
                            : "") +
                     ".";
        }
        sec.tables.push_back(std::move(t));
        if (!today.districts.empty()) {
            maps::ReportTable d;
            d.title = "Share of " + s.group + " covered per district";
            d.header = {"district", s.group, "share today"};
            if (after) d.header.push_back("after road works");
            if (with_sites) d.header.push_back("with suggested sites");
            const bool seats = !today.district_served.empty();
            if (seats) d.header.push_back("served (seat within reach)");
            d.header.push_back("mean minutes");
            for (std::size_t k = 0; k < today.districts.size(); ++k) {
                const planners::Figures& a = today.districts[k].groups[g];
                std::vector<std::string> row = {today.districts[k].name, fixed(a.total, 0), pct(a.covered, a.total)};
                if (after) {
                    const planners::Figures& b = after->districts[k].groups[g];
                    row.push_back(pct(b.covered, b.total));
                }
                if (with_sites) {
                    const planners::Figures& c = with_sites->districts[k].groups[g];
                    row.push_back(pct(c.covered, c.total));
                }
                if (seats) row.push_back(pct(today.district_served[k], a.total));
                row.push_back(fixed(a.mean_minutes, 1));
                d.rows.push_back(row);
            }
            sec.tables.push_back(std::move(d));
        }
        if (s.suggestion) {
            const planners::Suggestion& sg = s.suggestion->suggestion;
            maps::ReportTable sites;
            sites.title = "Suggested sites (" + std::string(planners::objective_name(sg.objective)) +
                       (sg.capacitated ? ", capacitated" : "") + ")";
            sites.header = {"rank", "site", "added", "assigned"};
            for (const maps::SiteRow& row : s.suggestion->rows)
                sites.rows.push_back({std::to_string(row.rank), row.candidate_id, fixed(row.added_weight, 0),
                                   fixed(row.assigned_weight, 0)});
            sites.note = std::to_string(s.suggestion->candidates.xy.size()) + " candidate sites; objective " +
                      fixed(sg.objective_value, 1) + ", bound " + fixed(sg.bound, 1) + ", gap " + fixed(100 * sg.gap, 2) +
                      "%" + (sg.proven_optimal ? " (proven optimal)" : "") + ". Method: " + sg.method + ".";
            sec.tables.push_back(std::move(sites));
        }
        rep.sections.push_back(std::move(sec));
    }
    // Parameters and sources.
    maps::ReportSection params;
    params.title = "Parameters and sources";
    maps::ReportTable p;
    p.title = "Services";
    p.header = {"service", "standard", "source", "mode", "minutes", "metres", "walking km/h", "demand group"};
    for (const ServiceResults& s : r.services) {
        const StudyStandard& st = s.standard;
        p.rows.push_back({s.title, st.name.empty() ? "-" : st.name, st.source.empty() ? "-" : st.source,
                          st.mode_label(), st.minutes ? fixed(*st.minutes, 0) : "-",
                          st.metres ? fixed(*st.metres, 0) : "-", fixed(st.walk_speed_kmh, 1), s.group});
    }
    params.tables.push_back(std::move(p));
    params.text = "Network: " + fs::path(sc.network.path).filename().string() + "; demand: " +
                  fs::path(sc.demand.path.empty() ? sc.demand.buildings : sc.demand.path).filename().string() +
                  "; work CRS " + r.work_crs + ". Times include the walk from each home and facility to its road.";
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

nlohmann::ordered_json plan_summary(const PlanResult& r, const Scenario& sc) {
    nlohmann::ordered_json j;
    j["title"] = r.title;
    j["scenario"] = sc.path;
    j["network"] = sc.network.path;
    j["demand"] = sc.demand.path.empty() ? sc.demand.buildings : sc.demand.path;
    j["work_crs"] = r.work_crs;
    j["groups"] = r.groups;
    nlohmann::ordered_json services = nlohmann::ordered_json::array();
    for (const ServiceResults& s : r.services) {
        const StudyStandard& st = s.standard;
        nlohmann::ordered_json sj;
        sj["id"] = s.id;
        sj["title"] = s.title;
        sj["standard"] = st.name.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(st.name);
        sj["standard_source"] = st.source;
        if (!st.overrides.empty()) sj["standard_overrides"] = st.overrides;
        sj["mode"] = st.mode_label();
        if (st.transit) sj["transit"] = st.transit_json();
        sj["walk_speed_kmh"] = st.walk_speed_kmh;
        sj["minutes"] = st.minutes ? nlohmann::ordered_json(*st.minutes) : nlohmann::ordered_json(nullptr);
        sj["meters"] = st.metres ? nlohmann::ordered_json(*st.metres) : nlohmann::ordered_json(nullptr);
        sj["direction"] = st.direction_name();
        sj["demand_group"] = s.group;
        nlohmann::ordered_json vs = nlohmann::ordered_json::array();
        for (const VariantResults& v : s.variants) vs.push_back(variant_json(v, r.groups));
        sj["variants"] = vs;
        if (s.suggestion) {
            const SuggestionResult& sr = *s.suggestion;
            const planners::Suggestion& g = sr.suggestion;
            nlohmann::ordered_json gj;
            gj["objective"] = std::string(planners::objective_name(g.objective));
            gj["capacitated"] = g.capacitated;
            gj["candidates"] = sr.candidates.xy.size();
            nlohmann::ordered_json sel = nlohmann::ordered_json::array();
            for (const maps::SiteRow& row : sr.rows) sel.push_back(row.candidate_id);
            gj["selected"] = sel;
            gj["objective_value"] = g.objective_value;
            gj["bound"] = json_number(g.bound);
            gj["gap"] = json_number(g.gap);
            gj["proven_optimal"] = g.proven_optimal;
            gj["method"] = g.method;
            nlohmann::ordered_json w;
            for (std::size_t k = 0; k < r.groups.size() && k < sr.after.overall.size(); ++k)
                w[r.groups[k]] = figures_json(sr.after.overall[k]);
            gj["with_sites"] = w;
            if (const planners::AssignmentTotals* t = seats_of(sr.after)) gj["with_sites_served"] = t->served_weight;
            sj["suggest"] = gj;
        }
        services.push_back(sj);
    }
    j["services"] = services;
    if (!r.edit_notes.empty()) j["road_works"] = r.edit_notes;
    return j;
}

void write_plan(const io::OutputFolder& folder, const PlanResult& r, const Scenario& sc, unsigned threads,
                const Reporter& reporter) {
    const io::OutputNotes notes = [&reporter](const std::string& n) { reporter.note(n); };
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
    io::OutputPlan plan(std::move(requests), folder.inputs(), notes);

    std::vector<Layer> all;
    for (const Placed& p : layers) all.push_back(p.layer);
    io::WriteOptions wo;
    wo.threads = threads;
    io::write_layers(plan, plan.file_of(0), all, r.work_crs, wo);
    for (std::size_t k = 0; k < layers.size(); ++k)
        io::write_layers(plan, plan.file_of(k + 1), {layers[k].layer}, r.work_crs, wo);
    plan.write_text(plan.file_of(summary_req), plan_summary(r, sc).dump(2) + "\n");
    plan.write_text(plan.file_of(report_req), maps::report_html(build_report(r, sc)));
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

    // The manifest lists what this run wrote and is committed with it; what an earlier run
    // wrote and this one did not goes afterwards.
    std::vector<std::string> now = {"lifecircle.gpkg", "summary.json", "report.html", "lifecircle.qgs"};
    for (const Placed& p : layers) {
        now.push_back("geojson/" + p.layer.name + ".geojson");
        if (!p.layer.qml.empty()) now.push_back("geojson/" + p.layer.name + ".qml");
    }
    folder.commit(plan, plan.file_of(manifest_req), now);
}

}  // namespace lifecircle::studies
