#include "cli/format.hpp"

#include <cmath>
#include <cstdio>

namespace lifecircle::cli {

std::string fixed(double v, int decimals) {
    if (!std::isfinite(v)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

nlohmann::ordered_json num(double v) {
    return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json figures_json(const planners::Figures& f) {
    nlohmann::ordered_json j;
    j["total"] = f.total;
    j["covered"] = f.covered;
    j["coverage_share"] = num(f.total > 0 ? f.share : NAN);
    j["unreachable"] = f.unreachable;
    j["unsnapped"] = f.unsnapped;
    j["mean_minutes"] = num(f.mean_minutes);
    j["max_minutes"] = num(f.max_minutes);
    j["gini_minutes"] = num(f.gini_minutes);
    j["points"] = f.points;
    return j;
}

}  // namespace lifecircle::cli
