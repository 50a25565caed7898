#pragma once
/**
 * The inputs of a study, each read one way for every verb, the plan, Python and QGIS: facility
 * layers (ids, names, capacities, delays, cutoffs, costs, CRS), polygon layers (districts,
 * exclusions, road-work areas, checked with GEOS) and candidate sites (a layer, or auto along the
 * roads near the gaps).
 */

#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/colocated.hpp"
#include "core/layer.hpp"
#include "core/polygon.hpp"
#include "core/snap.hpp"
#include "core/time_table.hpp"
#include "io/network.hpp"
#include "io/points.hpp"
#include "studies/callbacks.hpp"

namespace lifecircle::studies {

/** Where a facility layer comes from and what its fields mean. */
struct FacilitySpec {
    /** A point or polygon layer, CSV with lon/lat or WKT; empty with `osm_kind`. */
    std::string path;
    /** A kind of the `facilities` verb (clinic, kindergarten...) taken from `osm_file`. */
    std::string osm_kind;
    /** The OpenStreetMap file `osm_kind` is taken from (a plan: the network's file). */
    std::string osm_file;
    /** Features given in memory (Python arrays and GeoDataFrames) instead of a file; `path`
        then names them in messages. Read by io::read_points() as a file is. */
    std::shared_ptr<const io::FeatureTable> table;
    /** Layer, CRS and the id, name, capacity, delay, cutoff and cost fields. */
    io::PointReadOptions read;
    /** How messages name this input: "--facilities", "service 'clinics'". */
    std::string label = "--facilities";
    /** Capacity of OSM facilities without a capacity tag when a capacity is asked for. */
    double default_capacity = 0.0;
    /** An empty layer is an InputError (a verb) rather than a set with no facility (a plan). */
    bool required = true;
    /**
     * The WGS 84 box facilities far outside of are refused (a wrong CRS, swapped columns);
     * empty = the network's. A shard checks against the whole network, not its part.
     */
    Box network_lonlat_bounds;
};

/** Facilities read and projected, in input order. */
struct FacilitySet {
    std::string source;  ///< the file (or "osm:<kind>") for messages
    std::vector<std::string> ids;
    std::vector<std::string> names;
    std::vector<Point> lonlat;
    std::vector<Point> xy;  ///< work CRS
    /** Per facility when a capacity field is read (>= 0); empty otherwise. */
    std::vector<double> capacity;
    /** Per facility: time spent before leaving (0 when none). */
    std::vector<Seconds> delay;
    /** Per facility: its own limit (unreachable when none). */
    std::vector<Seconds> cutoff;
    /** Per facility when a cost field is read; empty otherwise. */
    std::vector<double> cost;
    /** Per facility: the outline (work CRS) of a polygon facility read with entrances. */
    std::vector<std::vector<Point>> outline;

    std::size_t size() const { return ids.size(); }
    bool has_capacity() const { return !capacity.empty(); }
};

/**
 * Reads a facility layer (or an OSM kind) and projects it into the network's work CRS. Every
 * asked field must exist (an InputError listing the layer's fields); capacities must be given and
 * >= 0 for every facility, costs too, delays >= 0, cutoffs > 0 (InputError naming the file and
 * the feature). Points far outside the network are an InputError suggesting the CRS option or
 * swapped columns. Notes (e.g. "no 'id' field: numbered by feature") go to `reporter`.
 */
FacilitySet read_facilities(const FacilitySpec& spec, const io::Network& net, const Reporter& reporter);

/** Facilities placed on the network and their search sources. */
struct PlacedFacilities {
    std::vector<Snap> snaps;
    /** By time: start = access walk + delay, each with its own cutoff; unsnapped: no seeds. */
    SourceSet by_time;
    /** By network distance: start = the access walk's metres. */
    SourceSet by_metres;
    /** Per facility: its delay (the start of a resident in the same building). */
    std::vector<Seconds> delay;
    /** Per facility: its own cutoff. */
    std::vector<Seconds> cutoff;
    std::size_t placed = 0;
};

/**
 * Snaps the facilities and makes their sources. With `include` (one flag per facility), only the
 * included ones are snapped; the others are left unsnapped (SnapFailure::too_far, no seeds), so
 * indexes stay those of the whole set (a shard places the facilities within its part).
 */
PlacedFacilities place_facilities(const FacilitySet& facilities, const Snapper& snapper,
                                  std::span<const std::uint8_t> include = {});
/** The same for bare points (candidate sites): no delay, no own cutoff. */
PlacedFacilities place_points(std::span<const Point> xy, const Snapper& snapper);
/** Appends `more` after `base` (existing facilities and chosen sites together). */
PlacedFacilities combined(const PlacedFacilities& base, const PlacedFacilities& more,
                          std::span<const std::uint32_t> chosen);

/** Warns (through `reporter`) about every unsnapped point: at most 20 lines, then a count. */
void report_unsnapped(const std::string& what, std::span<const std::string> ids, std::span<const Snap> snaps,
                      const Reporter& reporter);

/** Where a polygon layer comes from. */
struct PolygonSpec {
    std::string path;
    /** Polygons given in memory instead of a file; `path` then names them in messages. */
    std::shared_ptr<const io::FeatureTable> table;
    io::PointReadOptions read;  ///< layer, CRS, name field
    std::string label = "--districts";
};

/** Polygons read into the work CRS, each valid (repaired ones are named in a note). */
struct PolygonSet {
    std::vector<MultiPolygonXY> polygons;
    std::vector<std::string> names;  ///< the name field, or the id
    std::vector<std::string> ids;
};

/**
 * Reads a polygon layer. A point feature is an InputError saying `why_polygons`; an invalid
 * polygon (a bow-tie, a ring crossing itself) is repaired with GEOS's MakeValid and named in a
 * note; one that is empty after the repair is an InputError naming the feature.
 */
PolygonSet read_polygon_layer(const PolygonSpec& spec, const io::Network& net, const std::string& why_polygons,
                              const Reporter& reporter);

/** The polygon as GEOS finds it valid: unchanged when it is, else repaired with MakeValid
    (`repaired` set; an empty result when nothing with area is left). */
MultiPolygonXY made_valid(const MultiPolygonXY& polygon, bool* repaired = nullptr);

/** How far (straight line, metres) `seconds` of travel in `mode` can reach: the walking speed
    for walk, 4.5 m/s for bike, 14 m/s for drive. Auto candidates are placed within it of the
    gaps. */
double straight_reach_m(Mode mode, double walk_speed_kmh, double seconds);

/** Candidate points every `spacing` metres along the roads within `radius` metres (straight
    line) of an uncovered demand point, at most one per spacing x spacing grid cell. */
std::vector<Point> auto_candidates(const RoadGraph& graph, std::span<const Point> uncovered, double radius,
                                   double spacing);

/** The facilities of one kind in an OpenStreetMap file as a point layer (`lifecircle
    facilities`): id, osm_type, osm_id, name, name_zh, kind, capacity (the raw tag), matched_tag;
    WGS 84. */
Layer osm_facilities_layer(const std::string& osm_file, const std::string& kind, const std::string& name);

/**
 * Whether points read as WGS 84 inside China lie off the roads in a way Chinese map coordinates
 * would explain: GCJ-02 (Amap/Gaode, Tencent) or BD-09 (Baidu) read as WGS 84 put every point
 * 300-700 m off, on the wrong side of streets and into blocks. The median distance to the nearest road is measured as read and as if
 * converted from GCJ-02 and from BD-09; when a conversion brings the points at least twice as
 * close (and 15 m closer), with at least five points in China, the hint says so and names the setting: `setting` with "{crs}" in
 * place of gcj02 or bd09 (e.g. "--facilities-crs {crs}"). "" when there is nothing to say.
 */
std::string chinese_offset_hint(std::span<const Point> lonlat, const io::Network& net, const std::string& what,
                                const std::string& setting);

/** The words for a list: "a, b, c" and " ..." after `max` items. */
std::string list_text(std::span<const std::string> items, std::size_t max = 10);

}  // namespace lifecircle::studies
