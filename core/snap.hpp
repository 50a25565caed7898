#pragma once
/**
 * Snapping: a point goes to the nearest position *along* the nearest usable road (not the
 * nearest node). The leg between the point and the road is walked at walking speed. Points
 * too far from any road, or only near a small island, are reported as unsnapped.
 */

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/graph.hpp"
#include "core/search.hpp"

namespace lifecircle {

/** Options of the snapper. */
struct SnapOptions {
    /** Points farther than this from every usable road are unsnapped (--max-snap). */
    Meters max_distance = 500.0;
    /** Components with less road than this are islands that points do not snap to. */
    Meters min_component_m = 1000.0;
    /** Snap onto islands too (--snap-to-islands). The largest component is never an island. */
    bool allow_islands = false;
    /**
     * The largest component is never an island, however little road it holds (a small
     * network). A shard of a sharded run turns this off: its largest component is only the
     * largest of its part, and an island of the whole network must stay one there.
     */
    bool largest_never_island = true;
};

/** Why a point did not snap. */
enum class SnapFailure : std::uint8_t { none, too_far, only_islands, not_finite };
/** A short English reason for a failure. */
std::string_view snap_failure_text(SnapFailure failure);

/** Where a point went on the network. */
struct Snap {
    EdgePosition position;
    Point on_road;                   ///< the point on the road geometry
    Meters distance = 0.0;           ///< straight walk from the point to the road
    Seconds access_seconds = 0.0;    ///< that walk at the profile's access walking speed
    SnapFailure failure = SnapFailure::none;
    bool ok() const { return failure == SnapFailure::none; }
};

/** Finds the nearest road positions for points; thread-safe for concurrent snap() calls. */
class Snapper {
public:
    /** Indexes every edge that `profile` may use in at least one direction. */
    Snapper(const RoadGraph& graph, ProfileId profile, SnapOptions options);
    ~Snapper();
    Snapper(Snapper&&) noexcept;
    Snapper& operator=(Snapper&&) noexcept;

    /** Snaps one point. */
    Snap snap(Point p) const;
    /** Snaps many points in parallel, results in input order. */
    std::vector<Snap> snap_all(std::span<const Point> points) const;
    /** A seed for a search starting at a snapped point (start = access walk + delay). */
    static Seed seed(const Snap& s, std::uint32_t origin, Seconds delay = 0.0) {
        return Seed{s.position, s.access_seconds + delay, origin};
    }

private:
    struct Index;
    const RoadGraph* m_graph;
    ProfileId m_profile;
    SnapOptions m_options;
    std::unique_ptr<Index> m_index;
};

}  // namespace lifecircle
