#pragma once
/**
 * Between Python and the study API: the input descriptions the pure-Python package builds
 * (dicts naming a file or carrying an in-memory FeatureTable) into study specs, output layers
 * into dicts of numpy columns and WKB, JSON into Python objects, and output files written
 * through the same transaction as the command line's.
 */

#include <string>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <nlohmann/json.hpp>

#include "core/layer.hpp"
#include "core/limits.hpp"
#include "io/output.hpp"
#include "io/points.hpp"
#include "studies/area.hpp"
#include "studies/callbacks.hpp"
#include "studies/verb_jobs.hpp"
#include "studies/inputs.hpp"
#include "studies/suggestion.hpp"

namespace lifecircle::python {

namespace py = pybind11;

/** A FeatureTable from Python: x and y arrays or WKB bytes, and (name, type) fields with their
    columns (types "integer", "real", "string"; NaN and None are NULL). */
std::shared_ptr<io::FeatureTable> make_table(std::string name, std::string layer, std::string crs,
                                             py::object x, py::object y, py::object wkb,
                                             py::list fields, py::list columns);

/** A facility (or origin, target) input: {"path" or "table", "label", "layer", "crs", the field
    names}; `prefix` names its options in messages ("facilities" -> "facilities-crs"). */
studies::FacilitySpec facility_spec(const py::dict& d, const std::string& prefix);
/** A demand input: {"path" or "table", "layer", "crs", "id_field", "weight_fields", "spread_m"}. */
studies::DemandSpec demand_spec(const py::dict& d);
/** A polygon input (districts, exclusions): {"path" or "table", "label", "layer", "crs",
    "name_field"}; None = none. */
studies::PolygonSpec polygon_spec(const py::object& d, const std::string& prefix);

/** A number the user gave, checked against its kind (core/limits.hpp); UsageError naming it. */
double checked(Quantity q, const py::handle& value, const std::string& name);

/** A layer as {"name", "kind", "crs", "qml", "fields", "types", "columns" (numpy arrays; lists of
    str/None for text), "wkb" (bytes or None per feature)}. */
py::dict layer_dict(const Layer& layer, const std::string& crs);

/** JSON as Python objects (dicts keep their order). */
py::object to_python(const nlohmann::ordered_json& j);

/** The inputs a study reads: (the keyword naming it, its path); outputs are checked against them.
 */
using Inputs = std::vector<std::pair<std::string, std::string>>;

/** Adds `spec`'s file to `inputs` (nothing for an in-memory table). */
template <typename Spec>
void add_input(Inputs& inputs, const std::string& keyword, const Spec& spec) {
    if (!spec.table && !spec.path.empty()) inputs.emplace_back(keyword, spec.path);
}

/** One output the caller asked for: the keyword naming it, its path and accepted extensions. */
struct OutputRequest {
    std::string keyword;
    std::string path;
    std::vector<std::string> extensions{".geojson", ".json", ".gpkg"};
};

/**
 * The outputs of a study, checked before it computes anything as the command line checks them
 * (against the inputs and each other; empty paths are left out). `index` maps each request to
 * its place in the plan's requests (npos when left out).
 */
struct PlannedOutputs {
    std::unique_ptr<io::OutputPlan> plan;
    std::vector<std::size_t> index;
    bool any() const { return plan != nullptr; }
    /** The plan's file of request `r` (which must be present). */
    std::size_t file(std::size_t r) const;
    bool has(std::size_t r) const { return index[r] != static_cast<std::size_t>(-1); }
};
PlannedOutputs plan_outputs(const std::vector<OutputRequest>& requests, const Inputs& inputs,
                            const studies::Reporter& reporter);

}  // namespace lifecircle::python
