#include "core/matrix.hpp"

#include <atomic>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "core/search.hpp"

namespace lifecircle {

namespace {

/** Stops an unbounded search once every end node of every target edge is settled. */
struct StopWhenTargetsSettled {
    const std::vector<std::uint8_t>* is_target_node;
    std::size_t remaining;
    bool on_settle(NodeId v, Seconds /*t*/) {
        if ((*is_target_node)[v] && --remaining == 0) return false;
        return true;
    }
};

}  // namespace

std::vector<std::vector<MatrixEntry>> travel_time_matrix(const RoadGraph& graph, std::size_t profile,
                                                         std::span<const Snap> origins,
                                                         std::span<const Snap> targets,
                                                         const MatrixOptions& options) {
    std::vector<std::vector<MatrixEntry>> rows(origins.size());
    std::vector<std::uint8_t> is_target_node(graph.node_count(), 0);
    std::size_t target_nodes = 0;
    for (const Snap& t : targets) {
        if (!t.ok()) continue;
        for (NodeId v : {graph.edge_from[t.position.edge], graph.edge_to[t.position.edge]}) {
            if (!is_target_node[v]) {
                is_target_node[v] = 1;
                ++target_nodes;
            }
        }
    }
    const bool bounded = options.cutoff != unreachable;
    tbb::enumerable_thread_specific<SearchWorkspace> workspaces([&] { return SearchWorkspace(graph.node_count()); });
    std::atomic<std::size_t> done{0};
    auto search_origin = [&](std::size_t i) {
        const Snap& o = origins[i];
        SearchWorkspace& ws = workspaces.local();
        const Seed seed = Snapper::seed(o, 0);
        const std::span<const Seed> seeds(&seed, 1);
        if (bounded) {
            search(graph, profile, seeds, options.cutoff, ws);
        } else {
            search(graph, profile, seeds, unreachable, ws, StopWhenTargetsSettled{&is_target_node, target_nodes});
        }
        std::vector<MatrixEntry>& row = rows[i];
        for (std::uint32_t j = 0; j < targets.size(); ++j) {
            const Snap& t = targets[j];
            if (!t.ok()) continue;
            const Seconds s = time_to(graph, profile, ws, t.position) + t.access_seconds;
            if (s != unreachable && s <= options.cutoff) row.push_back({j, static_cast<float>(s)});
        }
    };
    auto run_origin = [&](std::size_t i) {
        if (origins[i].ok()) search_origin(i);
        const std::size_t n = ++done;
        if (options.progress && (n % 64 == 0 || n == origins.size())) options.progress(n, origins.size());
    };
    const int threads = options.threads ? static_cast<int>(options.threads) : tbb::task_arena::automatic;
    tbb::task_arena arena(threads);
    arena.execute([&] { tbb::parallel_for(std::size_t{0}, origins.size(), run_origin); });
    return rows;
}

}  // namespace lifecircle
