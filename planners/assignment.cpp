#include "planners/assignment.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>
#include <string>
#include <utility>

#include "core/error.hpp"

namespace lifecircle::planners {

namespace {

using Units = std::int64_t;
using Cost = std::int64_t;
constexpr Cost infinite_cost = std::numeric_limits<Cost>::max() / 4;
constexpr Units max_units = Units{1} << 61;

/** Weight of demand point `demand` sent to `facility`, with the pair's rounded cost. */
struct Share {
    std::uint32_t facility = 0;
    Units amount = 0;
    Cost cost = 0;
};

/**
 * The residual network of the transportation problem, as a pseudo-flow. Nodes: facilities
 * [0, F), demand points [F, F+D), and per component one "unserved" node U = F+D. Arcs:
 * demand -> facility for every pair (cost = seconds), facility -> demand backwards where weight
 * flows, demand -> U (cost 0, only once no overloaded facility can reach a spare seat).
 * Reduced costs c + p(u) - p(v) stay >= 0 (potentials p), so Dijkstra finds shortest paths.
 */
struct Network {
    std::size_t facilities = 0;
    std::size_t demands = 0;
    const TimeTable* by_demand = nullptr;
    const TimeTable* by_facility = nullptr;
    double per_tick = 1.0;  ///< 1 / time_resolution
    std::vector<Units> weight;
    std::vector<Units> capacity;
    std::vector<std::vector<Share>> shares;            ///< per demand, sorted by facility
    std::vector<std::vector<std::uint32_t>> users;     ///< per facility: demands that may send
    std::vector<Units> assigned;                       ///< per facility
    std::vector<Units> dropped;                        ///< per demand: covered but unserved
    std::vector<Cost> potential;                       ///< per node (facilities, demands)

    Cost cost_of(float seconds) const { return static_cast<Cost>(double(seconds) * per_tick + 0.5); }
    std::uint32_t demand_node(std::uint32_t i) const { return static_cast<std::uint32_t>(facilities + i); }
    std::uint32_t unserved_node() const { return static_cast<std::uint32_t>(facilities + demands); }

    Share* find_share(std::uint32_t demand, std::uint32_t facility) {
        for (Share& s : shares[demand])
            if (s.facility == facility) return &s;
        return nullptr;
    }
    void add_share(std::uint32_t demand, std::uint32_t facility, Units amount, Cost cost) {
        auto& list = shares[demand];
        auto it = std::lower_bound(list.begin(), list.end(), facility,
                                   [](const Share& s, std::uint32_t f) { return s.facility < f; });
        if (it != list.end() && it->facility == facility) {
            it->amount += amount;
            return;
        }
        list.insert(it, Share{facility, amount, cost});
        users[facility].push_back(demand);
    }
    void remove_amount(std::uint32_t demand, std::uint32_t facility, Units amount) {
        auto& list = shares[demand];
        for (auto it = list.begin(); it != list.end(); ++it) {
            if (it->facility != facility) continue;
            it->amount -= amount;
            if (it->amount == 0) list.erase(it);
            return;
        }
    }
};

/** One thread's Dijkstra buffers, reset in O(1) by a stamp. */
struct Workspace {
    std::vector<Cost> dist;
    std::vector<std::uint32_t> parent;
    std::vector<std::uint32_t> reached;
    std::vector<std::uint32_t> done;
    std::vector<std::uint32_t> settled;
    std::uint32_t now = 0;
    using Item = std::pair<Cost, std::uint32_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;

    explicit Workspace(std::size_t nodes) : dist(nodes), parent(nodes), reached(nodes, 0), done(nodes, 0) {}

    /** A new search: every node unreached, nothing settled, the heap empty. */
    void start() {
        ++now;
        settled.clear();
        while (!heap.empty()) heap.pop();
    }
    /** Node v reached at distance d from `from`, if that is shorter than before. */
    void relax(std::uint32_t v, Cost d, std::uint32_t from) {
        if (reached[v] == now && dist[v] <= d) return;
        reached[v] = now;
        dist[v] = d;
        parent[v] = from;
        heap.emplace(d, v);
    }
};

/** Solves one connected component (its facilities and demand points) in place. */
class ComponentSolver {
public:
    ComponentSolver(Network& net, Workspace& ws) : m_net(net), m_ws(ws) {}

    std::size_t solve(std::span<const std::uint32_t> facilities, std::span<const std::uint32_t> demands) {
        std::vector<std::uint32_t> stuck;
        // Phase 1: route overload to spare seats. SSP may take the excess nodes in any order; a
        // facility that cannot reach a spare seat never will (augmentations elsewhere cannot
        // enter the region it reaches), so it waits for phase 2.
        for (const std::uint32_t s : facilities) {
            while (excess(s) > 0) {
                if (!shortest_path(s, false)) {
                    stuck.push_back(s);
                    break;
                }
                augment(s);
            }
        }
        if (stuck.empty()) return m_augmentations;
        // Phase 2: the overload that is left cannot be seated; leave unserved the weight whose
        // removal (with shifts of others) saves the most time. Every remaining path ends at U,
        // so U's arcs can cost 0 instead of a big M: it is the same choice.
        m_use_unserved = true;
        m_unserved_potential = infinite_cost;
        for (const std::uint32_t i : demands)
            m_unserved_potential = std::min(m_unserved_potential, m_net.potential[m_net.demand_node(i)]);
        for (const std::uint32_t s : stuck) {
            while (excess(s) > 0) {
                if (!shortest_path(s, true)) break;  // cannot happen: s has weight to give back
                augment(s);
            }
        }
        return m_augmentations;
    }

private:
    Units excess(std::uint32_t f) const { return m_net.assigned[f] - m_net.capacity[f]; }
    Cost potential(std::uint32_t v) const {
        return v == m_net.unserved_node() ? m_unserved_potential : m_net.potential[v];
    }

    /** Dijkstra on reduced costs from facility s to the nearest terminal; updates potentials. */
    bool shortest_path(std::uint32_t s, bool to_unserved) {
        Network& net = m_net;
        Workspace& ws = m_ws;
        ws.start();
        const auto F = static_cast<std::uint32_t>(net.facilities);
        const std::uint32_t U = net.unserved_node();
        ws.relax(s, 0, s);
        while (!ws.heap.empty()) {
            const auto [d, v] = ws.heap.top();
            ws.heap.pop();
            if (ws.done[v] == ws.now || d > ws.dist[v]) continue;
            if (v == U || (v < F && v != s && net.assigned[v] < net.capacity[v])) {
                m_terminal = v;
                finish(d);
                return true;
            }
            ws.done[v] = ws.now;
            ws.settled.push_back(v);
            const Cost pv = net.potential[v];
            if (v < F) {
                // Backwards along weight that flows into v: that demand could go elsewhere.
                auto& list = net.users[v];
                std::size_t keep = 0;
                for (std::size_t k = 0; k < list.size(); ++k) {
                    const std::uint32_t i = list[k];
                    const Share* sh = net.find_share(i, v);
                    if (!sh) continue;  // stale entry: the share went back to zero
                    list[keep++] = i;
                    const std::uint32_t node = net.demand_node(i);
                    ws.relax(node, d + (-sh->cost + pv - net.potential[node]), v);
                }
                list.resize(keep);
            } else {
                const std::uint32_t i = v - F;
                for (const TimeEntry& e : net.by_demand->row(i))
                    ws.relax(e.col, d + (net.cost_of(e.seconds) + pv - net.potential[e.col]), v);
                if (to_unserved) ws.relax(U, d + (pv - m_unserved_potential), v);
            }
        }
        return false;
    }

    /** Potentials of settled nodes move by dist - D, keeping every reduced cost >= 0. */
    void finish(Cost D) {
        for (const std::uint32_t v : m_ws.settled) m_net.potential[v] += m_ws.dist[v] - D;
    }

    void augment(std::uint32_t s) {
        Network& net = m_net;
        Workspace& ws = m_ws;
        const auto F = static_cast<std::uint32_t>(net.facilities);
        const std::uint32_t U = net.unserved_node();
        Units delta = excess(s);
        if (m_terminal != U) delta = std::min(delta, net.capacity[m_terminal] - net.assigned[m_terminal]);
        for (std::uint32_t v = m_terminal; v != s; v = ws.parent[v]) {
            const std::uint32_t u = ws.parent[v];
            if (u < F) delta = std::min(delta, net.find_share(v - F, u)->amount);  // backward arc
        }
        for (std::uint32_t v = m_terminal; v != s; v = ws.parent[v]) {
            const std::uint32_t u = ws.parent[v];
            if (u < F) {
                net.remove_amount(v - F, u, delta);
            } else if (v == U) {
                net.dropped[u - F] += delta;
            } else {
                const std::uint32_t i = u - F;
                const auto row = net.by_demand->row(i);
                const auto it = std::lower_bound(row.begin(), row.end(), v,
                                                 [](const TimeEntry& e, std::uint32_t c) { return e.col < c; });
                net.add_share(i, v, delta, net.cost_of(it->seconds));
            }
        }
        net.assigned[s] -= delta;
        if (m_terminal != U) net.assigned[m_terminal] += delta;
        ++m_augmentations;
    }

    Network& m_net;
    Workspace& m_ws;
    bool m_use_unserved = false;
    Cost m_unserved_potential = 0;
    std::uint32_t m_terminal = 0;
    std::size_t m_augmentations = 0;
};

/**
 * Solves one heavily overloaded component from the other side: start from nothing assigned
 * (potentials 0 are feasible, every cost is >= 0) and let each facility with spare seats pull
 * the nearest weight still waiting, along shortest augmenting paths (a person may move to another
 * facility to make room). The same successive-shortest-path argument holds (each augmentation is
 * a shortest path, so the flow stays cheapest for its size) and it ends when no spare seat can
 * reach waiting weight: maximum served weight at minimum total time. Its work grows with the
 * weight that is served, where the push from "everyone at the nearest" grows with the weight
 * that is not: each is used where it has less to do.
 */
class PullSolver {
public:
    PullSolver(Network& net, Workspace& ws) : m_net(net), m_ws(ws) {}

    std::size_t solve(std::span<const std::uint32_t> facilities, std::span<const std::uint32_t> demands) {
        Network& net = m_net;
        for (const std::uint32_t i : demands) {
            net.shares[i].clear();
            net.potential[net.demand_node(i)] = 0;
        }
        for (const std::uint32_t f : facilities) {
            net.assigned[f] = 0;
            net.users[f].clear();
            net.potential[f] = 0;
        }
        for (const std::uint32_t f : facilities) {
            while (net.assigned[f] < net.capacity[f]) {
                if (!shortest_path(f)) break;
                augment(f);
            }
        }
        for (const std::uint32_t i : demands) net.dropped[i] = waiting(i);
        return m_augmentations;
    }

private:
    Units waiting(std::uint32_t i) const {
        Units served = 0;
        for (const Share& s : m_net.shares[i]) served += s.amount;
        return m_net.weight[i] - served;
    }

    /** Dijkstra on reduced costs from facility s (seat -> person arcs, and back along shares) to
        the nearest demand point with weight waiting; updates potentials. */
    bool shortest_path(std::uint32_t s) {
        Network& net = m_net;
        Workspace& ws = m_ws;
        ws.start();
        const auto F = static_cast<std::uint32_t>(net.facilities);
        ws.relax(s, 0, s);
        while (!ws.heap.empty()) {
            const auto [d, v] = ws.heap.top();
            ws.heap.pop();
            if (ws.done[v] == ws.now || d > ws.dist[v]) continue;
            if (v >= F && waiting(v - F) > 0) {
                m_terminal = v;
                for (const std::uint32_t u : ws.settled) net.potential[u] += ws.dist[u] - d;
                return true;
            }
            ws.done[v] = ws.now;
            ws.settled.push_back(v);
            const Cost pv = net.potential[v];
            if (v < F) {
                for (const TimeEntry& e : net.by_facility->row(v)) {
                    const std::uint32_t node = net.demand_node(e.col);
                    ws.relax(node, d + (net.cost_of(e.seconds) + pv - net.potential[node]), v);
                }
            } else {
                // Back along a share: the person seated at f could give the seat up.
                for (const Share& sh : net.shares[v - F])
                    ws.relax(sh.facility, d + (-sh.cost + pv - net.potential[sh.facility]), v);
            }
        }
        return false;
    }

    void augment(std::uint32_t s) {
        Network& net = m_net;
        Workspace& ws = m_ws;
        const auto F = static_cast<std::uint32_t>(net.facilities);
        Units delta = std::min(net.capacity[s] - net.assigned[s], waiting(m_terminal - F));
        for (std::uint32_t v = m_terminal; v != s; v = ws.parent[v]) {
            const std::uint32_t u = ws.parent[v];
            if (u >= F) delta = std::min(delta, net.find_share(u - F, v)->amount);  // backward arc
        }
        for (std::uint32_t v = m_terminal; v != s; v = ws.parent[v]) {
            const std::uint32_t u = ws.parent[v];
            if (u >= F) {
                net.remove_amount(u - F, v, delta);
            } else {
                const std::uint32_t i = v - F;
                const auto row = net.by_demand->row(i);
                const auto it = std::lower_bound(row.begin(), row.end(), u,
                                                 [](const TimeEntry& e, std::uint32_t c) { return e.col < c; });
                net.add_share(i, u, delta, net.cost_of(it->seconds));
            }
        }
        net.assigned[s] += delta;
        ++m_augmentations;
    }

    Network& m_net;
    Workspace& m_ws;
    std::uint32_t m_terminal = 0;
    std::size_t m_augmentations = 0;
};

std::uint32_t find_root(std::vector<std::uint32_t>& parent, std::uint32_t v) {
    while (parent[v] != v) {
        parent[v] = parent[parent[v]];
        v = parent[v];
    }
    return v;
}

/** Whole units, rounded down (with a little slack for values already on the grid), so that no
    facility is given more seats, and no point more people, than it has. */
Units to_units(double value, double resolution) {
    return static_cast<Units>(std::floor(value / resolution * (1.0 + 1e-12) + 1e-9));
}

void check_amounts(std::span<const double> values, double resolution, const char* what, const char* item) {
    double total = 0.0;
    for (std::size_t k = 0; k < values.size(); ++k) {
        if (!std::isfinite(values[k]) || values[k] < 0.0)
            throw InputError(std::string("assignment: ") + item + " " + std::to_string(k) + " has " + what + " " +
                             std::to_string(values[k]) + "; " + what + "s must be finite and >= 0");
        total += values[k] / resolution;
    }
    if (total > double(max_units))
        throw InputError(std::string("assignment: the ") + what + "s add up to more than " +
                         std::to_string(double(max_units) * resolution) +
                         " at weight_resolution " + std::to_string(resolution) +
                         "; use a coarser weight_resolution");
}

}  // namespace

Assignment assign(const TimeTable& table, std::span<const double> weights, std::span<const double> capacities,
                  const AssignmentOptions& options) {
    const std::size_t F = table.rows();
    const std::size_t D = table.cols();
    if (weights.size() != D)
        throw InputError("assignment: " + std::to_string(weights.size()) + " weights given for a table of " +
                         std::to_string(D) + " demand points; pass one weight per demand point (table column)");
    if (capacities.size() != F)
        throw InputError("assignment: " + std::to_string(capacities.size()) + " capacities given for a table of " +
                         std::to_string(F) + " facilities; pass one capacity per facility (table row)");
    const double wres = options.weight_resolution;
    const double tres = options.time_resolution;
    if (!(wres > 0.0) || !std::isfinite(wres) || !(tres > 0.0) || !std::isfinite(tres))
        throw UsageError("assignment: weight_resolution and time_resolution must be finite and > 0");
    check_amounts(weights, wres, "weight", "demand point");
    check_amounts(capacities, wres, "capacity", "facility");
    for (std::size_t j = 0; j < F; ++j)
        for (const TimeEntry& e : table.row(j))
            if (!std::isfinite(e.seconds) || e.seconds < 0.0f || double(e.seconds) / tres > 1e15)
                throw InputError("assignment: facility " + std::to_string(j) + " to demand point " +
                                 std::to_string(e.col) + " has time " + std::to_string(e.seconds) +
                                 " s; times must be finite and >= 0");

    const TimeTable by_demand = table.transposed();
    Network net;
    net.facilities = F;
    net.demands = D;
    net.by_demand = &by_demand;
    net.by_facility = &table;
    net.per_tick = 1.0 / tres;
    net.weight.resize(D);
    net.capacity.resize(F);
    for (std::size_t i = 0; i < D; ++i) net.weight[i] = to_units(weights[i], wres);
    for (std::size_t j = 0; j < F; ++j) net.capacity[j] = to_units(capacities[j], wres);
    net.shares.resize(D);
    net.users.resize(F);
    net.assigned.assign(F, 0);
    net.dropped.assign(D, 0);
    net.potential.assign(F + D, 0);

    // Start from everyone at the nearest facility (lowest index on ties): optimal with respect
    // to the potentials p(demand) = -nearest cost, p(facility) = 0; only overload is left.
    std::vector<std::uint32_t> parent(F + D);
    std::iota(parent.begin(), parent.end(), 0u);
    for (std::uint32_t i = 0; i < D; ++i) {
        const auto row = by_demand.row(i);
        if (row.empty() || net.weight[i] == 0) continue;
        const TimeEntry* best = &row[0];
        for (const TimeEntry& e : row)
            if (e.seconds < best->seconds) best = &e;
        const Cost c = net.cost_of(best->seconds);
        net.add_share(i, best->col, net.weight[i], c);
        net.assigned[best->col] += net.weight[i];
        net.potential[net.demand_node(i)] = -c;
        const std::uint32_t a = find_root(parent, net.demand_node(i));
        for (const TimeEntry& e : row) {
            const std::uint32_t b = find_root(parent, e.col);
            if (a != b) parent[b] = find_root(parent, a);
        }
    }
    for (std::uint32_t v = 0; v < F + D; ++v) find_root(parent, v);

    // Components by root; only those with an overloaded facility need solving.
    std::vector<std::uint32_t> comp_of(F + D, invalid_index);
    std::vector<std::vector<std::uint32_t>> comp_facilities, comp_demands;
    std::vector<std::uint8_t> congested;
    std::vector<Units> comp_excess, comp_capacity;
    auto component = [&](std::uint32_t v) {
        const std::uint32_t r = find_root(parent, v);
        if (comp_of[r] == invalid_index) {
            comp_of[r] = static_cast<std::uint32_t>(comp_facilities.size());
            comp_facilities.emplace_back();
            comp_demands.emplace_back();
            congested.push_back(0);
            comp_excess.push_back(0);
            comp_capacity.push_back(0);
        }
        return comp_of[r];
    };
    for (std::uint32_t i = 0; i < D; ++i)
        if (!net.shares[i].empty()) comp_demands[component(net.demand_node(i))].push_back(i);
    for (std::uint32_t j = 0; j < F; ++j) {
        // Every facility with a pair belongs to its component (the pull solver starts from each
        // one, the push solver may end at any); one whose pairs all have zero weight is alone.
        if (table.row(j).empty()) continue;
        const std::uint32_t c = component(j);
        comp_facilities[c].push_back(j);
        if (net.assigned[j] > net.capacity[j]) congested[c] = 1;
        comp_excess[c] += std::max<Units>(0, net.assigned[j] - net.capacity[j]);
        comp_capacity[c] += net.capacity[j];
    }
    // Facilities only reached by zero-weight demand belong to no component: nothing to move.
    std::vector<std::uint32_t> work;
    for (std::uint32_t c = 0; c < congested.size(); ++c)
        if (congested[c]) work.push_back(c);
    std::stable_sort(work.begin(), work.end(), [&](std::uint32_t a, std::uint32_t b) {
        return comp_demands[a].size() > comp_demands[b].size();
    });
    std::vector<std::size_t> augmentations(work.size(), 0);
    parallel_for_each(
        work.size(), options.parallel, [&] { return Workspace(F + D + 1); },
        [&](std::size_t k, Workspace& ws) {
            // A fresh solver per component; components touch disjoint parts of `net`.
            const std::uint32_t c = work[k];
            if (comp_excess[c] > comp_capacity[c]) {
                PullSolver solver(net, ws);
                augmentations[k] = solver.solve(comp_facilities[c], comp_demands[c]);
            } else {
                ComponentSolver solver(net, ws);
                augmentations[k] = solver.solve(comp_facilities[c], comp_demands[c]);
            }
        });

    Assignment out;
    for (const auto& demands : comp_demands) out.totals.components += demands.empty() ? 0 : 1;
    for (const std::size_t a : augmentations) out.totals.augmentations += a;
    out.demand.resize(D);
    for (std::uint32_t i = 0; i < D; ++i) {
        DemandAssignment& d = out.demand[i];
        d.weight = weights[i];
        out.totals.demand_weight += weights[i];
        if (by_demand.row(i).empty()) {
            d.uncovered_weight = weights[i];
            out.totals.uncovered_weight += weights[i];
            continue;
        }
        out.totals.covered_weight += weights[i];
        Units served = 0, best = 0;
        double time = 0.0;
        for (const Share& s : net.shares[i]) {
            served += s.amount;
            time += double(s.amount) * double(s.cost);
            if (s.amount > best) {
                best = s.amount;
                d.assigned_facility = s.facility;
            }
            out.flows.push_back({s.facility, i, double(s.amount) * wres, double(s.cost) * tres});
        }
        d.served_weight = double(served) * wres;
        d.covered_unserved_weight = double(net.dropped[i]) * wres;
        if (net.weight[i] == 0) d.covered_unserved_weight = 0.0;
        d.mean_seconds = served ? time / double(served) * tres : 0.0;
        out.totals.served_weight += d.served_weight;
        out.totals.covered_unserved_weight += d.covered_unserved_weight;
        out.totals.weighted_seconds += time * wres * tres;
    }
    out.facilities.resize(F);
    for (std::uint32_t j = 0; j < F; ++j) {
        FacilityAssignment& f = out.facilities[j];
        f.capacity = capacities[j];
        f.assigned_weight = double(net.assigned[j]) * wres;
        for (const TimeEntry& e : table.row(j)) f.demand_within += weights[e.col];
        if (f.capacity > 0.0)
            f.load_ratio = f.demand_within / f.capacity;
        else
            f.load_ratio = f.demand_within > 0.0 ? std::numeric_limits<double>::infinity()
                                                 : std::numeric_limits<double>::quiet_NaN();
        f.spare_capacity = std::max(0.0, capacities[j] - f.assigned_weight);
        out.totals.capacity += f.capacity;
        out.totals.spare_capacity += f.spare_capacity;
    }
    return out;
}

}  // namespace lifecircle::planners
