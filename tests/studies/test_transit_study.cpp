// Public transport in the studies: coverage by timetable equals the router's own reduction
// computed here with core/ alone; walking all the way is one of a journey's options, so everyone
// a walk covers a transit study covers too; a resident's time to the nearest facility is never
// above the pair times of the matrix; seats are assigned over the same pairs.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../temp_dir.hpp"
#include "core/transit_router.hpp"
#include "io/gtfs.hpp"
#include "studies/plan.hpp"
#include "studies/plan_folder.hpp"
#include "studies/scenario.hpp"
#include "studies/service.hpp"
#include "studies/transit.hpp"
#include "studies/travel.hpp"

using namespace lifecircle;
using namespace lifecircle::studies;
namespace fs = std::filesystem;

namespace {

const std::string data_dir = LIFECIRCLE_SHARED_DATA;

struct PortoAlegre {
    test::TempDir dir{"transit_study"};
    std::string network = data_dir + "/osm/porto_alegre.osm.pbf";
    std::string bus = data_dir + "/transit/porto_alegre_eptc_gtfs.zip";
    std::string metro = data_dir + "/transit/porto_alegre_trensurb_gtfs.zip";
    std::string homes, health;
    bool present = fs::exists(network) && fs::exists(bus) && fs::exists(metro);

    /** 300 hexagons as residents and the hexagons with healthcare as clinics (20 seats each). */
    PortoAlegre() {
        if (!present) return;
        std::ifstream in(data_dir + "/osm/porto_alegre_hexgrid.csv");
        std::string line;
        std::getline(in, line);
        homes = (dir.path() / "homes.csv").string();
        health = (dir.path() / "health.csv").string();
        std::ofstream h(homes), c(health);
        h << "id,lon,lat,population\n";
        c << "id,lon,lat,seats\n";
        for (int k = 0; std::getline(in, line); ++k) {
            std::vector<std::string> cell;
            std::size_t at = 0;
            while (at <= line.size()) {
                const std::size_t end = std::min(line.find(',', at), line.size());
                cell.push_back(line.substr(at, end - at));
                at = end + 1;
            }
            cell.resize(7);
            if (k % 4 == 0) h << cell[0] << "," << cell[1] << "," << cell[2] << "," << (cell[3].empty() ? "0" : cell[3]) << "\n";
            if (!cell[6].empty() && std::stod(cell[6]) > 0) c << cell[0] << "," << cell[1] << "," << cell[2] << ",20\n";
        }
    }
};

}  // namespace

TEST_CASE("transit coverage: the study's figures are the router's, and cover every walk", "[studies][transit]") {
    PortoAlegre pa;
    if (!pa.present) {
        WARN("skipped: the Porto Alegre data is missing under " << data_dir);
        return;
    }
    const Reporter rep;
    AreaSpec spec;
    spec.network.path = pa.network;
    spec.demand.path = pa.homes;
    spec.demand.read.weight_fields = {"population"};
    StandardChoice choice;
    choice.minutes = 15.0;
    const StudyStandard walk = resolve_standard(choice);
    const auto area = load_area(spec, walk.profile(), rep);
    TransitSpec ts;
    ts.gtfs = {pa.bus, pa.metro};
    ts.departure = "2019-05-13T14:00";
    ts.window_minutes = 20;
    ts.percentiles = {25, 50, 75};
    StudyStandard by_transit = walk;
    by_transit.transit = load_transit(ts, area->net, *area->snapper, walk.max_seconds(), rep);
    REQUIRE(by_transit.transit->judged == 1);

    ServiceOptions o;
    o.standard = by_transit;
    o.facilities.path = pa.health;
    o.facilities.read.capacity_field = "seats";
    const ServiceResult t = run_service(*area, o, rep);
    o.standard = walk;
    const ServiceResult w = run_service(*area, o, rep);

    // The same reduction with core/ alone.
    const transit::TransitRouter router(area->net.graph, area->time(Direction::forward),
                                       by_transit.transit->schedule.timetable, by_transit.transit->stop_snaps,
                                       t.placed.snaps, by_transit.transit->router);
    transit::SummaryOptions so;
    so.percentiles = {25, 50, 75};
    so.limit = 900;
    so.rank_by = 1;
    const transit::TransitNearest n = transit::transit_nearest(router, area->demand_snaps, so);
    // A resident at a clinic's very place takes no time (the same-place rule of every verb).
    std::vector<char> at_clinic(area->demand_snaps.size(), 0);
    for (const Colocated& c : colocated_pairs(t.facilities.xy, t.placed.snaps, area->demand.xy, area->demand_snaps))
        at_clinic[c.target] = 1;
    std::size_t walk_only = 0, by_bus = 0;
    for (std::size_t i = 0; i < area->demand_snaps.size(); ++i) {
        INFO("resident " << i);
        const float median = at_clinic[i] ? 0.0f : n.at(i, 1);
        if (std::isfinite(median)) {
            CHECK(t.coverage.by_time.seconds[i] == Approx(median).margin(1e-3));
            CHECK(t.transit_percentiles[i * 3 + 1] == median);
        } else {
            CHECK(t.coverage.by_time.seconds[i] == unreachable);
        }
        if (at_clinic[i]) CHECK(t.facilities.ids[t.coverage.by_time.facility[i]] == area->demand.ids[area->demand.feature[i]]);
        CHECK(t.transit_percentiles[i * 3] <= t.transit_percentiles[i * 3 + 1]);
        CHECK(t.transit_percentiles[i * 3 + 1] <= t.transit_percentiles[i * 3 + 2]);
        CHECK(t.coverage.covered[i] == (median <= 900.0f ? 1 : 0));
        // Walking all the way is always allowed (up to the standard), so transit covers every walk.
        if (w.coverage.covered[i]) CHECK(t.coverage.covered[i] == 1);
        walk_only += w.coverage.covered[i];
        by_bus += t.coverage.covered[i] && !w.coverage.covered[i];
    }
    CHECK(walk_only > 0);
    CHECK(by_bus > 0);  // the buses do reach someone a walk does not
    // Seats: the assignment runs over the pairs within the standard by transit.
    REQUIRE(t.seats);
    CHECK(t.seats->assignment.totals.served_weight <= t.seats->assignment.totals.covered_weight + 1e-6);
    CHECK(t.seats->assignment.totals.covered_weight >= w.seats->assignment.totals.covered_weight - 1e-6);

    // The matrix of the same pairs: a resident's nearest (per departure, then the median) is
    // never slower than the median of any one facility.
    const auto loaded = load_network(spec.network, walk.profile(), rep, true);
    const LoadedNetwork& net = *loaded;
    MatrixOptions mo;
    mo.from.path = pa.homes;
    mo.to.path = pa.health;
    mo.transit = load_transit(ts, net.net, *net.snapper, walk.max_seconds(), rep);
    const MatrixResult m = run_matrix(net, mo, rep);
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < area->demand_snaps.size(); ++i)  // matrix rows are features, zero weights too
        for (const TimeEntry& e : m.table.row(area->demand.feature[i])) {
            CHECK(t.coverage.by_time.seconds[i] <= e.seconds + 1e-3);
            ++pairs;
        }
    CHECK(pairs > 0);
}

TEST_CASE("transit options are checked and what transit does not do is said", "[studies][transit]") {
    PortoAlegre pa;
    if (!pa.present) {
        WARN("skipped: the Porto Alegre data is missing under " << data_dir);
        return;
    }
    const Reporter rep;
    const auto loaded = load_network({pa.network, {}, {}, {}}, default_profile(Mode::walk), rep);
    const LoadedNetwork& net = *loaded;
    TransitSpec ts;
    ts.gtfs = {pa.metro};
    ts.departure = "2019-05-13";
    CHECK_THROWS_WITH(load_transit(ts, net.net, *net.snapper, 900, rep), Catch::Contains("--departure must be"));
    ts.departure = "2019-05-13T14:00";
    ts.percentiles = {50, 120};
    CHECK_THROWS_WITH(load_transit(ts, net.net, *net.snapper, 900, rep), Catch::Contains("(0, 100]"));
    ts.percentiles = {25, 75};
    CHECK_THROWS_WITH(load_transit(ts, net.net, *net.snapper, 900, rep), Catch::Contains("must be one of --percentiles"));
    ts.percentiles = {50};
    ts.departure = "2031-01-01T08:00";
    CHECK_THROWS_AS(load_transit(ts, net.net, *net.snapper, 900, rep), InputError);  // no service that day
}

TEST_CASE("plan: a service with mode = \"transit\" is the coverage study of the same standard", "[studies][transit][plan]") {
    PortoAlegre pa;
    if (!pa.present) {
        WARN("skipped: the Porto Alegre data is missing under " << data_dir);
        return;
    }
    const std::string scenario = (pa.dir.path() / "bus.toml").string();
    std::ofstream(scenario) << "title = \"Porto Alegre by bus\"\n[network]\nfile = \"" << pa.network
                            << "\"\n[demand]\nfile = \"homes.csv\"\nweight_fields = [\"population\"]\n"
                               "[[services]]\nid = \"walk\"\nfacilities = \"health.csv\"\nminutes = 15\n"
                               "[[services]]\nid = \"bus\"\nfacilities = \"health.csv\"\nminutes = 15\n"
                               "capacity_field = \"seats\"\nmode = \"transit\"\n"
                               "[[gtfs]]\nfile = \""
                            << pa.bus << "\"\n[[gtfs]]\nfile = \"" << pa.metro
                            << "\"\n[transit]\ndeparture = \"2019-05-13T14:00\"\nwindow_minutes = 20\n"
                               "percentiles = [25, 50, 75]\n";
    const Scenario sc = read_scenario(scenario);
    REQUIRE(sc.services[1].transit);
    CHECK(sc.transit.gtfs.size() == 2);
    const auto inputs = sc.inputs();
    CHECK(std::find(inputs.begin(), inputs.end(), fs::path(pa.bus).lexically_normal().string()) != inputs.end());  // never written over
    const Reporter rep;
    const std::string out = (pa.dir.path() / "plan").string();
    const PlanResult plan = plan_into_folder(sc, PlanFolder{out, false, {}}, {}, {}, rep);
    REQUIRE(plan.services.size() == 2);
    // The report says what was ridden: the mode, the walking speed to the stops and the timetable.
    std::ifstream in(out + "/report.html");
    const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(html.find("15 min by public transport (walking at 4.0 km/h)") != std::string::npos);
    CHECK(html.find("2019-05-13 14:00 起每分钟出发一次，共 20 次") != std::string::npos);
    CHECK(html.find("2 GTFS feed(s) (porto_alegre_eptc_gtfs.zip, porto_alegre_trensurb_gtfs.zip)") != std::string::npos);
    CHECK(html.find("covered judged on percentile 50 of the travel times (percentiles 25, 50, 75 reported)") !=
          std::string::npos);
    const ServiceResult& in_plan = plan.services[1].variants.front().result;
    REQUIRE(plan.services[1].standard.transit);
    CHECK(plan.services[1].standard.mode_label() == "transit");
    CHECK(plan.services[0].standard.mode_label() == "walk");

    // The same study as `coverage --mode transit` builds it.
    AreaSpec spec;
    spec.network.path = pa.network;
    spec.demand.path = pa.homes;
    spec.demand.read.weight_fields = {"population"};
    StandardChoice choice;
    choice.minutes = 15.0;
    StudyStandard st = resolve_standard(choice);
    const auto area = load_area(spec, st.profile(), rep);
    TransitSpec ts;
    ts.gtfs = {pa.bus, pa.metro};
    ts.departure = "2019-05-13T14:00";
    ts.window_minutes = 20;
    ts.percentiles = {25, 50, 75};
    st.transit = load_transit(ts, area->net, *area->snapper, st.max_seconds(), rep);
    ServiceOptions o;
    o.standard = st;
    o.facilities.path = pa.health;
    o.facilities.read.capacity_field = "seats";
    const ServiceResult alone = run_service(*area, o, rep);
    REQUIRE(alone.coverage.covered.size() == in_plan.coverage.covered.size());
    CHECK(alone.coverage.covered == in_plan.coverage.covered);
    CHECK(alone.coverage.by_time.seconds == in_plan.coverage.by_time.seconds);
    CHECK(alone.transit_percentiles == in_plan.transit_percentiles);
    CHECK(alone.overall[0].covered == in_plan.overall[0].covered);
    REQUIRE(in_plan.seats);
    CHECK(alone.seats->assignment.totals.served_weight == in_plan.seats->assignment.totals.served_weight);
    // And the walking service beside it is covered no more than the bus one.
    CHECK(plan.services[0].variants.front().result.overall[0].covered <= in_plan.overall[0].covered);
}
