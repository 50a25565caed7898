#pragma once
/**
 * Floating-catchment accessibility measures on a sparse facility x demand TimeTable (rows =
 * facilities j with supply S_j, columns = demand points i with population P_i). Pairs with a
 * time above `cutoff` are ignored, so a table made with a larger cutoff may be reused.
 *
 * Decay W(t) for t <= T (T = cutoff), 0 beyond:
 *  - steps (Luo & Qi 2009, E2SFCA): 1.00 on [0, T/3], 0.68 on (T/3, 2T/3], 0.22 on (2T/3, T];
 *  - gaussian (Dai 2010): G(t) = (exp(-t^2 / (2 T^2)) - exp(-1/2)) / (1 - exp(-1/2)).
 *
 * e2sfca():  R_j = S_j / sum_i P_i W_ij,  A_i = sum_j R_j W_ij.
 * bfca() (Paez, Higgins & Vivona 2019): W^i_ij = W_ij / sum_k W_ik (person i split over the
 *   facilities it reaches), W^j_ij = W_ij / sum_k W_kj; R_j = S_j / sum_i P_i W^i_ij,
 *   A_i = sum_j R_j W^j_ij. Population is preserved (sum_j of the allocated demand = the
 *   population that reaches any facility) and so is level of service (sum_i A_i = sum_j R_j).
 * spatial_availability() (Soukhov, Paez, Higgins & Mohamed 2023): population balancing
 *   F^p_i = P_i^a / sum_k P_k^a, impedance balancing F^c_ij = W_ij / sum_k W_kj, combined
 *   F^t_ij = F^p_i F^c_ij / sum_k F^p_k F^c_kj; V_ij = S_j F^t_ij, V_i = sum_j V_ij (the supply
 *   available to zone i), v_i = V_i / P_i per person. Supply is preserved: sum_i V_i = the
 *   supply of every facility someone reaches.
 *
 * A facility that no one with population > 0 reaches with W > 0 has an undefined ratio: NaN, and
 * it adds nothing to anyone's access. Everything is sequential and deterministic.
 */

#include <span>
#include <vector>

#include "core/time_table.hpp"
#include "core/types.hpp"

namespace lifecircle::planners {

/** Distance-decay function of a catchment. */
enum class Decay {
    steps,    ///< Luo & Qi 2009 zones with weights 1.00, 0.68, 0.22
    gaussian  ///< Dai 2010 Gaussian, 1 at t = 0, 0 at t = T
};

/** The catchment: cutoff and decay. */
struct CatchmentOptions {
    /** T: pairs above this many seconds are outside the catchment. Must be > 0. */
    Seconds cutoff = 0.0;
    Decay decay = Decay::steps;
};

/** W(t) of `options` (0 beyond the cutoff). */
double decay_weight(double seconds, const CatchmentOptions& options);

/** Result of e2sfca(). */
struct E2sfcaResult {
    /** A_i per demand point (supply per person; 0 when nothing is in reach). */
    std::vector<double> access;
    /** R_j per facility; NaN when no demand with population is in reach. */
    std::vector<double> ratio;
    /** sum_i P_i W_ij per facility: the demand this facility counts (people may count twice). */
    std::vector<double> weighted_demand;
};

/** Enhanced two-step floating catchment (Luo & Qi 2009; Dai 2010 with Decay::gaussian). */
E2sfcaResult e2sfca(const TimeTable& facility_by_demand, std::span<const double> population,
                    std::span<const double> supply, const CatchmentOptions& options);

/** Result of bfca(). */
struct BfcaResult {
    /** A_i per demand point. */
    std::vector<double> access;
    /** R_j per facility; NaN when no demand with population is in reach. */
    std::vector<double> ratio;
    /** sum_i P_i W^i_ij per facility: each person counted once over all facilities. */
    std::vector<double> allocated_demand;
};

/** Balanced floating catchment area (Paez, Higgins & Vivona 2019). */
BfcaResult bfca(const TimeTable& facility_by_demand, std::span<const double> population,
                std::span<const double> supply, const CatchmentOptions& options);

/** Options of spatial_availability(). */
struct SpatialAvailabilityOptions {
    CatchmentOptions catchment;
    /** a: < 1 favours small zones, > 1 large ones; zones with P_i = 0 never compete. */
    double alpha = 1.0;
};

/** Result of spatial_availability(). */
struct SpatialAvailabilityResult {
    /** V_i per demand point: supply allocated to the zone. */
    std::vector<double> availability;
    /** v_i = V_i / P_i; NaN when P_i = 0. */
    std::vector<double> per_capita;
    /** Supply of each facility handed out (S_j, or 0 when no one with population reaches it). */
    std::vector<double> allocated_supply;
};

/** Spatial availability (Soukhov et al. 2023). */
SpatialAvailabilityResult spatial_availability(const TimeTable& facility_by_demand,
                                               std::span<const double> population,
                                               std::span<const double> supply,
                                               const SpatialAvailabilityOptions& options);

}  // namespace lifecircle::planners
