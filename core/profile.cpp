#include "core/profile.hpp"

#include <algorithm>
#include <cmath>

namespace lifecircle {

namespace {

constexpr std::array<std::string_view, road_class_count> class_names{
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
    "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential", "living_street",
    "service", "road", "track", "pedestrian", "footway", "path", "cycleway", "bridleway", "steps",
    "corridor", "platform", "construction", "proposed", "other"};

/**
 * The one table of defaults. Columns: may walk, may cycle, may drive, drive speed (km/h),
 * bike speed (km/h; 0 = pushed at walking speed). Drive speeds are typical urban free-flow
 * speeds; they are multiplied by ProfileSettings::drive_speed_factor.
 */
struct ClassDefaults {
    bool walk;
    bool bike;
    bool drive;
    double drive_kmh;
    double bike_kmh;
};
constexpr std::array<ClassDefaults, road_class_count> class_defaults{{
    /* motorway       */ {false, false, true, 100, 0},
    /* motorway_link  */ {false, false, true, 60, 0},
    /* trunk          */ {true, true, true, 80, 15},
    /* trunk_link     */ {true, true, true, 50, 15},
    /* primary        */ {true, true, true, 60, 15},
    /* primary_link   */ {true, true, true, 40, 15},
    /* secondary      */ {true, true, true, 50, 15},
    /* secondary_link */ {true, true, true, 40, 15},
    /* tertiary       */ {true, true, true, 40, 15},
    /* tertiary_link  */ {true, true, true, 30, 15},
    /* unclassified   */ {true, true, true, 30, 15},
    /* residential    */ {true, true, true, 25, 15},
    /* living_street  */ {true, true, true, 10, 10},
    /* service        */ {true, true, true, 15, 15},
    /* road           */ {true, true, true, 25, 15},
    /* track          */ {true, true, true, 15, 12},
    /* pedestrian     */ {true, true, false, 0, 0},
    /* footway        */ {true, true, false, 0, 0},
    /* path           */ {true, true, false, 0, 12},
    /* cycleway       */ {true, true, false, 0, 15},
    /* bridleway      */ {true, true, false, 0, 0},
    /* steps          */ {true, true, false, 0, 0},
    /* corridor       */ {true, true, false, 0, 0},
    /* platform       */ {true, true, false, 0, 0},
    /* construction   */ {false, false, false, 0, 0},
    /* proposed       */ {false, false, false, 0, 0},
    /* other          */ {false, false, false, 0, 0},
}};

}  // namespace

std::optional<Mode> parse_mode(std::string_view text) {
    if (text == "walk") return Mode::walk;
    if (text == "bike") return Mode::bike;
    if (text == "drive") return Mode::drive;
    return std::nullopt;
}

std::string_view mode_name(Mode mode) {
    switch (mode) {
        case Mode::walk: return "walk";
        case Mode::bike: return "bike";
        case Mode::drive: return "drive";
    }
    return "walk";
}

std::optional<SlopeModel> parse_slope_model(std::string_view text) {
    if (text == "none") return SlopeModel::none;
    if (text == "tobler") return SlopeModel::tobler;
    return std::nullopt;
}

std::string_view slope_model_name(SlopeModel model) {
    return model == SlopeModel::tobler ? "tobler" : "none";
}

double tobler_speed_factor(double slope) {
    // Tobler (1993): 6 exp(-3.5 |S + 0.05|) km/h; divided by its flat value so that the
    // profile's own speed is the speed on flat ground.
    return std::exp(-3.5 * (std::abs(slope + 0.05) - 0.05));
}

RoadClass parse_road_class(std::string_view highway) {
    for (std::size_t i = 0; i < class_names.size(); ++i) {
        if (class_names[i] == highway) return static_cast<RoadClass>(i);
    }
    return RoadClass::other;
}

std::string_view road_class_name(RoadClass road_class) {
    return class_names[static_cast<std::size_t>(road_class)];
}

ProfileSettings default_profile(Mode mode, double walk_speed_kmh) {
    ProfileSettings p;
    p.mode = mode;
    p.walk_speed_kmh = walk_speed_kmh;
    p.access_walk_speed_kmh = walk_speed_kmh;
    p.slope = mode == Mode::walk ? SlopeModel::tobler : SlopeModel::none;
    for (std::size_t i = 0; i < road_class_count; ++i) {
        const ClassDefaults& d = class_defaults[i];
        const auto rc = static_cast<RoadClass>(i);
        switch (mode) {
            case Mode::walk: {
                const double factor = rc == RoadClass::steps ? p.steps_factor : 1.0;
                p.rules[i] = {d.walk, walk_speed_kmh * factor};
                break;
            }
            case Mode::bike: {
                double kmh = d.bike_kmh > 0 ? std::min(d.bike_kmh, p.bike_speed_kmh) : walk_speed_kmh;
                if (rc == RoadClass::steps) kmh = walk_speed_kmh * p.steps_factor;
                p.rules[i] = {d.bike, kmh};
                break;
            }
            case Mode::drive: p.rules[i] = {d.drive, d.drive_kmh}; break;
        }
    }
    return p;
}

Permission permission(const ProfileSettings& profile, const EdgeAttributes& attrs) {
    const auto m = static_cast<std::size_t>(profile.mode);
    bool allowed = profile.rules[static_cast<std::size_t>(attrs.road_class)].allowed;
    // Explicit tags beat class defaults, but nobody walks on a road under construction.
    if (attrs.access[m] == Access::allowed && attrs.road_class != RoadClass::construction &&
        attrs.road_class != RoadClass::proposed) {
        allowed = true;
    }
    if (attrs.access[m] == Access::denied) allowed = false;
    if (!allowed) return {};
    if (profile.mode == Mode::walk) return {true, true};
    const Oneway rule =
        profile.mode == Mode::bike ? attrs.bike_oneway.value_or(attrs.oneway) : attrs.oneway;
    if (rule == Oneway::no) return {true, true};
    return rule == Oneway::forward ? Permission{true, false} : Permission{false, true};
}

ProfileSettings length_profile(const ProfileSettings& profile) {
    ProfileSettings p = profile;
    p.metric = Metric::length;
    p.access_walk_speed_kmh = 3.6;  // 1 m/s: the access walk counts its metres
    return p;
}

double speed_mps(const ProfileSettings& profile, const EdgeAttributes& attrs) {
    if (profile.metric == Metric::length) return 1.0;
    double kmh = profile.rules[static_cast<std::size_t>(attrs.road_class)].speed_kmh;
    if (profile.mode == Mode::drive) {
        if (attrs.maxspeed_kmh > 0) kmh = attrs.maxspeed_kmh;
        if (kmh <= 0) kmh = 25.0;  // a road explicitly opened to cars but of a class we do not drive on
        kmh *= profile.drive_speed_factor;
    } else if (profile.mode == Mode::bike && attrs.maxspeed_kmh > 0) {
        kmh = std::min(kmh, attrs.maxspeed_kmh);
    }
    if (kmh <= 0) kmh = profile.walk_speed_kmh;
    return kmh_to_mps(kmh * attrs.speed_factor[static_cast<std::size_t>(profile.mode)]);
}

}  // namespace lifecircle
