#pragma once
/** Number formatting shared by the verbs' tables and summaries. */

#include <string>

#include <nlohmann/json.hpp>

#include "planners/coverage.hpp"

namespace lifecircle::cli {

/** `v` with `decimals` decimals, or "-" when it is not finite. */
std::string fixed(double v, int decimals);
/** A finite number, or JSON null. */
nlohmann::ordered_json num(double v);
/** One group's figures as JSON (NaN as null). */
nlohmann::ordered_json figures_json(const planners::Figures& f);

}  // namespace lifecircle::cli
