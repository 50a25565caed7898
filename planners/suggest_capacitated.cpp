// Capacitated objectives of suggest(): every move evaluated exactly by an incremental
// assignment (planners/assignment.hpp), after bounds on its gain said it could matter.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <utility>

#include "core/parallel.hpp"
#include "planners/assignment.hpp"
#include "planners/suggest_bound.hpp"
#include "planners/suggest_detail.hpp"

namespace lifecircle::planners::detail {

namespace {

using Units = std::int64_t;
/** An objective to maximise in the assignment's integer units: served weight units, or minus
    (weight units x time ticks, the unserved charged their fallback). Exact: no tolerance. */
using Score = WideUnits;

constexpr double inf = std::numeric_limits<double>::infinity();

/**
 * The capacitated problem as one table: existing facilities (rows [0, E), always open), then
 * the candidates (rows [E, E + C)), each with the pairs it may use: within the cutoff and, for
 * the p-median, quicker than the point's fallback.
 */
class SeatProblem {
public:
    SeatProblem(const LocationProblem& p, const SuggestOptions& o)
        : median(o.objective == Objective::p_median),
          D(p.weight.size()),
          C(p.candidates->rows()),
          E(p.existing ? p.existing->rows() : 0) {
        weight.assign(p.weight.begin(), p.weight.end());
        const double penalty = unreached_charge(p);
        f0.resize(D);
        for (std::size_t i = 0; i < D; ++i) {
            const double fb = p.fallback.empty() ? inf : p.fallback[i];
            f0[i] = std::isfinite(fb) ? fb : penalty;
            total += weight[i];
        }
        auto keep = [&](const TimeEntry& t) {
            if (weight[t.col] <= 0.0 || t.seconds > p.cutoff) return false;
            return !median || double(t.seconds) < f0[t.col];  // else the fallback is as good
        };
        std::vector<std::vector<TimeEntry>> rows;
        auto add = [&](std::span<const TimeEntry> row, double cap) {
            std::vector<TimeEntry> kept;
            for (const TimeEntry& t : row)
                if (keep(t)) kept.push_back(t);
            rows.push_back(std::move(kept));
            capacity.push_back(cap);
        };
        for (std::size_t e = 0; e < E; ++e) add(p.existing->row(e), p.existing_capacity[e]);
        for (std::size_t j = 0; j < C; ++j) add(p.candidates->row(j), p.candidate_capacity[j]);
        std::vector<std::uint8_t> reach(D, 0);
        for (const auto& r : rows)
            for (const TimeEntry& t : r) reach[t.col] = 1;
        for (std::size_t i = 0; i < D; ++i) {
            if (weight[i] <= 0.0) continue;
            if (reach[i])
                reachable += weight[i];
            else
                unreachable.push_back(static_cast<std::uint32_t>(i));
        }
        // A candidate serves at most its capacity and the weight it reaches (in the same whole
        // units as the assignment, so the bound holds exactly).
        gain_bound.resize(C);
        for (std::size_t j = 0; j < C; ++j) {
            Units within = 0;
            for (const TimeEntry& t : rows[E + j]) within += units_of(weight[t.col]);
            gain_bound[j] = std::min(units_of(capacity[E + j]), within);
        }
        integer_data = true;
        for (std::size_t i = 0; i < D && integer_data; ++i)
            if (weight[i] > 0.0 && !integral(weight[i] * f0[i])) integer_data = false;
        for (const auto& r : rows)
            for (const TimeEntry& t : r)
                if (!integral(weight[t.col] * double(t.seconds))) integer_data = false;
        table = TimeTable(std::move(rows), D);
        charge_ticks.resize(D);
        for (std::size_t i = 0; i < D; ++i)
            charge_ticks[i] = static_cast<std::int64_t>(f0[i] / resolution.time_resolution + 0.5);
    }

    const bool median;
    const std::size_t D, C, E;
    std::vector<double> weight, f0, capacity;
    double total = 0.0, reachable = 0.0;
    std::vector<std::uint32_t> unreachable;
    bool integer_data = true;
    TimeTable table;
    std::vector<Units> gain_bound;           ///< per candidate
    AssignmentOptions resolution;            ///< the assignment's units
    std::vector<std::int64_t> charge_ticks;  ///< per demand point, the fallback in time ticks

    Units units_of(double amount) const {
        return static_cast<Units>(
            std::floor(amount / resolution.weight_resolution * (1.0 + 1e-12) + 1e-9));
    }
    /** The existing facilities open, nothing else. */
    IncrementalAssignment start() const {
        IncrementalAssignment a(table, weight, capacity, resolution, median);
        if (median) a.set_unserved_charge(f0);
        for (std::size_t e = 0; e < E; ++e) a.open(static_cast<std::uint32_t>(e));
        return a;
    }
    Score score(const IncrementalAssignment& a) const {
        return median ? -(a.time_units() + a.charge_units()) : Score(a.served_units());
    }
    /** The score with `site` opened on `base`'s open facilities, by assign() from scratch. */
    Score score_from_scratch(const IncrementalAssignment& base, std::uint32_t site) const {
        std::vector<std::vector<TimeEntry>> rows;
        std::vector<double> cap;
        for (std::size_t f = 0; f < E + C; ++f)
            if (base.is_open(static_cast<std::uint32_t>(f)) || f == E + site) {
                rows.emplace_back(table.row(f).begin(), table.row(f).end());
                cap.push_back(capacity[f]);
            }
        AssignmentOptions one = resolution;
        one.parallel.threads = 1;
        const Assignment a = assign(TimeTable(std::move(rows), D), weight, cap, one);
        if (!median) return Score(a.totals.served_units);
        Score charged = 0;
        for (std::size_t i = 0; i < D; ++i) {
            const auto served = static_cast<Units>(
                std::llround(a.demand[i].served_weight / resolution.weight_resolution));
            charged += Score(units_of(weight[i]) - served) * charge_ticks[i];
        }
        return -(a.totals.weighted_units + charged);
    }
    /** A score difference in the objective's unit: people, or weight x seconds saved. */
    double value_of(Score g) const {
        const double w = resolution.weight_resolution;
        return median ? double(g) * w * resolution.time_resolution : double(g) * w;
    }

    /** The open candidates described by a fresh assign(), the one coverage runs: served weight,
        weighted time at full precision (table seconds, not ticks; unserved at the fallback) and
        the weight of each site, existing first. */
    struct Description {
        double served = 0.0, weighted = 0.0;
        std::vector<double> assigned;
        /** Per demand point, its weight when a spare seat reaches it by a path of moves, else
            0: the demand side of a minimum cut of the assignment, a good start for the
            Lagrangian multipliers of the coverage bound. */
        std::vector<double> cut_prices;
    };
    Description describe(std::span<const std::uint32_t> open) const {
        std::vector<std::vector<TimeEntry>> rows;
        std::vector<double> cap;
        for (std::size_t e = 0; e < E; ++e) {
            rows.emplace_back(table.row(e).begin(), table.row(e).end());
            cap.push_back(capacity[e]);
        }
        for (const std::uint32_t j : open) {
            rows.emplace_back(table.row(E + j).begin(), table.row(E + j).end());
            cap.push_back(capacity[E + j]);
        }
        const TimeTable t(std::move(rows), D);
        const Assignment a = assign(t, weight, cap);
        Description out;
        out.served = a.totals.served_weight;
        if (median) {
            for (const AssignedFlow& f : a.flows)
                out.weighted += f.weight * double(t.at(f.facility, f.demand));
            for (std::size_t i = 0; i < D; ++i)
                out.weighted += (weight[i] - a.demand[i].served_weight) * f0[i];
        }
        for (const FacilityAssignment& f : a.facilities) out.assigned.push_back(f.assigned_weight);
        // Nodes reachable from a spare seat: facility -> any point of its pairs, point -> the
        // facilities serving it.
        const std::size_t F = t.rows();
        std::vector<std::vector<std::uint32_t>> serving(D);
        for (const AssignedFlow& f : a.flows) serving[f.demand].push_back(f.facility);
        std::vector<std::uint8_t> seen(F + D, 0);
        std::vector<std::uint32_t> queue;
        for (std::uint32_t f = 0; f < F; ++f)
            if (a.facilities[f].spare_capacity > 0.0) {
                seen[f] = 1;
                queue.push_back(f);
            }
        for (std::size_t q = 0; q < queue.size(); ++q) {
            const std::uint32_t v = queue[q];
            if (v < F) {
                for (const TimeEntry& e : t.row(v))
                    if (!seen[F + e.col]) {
                        seen[F + e.col] = 1;
                        queue.push_back(static_cast<std::uint32_t>(F + e.col));
                    }
            } else {
                for (const std::uint32_t f : serving[v - F])
                    if (!seen[f]) {
                        seen[f] = 1;
                        queue.push_back(f);
                    }
            }
        }
        out.cut_prices.resize(D);
        for (std::size_t i = 0; i < D; ++i) out.cut_prices[i] = seen[F + i] ? weight[i] : 0.0;
        return out;
    }
};

/** One candidate opened on one of the base states. */
struct Trial {
    std::uint32_t base = 0;
    std::uint32_t site = 0;
};

/**
 * Scores of trials on copies of their base states (undone after each), in parallel; each result
 * is written by its index and is exact, so they are the same whatever the thread count.
 */
class Trials {
public:
    Trials(const SeatProblem& sp, const ParallelOptions& parallel) : m_sp(sp) {
        m_parallel.threads = parallel.threads;
    }

    std::vector<Score> run(std::span<IncrementalAssignment* const> bases,
                           std::span<const Trial> trials) {
        std::vector<Score> out(trials.size());
        if (!m_sp.median) {
            // Served weight: a trial that cannot serve more keeps the base's score, and that is
            // known for every candidate at once from the base.
            std::vector<std::vector<std::uint8_t>> more(bases.size());
            std::vector<Trial> kept;
            std::vector<std::size_t> at;
            for (std::size_t k = 0; k < trials.size(); ++k) {
                auto& m = more[trials[k].base];
                if (m.empty()) m = bases[trials[k].base]->serves_more_if_opened();
                if (m[m_sp.E + trials[k].site]) {
                    kept.push_back(trials[k]);
                    at.push_back(k);
                } else {
                    out[k] = m_sp.score(*bases[trials[k].base]);
                }
            }
            const std::vector<Score> scores = evaluate(bases, kept);
            for (std::size_t q = 0; q < kept.size(); ++q) out[at[q]] = scores[q];
            return out;
        }
        return evaluate(bases, trials);
    }

    std::size_t evaluations = 0;

private:
    std::vector<Score> evaluate(std::span<IncrementalAssignment* const> bases,
                                std::span<const Trial> trials) {
        std::vector<Score> out(trials.size());
        evaluations += trials.size();
        const auto repaired = [&](IncrementalAssignment& a, std::uint32_t site) {
            const auto f = static_cast<std::uint32_t>(m_sp.E + site);
            if (a.opening_changes_nothing(f)) return m_sp.score(a);
            a.begin_trial();
            a.open(f);
            const Score s = m_sp.score(a);
            a.undo_trial();
            return s;
        };
        const auto fresh = [&](const IncrementalAssignment& a, std::uint32_t site) {
            return m_sp.score_from_scratch(a, site);
        };
        // With times, a repair moves people one shortest path at a time; on small, dense tables
        // with few sites assign() from scratch is quicker. Both are exact, so which one runs
        // (measured once, on the first trials) changes only the time, never a score.
        if (m_sp.median && m_mode == Mode::unknown && trials.size() >= 8) {
            const Clock a;
            for (std::size_t k = 0; k < 4; ++k)
                out[k] = repaired(*bases[trials[k].base], trials[k].site);
            const double repair_s = a.seconds();
            const Clock b;
            for (std::size_t k = 0; k < 4; ++k) {
                [[maybe_unused]] const Score s = fresh(*bases[trials[k].base], trials[k].site);
                assert(s == out[k]);
            }
            m_mode = b.seconds() < repair_s ? Mode::scratch : Mode::repair;
        }
        const bool from_scratch = m_mode == Mode::scratch;
        constexpr std::size_t block = 8;
        if (trials.size() <= block || m_parallel.threads == 1) {
            for (std::size_t k = 0; k < trials.size(); ++k)
                out[k] = from_scratch ? fresh(*bases[trials[k].base], trials[k].site)
                                      : repaired(*bases[trials[k].base], trials[k].site);
            return out;
        }
        struct Worker {
            std::optional<IncrementalAssignment> state;
            std::uint32_t base = invalid_index;
        };
        parallel_for_each((trials.size() + block - 1) / block, m_parallel, [] { return Worker{}; },
                          [&](std::size_t b, Worker& w) {
                              for (std::size_t k = b * block;
                                   k < std::min(trials.size(), (b + 1) * block); ++k) {
                                  if (from_scratch) {
                                      out[k] = fresh(*bases[trials[k].base], trials[k].site);
                                      continue;
                                  }
                                  if (w.base != trials[k].base) {
                                      w.state = *bases[trials[k].base];
                                      w.base = trials[k].base;
                                  }
                                  out[k] = repaired(*w.state, trials[k].site);
                              }
                          });
        return out;
    }

    enum class Mode { unknown, repair, scratch };
    Mode m_mode = Mode::unknown;
    const SeatProblem& m_sp;
    ParallelOptions m_parallel;
};

/** Best-move order: larger profit, then lower site in, then lower site out. */
struct Swap {
    Score profit = 0;
    std::uint32_t in = none, out = none;
    bool better_than(const Swap& o) const {
        if (in == none) return false;
        if (o.in == none) return true;
        if (profit != o.profit) return profit > o.profit;
        if (in != o.in) return in < o.in;
        return out < o.out;
    }
};

/** The search over one current set of open candidates, with its assignment kept up to date. */
class SeatSearch {
public:
    SeatSearch(const SeatProblem& sp, const SuggestOptions& o, const LocationProblem& p)
        : m_sp(sp),
          m_o(o),
          m_trials(sp, o.parallel),
          m_cur(sp.start()),
          m_in(sp.C, 0),
          m_cost(sp.C, 1.0) {
        if (!p.candidate_cost.empty())
            m_cost.assign(p.candidate_cost.begin(), p.candidate_cost.end());
        m_budgeted = o.objective == Objective::max_coverage && std::isfinite(o.budget);
        m_value = m_sp.score(m_cur);
        m_gain_bound.assign(sp.gain_bound.begin(), sp.gain_bound.end());
    }

    const std::vector<std::uint32_t>& sites() const { return m_sites; }
    Score value() const { return m_value; }
    std::size_t evaluations() const { return m_trials.evaluations; }
    bool fits(std::uint32_t j, double spent) const {
        return !m_budgeted || spent + m_cost[j] <= m_o.budget * (1 + 1e-12);
    }
    double cost(std::uint32_t j) const { return m_cost[j]; }
    IncrementalAssignment& state() { return m_cur; }
    bool stop() const { return m_o.cancelled && m_o.cancelled(); }

    void open(std::uint32_t j) {
        m_cur.open(static_cast<std::uint32_t>(m_sp.E + j));
        m_sites.push_back(j);
        m_in[j] = 1;
        m_spent += m_cost[j];
        m_value = m_sp.score(m_cur);
    }
    void close(std::uint32_t j) {
        m_cur.close(static_cast<std::uint32_t>(m_sp.E + j));
        m_sites.erase(std::find(m_sites.begin(), m_sites.end(), j));
        m_in[j] = 0;
        m_spent -= m_cost[j];
        m_value = m_sp.score(m_cur);
    }
    /** Swaps an open site for a closed candidate, which takes its place in the order. */
    void replace(std::uint32_t out, std::uint32_t in) {
        const auto at = std::find(m_sites.begin(), m_sites.end(), out) - m_sites.begin();
        close(out);
        open(in);
        m_sites.pop_back();
        m_sites.insert(m_sites.begin() + at, in);
    }
    /** Makes `target` the open set (in its order), closing and opening only the difference. */
    void move_to(const std::vector<std::uint32_t>& target) {
        std::vector<std::uint8_t> wanted(m_sp.C, 0);
        for (const std::uint32_t j : target) wanted[j] = 1;
        for (const std::uint32_t j : std::vector<std::uint32_t>(m_sites))
            if (!wanted[j]) close(j);
        for (const std::uint32_t j : target)
            if (!m_in[j]) open(j);
        m_sites = target;
    }

    /** Exact gains of opening each of `sites` now. */
    std::vector<Score> gains(std::span<const std::uint32_t> sites) {
        std::vector<Trial> trials;
        for (const std::uint32_t j : sites) trials.push_back({0, j});
        IncrementalAssignment* base[1] = {&m_cur};
        std::vector<Score> out = m_trials.run(base, trials);
        for (Score& g : out) g -= m_value;
        return out;
    }

    /**
     * Greedy additions while `more()`: each time the candidate with the largest gain (per cost
     * when budgeted), lowest index on ties. Coverage objectives lazily: served weight is
     * submodular in the open set, so a gain found earlier (or the candidate's capacity and
     * reach) bounds it from above; only the top of the queue is evaluated, a batch at a time.
     * The p-median re-evaluates each time, in the order of the dual bounds, until no bound is
     * left that could beat the best. `first_gains`, when given, are the exact gains of every
     * candidate now. `added` gets each pick's gain.
     */
    template <class More>
    void greedy(More&& more, std::span<const Score> first_gains, std::vector<Score>& added,
                const std::function<void()>& picked) {
        const auto key = [&](std::uint32_t j, Score g) {
            if (!m_budgeted) return double(g);
            return m_cost[j] > 0 ? double(g) / m_cost[j] : (g > 0 ? inf : 0.0);
        };
        if (m_sp.median) {
            // Every candidate's gain is at most its dual bound (IncrementalAssignment::
            // opening_gain_bound): evaluate in the order of those bounds until none is left that
            // could beat (or tie with a lower index) the best gain found.
            while (more() && !stop()) {
                struct Candidate {
                    Score bound;
                    std::uint32_t site;
                };
                std::vector<Candidate> order;
                for (std::uint32_t j = 0; j < m_sp.C; ++j)
                    if (!m_in[j] && fits(j, m_spent))
                        order.push_back(
                            {m_cur.opening_gain_bound(static_cast<std::uint32_t>(m_sp.E + j)), j});
                if (order.empty()) return;
                std::sort(order.begin(), order.end(), [](const Candidate& a, const Candidate& b) {
                    return a.bound != b.bound ? a.bound > b.bound : a.site < b.site;
                });
                std::uint32_t pick = none;
                Score pick_gain = 0;
                const auto could_win = [&](const Candidate& c) {
                    return pick == none || c.bound > pick_gain ||
                           (c.bound == pick_gain && c.site < pick);
                };
                constexpr std::size_t batch = 16;
                for (std::size_t q = 0; q < order.size();) {
                    std::vector<std::uint32_t> sites;
                    for (; q < order.size() && sites.size() < batch; ++q)
                        if (could_win(order[q])) sites.push_back(order[q].site);
                    if (sites.empty()) break;
                    const std::vector<Score> g = gains(sites);
                    for (std::size_t k = 0; k < sites.size(); ++k)
                        if (pick == none || g[k] > pick_gain ||
                            (g[k] == pick_gain && sites[k] < pick)) {
                            pick = sites[k];
                            pick_gain = g[k];
                        }
                    if (q < order.size() && !could_win(order[q])) break;
                }
                added.push_back(pick_gain);
                open(pick);
                picked();
            }
            return;
        }
        using Entry = std::pair<double, std::uint32_t>;
        const auto lower = [](const Entry& a, const Entry& b) {
            return a.first != b.first ? a.first < b.first : a.second > b.second;
        };
        std::priority_queue<Entry, std::vector<Entry>, decltype(lower)> queue(lower);
        std::vector<std::size_t> fresh(m_sp.C, 0);  // the round its key was found exactly in
        std::vector<Score> exact(m_sp.C, 0);
        std::size_t round = 1;
        for (std::uint32_t j = 0; j < m_sp.C; ++j) {
            if (m_in[j]) continue;
            if (!first_gains.empty()) {
                exact[j] = first_gains[j];
                fresh[j] = round;
            }
            queue.emplace(key(j, first_gains.empty() ? Score(m_sp.gain_bound[j]) : first_gains[j]),
                          j);
        }
        constexpr std::size_t batch = 16;
        while (more() && !stop()) {
            while (!queue.empty() &&
                   (m_in[queue.top().second] || !fits(queue.top().second, m_spent)))
                queue.pop();
            if (queue.empty()) return;
            const std::uint32_t top = queue.top().second;
            if (fresh[top] == round) {
                if (exact[top] <= 0) return;  // nothing left to gain
                queue.pop();
                added.push_back(exact[top]);
                open(top);
                ++round;
                picked();
                continue;
            }
            // Evaluate the stale entries at the top (a fixed batch: the same whatever the threads).
            std::vector<std::uint32_t> stale;
            while (!queue.empty() && stale.size() < batch) {
                const std::uint32_t j = queue.top().second;
                if (fresh[j] == round) break;
                queue.pop();
                if (!m_in[j] && fits(j, m_spent)) stale.push_back(j);
            }
            const std::vector<Score> g = gains(stale);
            for (std::size_t q = 0; q < stale.size(); ++q) {
                exact[stale[q]] = g[q];
                fresh[stale[q]] = round;
                queue.emplace(key(stale[q], g[q]), stale[q]);
            }
        }
    }

    /**
     * The best improving swap (site out, candidate in). Coverage objectives screen first: with
     * loss(k) what closing k costs and gain(f) what opening f adds now, a swap gains at most
     * min(gain(f), bound(f) - loss(k)) (served weight only grows with more sites; bound(f) is
     * f's gain with the existing facilities alone, or its capacity and reach), so most swaps
     * are never evaluated, nor most gains. The p-median evaluates every swap whose opening
     * changes something.
     */
    Swap best_swap() {
        Swap best;
        const std::size_t K = m_sites.size();
        if (K == 0) return best;
        std::vector<IncrementalAssignment> without(K, m_cur);
        std::vector<Score> loss(K);
        std::vector<IncrementalAssignment*> bases(K);
        for (std::size_t k = 0; k < K; ++k) {
            without[k].close(static_cast<std::uint32_t>(m_sp.E + m_sites[k]));
            loss[k] = m_value - m_sp.score(without[k]);
            bases[k] = &without[k];
        }
        std::vector<std::uint32_t> closed;
        for (std::uint32_t j = 0; j < m_sp.C; ++j)
            if (!m_in[j]) closed.push_back(j);
        const auto allowed = [&](std::uint32_t f, std::size_t k) {
            return !m_budgeted ||
                   m_spent - m_cost[m_sites[k]] + m_cost[f] <= m_o.budget * (1 + 1e-12);
        };
        const auto consider = [&](const std::vector<Trial>& trials) {
            const std::vector<Score> s = m_trials.run(bases, trials);
            for (std::size_t q = 0; q < trials.size(); ++q) {
                Swap c;
                c.profit = s[q] - m_value;
                c.in = trials[q].site;
                c.out = m_sites[trials[q].base];
                if (c.profit > 0 && c.better_than(best)) best = c;
            }
        };
        struct Candidate {
            Score bound;
            std::uint32_t site;
            std::uint32_t k;
        };
        const auto could_win = [&](const Candidate& c) {
            if (c.bound <= 0) return false;
            if (best.in == none) return true;
            if (c.bound != best.profit) return c.bound > best.profit;
            return c.site < best.in || (c.site == best.in && m_sites[c.k] < best.out);
        };
        const auto by_bound = [&](const Candidate& a, const Candidate& b) {
            if (a.bound != b.bound) return a.bound > b.bound;
            if (a.site != b.site) return a.site < b.site;
            return m_sites[a.k] < m_sites[b.k];
        };
        constexpr std::size_t batch = 16;
        const auto evaluate_in_order = [&](std::vector<Candidate>& order) {
            std::sort(order.begin(), order.end(), by_bound);
            for (std::size_t q = 0; q < order.size();) {
                std::vector<Trial> trials;
                for (; q < order.size() && trials.size() < batch; ++q)
                    if (could_win(order[q])) trials.push_back({order[q].k, order[q].site});
                if (trials.empty()) break;
                consider(trials);
                if (q < order.size() && !could_win(order[q])) break;
            }
        };
        if (m_sp.median) {
            // A swap saves at most the dual bound of opening f where k is closed, less k's loss.
            std::vector<Candidate> order;
            for (std::size_t k = 0; k < K; ++k)
                for (const std::uint32_t f : closed)
                    if (allowed(f, k))
                        order.push_back(
                            {without[k].opening_gain_bound(static_cast<std::uint32_t>(m_sp.E + f)) -
                                 loss[k],
                             f, static_cast<std::uint32_t>(k)});
            evaluate_in_order(order);
            return best;
        }
        const Score least_loss = *std::min_element(loss.begin(), loss.end());
        std::vector<std::uint32_t> promising;
        for (const std::uint32_t f : closed)
            if (m_gain_bound[f] - least_loss > 0) promising.push_back(f);
        if (promising.empty()) return best;
        const std::vector<Score> g = gains(promising);
        std::vector<Candidate> order;
        for (std::size_t q = 0; q < promising.size(); ++q)
            for (std::size_t k = 0; k < K; ++k) {
                const std::uint32_t f = promising[q];
                const Score b = std::min(g[q], m_gain_bound[f] - loss[k]);
                if (b > 0 && allowed(f, k)) order.push_back({b, f, static_cast<std::uint32_t>(k)});
            }
        evaluate_in_order(order);
        return best;
    }

    /** Upper bounds of every candidate's gain at any open set: its gain with the existing
        facilities alone (served weight is submodular), when known, else its capacity and reach. */
    void set_gain_bounds(std::span<const Score> bounds) {
        m_gain_bound.assign(bounds.begin(), bounds.end());
    }

    /** Best-improvement swaps to a local optimum (or the time limit); returns the swaps made. */
    std::size_t local_search(const Clock& clock) {
        std::size_t moves = 0;
        for (;;) {
            const Swap m = best_swap();
            if (m.in == none) return moves;
            replace(m.out, m.in);
            ++moves;
            if (clock.seconds() > m_o.time_limit || stop()) return moves;
        }
    }

private:
    const SeatProblem& m_sp;
    const SuggestOptions& m_o;
    Trials m_trials;
    IncrementalAssignment m_cur;
    std::vector<std::uint32_t> m_sites;
    std::vector<std::uint8_t> m_in;
    std::vector<double> m_cost;
    bool m_budgeted = false;
    double m_spent = 0.0;
    Score m_value = 0;
    std::vector<Score> m_gain_bound;
};

/** The sum of the `k` largest of `gains` (those > 0). */
Score top_sum(std::vector<Score> gains, std::size_t k) {
    k = std::min(k, gains.size());
    std::partial_sort(gains.begin(), gains.begin() + static_cast<std::ptrdiff_t>(k), gains.end(),
                      std::greater<>());
    Score sum = 0;
    for (std::size_t q = 0; q < k && gains[q] > 0; ++q) sum += gains[q];
    return sum;
}

Lists<std::uint32_t> to_lists(const TimeTable& table, std::size_t from, std::size_t to) {
    Lists<std::uint32_t> out;
    for (std::size_t r = from; r < to; ++r) {
        for (const TimeEntry& t : table.row(r)) out.items.push_back(t.col);
        out.close();
    }
    return out;
}

}  // namespace

Suggestion solve_capacitated(const LocationProblem& p, const SuggestOptions& o) {
    const Clock clock;
    const SeatProblem sp(p, o);
    Suggestion s;
    s.objective = o.objective;
    s.capacitated = true;
    s.total_weight = sp.total;
    s.unreachable = sp.unreachable;
    s.unreachable_weight = sp.total - sp.reachable;
    const bool median = sp.median;
    const bool budgeted = o.objective == Objective::max_coverage && std::isfinite(o.budget);
    const double wres = sp.resolution.weight_resolution;

    // Progress: the greedy's picks, the bound, the restarts.
    const std::size_t restart_cap =
        budgeted || o.objective == Objective::min_facilities ? 0 : o.restarts / 40;
    Steps steps(o, (o.objective == Objective::min_facilities ? 1 : o.count) + 1 + restart_cap);
    steps.check_start();
    const auto step = [&] { steps.done(); };

    SeatSearch search(sp, o, p);
    const Score before = search.value();
    const SeatProblem::Description none_open = sp.describe({});
    s.covered_before = none_open.served;
    if (median) s.weighted_time_before = none_open.weighted;
    // The most weight that can be served: every candidate open (served weight only).
    Units max_served = 0;
    {
        IncrementalAssignment all(sp.table, sp.weight, sp.capacity, sp.resolution, false);
        for (std::size_t f = 0; f < sp.E + sp.C; ++f) all.open(static_cast<std::uint32_t>(f));
        max_served = all.served_units();
    }
    s.best_share = sp.total > 0 ? double(max_served) * wres / sp.total : 1.0;
    // Every candidate's gain with only the existing facilities open: the greedy's first round
    // and, served weight being submodular, a bound for the coverage objectives.
    std::vector<std::uint32_t> every(sp.C);
    std::iota(every.begin(), every.end(), 0u);
    const std::vector<Score> gain_alone = median ? std::vector<Score>{} : search.gains(every);
    if (!median) search.set_gain_bounds(gain_alone);

    Units goal = 0;  // min_facilities: served weight units to reach
    if (o.objective == Objective::min_facilities) {
        const double eps = 1e-9 * std::max(1.0, sp.total);
        goal = static_cast<Units>(std::ceil((o.target * sp.total - eps) / wres));
        if (goal > max_served) {
            s.target_reached = false;
            goal = max_served;
        }
    }

    // Greedy.
    for (const std::uint32_t j : o.start) search.open(j);
    std::vector<Score> added;
    const auto more = [&] {
        if (o.objective == Objective::min_facilities) return search.value() < Score(goal);
        if (budgeted) return true;
        return search.sites().size() < o.count;
    };
    search.greedy(more,
                  o.start.empty() ? std::span<const Score>(gain_alone) : std::span<const Score>{},
                  added, step);
    if (search.stop() && !budgeted && more())
        throw Cancelled();
    s.method = !o.start.empty() ? "given start" : median ? "greedy" : "lazy greedy";
    s.method += " (incremental exact assignment per evaluation)";

    // Bound of the coverage objectives from the gains alone: OPT <= served(existing) + the sum of
    // the gains alone of the sites it opens (submodularity) <= the `count` largest (or a
    // fractional knapsack of them by cost within the budget).
    Score coverage_ub = std::numeric_limits<Score>::max();
    if (!median && o.objective == Objective::max_coverage) {
        if (budgeted) {
            std::vector<std::uint32_t> order(sp.C);
            std::iota(order.begin(), order.end(), 0u);
            const auto ratio = [&](std::uint32_t j) {
                return search.cost(j) > 0 ? double(gain_alone[j]) / search.cost(j) : inf;
            };
            std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
                return ratio(a) != ratio(b) ? ratio(a) > ratio(b) : a < b;
            });
            double room = o.budget, extra = 0.0;
            for (const std::uint32_t j : order) {
                if (gain_alone[j] <= 0 || room <= 0.0) break;
                const double take = search.cost(j) <= room ? 1.0 : room / search.cost(j);
                extra += take * double(gain_alone[j]);
                room -= take * search.cost(j);
            }
            coverage_ub = before + Score(std::ceil(extra * (1 + 1e-12)));
        } else {
            coverage_ub = before + top_sum(gain_alone, o.count);
        }
        coverage_ub = std::min(coverage_ub, Score(max_served));
    }
    const auto proven = [&](Score value) { return value >= coverage_ub; };

    // The Lagrangian relaxation of the coverage objectives (demand constraints relaxed, a
    // fractional knapsack per site).
    bool integer_weights = true;
    for (const double w : sp.weight)
        if (!integral(w)) integer_weights = false;
    std::optional<CoverageBound> coverage_bound;
    if (!median) {
        std::vector<double> cap(sp.capacity.begin() + static_cast<std::ptrdiff_t>(sp.E),
                                sp.capacity.end());
        std::vector<double> ecap(sp.capacity.begin(),
                                 sp.capacity.begin() + static_cast<std::ptrdiff_t>(sp.E));
        std::vector<double> cost(sp.C);
        for (std::uint32_t j = 0; j < sp.C; ++j) cost[j] = search.cost(j);
        coverage_bound.emplace(sp.weight, to_lists(sp.table, sp.E, sp.E + sp.C),
                               to_lists(sp.table, 0, sp.E), cap, ecap, cost, 0.0);
        // From a good start (the cut of the heuristic's assignment) small steps pay: halve them
        // only after 40 iterations without progress.
        coverage_bound->set_patience(40);
        coverage_bound->set_stop([&] { return steps.cancelled(); });
    }

    std::size_t moves = 0, lagrangian_starts = 0, used = 0;
    double median_lb = -inf;
    if (o.objective == Objective::min_facilities) {
        // Fewer sites: drop the one whose loss is least, repair by swaps, keep while the goal
        // holds.
        while (!search.sites().empty() && clock.seconds() < o.time_limit && !search.stop()) {
            const std::vector<std::uint32_t> sites = search.sites();
            std::uint32_t drop = sites.front();
            Score best_left = -1;
            for (const std::uint32_t j : sites) {
                search.state().begin_trial();
                search.state().close(static_cast<std::uint32_t>(sp.E + j));
                const Score left = sp.score(search.state());
                search.state().undo_trial();
                if (left > best_left) {
                    best_left = left;
                    drop = j;
                }
            }
            search.close(drop);
            if (search.value() < Score(goal)) moves += search.local_search(clock);
            if (search.value() < Score(goal)) {
                search.move_to(sites);
                break;
            }
        }
    } else {
        moves = search.local_search(clock);
        std::vector<std::uint32_t> best = search.sites();
        Score best_value = search.value();
        // A start from a relaxation's sites: completed with the best answer's up to the count,
        // improved by the swap search, kept when better.
        const auto start_from = [&](std::vector<std::uint32_t> set) {
            std::vector<std::uint8_t> in(sp.C, 0);
            for (const std::uint32_t j : set) in[j] = 1;
            for (const std::uint32_t j : best)
                if (set.size() < o.count && !in[j]) {
                    set.push_back(j);
                    in[j] = 1;
                }
            search.move_to(set);
            search.local_search(clock);
            ++lagrangian_starts;
            if (search.value() > best_value) {
                best_value = search.value();
                best = search.sites();
            }
        };
        if (median) {
            // The bound with a Lagrangian heuristic: the relaxation's sites as a start whenever
            // the bound rises.
            const auto from_lagrangian = [&](const std::vector<std::uint32_t>& sites) {
                start_from(sites);
                return -sp.value_of(best_value);
            };
            std::vector<std::vector<Item>> items(sp.C), fixed_items(sp.E);
            std::vector<MedianBound::Row> rows, fixed;
            std::vector<double> start(sp.D);
            for (std::size_t i = 0; i < sp.D; ++i) start[i] = sp.weight[i] * sp.f0[i];
            for (std::size_t r = 0; r < sp.E + sp.C; ++r)
                for (const TimeEntry& t : sp.table.row(r)) {
                    (r < sp.E ? fixed_items[r] : items[r - sp.E])
                        .push_back({t.col, double(t.seconds)});
                    start[t.col] = std::min(start[t.col], sp.weight[t.col] * double(t.seconds));
                }
            for (std::size_t j = 0; j < sp.C; ++j)
                rows.push_back({items[j], sp.capacity[sp.E + j]});
            for (std::size_t e = 0; e < sp.E; ++e)
                fixed.push_back({fixed_items[e], sp.capacity[e]});
            MedianBound bounder(sp.weight, sp.f0, rows, fixed);
            bounder.set_stop([&] { return steps.cancelled(); });
            std::size_t u = 0;
            median_lb = round_bound(
                bounder.run(o.count, start, -sp.value_of(best_value), o.bound_iterations,
                            std::max(0.2, o.time_limit * 0.5), &u, from_lagrangian),
                sp.integer_data, false);
            used += u;
        }
        if (o.objective == Objective::max_coverage && !proven(best_value) && !search.stop()) {
            // The bound from the cut of the answer so far; the relaxation's sites, completed and
            // improved by the swap search, tried as starts a few times while it improves.
            const auto from_lagrangian = [&](const std::vector<std::uint32_t>& sites) {
                if (lagrangian_starts < 2 && !budgeted) {
                    std::vector<std::uint32_t> set = sites;
                    if (set.size() > o.count) set.resize(o.count);
                    start_from(std::move(set));
                }
                return double(best_value) * wres;
            };
            const SeatProblem::Description now = sp.describe(best);
            std::size_t u = 0;
            const double ub = coverage_bound->run(
                o.count, o.budget, double(best_value) * wres, -inf, o.bound_iterations,
                std::max(0.3, o.time_limit * 0.5), &u, from_lagrangian, now.cut_prices);
            used += u;
            // In whole units: the optimum's units are at most the bound's.
            const double units = round_bound(ub, integer_weights, true) / wres * (1 + 1e-12);
            if (units < double(coverage_ub)) coverage_ub = Score(std::floor(units));
        }
        step();  // the bound
        std::mt19937_64 rng(o.seed);
        std::size_t restarts = 0;
        const auto bound_met = [&] {
            if (median)
                return -sp.value_of(best_value) - median_lb <=
                       1e-9 * std::max(1.0, std::abs(sp.value_of(best_value)));
            return proven(best_value);
        };
        while (restarts < restart_cap && clock.seconds() < o.time_limit * 0.8 && !best.empty() &&
               !bound_met() && !search.stop()) {
            search.move_to(perturb(best, sp.C, rng, 1 + restarts % 2));
            search.local_search(clock);
            ++restarts;
            step();
            if (search.value() > best_value) {
                best_value = search.value();
                best = search.sites();
            }
        }
        search.move_to(best);
        s.restarts = restarts;
    }
    if (moves) s.method += " + swap search";
    if (lagrangian_starts)
        s.method += " + " + std::to_string(lagrangian_starts) + " Lagrangian-heuristic starts";
    if (s.restarts) s.method += " + " + std::to_string(s.restarts) + " perturbation restarts";
    s.cancelled = steps.cancelled();

    // Pick order and marginal gains: the sites re-added one at a time, the largest gain first.
    {
        SeatSearch order(sp, o, p);
        std::vector<std::uint32_t> left = search.sites();
        while (!left.empty()) {
            const std::vector<Score> g = order.gains(left);
            std::size_t at = 0;
            for (std::size_t q = 1; q < left.size(); ++q)
                if (g[q] > g[at]) at = q;
            order.open(left[at]);
            s.added_weight.push_back(sp.value_of(g[at]));
            left.erase(left.begin() + static_cast<std::ptrdiff_t>(at));
        }
        s.selected = order.sites();
    }
    // The figures of the chosen sites from a fresh assignment, the objective at full precision.
    const SeatProblem::Description final_value = sp.describe(s.selected);
    s.assigned_weight.assign(final_value.assigned.begin() + static_cast<std::ptrdiff_t>(sp.E),
                             final_value.assigned.end());
    s.covered_after = final_value.served;
    if (median) s.weighted_time_after = final_value.weighted;

    // Bounds.
    const double remaining = std::max(0.3, o.time_limit - clock.seconds());
    if (median) {
        s.objective_value = final_value.weighted;
        s.bound = std::min(median_lb, s.objective_value);
    } else {
        if (o.objective == Objective::max_coverage) {
            s.objective_value = final_value.served;
            s.bound = std::max(double(coverage_ub) * wres, s.objective_value);
        } else {
            s.objective_value = double(s.selected.size());
            // The fewest sites whose gains alone could reach the goal, and the smallest count
            // whose Lagrangian bound reaches it: both are lower bounds.
            std::vector<Score> sorted = gain_alone;
            std::sort(sorted.begin(), sorted.end(), std::greater<>());
            std::size_t lo = 0;
            Score reach = before;
            while (reach < Score(goal) && lo < sorted.size() && sorted[lo] > 0)
                reach += sorted[lo++];
            std::size_t hi = s.selected.size();
            lo = std::min(lo, hi);
            const double target = double(goal) * wres;
            const double eps = 1e-9 * std::max(1.0, sp.total);
            while (lo < hi && !s.cancelled) {
                const std::size_t k = (lo + hi) / 2;
                std::size_t u = 0;
                const double ub = coverage_bound->run(k, inf, target - eps, target - eps,
                                                      o.bound_iterations, remaining / 4, &u);
                used += u;
                if (round_bound(ub, integer_weights, true) < target - eps)
                    lo = k + 1;
                else
                    hi = k;
            }
            s.bound = double(lo);
        }
    }
    steps.finish();
    s.bound_iterations = used;
    s.evaluations = search.evaluations();
    s.method +=
        median ? "; bound: Lagrangian relaxation with a fractional knapsack per site (subgradient)"
               : "; bound: the sites' gains alone (submodular) and a Lagrangian relaxation with a "
                 "fractional knapsack per site (subgradient)";
    finish_gap(s);
    s.seconds = clock.seconds();
    return s;
}

Fixing capacitated_fixing(const LocationProblem& p, const SuggestOptions& o,
                          std::span<const std::uint32_t> sites, double incumbent, double seconds) {
    const SeatProblem sp(p, o);
    Fixing out;
    out.keep.assign(sp.C, 1);
    if (sp.median || o.objective != Objective::max_coverage || std::isfinite(o.budget) ||
        o.count == 0)
        return out;
    const double wres = sp.resolution.weight_resolution;
    SeatSearch search(sp, o, p);
    const double before = double(search.value()) * wres;
    std::vector<std::uint32_t> every(sp.C);
    std::iota(every.begin(), every.end(), 0u);
    const std::vector<Score> g = search.gains(every);
    const std::size_t K = std::min<std::size_t>(o.count, sp.C);
    // The gains alone: j and the K - 1 largest of the others.
    std::vector<std::uint32_t> order = every;
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return g[a] != g[b] ? g[a] > g[b] : a < b; });
    std::vector<std::uint8_t> top(sp.C, 0);
    Score top_k = 0, top_k1 = 0;
    for (std::size_t q = 0; q < K; ++q) {
        top_k += std::max<Score>(g[order[q]], 0);
        if (q + 1 < K) {
            top_k1 += std::max<Score>(g[order[q]], 0);
            top[order[q]] = 1;
        }
    }
    // The Lagrangian with j forced open.
    std::vector<double> cap(sp.capacity.begin() + static_cast<std::ptrdiff_t>(sp.E),
                            sp.capacity.end());
    std::vector<double> ecap(sp.capacity.begin(),
                             sp.capacity.begin() + static_cast<std::ptrdiff_t>(sp.E));
    CoverageBound bounder(sp.weight, to_lists(sp.table, sp.E, sp.E + sp.C),
                          to_lists(sp.table, 0, sp.E), cap, ecap, std::vector<double>(sp.C, 1.0),
                          0.0);
    bounder.set_patience(40);
    std::vector<double> value;
    const double L = bounder.run(K, inf, incumbent, -inf, o.bound_iterations, seconds, nullptr, {},
                                 sp.describe(sites).cut_prices, &value);
    std::vector<double> sorted = value;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    const double kth = sorted.size() >= K ? std::max(0.0, sorted[K - 1]) : 0.0;
    const double slack = 1e-9 * std::max(1.0, std::abs(incumbent));
    for (std::uint32_t j = 0; j < sp.C; ++j) {
        const Score alone = top[j] ? top_k : std::max<Score>(g[j], 0) + top_k1;
        double bound = before + double(alone) * wres;
        if (!value.empty() && value[j] < kth) bound = std::min(bound, L - kth + value[j]);
        if (bound < incumbent - slack) {
            out.keep[j] = 0;
            out.excluded_bound = std::max(out.excluded_bound, bound);
        }
    }
    for (const std::uint32_t j : sites) out.keep[j] = 1;
    return out;
}

double evaluate_capacitated(const LocationProblem& problem, const SuggestOptions& options,
                            std::span<const std::uint32_t> open) {
    const SeatProblem sp(problem, options);
    const SeatProblem::Description d = sp.describe(open);
    return options.objective == Objective::p_median ? d.weighted : d.served;
}

}  // namespace lifecircle::planners::detail
