#pragma once
/** The layer of suggested sites (suggest verb, plan). */

#include <span>
#include <string>
#include <vector>

#include "core/layer.hpp"

namespace lifecircle::maps {

/** One suggested site. */
struct SiteRow {
    std::size_t rank = 0;             ///< pick order, 1 = first
    std::string candidate_id;
    std::string name;
    std::string kind;                 ///< "new" or "expansion" (more seats at an existing facility)
    std::vector<unsigned char> wkb;   ///< Point in the work CRS; empty for a matrix run
    double added_weight = 0;          ///< marginal gain in pick order
    double assigned_weight = 0;       ///< weight it serves in the final answer
    double capacity = 0;              ///< NaN when uncapacitated
    double cost = 0;                  ///< NaN when no cost was given
};

/**
 * `sites`: rank, candidate_id, name, kind, added_weight, assigned_weight, capacity, cost;
 * styled graduated by rank (the first picks drawn strongest) so the order shows on the map.
 */
Layer sites_layer(std::span<const SiteRow> rows, const std::string& name = "suggested_sites");

}  // namespace lifecircle::maps
