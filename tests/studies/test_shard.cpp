// Sharded service studies (studies/shard.hpp, studies/merge.hpp): every shard run through the
// library, its result through its bytes, the merge compared with the whole run exactly (per
// resident minutes, metres, facility, covered, served and access bit for bit; every figure, gap
// cell and layer value equal). Halo soundness on drawn networks (the nearest facility in another
// shard; a road that leaves the shard and comes back), Porto Alegre and Porto metro (4, 9
// and 16 tiles, and by districts) with capacities, slope, own cutoffs and metres, and every
// refusal with its message.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../temp_dir.hpp"
#include "porto_alegre.hpp"
#include "core/error.hpp"
#include "studies/merge.hpp"
#include "studies/network_parts.hpp"
#include "studies/service.hpp"
#include "studies/shard.hpp"
#include "studies/suggestion.hpp"

using namespace lifecircle;
using namespace lifecircle::studies;
using Catch::Detail::Approx;
namespace fs = std::filesystem;

namespace {

const std::string data_dir = LIFECIRCLE_SHARED_DATA;

void write(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

/** Metres east and north of (3 E, 0 N), the central meridian of UTM zone 31, as lon/lat. */
std::pair<double, double> lonlat(double x, double y) { return {3.0 + x / 111319.49, y / 110574.3}; }

/** OSM XML of ways drawn in metres (each a list of points; highway=residential). */
std::string osm_ways(const std::vector<std::vector<std::pair<double, double>>>& ways) {
    std::string nodes, body;
    long long id = 1;
    std::vector<std::pair<std::pair<double, double>, long long>> seen;
    const auto node = [&](std::pair<double, double> p) {
        for (const auto& [q, k] : seen)
            if (q == p) return k;
        const auto [lon, lat] = lonlat(p.first, p.second);
        char buf[160];
        std::snprintf(buf, sizeof buf, "  <node id=\"%lld\" lat=\"%.8f\" lon=\"%.8f\"/>\n", id, lat, lon);
        nodes += buf;
        seen.push_back({p, id});
        return id++;
    };
    long long way = 1;
    for (const auto& w : ways) {
        std::string refs;
        for (const auto& p : w) refs += "    <nd ref=\"" + std::to_string(node(p)) + "\"/>\n";
        body += "  <way id=\"" + std::to_string(way++) + "\">\n" + refs + "    <tag k=\"highway\" v=\"residential\"/>\n  </way>\n";
    }
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\">\n" + nodes + body + "</osm>\n";
}

/** A CSV of points drawn in metres: id,lon,lat and the extra columns given per row. */
std::string csv_points(const std::string& header, const std::vector<std::pair<double, double>>& xy,
                       const std::vector<std::string>& extra) {
    std::string out = "id,lon,lat" + header + "\n";
    for (std::size_t i = 0; i < xy.size(); ++i) {
        const auto [lon, lat] = lonlat(xy[i].first, xy[i].second);
        char buf[120];
        std::snprintf(buf, sizeof buf, "p%zu,%.8f,%.8f", i, lon, lat);
        out += buf + (i < extra.size() ? extra[i] : std::string()) + "\n";
    }
    return out;
}

StudyStandard walking(std::optional<double> minutes, std::optional<double> metres = {}) {
    StandardChoice c;
    c.minutes = minutes;
    c.metres = metres;
    return resolve_standard(c);
}

/** The whole run and the sharded one of the same study. */
struct Runs {
    test::TempDir dir{"shard_test"};
    std::unique_ptr<StudyArea> whole_area;
    ServiceResult whole;
    ShardPlan plan;
    std::vector<ShardResult> results;  ///< as read back from their bytes (before the merge)
    MergedStudy merged;
};

std::unique_ptr<Runs> run_both(const AreaSpec& spec, const ServiceOptions& o, std::size_t shards,
                               ShardBy by = ShardBy::tiles) {
    auto r = std::make_unique<Runs>();
    const Reporter rep;
    r->whole_area = load_area(spec, o.standard.profile(), rep);
    r->whole = run_service(*r->whole_area, o, rep);
    const std::string parts = (r->dir.path() / "network.parts").string();
    {
        std::ofstream out(parts, std::ios::binary);
        ShardOptions so;
        so.shards = shards;
        so.by = by;
        so.parts_cell_m = 500.0;
        r->plan = plan_shards(spec, o, so, {"test"}, fs::current_path().string(),
                              [&out](std::string_view b) { out.write(b.data(), static_cast<std::streamsize>(b.size())); },
                              rep);
    }
    std::vector<ShardResult> to_merge;
    for (std::size_t i = 0; i < shards; ++i) {
        const std::string bytes = shard_result_bytes(run_shard(r->plan, parts, i, spec, o, rep));
        r->results.push_back(shard_result_from_bytes(bytes, "shard"));
        to_merge.push_back(shard_result_from_bytes(bytes, "shard"));
    }
    r->merged = merge_shards(r->plan, std::move(to_merge), spec, o, rep);
    return r;
}

bool same_number(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

void check_figures(const planners::Figures& a, const planners::Figures& b) {
    CHECK(same_number(a.total, b.total));
    CHECK(same_number(a.covered, b.covered));
    CHECK(same_number(a.unreachable, b.unreachable));
    CHECK(same_number(a.unsnapped, b.unsnapped));
    CHECK(same_number(a.share, b.share));
    CHECK(same_number(a.mean_minutes, b.mean_minutes));
    CHECK(same_number(a.max_minutes, b.max_minutes));
    CHECK(same_number(a.gini_minutes, b.gini_minutes));
    CHECK(a.points == b.points);
}

void check_layer(const Layer& a, const Layer& b) {
    REQUIRE(a.fields.size() == b.fields.size());
    for (std::size_t k = 0; k < a.fields.size(); ++k) CHECK(a.fields[k].name == b.fields[k].name);
    REQUIRE(a.features.size() == b.features.size());
    std::size_t differ = 0;
    for (std::size_t i = 0; i < a.features.size(); ++i) {
        if (a.features[i].wkb != b.features[i].wkb) ++differ;
        for (std::size_t k = 0; k < a.features[i].values.size(); ++k) {
            const Value& x = a.features[i].values[k];
            const Value& y = b.features[i].values[k];
            const auto* dx = std::get_if<double>(&x);
            const auto* dy = std::get_if<double>(&y);
            if (dx && dy ? !same_number(*dx, *dy) : !(x == y)) ++differ;
        }
    }
    CHECK(differ == 0);
}

/** The merged study is the whole run, bit for bit. */
void check_identical(const Runs& r, const ServiceOptions& o) {
    const StudyArea& wa = *r.whole_area;
    const StudyArea& ma = *r.merged.area;
    const ServiceResult& w = r.whole;
    const ServiceResult& m = r.merged.result;
    REQUIRE(ma.demand.xy.size() == wa.demand.xy.size());
    CHECK(ma.demand.xy == wa.demand.xy);
    CHECK(ma.demand.feature == wa.demand.feature);
    CHECK(ma.demand.ids == wa.demand.ids);
    CHECK(ma.demand.weights == wa.demand.weights);
    CHECK(m.coverage.by_time.seconds == w.coverage.by_time.seconds);
    CHECK(m.coverage.by_time.facility == w.coverage.by_time.facility);
    CHECK(m.coverage.has_length == w.coverage.has_length);
    CHECK(m.coverage.by_length.seconds == w.coverage.by_length.seconds);
    CHECK(m.coverage.by_length.facility == w.coverage.by_length.facility);
    CHECK(m.coverage.status == w.coverage.status);
    CHECK(m.coverage.covered == w.coverage.covered);
    REQUIRE(m.overall.size() == w.overall.size());
    for (std::size_t g = 0; g < w.overall.size(); ++g) check_figures(m.overall[g], w.overall[g]);
    REQUIRE(m.districts.size() == w.districts.size());
    for (std::size_t d = 0; d < w.districts.size(); ++d) {
        CHECK(m.districts[d].name == w.districts[d].name);
        for (std::size_t g = 0; g < w.districts[d].groups.size(); ++g)
            check_figures(m.districts[d].groups[g], w.districts[d].groups[g]);
    }
    CHECK(m.district_served == w.district_served);
    REQUIRE(m.seats.has_value() == w.seats.has_value());
    if (w.seats) {
        CHECK(m.seats->pairs == w.seats->pairs);
        const planners::Assignment& a = m.seats->assignment;
        const planners::Assignment& b = w.seats->assignment;
        REQUIRE(a.demand.size() == b.demand.size());
        std::size_t differ = 0;
        for (std::size_t i = 0; i < a.demand.size(); ++i)
            differ += a.demand[i].served_weight != b.demand[i].served_weight ||
                      a.demand[i].assigned_facility != b.demand[i].assigned_facility ||
                      a.demand[i].covered_unserved_weight != b.demand[i].covered_unserved_weight;
        CHECK(differ == 0);
        CHECK(a.totals.served_weight == b.totals.served_weight);
        CHECK(a.totals.weighted_seconds == b.totals.weighted_seconds);
        CHECK(a.totals.components == b.totals.components);
        std::size_t access = 0;
        for (std::size_t i = 0; i < m.seats->access.size(); ++i)
            access += !same_number(m.seats->access[i], w.seats->access[i]);
        CHECK(access == 0);
        std::size_t ratio = 0;
        for (std::size_t j = 0; j < m.seats->ratio.size(); ++j) ratio += !same_number(m.seats->ratio[j], w.seats->ratio[j]);
        CHECK(ratio == 0);
    }
    REQUIRE(m.gaps.size() == w.gaps.size());
    for (std::size_t k = 0; k < w.gaps.size(); ++k) {
        CHECK(m.gaps[k].cell.q == w.gaps[k].cell.q);
        CHECK(m.gaps[k].cell.r == w.gaps[k].cell.r);
        CHECK(m.gaps[k].uncovered == w.gaps[k].uncovered);
        CHECK(m.gaps[k].unserved == w.gaps[k].unserved);
        CHECK(same_number(m.gaps[k].mean_minutes, w.gaps[k].mean_minutes));
    }
    CHECK(m.placed.placed == w.placed.placed);
    const ServiceLayers lm = service_layers(ma, o, m);
    const ServiceLayers lw = service_layers(wa, o, w);
    check_layer(lm.demand, lw.demand);
    check_layer(lm.districts, lw.districts);
    check_layer(lm.facilities, lw.facilities);
    check_layer(lm.gaps, lw.gaps);
}

/** Porto Alegre: the hexagon grid's residents, its healthcare counts as facilities. */
struct PortoAlegre {
    test::TempDir dir{"shard_pa"};
    std::string facilities = (dir.path() / "facilities.csv").string();
    std::string districts = (dir.path() / "districts.geojson").string();
    bool ok = fs::exists(data_dir + "/osm/porto_alegre.osm.pbf");
    PortoAlegre() {
        if (!ok) return;
        const std::vector<test::Hexagon> hexagons = test::porto_alegre_hexagons(data_dir);
        std::string out = "id,lon,lat,capacity,cutoff,delay\n";
        int k = 0;
        for (const test::Hexagon& h : hexagons) {
            if (h.healthcare() <= 0) continue;
            // Every third facility waits 2 minutes and counts within 20 minutes only.
            const bool own = ++k % 3 == 0;
            out += "h" + h.cells[0] + "," + h.cells[1] + "," + h.cells[2] + "," + std::to_string(h.healthcare() * 1500) +
                   "," + (own ? "20" : "") + "," + (own ? "2" : "") + "\n";
        }
        write(facilities, out);
        // Districts: a 3 x 3 grid over the residents, the middle one overlapping its neighbour.
        write(districts, test::district_grid(hexagons, 3, 0.01));
    }
    AreaSpec spec() const {
        AreaSpec a;
        a.network.path = data_dir + "/osm/porto_alegre.osm.pbf";
        a.demand.path = data_dir + "/osm/porto_alegre_hexgrid.csv";
        a.demand.read.weight_fields = {"population", "schools"};
        a.districts.path = districts;
        a.districts.read.name_field = "name";
        return a;
    }
    ServiceOptions options(const StudyStandard& st) const {
        ServiceOptions o;
        o.standard = st;
        o.facilities.path = facilities;
        o.facilities.read.capacity_field = "capacity";
        o.hex_m = 500;
        return o;
    }
};

}  // namespace

TEST_CASE("shard: the nearest facility lies in another shard, beyond the first halo", "[shard]") {
    test::TempDir dir("shard_line");
    // One straight road 24 km long, residents 20 m beside it on both sides of x = 0, the only
    // facility at x = 600: the tiles cut between -300 and 300, so every resident of shard 0 walks
    // into shard 1, most of them farther than 15 minutes (the first halo); shard 1's residents
    // are all within 15 minutes of it.
    write(dir.path() / "line.osm", osm_ways({{{-12000, 0}, {-6000, 0}, {-1000, 0}, {0, 0}, {1000, 0}, {6000, 0}, {12000, 0}}}));
    write(dir.path() / "residents.csv", csv_points(",pop", {{-2500, 20}, {-2000, 20}, {-1500, 20}, {-1000, 20}, {-300, 20},
                                                            {300, 20}, {700, 20}, {900, 20}, {1200, 20}, {1400, 20}},
                                                   {",10", ",20", ",30", ",40", ",50", ",60", ",70", ",80", ",90", ",100"}));
    write(dir.path() / "facility.csv", csv_points("", {{600, -30}}, {}));
    AreaSpec spec;
    spec.network.path = (dir.path() / "line.osm").string();
    spec.demand.path = (dir.path() / "residents.csv").string();
    spec.demand.read.weight_fields = {"pop"};
    ServiceOptions o;
    o.standard = walking(15);
    o.facilities.path = (dir.path() / "facility.csv").string();
    o.hex_m = 300;
    const auto r = run_both(spec, o, 2);
    REQUIRE(r->plan.shards.size() == 2);
    CHECK(r->plan.shards[0].tile.max.x == r->plan.shards[1].tile.min.x);
    CHECK(r->plan.shards[0].features == 5);
    CHECK(r->plan.shards[1].facilities == 1);
    CHECK(r->plan.fastest_mps == Approx(4.0 / 3.6));
    // Shard 0's residents were reached from shard 1's facility: the resident at -300 m within the
    // standard, the others beyond it, found only after reading the roads again.
    CHECK(r->results[0].reads == 2);
    CHECK(r->results[0].halo_m > r->plan.halo_m);
    CHECK(r->results[1].reads == 1);
    const auto& c = r->merged.result.coverage;
    CHECK(c.covered[4] == 1);
    CHECK(c.covered[3] == 0);
    CHECK(c.by_time.facility[0] == 0);
    CHECK(c.by_time.seconds[0] > 45 * 60);
    check_identical(*r, o);
}

TEST_CASE("shard: a road that leaves the shard and comes back", "[shard]") {
    test::TempDir dir("shard_loop");
    // A U: from the resident's corner east to x = 1000 (well inside shard 1's tile), 150 m north,
    // back west to the facility's corner: 190 m apart in a straight line, 2.95 km by road. A long
    // spur west keeps the U's component open beyond every first halo.
    write(dir.path() / "u.osm", osm_ways({{{-400, 0}, {200, 0}, {1000, 0}, {1000, 150}, {200, 150}, {-400, 150}},
                                          {{-400, 0}, {-8000, 0}, {-20000, 0}}}));
    write(dir.path() / "residents.csv",
          csv_points(",pop", {{-400, -20}, {-300, -20}, {600, -20}, {800, -20}}, {",100", ",100", ",100", ",100"}));
    write(dir.path() / "facility.csv", csv_points("", {{-400, 170}}, {}));
    AreaSpec spec;
    spec.network.path = (dir.path() / "u.osm").string();
    spec.demand.path = (dir.path() / "residents.csv").string();
    spec.demand.read.weight_fields = {"pop"};
    ServiceOptions o;
    o.facilities.path = (dir.path() / "facility.csv").string();
    SECTION("within the standard: the first halo holds the whole route") {
        o.standard = walking(60);
        const auto r = run_both(spec, o, 2);
        // Easting 500 km is the zone's central meridian (x = 0 here): shard 0 ends before x = 600
        // and the route runs to x = 1000, through shard 1's tile.
        REQUIRE(r->plan.shards[0].tile.max.x < 500000 + 0.9996 * 600 + 1);
        REQUIRE(r->plan.shards[0].tile.max.x < 500000 + 0.9996 * 1000);
        CHECK(r->plan.shards[0].facilities == 1);
        CHECK(r->results[0].reads == 1);
        CHECK(r->merged.result.coverage.covered[0] == 1);
        // 2,950 m of road and two 20 m walks to it at 4 km/h.
        CHECK(r->merged.result.coverage.by_time.seconds[0] / 60 == Approx(2990.0 / (4000.0 / 60.0)).epsilon(0.001));
        check_identical(*r, o);
    }
    SECTION("beyond the standard: the minutes still exact, after a second read") {
        o.standard = walking(10);
        const auto r = run_both(spec, o, 2);
        CHECK(r->results[0].reads >= 2);
        CHECK(r->merged.result.coverage.covered[0] == 0);
        check_identical(*r, o);
    }
}

TEST_CASE("shard: Porto Alegre in 4, 5, 9 and 16 tiles and by districts, with seats, access and gaps", "[shard]") {
    const PortoAlegre pa;
    if (!pa.ok) {
        WARN("skipped: " << data_dir << "/osm/porto_alegre* is missing");
        return;
    }
    AreaSpec spec = pa.spec();
    ServiceOptions o = pa.options(walking(15));
    SECTION("tiles, E2SFCA") {
        const auto r = run_both(spec, o, 4);
        CHECK(r->plan.work_crs == r->whole_area->net.work_crs);
        CHECK(r->merged.result.districts.size() == 10);  // nine districts and the outside
        check_identical(*r, o);
    }
    SECTION("9 and 16 tiles") {
        for (const std::size_t n : {std::size_t{9}, std::size_t{16}}) {
            const auto r = run_both(spec, o, n);
            CHECK(r->plan.shards.size() == n);
            check_identical(*r, o);
        }
    }
    SECTION("districts, BFCA") {
        o.access = AccessMeasure::bfca;
        const auto r = run_both(spec, o, 3, ShardBy::districts);
        CHECK(r->plan.district_shard.size() == 9);
        check_identical(*r, o);
    }
    SECTION("tiles, spatial availability, gaussian decay, own cutoffs and delays") {
        o.access = AccessMeasure::availability;
        o.decay = planners::Decay::gaussian;
        o.facilities.read.cutoff_field = "cutoff";
        o.facilities.read.delay_field = "delay";
        check_identical(*run_both(spec, o, 5), o);
    }
    SECTION("minutes and metres") {
        o.standard = walking(15, 800);
        const auto r = run_both(spec, o, 4);
        CHECK(r->merged.result.coverage.has_length);
        check_identical(*r, o);
    }
    SECTION("metres only") {
        o.standard = walking(std::nullopt, 1000);
        check_identical(*run_both(spec, o, 4), o);
    }
    SECTION("walking up and down Porto Alegre's hills (Tobler, a DEM)") {
        spec.network.read.elevation = data_dir + "/transit/porto_alegre_elevation.tif";
        const auto r = run_both(spec, o, 4);
        CHECK(r->plan.fastest_mps == Approx(4.0 / 3.6 * tobler_speed_factor(-0.05)));
        check_identical(*r, o);
    }
}

/** Porto metro (348k OSM nodes): residents every 350 m over the whole extract (many in the sea
    or the river, so unsnapped ones too), facilities every ~1.7 km with seats, 4 x 4 districts. */
struct PortoMetro {
    test::TempDir dir{"shard_pm"};
    std::string network = data_dir + "/osm/porto_metro_2015.osm.pbf";
    std::string residents = (dir.path() / "residents.csv").string();
    std::string facilities = (dir.path() / "facilities.csv").string();
    std::string districts = (dir.path() / "districts.geojson").string();
    bool ok = fs::exists(network);
    PortoMetro() {
        if (!ok) return;
        const double lon0 = -8.7795, lon1 = -8.3542, lat0 = 40.9799, lat1 = 41.4004;
        const double dlon = 350.0 / 84000.0, dlat = 350.0 / 111000.0;
        std::string out = "id,lon,lat,pop,kids\n";
        char buf[160];
        std::size_t k = 0;
        for (double lat = lat0; lat < lat1; lat += dlat)
            for (double lon = lon0; lon < lon1; lon += dlon, ++k) {
                // Weights from a hash of the index: deterministic, uneven.
                const std::size_t h = (k * 2654435761u) % 1000;
                std::snprintf(buf, sizeof buf, "r%zu,%.6f,%.6f,%zu,%zu\n", k, lon, lat, 20 + h, h % 37);
                out += buf;
            }
        write(residents, out);
        out = "id,lon,lat,capacity\n";
        k = 0;
        for (double lat = lat0 + 0.01; lat < lat1; lat += 0.015)
            for (double lon = lon0 + 0.013; lon < lon1; lon += 0.02, ++k) {
                const double j = static_cast<double>((k * 40503u) % 100) / 100.0 - 0.5;
                std::snprintf(buf, sizeof buf, "f%zu,%.6f,%.6f,%zu\n", k, lon + 0.01 * j, lat - 0.008 * j, 80 + (k * 7919u) % 400);
                out += buf;
            }
        write(facilities, out);
        std::string features;
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) {
                const double a = lon0 + (lon1 - lon0) * i / 4, b = lon0 + (lon1 - lon0) * (i + 1) / 4;
                const double c = lat0 + (lat1 - lat0) * j / 4, d = lat0 + (lat1 - lat0) * (j + 1) / 4;
                std::snprintf(buf, sizeof buf, "%s{\"type\":\"Feature\",\"properties\":{\"name\":\"d%d\"},\"geometry\":", features.empty() ? "" : ",", 4 * i + j);
                features += buf;
                std::snprintf(buf, sizeof buf, "{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}}",
                              a, c, b, c, b, d, a, d, a, c);
                features += buf;
            }
        write(districts, "{\"type\":\"FeatureCollection\",\"features\":[" + features + "]}");
    }
    AreaSpec spec() const {
        AreaSpec a;
        a.network.path = network;
        a.demand.path = residents;
        a.demand.read.weight_fields = {"pop", "kids"};
        a.districts.path = districts;
        a.districts.read.name_field = "name";
        return a;
    }
    ServiceOptions options() const {
        ServiceOptions o;
        o.standard = walking(15);
        o.facilities.path = facilities;
        o.facilities.read.capacity_field = "capacity";
        o.hex_m = 1000;
        return o;
    }
};

TEST_CASE("shard: Porto metro in 4, 9 and 16 tiles and by districts, with seats, E2SFCA and gaps", "[shard]") {
    const PortoMetro pm;
    if (!pm.ok) {
        WARN("skipped: " << pm.network << " is missing");
        return;
    }
    const AreaSpec spec = pm.spec();
    const ServiceOptions o = pm.options();
    for (const std::size_t n : {std::size_t{4}, std::size_t{9}, std::size_t{16}}) {
        const auto r = run_both(spec, o, n);
        CHECK(r->plan.shards.size() == n);
        CHECK(r->whole_area->demand.xy.size() > 10000);
        // Not a trivial study: a quarter covered, residents unsnapped in the sea, seats short.
        CHECK(r->whole.overall[0].share > 0.2);
        CHECK(r->whole.overall[0].share < 0.35);
        CHECK(r->whole.overall[0].unsnapped > 0);
        CHECK(r->whole.seats->assignment.totals.served_weight < r->whole.overall[0].covered);
        check_identical(*r, o);
    }
    const auto r = run_both(spec, o, 5, ShardBy::districts);
    CHECK(r->plan.district_shard.size() == 16);
    check_identical(*r, o);
}

namespace {

/** A suggestion whole and on the merged tables of its shards: the same sites, rows, summary,
    coverage and seats before and after. */
SuggestionResult check_suggestion_in_shards(const AreaSpec& spec, const SuggestionOptions& so, std::size_t shards,
                                            ShardBy by = ShardBy::tiles) {
    const Reporter rep;
    const auto whole_area = load_area(spec, so.service.standard.profile(), rep);
    const SuggestionResult whole = run_suggestion(*whole_area, so, rep);
    test::TempDir dir("shard_suggest");
    const std::string parts = (dir.path() / "network.parts").string();
    ServiceOptions existing = so.service;
    existing.facilities.required = false;
    ShardPlan plan;
    {
        std::ofstream out(parts, std::ios::binary);
        ShardOptions opt;
        opt.shards = shards;
        opt.by = by;
        opt.parts_cell_m = 500.0;
        opt.sites = candidate_table(so);
        plan = plan_shards(spec, existing, opt, {"test"}, fs::current_path().string(),
                           [&out](std::string_view b) { out.write(b.data(), static_cast<std::streamsize>(b.size())); }, rep);
    }
    CHECK(plan.has_sites);
    const SiteTableSpec sites = candidate_table(so);
    std::vector<ShardResult> results;
    for (std::size_t i = 0; i < shards; ++i)
        results.push_back(
            shard_result_from_bytes(shard_result_bytes(run_shard(plan, parts, i, spec, existing, rep, &sites)), "shard"));
    const MergedStudy merged = merge_shards(plan, std::move(results), spec, existing, rep);
    const SuggestionResult m = run_suggestion_on_shards(merged, so, plan_frame(plan), rep);

    CHECK(m.suggestion.selected == whole.suggestion.selected);
    CHECK(m.suggestion.objective_value == whole.suggestion.objective_value);
    CHECK(m.suggestion.bound == whole.suggestion.bound);
    CHECK(m.suggestion.proven_optimal == whole.suggestion.proven_optimal);
    CHECK(m.table_pairs == whole.table_pairs);
    REQUIRE(m.rows.size() == whole.rows.size());
    for (std::size_t k = 0; k < m.rows.size(); ++k) {
        CHECK(m.rows[k].candidate_id == whole.rows[k].candidate_id);
        CHECK(m.rows[k].wkb == whole.rows[k].wkb);
        CHECK(m.rows[k].added_weight == whole.rows[k].added_weight);
        CHECK(m.rows[k].assigned_weight == whole.rows[k].assigned_weight);
    }
    for (const auto* pair : {&m.before, &m.after}) {
        const ServiceResult& x = *pair;
        const ServiceResult& y = pair == &m.before ? whole.before : whole.after;
        CHECK(x.coverage.covered == y.coverage.covered);
        for (std::size_t g = 0; g < y.overall.size(); ++g) {
            CHECK(x.overall[g].covered == y.overall[g].covered);
            CHECK(x.overall[g].total == y.overall[g].total);
        }
        REQUIRE(x.seats.has_value() == y.seats.has_value());
        if (y.seats) CHECK(x.seats->assignment.totals.served_weight == y.seats->assignment.totals.served_weight);
    }
    // What `suggest --summary` writes, whole (but the solver's own time).
    nlohmann::ordered_json a = suggestion_summary(*merged.area, spec, so, m);
    nlohmann::ordered_json b = suggestion_summary(*whole_area, spec, so, whole);
    a.erase("seconds");
    b.erase("seconds");
    CHECK(a.dump(2) == b.dump(2));
    return m;
}

}  // namespace

TEST_CASE("shard: a suggestion on the merged tables chooses the whole run's sites", "[shard]") {
    const PortoAlegre pa;
    if (!pa.ok) {
        WARN("skipped: " << data_dir << "/osm/porto_alegre* is missing");
        return;
    }
    // Candidates: every seventh hexagon's centre, with seats and a cost.
    const std::string candidates = (pa.dir.path() / "candidates.csv").string();
    {
        const std::vector<test::Hexagon> hexagons = test::porto_alegre_hexagons(data_dir);
        std::string out = "id,lon,lat,seats,cost\n";
        for (std::size_t k = 0; k < hexagons.size(); k += 7)
            out += "c" + std::to_string(k) + "," + hexagons[k].cells[1] + "," + hexagons[k].cells[2] + "," +
                   std::to_string(2000 + (k * 37) % 3000) + "," + std::to_string(1 + k % 3) + "\n";
        write(candidates, out);
        // The middle ninth is a park: no site there (the middle district of a 3 x 3 grid).
        const std::string grid = test::district_grid(hexagons, 3);
        const std::size_t at = grid.find("{\"type\":\"Feature\",\"properties\":{\"id\":\"d4\"");
        write(pa.dir.path() / "park.geojson", "{\"type\":\"FeatureCollection\",\"features\":[" +
                                                  grid.substr(at, grid.find("]]]}}", at) + 5 - at) + "]}");
    }
    AreaSpec spec = pa.spec();
    SuggestionOptions so;
    so.service = pa.options(walking(15));
    so.service.hex_m = 0;
    so.candidates.path = candidates;
    so.candidates.read.capacity_field = "seats";
    so.candidates.read.cost_field = "cost";
    so.solver.seed = 7;
    SECTION("max-coverage, 6 sites, 4 tiles") {
        so.solver.count = 6;
        check_suggestion_in_shards(spec, so, 4);
    }
    SECTION("capacitated, 4 sites, by districts, with an exclusion layer") {
        so.solver.count = 4;
        so.solver.capacitated = true;
        so.candidates.exclude.path = (pa.dir.path() / "park.geojson").string();
        check_suggestion_in_shards(spec, so, 3, ShardBy::districts);
    }
    SECTION("min-facilities to 90% of the population, 9 tiles") {
        so.solver = objective_options("min-facilities", std::nullopt, 0.9, std::nullopt);
        check_suggestion_in_shards(spec, so, 9);
    }
    SECTION("budget of 8 with costs, minutes and metres") {
        so.solver = objective_options("max-coverage", std::nullopt, std::nullopt, 8.0);
        so.service.standard = walking(15, 900);
        check_suggestion_in_shards(spec, so, 5);
    }
    SECTION("p-median, 5 sites, its table three times the standard, 4 tiles") {
        so.solver = objective_options("p-median", 5.0, std::nullopt, std::nullopt);
        so.solver.seed = 7;
        check_suggestion_in_shards(spec, so, 4);
    }
    SECTION("p-median, capacitated, a 25-minute table, by districts") {
        so.solver = objective_options("p-median", 4.0, std::nullopt, std::nullopt);
        so.solver.capacitated = true;
        so.p_median_minutes = 25;
        check_suggestion_in_shards(spec, so, 3, ShardBy::districts);
    }
    SECTION("capacitated with 3,000 more seats offered at every existing clinic, a budget, 5 tiles") {
        so.solver = objective_options("max-coverage", std::nullopt, std::nullopt, 6.0);
        so.solver.capacitated = true;
        so.candidates.expansion_seats = 3000;
        so.candidates.expansion_cost = 0.5;
        const SuggestionResult r = check_suggestion_in_shards(spec, so, 5);
        CHECK(r.candidates.expansions > 50);
        CHECK(std::any_of(r.rows.begin(), r.rows.end(), [](const maps::SiteRow& x) { return x.kind == "expansion"; }));
    }
    SECTION("refusals: auto candidates, a p-median with metres") {
        SuggestionOptions x = so;
        x.candidates.path = "auto";
        CHECK_THROWS_WITH(check_sharded_suggestion(x), Catch::Contains("needs a candidate layer"));
        x = so;
        x.solver = objective_options("p-median", 3.0, std::nullopt, std::nullopt);
        x.service.standard = walking(15, 900);
        CHECK_THROWS_WITH(check_sharded_suggestion(x), Catch::Contains("p-median with a metre limit"));
    }
}

TEST_CASE("shard: the network parts hold the roads as read, in order", "[shard]") {
    const std::string path = data_dir + "/osm/porto_2020.osm.pbf";
    if (!fs::exists(path)) {
        WARN("skipped: " << path << " is missing");
        return;
    }
    test::TempDir dir("shard_parts");
    io::NetworkOptions no;
    io::RawRoads roads = io::read_roads(path, no);
    const std::string parts = (dir.path() / "n.parts").string();
    {
        std::ofstream out(parts, std::ios::binary);
        write_network_parts(roads, 300.0, [&out](std::string_view b) { out.write(b.data(), static_cast<std::streamsize>(b.size())); });
    }
    const NetworkPartsInfo info = read_network_parts_info(parts);
    CHECK(info.edges == roads.network.edges.size());
    CHECK(info.work_crs == roads.work_crs);
    const io::RawRoads all = read_network_part(parts, info.extent);
    REQUIRE(all.network.edges.size() == roads.network.edges.size());
    CHECK(all.network.shape_points == roads.network.shape_points);
    CHECK(all.network.shape_first == roads.network.shape_first);
    CHECK(all.source_ids == roads.source_ids);
    std::size_t differ = 0;
    for (std::size_t e = 0; e < roads.network.edges.size(); ++e) {
        const RawEdge& a = all.network.edges[e];
        const RawEdge& b = roads.network.edges[e];
        differ += all.network.nodes[a.from] != roads.network.nodes[b.from] ||
                  all.network.nodes[a.to] != roads.network.nodes[b.to] ||
                  all.network.names[a.name] != roads.network.names[b.name] ||
                  a.attributes.road_class != b.attributes.road_class ||
                  a.attributes.maxspeed_kmh != b.attributes.maxspeed_kmh || a.attributes.oneway != b.attributes.oneway;
    }
    CHECK(differ == 0);
    // A corner: only roads whose box meets it, in the same order.
    const Box corner{info.extent.min, {info.extent.min.x + 1000, info.extent.min.y + 1000}};
    const io::RawRoads some = read_network_part(parts, corner);
    CHECK(some.network.edges.size() > 0);
    CHECK(some.network.edges.size() < roads.network.edges.size() / 4);
    // A damaged file is refused, naming it.
    {
        std::fstream f(parts, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(0);
        f.write("XX", 2);
    }
    CHECK_THROWS_WITH(read_network_parts_info(parts), Catch::Contains("not a network parts file") && Catch::Contains(parts));
}

TEST_CASE("shard: refusals name the shard, the file and what to do", "[shard]") {
    const PortoAlegre pa;
    if (!pa.ok) {
        WARN("skipped: " << data_dir << "/osm/porto_alegre* is missing");
        return;
    }
    const AreaSpec spec = pa.spec();
    const ServiceOptions o = pa.options(walking(15));
    const Reporter rep;
    test::TempDir dir("shard_refuse");
    const std::string parts = (dir.path() / "network.parts").string();
    const auto plan = [&](const AreaSpec& s, std::size_t n) {
        std::ofstream out(parts, std::ios::binary);
        ShardOptions so;
        so.shards = n;
        return plan_shards(s, o, so, {"x"}, "", [&out](std::string_view b) { out.write(b.data(), static_cast<std::streamsize>(b.size())); }, rep);
    };
    SECTION("a shard that would own nothing") {
        test::TempDir small("shard_small");
        write(small.path() / "two.csv", "id,lon,lat,population,schools\na,-51.2,-30.03,10,0\nb,-51.21,-30.04,20,0\n");
        AreaSpec s = spec;
        s.demand.path = (small.path() / "two.csv").string();
        s.districts = {};
        CHECK_THROWS_WITH(plan(s, 3), Catch::Contains("shard 2 of 3 would own no demand feature") &&
                                          Catch::Contains("use fewer shards"));
    }
    SECTION("feature ids out of order") {
        test::TempDir g("shard_fid");
        write(g.path() / "d.geojson",
              "{\"type\":\"FeatureCollection\",\"features\":["
              "{\"type\":\"Feature\",\"id\":7,\"properties\":{\"population\":1,\"schools\":0},\"geometry\":{\"type\":\"Point\",\"coordinates\":[-51.2,-30.03]}},"
              "{\"type\":\"Feature\",\"id\":3,\"properties\":{\"population\":1,\"schools\":0},\"geometry\":{\"type\":\"Point\",\"coordinates\":[-51.21,-30.04]}}]}");
        AreaSpec s = spec;
        s.demand.path = (g.path() / "d.geojson").string();
        CHECK_THROWS_WITH(plan(s, 2), Catch::Contains("FIDs") && Catch::Contains("FID 3 comes after FID 7") &&
                                          Catch::Contains("ogr2ogr"));
    }
    SECTION("a raster, buildings, districts without districts") {
        AreaSpec s = spec;
        s.demand.path = data_dir + "/transit/porto_alegre_elevation.tif";
        CHECK_THROWS_WITH(plan(s, 2), Catch::Contains("not a raster"));
        s = spec;
        s.demand.read.buildings = "b.osm";
        CHECK_THROWS_WITH(plan(s, 2), Catch::Contains("buildings first"));
        s = spec;
        s.districts = {};
        std::ofstream out(parts, std::ios::binary);
        ShardOptions so;
        so.by = ShardBy::districts;
        CHECK_THROWS_WITH(plan_shards(s, o, so, {}, "", [](std::string_view) {}, rep),
                          Catch::Contains("--shard-by districts needs --districts"));
    }
    SECTION("missing, foreign and damaged results; changed inputs") {
        const ShardPlan p = plan(spec, 3);
        const fs::path shards = dir.path() / "shards";
        fs::create_directories(shards);
        for (std::size_t i = 0; i < 3; i += 2)
            write(shards / shard_file_name(i, 3), shard_result_bytes(run_shard(p, parts, i, spec, o, rep)));
        write(shards / "shard-1-of-3.failed", "shard 1 of 3 failed (exit code 137); its messages are in logs/shard-1.err\n");
        CHECK_THROWS_WITH(load_shard_results(p, shards.string()),
                          Catch::Contains("1 of 3 shards have no result (shard 1)") &&
                              Catch::Contains("exit code 137") && Catch::Contains("--array=1"));
        write(shards / shard_file_name(1, 3), shard_result_bytes(run_shard(p, parts, 1, spec, o, rep)));
        CHECK(load_shard_results(p, shards.string()).size() == 3);
        ShardPlan other = p;
        other.halo_m += 1;
        other.hash = plan_hash(other);
        CHECK_THROWS_WITH(load_shard_results(other, shards.string()),
                          Catch::Contains("shard 0 of 3 was made for another plan") && Catch::Contains("run the shard again"));
        std::string bytes = studies::read_whole_file((shards / shard_file_name(2, 3)).string());
        bytes[bytes.size() / 2] ^= 0x20;
        write(shards / shard_file_name(2, 3), bytes);
        CHECK_THROWS_WITH(load_shard_results(p, shards.string()),
                          Catch::Contains("damaged") && Catch::Contains("shard-2-of-3.bin"));
        // A shard of a run whose facilities changed since the plan is refused before it starts.
        fs::last_write_time(pa.facilities, fs::last_write_time(pa.facilities) + std::chrono::seconds(5));
        CHECK_THROWS_WITH(check_plan_inputs(p), Catch::Contains("changed after the sharded run was planned") &&
                                                    Catch::Contains("facilities.csv"));
        // A manifest edited by hand is refused too.
        std::string text = plan_json(p).dump();
        text.replace(text.find("\"halo_m\":"), 9, "\"halo_m\":1");
        CHECK_THROWS_WITH(plan_from_json(text, "manifest.json"), Catch::Contains("changed after it was written"));
    }
}
