// The study layer: every entry point gives the same answer for the same standard (coverage,
// plan, suggestion before and after), on the demo district and on Porto 2020; the defects that
// made the copies in cli/ drift, each as a case.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../temp_dir.hpp"
#include "core/error.hpp"
#include "io/osm_facilities.hpp"
#include "studies/demo.hpp"
#include "studies/plan.hpp"
#include "studies/scenario.hpp"
#include "studies/service.hpp"
#include "studies/suggestion.hpp"
#include "studies/travel.hpp"

using namespace lifecircle;
using namespace lifecircle::studies;
using Catch::Detail::Approx;
namespace fs = std::filesystem;

namespace {

const std::string data_dir = LIFECIRCLE_SHARED_DATA;

void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

/** Collects notices so tests can check what the user is told. */
struct Heard {
    std::vector<std::string> notes, warnings;
    Reporter reporter() {
        Callbacks cb;
        cb.notice = [this](const Notice& n) {
            (n.level == Notice::Level::warning ? warnings : notes).push_back(n.text);
        };
        return Reporter(cb);
    }
    bool warned(const std::string& part) const {
        return std::any_of(warnings.begin(), warnings.end(),
                           [&](const std::string& w) { return w.find(part) != std::string::npos; });
    }
};

/** The demo district written into a scratch folder. */
struct Demo {
    test::TempDir dir{"studies_demo"};
    fs::path data = dir.path() / "data";
    Demo() { write_demo_district(data.string()); }
    AreaSpec area() const {
        AreaSpec a;
        a.network.path = (data / "district.osm").string();
        a.demand.path = (data / "compounds.geojson").string();
        a.demand.read.weight_fields = {"pop_total", "pop_3_6", "pop_60plus"};
        a.districts.path = (data / "communities.geojson").string();
        a.districts.read.name_field = "name";
        return a;
    }
};

StudyStandard standard(const std::string& name, std::optional<double> minutes = {}, std::optional<double> metres = {}) {
    StandardChoice c;
    c.name = name;
    c.minutes = minutes;
    c.metres = metres;
    return resolve_standard(c);
}

void check_same(const planners::Figures& a, const planners::Figures& b) {
    CHECK(a.total == b.total);
    CHECK(a.covered == b.covered);
    CHECK(a.unreachable == b.unreachable);
    CHECK(a.points == b.points);
}

void check_same(const ServiceResult& a, const ServiceResult& b) {
    REQUIRE(a.overall.size() == b.overall.size());
    for (std::size_t g = 0; g < a.overall.size(); ++g) check_same(a.overall[g], b.overall[g]);
    REQUIRE(a.districts.size() == b.districts.size());
    for (std::size_t d = 0; d < a.districts.size(); ++d) {
        CHECK(a.districts[d].name == b.districts[d].name);
        for (std::size_t g = 0; g < a.overall.size(); ++g) check_same(a.districts[d].groups[g], b.districts[d].groups[g]);
    }
    CHECK(a.coverage.covered == b.coverage.covered);
}

}  // namespace

TEST_CASE("a standard resolves minutes, metres, speed and what the user overrode", "[studies]") {
    const StudyStandard k = standard("kindergarten", 10.0, 500.0);
    CHECK(*k.minutes == 10.0);
    CHECK(*k.metres == 500.0);
    CHECK(k.overrides == std::vector<std::string>{"minutes 5 → 10", "metres 300 → 500"});
    CHECK(k.limits().max_seconds == 600.0);
    CHECK(k.limits().max_meters == 500.0);
    StandardChoice nan_minutes;
    nan_minutes.minutes = std::nan("");
    CHECK_THROWS_WITH(resolve_standard(nan_minutes), Catch::Contains("--minutes must be a number") &&
                                                         Catch::Contains("not NaN"));
    StandardChoice none;
    CHECK_THROWS_WITH(resolve_standard(none), Catch::Contains("the standard needs a limit"));
    StandardChoice scenario_words;
    scenario_words.command_line = false;
    scenario_words.metres = -3;
    CHECK_THROWS_WITH(resolve_standard(scenario_words), Catch::StartsWith("meters must be"));
}

TEST_CASE("coverage, plan and the suggestion's before give the same figures on the demo", "[studies]") {
    Demo demo;
    Heard heard;
    const Reporter rep = heard.reporter();
    const AreaSpec spec = demo.area();
    const StudyStandard st = standard("kindergarten", 10.0, 500.0);
    const auto area = load_area(spec, st.profile(), rep);
    ServiceOptions o;
    o.standard = st;
    o.facilities.path = (demo.data / "kindergartens.geojson").string();
    o.facilities.read.capacity_field = "seats";
    o.group = "pop_3_6";
    o.hex_m = 150;
    const ServiceResult coverage = run_service(*area, o, rep);
    REQUIRE(coverage.seats);

    // The plan runs the demo's scenario: its kindergarten service is this one.
    const Scenario sc = read_scenario((demo.data / "scenario.toml").string());
    const PlanResult plan = run_plan(sc, {}, rep);
    const ServiceResults& kg = plan.services.at(1);
    REQUIRE(kg.id == "kindergartens");
    check_same(kg.variants.front().result, coverage);
    CHECK(kg.variants.front().result.seats->assignment.totals.served_weight ==
          coverage.seats->assignment.totals.served_weight);

    // The suggestion's "before" is the same study; its "after" is coverage with the sites added.
    REQUIRE(kg.suggestion);
    const SuggestionResult& s = *kg.suggestion;
    check_same(s.before, coverage);
    fs::path with_sites = demo.dir.path() / "with_sites.geojson";
    {
        std::ofstream out(with_sites);
        out << "{\"type\":\"FeatureCollection\",\"features\":[";
        std::ifstream in(demo.data / "kindergartens.geojson");
        const std::string text((std::istreambuf_iterator<char>(in)), {});
        const auto first = text.find("[\n") + 2, last = text.rfind("]}");
        std::string existing = text.substr(first, last - first);
        while (!existing.empty() && (existing.back() == '\n' || existing.back() == ' ')) existing.pop_back();
        out << existing;
        for (const maps::SiteRow& row : s.rows) {
            const std::size_t j = static_cast<std::size_t>(
                std::find(s.candidates.ids.begin(), s.candidates.ids.end(), row.candidate_id) - s.candidates.ids.begin());
            std::vector<Point> ll{s.candidates.xy[j]};
            area->net.to_lonlat(ll);
            char buf[256];
            std::snprintf(buf, sizeof buf,
                          ",\n{\"type\":\"Feature\",\"properties\":{\"id\":\"%s\",\"name\":\"\",\"seats\":90},"
                          "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.10f,%.10f]}}",
                          row.candidate_id.c_str(), ll[0].x, ll[0].y);
            out << buf;
        }
        out << "\n]}\n";
    }
    ServiceOptions added = o;
    added.facilities.path = with_sites.string();
    const ServiceResult rerun = run_service(*area, added, rep);
    const planners::AssignmentTotals& t = rerun.seats->assignment.totals;
    // The figure the suggestion reports (and optimised) is what coverage finds with the sites:
    // the same seats served, to the solver's resolution (1e-6 of a person per pair).
    CHECK(t.served_weight == Approx(s.suggestion.objective_value).margin(1e-4));
    CHECK(t.served_weight == Approx(s.after.seats->assignment.totals.served_weight).margin(1e-4));
    for (std::size_t g = 0; g < rerun.overall.size(); ++g)
        CHECK(rerun.overall[g].covered == Approx(s.after.overall[g].covered).margin(1e-6));
}

TEST_CASE("a resident at the very place of a facility is 0 minutes in coverage and matrix", "[studies]") {
    Demo demo;
    Heard heard;
    const Reporter rep = heard.reporter();
    // Home "at" is exactly where clinic K1 is; "near" is 80 m east of it.
    write(demo.dir.path() / "homes.csv", "id,lon,lat,population\nat,116.3105493,39.9744916,10\nnear,116.3114893,39.9744916,5\n");
    AreaSpec spec = demo.area();
    spec.demand.path = (demo.dir.path() / "homes.csv").string();
    spec.demand.read.weight_fields = {"population"};
    spec.districts = {};
    const StudyStandard st = standard("medical-15min");
    const auto area = load_area(spec, st.profile(), rep);
    ServiceOptions o;
    o.standard = st;
    o.facilities.path = (demo.data / "clinics.geojson").string();
    const ServiceResult r = run_service(*area, o, rep);
    CHECK(r.coverage.by_time.seconds[0] == 0.0);
    CHECK(r.facilities.ids[r.coverage.by_time.facility[0]] == "K1");
    CHECK(r.coverage.by_time.seconds[1] > 60.0);  // a different place travels by the road

    const auto loaded = load_network(spec.network, st.profile(), rep);
    const LoadedNetwork& net = *loaded;
    MatrixOptions mo;
    mo.from.path = spec.demand.path;
    mo.to.path = o.facilities.path;
    const MatrixResult m = run_matrix(net, mo, rep);
    CHECK(m.table.at(0, 0) == 0.0);
    CHECK(m.table.at(1, 0) == Approx(r.coverage.by_time.seconds[1]).margin(1e-3));
}

TEST_CASE("facility fields: the id field named is read, a missing one is an error naming it", "[studies]") {
    Demo demo;
    Heard heard;
    const Reporter rep = heard.reporter();
    write(demo.dir.path() / "h.csv", "编号,name,lon,lat\nH1,a,116.3105493,39.9744916\nH2,b,116.3114893,39.9744916\n");
    const auto loaded = load_network({(demo.data / "district.osm").string(), {}, {}, {}}, default_profile(Mode::walk), rep);
    const LoadedNetwork& net = *loaded;
    FacilitySpec f;
    f.path = (demo.dir.path() / "h.csv").string();
    f.read.id_field = "编号";
    CHECK(read_facilities(f, net.net, rep).ids == std::vector<std::string>{"H1", "H2"});
    f.read.id_field = "code";
    CHECK_THROWS_WITH(read_facilities(f, net.net, rep), Catch::Contains("code") && Catch::Contains("编号"));
    f.read.id_field = "编号";
    f.read.capacity_field = "name";  // text, not a number
    CHECK_THROWS_AS(read_facilities(f, net.net, rep), InputError);
}

TEST_CASE("a plan's buildings demand takes the demand verb's settings, and its groups are checked", "[studies]") {
    Demo demo;
    const fs::path scenario = demo.dir.path() / "buildings.toml";
    const std::string porto = data_dir + "/osm/porto_2020.osm.pbf";
    if (!fs::exists(porto)) {
        WARN("skipped: " << porto << " is missing");
        return;
    }
    const auto write_scenario = [&](const std::string& demand, const std::string& group) {
        write(scenario, "[network]\nfile = \"" + porto + "\"\n[demand]\nbuildings = \"" + porto + "\"\n" + demand +
                            "\n[[services]]\nid = \"kg\"\nosm_kind = \"kindergarten\"\nminutes = 10\ndemand_group = \"" +
                            group + "\"\n");
    };
    write_scenario("default_levels = 4\nage_shares = { pop_3_6 = 0.04 }", "pop_3_6");
    Scenario sc = read_scenario(scenario.string());
    CHECK(sc.demand.read.building_options.default_levels == 4.0);
    REQUIRE(sc.demand.read.building_options.age_shares.size() == 1);
    Heard heard;
    const auto area = load_area({sc.network, sc.demand, {}, 0}, default_profile(Mode::walk), heard.reporter());
    CHECK(area->demand.groups == std::vector<std::string>{"residents", "pop_3_6"});
    double residents = 0;
    for (const double w : area->demand.weights[0]) residents += w;
    // Four storeys where OSM gives none: well above the one-storey estimate (some buildings carry
    // their own building:levels).
    sc.demand.read.building_options.default_levels = 1.0;
    const auto one = load_area({sc.network, sc.demand, {}, 0}, default_profile(Mode::walk), heard.reporter());
    double one_storey = 0;
    for (const double w : one->demand.weights[0]) one_storey += w;
    CHECK(residents > 2.5 * one_storey);
    CHECK(residents < 4.0 * one_storey);

    write_scenario("age_shares = { pop_0_6 = 0.05 }", "pop_3_6");
    CHECK_THROWS_WITH(run_plan(read_scenario(scenario.string()), {}, heard.reporter()),
                      Catch::Contains("demand_group 'pop_3_6' is not one of the demand's groups (residents, pop_0_6)") &&
                          Catch::Contains("line"));
    write_scenario("weight_fields = [\"pop\"]", "residents");
    CHECK_THROWS_WITH(read_scenario(scenario.string()), Catch::Contains("'weight_fields' is for a residents layer"));
}

TEST_CASE("scenario numbers are checked by the same validators as the options, with their line", "[studies]") {
    Demo demo;
    const std::string base = "[network]\nfile = \"data/district.osm\"\n[demand]\nfile = \"data/compounds.geojson\"\n";
    const std::string service = "[[services]]\nid = \"c\"\nfacilities = \"data/clinics.geojson\"\nminutes = 15\n";
    const auto fails = [&](const std::string& text, const std::string& message) {
        write(demo.dir.path() / "s.toml", text);
        CHECK_THROWS_WITH(read_scenario((demo.dir.path() / "s.toml").string()), Catch::Contains(message));
    };
    fails(base + "[gaps]\nhex_m = 0.001\n" + service, "line 6: key 'hex_m' in [gaps] must be a number at least 10");
    fails(base + service.substr(0, service.size() - 3) + "nan\n", "key 'minutes' in service 'c' must be a number");
    fails(base + service + "[[edits]]\ntype = \"change\"\nosm_ids = [1]\nspeed_factor = 1e300\n",
          "key 'speed_factor' in [[edits]] must be a number more than 0 and at most 100");
    fails(base + service + "  [services.suggest]\n  count = 2\n  candidate_spacing_m = 0.1\n",
          "key 'candidate_spacing_m' in the suggest table of service 'c' must be a number at least 5");
    fails(base + service + "  [services.suggest]\n  count = 2.5\n", "must be a whole number");
}

TEST_CASE("an invalid district polygon is repaired and named, a plan with no facility is 0%, not an abort",
          "[studies]") {
    Demo demo;
    // A bow-tie over the west half of the district: its two triangles hold residents.
    write(demo.dir.path() / "bowtie.geojson",
          R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"B1","name":"bow"},)"
          R"("geometry":{"type":"Polygon","coordinates":[[[116.2990,39.9690],[116.3120,39.9860],[116.3120,39.9690],)"
          R"([116.2990,39.9860],[116.2990,39.9690]]]}}]})");
    write(demo.dir.path() / "none.geojson", R"({"type":"FeatureCollection","features":[]})");
    Heard heard;
    AreaSpec spec = demo.area();
    spec.districts.path = (demo.dir.path() / "bowtie.geojson").string();
    const auto area = load_area(spec, default_profile(Mode::walk), heard.reporter());
    CHECK(heard.warned("repaired with GEOS MakeValid"));
    CHECK(heard.warned("id B1"));
    REQUIRE(area->membership.members.size() == 1);
    CHECK(area->membership.members[0].size() > 100);

    ServiceOptions o;
    o.standard = standard("medical-15min");
    o.facilities.path = (demo.dir.path() / "none.geojson").string();
    o.facilities.required = false;
    const ServiceResult r = run_service(*area, o, heard.reporter());
    CHECK(r.overall[0].covered == 0.0);
    CHECK(r.overall[0].total > 0.0);
    CHECK(heard.warned("nobody is covered"));
    o.facilities.required = true;
    CHECK_THROWS_WITH(run_service(*area, o, heard.reporter()), Catch::Contains("the layer is empty"));
}

TEST_CASE("a study stops when cancelled, from inside a parallel phase", "[studies]") {
    Demo demo;
    Callbacks cb;
    std::size_t calls = 0;
    cb.progress = [&](const std::string&, std::size_t, std::size_t) { ++calls; };
    bool stop = false;
    cb.cancelled = [&] { return stop; };
    const Reporter rep(cb);
    const auto area = load_area(demo.area(), default_profile(Mode::walk), rep);
    ServiceOptions o;
    o.standard = standard("kindergarten");
    o.facilities.path = (demo.data / "kindergartens.geojson").string();
    o.facilities.read.capacity_field = "seats";
    stop = true;
    CHECK_THROWS_AS(run_service(*area, o, rep), Cancelled);
    stop = false;
    CHECK_NOTHROW(run_service(*area, o, rep));
    CHECK(calls > 0);
}

TEST_CASE("a suggestion reports its site search and stops when cancelled during it", "[studies]") {
    Demo demo;
    std::map<std::string, std::pair<std::size_t, std::size_t>> last;  // phase: done, total
    bool stop_in_search = false;
    Callbacks cb;
    cb.progress = [&](const std::string& phase, std::size_t done, std::size_t total) {
        last[phase] = {done, total};
    };
    cb.cancelled = [&] { return stop_in_search && last.count("site search") > 0; };
    const Reporter rep(cb);
    const auto area = load_area(demo.area(), default_profile(Mode::walk), rep);
    SuggestionOptions so;
    so.service.standard = standard("kindergarten");
    so.service.facilities.path = (demo.data / "kindergartens.geojson").string();
    so.service.facilities.read.capacity_field = "seats";
    so.service.group = "pop_3_6";
    so.candidates.path = "auto";
    so.candidates.capacity = 90;
    so.solver.capacitated = true;
    so.solver.count = 2;
    so.solver.parallel.threads = 2;
    const SuggestionResult s = run_suggestion(*area, so, rep);
    REQUIRE(last.count("site search") == 1);
    CHECK(last["site search"].first == last["site search"].second);
    CHECK(s.suggestion.selected.size() == 2);
    // Asked to stop once the search has begun: the study throws, whatever the search held.
    last.clear();
    stop_in_search = true;
    CHECK_THROWS_AS(run_suggestion(*area, so, rep), Cancelled);
    CHECK(last.count("site search") == 1);
}

TEST_CASE("Porto 2020: coverage, plan and suggest agree with metres, a cutoff field and a delay field",
          "[studies][porto]") {
    const std::string porto = data_dir + "/osm/porto_2020.osm.pbf";
    if (!fs::exists(porto)) {
        WARN("skipped: " << porto << " is missing");
        return;
    }
    test::TempDir dir("studies_porto");
    Heard heard;
    const Reporter rep = heard.reporter();
    // The OSM kindergartens with seats, a delay on some and an own cutoff on others.
    const std::vector<io::OsmFacility> kg = io::read_osm_facilities(porto, *io::parse_facility_kind("kindergarten"));
    REQUIRE(kg.size() >= 10);
    {
        std::ofstream out(dir.path() / "kg.csv");
        out << "id,name,lon,lat,seats,delay,cutoff\n";
        for (std::size_t i = 0; i < kg.size(); ++i)
            out << "k" << i << ",x," << std::setprecision(10) << kg[i].lon << "," << kg[i].lat << "," << 60 + 10 * (i % 4)
                << "," << (i % 3 == 0 ? "1.5" : "") << "," << (i % 4 == 1 ? "6" : "") << "\n";
    }
    // Districts: the network's extent cut in four.
    StudyStandard st = standard("kindergarten", 10.0, 600.0);
    AreaSpec spec;
    spec.network.path = porto;
    spec.demand.buildings = porto;
    spec.demand.read.building_options.default_levels = 4;
    spec.demand.read.building_options.age_shares = {{"pop_3_6", 0.04}};
    const auto loaded = load_network(spec.network, st.profile(), rep);
    const LoadedNetwork& net = *loaded;
    const Box b = net.net.lonlat_bounds();
    const double mx = (b.min.x + b.max.x) / 2, my = (b.min.y + b.max.y) / 2;
    {
        std::ofstream out(dir.path() / "districts.geojson");
        out << std::setprecision(10) << "{\"type\":\"FeatureCollection\",\"features\":[";
        const double xs[] = {b.min.x, mx, b.max.x}, ys[] = {b.min.y, my, b.max.y};
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 2; ++j)
                out << (i + j ? "," : "") << "{\"type\":\"Feature\",\"properties\":{\"id\":\"d" << i << j
                    << "\",\"name\":\"d" << i << j << "\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[["
                    << xs[i] << "," << ys[j] << "],[" << xs[i + 1] << "," << ys[j] << "],[" << xs[i + 1] << ","
                    << ys[j + 1] << "],[" << xs[i] << "," << ys[j + 1] << "],[" << xs[i] << "," << ys[j] << "]]]}}";
        out << "]}\n";
    }
    spec.districts.path = (dir.path() / "districts.geojson").string();
    const auto area = load_area(spec, st.profile(), rep);
    ServiceOptions o;
    o.standard = st;
    o.facilities.path = (dir.path() / "kg.csv").string();
    o.facilities.read.capacity_field = "seats";
    o.facilities.read.delay_field = "delay";
    o.facilities.read.cutoff_field = "cutoff";
    o.group = "pop_3_6";
    o.hex_m = 250;
    const ServiceResult coverage = run_service(*area, o, rep);

    // The plan with the same service.
    write(dir.path() / "plan.toml",
          "[network]\nfile = \"" + porto + "\"\n[demand]\nbuildings = \"" + porto +
              "\"\ndefault_levels = 4\nage_shares = { pop_3_6 = 0.04 }\n[districts]\nfile = \"districts.geojson\"\n"
              "name_field = \"name\"\n[[services]]\nid = \"kg\"\nfacilities = \"kg.csv\"\ncapacity_field = \"seats\"\n"
              "delay_field = \"delay\"\ncutoff_field = \"cutoff\"\nstandard = \"kindergarten\"\nminutes = 10\n"
              "meters = 600\ndemand_group = \"pop_3_6\"\n");
    const PlanResult plan = run_plan(read_scenario((dir.path() / "plan.toml").string()), {}, rep);
    check_same(plan.services.at(0).variants.front().result, coverage);

    // The suggestion (20 candidate sites along the roads, 90 seats each) before and after.
    {
        std::ofstream out(dir.path() / "cands.csv");
        out << "id,lon,lat\n" << std::setprecision(10);
        const RoadGraph& g = area->net.graph;
        for (std::size_t k = 0; k < 20; ++k) {
            std::vector<Point> p{g.point_along(static_cast<EdgeId>(k * (g.edge_count() / 20)), 1.0)};
            area->net.to_lonlat(p);
            out << "c" << k << "," << p[0].x << "," << p[0].y << "\n";
        }
    }
    SuggestionOptions so;
    so.service = o;
    so.candidates.path = (dir.path() / "cands.csv").string();
    so.candidates.capacity = 90;
    so.solver.capacitated = true;
    so.solver.count = 2;
    const SuggestionResult s = run_suggestion(*area, so, rep);
    check_same(s.before, coverage);
    CHECK(s.before.seats->assignment.totals.served_weight == coverage.seats->assignment.totals.served_weight);
    CHECK(s.after.seats->assignment.totals.served_weight == Approx(s.suggestion.objective_value).margin(1e-4));
    CHECK(s.after.seats->assignment.totals.served_weight >= s.before.seats->assignment.totals.served_weight);
}

TEST_CASE("a scenario's inputs are every file it reads", "[studies][scenario]") {
    Scenario sc;
    sc.path = "/s/scenario.toml";
    sc.network.path = "/s/roads.shp";
    sc.demand.path = "/s/homes.geojson";
    sc.districts.path = "/s/districts.gpkg";
    ScenarioService clinics;
    clinics.facilities = "/s/clinics.geojson";
    clinics.suggest = ScenarioSuggest{};
    clinics.suggest->candidates = "/s/parcels.geojson";
    ScenarioService kindergartens;
    kindergartens.osm_kind = "kindergarten";
    kindergartens.suggest = ScenarioSuggest{};  // candidates "auto": no file
    sc.services = {clinics, kindergartens};
    ScenarioEdit close;
    close.area_file = "/s/works.geojson";
    sc.edits = {close};
    CHECK(sc.inputs() ==
          std::vector<std::string>{"/s/scenario.toml", "/s/roads.shp", "/s/roads.dbf", "/s/roads.shx",
                                   "/s/roads.prj", "/s/roads.cpg", "/s/roads.qix", "/s/roads.sbn", "/s/roads.sbx",
                                   "/s/homes.geojson", "/s/districts.gpkg", "/s/clinics.geojson",
                                   "/s/parcels.geojson", "/s/works.geojson"});
}

TEST_CASE("the table bound is never below the pairs the table keeps", "[studies]") {
    Demo demo;
    Heard heard;
    const Reporter rep = heard.reporter();
    const auto area = load_area(demo.area(), default_profile(Mode::walk), rep);
    for (const double minutes : {3.0, 10.0, 25.0}) {
        FacilitySpec f;
        f.path = (demo.data / "clinics.geojson").string();
        const FacilitySet clinics = read_facilities(f, area->net, rep);
        // Every road point every 150 m as a source, as auto candidates would be.
        std::vector<Point> xy = auto_candidates(area->net.graph, area->demand.xy, 1e9, 150.0);
        xy.insert(xy.end(), clinics.xy.begin(), clinics.xy.end());
        const PlacedFacilities placed = place_points(xy, *area->snapper);
        const StudyStandard st = standard("", minutes);
        const TimeTable t = pairs_within(*area, st, placed, xy, rep, "test");
        const double bound = pair_bound(*area, area->time(Direction::backward), placed, xy, minutes * 60.0);
        INFO(minutes << " min: " << t.size() << " pairs, bound " << bound);
        CHECK(double(t.size()) <= bound);
        CHECK(t.size() > 0);
    }
}
