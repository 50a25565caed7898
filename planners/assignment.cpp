#include "planners/assignment.hpp"

#include <algorithm>
#include <cassert>
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
    std::vector<std::vector<Share>> shares;         ///< per demand, sorted by facility
    std::vector<std::vector<std::uint32_t>> users;  ///< per facility: demands that may send
    std::vector<Units> assigned;                    ///< per facility
    std::vector<Units> dropped;                     ///< per demand: covered but unserved
    std::vector<Cost> potential;                    ///< per node (facilities, demands)

    Cost cost_of(float seconds) const {
        return static_cast<Cost>(double(seconds) * per_tick + 0.5);
    }
    std::uint32_t demand_node(std::uint32_t i) const {
        return static_cast<std::uint32_t>(facilities + i);
    }
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

    explicit Workspace(std::size_t nodes)
        : dist(nodes), parent(nodes), reached(nodes, 0), done(nodes, 0) {}

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

    std::size_t solve(std::span<const std::uint32_t> facilities,
                      std::span<const std::uint32_t> demands) {
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
            m_unserved_potential =
                std::min(m_unserved_potential, m_net.potential[m_net.demand_node(i)]);
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
        if (m_terminal != U)
            delta = std::min(delta, net.capacity[m_terminal] - net.assigned[m_terminal]);
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
                const auto it =
                    std::lower_bound(row.begin(), row.end(), v,
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

    std::size_t solve(std::span<const std::uint32_t> facilities,
                      std::span<const std::uint32_t> demands) {
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
                const auto it =
                    std::lower_bound(row.begin(), row.end(), u,
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

void check_amounts(std::span<const double> values, double resolution, const char* what,
                   const char* item) {
    double total = 0.0;
    for (std::size_t k = 0; k < values.size(); ++k) {
        if (!std::isfinite(values[k]) || values[k] < 0.0)
            throw InputError(std::string("assignment: ") + item + " " + std::to_string(k) +
                             " has " + what + " " + std::to_string(values[k]) + "; " + what +
                             "s must be finite and >= 0");
        total += values[k] / resolution;
    }
    if (total > double(max_units))
        throw InputError(std::string("assignment: the ") + what + "s add up to more than " +
                         std::to_string(double(max_units) * resolution) + " at weight_resolution " +
                         std::to_string(resolution) + "; use a coarser weight_resolution");
}

/** Throws on sizes that do not match the table, bad resolutions, amounts or times. */
void check_input(const TimeTable& table, std::span<const double> weights,
                 std::span<const double> capacities, const AssignmentOptions& options) {
    const std::size_t F = table.rows();
    const std::size_t D = table.cols();
    if (weights.size() != D)
        throw InputError("assignment: " + std::to_string(weights.size()) +
                         " weights given for a table of " + std::to_string(D) +
                         " demand points; pass one weight per demand point (table column)");
    if (capacities.size() != F)
        throw InputError("assignment: " + std::to_string(capacities.size()) +
                         " capacities given for a table of " + std::to_string(F) +
                         " facilities; pass one capacity per facility (table row)");
    const double wres = options.weight_resolution;
    const double tres = options.time_resolution;
    if (!(wres > 0.0) || !std::isfinite(wres) || !(tres > 0.0) || !std::isfinite(tres))
        throw UsageError(
            "assignment: weight_resolution and time_resolution must be finite and > 0");
    check_amounts(weights, wres, "weight", "demand point");
    check_amounts(capacities, wres, "capacity", "facility");
    for (std::size_t j = 0; j < F; ++j)
        for (const TimeEntry& e : table.row(j))
            if (!std::isfinite(e.seconds) || e.seconds < 0.0f || double(e.seconds) / tres > 1e15)
                throw InputError("assignment: facility " + std::to_string(j) + " to demand point " +
                                 std::to_string(e.col) + " has time " + std::to_string(e.seconds) +
                                 " s; times must be finite and >= 0");
}

}  // namespace

Assignment assign(const TimeTable& table, std::span<const double> weights,
                  std::span<const double> capacities, const AssignmentOptions& options) {
    check_input(table, weights, capacities, options);
    const std::size_t F = table.rows();
    const std::size_t D = table.cols();
    const double wres = options.weight_resolution;
    const double tres = options.time_resolution;

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
            out.totals.weighted_units += WideUnits(s.amount) * s.cost;
            if (s.amount > best) {
                best = s.amount;
                d.assigned_facility = s.facility;
            }
            out.flows.push_back({s.facility, i, double(s.amount) * wres, double(s.cost) * tres});
        }
        d.served_weight = double(served) * wres;
        out.totals.served_units += served;
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

// ---------------------------------------------------------------------------------------------
// IncrementalAssignment

/** The immutable part, shared by copies: the pairs both ways, amounts in units, costs in ticks. */
struct IncrementalAssignment::Tables {
    std::size_t facilities = 0, demands = 0;
    double weight_resolution = 1e-6, time_resolution = 1e-3;
    bool times = true;                     ///< false: the served weight only (maximum flow)
    Cost big = 1;                          ///< M: the cost of one unit left unserved
    std::vector<std::uint64_t> first;      ///< per facility (+1): its pairs ("arcs")
    std::vector<std::uint32_t> demand;     ///< per arc
    std::vector<Cost> cost;                ///< per arc, ticks (0 without times)
    std::vector<float> seconds;            ///< per arc, as given
    std::vector<std::uint64_t> by_demand;  ///< per demand point (+1): its arcs in `arcs`
    std::vector<std::uint32_t> arcs;       ///< arc ids, per demand point by facility
    std::vector<std::uint32_t> facility;   ///< per entry of `arcs`: the arc's facility
    std::vector<Units> weight;             ///< per demand point
    std::vector<Units> capacity;           ///< per facility
};

IncrementalAssignment::IncrementalAssignment(const TimeTable& table,
                                             std::span<const double> weights,
                                             std::span<const double> capacities,
                                             const AssignmentOptions& options, bool times) {
    check_input(table, weights, capacities, options);
    auto t = std::make_shared<Tables>();
    const std::size_t F = table.rows(), D = table.cols();
    t->facilities = F;
    t->demands = D;
    t->weight_resolution = options.weight_resolution;
    t->time_resolution = options.time_resolution;
    t->times = times;
    const double per_tick = 1.0 / options.time_resolution;
    Cost longest = 0;
    t->first.reserve(F + 1);
    t->first.push_back(0);
    std::vector<std::uint64_t> count(D + 1, 0);
    for (std::size_t j = 0; j < F; ++j) {
        for (const TimeEntry& e : table.row(j)) {
            const Cost c = times ? static_cast<Cost>(double(e.seconds) * per_tick + 0.5) : 0;
            longest = std::max(longest, c);
            t->demand.push_back(e.col);
            t->cost.push_back(c);
            t->seconds.push_back(e.seconds);
            ++count[e.col + 1];
        }
        t->first.push_back(t->demand.size());
    }
    // M must exceed the time of any simple path (at most every node once), so that serving one
    // more unit always beats any saving of time.
    const double big = double(F + D + 2) * double(longest + 1);
    if (big > 1e17)
        throw InputError(
            "assignment: times up to " + std::to_string(double(longest) / per_tick) + " s over " +
            std::to_string(F + D) +
            " facilities and demand points are too fine for the incremental solver; use a "
            "coarser time_resolution");
    t->big = static_cast<Cost>(big);
    for (std::size_t i = 0; i < D; ++i) count[i + 1] += count[i];
    t->by_demand = count;
    t->arcs.resize(t->demand.size());
    t->facility.resize(t->demand.size());
    for (std::uint32_t j = 0; j < F; ++j)
        for (std::uint64_t a = t->first[j]; a < t->first[j + 1]; ++a) {
            const std::uint64_t at = count[t->demand[a]]++;
            t->arcs[at] = static_cast<std::uint32_t>(a);
            t->facility[at] = j;
        }
    t->weight.resize(D);
    t->capacity.resize(F);
    for (std::size_t i = 0; i < D; ++i)
        t->weight[i] = to_units(weights[i], options.weight_resolution);
    for (std::size_t j = 0; j < F; ++j)
        t->capacity[j] = to_units(capacities[j], options.weight_resolution);

    m_flow.assign(t->demand.size(), 0);
    m_unserved = t->weight;
    m_load.assign(F, 0);
    m_open.assign(F, 0);
    // Everyone unserved is optimal for no open facility: p(demand) = p(U) - M, p(U) = p(T) = 0.
    m_potential.assign(F + D + 2, 0);
    for (std::size_t i = 0; i < D; ++i) m_potential[F + i] = -t->big;
    for (const Units w : t->weight) m_unserved_total += w;
    const std::size_t N = F + D + 2;
    m_dist.assign(N, 0);
    m_parent.assign(N, 0);
    m_parent_arc.assign(N, 0);
    m_reached.assign(N, 0);
    m_done.assign(N, 0);
    m_cursor.assign(N, 0);
    m_cursor_stamp.assign(N, 0);
    m_dead.assign(N, 0);
    m_on_path.assign(N, 0);
    m_tables = std::move(t);
}

std::size_t IncrementalAssignment::facilities() const { return m_tables->facilities; }
std::size_t IncrementalAssignment::demands() const { return m_tables->demands; }
std::uint32_t IncrementalAssignment::node_of_demand(std::uint32_t i) const {
    return static_cast<std::uint32_t>(m_tables->facilities + i);
}
std::uint32_t IncrementalAssignment::unserved_node() const {
    return static_cast<std::uint32_t>(m_tables->facilities + m_tables->demands);
}
std::uint32_t IncrementalAssignment::sink_node() const { return unserved_node() + 1; }

void IncrementalAssignment::set_unserved_charge(std::span<const double> seconds) {
    const Tables& t = *m_tables;
    if (seconds.size() != t.demands)
        throw InputError("assignment: " + std::to_string(seconds.size()) +
                         " unserved charges for " + std::to_string(t.demands) + " demand points");
    m_charge_ticks.resize(t.demands);
    m_charge = 0;
    for (std::size_t i = 0; i < t.demands; ++i) {
        if (!std::isfinite(seconds[i]) || seconds[i] < 0.0)
            throw InputError("assignment: demand point " + std::to_string(i) +
                             " has unserved charge " + std::to_string(seconds[i]) +
                             "; charges must be finite and >= 0");
        m_charge_ticks[i] = static_cast<Cost>(seconds[i] / t.time_resolution + 0.5);
        m_charge += WideUnits(m_unserved[i]) * m_charge_ticks[i];
    }
    // Uniform over the points that any facility may serve (the others never change), and below M.
    m_uniform_charge = true;
    Cost first = -1;
    for (std::size_t i = 0; i < t.demands && m_uniform_charge; ++i) {
        if (t.by_demand[i] == t.by_demand[i + 1]) continue;
        if (first < 0) first = m_charge_ticks[i];
        m_uniform_charge = m_charge_ticks[i] == first && first < t.big;
    }
}

double IncrementalAssignment::served_weight() const {
    return double(m_served) * m_tables->weight_resolution;
}
double IncrementalAssignment::weighted_seconds() const {
    return double(m_time) * m_tables->weight_resolution * m_tables->time_resolution;
}
double IncrementalAssignment::assigned_weight(std::uint32_t f) const {
    return double(m_load[f]) * m_tables->weight_resolution;
}
double IncrementalAssignment::served_weight(std::uint32_t i) const {
    return double(m_tables->weight[i] - m_unserved[i]) * m_tables->weight_resolution;
}

std::vector<AssignedFlow> IncrementalAssignment::flows() const {
    const Tables& t = *m_tables;
    std::vector<AssignedFlow> out;
    for (std::uint32_t i = 0; i < t.demands; ++i)
        for (std::uint64_t k = t.by_demand[i]; k < t.by_demand[i + 1]; ++k) {
            const std::uint32_t a = t.arcs[k];
            if (m_flow[a] > 0)
                out.push_back({t.facility[k], i, double(m_flow[a]) * t.weight_resolution,
                               double(t.seconds[a])});
        }
    return out;
}

bool IncrementalAssignment::opening_changes_nothing(std::uint32_t f) const {
    const Tables& t = *m_tables;
    if (t.capacity[f] == 0 || t.first[f] == t.first[f + 1]) return true;
    if (!t.times) return false;  // no potentials to tell
    for (std::uint64_t a = t.first[f]; a < t.first[f + 1]; ++a)
        if (t.cost[a] + m_potential[node_of_demand(t.demand[a])] < m_potential[sink_node()])
            return false;
    return true;
}

std::vector<std::uint8_t> IncrementalAssignment::serves_more_if_opened() const {
    const Tables& t = *m_tables;
    const std::size_t F = t.facilities, D = t.demands;
    // Points a waiting person can reach: themselves, then through any open facility of theirs
    // the points it serves (whose seat they would take), and so on.
    std::vector<std::uint8_t> reached(D, 0), seen(F, 0);
    std::vector<std::uint32_t> queue;
    for (std::uint32_t i = 0; i < D; ++i)
        if (m_unserved[i] > 0) {
            reached[i] = 1;
            queue.push_back(i);
        }
    for (std::size_t q = 0; q < queue.size(); ++q) {
        const std::uint32_t i = queue[q];
        for (std::uint64_t k = t.by_demand[i]; k < t.by_demand[i + 1]; ++k) {
            const std::uint32_t g = t.facility[k];
            if (!m_open[g] || seen[g]) continue;
            seen[g] = 1;
            for (std::uint64_t a = t.first[g]; a < t.first[g + 1]; ++a)
                if (m_flow[a] > 0 && !reached[t.demand[a]]) {
                    reached[t.demand[a]] = 1;
                    queue.push_back(t.demand[a]);
                }
        }
    }
    std::vector<std::uint8_t> out(F, 0);
    for (std::uint32_t f = 0; f < F; ++f) {
        if (m_open[f] || t.capacity[f] == 0) continue;
        for (std::uint64_t a = t.first[f]; a < t.first[f + 1] && !out[f]; ++a)
            out[f] = reached[t.demand[a]];
    }
    return out;
}

WideUnits IncrementalAssignment::opening_gain_bound(std::uint32_t f) const {
    const Tables& t = *m_tables;
    if (t.capacity[f] == 0 || t.first[f] == t.first[f + 1]) return 0;
    if (!t.times) return t.capacity[f];
    // Charges that differ between demand points: seating one person instead of another may save
    // more charge than any bound on the cost says.
    if (!m_uniform_charge) return std::numeric_limits<WideUnits>::max();
    // New potentials p(f) = min(cost + p(i)) keep every arc into f at reduced cost >= 0; only
    // f -> T may cost p(f) - p(T) < 0, on at most capacity units: the cost (time - M x served)
    // falls by at most that. Serving d more units costs M d more in it but saves d equal
    // charges < M in time_units() + charge_units(), so the bound holds for that sum too.
    Cost p = std::numeric_limits<Cost>::max();
    for (std::uint64_t a = t.first[f]; a < t.first[f + 1]; ++a)
        p = std::min(p, t.cost[a] + m_potential[node_of_demand(t.demand[a])]);
    const Cost saving = m_potential[sink_node()] - p;
    return saving > 0 ? WideUnits(t.capacity[f]) * saving : WideUnits(0);
}

void IncrementalAssignment::set(Field field, std::uint32_t index, std::int64_t value) {
    std::int64_t* at = nullptr;
    switch (field) {
        case Field::flow:
            at = &m_flow[index];
            break;
        case Field::unserved:
            at = &m_unserved[index];
            break;
        case Field::load:
            at = &m_load[index];
            break;
        case Field::potential:
            at = &m_potential[index];
            break;
        case Field::open: {
            if (m_in_trial) m_journal.push_back({field, index, m_open[index]});
            m_open[index] = static_cast<std::uint8_t>(value);
            return;
        }
    }
    if (m_in_trial) m_journal.push_back({field, index, *at});
    *at = value;
}

void IncrementalAssignment::change_flow(std::uint32_t arc, Units delta) {
    set(Field::flow, arc, m_flow[arc] + delta);
    m_time += WideUnits(delta) * m_tables->cost[arc];
}

void IncrementalAssignment::change_unserved(std::uint32_t i, Units delta) {
    set(Field::unserved, i, m_unserved[i] + delta);
    m_unserved_total += delta;
    m_served -= delta;
    if (!m_charge_ticks.empty()) m_charge += WideUnits(delta) * m_charge_ticks[i];
}

void IncrementalAssignment::change_load(std::uint32_t f, Units delta) {
    set(Field::load, f, m_load[f] + delta);
}

void IncrementalAssignment::begin_trial() {
    assert(!m_in_trial);
    m_in_trial = true;
    m_journal.clear();
    m_saved_served = m_served;
    m_saved_unserved_total = m_unserved_total;
    m_saved_time = m_time;
    m_saved_charge = m_charge;
    m_saved_augmentations = m_augmentations;
}

void IncrementalAssignment::undo_trial() {
    assert(m_in_trial);
    for (auto it = m_journal.rbegin(); it != m_journal.rend(); ++it) {
        switch (it->field) {
            case Field::flow:
                m_flow[it->index] = it->old;
                break;
            case Field::unserved:
                m_unserved[it->index] = it->old;
                break;
            case Field::load:
                m_load[it->index] = it->old;
                break;
            case Field::potential:
                m_potential[it->index] = it->old;
                break;
            case Field::open:
                m_open[it->index] = static_cast<std::uint8_t>(it->old);
                break;
        }
    }
    m_journal.clear();
    m_in_trial = false;
    m_served = m_saved_served;
    m_unserved_total = m_saved_unserved_total;
    m_time = m_saved_time;
    m_charge = m_saved_charge;
    m_augmentations = m_saved_augmentations;
}

void IncrementalAssignment::keep_trial() {
    assert(m_in_trial);
    m_journal.clear();
    m_in_trial = false;
}

void IncrementalAssignment::start_search() {
    if (++m_stamp == 0) {
        std::fill(m_reached.begin(), m_reached.end(), 0u);
        std::fill(m_done.begin(), m_done.end(), 0u);
        m_stamp = 1;
    }
    m_settled.clear();
    while (!m_heap.empty()) m_heap.pop();
}

void IncrementalAssignment::relax(std::uint32_t v, Cost d, std::uint32_t from, std::uint32_t arc,
                                  bool near_end) {
    if (m_reached[v] == m_stamp && m_dist[v] <= d) return;
    m_reached[v] = m_stamp;
    m_dist[v] = d;
    m_parent[v] = from;
    m_parent_arc[v] = arc;
    // Among equal distances, nodes next to the end first: the end is then found before a
    // region of equal reduced costs is explored.
    m_heap.emplace(d, (std::uint64_t(near_end ? 0 : 1) << 32) | v);
}

/**
 * Dijkstra on reduced costs from `s` (a facility being closed, with the weight it served) to the
 * sink along residual arcs: back along what a facility serves, from a person to any open
 * facility of theirs, from a person to "unserved", from a facility with a spare seat to the
 * sink. Always reaches the sink (anyone can be left unserved).
 */
bool IncrementalAssignment::search_from(std::uint32_t s) {
    const Tables& t = *m_tables;
    const auto F = static_cast<std::uint32_t>(t.facilities);
    const std::uint32_t U = unserved_node(), T = sink_node();
    start_search();
    relax(s, 0, s, invalid_index, false);
    while (!m_heap.empty()) {
        const Cost d = m_heap.top().first;
        const auto v = static_cast<std::uint32_t>(m_heap.top().second);
        if (m_reached[T] == m_stamp && m_dist[T] <= d) return true;
        m_heap.pop();
        if (m_done[v] == m_stamp || d > m_dist[v]) continue;
        m_done[v] = m_stamp;
        m_settled.push_back(v);
        if (v < F) {
            if (v != s && m_load[v] < t.capacity[v])
                relax(T, d + reduced(0, v, T), v, invalid_index, true);
            for (std::uint64_t a = t.first[v]; a < t.first[v + 1]; ++a) {
                if (m_flow[a] == 0) continue;
                const std::uint32_t node = node_of_demand(t.demand[a]);
                relax(node, d + reduced(-t.cost[a], v, node), v, static_cast<std::uint32_t>(a),
                      false);
            }
        } else if (v == U) {
            // While anyone is unserved, U -> T costs 0 and the sink is reached now; otherwise U
            // has no arc to a person.
            relax(T, d + reduced(0, U, T), U, invalid_index, true);
            assert(m_unserved_total == 0 || m_dist[T] == d);
        } else {
            const std::uint32_t i = v - F;
            for (std::uint64_t k = t.by_demand[i]; k < t.by_demand[i + 1]; ++k) {
                const std::uint32_t f = t.facility[k];
                if (!m_open[f]) continue;
                const std::uint32_t a = t.arcs[k];
                relax(f, d + reduced(t.cost[a], v, f), v, a, m_load[f] < t.capacity[f]);
            }
            relax(U, d + reduced(t.big, v, U), v, invalid_index, true);
        }
    }
    return m_reached[T] == m_stamp;
}

/**
 * Dijkstra on reduced costs backwards from `target` (a facility just opened): the distances of
 * paths from each node to it, until the sink is reached at a distance below `limit` (true) or
 * nothing below `limit` is left (false). Predecessors: a person of a facility's pairs (who
 * could move there), the facility serving a person now, U for a person waiting, the sink for a
 * facility with weight (the target's own excepted) and for U.
 */
bool IncrementalAssignment::search_to(std::uint32_t target, Cost limit) {
    const Tables& t = *m_tables;
    const auto F = static_cast<std::uint32_t>(t.facilities);
    const std::uint32_t U = unserved_node(), T = sink_node();
    start_search();
    relax(target, 0, target, invalid_index, false);
    while (!m_heap.empty()) {
        const Cost d = m_heap.top().first;
        const auto v = static_cast<std::uint32_t>(m_heap.top().second);
        if (m_reached[T] == m_stamp && m_dist[T] <= d) return m_dist[T] < limit;
        if (d >= limit) return false;
        m_heap.pop();
        if (m_done[v] == m_stamp || d > m_dist[v]) continue;
        m_done[v] = m_stamp;
        m_settled.push_back(v);
        if (v < F) {
            if (v != target && m_load[v] > 0)
                relax(T, d + reduced(0, T, v), v, invalid_index, true);
            for (std::uint64_t a = t.first[v]; a < t.first[v + 1]; ++a) {
                const std::uint32_t i = t.demand[a];
                const std::uint32_t node = node_of_demand(i);
                relax(node, d + reduced(t.cost[a], node, v), v, static_cast<std::uint32_t>(a),
                      m_unserved[i] > 0);
            }
        } else if (v == U) {
            // U is reached only from a waiting person, so T -> U costs 0 and the sink is here.
            relax(T, d + reduced(0, T, U), U, invalid_index, true);
            assert(m_dist[T] == d);
        } else {
            const std::uint32_t i = v - F;
            for (std::uint64_t k = t.by_demand[i]; k < t.by_demand[i + 1]; ++k) {
                const std::uint32_t a = t.arcs[k];
                if (m_flow[a] == 0) continue;
                const std::uint32_t f = t.facility[k];
                relax(f, d + reduced(-t.cost[a], f, v), v, a, false);
            }
            if (m_unserved[i] > 0) relax(U, d + reduced(-t.big, U, v), v, invalid_index, true);
        }
    }
    return m_reached[T] == m_stamp && m_dist[T] < limit;
}

/** After search_to(): nodes nearer the target than `level` rise by level - distance. */
void IncrementalAssignment::raise_potentials(Cost level) {
    for (const std::uint32_t v : m_settled)
        if (m_dist[v] < level) set(Field::potential, v, m_potential[v] + (level - m_dist[v]));
}

/** After search_from(): nodes nearer the source than `level` fall by level - distance. */
void IncrementalAssignment::lower_potentials(Cost level) {
    for (const std::uint32_t v : m_settled)
        if (m_dist[v] < level) set(Field::potential, v, m_potential[v] - (level - m_dist[v]));
}

IncrementalAssignment::Units IncrementalAssignment::residual(std::uint32_t u, std::uint32_t v,
                                                             std::uint32_t arc) const {
    const Tables& t = *m_tables;
    const auto F = static_cast<std::uint32_t>(t.facilities);
    const std::uint32_t U = unserved_node(), T = sink_node();
    constexpr Units unlimited = std::numeric_limits<Units>::max();
    if (u < F)
        return v == T ? t.capacity[u] - m_load[u] : m_flow[arc];  // a seat; back along a flow
    if (u == T) return v == U ? m_unserved_total : m_load[v];
    if (u == U) return v == T ? unlimited : m_unserved[v - F];
    return unlimited;  // a person to a facility or to "unserved"
}

IncrementalAssignment::Cost IncrementalAssignment::arc_cost(std::uint32_t u, std::uint32_t v,
                                                            std::uint32_t arc) const {
    const Tables& t = *m_tables;
    const auto F = static_cast<std::uint32_t>(t.facilities);
    const std::uint32_t U = unserved_node(), T = sink_node();
    if (u < F) return v == T ? 0 : -t.cost[arc];
    if (u == T) return 0;
    if (u == U) return v == T ? 0 : -t.big;
    return v == U ? t.big : t.cost[arc];
}

void IncrementalAssignment::push(std::uint32_t u, std::uint32_t v, std::uint32_t arc, Units delta) {
    const auto F = static_cast<std::uint32_t>(m_tables->facilities);
    const std::uint32_t U = unserved_node(), T = sink_node();
    if (u < F) {
        if (v == T)
            change_load(u, delta);
        else
            change_flow(arc, -delta);
    } else if (u == T) {
        if (v != U) change_load(v, -delta);  // T -> U: the total follows the person's change
    } else if (u == U) {
        if (v != T) change_unserved(v - F, -delta);
    } else if (v == U) {
        change_unserved(u - F, delta);
    } else {
        change_flow(arc, delta);
    }
}

/**
 * The next arc of `v`'s residual neighbourhood from its cursor on (successors, or predecessors
 * when `backwards`), with the other end and the pair; false when there is none left. `start`
 * is the facility being opened or closed, whose own arc to the sink is not used.
 */
bool IncrementalAssignment::next_arc(std::uint32_t v, bool backwards, std::uint32_t start,
                                     std::uint32_t& other, std::uint32_t& arc) {
    const Tables& t = *m_tables;
    const auto F = static_cast<std::uint32_t>(t.facilities);
    const std::uint32_t U = unserved_node(), T = sink_node();
    std::uint64_t& k = m_cursor[v];
    if (v < F) {
        const std::uint64_t deg = t.first[v + 1] - t.first[v];
        for (; k < deg; ++k) {
            const std::uint64_t a = t.first[v] + k;
            if (!backwards && m_flow[a] == 0) continue;
            other = node_of_demand(t.demand[a]);
            arc = static_cast<std::uint32_t>(a);
            ++k;
            return true;
        }
        if (k == deg) {
            ++k;
            if (v != start) {
                other = T;
                arc = invalid_index;
                return true;
            }
        }
        return false;
    }
    if (v == U) {
        if (k++ == 0) {
            other = T;
            arc = invalid_index;
            return true;
        }
        return false;
    }
    const std::uint32_t i = v - F;
    const std::uint64_t deg = t.by_demand[i + 1] - t.by_demand[i];
    for (; k < deg; ++k) {
        const std::uint64_t e = t.by_demand[i] + k;
        const std::uint32_t f = t.facility[e];
        if (backwards ? m_flow[t.arcs[e]] == 0 : !m_open[f]) continue;
        other = f;
        arc = t.arcs[e];
        ++k;
        return true;
    }
    if (k++ == deg) {
        other = U;
        arc = invalid_index;
        return true;
    }
    return false;
}

/**
 * After a search, pushes along every path between `start` and `goal` within what it reached (a
 * blocking flow: forwards from a facility being closed, or backwards into a facility being
 * opened), up to `limit` in all: along arcs of reduced cost 0 after search_from() / search_to()
 * and their potential update (each such path is a shortest one, so the flow stays optimal for
 * its amount), or, `by_level`, along arcs one step further from `start` after levels_from().
 * Returns the amount pushed.
 */
IncrementalAssignment::Units IncrementalAssignment::push_admissible(std::uint32_t start,
                                                                    bool backwards, Units limit,
                                                                    std::uint32_t goal,
                                                                    bool by_level) {
    if (++m_phase == 0) {
        std::fill(m_cursor_stamp.begin(), m_cursor_stamp.end(), 0u);
        std::fill(m_dead.begin(), m_dead.end(), 0u);
        std::fill(m_on_path.begin(), m_on_path.end(), 0u);
        m_phase = 1;
    }
    auto visit = [&](std::uint32_t v) {
        if (m_cursor_stamp[v] != m_phase) {
            m_cursor_stamp[v] = m_phase;
            m_cursor[v] = 0;
        }
        m_on_path[v] = m_phase;
        m_path.push_back(v);
    };
    // The arc between path[k] and path[k + 1], as (tail, head) of the residual network.
    auto tail = [&](std::size_t k) { return backwards ? m_path[k + 1] : m_path[k]; };
    auto head = [&](std::size_t k) { return backwards ? m_path[k] : m_path[k + 1]; };
    Units pushed = 0;
    m_path.clear();
    m_path_arc.clear();
    visit(start);
    while (!m_path.empty() && pushed < limit) {
        const std::uint32_t v = m_path.back();
        if (v == goal) {
            Units delta = limit - pushed;
            for (std::size_t k = 0; k + 1 < m_path.size(); ++k)
                delta = std::min(delta, residual(tail(k), head(k), m_path_arc[k]));
            for (std::size_t k = 0; k + 1 < m_path.size(); ++k)
                push(tail(k), head(k), m_path_arc[k], delta);
            pushed += delta;
            ++m_augmentations;
            // Back to the node before the first arc that is now full.
            std::size_t keep = m_path.size() - 1;
            for (std::size_t k = 0; k + 1 < m_path.size(); ++k)
                if (residual(tail(k), head(k), m_path_arc[k]) == 0) {
                    keep = k;
                    break;
                }
            for (std::size_t k = keep + 1; k < m_path.size(); ++k) m_on_path[m_path[k]] = 0;
            m_path.resize(keep + 1);
            m_path_arc.resize(keep);
            continue;
        }
        std::uint32_t other = 0, arc = 0;
        bool advanced = false;
        while (next_arc(v, backwards, start, other, arc)) {
            // Only within what the search reached: a bounded region, all on shortest paths' reach.
            if (m_reached[other] != m_stamp || m_on_path[other] == m_phase ||
                m_dead[other] == m_phase)
                continue;
            const std::uint32_t u = backwards ? other : v, w = backwards ? v : other;
            if (residual(u, w, arc) == 0) continue;
            if (by_level ? m_dist[other] != m_dist[v] + 1 : reduced(arc_cost(u, w, arc), u, w) != 0)
                continue;
            // The arc stays the cursor's current one until it is full (the cursor moved past it).
            --m_cursor[v];
            m_path_arc.push_back(arc);
            visit(other);
            advanced = true;
            break;
        }
        if (!advanced) {
            m_dead[v] = m_phase;
            m_on_path[v] = 0;
            m_path.pop_back();
            if (!m_path_arc.empty()) {
                m_path_arc.pop_back();
                ++m_cursor[m_path.back()];  // that arc leads nowhere now
            }
        }
    }
    return pushed;
}

/**
 * Breadth-first levels (in m_dist) from `start` over residual arcs, for the served weight only:
 * backwards from a facility being opened until a waiting person (U) is found, or forwards from a
 * facility being closed until a spare seat (the sink) is found. False when there is none.
 */
bool IncrementalAssignment::levels_from(std::uint32_t start, bool backwards) {
    const Tables& t = *m_tables;
    const auto F = static_cast<std::uint32_t>(t.facilities);
    const std::uint32_t U = unserved_node(), T = sink_node();
    start_search();
    auto reach = [&](std::uint32_t v, Cost level) {
        if (m_reached[v] == m_stamp) return;
        m_reached[v] = m_stamp;
        m_dist[v] = level;
        m_settled.push_back(v);
    };
    reach(start, 0);
    for (std::size_t q = 0; q < m_settled.size(); ++q) {
        const std::uint32_t v = m_settled[q];
        const Cost next = m_dist[v] + 1;
        if (v < F) {
            if (!backwards && v != start && m_load[v] < t.capacity[v]) {
                reach(T, next);
                return true;
            }
            for (std::uint64_t a = t.first[v]; a < t.first[v + 1]; ++a)
                if (backwards || m_flow[a] > 0) reach(node_of_demand(t.demand[a]), next);
        } else {
            const std::uint32_t i = v - F;
            if (backwards && m_unserved[i] > 0) {
                reach(U, next);
                return true;
            }
            for (std::uint64_t k = t.by_demand[i]; k < t.by_demand[i + 1]; ++k)
                if (backwards ? m_flow[t.arcs[k]] > 0 : m_open[t.facility[k]] != 0)
                    reach(t.facility[k], next);
        }
    }
    return false;
}

void IncrementalAssignment::open(std::uint32_t f) {
    const Tables& t = *m_tables;
    assert(!m_open[f]);
    set(Field::open, f, 1);
    if (!t.times) {
        // The served weight only: seat waiting people along fewest-step augmenting paths.
        while (m_load[f] < t.capacity[f] && levels_from(f, true))
            change_load(f,
                        push_admissible(f, true, t.capacity[f] - m_load[f], unserved_node(), true));
        return;
    }
    const std::uint32_t T = sink_node();
    // The highest potential that keeps every arc into f at a reduced cost >= 0.
    Cost p = m_potential[T];
    bool any = false;
    for (std::uint64_t a = t.first[f]; a < t.first[f + 1]; ++a) {
        const Cost q = t.cost[a] + m_potential[node_of_demand(t.demand[a])];
        p = any ? std::min(p, q) : q;
        any = true;
    }
    set(Field::potential, f, p);
    if (t.capacity[f] == 0) return;
    // f -> T costs p(f) - p(T) < 0 when some cycle through f's new seats is cheaper than now:
    // fill them along the cheapest such cycles while they cost less than 0.
    Cost gap = m_potential[T] - m_potential[f];
    while (gap > 0 && m_load[f] < t.capacity[f]) {
        if (!search_to(f, gap)) {
            raise_potentials(gap);  // f -> T now costs 0: nothing cheaper is left
            break;
        }
        const Cost D = m_dist[T];
        raise_potentials(D);
        gap -= D;
        change_load(f, push_admissible(f, true, t.capacity[f] - m_load[f], T, false));
    }
}

void IncrementalAssignment::close(std::uint32_t f) {
    const Tables& t = *m_tables;
    assert(m_open[f]);
    set(Field::open, f, 0);
    if (!t.times) {
        // Move what f served to spare seats where a path of moves leads to one; the rest waits.
        while (m_load[f] > 0 && levels_from(f, false))
            change_load(f, -push_admissible(f, false, m_load[f], sink_node(), true));
        for (std::uint64_t a = t.first[f]; a < t.first[f + 1] && m_load[f] > 0; ++a) {
            const Units x = m_flow[a];
            if (x == 0) continue;
            change_flow(static_cast<std::uint32_t>(a), -x);
            change_unserved(t.demand[a], x);
            change_load(f, -x);
        }
        return;
    }
    while (m_load[f] > 0) {
        const bool found = search_from(f);
        assert(found);
        (void)found;
        lower_potentials(m_dist[sink_node()]);
        change_load(f, -push_admissible(f, false, m_load[f], sink_node(), false));
    }
}

}  // namespace lifecircle::planners
