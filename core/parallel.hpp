#pragma once
/**
 * The one parallel driver: run a piece of work per item (a search per source, a polygon per
 * break) on a fixed number of threads, each thread with its own reusable worker state (a
 * SearchWorkspace, a GEOS context), reporting progress. Results are written by item index, so
 * they are the same whatever the thread count.
 */

#include <atomic>
#include <cstddef>
#include <functional>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "core/error.hpp"
#include "core/graph.hpp"
#include "core/search.hpp"

namespace lifecircle {

/** How parallel work runs. */
struct ParallelOptions {
    /** Worker threads; 0 = all cores. */
    unsigned threads = 0;
    /** Called now and then with (items done, items total); may be called from any thread. */
    std::function<void(std::size_t, std::size_t)> progress;
    /** Report progress every this many items (and at the end). */
    std::size_t progress_every = 1;
    /** Polled before every item; once it returns true the remaining items are skipped and
        parallel_for_each() throws Cancelled. Empty = never cancelled. */
    std::function<bool()> cancelled;
};

/**
 * Calls `work(i, worker)` for every i in [0, count), in parallel; `worker` is this thread's
 * object made by `make_worker()` (made lazily, once per thread, reused across items).
 */
template <class MakeWorker, class Work>
void parallel_for_each(std::size_t count, const ParallelOptions& options, MakeWorker&& make_worker,
                       Work&& work) {
    using Worker = decltype(make_worker());
    tbb::enumerable_thread_specific<Worker> workers([&] { return make_worker(); });
    std::atomic<std::size_t> done{0};
    std::atomic<bool> stop{false};
    const std::size_t every = options.progress_every ? options.progress_every : 1;
    const int threads =
        options.threads ? static_cast<int>(options.threads) : tbb::task_arena::automatic;
    tbb::task_arena arena(threads);
    arena.execute([&] {
        tbb::parallel_for(std::size_t{0}, count, [&](std::size_t i) {
            if (stop.load(std::memory_order_relaxed)) return;
            if (options.cancelled && options.cancelled()) {
                stop = true;
                return;
            }
            work(i, workers.local());
            const std::size_t n = ++done;
            if (options.progress && (n % every == 0 || n == count)) options.progress(n, count);
        });
    });
    if (stop) throw Cancelled();
}

/** parallel_for_each() with one SearchWorkspace per thread: `work(i, workspace)`. */
template <class Work>
void for_each_search(const RoadGraph& graph, std::size_t count, const ParallelOptions& options,
                     Work&& work) {
    parallel_for_each(
        count, options, [&] { return SearchWorkspace(graph.node_count()); },
        std::forward<Work>(work));
}

}  // namespace lifecircle
