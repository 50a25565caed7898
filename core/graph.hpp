#pragma once
/**
 * The immutable road graph: flat CSR arrays with one travel-time array per profile, the road
 * geometry of every edge, and connected components. Built once by build_graph() from a
 * RawNetwork that a reader (io/) fills.
 */

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/profile.hpp"
#include "core/types.hpp"

namespace lifecircle {

/** One piece of road between two junctions, as a reader delivers it. Its geometry lives in
    RawNetwork's flat shape arrays (one allocation for all edges, moved into the graph). */
struct RawEdge {
    std::uint32_t from = 0;  ///< index into RawNetwork::nodes
    std::uint32_t to = 0;    ///< index into RawNetwork::nodes
    EdgeAttributes attributes;
    std::uint32_t name = 0;    ///< index into RawNetwork::names (0 = unnamed "")
    std::uint32_t source = 0;  ///< index of the source object (way, feature) for messages
};

/** A road network as read from a file, in a metric work CRS, before the graph is built. */
struct RawNetwork {
    std::vector<Point> nodes;
    std::vector<RawEdge> edges;
    std::vector<std::uint32_t> shape_first{0};  ///< edges.size()+1 offsets into shape_points
    std::vector<Point> shape_points;  ///< each edge's geometry, from `from` to `to` inclusive
    std::vector<std::string> names{""};

    /** Appends an edge with its geometry (in the work CRS, from `from` to `to` inclusive). */
    void add_edge(const RawEdge& edge, std::span<const Point> shape);
    /** The geometry of edge i. */
    std::span<const Point> shape(std::size_t i) const {
        return {shape_points.data() + shape_first[i], shape_first[i + 1] - shape_first[i]};
    }
    /** The geometry of an edge of this network (`edge` must be an element of `edges`). */
    std::span<const Point> shape(const RawEdge& edge) const {
        return shape(static_cast<std::size_t>(&edge - edges.data()));
    }
};

/**
 * Ground elevation for slope-aware walking, in the work CRS. io/elevation.hpp samples a DEM;
 * tests use planes and cones. A coarse plug point: build_graph() calls it once per edge.
 */
class ElevationSampler {
public:
    virtual ~ElevationSampler() = default;
    /**
     * Fills z[i] with the ground elevation in metres at xy[i] (work CRS), or NaN where it is
     * unknown (a nodata cell, outside the DEM). z.size() == xy.size(). Called from several
     * threads at once: implementations must be thread-safe.
     */
    virtual void sample(std::span<const Point> xy, std::span<double> z) const = 0;
};

/** What slope-aware walking did while a graph was built (all zero without elevation). */
struct ElevationSummary {
    /** Some profile's walking times follow the slope. */
    bool applied = false;
    /** Edges whose walking times follow the slope. */
    std::size_t edges = 0;
    /** Pieces of at most slope_piece_m those edges were cut into (one per bridge or tunnel). */
    std::size_t pieces = 0;
    /** Edges on bridges or in tunnels: a straight line between their end elevations. */
    std::size_t bridge_tunnel_edges = 0;
    /** Pieces with an end where the ground elevation is unknown (a nodata cell or outside the
        DEM): that end's elevation was interpolated along the edge between the nearest samples
        with data, or taken from the one end with data. */
    std::size_t fallback_pieces = 0;
    /** Edges with no elevation at all (every sample unknown): walked as flat. */
    std::size_t flat_edges = 0;
};

/** Which way a search runs over the arcs. */
enum class Direction : std::uint8_t {
    forward,   ///< times from the seeds (an ambulance or a meal delivery leaving a facility)
    backward,  ///< times to the seeds (residents travelling to a clinic along one-way streets)
};

/**
 * One travel profile of one graph, and the direction searches made with it run in. A strong
 * type, so that a bare index cannot be passed for it; a SearchWorkspace remembers the profile
 * of its last search, so a time cannot be read back with another profile's arc weights.
 */
class ProfileId {
public:
    constexpr ProfileId() = default;
    constexpr explicit ProfileId(std::uint8_t index, Direction direction = Direction::forward)
        : m_index(index), m_direction(direction) {}
    /** Index into RoadGraph::profiles. */
    constexpr std::size_t index() const { return m_index; }
    constexpr Direction direction() const { return m_direction; }
    /** The same profile searched the other way. */
    constexpr ProfileId reversed() const {
        return ProfileId(
            m_index, m_direction == Direction::forward ? Direction::backward : Direction::forward);
    }
    /** The same profile, searched forward. */
    constexpr ProfileId forward() const { return ProfileId(m_index); }
    friend constexpr bool operator==(ProfileId, ProfileId) = default;

private:
    std::uint8_t m_index = 0;
    Direction m_direction = Direction::forward;
};

/** Per-profile data: arc weights and connected components. */
struct ProfileData {
    ProfileSettings settings;
    std::vector<float> arc_seconds;  ///< per arc; forbidden_arc where the mode may not go
    /** Per arc a = u->v: the time of the twin arc v->u. A backward search relaxes out-arcs with
        these, so its labels are times *to* the seeds on one-way streets. */
    std::vector<float> arc_seconds_reversed;
    std::vector<std::uint32_t> node_component;  ///< per node; invalid_index if no usable arc
    std::vector<std::uint32_t> component_size;  ///< nodes per component, largest first
    std::vector<double> component_road_m;       ///< metres of usable road per component
};

/**
 * Immutable CSR road graph. Every edge e (from u to v) has a forward arc u->v and a backward
 * arc v->u; an arc a mode may not use carries forbidden_arc for that profile. Node ids are in
 * a space-filling-curve order so that searches touch memory close together.
 */
class RoadGraph {
public:
    // --- nodes and arcs (CSR) ---
    std::vector<Point> node_xy;
    std::vector<ArcId> first_out;  ///< node_count()+1 entries
    std::vector<NodeId> head;      ///< per arc
    std::vector<EdgeId> arc_edge;  ///< per arc: the road edge it runs along

    // --- edges ---
    std::vector<NodeId> edge_from;
    std::vector<NodeId> edge_to;
    std::vector<ArcId> edge_forward_arc;   ///< from -> to
    std::vector<ArcId> edge_backward_arc;  ///< to -> from
    std::vector<double> edge_length_m;
    std::vector<std::uint32_t> edge_shape_first;  ///< edge_count()+1 offsets into shape_points
    std::vector<Point> shape_points;              ///< each edge's geometry, from `from` to `to`
    std::vector<RoadClass> edge_class;
    std::vector<std::uint32_t> edge_name;    ///< index into names
    std::vector<std::uint32_t> edge_source;  ///< source object index (see RawEdge::source)
    std::vector<std::string> names;

    // --- profiles ---
    std::vector<ProfileData> profiles;
    /** How walking times followed the slope (BuildOptions::elevation). */
    ElevationSummary elevation;

    std::size_t node_count() const { return node_xy.size(); }
    std::size_t arc_count() const { return head.size(); }
    std::size_t edge_count() const { return edge_from.size(); }

    /** The profile of that mode and metric, searched in `direction`; throws if the graph lacks it. */
    ProfileId profile_id(Mode mode, Direction direction = Direction::forward, Metric metric = Metric::time) const;
    /** The data of a profile (either direction). */
    const ProfileData& profile(ProfileId p) const { return profiles[p.index()]; }
    /** Arc weights a search in the profile's direction relaxes out-arcs with. */
    const float* arc_weights(ProfileId p) const {
        const ProfileData& d = profiles[p.index()];
        return p.direction() == Direction::forward ? d.arc_seconds.data()
                                                   : d.arc_seconds_reversed.data();
    }
    /** Whether the arc runs from the edge's `from` node to its `to` node. */
    bool arc_is_forward(ArcId arc) const { return edge_forward_arc[arc_edge[arc]] == arc; }
    /** Number of shape points of an edge (at least two). */
    std::uint32_t shape_size(EdgeId e) const {
        return edge_shape_first[e + 1] - edge_shape_first[e];
    }
    const Point* shape_begin(EdgeId e) const { return shape_points.data() + edge_shape_first[e]; }
    /** The point at `offset` metres along the edge's geometry (clamped to the edge). */
    Point point_along(EdgeId e, Meters offset) const;
    /** The part of the edge's geometry between two offsets (from <= to), endpoints included. */
    std::vector<Point> sub_shape(EdgeId e, Meters from, Meters to) const;
    /** Bounding box of all nodes and shape points. */
    Box bounds() const;

    /** Checks the CSR and edge invariants; throws std::logic_error naming the first broken one. */
    void validate() const;
};

/** How to build a graph. */
struct BuildOptions {
    std::vector<ProfileSettings> profiles{default_profile(Mode::walk)};
    /** Reorder nodes along a Hilbert curve (better cache use in searches). */
    bool reorder_nodes = true;
    /**
     * Ground elevation (not owned; may be null). With it, the walking profiles with
     * SlopeModel::tobler follow the slope: each edge they may use (steps excepted) is cut into
     * n = ceil(length / slope_piece_m) equal pieces, the ground is sampled at the n + 1 piece
     * ends, and a piece of horizontal length L and rise dh is walked at the profile's speed
     * times tobler_speed_factor(dh / L), in each direction separately. A bridge or tunnel
     * (EdgeAttributes::bridge_or_tunnel) is one piece between its end elevations. Samples are
     * taken once per edge, on several threads.
     */
    const ElevationSampler* elevation = nullptr;
};

/**
 * Builds the CSR graph. Edges no profile may use, and degenerate edges (zero length, fewer
 * than two points), are dropped; nodes left without edges are dropped. Deterministic: the
 * same input gives the same graph whatever the number of threads.
 */
RoadGraph build_graph(RawNetwork&& raw, const BuildOptions& options);

}  // namespace lifecircle
