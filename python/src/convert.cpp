#include "convert.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "io/layer_writer.hpp"

namespace lifecircle::python {

namespace {

template <typename T>
T get(const py::dict& d, const char* key, T fallback) {
    if (!d.contains(key)) return fallback;
    const py::object v = d[key];
    return v.is_none() ? fallback : v.cast<T>();
}

std::shared_ptr<const io::FeatureTable> table_of(const py::dict& d) {
    if (!d.contains("table") || d["table"].is_none()) return nullptr;
    return d["table"].cast<std::shared_ptr<io::FeatureTable>>();
}

std::vector<double> doubles(const py::object& values, const std::string& what) {
    const auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(values);
    if (!a || a.ndim() != 1) throw UsageError(what + " must be a one-dimensional array of numbers");
    return {a.data(), a.data() + a.size()};
}

std::vector<Value> column_values(const py::object& values, FieldType type,
                                 const std::string& field) {
    std::vector<Value> out;
    if (type == FieldType::real) {
        for (const double v : doubles(values, "the column '" + field + "'")) out.emplace_back(v);
        return out;
    }
    if (type == FieldType::integer) {
        const auto a =
            py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(values);
        if (!a || a.ndim() != 1)
            throw UsageError("the column '" + field +
                             "' must be a one-dimensional array of integers");
        for (py::ssize_t i = 0; i < a.size(); ++i) out.emplace_back(a.data()[i]);
        return out;
    }
    for (const py::handle v : values) {
        if (v.is_none())
            out.emplace_back(std::monostate{});
        else
            out.emplace_back(py::str(v).cast<std::string>());
    }
    return out;
}

void read_fields(const py::dict& d, io::PointReadOptions& r) {
    r.layer = get<std::string>(d, "layer", r.layer);
    r.input_crs = get<std::string>(d, "crs", r.input_crs);
    r.id_field = get<std::string>(d, "id_field", r.id_field);
    r.name_field = get<std::string>(d, "name_field", r.name_field);
    r.type_field = get<std::string>(d, "type_field", r.type_field);
    r.capacity_field = get<std::string>(d, "capacity_field", r.capacity_field);
    r.delay_field = get<std::string>(d, "delay_field", r.delay_field);
    r.cutoff_field = get<std::string>(d, "cutoff_field", r.cutoff_field);
    r.cost_field = get<std::string>(d, "cost_field", r.cost_field);
}

py::object numeric_column(const Layer& layer, std::size_t f) {
    const std::size_t n = layer.features.size();
    bool nulls = false;
    for (const Feature& feature : layer.features)
        if (std::holds_alternative<std::monostate>(feature.values[f])) nulls = true;
    if (layer.fields[f].type == FieldType::integer && !nulls) {
        py::array_t<std::int64_t> a(static_cast<py::ssize_t>(n));
        auto* p = a.mutable_data();
        for (std::size_t i = 0; i < n; ++i)
            p[i] = std::get<std::int64_t>(layer.features[i].values[f]);
        return a;
    }
    py::array_t<double> a(static_cast<py::ssize_t>(n));
    auto* p = a.mutable_data();
    for (std::size_t i = 0; i < n; ++i) {
        const Value& v = layer.features[i].values[f];
        p[i] = std::holds_alternative<double>(v) ? std::get<double>(v)
               : std::holds_alternative<std::int64_t>(v)
                   ? static_cast<double>(std::get<std::int64_t>(v))
                   : std::nan("");
    }
    return a;
}

}  // namespace

std::shared_ptr<io::FeatureTable> make_table(std::string name, std::string layer, std::string crs,
                                             py::object x, py::object y, py::object wkb,
                                             py::list fields, py::list columns) {
    auto t = std::make_shared<io::FeatureTable>();
    t->name = std::move(name);
    t->layer = std::move(layer);
    t->crs = std::move(crs);
    if (!x.is_none()) t->x = doubles(x, t->name + ": x");
    if (!y.is_none()) t->y = doubles(y, t->name + ": y");
    if (!wkb.is_none())
        for (const py::handle g : wkb)
            t->wkb.push_back(g.is_none() ? std::string() : g.cast<std::string>());
    if (fields.size() != columns.size())
        throw UsageError(t->name + ": " + std::to_string(fields.size()) + " fields but " +
                         std::to_string(columns.size()) + " columns");
    for (std::size_t f = 0; f < fields.size(); ++f) {
        const auto [field, type] = fields[f].cast<std::pair<std::string, std::string>>();
        const FieldType ft = type == "integer" ? FieldType::integer
                             : type == "real"  ? FieldType::real
                                               : FieldType::string;
        t->fields.push_back({field, ft});
        t->columns.push_back(column_values(columns[f], ft, field));
    }
    return t;
}

studies::FacilitySpec facility_spec(const py::dict& d, const std::string& prefix) {
    studies::FacilitySpec s;
    s.path = get<std::string>(d, "path", "");
    s.table = table_of(d);
    s.label = get<std::string>(d, "label", prefix);
    s.read.option_prefix = prefix;
    read_fields(d, s.read);
    return s;
}

studies::DemandSpec demand_spec(const py::dict& d) {
    studies::DemandSpec s;
    s.path = get<std::string>(d, "path", "");
    s.table = table_of(d);
    s.read.layer = get<std::string>(d, "layer", "");
    s.read.input_crs = get<std::string>(d, "crs", "");
    s.read.id_field = get<std::string>(d, "id_field", s.read.id_field);
    s.read.weight_fields = get<std::vector<std::string>>(d, "weight_fields", {});
    if (d.contains("spread_m") && !d["spread_m"].is_none())
        s.read.spread_spacing_m = checked(Quantity::spread_m, d["spread_m"], "spread_m");
    return s;
}

studies::PolygonSpec polygon_spec(const py::object& o, const std::string& prefix) {
    studies::PolygonSpec s;
    if (o.is_none()) return s;
    const auto d = o.cast<py::dict>();
    s.path = get<std::string>(d, "path", "");
    s.table = table_of(d);
    s.label = get<std::string>(d, "label", prefix);
    s.read.option_prefix = prefix;
    read_fields(d, s.read);
    return s;
}

double checked(Quantity q, const py::handle& value, const std::string& name) {
    double v = 0.0;
    try {
        v = value.cast<double>();
    } catch (const py::cast_error&) {
        throw UsageError(name + " must be a number, not " + py::repr(value).cast<std::string>());
    }
    return check_option(q, v, name);
}

py::dict layer_dict(const Layer& layer, const std::string& crs) {
    py::dict out;
    out["name"] = layer.name;
    out["kind"] = layer.kind == GeometryKind::point     ? "point"
                  : layer.kind == GeometryKind::line    ? "line"
                  : layer.kind == GeometryKind::polygon ? "polygon"
                                                        : "none";
    out["crs"] = crs;
    out["qml"] = layer.qml;
    py::list names, types;
    py::dict columns;
    for (std::size_t f = 0; f < layer.fields.size(); ++f) {
        const Field& field = layer.fields[f];
        names.append(field.name);
        types.append(field.type == FieldType::integer ? "integer"
                     : field.type == FieldType::real  ? "real"
                                                      : "string");
        if (field.type == FieldType::string) {
            py::list values;
            for (const Feature& feature : layer.features) {
                const Value& v = feature.values[f];
                if (const auto* s = std::get_if<std::string>(&v))
                    values.append(py::str(*s));
                else if (std::holds_alternative<std::monostate>(v))
                    values.append(py::none());
                else if (const auto* i = std::get_if<std::int64_t>(&v))
                    values.append(py::str(std::to_string(*i)));
                else
                    values.append(py::str(py::float_(std::get<double>(v))));
            }
            columns[field.name.c_str()] = values;
        } else {
            columns[field.name.c_str()] = numeric_column(layer, f);
        }
    }
    out["fields"] = names;
    out["types"] = types;
    out["columns"] = columns;
    py::list wkb;
    for (const Feature& feature : layer.features) {
        if (feature.wkb.empty())
            wkb.append(py::none());
        else
            wkb.append(
                py::bytes(reinterpret_cast<const char*>(feature.wkb.data()), feature.wkb.size()));
    }
    out["wkb"] = wkb;
    return out;
}

py::object to_python(const nlohmann::ordered_json& j) {
    return py::module_::import("json").attr("loads")(j.dump());
}

std::size_t PlannedOutputs::file(std::size_t r) const { return plan->file_of(index.at(r)); }

PlannedOutputs plan_outputs(const std::vector<OutputRequest>& requests, const Inputs& inputs,
                            const studies::Reporter& reporter) {
    PlannedOutputs out;
    std::vector<io::OutputRequest> accepted;
    for (const OutputRequest& r : requests) {
        if (r.path.empty()) {
            out.index.push_back(static_cast<std::size_t>(-1));
            continue;
        }
        out.index.push_back(accepted.size());
        // A .qml style may go beside a GeoJSON layer, as on the command line; never beside a table.
        const bool layers =
            std::find(r.extensions.begin(), r.extensions.end(), ".geojson") != r.extensions.end();
        accepted.push_back({r.keyword, r.path, r.extensions, "", layers});
    }
    if (accepted.empty()) return out;
    // Built in place from the returned plan (an OutputPlan cannot be moved).
    out.plan.reset(new io::OutputPlan(studies::plan_outputs(std::move(accepted), inputs, reporter)));
    return out;
}

}  // namespace lifecircle::python
