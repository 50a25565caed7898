#include "studies/shard.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include <sys/stat.h>

#include "core/error.hpp"
#include "core/polygon.hpp"
#include "core/wkb.hpp"
#include "io/crs.hpp"
#include "io/points.hpp"
#include "studies/network_parts.hpp"

namespace lifecircle::studies {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

Box grow(const Box& b, double d) { return {{b.min.x - d, b.min.y - d}, {b.max.x + d, b.max.y + d}}; }

bool inside(const Box& b, Point p) { return p.x >= b.min.x && p.x <= b.max.x && p.y >= b.min.y && p.y <= b.max.y; }

bool covers(const Box& outer, const Box& inner) {
    return inner.empty() || (inner.min.x >= outer.min.x && inner.max.x <= outer.max.x && inner.min.y >= outer.min.y &&
                             inner.max.y <= outer.max.y);
}

/** Whether a half-open tile holds a point. */
bool in_tile(const Box& tile, Point p) { return p.x >= tile.min.x && p.x < tile.max.x && p.y >= tile.min.y && p.y < tile.max.y; }

std::string metres_text(double m) {
    char buf[64];
    if (m >= 10000) std::snprintf(buf, sizeof buf, "%.0f km", m / 1000.0);
    else if (m >= 1000) std::snprintf(buf, sizeof buf, "%.1f km", m / 1000.0);
    else std::snprintf(buf, sizeof buf, "%.0f m", m);
    return buf;
}

std::string shard_name(std::size_t index, std::size_t count) {
    return "shard " + std::to_string(index) + " of " + std::to_string(count);
}


/** A work CRS box as a WGS 84 box: its outline, densified, taken back and boxed. */
Box lonlat_box(const io::Network& net, const Box& work) {
    std::vector<Point> outline;
    constexpr int steps = 32;
    for (int k = 0; k <= steps; ++k) {
        const double t = static_cast<double>(k) / steps;
        const double x = work.min.x + t * (work.max.x - work.min.x);
        const double y = work.min.y + t * (work.max.y - work.min.y);
        outline.insert(outline.end(), {{x, work.min.y}, {x, work.max.y}, {work.min.x, y}, {work.max.x, y}});
    }
    net.to_lonlat(outline);
    Box out;
    for (const Point& p : outline) out.extend(p);
    return out;
}

// --- JSON ----------------------------------------------------------------------------------

nlohmann::ordered_json number_or_null(double v) {
    return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json box_json(const Box& b) {
    return {number_or_null(b.min.x), number_or_null(b.min.y), number_or_null(b.max.x), number_or_null(b.max.y)};
}

double number_from(const nlohmann::json& j, double if_null) { return j.is_null() ? if_null : j.get<double>(); }

Box box_from(const nlohmann::json& j) {
    return {{number_from(j.at(0), -inf), number_from(j.at(1), -inf)}, {number_from(j.at(2), inf), number_from(j.at(3), inf)}};
}

nlohmann::ordered_json plan_body(const ShardPlan& p) {
    nlohmann::ordered_json j;
    j["version"] = ShardPlan::version;
    j["verb"] = p.verb;
    j["args"] = p.args;
    j["cwd"] = p.cwd;
    j["shard_by"] = std::string(shard_by_name(p.by));
    j["parts_file"] = p.parts_file;
    j["parts_hash"] = hash_text(p.parts_hash);
    j["work_crs"] = p.work_crs;
    j["projection"] = p.projection;
    j["projection_source"] = p.projection_source;
    j["extent"] = box_json(p.extent);
    j["lonlat_bounds"] = box_json(p.lonlat_bounds);
    j["fastest_mps"] = p.fastest_mps;
    j["halo_m"] = p.halo_m;
    j["snap_m"] = p.snap_m;
    j["island_m"] = p.island_m;
    j["features"] = p.features;
    j["facilities"] = p.facilities;
    j["districts"] = p.districts;
    j["sites"] = p.has_sites ? nlohmann::ordered_json(p.sites) : nlohmann::ordered_json(nullptr);
    nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
    for (const FileStamp& s : p.inputs)
        inputs.push_back({{"path", s.path}, {"size", s.size}, {"mtime_ns", s.mtime_ns}, {"hash", hash_text(s.hash)}});
    j["inputs"] = inputs;
    j["district_shard"] = p.district_shard;
    nlohmann::ordered_json shards = nlohmann::ordered_json::array();
    for (const ShardSpec& s : p.shards)
        shards.push_back({{"tile", box_json(s.tile)},
                          {"core", box_json(s.core)},
                          {"features", s.features},
                          {"facilities", s.facilities},
                          {"sites", s.sites}});
    j["shards"] = shards;
    return j;
}

std::uint64_t parse_hash(const nlohmann::json& j) { return std::stoull(j.get<std::string>(), nullptr, 16); }

// --- dividing the plane ----------------------------------------------------------------------

struct Item {
    Point xy;
    double weight = 1.0;
};

/**
 * Recursive bisection: `ids` (a range of item indexes) inside `rect` into `k` leaves numbered
 * from `leaf0`, each cut across the wider side of its items' box at the weighted median that
 * keeps the leaves' shares (k1 : k - k1), between two distinct coordinates so that a cut never
 * splits items at one place. Items with coordinate < cut go to the first half.
 */
void bisect(const std::vector<Item>& items, std::vector<std::uint32_t>& ids, std::size_t lo, std::size_t hi,
            const Box& rect, std::size_t k, std::size_t leaf0, std::vector<Box>& leaf_rect) {
    if (k == 1) {
        leaf_rect[leaf0] = rect;
        return;
    }
    const std::size_t k1 = k / 2;
    Box b;
    for (std::size_t i = lo; i < hi; ++i) b.extend(items[ids[i]].xy);
    const bool x_first = b.empty() || (b.max.x - b.min.x) >= (b.max.y - b.min.y);
    std::size_t cut = hi;
    double at = 0.0;
    bool along_x = x_first;
    for (const bool try_x : {x_first, !x_first}) {
        const auto coord = [&](std::uint32_t id) { return try_x ? items[id].xy.x : items[id].xy.y; };
        std::sort(ids.begin() + static_cast<std::ptrdiff_t>(lo), ids.begin() + static_cast<std::ptrdiff_t>(hi),
                  [&](std::uint32_t a, std::uint32_t c) { return coord(a) != coord(c) ? coord(a) < coord(c) : a < c; });
        double total = 0;
        for (std::size_t i = lo; i < hi; ++i) total += items[ids[i]].weight;
        const double target = total * static_cast<double>(k1) / static_cast<double>(k);
        double before = 0, best = inf;
        for (std::size_t i = lo; i < hi; ++i) {
            if (i > lo && coord(ids[i - 1]) < coord(ids[i]) && std::abs(before - target) < best) {
                best = std::abs(before - target);
                cut = i;
                at = coord(ids[i]);
            }
            before += items[ids[i]].weight;
        }
        if (best < inf) {
            along_x = try_x;
            break;
        }
    }
    if (cut == hi) {  // every item at one place (or none): the second half gets nothing
        at = along_x ? rect.max.x : rect.max.y;
        if (!std::isfinite(at)) at = std::numeric_limits<double>::max();
    }
    Box first = rect, second = rect;
    (along_x ? first.max.x : first.max.y) = at;
    (along_x ? second.min.x : second.min.y) = at;
    bisect(items, ids, lo, cut, first, k1, leaf0, leaf_rect);
    bisect(items, ids, cut, hi, second, k - k1, leaf0 + k1, leaf_rect);
}

/** Leaves of a bisection of the whole plane. */
std::vector<Box> divide(const std::vector<Item>& items, std::size_t k) {
    std::vector<std::uint32_t> ids(items.size());
    std::iota(ids.begin(), ids.end(), 0u);
    std::vector<Box> leaves(k);
    bisect(items, ids, 0, ids.size(), Box{{-inf, -inf}, {inf, inf}}, k, 0, leaves);
    return leaves;
}

/** The fastest the profile moves on any road of the network or on the access walk (m/s). */
double fastest_speed(const RawNetwork& raw, const ProfileSettings& profile, bool follows_dem) {
    double roads = 0.0;
    for (const RawEdge& e : raw.edges) {
        const Permission p = permission(profile, e.attributes);
        if (p.forward || p.backward) roads = std::max(roads, speed_mps(profile, e.attributes));
    }
    // Tobler's function peaks at 5% downhill (x1.19); steps keep their speed, so this bounds them.
    if (follows_dem) roads *= tobler_speed_factor(-0.05);
    return std::max(roads, kmh_to_mps(profile.access_walk_speed_kmh));
}

bool raster_path(const std::string& path) { return io::is_demand_raster(path); }

}  // namespace

io::Network plan_frame(const ShardPlan& plan) {
    io::Network net;
    net.work_crs = plan.work_crs;
    net.lonlat_to_work = std::make_shared<const io::Transformer>(
        plan.projection_source, plan.projection.empty() ? plan.work_crs : plan.projection);
    return net;
}

std::string_view shard_by_name(ShardBy by) { return by == ShardBy::districts ? "districts" : "tiles"; }

ShardBy parse_shard_by(const std::string& text, const std::string& option) {
    if (text == "tiles") return ShardBy::tiles;
    if (text == "districts") return ShardBy::districts;
    throw UsageError(option + " must be tiles or districts, not '" + text + "'");
}

std::size_t ShardPlan::owner(Point xy, std::span<const std::uint32_t> in) const {
    if (by == ShardBy::districts && !in.empty() && in.front() < district_shard.size()) return district_shard[in.front()];
    for (std::size_t i = 0; i < shards.size(); ++i)
        if (in_tile(shards[i].tile, xy)) return i;
    return 0;  // the tiles cover the plane; a NaN point goes to the first
}

std::uint64_t plan_hash(const ShardPlan& plan) { return hash_bytes(plan_body(plan).dump()); }

nlohmann::ordered_json plan_json(const ShardPlan& plan) {
    nlohmann::ordered_json j = plan_body(plan);
    j["hash"] = hash_text(plan_hash(plan));
    return j;
}

ShardPlan plan_from_json(const std::string& text, const std::string& where) {
    ShardPlan p;
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        if (j.at("version").get<int>() != ShardPlan::version)
            throw InputError("the sharded run was planned by another version of lifecircle (manifest version " +
                             std::to_string(j.at("version").get<int>()) + "); plan it again")
                .set_file(where);
        p.verb = j.at("verb").get<std::string>();
        p.args = j.at("args").get<std::vector<std::string>>();
        p.cwd = j.at("cwd").get<std::string>();
        p.by = parse_shard_by(j.at("shard_by").get<std::string>(), "shard_by");
        p.parts_file = j.at("parts_file").get<std::string>();
        p.parts_hash = parse_hash(j.at("parts_hash"));
        p.work_crs = j.at("work_crs").get<std::string>();
        p.projection = j.at("projection").get<std::string>();
        p.projection_source = j.at("projection_source").get<std::string>();
        p.extent = box_from(j.at("extent"));
        p.lonlat_bounds = box_from(j.at("lonlat_bounds"));
        p.fastest_mps = j.at("fastest_mps").get<double>();
        p.halo_m = j.at("halo_m").get<double>();
        p.snap_m = j.at("snap_m").get<double>();
        p.island_m = j.at("island_m").get<double>();
        p.features = j.at("features").get<std::size_t>();
        p.facilities = j.at("facilities").get<std::size_t>();
        p.districts = j.at("districts").get<std::size_t>();
        p.has_sites = !j.at("sites").is_null();
        p.sites = p.has_sites ? j.at("sites").get<std::size_t>() : 0;
        for (const auto& s : j.at("inputs"))
            p.inputs.push_back({s.at("path").get<std::string>(), s.at("size").get<std::uint64_t>(),
                                s.at("mtime_ns").get<std::int64_t>(), parse_hash(s.at("hash"))});
        p.district_shard = j.at("district_shard").get<std::vector<std::uint32_t>>();
        for (const auto& s : j.at("shards"))
            p.shards.push_back({box_from(s.at("tile")), box_from(s.at("core")), s.at("features").get<std::size_t>(),
                                s.at("facilities").get<std::size_t>(), s.at("sites").get<std::size_t>()});
        p.hash = parse_hash(j.at("hash"));
    } catch (const nlohmann::json::exception& e) {
        throw InputError(std::string("the manifest of the sharded run cannot be read (") + e.what() +
                         "); plan the run again")
            .set_file(where);
    } catch (const std::invalid_argument&) {
        throw InputError("the manifest of the sharded run holds a hash that is not hexadecimal; plan the run again")
            .set_file(where);
    }
    if (p.shards.empty()) throw InputError("the manifest of the sharded run lists no shard; plan the run again").set_file(where);
    if (plan_hash(p) != p.hash)
        throw InputError("the manifest of the sharded run was changed after it was written (its hash does not match "
                         "its content); plan the run again")
            .set_file(where);
    return p;
}

std::string shard_file_name(std::size_t index, std::size_t count) {
    return "shard-" + std::to_string(index) + "-of-" + std::to_string(count) + ".bin";
}

std::vector<std::string> study_inputs(const AreaSpec& spec, const ServiceOptions& options,
                                      const std::string& standards_file, const std::string& sites) {
    std::vector<std::string> out;
    for (const std::string& p : {spec.network.path, spec.network.read.elevation, spec.demand.path, options.facilities.path,
                                 options.facilities.osm_file, spec.districts.path, standards_file, sites})
        if (!p.empty() && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    return out;
}

void check_plan_inputs(const ShardPlan& plan) {
    for (const FileStamp& s : plan.inputs) {
        struct stat st {};
        if (::stat(s.path.c_str(), &st) != 0)
            throw InputError("the sharded run read this file when it was planned, but it is gone now; plan the run "
                             "again")
                .set_file(s.path);
        const std::int64_t mtime = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
        if (static_cast<std::uint64_t>(st.st_size) != s.size || mtime != s.mtime_ns)
            throw InputError("the file changed after the sharded run was planned (" +
                             std::string(static_cast<std::uint64_t>(st.st_size) != s.size ? "its size" : "its time") +
                             " differs), so the shards would not add up to one run; plan the run again")
                .set_file(s.path);
    }
}

ShardPlan plan_shards(const AreaSpec& spec, const ServiceOptions& o, const ShardOptions& so,
                      std::vector<std::string> args, std::string cwd,
                      const std::function<void(std::string_view)>& parts_sink, const Reporter& reporter) {
    const std::string demand_file = spec.demand.path.empty() ? spec.demand.buildings : spec.demand.path;
    if (so.shards < 1) throw UsageError("a sharded run needs at least one shard");
    if (so.shards > 100000) throw UsageError("a sharded run takes at most 100000 shards");
    if (!spec.demand.buildings.empty() || !spec.demand.read.buildings.empty())
        throw UsageError("a sharded run reads the residents from a point or polygon layer; estimate them from the "
                         "buildings first (lifecircle demand --buildings ... --out residents.gpkg) and give that "
                         "layer as the demand");
    if (!spec.demand.path.empty() && raster_path(spec.demand.path))
        throw UsageError("a sharded run reads the residents from a point or polygon layer, not a raster; turn the "
                         "raster's cells into points first (gdal_translate -of XYZ, or gdal_polygonize.py) and give "
                         "that layer as the demand")
            ;
    if (o.areas) throw UsageError("a sharded run does not draw service areas yet; draw them with lifecircle isochrones");
    if (!spec.network.read.edits.empty() || !spec.network.read.edits_lonlat.empty())
        throw UsageError("a sharded run does not take road works yet; run the what-if study on one machine");
    if (so.by == ShardBy::districts && spec.districts.path.empty())
        throw UsageError("--shard-by districts needs --districts FILE");
    if (!o.standard.minutes && !o.standard.metres)
        throw UsageError("the standard gives neither minutes nor metres");

    ShardPlan plan;
    plan.verb = so.verb;
    plan.args = std::move(args);
    plan.cwd = std::move(cwd);
    plan.by = so.by;

    // The network, once: its roads go into the parts file; the plan keeps its frame.
    const ProfileSettings profile = o.standard.profile();
    io::NetworkOptions no = spec.network.read;
    no.profiles = {profile, length_profile(profile)};
    {
        io::RawRoads roads = io::read_roads(spec.network.path, no);
        for (const std::string& w : roads.warnings) reporter.note(spec.network.path + ": " + w);
        reporter.check();
        for (const Point& p : roads.network.nodes) plan.extent.extend(p);
        for (const Point& p : roads.network.shape_points) plan.extent.extend(p);
        if (plan.extent.empty()) throw InputError("the network has no roads").set_file(spec.network.path);
        const bool follows_dem = !no.elevation.empty() && profile.mode == Mode::walk &&
                                 profile.slope == SlopeModel::tobler && profile.metric == Metric::time;
        plan.fastest_mps = fastest_speed(roads.network, profile, follows_dem);
        plan.work_crs = roads.work_crs;
        plan.projection = roads.projection;
        plan.projection_source = roads.projection_source;
        reporter.progress("network parts", 0, 1);
        plan.parts_hash = write_network_parts(roads, so.parts_cell_m, parts_sink);
        reporter.progress("network parts", 1, 1);
    }
    const io::Network frame = plan_frame(plan);
    {
        std::vector<Point> corners{{plan.extent.min.x, plan.extent.min.y},
                                   {plan.extent.max.x, plan.extent.min.y},
                                   {plan.extent.min.x, plan.extent.max.y},
                                   {plan.extent.max.x, plan.extent.max.y}};
        frame.to_lonlat(corners);
        for (const Point& p : corners) plan.lonlat_bounds.extend(p);
    }
    reporter.check();

    // The demand's features: where they are and how far they reach.
    io::PointReadOptions po;
    po.layer = spec.demand.read.layer;
    po.id_field = spec.demand.read.id_field;
    po.input_crs = spec.demand.read.input_crs;
    po.polygons = true;
    std::vector<Point> rep;
    std::vector<Box> extent;
    {
        io::PointLayer layer = io::read_points(spec.demand.path, po);
        for (const std::string& n : layer.notes) reporter.note(spec.demand.path + ": " + n);
        std::int64_t previous = std::numeric_limits<std::int64_t>::min();
        rep.reserve(layer.points.size());
        extent.reserve(layer.points.size());
        for (io::PointRecord& r : layer.points) {
            if (r.fid <= previous)
                throw UsageError("the demand layer's feature ids (FIDs) do not follow its order (FID " +
                                 std::to_string(r.fid) + " comes after FID " + std::to_string(previous) +
                                 "), and the shards put their residents back in order by them; write the layer "
                                 "anew first (ogr2ogr -f GPKG demand.gpkg " + spec.demand.path + ")");
            previous = r.fid;
            std::vector<Point> xy{{r.lon, r.lat}};
            for (const auto& part : r.polygon_lonlat)
                for (const auto& ring : part)
                    for (const auto& [lon, lat] : ring) xy.push_back({lon, lat});
            frame.to_work(xy);
            Box b;
            for (const Point& p : xy) b.extend(p);
            rep.push_back(xy.front());
            extent.push_back(b);
            r = {};  // the rings of a large polygon layer go as they are read
        }
    }
    plan.features = rep.size();
    reporter.check();

    FacilitySpec fs = o.facilities;
    fs.network_lonlat_bounds = plan.lonlat_bounds;
    const FacilitySet facilities = read_facilities(fs, frame, reporter);
    plan.facilities = facilities.size();
    PolygonSet districts;
    if (!spec.districts.path.empty())
        districts = read_polygon_layer(spec.districts, frame, "the districts must be polygons", reporter);
    plan.districts = districts.polygons.size();
    std::unique_ptr<PolygonIndex> index;
    if (!districts.polygons.empty()) index = std::make_unique<PolygonIndex>(districts.polygons);
    const auto in_districts = [&](Point p) {
        return index && so.by == ShardBy::districts ? index->containing(p) : std::vector<std::uint32_t>{};
    };

    // Who owns what.
    std::vector<Box> tiles;
    if (so.by == ShardBy::tiles) {
        std::vector<Item> items(rep.size());
        for (std::size_t i = 0; i < rep.size(); ++i) items[i].xy = rep[i];
        tiles = divide(items, so.shards);
    } else {
        std::vector<Item> items(districts.polygons.size());
        std::vector<double> weight(districts.polygons.size(), 0.0);
        for (const Point& p : rep) {
            const std::vector<std::uint32_t> in = index->containing(p);
            if (!in.empty()) weight[in.front()] += 1.0;
        }
        for (std::size_t d = 0; d < items.size(); ++d) {
            const Box b = bounds(districts.polygons[d]);
            items[d] = {{0.5 * (b.min.x + b.max.x), 0.5 * (b.min.y + b.max.y)}, weight[d]};
        }
        tiles = divide(items, so.shards);
        plan.district_shard.resize(items.size());
        for (std::size_t d = 0; d < items.size(); ++d)
            for (std::size_t s = 0; s < tiles.size(); ++s)
                if (in_tile(tiles[s], items[d].xy)) plan.district_shard[d] = static_cast<std::uint32_t>(s);
    }
    plan.shards.resize(so.shards);
    for (std::size_t s = 0; s < so.shards; ++s) plan.shards[s].tile = tiles[s];
    for (std::size_t i = 0; i < rep.size(); ++i) {
        ShardSpec& s = plan.shards[plan.owner(rep[i], in_districts(rep[i]))];
        ++s.features;
        s.core.extend(extent[i].min);
        s.core.extend(extent[i].max);
    }
    for (std::size_t f = 0; f < facilities.size(); ++f) {
        ShardSpec& s = plan.shards[plan.owner(facilities.xy[f], in_districts(facilities.xy[f]))];
        ++s.facilities;
        s.core.extend(facilities.xy[f]);
    }
    if (so.more_points)
        for (const Point& xy : so.more_points(frame, plan.lonlat_bounds)) plan.shards[plan.owner(xy, in_districts(xy))].core.extend(xy);
    if (so.sites) {
        FacilitySpec ss = so.sites->sites;
        ss.network_lonlat_bounds = plan.lonlat_bounds;
        const FacilitySet sites = read_facilities(ss, frame, reporter);
        plan.has_sites = true;
        plan.sites = sites.size() + (so.sites->with_facilities ? facilities.size() : 0);
        for (std::size_t k = 0; k < sites.size(); ++k) {
            ShardSpec& s = plan.shards[plan.owner(sites.xy[k], in_districts(sites.xy[k]))];
            ++s.sites;
            s.core.extend(sites.xy[k]);
        }
    }
    for (std::size_t s = 0; s < so.shards; ++s)
        if (plan.shards[s].features == 0)
            throw UsageError(shard_name(s, so.shards) + " would own no demand feature (the " +
                             std::to_string(plan.features) + " features of " + demand_file + " do not go round" +
                             (so.by == ShardBy::districts ? ", or its districts hold none" : std::string()) +
                             "); use fewer shards");

    // The first halo: the standard's reach (or a candidate table's) at the fastest speed, and the snap.
    plan.snap_m = spec.network.snap.max_distance;
    plan.island_m = spec.network.snap.allow_islands ? 0.0 : spec.network.snap.min_component_m;
    double reach = 0.0;
    if (o.standard.minutes) reach = *o.standard.minutes * 60.0 * plan.fastest_mps;
    if (o.standard.metres) reach = std::max(reach, *o.standard.metres);
    if (so.sites && so.sites->bound > 0) reach = std::max(reach, so.sites->bound * plan.fastest_mps);
    reach = std::max({reach, so.longest_seconds * plan.fastest_mps, so.longest_metres});
    plan.halo_m = reach + plan.snap_m;
    std::vector<std::string> files = study_inputs(spec, o, {}, so.sites ? so.sites->sites.path : std::string());
    for (const std::string& f : so.extra_inputs)
        if (!f.empty() && std::find(files.begin(), files.end(), f) == files.end()) files.push_back(f);
    for (const std::string& path : files) plan.inputs.push_back(stamp_file(path));
    plan.hash = plan_hash(plan);
    return plan;
}


namespace {

/** Why a shard's answers are not all final yet, and how far it must read to make them so. */
struct Unsettled {
    std::size_t residents = 0;
    std::size_t pairs = 0;
    Seconds longest_seconds = 0;  ///< the longest finite time not yet final
    Meters longest_metres = 0;
    bool unreached = false;       ///< a resident no facility reached, in a component that goes on
};

/**
 * Checks every answer of the shard (see the file comment of shard.hpp): times up to T_safe,
 * residents on components wholly inside the shard's roads, and unreachable residents when every
 * facility's own cutoff is within T_safe are final.
 */
Unsettled check_answers(const ShardPlan& plan, const StudyArea& area, const ServiceOptions& o,
                        const FacilitySet& facilities, const ServiceSearches& s, const TimeTable* sites,
                        const Box& region, double halo) {
    Unsettled u;
    const RoadGraph& g = area.net.graph;
    const ProfileData& pd = g.profile(area.time(o.standard.direction));
    const std::size_t components = pd.component_size.size();
    std::vector<std::uint8_t> frontier(components, 0);
    std::vector<Box> box(components);
    for (NodeId v = 0; v < g.node_count(); ++v) {
        const std::uint32_t c = pd.node_component[v];
        if (c != invalid_index && !inside(region, g.node_xy[v])) frontier[c] = 1;
    }
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        const std::uint32_t c = pd.node_component[g.edge_from[e]];
        if (c == invalid_index) continue;
        for (std::uint32_t k = 0; k < g.shape_size(e); ++k) box[c].extend(g.shape_begin(e)[k]);
    }
    std::vector<std::uint8_t> whole(components, 0);
    for (std::size_t c = 0; c < components; ++c)
        whole[c] = !frontier[c] && covers(region, grow(box[c], plan.margin_m())) ? 1 : 0;
    Seconds horizon = 0;
    for (const Seconds c : facilities.cutoff) horizon = std::max(horizon, c);
    if (facilities.cutoff.empty()) horizon = unreachable;
    const double safe_metres = halo - plan.snap_m;
    const Seconds safe_seconds = safe_metres / plan.fastest_mps;
    const planners::CoverageResult& c = s.coverage;
    for (std::size_t i = 0; i < area.demand_snaps.size(); ++i) {
        const Snap& snap = area.demand_snaps[i];
        if (!snap.ok()) continue;  // a snap is the whole run's: every road within the snap is here
        const std::uint32_t comp = pd.node_component[g.edge_from[snap.position.edge]];
        if (comp != invalid_index && whole[comp]) continue;
        bool open = false;
        const Seconds t = c.by_time.seconds[i];
        if (!(t <= safe_seconds) && !(t == unreachable && horizon <= safe_seconds)) {
            open = true;
            if (t == unreachable) u.unreached = true;
            else u.longest_seconds = std::max(u.longest_seconds, t);
        }
        if (c.has_length) {
            const Meters m = c.by_length.seconds[i];
            if (!(m <= safe_metres)) {
                open = true;
                if (m == unreachable) u.unreached = true;
                else u.longest_metres = std::max(u.longest_metres, m);
            }
        }
        if (open) ++u.residents;
    }
    for (const TimeTable* t : {s.pairs ? &*s.pairs : nullptr, sites}) {
        for (std::size_t r = 0; t && r < t->rows(); ++r)
            for (const TimeEntry& e : t->row(r))
                if (!(e.seconds <= safe_seconds)) {
                    ++u.pairs;
                    u.longest_seconds = std::max(u.longest_seconds, Seconds(e.seconds));
                }
    }
    return u;
}

}  // namespace

ShardResult run_shard(const ShardPlan& plan, const std::string& parts_path, std::size_t index, const AreaSpec& spec_in,
                      const ServiceOptions& o, const Reporter& reporter, const SiteTableSpec* sites,
                      const FacilityProvider& provider) {
    const std::size_t count = plan.shards.size();
    if (index >= count)
        throw UsageError("there is no " + shard_name(index, count) + ": the plan has shards 0 to " +
                         std::to_string(count - 1));
    const NetworkPartsInfo parts = read_network_parts_info(parts_path);
    if (parts.hash != plan.parts_hash)
        throw InputError("the network parts file is not the one this run was planned with (its hash differs); plan "
                         "the run again")
            .set_file(parts_path);
    const ShardSpec& me = plan.shards[index];
    const std::string who = shard_name(index, count);
    const io::Network frame = plan_frame(plan);

    // The districts first: ownership in districts mode asks which one holds a feature.
    PolygonSet districts;
    if (!spec_in.districts.path.empty())
        districts = read_polygon_layer(spec_in.districts, frame, "the districts must be polygons", reporter);
    if (districts.polygons.size() != plan.districts)
        throw InputError("the districts file holds " + std::to_string(districts.polygons.size()) +
                         " districts, the plan " + std::to_string(plan.districts) + "; plan the run again")
            .set_file(spec_in.districts.path);
    const PolygonIndex district_index(districts.polygons);
    const bool by_districts = plan.by == ShardBy::districts;
    const auto owner = [&](Point xy) {
        return plan.owner(xy, by_districts ? district_index.containing(xy) : std::vector<std::uint32_t>{});
    };

    AreaSpec spec = spec_in;
    spec.part = true;
    spec.network.snap.largest_never_island = false;
    spec.demand.read.lonlat_filter = lonlat_box(frame, me.core);
    spec.demand.read.keep = [&](std::int64_t, double lon, double lat) {
        std::vector<Point> xy{{lon, lat}};  // projected as the plan and read_demand project it
        frame.to_work(xy);
        return owner(xy.front()) == index;
    };
    FacilitySpec facility_spec = o.facilities;
    facility_spec.network_lonlat_bounds = plan.lonlat_bounds;
    if (plan.has_sites && !sites) throw UsageError("the run was planned with candidate sites; give them to every shard");
    FacilitySpec site_spec = sites ? sites->sites : FacilitySpec{};
    site_spec.network_lonlat_bounds = plan.lonlat_bounds;
    const Box everything = grow(plan.extent, plan.margin_m());

    double halo = plan.halo_m;
    for (std::size_t read = 1;; ++read) {
        const Box region = grow(grow(me.core, halo), plan.margin_m());
        spec.network.read_roads = [&](const io::NetworkOptions&) { return read_network_part(parts_path, region); };
        std::unique_ptr<StudyArea> area = load_area(spec, o.standard.profile(), reporter, &districts);
        reporter.check();
        FacilitySet facilities = provider ? provider(area->net, plan.lonlat_bounds, reporter) : read_facilities(facility_spec, area->net, reporter);
        if (!provider && facilities.size() != plan.facilities)
            throw InputError("the facilities file holds " + std::to_string(facilities.size()) +
                             " facilities, the plan " + std::to_string(plan.facilities) + "; plan the run again")
                .set_file(facilities.source);
        std::vector<std::uint8_t> include(facilities.size());
        for (std::size_t f = 0; f < facilities.size(); ++f) include[f] = inside(region, facilities.xy[f]) ? 1 : 0;
        PlacedFacilities placed = place_facilities(facilities, *area->snapper, include);
        ServiceSearches searches = service_searches(*area, o, facilities, placed, reporter);
        reporter.check();
        // A suggestion: the pairs of the existing facilities and of every candidate site placed
        // here, as run_suggestion() tabulates them (a site has no delay and no own cutoff).
        std::optional<ShardResult::Sites> site_table;
        if (sites) {
            if (!searches.pairs)
                searches.pairs = pairs_within(*area, o.standard, placed, facilities.xy, reporter,
                                              "searches from existing facilities");
            site_table.emplace();
            FacilitySet& set = site_table->set;
            set = read_facilities(site_spec, area->net, reporter);
            for (std::size_t f = 0; sites->with_facilities && f < facilities.size(); ++f) {
                set.ids.push_back(facilities.ids[f]);
                set.names.push_back(facilities.names[f]);
                set.lonlat.push_back(facilities.lonlat[f]);
                set.xy.push_back(facilities.xy[f]);
                if (set.has_capacity()) set.capacity.push_back(0.0);
                if (!set.cost.empty()) set.cost.push_back(1.0);
                set.outline.emplace_back();
            }
            if (plan.has_sites && set.size() != plan.sites)
                throw InputError("the candidate sites file holds " + std::to_string(set.size()) + " sites, the plan " +
                                 std::to_string(plan.sites) + "; plan the run again")
                    .set_file(set.source);
            set.delay.assign(set.size(), 0.0);
            set.cutoff.assign(set.size(), unreachable);
            std::vector<std::uint8_t> in(set.size());
            for (std::size_t k = 0; k < set.size(); ++k) in[k] = inside(region, set.xy[k]) ? 1 : 0;
            PlacedFacilities sp = place_facilities(set, *area->snapper, in);
            site_table->pairs = pairs_within(*area, o.standard, sp, set.xy, reporter,
                                             "searches from " + std::to_string(set.size()) + " candidate sites",
                                             sites->bound, sites->apply_metres);
            site_table->snaps = std::move(sp.snaps);
            site_table->owns.resize(set.size());
            for (std::size_t k = 0; k < set.size(); ++k) {
                site_table->owns[k] = owner(set.xy[k]) == index ? 1 : 0;
                if (site_table->owns[k] && !in[k])
                    throw std::logic_error("run_shard: a candidate site the shard owns lies outside its roads");
            }
            reporter.check();
        }

        const Unsettled u = check_answers(plan, *area, o, facilities, searches,
                                          site_table ? &site_table->pairs : nullptr, region, halo);
        const bool all = covers(region, everything);
        if ((u.residents > 0 || u.pairs > 0) && !all) {
            double next = halo * 1.25;
            if (u.unreached) next = std::max(next, 2.0 * halo);
            next = std::max(next, plan.fastest_mps * u.longest_seconds * (1 + 1e-9) + plan.snap_m + 1.0);
            next = std::max(next, u.longest_metres * (1 + 1e-9) + plan.snap_m + 1.0);
            // No further than the whole network: there every answer is final.
            const double to_all = std::max({me.core.min.x - everything.min.x, everything.max.x - me.core.max.x,
                                            me.core.min.y - everything.min.y, everything.max.y - me.core.max.y, 0.0});
            next = std::min(next, to_all + 1.0);
            std::string why;
            if (u.residents > 0)
                why = std::to_string(u.residents) + " residents' nearest facility may lie beyond the halo of " +
                      metres_text(halo) +
                      (u.longest_seconds > 0 ? " (up to " + std::to_string(static_cast<long long>(
                                                               std::ceil(u.longest_seconds / 60.0))) + " min found)"
                                             : std::string()) +
                      (u.unreached ? " (some reached by no facility there)" : std::string());
            if (u.pairs > 0)
                why += std::string(why.empty() ? "" : "; ") + std::to_string(u.pairs) + " pairs within the standard "
                       "take longer than the halo covers";
            reporter.note(who + ": " + why + ": reading its roads again with a halo of " + metres_text(next));
            halo = next;
            continue;
        }

        ShardResult r;
        r.plan_hash = plan.hash;
        r.index = index;
        r.count = count;
        r.halo_m = halo;
        r.reads = read;
        r.coverage = std::move(searches.coverage);
        r.pairs = std::move(searches.pairs);
        r.snap_failure.reserve(area->demand_snaps.size());
        for (const Snap& sn : area->demand_snaps) r.snap_failure.push_back(static_cast<std::uint8_t>(sn.failure));
        r.point_districts.resize(area->demand.xy.size());
        for (std::size_t d = 0; d < area->membership.members.size(); ++d)
            for (const std::uint32_t i : area->membership.members[d])
                r.point_districts[i].push_back(static_cast<std::uint32_t>(d));
        r.owns_facility.resize(facilities.size());
        for (std::size_t f = 0; f < facilities.size(); ++f) {
            r.owns_facility[f] = owner(facilities.xy[f]) == index ? 1 : 0;
            if (r.owns_facility[f] && !include[f])
                throw std::logic_error("run_shard: a facility the shard owns lies outside its roads");
        }
        r.facility_snaps = std::move(placed.snaps);
        r.facilities = std::move(facilities);
        r.demand = std::move(area->demand);
        r.districts = std::move(districts);
        r.sites = std::move(site_table);
        return r;
    }
}

// --- the result's bytes ------------------------------------------------------------------------

namespace {

constexpr std::string_view result_magic = "LCSHARD2";

void put_value(BinaryWriter& w, const Value& v) {
    w.put<std::uint8_t>(static_cast<std::uint8_t>(v.index()));
    if (const auto* i = std::get_if<std::int64_t>(&v)) w.put<std::int64_t>(*i);
    else if (const auto* d = std::get_if<double>(&v)) w.put<double>(*d);
    else if (const auto* t = std::get_if<std::string>(&v)) w.put_string(*t);
}

Value get_value(BinaryReader& r) {
    switch (r.get<std::uint8_t>()) {
        case 0: return std::monostate{};
        case 1: return r.get<std::int64_t>();
        case 2: return r.get<double>();
        case 3: return r.get_string();
        default: r.damaged();
    }
}

void put_points(BinaryWriter& w, const std::vector<Point>& v) {
    w.put<std::uint64_t>(v.size());
    for (const Point& p : v) {
        w.put<double>(p.x);
        w.put<double>(p.y);
    }
}

std::vector<Point> get_points(BinaryReader& r) {
    std::vector<Point> v(r.count(16));
    for (Point& p : v) {
        p.x = r.get<double>();
        p.y = r.get<double>();
    }
    return v;
}

void put_matrix(BinaryWriter& w, const std::vector<std::vector<double>>& m) {
    w.put<std::uint64_t>(m.size());
    for (const auto& row : m) w.put_vector(row);
}

std::vector<std::vector<double>> get_matrix(BinaryReader& r) {
    std::vector<std::vector<double>> m(r.count(8));
    for (auto& row : m) row = r.get_vector<double>();
    return m;
}

void put_polygon(BinaryWriter& w, const MultiPolygonXY& mp) {
    w.put<std::uint64_t>(mp.size());
    for (const auto& part : mp) {
        w.put<std::uint64_t>(part.size());
        for (const Ring& ring : part) put_points(w, ring);
    }
}

MultiPolygonXY get_polygon(BinaryReader& r) {
    MultiPolygonXY mp(r.count(8));
    for (auto& part : mp) {
        part.resize(r.count(8));
        for (Ring& ring : part) ring = get_points(r);
    }
    return mp;
}

void put_nearest(BinaryWriter& w, const planners::Nearest& n) {
    w.put_vector(n.seconds);
    w.put_vector(n.facility);
}

planners::Nearest get_nearest(BinaryReader& r) {
    planners::Nearest n;
    n.seconds = r.get_vector<Seconds>();
    n.facility = r.get_vector<std::uint32_t>();
    return n;
}

void put_snaps(BinaryWriter& w, const std::vector<Snap>& snaps) {
    w.put<std::uint64_t>(snaps.size());
    for (const Snap& s : snaps) {
        w.put<std::uint8_t>(static_cast<std::uint8_t>(s.failure));
        w.put<double>(s.distance);
        w.put<double>(s.access_seconds);
        w.put<double>(s.on_road.x);
        w.put<double>(s.on_road.y);
    }
}

std::vector<Snap> get_snaps(BinaryReader& r) {
    std::vector<Snap> v(r.count(33));
    for (Snap& s : v) {
        s.failure = static_cast<SnapFailure>(r.get<std::uint8_t>());
        s.distance = r.get<double>();
        s.access_seconds = r.get<double>();
        s.on_road.x = r.get<double>();
        s.on_road.y = r.get<double>();
    }
    return v;
}

void put_table(BinaryWriter& w, const TimeTable& t) {
    w.put<std::uint64_t>(t.rows());
    w.put<std::uint64_t>(t.cols());
    for (std::size_t row = 0; row < t.rows(); ++row) {
        const auto entries = t.row(row);
        w.put<std::uint64_t>(entries.size());
        for (const TimeEntry& e : entries) {
            w.put<std::uint32_t>(e.col);
            w.put<float>(e.seconds);
        }
    }
}

TimeTable get_table(BinaryReader& r) {
    const auto rows = r.get<std::uint64_t>();
    const auto cols = r.get<std::uint64_t>();
    if (rows > r.left() / 8) r.damaged();
    std::vector<std::vector<TimeEntry>> entries(rows);
    for (auto& row : entries) {
        row.resize(r.count(8));
        for (TimeEntry& e : row) {
            e.col = r.get<std::uint32_t>();
            e.seconds = r.get<float>();
            if (e.col >= cols) r.damaged();
        }
    }
    return TimeTable(std::move(entries), cols);
}

void put_facilities(BinaryWriter& w, const FacilitySet& f) {
    w.put_string(f.source);
    w.put_strings(f.ids);
    w.put_strings(f.names);
    put_points(w, f.lonlat);
    put_points(w, f.xy);
    w.put_vector(f.capacity);
    w.put_vector(f.delay);
    w.put_vector(f.cutoff);
    w.put_vector(f.cost);
    w.put<std::uint64_t>(f.outline.size());
    for (const auto& o : f.outline) put_points(w, o);
}

FacilitySet get_facilities(BinaryReader& r) {
    FacilitySet f;
    f.source = r.get_string();
    f.ids = r.get_strings();
    f.names = r.get_strings();
    f.lonlat = get_points(r);
    f.xy = get_points(r);
    f.capacity = r.get_vector<double>();
    f.delay = r.get_vector<Seconds>();
    f.cutoff = r.get_vector<Seconds>();
    f.cost = r.get_vector<double>();
    f.outline.resize(r.count(8));
    for (auto& o : f.outline) o = get_points(r);
    return f;
}

}  // namespace

std::string shard_result_bytes(const ShardResult& x) {
    BinaryWriter w;
    w.raw(result_magic);
    w.put<std::uint64_t>(x.plan_hash);
    w.put<std::uint64_t>(x.index);
    w.put<std::uint64_t>(x.count);
    w.put<double>(x.halo_m);
    w.put<std::uint64_t>(x.reads);
    // Demand.
    const io::DemandSet& d = x.demand;
    w.put_strings(d.groups);
    put_points(w, d.xy);
    w.put_vector(d.feature);
    put_matrix(w, d.weights);
    w.put_strings(d.ids);
    w.put_vector(d.fids);
    put_matrix(w, d.feature_weights);
    w.put_string(d.kind);
    w.put_string(d.features.name);
    w.put<std::uint8_t>(static_cast<std::uint8_t>(d.features.kind));
    w.put<std::uint64_t>(d.features.fields.size());
    for (const Field& f : d.features.fields) {
        w.put_string(f.name);
        w.put<std::uint8_t>(static_cast<std::uint8_t>(f.type));
    }
    w.put<std::uint64_t>(d.features.features.size());
    for (const Feature& f : d.features.features) {
        w.put_vector(f.wkb);
        w.put<std::uint64_t>(f.values.size());
        for (const Value& v : f.values) put_value(w, v);
    }
    w.put<std::uint64_t>(d.polygons_without_road);
    w.put<std::uint64_t>(d.empty_weights);
    w.put_vector(x.snap_failure);
    // Coverage.
    const planners::CoverageResult& c = x.coverage;
    put_nearest(w, c.by_time);
    put_nearest(w, c.by_length);
    std::vector<std::uint8_t> status(c.status.size());
    for (std::size_t i = 0; i < status.size(); ++i) status[i] = static_cast<std::uint8_t>(c.status[i]);
    w.put_vector(status);
    w.put_vector(c.covered);
    w.put<double>(c.standard.max_seconds);
    w.put<double>(c.standard.max_meters);
    w.put<std::uint8_t>(c.has_length ? 1 : 0);
    w.put<std::uint64_t>(x.point_districts.size());
    for (const auto& in : x.point_districts) w.put_vector(in);
    // Pairs.
    w.put<std::uint8_t>(x.pairs ? 1 : 0);
    if (x.pairs) put_table(w, *x.pairs);
    // Facilities.
    put_facilities(w, x.facilities);
    w.put_vector(x.owns_facility);
    put_snaps(w, x.facility_snaps);
    // Districts.
    w.put_strings(x.districts.names);
    w.put_strings(x.districts.ids);
    w.put<std::uint64_t>(x.districts.polygons.size());
    for (const MultiPolygonXY& mp : x.districts.polygons) put_polygon(w, mp);
    // Candidate sites.
    w.put<std::uint8_t>(x.sites ? 1 : 0);
    if (x.sites) {
        put_facilities(w, x.sites->set);
        w.put_vector(x.sites->owns);
        put_snaps(w, x.sites->snaps);
        put_table(w, x.sites->pairs);
    }
    const std::uint64_t checksum = w.hash();
    w.put<std::uint64_t>(checksum);
    return w.buffer();
}

ShardResult shard_result_from_bytes(std::string_view bytes, const std::string& where) {
    if (bytes.size() < result_magic.size() + 8 || bytes.substr(0, result_magic.size()) != result_magic)
        throw InputError("this is not a shard result of lifecircle (it does not start with " +
                         std::string(result_magic) + ")")
            .set_file(where);
    std::uint64_t checksum = 0;
    std::memcpy(&checksum, bytes.data() + bytes.size() - 8, 8);
    if (hash_bytes(bytes.substr(0, bytes.size() - 8)) != checksum)
        throw InputError("the shard result is damaged (its checksum does not match): run the shard again").set_file(where);
    BinaryReader r(bytes.substr(0, bytes.size() - 8), where);
    r.take(result_magic.size());
    ShardResult x;
    x.plan_hash = r.get<std::uint64_t>();
    x.index = r.get<std::uint64_t>();
    x.count = r.get<std::uint64_t>();
    x.halo_m = r.get<double>();
    x.reads = r.get<std::uint64_t>();
    io::DemandSet& d = x.demand;
    d.groups = r.get_strings();
    d.xy = get_points(r);
    d.feature = r.get_vector<std::uint32_t>();
    d.weights = get_matrix(r);
    d.ids = r.get_strings();
    d.fids = r.get_vector<std::int64_t>();
    d.feature_weights = get_matrix(r);
    d.kind = r.get_string();
    d.features.name = r.get_string();
    d.features.kind = static_cast<GeometryKind>(r.get<std::uint8_t>());
    d.features.fields.resize(r.count(9));
    for (Field& fd : d.features.fields) {
        fd.name = r.get_string();
        fd.type = static_cast<FieldType>(r.get<std::uint8_t>());
    }
    d.features.features.resize(r.count(16));
    for (Feature& fe : d.features.features) {
        fe.wkb = r.get_vector<unsigned char>();
        fe.values.resize(r.count(1));
        for (Value& v : fe.values) v = get_value(r);
    }
    d.polygons_without_road = r.get<std::uint64_t>();
    d.empty_weights = r.get<std::uint64_t>();
    x.snap_failure = r.get_vector<std::uint8_t>();
    planners::CoverageResult& c = x.coverage;
    c.by_time = get_nearest(r);
    c.by_length = get_nearest(r);
    const std::vector<std::uint8_t> status = r.get_vector<std::uint8_t>();
    for (const std::uint8_t s : status) c.status.push_back(static_cast<planners::SnapStatus>(s));
    c.covered = r.get_vector<std::uint8_t>();
    c.standard.max_seconds = r.get<double>();
    c.standard.max_meters = r.get<double>();
    c.has_length = r.get<std::uint8_t>() != 0;
    x.point_districts.resize(r.count(8));
    for (auto& in : x.point_districts) in = r.get_vector<std::uint32_t>();
    if (r.get<std::uint8_t>() != 0) x.pairs = get_table(r);
    FacilitySet& f = x.facilities;
    f = get_facilities(r);
    x.owns_facility = r.get_vector<std::uint8_t>();
    x.facility_snaps = get_snaps(r);
    x.districts.names = r.get_strings();
    x.districts.ids = r.get_strings();
    x.districts.polygons.resize(r.count(8));
    for (MultiPolygonXY& mp : x.districts.polygons) mp = get_polygon(r);
    if (r.get<std::uint8_t>() != 0) {
        x.sites.emplace();
        x.sites->set = get_facilities(r);
        x.sites->owns = r.get_vector<std::uint8_t>();
        x.sites->snaps = get_snaps(r);
        x.sites->pairs = get_table(r);
    }
    if (r.left() != 0) r.damaged();
    // The sizes must agree with one another: a file that passed the checksum can still be of
    // another version.
    const std::size_t n = d.xy.size();
    bool ok = d.feature.size() == n && x.snap_failure.size() == n && c.by_time.seconds.size() == n &&
              c.by_time.facility.size() == n && c.status.size() == n && c.covered.size() == n &&
              x.point_districts.size() == n && d.ids.size() == d.features.features.size() &&
              d.fids.size() == d.ids.size() && d.weights.size() == d.groups.size() &&
              f.xy.size() == f.ids.size() && x.owns_facility.size() == f.ids.size() &&
              x.facility_snaps.size() == f.ids.size() && (!x.pairs || x.pairs->cols() == n);
    if (x.sites) {
        const std::size_t k = x.sites->set.ids.size();
        ok = ok && x.sites->set.xy.size() == k && x.sites->owns.size() == k && x.sites->snaps.size() == k &&
             x.sites->pairs.rows() == k && x.sites->pairs.cols() == n;
    }
    for (const auto& w : d.weights) ok = ok && w.size() == n;
    for (const std::uint32_t k : d.feature) ok = ok && k < d.ids.size();
    if (!ok) r.damaged();
    return x;
}

}  // namespace lifecircle::studies
