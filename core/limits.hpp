#pragma once
/**
 * One validator per kind of value. Every number a user gives — on the command line, in a
 * scenario, through Python or QGIS, or in a data file (weights, coordinates) — is checked against
 * the one range of its kind here, so no entry point accepts what another refuses: finite, within
 * the documented range (README, "Limits"), with the option or key named in the message.
 */

#include <string>
#include <string_view>

namespace lifecircle {

/** The kinds of values users give. */
enum class Quantity {
    minutes,         ///< a travel-time standard or break
    metres,          ///< a network-distance standard
    walk_speed_kmh,  ///< walking speed
    maxspeed_kmh,    ///< a road's speed limit
    speed_factor,    ///< a what-if speed multiplier
    share,           ///< a target share, 0 < x <= 1
    fraction,        ///< a share that may be 0 (residential share, age share), 0 <= x <= 1
    hex_m,           ///< gap hexagon width
    spacing_m,       ///< spacing of auto candidate sites
    spread_m,        ///< spacing of road samples in demand polygons
    buffer_m,        ///< buffer around reached roads
    snap_m,          ///< snapping distances (max snap, island size, entrance distance)
    tolerance_m,     ///< snap tolerance of road layers
    count,           ///< a number of sites
    seconds,         ///< a time limit of a solver
    capacity,        ///< seats, beds, meals a day
    cost,            ///< a site's cost or a budget
    weight,          ///< residents of one feature
    storeys,         ///< building storeys
    floor_area_m2,   ///< floor area per person
    delay_minutes,   ///< a facility's delay (may be 0)
    longitude,       ///< WGS 84 degrees
    latitude,        ///< WGS 84 degrees
};

/** The accepted range of a kind of value. */
struct Limit {
    double min = 0;
    double max = 0;
    bool min_open = false;   ///< min itself is refused
    std::string_view unit;   ///< "minutes", "m", "km/h", ...
};

/** The range of `q`. */
const Limit& limit(Quantity q);

/** Whether `value` is finite and within the range of `q`. */
bool within(Quantity q, double value);

/**
 * "must be a number of minutes more than 0 and at most 1440, not 'nan'": what is wrong with
 * `text` (the value as the user wrote it) for `q`, or an empty string when it is fine.
 */
std::string limit_problem(Quantity q, std::string_view text);

/** The same for a parsed number. */
std::string limit_problem(Quantity q, double value);

/** Checks a command-line option (or a Python/QGIS parameter) and returns the value; a value out
    of range is a UsageError naming `option`. */
double check_option(Quantity q, double value, const std::string& option);

/** Checks a value read from a file at `line` (0 = unknown) under `key`; out of range is an
    InputError naming the file, line and key. */
double check_key(Quantity q, double value, const std::string& file, int line, const std::string& key);

}  // namespace lifecircle
