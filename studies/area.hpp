#pragma once
/**
 * A study area: a road network loaded for one travel profile, the residents read and placed on
 * it, and the districts they live in. Every service study of that profile shares one area (the
 * plan keeps one per mode, walking speed and variant of the road works).
 */

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/snap.hpp"
#include "io/demand.hpp"
#include "io/network.hpp"
#include "studies/callbacks.hpp"
#include "studies/inputs.hpp"

namespace lifecircle::studies {

/** Where the road network comes from and how it is read and snapped to. */
struct NetworkSpec {
    std::string path;
    /** CRS, layer and field options, what-if edits; the profiles are set by the study. */
    io::NetworkOptions read;
    SnapOptions snap;
    /**
     * How the roads are read (given the options with the study's profiles); empty =
     * io::read_roads(path, options). A shard of a sharded run reads its part of the plan's
     * network parts (studies/network_parts.hpp) instead: the same roads, fewer of them.
     */
    std::function<io::RawRoads(const io::NetworkOptions&)> read_roads;
};

/** Where the residents come from. */
struct DemandSpec {
    /** A point/polygon layer, CSV or population raster; empty with `buildings`. */
    std::string path;
    /** Points or polygons given in memory (Python) instead of a file; `path` then names them in
        messages. Read by io::read_demand() as a vector layer is. */
    std::shared_ptr<const io::FeatureTable> table;
    /** Building footprints to estimate residents from (an OSM file or a GDAL polygon layer). */
    std::string buildings;
    /** Layer, id field, weight fields (groups), CRS, spread spacing, band; for `buildings`,
        read.building_options (storeys, floor area per person, residential share, age shares). */
    io::DemandReadOptions read;
    /** How a hint names the setting of the demand's CRS, "{crs}" standing for gcj02 or bd09
        (a plan: crs = "{crs}" in [demand]). */
    std::string crs_setting = "--demand-crs {crs}";
};

/** Everything an area is made from. */
struct AreaSpec {
    NetworkSpec network;
    DemandSpec demand;
    /** District polygons (街道, 社区) to report per district; empty path = none. */
    PolygonSpec districts;
    /** Worker threads (0 = all cores). */
    unsigned threads = 0;
    /**
     * A shard's part of an area: its demand may hold no resident, or none on its roads, without
     * an error (the merge of the shards checks the whole), and district notes are left to the
     * merge.
     */
    bool part = false;
};

/** Which demand points lie in which district. */
struct DistrictMembership {
    std::vector<std::vector<std::uint32_t>> members;  ///< per district
    std::vector<std::uint32_t> outside;               ///< in no district
    std::size_t overlap_points = 0;                   ///< points in two or more districts
    std::vector<double> overlap_weight;               ///< per group
};

/** A network for one profile with its residents and districts. */
struct StudyArea {
    io::Network net;
    ProfileSettings profile;
    io::DemandSet demand;
    std::unique_ptr<Snapper> snapper;
    std::vector<Snap> demand_snaps;
    PolygonSet districts;
    DistrictMembership membership;
    unsigned threads = 0;

    /** The time profile searched in `direction`. */
    ProfileId time(Direction direction) const { return net.graph.profile_id(profile.mode, direction); }
    /** Its length twin (network metres). */
    ProfileId length(Direction direction) const {
        return net.graph.profile_id(profile.mode, direction, Metric::length);
    }
    /** The index of a demand group; InputError listing the groups when it is not one. */
    std::size_t group_index(const std::string& group, const std::string& who) const;
};

/**
 * Loads the network with `profile` (and its length twin), reads the demand (a layer or
 * buildings) and places it, and reads the districts unless `districts` (read for another area
 * of the same work CRS) is given. Notes go to `reporter`. Throws InputError for a demand with
 * no residents or none on the network.
 */
std::unique_ptr<StudyArea> load_area(const AreaSpec& spec, const ProfileSettings& profile, const Reporter& reporter,
                                     const PolygonSet* districts = nullptr);

/**
 * The same on a network already loaded with `profile` and its length twin (studies::load_network
 * with `with_length`): front ends that keep one network for several studies (Python's Network)
 * read only the demand and districts. `spec.network` still names the network and gives the
 * snapping options.
 */
std::unique_ptr<StudyArea> load_area(const AreaSpec& spec, io::Network net, const ProfileSettings& profile,
                                     const Reporter& reporter, const PolygonSet* districts = nullptr);

/** "0_6=0.06,60plus=0.19" as the groups pop_0_6 and pop_60plus; UsageError naming `option`. */
std::vector<io::AgeShare> parse_age_shares(const std::string& text, const std::string& option);

/** Warns (through `reporter`) about districts sharing a name and residents in two districts at
    once (they count in each); `path` names the districts file. */
void report_districts(const StudyArea& area, const std::string& path, const Reporter& reporter);

/** The membership of every demand point in `districts`. */
DistrictMembership district_membership(const PolygonSet& districts, const io::DemandSet& demand);

}  // namespace lifecircle::studies
