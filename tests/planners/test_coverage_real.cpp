// Coverage on real data (Porto Alegre, population per H3 hexagon, healthcare counts as
// facilities), checked against an independent computation: brute-force snapping over every road
// segment and Boost.Graph's Dijkstra from a virtual source.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <catch2/catch.hpp>

#include "core/snap.hpp"
#include "core/time_table.hpp"
#include "io/demand.hpp"
#include "io/network.hpp"
#include "planners/coverage.hpp"

using namespace lifecircle;
using Catch::Detail::Approx;

namespace {

const std::string data_dir = LIFECIRCLE_SHARED_DATA;

struct Row {
    std::string id;
    Point lonlat;
    double population = 0;
    double healthcare = 0;
};

/** The hexgrid CSV, parsed here without the library's readers. */
std::vector<Row> read_hexgrid(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);  // id,lon,lat,population,schools,jobs,healthcare
    std::vector<Row> rows;
    while (std::getline(in, line)) {
        std::vector<std::string> c;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ',')) c.push_back(cell);
        c.resize(7);
        Row r;
        r.id = c[0];
        r.lonlat = {std::stod(c[1]), std::stod(c[2])};
        r.population = c[3].empty() ? 0.0 : std::stod(c[3]);
        r.healthcare = c[6].empty() ? 0.0 : std::stod(c[6]);
        rows.push_back(r);
    }
    return rows;
}

/** Nearest position on any usable, non-island edge, by checking every segment. */
struct BruteSnap {
    EdgeId edge = invalid_edge;
    double offset = 0;
    double distance = INFINITY;
};

BruteSnap brute_snap(const RoadGraph& g, const std::vector<std::uint8_t>& usable, Point p) {
    BruteSnap best;
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        if (!usable[e]) continue;
        const Point* pts = g.shape_begin(e);
        double walked = 0;
        for (std::uint32_t i = 0; i + 1 < g.shape_size(e); ++i) {
            const double dx = pts[i + 1].x - pts[i].x, dy = pts[i + 1].y - pts[i].y;
            const double len2 = dx * dx + dy * dy, len = std::sqrt(len2);
            const double t =
                len2 > 0
                    ? std::clamp(((p.x - pts[i].x) * dx + (p.y - pts[i].y) * dy) / len2, 0.0, 1.0)
                    : 0;
            const double d = std::hypot(pts[i].x + t * dx - p.x, pts[i].y + t * dy - p.y);
            if (d < best.distance) best = {e, walked + t * len, d};
            walked += len;
        }
    }
    return best;
}

}  // namespace

TEST_CASE("coverage on Porto Alegre equals an independent computation", "[coverage][real]") {
    const std::string net_path = data_dir + "/osm/porto_alegre.osm.pbf";
    const std::string csv = data_dir + "/osm/porto_alegre_hexgrid.csv";
    if (!std::filesystem::exists(net_path) || !std::filesystem::exists(csv)) {
        WARN("skipped: ../shared/data/osm/porto_alegre* not found");
        return;
    }
    io::NetworkOptions no;
    no.profiles = {default_profile(Mode::walk)};
    const io::Network net = io::load_network(net_path, no);
    const RoadGraph& g = net.graph;
    const ProfileId walk = g.profile_id(Mode::walk, Direction::backward);
    const ProfileData& pd = g.profile(walk);
    const double access_mps = kmh_to_mps(pd.settings.access_walk_speed_kmh);

    const std::vector<Row> rows = read_hexgrid(csv);
    REQUIRE(rows.size() == 1227);
    std::vector<Point> all_xy;
    for (const Row& r : rows) all_xy.push_back(r.lonlat);
    net.to_work(all_xy);

    // The library: facilities = hexagons with healthcare, demand read by io::read_demand.
    std::vector<Point> fac_xy;
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].healthcare > 0) fac_xy.push_back(all_xy[i]);
    REQUIRE(fac_xy.size() > 50);
    const Snapper snapper(g, walk, SnapOptions{});
    const std::vector<Snap> fac_snaps = snapper.snap_all(fac_xy);
    io::DemandReadOptions dro;
    dro.weight_fields = {"population"};
    const io::DemandSet demand = io::read_demand(csv, dro, net);
    const std::vector<Snap> dem_snaps = snapper.snap_all(demand.xy);
    planners::Standard standard;
    standard.max_seconds = 15 * 60.0;
    const planners::CoverageResult r = planners::coverage(
        g, walk, nullptr, SourceSet::from_snaps(fac_snaps), nullptr, dem_snaps, standard);

    // Independently: islands are components with less than 1000 m of road (never the largest).
    std::vector<std::uint8_t> usable(g.edge_count(), 0);
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        const bool allowed = pd.arc_seconds[g.edge_forward_arc[e]] != forbidden_arc ||
                             pd.arc_seconds[g.edge_backward_arc[e]] != forbidden_arc;
        const std::uint32_t c = pd.node_component[g.edge_from[e]];
        usable[e] = allowed && c != invalid_index && (c == 0 || pd.component_road_m[c] >= 1000.0);
    }
    using BGraph =
        boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                              boost::property<boost::edge_weight_t, double>>;
    const std::size_t n = g.node_count();
    BGraph bg(n + 1);
    // Walking is symmetric, so "to the facility" is a plain search from the facilities.
    for (NodeId v = 0; v < n; ++v)
        for (ArcId a = g.first_out[v]; a < g.first_out[v + 1]; ++a)
            if (pd.arc_seconds[a] != forbidden_arc)
                boost::add_edge(v, g.head[a], pd.arc_seconds[a], bg);
    std::vector<BruteSnap> fsn;
    for (const Point& p : fac_xy) {
        const BruteSnap s = brute_snap(g, usable, p);
        fsn.push_back(s);
        if (s.distance > 500) continue;
        const double len = g.edge_length_m[s.edge];
        const double rate =
            pd.arc_seconds[g.edge_forward_arc[s.edge]] / len;  // walking: same both ways
        const double start = s.distance / access_mps;
        boost::add_edge(n, g.edge_to[s.edge], start + rate * (len - s.offset), bg);
        boost::add_edge(n, g.edge_from[s.edge], start + rate * s.offset, bg);
    }
    std::vector<double> dist(n + 1, INFINITY);
    boost::dijkstra_shortest_paths(
        bg, n,
        boost::distance_map(
            boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, bg)))
            .distance_inf(std::numeric_limits<double>::infinity()));

    double covered_lib = 0, covered_brute = 0, total = 0;
    std::size_t compared = 0;
    for (std::size_t i = 0; i < demand.xy.size(); ++i) {
        const BruteSnap s = brute_snap(g, usable, demand.xy[i]);
        const double w = demand.weights[0][i];
        total += w;
        double t = INFINITY;
        if (s.distance <= 500) {
            const double len = g.edge_length_m[s.edge];
            const double rate = pd.arc_seconds[g.edge_forward_arc[s.edge]] / len;
            t = std::min(dist[g.edge_from[s.edge]] + rate * s.offset,
                         dist[g.edge_to[s.edge]] + rate * (len - s.offset));
            for (std::size_t f = 0; f < fsn.size(); ++f)  // a facility on the same road
                if (fsn[f].edge == s.edge && fsn[f].distance <= 500)
                    t = std::min(t, fsn[f].distance / access_mps +
                                        rate * std::abs(fsn[f].offset - s.offset));
            t += s.distance / access_mps;
        }
        const Seconds lib = r.by_time.seconds[i];
        if (std::isfinite(t)) {
            INFO("point " << i << " brute edge " << s.edge << " at " << s.distance << " m, t " << t
                          << "; library snap " << dem_snaps[i].position.edge << " at "
                          << dem_snaps[i].distance << " m, failure " << int(dem_snaps[i].failure));
            REQUIRE(lib != unreachable);
            CHECK(lib == Approx(t).margin(0.05));
            ++compared;
        } else {
            CHECK(lib == unreachable);
        }
        if (t <= standard.max_seconds) covered_brute += w;
        if (r.covered[i]) covered_lib += w;
    }
    CHECK(compared > 1000);
    CHECK(total == Approx(812935.0));
    // Points within 0.05 s of the limit could fall either way; there are none or almost none.
    CHECK(covered_lib == Approx(covered_brute).epsilon(1e-4));
    const planners::Figures f = planners::figures(r, demand.weights[0]);
    CHECK(f.covered == Approx(covered_lib));
    CHECK(f.share > 0.5);
}
