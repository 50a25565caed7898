#pragma once
/** Option groups and helpers shared by the verbs. Only the CLI prints. */

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/limits.hpp"
#include "io/output.hpp"
#include "studies/area.hpp"
#include "studies/callbacks.hpp"
#include "studies/console.hpp"
#include "studies/inputs.hpp"
#include "studies/standard.hpp"
#include "studies/transit.hpp"

namespace lifecircle::cli {

using studies::console_stream;
using studies::ConsoleTable;
using studies::fixed;
using studies::percent;
/** Where a verb prints its report (stderr when its result goes to stdout). */
inline std::FILE* console() { return console_stream(); }

/** Exit codes (documented in README). */
enum ExitCode : int { exit_ok = 0, exit_internal = 1, exit_usage = 2, exit_input = 3, exit_output = 4 };

/** A CLI11 check that a value is a number within the range of its kind (core/limits.hpp). */
CLI::Validator valid(Quantity q);

/** Adds an option that sets `target` only when given (a number within the range of `q`). */
CLI::Option* add_number(CLI::App& app, const std::string& name, std::optional<double>& target, Quantity q,
                        const std::string& help);

/** An old spelling of an option that still works, with a note naming the new one. */
void add_old_spelling(CLI::App& app, const std::string& old_name, const std::string& new_name, std::string& target);

/** The network options of a verb. */
struct NetworkArgs {
    studies::NetworkSpec spec;
    std::optional<Mode> mode;
    bool transit = false;  ///< --mode transit: public transport, walking on the walk network
    std::optional<double> walk_speed_kmh;
    unsigned threads = 0;
    /** The profile without a standard: --mode (walk) and --walk-speed (4 km/h). */
    ProfileSettings profile() const { return default_profile(mode.value_or(Mode::walk), walk_speed_kmh.value_or(4.0)); }
};
/** Adds --network, --mode, --walk-speed, the road layer options and (with snapping) --max-snap,
    --island-m, --snap-to-islands and --threads. */
void add_network_options(CLI::App& app, NetworkArgs& args, bool with_snapping);

/** The public-transport options (--gtfs, --departure, ...), used with --mode transit. */
struct TransitArgs {
    studies::TransitSpec spec;
};
void add_transit_options(CLI::App& app, TransitArgs& args);
/** The feeds with --mode transit; none without it (a --gtfs then is a UsageError). */
std::optional<studies::TransitSpec> transit_spec(const TransitArgs& args, const NetworkArgs& network);

/** The standard options: --standard, --standards-file, --minutes, --max-meters, --direction
    (--mode and --walk-speed come from the network options). */
struct StandardArgs {
    studies::StandardChoice choice;
    std::string direction = "to-facility";
};
void add_standard_options(CLI::App& app, StandardArgs& args);
/** The standard the options give, with the network options' mode and speed. */
studies::StudyStandard resolve(const StandardArgs& args, const NetworkArgs& network);

/** Which facility fields a verb reads. */
struct FacilityFields {
    bool capacity = false;
    bool delay_cutoff = false;
};
/** Adds --facilities and its layer, CRS, id and name options (old spellings kept), and the
    capacity, delay and cutoff fields a verb reads. */
void add_facility_options(CLI::App& app, studies::FacilitySpec& spec, const FacilityFields& fields,
                          bool required = true);

/** Adds --<prefix>-crs, --<prefix>-layer and (with an id field) --<prefix>-id-field for one more
    point input (candidates, exclusions, origins); `what` names it in the help. */
void add_point_input_options(CLI::App& app, io::PointReadOptions& read, const std::string& prefix,
                             const std::string& what, bool with_id_field = true);

/** Adds --demand with its layer, CRS, id field, --weight-field and --spread-m. */
void add_demand_options(CLI::App& app, studies::DemandSpec& spec, std::string& weight_fields);
/** Adds --districts, --districts-layer, --districts-crs and --district-field. */
void add_district_options(CLI::App& app, studies::PolygonSpec& spec);

/** The callbacks of a verb: notes and warnings on stderr (unless --quiet), progress bars on a
    terminal (with --progress one line per 10% elsewhere). */
studies::Reporter reporter();

/** Prints "lifecircle: error: message" on stderr (also with --quiet). */
void print_error(const std::string& message);
/** Prints "lifecircle: message" on stderr unless --quiet; `message` starts with "note: " etc. */
void print_note(const std::string& message);
/** Prints "lifecircle: warning: message" on stderr unless --quiet. */
void print_warning(const std::string& message);
/** Adds --quiet and --progress to a verb. */
void add_quiet_option(CLI::App& app);

/** The command line as main() received it (a verb's own arguments follow its name). */
void set_command_line(std::vector<std::string> args);
const std::vector<std::string>& command_line();

}  // namespace lifecircle::cli
