#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "io/osm_facilities.hpp"
#include "planners/standards.hpp"
#include "tests/temp_dir.hpp"

using namespace lifecircle;
using Catch::Matchers::Contains;

namespace {

// A minimal valid entry; tests splice one bad line into it.
std::string entry(const std::string& extra = "", const std::string& name = "my-clinic") {
    return "[[standard]]\n"  // line 1
           "name = \"" +
           name +
           "\"\n"                               // line 2
           "title_en = \"Clinic in 10 min\"\n"  // line 3
           "kinds = [\"clinic\"]\n"             // line 4
           "demand = \"everyone\"\n"            // line 5
           "mode = \"walk\"\n"                  // line 6
           "minutes = 10\n"                     // line 7
           "verified = false\n"                 // line 8
           + extra +                            // line 9 when given
           "[standard.source]\n"
           "document = \"Local plan\"\n"
           "section = \"2.1\"\n"
           "year = 2024\n"
           "short = \"plan 2.1\"\n"
           "quote = \"clinics within 10 minutes\"\n";
}

std::string parse_error(const std::string& text) {
    try {
        parse_standards(text, "user.toml");
    } catch (const InputError& e) {
        return e.what();
    }
    FAIL("no InputError for:\n" << text);
    return {};
}

}  // namespace

TEST_CASE("every built-in standard parses, has a source and a threshold", "[standards]") {
    const auto& all = builtin_standards();
    REQUIRE(all.size() >= 10);
    for (const ServiceStandard& s : all) {
        INFO(s.name);
        CHECK(!s.title_en.empty());
        CHECK(!s.source.document.empty());
        CHECK(!s.source.section.empty());
        CHECK(!s.source.short_name.empty());
        CHECK(!s.source.quote.empty());
        CHECK(s.source.year >= 1993);
        CHECK((s.minutes || s.metres));
        // An entry whose numbers were not all checked must say which in its note.
        if (!s.verified) CHECK_THAT(s.note, Contains("nverified"));
    }
}

TEST_CASE("the catalogue holds the standards coverage relies on", "[standards]") {
    const ServiceStandard& med = find_standard("medical-15min");
    CHECK(med.minutes == 15.0);
    CHECK(med.target_share == 0.9);
    CHECK(med.demand == DemandGroup::everyone);
    const ServiceStandard& kg = find_standard("kindergarten");
    CHECK(kg.demand == DemandGroup::children_3_6);
    CHECK(kg.metres == 300.0);
    CHECK(kg.minutes == 5.0);
    const ServiceStandard& lc15 = find_standard("gb50180-15min-life-circle");
    CHECK(lc15.metres_min == 800.0);
    CHECK(lc15.metres == 1000.0);
    CHECK(lc15.kinds.empty());
    CHECK(find_standard("gb50180-10min-life-circle").metres == 500.0);
    CHECK(find_standard("gb50180-5min-life-circle").metres == 300.0);
    CHECK(find_standard("community-health-centre").metres == 1000.0);
    CHECK(find_standard("nursery").demand == DemandGroup::children_0_3);
    CHECK(find_standard("elderly-day-care").demand == DemandGroup::age_60_plus);
    const ServiceStandard& meal = find_standard("elderly-meal-point");
    CHECK(meal.kinds == std::vector<std::string>{"meal-point"});
    CHECK(!meal.metres);  // national guidance gives no radius; the note says so
    CHECK_THAT(meal.note, Contains("no distance"));
    // Older walkers: their own speed on the flat, and slope from --elevation (issue 21).
    CHECK(meal.walk_speed_kmh == 3.2);
    CHECK(meal.slope == SlopeModel::tobler);
    CHECK_THAT(meal.note, Contains("modelling of older walkers, not numbers of the source"));
    // The others leave both to the profile.
    CHECK_FALSE(med.slope);
    CHECK_FALSE(med.walk_speed_kmh);
}

TEST_CASE("standard kinds are the facilities verb's kinds", "[standards]") {
    for (std::string_view k : standard_facility_kinds()) {
        INFO(k);
        const auto kind = io::parse_facility_kind(k);
        REQUIRE(kind);
        CHECK(io::facility_kind_name(*kind) == k);
    }
    for (auto k : {io::FacilityKind::hospital, io::FacilityKind::clinic,
                   io::FacilityKind::community_health, io::FacilityKind::kindergarten,
                   io::FacilityKind::meal_point, io::FacilityKind::elderly_care}) {
        const auto& known = standard_facility_kinds();
        CHECK(std::find(known.begin(), known.end(), io::facility_kind_name(k)) != known.end());
    }
}

TEST_CASE("find_standard lists the names when the name is unknown", "[standards]") {
    try {
        find_standard("kindergarden");
        FAIL("no UsageError");
    } catch (const UsageError& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Contains("unknown standard 'kindergarden'"));
        CHECK_THAT(what, Contains("kindergarten"));
        CHECK_THAT(what, Contains("medical-15min"));
    }
}

TEST_CASE("a user catalogue parses", "[standards]") {
    const auto list = parse_standards(entry("metres = 800\ntarget_share = 0.85\n"), "user.toml");
    REQUIRE(list.size() == 1);
    const ServiceStandard& s = list.front();
    CHECK(s.name == "my-clinic");
    CHECK(s.minutes == 10.0);
    CHECK(s.metres == 800.0);
    CHECK(s.target_share == 0.85);
    CHECK(s.mode == Mode::walk);
    CHECK(s.source.year == 2024);
    CHECK(s.source.short_name == "plan 2.1");
    CHECK(find_standard(list, "my-clinic").title_en == "Clinic in 10 min");
    CHECK_FALSE(s.slope);
}

TEST_CASE("a standard's own slope model", "[standards]") {
    CHECK(parse_standards(entry("slope = \"tobler\"\n"), "user.toml").front().slope == SlopeModel::tobler);
    CHECK(parse_standards(entry("slope = \"none\"\n"), "user.toml").front().slope == SlopeModel::none);
    CHECK_THAT(parse_error(entry("slope = \"steep\"\n")),
               Contains("user.toml: line 9: key 'slope' in standard 'my-clinic' must be \"tobler\"") &&
                   Contains("or \"none\" (flat)"));
    CHECK_THAT(parse_error(entry("slope = 1\n")), Contains("line 9: key 'slope'"));
    std::string text = entry("slope = \"tobler\"\n");
    text.replace(text.find("\"walk\""), 6, "\"bike\"");
    CHECK_THAT(parse_error(text),
               Contains("line 9: slope = \"tobler\" of standard 'my-clinic' is a walking model; its mode is bike"));
    // A flat-walking standard for a bike may say so.
    text = entry("slope = \"none\"\n");
    text.replace(text.find("\"walk\""), 6, "\"bike\"");
    CHECK(parse_standards(text, "user.toml").front().slope == SlopeModel::none);
}

TEST_CASE("parser errors name the file, line and key", "[standards]") {
    SECTION("unknown key") {
        const std::string what = parse_error(entry("radius = 300\n"));
        CHECK_THAT(what,
                   Contains("user.toml: line 9: unknown key 'radius' in standard 'my-clinic'"));
    }
    SECTION("wrong type") {
        CHECK_THAT(parse_error(entry("metres = \"300\"\n")),
                   Contains("line 9: key 'metres' in standard 'my-clinic' must be a number"));
        CHECK_THAT(parse_error(entry("note = 3\n")),
                   Contains("line 9: key 'note' in standard 'my-clinic' must be a string"));
    }
    SECTION("bad values") {
        CHECK_THAT(parse_error(entry("target_share = 90\n")),
                   Contains("line 9: key 'target_share'"));
        CHECK_THAT(
            parse_error(entry("metres = -5\n")),
            Contains("line 9: key 'metres' in standard 'my-clinic' must be a positive number"));
        CHECK_THAT(parse_error(entry("", "My Clinic")),
                   Contains("line 2: name 'My Clinic' must be kebab-case"));
    }
    SECTION("unknown kind, demand and mode") {
        std::string text = entry();
        text.replace(text.find("[\"clinic\"]"), 10, "[\"pharmacy\"]");
        CHECK_THAT(
            parse_error(text),
            Contains("line 4: key 'kinds' in standard 'my-clinic' lists an unknown facility kind"));
        text = entry();
        text.replace(text.find("\"everyone\""), 10, "\"adults\"");
        CHECK_THAT(parse_error(text), Contains("line 5: key 'demand'"));
        text = entry();
        text.replace(text.find("\"walk\""), 6, "\"fly\"");
        CHECK_THAT(
            parse_error(text),
            Contains("line 6: key 'mode' in standard 'my-clinic' must be walk, bike or drive"));
    }
    SECTION("missing keys") {
        std::string text = entry();
        text.erase(text.find("minutes = 10\n"), 13);
        CHECK_THAT(parse_error(text),
                   Contains("line 1: standard 'my-clinic' needs minutes or metres"));
        text = entry();
        text.erase(text.find("year = 2024\n"), 12);
        CHECK_THAT(parse_error(text), Contains("lacks the required key 'year'"));
        text = entry();
        text.erase(text.find("title_en"), text.find("kinds") - text.find("title_en"));
        CHECK_THAT(parse_error(text),
                   Contains("line 1: standard 'my-clinic' lacks the required key 'title_en'"));
    }
    SECTION("unknown source key") {
        CHECK_THAT(parse_error(entry() + "page = 12\n"),
                   Contains("line 15: unknown key 'source.page'"));
    }
    SECTION("syntax error, stray table, repeated name, empty file") {
        CHECK_THAT(parse_error(entry("minutes = = 3\n")),
                   Contains("user.toml: line 9: not valid TOML"));
        CHECK_THAT(parse_error("[standards]\nname = \"x\"\n"),
                   Contains("line 1: unknown top-level key 'standards'"));
        CHECK_THAT(parse_error(entry() + entry()),
                   Contains("line 15: standard name 'my-clinic' is already used earlier"));
        CHECK_THAT(parse_error("# nothing\n"), Contains("no [[standard]] tables"));
    }
}

TEST_CASE("a standards file adds to the built-in catalogue", "[standards]") {
    test::TempDir dir("standards");
    const std::string path = (dir.path() / "mine.toml").string();
    std::ofstream(path) << entry();
    const auto all = standards_catalogue(path);
    CHECK(all.size() == builtin_standards().size() + 1);
    CHECK(find_standard(all, "my-clinic").source.document == "Local plan");

    std::ofstream(path) << entry("", "kindergarten");
    CHECK_THROWS_WITH(
        standards_catalogue(path),
        Contains("mine.toml: line 1: standard name 'kindergarten' is already used by a built-in"));
    CHECK_THROWS_WITH(read_standards_file((dir.path() / "none.toml").string()),
                      Contains("none.toml: cannot open the standards file"));
}
