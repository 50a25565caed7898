// The demo district: built here in code (no download, nothing outside the repository). The district: a street grid with
// arterials, a river crossed by two bridges, a one-way street, residential compounds (小区)
// with residents by age group, communities (社区), clinics, kindergartens with seats and
// elderly meal points, with Chinese names; the scenario asks for two new kindergartens and
// evaluates a what-if footbridge across the river.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "studies/demo.hpp"

#include "io/output.hpp"

#include "core/error.hpp"

namespace lifecircle::studies {

namespace fs = std::filesystem;

namespace {

// The district's origin (south-west corner) and its metre grid.
constexpr double lon0 = 116.3000, lat0 = 39.9700;
constexpr double metres_per_deg_lat = 111320.0;
const double metres_per_deg_lon = 111320.0 * std::cos(lat0 * M_PI / 180.0);
constexpr int cols = 11, rows = 9;            // streets every 200 m: x 0..2000, y 0..1600
constexpr double step = 200.0;
constexpr double river_south = 700.0, river_north = 760.0;  // between the streets at y 600 and 800
constexpr int bridge_a = 2, bridge_b = 8;    // the N-S streets at x 400 and 1600 cross it
constexpr int footbridge_col = 5;            // x 1000: the arterial the river cuts

std::string lonlat(double x, double y) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.7f,%.7f", lon0 + x / metres_per_deg_lon, lat0 + y / metres_per_deg_lat);
    return buf;
}
std::string lon_of(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.7f", lon0 + x / metres_per_deg_lon);
    return buf;
}
std::string lat_of(double y) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.7f", lat0 + y / metres_per_deg_lat);
    return buf;
}

/** A small deterministic generator (the same district on every machine). */
struct Lcg {
    std::uint64_t s = 20261203;
    double next() {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        return double(s >> 11) / double(1ULL << 53);
    }
};

/** The road network as OSM XML; `footbridge` also draws the footbridge in (for checking the
    what-if edit against a network that has it for real). */
std::string district_osm(bool footbridge) {
    std::ostringstream o;
    o << "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6' generator='lifecircle demo'>\n";
    auto node_id = [](int c, int r) { return 1000 + r * 100 + c; };
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            o << "  <node id='" << node_id(c, r) << "' visible='true' version='1' lat='" << lat_of(r * step)
              << "' lon='" << lon_of(c * step) << "'/>\n";
    // River bank polygon nodes.
    const int rn[4] = {9001, 9002, 9003, 9004};
    const double rx[4] = {-50, 2050, 2050, -50}, ry[4] = {river_south, river_south, river_north, river_north};
    for (int k = 0; k < 4; ++k)
        o << "  <node id='" << rn[k] << "' visible='true' version='1' lat='" << lat_of(ry[k]) << "' lon='" << lon_of(rx[k])
          << "'/>\n";
    int way = 1;
    auto emit = [&](const std::vector<int>& nodes, const std::map<std::string, std::string>& tags) {
        o << "  <way id='" << way++ << "' visible='true' version='1'>\n";
        for (const int n : nodes) o << "    <nd ref='" << n << "'/>\n";
        for (const auto& [k, v] : tags) o << "    <tag k='" << k << "' v='" << v << "'/>\n";
        o << "  </way>\n";
    };
    const char* ew_names[rows] = {"南环路", "幸福路", "建设路", "和平路", "滨河南路", "滨河北路", "光明路", "文化路", "北环路"};
    // E-W streets (the river lies between rows 3 (y 600) and 4 (y 800)).
    for (int r = 0; r < rows; ++r) {
        std::vector<int> nodes;
        for (int c = 0; c < cols; ++c) nodes.push_back(node_id(c, r));
        std::map<std::string, std::string> tags = {{"highway", r == 0 || r == rows - 1 ? "secondary" : "residential"},
                                                   {"name", ew_names[r]}};
        if (r == 2) tags["highway"] = "primary";  // 建设路, an arterial
        if (r == 1) {                             // 幸福路: one-way eastbound
            tags["highway"] = "tertiary";
            tags["oneway"] = "yes";
        }
        emit(nodes, tags);
    }
    // Rows are at y = r * 200; the river between y 700 and 760 separates rows 3 (600) and 4 (800).
    const char* ns_names[cols] = {"西一街", "西二街", "西三街", "西四街", "西五街", "中心大街",
                                  "东五街", "东四街", "东三街", "东二街", "东一街"};
    for (int c = 0; c < cols; ++c) {
        const std::string hw = c == footbridge_col ? "primary" : (c == 0 || c == cols - 1 ? "secondary" : "residential");
        std::vector<int> south, north;
        for (int r = 0; r <= 3; ++r) south.push_back(node_id(c, r));
        for (int r = 4; r < rows; ++r) north.push_back(node_id(c, r));
        emit(south, {{"highway", hw}, {"name", ns_names[c]}});
        emit(north, {{"highway", hw}, {"name", ns_names[c]}});
        if (c == bridge_a || c == bridge_b)
            emit({node_id(c, 3), node_id(c, 4)},
                 {{"highway", "secondary"}, {"bridge", "yes"}, {"layer", "1"}, {"name", c == bridge_a ? "西大桥" : "东大桥"}});
        if (footbridge && c == footbridge_col)
            emit({node_id(c, 3), node_id(c, 4)}, {{"highway", "footway"}, {"bridge", "yes"}, {"name", "新建人行桥"}});
    }
    // The river itself (not routable).
    emit({rn[0], rn[1], rn[2], rn[3], rn[0]}, {{"natural", "water"}, {"water", "river"}, {"name", "清河"}});
    o << "</osm>\n";
    return o.str();
}

struct Compound {
    std::string id, name;
    double x0, y0, x1, y1;
    double pop, pop_3_6, pop_60plus;
};

std::vector<Compound> compounds() {
    const char* first[] = {"幸福", "和平", "阳光", "锦绣", "翠园", "金桂", "春晓", "银河", "紫荆", "龙泉", "碧水", "新村"};
    const char* last[] = {"小区", "家园", "花园", "苑", "公寓"};
    std::vector<Compound> out;
    Lcg rng;
    int k = 0;
    for (int r = 0; r + 1 < rows; ++r) {
        if (r == 3) continue;  // the river's strip
        for (int c = 0; c + 1 < cols; ++c) {
            Compound b;
            char id[16];  // (std::string operator+ here trips GCC 12's -Wrestrict false positive)
            std::snprintf(id, sizeof id, "C%d", ++k);
            b.id = id;
            b.name = std::string(first[(r * 7 + c * 3) % 12]) + last[(r + c) % 5];
            // The compound reaches to the middle of its boundary streets, so its residents are
            // spread over the streets around it (its gates open onto them).
            b.x0 = c * step - 5;
            b.y0 = r * step - 5;
            b.x1 = (c + 1) * step + 5;
            b.y1 = (r + 1) * step + 5;
            b.pop = std::round(400 + 1100 * rng.next());
            b.pop_3_6 = std::round(b.pop * (0.03 + 0.03 * rng.next()));
            b.pop_60plus = std::round(b.pop * (0.14 + 0.14 * rng.next()));
            out.push_back(b);
        }
    }
    return out;
}

std::string ring(double x0, double y0, double x1, double y1) {
    return "[[" + lonlat(x0, y0) + "],[" + lonlat(x1, y0) + "],[" + lonlat(x1, y1) + "],[" + lonlat(x0, y1) + "],[" +
           lonlat(x0, y0) + "]]";
}

std::string compounds_geojson() {
    std::ostringstream o;
    o << "{\"type\":\"FeatureCollection\",\"name\":\"compounds\",\"features\":[\n";
    const std::vector<Compound> cs = compounds();
    for (std::size_t k = 0; k < cs.size(); ++k) {
        const Compound& b = cs[k];
        o << "{\"type\":\"Feature\",\"properties\":{\"id\":\"" << b.id << "\",\"name\":\"" << b.name
          << "\",\"pop_total\":" << b.pop << ",\"pop_3_6\":" << b.pop_3_6 << ",\"pop_60plus\":" << b.pop_60plus
          << "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[" << ring(b.x0, b.y0, b.x1, b.y1) << "]}}"
          << (k + 1 < cs.size() ? ",\n" : "\n");
    }
    o << "]}\n";
    return o.str();
}

std::string communities_geojson() {
    struct C {
        const char* name;
        double x0, y0, x1, y1;
    };
    const C cs[] = {{"东风社区", -10, -10, 1000, 730}, {"红旗社区", 1000, -10, 2010, 730},
                    {"滨河社区", -10, 730, 1000, 1610}, {"新华社区", 1000, 730, 2010, 1610}};
    std::ostringstream o;
    o << "{\"type\":\"FeatureCollection\",\"name\":\"communities\",\"features\":[\n";
    for (int k = 0; k < 4; ++k)
        o << "{\"type\":\"Feature\",\"properties\":{\"id\":\"S" << k + 1 << "\",\"name\":\"" << cs[k].name
          << "\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[" << ring(cs[k].x0, cs[k].y0, cs[k].x1, cs[k].y1)
          << "]}}" << (k < 3 ? ",\n" : "\n");
    o << "]}\n";
    return o.str();
}

struct Site {
    const char* id;
    const char* name;
    double x, y;
    double capacity;  ///< < 0: none
};

std::string points_geojson(const char* layer, const std::vector<Site>& sites, const char* capacity_field) {
    std::ostringstream o;
    o << "{\"type\":\"FeatureCollection\",\"name\":\"" << layer << "\",\"features\":[\n";
    for (std::size_t k = 0; k < sites.size(); ++k) {
        const Site& s = sites[k];
        o << "{\"type\":\"Feature\",\"properties\":{\"id\":\"" << s.id << "\",\"name\":\"" << s.name << "\"";
        if (capacity_field) o << ",\"" << capacity_field << "\":" << s.capacity;
        o << "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[" << lonlat(s.x, s.y) << "]}}"
          << (k + 1 < sites.size() ? ",\n" : "\n");
    }
    o << "]}\n";
    return o.str();
}

std::string scenario_toml() {
    const double x = footbridge_col * step;
    return std::string(R"toml(# The demo district's scenario (written by lifecircle demo). Paths are relative to this file.
title = "清河街道 生活圈评估 — Qinghe demo district life-circle evaluation"

[network]
file = "district.osm"
mode = "walk"
walk_speed_kmh = 4.0

[demand]
file = "compounds.geojson"      # residential compounds (小区): residents spread over their roads
weight_fields = ["pop_total", "pop_3_6", "pop_60plus"]

[districts]
file = "communities.geojson"    # communities (社区)
name_field = "name"

[gaps]
hex_m = 150

[groups]                        # how the report and the legend name the demand groups
pop_total = "全部居民 all residents"
pop_3_6 = "3–6岁儿童 children 3–6"
pop_60plus = "60岁及以上老人 residents 60+"

[report]
language = "zh"                 # Chinese first, English beside it ("en": English first)

[[services]]
id = "clinics"
title = "15分钟医疗服务圈 15-minute medical circle"
facilities = "clinics.geojson"
standard = "medical-15min"
demand_group = "pop_total"
breaks_minutes = [5, 10, 15]

[[services]]
id = "kindergartens"
title = "幼儿园学位 Kindergarten seats"
facilities = "kindergartens.geojson"
capacity_field = "seats"
standard = "kindergarten"
minutes = 10                    # the 10-minute life circle (GB 50180-2018: 500 m), as many districts plan it
meters = 500
demand_group = "pop_3_6"
target_share = 0.8              # the district's own goal: the report's verdict names it as set by the scenario
target_source = "清河街道 学前教育设施规划目标（示例）Qinghe district pre-school goal (demo)"
  [services.suggest]
  objective = "max-coverage"
  count = 2
  candidates = "auto"
  candidate_spacing_m = 100
  capacitated = true
  candidate_capacity = 90

[[services]]
id = "meal_points"
title = "老年助餐点 Elderly meal points"
facilities = "meal_points.geojson"
standard = "elderly-meal-point"
demand_group = "pop_60plus"
walk_speed_kmh = 3.2            # the elderly walk slower

[[edits]]                       # option A, road works: the variant "road_works"
type = "add_road"
label = "新建人行桥 new footbridge"
class = "footway"
line = [[)toml") + lonlat(x, 3 * step) + "], [" + lonlat(x, 4 * step) + R"toml(]]

[[variants]]                    # option B, weighed side by side with the road works against today
id = "new_clinic"
title = "方案B：新华社区新建卫生服务站 option B: a new health station"
  [[variants.facilities]]
  service = "clinics"
  add = [{ id = "K4", name = "新华社区卫生服务站", lon = )toml" + lon_of(1600) + ", lat = " + lat_of(1200) + " }]\n";
}

/** The files of the district (relative to its folder). */
const std::vector<std::string> files = {"district.osm",          "district_with_footbridge.osm",
                                             "compounds.geojson",     "communities.geojson",
                                             "clinics.geojson",       "kindergartens.geojson",
                                             "meal_points.geojson",   "scenario.toml"};

}  // namespace

const std::vector<std::string>& demo_files() { return files; }

/** Writes the district's files into `dir` as one output transaction (all or none). */
void write_demo_district(const std::string& dir, const Reporter& reporter, bool overwrite) {
    const fs::path d(dir);
    std::error_code ec;
    fs::create_directories(d, ec);
    if (ec) throw OutputError("cannot create the folder: " + ec.message()).set_file(dir);
    const std::vector<std::pair<std::string, std::string>> files = {
        {"district.osm", district_osm(false)},
        {"district_with_footbridge.osm", district_osm(true)},
        {"compounds.geojson", compounds_geojson()},
        {"communities.geojson", communities_geojson()},
        {"clinics.geojson", points_geojson("clinics",
                                           {{"K1", "清河社区卫生服务中心", 900, 500, -1},
                                            {"K2", "东风卫生服务站", 1500, 500, -1},
                                            {"K3", "滨河诊所", 300, 1100, -1}},
                                           nullptr)},
        {"kindergartens.geojson", points_geojson("kindergartens",
                                                 {{"Y1", "阳光幼儿园", 700, 300, 180},
                                                  {"Y2", "红旗幼儿园", 1700, 300, 120},
                                                  {"Y3", "滨河幼儿园", 500, 1300, 90}},
                                                 "seats")},
        {"meal_points.geojson",
         points_geojson("meal_points", {{"M1", "东风老年餐桌", 900, 500, -1}, {"M2", "新华助餐点", 1500, 1300, -1}},
                        nullptr)},
        {"scenario.toml", scenario_toml()}};
    // A demo run again must not undo the user's edits (the README invites editing the scenario).
    std::vector<std::string> edited;
    for (const auto& [name, text] : files) {
        std::ifstream in(d / name, std::ios::binary);
        if (!in) continue;
        const std::string now((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (now != text) edited.push_back(name);
    }
    if (!edited.empty() && !overwrite) {
        std::string names;
        for (const std::string& n : edited) names += (names.empty() ? "" : ", ") + (d / n).string();
        throw UsageError("the demo's data was changed since the demo wrote it (" + names +
                         "); to run your edit: lifecircle plan " + (d / "scenario.toml").string() + " --out " +
                         d.parent_path().string() + "; to write the original district over it: lifecircle demo --force");
    }
    std::vector<io::OutputRequest> requests;
    for (const auto& [name, text] : files)
        requests.push_back({"--out", (d / name).string(), {io::lower_extension(name)}, "", false});
    io::OutputPlan plan(std::move(requests), {}, [&reporter](const std::string& n) { reporter.note(n); });
    for (std::size_t k = 0; k < files.size(); ++k) plan.write_text(plan.file_of(k), files[k].second);
    plan.commit();
}

}  // namespace lifecircle::studies

