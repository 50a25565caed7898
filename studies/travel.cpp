#include "studies/travel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/colocated.hpp"
#include "core/error.hpp"
#include "core/matrix.hpp"

namespace lifecircle::studies {

namespace {

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

/** Warns about every facility that gets no area for some break because the walk from its point
    to the road (plus its delay) already takes that long: otherwise it silently disappears. */
void report_short_breaks(const std::vector<maps::IsochroneFacility>& facilities, const std::vector<Seconds>& breaks,
                         const std::string& path, const Reporter& reporter) {
    std::size_t none = 0, some = 0;
    for (const maps::IsochroneFacility& f : facilities) {
        Seconds walk = unreachable;
        Meters metres = 0.0;
        for (const maps::FacilityAccess& access : f.accesses)
            if (access.snap.access_seconds < walk) {
                walk = access.snap.access_seconds;
                metres = access.snap.distance;
            }
        const Seconds start = walk + f.delay;
        const std::vector<Seconds> own = maps::facility_breaks(breaks, f.cutoff);
        std::string missed;
        std::size_t missed_count = 0;
        for (const Seconds b : own) {
            if (start < b) continue;
            char buf[32];
            std::snprintf(buf, sizeof buf, "%s%g", missed.empty() ? "" : ", ", b / 60.0);
            missed += buf;
            ++missed_count;
        }
        if (missed_count == 0) continue;
        ++(missed_count == own.size() ? none : some);
        char detail[160];
        std::snprintf(detail, sizeof detail, "the walk to the road (%.0f m, %.1f min)%s takes %.1f min", metres,
                      walk / 60.0, f.delay > 0 ? " plus its delay" : "", start / 60.0);
        reporter.warning(path + ": facility id " + f.id +
                         (missed_count == own.size() ? " gets no area at all" : " gets no area") + " for the " + missed +
                         " min break" + (missed_count > 1 ? "s" : "") + ": " + detail);
    }
    if (none + some > 0)
        reporter.warning(std::to_string(none + some) + " of " + std::to_string(facilities.size()) + " facilities in " +
                         path + " are missing areas (" + std::to_string(none) +
                         " have none at all); check their location, --max-snap or the delay field");
}

}  // namespace

std::unique_ptr<LoadedNetwork> load_network(const NetworkSpec& spec, const ProfileSettings& profile,
                                            const Reporter& reporter, bool with_length) {
    auto loaded = std::make_unique<LoadedNetwork>();
    LoadedNetwork& n = *loaded;
    io::NetworkOptions no = spec.read;
    // The length twin measures footpaths between stops in metres (public transport).
    no.profiles = {profile};
    if (with_length) no.profiles.push_back(length_profile(profile));
    n.profile = profile;
    n.net = io::load_network(spec.path, no);
    for (const std::string& w : n.net.warnings) reporter.note(spec.path + ": " + w);
    n.snapper = std::make_unique<Snapper>(n.net.graph, n.time(), spec.snap);
    return loaded;
}

MatrixResult run_matrix(const LoadedNetwork& n, const MatrixOptions& o, const Reporter& reporter) {
    MatrixResult r;
    r.from = read_facilities(o.from, n.net, reporter);
    r.to = read_facilities(o.to, n.net, reporter);
    r.from_snaps = n.snapper->snap_all(r.from.xy);
    r.to_snaps = n.snapper->snap_all(r.to.xy);
    report_unsnapped(r.from.source, r.from.ids, r.from_snaps, reporter);
    report_unsnapped(r.to.source, r.to.ids, r.to_snaps, reporter);
    lifecircle::MatrixOptions mo;
    mo.cutoff = o.cutoff;
    mo.threads = o.threads;
    mo.cancelled = reporter.callbacks().cancelled;
    if (reporter.callbacks().progress) {
        auto cb = reporter.callbacks().progress;
        mo.progress = [cb](std::size_t d, std::size_t t) { cb("matrix: origins", d, t); };
    }
    const std::vector<Colocated> same = colocated_pairs(r.from.xy, r.from_snaps, r.to.xy, r.to_snaps);
    if (o.transit) {
        const auto router = transit_router(n.net.graph, n.time(), *o.transit, r.to_snaps, reporter);
        r.table = with_colocated(transit_table(*router, *o.transit, r.from_snaps, o.cutoff, reporter, "matrix: origins"),
                                 same, {}, o.cutoff);
        return r;
    }
    r.table = with_colocated(travel_time_matrix(n.net.graph, n.time(), r.from_snaps, r.to_snaps, mo), same, {},
                             o.cutoff);
    return r;
}

namespace {

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (const char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

}  // namespace

void write_matrix_csv(const MatrixResult& r, const std::function<void(std::string_view)>& sink) {
    sink("from_id,to_id,minutes\n");
    std::string line;
    char minutes[32];
    for (std::size_t i = 0; i < r.table.rows(); ++i) {
        const std::string from_id = csv_field(r.from.ids[i]);
        for (const TimeEntry& e : r.table.row(i)) {
            std::snprintf(minutes, sizeof minutes, "%.3f", e.seconds / 60.0);
            line = from_id;
            line += ',';
            line += csv_field(r.to.ids[e.col]);
            line += ',';
            line += minutes;
            line += '\n';
            sink(line);
        }
    }
}

Layer matrix_layer(const MatrixResult& r, const std::string& name) {
    Layer table;
    table.name = name;
    table.kind = GeometryKind::none;
    table.fields = {{"from_id", FieldType::string}, {"to_id", FieldType::string}, {"minutes", FieldType::real}};
    for (std::size_t i = 0; i < r.table.rows(); ++i)
        for (const TimeEntry& e : r.table.row(i)) {
            Feature f;
            f.values = {r.from.ids[i], r.to.ids[e.col], std::round(e.seconds / 60.0 * 1000.0) / 1000.0};
            table.features.push_back(std::move(f));
        }
    return table;
}

void check_area_size(const RoadGraph& g, const maps::AreaOptions& area, std::size_t facilities, Seconds longest,
                     double speed_mps) {
    if (area.method != maps::AreaMethod::raster || facilities == 0) return;
    const double cell = area.raster_cell_m > 0 ? area.raster_cell_m : area.buffer_m / 10.0;
    const Box box = g.bounds();
    const double extent = std::max(1.0, (box.max.x - box.min.x + 2 * area.buffer_m) * (box.max.y - box.min.y + 2 * area.buffer_m));
    const double reach = longest * speed_mps + area.buffer_m;
    const double covered = std::min(extent, double(facilities) * 3.14159265358979 * reach * reach);
    const double cells = covered / (cell * cell);
    constexpr double limit = 5e8;
    if (cells <= limit) return;
    const double fits = std::sqrt(covered / limit) * 10.0;
    throw UsageError("the raster method would trace about " + number(cells) + " cells of " + number(cell) +
                     " m over " + number(covered / 1e6) + " km², more than the limit of 5e8 (about 2 GB): use a buffer "
                     "of at least " + number(std::ceil(fits)) + " m (--buffer-m) or --method network");
}

IsochroneStudyResult run_isochrones(const LoadedNetwork& n, const IsochroneStudyOptions& o, const Reporter& reporter) {
    IsochroneStudyResult r;
    FacilitySpec spec = o.facilities;
    spec.read.entrances = o.entrance_max_m > 0;
    r.facilities = read_facilities(spec, n.net, reporter);
    const std::vector<Snap> snaps = n.snapper->snap_all(r.facilities.xy);
    std::vector<maps::IsochroneFacility> facilities;
    std::vector<Snap> unsnapped_report(snaps.size());
    for (std::size_t i = 0; i < r.facilities.size(); ++i) {
        maps::IsochroneFacility f;
        f.id = r.facilities.ids[i];
        f.name = r.facilities.names[i];
        f.delay = r.facilities.delay[i];
        f.cutoff = r.facilities.cutoff[i];
        for (const Point& door : r.facilities.outline[i]) {
            const Snap sn = n.snapper->snap(door);
            if (sn.ok() && sn.distance <= o.entrance_max_m) f.accesses.push_back({door, sn});
        }
        if (f.accesses.empty() && snaps[i].ok()) f.accesses.push_back({r.facilities.xy[i], snaps[i]});
        unsnapped_report[i] = snaps[i];
        if (f.accesses.empty()) continue;
        unsnapped_report[i].failure = SnapFailure::none;
        facilities.push_back(std::move(f));
    }
    r.placed = facilities.size();
    report_unsnapped(r.facilities.source, r.facilities.ids, unsnapped_report, reporter);
    maps::IsochroneOptions io;
    for (const double m : o.minutes) io.breaks.push_back(m * 60.0);
    std::sort(io.breaks.begin(), io.breaks.end());
    io.breaks.erase(std::unique(io.breaks.begin(), io.breaks.end()), io.breaks.end());
    if (io.breaks.empty()) throw UsageError("give at least one break in minutes, e.g. 15");
    report_short_breaks(facilities, io.breaks, r.facilities.source, reporter);
    if (facilities.empty()) throw InputError("no facility could be placed on the road network").set_file(r.facilities.source);
    Seconds longest = io.breaks.back();
    for (const maps::IsochroneFacility& f : facilities)
        if (f.cutoff != unreachable) longest = std::max(longest, f.cutoff);
    // Transit rides a metro at up to about 25 m/s.
    check_area_size(n.net.graph, o.area, facilities.size(), longest,
                    o.transit                   ? 25.0
                    : n.profile.mode == Mode::walk ? n.profile.walk_speed_kmh / 3.6
                    : n.profile.mode == Mode::bike ? 4.5
                                                   : 30.0);
    io.shape = o.shape;
    io.area = o.area;
    io.mode_name = std::string(mode_name(n.profile.mode));
    io.lines = o.lines;
    io.threads = o.threads;
    if (reporter.callbacks().progress) {
        auto cb = reporter.callbacks().progress;
        io.progress = [cb](std::size_t d, std::size_t t) { cb("isochrones: facilities", d, t); };
    }
    io.cancelled = reporter.callbacks().cancelled;
    if (o.transit) {
        if (o.shape == maps::IsochroneShape::split || o.entrance_max_m > 0)
            throw UsageError("by public transport, service areas are nested, rings or dissolved (not --split), from "
                             "each facility's point (not --entrances)");
        std::vector<Snap> origin_snaps;
        for (const maps::IsochroneFacility& f : facilities) origin_snaps.push_back(f.accesses.front().snap);
        const std::shared_ptr<const transit::TransitRouter> router =
            transit_router(n.net.graph, n.time(), *o.transit, node_snaps(n.net.graph, n.time()), reporter);
        io.reach = transit_reach(n.net.graph, n.time(), *o.transit, router, std::move(origin_snaps));
        io.mode_name = "transit";
    }
    r.layers = maps::isochrone_layers(n.net.graph, n.time(), facilities, io);
    if (!r.layers.without_split_area.empty()) {
        std::vector<std::string> ids;
        for (const std::size_t k : r.layers.without_split_area) ids.push_back(facilities[k].id);
        reporter.warning(r.facilities.source + ": " + std::to_string(ids.size()) + " of " +
                         std::to_string(facilities.size()) +
                         " facilities get no split area, because other facilities reach every place near their roads "
                         "first (for example two at one place: the later one in the file gets none): id " +
                         list_text(ids));
    }
    return r;
}

}  // namespace lifecircle::studies
