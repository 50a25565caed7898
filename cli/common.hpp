#pragma once
/** Option groups and helpers shared by the verbs. Only the CLI prints. */

#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/polygon.hpp"
#include "core/snap.hpp"
#include "io/network.hpp"
#include "io/output.hpp"
#include "io/points.hpp"

namespace lifecircle::cli {

/** Exit codes (documented in README). */
enum ExitCode : int { exit_ok = 0, exit_internal = 1, exit_usage = 2, exit_input = 3, exit_output = 4 };

/**
 * A CLI11 check that the value is a finite number in [min, max] (or (min, max] when
 * `min_exclusive`), with a message in the option's unit: CLI11's Range lets NaN through and
 * PositiveNumber quotes the largest double in full.
 */
CLI::Validator number_in(double min, double max, bool min_exclusive, const std::string& unit);
/** A positive, finite number of minutes (at most a week). */
CLI::Validator minutes_validator();

/** Options that say how to load and snap to the road network. */
struct NetworkArgs {
    std::string path;
    std::string mode = "walk";
    double walk_speed_kmh = 4.0;
    io::NetworkOptions read;  ///< CRS, layer and field options; profiles are set from mode and speed
    SnapOptions snap;
    unsigned threads = 0;
};

/** Adds --network, --mode, --walk-speed and the network-reading options to a verb. */
void add_network_options(CLI::App& app, NetworkArgs& args, bool with_snapping);
/** The mode named by --mode; UsageError otherwise. */
Mode selected_mode(const NetworkArgs& args);
/** Loads the network the options describe (the profile of --mode only). */
io::Network load_network(const NetworkArgs& args);

/** Points read from a layer, projected into the network's work CRS. */
struct LoadedPoints {
    std::vector<io::PointRecord> records;
    std::vector<std::string> ids;
    std::vector<Point> lonlat;
    std::vector<Point> xy;
};
/**
 * Options for reading one point layer. Every input layer has its own group, named by a
 * prefix (add_point_input_options): `--from-crs`, `--to-layer`, `--facilities-crs`,
 * `--demand-id-field`..., so a WGS 84 layer is never shifted by a CRS meant for another.
 */
struct PointArgs {
    std::string path;
    io::PointReadOptions read;
    /** --<prefix>-id-field; empty: the verb's default (apply_point_defaults). */
    std::string id_field;
};
/**
 * Adds --<prefix>-crs, --<prefix>-layer and --<prefix>-id-field (the id field only when
 * `with_id_field`) for one input layer, e.g. prefix "from" or "facilities". `what` names the
 * layer in the help text ("origin points").
 */
void add_point_input_options(CLI::App& app, PointArgs& args, const std::string& prefix,
                             const std::string& what, bool with_id_field = true);
/**
 * Fills the options the user left out from the verb-wide defaults (--input-crs, --id-field):
 * a layer's own option always wins.
 */
void apply_point_defaults(PointArgs& args, const std::string& default_crs, const std::string& default_id_field);
/**
 * Reads a point layer and projects it. Throws InputError when the points lie far from the
 * network, saying so specifically when swapping longitude and latitude would put them on it.
 */
LoadedPoints load_points(const PointArgs& args, const io::Network& net);
/**
 * Reads a polygon layer (districts, exclusion areas) into the work CRS: every part with its
 * holes. A point feature is an InputError saying `why_polygons` (e.g. "the districts must be
 * polygons"). `names`, when given, gets each feature's name (or id).
 */
std::vector<MultiPolygonXY> read_polygons(const PointArgs& args, const io::Network& net, const std::string& why_polygons,
                                          std::vector<std::string>* names = nullptr);

/** How far (straight line, metres) `seconds` of travel can reach: the walking speed for walk,
    4.5 m/s for bike, 14 m/s for drive; auto candidates are placed within it of the gaps. */
double straight_reach_m(Mode mode, double walk_speed_kmh, double seconds);

/** Candidate sites every `spacing` metres along the roads within `radius` metres (straight
    line) of an uncovered demand point, at most one per spacing x spacing grid cell. */
std::vector<Point> auto_candidates(const RoadGraph& g, const std::vector<Point>& uncovered, double radius,
                                   double spacing);

/** Checks a point input (file exists, is no OSM file, its CRS option is understood) so that
    mistakes show before the network is loaded. */
void check_points(const PointArgs& args);

/** Prints one warning line per unsnapped point (at most 20, then a count) on stderr. */
void report_unsnapped(const std::string& what, const LoadedPoints& points, const std::vector<Snap>& snaps);

/** A progress line on stderr when it is a terminal; silent in pipes and CI. */
class Progress {
public:
    explicit Progress(std::string label);
    ~Progress();
    /** Redraws "label done/total". Thread-safe. */
    void update(std::size_t done, std::size_t total);
    /** A callback to hand to library functions. */
    std::function<void(std::size_t, std::size_t)> callback();

private:
    std::string m_label;
    bool m_enabled;
    bool m_drawn = false;
};

/** Prints "lifecircle: error: message" on stderr (also with --quiet). */
void print_error(const std::string& message);
/** Prints "lifecircle: message" on stderr unless --quiet; `message` starts with "note: " etc. */
void print_note(const std::string& message);
/** Prints "lifecircle: warning: message" on stderr unless --quiet. */
void print_warning(const std::string& message);
/** Adds --quiet (no notes, warnings or progress; errors are still printed) to a verb. */
void add_quiet_option(CLI::App& app);
/** Whether --quiet was given. */
bool quiet();

/**
 * Checks the input paths (option, path; a folder is an InputError) and declares and checks
 * the outputs against them. Call it before any computation.
 */
io::OutputPlan plan_outputs(std::vector<io::OutputRequest> outputs,
                            const std::vector<std::pair<std::string, std::string>>& inputs);

}  // namespace lifecircle::cli
