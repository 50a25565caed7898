#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "studies/scenario.hpp"
#include "tests/temp_dir.hpp"

using Catch::Contains;
using namespace lifecircle;

namespace {

/** A scenario next to empty stand-in files (only their existence is read here). */
struct ScenarioDir {
    test::TempDir dir{"lifecircle_scenario"};
    ScenarioDir() {
        std::filesystem::create_directories(dir.path() / "data");
        for (const char* f : {"roads.osm.pbf", "homes.csv", "meals.csv", "data/dem.tif"})
            std::ofstream(dir.file(f)) << "";
    }
    std::string write(const std::string& network, const std::string& service = "",
                      const std::string& edit = "") {
        const std::string path = dir.file("plan.toml");
        std::ofstream(path)
            << "[network]\nfile = \"roads.osm.pbf\"\n"
            << network
            << "\n[demand]\nfile = \"homes.csv\"\nweight_fields = [\"pop_60plus\"]\n"
               "\n[[services]]\nid = \"meals\"\nfacilities = \"meals.csv\"\n"
               "standard = \"elderly-meal-point\"\ndemand_group = \"pop_60plus\"\n"
            << service << edit;
        return path;
    }
};

std::string error_of(const std::string& path) {
    try {
        studies::read_scenario(path);
    } catch (const InputError& e) {
        return e.what();
    }
    FAIL("no InputError for " << path);
    return {};
}

}  // namespace

TEST_CASE("scenario: [network] elevation, a service's slope and a bridge", "[scenario]") {
    ScenarioDir d;
    SECTION("read and resolved next to the scenario") {
        const studies::Scenario s =
            studies::read_scenario(d.write("elevation = \"data/dem.tif\"\n", "slope = \"none\"\n",
                                      "\n[[edits]]\ntype = \"add_road\"\nline = [[116.31, 39.97], "
                                      "[116.31, 39.98]]\nbridge = true\n"));
        CHECK(s.network.read.elevation == (d.dir.path() / "data" / "dem.tif").lexically_normal().string());
        REQUIRE(s.services.size() == 1);
        CHECK(s.services[0].slope == SlopeModel::none);
        REQUIRE(s.edits.size() == 1);
        CHECK(s.edits[0].bridge);
    }
    SECTION("left out") {
        const studies::Scenario s = studies::read_scenario(d.write(""));
        CHECK(s.network.read.elevation.empty());
        CHECK_FALSE(s.services[0].slope);
    }
    SECTION("a missing DEM") {
        const std::string path = d.write("elevation = \"data/nowhere.tif\"\n");
        CHECK_THAT(error_of(path),
                   Contains(path) &&
                       Contains("line 3: key 'elevation' in [network]: no such file") &&
                       Contains("nowhere.tif") && Contains("relative to the scenario file"));
    }
    SECTION("a bad slope") {
        const std::string path = d.write("", "slope = \"Tobler\"\n");
        CHECK_THAT(error_of(path), Contains("key 'slope' in service 'meals' must be \"tobler\""));
    }
}

TEST_CASE("scenario: public transport needs its timetables, and says so by line", "[scenario][transit]") {
    ScenarioDir d;
    std::ofstream(d.dir.file("bus.zip")) << "";
    const std::string bus = "minutes = 30\nmode = \"transit\"\n";
    const std::string feeds = "\n[[gtfs]]\nfile = \"bus.zip\"\n";
    SECTION("read: feeds resolved, the window and percentiles") {
        const studies::Scenario s = studies::read_scenario(
            d.write("", "", "\n[[services]]\nid = \"bus\"\nfacilities = \"meals.csv\"\n" + bus + feeds +
                                "[transit]\ndeparture = \"2026-05-13T07:00\"\nwindow_minutes = 30\n"
                                "percentiles = [50, 80]\npercentile = 80\nmax_rides = 2\n"));
        REQUIRE(s.services.size() == 2);
        CHECK_FALSE(s.services[0].transit);
        CHECK(s.services[1].transit);
        CHECK(*s.services[1].mode == "walk");  // to and from the stops
        REQUIRE(s.transit.gtfs.size() == 1);
        CHECK(s.transit.gtfs[0] == (d.dir.path() / "bus.zip").lexically_normal().string());
        CHECK(s.transit.window_minutes == 30);
        CHECK(s.transit.percentiles == std::vector<double>{50, 80});
        CHECK(s.transit.percentile == 80);
        CHECK(s.transit.max_rides == 2);
        const auto in = s.inputs();
        CHECK(std::find(in.begin(), in.end(), s.transit.gtfs[0]) != in.end());
    }
    SECTION("a transit service without feeds") {
        CHECK_THAT(error_of(d.write("", bus)), Contains("goes by public transport") && Contains("[[gtfs]]") &&
                                                   Contains("line 8: service 'meals'"));
    }
    SECTION("feeds without a transit service") {
        CHECK_THAT(error_of(d.write("", "", feeds + "[transit]\ndeparture = \"2026-05-13T07:00\"\n")),
                   Contains("no service has it"));
    }
    SECTION("a departure that is not a date and time") {
        CHECK_THAT(error_of(d.write("", bus, feeds + "[transit]\ndeparture = \"7:00\"\n")),
                   Contains("line 19") && Contains("YYYY-MM-DDTHH:MM"));
    }
    SECTION("the judged percentile must be reported") {
        CHECK_THAT(error_of(d.write("", bus, feeds + "[transit]\ndeparture = \"2026-05-13T07:00\"\npercentile = 90\n")),
                   Contains("must be one of 'percentiles'"));
    }
    SECTION("metres are for walking") {
        CHECK_THAT(error_of(d.write("", bus + "meters = 500\n", feeds)), Contains("its standard is minutes"));
    }
    SECTION("an unknown mode") {
        CHECK_THAT(error_of(d.write("", "mode = \"boat\"\n")), Contains("walk, bike, drive or transit"));
    }
}

TEST_CASE("scenario: a new road's join tolerance and dead ends", "[scenario]") {
    ScenarioDir d;
    const studies::Scenario s = studies::read_scenario(
        d.write("", "", "\n[[edits]]\ntype = \"add_road\"\nline = [[116.31, 39.97], [116.31, 39.98]]\n"
                        "join_tolerance_m = 20\nallow_dangling = true\n"));
    REQUIRE(s.edits.size() == 1);
    CHECK(s.edits[0].join_tolerance_m == 20);
    CHECK(s.edits[0].allow_dangling);
    CHECK_THAT(error_of(d.write("", "", "\n[[edits]]\ntype = \"add_road\"\nline = [[116.31, 39.97], [116.31, 39.98]]\n"
                                        "join_tolerance_m = -1\n")),
               Contains("join_tolerance_m"));
}

TEST_CASE("scenario: a misspelt key is named with the key meant", "[scenario]") {
    ScenarioDir d;
    const std::string path = d.write("", "minuts = 10\n");
    CHECK_THAT(error_of(path), Contains("unknown key 'minuts' in service 'meals'; did you mean 'minutes'?") &&
                                   Contains("known keys: "));
    // A key like none of them says only what there is.
    CHECK_THAT(error_of(d.write("colourful = 1\n")),
               Contains("unknown key 'colourful' in [network]; known keys: ") && !Contains("did you mean"));
}
