// suggest_exact(): the location problems as MIPs for COIN-OR CBC (planners/mip.hpp), seeded
// with the heuristic's answer.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "planners/assignment.hpp"
#include "planners/mip.hpp"
#include "planners/suggest.hpp"
#include "planners/suggest_detail.hpp"

namespace lifecircle::planners {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

struct Pair {
    std::uint32_t facility;  ///< candidate index, or C + existing index
    std::uint32_t demand;
    double seconds;
};

}  // namespace

Suggestion suggest_exact(const LocationProblem& p, const SuggestOptions& o, const Suggestion& h,
                         const ExactOptions& eo) {
    const std::size_t C = p.candidates->rows();
    const std::size_t E = p.existing ? p.existing->rows() : 0;
    const std::size_t D = p.weight.size();
    const bool median = o.objective == Objective::p_median;
    const bool budgeted = o.objective == Objective::max_coverage && std::isfinite(o.budget);
    const Sense sense = o.objective == Objective::max_coverage ? Sense::maximise : Sense::minimise;
    if (h.proven_optimal) {
        Suggestion s = h;
        s.method = "proven optimal by the heuristic's own bound (CBC not needed): " + h.method;
        return s;
    }
    const detail::Clock clock;
    // Capacitated max coverage: candidates that no answer better than the heuristic's can open
    // (by the gains alone or the Lagrangian with the site forced open) are left out of the MIP.
    detail::Fixing fixing;
    if (o.capacitated && o.objective == Objective::max_coverage && !budgeted)
        fixing = detail::capacitated_fixing(p, o, h.selected, h.objective_value,
                                            std::max(0.5, eo.time_limit * 0.1));
    if (fixing.keep.empty()) fixing.keep.assign(C, 1);
    std::size_t left_out = 0;
    for (const std::uint8_t k : fixing.keep) left_out += k ? 0 : 1;
    Mip mip(sense);
    std::vector<double> start;

    // y: one binary per candidate (fixed at 0 when left out).
    std::vector<std::uint8_t> chosen(C, 0);
    for (const std::uint32_t j : h.selected) chosen[j] = 1;
    for (std::size_t j = 0; j < C; ++j) {
        mip.add_column(o.objective == Objective::min_facilities ? 1.0 : 0.0, 0.0,
                       fixing.keep[j] ? 1.0 : 0.0, true);
        start.push_back(chosen[j] ? 1.0 : 0.0);
    }
    auto count_row = [&] {
        std::vector<std::uint32_t> cols(C);
        std::vector<double> coefs(C, 1.0);
        for (std::size_t j = 0; j < C; ++j) cols[j] = static_cast<std::uint32_t>(j);
        if (budgeted) {
            for (std::size_t j = 0; j < C; ++j)
                coefs[j] = p.candidate_cost.empty() ? 1.0 : p.candidate_cost[j];
            mip.add_row(cols, coefs, RowType::less_equal, o.budget);
        } else {
            mip.add_row(cols, coefs, RowType::less_equal, double(o.count));
        }
    };
    double constant = 0.0;
    double goal = 0.0;
    double total = 0.0;
    for (const double w : p.weight) total += w;
    std::vector<double> f0(D, inf);
    if (median) {
        const double charge = unreached_charge(p);
        for (std::size_t i = 0; i < D; ++i) {
            const double fb = p.fallback.empty() ? inf : p.fallback[i];
            f0[i] = std::isfinite(fb) ? fb : charge;
        }
    }

    if (!o.capacitated && !median) {
        std::vector<std::uint8_t> covered0(D, 0);
        for (std::size_t e = 0; e < E; ++e)
            for (const TimeEntry& t : p.existing->row(e))
                if (t.seconds <= p.cutoff) covered0[t.col] = 1;
        std::vector<std::vector<std::uint32_t>> by_demand(D);
        for (std::size_t j = 0; j < C; ++j)
            for (const TimeEntry& t : p.candidates->row(j))
                if (t.seconds <= p.cutoff && !covered0[t.col] && p.weight[t.col] > 0)
                    by_demand[t.col].push_back(static_cast<std::uint32_t>(j));
        double reachable = 0.0;
        std::vector<std::uint32_t> zcols;
        std::vector<double> zw;
        for (std::size_t i = 0; i < D; ++i) {
            if (covered0[i]) constant += p.weight[i];
            if (by_demand[i].empty()) continue;
            reachable += p.weight[i];
            const std::uint32_t z = mip.add_column(
                o.objective == Objective::max_coverage ? p.weight[i] : 0.0, 0.0, 1.0, false);
            bool hit = false;
            for (const std::uint32_t j : by_demand[i]) hit = hit || chosen[j];
            start.push_back(hit ? 1.0 : 0.0);
            std::vector<std::uint32_t> cols{z};
            std::vector<double> coefs{1.0};
            for (const std::uint32_t j : by_demand[i]) {
                cols.push_back(j);
                coefs.push_back(-1.0);
            }
            mip.add_row(cols, coefs, RowType::less_equal, 0.0);
            zcols.push_back(z);
            zw.push_back(p.weight[i]);
        }
        if (o.objective == Objective::max_coverage) {
            count_row();
        } else {
            goal = std::min(o.target * total, constant + reachable) - constant;
            if (goal > 0) mip.add_row(zcols, zw, RowType::greater_equal, goal * (1.0 - 1e-9));
        }
    } else {
        // Pairs any facility may use.
        std::vector<Pair> pairs;
        auto allowed = [&](const TimeEntry& t) {
            if (p.weight[t.col] <= 0 || t.seconds > p.cutoff) return false;
            return !median || double(t.seconds) < f0[t.col];
        };
        for (std::size_t j = 0; j < C; ++j)
            for (const TimeEntry& t : p.candidates->row(j))
                if (fixing.keep[j] && allowed(t))
                    pairs.push_back({static_cast<std::uint32_t>(j), t.col, double(t.seconds)});
        if (o.capacitated)
            for (std::size_t e = 0; e < E; ++e)
                for (const TimeEntry& t : p.existing->row(e))
                    if (allowed(t))
                        pairs.push_back(
                            {static_cast<std::uint32_t>(C + e), t.col, double(t.seconds)});
        // Start: the heuristic's sites with their optimal assignment (capacitated) or nearest.
        std::vector<double> xstart(pairs.size(), 0.0);
        if (o.capacitated) {
            std::vector<std::vector<TimeEntry>> rows;
            std::vector<double> caps;
            std::vector<std::uint32_t> facility_of;
            for (std::size_t e = 0; e < E; ++e) {
                rows.emplace_back();
                caps.push_back(p.existing_capacity[e]);
                facility_of.push_back(static_cast<std::uint32_t>(C + e));
            }
            for (const std::uint32_t j : h.selected) {
                rows.emplace_back();
                caps.push_back(p.candidate_capacity[j]);
                facility_of.push_back(j);
            }
            std::vector<std::uint32_t> row_of(C + E, invalid_index);
            for (std::size_t r = 0; r < facility_of.size(); ++r)
                row_of[facility_of[r]] = static_cast<std::uint32_t>(r);
            for (const Pair& q : pairs)
                if (row_of[q.facility] != invalid_index)
                    rows[row_of[q.facility]].push_back({q.demand, static_cast<float>(q.seconds)});
            for (auto& r : rows)
                std::sort(r.begin(), r.end(),
                          [](const TimeEntry& a, const TimeEntry& b) { return a.col < b.col; });
            const Assignment a = assign(TimeTable(std::move(rows), D), p.weight, caps);
            std::vector<std::vector<std::pair<std::uint32_t, double>>> flow_of(D);
            for (const AssignedFlow& f : a.flows)
                if (p.weight[f.demand] > 0)
                    flow_of[f.demand].push_back(
                        {facility_of[f.facility], f.weight / p.weight[f.demand]});
            for (std::size_t k = 0; k < pairs.size(); ++k)
                for (const auto& [fac, frac] : flow_of[pairs[k].demand])
                    if (fac == pairs[k].facility) xstart[k] = std::min(1.0, frac);
        } else {
            std::vector<double> best(D, inf);
            std::vector<std::size_t> at(D, pairs.size());
            for (std::size_t k = 0; k < pairs.size(); ++k)
                if (chosen[pairs[k].facility] && pairs[k].seconds < best[pairs[k].demand]) {
                    best[pairs[k].demand] = pairs[k].seconds;
                    at[pairs[k].demand] = k;
                }
            for (std::size_t i = 0; i < D; ++i)
                if (at[i] < pairs.size()) xstart[at[i]] = 1.0;
        }
        std::vector<std::uint32_t> xcol(pairs.size());
        for (std::size_t k = 0; k < pairs.size(); ++k) {
            const Pair& q = pairs[k];
            const double w = p.weight[q.demand];
            double obj = 0.0;
            if (o.objective == Objective::max_coverage)
                obj = w;
            else if (median)
                obj = w * (q.seconds - f0[q.demand]);
            xcol[k] = mip.add_column(obj, 0.0, 1.0, false);
            start.push_back(xstart[k]);
            if (q.facility < C) {  // x <= y
                const std::uint32_t cols[2] = {xcol[k], q.facility};
                const double coefs[2] = {1.0, -1.0};
                mip.add_row(cols, coefs, RowType::less_equal, 0.0);
            }
        }
        if (median)
            for (std::size_t i = 0; i < D; ++i) constant += p.weight[i] * f0[i];
        // Each point at most once.
        std::vector<std::vector<std::uint32_t>> of_demand(D);
        for (std::size_t k = 0; k < pairs.size(); ++k)
            of_demand[pairs[k].demand].push_back(xcol[k]);
        for (std::size_t i = 0; i < D; ++i) {
            if (of_demand[i].empty()) continue;
            const std::vector<double> ones(of_demand[i].size(), 1.0);
            mip.add_row(of_demand[i], ones, RowType::less_equal, 1.0);
        }
        if (o.capacitated) {
            std::vector<std::vector<std::uint32_t>> cols(C + E);
            std::vector<std::vector<double>> coefs(C + E);
            for (std::size_t k = 0; k < pairs.size(); ++k) {
                cols[pairs[k].facility].push_back(xcol[k]);
                coefs[pairs[k].facility].push_back(p.weight[pairs[k].demand]);
            }
            for (std::size_t f = 0; f < C + E; ++f) {
                if (cols[f].empty()) continue;
                if (f < C) {
                    cols[f].push_back(static_cast<std::uint32_t>(f));
                    coefs[f].push_back(-p.candidate_capacity[f]);
                    mip.add_row(cols[f], coefs[f], RowType::less_equal, 0.0);
                } else {
                    mip.add_row(cols[f], coefs[f], RowType::less_equal, p.existing_capacity[f - C]);
                }
            }
        }
        if (o.objective == Objective::min_facilities) {
            // Served weight >= goal (the highest servable share when the target is out of reach).
            goal = std::min(o.target * total, h.best_share * total);
            std::vector<double> w(pairs.size());
            for (std::size_t k = 0; k < pairs.size(); ++k) w[k] = p.weight[pairs[k].demand];
            if (goal > 0) mip.add_row(xcol, w, RowType::greater_equal, goal * (1.0 - 1e-9));
        } else {
            count_row();
        }
    }

    mip.set_start(start);
    MipOptions mo;
    mo.time_limit_seconds = std::max(0.01, eo.time_limit - clock.seconds());
    mo.threads = eo.threads;
    const MipResult r = mip.solve(mo);
    if (r.values.empty())
        throw Error(std::string("the exact solver found no solution (") + to_string(r.status) +
                    "): " + r.message);

    std::vector<std::uint32_t> sites;
    for (std::size_t j = 0; j < C; ++j)
        if (r.values[j] > 0.5) sites.push_back(static_cast<std::uint32_t>(j));
    SuggestOptions again = o;
    again.start = sites;
    again.restarts = 0;
    again.time_limit = 0.0;
    // p-median asks for exactly `count` sites; CBC may have left some closed (they changed
    // nothing); the description fills them from the heuristic's sites.
    if (median)
        for (const std::uint32_t j : h.selected)
            if (again.start.size() < o.count &&
                std::find(again.start.begin(), again.start.end(), j) == again.start.end())
                again.start.push_back(j);
    Suggestion s = suggest(p, again);
    // Keep the better answer: CBC's (described) or the heuristic's.
    const bool better =
        sense == Sense::maximise
            ? s.objective_value >= h.objective_value - 1e-9 * std::abs(h.objective_value)
            : s.objective_value <= h.objective_value + 1e-9 * std::abs(h.objective_value);
    if (!better) s = h;
    double mip_bound = r.bound + constant;
    if (o.objective == Objective::min_facilities && std::isfinite(mip_bound))
        mip_bound = std::ceil(mip_bound - 1e-6);
    // The candidates left out bound the answers that open them.
    if (left_out) mip_bound = std::max(mip_bound, fixing.excluded_bound);
    s.bound =
        sense == Sense::maximise ? std::min(h.bound, mip_bound) : std::max(h.bound, mip_bound);
    if (sense == Sense::maximise)
        s.bound = std::max(s.bound, s.objective_value);
    else
        s.bound = std::min(s.bound, s.objective_value);
    const double diff = std::abs(s.objective_value - s.bound);
    s.gap = diff == 0.0 ? 0.0 : diff / std::max(std::abs(s.objective_value), 1e-300);
    // Proven when the answer's value (at full precision) meets the bound, as in suggest(); or
    // when CBC proved its answer optimal, the described answer has CBC's value (to CBC's own
    // tolerances) and no candidate left out could do better. The capacitated p-median's MIP is
    // a relaxation of the description: its proof does not carry over.
    const bool left_out_worse =
        !left_out ||
        (sense == Sense::maximise ? fixing.excluded_bound <= s.objective_value * (1 + 1e-9)
                                  : fixing.excluded_bound >= s.objective_value * (1 - 1e-9));
    s.proven_optimal =
        s.gap <= 1e-9 || (r.proven_optimal && !(o.capacitated && median) && left_out_worse &&
                          std::abs(r.objective + constant - s.objective_value) <=
                              1e-7 * std::max(1.0, std::abs(s.objective_value)));
    s.method =
        "CBC MIP (" + std::to_string(mip.columns()) + " columns, " + std::to_string(mip.rows()) +
        " rows, " +
        (left_out ? std::to_string(left_out) + " candidates left out by bounds, " : std::string()) +
        std::to_string(r.nodes) + " nodes, " + std::string(to_string(r.status)) + ", " +
        std::to_string(r.seconds).substr(0, 6) + " s) started from: " + h.method;
    s.seconds = h.seconds + clock.seconds();
    return s;
}

}  // namespace lifecircle::planners
