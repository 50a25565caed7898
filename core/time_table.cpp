#include "core/time_table.hpp"

#include <stdexcept>

#include <algorithm>

namespace lifecircle {

TimeTable::TimeTable(std::vector<std::vector<TimeEntry>>&& rows, std::size_t cols) : m_cols(cols) {
    std::size_t total = 0;
    for (const auto& r : rows) total += r.size();
    m_first.reserve(rows.size() + 1);
    m_entries.reserve(total);
    for (auto& r : rows) {
        m_entries.insert(m_entries.end(), r.begin(), r.end());
        m_first.push_back(m_entries.size());
        std::vector<TimeEntry>().swap(r);
    }
}

Seconds TimeTable::at(std::size_t row_index, std::uint32_t col) const {
    const std::span<const TimeEntry> r = row(row_index);
    const auto it = std::lower_bound(r.begin(), r.end(), col,
                                     [](const TimeEntry& e, std::uint32_t c) { return e.col < c; });
    return it != r.end() && it->col == col ? Seconds(it->seconds) : unreachable;
}

TimeTable TimeTable::transposed() const {
    TimeTable t;
    t.m_cols = rows();
    t.m_first.assign(m_cols + 1, 0);
    for (const TimeEntry& e : m_entries) ++t.m_first[e.col + 1];
    for (std::size_t c = 0; c < m_cols; ++c) t.m_first[c + 1] += t.m_first[c];
    t.m_entries.resize(m_entries.size());
    std::vector<std::uint64_t> next(t.m_first.begin(), t.m_first.end() - 1);
    // Rows are visited in order, so every transposed row comes out sorted by its new column.
    for (std::size_t r = 0; r < rows(); ++r)
        for (const TimeEntry& e : row(r))
            t.m_entries[next[e.col]++] = {static_cast<std::uint32_t>(r), e.seconds};
    return t;
}

TargetIndex::TargetIndex(const RoadGraph& graph, std::span<const Snap> targets)
    : m_snaps(targets.begin(), targets.end()),
      m_edge_first(graph.edge_count() + 1, 0),
      m_target_node(graph.node_count(), 0) {
    for (const Snap& s : targets)
        if (s.ok()) ++m_edge_first[s.position.edge + 1];
    for (std::size_t e = 0; e < graph.edge_count(); ++e) m_edge_first[e + 1] += m_edge_first[e];
    m_targets.resize(m_edge_first.back());
    std::vector<std::uint32_t> next(m_edge_first.begin(), m_edge_first.end() - 1);
    for (std::uint32_t i = 0; i < targets.size(); ++i) {
        if (!targets[i].ok()) continue;
        const EdgeId e = targets[i].position.edge;
        m_targets[next[e]++] = i;
        for (NodeId v : {graph.edge_from[e], graph.edge_to[e]}) {
            if (!m_target_node[v]) {
                m_target_node[v] = 1;
                ++m_target_node_count;
            }
        }
    }
}

void collect_targets(const RoadGraph& graph, const SearchWorkspace& ws, const TargetIndex& targets,
                     Seconds cutoff, std::vector<TimeEntry>& out) {
    std::vector<EdgeId> edges;
    for (NodeId v : ws.settled())
        for (ArcId a = graph.first_out[v]; a < graph.first_out[v + 1]; ++a)
            if (targets.has_targets(graph.arc_edge[a])) edges.push_back(graph.arc_edge[a]);
    for (const Seed& s : ws.seeds())
        if (targets.has_targets(s.position.edge)) edges.push_back(s.position.edge);
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    const std::size_t first = out.size();
    for (EdgeId e : edges) {
        for (std::uint32_t j : targets.on_edge(e)) {
            const Snap& t = targets.snap(j);
            const Seconds s = time_to(graph, ws, t.position) + t.access_seconds;
            if (s != unreachable && s <= cutoff) out.push_back({j, static_cast<float>(s)});
        }
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
              [](const TimeEntry& a, const TimeEntry& b) { return a.col < b.col; });
}

void SourceSet::add(std::span<const Seed> seeds, Seconds cutoff) {
    m_seeds.insert(m_seeds.end(), seeds.begin(), seeds.end());
    m_first.push_back(static_cast<std::uint32_t>(m_seeds.size()));
    m_cutoff.push_back(cutoff);
}

SourceSet SourceSet::from_snaps(std::span<const Snap> snaps, std::span<const Seconds> delays) {
    SourceSet set;
    for (std::size_t i = 0; i < snaps.size(); ++i) {
        if (!snaps[i].ok()) {
            set.add({});
            continue;
        }
        const Seed seed = Snapper::seed(snaps[i], static_cast<std::uint32_t>(i),
                                        delays.empty() ? 0.0 : delays[i]);
        set.add(std::span<const Seed>(&seed, 1));
    }
    return set;
}

namespace {

/** Stops an unbounded search once every end node of every target edge is settled. */
struct StopWhenTargetsSettled {
    const TargetIndex* targets;
    std::size_t remaining;
    bool on_settle(NodeId v, Seconds /*t*/) {
        return !(targets->is_target_node(v) && --remaining == 0);
    }
};

}  // namespace

TimeTable time_table(const RoadGraph& graph, ProfileId profile, const SourceSet& sources,
                     const TargetIndex& targets, const TableOptions& options) {
    std::vector<std::vector<TimeEntry>> rows(sources.size());
    for_each_search(graph, sources.size(), options.parallel,
                    [&](std::size_t i, SearchWorkspace& ws) {
                        const std::span<const Seed> seeds = sources.seeds(i);
                        if (seeds.empty()) return;
                        const Seconds cutoff = std::min(options.cutoff, sources.cutoff(i));
                        if (cutoff != unreachable) {
                            search(graph, profile, seeds, cutoff, ws);
                        } else {
                            search(graph, profile, seeds, unreachable, ws,
                                   StopWhenTargetsSettled{&targets, targets.target_node_count()});
                        }
                        collect_targets(graph, ws, targets, cutoff, rows[i]);
                    });
    return TimeTable(std::move(rows), targets.size());
}

TimeTable intersect(const TimeTable& a, const TimeTable& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols())
        throw std::invalid_argument("intersect: the tables have different shapes");
    std::vector<std::vector<TimeEntry>> rows(a.rows());
    for (std::size_t i = 0; i < a.rows(); ++i) {
        const auto ra = a.row(i), rb = b.row(i);
        std::size_t k = 0;
        for (const TimeEntry& e : ra) {
            while (k < rb.size() && rb[k].col < e.col) ++k;
            if (k < rb.size() && rb[k].col == e.col) rows[i].push_back(e);
        }
    }
    return TimeTable(std::move(rows), a.cols());
}

}  // namespace lifecircle
