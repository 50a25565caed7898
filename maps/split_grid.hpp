#pragma once
/**
 * The label grid behind split_areas(): square cells, each labelled by the origin of the sample
 * point nearest to its centre, and each label's cells traced as one MultiPolygon whose edges run
 * along cell sides. Two labels' regions share their boundary vertex for vertex, so they can
 * neither overlap nor leave a gap between them.
 */

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/types.hpp"
#include "core/geos.hpp"

namespace lifecircle::maps::detail {

/** A cell no sample labels. */
inline constexpr std::uint32_t no_label = 0xFFFFFFFFU;

/**
 * Labelled cells over a frame, never stored whole: the cells are labelled tile by tile (32 x 32,
 * each with a one-cell apron) from the samples near the tile, and only the sides between two
 * labels are kept, so memory goes with the samples and the boundaries, not with the frame's area.
 */
class SplitGrid {
public:
    /**
     * A grid of `cell`-metre cells covering `frame`, with one spare cell around it; cell lines
     * lie on multiples of `cell`.
     */
    SplitGrid(const Box& frame, double cell);

    /**
     * Labels every cell whose centre lies within `radius` metres of a sample with the label of
     * the sample nearest to that centre (exactly; ties go to the lower sample index). With
     * `fill_all` every other cell of the frame is labelled too, by its nearest sample at any
     * distance (exactly). A label that has samples but would get no cell (all its samples lie
     * nearer to other labels' samples than to any cell centre) takes the cell under its sample
     * nearest a cell centre, unless that cell is its owner's only one or a sample of another
     * label lies at the very same place earlier (two facilities at one place: the later stays
     * empty).
     * Tiles are labelled on `threads` threads (0 = all cores); the result is the same for any.
     * Call once.
     */
    void label(std::vector<Point> samples, std::vector<std::uint32_t> labels, double radius, bool fill_all,
               unsigned threads = 0);

    /** The label of the cell holding p (no_label outside the frame or unlabelled). */
    std::uint32_t label_at(Point p) const;

    /**
     * For every label below label_count, the union of its cells as a valid MultiPolygon (null
     * where a label has no cell), with collinear vertices merged. With `simplify_m` > 0 every
     * corner where only two labels meet is cut from mid-side to mid-side (within 0.36 cell of
     * it), then the rings of all regions are thinned together within `simplify_m` metres
     * (simplify_rings: neighbours keep one common border, nothing crosses, so the regions
     * still tile what the cells tiled). `boxes[l]` is its envelope.
     */
    std::vector<geos::GeometryPtr> regions(geos::GeosContext& ctx, std::uint32_t label_count, std::vector<Box>& boxes,
                                     double simplify_m = 0.0) const;

    double cell() const { return m_cell; }

private:
    static constexpr int tile_bits = 5;
    static constexpr int tile = 1 << tile_bits;
    static constexpr int window = tile + 2;  ///< a tile and its apron

    /**
     * The owning sample of every cell of tile (ti, tj) and of the cells around it: window x
     * window entries, row by row from cell (ti·tile − 1, tj·tile − 1); no_label where none.
     */
    void label_window(std::int64_t ti, std::int64_t tj, std::vector<std::uint32_t>& out,
                      std::vector<double>& distance) const;
    /**
     * Appends to `out` every side of a labelled cell of tile (ti, tj) that borders another
     * label (or none), walked with the cell on the left, keyed by start vertex · 4 + direction,
     * and to `junctions` each vertex at a cell's lower left whose four cells hold three labels
     * or more (no label counts as one) or two in a checkerboard.
     */
    void emit_sides(std::int64_t ti, std::int64_t tj, const std::vector<std::uint32_t>& window_labels,
                    std::vector<std::pair<std::uint32_t, std::uint64_t>>& out,
                    std::vector<std::uint64_t>& junctions) const;
    /** After cells are given to empty labels: the sides of the tiles whose windows hold one, again. */
    void give_sides_again();
    /** The sample nearest to the centre of cell (i, j) at any distance (fill_all), or no_label. */
    std::uint32_t nearest_anywhere(std::int64_t i, std::int64_t j) const;
    /** The owning sample of cell (i, j), as label_window() gives it. */
    std::uint32_t owner(std::int64_t i, std::int64_t j) const;
    /** Squared distance, in cells, from sample k to the centre of cell (i, j). */
    double d2(std::uint32_t k, std::int64_t i, std::int64_t j) const;

    Point m_origin;
    double m_cell = 1.0;
    std::int64_t m_columns = 0;
    std::int64_t m_rows = 0;
    std::int64_t m_tile_columns = 0;
    std::int64_t m_tile_rows = 0;
    double m_radius = 0.0;      ///< in cells
    std::int64_t m_reach = 0;   ///< tiles around a window whose samples can reach into it
    bool m_fill_all = false;
    std::vector<Point> m_samples;           ///< in cell units from the grid's corner
    std::vector<std::uint32_t> m_labels;    ///< per sample
    std::vector<std::uint32_t> m_first;     ///< per tile + 1: its first entry in m_by_tile
    std::vector<std::uint32_t> m_by_tile;   ///< sample indices, by tile then index
    std::vector<char> m_active;             ///< per tile: some sample may label one of its cells
    std::vector<std::pair<std::uint64_t, std::uint32_t>> m_forced;  ///< cell → sample, sorted
    std::vector<std::pair<std::uint32_t, std::uint64_t>> m_sides;   ///< label, side (emit_sides)
    std::vector<std::uint64_t> m_junctions;                          ///< vertices, sorted (emit_sides)
};

}  // namespace lifecircle::maps::detail
