#include "planners/mip.hpp"

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mutex>
#include <stdexcept>

#include <coin/Cbc_C_Interface.h>

namespace lifecircle::planners {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
/** COIN-OR's infinity (COIN_DBL_MAX, not in the C header): bounds at or beyond it are absent. */
constexpr double coin_inf = DBL_MAX;

// CBC 2.10's Cbc_solve runs the command-line driver CbcMain0/CbcMain1, which keeps state in
// file-scope statics (parameter tables, print flags, signal handler). One solve at a time.
std::mutex& cbc_mutex() {
    static std::mutex m;
    return m;
}

/** COIN's infinity for bounds (values >= 1e30 are infinite to CLP; DBL_MAX is the convention). */
double coin_bound(double v) {
    if (v == inf) return coin_inf;
    if (v == -inf) return -coin_inf;
    return v;
}

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

/** Feasibility tolerance scaled to the size of the quantity compared. */
double tol_for(double tolerance, double scale) { return tolerance * std::max(1.0, std::abs(scale)); }

struct CbcModelGuard {
    Cbc_Model* model = Cbc_newModel();
    CbcModelGuard() = default;
    CbcModelGuard(const CbcModelGuard&) = delete;
    CbcModelGuard& operator=(const CbcModelGuard&) = delete;
    ~CbcModelGuard() {
        if (model) Cbc_deleteModel(model);
    }
};

}  // namespace

const char* to_string(MipStatus status) noexcept {
    switch (status) {
        case MipStatus::optimal: return "optimal";
        case MipStatus::feasible: return "feasible";
        case MipStatus::infeasible: return "infeasible";
        case MipStatus::no_solution: return "no_solution";
        case MipStatus::error: return "error";
    }
    return "error";
}

Mip::Mip(Sense sense) : m_sense(sense) {}

std::uint32_t Mip::add_column(double objective, double lower, double upper, bool integer) {
    if (!std::isfinite(objective)) throw std::invalid_argument("mip: column objective must be finite");
    if (std::isnan(lower) || std::isnan(upper)) throw std::invalid_argument("mip: column bound is NaN");
    if (lower == inf || upper == -inf || lower > upper)
        throw std::invalid_argument("mip: column bounds [" + number(lower) + ", " + number(upper) + "] are empty");
    if (m_obj.size() >= static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw std::invalid_argument("mip: too many columns");
    m_obj.push_back(objective);
    m_lower.push_back(lower);
    m_upper.push_back(upper);
    m_integer.push_back(integer ? 1 : 0);
    return static_cast<std::uint32_t>(m_obj.size() - 1);
}

void Mip::add_row(std::span<const std::uint32_t> cols, std::span<const double> coefs, RowType type, double rhs) {
    if (cols.size() != coefs.size())
        throw std::invalid_argument("mip: row has " + std::to_string(cols.size()) + " columns but " +
                                    std::to_string(coefs.size()) + " coefficients");
    if (!std::isfinite(rhs)) throw std::invalid_argument("mip: row right-hand side must be finite");
    if (m_row_type.size() >= static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw std::invalid_argument("mip: too many rows");
    std::vector<std::pair<std::uint32_t, double>> entries;
    entries.reserve(cols.size());
    for (std::size_t k = 0; k < cols.size(); ++k) {
        if (cols[k] >= columns())
            throw std::invalid_argument("mip: row refers to column " + std::to_string(cols[k]) + " of " +
                                        std::to_string(columns()));
        if (!std::isfinite(coefs[k])) throw std::invalid_argument("mip: row coefficient must be finite");
        entries.emplace_back(cols[k], coefs[k]);
    }
    // Sum repeated columns (CBC wants each column at most once per row); drop zeros.
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const std::size_t before = m_index.size();
    for (std::size_t k = 0; k < entries.size();) {
        double sum = 0;
        std::size_t e = k;
        for (; e < entries.size() && entries[e].first == entries[k].first; ++e) sum += entries[e].second;
        if (sum != 0.0) {
            m_index.push_back(entries[k].first);
            m_value.push_back(sum);
        }
        k = e;
    }
    if (m_index.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        m_index.resize(before);
        m_value.resize(before);
        throw std::invalid_argument("mip: too many nonzeros");
    }
    m_row_start.push_back(m_index.size());
    m_row_type.push_back(type);
    m_rhs.push_back(rhs);
}

void Mip::set_start(std::span<const double> values) {
    if (values.size() != columns())
        throw std::invalid_argument("mip: start solution has " + std::to_string(values.size()) + " values for " +
                                    std::to_string(columns()) + " columns");
    for (double v : values)
        if (!std::isfinite(v)) throw std::invalid_argument("mip: start solution value must be finite");
    m_start.assign(values.begin(), values.end());
}

double Mip::objective_of(std::span<const double> values) const {
    if (values.size() != columns()) throw std::invalid_argument("mip: objective_of needs one value per column");
    double sum = 0;
    for (std::size_t j = 0; j < values.size(); ++j) sum += m_obj[j] * values[j];
    return sum;
}

bool Mip::is_feasible(std::span<const double> values, double tolerance, std::string* why) const {
    auto fail = [&](std::string text) {
        if (why) *why = std::move(text);
        return false;
    };
    if (values.size() != columns())
        return fail(std::to_string(values.size()) + " values for " + std::to_string(columns()) + " columns");
    for (std::size_t j = 0; j < values.size(); ++j) {
        const double v = values[j];
        if (!std::isfinite(v)) return fail("column " + std::to_string(j) + " is not finite");
        if (v < m_lower[j] - tol_for(tolerance, m_lower[j]) || v > m_upper[j] + tol_for(tolerance, m_upper[j]))
            return fail("column " + std::to_string(j) + " = " + number(v) + " is outside [" + number(m_lower[j]) +
                        ", " + number(m_upper[j]) + "]");
        if (m_integer[j] && std::abs(v - std::round(v)) > tolerance)
            return fail("integer column " + std::to_string(j) + " = " + number(v));
    }
    for (std::size_t r = 0; r < rows(); ++r) {
        double activity = 0, scale = std::abs(m_rhs[r]);
        for (std::size_t k = m_row_start[r]; k < m_row_start[r + 1]; ++k) {
            const double term = m_value[k] * values[m_index[k]];
            activity += term;
            scale = std::max(scale, std::abs(term));
        }
        const double t = tol_for(tolerance, scale);
        const bool ok = m_row_type[r] == RowType::less_equal      ? activity <= m_rhs[r] + t
                        : m_row_type[r] == RowType::greater_equal ? activity >= m_rhs[r] - t
                                                                  : std::abs(activity - m_rhs[r]) <= t;
        if (!ok) return fail("row " + std::to_string(r) + " activity " + number(activity) + " violates rhs " +
                             number(m_rhs[r]));
    }
    return true;
}

MipResult Mip::solve(const MipOptions& options) const {
    if (!(options.time_limit_seconds > 0)) throw std::invalid_argument("mip: time limit must be > 0");
    if (!(options.relative_gap >= 0) || !std::isfinite(options.relative_gap))
        throw std::invalid_argument("mip: relative gap must be >= 0");
    const auto t0 = std::chrono::steady_clock::now();
    const bool minimise = m_sense == Sense::minimise;
    const double trivial_bound = minimise ? -inf : inf;
    const int n = static_cast<int>(columns());
    const int m = static_cast<int>(rows());

    MipResult result;
    result.objective = nan;
    result.bound = trivial_bound;
    auto note = [&](const std::string& text) {
        if (!result.message.empty()) result.message += "; ";
        result.message += text;
    };

    // The start solution, if it is feasible (integers rounded first).
    std::vector<double> start;
    if (!m_start.empty()) {
        std::string why;
        if (m_start.size() != columns()) {
            note("start solution ignored: it has " + std::to_string(m_start.size()) + " values for " +
                 std::to_string(columns()) + " columns");
        } else {
            start = m_start;
            for (std::size_t j = 0; j < start.size(); ++j)
                if (m_integer[j] && std::abs(start[j] - std::round(start[j])) <= 1e-6) start[j] = std::round(start[j]);
            if (!is_feasible(start, 1e-6, &why)) {
                note("start solution ignored: " + why);
                start.clear();
            }
        }
    }

    auto finish = [&]() {
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return result;
    };

    if (n == 0) {  // Nothing for CBC to do: every row is 0 (type) rhs.
        if (is_feasible(std::vector<double>{})) {
            result.status = MipStatus::optimal;
            result.proven_optimal = true;
            result.objective = result.bound = 0;
        } else {
            result.status = MipStatus::infeasible;
            result.bound = -trivial_bound;
        }
        return finish();
    }

    // Column-major (CSC) copy of the rows.
    std::vector<CoinBigIndex> col_start(static_cast<std::size_t>(n) + 1, 0);
    for (std::uint32_t c : m_index) ++col_start[c + 1];
    for (int j = 0; j < n; ++j) col_start[j + 1] += col_start[j];
    std::vector<int> row_index(m_index.size());
    std::vector<double> value(m_index.size());
    {
        std::vector<CoinBigIndex> fill(col_start.begin(), col_start.end() - 1);
        for (int r = 0; r < m; ++r)
            for (std::size_t k = m_row_start[r]; k < m_row_start[r + 1]; ++k) {
                const CoinBigIndex at = fill[m_index[k]]++;
                row_index[at] = r;
                value[at] = m_value[k];
            }
    }
    std::vector<double> col_lb(n), col_ub(n), row_lb(m), row_ub(m);
    for (int j = 0; j < n; ++j) {
        col_lb[j] = coin_bound(m_lower[j]);
        col_ub[j] = coin_bound(m_upper[j]);
    }
    for (int r = 0; r < m; ++r) {
        row_lb[r] = m_row_type[r] == RowType::less_equal ? -coin_inf : m_rhs[r];
        row_ub[r] = m_row_type[r] == RowType::greater_equal ? coin_inf : m_rhs[r];
    }

    std::vector<double> best;  // CBC's solution, if any
    bool proven_optimal = false, proven_infeasible = false, time_limit = false, abandoned = false,
         unbounded = false;
    double raw_bound = nan;
    {
        const std::lock_guard<std::mutex> lock(cbc_mutex());
        CbcModelGuard guard;
        Cbc_Model* model = guard.model;
        if (!model) {
            result.status = MipStatus::error;
            note("CBC could not create a model");
            return finish();
        }
        Cbc_loadProblem(model, n, m, col_start.data(), row_index.data(), value.data(), col_lb.data(),
                        col_ub.data(), m_obj.data(), row_lb.data(), row_ub.data());
        for (int j = 0; j < n; ++j)
            if (m_integer[j]) Cbc_setInteger(model, j);
        // CBC 2.10 looks the MIP start up by column name after its preprocessing has removed
        // columns, and prints "Illegal index in ClpModel::getColumnName" (and drops the
        // start); without preprocessing the start is used as given.
        if (!start.empty()) Cbc_setParameter(model, "preprocess", "off");
        Cbc_setObjSense(model, minimise ? 1.0 : -1.0);
        const std::string log_level = options.log ? "1" : "0";
        Cbc_setLogLevel(model, options.log ? 1 : 0);
        Cbc_setParameter(model, "log", log_level.c_str());
        Cbc_setParameter(model, "slog", log_level.c_str());
        Cbc_setParameter(model, "sec", number(options.time_limit_seconds).c_str());
        Cbc_setParameter(model, "ratioGap", number(options.relative_gap).c_str());
        if (options.relative_gap == 0) Cbc_setParameter(model, "allowableGap", "0");
        if (options.threads > 1) Cbc_setParameter(model, "threads", std::to_string(options.threads).c_str());
        if (!start.empty()) {
            std::vector<int> idx(n);
            for (int j = 0; j < n; ++j) idx[j] = j;
            Cbc_setMIPStartI(model, n, idx.data(), start.data());
        }
        Cbc_solve(model);
        proven_optimal = Cbc_isProvenOptimal(model) != 0;
        proven_infeasible = Cbc_isProvenInfeasible(model) != 0;
        time_limit = Cbc_isSecondsLimitReached(model) != 0;
        abandoned = Cbc_isAbandoned(model) != 0;
        unbounded = Cbc_isContinuousUnbounded(model) != 0;
        raw_bound = Cbc_getBestPossibleObjValue(model);
        const int nodes = Cbc_getNodeCount(model);
        result.nodes = nodes > 0 ? static_cast<std::size_t>(nodes) : 0;
        if (const double* sol = Cbc_bestSolution(model)) best.assign(sol, sol + n);
    }

    // CBC's solution, integers rounded, kept only if it passes our own check.
    if (!best.empty()) {
        for (int j = 0; j < n; ++j)
            if (m_integer[j]) best[j] = std::round(best[j]);
        std::string why;
        if (!is_feasible(best, 1e-5, &why)) {
            note("CBC's solution failed the feasibility check (" + why + ")");
            best.clear();
        }
    }
    // Never worse than the start solution.
    auto better = [&](double a, double b) { return minimise ? a < b : a > b; };
    if (!start.empty() && (best.empty() || better(objective_of(start), objective_of(best)))) {
        if (!best.empty()) note("CBC's solution was worse than the start solution; returning the start");
        best = start;
    }

    if (!best.empty()) {
        result.values = best;
        result.objective = objective_of(best);
    }
    const bool has_solution = !result.values.empty();

    if (proven_infeasible && !has_solution) {
        result.status = MipStatus::infeasible;
        result.bound = -trivial_bound;
        return finish();
    }
    if (proven_infeasible && has_solution) {
        // Our model is feasible (the start passed the check), so CBC can only have proven that
        // nothing beats the start's cutoff: the start is optimal.
        result.status = MipStatus::optimal;
        result.proven_optimal = true;
        result.bound = result.objective;
        note("CBC found nothing better than the start solution");
        return finish();
    }
    if (unbounded && !proven_optimal) {
        result.status = MipStatus::error;
        note("the linear relaxation is unbounded");
        return finish();
    }

    // The bound: CBC's if it is finite and on the right side of the best solution.
    const bool raw_ok = std::isfinite(raw_bound) && std::abs(raw_bound) < 1e29;
    if (has_solution) {
        const double slack = tol_for(1e-9, result.objective);
        if (proven_optimal && options.relative_gap == 0) {
            result.bound = result.objective;
            result.proven_optimal = true;
        } else if (raw_ok && (minimise ? raw_bound <= result.objective + slack : raw_bound >= result.objective - slack)) {
            result.bound = minimise ? std::min(raw_bound, result.objective) : std::max(raw_bound, result.objective);
        } else {
            result.bound = trivial_bound;
            if (raw_ok) note("CBC's bound " + number(raw_bound) + " is on the wrong side; reporting the trivial bound");
        }
        if (proven_optimal) {
            result.status = MipStatus::optimal;
            if (!result.proven_optimal && std::abs(result.bound - result.objective) <= slack) result.proven_optimal = true;
        } else {
            result.status = abandoned ? MipStatus::error : MipStatus::feasible;
        }
    } else {
        result.bound = raw_ok ? raw_bound : trivial_bound;
        result.status = abandoned ? MipStatus::error : MipStatus::no_solution;
    }
    if (abandoned) note("CBC abandoned the search (numerical difficulties)");
    if (time_limit) note("time limit reached");
    return finish();
}

}  // namespace lifecircle::planners
