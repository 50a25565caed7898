#include "core/geos.hpp"

#include <string>
#include <utility>
#include <vector>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

namespace lifecircle::geos {

struct GeosContext::Impl {
    GEOSContextHandle_t handle = nullptr;
    std::string last_error;

    Impl() : handle(GEOS_init_r()) {
        if (handle == nullptr)
            throw GeometryError("could not create a GEOS context (out of memory?)");
        GEOSContext_setErrorMessageHandler_r(handle, &Impl::on_error, this);
    }
    ~Impl() { GEOS_finish_r(handle); }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    static void on_error(const char* message, void* user_data) {
        static_cast<Impl*>(user_data)->last_error = message != nullptr ? message : "";
    }
};

GeosContext::GeosContext() : m_impl(std::make_unique<Impl>()) {}
GeosContext::~GeosContext() = default;
GeosContext::GeosContext(GeosContext&& other) noexcept = default;
GeosContext& GeosContext::operator=(GeosContext&& other) noexcept = default;

GEOSContextHandle_HS* GeosContext::handle() const noexcept { return m_impl->handle; }
const std::string& GeosContext::last_error() const noexcept { return m_impl->last_error; }
void GeosContext::clear_error() noexcept { m_impl->last_error.clear(); }

void GeometryDeleter::operator()(GEOSGeom_t* geometry) const noexcept {
    if (geometry != nullptr) GEOSGeom_destroy_r(context, geometry);
}

void PreparedDeleter::operator()(const GEOSPrepGeom_t* prepared) const noexcept {
    if (prepared != nullptr) GEOSPreparedGeom_destroy_r(context, prepared);
}

void fail(GeosContext& ctx, const char* what) {
    std::string message = std::string("geometry operation '") + what + "' failed";
    if (!ctx.last_error().empty()) message += ": " + ctx.last_error();
    ctx.clear_error();
    throw GeometryError(std::move(message));
}

GeometryPtr own(GeosContext& ctx, GEOSGeom_t* geometry, const char* what) {
    if (geometry == nullptr) fail(ctx, what);
    return GeometryPtr(geometry, GeometryDeleter{ctx.handle()});
}

PreparedPtr prepare(GeosContext& ctx, const GEOSGeom_t* geometry) {
    const GEOSPreparedGeometry* prepared = GEOSPrepare_r(ctx.handle(), geometry);
    if (prepared == nullptr) fail(ctx, "prepare");
    return PreparedPtr(prepared, PreparedDeleter{ctx.handle()});
}

GeometryPtr make_point(GeosContext& ctx, Point p) {
    return own(ctx, GEOSGeom_createPointFromXY_r(ctx.handle(), p.x, p.y), "create point");
}

GeometryPtr make_line(GeosContext& ctx, std::span<const Point> points) {
    if (points.empty()) throw GeometryError("cannot make a line of no points");
    std::vector<double> xy;
    xy.reserve(points.size() * 2);
    for (const Point& p : points) {
        // Repeated points add nothing and make GEOS call the line invalid.
        if (!xy.empty() && xy[xy.size() - 2] == p.x && xy.back() == p.y) continue;
        xy.push_back(p.x);
        xy.push_back(p.y);
    }
    if (xy.size() == 2) return make_point(ctx, points.front());
    GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(
        ctx.handle(), xy.data(), static_cast<unsigned>(xy.size() / 2), 0, 0);
    if (seq == nullptr) fail(ctx, "create coordinates");
    return own(ctx, GEOSGeom_createLineString_r(ctx.handle(), seq), "create line");
}

GeometryPtr make_collection(GeosContext& ctx, int type, std::vector<GeometryPtr>&& parts) {
    if (parts.empty())
        return own(ctx, GEOSGeom_createEmptyCollection_r(ctx.handle(), type),
                   "create empty collection");
    std::vector<GEOSGeometry*> raw;
    raw.reserve(parts.size());
    for (GeometryPtr& part : parts) raw.push_back(part.release());  // GEOS takes ownership
    parts.clear();
    return own(ctx,
               GEOSGeom_createCollection_r(ctx.handle(), type, raw.data(),
                                           static_cast<unsigned>(raw.size())),
               "create collection");
}

GeometryPtr clone(GeosContext& ctx, const GEOSGeom_t* geometry) {
    return own(ctx, GEOSGeom_clone_r(ctx.handle(), geometry), "clone");
}

namespace {

void collect_polygons(GeosContext& ctx, const GEOSGeometry* geometry,
                      std::vector<GeometryPtr>& out) {
    const int type = GEOSGeomTypeId_r(ctx.handle(), geometry);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(ctx.handle(), geometry) == 0) out.push_back(clone(ctx, geometry));
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(ctx.handle(), geometry);
        for (int i = 0; i < n; ++i)
            collect_polygons(ctx, GEOSGetGeometryN_r(ctx.handle(), geometry, i), out);
    }
}

}  // namespace

GeometryPtr to_valid_multipolygon(GeosContext& ctx, GeometryPtr geometry) {
    GEOSContextHandle_t h = ctx.handle();
    if (GEOSisEmpty_r(h, geometry.get()) == 1) return make_collection(ctx, GEOS_MULTIPOLYGON, {});
    const char valid = GEOSisValid_r(h, geometry.get());
    if (valid == 2) fail(ctx, "check validity");
    if (valid == 0) geometry = own(ctx, GEOSMakeValid_r(h, geometry.get()), "make valid");
    const int type = GEOSGeomTypeId_r(h, geometry.get());
    if (type == GEOS_MULTIPOLYGON) return geometry;
    if (type == GEOS_POLYGON) {
        std::vector<GeometryPtr> parts;
        parts.push_back(std::move(geometry));
        return make_collection(ctx, GEOS_MULTIPOLYGON, std::move(parts));
    }
    // A collection from MakeValid (or an overlay): its polygonal parts do not overlap.
    std::vector<GeometryPtr> parts;
    collect_polygons(ctx, geometry.get(), parts);
    GeometryPtr multi = make_collection(ctx, GEOS_MULTIPOLYGON, std::move(parts));
    if (GEOSisValid_r(h, multi.get()) == 1) return multi;
    // Polygons of a collection may touch along edges: merge them.
    GeometryPtr merged = own(ctx, GEOSUnaryUnion_r(h, multi.get()), "union");
    return to_valid_multipolygon(ctx, std::move(merged));
}

GeometryPtr snap_to_grid(GeosContext& ctx, GeometryPtr geometry, double grid) {
    geometry = to_valid_multipolygon(ctx, std::move(geometry));
    if (!(grid > 0.0) || GEOSisEmpty_r(ctx.handle(), geometry.get()) == 1) return geometry;
    // Flags 0: snap-rounding noding (not just rounding vertices), so the result is valid, and
    // collapsed parts dropped. It may come back as a Polygon, hence the second pass.
    GeometryPtr snapped =
        own(ctx, GEOSGeom_setPrecision_r(ctx.handle(), geometry.get(), grid, 0), "snap to grid");
    return to_valid_multipolygon(ctx, std::move(snapped));
}

GeometryPtr from_wkb(GeosContext& ctx, std::span<const unsigned char> wkb) {
    GEOSWKBReader* reader = GEOSWKBReader_create_r(ctx.handle());
    if (reader == nullptr) fail(ctx, "create WKB reader");
    GEOSGeometry* geometry = GEOSWKBReader_read_r(ctx.handle(), reader, wkb.data(), wkb.size());
    GEOSWKBReader_destroy_r(ctx.handle(), reader);
    return own(ctx, geometry, "read WKB");
}

std::vector<unsigned char> to_wkb(GeosContext& ctx, const GEOSGeom_t* geometry) {
    GEOSContextHandle_t h = ctx.handle();
    GEOSWKBWriter* writer = GEOSWKBWriter_create_r(h);
    if (writer == nullptr) fail(ctx, "create WKB writer");
    GEOSWKBWriter_setOutputDimension_r(h, writer, 2);
    GEOSWKBWriter_setByteOrder_r(h, writer, GEOS_WKB_NDR);
    GEOSWKBWriter_setFlavor_r(h, writer, GEOS_WKB_ISO);
    GEOSWKBWriter_setIncludeSRID_r(h, writer, 0);
    std::size_t size = 0;
    unsigned char* buffer = GEOSWKBWriter_write_r(h, writer, geometry, &size);
    GEOSWKBWriter_destroy_r(h, writer);
    if (buffer == nullptr) fail(ctx, "write WKB");
    std::vector<unsigned char> out(buffer, buffer + size);
    GEOSFree_r(h, buffer);
    return out;
}

}  // namespace lifecircle::geos
