#pragma once
/**
 * Service areas (isochrones) around facilities as output layers: one bounded search per
 * facility (or one multi-source search for dissolved and split areas), the reached road
 * pieces, and polygons built from them with GEOS.
 */

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/graph.hpp"
#include "core/snap.hpp"
#include "core/layer.hpp"
#include "core/reach.hpp"
#include "maps/service_area.hpp"

namespace lifecircle::maps {

/** One way into the network from a facility: a door (or the facility point) and its snap. */
struct FacilityAccess {
    Point door;  ///< work CRS
    Snap snap;   ///< must be ok()
};

/** A facility placed on the network. */
struct IsochroneFacility {
    std::string id;
    std::string name;
    std::vector<FacilityAccess> accesses;  ///< at least one: the point, or a campus's entrances
    Seconds delay = 0.0;           ///< time before leaving (waiting, readiness)
    Seconds cutoff = unreachable;  ///< its own largest break (--cutoff-field); unreachable = none
};

/** How areas of several facilities and breaks are shaped. */
enum class IsochroneShape {
    nested,    ///< per facility, one area per break, 5 inside 10 inside 15
    rings,     ///< per facility, the bands 0-5, 5-10, 10-15
    dissolve,  ///< one area per break for all facilities together
    split      ///< per facility and break, each place to the facility that reaches it first
};

/** What to compute. */
struct IsochroneOptions {
    std::vector<Seconds> breaks;   ///< ascending, > 0
    IsochroneShape shape = IsochroneShape::nested;
    AreaOptions area;
    std::string mode_name = "walk";
    bool lines = false;            ///< also make the layer of reached road pieces
    unsigned threads = 0;          ///< 0 = all cores
    std::function<void(std::size_t, std::size_t)> progress;
    /** Polled between facilities and breaks; true stops the work with Cancelled. */
    std::function<bool()> cancelled;
    /**
     * Where the roads a facility reaches come from when not from a walk, drive or ride search
     * of `profile`: `reach(facility, max_time)` gives facility i's reached pieces (public
     * transport: pieces_from_node_times over the times a timetable gives). Called from several
     * threads at once. Empty: one bounded search per facility (or one for all).
     */
    std::function<std::vector<ReachedPiece>(std::size_t, Seconds)> reach;
};

/** The layers made: areas, and reached roads when asked. */
struct IsochroneLayers {
    Layer areas;
    Layer lines;
    /**
     * Split: indices of facilities with no area at any break, because other facilities reach
     * every place near their roads first (two facilities at one place: the later one in input
     * order). Each facility whose area is empty only at some breaks is not listed.
     */
    std::vector<std::size_t> without_split_area;
};

/** The breaks that apply to a facility: those below its own cutoff, then the cutoff itself. */
std::vector<Seconds> facility_breaks(std::span<const Seconds> breaks, Seconds cutoff);

/** Computes the isochrone layers; deterministic whatever the thread count. */
IsochroneLayers isochrone_layers(const RoadGraph& graph, ProfileId profile,
                                 std::span<const IsochroneFacility> facilities, const IsochroneOptions& options);

}  // namespace lifecircle::maps
