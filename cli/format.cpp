#include "cli/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lifecircle::cli {

std::string fixed(double v, int decimals) {
    if (!std::isfinite(v)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string percent(double part, double total) {
    if (!(total > 0) || !std::isfinite(part)) return "-";
    return fixed(100.0 * part / total, 1) + "%";
}

}  // namespace lifecircle::cli
