#include "io/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "core/error.hpp"

namespace lifecircle::io {

namespace {

namespace fs = std::filesystem;

/** Reads one table, checking every key's name and type; paths are resolved next to the file. */
class Reader {
public:
    Reader(const toml::table& table, std::string file, std::string where, fs::path base)
        : m_table(table), m_file(std::move(file)), m_where(std::move(where)), m_base(std::move(base)) {}

    /** Fails on a key this table does not know. */
    void only(std::initializer_list<std::string_view> keys) const {
        for (auto&& [key, value] : m_table) {
            if (std::find(keys.begin(), keys.end(), key.str()) != keys.end()) continue;
            std::string known;
            for (const std::string_view k : keys) known += (known.empty() ? "" : ", ") + std::string(k);
            fail(value.source(), "unknown key '" + std::string(key.str()) + "'" + m_where + "; known keys: " + known);
        }
    }
    bool has(std::string_view key) const { return m_table.contains(key); }
    const toml::node* node(std::string_view key) const { return m_table.get(key); }

    std::string string(std::string_view key, bool required = false, const std::string& fallback = "") const {
        const toml::node* n = node(key);
        if (!n) {
            if (required) missing(key);
            return fallback;
        }
        const auto* s = n->as_string();
        if (!s) fail(n->source(), "key '" + std::string(key) + "'" + m_where + " must be a string");
        return s->get();
    }
    std::optional<double> number(std::string_view key, bool positive = true) const {
        const toml::node* n = node(key);
        if (!n) return std::nullopt;
        if (!n->is_number()) fail(n->source(), "key '" + std::string(key) + "'" + m_where + " must be a number");
        const double v = *n->value<double>();
        if (!std::isfinite(v) || (positive && !(v > 0)))
            fail(n->source(), "key '" + std::string(key) + "'" + m_where + " must be a positive number");
        return v;
    }
    bool boolean(std::string_view key, bool fallback) const {
        const toml::node* n = node(key);
        if (!n) return fallback;
        if (!n->is_boolean()) fail(n->source(), "key '" + std::string(key) + "'" + m_where + " must be true or false");
        return *n->value<bool>();
    }
    std::vector<std::string> strings(std::string_view key) const {
        std::vector<std::string> out;
        const toml::node* n = node(key);
        if (!n) return out;
        const auto* arr = n->as_array();
        if (!arr) fail(n->source(), "key '" + std::string(key) + "'" + m_where + " must be an array of strings");
        for (const toml::node& el : *arr) {
            if (!el.is_string()) fail(el.source(), "key '" + std::string(key) + "'" + m_where + " must hold strings");
            out.push_back(*el.value<std::string>());
        }
        return out;
    }
    std::vector<double> numbers(std::string_view key) const {
        std::vector<double> out;
        const toml::node* n = node(key);
        if (!n) return out;
        const auto* arr = n->as_array();
        if (!arr) fail(n->source(), "key '" + std::string(key) + "'" + m_where + " must be an array of numbers");
        for (const toml::node& el : *arr) {
            if (!el.is_number() || !(*el.value<double>() > 0))
                fail(el.source(), "key '" + std::string(key) + "'" + m_where + " must hold positive numbers");
            out.push_back(*el.value<double>());
        }
        return out;
    }
    std::vector<std::int64_t> integers(std::string_view key) const {
        std::vector<std::int64_t> out;
        const toml::node* n = node(key);
        if (!n) return out;
        const auto* arr = n->as_array();
        if (!arr) fail(n->source(), "key '" + std::string(key) + "'" + m_where + " must be an array of integers");
        for (const toml::node& el : *arr) {
            if (!el.is_integer()) fail(el.source(), "key '" + std::string(key) + "'" + m_where + " must hold integers");
            out.push_back(*el.value<std::int64_t>());
        }
        return out;
    }
    /** [[lon, lat], ...] */
    std::vector<std::pair<double, double>> coordinates(std::string_view key) const {
        std::vector<std::pair<double, double>> out;
        const toml::node* n = node(key);
        if (!n) return out;
        const auto* arr = n->as_array();
        auto bad = [&](const toml::node& at) {
            fail(at.source(), "key '" + std::string(key) + "'" + m_where +
                                  " must be a list of [longitude, latitude] pairs in WGS 84 degrees");
        };
        if (!arr) bad(*n);
        for (const toml::node& el : *arr) {
            const auto* pair = el.as_array();
            if (!pair || pair->size() != 2 || !(*pair)[0].is_number() || !(*pair)[1].is_number()) bad(el);
            const double lon = *(*pair)[0].value<double>(), lat = *(*pair)[1].value<double>();
            if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) bad(el);
            out.emplace_back(lon, lat);
        }
        return out;
    }
    /** A path relative to the scenario file; it must exist. */
    std::string file(std::string_view key, bool required = false) const {
        const std::string rel = string(key, required);
        if (rel.empty()) return rel;
        const fs::path p = fs::path(rel).is_absolute() ? fs::path(rel) : m_base / rel;
        if (!fs::exists(p))
            fail(node(key)->source(), "key '" + std::string(key) + "'" + m_where + ": no such file '" + p.string() +
                                           "' (paths are relative to the scenario file)");
        return p.lexically_normal().string();
    }
    int line() const { return static_cast<int>(m_table.source().begin.line); }

    [[noreturn]] void fail(const toml::source_region& where, const std::string& problem) const {
        throw InputError("line " + std::to_string(where.begin.line) + ": " + problem).set_file(m_file);
    }
    [[noreturn]] void missing(std::string_view key) const {
        fail(m_table.source(), "the required key '" + std::string(key) + "' is missing" + m_where);
    }
    const toml::table& table() const { return m_table; }

private:
    const toml::table& m_table;
    std::string m_file, m_where;
    fs::path m_base;
};

const toml::table* sub_table(const Reader& parent, std::string_view key) {
    const toml::node* n = parent.node(key);
    if (!n) return nullptr;
    if (!n->is_table()) parent.fail(n->source(), "'" + std::string(key) + "' must be a table ([" + std::string(key) + "])");
    return n->as_table();
}

bool valid_id(const std::string& id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

}  // namespace

Scenario read_scenario(const std::string& path) {
    if (!fs::exists(path)) throw InputError("cannot open: no such file").set_file(path);
    if (fs::is_directory(path)) throw InputError("is a folder; give the scenario .toml file").set_file(path);
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    toml::table root;
    try {
        root = toml::parse(text.str(), path);
    } catch (const toml::parse_error& e) {
        throw InputError("line " + std::to_string(e.source().begin.line) + ": not valid TOML: " +
                         std::string(e.description()))
            .set_file(path);
    }
    const fs::path base = fs::absolute(path).parent_path();
    Scenario s;
    s.path = path;
    const Reader top(root, path, "", base);
    top.only({"title", "network", "demand", "districts", "services", "edits", "gaps"});
    s.title = top.string("title", false, "lifecircle plan");

    const toml::table* net = sub_table(top, "network");
    if (!net) top.missing("network");
    const Reader n(*net, path, " in [network]", base);
    n.only({"file", "mode", "walk_speed_kmh", "elevation"});
    s.network = n.file("file", true);
    s.elevation = n.file("elevation");
    s.mode = n.string("mode", false, "walk");
    if (s.mode != "walk" && s.mode != "bike" && s.mode != "drive")
        n.fail(n.node("mode")->source(), "key 'mode' in [network] must be walk, bike or drive");
    if (auto v = n.number("walk_speed_kmh")) s.walk_speed_kmh = *v;

    const toml::table* dem = sub_table(top, "demand");
    if (!dem) top.missing("demand");
    const Reader d(*dem, path, " in [demand]", base);
    d.only({"file", "layer", "id_field", "weight_fields", "buildings"});
    s.demand = d.file("file");
    s.buildings = d.file("buildings");
    if (s.demand.empty() == s.buildings.empty())
        d.fail(dem->source(), "[demand] needs exactly one of 'file' (residents) and 'buildings' (estimate them)");
    s.demand_layer = d.string("layer");
    s.demand_id_field = d.string("id_field", false, "id");
    s.weight_fields = d.strings("weight_fields");

    if (const toml::table* dis = sub_table(top, "districts")) {
        const Reader r(*dis, path, " in [districts]", base);
        r.only({"file", "name_field"});
        s.districts = r.file("file", true);
        s.district_field = r.string("name_field");
    }
    if (const toml::table* gaps = sub_table(top, "gaps")) {
        const Reader r(*gaps, path, " in [gaps]", base);
        r.only({"hex_m"});
        if (auto v = r.number("hex_m")) s.hex_m = *v;
    }

    const toml::node* services = top.node("services");
    if (!services || !services->is_array_of_tables() || services->as_array()->empty())
        top.fail(services ? services->source() : root.source(),
                 "the scenario needs at least one [[services]] table (see lifecircle plan --example)");
    std::set<std::string> ids;
    for (const toml::node& el : *services->as_array()) {
        const toml::table& t = *el.as_table();
        const std::string id = t.contains("id") && t["id"].is_string() ? *t["id"].value<std::string>() : "";
        const Reader r(t, path, id.empty() ? " in [[services]]" : " in service '" + id + "'", base);
        r.only({"id", "title", "facilities", "osm_kind", "id_field", "name_field", "capacity_field", "standard",
                "minutes", "meters", "walk_speed_kmh", "slope", "mode", "demand_group", "breaks_minutes",
                "suggest"});
        ScenarioService sv;
        sv.id = r.string("id", true);
        if (!valid_id(sv.id))
            r.fail(r.node("id")->source(), "service id '" + sv.id + "' must use a-z, 0-9 and _ only (it names layers)");
        if (!ids.insert(sv.id).second) r.fail(r.node("id")->source(), "service id '" + sv.id + "' is used twice");
        sv.title = r.string("title", false, sv.id);
        sv.facilities = r.file("facilities");
        sv.osm_kind = r.string("osm_kind");
        if (sv.facilities.empty() == sv.osm_kind.empty())
            r.fail(t.source(), "service '" + sv.id + "' needs exactly one of 'facilities' (a file) and 'osm_kind' "
                                                     "(hospital, clinic, community-health, kindergarten, meal-point, "
                                                     "elderly-care: taken from the network's OSM file)");
        sv.id_field = r.string("id_field", false, "id");
        sv.name_field = r.string("name_field");
        sv.capacity_field = r.string("capacity_field");
        sv.standard = r.string("standard");
        sv.minutes = r.number("minutes");
        sv.meters = r.number("meters");
        sv.walk_speed_kmh = r.number("walk_speed_kmh");
        if (r.has("slope")) {
            sv.slope = parse_slope_model(r.string("slope"));
            if (!sv.slope)
                r.fail(r.node("slope")->source(), "key 'slope' in service '" + sv.id +
                                                      "' must be \"tobler\" (walking follows [network] elevation) "
                                                      "or \"none\" (flat)");
        }
        if (r.has("mode")) sv.mode = r.string("mode");
        if (sv.standard.empty() && !sv.minutes && !sv.meters)
            r.fail(t.source(), "service '" + sv.id + "' needs a 'standard' from the catalogue (lifecircle standards) "
                                                     "or its own 'minutes' and/or 'meters'");
        sv.demand_group = r.string("demand_group");
        sv.breaks_minutes = r.numbers("breaks_minutes");
        if (const toml::table* sg = sub_table(r, "suggest")) {
            const Reader q(*sg, path, " in the suggest table of service '" + sv.id + "'", base);
            q.only({"objective", "count", "target", "candidates", "candidate_spacing_m", "capacitated",
                    "candidate_capacity", "candidates_capacity_field", "seed", "time_limit_s"});
            ScenarioSuggest g;
            g.objective = q.string("objective", false, "max-coverage");
            if (g.objective != "max-coverage" && g.objective != "min-facilities" && g.objective != "p-median")
                q.fail(q.node("objective")->source(), "objective must be max-coverage, min-facilities or p-median");
            if (auto v = q.number("count")) g.count = static_cast<std::size_t>(*v);
            g.target = q.number("target");
            if (g.objective == "min-facilities" ? !g.target : g.count == 0)
                q.fail(sg->source(), g.objective == "min-facilities" ? "min-facilities needs 'target' (e.g. 0.95)"
                                                                      : g.objective + " needs 'count'");
            const std::string c = q.string("candidates", false, "auto");
            g.candidates = c == "auto" ? c : q.file("candidates");
            if (auto v = q.number("candidate_spacing_m")) g.candidate_spacing_m = *v;
            g.capacitated = q.boolean("capacitated", false);
            g.candidate_capacity = q.number("candidate_capacity");
            g.candidates_capacity_field = q.string("candidates_capacity_field");
            if (g.capacitated && sv.capacity_field.empty())
                q.fail(sg->source(), "capacitated suggestions need the service's 'capacity_field'");
            if (g.capacitated && !g.candidate_capacity && g.candidates_capacity_field.empty())
                q.fail(sg->source(), "capacitated suggestions need 'candidate_capacity' or 'candidates_capacity_field'");
            if (auto v = q.number("seed")) g.seed = static_cast<std::uint64_t>(*v);
            if (auto v = q.number("time_limit_s")) g.time_limit_s = *v;
            sv.suggest = g;
        }
        s.services.push_back(std::move(sv));
    }

    if (const toml::node* edits = top.node("edits")) {
        if (!edits->is_array_of_tables())
            top.fail(edits->source(), "'edits' must be a list of [[edits]] tables");
        for (const toml::node& el : *edits->as_array()) {
            const toml::table& t = *el.as_table();
            const Reader r(t, path, " in [[edits]]", base);
            r.only({"type", "label", "line", "class", "maxspeed_kmh", "oneway", "bridge", "polygon", "area",
                    "osm_ids", "new_class", "speed_factor"});
            ScenarioEdit e;
            e.line_number = r.line();
            e.type = r.string("type", true);
            if (e.type != "add_road" && e.type != "change" && e.type != "close")
                r.fail(r.node("type")->source(), "edit type '" + e.type + "' must be add_road, change or close");
            e.label = r.string("label", false, e.type);
            if (e.type == "add_road") {
                e.line = r.coordinates("line");
                if (e.line.size() < 2) r.fail(t.source(), "add_road needs 'line' with at least two [lon, lat] points");
                e.road_class = r.string("class", false, "footway");
                e.maxspeed_kmh = r.number("maxspeed_kmh");
                e.oneway = r.boolean("oneway", false);
                e.bridge = r.boolean("bridge", false);
            } else {
                e.polygon = r.coordinates("polygon");
                e.area_file = r.file("area");
                e.osm_ids = r.integers("osm_ids");
                if (e.polygon.empty() && e.area_file.empty() && e.osm_ids.empty())
                    r.fail(t.source(), e.type + " needs the roads it applies to: 'polygon', 'area' (a polygon file) "
                                                "or 'osm_ids'");
                if (!e.polygon.empty() && e.polygon.size() < 3)
                    r.fail(r.node("polygon")->source(), "'polygon' needs at least three [lon, lat] points");
                if (e.type == "change") {
                    if (r.has("new_class")) e.new_class = r.string("new_class");
                    e.speed_factor = r.number("speed_factor");
                    e.maxspeed_kmh = r.number("maxspeed_kmh");
                    if (!e.new_class && !e.speed_factor && !e.maxspeed_kmh)
                        r.fail(t.source(), "change needs what to change: 'new_class', 'speed_factor' or 'maxspeed_kmh'");
                }
            }
            s.edits.push_back(std::move(e));
        }
    }
    return s;
}

std::string example_scenario() {
    return R"toml(# lifecircle plan scenario: lifecircle plan scenario.toml --out DIR
# Paths are relative to this file. Coordinates are WGS 84 [longitude, latitude].
title = "示范街道 生活圈评估 (demo district life-circle evaluation)"

[network]
file = "district.osm"          # OpenStreetMap (.osm/.osm.pbf) or a GDAL line layer
mode = "walk"                  # walk, bike or drive
walk_speed_kmh = 4.0
# elevation = "dem.tif"        # optional: a DEM (any GDAL raster) for slope-aware walking

[demand]
file = "compounds.geojson"     # points, polygons (spread over their roads) or a raster
weight_fields = ["pop_total", "pop_3_6", "pop_60plus"]
id_field = "id"
# buildings = "city.osm.pbf"   # instead of file: residents estimated from building footprints

[districts]                    # optional: shares per community (社区)
file = "communities.geojson"
name_field = "name"

[gaps]
hex_m = 150                    # hexagon size of the gap maps

[[services]]
id = "clinics"                 # names the layers
title = "15-minute medical circle (15分钟医疗服务圈)"
facilities = "clinics.geojson" # or osm_kind = "clinic" (taken from the network's OSM file)
standard = "medical-15min"     # from `lifecircle standards`; minutes/meters/walk_speed_kmh override
demand_group = "pop_total"

[[services]]
id = "kindergartens"
title = "Kindergarten seats (幼儿园)"
facilities = "kindergartens.geojson"
capacity_field = "seats"
standard = "kindergarten"
demand_group = "pop_3_6"
  [services.suggest]           # optional: where new ones should go
  objective = "max-coverage"   # max-coverage, min-facilities (with target) or p-median
  count = 2
  candidates = "auto"          # or a file of candidate sites
  candidate_spacing_m = 100
  capacitated = true
  candidate_capacity = 90

[[services]]
id = "meal_points"
title = "Elderly meal points (老年助餐点)"
facilities = "meal_points.geojson"
standard = "elderly-meal-point"
demand_group = "pop_60plus"
walk_speed_kmh = 3.2           # the elderly walk slower (the standard says so too)
# slope = "tobler"             # with [network] elevation: "tobler" (the standard's) or "none"

[[edits]]                      # what-if road works: every service is evaluated before and after
type = "add_road"
label = "new footbridge (新建人行桥)"
line = [[116.3100, 39.9795], [116.3100, 39.9805]]
class = "footway"
bridge = true                  # with [network] elevation: level between its ends, not over the river
# [[edits]]
# type = "change"               # roads inside a polygon or by OSM id: new_class, speed_factor, maxspeed_kmh
# polygon = [[116.30, 39.97], [116.32, 39.97], [116.32, 39.99], [116.30, 39.99]]
# speed_factor = 1.25
# [[edits]]
# type = "close"
# osm_ids = [123456]
)toml";
}

}  // namespace lifecircle::io
