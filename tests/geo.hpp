#pragma once
/** Plain spherical geometry for tests: independent of PROJ, good to a few tenths of a percent. */

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

namespace lifecircle::test {

/** Great-circle distance in metres on the WGS 84 mean sphere (haversine). */
inline double haversine_m(double lon1, double lat1, double lon2, double lat2) {
    constexpr double r = 6371008.8;
    constexpr double rad = std::numbers::pi / 180.0;
    const double dlat = (lat2 - lat1) * rad;
    const double dlon = (lon2 - lon1) * rad;
    const double h =
        std::sin(dlat / 2) * std::sin(dlat / 2) +
        std::cos(lat1 * rad) * std::cos(lat2 * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * r * std::asin(std::min(1.0, std::sqrt(h)));
}

/** Even-odd point-in-polygon test on a ring of (x, y) or (lon, lat). */
inline bool inside_ring(const std::vector<std::pair<double, double>>& ring, double x, double y) {
    bool inside = false;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const auto [xi, yi] = ring[i];
        const auto [xj, yj] = ring[j];
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
}

}  // namespace lifecircle::test
