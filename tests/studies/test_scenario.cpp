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
