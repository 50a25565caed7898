#pragma once
/**
 * Planning scenarios (`lifecircle plan scenario.toml`): the network, demand, districts, the
 * services to evaluate and the what-if road works, read from TOML with toml++. Paths are
 * relative to the scenario file. Unknown keys, wrong types, missing required keys, missing files
 * and numbers outside their documented range (core/limits.hpp, the same validator the command
 * line uses) are InputErrors naming the file, the key and its line.
 */

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "studies/area.hpp"
#include "studies/transit.hpp"

namespace lifecircle::studies {

/** How many new sites a service should get. */
struct ScenarioSuggest {
    std::string objective = "max-coverage";  ///< max-coverage, min-facilities or p-median
    std::size_t count = 0;
    std::optional<double> target;
    std::string candidates = "auto";  ///< a file (resolved) or "auto"
    double candidate_spacing_m = 100.0;
    std::size_t max_candidates = 20000;
    bool capacitated = false;
    std::optional<double> candidate_capacity;
    std::string candidates_capacity_field;
    std::uint64_t seed = 1;
    double time_limit_s = 600.0;  ///< a cap; below it the answer depends only on the seed
    int line = 0;
};

/** One service: its facilities, its standard, its demand group. */
struct ScenarioService {
    std::string id;          ///< [a-z0-9_]+, used in layer names
    std::string title;       ///< shown in the report and legend (UTF-8)
    std::string facilities;  ///< a file (resolved), or empty with osm_kind
    std::string osm_kind;    ///< a facility kind to extract from the network's OSM file
    std::string id_field = "id", name_field, capacity_field, delay_field, cutoff_field;
    std::optional<double> default_capacity;  ///< OSM facilities without a capacity tag
    std::string standard;    ///< a catalogue name, or empty
    std::optional<double> minutes, meters, walk_speed_kmh, target_share;
    /** Overrides the standard's slope model (with [network] elevation; "none" walks flat). */
    std::optional<SlopeModel> slope;
    std::optional<std::string> mode;  ///< walk, bike or drive (transit sets `transit` and walks)
    /** mode = "transit": by the scenario's timetables ([[gtfs]], [transit]), walking to and from stops. */
    bool transit = false;
    std::string direction = "to-facility";
    std::string demand_group;            ///< one of the demand's groups
    std::vector<double> breaks_minutes;  ///< service-area breaks; empty = the standard's minutes
    std::optional<ScenarioSuggest> suggest;
    int line = 0;
};

/** One what-if road work. Coordinates are WGS 84 longitude, latitude. */
struct ScenarioEdit {
    std::string type;   ///< "add_road", "change" or "close"
    std::string label;  ///< shown in the report
    // add_road
    std::vector<std::pair<double, double>> line;
    std::string road_class = "footway";
    std::optional<double> maxspeed_kmh;
    bool oneway = false;
    /** A bridge (or tunnel): with elevation it runs straight between its ends' ground. */
    bool bridge = false;
    // change / close: which roads
    std::vector<std::pair<double, double>> polygon;  ///< a closed ring, or empty
    std::string area_file;                           ///< polygons from a file (resolved), or empty
    std::vector<std::int64_t> osm_ids;
    // change: what
    std::optional<std::string> new_class;
    std::optional<double> speed_factor;
    int line_number = 0;
};

struct Scenario {
    std::string path;  ///< the scenario file
    std::string title;
    /** [network]: the file and how to read it (work CRS, a DEM in read.elevation). */
    NetworkSpec network;
    std::string mode = "walk";    ///< the services' default mode
    double walk_speed_kmh = 4.0;  ///< the services' default walking speed
    /** [demand]: a residents layer or buildings, with every setting the demand verb has. */
    DemandSpec demand;
    /** [districts] */
    PolygonSpec districts;
    std::vector<ScenarioService> services;
    std::vector<ScenarioEdit> edits;
    double hex_m = 250.0;
    /** [[gtfs]] feeds and the [transit] window, for services with mode = "transit". */
    TransitSpec transit;

    /** Every file the scenario reads (itself included, with a Shapefile's companions .dbf, .shx,
        .prj, .cpg...): a plan never writes over or deletes them. */
    std::vector<std::string> inputs() const;
};

/** Reads and checks a scenario. */
Scenario read_scenario(const std::string& path);

/** A commented example scenario (`lifecircle plan --example`). */
std::string example_scenario();

}  // namespace lifecircle::studies
