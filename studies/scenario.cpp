#include "studies/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/words.hpp"
#include "io/gtfs.hpp"

namespace lifecircle::studies {

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
            std::vector<std::string> names;
            for (const std::string_view k : keys) {
                known += (known.empty() ? "" : ", ") + std::string(k);
                names.emplace_back(k);
            }
            const std::string meant = nearest_word(key.str(), names);
            fail(value.source(), "unknown key '" + std::string(key.str()) + "'" + m_where +
                                     (meant.empty() ? "" : "; did you mean '" + meant + "'?") + "; known keys: " + known);
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
    /** A number of a kind (core/limits.hpp): finite and within its documented range. */
    std::optional<double> quantity(std::string_view key, Quantity q) const {
        const toml::node* n = node(key);
        if (!n) return std::nullopt;
        if (!n->is_number()) fail(n->source(), "key '" + std::string(key) + "'" + m_where + " must be a number");
        const double v = *n->value<double>();
        const std::string why = limit_problem(q, v);
        if (!why.empty()) fail(n->source(), "key '" + std::string(key) + "'" + m_where + " " + why);
        return v;
    }
    /** A whole number of a kind. */
    std::optional<std::size_t> whole(std::string_view key, Quantity q) const {
        const std::optional<double> v = quantity(key, q);
        if (!v) return std::nullopt;
        if (*v != std::floor(*v)) fail(node(key)->source(), "key '" + std::string(key) + "'" + m_where + " must be a whole number");
        return static_cast<std::size_t>(*v);
    }
    /** A table of names to shares, e.g. age_shares = { pop_3_6 = 0.04 }. */
    std::vector<std::pair<std::string, double>> shares(std::string_view key) const {
        std::vector<std::pair<std::string, double>> out;
        const toml::node* n = node(key);
        if (!n) return out;
        const auto* t = n->as_table();
        if (!t) fail(n->source(), "key '" + std::string(key) + "'" + m_where + " must be a table of group = share");
        for (auto&& [k, v] : *t) {
            if (!v.is_number()) fail(v.source(), "the share of '" + std::string(k.str()) + "'" + m_where + " must be a number");
            const double share = *v.value<double>();
            const std::string why = limit_problem(Quantity::fraction, share);
            if (!why.empty()) fail(v.source(), "the share of '" + std::string(k.str()) + "'" + m_where + " " + why);
            out.emplace_back(std::string(k.str()), share);
        }
        return out;
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
            if (!el.is_number()) fail(el.source(), "key '" + std::string(key) + "'" + m_where + " must hold numbers");
            const std::string why = limit_problem(Quantity::minutes, *el.value<double>());
            if (!why.empty()) fail(el.source(), "every value of key '" + std::string(key) + "'" + m_where + " " + why);
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
            if (!within(Quantity::longitude, lon) || !within(Quantity::latitude, lat)) bad(el);
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

namespace {

void read_network(const Reader& top, Scenario& s, const std::string& path, const fs::path& base) {
    const toml::table* net = sub_table(top, "network");
    if (!net) top.missing("network");
    const Reader n(*net, path, " in [network]", base);
    n.only({"file", "mode", "walk_speed_kmh", "work_crs", "layer", "crs", "elevation"});
    s.network.path = n.file("file", true);
    s.network.read.elevation = n.file("elevation");
    s.mode = n.string("mode", false, "walk");
    if (s.mode != "walk" && s.mode != "bike" && s.mode != "drive")
        n.fail(n.node("mode")->source(), "key 'mode' in [network] must be walk, bike or drive");
    if (auto v = n.quantity("walk_speed_kmh", Quantity::walk_speed_kmh)) s.walk_speed_kmh = *v;
    s.network.read.work_crs = n.string("work_crs");
    s.network.read.gdal.layer = n.string("layer");
    s.network.read.gdal.input_crs = n.string("crs");
}

void read_demand(const Reader& top, Scenario& s, const std::string& path, const fs::path& base) {
    const toml::table* dem = sub_table(top, "demand");
    if (!dem) top.missing("demand");
    const Reader d(*dem, path, " in [demand]", base);
    d.only({"file", "layer", "id_field", "crs", "weight_fields", "spread_m", "buildings", "levels_field",
            "default_levels", "floor_area_per_person", "residential_share", "residential_share_field", "age_shares",
            "building_types"});
    DemandSpec& spec = s.demand;
    spec.path = d.file("file");
    spec.buildings = d.file("buildings");
    if (spec.path.empty() == spec.buildings.empty())
        d.fail(dem->source(), "[demand] needs exactly one of 'file' (residents) and 'buildings' (estimate them)");
    spec.read.layer = d.string("layer");
    spec.read.id_field = d.string("id_field", false, "id");
    spec.read.input_crs = d.string("crs");
    spec.crs_setting = "crs = \"{crs}\" in [demand]";
    spec.read.weight_fields = d.strings("weight_fields");
    if (auto v = d.quantity("spread_m", Quantity::spread_m)) spec.read.spread_spacing_m = *v;
    io::BuildingResidentsOptions& b = spec.read.building_options;
    const bool buildings_only[] = {d.has("levels_field"), d.has("default_levels"), d.has("floor_area_per_person"),
                                   d.has("residential_share"), d.has("residential_share_field"), d.has("age_shares"),
                                   d.has("building_types")};
    for (const bool used : buildings_only)
        if (used && spec.buildings.empty())
            d.fail(dem->source(), "the building settings of [demand] (levels_field, default_levels, "
                                  "floor_area_per_person, residential_share, age_shares, building_types) need "
                                  "'buildings'");
    if (!spec.buildings.empty() && !spec.read.weight_fields.empty())
        d.fail(d.node("weight_fields")->source(),
               "with 'buildings' the groups are 'residents' and those of 'age_shares' (e.g. age_shares = { pop_3_6 = "
               "0.04 }); 'weight_fields' is for a residents layer");
    b.layer = spec.read.layer;
    b.input_crs = spec.read.input_crs;
    if (d.has("id_field")) b.id_field = spec.read.id_field;
    b.levels_field = d.string("levels_field");
    if (auto v = d.quantity("default_levels", Quantity::storeys)) b.default_levels = *v;
    if (auto v = d.quantity("floor_area_per_person", Quantity::floor_area_m2)) b.floor_area_per_person_m2 = *v;
    if (auto v = d.quantity("residential_share", Quantity::fraction)) b.residential_share = *v;
    b.residential_share_field = d.string("residential_share_field");
    for (const auto& [group, share] : d.shares("age_shares"))
        b.age_shares.push_back({group.rfind("pop_", 0) == 0 ? group : "pop_" + group, share});
    b.building_types = d.strings("building_types");
}

ScenarioSuggest read_suggest(const Reader& q, const toml::table& sg, const ScenarioService& sv) {
    q.only({"objective", "count", "target", "candidates", "candidate_spacing_m", "max_candidates", "capacitated",
            "candidate_capacity", "candidates_capacity_field", "seed", "time_limit_s"});
    ScenarioSuggest g;
    g.line = static_cast<int>(sg.source().begin.line);
    g.objective = q.string("objective", false, "max-coverage");
    if (g.objective != "max-coverage" && g.objective != "min-facilities" && g.objective != "p-median")
        q.fail(q.node("objective")->source(), "objective must be max-coverage, min-facilities or p-median");
    if (auto v = q.whole("count", Quantity::count)) g.count = *v;
    g.target = q.quantity("target", Quantity::share);
    if (g.objective == "min-facilities" ? !g.target : g.count == 0)
        q.fail(sg.source(), g.objective == "min-facilities" ? "min-facilities needs 'target' (e.g. 0.95)"
                                                            : g.objective + " needs 'count'");
    const std::string c = q.string("candidates", false, "auto");
    g.candidates = c == "auto" ? c : q.file("candidates");
    if (auto v = q.quantity("candidate_spacing_m", Quantity::spacing_m)) g.candidate_spacing_m = *v;
    if (auto v = q.whole("max_candidates", Quantity::count)) g.max_candidates = *v;
    g.capacitated = q.boolean("capacitated", false);
    g.candidate_capacity = q.quantity("candidate_capacity", Quantity::capacity);
    g.candidates_capacity_field = q.string("candidates_capacity_field");
    if (g.capacitated && sv.capacity_field.empty())
        q.fail(sg.source(), "capacitated suggestions need the service's 'capacity_field'");
    if (g.capacitated && !g.candidate_capacity && g.candidates_capacity_field.empty())
        q.fail(sg.source(), "capacitated suggestions need 'candidate_capacity' or 'candidates_capacity_field'");
    if (auto v = q.quantity("seed", Quantity::cost)) g.seed = static_cast<std::uint64_t>(*v);
    if (auto v = q.quantity("time_limit_s", Quantity::seconds)) g.time_limit_s = *v;
    return g;
}

ScenarioService read_service(const Reader& r, const toml::table& t, const std::string& path, const fs::path& base,
                             std::set<std::string>& ids) {
    r.only({"id", "title", "facilities", "osm_kind", "id_field", "name_field", "capacity_field", "default_capacity",
            "delay_field", "cutoff_field", "standard", "minutes", "meters", "walk_speed_kmh", "slope", "mode", "direction",
            "target_share", "target_source", "target_nature", "crs", "layer", "demand_group", "breaks_minutes",
            "suggest"});
    ScenarioService sv;
    sv.line = static_cast<int>(t.source().begin.line);
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
    sv.default_capacity = r.quantity("default_capacity", Quantity::capacity);
    sv.delay_field = r.string("delay_field");
    sv.cutoff_field = r.string("cutoff_field");
    if (!sv.osm_kind.empty() && (!sv.delay_field.empty() || !sv.cutoff_field.empty()))
        r.fail(t.source(), "service '" + sv.id + "': delay_field and cutoff_field need a facilities file");
    sv.standard = r.string("standard");
    sv.minutes = r.quantity("minutes", Quantity::minutes);
    sv.meters = r.quantity("meters", Quantity::metres);
    sv.walk_speed_kmh = r.quantity("walk_speed_kmh", Quantity::walk_speed_kmh);
    sv.target_share = r.quantity("target_share", Quantity::share);
    sv.target_source = r.string("target_source");
    sv.target_nature = r.string("target_nature", false, sv.target_share ? "scenario" : "");
    if (sv.target_share && sv.target_source.empty())
        r.fail(r.node("target_share")->source(),
               "service '" + sv.id + "': target_share needs target_source, where the share comes from (a local plan, "
               "a council decision...): the report gives it with the verdict");
    if (!sv.target_share && (r.has("target_source") || r.has("target_nature")))
        r.fail((r.has("target_source") ? r.node("target_source") : r.node("target_nature"))->source(),
               "service '" + sv.id + "': target_source and target_nature go with target_share");
    if (sv.target_share && sv.target_nature != "scenario" && sv.target_nature != "local-plan" &&
        sv.target_nature != "observed")
        r.fail(r.node("target_nature")->source(),
               "key 'target_nature' in service '" + sv.id +
                   "' must be \"scenario\" (set by this scenario), \"local-plan\" (a local plan's target) or "
                   "\"observed\" (a figure observed elsewhere, compared with)");
    sv.crs = r.string("crs");
    sv.layer = r.string("layer");
    if (!sv.osm_kind.empty() && (!sv.crs.empty() || !sv.layer.empty()))
        r.fail(t.source(), "service '" + sv.id + "': crs and layer are for a facilities file, not osm_kind");
    if (r.has("slope")) {
        sv.slope = parse_slope_model(r.string("slope"));
        if (!sv.slope)
            r.fail(r.node("slope")->source(), "key 'slope' in service '" + sv.id +
                                                  "' must be \"tobler\" (walking follows [network] elevation) or "
                                                  "\"none\" (flat)");
    }
    if (r.has("mode")) {
        sv.mode = r.string("mode");
        sv.transit = *sv.mode == "transit";
        if (sv.transit) sv.mode = "walk";  // to and from the stops, and all the way when that is quicker
        if (!parse_mode(*sv.mode))
            r.fail(r.node("mode")->source(), "key 'mode' must be walk, bike, drive or transit (by the [[gtfs]] timetables)");
    }
    sv.direction = r.string("direction", false, "to-facility");
    if (sv.direction != "to-facility" && sv.direction != "from-facility")
        r.fail(r.node("direction")->source(), "key 'direction' must be to-facility or from-facility");
    if (sv.standard.empty() && !sv.minutes && !sv.meters)
        r.fail(t.source(), "service '" + sv.id + "' needs a 'standard' from the catalogue (lifecircle standards) "
                                                 "or its own 'minutes' and/or 'meters'");
    if (sv.transit) {
        if (sv.meters)
            r.fail(r.node("meters")->source(), "service '" + sv.id + "' goes by public transport: its standard is "
                                               "minutes, and 'meters' is for walking, biking and driving");
        if (sv.direction != "to-facility")
            r.fail(r.node("direction")->source(), "by public transport residents travel to the facility: "
                                                  "direction = \"to-facility\"");
        if (!sv.delay_field.empty() || !sv.cutoff_field.empty())
            r.fail(t.source(), "service '" + sv.id + "': delay_field and cutoff_field are not applied by public "
                                                     "transport; leave them out");
    }
    sv.demand_group = r.string("demand_group");
    sv.breaks_minutes = r.numbers("breaks_minutes");
    if (const toml::table* sg = sub_table(r, "suggest"))
        sv.suggest = read_suggest(Reader(*sg, path, " in the suggest table of service '" + sv.id + "'", base), *sg, sv);
    return sv;
}

/** [[gtfs]] feeds (file = ...) and the [transit] window: what services with mode = "transit" ride. */
void read_transit(const Reader& top, Scenario& s, const std::string& path, const fs::path& base) {
    TransitSpec& t = s.transit;
    if (const toml::node* feeds = top.node("gtfs")) {
        if (!feeds->is_array_of_tables())
            top.fail(feeds->source(), "'gtfs' must be a list of [[gtfs]] tables, each with file = \"feed.zip\"");
        for (const toml::node& el : *feeds->as_array()) {
            const Reader r(*el.as_table(), path, " in [[gtfs]]", base);
            r.only({"file"});
            t.gtfs.push_back(r.file("file", true));
        }
    }
    const toml::table* window = sub_table(top, "transit");
    const bool used = std::any_of(s.services.begin(), s.services.end(), [](const ScenarioService& sv) { return sv.transit; });
    if (!used) {
        if (window || !t.gtfs.empty())
            top.fail((window ? *window : *top.node("gtfs")).source(),
                     "[[gtfs]] and [transit] are for services with mode = \"transit\"; no service has it");
        return;
    }
    const ScenarioService& first = *std::find_if(s.services.begin(), s.services.end(),
                                                 [](const ScenarioService& sv) { return sv.transit; });
    if (t.gtfs.empty() || !window)
        throw InputError("line " + std::to_string(first.line) + ": service '" + first.id +
                         "' goes by public transport (mode = \"transit\"): the scenario needs its timetables, "
                         "[[gtfs]] tables with file = \"feed.zip\", and a [transit] table with departure = "
                         "\"YYYY-MM-DDTHH:MM\"")
            .set_file(path);
    const Reader r(*window, path, " in [transit]", base);
    r.only({"departure", "window_minutes", "percentiles", "percentile", "max_walk_minutes", "max_transfer_m",
            "max_rides"});
    t.departure = r.string("departure", true);
    if (!io::parse_departure(t.departure))
        r.fail(r.node("departure")->source(), "key 'departure' in [transit] must be a date and time "
                                              "\"YYYY-MM-DDTHH:MM\" in the feeds' local time, e.g. \"2019-05-13T07:00\"");
    if (auto v = r.quantity("window_minutes", Quantity::minutes)) t.window_minutes = *v;
    if (r.has("percentiles")) {
        t.percentiles.clear();
        const toml::array* arr = r.node("percentiles")->as_array();
        if (!arr || arr->empty())
            r.fail(r.node("percentiles")->source(), "key 'percentiles' in [transit] must be a list such as [25, 50, 75]");
        for (const toml::node& el : *arr) {
            const double p = el.value<double>().value_or(-1.0);
            if (!(p > 0 && p <= 100))
                r.fail(el.source(), "every percentile in [transit] must be a number in (0, 100]");
            t.percentiles.push_back(p);
        }
    }
    if (auto v = r.number("percentile")) t.percentile = *v;
    if (std::find(t.percentiles.begin(), t.percentiles.end(), t.percentile) == t.percentiles.end())
        r.fail(r.has("percentile") ? r.node("percentile")->source() : window->source(),
               "the percentile 'covered' is judged on (key 'percentile', the median by default) must be one of "
               "'percentiles'");
    if (auto v = r.quantity("max_walk_minutes", Quantity::minutes)) t.max_walk_minutes = *v;
    if (auto v = r.quantity("max_transfer_m", Quantity::snap_m)) t.max_transfer_m = *v;
    if (auto v = r.whole("max_rides", Quantity::count)) {
        if (*v < 1 || *v > 8) r.fail(r.node("max_rides")->source(), "key 'max_rides' in [transit] must be 1 to 8");
        t.max_rides = static_cast<unsigned>(*v);
    }
}

ScenarioEdit read_edit(const Reader& r, const toml::table& t) {
    r.only({"type", "label", "line", "class", "maxspeed_kmh", "oneway", "bridge", "join_tolerance_m", "allow_dangling",
            "polygon", "area", "osm_ids",
            "new_class", "speed_factor"});
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
        e.maxspeed_kmh = r.quantity("maxspeed_kmh", Quantity::maxspeed_kmh);
        e.oneway = r.boolean("oneway", false);
        e.bridge = r.boolean("bridge", false);
        if (auto v = r.quantity("join_tolerance_m", Quantity::snap_m)) e.join_tolerance_m = *v;
        e.allow_dangling = r.boolean("allow_dangling", false);
        return e;
    }
    e.polygon = r.coordinates("polygon");
    e.area_file = r.file("area");
    e.osm_ids = r.integers("osm_ids");
    if (e.polygon.empty() && e.area_file.empty() && e.osm_ids.empty())
        r.fail(t.source(), e.type + " needs the roads it applies to: 'polygon', 'area' (a polygon file) or 'osm_ids'");
    if (!e.polygon.empty() && e.polygon.size() < 3)
        r.fail(r.node("polygon")->source(), "'polygon' needs at least three [lon, lat] points");
    if (e.type == "change") {
        if (r.has("new_class")) e.new_class = r.string("new_class");
        e.speed_factor = r.quantity("speed_factor", Quantity::speed_factor);
        e.maxspeed_kmh = r.quantity("maxspeed_kmh", Quantity::maxspeed_kmh);
        if (!e.new_class && !e.speed_factor && !e.maxspeed_kmh)
            r.fail(t.source(), "change needs what to change: 'new_class', 'speed_factor' or 'maxspeed_kmh'");
    }
    return e;
}

ScenarioPoint read_point(const Reader& r, const toml::table& t) {
    r.only({"id", "name", "lon", "lat", "capacity"});
    ScenarioPoint p;
    p.line = r.line();
    p.id = r.string("id", true);
    p.name = r.string("name");
    const std::optional<double> lon = r.quantity("lon", Quantity::longitude);
    const std::optional<double> lat = r.quantity("lat", Quantity::latitude);
    if (!lon || !lat) r.fail(t.source(), "a facility added by a variant needs 'lon' and 'lat' (WGS 84 degrees)");
    p.lon = *lon;
    p.lat = *lat;
    p.capacity = r.quantity("capacity", Quantity::capacity);
    return p;
}

ScenarioFacilityChange read_change(const Reader& r, const toml::table& t, const std::string& path, const fs::path& base,
                                   const std::string& where) {
    r.only({"service", "add", "add_file", "close"});
    ScenarioFacilityChange c;
    c.line = r.line();
    c.service = r.string("service", true);
    c.add_file = r.file("add_file");
    if (const toml::node* add = r.node("add")) {
        const auto* arr = add->as_array();
        if (!arr) r.fail(add->source(), "'add'" + where + " must be a list of { id, name, lon, lat } tables");
        for (const toml::node& el : *arr) {
            const auto* pt = el.as_table();
            if (!pt) r.fail(el.source(), "'add'" + where + " must be a list of { id, name, lon, lat } tables");
            c.add.push_back(read_point(Reader(*pt, path, " in a facility added" + where, base), *pt));
        }
    }
    c.close = r.strings("close");
    if (c.add_file.empty() && c.add.empty() && c.close.empty())
        r.fail(t.source(), "[[variants.facilities]]" + where + " needs 'add', 'add_file' or 'close'");
    return c;
}

void read_variants(const Reader& top, Scenario& s, const std::string& path, const fs::path& base) {
    const toml::node* variants = top.node("variants");
    if (!variants) return;
    if (!variants->is_array_of_tables()) top.fail(variants->source(), "'variants' must be a list of [[variants]] tables");
    std::set<std::string> ids = {"today"};
    if (!s.edits.empty()) ids.insert("road_works");
    std::set<std::string> services;
    for (const ScenarioService& sv : s.services) services.insert(sv.id);
    for (const toml::node& el : *variants->as_array()) {
        const toml::table& t = *el.as_table();
        const std::string id = t.contains("id") && t["id"].is_string() ? *t["id"].value<std::string>() : "";
        const std::string where = id.empty() ? " in [[variants]]" : " in variant '" + id + "'";
        const Reader r(t, path, where, base);
        r.only({"id", "title", "edits", "facilities"});
        ScenarioVariant v;
        v.line = r.line();
        v.id = r.string("id", true);
        if (!valid_id(v.id))
            r.fail(r.node("id")->source(), "variant id '" + v.id + "' must use a-z, 0-9 and _ only (it names layers)");
        if (!ids.insert(v.id).second)
            r.fail(r.node("id")->source(),
                   "variant id '" + v.id + "' is used twice" +
                       (v.id == "today" || v.id == "road_works"
                            ? std::string(" ('today' is the network as it is; 'road_works' the plain [[edits]])")
                            : std::string()));
        v.title = r.string("title", false, v.id);
        if (const toml::node* edits = r.node("edits")) {
            if (!edits->is_array_of_tables())
                r.fail(edits->source(), "'edits'" + where + " must be a list of [[variants.edits]] tables");
            for (const toml::node& e : *edits->as_array())
                v.edits.push_back(read_edit(Reader(*e.as_table(), path, " in an edit" + where, base), *e.as_table()));
        }
        if (const toml::node* fac = r.node("facilities")) {
            if (!fac->is_array_of_tables())
                r.fail(fac->source(), "'facilities'" + where + " must be a list of [[variants.facilities]] tables");
            std::set<std::string> changed;
            for (const toml::node& f : *fac->as_array()) {
                const Reader fr(*f.as_table(), path, where, base);
                ScenarioFacilityChange c = read_change(fr, *f.as_table(), path, base, where);
                if (!services.count(c.service))
                    fr.fail(fr.node("service")->source(), "service '" + c.service + "'" + where +
                                                              " is not a service of the scenario");
                if (!changed.insert(c.service).second)
                    fr.fail(f.source(), "service '" + c.service + "' is changed twice" + where +
                                            "; put its additions and closures in one table");
                v.facilities.push_back(std::move(c));
            }
        }
        if (v.edits.empty() && v.facilities.empty())
            r.fail(t.source(), "variant '" + v.id + "' changes nothing: give it [[variants.edits]] (road works) and/or "
                                                    "[[variants.facilities]] (facilities added or closed)");
        s.variants.push_back(std::move(v));
    }
}

}  // namespace

std::vector<ScenarioVariant> Scenario::variants_with_edits() const {
    std::vector<ScenarioVariant> out;
    if (!edits.empty()) {
        ScenarioVariant v;
        v.id = "road_works";
        v.title = report.language == "en" ? "after the road works 道路改造后" : "道路改造后 after the road works";
        v.edits = edits;
        v.line = edits.front().line_number;
        out.push_back(std::move(v));
    }
    out.insert(out.end(), variants.begin(), variants.end());
    return out;
}

std::vector<std::string> Scenario::inputs() const {
    std::vector<std::string> out = {path, network.path, network.read.elevation, demand.path, demand.buildings,
                                    districts.path};
    for (const ScenarioService& sv : services) {
        out.push_back(sv.facilities);
        if (sv.suggest && sv.suggest->candidates != "auto") out.push_back(sv.suggest->candidates);
    }
    for (const ScenarioEdit& e : edits) out.push_back(e.area_file);
    for (const ScenarioVariant& v : variants) {
        for (const ScenarioEdit& e : v.edits) out.push_back(e.area_file);
        for (const ScenarioFacilityChange& c : v.facilities) out.push_back(c.add_file);
    }
    out.push_back(report.water);
    for (const std::string& feed : transit.gtfs) out.push_back(feed);
    std::vector<std::string> files;
    for (const std::string& f : out) {
        if (f.empty() || std::find(files.begin(), files.end(), f) != files.end()) continue;
        files.push_back(f);
        fs::path p(f);
        std::string ext = p.extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        if (ext != ".shp") continue;
        // GDAL reads a Shapefile's attributes, index, CRS and encoding from its companions.
        for (const char* companion : {".dbf", ".shx", ".prj", ".cpg", ".qix", ".sbn", ".sbx"})
            files.push_back(p.replace_extension(companion).string());
    }
    return files;
}

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
    top.only({"title", "network", "demand", "districts", "services", "edits", "variants", "groups", "report",
              "gaps", "gtfs", "transit"});
    s.title = top.string("title", false, "lifecircle plan");
    read_network(top, s, path, base);
    read_demand(top, s, path, base);
    if (const toml::table* dis = sub_table(top, "districts")) {
        const Reader r(*dis, path, " in [districts]", base);
        r.only({"file", "name_field", "layer", "crs"});
        s.districts.path = r.file("file", true);
        s.districts.read.name_field = r.string("name_field");
        s.districts.read.layer = r.string("layer");
        s.districts.read.input_crs = r.string("crs");
        s.districts.label = "[districts] in " + path;
    }
    if (const toml::table* gaps = sub_table(top, "gaps")) {
        const Reader r(*gaps, path, " in [gaps]", base);
        r.only({"hex_m"});
        if (auto v = r.quantity("hex_m", Quantity::hex_m)) s.hex_m = *v;
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
        s.services.push_back(read_service(r, t, path, base, ids));
    }
    read_transit(top, s, path, base);
    if (const toml::node* edits = top.node("edits")) {
        if (!edits->is_array_of_tables()) top.fail(edits->source(), "'edits' must be a list of [[edits]] tables");
        for (const toml::node& el : *edits->as_array())
            s.edits.push_back(read_edit(Reader(*el.as_table(), path, " in [[edits]]", base), *el.as_table()));
    }
    read_variants(top, s, path, base);
    if (const toml::table* groups = sub_table(top, "groups")) {
        for (auto&& [key, value] : *groups) {
            if (!value.is_string())
                top.fail(value.source(), "the label of group '" + std::string(key.str()) +
                                             "' in [groups] must be a string, e.g. pop_3_6 = \"3–6岁儿童\"");
            s.groups.push_back({std::string(key.str()), *value.value<std::string>(),
                                static_cast<int>(value.source().begin.line)});
        }
    }
    if (const toml::table* rep = sub_table(top, "report")) {
        const Reader r(*rep, path, " in [report]", base);
        r.only({"language", "water", "water_layer", "water_crs"});
        s.report.language = r.string("language", false, "zh");
        if (s.report.language != "zh" && s.report.language != "en")
            r.fail(r.node("language")->source(), "key 'language' in [report] must be \"zh\" (Chinese first, English "
                                                 "beside it) or \"en\" (English first)");
        s.report.water = r.file("water");
        s.report.water_layer = r.string("water_layer");
        s.report.water_crs = r.string("water_crs");
        if (s.report.water.empty() && (r.has("water_layer") || r.has("water_crs")))
            r.fail(rep->source(), "water_layer and water_crs in [report] go with water = \"a file\"");
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

[groups]                       # optional: how the report and the legend name the groups
pop_total = "全部居民 all residents"
pop_3_6 = "3–6岁儿童 children 3–6"
pop_60plus = "60岁及以上老人 residents 60+"

[report]                       # optional
language = "zh"                # "zh": Chinese first, English beside it; "en": English first
# water = "rivers.gpkg"        # water to draw under the maps (default: from the network's OSM file)

[[services]]
id = "clinics"                 # names the layers
title = "15分钟医疗服务圈 15-minute medical circle"
facilities = "clinics.geojson" # or osm_kind = "clinic" (taken from the network's OSM file)
standard = "medical-15min"     # from `lifecircle standards`; minutes/meters/walk_speed_kmh override
demand_group = "pop_total"

[[services]]
id = "kindergartens"
title = "幼儿园学位 Kindergarten seats"
facilities = "kindergartens.geojson"
capacity_field = "seats"
standard = "kindergarten"
demand_group = "pop_3_6"
# crs = "gcj02"                # a facilities file geocoded by Amap/Tencent (gcj02) or Baidu (bd09)
target_share = 0.85            # a verdict (达标 / 未达标) against your own target, with its source
target_source = "区教育设施专项规划 2025 (district education facilities plan)"
target_nature = "local-plan"   # "scenario" (set here), "local-plan" or "observed"
  [services.suggest]           # optional: where new ones should go
  objective = "max-coverage"   # max-coverage, min-facilities (with target) or p-median
  count = 2
  candidates = "auto"          # or a file of candidate sites
  candidate_spacing_m = 100
  capacitated = true
  candidate_capacity = 90

[[services]]
id = "meal_points"
title = "老年助餐点 Elderly meal points"
facilities = "meal_points.geojson"
standard = "elderly-meal-point"
demand_group = "pop_60plus"
walk_speed_kmh = 3.2           # the elderly walk slower (the standard says so too)
# slope = "tobler"             # with [network] elevation: "tobler" (the standard's) or "none"

# [[services]]                 # by bus and metro: mode = "transit" rides the timetables below
# id = "hospital_bus"
# title = "County hospital by bus (县医院公交可达)"
# facilities = "hospitals.geojson"
# minutes = 30
# mode = "transit"
# [[gtfs]]                     # one table per feed (zip or folder); several agencies at once
# file = "bus_gtfs.zip"
# [transit]
# departure = "2026-05-13T07:00"  # the feeds' local time; a departure every minute of the window
# window_minutes = 60
# percentiles = [25, 50, 75]   # reported per resident; 'covered' is judged on percentile = 50
# max_walk_minutes = 15        # to the first stop and from the last (default: the standard's minutes)
# max_transfer_m = 500
# max_rides = 3

[[edits]]                      # what-if road works: every service is evaluated before and after
type = "add_road"
label = "new footbridge (新建人行桥)"
line = [[116.3117215, 39.9753899], [116.3117215, 39.9771865]]
class = "footway"
bridge = true                  # with [network] elevation: level between its ends, not over the river
# join_tolerance_m = 5         # each end joins a road within this many metres (else an error)
# allow_dangling = false       # true: an end that joins nothing is a dead end
# [[edits]]
# type = "change"               # roads inside a polygon or by OSM id: new_class, speed_factor, maxspeed_kmh
# polygon = [[116.30, 39.97], [116.32, 39.97], [116.32, 39.99], [116.30, 39.99]]
# speed_factor = 1.25
# [[edits]]
# type = "close"
# osm_ids = [123456]

[[variants]]                   # options weighed side by side against today: every service for each
id = "footbridge"              # names the layers: clinics_footbridge_gaps, ...
title = "方案A：新建人行桥 option A: a footbridge"
  [[variants.edits]]           # road works (the keys of [[edits]])
  type = "add_road"
  label = "new footbridge (新建人行桥)"
  line = [[116.3117215, 39.9753899], [116.3117215, 39.9771865]]
  class = "footway"
  bridge = true                # with [network] elevation: level between its ends, not over the river
  # type = "change"            # roads inside a polygon or by OSM id: new_class, speed_factor, maxspeed_kmh
  # polygon = [[116.30, 39.97], [116.32, 39.97], [116.32, 39.99], [116.30, 39.99]]
  # speed_factor = 1.25
  # type = "close"
  # osm_ids = [123456]

[[variants]]
id = "new_clinic"
title = "方案B：新建社区卫生服务站 option B: a new health station"
  [[variants.facilities]]      # facilities added or closed, per service
  service = "clinics"
  add = [{ id = "N1", name = "新建卫生服务站", lon = 116.3150, lat = 39.9830 }]
  # add_file = "new_clinics.geojson"   # or a file, read with the service's fields
  # close = ["K2"]                     # ids of the service's facilities that close

# [[edits]]                    # road works without [[variants]]: the variant "road_works"
# type = "add_road"
# line = [[116.3117215, 39.9753899], [116.3117215, 39.9771865]]
)toml";
}

}  // namespace lifecircle::studies
