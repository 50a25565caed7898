#pragma once
/** Many-to-many travel times: one bounded search per origin, origins in parallel. */

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "core/graph.hpp"
#include "core/snap.hpp"

namespace lifecircle {

/** One reachable target of an origin. */
struct MatrixEntry {
    std::uint32_t target = 0;
    float seconds = 0.0f;
};

/** Options of a matrix computation. */
struct MatrixOptions {
    /** Keep pairs up to this total time (access walks included); unreachable = all pairs. */
    Seconds cutoff = unreachable;
    /** Worker threads; 0 = all cores. */
    unsigned threads = 0;
    /** Called now and then with (origins done, origins total); may be called from any thread. */
    std::function<void(std::size_t, std::size_t)> progress;
};

/**
 * Travel times from every snapped origin to every snapped target, including the access walks
 * at both ends. Row i holds origin i's reachable targets in target order; rows of unsnapped
 * origins are empty and unsnapped targets never appear. Deterministic whatever the thread count.
 */
std::vector<std::vector<MatrixEntry>> travel_time_matrix(const RoadGraph& graph, std::size_t profile,
                                                         std::span<const Snap> origins,
                                                         std::span<const Snap> targets,
                                                         const MatrixOptions& options = {});

}  // namespace lifecircle
