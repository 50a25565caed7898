#include "planners/accessibility.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "core/error.hpp"

namespace lifecircle::planners {

namespace {

constexpr double not_defined = std::numeric_limits<double>::quiet_NaN();

void check_inputs(const char* measure, const TimeTable& table, std::span<const double> population,
                  std::span<const double> supply, const CatchmentOptions& options) {
    const std::string name(measure);
    if (!(options.cutoff > 0.0) || !std::isfinite(options.cutoff))
        throw UsageError(name + ": cutoff " + std::to_string(options.cutoff) +
                         " s is not a catchment; give a finite cutoff > 0 s");
    if (population.size() != table.cols())
        throw InputError(name + ": " + std::to_string(population.size()) + " populations given for a table of " +
                         std::to_string(table.cols()) + " demand points; pass one per demand point (table column)");
    if (supply.size() != table.rows())
        throw InputError(name + ": " + std::to_string(supply.size()) + " supplies given for a table of " +
                         std::to_string(table.rows()) + " facilities; pass one per facility (table row)");
    for (std::size_t i = 0; i < population.size(); ++i)
        if (!std::isfinite(population[i]) || population[i] < 0.0)
            throw InputError(name + ": demand point " + std::to_string(i) + " has population " +
                             std::to_string(population[i]) + "; populations must be finite and >= 0");
    for (std::size_t j = 0; j < supply.size(); ++j)
        if (!std::isfinite(supply[j]) || supply[j] < 0.0)
            throw InputError(name + ": facility " + std::to_string(j) + " has supply " + std::to_string(supply[j]) +
                             "; supplies must be finite and >= 0");
}

}  // namespace

double decay_weight(double seconds, const CatchmentOptions& options) {
    const double T = options.cutoff;
    if (!(seconds <= T)) return 0.0;
    if (options.decay == Decay::gaussian) {
        const double tail = std::exp(-0.5);
        const double r = seconds / T;
        return (std::exp(-0.5 * r * r) - tail) / (1.0 - tail);
    }
    if (seconds <= T / 3.0) return 1.0;
    if (seconds <= 2.0 * T / 3.0) return 0.68;
    return 0.22;
}

E2sfcaResult e2sfca(const TimeTable& table, std::span<const double> population, std::span<const double> supply,
                    const CatchmentOptions& options) {
    check_inputs("e2sfca", table, population, supply, options);
    E2sfcaResult out;
    out.access.assign(table.cols(), 0.0);
    out.ratio.assign(table.rows(), not_defined);
    out.weighted_demand.assign(table.rows(), 0.0);
    for (std::size_t j = 0; j < table.rows(); ++j) {
        double demand = 0.0;
        for (const TimeEntry& e : table.row(j)) demand += population[e.col] * decay_weight(e.seconds, options);
        out.weighted_demand[j] = demand;
        if (!(demand > 0.0)) continue;
        const double r = supply[j] / demand;
        out.ratio[j] = r;
        for (const TimeEntry& e : table.row(j)) out.access[e.col] += r * decay_weight(e.seconds, options);
    }
    return out;
}

BfcaResult bfca(const TimeTable& table, std::span<const double> population, std::span<const double> supply,
                const CatchmentOptions& options) {
    check_inputs("bfca", table, population, supply, options);
    const std::size_t F = table.rows();
    const std::size_t D = table.cols();
    std::vector<double> demand_sum(D, 0.0);  // sum_k W_ik over facilities k
    std::vector<double> facility_sum(F, 0.0);  // sum_k W_kj over demand points k
    for (std::size_t j = 0; j < F; ++j)
        for (const TimeEntry& e : table.row(j)) {
            const double w = decay_weight(e.seconds, options);
            demand_sum[e.col] += w;
            facility_sum[j] += w;
        }
    BfcaResult out;
    out.access.assign(D, 0.0);
    out.ratio.assign(F, not_defined);
    out.allocated_demand.assign(F, 0.0);
    for (std::size_t j = 0; j < F; ++j) {
        double demand = 0.0;
        for (const TimeEntry& e : table.row(j)) {
            const double w = decay_weight(e.seconds, options);
            if (w > 0.0) demand += population[e.col] * w / demand_sum[e.col];
        }
        out.allocated_demand[j] = demand;
        if (!(demand > 0.0)) continue;
        const double r = supply[j] / demand;
        out.ratio[j] = r;
        for (const TimeEntry& e : table.row(j))
            out.access[e.col] += r * decay_weight(e.seconds, options) / facility_sum[j];
    }
    return out;
}

SpatialAvailabilityResult spatial_availability(const TimeTable& table, std::span<const double> population,
                                               std::span<const double> supply,
                                               const SpatialAvailabilityOptions& options) {
    check_inputs("spatial availability", table, population, supply, options.catchment);
    if (!std::isfinite(options.alpha) || options.alpha < 0.0)
        throw UsageError("spatial availability: alpha " + std::to_string(options.alpha) +
                         " must be finite and >= 0");
    const std::size_t F = table.rows();
    const std::size_t D = table.cols();
    // F^p's denominator and F^c's denominator are the same for every zone competing for one
    // facility, so they cancel in F^t; they are kept to follow the published definition.
    std::vector<double> competing(D, 0.0);  // P_i^a, 0 for an empty zone
    double competing_total = 0.0;
    for (std::size_t i = 0; i < D; ++i) {
        competing[i] = population[i] > 0.0 ? std::pow(population[i], options.alpha) : 0.0;
        competing_total += competing[i];
    }
    SpatialAvailabilityResult out;
    out.availability.assign(D, 0.0);
    out.per_capita.assign(D, not_defined);
    out.allocated_supply.assign(F, 0.0);
    for (std::size_t j = 0; j < F; ++j) {
        double impedance_total = 0.0;
        for (const TimeEntry& e : table.row(j)) impedance_total += decay_weight(e.seconds, options.catchment);
        if (!(impedance_total > 0.0) || !(competing_total > 0.0)) continue;
        double combined_total = 0.0;
        for (const TimeEntry& e : table.row(j))
            combined_total += competing[e.col] / competing_total *
                              (decay_weight(e.seconds, options.catchment) / impedance_total);
        if (!(combined_total > 0.0)) continue;
        out.allocated_supply[j] = supply[j];
        for (const TimeEntry& e : table.row(j)) {
            const double combined = competing[e.col] / competing_total *
                                    (decay_weight(e.seconds, options.catchment) / impedance_total);
            out.availability[e.col] += supply[j] * combined / combined_total;
        }
    }
    for (std::size_t i = 0; i < D; ++i)
        if (population[i] > 0.0) out.per_capita[i] = out.availability[i] / population[i];
    return out;
}

}  // namespace lifecircle::planners
