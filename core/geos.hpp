#pragma once
/**
 * A GEOS context per thread and small owning handles for GEOS objects. Only the reentrant GEOS
 * C API is used. This header does not include geos_c.h, so users need no
 * GEOS headers; the maps sources and the tests include geos_c.h themselves (with
 * GEOS_USE_ONLY_R_API defined) to call GEOS on the handles. One handle for every layer that
 * calls GEOS: io (the writer's snap-rounding), maps (service areas) and studies (polygon checks).
 */

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"

// Opaque GEOS types, declared exactly as geos_c.h declares them.
struct GEOSContextHandle_HS;
struct GEOSGeom_t;
struct GEOSPrepGeom_t;

namespace lifecircle::geos {

/** A GEOS operation failed; the message carries GEOS's own explanation. */
class GeometryError : public Error {
public:
    using Error::Error;
};

/**
 * One GEOS context. GEOS contexts are not thread-safe: keep one per thread (for example in a
 * tbb::enumerable_thread_specific) and pass it to every maps function that thread calls.
 * Cheap to move (a moved-from context may only be assigned to or destroyed); not copyable.
 */
class GeosContext {
public:
    /** Creates a context whose GEOS errors are collected for GeometryError messages. */
    GeosContext();
    ~GeosContext();
    GeosContext(GeosContext&& other) noexcept;
    GeosContext& operator=(GeosContext&& other) noexcept;
    GeosContext(const GeosContext&) = delete;
    GeosContext& operator=(const GeosContext&) = delete;

    /** The raw GEOSContextHandle_t for calls to GEOS's *_r functions. */
    GEOSContextHandle_HS* handle() const noexcept;
    /** The last error GEOS reported on this context ("" if none since clear_error()). */
    const std::string& last_error() const noexcept;
    /** Forgets the last error. */
    void clear_error() noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};


/** Destroys a GEOS geometry with the context that made it. */
struct GeometryDeleter {
    GEOSContextHandle_HS* context = nullptr;
    void operator()(GEOSGeom_t* geometry) const noexcept;
};
/** An owned GEOS geometry. */
using GeometryPtr = std::unique_ptr<GEOSGeom_t, GeometryDeleter>;

/** Destroys a GEOS prepared geometry with the context that made it. */
struct PreparedDeleter {
    GEOSContextHandle_HS* context = nullptr;
    void operator()(const GEOSPrepGeom_t* prepared) const noexcept;
};
/** An owned GEOS prepared geometry (it borrows the geometry it was prepared from). */
using PreparedPtr = std::unique_ptr<const GEOSPrepGeom_t, PreparedDeleter>;

/**
 * Takes ownership of a geometry a GEOS call returned; throws GeometryError naming `what` and
 * GEOS's message when the call failed (returned null).
 */
GeometryPtr own(GeosContext& ctx, GEOSGeom_t* geometry, const char* what);
/** Prepares a geometry for repeated predicates; throws GeometryError on failure. */
PreparedPtr prepare(GeosContext& ctx, const GEOSGeom_t* geometry);
/** Throws GeometryError naming `what` and GEOS's last message. */
[[noreturn]] void fail(GeosContext& ctx, const char* what);

/** A LineString through the points, or a Point if they are all the same; throws if empty. */
GeometryPtr make_line(GeosContext& ctx, std::span<const Point> points);
/** A Point geometry. */
GeometryPtr make_point(GeosContext& ctx, Point p);
/** A collection of type `type` (GEOS_MULTILINESTRING, ...) owning `parts`; empty if none. */
GeometryPtr make_collection(GeosContext& ctx, int type, std::vector<GeometryPtr>&& parts);
/** A deep copy. */
GeometryPtr clone(GeosContext& ctx, const GEOSGeom_t* geometry);

/**
 * The polygonal part of a geometry as one valid MultiPolygon: invalid input is repaired with
 * GEOSMakeValid, then points, lines and empty parts are dropped. Never fails on empty input.
 */
GeometryPtr to_valid_multipolygon(GeosContext& ctx, GeometryPtr geometry);

/**
 * A polygonal geometry snap-rounded to a grid of `grid` units (GEOSGeom_setPrecision): every
 * vertex on the grid, every vertex at least about half a cell from any edge it is not on, and
 * parts narrower than a cell removed, returned as one valid MultiPolygon. Such a polygon stays
 * valid when a later step (a reprojection, a writer's rounding to a coarser grid that is
 * repaired) moves its vertices by much less than a cell. grid <= 0 only makes it valid.
 */
GeometryPtr snap_to_grid(GeosContext& ctx, GeometryPtr geometry, double grid);

/** Reads WKB (ISO or extended); throws GeometryError on bad input. */
GeometryPtr from_wkb(GeosContext& ctx, std::span<const unsigned char> wkb);
/** Writes 2D little-endian ISO WKB. */
std::vector<unsigned char> to_wkb(GeosContext& ctx, const GEOSGeom_t* geometry);


}  // namespace lifecircle::geos
