#pragma once
/** Small text helpers shared by the PROJ and GDAL code in io/: names, numbers and points. */

#include <string>
#include <string_view>

#include "core/types.hpp"

namespace lifecircle::io::detail {

/** `text` without leading and trailing spaces, tabs and line breaks. */
std::string_view trim(std::string_view text);

/** Lower-cases ASCII letters only, so UTF-8 (Chinese field names) passes through unchanged. */
std::string ascii_lower(std::string_view text);

/** A number for a message: at most `digits` significant digits, no trailing zeros. */
std::string format_number(double value, int digits = 12);

/** A point as it should appear in a message: "(x, y)", each formatted by format_number. */
std::string format_point(Point p, int digits = 12);

}  // namespace lifecircle::io::detail
