#pragma once
/**
 * Travel modes and the one table of defaults: which road classes each mode may use and how
 * fast. Readers (OSM, GDAL) reduce their tags and fields to EdgeAttributes; this file turns
 * those into per-mode travel times, so every reader follows the same rules.
 */

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace lifecircle {

/** How people travel. */
enum class Mode : std::uint8_t { walk = 0, bike = 1, drive = 2 };
inline constexpr std::size_t mode_count = 3;

/** Parses "walk", "bike" or "drive"; nullopt otherwise. */
std::optional<Mode> parse_mode(std::string_view text);
/** "walk", "bike" or "drive". */
std::string_view mode_name(Mode mode);

/** Road classes, named after OpenStreetMap's highway=* values (bureau data uses them too). */
enum class RoadClass : std::uint8_t {
    motorway, motorway_link, trunk, trunk_link, primary, primary_link, secondary, secondary_link,
    tertiary, tertiary_link, unclassified, residential, living_street, service, road, track,
    pedestrian, footway, path, cycleway, bridleway, steps, corridor, platform,
    construction, proposed, other
};
inline constexpr std::size_t road_class_count = static_cast<std::size_t>(RoadClass::other) + 1;

/** Parses an OSM highway value ("residential"); RoadClass::other when unknown. */
RoadClass parse_road_class(std::string_view highway);
/** The OSM highway value of a class. */
std::string_view road_class_name(RoadClass road_class);

/** Direction rule of a road for vehicles. */
enum class Oneway : std::int8_t { reverse = -1, no = 0, forward = 1 };

/** Per-mode permission decided from explicit tags; unset means "follow the class default". */
enum class Access : std::uint8_t { by_class, allowed, denied };

/** What a reader knows about one piece of road, independent of the source format. */
struct EdgeAttributes {
    RoadClass road_class = RoadClass::other;
    Oneway oneway = Oneway::no;              ///< for bike and drive; walking ignores it
    /**
     * The rule for bikes when it differs from `oneway` (OSM oneway:bicycle, or a contraflow
     * cycle lane such as cycleway=opposite_lane); unset: bikes follow `oneway`.
     */
    std::optional<Oneway> bike_oneway;
    double maxspeed_kmh = 0.0;               ///< 0: unknown, use the class default
    std::array<Access, mode_count> access{}; ///< explicit permission per mode
    /**
     * Per mode, multiplies the travel speed speed_mps() works out (1: unchanged). Set by
     * what-if edits (core/edits.hpp: "these rural roads become 20% faster for cars"); readers
     * leave it at 1. Ignored by length-metric profiles.
     */
    std::array<float, mode_count> speed_factor{1.0f, 1.0f, 1.0f};
    /**
     * On a bridge or in a tunnel (OSM bridge, tunnel or layer != 0; a bridge/tunnel field in a
     * GDAL layer): with elevation data the road runs in a straight line between the ground at
     * its two ends, not over the ground under it (a bridge over a valley is not a climb).
     */
    bool bridge_or_tunnel = false;
};

/** Default speed (km/h) and permission of one road class for one mode. */
struct ClassRule {
    bool allowed;
    double speed_kmh;
};

/** What a profile's arc weights measure. */
enum class Metric : std::uint8_t {
    time,    ///< seconds of travel
    length,  ///< metres of road (the "seconds" of such a profile are metres: unit speed)
};

/** How the slope of the ground changes a profile's speed (see README, "Hills"). */
enum class SlopeModel : std::uint8_t {
    none,    ///< speeds ignore slope
    tobler,  ///< walking: Tobler's hiking function, scaled to the profile's speed on flat ground
};

/** Parses "none" or "tobler"; nullopt otherwise. */
std::optional<SlopeModel> parse_slope_model(std::string_view text);
/** "none" or "tobler". */
std::string_view slope_model_name(SlopeModel model);

/**
 * The walking speed on a slope S (rise over horizontal run; 0.1 = 10% uphill) as a multiple of
 * the speed on flat ground: Tobler's hiking function exp(-3.5 |S + 0.05|) divided by its value
 * on the flat, exp(-3.5 * 0.05). 1 on the flat and at 10% downhill, highest (1.19) at 5%
 * downhill, 0.70 at 10% uphill, 0.84 at 15% downhill.
 */
double tobler_speed_factor(double slope);

/** Walkable roads are cut into pieces of at most this length to follow the ground's slope. */
inline constexpr Meters slope_piece_m = 10.0;

/**
 * Settings of a travel profile. Defaults come from default_profile(); the CLI overrides
 * walk speed. All speeds in km/h.
 */
struct ProfileSettings {
    Mode mode = Mode::walk;
    /** Flat-ground walking speed. 4 km/h: GB 50180-2018 sizes the 15-minute life circle at
        about 1,000 m of walking, i.e. 4 km/h (typical adults 4.5-5, elderly about 3.5-4). */
    double walk_speed_kmh = 4.0;
    /** Cycling speed on ordinary roads. */
    double bike_speed_kmh = 15.0;
    /** Steps are climbed at this fraction of walking speed (and bikes are pushed). */
    double steps_factor = 0.5;
    /** Drive speeds are multiplied by this to account for junctions and traffic. */
    double drive_speed_factor = 0.8;
    /** Walking speed used for the leg between a point and the road it snaps to. */
    double access_walk_speed_kmh = 4.0;
    std::array<ClassRule, road_class_count> rules{};
    /** Metric::length makes every arc weight (and the access walk) its length in metres, with
        the mode's permissions: network distances for standards stated in metres (GB 50180). */
    Metric metric = Metric::time;
    /**
     * How slope changes walking speed when the graph is built with elevation data
     * (BuildOptions::elevation); without it every profile is flat. Only walking profiles with
     * Metric::time follow slope: bike and drive speeds ignore it (see README, "Hills"). Steps
     * keep their own speed, and the access walk between a point and its road is flat.
     */
    SlopeModel slope = SlopeModel::none;
};

/** The length-metric twin of a profile: same roads and directions, weights in metres. */
ProfileSettings length_profile(const ProfileSettings& profile);

/** The documented defaults for a mode (see README, "Travel profiles"); walking follows
    the slope (SlopeModel::tobler) whenever the graph is built with elevation data. */
ProfileSettings default_profile(Mode mode, double walk_speed_kmh = 4.0);

/** Whether a mode may travel along the road, and in which directions. */
struct Permission {
    bool forward = false;
    bool backward = false;
};
/** Applies class defaults, explicit access and oneway for the profile's mode. */
Permission permission(const ProfileSettings& profile, const EdgeAttributes& attrs);
/** Travel speed in m/s for the profile on this road (maxspeed, class default, steps, times the
    edge's speed_factor for the profile's mode). */
double speed_mps(const ProfileSettings& profile, const EdgeAttributes& attrs);

}  // namespace lifecircle
