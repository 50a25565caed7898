#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <osmium/handler.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/io/any_output.hpp>
#include <osmium/visitor.hpp>

#include "core/error.hpp"
#include "io/osm_facilities.hpp"
#include "tests/geo.hpp"
#include "tests/temp_dir.hpp"

using lifecircle::InputError;
using lifecircle::io::facility_kind_name;
using lifecircle::io::FacilityKind;
using lifecircle::io::OsmFacility;
using lifecircle::io::parse_facility_kind;
using lifecircle::io::read_osm_facilities;
using lifecircle::test::TempDir;

using lifecircle::test::inside_ring;

namespace {

namespace fs = std::filesystem;

const std::string shared_data = LIFECIRCLE_SHARED_DATA;

bool has(const char* value, std::initializer_list<std::string_view> accepted) {
    return value != nullptr &&
           std::find(accepted.begin(), accepted.end(), std::string_view(value)) != accepted.end();
}

/**
 * Plain tag counts, independent of the extractor: raw amenity=* counts by object type, and
 * the objects the clinic and elderly-care rows of the table should match (no Chinese names
 * in Porto, so the name rows do not apply).
 */
struct TagCounter : osmium::handler::Handler {
    std::map<std::string, std::map<std::string, int>> amenity;  // value -> type -> count
    int clinic_kind = 0;
    int elderly_care_kind = 0;

    void count(const osmium::OSMObject& object, const char* type) {
        const auto& tags = object.tags();
        if (const char* a = tags["amenity"]) ++amenity[a][type];
        if (has(tags["amenity"], {"clinic", "doctors"}) ||
            has(tags["healthcare"], {"clinic", "doctor", "centre"}))
            ++clinic_kind;
        if (has(tags["amenity"], {"nursing_home"}) ||
            has(tags["social_facility"], {"nursing_home", "assisted_living"}) ||
            (has(tags["amenity"], {"social_facility"}) &&
             has(tags["social_facility:for"], {"senior", "elderly"})))
            ++elderly_care_kind;
    }
    void node(const osmium::Node& n) { count(n, "node"); }
    void way(const osmium::Way& w) { count(w, "way"); }
    void relation(const osmium::Relation& r) { count(r, "relation"); }
};

std::map<std::string, int> by_type(const std::vector<OsmFacility>& found,
                                   const std::string& matched_tag = {}) {
    std::map<std::string, int> counts;
    for (const OsmFacility& f : found) {
        if (matched_tag.empty() || f.matched_tag == matched_tag) ++counts[f.osm_type];
    }
    return counts;
}

int total(const std::map<std::string, int>& counts) {
    int sum = 0;
    for (const auto& [type, n] : counts) sum += n;
    return sum;
}

const OsmFacility* find(const std::vector<OsmFacility>& found, const std::string& type,
                        std::int64_t id) {
    for (const OsmFacility& f : found) {
        if (f.osm_type == type && f.osm_id == id) return &f;
    }
    return nullptr;
}

// A tiny map around (116.30, 39.99), ids chosen by role:
//  way 100: a U-shaped kindergarten whose centroid is in the courtyard (outside);
//  relation 200: a multipolygon kindergarten, a square with a square hole at its centre;
//  way 103: a kindergarten drawn as an open line; relation 201: a type=site kindergarten
//  with a node and a way member; relation 202: a multipolygon whose second way is missing;
//  nodes 60.. : tag and name cases for the other kinds.
const char* fixture_osm = R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
 <node id="1" lat="39.9900" lon="116.3000"/>
 <node id="2" lat="39.9900" lon="116.3024"/>
 <node id="3" lat="39.9918" lon="116.3024"/>
 <node id="4" lat="39.9918" lon="116.3018"/>
 <node id="5" lat="39.9906" lon="116.3018"/>
 <node id="6" lat="39.9906" lon="116.3006"/>
 <node id="7" lat="39.9918" lon="116.3006"/>
 <node id="8" lat="39.9918" lon="116.3000"/>
 <node id="11" lat="39.9800" lon="116.3000"/>
 <node id="12" lat="39.9800" lon="116.3100"/>
 <node id="13" lat="39.9900" lon="116.3100"/>
 <node id="14" lat="39.9900" lon="116.3000"/>
 <node id="15" lat="39.9830" lon="116.3030"/>
 <node id="16" lat="39.9830" lon="116.3070"/>
 <node id="17" lat="39.9870" lon="116.3070"/>
 <node id="18" lat="39.9870" lon="116.3030"/>
 <node id="21" lat="39.9700" lon="116.3000"/>
 <node id="22" lat="39.9700" lon="116.3020"/>
 <node id="23" lat="39.9720" lon="116.3020"/>
 <node id="31" lat="39.9600" lon="116.3000"/>
 <node id="32" lat="39.9600" lon="116.3010"/>
 <node id="50" lat="39.9500" lon="116.3000"/>
 <node id="41" lat="39.9400" lon="116.3000"/>
 <node id="42" lat="39.9400" lon="116.3010"/>
 <node id="60" lat="39.9300" lon="116.3000">
  <tag k="amenity" v="childcare"/>
  <tag k="name" v="Sunshine"/>
  <tag k="name:zh" v="Sunshine Nursery"/>
  <tag k="name:zh-Hans" v="阳光托儿所"/>
 </node>
 <node id="61" lat="39.9301" lon="116.3001">
  <tag k="amenity" v="restaurant"/>
  <tag k="name" v="静安区长者食堂"/>
 </node>
 <node id="62" lat="39.9302" lon="116.3002">
  <tag k="name" v="某某养老院"/>
 </node>
 <node id="64" lat="39.9304" lon="116.3004">
  <tag k="amenity" v="social_facility"/>
  <tag k="social_facility" v="nursing_home"/>
  <tag k="social_facility:for" v="senior"/>
  <tag k="capacity" v="120"/>
 </node>
 <node id="65" lat="39.9305" lon="116.3005">
  <tag k="amenity" v="hospital"/>
  <tag k="beds" v="300"/>
  <tag k="capacity" v="20"/>
  <tag k="name" v="某医院"/>
 </node>
 <node id="66" lat="39.9306" lon="116.3006">
  <tag k="healthcare" v="pharmacy"/>
  <tag k="name" v="社区卫生服务站药房"/>
 </node>
 <node id="67" lat="39.9307" lon="116.3007">
  <tag k="amenity" v="clinic"/>
  <tag k="name" v="学院路社区卫生服务站"/>
 </node>
 <node id="68" lat="39.9308" lon="116.3008">
  <tag k="amenity" v="social_facility"/>
  <tag k="social_facility" v="soup_kitchen"/>
  <tag k="social_facility:for" v="senior;homeless"/>
 </node>
 <node id="69" lat="39.9309" lon="116.3009">
  <tag k="healthcare" v="laboratory"/>
 </node>
 <way id="100">
  <nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="5"/><nd ref="6"/><nd ref="7"/><nd ref="8"/><nd ref="1"/>
  <tag k="amenity" v="kindergarten"/>
  <tag k="name" v="U"/>
 </way>
 <way id="101">
  <nd ref="11"/><nd ref="12"/><nd ref="13"/><nd ref="14"/><nd ref="11"/>
 </way>
 <way id="102">
  <nd ref="15"/><nd ref="16"/><nd ref="17"/><nd ref="18"/><nd ref="15"/>
 </way>
 <way id="103">
  <nd ref="21"/><nd ref="22"/><nd ref="23"/>
  <tag k="amenity" v="kindergarten"/>
 </way>
 <way id="104">
  <nd ref="31"/><nd ref="32"/>
 </way>
 <way id="105">
  <nd ref="41"/><nd ref="42"/>
 </way>
 <way id="106">
  <nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/>
  <tag k="building" v="yes"/>
  <tag k="name" v="某养老院"/>
 </way>
 <relation id="200">
  <member type="way" ref="101" role="outer"/>
  <member type="way" ref="102" role="inner"/>
  <tag k="type" v="multipolygon"/>
  <tag k="amenity" v="kindergarten"/>
 </relation>
 <relation id="201">
  <member type="node" ref="50" role=""/>
  <member type="way" ref="104" role=""/>
  <tag k="type" v="site"/>
  <tag k="amenity" v="kindergarten"/>
 </relation>
 <relation id="202">
  <member type="way" ref="105" role="outer"/>
  <member type="way" ref="999" role="outer"/>
  <tag k="type" v="multipolygon"/>
  <tag k="amenity" v="kindergarten"/>
 </relation>
</osm>
)";

/** Copies an OSM file into another format (chosen by the output's suffix). */
void convert(const std::string& from, const std::string& to) {
    osmium::io::Reader reader{from};
    osmium::io::Writer writer{to, osmium::io::overwrite::allow};
    while (osmium::memory::Buffer buffer = reader.read()) writer(std::move(buffer));
    writer.close();
    reader.close();
}

}  // namespace

TEST_CASE("facility kinds parse and print", "[osm_facilities]") {
    for (const auto kind :
         {FacilityKind::hospital, FacilityKind::clinic, FacilityKind::community_health,
          FacilityKind::kindergarten, FacilityKind::meal_point, FacilityKind::elderly_care}) {
        CHECK(parse_facility_kind(facility_kind_name(kind)) == kind);
    }
    CHECK(facility_kind_name(FacilityKind::community_health) == "community-health");
    CHECK(parse_facility_kind("meal_point") == FacilityKind::meal_point);
    CHECK(parse_facility_kind("elderly-care") == FacilityKind::elderly_care);
    CHECK_FALSE(parse_facility_kind("pharmacy").has_value());
    CHECK_FALSE(parse_facility_kind("").has_value());
}

TEST_CASE("read_osm_facilities places nodes, areas, lines and relations", "[osm_facilities]") {
    const TempDir dir{"lifecircle_osm_facilities"};
    const std::string osm = dir.write("fixture.osm", fixture_osm);
    const std::string pbf = dir.file("fixture.osm.pbf");
    const std::string gz = dir.file("fixture.osm.gz");
    const std::string bz2 = dir.file("fixture.osm.bz2");
    convert(osm, pbf);
    convert(osm, gz);
    convert(osm, bz2);

    for (const std::string& path : {osm, pbf, gz, bz2}) {
        INFO(path);
        const auto found = read_osm_facilities(path, FacilityKind::kindergarten);
        // Sorted by (osm_type, osm_id).
        std::vector<std::pair<std::string, std::int64_t>> keys;
        for (const OsmFacility& f : found) keys.emplace_back(f.osm_type, f.osm_id);
        CHECK(keys == std::vector<std::pair<std::string, std::int64_t>>{{"node", 60},
                                                                        {"relation", 200},
                                                                        {"relation", 201},
                                                                        {"relation", 202},
                                                                        {"way", 100},
                                                                        {"way", 103}});

        // The U: its centroid (116.3012, 39.9912-ish) is in the courtyard; the point is inside.
        const std::vector<std::pair<double, double>> u{
            {116.300, 39.990},   {116.3024, 39.990},  {116.3024, 39.9918},
            {116.3018, 39.9918}, {116.3018, 39.9906}, {116.3006, 39.9906},
            {116.3006, 39.9918}, {116.300, 39.9918},  {116.300, 39.990}};
        const OsmFacility* way = find(found, "way", 100);
        REQUIRE(way != nullptr);
        CHECK(inside_ring(u, way->lon, way->lat));
        CHECK(way->name == "U");
        CHECK(way->matched_tag == "amenity=kindergarten");

        // The square with a hole: inside the outer ring, outside the hole.
        const OsmFacility* holed = find(found, "relation", 200);
        REQUIRE(holed != nullptr);
        CHECK(inside_ring({{116.30, 39.98}, {116.31, 39.98}, {116.31, 39.99}, {116.30, 39.99}},
                      holed->lon, holed->lat));
        CHECK_FALSE(
            inside_ring({{116.303, 39.983}, {116.307, 39.983}, {116.307, 39.987}, {116.303, 39.987}},
                    holed->lon, holed->lat));

        // An open way: the mean of its nodes.
        const OsmFacility* line = find(found, "way", 103);
        REQUIRE(line != nullptr);
        CHECK(line->lon == Approx((116.3000 + 116.3020 + 116.3020) / 3).margin(1e-7));
        CHECK(line->lat == Approx((39.9700 + 39.9700 + 39.9720) / 3).margin(1e-7));

        // A site relation: the mean of its member node and its member way's nodes.
        const OsmFacility* site = find(found, "relation", 201);
        REQUIRE(site != nullptr);
        CHECK(site->lon == Approx((116.3000 + 116.3000 + 116.3010) / 3).margin(1e-7));
        CHECK(site->lat == Approx((39.9500 + 39.9600 + 39.9600) / 3).margin(1e-7));

        // A multipolygon with a missing member: the mean of what is there.
        const OsmFacility* broken = find(found, "relation", 202);
        REQUIRE(broken != nullptr);
        CHECK(broken->lon == Approx(116.3005).margin(1e-7));
        CHECK(broken->lat == Approx(39.9400).margin(1e-7));

        // name:zh holds English here; name_zh takes the first tag written in Chinese.
        const OsmFacility* nursery = find(found, "node", 60);
        REQUIRE(nursery != nullptr);
        CHECK(nursery->matched_tag == "amenity=childcare");
        CHECK(nursery->name == "Sunshine");
        CHECK(nursery->name_zh == "阳光托儿所");
        CHECK(nursery->lon == Approx(116.3).margin(1e-7));
        CHECK(nursery->lat == Approx(39.93).margin(1e-7));
    }
}

TEST_CASE("read_osm_facilities tag and name rules of the other kinds", "[osm_facilities]") {
    const TempDir dir{"lifecircle_osm_facilities"};
    const std::string osm = dir.write("fixture.osm", fixture_osm);

    const auto meals = read_osm_facilities(osm, FacilityKind::meal_point);
    REQUIRE(meals.size() == 2);
    CHECK(meals[0].osm_id == 61);
    CHECK(meals[0].matched_tag == "name~长者食堂");
    CHECK(meals[0].name_zh == "静安区长者食堂");
    CHECK(meals[1].osm_id == 68);
    CHECK(meals[1].matched_tag ==
          "social_facility=soup_kitchen + social_facility:for=senior;homeless");

    // The bare name node 62 and the building 106 named 养老院 carry no facility tag. The
    // soup kitchen for seniors (68) is a social facility for seniors, so elderly-care too.
    const auto care = read_osm_facilities(osm, FacilityKind::elderly_care);
    REQUIRE(care.size() == 2);
    CHECK(care[0].osm_id == 64);
    CHECK(care[0].matched_tag == "social_facility=nursing_home");
    CHECK(care[0].capacity == "120");
    CHECK(care[1].osm_id == 68);
    CHECK(care[1].matched_tag == "amenity=social_facility + social_facility:for=senior;homeless");

    const auto hospitals = read_osm_facilities(osm, FacilityKind::hospital);
    REQUIRE(hospitals.size() == 1);
    CHECK(hospitals[0].capacity == "300");  // beds before capacity for hospitals

    // The pharmacy named after a 社区卫生服务站 is not one; the clinic named so is.
    const auto community = read_osm_facilities(osm, FacilityKind::community_health);
    REQUIRE(community.size() == 1);
    CHECK(community[0].osm_id == 67);
    CHECK(community[0].matched_tag == "name~社区卫生服务");

    // healthcare=laboratory and pharmacy are not clinics.
    const auto clinics = read_osm_facilities(osm, FacilityKind::clinic);
    REQUIRE(clinics.size() == 1);
    CHECK(clinics[0].osm_id == 67);
    CHECK(clinics[0].capacity.empty());
}

TEST_CASE("read_osm_facilities on Porto 2020 matches plain tag counts", "[osm_facilities]") {
    const std::string path = shared_data + "/osm/porto_2020.osm.pbf";
    if (!fs::exists(path)) {
        WARN("skipped: " << path << " is absent");
        return;
    }
    TagCounter counter;
    {
        osmium::io::Reader reader{path};
        osmium::apply(reader, counter);
        reader.close();
    }
    // The data as the shared README describes it.
    CHECK(counter.amenity["clinic"]["node"] == 22);
    CHECK(counter.amenity["clinic"]["way"] == 9);
    CHECK(total(counter.amenity["clinic"]) == 31);
    CHECK(total(counter.amenity["kindergarten"]) == 14);
    CHECK(total(counter.amenity["hospital"]) == 10);
    CHECK(total(counter.amenity["social_facility"]) == 17);

    const auto clinics = read_osm_facilities(path, FacilityKind::clinic);
    const auto clinic_tagged = by_type(clinics, "amenity=clinic");
    CHECK(clinic_tagged.at("node") == 22);
    CHECK(clinic_tagged.at("way") == 9);
    CHECK(total(clinic_tagged) == 31);
    // amenity=doctors and healthcare=clinic|doctor|centre add to those.
    CHECK(static_cast<int>(clinics.size()) == counter.clinic_kind);
    CHECK(clinics.size() > 31);

    const auto kindergartens = read_osm_facilities(path, FacilityKind::kindergarten);
    CHECK(static_cast<int>(kindergartens.size()) ==
          total(counter.amenity["kindergarten"]) + total(counter.amenity["childcare"]));
    CHECK(kindergartens.size() == 14);

    const auto hospitals = read_osm_facilities(path, FacilityKind::hospital);
    CHECK(total(by_type(hospitals, "amenity=hospital")) == 10);

    const auto care = read_osm_facilities(path, FacilityKind::elderly_care);
    CHECK(static_cast<int>(care.size()) == counter.elderly_care_kind);

    // Every point lies in the Porto extract and the order is deterministic.
    for (const OsmFacility& f : clinics) {
        CHECK(f.lon > -8.8);
        CHECK(f.lon < -8.4);
        CHECK(f.lat > 41.0);
        CHECK(f.lat < 41.3);
    }
    CHECK(std::is_sorted(clinics.begin(), clinics.end(),
                         [](const OsmFacility& a, const OsmFacility& b) {
                             return std::tie(a.osm_type, a.osm_id) < std::tie(b.osm_type, b.osm_id);
                         }));
}

TEST_CASE("read_osm_facilities on Beijing Haidian returns Chinese names", "[osm_facilities]") {
    const std::string path = shared_data + "/osm/beijing_haidian.osm";
    if (!fs::exists(path)) {
        WARN("skipped: " << path << " is absent");
        return;
    }
    const auto kindergartens = read_osm_facilities(path, FacilityKind::kindergarten);
    REQUIRE(kindergartens.size() == 2);
    std::vector<std::string> names;
    for (const OsmFacility& f : kindergartens) names.push_back(f.name_zh);
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"中国农业大学东校区幼儿园", "未来之星实验幼儿园"});

    const auto hospitals = read_osm_facilities(path, FacilityKind::hospital);
    REQUIRE(hospitals.size() == 2);
    for (const OsmFacility& f : hospitals) {
        INFO(f.osm_type << " " << f.osm_id);
        const bool chinese = f.name_zh.find("医院") != std::string::npos ||
                             f.name_zh.find("卫生服务中心") != std::string::npos;
        CHECK(chinese);
        CHECK(f.lon == Approx(116.355).margin(0.05));
        CHECK(f.lat == Approx(40.0).margin(0.05));
    }
    // Way 167169164 has name:zh in English; the Chinese name comes from name:zh-Hans.
    const OsmFacility* campus = find(hospitals, "way", 167169164);
    REQUIRE(campus != nullptr);
    CHECK(campus->name_zh == "中国农业大学东区社区卫生服务中心");

    const auto community = read_osm_facilities(path, FacilityKind::community_health);
    REQUIRE(find(community, "way", 167169164) != nullptr);
    CHECK(find(community, "way", 167169164)->matched_tag == "name~社区卫生服务");
}

TEST_CASE("read_osm_facilities reports unreadable files", "[osm_facilities]") {
    const TempDir dir{"lifecircle_osm_facilities"};
    const std::string missing = dir.file("nope.osm.pbf");
    REQUIRE_THROWS_AS(read_osm_facilities(missing, FacilityKind::clinic), InputError);
    REQUIRE_THROWS_WITH(read_osm_facilities(missing, FacilityKind::clinic),
                        Catch::Contains(missing) && Catch::Contains("does not exist"));

    const std::string garbage = dir.write("garbage.osm.pbf", "this is not protobuf at all");
    REQUIRE_THROWS_AS(read_osm_facilities(garbage, FacilityKind::clinic), InputError);
    REQUIRE_THROWS_WITH(
        read_osm_facilities(garbage, FacilityKind::clinic),
        Catch::Contains(garbage) && Catch::Contains("cannot read the OpenStreetMap data"));
}
