#pragma once
/**
 * The demo district, built in code: a 2 x 1.6 km street grid with arterials, the 清河 river
 * crossed by two bridges, a one-way street, 70 residential compounds (小区) with residents by age
 * group, four communities (社区), clinics, kindergartens with seats and elderly meal points, all
 * with Chinese names, and a scenario asking for two new kindergartens and a what-if footbridge.
 */

#include <string>
#include <vector>

#include "studies/callbacks.hpp"

namespace lifecircle::studies {

/** The files of the district (relative to its folder). */
const std::vector<std::string>& demo_files();

/** Writes the district's files and its scenario.toml into `dir` (created if missing), as one
    output transaction (all or none); notes (recovered debris) go to `reporter`. A file there
    that differs from the district's (a scenario the user edited) is a UsageError naming it,
    before anything is written, unless `overwrite`. */
void write_demo_district(const std::string& dir, const Reporter& reporter = {}, bool overwrite = false);

}  // namespace lifecircle::studies
