#include "planners/coverage.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "core/search.hpp"

namespace lifecircle::planners {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

bool any_own_cutoff(const SourceSet& s) {
    for (std::size_t i = 0; i < s.size(); ++i)
        if (s.cutoff(i) != unreachable && !s.seeds(i).empty()) return true;
    return false;
}

}  // namespace

namespace {

/**
 * Both limits hold for one facility: the nearest facility by time and the nearest by distance
 * may differ (steps slow one route down), so for the points where they do, the pairs within the
 * time limit and within the metres are intersected.
 */
void cover_by_pairs(const RoadGraph& graph, ProfileId profile, ProfileId length_profile, const SourceSet& facilities,
                    const SourceSet& length_facilities, std::span<const Snap> demand, const Standard& standard,
                    const ParallelOptions& parallel, const SamePlace& same_place,
                    std::span<const std::uint32_t> points, CoverageResult& r) {
    std::vector<Snap> only(demand.size()), only_metres(demand.size());
    for (Snap& s : only) s.failure = SnapFailure::too_far;
    for (Snap& s : only_metres) s.failure = SnapFailure::too_far;
    for (const std::uint32_t i : points) {
        only[i] = demand[i];
        only_metres[i] = demand[i];
        only_metres[i].access_seconds = demand[i].distance;
    }
    TableOptions to;
    to.parallel = parallel;
    to.parallel.progress = nullptr;
    to.cutoff = standard.max_seconds;
    TableOptions mo = to;
    mo.cutoff = standard.max_meters;
    std::vector<Colocated> same;
    std::vector<Seconds> start(facilities.size(), 0.0);
    for (const Colocated& c : same_place.pairs)
        if (std::binary_search(points.begin(), points.end(), c.target)) same.push_back(c);
    for (std::size_t f = 0; f < start.size() && !same_place.start.empty(); ++f) start[f] = same_place.start[f];
    std::vector<Seconds> own(facilities.size());
    for (std::size_t f = 0; f < own.size(); ++f) own[f] = facilities.cutoff(f);
    const TimeTable within = intersect(
        with_colocated(time_table(graph, profile, facilities, TargetIndex(graph, only), to), same, start, to.cutoff, own),
        with_colocated(time_table(graph, length_profile, length_facilities, TargetIndex(graph, only_metres), mo), same,
                       {}, mo.cutoff));
    for (std::size_t f = 0; f < within.rows(); ++f)
        for (const TimeEntry& e : within.row(f)) r.covered[e.col] = 1;
}

}  // namespace

Nearest nearest_facility(const RoadGraph& graph, ProfileId profile, const SourceSet& facilities,
                         std::span<const Snap> demand, const ParallelOptions& parallel) {
    Nearest out;
    out.seconds.assign(demand.size(), unreachable);
    out.facility.assign(demand.size(), invalid_index);
    if (any_own_cutoff(facilities)) {
        // Each facility within its own cutoff: one search per facility, then the minimum.
        TableOptions options;
        options.parallel = parallel;
        const TimeTable table =
            time_table(graph, profile, facilities, TargetIndex(graph, demand), options);
        for (std::size_t f = 0; f < table.rows(); ++f) {
            for (const TimeEntry& e : table.row(f)) {
                const Seconds t = e.seconds;
                if (t < out.seconds[e.col]) {  // rows ascend, so ties keep the lower facility
                    out.seconds[e.col] = t;
                    out.facility[e.col] = static_cast<std::uint32_t>(f);
                }
            }
        }
        return out;
    }
    std::vector<Seed> seeds;
    for (std::size_t f = 0; f < facilities.size(); ++f)
        for (Seed s : facilities.seeds(f)) {
            s.origin = static_cast<std::uint32_t>(f);
            seeds.push_back(s);
        }
    if (seeds.empty()) return out;
    SearchWorkspace ws(graph.node_count());
    search(graph, profile, seeds, unreachable, ws);
    const std::size_t n = demand.size();
    ParallelOptions chunks = parallel;
    chunks.progress = nullptr;
    const std::size_t block = 4096;
    parallel_for_each((n + block - 1) / block, chunks, [] { return 0; },
                      [&](std::size_t b, int&) {
                          for (std::size_t i = b * block; i < std::min(n, (b + 1) * block); ++i) {
                              if (!demand[i].ok()) continue;
                              std::uint32_t origin = invalid_index;
                              const Seconds t = time_to(graph, ws, demand[i].position, &origin);
                              if (t == unreachable) continue;
                              // Stored as float like every time table, so both ways give the same
                              // figures.
                              out.seconds[i] = static_cast<float>(t + demand[i].access_seconds);
                              out.facility[i] = origin;
                          }
                      });
    if (parallel.progress) parallel.progress(1, 1);
    return out;
}

std::string_view snap_status_name(SnapStatus status) {
    switch (status) {
        case SnapStatus::ok:
            return "ok";
        case SnapStatus::too_far:
            return "too_far";
        case SnapStatus::island:
            return "island";
        case SnapStatus::outside_network:
            return "outside_network";
    }
    return "ok";
}

SnapStatus snap_status(const Snap& snap) {
    switch (snap.failure) {
        case SnapFailure::none:
            return SnapStatus::ok;
        case SnapFailure::too_far:
            return SnapStatus::too_far;
        case SnapFailure::only_islands:
            return SnapStatus::island;
        case SnapFailure::not_finite:
            return SnapStatus::outside_network;
    }
    return SnapStatus::outside_network;
}

CoverageResult coverage(const RoadGraph& graph, ProfileId profile, const ProfileId* length_profile,
                        const SourceSet& facilities, const SourceSet* length_facilities,
                        std::span<const Snap> demand, const Standard& standard,
                        const ParallelOptions& parallel, const SamePlace& same_place) {
    if (standard.max_meters != unreachable && (!length_profile || !length_facilities))
        throw std::invalid_argument(
            "coverage: a metre limit needs a length profile and its sources");
    CoverageResult r;
    r.standard = standard;
    r.by_time = nearest_facility(graph, profile, facilities, demand, parallel);
    if (length_profile && length_facilities) {
        // Distances count the walk from each point to its road in metres, not seconds.
        std::vector<Snap> in_metres(demand.begin(), demand.end());
        for (Snap& sn : in_metres) sn.access_seconds = sn.distance;
        r.by_length =
            nearest_facility(graph, *length_profile, *length_facilities, in_metres, parallel);
        r.has_length = true;
    }
    for (const Colocated& c : same_place.pairs) {
        const Seconds t = same_place.start.empty() ? 0.0 : same_place.start[c.source];
        if (t > facilities.cutoff(c.source)) continue;
        const auto better = [&](Nearest& n, Seconds value) {
            const Seconds now = n.seconds[c.target];
            if (value < now || (value == now && c.source < n.facility[c.target])) {
                n.seconds[c.target] = static_cast<float>(value);
                n.facility[c.target] = c.source;
            }
        };
        better(r.by_time, t);
        if (r.has_length) better(r.by_length, 0.0);
    }
    r.status.resize(demand.size());
    r.covered.assign(demand.size(), 0);
    std::vector<std::uint32_t> ambiguous;  // both minima within the limits, from two facilities
    for (std::size_t i = 0; i < demand.size(); ++i) {
        r.status[i] = snap_status(demand[i]);
        const bool time_ok =
            r.by_time.seconds[i] != unreachable && r.by_time.seconds[i] <= standard.max_seconds;
        const bool length_ok =
            standard.max_meters == unreachable || (r.by_length.seconds[i] != unreachable &&
                                                   r.by_length.seconds[i] <= standard.max_meters);
        if (time_ok && length_ok && standard.max_meters != unreachable &&
            r.by_time.facility[i] != r.by_length.facility[i]) {
            ambiguous.push_back(static_cast<std::uint32_t>(i));
            continue;
        }
        r.covered[i] = time_ok && length_ok ? 1 : 0;
    }
    if (!ambiguous.empty()) cover_by_pairs(graph, profile, *length_profile, facilities, *length_facilities, demand,
                                           standard, parallel, same_place, ambiguous, r);
    return r;
}

double weighted_gini(std::span<const double> values, std::span<const double> weights) {
    std::vector<std::uint32_t> order(values.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return values[a] < values[b]; });
    double w_total = 0, wx_total = 0;
    for (std::uint32_t i : order) {
        w_total += weights[i];
        wx_total += weights[i] * values[i];
    }
    if (!(w_total > 0)) return nan;
    if (!(wx_total > 0)) return 0.0;  // everyone at 0 minutes: perfectly equal
    // Area under the Lorenz curve by trapezoids: B = Σ w_i (L_{i-1} + L_i) / (2 W), G = 1 - 2B.
    double cum = 0, area = 0;
    for (std::uint32_t i : order) {
        const double prev = cum;
        cum += weights[i] * values[i] / wx_total;
        area += weights[i] / w_total * (prev + cum) / 2.0;
    }
    return std::max(0.0, 1.0 - 2.0 * area);
}

Figures figures(const CoverageResult& result, std::span<const double> weights,
                std::span<const std::uint32_t> points) {
    Figures f;
    std::vector<double> minutes, w;
    double wm = 0, reached = 0;
    f.max_minutes = nan;
    for (std::uint32_t i : points) {
        const double weight = weights[i];
        ++f.points;
        f.total += weight;
        if (result.status[i] != SnapStatus::ok) {
            f.unsnapped += weight;
            continue;
        }
        const Seconds t = result.by_time.seconds[i];
        if (t == unreachable) {
            f.unreachable += weight;
            continue;
        }
        if (result.covered[i]) f.covered += weight;
        const double m = t / 60.0;
        minutes.push_back(m);
        w.push_back(weight);
        wm += weight * m;
        reached += weight;
        if (weight > 0 && !(m <= f.max_minutes)) f.max_minutes = m;
    }
    f.share = f.total > 0 ? f.covered / f.total : 0.0;
    f.mean_minutes = reached > 0 ? wm / reached : nan;
    f.gini_minutes = weighted_gini(minutes, w);
    return f;
}

Figures figures(const CoverageResult& result, std::span<const double> weights) {
    std::vector<std::uint32_t> all(weights.size());
    std::iota(all.begin(), all.end(), 0u);
    return figures(result, weights, all);
}

}  // namespace lifecircle::planners
