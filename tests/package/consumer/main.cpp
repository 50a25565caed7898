// Builds a two-edge road, runs one search and a coverage query through the installed headers.
#include <cstdio>

#include "core/graph.hpp"
#include "core/search.hpp"
#include "core/snap.hpp"
#include "core/time_table.hpp"
#include "planners/coverage.hpp"

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
    return r.by_time.seconds[0] > 199.0 && r.by_time.seconds[0] < 201.0 && r.covered[0] == 1 ? 0 : 1;
}
