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
    /** Where target_share comes from ("上海 2035: 99%", a council decision...), shown with the
        verdict; and its nature: "scenario" (set by the scenario, the default), "local-plan" or
        "observed". */
    std::string target_source, target_nature;
    /** The facilities file's CRS when it has none or a wrong one (EPSG:xxxx, wgs84, gcj02, bd09)
        and its layer; empty = the file's own. */
    std::string crs, layer;
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
    /** Each end joins a road within this many metres (else an error naming the edit). */
    double join_tolerance_m = 5.0;
    /** An end that joins nothing is a dead end, not an error. */
    bool allow_dangling = false;
    // change / close: which roads
    std::vector<std::pair<double, double>> polygon;  ///< a closed ring, or empty
    std::string area_file;                           ///< polygons from a file (resolved), or empty
    std::vector<std::int64_t> osm_ids;
    // change: what
    std::optional<std::string> new_class;
    std::optional<double> speed_factor;
    int line_number = 0;
};

/** A facility a variant adds, given in the scenario. */
struct ScenarioPoint {
    std::string id, name;
    double lon = 0.0, lat = 0.0;  ///< WGS 84
    std::optional<double> capacity;
    int line = 0;
};

/** What a variant changes in one service's facilities. */
struct ScenarioFacilityChange {
    std::string service;                ///< a service id of the scenario
    std::string add_file;               ///< facilities to add (resolved; read with the service's fields), or empty
    std::vector<ScenarioPoint> add;     ///< facilities to add, given as points
    std::vector<std::string> close;     ///< ids of the service's facilities that close
    int line = 0;
};

/**
 * One option a planner weighs against today ([[variants]]): road works and/or facilities added
 * or closed per service. Every service is evaluated for every variant. The scenario's plain
 * [[edits]] are the variant "road_works".
 */
struct ScenarioVariant {
    std::string id;     ///< [a-z0-9_]+, names layers: <service>_<id>_<layer>
    std::string title;  ///< shown in the report (UTF-8)
    std::vector<ScenarioEdit> edits;
    std::vector<ScenarioFacilityChange> facilities;
    int line = 0;
};

/** A demand group's label for the report and the legend ([groups] pop_3_6 = "3–6岁儿童"). */
struct GroupLabel {
    std::string group, label;
    int line = 0;
};

/** [report]: the report's language and the water drawn under its maps. */
struct ScenarioReport {
    /** "zh": Chinese first with English beside it; "en": English first with Chinese beside it. */
    std::string language = "zh";
    /** Water (polygons and/or lines) to draw, resolved; empty = natural=water, waterway=* and
        landuse=reservoir from the network's OpenStreetMap file (none for other networks). */
    std::string water;
    std::string water_layer, water_crs;
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
    /** [[variants]], in order (the plain [[edits]] are not among them: see variants_with_edits). */
    std::vector<ScenarioVariant> variants;
    std::vector<GroupLabel> groups;
    ScenarioReport report;
    double hex_m = 250.0;
    /** [[gtfs]] feeds and the [transit] window, for services with mode = "transit". */
    TransitSpec transit;

    /** The variants a plan evaluates besides today: "road_works" for the plain [[edits]] (when
        there are any), then every [[variants]] table. */
    std::vector<ScenarioVariant> variants_with_edits() const;

    /** Every file the scenario reads (itself included, with a Shapefile's companions .dbf, .shx,
        .prj, .cpg...): a plan never writes over or deletes them. */
    std::vector<std::string> inputs() const;
};

/** Reads and checks a scenario. */
Scenario read_scenario(const std::string& path);

/** A commented example scenario (`lifecircle plan --example`). */
std::string example_scenario();

}  // namespace lifecircle::studies
