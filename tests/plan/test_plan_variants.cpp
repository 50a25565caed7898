// The plan's variants and what the report is made from (issue 18): [[variants]] with road works
// and facilities added or closed, every service for each, against independent runs; group
// labels, the standard as it ran, the verdict's target with its nature, road works and sites in
// words, absent facilities, progress; the scenario's new keys and their errors.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../temp_dir.hpp"
#include "core/error.hpp"
#include "studies/demo.hpp"
#include "studies/plan.hpp"
#include "studies/plan_outputs.hpp"
#include "studies/scenario.hpp"
#include "studies/service.hpp"

using namespace lifecircle;
using namespace lifecircle::studies;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

/** Notices and progress, as a front end would see them. */
struct Heard {
    std::mutex mutex;
    std::vector<std::string> notes, warnings;
    std::map<std::string, std::pair<std::size_t, std::size_t>> last;  // phase: done, total
    std::map<std::string, std::size_t> calls;
    Reporter reporter() {
        Callbacks cb;
        cb.notice = [this](const Notice& n) {
            std::lock_guard lock(mutex);
            (n.level == Notice::Level::warning ? warnings : notes).push_back(n.text);
        };
        cb.progress = [this](const std::string& phase, std::size_t done, std::size_t total) {
            std::lock_guard lock(mutex);
            last[phase] = {done, total};
            ++calls[phase];
        };
        return Reporter(cb);
    }
    std::size_t warned(const std::string& part) const {
        return static_cast<std::size_t>(
            std::count_if(warnings.begin(), warnings.end(),
                          [&](const std::string& w) { return w.find(part) != std::string::npos; }));
    }
};

/** The demo district and its scenario in a scratch folder. */
struct Demo {
    test::TempDir dir{"plan_variants"};
    fs::path data = dir.path() / "data";
    Demo() { write_demo_district(data.string()); }
    fs::path scenario() const { return data / "scenario.toml"; }
};

const ServiceResults& service(const PlanResult& r, const std::string& id) {
    for (const ServiceResults& s : r.services)
        if (s.id == id) return s;
    FAIL("no service " << id);
    return r.services.front();
}

const VariantResults& variant(const ServiceResults& s, const std::string& id) {
    for (const VariantResults& v : s.variants)
        if (v.id == id) return v;
    FAIL("no variant " << id);
    return s.variants.front();
}

double covered(const VariantResults& v) { return v.result.overall[v.result.group].covered; }

std::string error_of(const fs::path& path) {
    try {
        read_scenario(path.string());
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

/** The demo's scenario without its suggestion (the slowest part, not needed everywhere). */
std::string without_suggestion(std::string text) {
    const std::size_t from = text.find("  [services.suggest]");
    const std::size_t to = text.find('\n', text.find("  candidate_capacity", from));
    return text.erase(from, to + 1 - from);
}

/** The demo's scenario (without its suggestion) with its road works and variants replaced by
    `tail`. */
fs::path demo_with(const Demo& demo, const std::string& name, const std::string& tail) {
    std::string text = without_suggestion(read_text(demo.scenario()));
    text = text.substr(0, text.find("[[edits]]"));
    const fs::path path = demo.data / name;
    write(path, text + tail);
    return path;
}

}  // namespace

TEST_CASE(
    "plan variants: road works and a new facility, every service for each, as independent runs "
    "find, and the summary",
    "[plan][variants]") {
    Demo demo;
    Heard heard;
    const Reporter rep = heard.reporter();
    const Scenario sc = read_scenario(demo.scenario().string());
    REQUIRE(sc.edits.size() == 1);
    REQUIRE(sc.variants.size() == 1);
    const PlanResult plan = run_plan(sc, {}, rep);

    // Today, then the two options, in every service, in the order the scenario gives them.
    REQUIRE(plan.variants.size() == 3);
    CHECK(plan.variants[0].id == "today");
    CHECK(plan.variants[1].id == "road_works");
    CHECK(plan.variants[2].id == "new_clinic");
    for (const ServiceResults& s : plan.services) {
        REQUIRE(s.variants.size() == 3);
        for (std::size_t v = 0; v < 3; ++v) CHECK(s.variants[v].id == plan.variants[v].id);
    }
    const ServiceResults& clinics = service(plan, "clinics");
    const ServiceResults& kg = service(plan, "kindergartens");
    const ServiceResults& meals = service(plan, "meal_points");

    // The footbridge, the plain [[edits]] (the variant "road_works"): the same road work as a
    // [[variants]] table gives the same figures.
    std::smatch line;
    const std::string scenario_text = read_text(demo.scenario());
    REQUIRE(std::regex_search(scenario_text, line, std::regex(R"(line = (\[\[.*\]\]))")));
    const fs::path as_variant =
        demo_with(demo, "as_variant.toml",
                  "[[variants]]\nid = \"footbridge\"\n  [[variants.edits]]\n  type = \"add_road\"\n"
                  "  label = \"new footbridge\"\n  class = \"footway\"\n  line = " +
                      line[1].str() + "\n");
    const Scenario other = read_scenario(as_variant.string());
    REQUIRE(other.edits.empty());
    REQUIRE(other.variants.size() == 1);
    const PlanResult alike = run_plan(other, {}, rep);
    REQUIRE(alike.variants.size() == 2);
    CHECK(alike.variants[1].id == "footbridge");
    for (const std::string id : {"clinics", "kindergartens", "meal_points"})
        CHECK(covered(variant(service(alike, id), "footbridge")) ==
              covered(variant(service(plan, id), "road_works")));
    CHECK(covered(variant(clinics, "road_works")) > covered(variant(clinics, "today")));

    // The new health station: only the clinics change; with it they cover what coverage finds
    // with the station written into the clinics file.
    CHECK(covered(variant(kg, "new_clinic")) == covered(variant(kg, "today")));
    CHECK(covered(variant(meals, "new_clinic")) == covered(variant(meals, "today")));
    CHECK(covered(variant(clinics, "new_clinic")) > covered(variant(clinics, "road_works")));
    REQUIRE(variant(clinics, "new_clinic").notes.size() == 1);
    CHECK_THAT(variant(clinics, "new_clinic").notes[0], Contains("新华社区卫生服务站"));
    {
        std::string clinics_file = read_text(demo.data / "clinics.geojson");
        const std::string scenario = read_text(demo.scenario());
        std::smatch m;
        REQUIRE(std::regex_search(scenario, m, std::regex(R"(lon = ([0-9.]+), lat = ([0-9.]+))")));
        clinics_file.insert(
            clinics_file.rfind("]}"),
            ",{\"type\":\"Feature\",\"properties\":{\"id\":\"K4\",\"name\":\"新华社区卫生服务站\"},"
            "\"geometry\":{\"type\":\"Point\",\"coordinates\":[" +
                m[1].str() + "," + m[2].str() + "]}}\n");
        write(demo.data / "clinics4.geojson", clinics_file);
        AreaSpec spec{sc.network, sc.demand, sc.districts, 0};
        const auto area = load_area(spec, clinics.standard.profile(), rep);
        ServiceOptions o;
        o.standard = clinics.standard;
        o.facilities.path = (demo.data / "clinics4.geojson").string();
        o.group = "pop_total";
        const ServiceResult independent = run_service(*area, o, rep);
        CHECK(independent.overall[0].covered == covered(variant(clinics, "new_clinic")));
        for (std::size_t d = 0; d < independent.districts.size(); ++d)
            CHECK(independent.districts[d].groups[0].covered ==
                  variant(clinics, "new_clinic").result.districts[d].groups[0].covered);
    }

    // Group labels from [groups]; the kindergartens' standard as it ran, with what was overridden.
    CHECK(clinics.group_label == "全部居民 all residents");
    CHECK(kg.group_label == "3–6岁儿童 children 3–6");
    CHECK(kg.standard.catalogue_limits == "5 min and 300 m walk (4.0 km/h)");
    CHECK(kg.standard.describe() == "10 min and 500 m walk (4.0 km/h)");
    CHECK(kg.standard.overrides == std::vector<std::string>{"minutes 5 → 10", "metres 300 → 500"});
    CHECK(kg.standard.advisory);
    // Targets: the catalogue's observed 90 % for the medical circle, the scenario's own for the
    // kindergartens, none for the meal points.
    REQUIRE(clinics.standard.target_share);
    CHECK(*clinics.standard.target_share == 0.9);
    CHECK(clinics.standard.target_nature == "observed");
    REQUIRE(kg.standard.target_share);
    CHECK(kg.standard.target_nature == "scenario");
    CHECK_THAT(kg.standard.target_source, Contains("清河街道"));
    CHECK(!meals.standard.target_share);

    // The road work in words: its length and the roads it joins, by name.
    REQUIRE(plan.variants[1].road_works.size() == 1);
    const RoadWork& w = plan.variants[1].road_works[0];
    CHECK(w.length_m == Catch::Detail::Approx(200).margin(1));
    REQUIRE(w.joins.size() == 2);
    CHECK_THAT(w.joins[0], Contains("和平路"));
    CHECK_THAT(w.joins[1], Contains("滨河南路"));
    CHECK(std::regex_search(
        w.zh, std::regex("新建人行道，长 (199|200) 米，连接 .*和平路.* 与 .*滨河南路")));
    CHECK(std::regex_search(
        w.en, std::regex("a new footway of (199|200) m joining .*和平路.* and .*滨河南路")));
    CHECK(w.en.find("source id") == std::string::npos);

    // Suggested sites named by their nearest road, with what they add; today with them beside.
    REQUIRE(kg.suggestion);
    REQUIRE(kg.with_sites);
    CHECK(kg.with_sites->id == "with_sites");
    for (const maps::SiteRow& row : kg.suggestion->rows) {
        CHECK(std::regex_search(row.name, std::regex("^新址[0-9]+：.+(旁| 米)(（近.+）)?$")));
        CHECK(row.added_weight > 0);
    }
    CHECK(covered(*kg.with_sites) > covered(variant(kg, "today")));

    // Water from the OSM file: the river 清河, named.
    REQUIRE(plan.water.features.size() == 1);
    CHECK(std::get<std::string>(plan.water.features[0].values[0]) == "清河");

    // The summary says the same.
    const nlohmann::ordered_json j = plan_summary(plan, sc);
    CHECK(j["language"] == "zh");
    CHECK(j["group_labels"]["pop_3_6"] == "3–6岁儿童 children 3–6");
    REQUIRE(j["variants"].size() == 3);
    CHECK(j["variants"][1]["road_works"][0]["joins"][0].get<std::string>().find("和平路") !=
          std::string::npos);
    CHECK(j["variants"][2]["facility_changes"][0].get<std::string>().find("+1") !=
          std::string::npos);
    const auto& jc = j["services"][0];
    CHECK(jc["target"]["share"] == 0.9);
    CHECK(jc["target"]["nature"] == "observed");
    CHECK(jc["variants"][0]["verdict"] == "not met");
    CHECK(jc["variants"][2]["verdict"] == "met");  // the new health station reaches 90 %
    const auto& jk = j["services"][1];
    CHECK(jk["standard_overrides"].size() == 2);
    CHECK(jk["suggest"]["after"]["id"] == "with_sites");
    CHECK(jk["suggest"]["sites"][0]["name"].get<std::string>().rfind("新址1：", 0) == 0);
    CHECK(j["services"][2]["target"].is_null());
    CHECK(j["services"][2]["variants"][0]["verdict"].is_null());

    // Progress: the plan counts its evaluations to the end.
    REQUIRE(heard.last.count("plan"));
    CHECK(heard.last["plan"].first == heard.last["plan"].second);
    CHECK(heard.calls["plan"] >= 1 + 3 * 3);
    CHECK(heard.calls["site search"] >= 3);
}

TEST_CASE("plan: a service without facilities is 0% with a note, in every variant",
          "[plan][variants]") {
    Demo demo;
    Heard heard;
    write(demo.data / "none.geojson", "{\"type\":\"FeatureCollection\",\"features\":[]}\n");
    std::string text = read_text(demo.scenario());
    text = without_suggestion(std::regex_replace(
        text, std::regex("facilities = \"meal_points.geojson\""), "facilities = \"none.geojson\""));
    write(demo.data / "none.toml", text);
    const PlanResult plan =
        run_plan(read_scenario((demo.data / "none.toml").string()), {}, heard.reporter());
    const ServiceResults& meals = service(plan, "meal_points");
    for (const VariantResults& v : meals.variants) CHECK(covered(v) == 0);
    REQUIRE(meals.notes.size() == 1);
    CHECK_THAT(meals.notes[0], Contains("0%"));
    // Warned once, not once per variant.
    CHECK(heard.warned("the layer has no facilities") == 1);
}

TEST_CASE("plan: a variant's facility changes are checked against the service",
          "[plan][variants]") {
    Demo demo;
    const Reporter quiet;
    const auto run = [&](const std::string& name, const std::string& tail) -> std::string {
        try {
            run_plan(read_scenario(demo_with(demo, name, tail).string()), {}, quiet);
        } catch (const InputError& e) {
            return e.what();
        }
        return "(no error)";
    };
    CHECK_THAT(run("close.toml",
                   "[[variants]]\nid = \"x\"\n  [[variants.facilities]]\n  service = \"clinics\"\n "
                   " close = [\"K9\"]\n"),
               Contains("variant 'x' (service 'clinics') closes 'K9', which is not one of the "
                        "service's facilities (K1, K2, K3)") &&
                   Contains("line "));
    CHECK_THAT(run("same.toml",
                   "[[variants]]\nid = \"x\"\n  [[variants.facilities]]\n  service = \"clinics\"\n"
                   "  add = [{ id = \"K1\", lon = 116.31, lat = 39.975 }]\n"),
               Contains("adds a facility with id 'K1', which the service already has"));
    CHECK_THAT(
        run("seats.toml",
            "[[variants]]\nid = \"x\"\n  [[variants.facilities]]\n  service = \"kindergartens\"\n"
            "  add = [{ id = \"Y9\", lon = 116.31, lat = 39.975 }]\n"),
        Contains(
            "adds 'Y9' without a capacity; the service counts seats (capacity_field 'seats')"));
    // Closing every clinic: 0 %, not an abort.
    CHECK(run("all.toml",
              "[[variants]]\nid = \"x\"\n  [[variants.facilities]]\n  service = \"clinics\"\n"
              "  close = [\"K1\", \"K2\", \"K3\"]\n") == "(no error)");
}

TEST_CASE("scenario: [[variants]], [groups], [report] and a target's source, with their errors",
          "[plan][scenario]") {
    Demo demo;
    const auto bad = [&](const std::string& name, const std::string& tail) {
        return error_of(demo_with(demo, name, tail));
    };
    CHECK_THAT(bad("v1.toml", "[[variants]]\nid = \"Bad Id\"\n"),
               Contains("variant id 'Bad Id' must use a-z, 0-9 and _ only"));
    CHECK_THAT(bad("v2.toml", "[[variants]]\nid = \"a\"\ntitle = \"A\"\n"),
               Contains("variant 'a' changes nothing"));
    CHECK_THAT(bad("v3.toml",
                   "[[variants]]\nid = \"today\"\n  [[variants.facilities]]\n  service = "
                   "\"clinics\"\n  close = [\"K1\"]\n"),
               Contains("variant id 'today' is used twice"));
    CHECK_THAT(bad("v4.toml",
                   "[[variants]]\nid = \"a\"\n  [[variants.facilities]]\n  service = \"schools\"\n "
                   " close = [\"K1\"]\n"),
               Contains("service 'schools' in variant 'a' is not a service of the scenario"));
    CHECK_THAT(bad("v5.toml",
                   "[[variants]]\nid = \"a\"\n  [[variants.facilities]]\n  service = \"clinics\"\n "
                   " add = [{ id = \"N\" }]\n"),
               Contains("needs 'lon' and 'lat'"));
    CHECK_THAT(bad("v6.toml", "[[variants]]\nid = \"a\"\ncolour = 1\n"),
               Contains("unknown key 'colour' in variant 'a'"));
    CHECK_THAT(
        bad("v7.toml", "[[variants]]\nid = \"a\"\n  [[variants.edits]]\n  type = \"widen\"\n"),
        Contains("edit type 'widen' must be add_road, change or close"));

    std::string text = read_text(demo.scenario());
    const auto with = [&](const std::string& name, const std::string& from, const std::string& to) {
        const fs::path path = demo.data / name;
        std::string t = text;
        t.replace(t.find(from), from.size(), to);
        write(path, t);
        return error_of(path);
    };
    CHECK_THAT(with("r1.toml", "language = \"zh\"", "language = \"fr\""),
               Contains("key 'language' in [report] must be \"zh\""));
    CHECK_THAT(with("r2.toml", "pop_3_6 = \"3–6岁儿童 children 3–6\"", "pop_3_6 = 36"),
               Contains("the label of group 'pop_3_6' in [groups] must be a string"));
    CHECK_THAT(with("t1.toml", "target_source = \"清河街道", "# target_source = \""),
               Contains("target_share needs target_source"));
    CHECK_THAT(
        with("t2.toml", "target_share = 0.8 ", "target_nature = \"law\"\ntarget_share = 0.8 "),
        Contains("key 'target_nature' in service 'kindergartens' must be \"scenario\""));
    // A label for a group the demand does not have is named with its line when the plan runs.
    {
        const fs::path path = demo.data / "g.toml";
        std::string t = text;
        const std::string from = "pop_total = \"全部";
        t.replace(t.find(from), from.size(), "pop_all = \"全部");
        write(path, t);
        try {
            run_plan(read_scenario(path.string()), {}, Reporter());
            FAIL("no error");
        } catch (const InputError& e) {
            CHECK_THAT(e.what(), Contains("[groups] labels 'pop_all', which is not one of the "
                                          "demand's groups (pop_total, "
                                          "pop_3_6, pop_60plus)"));
        }
    }
    // A variant's files are inputs, never written.
    const fs::path add = demo.data / "more.geojson";
    write(add, "{\"type\":\"FeatureCollection\",\"features\":[]}\n");
    const fs::path path =
        demo_with(demo, "f.toml",
                  "[[variants]]\nid = \"a\"\n  [[variants.facilities]]\n  service = \"clinics\"\n"
                  "  add_file = \"more.geojson\"\n");
    const Scenario sc = read_scenario(path.string());
    const auto inputs = sc.inputs();
    CHECK(std::find(inputs.begin(), inputs.end(), add.lexically_normal().string()) != inputs.end());
}
