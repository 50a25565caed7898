#include "maps/suggest_layers.hpp"

#include <algorithm>
#include <cmath>

#include "maps/style.hpp"

namespace lifecircle::maps {

namespace {
Value real_or_null(double v) { return std::isfinite(v) ? Value(v) : Value(std::monostate{}); }
}  // namespace

Layer sites_layer(std::span<const SiteRow> rows, const std::string& name) {
    Layer out;
    out.name = name;
    out.kind = GeometryKind::point;
    bool any_geometry = false;
    for (const SiteRow& r : rows) any_geometry = any_geometry || !r.wkb.empty();
    if (!any_geometry && !rows.empty()) out.kind = GeometryKind::none;
    out.fields = {{"rank", FieldType::integer},         {"candidate_id", FieldType::string},
                  {"name", FieldType::string},          {"kind", FieldType::string},
                  {"added_weight", FieldType::real},    {"assigned_weight", FieldType::real},
                  {"capacity", FieldType::real},        {"cost", FieldType::real}};
    for (const SiteRow& r : rows) {
        Feature f;
        f.wkb = r.wkb;
        f.values = {static_cast<std::int64_t>(r.rank), r.candidate_id, r.name, r.kind,
                    r.added_weight, r.assigned_weight, real_or_null(r.capacity), real_or_null(r.cost)};
        out.features.push_back(std::move(f));
    }
    if (out.kind != GeometryKind::none) {
        // Breaks at ranks 1, 3, 5, 10, 20 (and the last rank): the first picks stand out.
        std::vector<double> breaks;
        for (const double b : {1.0, 3.0, 5.0, 10.0, 20.0})
            if (b < double(rows.size())) breaks.push_back(b);
        breaks.push_back(std::max<double>(1.0, double(rows.size())));
        out.qml = graduated_qml(GeometryKind::point, "rank", breaks, "");
        out.style_name = "pick order (graduated)";
    }
    return out;
}

}  // namespace lifecircle::maps
