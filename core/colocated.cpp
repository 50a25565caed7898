#include "core/colocated.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace lifecircle {

std::vector<Colocated> colocated_pairs(std::span<const Point> sources, std::span<const Snap> source_snaps,
                                       std::span<const Point> targets, std::span<const Snap> target_snaps) {
    std::map<std::pair<double, double>, std::vector<std::uint32_t>> targets_at;
    for (std::size_t j = 0; j < targets.size(); ++j)
        if (target_snaps.empty() || target_snaps[j].ok())
            targets_at[{targets[j].x, targets[j].y}].push_back(static_cast<std::uint32_t>(j));
    std::vector<Colocated> out;
    if (targets_at.empty()) return out;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        if (!source_snaps.empty() && !source_snaps[i].ok()) continue;
        const auto same = targets_at.find({sources[i].x, sources[i].y});
        if (same == targets_at.end()) continue;
        for (const std::uint32_t j : same->second) out.push_back({static_cast<std::uint32_t>(i), j});
    }
    return out;
}

TimeTable with_colocated(const TimeTable& table, std::span<const Colocated> pairs, std::span<const Seconds> start,
                         Seconds cutoff, std::span<const Seconds> source_cutoff) {
    if (pairs.empty()) return table;
    std::vector<std::vector<TimeEntry>> rows(table.rows());
    for (std::size_t i = 0; i < table.rows(); ++i) {
        const std::span<const TimeEntry> row = table.row(i);
        rows[i].assign(row.begin(), row.end());
    }
    for (const Colocated& c : pairs) {
        const Seconds t = start.empty() ? 0.0 : start[c.source];
        const Seconds own = source_cutoff.empty() ? unreachable : source_cutoff[c.source];
        if (t > cutoff || t > own) continue;
        std::vector<TimeEntry>& row = rows[c.source];
        auto at = std::lower_bound(row.begin(), row.end(), c.target,
                                   [](const TimeEntry& e, std::uint32_t col) { return e.col < col; });
        if (at != row.end() && at->col == c.target)
            at->seconds = std::min(at->seconds, static_cast<float>(t));
        else
            row.insert(at, TimeEntry{c.target, static_cast<float>(t)});
    }
    return TimeTable(std::move(rows), table.cols());
}

}  // namespace lifecircle
