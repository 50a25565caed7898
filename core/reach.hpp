#pragma once
/**
 * What a search reached, as pieces of road edges with travel times at both ends. Service
 * areas, reached-road layers and network Voronoi splits are all made from these pieces.
 */

#include <cstdint>
#include <vector>

#include "core/types.hpp"

namespace lifecircle {

/**
 * A stretch of one edge, from offset `from` to offset `to` metres along the edge geometry
 * (from < to), where travel time varies linearly from `t_from` to `t_to` seconds and the
 * place is reached first from seed origin `origin`.
 */
struct ReachedPiece {
    EdgeId edge = invalid_edge;
    Meters from = 0.0;
    Meters to = 0.0;
    Seconds t_from = 0.0;
    Seconds t_to = 0.0;
    std::uint32_t origin = invalid_index;
};

}  // namespace lifecircle

#include <span>

#include "core/graph.hpp"
#include "core/search.hpp"

namespace lifecircle {

/**
 * Every stretch of road the last search in `ws` reached within `max_time`, including partly
 * reached edges and stretches around seeds. On each edge the time is the exact minimum over
 * both end nodes and the seeds on that edge, so pieces of different origins meet where their
 * times are equal (a network Voronoi split). Pieces are in edge order, then by offset.
 */
std::vector<ReachedPiece> reached_pieces(const RoadGraph& graph, const SearchWorkspace& ws, Seconds max_time);

/**
 * Merges pieces from several searches (say one per facility, each cut at its own cutoff):
 * on every edge, the fastest piece wins, so the result is the same kind of exact split that
 * one multi-source search gives, but honouring per-origin limits.
 */
std::vector<ReachedPiece> fastest_pieces(std::vector<ReachedPiece> pieces, Seconds max_time);

/**
 * The stretches of road within `max_time` when the times at the nodes are known from elsewhere
 * (public transport: a timetable brings the traveller to the nodes), walking on from each node
 * along its edges with `profile`'s arc times (not finite = not reached); on each edge the faster
 * end wins, so pieces meet where the times are equal. Every piece carries `origin`.
 */
std::vector<ReachedPiece> pieces_from_node_times(const RoadGraph& graph, ProfileId profile,
                                                 std::span<const float> node_time, Seconds max_time,
                                                 std::uint32_t origin);

}  // namespace lifecircle
