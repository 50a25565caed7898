#pragma once
/**
 * The label grid behind split_areas(): square cells, each labelled by the origin of the sample
 * point nearest to its centre, and each label's cells traced as one MultiPolygon whose edges run
 * along cell sides. Two labels' regions share their boundary vertex for vertex, so they can
 * neither overlap nor leave a gap between them.
 */

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/types.hpp"
#include "maps/geos_handle.hpp"

namespace lifecircle::maps::detail {

/** A cell no sample labels. */
inline constexpr std::uint32_t no_label = 0xFFFFFFFFU;

/**
 * Labelled cells over a frame. Cells are kept in tiles of 32 x 32 allocated only where a sample
 * reaches (4 bytes a cell), so a metro whose roads cover a third of its bounding box costs a
 * third of the full grid.
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
     * `fill_all` every other cell of the frame is labelled too, by the nearest sample among its
     * neighbours' (a vector propagation: close to, not exactly, the nearest). Call once.
     */
    void label(std::span<const Point> samples, std::span<const std::uint32_t> labels, double radius, bool fill_all);

    /** The label of the cell holding p (no_label outside the frame or unlabelled). */
    std::uint32_t label_at(Point p) const;

    /**
     * For every label below label_count, the union of its cells as a valid MultiPolygon (null
     * where a label has no cell), with collinear vertices merged. `boxes[l]` is its envelope.
     */
    std::vector<GeometryPtr> regions(GeosContext& ctx, std::uint32_t label_count, std::vector<Box>& boxes) const;

    double cell() const { return m_cell; }
    /** Cells held in allocated tiles (4 bytes each). */
    std::size_t allocated_cells() const { return m_cells.size(); }

private:
    static constexpr int tile_bits = 5;
    static constexpr int tile = 1 << tile_bits;

    std::uint32_t get(std::int64_t i, std::int64_t j) const;
    std::uint32_t& slot(std::int64_t i, std::int64_t j);

    Point m_origin;
    double m_cell = 1.0;
    std::int64_t m_columns = 0;
    std::int64_t m_rows = 0;
    std::int64_t m_tile_columns = 0;
    std::int64_t m_tile_rows = 0;
    std::vector<std::uint32_t> m_tile_of;  ///< per tile: its first cell / tile² in m_cells, or no_label
    std::vector<std::uint32_t> m_cells;    ///< labels (sample indices while labelling)
};

}  // namespace lifecircle::maps::detail
