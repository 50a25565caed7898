#pragma once
/**
 * A thin exact mixed-integer program (MIP) interface: build a model column by column and row by
 * row, optionally hand it a known feasible solution, and solve it with COIN-OR CBC under a time
 * limit. The result says whether optimality was proven and carries an honest dual bound.
 *
 * The model lives in plain vectors here; CBC is seen only by mip.cpp (built in solve()).
 */

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lifecircle::planners {

enum class Sense { minimise, maximise };
enum class RowType { less_equal, greater_equal, equal };

struct MipOptions {
    /** Wall-clock limit for the branch and bound (CBC's "sec"). Must be > 0. */
    double time_limit_seconds = 600;
    /** CBC threads (Debian's CBC 2.10 is built with them). 1 keeps runs reproducible. */
    unsigned threads = 1;
    /** Stop when |objective - bound| <= relative_gap * |objective|; 0 = prove optimality. */
    double relative_gap = 0;
    /** Let CBC print its log (to stdout). Off: nothing is printed. */
    bool log = false;
};

enum class MipStatus {
    optimal,      ///< proven optimal (within relative_gap if that is > 0); also when CBC proves nothing beats the start
    feasible,     ///< stopped (time limit) with a solution, optimality not proven
    infeasible,   ///< proven infeasible
    no_solution,  ///< stopped (time limit) before any solution was found
    error,        ///< CBC abandoned the search (numerical trouble) or the LP was unbounded
};

/** Name of a status for messages and JSON ("optimal", "feasible", ...). */
const char* to_string(MipStatus status) noexcept;

struct MipResult {
    MipStatus status = MipStatus::error;
    /**
     * The objective is proven optimal: bound == objective. With relative_gap > 0 a status of
     * optimal (stopped on the gap) may have this false; with relative_gap 0 they go together.
     */
    bool proven_optimal = false;
    /** Objective of the best solution found; NaN when there is none. */
    double objective = 0;
    /**
     * Best possible objective (dual bound): for minimise <= the optimum, for maximise >= it.
     * Equals objective when proven optimal. When CBC reports no usable bound (infinite, NaN or
     * on the wrong side of the best solution) this is the trivial bound: -inf for minimise,
     * +inf for maximise. For an infeasible model it is +inf (minimise) / -inf (maximise).
     */
    double bound = 0;
    /** Column values of the best solution (integers rounded); empty when there is none. */
    std::vector<double> values;
    double seconds = 0;
    std::size_t nodes = 0;
    /** Remarks: an ignored start solution, why CBC stopped. Empty when there is nothing to say. */
    std::string message;
};

/**
 * A MIP: min or max c'x subject to rows and column bounds, some columns integer.
 * Malformed input (column index out of range, mismatched spans, NaN or infinite coefficients,
 * lower > upper) throws std::invalid_argument. solve() may be called concurrently on separate
 * Mip objects (calls into CBC are serialised internally: CBC 2.10's driver keeps global state).
 */
class Mip {
public:
    explicit Mip(Sense sense);

    /** Adds a column with bounds [lower, upper] (either may be infinite); returns its index. */
    std::uint32_t add_column(double objective, double lower, double upper, bool integer);
    /** Adds a row sum(coefs[k] * x[cols[k]]) (type) rhs. Repeated columns are summed. */
    void add_row(std::span<const std::uint32_t> cols, std::span<const double> coefs, RowType type, double rhs);
    /**
     * A known feasible solution (one value per column, integers integral) to start from. It is
     * checked against bounds and rows in solve() and ignored, with a message, if infeasible.
     */
    void set_start(std::span<const double> values);

    Sense sense() const noexcept { return m_sense; }
    std::size_t columns() const noexcept { return m_obj.size(); }
    std::size_t rows() const noexcept { return m_row_type.size(); }
    std::size_t nonzeros() const noexcept { return m_index.size(); }

    /** Objective of the given column values (no feasibility check). */
    double objective_of(std::span<const double> values) const;
    /** Whether values satisfy bounds, integrality and rows within tolerance; why not in *why. */
    bool is_feasible(std::span<const double> values, double tolerance = 1e-6, std::string* why = nullptr) const;

    MipResult solve(const MipOptions& options) const;

private:
    Sense m_sense;
    // Columns.
    std::vector<double> m_obj, m_lower, m_upper;
    std::vector<char> m_integer;
    // Rows, CSR.
    std::vector<std::size_t> m_row_start{0};
    std::vector<std::uint32_t> m_index;
    std::vector<double> m_value;
    std::vector<RowType> m_row_type;
    std::vector<double> m_rhs;
    std::vector<double> m_start;
};

}  // namespace lifecircle::planners
