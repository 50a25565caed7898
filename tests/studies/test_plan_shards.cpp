// A scenario's plan in shards (studies/plan_shards.hpp) against the whole plan: Porto Alegre's
// hexagon grid in districts with two services (clinics with seats and two capacitated suggested
// sites; schools with three suggested sites among candidates) and a variant that closes a clinic and adds two; planned, every shard
// run, merged, and written: every file of the plan folder (report, GeoPackage, summary, tables,
// QGIS project) byte for byte the whole plan's.
// And what a plan in shards refuses, by its message.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "../temp_dir.hpp"
#include "porto_alegre.hpp"
#include "core/error.hpp"
#include "studies/plan_folder.hpp"
#include "studies/plan_shards.hpp"

using namespace lifecircle;
using namespace lifecircle::studies;
namespace fs = std::filesystem;

namespace {

const std::string data_dir = LIFECIRCLE_SHARED_DATA;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/** The scenario and its files in `dir`. */
std::string write_scenario(const fs::path& dir, const std::string& extra = "") {
    const std::vector<test::Hexagon> hexagons = test::porto_alegre_hexagons(data_dir);
    std::string facilities = "id,name,lon,lat,capacity\n", candidates = "id,lon,lat\n", first_clinic;
    for (std::size_t k = 0; k < hexagons.size(); ++k) {
        const std::vector<std::string>& f = hexagons[k].cells;
        if (hexagons[k].healthcare() > 0) {
            facilities += "h" + f[0] + ",clinic " + f[0] + "," + f[1] + "," + f[2] + "," +
                          std::to_string(hexagons[k].healthcare() * 1500) + "\n";
            if (first_clinic.empty()) first_clinic = "h" + f[0];
        }
        if (k % 11 == 0) candidates += "c" + f[0] + "," + f[1] + "," + f[2] + "\n";
    }
    std::ofstream(dir / "districts.geojson") << test::district_grid(hexagons, 3);
    std::ofstream(dir / "clinics.csv") << facilities;
    std::ofstream(dir / "candidates.csv") << candidates;
    std::ofstream(dir / "plan.toml")
        << "title = \"Porto Alegre in shards\"\n"
           "[network]\nfile = \"" << data_dir << "/osm/porto_alegre.osm.pbf\"\n"
           "[demand]\nfile = \"" << data_dir << "/osm/porto_alegre_hexgrid.csv\"\n"
           "weight_fields = [\"population\", \"schools\"]\n"
           "[districts]\nfile = \"districts.geojson\"\nname_field = \"name\"\n"
           "[gaps]\nhex_m = 500\n[report]\nlanguage = \"en\"\n"
           "[[services]]\nid = \"clinics\"\nfacilities = \"clinics.csv\"\ncapacity_field = \"capacity\"\n"
           "minutes = 15\ndemand_group = \"population\"\n"
           "  [services.suggest]\n  candidates = \"candidates.csv\"\n  count = 2\n  capacitated = true\n"
           "  candidate_capacity = 3000\n"
           "[[services]]\nid = \"schools\"\nfacilities = \"clinics.csv\"\nminutes = 10\ndemand_group = \"schools\"\n"
           "  [services.suggest]\n  candidates = \"candidates.csv\"\n  count = 3\n"
           "[[variants]]\nid = \"more_clinics\"\ntitle = \"two clinics more, one less\"\n"
           "  [[variants.facilities]]\n  service = \"clinics\"\n  close = [\"" << first_clinic << "\"]\n"
           "  add = [{ id = \"N1\", name = \"new clinic 1\", lon = -51.20, lat = -30.05, capacity = 4000 },\n"
           "         { id = \"N2\", name = \"new clinic 2\", lon = -51.17, lat = -30.10, capacity = 2500 }]\n"
        << extra;
    return (dir / "plan.toml").string();
}

}  // namespace

TEST_CASE("plan in shards: every file the whole plan's, byte for byte", "[shard][plan]") {
    if (!fs::exists(data_dir + "/osm/porto_alegre.osm.pbf")) {
        WARN("skipped: " << data_dir << "/osm/porto_alegre* is missing");
        return;
    }
    test::TempDir dir("plan_shards");
    const std::string scenario = write_scenario(dir.path());
    const Reporter rep;
    const Scenario sc = read_scenario(scenario);
    const PlanResult whole = plan_into_folder(sc, {(dir.path() / "whole").string(), false, {}}, {}, {}, rep);

    const std::vector<PlanStudy> studies = plan_studies(sc);
    REQUIRE(studies.size() == 3);  // clinics today and in the variant, schools today with its sites
    CHECK(studies[0].sites.has_value());
    CHECK(studies[1].variant == 1);
    CHECK(studies[2].sites.has_value());


    for (const auto& [n, by] : {std::pair{std::size_t{3}, ShardBy::tiles}, std::pair{std::size_t{5}, ShardBy::tiles},
                                std::pair{std::size_t{4}, ShardBy::districts}}) {
        const fs::path out = dir.path() / ("sharded" + std::to_string(n)), run = dir.path() / ("run" + std::to_string(n));
        PlanShardJob job;
        job.scenario_path = scenario;
        job.out = out.string();
        job.args = {scenario, "--out", out.string()};
        PlanResult merged;
        const ShardedStudy study = sharded_study(job, [&merged](const PlanResult& r) { merged = r; });
        const ShardPlan plan = plan_sharded(study, {run.string(), n, by, false, {}}, rep);
        CHECK(plan.shards.size() == n);
        for (std::size_t i = 0; i < n; ++i) run_sharded_shard(study, fs::absolute(run).string(), i, n, rep);
        study.merge(fs::absolute(run).string(), rep);
        REQUIRE(merged.services.size() == 2);
        REQUIRE(merged.services[1].suggestion.has_value());
        CHECK(merged.services[1].suggestion->suggestion.selected == whole.services[1].suggestion->suggestion.selected);

        std::size_t files = 0, differ = 0;
        for (const auto& e : fs::directory_iterator(dir.path() / "whole")) {
            if (!e.is_regular_file()) continue;
            ++files;
            const fs::path other = out / e.path().filename();
            if (!fs::exists(other) || slurp(e.path()) != slurp(other)) {
                ++differ;
                WARN(n << " shards: " << e.path().filename().string() << " differs from the whole plan's");
            }
        }
        CHECK(files >= 5);
        CHECK(differ == 0);
    }
}

TEST_CASE("plan in shards: what it refuses says why", "[shard][plan]") {
    if (!fs::exists(data_dir + "/osm/porto_alegre.osm.pbf")) return;
    test::TempDir dir("plan_shards_no");
    SECTION("road works") {
        const Scenario sc = read_scenario(write_scenario(
            dir.path(), "[[edits]]\ntype = \"add_road\"\nline = [[-51.20, -30.05], [-51.20, -30.051]]\nclass = \"footway\"\n"));
        CHECK_THROWS_WITH(plan_studies(sc), Catch::Contains("takes no road works"));
    }
    SECTION("auto candidates") {
        const Scenario sc = read_scenario(write_scenario(
            dir.path(), "[[services]]\nid = \"sites\"\nfacilities = \"clinics.csv\"\nminutes = 15\n"
                        "demand_group = \"population\"\n  [services.suggest]\n  candidates = \"auto\"\n"
                        "  count = 3\n"));
        CHECK_THROWS_WITH(plan_studies(sc), Catch::Contains("needs a candidate layer"));
    }
    SECTION("services of two travel profiles") {
        const Scenario sc = read_scenario(write_scenario(
            dir.path(), "[[services]]\nid = \"slow\"\nfacilities = \"clinics.csv\"\nminutes = 15\nwalk_speed_kmh = 3.2\n"
                        "demand_group = \"population\"\n"));
        CHECK_THROWS_WITH(plan_studies(sc), Catch::Contains("needs one travel profile for every service"));
    }
}
