#include "maps/isochrones.hpp"

#include <algorithm>
#include <atomic>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "core/reach.hpp"
#include "core/search.hpp"
#include "maps/style.hpp"
#include "maps/wkb.hpp"

namespace lifecircle::maps {

namespace {

struct Worker {
    explicit Worker(std::size_t nodes) : ws(nodes) {}
    SearchWorkspace ws;
    GeosContext geos;
};

/** Area features of one facility (or of all, for dissolve/split), in break order. */
struct Produced {
    std::vector<Feature> areas;
    std::vector<Feature> lines;
};

/** The walks from the facility's doors to the roads, for those reached within `limit`. */
std::vector<std::vector<Point>> access_legs(const IsochroneFacility& f, Seconds limit) {
    std::vector<std::vector<Point>> legs;
    for (const FacilityAccess& a : f.accesses)
        if (a.snap.access_seconds + f.delay <= limit) legs.push_back({a.door, a.snap.on_road});
    return legs;
}

/** One single line per facility (split_areas takes one per origin): the shortest leg. */
std::vector<Point> shortest_leg(const IsochroneFacility& f, Seconds limit) {
    const FacilityAccess* best = nullptr;
    for (const FacilityAccess& a : f.accesses)
        if (a.snap.access_seconds + f.delay <= limit && (!best || a.snap.distance < best->snap.distance)) best = &a;
    if (!best) return {};
    return {best->door, best->snap.on_road};
}

void add_seeds(const IsochroneFacility& f, std::uint32_t origin, std::vector<Seed>& seeds) {
    for (const FacilityAccess& a : f.accesses) seeds.push_back(Snapper::seed(a.snap, origin, f.delay));
}

Seconds earliest_start(const IsochroneFacility& f) {
    Seconds t = unreachable;
    for (const FacilityAccess& a : f.accesses) t = std::min(t, a.snap.access_seconds + f.delay);
    return t;
}

Feature area_feature(const std::string& id, const std::string& name, double minutes, double min_minutes,
                     const std::string& mode, AreaPolygon&& poly) {
    Feature f;
    f.wkb = std::move(poly.wkb);
    f.values = {id, name, minutes, min_minutes, mode, poly.area_km2, poly.road_km};
    return f;
}

void add_line_features(const RoadGraph& g, std::span<const ReachedPiece> pieces,
                       std::span<const IsochroneFacility> facilities, const std::string* fixed_id,
                       std::vector<Feature>& out) {
    for (const ReachedPiece& p : pieces) {
        const std::vector<Point> shape = g.sub_shape(p.edge, p.from, p.to);
        Feature f;
        f.wkb = wkb_multilinestring(std::span<const std::vector<Point>>(&shape, 1));
        const std::string& id = fixed_id ? *fixed_id : facilities[p.origin].id;
        f.values = {id, p.t_from / 60.0, p.t_to / 60.0, (p.to - p.from), g.names[g.edge_name[p.edge]],
                    std::string(road_class_name(g.edge_class[p.edge]))};
        out.push_back(std::move(f));
    }
}

/** Drops the parts of pieces that lie beyond their origin's own cutoff. */
std::vector<ReachedPiece> clip_to_origin_cutoffs(std::vector<ReachedPiece> pieces,
                                                 std::span<const IsochroneFacility> facilities) {
    std::vector<ReachedPiece> out;
    out.reserve(pieces.size());
    for (ReachedPiece p : pieces) {
        const Seconds limit = facilities[p.origin].cutoff;
        if (p.t_from > limit && p.t_to > limit) continue;
        if (p.t_from > limit || p.t_to > limit) {
            const double f = (limit - p.t_from) / (p.t_to - p.t_from);
            const double x = p.from + f * (p.to - p.from);
            if (p.t_from > limit) {
                p.from = x;
                p.t_from = limit;
            } else {
                p.to = x;
                p.t_to = limit;
            }
        }
        out.push_back(p);
    }
    return out;
}

}  // namespace

std::vector<Seconds> facility_breaks(std::span<const Seconds> breaks, Seconds cutoff) {
    std::vector<Seconds> out;
    for (Seconds b : breaks)
        if (b < cutoff) out.push_back(b);
    if (cutoff != unreachable && (out.size() < breaks.size())) out.push_back(cutoff);
    return out;
}

IsochroneLayers isochrone_layers(const RoadGraph& graph, std::size_t profile,
                                 std::span<const IsochroneFacility> facilities, const IsochroneOptions& options) {
    IsochroneLayers result;
    Layer& areas = result.areas;
    areas.name = "isochrones";
    areas.kind = GeometryKind::polygon;
    areas.fields = {{"facility_id", FieldType::string}, {"name", FieldType::string}, {"minutes", FieldType::real},
                    {"min_minutes", FieldType::real},   {"mode", FieldType::string}, {"area_km2", FieldType::real},
                    {"road_km", FieldType::real}};
    std::vector<double> break_minutes;
    for (Seconds b : options.breaks) break_minutes.push_back(b / 60.0);
    areas.qml = graduated_qml(GeometryKind::polygon, "minutes", break_minutes, "min");
    areas.style_name = "minutes (graduated)";
    Layer& lines = result.lines;
    lines.name = "reached_roads";
    lines.kind = GeometryKind::line;
    lines.fields = {{"facility_id", FieldType::string}, {"minutes_from", FieldType::real},
                    {"minutes_to", FieldType::real},    {"length_m", FieldType::real},
                    {"road_name", FieldType::string},   {"road_class", FieldType::string}};
    lines.qml = graduated_qml(GeometryKind::line, "minutes_to", break_minutes, "min");
    lines.style_name = "minutes (graduated)";
    if (options.breaks.empty() || facilities.empty()) return result;
    const Seconds max_break = options.breaks.back();
    const std::string& mode = options.mode_name;

    tbb::enumerable_thread_specific<Worker> workers([&] { return Worker(graph.node_count()); });
    const int threads = options.threads ? static_cast<int>(options.threads) : tbb::task_arena::automatic;
    tbb::task_arena arena(threads);
    const bool any_cutoff = std::any_of(facilities.begin(), facilities.end(),
                                        [](const IsochroneFacility& f) { return f.cutoff != unreachable; });

    if (options.shape == IsochroneShape::nested || options.shape == IsochroneShape::rings ||
        (options.shape == IsochroneShape::dissolve && any_cutoff)) {
        // One search per facility, facilities in parallel.
        std::vector<Produced> produced(facilities.size());
        std::vector<std::vector<ReachedPiece>> all_pieces(
            options.shape == IsochroneShape::dissolve ? facilities.size() : 0);
        std::atomic<std::size_t> done{0};
        arena.execute([&] {
            tbb::parallel_for(std::size_t{0}, facilities.size(), [&](std::size_t i) {
                const IsochroneFacility& f = facilities[i];
                Worker& w = workers.local();
                const std::vector<Seconds> fb = facility_breaks(options.breaks, f.cutoff);
                if (fb.empty()) return;
                std::vector<Seed> seeds;
                add_seeds(f, static_cast<std::uint32_t>(i), seeds);
                search(graph, profile, seeds, fb.back(), w.ws);
                std::vector<ReachedPiece> pieces = reached_pieces(graph, profile, w.ws, fb.back());
                if (options.shape == IsochroneShape::dissolve) {
                    all_pieces[i] = std::move(pieces);
                } else {
                    // Breaks the facility cannot even reach itself within (long delay) are left out.
                    const auto first = static_cast<std::size_t>(
                        std::find_if(fb.begin(), fb.end(), [&](Seconds b) { return b >= earliest_start(f); }) -
                        fb.begin());
                    const std::span<const Seconds> usable(fb.data() + first, fb.size() - first);
                    const std::vector<std::vector<Point>> legs =
                        usable.empty() ? std::vector<std::vector<Point>>{} : access_legs(f, usable.front());
                    if (!usable.empty()) {
                        std::vector<AreaPolygon> polys =
                            nested_areas(w.geos, graph, pieces, usable, legs, options.area);
                        if (options.shape == IsochroneShape::rings) polys = ring_areas(w.geos, polys);
                        const bool rings = options.shape == IsochroneShape::rings;
                        for (std::size_t k = 0; k < polys.size(); ++k) {
                            // A ring starts where the facility's previous break ended.
                            const std::size_t b = first + k;
                            const double lower = rings && b > 0 ? fb[b - 1] / 60.0 : 0.0;
                            produced[i].areas.push_back(
                                area_feature(f.id, f.name, fb[b] / 60.0, lower, mode, std::move(polys[k])));
                        }
                    }
                    if (options.lines) add_line_features(graph, pieces, facilities, &f.id, produced[i].lines);
                }
                const std::size_t n = ++done;
                if (options.progress) options.progress(n, facilities.size());
            });
        });
        if (options.shape == IsochroneShape::dissolve) {
            std::vector<ReachedPiece> merged;
            std::vector<std::vector<Point>> legs;
            for (std::size_t i = 0; i < facilities.size(); ++i) {
                merged.insert(merged.end(), all_pieces[i].begin(), all_pieces[i].end());
                for (auto& leg : access_legs(facilities[i], options.breaks.front())) legs.push_back(std::move(leg));
            }
            GeosContext geos;
            std::vector<AreaPolygon> polys = nested_areas(geos, graph, merged, options.breaks, legs, options.area);
            for (std::size_t k = 0; k < polys.size(); ++k)
                areas.features.push_back(
                    area_feature("all", "", options.breaks[k] / 60.0, 0.0, mode, std::move(polys[k])));
            if (options.lines) add_line_features(graph, merged, facilities, nullptr, lines.features);
        } else {
            for (Produced& p : produced) {
                std::move(p.areas.begin(), p.areas.end(), std::back_inserter(areas.features));
                std::move(p.lines.begin(), p.lines.end(), std::back_inserter(lines.features));
            }
        }
        return result;
    }

    // One multi-source search: dissolve (no per-facility cutoffs) and split.
    std::vector<Seed> seeds;
    for (std::size_t i = 0; i < facilities.size(); ++i) add_seeds(facilities[i], static_cast<std::uint32_t>(i), seeds);
    SearchWorkspace ws(graph.node_count());
    search(graph, profile, seeds, max_break, ws);
    std::vector<ReachedPiece> pieces = reached_pieces(graph, profile, ws, max_break);
    if (any_cutoff) pieces = clip_to_origin_cutoffs(std::move(pieces), facilities);
    if (options.progress) options.progress(facilities.size() / 2, facilities.size());
    if (options.shape == IsochroneShape::dissolve) {
        std::vector<std::vector<Point>> legs;
        for (const IsochroneFacility& f : facilities)
            for (auto& leg : access_legs(f, options.breaks.front())) legs.push_back(std::move(leg));
        GeosContext geos;
        std::vector<AreaPolygon> polys = nested_areas(geos, graph, pieces, options.breaks, legs, options.area);
        for (std::size_t k = 0; k < polys.size(); ++k)
            areas.features.push_back(area_feature("all", "", options.breaks[k] / 60.0, 0.0, mode, std::move(polys[k])));
    } else {
        // Split: for each break, the network Voronoi cells of the facilities.
        std::vector<std::vector<Feature>> per_break(options.breaks.size());
        arena.execute([&] {
            tbb::parallel_for(std::size_t{0}, options.breaks.size(), [&](std::size_t k) {
                const Seconds b = options.breaks[k];
                std::vector<std::vector<Point>> legs(facilities.size());
                for (std::size_t i = 0; i < facilities.size(); ++i) legs[i] = shortest_leg(facilities[i], b);
                GeosContext& geos = workers.local().geos;
                std::vector<AreaPolygon> polys = split_areas(geos, graph, pieces, b,
                                                             static_cast<std::uint32_t>(facilities.size()), legs,
                                                             options.area);
                for (std::size_t i = 0; i < polys.size(); ++i) {
                    if (polys[i].wkb.empty() || polys[i].area_km2 <= 0) continue;
                    per_break[k].push_back(area_feature(facilities[i].id, facilities[i].name, b / 60.0, 0.0, mode,
                                                        std::move(polys[i])));
                }
            });
        });
        for (auto& v : per_break) std::move(v.begin(), v.end(), std::back_inserter(areas.features));
    }
    if (options.lines) add_line_features(graph, pieces, facilities, nullptr, lines.features);
    if (options.progress) options.progress(facilities.size(), facilities.size());
    return result;
}

}  // namespace lifecircle::maps
