#pragma once
/**
 * Service standards: the reach rules planners test coverage against (e.g. "a kindergarten
 * within 300 m / 5 minutes' walk of children aged 3-6"), each quoting its source.
 *
 * The built-in catalogue is standards/standards.toml, compiled into the library; users may
 * add their own file in the same format (--standards-file).
 */

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/profile.hpp"

namespace lifecircle {

/** Who a standard serves; coverage weights residents of this group. */
enum class DemandGroup { everyone, children_0_3, children_3_6, age_60_plus, age_65_plus };

/** Parses "everyone", "children-0-3", "children-3-6", "age-60-plus" or "age-65-plus". */
std::optional<DemandGroup> parse_demand_group(std::string_view text);
/** The name parse_demand_group() accepts. */
std::string_view demand_group_name(DemandGroup group);

/** Where a standard's numbers come from. */
struct StandardSource {
    std::string document;    ///< title (and number) of the standard, plan or report
    std::string section;     ///< article, table or appendix
    int year = 0;            ///< year of publication
    std::string short_name;  ///< a few words for tables, e.g. "GB 50180-2018 T3.0.4"
    std::string quote;       ///< the sentence or table row, quoted or paraphrased
    std::string url;         ///< where the text was read (optional)
};

/** One reach rule. At least one of minutes and metres is set. */
struct ServiceStandard {
    std::string name;  ///< kebab-case id, e.g. "kindergarten"
    std::string title_en;
    std::string title_zh;  ///< may be empty
    /** Facility kinds (names of the `facilities` verb) that satisfy it; empty = any facility. */
    std::vector<std::string> kinds;
    DemandGroup demand = DemandGroup::everyone;
    Mode mode = Mode::walk;
    std::optional<double> minutes;         ///< travel-time threshold
    std::optional<double> metres;          ///< network-distance threshold (upper end of a range)
    std::optional<double> metres_min;      ///< lower end when the source gives a range
    std::optional<double> walk_speed_kmh;  ///< its own walking speed (on flat ground), if any
    /**
     * Its own slope model, if any: with a DEM, SlopeModel::tobler walks the slope, ::none
     * walks flat; unset follows the profile's default (walking: tobler). Walk mode only.
     */
    std::optional<SlopeModel> slope;
    std::optional<double> target_share;    ///< share of the demand group to reach it, 0-1
    /**
     * What kind of figure target_share is, for an honest verdict: "observed" (a figure measured
     * elsewhere, compared with: not a threshold), "local-plan" (a local plan's target) or
     * "national-target"; empty when the entry gives no target (or a user's file does not say).
     */
    std::string target_nature;
    /** The source words its numbers as advice (宜 / 不宜: "should"), not as mandatory articles. */
    bool advisory = false;
    bool verified = false;                 ///< every number checked against the source's text
    std::string note;                      ///< caveats; says which numbers are unverified
    StandardSource source;
};

/** The facility kind names a standard may list (those of the `facilities` verb). */
const std::vector<std::string_view>& standard_facility_kinds();

/**
 * Parses a catalogue in the standards.toml format. `origin` names the text in messages (a
 * file path, or "built-in standards"). Throws InputError naming the line and key for a TOML
 * syntax error, an unknown key, a wrong type, a missing key, an out-of-range value or a
 * repeated name.
 */
std::vector<ServiceStandard> parse_standards(std::string_view toml_text, const std::string& origin);

/** Reads and parses a user's standards file; InputError if unreadable or invalid. */
std::vector<ServiceStandard> read_standards_file(const std::string& path);

/** The catalogue shipped with lifecircle, parsed once. */
const std::vector<ServiceStandard>& builtin_standards();

/**
 * The built-in standards followed by those of `standards_file` (none when empty). A file entry
 * may not reuse a built-in name (InputError naming file and line).
 */
std::vector<ServiceStandard> standards_catalogue(const std::string& standards_file);

/** The standard called `name` in `catalogue`; UsageError listing the names otherwise. */
const ServiceStandard& find_standard(const std::vector<ServiceStandard>& catalogue,
                                     std::string_view name);
/** The built-in standard called `name`; UsageError listing the names otherwise. */
const ServiceStandard& find_standard(std::string_view name);

}  // namespace lifecircle
