#include "studies/inputs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <unordered_map>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/wkb.hpp"
#include "io/chinese_coords.hpp"
#include "io/osm_facilities.hpp"
#include "core/geos.hpp"

namespace lifecircle::studies {

namespace {

bool inside(const Box& b, const Point& p, double margin) {
    return p.x >= b.min.x - margin && p.x <= b.max.x + margin && p.y >= b.min.y - margin && p.y <= b.max.y + margin;
}

/** Points far outside the network are a sign of a wrong CRS or swapped columns. */
void check_near_network(std::span<const Point> lonlat, const io::Network& net, const FacilitySpec& spec) {
    if (lonlat.empty()) return;
    const Box box = spec.network_lonlat_bounds.empty() ? net.lonlat_bounds() : spec.network_lonlat_bounds;
    const double margin = 0.05;  // degrees, about 5 km
    std::size_t outside = 0, swapped_inside = 0;
    for (const Point& p : lonlat) {
        if (!inside(box, p, margin)) {
            ++outside;
            if (inside(box, {p.y, p.x}, margin)) ++swapped_inside;
        }
    }
    if (outside < lonlat.size()) return;
    char where[160];
    std::snprintf(where, sizeof where, "lon %.4f..%.4f, lat %.4f..%.4f", box.min.x, box.max.x, box.min.y, box.max.y);
    if (swapped_inside * 2 > outside)
        throw InputError(std::string("every point lies outside the network (") + where +
                         ") but would lie on it with longitude and latitude swapped: swap the columns")
            .set_file(spec.path);
    const std::string crs_option =
        spec.read.option_prefix.empty() ? std::string("--input-crs") : spec.read.option_prefix + "-crs";
    throw InputError(std::string("every point lies outside the network (") + where + "); check the layer's CRS or pass " +
                     crs_option + " (gcj02 and bd09 are accepted)")
        .set_file(spec.path);
}

/** An OSM facility's capacity tag as a number (empty or not a number: nullopt). */
std::optional<double> tag_number(const std::string& text) {
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (!end || *end != '\0' || !std::isfinite(v) || v < 0) return std::nullopt;
    return v;
}

FacilitySet from_osm(const FacilitySpec& spec, const Reporter& reporter) {
    const auto kind = io::parse_facility_kind(spec.osm_kind);
    if (!kind)
        throw InputError(spec.label + ": unknown osm_kind '" + spec.osm_kind +
                         "'; use hospital, clinic, community-health, kindergarten, meal-point or elderly-care");
    FacilitySet out;
    out.source = spec.osm_file;
    const bool capacity = !spec.read.capacity_field.empty();
    std::size_t untagged = 0;
    for (const io::OsmFacility& f : io::read_osm_facilities(spec.osm_file, *kind)) {
        out.ids.push_back(f.osm_type + "/" + std::to_string(f.osm_id));
        out.names.push_back(!f.name_zh.empty() ? f.name_zh : f.name);
        out.lonlat.push_back({f.lon, f.lat});
        if (capacity) {
            const std::optional<double> c = tag_number(f.capacity);
            if (!c) ++untagged;
            out.capacity.push_back(c ? *c : spec.default_capacity);
        }
    }
    if (untagged)
        reporter.note(spec.label + ": " + std::to_string(untagged) + " of " + std::to_string(out.ids.size()) + " " +
                      spec.osm_kind + " facilities carry no capacity tag; they count " +
                      std::to_string(static_cast<long long>(spec.default_capacity)) + " each");
    return out;
}

/** Segments of the roads on a grid, for the distance from a point to the nearest road. */
class RoadGrid {
public:
    explicit RoadGrid(const RoadGraph& g, double cell = 100.0) : m_cell(cell) {
        for (EdgeId e = 0; e < g.edge_count(); ++e) {
            const Point* s = g.shape_begin(e);
            for (std::uint32_t k = 0; k + 1 < g.shape_size(e); ++k) {
                const auto [x0, x1] = std::minmax(s[k].x, s[k + 1].x);
                const auto [y0, y1] = std::minmax(s[k].y, s[k + 1].y);
                for (long long cx = key(x0); cx <= key(x1); ++cx)
                    for (long long cy = key(y0); cy <= key(y1); ++cy) m_cells[{cx, cy}].push_back({s[k], s[k + 1]});
            }
        }
    }
    /** The distance to the nearest road, or `limit` when none is nearer. */
    double distance(const Point& p, double limit) const {
        double best = limit;
        const long long cx = key(p.x), cy = key(p.y);
        for (long long r = 0; static_cast<double>(r) * m_cell < best + m_cell; ++r) {
            for (long long dx = -r; dx <= r; ++dx)
                for (long long dy = -r; dy <= r; ++dy) {
                    if (std::max(std::llabs(dx), std::llabs(dy)) != r) continue;
                    const auto it = m_cells.find({cx + dx, cy + dy});
                    if (it == m_cells.end()) continue;
                    for (const auto& [a, b] : it->second) best = std::min(best, segment_distance(p, a, b));
                }
            if (static_cast<double>(r) * m_cell > limit) break;
        }
        return best;
    }

private:
    long long key(double v) const { return static_cast<long long>(std::floor(v / m_cell)); }
    static double segment_distance(const Point& p, const Point& a, const Point& b) {
        const double dx = b.x - a.x, dy = b.y - a.y;
        const double len2 = dx * dx + dy * dy;
        const double t = len2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0) : 0.0;
        return std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
    }
    double m_cell;
    std::map<std::pair<long long, long long>, std::vector<std::pair<Point, Point>>> m_cells;
};

double median(std::vector<double> v) {
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

FacilitySet from_layer(const FacilitySpec& spec, const Reporter& reporter, std::string& source_crs) {
    io::PointReadOptions read = spec.read;
    read.allow_empty = !spec.required;
    io::PointLayer layer = spec.table ? io::read_points(*spec.table, read) : io::read_points(spec.path, read);
    source_crs = layer.source_crs;
    for (const std::string& n : layer.notes) reporter.note(spec.path + ": " + n);
    FacilitySet out;
    out.source = spec.path;
    const bool capacity = !spec.read.capacity_field.empty();
    const bool cost = !spec.read.cost_field.empty();
    for (const io::PointRecord& r : layer.points) {
        out.ids.push_back(r.id);
        out.names.push_back(r.name);
        out.lonlat.push_back({r.lon, r.lat});
        const auto bad = [&](const std::string& field, const std::string& what) {
            return InputError("the field '" + field + "' " + what).set_file(spec.path).set_layer(layer.layer_name).set_feature(r.id);
        };
        if (capacity) {
            if (!std::isfinite(r.capacity))
                throw bad(spec.read.capacity_field, "is empty: give every facility its capacity (0 for none)");
            const std::string why = limit_problem(Quantity::capacity, r.capacity);
            if (!why.empty()) throw bad(spec.read.capacity_field, why);
            out.capacity.push_back(r.capacity);
        }
        if (cost) {
            if (!std::isfinite(r.cost)) throw bad(spec.read.cost_field, "is empty: give every site its cost");
            const std::string why = limit_problem(Quantity::cost, r.cost);
            if (!why.empty()) throw bad(spec.read.cost_field, why);
            out.cost.push_back(r.cost);
        }
        out.delay.push_back(std::isfinite(r.delay_minutes) ? r.delay_minutes * 60.0 : 0.0);
        out.cutoff.push_back(std::isfinite(r.cutoff_minutes) ? r.cutoff_minutes * 60.0 : unreachable);
        std::vector<Point> outline;
        for (const auto& [lon, lat] : r.boundary_lonlat) outline.push_back({lon, lat});
        out.outline.push_back(std::move(outline));
    }
    return out;
}

}  // namespace

Layer osm_facilities_layer(const std::string& osm_file, const std::string& kind_name, const std::string& name) {
    const auto kind = io::parse_facility_kind(kind_name);
    if (!kind)
        throw UsageError("--kind must be hospital, clinic, community-health, kindergarten, meal-point or elderly-care, "
                         "not '" + kind_name + "'");
    Layer layer;
    layer.name = name;
    layer.kind = GeometryKind::point;
    layer.fields = {{"id", FieldType::string},      {"osm_type", FieldType::string}, {"osm_id", FieldType::integer},
                    {"name", FieldType::string},    {"name_zh", FieldType::string},  {"kind", FieldType::string},
                    {"capacity", FieldType::string}, {"matched_tag", FieldType::string}};
    for (const io::OsmFacility& f : io::read_osm_facilities(osm_file, *kind)) {
        Feature feature;
        feature.wkb = wkb_point({f.lon, f.lat});
        feature.values = {f.osm_type + "/" + std::to_string(f.osm_id),
                          f.osm_type,
                          static_cast<std::int64_t>(f.osm_id),
                          f.name,
                          f.name_zh,
                          kind_name,
                          f.capacity.empty() ? Value{} : Value{f.capacity},
                          f.matched_tag};
        layer.features.push_back(std::move(feature));
    }
    return layer;
}

std::string list_text(std::span<const std::string> items, std::size_t max) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < max; ++i) out += (i ? ", " : "") + items[i];
    if (items.size() > max) out += ", ...";
    return out;
}

FacilitySet read_facilities(const FacilitySpec& spec, const io::Network& net, const Reporter& reporter) {
    if (spec.path.empty() == spec.osm_kind.empty())
        throw UsageError(spec.label + " needs exactly one of a facilities file and an OpenStreetMap kind");
    std::string source_crs;
    FacilitySet out = spec.path.empty() ? from_osm(spec, reporter) : from_layer(spec, reporter, source_crs);
    if (out.ids.empty()) {
        const std::string what = spec.path.empty() ? "the OpenStreetMap file has no " + spec.osm_kind + " facilities"
                                                   : std::string("the layer has no facilities");
        if (spec.required) throw InputError(what).set_file(out.source);
        reporter.warning(spec.label + ": " + what + " (" + out.source + "); nobody is covered");
    }
    out.delay.resize(out.ids.size(), 0.0);
    out.cutoff.resize(out.ids.size(), unreachable);
    out.outline.resize(out.ids.size());
    check_near_network(out.lonlat, net, spec);
    out.xy = out.lonlat;
    net.to_work(out.xy);
    for (std::vector<Point>& o : out.outline)
        if (!o.empty()) net.to_work(o);
    // A layer read as WGS 84 only because it declared it or said nothing (not an OSM kind, not
    // an explicit input CRS) may hold Chinese map coordinates.
    if (!spec.path.empty() && spec.read.input_crs.empty() && source_crs == "EPSG:4326") {
        const std::string setting = spec.label.rfind("--", 0) == 0
                                        ? (spec.read.option_prefix.empty() ? std::string("--input-crs")
                                                                           : spec.read.option_prefix + "-crs") +
                                              " {crs}"
                                        : "crs = \"{crs}\" in " + spec.label;
        const std::string hint = chinese_offset_hint(out.lonlat, net, spec.label + " (" + spec.path + ")", setting);
        if (!hint.empty()) reporter.warning(hint);
    }
    return out;
}

std::string chinese_offset_hint(std::span<const Point> lonlat, const io::Network& net, const std::string& what,
                                const std::string& setting) {
    std::vector<Point> in_china;
    for (const Point& p : lonlat)
        if (std::isfinite(p.x) && std::isfinite(p.y) && io::inside_china({p.x, p.y})) in_china.push_back(p);
    // Fewer points leave too much to chance: a few shifted 500 m may land near a road by luck.
    if (in_china.size() < 5) return {};
    // At most 400 points, evenly taken: a median needs no more.
    std::vector<Point> sample;
    const std::size_t step = std::max<std::size_t>(1, in_china.size() / 400);
    for (std::size_t i = 0; i < in_china.size(); i += step) sample.push_back(in_china[i]);
    const RoadGrid grid(net.graph);
    constexpr double limit = 2000.0;
    const auto median_distance = [&](const std::vector<Point>& ll, double* shift) {
        std::vector<Point> xy = ll;
        net.to_work(xy);
        std::vector<double> d;
        for (const Point& p : xy) d.push_back(grid.distance(p, limit));
        if (shift) {
            std::vector<Point> a = sample;
            net.to_work(a);
            std::vector<double> s;
            for (std::size_t i = 0; i < a.size(); ++i) s.push_back(std::hypot(a[i].x - xy[i].x, a[i].y - xy[i].y));
            *shift = median(s);
        }
        return median(d);
    };
    const double as_read = median_distance(sample, nullptr);
    struct Try {
        const char* crs;
        const char* source;
        double distance = 0, shift = 0;
    };
    std::vector<Try> tries = {{"gcj02", "GCJ-02 (Amap/Gaode, Tencent)"}, {"bd09", "BD-09 (Baidu)"}};
    for (Try& t : tries) {
        std::vector<Point> converted;
        for (const Point& p : sample) {
            const io::LonLat w = std::string(t.crs) == "gcj02" ? io::gcj02_to_wgs84({p.x, p.y}) : io::bd09_to_wgs84({p.x, p.y});
            converted.push_back({w.lon, w.lat});
        }
        t.distance = median_distance(converted, &t.shift);
    }
    const Try& best = tries[0].distance <= tries[1].distance ? tries[0] : tries[1];
    // Converted, points of a map service lie at the roads they were geocoded by (tens of metres);
    // points merely far from roads (fields, random samples) come nearer by chance, not onto them.
    constexpr double at_roads_m = 60.0;
    if (!(as_read >= 20 && best.distance <= at_roads_m && best.distance * 2.5 <= as_read &&
          as_read - best.distance >= 15))
        return {};
    std::string option = setting;
    if (const std::size_t at = option.find("{crs}"); at != std::string::npos) option.replace(at, 5, best.crs);
    char text[512];
    std::snprintf(text, sizeof text,
                  "%s: read as WGS 84, its %zu points in China lie a median %.0f m from the nearest road; as %s "
                  "coordinates (%.0f m away) they would lie %.0f m from it. If the coordinates came from that map "
                  "service, set %s",
                  what.c_str(), in_china.size(), as_read, best.source, best.shift, best.distance, option.c_str());
    return text;
}

PlacedFacilities place_points(std::span<const Point> xy, const Snapper& snapper) {
    PlacedFacilities p;
    p.snaps = snapper.snap_all(xy);
    p.delay.assign(xy.size(), 0.0);
    p.cutoff.assign(xy.size(), unreachable);
    for (std::size_t i = 0; i < xy.size(); ++i) {
        if (!p.snaps[i].ok()) {
            p.by_time.add({});
            p.by_metres.add({});
            continue;
        }
        ++p.placed;
        const Seed s = Snapper::seed(p.snaps[i], static_cast<std::uint32_t>(i));
        p.by_time.add(std::span<const Seed>(&s, 1));
        Seed m = s;
        m.start = p.snaps[i].distance;
        p.by_metres.add(std::span<const Seed>(&m, 1));
    }
    return p;
}

PlacedFacilities place_facilities(const FacilitySet& f, const Snapper& snapper, std::span<const std::uint8_t> include) {
    PlacedFacilities p;
    if (include.empty()) {
        p.snaps = snapper.snap_all(f.xy);
    } else {
        std::vector<Point> some;
        for (std::size_t i = 0; i < f.size(); ++i)
            if (include[i]) some.push_back(f.xy[i]);
        std::vector<Snap> snapped = snapper.snap_all(some);
        p.snaps.resize(f.size());
        std::size_t k = 0;
        for (std::size_t i = 0; i < f.size(); ++i) {
            if (include[i]) {
                p.snaps[i] = snapped[k++];
            } else {
                p.snaps[i].failure = SnapFailure::too_far;
                p.snaps[i].distance = std::numeric_limits<double>::infinity();
            }
        }
    }
    p.delay = f.delay;
    p.cutoff = f.cutoff;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (!p.snaps[i].ok()) {
            p.by_time.add({});
            p.by_metres.add({});
            continue;
        }
        ++p.placed;
        const Seed s = Snapper::seed(p.snaps[i], static_cast<std::uint32_t>(i), f.delay[i]);
        p.by_time.add(std::span<const Seed>(&s, 1), f.cutoff[i]);
        // Distances: the access walk in metres, no delay, no time cutoff.
        Seed m = s;
        m.start = p.snaps[i].distance;
        p.by_metres.add(std::span<const Seed>(&m, 1));
    }
    return p;
}

PlacedFacilities combined(const PlacedFacilities& base, const PlacedFacilities& more,
                          std::span<const std::uint32_t> chosen) {
    PlacedFacilities p;
    p.snaps = base.snaps;
    p.delay = base.delay;
    p.cutoff = base.cutoff;
    p.placed = base.placed;
    for (std::size_t i = 0; i < base.snaps.size(); ++i) {
        p.by_time.add(base.by_time.seeds(i), base.by_time.cutoff(i));
        p.by_metres.add(base.by_metres.seeds(i), base.by_metres.cutoff(i));
    }
    for (const std::uint32_t j : chosen) {
        const auto origin = static_cast<std::uint32_t>(p.snaps.size());
        p.snaps.push_back(more.snaps[j]);
        p.delay.push_back(more.delay[j]);
        p.cutoff.push_back(more.cutoff[j]);
        if (more.snaps[j].ok()) ++p.placed;
        std::vector<Seed> t(more.by_time.seeds(j).begin(), more.by_time.seeds(j).end());
        std::vector<Seed> m(more.by_metres.seeds(j).begin(), more.by_metres.seeds(j).end());
        for (Seed& s : t) s.origin = origin;
        for (Seed& s : m) s.origin = origin;
        p.by_time.add(t, more.by_time.cutoff(j));
        p.by_metres.add(m, more.by_metres.cutoff(j));
    }
    return p;
}

void report_unsnapped(const std::string& what, std::span<const std::string> ids, std::span<const Snap> snaps,
                      const Reporter& reporter) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < snaps.size(); ++i) {
        if (snaps[i].ok()) continue;
        if (++count <= 20) {
            char buf[64] = "";
            if (std::isfinite(snaps[i].distance)) std::snprintf(buf, sizeof buf, " (%.0f m away)", snaps[i].distance);
            reporter.warning(what + " id " + ids[i] + " not snapped: " + std::string(snap_failure_text(snaps[i].failure)) +
                             buf);
        }
    }
    if (count > 20) reporter.warning("... and " + std::to_string(count - 20) + " more unsnapped in " + what);
    if (count)
        reporter.warning(std::to_string(count) + " of " + std::to_string(snaps.size()) + " points in " + what +
                         " were not snapped (see --max-snap, --snap-to-islands)");
}

namespace {

/** A MultiPolygonXY as a GEOS geometry. */
geos::GeometryPtr to_geos(geos::GeosContext& ctx, const MultiPolygonXY& mp) {
    GEOSContextHandle_t h = ctx.handle();
    const auto ring = [&](const Ring& r) {
        GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, static_cast<unsigned>(r.size()), 2);
        for (std::size_t k = 0; k < r.size(); ++k) GEOSCoordSeq_setXY_r(h, seq, static_cast<unsigned>(k), r[k].x, r[k].y);
        return GEOSGeom_createLinearRing_r(h, seq);
    };
    std::vector<GEOSGeometry*> parts;
    for (const std::vector<Ring>& part : mp) {
        if (part.empty() || part.front().size() < 4) continue;
        GEOSGeometry* shell = ring(part.front());
        std::vector<GEOSGeometry*> holes;
        for (std::size_t k = 1; k < part.size(); ++k)
            if (part[k].size() >= 4) holes.push_back(ring(part[k]));
        parts.push_back(GEOSGeom_createPolygon_r(h, shell, holes.data(), static_cast<unsigned>(holes.size())));
    }
    return geos::own(ctx, GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts.data(),
                                                              static_cast<unsigned>(parts.size())),
                             "polygon");
}

MultiPolygonXY from_geos(geos::GeosContext& ctx, const GEOSGeometry* g) {
    GEOSContextHandle_t h = ctx.handle();
    MultiPolygonXY out;
    const auto ring = [&](const GEOSGeometry* r) {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, r);
        unsigned n = 0;
        GEOSCoordSeq_getSize_r(h, seq, &n);
        Ring pts(n);
        for (unsigned k = 0; k < n; ++k) GEOSCoordSeq_getXY_r(h, seq, k, &pts[k].x, &pts[k].y);
        return pts;
    };
    const int count = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < count; ++i) {
        const GEOSGeometry* poly = GEOSGetGeometryN_r(h, g, i);
        std::vector<Ring> rings{ring(GEOSGetExteriorRing_r(h, poly))};
        const int holes = GEOSGetNumInteriorRings_r(h, poly);
        for (int k = 0; k < holes; ++k) rings.push_back(ring(GEOSGetInteriorRingN_r(h, poly, k)));
        out.push_back(std::move(rings));
    }
    return out;
}

}  // namespace

MultiPolygonXY made_valid(const MultiPolygonXY& polygon, bool* repaired) {
    geos::GeosContext ctx;
    geos::GeometryPtr g = to_geos(ctx, polygon);
    const bool ok = GEOSisValid_r(ctx.handle(), g.get()) == 1;
    if (repaired) *repaired = !ok;
    if (ok) return polygon;
    g = geos::to_valid_multipolygon(ctx, std::move(g));
    return GEOSisEmpty_r(ctx.handle(), g.get()) == 1 ? MultiPolygonXY{} : from_geos(ctx, g.get());
}

PolygonSet read_polygon_layer(const PolygonSpec& spec, const io::Network& net, const std::string& why_polygons,
                              const Reporter& reporter) {
    io::PointReadOptions read = spec.read;
    read.polygons = true;
    const io::PointLayer layer = spec.table ? io::read_points(*spec.table, read) : io::read_points(spec.path, read);
    for (const std::string& n : layer.notes) reporter.note(spec.path + ": " + n);
    PolygonSet out;
    std::vector<std::string> repaired;
    for (const io::PointRecord& r : layer.points) {
        if (r.polygon_lonlat.empty())
            throw InputError(why_polygons + "; this feature is a point")
                .set_file(spec.path)
                .set_layer(layer.layer_name)
                .set_feature(r.id);
        MultiPolygonXY mp;
        for (const auto& part : r.polygon_lonlat) {
            std::vector<Ring> rings;
            for (const auto& ring : part) {
                Ring pts;
                for (const auto& [lon, lat] : ring) pts.push_back({lon, lat});
                net.to_work(pts);
                rings.push_back(std::move(pts));
            }
            mp.push_back(std::move(rings));
        }
        bool was_repaired = false;
        mp = made_valid(mp, &was_repaired);
        if (mp.empty())
            throw InputError("the polygon is invalid and nothing is left of it after a repair (a ring with no area); "
                             "fix it in a GIS")
                .set_file(spec.path)
                .set_layer(layer.layer_name)
                .set_feature(r.id);
        if (was_repaired) repaired.push_back(r.id);
        out.polygons.push_back(std::move(mp));
        out.names.push_back(r.name.empty() ? r.id : r.name);
        out.ids.push_back(r.id);
    }
    if (!repaired.empty())
        reporter.warning(spec.path + ": " + std::to_string(repaired.size()) +
                         " invalid polygon(s) (self-intersecting rings such as a bow-tie) were repaired with GEOS "
                         "MakeValid before use: id " +
                         list_text(repaired) + "; check them in a GIS");
    return out;
}

double straight_reach_m(Mode mode, double walk_speed_kmh, double seconds) {
    const double speed = mode == Mode::walk ? walk_speed_kmh / 3.6 : mode == Mode::bike ? 4.5 : 14.0;
    return seconds * speed;
}

std::vector<Point> auto_candidates(const RoadGraph& g, std::span<const Point> uncovered, double radius,
                                   double spacing) {
    auto key = [](double x, double y, double cell) {
        const auto cx = static_cast<std::int64_t>(std::floor(x / cell));
        const auto cy = static_cast<std::int64_t>(std::floor(y / cell));
        return cx * 73856093LL ^ cy * 19349663LL;
    };
    std::unordered_map<std::int64_t, std::vector<Point>> buckets;  // cells of size radius with gaps
    for (const Point& p : uncovered) buckets[key(p.x, p.y, radius)].push_back(p);
    auto close_to_gap = [&](const Point& q) {
        const auto cx = static_cast<std::int64_t>(std::floor(q.x / radius));
        const auto cy = static_cast<std::int64_t>(std::floor(q.y / radius));
        for (std::int64_t dx = -1; dx <= 1; ++dx)
            for (std::int64_t dy = -1; dy <= 1; ++dy) {
                const auto it = buckets.find((cx + dx) * 73856093LL ^ (cy + dy) * 19349663LL);
                if (it == buckets.end()) continue;
                for (const Point& p : it->second)
                    if (std::hypot(p.x - q.x, p.y - q.y) <= radius) return true;
            }
        return false;
    };
    std::unordered_map<std::int64_t, std::uint8_t> taken;
    std::vector<Point> out;
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        const double len = g.edge_length_m[e];
        for (double at = std::min(spacing / 2, len / 2); at <= len; at += spacing) {
            const Point q = g.point_along(e, at);
            const std::int64_t k = key(q.x, q.y, spacing);  // at most one per spacing x spacing cell
            if (taken.count(k)) continue;
            if (!close_to_gap(q)) continue;
            taken[k] = 1;
            out.push_back(q);
        }
    }
    return out;
}

}  // namespace lifecircle::studies
