#include "planners/gaps.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <utility>

namespace lifecircle::planners {

namespace {
const double sqrt3 = std::sqrt(3.0);
}

HexCell hex_cell(Point p, double hex_m) {
    if (!(hex_m > 0)) throw std::invalid_argument("hex_cell: the hexagon size must be positive");
    const double size = hex_m / sqrt3;  // centre to corner
    // Fractional axial coordinates of a pointy-topped grid, then cube rounding.
    const double qf = (sqrt3 / 3.0 * p.x - 1.0 / 3.0 * p.y) / size;
    const double rf = (2.0 / 3.0 * p.y) / size;
    const double sf = -qf - rf;
    double q = std::round(qf), r = std::round(rf), s = std::round(sf);
    const double dq = std::abs(q - qf), dr = std::abs(r - rf), ds = std::abs(s - sf);
    if (dq > dr && dq > ds) {
        q = -r - s;
    } else if (dr > ds) {
        r = -q - s;
    }
    HexCell c;
    c.q = static_cast<std::int64_t>(q);
    c.r = static_cast<std::int64_t>(r);
    c.centre = {size * sqrt3 * (q + r / 2.0), size * 1.5 * r};
    return c;
}

std::array<Point, 6> hex_corners(const HexCell& cell, double hex_m) {
    const double size = hex_m / sqrt3;
    std::array<Point, 6> out;
    for (int k = 0; k < 6; ++k) {
        const double a = (60.0 * k + 30.0) * std::acos(-1.0) / 180.0;
        out[static_cast<std::size_t>(k)] = {cell.centre.x + size * std::cos(a),
                                            cell.centre.y + size * std::sin(a)};
    }
    return out;
}

std::vector<GapCell> gap_cells(const CoverageResult& result, std::span<const Point> xy,
                               std::span<const std::vector<double>> group_weights,
                               std::span<const double> unserved, double hex_m) {
    const std::size_t groups = group_weights.size();
    struct Acc {
        GapCell cell;
        double wm = 0, reached = 0;
        bool any = false;
    };
    std::map<std::pair<std::int64_t, std::int64_t>, Acc> cells;
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < xy.size(); ++i) {
        const bool covered = result.covered[i] != 0;
        const double unserved_i = unserved.empty() ? 0.0 : unserved[i];
        bool gap = unserved_i > 0;
        for (std::size_t g = 0; g < groups && !gap; ++g) gap = !covered && group_weights[g][i] > 0;
        if (!gap) continue;
        const HexCell h = hex_cell(xy[i], hex_m);
        Acc& a = cells[{h.q, h.r}];
        if (!a.any) {
            a.any = true;
            a.cell.cell = h;
            a.cell.uncovered.assign(groups, 0.0);
            a.cell.max_minutes = nan;
        }
        ++a.cell.points;
        for (std::size_t g = 0; g < groups; ++g)
            if (!covered) a.cell.uncovered[g] += group_weights[g][i];
        a.cell.unserved += unserved_i;
        const Seconds t = result.by_time.seconds[i];
        if (result.status[i] == SnapStatus::ok && t != unreachable) {
            const double m = t / 60.0;
            const double w = groups ? group_weights[0][i] : 1.0;
            a.wm += w * m;
            a.reached += w;
            if (w > 0 && !(m <= a.cell.max_minutes)) a.cell.max_minutes = m;
        }
    }
    std::vector<GapCell> out;
    out.reserve(cells.size());
    for (auto& [key, a] : cells) {
        a.cell.mean_minutes = a.reached > 0 ? a.wm / a.reached : nan;
        out.push_back(std::move(a.cell));
    }
    std::stable_sort(out.begin(), out.end(), [](const GapCell& a, const GapCell& b) {
        const double ua = a.uncovered.empty() ? a.unserved : a.uncovered[0];
        const double ub = b.uncovered.empty() ? b.unserved : b.uncovered[0];
        return ua > ub;
    });
    return out;
}

}  // namespace lifecircle::planners
