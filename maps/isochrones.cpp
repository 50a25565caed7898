#include "maps/isochrones.hpp"

#include <algorithm>
#include <atomic>

#include "core/parallel.hpp"
#include "core/reach.hpp"
#include "core/search.hpp"
#include "core/wkb.hpp"
#include "maps/style.hpp"

namespace lifecircle::maps {

namespace {

struct Worker {
    explicit Worker(std::size_t nodes) : ws(nodes) {}
    SearchWorkspace ws;
    geos::GeosContext geos;
};

/** Area features of one facility (or of all, for dissolve/split), in break order. */
struct Produced {
    std::vector<Feature> areas;
    std::vector<Feature> lines;
};

/** The walks from a facility's doors to the roads, and when each is reached (delay + walk). */
struct Legs {
    std::vector<std::vector<Point>> lines;
    std::vector<Seconds> starts;
    void add(const IsochroneFacility& f) {
        for (const FacilityAccess& a : f.accesses) {
            lines.push_back({a.door, a.snap.on_road});
            starts.push_back(a.snap.access_seconds + f.delay);
        }
    }
};

/** One line per facility (split_areas takes one per origin): its quickest leg, if within `limit`.
 */
std::vector<Point> quickest_leg(const IsochroneFacility& f, Seconds limit) {
    const FacilityAccess* best = nullptr;
    for (const FacilityAccess& a : f.accesses)
        if (a.snap.access_seconds + f.delay <= limit &&
            (!best || a.snap.access_seconds < best->snap.access_seconds))
            best = &a;
    if (!best) return {};
    return {best->door, best->snap.on_road};
}

void add_seeds(const IsochroneFacility& f, std::uint32_t origin, std::vector<Seed>& seeds) {
    for (const FacilityAccess& a : f.accesses)
        seeds.push_back(Snapper::seed(a.snap, origin, f.delay));
}

Seconds earliest_start(const IsochroneFacility& f) {
    Seconds t = unreachable;
    for (const FacilityAccess& a : f.accesses) t = std::min(t, a.snap.access_seconds + f.delay);
    return t;
}

Feature area_feature(const std::string& id, const std::string& name, double minutes,
                     double min_minutes, const std::string& mode, AreaPolygon&& poly) {
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
        f.values = {id,
                    p.t_from / 60.0,
                    p.t_to / 60.0,
                    (p.to - p.from),
                    g.names[g.edge_name[p.edge]],
                    std::string(road_class_name(g.edge_class[p.edge]))};
        out.push_back(std::move(f));
    }
}

}  // namespace

std::vector<Seconds> facility_breaks(std::span<const Seconds> breaks, Seconds cutoff) {
    std::vector<Seconds> out;
    for (Seconds b : breaks)
        if (b < cutoff) out.push_back(b);
    if (cutoff != unreachable) out.push_back(cutoff);
    return out;
}

IsochroneLayers isochrone_layers(const RoadGraph& graph, ProfileId profile,
                                 std::span<const IsochroneFacility> facilities,
                                 const IsochroneOptions& options) {
    IsochroneLayers result;
    Layer& areas = result.areas;
    areas.name = "isochrones";
    areas.kind = GeometryKind::polygon;
    areas.fields = {{"facility_id", FieldType::string}, {"name", FieldType::string},
                    {"minutes", FieldType::real},       {"min_minutes", FieldType::real},
                    {"mode", FieldType::string},        {"area_km2", FieldType::real},
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
    const std::string& mode = options.mode_name;
    const IsochroneShape shape = options.shape;
    const bool any_cutoff =
        std::any_of(facilities.begin(), facilities.end(),
                    [](const IsochroneFacility& f) { return f.cutoff != unreachable; });
    auto make_worker = [&] { return Worker(graph.node_count()); };
    ParallelOptions per_facility_run;
    per_facility_run.threads = options.threads;
    per_facility_run.progress = options.progress;
    per_facility_run.cancelled = options.cancelled;
    const auto check = [&] {
        if (options.cancelled && options.cancelled()) throw Cancelled();
    };

    // Reached road: per facility (its own breaks and cutoff), or one multi-source search when
    // facilities are treated alike (dissolve and split without per-facility cutoffs).
    std::vector<ReachedPiece> shared;  // for dissolve and split
    std::vector<Produced> produced(facilities.size());
    if (shape == IsochroneShape::nested || shape == IsochroneShape::rings || any_cutoff || options.reach) {
        std::vector<std::vector<ReachedPiece>> per_facility(facilities.size());
        parallel_for_each(
            facilities.size(), per_facility_run, make_worker, [&](std::size_t i, Worker& w) {
                const IsochroneFacility& f = facilities[i];
                const std::vector<Seconds> fb = facility_breaks(options.breaks, f.cutoff);
                std::vector<ReachedPiece> pieces;
                if (options.reach) {
                    pieces = options.reach(i, fb.back());
                } else {
                    std::vector<Seed> seeds;
                    add_seeds(f, static_cast<std::uint32_t>(i), seeds);
                    search(graph, profile, seeds, fb.back(), w.ws);
                    pieces = reached_pieces(graph, w.ws, fb.back());
                }
                if (shape == IsochroneShape::nested || shape == IsochroneShape::rings) {
                    // Breaks the facility cannot even reach itself within (a long delay) are left
                    // out.
                    const auto first = static_cast<std::size_t>(
                        std::find_if(fb.begin(), fb.end(),
                                     [&](Seconds b) { return b >= earliest_start(f); }) -
                        fb.begin());
                    const std::span<const Seconds> usable(fb.data() + first, fb.size() - first);
                    Legs legs;
                    legs.add(f);
                    if (!usable.empty()) {
                        std::vector<AreaPolygon> polys = nested_areas(
                            w.geos, graph, pieces, usable, legs.lines, options.area, legs.starts);
                        if (shape == IsochroneShape::rings) polys = ring_areas(w.geos, polys, options.area.grid_m);
                        const bool rings = shape == IsochroneShape::rings;
                        for (std::size_t k = 0; k < polys.size(); ++k) {
                            // A ring starts where the facility's previous break ended.
                            const std::size_t b = first + k;
                            const double lower = rings && b > 0 ? fb[b - 1] / 60.0 : 0.0;
                            produced[i].areas.push_back(area_feature(
                                f.id, f.name, fb[b] / 60.0, lower, mode, std::move(polys[k])));
                        }
                    }
                    if (options.lines)
                        add_line_features(graph, pieces, facilities, &f.id, produced[i].lines);
                } else {
                    per_facility[i] = std::move(pieces);
                }
            });
        if (shape == IsochroneShape::dissolve || shape == IsochroneShape::split) {
            for (auto& p : per_facility) shared.insert(shared.end(), p.begin(), p.end());
            // Where facilities overlap, the one that gets there first (within its own cutoff) wins.
            shared = fastest_pieces(std::move(shared), unreachable);
        }
    } else {
        std::vector<Seed> seeds;
        for (std::size_t i = 0; i < facilities.size(); ++i)
            add_seeds(facilities[i], static_cast<std::uint32_t>(i), seeds);
        SearchWorkspace ws(graph.node_count());
        search(graph, profile, seeds, options.breaks.back(), ws);
        shared = reached_pieces(graph, ws, options.breaks.back());
        if (options.progress) options.progress(facilities.size(), facilities.size());
    }

    check();
    if (shape == IsochroneShape::dissolve) {
        Legs legs;
        for (const IsochroneFacility& f : facilities) legs.add(f);
        geos::GeosContext geos;
        std::vector<AreaPolygon> polys = nested_areas(geos, graph, shared, options.breaks,
                                                      legs.lines, options.area, legs.starts);
        for (std::size_t k = 0; k < polys.size(); ++k)
            areas.features.push_back(
                area_feature("all", "", options.breaks[k] / 60.0, 0.0, mode, std::move(polys[k])));
        if (options.lines) add_line_features(graph, shared, facilities, nullptr, lines.features);
    } else if (shape == IsochroneShape::split) {
        // For each break, the network Voronoi cells of the facilities. A facility with its own
        // cutoff appears up to the first break that reaches it, labelled with the cutoff.
        std::vector<std::vector<Feature>> per_break(options.breaks.size());
        std::vector<char> has_area(facilities.size(), 0);  // at some break
        // One break at a time, each split on all threads: one label grid in memory at once.
        geos::GeosContext geos;
        for (std::size_t k = 0; k < options.breaks.size(); ++k) {
            check();
            const Seconds b = options.breaks[k];
            std::vector<std::vector<Point>> legs(facilities.size());
            for (std::size_t i = 0; i < facilities.size(); ++i)
                legs[i] = quickest_leg(facilities[i], b);
            std::vector<AreaPolygon> polys =
                split_areas(geos, graph, shared, b, static_cast<std::uint32_t>(facilities.size()),
                            legs, options.area, options.threads);
            for (std::size_t i = 0; i < polys.size(); ++i) {
                const Seconds cutoff = facilities[i].cutoff;
                if (polys[i].area_km2 <= 0) continue;
                has_area[i] = 1;
                if (k > 0 && options.breaks[k - 1] >= cutoff) continue;  // already shown whole
                per_break[k].push_back(area_feature(facilities[i].id, facilities[i].name,
                                                    std::min(b, cutoff) / 60.0, 0.0, mode,
                                                    std::move(polys[i])));
            }
        }
        for (auto& v : per_break) std::move(v.begin(), v.end(), std::back_inserter(areas.features));
        for (std::size_t i = 0; i < facilities.size(); ++i)
            if (!has_area[i]) result.without_split_area.push_back(i);
        if (options.lines) add_line_features(graph, shared, facilities, nullptr, lines.features);
    } else {
        for (Produced& p : produced) {
            std::move(p.areas.begin(), p.areas.end(), std::back_inserter(areas.features));
            std::move(p.lines.begin(), p.lines.end(), std::back_inserter(lines.features));
        }
    }
    return result;
}

}  // namespace lifecircle::maps
