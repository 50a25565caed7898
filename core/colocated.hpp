#pragma once
/**
 * One rule for a resident and a facility at the same place, in every verb: a pair of a source
 * and a target with identical coordinates (a resident of the clinic's own building) takes no
 * time but the source's delay. Nobody walks to the road and back. Pairs at different places,
 * however close, travel by the network with both access walks.
 */

#include <cstdint>
#include <span>
#include <vector>

#include "core/snap.hpp"
#include "core/time_table.hpp"
#include "core/types.hpp"

namespace lifecircle {

/** A source and a target at identical coordinates. */
struct Colocated {
    std::uint32_t source = 0;
    std::uint32_t target = 0;
    friend bool operator==(const Colocated&, const Colocated&) = default;
};

/**
 * Every pair of a snapped source and a snapped target with identical coordinates, sorted by
 * (source, target). `source_snaps`/`target_snaps` may be empty (= all snapped).
 */
std::vector<Colocated> colocated_pairs(std::span<const Point> sources, std::span<const Snap> source_snaps,
                                       std::span<const Point> targets, std::span<const Snap> target_snaps);

/**
 * The table (rows = sources, columns = targets) with each colocated pair's time set to the
 * source's start `start[source]` (0 when `start` is empty) when that is within `cutoff` and the
 * source's own `source_cutoff` (empty = none); entries are added where the table lacked them.
 */
TimeTable with_colocated(const TimeTable& table, std::span<const Colocated> pairs, std::span<const Seconds> start,
                         Seconds cutoff, std::span<const Seconds> source_cutoff = {});

}  // namespace lifecircle
