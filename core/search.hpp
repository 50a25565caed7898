#pragma once
/**
 * One bounded Dijkstra with hooks. Isochrones, nearest-facility labels, catchments and OD
 * matrices all run this search: it starts from positions part-way along edges (several at once,
 * each with its own start time and origin label), stops at a cutoff or when a hook says so, and
 * answers exact times at any position on any edge afterwards.
 */

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <span>
#include <vector>

#include "core/graph.hpp"
#include "core/types.hpp"

namespace lifecircle {

/** A place on the network: `offset` metres along edge `edge`'s geometry from its `from` node. */
struct EdgePosition {
    EdgeId edge = invalid_edge;
    Meters offset = 0.0;
};

/** Where a search starts: a position, the time already spent (access walk, delay) and a label. */
struct Seed {
    EdgePosition position;
    Seconds start = 0.0;
    std::uint32_t origin = 0;
};

namespace detail {

/**
 * Indexed 4-ary min-heap over node ids; positions live in the workspace so reset is O(1).
 * Keys are floats (8-byte items, twice as many per cache line); the exact double label lives
 * in the workspace, so float rounding can only reorder nodes whose times differ by < 1 ms.
 */
class NodeHeap {
public:
    struct Item {
        float key;
        NodeId node;
    };
    static constexpr std::uint32_t settled_pos = 0xFFFFFFFEu;

    bool empty() const { return m_items.empty(); }
    void clear() { m_items.clear(); }
    std::size_t size() const { return m_items.size(); }

    void push(NodeId v, Seconds key, std::uint32_t* pos) {
        m_items.push_back({static_cast<float>(key), v});
        sift_up(static_cast<std::uint32_t>(m_items.size() - 1), pos);
    }
    void decrease(NodeId v, Seconds key, std::uint32_t* pos) {
        const std::uint32_t i = pos[v];
        m_items[i].key = static_cast<float>(key);
        sift_up(i, pos);
    }
    Item pop(std::uint32_t* pos) {
        const Item top = m_items.front();
        pos[top.node] = settled_pos;
        const Item last = m_items.back();
        m_items.pop_back();
        if (!m_items.empty()) {
            m_items.front() = last;
            pos[last.node] = 0;
            sift_down(0, pos);
        }
        return top;
    }

private:
    void sift_up(std::uint32_t i, std::uint32_t* pos) {
        const Item x = m_items[i];
        while (i > 0) {
            const std::uint32_t parent = (i - 1) / 4;
            if (!(x.key < m_items[parent].key)) break;
            m_items[i] = m_items[parent];
            pos[m_items[i].node] = i;
            i = parent;
        }
        m_items[i] = x;
        pos[x.node] = i;
    }
    void sift_down(std::uint32_t i, std::uint32_t* pos) {
        const Item x = m_items[i];
        const auto n = static_cast<std::uint32_t>(m_items.size());
        for (;;) {
            const std::uint32_t first = 4 * i + 1;
            if (first >= n) break;
            const std::uint32_t last = std::min(first + 4, n);
            // The smallest of up to four children, written so the compiler can use
            // conditional moves: which child wins is unpredictable, a branch mispredicts often.
            std::uint32_t best = first;
            float best_key = m_items[first].key;
            for (std::uint32_t c = first + 1; c < last; ++c) {
                const float k = m_items[c].key;
                const bool smaller = k < best_key;
                best = smaller ? c : best;
                best_key = smaller ? k : best_key;
            }
            if (!(best_key < x.key)) break;
            m_items[i] = m_items[best];
            pos[m_items[i].node] = i;
            i = best;
        }
        m_items[i] = x;
        pos[x.node] = i;
    }

    std::vector<Item> m_items;
};

}  // namespace detail

class SearchWorkspace;

/** Hooks that never stop a search early. */
struct NoHooks {
    /** Called when node `v` is settled at time `t`; return false to stop the search. */
    bool on_settle(NodeId /*v*/, Seconds /*t*/) { return true; }
};

/**
 * Runs the search on `profile` from `seeds`. Labels above `cutoff` are never made, so every
 * node with time <= cutoff is settled when the search ends (unless a hook stopped it). With a
 * Direction::backward profile the labels are times from each node *to* the nearest seed.
 * Hooks is any type with `bool on_settle(NodeId, Seconds)`; it is a template parameter so the
 * call is inlined in the hot loop.
 */
template <class Hooks = NoHooks>
void search(const RoadGraph& graph, ProfileId profile, std::span<const Seed> seeds, Seconds cutoff,
            SearchWorkspace& ws, Hooks&& hooks = Hooks{});

/**
 * Buffers of one search: labels, parents, origins, heap. Reused across searches and reset in
 * O(1) with a timestamp. One per thread; never shared between threads.
 */
class SearchWorkspace {
public:
    /** A workspace for a graph of `node_count` nodes. */
    explicit SearchWorkspace(std::size_t node_count)
        : m_labels(node_count), m_pos(node_count), m_parent(node_count) {}

    /** Final travel time to a node settled by the last search; unreachable otherwise. */
    Seconds node_time(NodeId v) const { return is_settled(v) ? m_labels[v].dist : unreachable; }
    /** Whether the last search settled the node (its time is final). */
    bool is_settled(NodeId v) const {
        return m_labels[v].stamp == m_now && m_pos[v] == detail::NodeHeap::settled_pos;
    }
    /** Origin label of the seed that reached a settled node first. */
    std::uint32_t node_origin(NodeId v) const { return m_labels[v].origin; }
    /** Arc by which a settled node was reached; invalid_arc for a node reached from a seed. */
    ArcId parent_arc(NodeId v) const { return m_parent[v]; }
    /** Nodes in the order the last search settled them. */
    std::span<const NodeId> settled() const { return m_settled; }
    /** Seeds of the last search, sorted by edge. */
    std::span<const Seed> seeds() const { return m_seeds; }
    /** Seeds of the last search that lie on edge `e`. */
    std::span<const Seed> seeds_on(EdgeId e) const {
        auto lo = std::lower_bound(m_seeds.begin(), m_seeds.end(), e,
                                   [](const Seed& s, EdgeId id) { return s.position.edge < id; });
        auto hi = lo;
        while (hi != m_seeds.end() && hi->position.edge == e) ++hi;
        return {lo, hi};
    }
    std::size_t node_count() const { return m_labels.size(); }
    /** The cutoff of the last search: nothing beyond it counts as reached. */
    Seconds cutoff() const { return m_cutoff; }
    /** The profile (and direction) of the last search: reading its times uses these weights. */
    ProfileId profile() const { return m_profile; }

private:
    template <class Hooks>
    friend void search(const RoadGraph&, ProfileId, std::span<const Seed>, Seconds,
                       SearchWorkspace&, Hooks&&);

    /** What a relaxation reads about a node: 16 bytes, four to a cache line. */
    struct Label {
        Seconds dist = 0.0;
        std::uint32_t origin = 0;
        std::uint32_t stamp = 0;
    };

    void start() {
        if (++m_now == 0) {  // wrapped after 4 billion searches: clear for real once
            for (Label& l : m_labels) l.stamp = 0;
            m_now = 1;
        }
        m_heap.clear();
        m_settled.clear();
    }
    /** Offers a label; returns true if it improved the node. */
    bool offer(NodeId v, Seconds t, ArcId parent, std::uint32_t origin) {
        Label& l = m_labels[v];
        if (l.stamp != m_now) {
            l = {t, origin, m_now};
            m_parent[v] = parent;
            m_heap.push(v, t, m_pos.data());
            return true;
        }
        if (t < l.dist && m_pos[v] != detail::NodeHeap::settled_pos) {
            l.dist = t;
            l.origin = origin;
            m_parent[v] = parent;
            m_heap.decrease(v, t, m_pos.data());
            return true;
        }
        return false;
    }

    std::vector<Label> m_labels;
    std::vector<std::uint32_t>
        m_pos;                    ///< heap position, or settled_pos; valid where stamp is current
    std::vector<ArcId> m_parent;  ///< written on improvement only, read for paths
    std::uint32_t m_now = 0;
    Seconds m_cutoff = unreachable;
    ProfileId m_profile;
    detail::NodeHeap m_heap;
    std::vector<NodeId> m_settled;
    std::vector<Seed> m_seeds;
};

template <class Hooks>
void search(const RoadGraph& graph, ProfileId profile, std::span<const Seed> seeds, Seconds cutoff,
            SearchWorkspace& ws, Hooks&& hooks) {
    assert(ws.node_count() == graph.node_count());
    // Backward: relaxing v->u with the time of u->v. The seed legs below then come out as the
    // times from each end node to the seed, by the same formulas.
    const float* weight = graph.arc_weights(profile);
    const ArcId* first_out = graph.first_out.data();
    const NodeId* head = graph.head.data();
    ws.start();
    ws.m_cutoff = cutoff;
    ws.m_profile = profile;
    ws.m_seeds.assign(seeds.begin(), seeds.end());
    std::stable_sort(ws.m_seeds.begin(), ws.m_seeds.end(), [](const Seed& a, const Seed& b) {
        return a.position.edge < b.position.edge;
    });

    for (const Seed& s : ws.m_seeds) {
        const EdgeId e = s.position.edge;
        const double len = graph.edge_length_m[e];
        const double off = std::clamp(s.position.offset, 0.0, len);
        const float tf = weight[graph.edge_forward_arc[e]];
        const float tb = weight[graph.edge_backward_arc[e]];
        if (tf != forbidden_arc) {
            const Seconds t = s.start + tf * ((len - off) / len);
            if (t <= cutoff) ws.offer(graph.edge_to[e], t, invalid_arc, s.origin);
        }
        if (tb != forbidden_arc) {
            const Seconds t = s.start + tb * (off / len);
            if (t <= cutoff) ws.offer(graph.edge_from[e], t, invalid_arc, s.origin);
        }
        // A seed exactly at a node is at that node, whichever way the edge may be driven.
        if (off == 0.0 && s.start <= cutoff)
            ws.offer(graph.edge_from[e], s.start, invalid_arc, s.origin);
        if (off == len && s.start <= cutoff)
            ws.offer(graph.edge_to[e], s.start, invalid_arc, s.origin);
    }

    while (!ws.m_heap.empty()) {
        const NodeId v = ws.m_heap.pop(ws.m_pos.data()).node;
        const Seconds d = ws.m_labels[v].dist;
        ws.m_settled.push_back(v);
        if (!hooks.on_settle(v, d)) break;
        const std::uint32_t origin = ws.m_labels[v].origin;
        for (ArcId a = first_out[v], end = first_out[v + 1]; a < end; ++a) {
            const float w = weight[a];
            if (w == forbidden_arc) continue;
            const Seconds t = d + w;
            if (t > cutoff) continue;
            ws.offer(head[a], t, a, origin);
        }
    }
}

/**
 * Exact travel time from the last search's seeds to a position (to the seeds from it, after a
 * backward search), with the profile that search used, combining both end nodes and any seed
 * on the same edge (a target just down the road from its source). Returns `unreachable` if
 * the position was not reached within the search's cutoff; `origin` receives the winning
 * seed's label.
 */
Seconds time_to(const RoadGraph& graph, const SearchWorkspace& ws, EdgePosition target,
                std::uint32_t* origin = nullptr);

/** Nodes of the shortest path to a settled node, from the seed's first node to `v`. */
std::vector<NodeId> path_to(const RoadGraph& graph, const SearchWorkspace& ws, NodeId v);

}  // namespace lifecircle
