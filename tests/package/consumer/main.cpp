// Builds a two-edge road, runs one search and a coverage query through the installed headers, and
// solves a two-column MIP (so CBC must link through the installed package).
#include <cstdio>

#include "core/graph.hpp"
#include "core/search.hpp"
#include "core/snap.hpp"
#include "core/time_table.hpp"
#include "planners/coverage.hpp"
#include "planners/mip.hpp"

int main() {
    using namespace lifecircle;
    RawNetwork raw;
    raw.nodes = {{0, 0}, {100, 0}, {200, 0}};
    RawEdge e;
    e.attributes.road_class = RoadClass::residential;
    const Point ab[] = {{0, 0}, {100, 0}};
    const Point bc[] = {{100, 0}, {200, 0}};
    e.from = 0;
    e.to = 1;
    raw.add_edge(e, ab);
    e.from = 1;
    e.to = 2;
    raw.add_edge(e, bc);
    BuildOptions options;
    options.profiles = {default_profile(Mode::walk, 3.6)};
    const RoadGraph g = build_graph(std::move(raw), options);
    const ProfileId walk = g.profile_id(Mode::walk);
    const Snapper snapper(g, walk, SnapOptions{});
    const std::vector<Point> f{{0, 0}};
    const std::vector<Point> h{{200, 0}};
    planners::Standard standard;
    standard.max_seconds = 300;
    const planners::CoverageResult r = planners::coverage(
        g, walk, nullptr, SourceSet::from_snaps(snapper.snap_all(f)), nullptr, snapper.snap_all(h), standard);
    std::printf("%.1f s, covered %d\n", r.by_time.seconds[0], int(r.covered[0]));
    // max 3a + 2b subject to a + b <= 1, a and b binary: a = 1, objective 3.
    planners::Mip mip(planners::Sense::maximise);
    const std::uint32_t cols[] = {mip.add_column(3, 0, 1, true), mip.add_column(2, 0, 1, true)};
    const double coefs[] = {1, 1};
    mip.add_row(cols, coefs, planners::RowType::less_equal, 1);
    const planners::MipResult m = mip.solve(planners::MipOptions{});
    std::printf("mip %s, objective %.1f\n", planners::to_string(m.status), m.objective);
    const bool mip_ok = m.status == planners::MipStatus::optimal && m.objective > 2.9 && m.objective < 3.1;
    return r.by_time.seconds[0] > 199.0 && r.by_time.seconds[0] < 201.0 && r.covered[0] == 1 && mip_ok ? 0 : 1;
}
