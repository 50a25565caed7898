#include "core/limits.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/error.hpp"

namespace lifecircle {

namespace {

// The documented ranges (README, "Limits"); upper ends are where a value stops meaning anything
// in a city (a day of travel, a 1,000 km walk) or would overflow a sum.
constexpr std::array<Limit, 23> limits = {{
    {0.0, 1440.0, true, "minutes"},       // minutes
    {0.0, 1.0e6, true, "m"},              // metres
    {0.5, 30.0, false, "km/h"},           // walk_speed_kmh
    {0.0, 300.0, true, "km/h"},           // maxspeed_kmh
    {0.0, 100.0, true, "(a factor)"},     // speed_factor
    {0.0, 1.0, true, "(a share)"},        // share
    {0.0, 1.0, false, "(a share)"},       // fraction
    {10.0, 100000.0, false, "m"},         // hex_m
    {5.0, 100000.0, false, "m"},          // spacing_m
    {1.0, 10000.0, false, "m"},           // spread_m
    {0.0, 1000.0, true, "m"},             // buffer_m
    {0.0, 1.0e6, false, "m"},             // snap_m
    {0.0, 100.0, false, "m"},             // tolerance_m
    {1.0, 100000.0, false, "sites"},      // count
    {0.0, 604800.0, true, "seconds"},     // seconds
    {0.0, 1.0e9, false, "(seats)"},       // capacity
    {0.0, 1.0e15, false, "(cost)"},       // cost
    {0.0, 1.0e9, false, "residents"},     // weight
    {0.1, 200.0, false, "storeys"},       // storeys
    {1.0, 1000.0, false, "m²"},           // floor_area_m2
    {0.0, 1440.0, false, "minutes"},      // delay_minutes
    {-180.0, 180.0, false, "degrees"},    // longitude
    {-90.0, 90.0, false, "degrees"},      // latitude
}};
static_assert(limits.size() == static_cast<std::size_t>(Quantity::latitude) + 1, "one limit per Quantity");

std::string number_text(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

std::string range_text(const Limit& l) {
    std::string unit(l.unit);
    return (l.min_open ? "more than " : "at least ") + number_text(l.min) + " and at most " + number_text(l.max) +
           (unit.empty() ? "" : " " + unit);
}

}  // namespace

const Limit& limit(Quantity q) { return limits.at(static_cast<std::size_t>(q)); }

bool within(Quantity q, double v) {
    const Limit& l = limit(q);
    return std::isfinite(v) && v <= l.max && (l.min_open ? v > l.min : v >= l.min);
}

std::string limit_problem(Quantity q, double value) {
    if (within(q, value)) return {};
    return "must be a number " + range_text(limit(q)) + ", not " +
           (std::isnan(value) ? std::string("NaN") : number_text(value));
}

std::string limit_problem(Quantity q, std::string_view text) {
    const std::string s(text);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    const bool number = !s.empty() && end != nullptr && *end == '\0';
    if (number && within(q, v)) return {};
    return "must be a number " + range_text(limit(q)) + ", not '" + s + "'";
}

double check_option(Quantity q, double value, const std::string& option) {
    const std::string why = limit_problem(q, value);
    if (!why.empty()) throw UsageError(option + " " + why);
    return value;
}

double check_key(Quantity q, double value, const std::string& file, int line, const std::string& key) {
    const std::string why = limit_problem(q, value);
    if (!why.empty())
        throw InputError((line > 0 ? "line " + std::to_string(line) + ": " : std::string()) + key + " " + why)
            .set_file(file);
    return value;
}

}  // namespace lifecircle
