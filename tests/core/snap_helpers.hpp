#pragma once
/** Test helpers over snapping: random snapped points, and one-search oracle times. */

#include <random>
#include <span>
#include <vector>

#include "core/graph.hpp"
#include "core/search.hpp"
#include "core/snap.hpp"

namespace lifecircle::test {

/** `count` random points over a 2 km square snapped, plus one point that never snaps. */
inline std::vector<Snap> snap_random(const Snapper& snapper, std::mt19937& rng, int count) {
    std::uniform_real_distribution<double> coord(-50.0, 1950.0);
    std::vector<Point> points;
    for (int i = 0; i < count; ++i) points.push_back({coord(rng), coord(rng)});
    points.push_back({1e6, 1e6});
    return snapper.snap_all(points);
}

/** Time from a to b: a forward search from a alone (no delay), read at b, plus b's access walk. */
inline Seconds forward_time(const RoadGraph& g, ProfileId p, const Snap& a, const Snap& b, SearchWorkspace& ws) {
    const Seed s = Snapper::seed(a, 0);
    search(g, p.forward(), std::span<const Seed>(&s, 1), unreachable, ws);
    return time_to(g, ws, b.position) + b.access_seconds;
}

}  // namespace lifecircle::test
