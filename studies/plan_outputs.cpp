#include "studies/plan_outputs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <regex>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/wkb.hpp"
#include "studies/console.hpp"
#include "studies/transit.hpp"
#include "io/html_pdf.hpp"
#include "io/layer_writer.hpp"
#include "io/output.hpp"
#include "io/points.hpp"
#include "io/xlsx_writer.hpp"
#include "maps/qgis_project.hpp"
#include "maps/report.hpp"
#include "maps/style.hpp"

namespace lifecircle::studies {

namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/** A whole number with thousands separators ("59,713"). */
std::string count(double v) {
    if (!std::isfinite(v)) return "-";
    std::string digits = fixed(std::abs(v), 0);
    std::string out = v < -0.5 ? "-" : "";
    const std::size_t n = digits.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && (n - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

std::string pct(double part, double total) {
    if (!(total > 0) || !std::isfinite(part)) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100 * part / total);
    return buf;
}

double share_of(const planners::Figures& f) { return f.total > 0 ? f.covered / f.total : nan; }

/** A named layer copy. */
Layer named(Layer layer, const std::string& name) {
    layer.name = name;
    return layer;
}

/** The report's two languages: Chinese first (zh) or English first (en). */
struct Words {
    bool zh = true;
    /** A short label: "覆盖率 share" or "share 覆盖率". */
    std::string operator()(const std::string& zh_text, const std::string& en_text) const {
        return zh ? zh_text + " " + en_text : en_text + " " + zh_text;
    }
    /** Sentences: one language per line. */
    std::string lines(const std::string& zh_text, const std::string& en_text) const {
        return zh ? zh_text + "\n" + en_text : en_text + "\n" + zh_text;
    }
};

const planners::AssignmentTotals* seats_of(const ServiceResult& r) {
    return r.seats ? &r.seats->assignment.totals : nullptr;
}

/** What a service's capacity counts, in Chinese and English: seats of a kindergarten or school,
    beds of a hospital or care home, meals of a meal point, else places. */
struct CapacityUnit {
    std::string zh, en;
};
CapacityUnit capacity_unit(const ServiceResults& s) {
    std::string key = s.capacity_field + " " + s.osm_kind + " " + s.standard.name + " " + s.id;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    const auto has = [&](std::initializer_list<const char*> words) {
        return std::any_of(words.begin(), words.end(), [&](const char* w) { return key.find(w) != std::string::npos; });
    };
    if (has({"bed", "床", "hospital", "elderly-care", "care_home", "nursing"})) return {"床位", "beds"};
    if (has({"meal", "餐"})) return {"餐位", "meals"};
    if (has({"seat", "学位", "kindergarten", "school", "幼儿园", "学校"})) return {"学位", "seats"};
    return {"服务名额", "places"};
}

/** The variants of a service shown side by side: today, every variant, with the sites. */
std::vector<const VariantResults*> columns(const ServiceResults& s) {
    std::vector<const VariantResults*> out;
    for (const VariantResults& v : s.variants) out.push_back(&v);
    if (s.with_sites) out.push_back(&*s.with_sites);
    return out;
}

/** The layer name of a service's layer in a variant: `<service>_<layer>` today,
    `<service>_<variant>_<layer>` otherwise. */
std::string layer_name(const std::string& service, const std::string& variant, const std::string& layer) {
    return variant == "today" ? service + "_" + layer : service + "_" + variant + "_" + layer;
}

/** How a service's maps are classed, the same in the report and in QGIS. */
struct ServiceStyle {
    maps::ClassBreaks gaps;
    std::optional<maps::ClassBreaks> areas;
};

std::string gap_unit() { return "人 persons"; }
std::string area_unit() { return "min 分钟"; }

ServiceStyle service_style(const ServiceResults& s) {
    ServiceStyle st;
    const std::string field = "uncovered_" + s.group;
    double top = 0;
    for (const VariantResults* v : columns(s)) top = std::max(top, maps::field_max(v->layers.gaps, field));
    st.gaps = maps::gap_classes(field, top, gap_unit());
    std::vector<double> minutes;
    const Layer& areas = s.variants.front().layers.areas;
    for (std::size_t k = 0; k < areas.fields.size(); ++k) {
        if (areas.fields[k].name != "minutes") continue;
        for (const Feature& f : areas.features)
            if (const auto* d = std::get_if<double>(&f.values[k])) minutes.push_back(*d);
    }
    if (!minutes.empty()) st.areas = maps::area_classes(minutes, area_unit());
    return st;
}

bool main_class(RoadClass c) {
    switch (c) {
        case RoadClass::motorway:
        case RoadClass::motorway_link:
        case RoadClass::trunk:
        case RoadClass::trunk_link:
        case RoadClass::primary:
        case RoadClass::primary_link:
        case RoadClass::secondary:
        case RoadClass::secondary_link:
        case RoadClass::tertiary:
        case RoadClass::tertiary_link:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::vector<Layer> edits_layers(const std::vector<ScenarioEdit>& edits, const io::Network& net, const std::string& prefix) {
    Layer lines;
    lines.name = prefix + "road_works";
    lines.kind = GeometryKind::line;
    lines.fields = {{"label", FieldType::string}, {"type", FieldType::string}, {"class", FieldType::string}};
    Layer areas;
    areas.name = prefix + "road_work_areas";
    areas.kind = GeometryKind::polygon;
    areas.fields = {{"label", FieldType::string}, {"type", FieldType::string}};
    for (const ScenarioEdit& e : edits) {
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
    maps::SimpleStyle ls;
    ls.stroke = maps::palette::road_works;
    ls.width_mm = 1.2;
    ls.label_field = "label";
    lines.qml = maps::simple_qml(GeometryKind::line, ls);
    lines.style_name = "road works";
    areas.qml = maps::categorized_qml(GeometryKind::polygon, "type",
                                      {{"change", "道路调整 roads changed", 240, 160, 40},
                                       {"close", "道路封闭 roads closed", 200, 40, 40}});
    areas.style_name = "road work areas";
    std::vector<Layer> out;
    if (!lines.features.empty()) out.push_back(std::move(lines));
    if (!areas.features.empty()) out.push_back(std::move(areas));
    return out;
}

std::vector<Layer> edits_layers(const Scenario& sc, const io::Network& net) { return edits_layers(sc.edits, net, ""); }

Layer roads_layer(const RoadGraph& g) {
    Layer out;
    out.name = "roads";
    out.kind = GeometryKind::line;
    out.fields = {{"class", FieldType::string}, {"name", FieldType::string}, {"main", FieldType::integer}};
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        Feature f;
        const std::vector<Point> shape(g.shape_begin(e), g.shape_begin(e) + g.shape_size(e));
        const std::vector<std::vector<Point>> parts{shape};
        f.wkb = wkb_multilinestring(parts);
        f.values = {std::string(road_class_name(g.edge_class[e])), g.names[g.edge_name[e]],
                    std::int64_t{main_class(g.edge_class[e]) ? 1 : 0}};
        out.features.push_back(std::move(f));
    }
    out.qml = maps::line_categories_qml("main",
                                        {{"1", "主要道路 main road", maps::palette::main_road, 0.7},
                                         {"0", "道路 road", maps::palette::road, 0.25}},
                                        "name");
    out.style_name = "roads";
    return out;
}

namespace {

/** One output layer with where it goes in the project's legend. */
struct Placed {
    Layer layer;
    std::string title, group;
    bool visible = true;
};

Layer styled_water(Layer layer) {
    maps::SimpleStyle st;
    st.fill = maps::palette::water;
    st.stroke = maps::palette::water;
    st.width_mm = 0;
    st.label_field = "name";
    layer.qml = maps::simple_qml(GeometryKind::polygon, st);
    layer.style_name = "water";
    return layer;
}

Layer styled_waterways(Layer layer) {
    maps::SimpleStyle st;
    st.stroke = maps::palette::waterway;
    st.width_mm = 0.6;
    st.label_field = "name";
    st.label_along_lines = true;
    layer.qml = maps::simple_qml(GeometryKind::line, st);
    layer.style_name = "waterways";
    return layer;
}

Layer styled_facilities(Layer layer, const char* colour) {
    maps::SimpleStyle st;
    st.fill = colour;
    st.stroke = "#ffffff";
    st.width_mm = 0.3;
    st.size_mm = 3.2;
    st.label_field = "name";
    layer.qml = maps::simple_qml(GeometryKind::point, st);
    layer.style_name = "facilities (labelled)";
    return layer;
}

Layer styled_sites(Layer layer) {
    if (layer.kind == GeometryKind::none) return layer;
    maps::SimpleStyle st;
    st.fill = maps::palette::site;
    st.stroke = "#ffffff";
    st.width_mm = 0.3;
    st.size_mm = 5.0;
    st.shape = "star";
    st.label_field = "name";
    layer.qml = maps::simple_qml(GeometryKind::point, st);
    layer.style_name = "suggested sites (labelled)";
    return layer;
}

std::vector<Placed> placed_layers(const PlanResult& r, const std::vector<ServiceStyle>& styles) {
    const Words w{r.language != "en"};
    std::vector<Placed> out;
    // The first service as it is today is switched on; the others, and the variants, are in the
    // legend to switch on one at a time.
    for (std::size_t k = 0; k < r.services.size(); ++k) {
        const ServiceResults& s = r.services[k];
        const ServiceStyle& st = styles[k];
        if (!s.sites.features.empty())
            out.push_back({styled_sites(named(s.sites, s.id + "_suggested_sites")), w("建议选址", "suggested sites"),
                           s.title, k == 0});
        for (const VariantResults* v : columns(s)) {
            const ServiceLayers& vr = v->layers;
            const std::string when = v->id == "today" ? std::string() : " — " + v->name;
            const bool visible = v->id == "today" && k == 0;
            const auto name = [&](const std::string& l) { return layer_name(s.id, v->id, l); };
            out.push_back({styled_facilities(named(vr.facilities, name("facilities")), maps::palette::facility),
                           w("设施", "facilities") + when, s.title, visible});
            Layer demand = named(vr.demand, name("demand"));
            demand.qml = maps::residents_qml(demand.kind, w("已覆盖", "covered"), w("未覆盖", "not covered"));
            out.push_back({std::move(demand), w("居民：是否覆盖", "residents: covered or not") + when, s.title, visible});
            Layer gaps = named(vr.gaps, name("gaps"));
            gaps.qml = maps::classes_qml(GeometryKind::polygon, st.gaps, 0.75, false);
            const std::string hex = fixed(r.hex_m, 0);
            out.push_back({std::move(gaps),
                           w("服务盲区：未覆盖的", "gaps: uncovered") + " " + s.group_label + " (" +
                               w("人 / " + hex + " m 六边形", "persons per " + hex + " m hexagon") + ")" + when,
                           s.title, visible});
            if (!vr.districts.features.empty())
                out.push_back({named(vr.districts, name("districts")), w("社区覆盖率", "districts: share covered") + when,
                               s.title, false});
            if (!vr.areas.features.empty()) {
                Layer areas = named(vr.areas, name("service_areas"));
                if (st.areas) areas.qml = maps::classes_qml(GeometryKind::polygon, *st.areas, 0.35, true);
                out.push_back({std::move(areas), w("服务范围（分钟）", "service areas (minutes)") + when, s.title, visible});
            }
        }
    }
    const std::string works = w("道路改造", "road works");
    for (const PlanVariant& v : r.variants)
        for (const Layer& l : v.edits)
            out.push_back({l, (l.name.find("areas") != std::string::npos ? w("改造范围", "road work areas")
                                                                         : w("新建道路", "new roads")) +
                                  " — " + v.title,
                           works, false});
    const std::string base = w("底图", "base map");
    out.push_back({r.roads, w("道路", "roads"), base, true});
    if (!r.waterways.features.empty()) out.push_back({styled_waterways(r.waterways), w("河流", "rivers"), base, true});
    if (!r.water.features.empty()) out.push_back({styled_water(r.water), w("水面", "water"), base, true});
    return out;
}

// ---------------------------------------------------------------------------------------------
// summary.json

nlohmann::ordered_json variant_json(const VariantResults& v, const std::vector<std::string>& groups) {
    const ServiceResult& r = v.result;
    nlohmann::ordered_json j;
    j["id"] = v.id;
    j["name"] = v.name;
    if (!v.notes.empty()) j["facility_changes"] = v.notes;
    j["facilities"] = r.facilities.size();
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

nlohmann::ordered_json road_work_json(const RoadWork& w) {
    nlohmann::ordered_json j;
    j["label"] = w.label;
    j["type"] = w.type;
    if (w.type == "add_road") {
        j["length_m"] = w.length_m;
        j["class"] = w.road_class;
        j["bridge"] = w.bridge;
        j["joins"] = w.joins;
    } else {
        j["roads_changed"] = w.roads_changed;
        j["km_changed"] = w.km_changed;
        j["roads"] = w.roads;
    }
    if (!w.notes.empty()) j["notes"] = w.notes;
    j["zh"] = w.zh;
    j["en"] = w.en;
    return j;
}

/** The verdict of a share against the standard's target: "met", "not met" or null. */
nlohmann::ordered_json verdict_json(const StudyStandard& st, double share) {
    if (!st.target_share || !std::isfinite(share)) return nullptr;
    return share + 1e-12 >= *st.target_share ? "met" : "not met";
}

// ---------------------------------------------------------------------------------------------
// The report.

std::string nature_words(const Words& w, const std::string& nature) {
    if (nature == "observed")
        return w("全国观测值，用作对照，非法定标准", "a national observed figure, compared with: not a legal threshold");
    if (nature == "local-plan") return w("地方规划目标", "a local plan's target");
    if (nature == "national-target") return w("国家目标", "a national target");
    if (nature == "scenario") return w("本方案自设目标", "set by this scenario");
    return w("性质未注明", "its nature not stated");
}

/** The mode in Chinese and in English. */
std::pair<std::string, std::string> mode_pair(const StudyStandard& st) {
    if (st.transit) return {"公共交通", "by public transport"};
    switch (st.mode) {
        case Mode::walk:
            return {"步行", "walk"};
        case Mode::bike:
            return {"骑行", "bike"};
        case Mode::drive:
            return {"驾车", "drive"};
    }
    return {};
}

std::string mode_words(const Words& w, const StudyStandard& st) {
    const auto [zh, en] = mode_pair(st);
    return w(zh, en);
}

/** "15 min / 1000 m 步行 walk (4.0 km/h)" in the report's words; one language with `only`
    ("zh" or "en"), for a sentence in that language. By public transport the speed is the walk's
    to and from the stops. */
std::string limits_words(const Words& w, const StudyStandard& st, const std::string& only = {}) {
    std::string out;
    if (st.minutes) out = fixed(*st.minutes, *st.minutes == std::floor(*st.minutes) ? 0 : 1) + " min";
    if (st.metres) out += (out.empty() ? "" : " / ") + fixed(*st.metres, 0) + " m";
    const auto [zh, en] = mode_pair(st);
    out += " " + (only == "zh" ? zh : only == "en" ? en : mode_words(w, st));
    const std::string speed = fixed(st.walk_speed_kmh, 1) + " km/h";
    if (st.transit)
        out += " (" + (only == "zh" ? "步行 " + speed : only == "en" ? "walking at " + speed : w("步行", "walking") + " " + speed) + ")";
    else if (st.mode == Mode::walk)
        out += " (" + speed + ")";
    return out;
}

/** The timetable a public-transport standard rode, in the report's words. */
std::string timetable_words(const Words& w, const TransitData& d) {
    const TransitSpec& t = d.spec;
    const std::string first = t.departure.substr(0, 10) + " " + t.departure.substr(11, 5);
    std::string percentiles;
    for (const double p : t.percentiles) percentiles += (percentiles.empty() ? "" : ", ") + fixed(p, 0);
    std::string feeds;
    for (const std::string& f : t.gtfs) feeds += (feeds.empty() ? "" : ", ") + fs::path(f).filename().string();
    const std::string zh = std::to_string(t.gtfs.size()) + " 个 GTFS 时刻表（" + feeds + "）；" + first + " 起每分钟出发一次，共 " +
                           std::to_string(d.router.departures.count) + " 次；以第 " + fixed(t.percentile, 0) +
                           " 百分位出行时间判定是否覆盖（另报第 " + percentiles + " 百分位）；步行至站点不超过 " +
                           fixed(d.router.max_walk_seconds / 60.0, 0) + " 分钟，换乘步行不超过 " +
                           fixed(t.max_transfer_m, 0) + " 米，最多乘坐 " + std::to_string(t.max_rides) + " 次";
    const std::string en = std::to_string(t.gtfs.size()) + " GTFS feed(s) (" + feeds + "); a departure every minute from " + first +
                           ", " + std::to_string(d.router.departures.count) + " in all; covered judged on percentile " +
                           fixed(t.percentile, 0) + " of the travel times (percentiles " + percentiles +
                           " reported); walks to and from stops up to " + fixed(d.router.max_walk_seconds / 60.0, 0) +
                           " min, transfers up to " + fixed(t.max_transfer_m, 0) + " m, at most " +
                           std::to_string(t.max_rides) + " rides";
    return w.lines(w("时刻表", "Timetable") + ": " + (w.zh ? zh : en), w.zh ? en : zh);
}

maps::ReportCallout standard_callout(const Words& w, const StudyStandard& st) {
    maps::ReportCallout c;
    c.css_class = "standard";
    c.title = w("标准（按本次计算）", "The standard as it ran");
    std::string text;
    if (st.name.empty()) {
        text = w("本方案自定标准：", "The scenario's own limits:") + " " + limits_words(w, st);
    } else {
        const std::string title = w.zh ? (st.title_zh.empty() ? st.title_en : st.title_zh + " — " + st.title_en)
                                       : st.title_en + (st.title_zh.empty() ? "" : " — " + st.title_zh);
        text = w("标准", "Standard") + ": " + title + " (" + st.name + ")";
        text += "\n" + w("来源", "Source") + ": " + (st.source.empty() ? "-" : st.source) +
                (st.verified ? "" : " — " + w("部分数值未经原文核实", "some numbers unverified against the source's text"));
        if (st.advisory)
            text += "\n" + w("推荐性条文（宜 / 不宜），非强制性条文", "Advisory wording (宜 / 不宜, \"should\"), not a mandatory article");
        text += "\n" + w("目录规定", "Catalogue") + ": " + st.catalogue_limits;
        text += "\n" + w("本次计算", "As run") + ": " + limits_words(w, st);
        if (!st.overrides.empty()) {
            std::string changes;
            for (const std::string& o : st.overrides) changes += (changes.empty() ? "" : "; ") + o;
            text += "\n" + w("本方案调整", "Overridden by the scenario") + ": " + changes;
        }
    }
    if (st.transit) text += "\n" + timetable_words(w, *st.transit);
    c.text = text;
    return c;
}

maps::ReportCallout verdict_callout(const Words& w, const ServiceResults& s) {
    maps::ReportCallout c;
    const StudyStandard& st = s.standard;
    c.title = w("达标判定", "Verdict");
    if (!st.target_share) {
        c.css_class = "verdict none";
        c.text = w.lines("无目标覆盖率：该标准未给出目标比例。如需判定，请在方案中设定 target_share 并写明 target_source。",
                         "No target share: the standard gives none. For a verdict, set target_share and its "
                         "target_source in the scenario.");
        return c;
    }
    const double target = *st.target_share;
    std::string text = w("目标", "Target") + ": " + fixed(100 * target, 0) + "% " + w("的", "of") + " " + s.group_label +
                       " — " + w("来源", "source") + ": " + (st.target_source.empty() ? "-" : st.target_source) + " (" +
                       nature_words(w, st.target_nature) + ")";
    bool today_met = false;
    for (const VariantResults* v : columns(s)) {
        const planners::Figures& f = v->result.overall[v->result.group];
        const double share = share_of(f);
        const bool met = std::isfinite(share) && share + 1e-12 >= target;
        if (v->id == "today") today_met = met;
        text += "\n" + v->name + ": " + pct(f.covered, f.total) + " — " +
                (met ? w("达标", "meets the target") : w("未达标", "below the target"));
    }
    c.css_class = today_met ? "verdict met" : "verdict not-met";
    c.text = text;
    return c;
}

/** Residents as points coloured covered / not: one per input feature (a compound, a
    building) at the weighted centre of its demand points, covered when at least half its weight
    of the service's group is (the demand layer's rule), or one per grid cell when there are
    more than `most` features. Features without weight of the group are left out. */
Layer residents_points(const VariantResults& v, std::size_t most = 2500) {
    Layer out;
    out.name = "residents";
    out.kind = GeometryKind::point;
    out.fields = {{"covered", FieldType::integer}, {"weight", FieldType::real}};
    const auto& xy = v.demand_xy;
    const auto& weight = v.demand_weight;
    const auto& covered = v.result.coverage.covered;
    struct Sum {
        double w = 0, cw = 0, x = 0, y = 0;
    };
    std::map<std::uint32_t, Sum> features;
    const std::size_t n = std::min({xy.size(), weight.size(), covered.size(), v.demand_feature.size()});
    for (std::size_t i = 0; i < n; ++i) {
        if (!(weight[i] > 0)) continue;
        Sum& f = features[v.demand_feature[i]];
        f.w += weight[i];
        f.x += weight[i] * xy[i].x;
        f.y += weight[i] * xy[i].y;
        if (covered[i]) f.cw += weight[i];
    }
    std::vector<Sum> dots;
    for (const auto& [id, f] : features) dots.push_back({f.w, f.cw, f.x / f.w, f.y / f.w});
    if (dots.size() > most) {
        Box box;
        for (const Sum& d : dots) {
            box.min.x = std::min(box.min.x, d.x);
            box.min.y = std::min(box.min.y, d.y);
            box.max.x = std::max(box.max.x, d.x);
            box.max.y = std::max(box.max.y, d.y);
        }
        const double side = std::max(box.max.x - box.min.x, box.max.y - box.min.y);
        const double cell = std::max(1.0, side / std::sqrt(static_cast<double>(most)));
        std::map<std::pair<long long, long long>, Sum> cells;
        for (const Sum& d : dots) {
            Sum& c = cells[{static_cast<long long>(std::floor((d.x - box.min.x) / cell)),
                            static_cast<long long>(std::floor((d.y - box.min.y) / cell))}];
            c.w += d.w;
            c.cw += d.cw;
            c.x += d.w * d.x;
            c.y += d.w * d.y;
        }
        dots.clear();
        for (const auto& [key, c] : cells) dots.push_back({c.w, c.cw, c.x / c.w, c.y / c.w});
    }
    for (const Sum& d : dots) {
        Feature f;
        f.wkb = wkb_point({d.x, d.y});
        f.values = {std::int64_t{d.cw * 2 >= d.w ? 1 : 0}, d.w};
        out.features.push_back(std::move(f));
    }
    return out;
}

/** A copy of a facilities layer with a `label` field (the name, else the id). */
Layer labelled_facilities(const Layer& facilities, const std::vector<std::string>& unlabelled = {}) {
    constexpr std::size_t max_id_labels = 40;
    Layer out = facilities;
    std::optional<std::size_t> name, id;
    for (std::size_t k = 0; k < out.fields.size(); ++k) {
        if (out.fields[k].name == "name") name = k;
        if (out.fields[k].name == "facility_id") id = k;
    }
    out.fields.push_back({"label", FieldType::string});
    for (Feature& f : out.features) {
        std::string text;
        if (name)
            if (const auto* s = std::get_if<std::string>(&f.values[*name])) text = *s;
        // Without a name, the id, unless it is an OpenStreetMap one ("way/488490799"), or the
        // layer has so many that ids would only cover the map (codes say nothing there).
        if (text.empty() && id && out.features.size() <= max_id_labels)
            if (const auto* s = std::get_if<std::string>(&f.values[*id]);
                s && s->rfind("node/", 0) != 0 && s->rfind("way/", 0) != 0 && s->rfind("relation/", 0) != 0)
                text = *s;
        // A suggested site is labelled by its own layer (its name), not again by its candidate id.
        if (id)
            if (const auto* s = std::get_if<std::string>(&f.values[*id]);
                s && std::find(unlabelled.begin(), unlabelled.end(), *s) != unlabelled.end())
                text.clear();
        f.values.emplace_back(text);
    }
    return out;
}

/** Layers only the report draws, kept alive while it is built. */
struct ReportLayers {
    std::vector<std::unique_ptr<Layer>> owned;
    const Layer* keep(Layer l) {
        owned.push_back(std::make_unique<Layer>(std::move(l)));
        return owned.back().get();
    }
};

/** The lines of a MultiLineString as wkb_multilinestring() writes it (little-endian). */
std::vector<std::vector<Point>> lines_of(const std::vector<unsigned char>& wkb) {
    std::size_t at = 0;
    const auto u32 = [&] {
        std::uint32_t v = 0;
        for (int i = 0; i < 4 && at < wkb.size(); ++i) v |= std::uint32_t(wkb[at++]) << (8 * i);
        return v;
    };
    const auto f64 = [&] {
        std::uint64_t bits = 0;
        for (int i = 0; i < 8 && at < wkb.size(); ++i) bits |= std::uint64_t(wkb[at++]) << (8 * i);
        double v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    };
    std::vector<std::vector<Point>> out;
    if (wkb.size() < 9 || wkb[0] != 1) return out;
    at = 1;
    if (u32() != 5) return out;
    const std::uint32_t n = u32();
    for (std::uint32_t l = 0; l < n && at + 9 <= wkb.size(); ++l) {
        ++at;  // byte order
        u32();  // LineString
        const std::uint32_t points = u32();
        std::vector<Point> line;
        for (std::uint32_t k = 0; k < points && at + 16 <= wkb.size(); ++k) {
            const double x = f64();
            line.push_back({x, f64()});
        }
        out.push_back(std::move(line));
    }
    return out;
}

/**
 * The roads of one kind (main or not) for the report. Main roads are chained by name: the
 * pieces between junctions that share an end and a name become one line, so that a name can be
 * placed along a stretch long enough to carry it.
 */
Layer roads_where(const Layer& roads, bool main) {
    Layer out;
    out.name = main ? "main_roads" : "minor_roads";
    out.kind = roads.kind;
    out.fields = {{"name", FieldType::string}};
    std::map<std::string, std::vector<std::vector<Point>>> named;
    for (const Feature& f : roads.features) {
        if ((std::get<std::int64_t>(f.values[2]) == 1) != main) continue;
        const std::string& name = std::get<std::string>(f.values[1]);
        if (!main || name.empty()) {
            out.features.push_back({f.wkb, {name}});
            continue;
        }
        for (auto& line : lines_of(f.wkb))
            if (line.size() >= 2) named[name].push_back(std::move(line));
    }
    const auto key = [](const Point& p) { return std::make_pair(std::llround(p.x * 10), std::llround(p.y * 10)); };
    for (auto& [name, pieces] : named) {
        std::map<std::pair<long long, long long>, std::vector<std::size_t>> ends;
        for (std::size_t k = 0; k < pieces.size(); ++k) {
            ends[key(pieces[k].front())].push_back(k);
            ends[key(pieces[k].back())].push_back(k);
        }
        std::vector<bool> used(pieces.size(), false);
        // Start at pieces with a free end (a chain's end), then whatever is left (loops).
        std::vector<std::size_t> order;
        for (std::size_t k = 0; k < pieces.size(); ++k)
            if (ends[key(pieces[k].front())].size() != 2 || ends[key(pieces[k].back())].size() != 2) order.push_back(k);
        for (std::size_t k = 0; k < pieces.size(); ++k) order.push_back(k);
        for (const std::size_t start : order) {
            if (used[start]) continue;
            used[start] = true;
            std::vector<Point> chain = pieces[start];
            if (ends[key(chain.front())].size() == 2 && ends[key(chain.back())].size() != 2)
                std::reverse(chain.begin(), chain.end());  // walk away from the free end
            for (;;) {
                const auto& at = ends[key(chain.back())];
                if (at.size() != 2) break;  // a junction of three or more, or the chain's end
                const std::size_t next = used[at[0]] ? at[1] : at[0];
                if (used[next]) break;
                used[next] = true;
                std::vector<Point> piece = pieces[next];
                if (key(piece.front()) != key(chain.back())) std::reverse(piece.begin(), piece.end());
                chain.insert(chain.end(), piece.begin() + 1, piece.end());
            }
            const std::vector<std::vector<Point>> parts{chain};
            out.features.push_back({wkb_multilinestring(parts), {name}});
        }
    }
    return out;
}

maps::SvgStyle single(const std::string& fill, const std::string& stroke, double width, double opacity, double radius,
                      const std::string& shape = "circle") {
    maps::SvgStyle st;
    st.fill = fill;
    st.stroke = stroke;
    st.stroke_width = width;
    st.fill_opacity = opacity;
    st.point_radius = radius;
    st.point_shape = shape;
    return st;
}

maps::SvgStyle graduated(const maps::ClassBreaks& c, double opacity, const std::string& stroke, double width) {
    maps::SvgStyle st = single("#cccccc", stroke, width, opacity, 3);
    st.field = c.field;
    st.breaks = c.breaks;
    st.colours = c.colours;
    st.class_labels = c.labels();
    return st;
}

/** One panel: the base map, then the variant's areas, gaps, residents, facilities and works. */
maps::ReportMap panel(const Words& w, const PlanResult& r, const ServiceResults& s, const ServiceStyle& style,
                      const VariantResults& v, const PlanVariant* pv, ReportLayers& keep,
                      const std::vector<const Layer*>& base) {
    maps::ReportMap m;
    m.title = v.name;
    if (!base[0]->features.empty()) {
        maps::SvgStyle st = single(maps::palette::water, "none", 0, 0.95, 2);
        st.label_field = "name";
        st.label_size = 13;
        m.layers.push_back({base[0], st, w("水面", "water"), false, "water", "water"});
    }
    if (!base[1]->features.empty()) {
        maps::SvgStyle st = single("none", maps::palette::waterway, 2.2, 1, 2);
        st.label_field = "name";
        st.label_size = 12;
        m.layers.push_back({base[1], st, w("河流", "river"), false, "water waterways", "waterways"});
    }
    m.layers.push_back({base[2], single("none", "#c8c8c8", 0.8, 1, 2), w("道路", "road"), false, "roads", "roads"});
    {
        maps::SvgStyle st = single("none", maps::palette::main_road, 1.9, 1, 2);
        st.label_field = "name";
        st.label_size = 11;
        m.layers.push_back({base[3], st, w("主要道路", "main road"), false, "roads main-roads", "roads"});
    }
    const auto name = [&](const std::string& l) { return layer_name(s.id, v.id, l); };
    if (style.areas && !v.layers.areas.features.empty())
        m.layers.push_back({&v.layers.areas, graduated(*style.areas, 0.3, "#2171b5", 0.6),
                            w("服务范围（步行时间）", "service area (travel time)"), false, "service-areas",
                            name("service_areas")});
    if (!v.layers.gaps.features.empty())
        m.layers.push_back({&v.layers.gaps, graduated(style.gaps, 0.72, "none", 0),
                            w("服务盲区：未覆盖的", "gaps: uncovered") + " " + s.group_label + " (" +
                                w("人 / " + fixed(r.hex_m, 0) + " m 六边形", "persons per " + fixed(r.hex_m, 0) + " m hexagon") +
                                ")",
                            false, "gaps", name("gaps")});
    {
        maps::SvgStyle st = single("#cccccc", "#ffffff", 0.8, 0.95, 3.6);
        st.field = "covered";
        st.breaks = {0, 1};
        st.colours = {maps::palette::uncovered, maps::palette::covered};
        st.class_labels = {w("未覆盖", "not covered"), w("已覆盖", "covered")};
        m.layers.push_back({keep.keep(residents_points(v)), st, w("居民点", "residents") + ": " + s.group_label,
                            true, "residents", name("demand")});
    }
    if (pv)
        for (const Layer& e : pv->edits)
            m.layers.push_back({&e, single("#f4a6d7", maps::palette::road_works, 3.2, 0.5, 3), w("道路改造", "road works"),
                                false, "road-works", e.name});
    {
        maps::SvgStyle st = single(maps::palette::facility, "#ffffff", 1.2, 1, 5.5);
        st.label_field = "label";
        st.label_size = 12.5;
        std::vector<std::string> sites;
        if (v.id == "with_sites" && s.suggestion)
            for (const maps::SiteRow& row : s.suggestion->rows) sites.push_back(row.candidate_id);
        m.layers.push_back({keep.keep(labelled_facilities(v.layers.facilities, sites)), st, w("设施", "facility"), true,
                            "facilities", name("facilities")});
    }
    if (v.id == "with_sites" && s.sites.kind == GeometryKind::point) {
        maps::SvgStyle st = single(maps::palette::site, "#ffffff", 1, 1, 7.5, "star");
        st.label_field = "name";
        st.label_size = 12.5;
        m.layers.push_back({&s.sites, st, w("建议选址", "suggested site"), true, "sites", s.id + "_suggested_sites"});
    }
    return m;
}

/** Whether a variant changes anything for this service (its maps differ from today's). */
bool changes(const PlanResult& r, const ServiceResults& s, std::size_t v) {
    return !r.variants[v].edits.empty() || !r.variants[v].road_works.empty() || !s.variants[v].notes.empty();
}

/** The report; the layers only it draws are kept in `keep`, which must outlive it. */
maps::Report build_report(const PlanResult& r, const Scenario& sc, ReportLayers& keep) {
    const Words w{r.language != "en"};
    maps::Report rep;
    rep.lang = r.language == "en" ? "en" : "zh";
    rep.chinese_first = w.zh;
    rep.title = r.title;
    rep.subtitle = w("按路网计算的到最近设施的出行时间：各服务的现状、各方案与建议选址并列比较",
                     "Network travel time to the nearest facility, per service: today, each variant and the suggested "
                     "sites side by side");
    const Layer* water = &r.water;
    const Layer* waterways = &r.waterways;
    const Layer* minor = keep.keep(roads_where(r.roads, false));
    const Layer* main = keep.keep(roads_where(r.roads, true));
    const std::vector<const Layer*> base = {water, waterways, minor, main};
    std::vector<ServiceStyle> styles;
    for (const ServiceResults& s : r.services) styles.push_back(service_style(s));

    for (std::size_t k = 0; k < r.services.size(); ++k) {
        const ServiceResults& s = r.services[k];
        const ServiceStyle& style = styles[k];
        maps::ReportSection sec;
        sec.title = s.title;
        const ServiceResult& today = s.variants.front().result;
        const std::size_t g = today.group;
        const planners::Figures& f = today.overall[g];
        sec.text = w.lines("现状：" + s.group_label + " 中 " + pct(f.covered, f.total) + "（" + count(f.covered) + " / " +
                               count(f.total) + " 人）在 " + limits_words(w, s.standard, "zh") + " 范围内。",
                           "Today " + pct(f.covered, f.total) + " of " + s.group_label + " (" + count(f.covered) + " of " +
                               count(f.total) + ") live within " + limits_words(w, s.standard, "en") + ".");
        sec.callouts.push_back(standard_callout(w, s.standard));
        sec.callouts.push_back(verdict_callout(w, s));
        for (const std::string& n : s.notes) sec.callouts.push_back({"warning", w("注意", "Note"), n});

        maps::ReportComparison cmp;
        cmp.title = w("地图：现状与各方案", "Maps: today and the variants");
        std::vector<std::string> same;
        for (std::size_t v = 0; v < s.variants.size(); ++v) {
            if (v > 0 && !changes(r, s, v)) {
                same.push_back(s.variants[v].name);
                continue;
            }
            maps::ReportMap m = panel(w, r, s, style, s.variants[v], v > 0 ? &r.variants[v] : nullptr, keep, base);
            const planners::Figures& vf = s.variants[v].result.overall[g];
            m.caption = w("覆盖率", "covered") + " " + pct(vf.covered, vf.total);
            if (!s.variants[v].notes.empty()) {
                std::string notes;
                for (const std::string& n : s.variants[v].notes) notes += (notes.empty() ? "" : "; ") + n;
                m.caption += " — " + w("设施变化", "facilities") + ": " + notes;
            }
            cmp.maps.push_back(std::move(m));
        }
        if (s.with_sites) {
            maps::ReportMap m = panel(w, r, s, style, *s.with_sites, nullptr, keep, base);
            const planners::Figures& vf = s.with_sites->result.overall[g];
            m.caption = w("覆盖率", "covered") + " " + pct(vf.covered, vf.total);
            cmp.maps.push_back(std::move(m));
        }
        if (!same.empty()) {
            std::string names;
            for (const std::string& n : same) names += (names.empty() ? "" : ", ") + n;
            cmp.caption = w("以下方案不改变本服务，地图与现状相同：", "These variants leave this service as it is today:") + " " + names;
        }
        sec.comparisons.push_back(std::move(cmp));

        // Coverage of the service's own group, one row per variant.
        const std::vector<const VariantResults*> cols = columns(s);
        const bool target = s.standard.target_share.has_value();
        maps::ReportTable t;
        t.title = w("覆盖情况：", "Coverage: ") + s.group_label;
        t.header = {w("方案", "variant"), w("居民", "residents"), w("覆盖人数", "covered"), w("覆盖率", "share"),
                    w("较现状", "change"), w("平均时间（分钟）", "mean minutes")};
        if (target) t.header.push_back(w("达标", "verdict"));
        for (const VariantResults* v : cols) {
            const planners::Figures& a = v->result.overall[g];
            std::vector<std::string> row = {v->name, count(a.total), count(a.covered), pct(a.covered, a.total),
                                            v->id == "today" ? "" : (a.covered >= f.covered ? "+" : "") + count(a.covered - f.covered),
                                            fixed(a.mean_minutes, 1)};
            if (target) {
                const double share = share_of(a);
                row.push_back(std::isfinite(share) && share + 1e-12 >= *s.standard.target_share ? w("达标", "met")
                                                                                                 : w("未达标", "not met"));
            }
            t.rows.push_back(row);
        }
        if (const planners::AssignmentTotals* seats = seats_of(today)) {
            const CapacityUnit unit = capacity_unit(s);
            std::string note = w(unit.zh, unit.en) + ": ";
            for (const VariantResults* v : cols) {
                const planners::AssignmentTotals* t2 = seats_of(v->result);
                if (!t2) continue;
                const planners::Figures& a = v->result.overall[g];
                note += "\n" + v->name + ": " + w("总" + unit.zh, unit.en) + " " + count(t2->capacity) + ", " +
                        w("获得" + unit.zh, "served") + " " + count(t2->served_weight) + " (" +
                        pct(t2->served_weight, a.total) + "), " + w("可达但无" + unit.zh, "covered, none left") + " " +
                        count(t2->covered_unserved_weight);
            }
            (void)seats;
            t.note = note;
        }
        sec.tables.push_back(std::move(t));

        // The other groups, folded.
        if (r.groups.size() > 1) {
            maps::ReportTable o;
            o.title = w("其他人群（点击展开）", "Other groups (click to show)");
            o.folded = true;
            o.header = {w("人群", "group"), w("居民", "residents")};
            for (const VariantResults* v : cols) o.header.push_back(v->name);
            for (std::size_t k2 = 0; k2 < r.groups.size(); ++k2) {
                if (k2 == g) continue;
                std::vector<std::string> row = {r.group_labels[k2], count(today.overall[k2].total)};
                for (const VariantResults* v : cols)
                    row.push_back(pct(v->result.overall[k2].covered, v->result.overall[k2].total));
                o.rows.push_back(row);
            }
            sec.tables.push_back(std::move(o));
        }

        if (!today.districts.empty()) {
            maps::ReportTable d;
            d.title = w("各社区覆盖率：", "Share covered per district: ") + s.group_label;
            d.header = {w("社区", "district"), w("居民", "residents")};
            for (const VariantResults* v : cols) d.header.push_back(v->name);
            const bool seats = !today.district_served.empty();
            if (seats) d.header.push_back(w("获得" + capacity_unit(s).zh + "（现状）", "served today"));
            d.header.push_back(w("平均时间（分钟，现状）", "mean minutes today"));
            for (std::size_t k2 = 0; k2 < today.districts.size(); ++k2) {
                const planners::Figures& a = today.districts[k2].groups[g];
                std::vector<std::string> row = {today.districts[k2].name, count(a.total)};
                for (const VariantResults* v : cols) {
                    const planners::Figures& b = v->result.districts[k2].groups[g];
                    row.push_back(pct(b.covered, b.total));
                }
                if (seats) row.push_back(pct(today.district_served[k2], a.total));
                row.push_back(fixed(a.mean_minutes, 1));
                d.rows.push_back(row);
            }
            sec.tables.push_back(std::move(d));
        }
        if (s.suggestion) {
            const planners::Suggestion& sg = s.suggestion->suggestion;
            maps::ReportTable sites;
            sites.title = w("建议选址", "Suggested sites") + " (" + std::string(planners::objective_name(sg.objective)) +
                          (sg.capacitated ? ", capacitated" : "") + ")";
            sites.header = {w("序号", "rank"), w("位置（最近道路）", "where (nearest road)"),
                            w(sg.capacitated ? "新增获得" + capacity_unit(s).zh : std::string("新增覆盖"), sg.capacitated ? "adds served" : "adds covered"),
                            w("分配人数", "assigned"), w("候选编号", "candidate")};
            for (const maps::SiteRow& row : s.suggestion->rows)
                sites.rows.push_back({std::to_string(row.rank), row.name, "+" + count(row.added_weight),
                                      count(row.assigned_weight), row.candidate_id});
            sites.note = w("候选点", "Candidate sites") + " " + std::to_string(s.suggestion->candidates.xy.size()) + "; " +
                         w("目标值", "objective") + " " + fixed(sg.objective_value, 1) + ", " + w("上界", "bound") + " " +
                         fixed(sg.bound, 1) + ", " + w("差距", "gap") + " " + fixed(100 * sg.gap, 2) + "%" +
                         (sg.proven_optimal ? " (" + w("已证明最优", "proven optimal") + ")" : "") + ". " +
                         w("方法", "Method") + ": " + sg.method + ".";
            sec.tables.push_back(std::move(sites));
        }
        rep.sections.push_back(std::move(sec));
    }

    // The variants in words.
    if (r.variants.size() > 1) {
        maps::ReportSection vs;
        vs.title = w("方案说明", "The variants");
        for (std::size_t v = 1; v < r.variants.size(); ++v) {
            const PlanVariant& pv = r.variants[v];
            std::string text;
            for (const RoadWork& rw : pv.road_works) text += (text.empty() ? "" : "\n\n") + w.lines(rw.zh, rw.en);
            for (const std::string& c : pv.facility_changes)
                text += (text.empty() ? "" : "\n\n") + w("设施变化", "Facilities") + ": " + c;
            vs.callouts.push_back({"variant", pv.title + " (" + pv.id + ")", text});
        }
        rep.sections.push_back(std::move(vs));
    }

    // Parameters and sources.
    maps::ReportSection params;
    params.title = w("参数与来源", "Parameters and sources");
    maps::ReportTable p;
    p.title = w("服务", "Services");
    p.header = {w("服务", "service"), w("标准", "standard"), w("来源", "source"), w("方式", "mode"), "min", "m",
                "km/h", w("人群", "group"), w("目标", "target")};
    for (const ServiceResults& s : r.services) {
        const StudyStandard& st = s.standard;
        p.rows.push_back({s.title, st.name.empty() ? "-" : st.name, st.source.empty() ? "-" : st.source,
                          mode_words(w, st), st.minutes ? fixed(*st.minutes, 0) : "-",
                          st.metres ? fixed(*st.metres, 0) : "-", fixed(st.walk_speed_kmh, 1), s.group_label,
                          st.target_share ? fixed(100 * *st.target_share, 0) + "% (" + nature_words(w, st.target_nature) + ")"
                                          : "-"});
    }
    params.tables.push_back(std::move(p));
    params.text = w.lines("路网：" + fs::path(sc.network.path).filename().string() + "；需求：" +
                              fs::path(sc.demand.path.empty() ? sc.demand.buildings : sc.demand.path).filename().string() +
                              "；计算坐标系 " + r.work_crs + "。出行时间包含从住所和设施步行到道路的时间。",
                          "Network: " + fs::path(sc.network.path).filename().string() + "; demand: " +
                              fs::path(sc.demand.path.empty() ? sc.demand.buildings : sc.demand.path).filename().string() +
                              "; work CRS " + r.work_crs +
                              ". Times include the walk from each home and facility to its road.");
    if (!r.water.features.empty() || !r.waterways.features.empty())
        params.text += "\n\n" + w.lines("水系：" + (sc.report.water.empty() ? std::string("OpenStreetMap（natural=water、waterway=*、landuse=reservoir）")
                                                                          : fs::path(sc.report.water).filename().string()) + "。",
                                        "Water: " + (sc.report.water.empty() ? std::string("OpenStreetMap (natural=water, waterway=*, landuse=reservoir)")
                                                                            : fs::path(sc.report.water).filename().string()) + ".");
    rep.sections.push_back(std::move(params));
    rep.footer = w.lines("由 lifecircle 生成。", "Made with lifecircle.") +
                 (r.osm ? "\n" + w("道路数据 © OpenStreetMap 贡献者，依 ODbL 许可提供。",
                                   "Road data © OpenStreetMap contributors, available under the Open Database Licence (ODbL).")
                        : std::string());
    return rep;
}

std::string report_text(const PlanResult& r, const Scenario& sc) {
    ReportLayers keep;
    return maps::report_html(build_report(r, sc, keep));
}

// ---------------------------------------------------------------------------------------------
// tables.xlsx

/** A column's words for a reader, above its machine name (which equals summary.json's key). */
std::string column_words(const Words& w, const std::string& key, const CapacityUnit& unit) {
    static const std::map<std::string, std::pair<std::string, std::string>> words = {
        {"group", {"人群", "group"}},
        {"label", {"名称", "label"}},
        {"district", {"社区", "district"}},
        {"variant", {"方案", "variant"}},
        {"total", {"人数", "total"}},
        {"covered", {"覆盖人数", "covered"}},
        {"coverage_share", {"覆盖率", "share covered"}},
        {"mean_minutes", {"平均时间（分钟）", "mean minutes"}},
        {"served", {"获得#人数", "served"}},
        {"capacity", {"#数", "capacity"}},
        {"covered_unserved", {"覆盖但无#", "covered, none left"}},
        {"rank", {"序号", "rank"}},
        {"site", {"选址", "site"}},
        {"candidate_id", {"候选点编号", "candidate id"}},
        {"added_weight", {"新增覆盖人数", "added"}},
        {"assigned_weight", {"分配人数", "assigned"}}};
    const auto it = words.find(key);
    if (it == words.end()) return key;
    std::string zh = it->second.first;
    if (const std::size_t at = zh.find('#'); at != std::string::npos) zh.replace(at, 1, unit.zh);
    return w(zh, it->second.second);
}

/** The reader's row above a header row of machine names ("covered [today]" → "覆盖人数 covered · 现状 today"). */
std::vector<io::XlsxCell> reader_row(const Words& w, const std::vector<io::XlsxCell>& header,
                                     const std::vector<const VariantResults*>& cols, const CapacityUnit& unit) {
    static const std::regex column(R"(^(\w+) \[(\w+)\]$)");
    std::vector<io::XlsxCell> out;
    for (const io::XlsxCell& cell : header) {
        const std::string* text = cell.kind == io::XlsxCell::Kind::text ? &cell.text : nullptr;
        std::smatch m;
        std::string words = text ? column_words(w, *text, unit) : std::string();
        if (text && std::regex_match(*text, m, column)) {
            words = column_words(w, m[1], unit);
            for (const VariantResults* v : cols)
                if (v->id == m[2].str()) words += " · " + v->name;
        }
        out.push_back(io::XlsxCell(words, true));
    }
    return out;
}

std::vector<io::XlsxSheet> plan_sheets(const PlanResult& r) {
    const Words w{r.language != "en"};
    std::vector<io::XlsxSheet> sheets;
    std::vector<std::string> used;
    const std::string share_format = "0.0%";
    for (const ServiceResults& s : r.services) {
        io::XlsxSheet sh;
        std::string name = io::xlsx_sheet_name(s.id);
        for (int n = 2; std::find(used.begin(), used.end(), name) != used.end(); ++n)
            name = io::xlsx_sheet_name(s.id.substr(0, 27) + "_" + std::to_string(n));
        used.push_back(name);
        sh.name = name;
        sh.column_widths = {22, 24};
        const std::vector<const VariantResults*> cols = columns(s);
        const ServiceResult& today = s.variants.front().result;
        const std::size_t g = today.group;
        sh.rows.push_back({io::XlsxCell(s.title, true)});
        sh.rows.push_back({io::XlsxCell(w("本次计算", "as run") + ": " + limits_words(w, s.standard) +
                                        (s.standard.name.empty() ? std::string() : " (" + s.standard.name + ")"))});
        sh.rows.push_back({io::XlsxCell(w("方案", "variants") + ":")});
        for (const VariantResults* v : cols) sh.rows.push_back({io::XlsxCell("[" + v->id + "]"), io::XlsxCell(v->name)});
        sh.rows.emplace_back();

        // Groups.
        sh.rows.push_back({io::XlsxCell(w("人群", "groups"), true)});
        std::vector<io::XlsxCell> head = {io::XlsxCell("group", true), io::XlsxCell(w("名称", "label"), true)};
        for (const VariantResults* v : cols)
            for (const char* m : {"total", "covered", "coverage_share", "mean_minutes"})
                head.push_back(io::XlsxCell(std::string(m) + " [" + v->id + "]", true));
        sh.rows.push_back(reader_row(w, head, cols, capacity_unit(s)));
        sh.rows.push_back(head);
        for (std::size_t k = 0; k < r.groups.size(); ++k) {
            std::vector<io::XlsxCell> row = {io::XlsxCell(r.groups[k]), io::XlsxCell(r.group_labels[k])};
            for (const VariantResults* v : cols) {
                const planners::Figures& a = v->result.overall[k];
                row.push_back(io::XlsxCell(a.total, "#,##0"));
                row.push_back(io::XlsxCell(a.covered, "#,##0"));
                row.push_back(io::XlsxCell(share_of(a), share_format));
                row.push_back(io::XlsxCell(a.mean_minutes, "0.0"));
            }
            sh.rows.push_back(row);
        }
        sh.rows.emplace_back();

        // Districts, for the service's group.
        if (!today.districts.empty()) {
            sh.rows.push_back({io::XlsxCell(w("社区", "districts") + " (" + s.group + ")", true)});
            std::vector<io::XlsxCell> dh = {io::XlsxCell("district", true)};
            for (const VariantResults* v : cols) {
                for (const char* m : {"total", "covered", "coverage_share"})
                    dh.push_back(io::XlsxCell(std::string(m) + " [" + v->id + "]", true));
                if (!v->result.district_served.empty()) dh.push_back(io::XlsxCell("served [" + v->id + "]", true));
            }
            sh.rows.push_back(reader_row(w, dh, cols, capacity_unit(s)));
            sh.rows.push_back(dh);
            for (std::size_t d = 0; d < today.districts.size(); ++d) {
                std::vector<io::XlsxCell> row = {io::XlsxCell(today.districts[d].name)};
                for (const VariantResults* v : cols) {
                    const planners::Figures& a = v->result.districts[d].groups[g];
                    row.push_back(io::XlsxCell(a.total, "#,##0"));
                    row.push_back(io::XlsxCell(a.covered, "#,##0"));
                    row.push_back(io::XlsxCell(share_of(a), share_format));
                    if (!v->result.district_served.empty())
                        row.push_back(io::XlsxCell(v->result.district_served[d], "#,##0"));
                }
                sh.rows.push_back(row);
            }
            sh.rows.emplace_back();
        }

        // Seats.
        if (seats_of(today)) {
            sh.rows.push_back({io::XlsxCell(w(capacity_unit(s).zh, capacity_unit(s).en), true)});
            const std::vector<io::XlsxCell> seats_head = {io::XlsxCell("variant", true), io::XlsxCell("capacity", true),
                                                          io::XlsxCell("served", true),
                                                          io::XlsxCell("covered_unserved", true)};
            sh.rows.push_back(reader_row(w, seats_head, cols, capacity_unit(s)));
            sh.rows.push_back(seats_head);
            for (const VariantResults* v : cols) {
                const planners::AssignmentTotals* t = seats_of(v->result);
                if (!t) continue;
                sh.rows.push_back({io::XlsxCell(v->id), io::XlsxCell(t->capacity, "#,##0"),
                                   io::XlsxCell(t->served_weight, "#,##0"),
                                   io::XlsxCell(t->covered_unserved_weight, "#,##0")});
            }
            sh.rows.emplace_back();
        }

        // Suggested sites.
        if (s.suggestion) {
            sh.rows.push_back({io::XlsxCell(w("建议选址", "suggested sites"), true)});
            const std::vector<io::XlsxCell> sites_head = {io::XlsxCell("rank", true), io::XlsxCell("site", true),
                                                          io::XlsxCell("candidate_id", true),
                                                          io::XlsxCell("added_weight", true),
                                                          io::XlsxCell("assigned_weight", true)};
            sh.rows.push_back(reader_row(w, sites_head, cols, capacity_unit(s)));
            sh.rows.push_back(sites_head);
            for (const maps::SiteRow& row : s.suggestion->rows)
                sh.rows.push_back({io::XlsxCell(static_cast<double>(row.rank), "0"), io::XlsxCell(row.name),
                                   io::XlsxCell(row.candidate_id), io::XlsxCell(row.added_weight, "#,##0"),
                                   io::XlsxCell(row.assigned_weight, "#,##0")});
        }
        sheets.push_back(std::move(sh));
    }
    return sheets;
}

}  // namespace

nlohmann::ordered_json plan_summary(const PlanResult& r, const Scenario& sc) {
    nlohmann::ordered_json j;
    j["title"] = r.title;
    j["scenario"] = sc.path;
    j["network"] = sc.network.path;
    j["demand"] = sc.demand.path.empty() ? sc.demand.buildings : sc.demand.path;
    j["work_crs"] = r.work_crs;
    j["language"] = r.language;
    j["groups"] = r.groups;
    nlohmann::ordered_json labels;
    for (std::size_t k = 0; k < r.groups.size() && k < r.group_labels.size(); ++k) labels[r.groups[k]] = r.group_labels[k];
    j["group_labels"] = labels;
    nlohmann::ordered_json variants = nlohmann::ordered_json::array();
    for (const PlanVariant& v : r.variants) {
        nlohmann::ordered_json vj;
        vj["id"] = v.id;
        vj["title"] = v.title;
        nlohmann::ordered_json works = nlohmann::ordered_json::array();
        for (const RoadWork& w : v.road_works) works.push_back(road_work_json(w));
        vj["road_works"] = works;
        vj["facility_changes"] = v.facility_changes;
        variants.push_back(vj);
    }
    j["variants"] = variants;
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
        sj["group_label"] = s.group_label;
        if (st.target_share)
            sj["target"] = {{"share", *st.target_share}, {"source", st.target_source}, {"nature", st.target_nature}};
        else
            sj["target"] = nullptr;
        if (!s.notes.empty()) sj["notes"] = s.notes;
        nlohmann::ordered_json vs = nlohmann::ordered_json::array();
        for (const VariantResults& v : s.variants) {
            nlohmann::ordered_json vj = variant_json(v, r.groups);
            vj["verdict"] = verdict_json(st, share_of(v.result.overall[v.result.group]));
            vs.push_back(vj);
        }
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
            nlohmann::ordered_json names = nlohmann::ordered_json::array();
            for (const maps::SiteRow& row : sr.rows)
                names.push_back({{"rank", row.rank}, {"name", row.name}, {"candidate_id", row.candidate_id},
                                 {"added_weight", row.added_weight}, {"assigned_weight", row.assigned_weight}});
            gj["sites"] = names;
            gj["objective_value"] = g.objective_value;
            gj["bound"] = json_number(g.bound);
            gj["gap"] = json_number(g.gap);
            gj["proven_optimal"] = g.proven_optimal;
            gj["method"] = g.method;
            nlohmann::ordered_json wj;
            for (std::size_t k = 0; k < r.groups.size() && k < sr.after.overall.size(); ++k)
                wj[r.groups[k]] = figures_json(sr.after.overall[k]);
            gj["with_sites"] = wj;
            if (const planners::AssignmentTotals* t = seats_of(sr.after)) gj["with_sites_served"] = t->served_weight;
            if (s.with_sites) {
                nlohmann::ordered_json vj = variant_json(*s.with_sites, r.groups);
                vj["verdict"] = verdict_json(st, share_of(s.with_sites->result.overall[s.with_sites->result.group]));
                gj["after"] = vj;
            }
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
    PlanWriteOptions o;
    o.threads = threads;
    write_plan(folder, r, sc, o, reporter);
}

void write_plan(const io::OutputFolder& folder, const PlanResult& r, const Scenario& sc, const PlanWriteOptions& options,
                const Reporter& reporter) {
    const io::OutputNotes notes = [&reporter](const std::string& n) { reporter.note(n); };
    if (options.pdf) io::require_chromium("--pdf");
    const fs::path dir(folder.dir());
    std::error_code ec;
    fs::create_directories(dir / "geojson", ec);
    std::vector<ServiceStyle> styles;
    for (const ServiceResults& s : r.services) styles.push_back(service_style(s));
    const std::vector<Placed> layers = placed_layers(r, styles);
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
    const std::size_t tables_req = requests.size();
    requests.push_back({"--out", (dir / "tables.xlsx").string(), {".xlsx"}, "", false});
    const std::size_t pdf_req = requests.size();
    if (options.pdf) requests.push_back({"--pdf", (dir / "report.pdf").string(), {".pdf"}, "", false});
    const std::size_t manifest_req = requests.size();
    requests.push_back(folder.manifest_request());
    io::OutputPlan plan(std::move(requests), folder.inputs(), notes);

    const std::size_t steps = layers.size() + 5 + (options.pdf ? 1 : 0);
    std::size_t step = 0;
    const auto progressed = [&] {
        reporter.check();
        reporter.progress("writing the outputs", ++step, steps);
    };
    std::vector<Layer> all;
    for (const Placed& p : layers) all.push_back(p.layer);
    io::WriteOptions wo;
    wo.threads = options.threads;
    io::write_layers(plan, plan.file_of(0), all, r.work_crs, wo);
    progressed();
    for (std::size_t k = 0; k < layers.size(); ++k) {
        io::write_layers(plan, plan.file_of(k + 1), {layers[k].layer}, r.work_crs, wo);
        progressed();
    }
    plan.write_text(plan.file_of(summary_req), plan_summary(r, sc).dump(2) + "\n");
    progressed();
    plan.write_text(plan.file_of(report_req), report_text(r, sc));
    progressed();
    io::write_xlsx(plan.stage(plan.file_of(tables_req)), plan_sheets(r));
    progressed();
    maps::QgisProject project;
    project.title = r.title;
    project.gpkg_file = "lifecircle.gpkg";
    for (const Placed& p : layers)
        project.layers.push_back(maps::project_layer(p.layer, p.title, p.group, p.visible));
    // Off, so the project opens offline; a planner switches it on for context.
    project.layers.push_back(maps::osm_basemap_layer(r.language == "en" ? "OpenStreetMap base map (online) 底图"
                                                                       : "OpenStreetMap 底图（在线）base map",
                                                     false));
    const Box& view = r.view_lonlat.min.x <= r.view_lonlat.max.x ? r.view_lonlat : r.bounds_lonlat;
    project.min_lon = view.min.x;
    project.min_lat = view.min.y;
    project.max_lon = view.max.x;
    project.max_lat = view.max.y;
    plan.write_text(plan.file_of(project_req), maps::qgis_project_xml(project));
    progressed();
    if (options.pdf) {
        // Printed from the report's staged copy: the PDF is committed with everything else.
        io::print_pdf(plan.stage(plan.file_of(report_req)), plan.stage(plan.file_of(pdf_req)), "--pdf");
        progressed();
    }

    // The manifest lists what this run wrote and is committed with it; what an earlier run
    // wrote and this one did not goes afterwards.
    std::vector<std::string> now = {"lifecircle.gpkg", "summary.json", "report.html", "lifecircle.qgs", "tables.xlsx"};
    if (options.pdf) now.push_back("report.pdf");
    for (const Placed& p : layers) {
        now.push_back("geojson/" + p.layer.name + ".geojson");
        if (!p.layer.qml.empty()) now.push_back("geojson/" + p.layer.name + ".qml");
    }
    folder.commit(plan, plan.file_of(manifest_req), now);
}

}  // namespace lifecircle::studies
