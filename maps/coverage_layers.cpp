#include "maps/coverage_layers.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>

#include "core/wkb.hpp"
#include "maps/style.hpp"

namespace lifecircle::maps {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/** A finite double, or NULL. */
Value real_or_null(double v) { return std::isfinite(v) ? Value(v) : Value(std::monostate{}); }

/** A number written as a CSV reader gives it back as text ("1146", "-0.5", "2e3"), with nothing
    a number type would lose: no leading zeros ("007" is a code), no '+', no spaces, no "nan". */
bool plain_number(const std::string& text, double& out) {
    if (text.empty() || text.size() > 40) return false;
    std::size_t i = text[0] == '-' ? 1 : 0;
    if (i >= text.size() || !(text[i] >= '0' && text[i] <= '9')) return false;
    if (text[i] == '0' && i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '9') return false;
    for (const char c : text)
        if (!((c >= '0' && c <= '9') || c == '-' || c == '.' || c == 'e' || c == 'E')) return false;
    const char* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && p == end && std::isfinite(out);
}

/**
 * Of the first `input_fields` fields (the input's own columns), text fields whose every non-empty
 * value is a plain number (CSV columns, which GDAL reads as text) become numbers, so that QGIS
 * can shade and sum them: integer when every value is whole and fits, real otherwise. Fields
 * written beside them (the nearest facility's id "1", "2") stay as they are.
 */
void numeric_fields(Layer& layer, std::size_t input_fields) {
    for (std::size_t k = 0; k < input_fields && k < layer.fields.size(); ++k) {
        if (layer.fields[k].type != FieldType::string) continue;
        bool any = false, whole = true;
        std::vector<double> values(layer.features.size(), 0.0);
        bool ok = true;
        for (std::size_t f = 0; f < layer.features.size() && ok; ++f) {
            const Value& v = layer.features[f].values[k];
            if (std::holds_alternative<std::monostate>(v)) continue;
            const auto* text = std::get_if<std::string>(&v);
            if (!text) {
                ok = false;
                break;
            }
            if (text->empty()) continue;
            ok = plain_number(*text, values[f]);
            any = any || ok;
            whole = whole && values[f] == std::floor(values[f]) && std::abs(values[f]) < 9.0e15 &&
                    text->find_first_of(".eE") == std::string::npos;
        }
        if (!ok || !any) continue;
        layer.fields[k].type = whole ? FieldType::integer : FieldType::real;
        for (std::size_t f = 0; f < layer.features.size(); ++f) {
            Value& v = layer.features[f].values[k];
            const auto* text = std::get_if<std::string>(&v);
            if (!text || text->empty()) {
                v = std::monostate{};
                continue;
            }
            if (whole)
                v = static_cast<std::int64_t>(values[f]);
            else
                v = values[f];
        }
    }
}

/** A palette colour ("#rrggbb") as a category of a categorised style. */
Category category(const std::string& value, const std::string& label, const char* hex) {
    const auto part = [&](int at) { return std::stoi(std::string(hex + at, 2), nullptr, 16); };
    return {value, label, part(1), part(3), part(5)};
}

/** Per input feature: what its demand points say. */
struct FeatureSummary {
    double w = 0, wm = 0, wmeters = 0, wm_weight = 0, wmeters_weight = 0, covered_w = 0;
    double max_minutes = nan;
    Seconds fastest = unreachable;
    std::uint32_t facility = invalid_index;
    bool any_ok = false;
    bool any_point = false;
    planners::SnapStatus first_status = planners::SnapStatus::ok;
    bool covered_point = false;
    std::size_t points = 0;
};

}  // namespace

Layer demand_layer(const DemandView& demand, const planners::CoverageResult& result,
                   std::span<const std::string> facility_ids, std::vector<std::string>* notes) {
    const Layer& in = *demand.features;
    Layer out;
    out.name = "demand";
    out.kind = in.kind;
    const std::vector<Field> ours = {
        {"minutes_to_nearest", FieldType::real}, {"minutes_max", FieldType::real},
        {"meters_to_nearest", FieldType::real},  {"nearest_facility_id", FieldType::string},
        {"covered_share", FieldType::real},      {"covered", FieldType::integer},
        {"snap_status", FieldType::string}};
    std::set<std::string> our_names;
    for (const Field& f : ours) our_names.insert(f.name);
    std::vector<std::size_t> kept;
    for (std::size_t k = 0; k < in.fields.size(); ++k) {
        if (our_names.count(in.fields[k].name)) {
            if (notes)
                notes->push_back("the demand layer's own field '" + in.fields[k].name +
                                 "' is replaced by lifecircle's column of that name");
            continue;
        }
        kept.push_back(k);
        out.fields.push_back(in.fields[k]);
    }
    out.fields.insert(out.fields.end(), ours.begin(), ours.end());
    for (const PointColumn& c : demand.columns) out.fields.push_back({c.name, FieldType::real});
    for (const PointLabel& l : demand.labels) out.fields.push_back({l.name, FieldType::string});
    // Extra columns per feature: sums, weighted means (first group) and labels of the top point.
    const std::size_t nf = in.features.size();
    std::vector<std::vector<double>> col_sum(demand.columns.size(), std::vector<double>(nf, 0.0));
    std::vector<std::vector<double>> col_w(demand.columns.size(), std::vector<double>(nf, 0.0));
    std::vector<std::vector<double>> label_best(demand.labels.size(), std::vector<double>(nf, 0.0));
    std::vector<std::vector<const std::string*>> label_of(
        demand.labels.size(), std::vector<const std::string*>(nf, nullptr));
    for (std::size_t i = 0; i < demand.point_feature.size(); ++i) {
        const std::uint32_t k = demand.point_feature[i];
        const double w = demand.weights.empty() ? 1.0 : demand.weights[0][i];
        for (std::size_t c = 0; c < demand.columns.size(); ++c) {
            const double v = demand.columns[c].values[i];
            if (!std::isfinite(v)) continue;
            col_sum[c][k] += demand.columns[c].sum ? v : w * v;
            col_w[c][k] += w;
        }
        for (std::size_t l = 0; l < demand.labels.size(); ++l) {
            const PointLabel& lab = demand.labels[l];
            if (lab.values[i].empty() || !(lab.by[i] > label_best[l][k])) continue;
            label_best[l][k] = lab.by[i];
            label_of[l][k] = &lab.values[i];
        }
    }

    std::vector<FeatureSummary> s(in.features.size());
    const std::vector<double>* w0 = demand.weights.empty() ? nullptr : &demand.weights[0];
    for (std::size_t i = 0; i < demand.point_feature.size(); ++i) {
        FeatureSummary& f = s[demand.point_feature[i]];
        const double w = w0 ? (*w0)[i] : 1.0;
        ++f.points;
        if (!f.any_point) f.first_status = result.status[i];
        f.any_point = true;
        f.w += w;
        if (result.covered[i]) f.covered_w += w;
        if (result.status[i] != planners::SnapStatus::ok) continue;
        f.any_ok = true;
        const Seconds t = result.by_time.seconds[i];
        if (t != unreachable) {
            const double m = t / 60.0;
            f.wm += w * m;
            f.wm_weight += w;
            if (!(m <= f.max_minutes)) f.max_minutes = m;
            if (t < f.fastest) {
                f.fastest = t;
                f.facility = result.by_time.facility[i];
            }
        }
        if (result.has_length && result.by_length.seconds[i] != unreachable) {
            f.wmeters += w * result.by_length.seconds[i];
            f.wmeters_weight += w;
        }
    }
    out.features.reserve(in.features.size());
    for (std::size_t k = 0; k < in.features.size(); ++k) {
        const FeatureSummary& f = s[k];
        Feature feature;
        feature.wkb = in.features[k].wkb;
        for (std::size_t c : kept) feature.values.push_back(in.features[k].values[c]);
        // A zero-weight feature's points still have times: use a plain mean then.
        const double mean = f.wm_weight > 0 ? f.wm / f.wm_weight
                                            : (f.fastest != unreachable ? f.fastest / 60.0 : nan);
        const double meters = f.wmeters_weight > 0 ? f.wmeters / f.wmeters_weight : nan;
        const double share = f.w > 0 ? f.covered_w / f.w : nan;
        feature.values.push_back(real_or_null(mean));
        feature.values.push_back(real_or_null(f.max_minutes));
        feature.values.push_back(result.has_length ? real_or_null(meters)
                                                   : Value(std::monostate{}));
        feature.values.push_back(f.facility != invalid_index
                                     ? Value(std::string(facility_ids[f.facility]))
                                     : Value(std::monostate{}));
        feature.values.push_back(real_or_null(share));
        const bool covered = f.w > 0 ? f.covered_w * 2 >= f.w : false;
        feature.values.push_back(std::int64_t(covered ? 1 : 0));
        const planners::SnapStatus status = f.any_ok ? planners::SnapStatus::ok : f.first_status;
        // A feature without demand points has no residents (every weight 0): nothing was placed.
        feature.values.push_back(f.any_point ? Value(std::string(planners::snap_status_name(status)))
                                             : Value(std::string("no_residents")));
        for (std::size_t c = 0; c < demand.columns.size(); ++c) {
            if (demand.columns[c].sum)
                feature.values.push_back(f.any_point ? Value(col_sum[c][k])
                                                     : Value(std::monostate{}));
            else
                feature.values.push_back(col_w[c][k] > 0 ? Value(col_sum[c][k] / col_w[c][k])
                                                         : Value(std::monostate{}));
        }
        for (std::size_t l = 0; l < demand.labels.size(); ++l)
            feature.values.push_back(label_of[l][k] ? Value(*label_of[l][k])
                                                    : Value(std::monostate{}));
        out.features.push_back(std::move(feature));
    }
    numeric_fields(out, kept.size());  // the input's own columns; ids written here stay text
    out.qml = categorized_qml(out.kind, "covered",
                              {category("1", "已覆盖 covered", palette::covered),
                               category("0", "未覆盖 not covered", palette::uncovered)});
    out.style_name = "covered (categorised)";
    return out;
}

std::vector<FacilityRow> facility_rows(std::span<const std::string> ids, std::span<const std::string> names,
                                       std::span<const Point> xy, const planners::Assignment& assignment,
                                       std::span<const double> ratio) {
    std::vector<FacilityRow> rows;
    for (std::size_t j = 0; j < assignment.facilities.size(); ++j) {
        const planners::FacilityAssignment& fa = assignment.facilities[j];
        FacilityRow row;
        row.id = ids[j];
        row.name = names[j];
        row.wkb = wkb_point(xy[j]);
        row.capacity = fa.capacity;
        row.assigned_weight = fa.assigned_weight;
        row.demand_within = fa.demand_within;
        row.load_ratio = fa.load_ratio;
        row.spare_capacity = fa.spare_capacity;
        row.ratio = ratio.empty() ? nan : ratio[j];
        rows.push_back(std::move(row));
    }
    return rows;
}

Layer facilities_layer(std::span<const FacilityRow> rows, const std::string& measure) {
    Layer out;
    out.name = "facilities";
    out.kind = GeometryKind::point;
    out.fields = {{"facility_id", FieldType::string},  {"name", FieldType::string},
                  {"capacity", FieldType::real},       {"assigned_weight", FieldType::real},
                  {"demand_within", FieldType::real},  {"load_ratio", FieldType::real},
                  {"spare_capacity", FieldType::real}, {"ratio_" + measure, FieldType::real}};
    for (const FacilityRow& r : rows) {
        Feature f;
        f.wkb = r.wkb;
        f.values = {r.id,
                    r.name,
                    r.capacity,
                    r.assigned_weight,
                    r.demand_within,
                    real_or_null(r.load_ratio),
                    r.spare_capacity,
                    real_or_null(r.ratio)};
        out.features.push_back(std::move(f));
    }
    out.qml = graduated_qml(GeometryKind::point, "load_ratio", {0.5, 0.8, 1.0, 1.5, 3.0}, "");
    out.style_name = "load ratio (graduated)";
    return out;
}

Layer districts_layer(std::span<const DistrictFigures> districts,
                      std::span<const std::string> groups) {
    Layer out;
    out.name = "districts";
    out.kind = GeometryKind::polygon;
    out.fields = {{"district", FieldType::string}};
    for (const std::string& g : groups) {
        for (const char* suffix :
             {"_total", "_covered", "_share", "_unreachable", "_unsnapped", "_mean_min", "_gini"})
            out.fields.push_back({g + suffix, FieldType::real});
    }
    for (const DistrictFigures& d : districts) {
        Feature f;
        if (!d.polygon.empty()) f.wkb = wkb_multipolygon(d.polygon);
        f.values.push_back(d.name);
        for (const planners::Figures& g : d.groups) {
            f.values.emplace_back(std::in_place_type<double>, g.total);
            f.values.emplace_back(std::in_place_type<double>, g.covered);
            f.values.push_back(real_or_null(g.total > 0 ? g.share : nan));
            f.values.emplace_back(std::in_place_type<double>, g.unreachable);
            f.values.emplace_back(std::in_place_type<double>, g.unsnapped);
            f.values.push_back(real_or_null(g.mean_minutes));
            f.values.push_back(real_or_null(g.gini_minutes));
        }
        out.features.push_back(std::move(f));
    }
    if (!groups.empty()) {
        out.qml = graduated_qml(GeometryKind::polygon, groups[0] + "_share",
                                {0.5, 0.7, 0.8, 0.9, 1.0}, "", true);
        out.style_name = groups[0] + " share (graduated)";
    }
    return out;
}

Layer gaps_layer(std::span<const planners::GapCell> cells, std::span<const std::string> groups,
                 double hex_m, std::size_t style_group) {
    if (!groups.empty() && style_group >= groups.size())
        throw std::invalid_argument("gaps_layer: style group " + std::to_string(style_group) + " of " +
                                    std::to_string(groups.size()) + " groups");
    Layer out;
    out.name = "gaps";
    out.kind = GeometryKind::polygon;
    for (const std::string& g : groups) out.fields.push_back({"uncovered_" + g, FieldType::real});
    out.fields.push_back({"unserved_weight", FieldType::real});
    out.fields.push_back({"minutes_mean", FieldType::real});
    out.fields.push_back({"minutes_max", FieldType::real});
    out.fields.push_back({"points", FieldType::integer});
    double largest = 0;
    for (const planners::GapCell& c : cells) {
        const std::array<Point, 6> corners = planners::hex_corners(c.cell, hex_m);
        std::vector<std::vector<std::vector<Point>>> poly(1);
        poly[0].emplace_back(corners.begin(), corners.end());
        poly[0][0].push_back(corners[0]);
        Feature f;
        f.wkb = wkb_multipolygon(poly);
        for (double u : c.uncovered) f.values.emplace_back(std::in_place_type<double>, u);
        f.values.emplace_back(std::in_place_type<double>, c.unserved);
        f.values.push_back(real_or_null(c.mean_minutes));
        f.values.push_back(real_or_null(c.max_minutes));
        f.values.push_back(static_cast<std::int64_t>(c.points));
        out.features.push_back(std::move(f));
        if (style_group < c.uncovered.size()) largest = std::max(largest, c.uncovered[style_group]);
    }
    if (!groups.empty()) {
        // The report draws the same classes (maps/style.hpp: one style source).
        const ClassBreaks classes = gap_classes("uncovered_" + groups[style_group], largest, "人 persons");
        out.qml = classes_qml(GeometryKind::polygon, classes, 0.75, false);
        out.style_name = "uncovered " + groups[style_group] + " (graduated)";
    }
    return out;
}

Layer plain_facilities_layer(std::span<const std::string> ids, std::span<const std::string> names,
                             std::span<const Point> xy, std::span<const Snap> snaps) {
    Layer out;
    out.name = "facilities";
    out.kind = GeometryKind::point;
    out.fields = {{"facility_id", FieldType::string}, {"name", FieldType::string}, {"snapped", FieldType::integer}};
    for (std::size_t i = 0; i < xy.size(); ++i) {
        Feature f;
        f.wkb = wkb_point(xy[i]);
        f.values = {ids[i], names[i], std::int64_t{snaps[i].ok() ? 1 : 0}};
        out.features.push_back(std::move(f));
    }
    out.qml = categorized_qml(GeometryKind::point, "snapped",
                              {{"1", "on the network", 31, 120, 180}, {"0", "not placed (too far)", 160, 160, 160}});
    out.style_name = "facilities";
    return out;
}

Layer residents_layer(const Layer& buildings, std::span<const std::string> groups,
                      std::span<const std::vector<double>> feature_weights, const std::string& name) {
    Layer layer = buildings;
    layer.name = name;
    // The age groups as fields of their own, so coverage can take them as weight fields.
    for (std::size_t g = 1; g < groups.size(); ++g) {
        layer.fields.push_back({groups[g], FieldType::real});
        for (std::size_t f = 0; f < layer.features.size(); ++f)
            layer.features[f].values.emplace_back(std::in_place_type<double>, feature_weights[g][f]);
    }
    double top = 0;
    for (const double w : feature_weights[0]) top = std::max(top, w);
    layer.qml = graduated_qml(layer.kind, "residents", fraction_breaks(top, {0.05, 0.15, 0.4, 1.0}), "");
    layer.style_name = "residents (graduated)";
    return layer;
}

}  // namespace lifecircle::maps
