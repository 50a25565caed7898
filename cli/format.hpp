#pragma once
/** Number and table formatting for the verbs' console output. */

#include <string>
#include <vector>

#include "studies/console.hpp"

namespace lifecircle::cli {

using studies::ConsoleTable;

/** `v` with `decimals` decimals, or "-" when it is not finite. */
std::string fixed(double v, int decimals);
/** `100 * part / total` with one decimal and "%", or "-" when total is not positive. */
std::string percent(double part, double total);

}  // namespace lifecircle::cli
