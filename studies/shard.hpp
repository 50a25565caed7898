#pragma once
/**
 * Sharded service studies: a province cut into N shards that run the same study on less data,
 * one process each (a Slurm array task, or a local child process), merged exactly
 * (studies/merge.hpp).
 *
 * A shard differs from the whole run only in what it reads and what it owns. The plan
 * (plan_shards) reads the road network once and stores it in parts (studies/network_parts.hpp),
 * fixes the work CRS for every shard (the UTM zone of the whole network's centre, with the same
 * projection), and divides the demand features among the shards by their representative point
 * (`tiles`: rectangles of the work CRS cut so each holds about as many features; `districts`:
 * whole districts together). Each shard then owns its features' residents and the facilities in
 * its rectangle, and reads:
 *  - the roads within a halo around them: every road whose box meets the core box (its features
 *    and facilities) grown by H + 2 x max snap + island road (so snapping and islands are those of
 *    the whole network), with H = reach + max snap, reach = v x the standard's time or its metres;
 *  - its own residents (GDAL's spatial filter, then the features it owns), every facility (placed
 *    when within its roads' region) and every district.
 * v is the fastest the profile moves anywhere in the network: the largest speed of any road it
 * may use (class speeds, maxspeed, the drive factor, speed factors), times 1.19 when walking
 * follows a DEM's slope (Tobler's function at its optimum, 5% downhill), and the access walk.
 * A path of t seconds stays within v x t metres of where it starts, so for a resident of the
 * core every route of at most T_safe = (H - max snap) / v seconds lies in the shard's roads and
 * ends at a facility the shard placed exactly as the whole run did: times up to T_safe are the
 * whole run's, bit for bit.
 *
 * Minutes beyond the standard count too (mean minutes, Gini, the demand layer's minutes to the
 * nearest facility), so a shard checks every answer it gives: a resident's time (and metres)
 * is final when it is at most T_safe, or when its road component lies wholly inside the shard's
 * roads (no node beyond them: that component is the whole network's), or when it is unreachable
 * and every facility's own cutoff is within T_safe. Otherwise the shard reads its part again with
 * a halo that covers the longest time it found (doubling for residents no facility reached) and
 * runs again; at the whole network's extent every answer is final.
 */

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/demand.hpp"
#include "planners/coverage.hpp"
#include "studies/area.hpp"
#include "studies/callbacks.hpp"
#include "studies/inputs.hpp"
#include "studies/service.hpp"
#include "studies/shard_io.hpp"

namespace lifecircle::studies {

/** How the demand is divided among shards. */
enum class ShardBy {
    tiles,     ///< rectangles of the work CRS holding about as many demand features each
    districts  ///< whole districts together; features outside every district by rectangles
};
/** "tiles" or "districts". */
std::string_view shard_by_name(ShardBy by);
/** Parses "tiles" or "districts"; UsageError naming `option` otherwise. */
ShardBy parse_shard_by(const std::string& text, const std::string& option);

/** A suggestion's candidate sites, as every shard tabulates them: the pairs of its residents with
    each site, as run_suggestion() makes its candidate table. */
struct SiteTableSpec {
    FacilitySpec sites;
    /** The longest pair kept (s): -1 = the standard; p-median: its table bound. */
    Seconds bound = -1.0;
    /** Pairs within the standard's metres too (not in a p-median's table). */
    bool apply_metres = true;
    /** Also a site at every existing facility's place, after the layer's (expansions). */
    bool with_facilities = false;
};

/** What a sharded run asks for. */
struct ShardOptions {
    /** The verb the shards and the merge run ("coverage", "suggest"). */
    std::string verb = "coverage";
    std::size_t shards = 2;
    ShardBy by = ShardBy::tiles;
    /** Side of the cells the network parts are stored in (m). */
    double parts_cell_m = 2000.0;
    /** Further input files the plan stamps (a standards file). */
    std::vector<std::string> extra_inputs;
    /** A suggestion's candidate sites: each goes to the shard it lies in (its placement is that
        shard's), and every shard tabulates the pairs of its residents with all of them (the first
        halo then also covers the table's bound). */
    std::optional<SiteTableSpec> sites;
    /** Further studies of the same residents (a scenario's other services and variants): their
        facilities and sites (read into the plan's work CRS) go to the shards they lie in too, and
        the first halo covers the longest reach. */
    std::function<std::vector<Point>(const io::Network& frame, const Box& lonlat_bounds)> more_points;
    Seconds longest_seconds = 0.0;
    double longest_metres = 0.0;
};

/** A study's facilities read on a shard's network (a scenario's variant: its own, some closed,
    some added), points far outside `lonlat_bounds` (the whole network's) refused as the whole run
    refuses them; without it, the ServiceOptions' facilities are read. */
using FacilityProvider =
    std::function<FacilitySet(const io::Network& net, const Box& lonlat_bounds, const Reporter& reporter)>;

/** One shard of a plan. */
struct ShardSpec {
    /** The rectangle it owns (min <= x < max, min <= y < max; infinite at the outside). */
    Box tile;
    /** Every demand feature and facility it owns, whole (work CRS). */
    Box core;
    std::size_t features = 0;    ///< demand features it owns
    std::size_t facilities = 0;  ///< facilities it owns
    std::size_t sites = 0;       ///< candidate sites it owns
};

/** The plan of a sharded service study (the run folder's manifest.json). */
struct ShardPlan {
    static constexpr int version = 2;
    /** The verb and its arguments, without the sharding options (--shards, --jobs, ...). */
    std::string verb = "coverage";
    std::vector<std::string> args;
    /** The folder relative paths in `args` start from. */
    std::string cwd;
    ShardBy by = ShardBy::tiles;
    std::vector<ShardSpec> shards;
    /** districts: per district, the shard owning the features inside it. */
    std::vector<std::uint32_t> district_shard;
    /** The network parts file, relative to the run folder, and its hash. */
    std::string parts_file = "network.parts";
    std::uint64_t parts_hash = 0;
    std::string work_crs;
    std::string projection;
    std::string projection_source;
    /** Every road, work CRS. */
    Box extent;
    /** The network's WGS 84 box (facilities far outside it are refused, as in the whole run). */
    Box lonlat_bounds;
    /** The fastest the profile moves anywhere (m/s): see the file comment. */
    double fastest_mps = 0.0;
    /** The first halo H (m) and what goes around it. */
    double halo_m = 0.0;
    double snap_m = 0.0;
    double island_m = 0.0;
    /** Counts of the whole inputs. */
    std::size_t features = 0;
    std::size_t facilities = 0;
    std::size_t districts = 0;
    /** A suggestion's candidate sites: their count (ShardOptions::sites). */
    bool has_sites = false;
    std::size_t sites = 0;
    /** Every input file as it was when planned. */
    std::vector<FileStamp> inputs;
    /** Of everything above: shards and the merge refuse results of another plan. */
    std::uint64_t hash = 0;

    /** The shard owning a point (work CRS) inside the districts `in` (ascending; may be empty). */
    std::size_t owner(Point xy, std::span<const std::uint32_t> in) const;
    /** The halo margins: 2 x max snap + island road. */
    double margin_m() const { return 2.0 * snap_m + island_m; }
};

/** The plan as JSON (with its hash) and back; InputError naming `where` for a bad manifest. */
nlohmann::ordered_json plan_json(const ShardPlan& plan);
ShardPlan plan_from_json(const std::string& text, const std::string& where);
/** The hash of a plan's content (everything but `hash`). */
std::uint64_t plan_hash(const ShardPlan& plan);

/**
 * Plans a sharded service study: reads the network once and writes its parts through
 * `parts_sink`, reads the demand's features (ids, FIDs, representative points, boxes), the
 * facilities and the districts, and divides them among `options.shards` shards. The demand must
 * be a point or polygon layer whose FIDs follow its order (every GDAL format but GeoJSON with its
 * own ids keeps them so); a raster, buildings, road works and service areas are refused
 * (UsageError saying what to do), as is a shard that would own no feature. `args` and `cwd` are
 * stored for the shards and the merge.
 */
ShardPlan plan_shards(const AreaSpec& spec, const ServiceOptions& options, const ShardOptions& shard_options,
                      std::vector<std::string> args, std::string cwd,
                      const std::function<void(std::string_view)>& parts_sink, const Reporter& reporter);

/** What one shard hands to the merge: its residents, their answers and its pairs. */
struct ShardResult {
    std::uint64_t plan_hash = 0;
    std::size_t index = 0;
    std::size_t count = 0;
    /** The halo it ended with, and how often it read its part. */
    double halo_m = 0.0;
    std::size_t reads = 0;
    /** The features it owns and their demand points (FIDs, ids, weights, attributes). */
    io::DemandSet demand;
    /** Per demand point: why it did not snap (SnapFailure; 0 = it did). */
    std::vector<std::uint8_t> snap_failure;
    /** Per demand point; facility indexes are those of the whole facility set. */
    planners::CoverageResult coverage;
    /** Per demand point: the districts containing it, ascending. */
    std::vector<std::vector<std::uint32_t>> point_districts;
    /** Capacity runs: rows = every facility, columns = this shard's demand points. */
    std::optional<TimeTable> pairs;
    /** Every facility, as read. */
    FacilitySet facilities;
    /** Per facility: owned by this shard (its placement is the whole run's). */
    std::vector<std::uint8_t> owns_facility;
    /** Per facility: where it snapped (meaningful for the owned ones). */
    std::vector<Snap> facility_snaps;
    /** Every district, as read. */
    PolygonSet districts;
    /** A suggestion's candidate sites (ShardOptions::sites): every one as read, which this shard
        owns, where it snapped (meaningful for the owned ones), and the pairs of them with this
        shard's residents within the standard (rows = every site), as pairs_within() gives them.
        `pairs` above then holds the existing facilities' pairs, with capacities or without. */
    struct Sites {
        FacilitySet set;
        std::vector<std::uint8_t> owns;
        std::vector<Snap> snaps;
        TimeTable pairs;
    };
    std::optional<Sites> sites;
};

/**
 * Runs shard `index` of `plan`: the same study calls as the whole run (load_area,
 * read_facilities, place_facilities, service_searches) on its part, checked and read again with
 * a larger halo until every answer is final (see the file comment). `spec` and `options` are
 * the whole run's (the shard sets what it reads); `parts_path` is the plan's network parts
 * file; `sites` the candidate sites when the plan has them. InputError names the shard for
 * inputs that changed since the plan.
 */
ShardResult run_shard(const ShardPlan& plan, const std::string& parts_path, std::size_t index, const AreaSpec& spec,
                      const ServiceOptions& options, const Reporter& reporter, const SiteTableSpec* sites = nullptr,
                      const FacilityProvider& facilities = {});

/** A shard result as bytes (with its plan's hash and a checksum) and back; InputError naming
    `where` when the bytes are damaged or not a shard result. */
std::string shard_result_bytes(const ShardResult& result);
ShardResult shard_result_from_bytes(std::string_view bytes, const std::string& where);

/** "shard-3-of-16.bin" */
std::string shard_file_name(std::size_t index, std::size_t count);

/** Checks that `spec`'s input files are those the plan read (size and modification time);
    InputError naming the file and saying to plan again otherwise. */
void check_plan_inputs(const ShardPlan& plan);

/** The input files of a study, for the plan's stamps: network, DEM, demand, facilities,
    districts, standards file and candidate sites (the ones given). */
std::vector<std::string> study_inputs(const AreaSpec& spec, const ServiceOptions& options,
                                      const std::string& standards_file, const std::string& sites = {});

/** A network without a graph in the plan's work CRS, for reading inputs into it. */
io::Network plan_frame(const ShardPlan& plan);

}  // namespace lifecircle::studies
