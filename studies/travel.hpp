#pragma once
/**
 * Travel between point layers and service areas, as studies: `lifecircle matrix` and
 * `lifecircle isochrones`, Python's `Network.matrix` and `Network.isochrones`, QGIS's
 * `lifecircle:matrix` and `lifecircle:serviceareas`.
 */

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/layer.hpp"
#include "core/time_table.hpp"
#include "maps/isochrones.hpp"
#include "studies/area.hpp"
#include "studies/callbacks.hpp"
#include "studies/inputs.hpp"
#include "studies/transit.hpp"

namespace lifecircle::studies {

/** A network loaded for one profile, with its snapper (no demand). */
struct LoadedNetwork {
    LoadedNetwork() = default;
    LoadedNetwork(const LoadedNetwork&) = delete;
    LoadedNetwork& operator=(const LoadedNetwork&) = delete;
    io::Network net;
    ProfileSettings profile;
    std::unique_ptr<Snapper> snapper;
    ProfileId time() const { return net.graph.profile_id(profile.mode); }
};

/** Loads the network for `profile` (held by pointer: its snapper points at its graph, which
    must never move) (notes to `reporter`); `with_length` also builds its length
    twin, so that the network can later be handed to load_area(). */
std::unique_ptr<LoadedNetwork> load_network(const NetworkSpec& spec, const ProfileSettings& profile, const Reporter& reporter,
                           bool with_length = false);

/** Origins, targets and a limit. */
struct MatrixOptions {
    FacilitySpec from, to;
    /** Set: by public transport (times: the judged percentile over the departures). */
    std::shared_ptr<const TransitData> transit;
    /** Pairs beyond this are left out; unreachable = every reachable pair. */
    Seconds cutoff = unreachable;
    unsigned threads = 0;
};

/** Travel times between two point layers. */
struct MatrixResult {
    FacilitySet from, to;
    std::vector<Snap> from_snaps, to_snaps;
    /** Rows = origins, columns = targets, total seconds (access walks included; a pair at the
        very same place is 0). */
    TimeTable table;
};

/** Reads both layers, snaps them and computes the table. */
MatrixResult run_matrix(const LoadedNetwork& network, const MatrixOptions& options, const Reporter& reporter);

/** AreaOptions with the raster method. */
inline maps::AreaOptions raster_areas() {
    maps::AreaOptions a;
    a.method = maps::AreaMethod::raster;
    return a;
}

/**
 * Refuses (UsageError naming the options that would fit) a raster trace whose grid would hold
 * more than 5e8 cells (about 2 GB): the reach of the longest break at `speed_mps` around every
 * facility, within the network's extent, in cells of buffer/10.
 */
void check_area_size(const RoadGraph& graph, const maps::AreaOptions& area, std::size_t facilities,
                     Seconds longest_break, double speed_mps);

/** The table as CSV `from_id,to_id,minutes` (three decimals, RFC 4180 quoting), handed to
    `sink` a piece at a time (a matrix may have millions of lines). */
void write_matrix_csv(const MatrixResult& result, const std::function<void(std::string_view)>& sink);

/** The table as a layer without geometry (minutes rounded as in the CSV, so both agree). */
Layer matrix_layer(const MatrixResult& result, const std::string& name);

/** Service areas around facilities. */
struct IsochroneStudyOptions {
    FacilitySpec facilities;
    /** Breaks in minutes, ascending. */
    std::vector<double> minutes{5, 10, 15};
    maps::IsochroneShape shape = maps::IsochroneShape::nested;
    /** Method and buffer; the raster method is the default of every study (within a cell of the
        network method, 20-30 times faster). */
    maps::AreaOptions area = raster_areas();
    /** Polygon facilities: start from every boundary point within this distance of a road
        (0 = from the representative point). */
    double entrance_max_m = 0.0;
    bool lines = false;  ///< also the reached road pieces
    unsigned threads = 0;
    /** Set: by public transport, drawn outward from each facility over the timetable. */
    std::shared_ptr<const TransitData> transit;
};

/** The areas and what the user should know. */
struct IsochroneStudyResult {
    FacilitySet facilities;
    maps::IsochroneLayers layers;
    std::size_t placed = 0;
};

/**
 * Reads and places the facilities (warning about unsnapped ones, facilities whose walk to the
 * road already takes longer than a break, and facilities left without a split area) and draws
 * their areas.
 */
IsochroneStudyResult run_isochrones(const LoadedNetwork& network, const IsochroneStudyOptions& options,
                                    const Reporter& reporter);

}  // namespace lifecircle::studies
