#pragma once
/**
 * Test helpers for maps/isochrones: facilities placed with a Snapper, attribute lookup by field
 * name, GEOS measures of WKB polygons and plain point-to-polyline distances.
 */

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "core/snap.hpp"
#include "core/types.hpp"
#include "core/geos.hpp"
#include "maps/isochrones.hpp"
#include "core/layer.hpp"

namespace lifecircle::test {

/** `p` moved by (dx, dy) metres. */
inline Point shifted(Point p, double dx, double dy) { return {p.x + dx, p.y + dy}; }

/** A facility with one access: `door` snapped by `snapper` (REQUIREd to snap). */
inline maps::IsochroneFacility snapped_facility(const Snapper& snapper, std::string id, Point door,
                                                Seconds delay = 0.0, Seconds cutoff = unreachable) {
    maps::IsochroneFacility f;
    f.id = id;
    f.name = "name of " + id;
    const Snap s = snapper.snap(door);
    REQUIRE(s.ok());
    f.accesses.push_back({door, s});
    f.delay = delay;
    f.cutoff = cutoff;
    return f;
}

/** Isochrone options for breaks given in minutes, buffer 50 m. */
inline maps::IsochroneOptions minutes_options(
    std::vector<double> minutes, maps::IsochroneShape shape = maps::IsochroneShape::nested,
    unsigned threads = 2) {
    maps::IsochroneOptions o;
    for (double m : minutes) o.breaks.push_back(m * 60.0);
    o.shape = shape;
    o.area.buffer_m = 50.0;
    o.threads = threads;
    return o;
}

/** Column index of the field called `name`; fails the test if there is none. */
inline std::size_t field_index(const Layer& layer, std::string_view name) {
    for (std::size_t i = 0; i < layer.fields.size(); ++i)
        if (layer.fields[i].name == name) return i;
    FAIL("layer " << layer.name << " has no field " << name);
    return 0;
}

/** A real-valued attribute by field name. */
inline double real_value(const Layer& layer, const Feature& f, std::string_view name) {
    const Value& v = f.values.at(field_index(layer, name));
    REQUIRE(std::holds_alternative<double>(v));
    return std::get<double>(v);
}

/** A string attribute by field name. */
inline std::string string_value(const Layer& layer, const Feature& f,
                                std::string_view name) {
    const Value& v = f.values.at(field_index(layer, name));
    REQUIRE(std::holds_alternative<std::string>(v));
    return std::get<std::string>(v);
}

/** The features of one facility, in layer order (break order). */
inline std::vector<const Feature*> features_of(const Layer& layer,
                                                     std::string_view id) {
    std::vector<const Feature*> out;
    for (const Feature& f : layer.features)
        if (string_value(layer, f, "facility_id") == id) out.push_back(&f);
    return out;
}

/** The `minutes` of each feature. */
inline std::vector<double> minutes_of(const Layer& layer,
                                      const std::vector<const Feature*>& features) {
    std::vector<double> out;
    for (const Feature* f : features) out.push_back(real_value(layer, *f, "minutes"));
    return out;
}

/** Area (m²) of a GEOS operation on two WKB geometries: GEOSDifference_r, GEOSIntersection_r... */
template <class Op>
double binary_area_m2(geos::GeosContext& ctx, std::span<const unsigned char> a,
                      std::span<const unsigned char> b, Op op) {
    const geos::GeometryPtr ga = geos::from_wkb(ctx, a);
    const geos::GeometryPtr gb = geos::from_wkb(ctx, b);
    const geos::GeometryPtr r =
        geos::own(ctx, op(ctx.handle(), ga.get(), gb.get()), "binary op");
    double area = 0.0;
    REQUIRE(GEOSArea_r(ctx.handle(), r.get(), &area) == 1);
    return area;
}

/** Area (m²) of a minus b. */
inline double difference_m2(geos::GeosContext& ctx, std::span<const unsigned char> a,
                            std::span<const unsigned char> b) {
    return binary_area_m2(ctx, a, b, GEOSDifference_r);
}

/** Area (m²) of a intersected with b. */
inline double intersection_m2(geos::GeosContext& ctx, std::span<const unsigned char> a,
                              std::span<const unsigned char> b) {
    return binary_area_m2(ctx, a, b, GEOSIntersection_r);
}

/** Area (m²) of the union of WKB geometries. */
inline double union_m2(geos::GeosContext& ctx,
                       const std::vector<std::span<const unsigned char>>& parts) {
    std::vector<geos::GeometryPtr> geoms;
    for (auto p : parts) geoms.push_back(geos::from_wkb(ctx, p));
    const geos::GeometryPtr all =
        geos::make_collection(ctx, GEOS_GEOMETRYCOLLECTION, std::move(geoms));
    const geos::GeometryPtr u =
        geos::own(ctx, GEOSUnaryUnion_r(ctx.handle(), all.get()), "union");
    double area = 0.0;
    REQUIRE(GEOSArea_r(ctx.handle(), u.get(), &area) == 1);
    return area;
}

/** A polygon prepared for many point-in-polygon tests, with its bounding box. */
class PreparedArea {
public:
    PreparedArea(geos::GeosContext& ctx, std::span<const unsigned char> wkb)
        : m_ctx(&ctx),
          m_geometry(geos::from_wkb(ctx, wkb)),
          m_prepared(geos::prepare(ctx, m_geometry.get())) {
        GEOSContextHandle_t h = ctx.handle();
        REQUIRE(GEOSGeom_getXMin_r(h, m_geometry.get(), &m_box.min.x) == 1);
        REQUIRE(GEOSGeom_getYMin_r(h, m_geometry.get(), &m_box.min.y) == 1);
        REQUIRE(GEOSGeom_getXMax_r(h, m_geometry.get(), &m_box.max.x) == 1);
        REQUIRE(GEOSGeom_getYMax_r(h, m_geometry.get(), &m_box.max.y) == 1);
    }
    /** Whether p lies in the interior (same rule as wkb_contains). */
    bool contains(Point p) const {
        const geos::GeometryPtr point = geos::make_point(*m_ctx, p);
        const char r = GEOSPreparedContains_r(m_ctx->handle(), m_prepared.get(), point.get());
        REQUIRE(r != 2);
        return r == 1;
    }
    const Box& box() const { return m_box; }

private:
    geos::GeosContext* m_ctx;
    geos::GeometryPtr m_geometry;
    geos::PreparedPtr m_prepared;
    Box m_box;
};

/** Distance from p to a polyline; `along` receives the distance along it to the nearest point. */
inline double distance_to_polyline(Point p, std::span<const Point> line, double* along = nullptr) {
    double best = std::numeric_limits<double>::infinity();
    double best_along = 0.0;
    double walked = 0.0;
    if (line.size() == 1) best = std::hypot(p.x - line[0].x, p.y - line[0].y);
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
        const Point a = line[i];
        const Point b = line[i + 1];
        const double dx = b.x - a.x;
        const double dy = b.y - a.y;
        const double len2 = dx * dx + dy * dy;
        const double t =
            len2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0) : 0.0;
        const double d = std::hypot(a.x + t * dx - p.x, a.y + t * dy - p.y);
        const double len = std::sqrt(len2);
        if (d < best) {
            best = d;
            best_along = walked + t * len;
        }
        walked += len;
    }
    if (along) *along = best_along;
    return best;
}

}  // namespace lifecircle::test
