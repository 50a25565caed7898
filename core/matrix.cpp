#include "core/matrix.hpp"

namespace lifecircle {

TimeTable travel_time_matrix(const RoadGraph& graph, ProfileId profile,
                             std::span<const Snap> origins, std::span<const Snap> targets,
                             const MatrixOptions& options) {
    TableOptions table;
    table.cutoff = options.cutoff;
    table.parallel.threads = options.threads;
    table.parallel.progress = options.progress;
    table.parallel.progress_every = 64;
    table.parallel.cancelled = options.cancelled;
    return time_table(graph, profile, SourceSet::from_snaps(origins), TargetIndex(graph, targets),
                      table);
}

}  // namespace lifecircle
