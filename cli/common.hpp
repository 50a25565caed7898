#pragma once
/** Option groups and helpers shared by the verbs. Only the CLI prints. */

#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/snap.hpp"
#include "io/network.hpp"
#include "io/output.hpp"
#include "io/points.hpp"

namespace lifecircle::cli {

/** Exit codes (documented in README). */
enum ExitCode : int { exit_ok = 0, exit_internal = 1, exit_usage = 2, exit_input = 3, exit_output = 4 };

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
/** Options for reading one point layer. */
struct PointArgs {
    std::string path;
    io::PointReadOptions read;
};
/**
 * Reads a point layer and projects it. Throws InputError when the points lie far from the
 * network, saying so specifically when swapping longitude and latitude would put them on it.
 */
LoadedPoints load_points(const PointArgs& args, const io::Network& net);

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
