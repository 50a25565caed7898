#pragma once
/**
 * The standard a study runs, as one value: minutes and metres, mode, walking speed, direction
 * and the catalogue entry it came from with what the user overrode. Coverage, seats, access,
 * gaps, suggestion and the plan all take this value, so no verb can drop a limit another applies.
 */

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/graph.hpp"
#include "core/profile.hpp"
#include "planners/coverage.hpp"
#include "planners/standards.hpp"

#include <nlohmann/json.hpp>

namespace lifecircle::studies {

struct TransitData;

/** What the user asked for: a catalogue name and/or their own limits (own values win). */
struct StandardChoice {
    std::string name;            ///< a catalogue entry, or empty
    std::string standards_file;  ///< the user's own catalogue (TOML), or empty
    std::optional<double> minutes;
    std::optional<double> metres;
    std::optional<Mode> mode;
    std::optional<double> walk_speed_kmh;
    std::optional<Direction> direction;
    std::optional<double> target_share;
    /** How slope changes walking (with a DEM): the catalogue entry's or Tobler's, unless given. */
    std::optional<SlopeModel> slope;
    /** How messages name the fields: "--minutes" (command line) or "minutes" (scenario, Python). */
    bool command_line = true;
};

/** A resolved standard. */
struct StudyStandard {
    std::string name;      ///< catalogue name; empty = the user's own limits
    std::string title_en;  ///< catalogue titles, empty without a catalogue entry
    std::string title_zh;
    std::string source;    ///< the source's short name ("GB 50180-2018 T3.0.4")
    bool verified = false;
    Mode mode = Mode::walk;
    double walk_speed_kmh = 4.0;
    /** backward: residents travel to the facility (one-way streets read against the arcs). */
    Direction direction = Direction::backward;
    /** Walking follows the slope (Tobler) when the network has a DEM, unless the standard or the
        user says "none". */
    SlopeModel slope = SlopeModel::tobler;
    std::optional<double> minutes;
    std::optional<double> metres;
    /** Share of the group that should be covered (the catalogue's, or the user's). */
    std::optional<double> target_share;
    std::string target_source;  ///< where the target comes from
    /** What the target is: "observed" (a figure measured elsewhere, compared with), "local-plan",
        "national-target", "scenario" (set by the scenario or the user); empty = not stated. */
    std::string target_nature;
    /** The catalogue's source words its limits as advice (宜 / 不宜), not as mandatory articles. */
    bool advisory = false;
    /** The catalogue's limits before the user's overrides ("5 min and 300 m"); empty without an
        entry. */
    std::string catalogue_limits;
    /** What the user changed against the catalogue entry, in words ("minutes 5 → 10"). */
    std::vector<std::string> overrides;
    /** Set: the standard is met by public transport (walking on the walk network to, between
        and from stops, studies/transit.hpp); times are a percentile over the departures. */
    std::shared_ptr<const TransitData> transit;

    /** The time limit in seconds (unreachable when only metres are given). */
    Seconds max_seconds() const { return minutes ? *minutes * 60.0 : unreachable; }
    /** Both limits for planners::coverage(). */
    planners::Standard limits() const;
    /** The travel profile (mode and walking speed). */
    ProfileSettings profile() const {
        ProfileSettings p = default_profile(mode, walk_speed_kmh);
        if (mode == Mode::walk) p.slope = slope;
        return p;
    }
    /** "10 min and 500 m walk (4.0 km/h)" */
    std::string describe() const;
    /** "to-facility" or "from-facility". */
    std::string direction_name() const;
    /** "walk", "bike", "drive", or "transit" when the standard rides a timetable. */
    std::string mode_label() const;
    /** The timetables and window as JSON (feeds, departure, percentiles, walks, rides); null without. */
    nlohmann::ordered_json transit_json() const;
};

/**
 * Resolves a choice: the catalogue entry fills what the user left out; every number is checked
 * (finite, in range; UsageError naming the option). At least one of minutes and metres must
 * result.
 */
StudyStandard resolve_standard(const StandardChoice& choice);

/** Every field of a catalogue entry as JSON (`lifecircle standards --json`). */
nlohmann::ordered_json standard_json(const ServiceStandard& standard);

/** A catalogue entry as the cells of `lifecircle standards`' table: name, kinds, demand,
    minutes, metres, mode, verified, source. */
std::vector<std::string> standard_row(const ServiceStandard& standard);

/** Parses "to-facility" / "from-facility"; UsageError naming `option` otherwise. */
Direction parse_direction(const std::string& text, const std::string& option);

}  // namespace lifecircle::studies
