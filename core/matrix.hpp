#pragma once
/** Many-to-many travel times between two point sets: a time table from snapped points. */

#include <functional>
#include <span>

#include "core/graph.hpp"
#include "core/snap.hpp"
#include "core/time_table.hpp"

namespace lifecircle {

/** Options of a matrix computation. */
struct MatrixOptions {
    /** Keep pairs up to this total time (access walks included); unreachable = all pairs. */
    Seconds cutoff = unreachable;
    /** Worker threads; 0 = all cores. */
    unsigned threads = 0;
    /** Called now and then with (origins done, origins total); may be called from any thread. */
    std::function<void(std::size_t, std::size_t)> progress;
    /** Polled before every origin; true stops the work with Cancelled (ParallelOptions). */
    std::function<bool()> cancelled;
};

/**
 * Travel times from every snapped origin to every snapped target, including the access walks
 * at both ends. Row i holds origin i's reachable targets in target order; rows of unsnapped
 * origins are empty and unsnapped targets never appear. Deterministic whatever the thread count.
 */
TimeTable travel_time_matrix(const RoadGraph& graph, ProfileId profile,
                             std::span<const Snap> origins, std::span<const Snap> targets,
                             const MatrixOptions& options = {});

}  // namespace lifecircle
