#include "studies/service.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include "core/colocated.hpp"
#include "core/error.hpp"
#include "core/time_table.hpp"
#include "planners/accessibility.hpp"
#include "planners/gaps.hpp"
#include "studies/transit.hpp"
#include "studies/travel.hpp"

namespace lifecircle::studies {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/** The longest a metre of travel takes on any arc the profile may use (or the access walk):
    a time bound for pairs within a metre limit when the standard gives no minutes. */
double slowest_seconds_per_metre(const RoadGraph& g, ProfileId profile) {
    const ProfileData& d = g.profile(profile);
    double worst = 1.0 / (d.settings.access_walk_speed_kmh / 3.6);
    for (ArcId a = 0; a < g.arc_count(); ++a) {
        const float s = d.arc_seconds[a];
        const double len = g.edge_length_m[g.arc_edge[a]];
        if (s == forbidden_arc || !(len > 0)) continue;
        worst = std::max(worst, s / len);
    }
    return worst;
}

/** The fastest a metre of travel can go on the profile's arcs or the access walk (m/s). */
double fastest_mps(const RoadGraph& g, ProfileId profile) {
    const ProfileData& d = g.profile(profile);
    double best = d.settings.access_walk_speed_kmh / 3.6;
    for (ArcId a = 0; a < g.arc_count(); ++a) {
        const float s = d.arc_seconds[a];
        const double len = g.edge_length_m[g.arc_edge[a]];
        if (s == forbidden_arc || !(s > 0) || !(len > 0)) continue;
        best = std::max(best, len / s);
    }
    return best;
}

}  // namespace

double pair_bound(const StudyArea& area, ProfileId profile, const PlacedFacilities& placed,
                  std::span<const Point> source_xy, Seconds cutoff) {
    if (cutoff == unreachable) return double(placed.placed) * double(area.demand_snaps.size());
    // The access walks take time too: every leg moves at most at the fastest speed.
    const double reach = cutoff * fastest_mps(area.net.graph, profile);
    std::unordered_map<std::int64_t, std::size_t> cells;
    const auto key = [reach](Point p) {
        return (static_cast<std::int64_t>(std::floor(p.x / reach)) << 32) ^
               static_cast<std::int64_t>(static_cast<std::uint32_t>(std::floor(p.y / reach)));
    };
    for (std::size_t i = 0; i < area.demand.xy.size(); ++i)
        if (area.demand_snaps[i].ok()) ++cells[key(area.demand.xy[i])];
    double bound = 0;
    for (std::size_t j = 0; j < source_xy.size(); ++j) {
        if (!placed.snaps[j].ok()) continue;
        for (int dx = -1; dx <= 1; ++dx)
            for (int dy = -1; dy <= 1; ++dy) {
                const auto it = cells.find(key({source_xy[j].x + dx * reach, source_xy[j].y + dy * reach}));
                if (it != cells.end()) bound += double(it->second);
            }
    }
    return bound;
}

namespace {

void check_table_size(const StudyArea& area, ProfileId profile, const PlacedFacilities& placed,
                      std::span<const Point> source_xy, Seconds cutoff, const std::string& phase) {
    constexpr double limit = 4e8;  // pairs: about 3.2 GB as (column, seconds)
    if (cutoff == unreachable || placed.placed == 0) return;
    const double bound = pair_bound(area, profile, placed, source_xy, cutoff);
    if (bound <= limit) return;
    const double reach = cutoff * fastest_mps(area.net.graph, profile);
    char buf[400];
    std::snprintf(buf, sizeof buf,
                  "%s: the table of pairs within %.1f min could hold up to %.3g pairs (%zu sources x the residents "
                  "within %.0f m of each), more than the limit of 4e8 (about 3 GB): use fewer candidate sites "
                  "(a larger candidate spacing) or a shorter limit",
                  phase.c_str(), cutoff / 60.0, bound, placed.placed, reach);
    throw UsageError(buf);
}

/** Demand snaps whose access walk counts its metres (for searches in a length profile). */
std::vector<Snap> in_metres(std::span<const Snap> snaps) {
    std::vector<Snap> out(snaps.begin(), snaps.end());
    for (Snap& s : out) s.access_seconds = s.distance;
    return out;
}

std::vector<maps::DistrictFigures> district_figures(const StudyArea& area, const planners::CoverageResult& result) {
    std::vector<maps::DistrictFigures> out;
    const DistrictMembership& m = area.membership;
    for (std::size_t d = 0; d < m.members.size(); ++d) {
        maps::DistrictFigures f;
        f.name = area.districts.names[d];
        f.polygon = area.districts.polygons[d];
        for (const auto& w : area.demand.weights) f.groups.push_back(planners::figures(result, w, m.members[d]));
        out.push_back(std::move(f));
    }
    if (!m.members.empty() && !m.outside.empty()) {
        maps::DistrictFigures f;
        f.name = "(outside every district)";
        for (const auto& w : area.demand.weights) f.groups.push_back(planners::figures(result, w, m.outside));
        out.push_back(std::move(f));
    }
    return out;
}

/** Per district row (as district_figures lists them): the sum of `values` over its points. */
std::vector<double> district_sums(const DistrictMembership& m, std::span<const double> values) {
    std::vector<double> out;
    const auto sum = [&](const std::vector<std::uint32_t>& points) {
        double s = 0;
        for (const std::uint32_t i : points) s += values[i];
        return s;
    };
    for (const auto& points : m.members) out.push_back(sum(points));
    if (!m.members.empty() && !m.outside.empty()) out.push_back(sum(m.outside));
    return out;
}

Seats seats_of(const StudyArea& area, const ServiceOptions& o, const FacilitySet& f, const TimeTable& table,
               std::size_t group, const Reporter& reporter) {
    Seats s;
    s.pairs = table.size();
    const std::vector<double>& w = area.demand.weights[group];
    planners::AssignmentOptions ao;
    ao.parallel = reporter.parallel("seats: assignment", area.threads);
    s.assignment = planners::assign(table, w, f.capacity, ao);
    reporter.check();
    planners::CatchmentOptions co;
    co.cutoff = o.standard.max_seconds();
    if (co.cutoff == unreachable) {  // metres only: the catchment is the pairs within the metres
        co.cutoff = 1.0;
        for (std::size_t j = 0; j < table.rows(); ++j)
            for (const TimeEntry& e : table.row(j)) co.cutoff = std::max(co.cutoff, double(e.seconds));
    }
    co.decay = o.decay;
    switch (o.access) {
        case AccessMeasure::e2sfca: {
            planners::E2sfcaResult e = planners::e2sfca(table, w, f.capacity, co);
            s.access = std::move(e.access);
            s.ratio = std::move(e.ratio);
            break;
        }
        case AccessMeasure::bfca: {
            planners::BfcaResult e = planners::bfca(table, w, f.capacity, co);
            s.access = std::move(e.access);
            s.ratio = std::move(e.ratio);
            break;
        }
        case AccessMeasure::availability: {
            planners::SpatialAvailabilityOptions so;
            so.catchment = co;
            planners::SpatialAvailabilityResult e = planners::spatial_availability(table, w, f.capacity, so);
            s.access = std::move(e.per_capita);
            s.ratio.assign(f.size(), nan);
            for (std::size_t j = 0; j < f.size(); ++j) {
                double within = 0;
                for (const TimeEntry& en : table.row(j)) within += w[en.col];
                if (within > 0) s.ratio[j] = e.allocated_supply[j] / within;
            }
            break;
        }
    }
    return s;
}

}  // namespace

std::string_view access_name(AccessMeasure m) {
    switch (m) {
        case AccessMeasure::e2sfca:
            return "e2sfca";
        case AccessMeasure::bfca:
            return "bfca";
        case AccessMeasure::availability:
            return "availability";
    }
    return "e2sfca";
}

AccessMeasure parse_access(const std::string& text, const std::string& option) {
    if (text == "e2sfca") return AccessMeasure::e2sfca;
    if (text == "bfca") return AccessMeasure::bfca;
    if (text == "availability") return AccessMeasure::availability;
    throw UsageError(option + " must be e2sfca, bfca or availability, not '" + text + "'");
}

namespace {

/** Facility x resident pairs by public transport: the residents ride to the facilities. */
TimeTable transit_pairs(const StudyArea& area, const TransitData& data, const PlacedFacilities& placed,
                        std::span<const Point> facility_xy, Seconds cutoff, const Reporter& reporter,
                        const std::string& phase) {
    const auto router = transit_router(area.net.graph, area.time(Direction::forward), data, placed.snaps, reporter);
    const TimeTable by_resident = transit_table(*router, data, area.demand_snaps, cutoff, reporter, phase);
    const std::vector<Colocated> same = colocated_pairs(facility_xy, placed.snaps, area.demand.xy, area.demand_snaps);
    return with_colocated(by_resident.transposed(), same, {}, cutoff);
}

/** Coverage by public transport: per resident the judged percentile, over the departures, of
    the time to the nearest facility at each departure; the nearest facility by its own. */
planners::CoverageResult transit_coverage(const StudyArea& area, const StudyStandard& st,
                                          std::span<const Point> facility_xy, const PlacedFacilities& placed,
                                          std::vector<float>& percentiles, std::vector<float>& share,
                                          const Reporter& reporter) {
    const TransitData& data = *st.transit;
    const auto router = transit_router(area.net.graph, area.time(Direction::forward), data, placed.snaps, reporter);
    transit::SummaryOptions so;
    so.percentiles = data.spec.percentiles;
    so.limit = st.max_seconds();
    so.rank_by = data.judged;
    const transit::TransitNearest n =
        transit::transit_nearest(*router, area.demand_snaps, so, reporter.parallel("transit: residents", area.threads, 16));
    planners::CoverageResult c;
    c.standard = st.limits();
    const std::size_t count = area.demand_snaps.size();
    c.by_time.seconds.assign(count, unreachable);
    c.by_time.facility.assign(count, invalid_index);
    c.status.resize(count);
    c.covered.assign(count, 0);
    percentiles = n.seconds;
    share = n.share;
    for (const Colocated& same : colocated_pairs(facility_xy, placed.snaps, area.demand.xy, area.demand_snaps))
        for (std::size_t p = 0; p < n.percentile_count; ++p) {
            percentiles[same.target * n.percentile_count + p] = 0.0f;
            share[same.target] = 1.0f;
        }
    for (std::size_t i = 0; i < count; ++i) {
        c.status[i] = planners::snap_status(area.demand_snaps[i]);
        const float t = percentiles[i * n.percentile_count + data.judged];
        if (!std::isfinite(t)) continue;
        c.by_time.seconds[i] = t;
        c.by_time.facility[i] = t == 0.0f ? invalid_index : n.target[i];
        c.covered[i] = t <= st.max_seconds() ? 1 : 0;
    }
    for (const Colocated& same : colocated_pairs(facility_xy, placed.snaps, area.demand.xy, area.demand_snaps))
        c.by_time.facility[same.target] = same.source;
    return c;
}

/** What public transport does not (yet) combine with, said rather than ignored. */
void check_transit(const ServiceOptions& o) {
    if (o.standard.metres)
        throw UsageError("a metre limit (--max-meters) is for walking, biking and driving; by public transport the "
                         "standard is minutes");
    if (o.standard.direction == Direction::forward)
        throw UsageError("by public transport residents travel to the facility (--direction to-facility)");
    if (!o.facilities.read.delay_field.empty() || !o.facilities.read.cutoff_field.empty())
        throw UsageError("delay and cutoff fields are not applied by public transport; leave them out");
}

}  // namespace

TimeTable pairs_within(const StudyArea& area, const StudyStandard& standard, const PlacedFacilities& placed,
                       std::span<const Point> facility_xy, const Reporter& reporter, const std::string& phase,
                       Seconds time_cutoff, bool apply_metres) {
    const RoadGraph& g = area.net.graph;
    const ProfileId profile = area.time(standard.direction);
    Seconds cutoff = time_cutoff >= 0 ? time_cutoff : standard.max_seconds();
    if (standard.transit) return transit_pairs(area, *standard.transit, placed, facility_xy, cutoff, reporter, phase);
    if (cutoff == unreachable && standard.metres)
        cutoff = *standard.metres * slowest_seconds_per_metre(g, profile);
    check_table_size(area, profile, placed, facility_xy, cutoff, phase);
    const TargetIndex targets(g, area.demand_snaps);
    TableOptions to;
    to.cutoff = cutoff;
    to.parallel = reporter.parallel(phase, area.threads, 64);
    const std::vector<Colocated> same =
        colocated_pairs(facility_xy, placed.snaps, area.demand.xy, area.demand_snaps);
    TimeTable table = with_colocated(time_table(g, profile, placed.by_time, targets, to), same, placed.delay, cutoff,
                                     placed.cutoff);
    if (apply_metres && standard.metres) {
        const std::vector<Snap> metres_snaps = in_metres(area.demand_snaps);
        const TargetIndex metre_targets(g, metres_snaps);
        TableOptions mo = to;
        mo.cutoff = *standard.metres;
        const TimeTable metres = with_colocated(
            time_table(g, area.length(standard.direction), placed.by_metres, metre_targets, mo), same, {}, mo.cutoff);
        table = intersect(table, metres);
    }
    return table;
}

ServiceSearches service_searches(const StudyArea& area, const ServiceOptions& o, const FacilitySet& facilities,
                                 const PlacedFacilities& placed, const Reporter& reporter) {
    if (o.standard.transit) check_transit(o);
    ServiceSearches out;
    const RoadGraph& g = area.net.graph;
    const Direction dir = o.standard.direction;
    const ProfileId time = area.time(dir);
    const ProfileId metres = area.length(dir);
    const bool by_metres = o.standard.metres.has_value();
    if (o.standard.transit) {
        out.coverage = transit_coverage(area, o.standard, facilities.xy, placed, out.transit_percentiles,
                                        out.transit_share, reporter);
    } else {
        const std::vector<Colocated> same =
            colocated_pairs(facilities.xy, placed.snaps, area.demand.xy, area.demand_snaps);
        planners::SamePlace sp{same, placed.delay};
        out.coverage = planners::coverage(g, time, by_metres ? &metres : nullptr, placed.by_time,
                                          by_metres ? &placed.by_metres : nullptr, area.demand_snaps,
                                          o.standard.limits(), reporter.parallel("coverage", area.threads), sp);
    }
    reporter.check();
    if (facilities.has_capacity())
        out.pairs = pairs_within(area, o.standard, placed, facilities.xy, reporter, "seats: searches from facilities");
    return out;
}

void service_figures(const StudyArea& area, const ServiceOptions& o, const TimeTable* pairs, ServiceResult& r,
                     const Reporter& reporter) {
    for (const auto& w : area.demand.weights) r.overall.push_back(planners::figures(r.coverage, w));
    r.districts = district_figures(area, r.coverage);
    std::vector<double> unserved;
    if (r.facilities.has_capacity()) {
        if (!pairs) throw std::invalid_argument("service_figures: a capacity run needs the pairs within the standard");
        r.seats = seats_of(area, o, r.facilities, *pairs, r.group, reporter);
        std::vector<double> served;
        for (const planners::DemandAssignment& d : r.seats->assignment.demand) {
            served.push_back(d.served_weight);
            unserved.push_back(d.covered_unserved_weight);
        }
        r.district_served = district_sums(area.membership, served);
    }
    if (o.hex_m > 0)
        r.gaps = planners::gap_cells(r.coverage, area.demand.xy, area.demand.weights, unserved, o.hex_m);
}

ServiceResult evaluate_service(const StudyArea& area, const ServiceOptions& o, FacilitySet facilities,
                               PlacedFacilities placed, const Reporter& reporter) {
    ServiceResult r;
    r.facilities = std::move(facilities);
    r.placed = std::move(placed);
    r.group = area.group_index(o.group, o.label);
    ServiceSearches searches = service_searches(area, o, r.facilities, r.placed, reporter);
    r.coverage = std::move(searches.coverage);
    r.transit_percentiles = std::move(searches.transit_percentiles);
    r.transit_share = std::move(searches.transit_share);
    service_figures(area, o, searches.pairs ? &*searches.pairs : nullptr, r, reporter);
    return r;
}

void draw_service_areas(const StudyArea& area, const ServiceOptions& o, ServiceResult& r, const Reporter& reporter) {
    if (!o.areas) return;
    std::vector<maps::IsochroneFacility> iso;
    for (std::size_t i = 0; i < r.facilities.size(); ++i) {
        if (!r.placed.snaps[i].ok()) continue;
        maps::IsochroneFacility f;
        f.id = r.facilities.ids[i];
        f.name = r.facilities.names[i];
        f.delay = r.facilities.delay[i];
        f.cutoff = r.facilities.cutoff[i];
        f.accesses.push_back({r.facilities.xy[i], r.placed.snaps[i]});
        iso.push_back(std::move(f));
    }
    maps::IsochroneOptions io;
    if (o.areas->minutes.empty()) {
        // A metres-only standard draws the area its metres reach at the walking speed.
        const double minutes = o.standard.minutes ? *o.standard.minutes
                                                  : *o.standard.metres / (o.standard.walk_speed_kmh / 3.6) / 60.0;
        io.breaks = {std::min(minutes, 600.0) * 60.0};
    } else {
        for (const double b : o.areas->minutes) io.breaks.push_back(b * 60.0);
    }
    std::sort(io.breaks.begin(), io.breaks.end());
    io.shape = o.areas->shape;
    io.area.method = o.areas->method;
    io.area.buffer_m = o.areas->buffer_m;
    io.mode_name = std::string(mode_name(o.standard.mode));
    io.threads = area.threads;
    if (reporter.callbacks().progress) {
        auto cb = reporter.callbacks().progress;
        io.progress = [cb](std::size_t d, std::size_t t) { cb("service areas", d, t); };
    }
    io.cancelled = reporter.callbacks().cancelled;
    std::shared_ptr<const transit::TransitRouter> router;
    if (o.standard.transit) {
        // Drawn outward from each facility over the timetable, then walking on.
        std::vector<Snap> snaps;
        for (const maps::IsochroneFacility& f : iso) snaps.push_back(f.accesses.front().snap);
        const ProfileId walk = area.time(Direction::forward);
        router = transit_router(area.net.graph, walk, *o.standard.transit, node_snaps(area.net.graph, walk), reporter);
        io.reach = transit_reach(area.net.graph, walk, *o.standard.transit, router, std::move(snaps));
        io.mode_name = "transit";
    }
    const double speed = o.standard.transit             ? 25.0
                         : o.standard.mode == Mode::walk ? o.standard.walk_speed_kmh / 3.6
                         : o.standard.mode == Mode::bike ? 4.5
                                                         : 30.0;
    check_area_size(area.net.graph, io.area, iso.size(), io.breaks.back(), speed);
    if (!iso.empty()) r.areas = maps::isochrone_layers(area.net.graph, area.time(o.standard.direction), iso, io);
    reporter.check();
}

ServiceResult run_service(const StudyArea& area, const ServiceOptions& o, const Reporter& reporter) {
    return run_service(area, o, read_facilities(o.facilities, area.net, reporter), reporter);
}

ServiceResult run_service(const StudyArea& area, const ServiceOptions& o, FacilitySet facilities,
                          const Reporter& reporter) {
    PlacedFacilities placed = place_facilities(facilities, *area.snapper);
    report_unsnapped(facilities.source, facilities.ids, placed.snaps, reporter);
    if (placed.placed == 0 && o.facilities.required)
        throw InputError("no facility could be placed on the road network; check --max-snap and the CRS")
            .set_file(facilities.source);
    ServiceResult r = evaluate_service(area, o, std::move(facilities), std::move(placed), reporter);
    draw_service_areas(area, o, r, reporter);
    return r;
}

ServiceLayers service_layers(const StudyArea& area, const ServiceOptions& o, const ServiceResult& r) {
    ServiceLayers out;
    maps::DemandView view;
    view.features = &area.demand.features;
    view.point_feature = area.demand.feature;
    view.groups = area.demand.groups;
    view.weights = area.demand.weights;
    if (r.seats) {
        maps::PointColumn served{"served_weight", {}, true};
        maps::PointColumn cu{"unserved_weight", {}, true};
        maps::PointColumn acc{"access_" + std::string(access_name(o.access)), r.seats->access, false};
        maps::PointLabel lab{"assigned_facility_id", {}, {}};
        for (const planners::DemandAssignment& d : r.seats->assignment.demand) {
            served.values.push_back(d.served_weight);
            cu.values.push_back(d.covered_unserved_weight);
            lab.values.push_back(d.assigned_facility == invalid_index ? std::string()
                                                                      : r.facilities.ids[d.assigned_facility]);
            lab.by.push_back(d.served_weight);
        }
        view.columns = {std::move(served), std::move(cu), std::move(acc)};
        view.labels = {std::move(lab)};
        out.facilities = maps::facilities_layer(
            maps::facility_rows(r.facilities.ids, r.facilities.names, r.facilities.xy, r.seats->assignment,
                                r.seats->ratio),
            std::string(access_name(o.access)));
    } else {
        out.facilities = maps::plain_facilities_layer(r.facilities.ids, r.facilities.names, r.facilities.xy,
                                                      r.placed.snaps);
    }
    if (o.standard.transit && !r.transit_share.empty()) {
        // The spread over the departures: each percentile, and the share within the standard.
        const std::vector<double>& ps = o.standard.transit->spec.percentiles;
        for (std::size_t p = 0; p < ps.size(); ++p) {
            char name[32];
            std::snprintf(name, sizeof name, "minutes_p%g", ps[p]);
            maps::PointColumn col{name, {}, false};
            for (std::size_t i = 0; i < r.transit_share.size(); ++i) {
                const float t = r.transit_percentiles[i * ps.size() + p];
                col.values.push_back(std::isfinite(t) ? t / 60.0 : nan);
            }
            view.columns.push_back(std::move(col));
        }
        view.columns.push_back({"departures_within_share",
                                std::vector<double>(r.transit_share.begin(), r.transit_share.end()), false});
    }
    out.demand = maps::demand_layer(view, r.coverage, r.facilities.ids, &out.notes);
    if (!r.districts.empty()) out.districts = maps::districts_layer(r.districts, area.demand.groups);
    if (o.hex_m > 0) out.gaps = maps::gaps_layer(r.gaps, area.demand.groups, o.hex_m, r.group);
    out.areas = r.areas.areas;
    return out;
}

nlohmann::ordered_json json_number(double v) {
    return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json figures_json(const planners::Figures& f) {
    nlohmann::ordered_json j;
    j["total"] = f.total;
    j["covered"] = f.covered;
    j["coverage_share"] = json_number(f.total > 0 ? f.share : nan);
    j["unreachable"] = f.unreachable;
    j["unsnapped"] = f.unsnapped;
    j["mean_minutes"] = json_number(f.mean_minutes);
    j["max_minutes"] = json_number(f.max_minutes);
    j["gini_minutes"] = json_number(f.gini_minutes);
    j["points"] = f.points;
    return j;
}

nlohmann::ordered_json service_summary(const StudyArea& area, const AreaSpec& spec, const ServiceOptions& o,
                                       const ServiceResult& r) {
    const std::vector<std::string>& groups = area.demand.groups;
    const StudyStandard& st = o.standard;
    nlohmann::ordered_json j;
    const std::string standard_title =
        st.name.empty() ? std::string() : st.name + " (" + st.title_en + "; " + st.source + ")";
    j["parameters"] = {
        {"network", spec.network.path},
        {"mode", st.mode_label()},
        {"walk_speed_kmh", st.walk_speed_kmh},
        {"direction", st.direction_name()},
        {"minutes", st.minutes ? nlohmann::ordered_json(*st.minutes) : nlohmann::ordered_json(nullptr)},
        {"standard", standard_title.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(standard_title)},
        {"max_meters", st.metres ? nlohmann::ordered_json(*st.metres) : nlohmann::ordered_json(nullptr)},
        {"facilities", o.facilities.path.empty() ? "osm:" + o.facilities.osm_kind : o.facilities.path},
        {"demand", spec.demand.path.empty() ? spec.demand.buildings : spec.demand.path},
        {"weight_fields", groups},
        {"max_snap_m", spec.network.snap.max_distance},
        {"work_crs", area.net.work_crs}};
    if (!st.overrides.empty()) j["parameters"]["standard_overrides"] = st.overrides;
    if (st.transit) j["parameters"]["transit"] = st.transit_json();
    std::size_t unsnapped_dem = 0;
    for (const Snap& s : area.demand_snaps) unsnapped_dem += s.ok() ? 0 : 1;
    j["counts"] = {{"facilities", r.placed.snaps.size()},
                   {"facilities_unsnapped", r.placed.snaps.size() - r.placed.placed},
                   {"demand_features", area.demand.features.features.size()},
                   {"demand_points", area.demand.xy.size()},
                   {"demand_points_unsnapped", unsnapped_dem},
                   {"demand_kind", area.demand.kind}};
    nlohmann::ordered_json gj;
    for (std::size_t g = 0; g < groups.size(); ++g) gj[groups[g]] = figures_json(r.overall[g]);
    j["groups"] = gj;
    if (r.seats) {
        const planners::AssignmentTotals& t = r.seats->assignment.totals;
        j["capacity"] = {
            {"group", groups[r.group]},
            {"capacity_field", o.facilities.read.capacity_field},
            {"capacity", t.capacity},
            {"demand", t.demand_weight},
            {"covered", t.covered_weight},
            {"served", t.served_weight},
            {"served_share", t.demand_weight > 0 ? t.served_weight / t.demand_weight : 0.0},
            {"coverage_share", t.demand_weight > 0 ? t.covered_weight / t.demand_weight : 0.0},
            {"covered_unserved", t.covered_unserved_weight},
            {"spare_capacity", t.spare_capacity},
            {"pairs_within_standard", r.seats->pairs},
            {"access_measure", std::string(access_name(o.access))},
            {"decay", o.decay == planners::Decay::gaussian ? "gaussian" : "steps"},
            {"method", "exact min-cost flow (maximum served weight, then minimum total weighted minutes) over the "
                       "pairs within the standard"}};
    }
    if (!r.districts.empty()) {
        nlohmann::ordered_json dj = nlohmann::ordered_json::array();
        for (const maps::DistrictFigures& d : r.districts) {
            nlohmann::ordered_json one;
            one["district"] = d.name;
            for (std::size_t g = 0; g < groups.size(); ++g) one[groups[g]] = figures_json(d.groups[g]);
            dj.push_back(one);
        }
        j["districts"] = dj;
        nlohmann::ordered_json ov;
        ov["points"] = area.membership.overlap_points;
        for (std::size_t g = 0; g < groups.size(); ++g) ov[groups[g]] = area.membership.overlap_weight[g];
        j["district_overlap"] = ov;
    }
    if (o.hex_m > 0) j["gap_cells"] = r.gaps.size();
    return j;
}

}  // namespace lifecircle::studies
