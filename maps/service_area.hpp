#pragma once
/**
 * Service-area polygons from what a network search reached: the roads reachable within a time,
 * widened by the short walk from a road to a door. Nested areas for several time breaks, the
 * rings between them, and a network Voronoi split of one area among several facilities.
 *
 * Every function takes a geos::GeosContext; keep one per thread. Polygons are returned as ISO WKB
 * MultiPolygons in the graph's work CRS, always valid, snap-rounded to AreaOptions::grid_m,
 * possibly empty.
 */

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/graph.hpp"
#include "core/reach.hpp"
#include "core/types.hpp"
#include "core/geos.hpp"

namespace lifecircle::maps {

/** How a reached road network becomes an area. */
enum class AreaMethod {
    /** A buffer around the reached roads: honest about rivers, rails and unreachable blocks. */
    network,
    /** A concave hull of the reached roads, unioned with the network area: smoother, fuller. */
    hull,
    /**
     * The network buffer traced on a grid instead of unioned by GEOS: the reached roads burnt
     * into cells of AreaOptions::raster_cell_m, a Euclidean distance transform, marching squares
     * at buffer_m, the traced steps simplified within half a cell (all breaks together, so they
     * still nest). The boundary lies within about a cell of the network method's; much faster
     * where buffers overlap a lot (dense grids, long breaks).
     */
    raster,
};

/** How to draw service areas. */
struct AreaOptions {
    AreaMethod method = AreaMethod::network;
    /** The walk from a road to a door (metres): the buffer width around reached roads. */
    double buffer_m = 50.0;
    /** Segments per quarter circle of the buffer's round caps and joins. */
    int quadrant_segments = 4;
    /** GEOSConcaveHull ratio for AreaMethod::hull (0: tightest, 1: convex hull); holes kept. */
    double hull_ratio = 0.3;
    /** AreaMethod::raster: grid cell in metres; 0 = buffer_m / 10. */
    double raster_cell_m = 0.0;
    /**
     * AreaMethod::raster: the traced boundary (a vertex every cell) is simplified within this
     * many metres, all breaks together so that they still nest (detail::simplify_rings);
     * negative = half a cell, 0 = not simplified.
     */
    double raster_simplify_m = -1.0;
    /** split_areas(): spacing (metres) of the labelled points sampled along reached roads. */
    double split_spacing_m = 10.0;
    /**
     * Every returned polygon is snap-rounded to a grid of this many metres (0: not rounded).
     * 1 mm is finer than any output's rounding (GeoJSON's 7 decimals are about 1 cm) yet keeps
     * vertices far enough from other edges that reprojection cannot make a polygon invalid;
     * it removes the sub-millimetre slivers that overlays of nearly shared boundaries leave.
     */
    double grid_m = 0.001;
};

/** One reached area: a MultiPolygon as ISO WKB in the graph's work CRS, plus measures. */
struct AreaPolygon {
    std::vector<unsigned char> wkb;
    /** Area of the polygon in km² (work CRS units are metres). */
    double area_km2 = 0.0;
    /** Length of reached road inside the time window of this polygon, in km. */
    double road_km = 0.0;
};

/**
 * The service area within `max_seconds`: the part of every piece reached by then (time varies
 * linearly along a piece, so the cut point is interpolated) plus every `extra_lines` line (the
 * walk from a facility to its road, so the area contains the facility), buffered by
 * options.buffer_m with round caps and unioned. Blocks whose inside is farther than buffer_m
 * from every reached road stay holes. AreaMethod::hull adds a concave hull of the reached
 * roads (densified every buffer_m), so the result still contains every reached road.
 * road_km is the length of the reached parts of the pieces (extra lines not counted).
 */
AreaPolygon service_area(geos::GeosContext& ctx, const RoadGraph& graph,
                         std::span<const ReachedPiece> pieces, Seconds max_seconds,
                         std::span<const std::vector<Point>> extra_lines,
                         const AreaOptions& options);

/**
 * Service areas for ascending time `breaks`: result[i] is service_area() at breaks[i] (same
 * polygon up to floating-point noise; same road_km). The areas nest exactly: result[i+1] is
 * made as the union of result[i] with the buffers of the road reached in (breaks[i],
 * breaks[i+1]] (and, for AreaMethod::hull, the hull at breaks[i+1]), so result[i] lies inside
 * result[i+1] by construction. Throws UsageError if breaks do not strictly ascend.
 * `extra_starts`, when given (one per extra line), is when each extra line is reached: it
 * joins the first area whose break is at or after that time (a facility that leaves late).
 */
std::vector<AreaPolygon> nested_areas(geos::GeosContext& ctx, const RoadGraph& graph,
                                      std::span<const ReachedPiece> pieces,
                                      std::span<const Seconds> breaks,
                                      std::span<const std::vector<Point>> extra_lines,
                                      const AreaOptions& options,
                                      std::span<const Seconds> extra_starts = {});

/**
 * Rings between nested areas (from nested_areas()): result[0] = nested[0], result[i] =
 * nested[i] minus nested[i-1]. road_km of ring i is the road reached in (breaks[i-1],
 * breaks[i]], which is nested[i].road_km - nested[i-1].road_km since time is linear along
 * each piece. Ring areas sum to the outermost area; rings do not overlap (up to the snap-rounding
 * of each ring to `grid_m`, see AreaOptions::grid_m).
 */
std::vector<AreaPolygon> ring_areas(geos::GeosContext& ctx, std::span<const AreaPolygon> nested,
                                    double grid_m = AreaOptions{}.grid_m);

/**
 * Network Voronoi split of the service area within `max_seconds` among `origin_count` origins;
 * every piece's `origin` (< origin_count) names the facility that reaches it first, so pieces
 * of different origins meet where their times are equal.
 *
 * Method: the reached part of every piece (and each origin's extra lines) is sampled every
 * options.split_spacing_m metres (midpoints of equal parts, so samples of two origins sit
 * symmetrically around the point where they meet); each sample is labelled with its origin.
 * A label grid of cells of the spacing (coarser only if the frame would pass 2^26 cells) is laid
 * over the samples: every cell whose centre is within buffer_m + spacing + 2 cells (plus two
 * raster cells for AreaMethod::raster) of a sample takes the label of the sample nearest to its
 * centre, exactly (ties: the first sample); AreaMethod::hull labels every other cell too, by
 * its nearest sample at any distance. Each origin's cells are traced as one polygon along cell
 * sides, and the steps of all origins' polygons are thinned together within half a cell
 * (detail::simplify_rings), so two origins' regions still share their boundary exactly. The part
 * of the area inside each region is then built from the roads near the region alone:
 * AreaMethod::network buffers the reached lines clipped to the region's envelope grown by more
 * than the buffer (what is cut off cannot reach the region) and unions them;
 * AreaMethod::raster takes service_area() of the pieces near the region (a grid of its own, so
 * the outer edge lies within about a raster cell of the whole area's); AreaMethod::hull cuts
 * service_area() of everything into tiles and clips the few under the region. Each part is the
 * intersection with its region, snapped to grid_m. No two results overlap and together they make
 * up service_area() of all pieces and extra lines (up to snap-rounding; for the raster method,
 * up to a raster cell along the outer edge).
 *
 * Accuracy: a place goes to the origin of the sample nearest to the centre of its cell, so the
 * boundary between two origins lies within a cell diagonal (14 m for the default 10 m) of the
 * samples' Voronoi boundary, which lies within half the spacing of where the times meet. An
 * origin whose samples are nearest to no cell centre takes the cell under its sample nearest
 * to a cell centre; only an origin whose samples all lie where an earlier origin's do (two
 * facilities at one place) gets an empty area.
 *
 * Cost: the samples and the sides between labels (the cells are labelled a tile at a time and
 * not kept), and per origin a union of the buffers near its region: no Voronoi diagram and no
 * metro-wide polygon. Tiles and regions (except for the hull) run on `threads` threads (0 = all
 * cores); the result is the same for any.
 *
 * `extra_lines_per_origin` is empty or has one line per origin (the walk from facility o to
 * its road; an empty vector for none).
 * road_km of result[o] is the length of o's reached pieces. Throws std::invalid_argument if a
 * piece's origin is not below origin_count or extra_lines_per_origin has the wrong size.
 */
std::vector<AreaPolygon> split_areas(geos::GeosContext& ctx, const RoadGraph& graph,
                                     std::span<const ReachedPiece> pieces, Seconds max_seconds,
                                     std::uint32_t origin_count,
                                     std::span<const std::vector<Point>> extra_lines_per_origin,
                                     const AreaOptions& options, unsigned threads = 0);

/** WKT of a WKB geometry with `decimals` digits after the point (trailing zeros trimmed). */
std::string wkb_to_wkt(geos::GeosContext& ctx, std::span<const unsigned char> wkb, int decimals = 3);
/** Whether the point lies inside the WKB geometry (not on its boundary, not outside). */
bool wkb_contains(geos::GeosContext& ctx, std::span<const unsigned char> wkb, Point p);
/** Area of a WKB geometry in square work-CRS units (m²). */
double wkb_area(geos::GeosContext& ctx, std::span<const unsigned char> wkb);
/** Whether a WKB geometry is valid by OGC rules (GEOSisValid). */
bool wkb_is_valid(geos::GeosContext& ctx, std::span<const unsigned char> wkb);

}  // namespace lifecircle::maps
