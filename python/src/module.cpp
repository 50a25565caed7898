// lifecircle._lifecircle: the study API (studies/) for Python. Thin wrappers only: each call
// fills the same option structs as the command line's verbs (cli/*.cpp) and calls the same study;
// the conveniences (GeoDataFrames, keyword defaults, results as objects) live in the pure-Python
// package next to this module (python/lifecircle/).
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "py_callbacks.hpp"
#include "convert.hpp"
#include "core/error.hpp"
#include "core/limits.hpp"
#include "io/layer_writer.hpp"
#include "io/output.hpp"
#include "maps/suggest_layers.hpp"
#include "planners/standards.hpp"
#include "studies/network_summary.hpp"
#include "studies/plan.hpp"
#include "studies/plan_outputs.hpp"
#include "studies/plan_folder.hpp"
#include "studies/scenario.hpp"
#include "studies/service.hpp"
#include "studies/standard.hpp"
#include "studies/suggestion.hpp"
#include "studies/travel.hpp"

namespace lifecircle::python {

namespace {

template <typename T>
T get(const py::dict& d, const char* key, T fallback) {
    if (!d.contains(key)) return fallback;
    const py::object v = d[key];
    return v.is_none() ? fallback : v.cast<T>();
}

std::optional<double> optional_number(const py::dict& d, const char* key, Quantity q) {
    if (!d.contains(key) || d[key].is_none()) return std::nullopt;
    return checked(q, d[key], key);
}

/**
 * Runs `study(reporter)` without the GIL and with the caller's callbacks. When the study stops
 * with Cancelled, raises what a callback raised (or lifecircle.Cancelled when it asked to stop).
 * A study that finished (its last check passed, its outputs committed) returns its result, unless
 * a callback raised on the way: that exception is raised.
 */
template <typename F>
auto run_study(PyCallbacks& callbacks, F&& study) {
    using R = decltype(study(std::declval<const studies::Reporter&>()));
    const studies::Reporter reporter = callbacks.study_reporter();
    std::optional<R> out;
    try {
        py::gil_scoped_release nogil;
        out.emplace(study(reporter));
    } catch (const Cancelled&) {
        callbacks.raise_if_stopped();
        throw;
    }
    callbacks.raise_if_error();
    return std::move(*out);
}

/** An array over memory `owner` keeps alive (a view, not a copy). */
template <typename T>
py::array_t<T> view(const std::vector<T>& values, const py::object& owner) {
    return py::array_t<T>({static_cast<py::ssize_t>(values.size())},
                          {static_cast<py::ssize_t>(sizeof(T))}, values.data(), owner);
}

// --- errors -----------------------------------------------------------------------------------

void raise_as(const char* name, const Error& e, const std::string& text) {
    const py::object cls = py::module_::import("lifecircle.errors").attr(name);
    const py::object error = cls(text);
    error.attr("file") = e.file();
    error.attr("layer") = e.layer();
    error.attr("feature") = e.feature();
    error.attr("problem") = e.problem();
    PyErr_SetObject(cls.ptr(), error.ptr());
}

void translate(std::exception_ptr p) {
    try {
        if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
        raise_as("InputError", e, e.what());
    } catch (const UsageError& e) {
        raise_as("UsageError", e, e.what());
    } catch (const OutputError& e) {
        raise_as("OutputError", e, e.what());
    } catch (const Cancelled& e) {
        raise_as("Cancelled", e, "cancelled: the caller asked to stop; nothing was written");
    } catch (const Error& e) {
        raise_as("Error", e, e.what());
    }
}

// --- networks ---------------------------------------------------------------------------------

/** A road network as Python's Network holds it: loaded once per travel profile a study needs. */
class NetworkHandle {
public:
    NetworkHandle(const py::dict& o, PyCallbacks& callbacks) {
        m_spec.path = o["path"].cast<std::string>();
        if (o.contains("mode") && !o["mode"].is_none()) {
            const auto text = o["mode"].cast<std::string>();
            m_mode = parse_mode(text);
            if (!m_mode) throw UsageError("mode must be walk, bike or drive, not '" + text + "'");
        }
        m_walk_speed = optional_number(o, "walk_speed_kmh", Quantity::walk_speed_kmh);
        io::NetworkOptions& r = m_spec.read;
        r.work_crs = get<std::string>(o, "work_crs", "");
        r.gdal.input_crs = get<std::string>(o, "network_crs", "");
        r.gdal.layer = get<std::string>(o, "layer", "");
        r.gdal.speed_field = get<std::string>(o, "speed_field", "");
        r.gdal.oneway_field = get<std::string>(o, "oneway_field", "");
        r.gdal.class_field = get<std::string>(o, "class_field", "");
        r.gdal.name_field = get<std::string>(o, "road_name_field", "");
        r.elevation = get<std::string>(o, "elevation", "");
        if (const auto v = optional_number(o, "snap_tolerance", Quantity::tolerance_m))
            r.gdal.snap_tolerance_m = *v;
        if (const auto v = optional_number(o, "max_snap", Quantity::snap_m))
            m_spec.snap.max_distance = *v;
        if (const auto v = optional_number(o, "island_m", Quantity::snap_m))
            m_spec.snap.min_component_m = *v;
        m_spec.snap.allow_islands = get<bool>(o, "snap_to_islands", false);
        m_threads = get<unsigned>(o, "threads", 0);
        io::check_input_path(m_spec.path, "path");
        const ProfileSettings p =
            default_profile(m_mode.value_or(Mode::walk), m_walk_speed.value_or(4.0));
        run_study(callbacks, [&](const studies::Reporter& rep) {
            loaded(p, rep);
            return 0;
        });
    }

    /** The network loaded for `profile` (and its length twin); loads it the first time. */
    std::shared_ptr<const studies::LoadedNetwork> loaded(const ProfileSettings& p,
                                                         const studies::Reporter& rep) {
        const std::lock_guard lock(m_mutex);
        for (const auto& [key, net] : m_loaded)
            if (key.mode == p.mode && key.walk_speed_kmh == p.walk_speed_kmh &&
                key.slope == p.slope)
                return net;
        // Held by pointer: its snapper points at its graph, which never moves.
        const std::shared_ptr<const studies::LoadedNetwork> net = studies::load_network(m_spec, p, rep, true);
        m_loaded.emplace_back(p, net);
        return net;
    }

    /** The profile of matrices and service areas: mode and walking speed as given (walk, 4 km/h).
     */
    ProfileSettings profile() const {
        return default_profile(m_mode.value_or(Mode::walk), m_walk_speed.value_or(4.0));
    }
    std::shared_ptr<const studies::LoadedNetwork> first() const { return m_loaded.front().second; }

    /** The standard of a service study, as the command line resolves --standard, --minutes... */
    studies::StudyStandard standard(const py::dict& d) const {
        studies::StandardChoice c;
        c.command_line = false;
        c.name = get<std::string>(d, "standard", "");
        c.standards_file = get<std::string>(d, "standards_file", "");
        c.minutes = optional_number(d, "minutes", Quantity::minutes);
        c.metres = optional_number(d, "max_meters", Quantity::metres);
        c.target_share = optional_number(d, "target_share", Quantity::share);
        c.mode = m_mode;
        c.walk_speed_kmh = m_walk_speed;
        c.direction =
            studies::parse_direction(get<std::string>(d, "direction", "to-facility"), "direction");
        if (c.name.empty() && !c.minutes && !c.metres) c.minutes = 15.0;
        return studies::resolve_standard(c);
    }

    const studies::NetworkSpec& spec() const { return m_spec; }
    unsigned threads() const { return m_threads; }

private:
    studies::NetworkSpec m_spec;
    std::optional<Mode> m_mode;
    std::optional<double> m_walk_speed;
    unsigned m_threads = 0;
    std::mutex m_mutex;
    std::vector<std::pair<ProfileSettings, std::shared_ptr<const studies::LoadedNetwork>>> m_loaded;
};

// --- matrix -----------------------------------------------------------------------------------

struct MatrixOutput {
    studies::MatrixResult result;

    py::array_t<double> dense() const {
        const studies::MatrixResult& r = result;
        py::array_t<double> a(
            {static_cast<py::ssize_t>(r.table.rows()), static_cast<py::ssize_t>(r.to.size())});
        double* p = a.mutable_data();
        const std::size_t cols = r.to.size();
        {
            py::gil_scoped_release nogil;
            std::fill(p, p + r.table.rows() * cols, std::numeric_limits<double>::infinity());
            for (std::size_t i = 0; i < r.table.rows(); ++i)
                for (const TimeEntry& e : r.table.row(i))
                    p[i * cols + e.col] = double(e.seconds) / 60.0;
        }
        return a;
    }

    py::tuple sparse() const {
        const TimeTable& t = result.table;
        py::array_t<std::int64_t> indptr(static_cast<py::ssize_t>(t.rows() + 1));
        py::array_t<std::int64_t> cols(static_cast<py::ssize_t>(t.size()));
        py::array_t<double> minutes(static_cast<py::ssize_t>(t.size()));
        auto* ip = indptr.mutable_data();
        auto* cp = cols.mutable_data();
        auto* mp = minutes.mutable_data();
        {
            py::gil_scoped_release nogil;
            std::size_t k = 0;
            ip[0] = 0;
            for (std::size_t i = 0; i < t.rows(); ++i) {
                for (const TimeEntry& e : t.row(i)) {
                    cp[k] = e.col;
                    mp[k] = double(e.seconds) / 60.0;
                    ++k;
                }
                ip[i + 1] = static_cast<std::int64_t>(k);
            }
        }
        return py::make_tuple(indptr, cols, minutes);
    }
};

std::shared_ptr<MatrixOutput> run_matrix(NetworkHandle& net, const py::dict& from,
                                         const py::dict& to, const py::dict& o,
                                         const py::object& progress, const py::object& notice,
                                         const py::object& cancelled) {
    PyCallbacks callbacks(progress, notice, cancelled);
    studies::MatrixOptions mo;
    mo.from = facility_spec(from, "from");
    mo.to = facility_spec(to, "to");
    mo.threads = net.threads();
    if (const auto m = optional_number(o, "max_minutes", Quantity::minutes)) mo.cutoff = *m * 60.0;
    for (const studies::FacilitySpec* s : {&mo.from, &mo.to})
        if (!s->table) io::check_point_input(s->path, s->read);
    const std::string out = get<std::string>(o, "out", "");
    std::vector<std::string> formats = {".csv", ".gpkg"};
    if (io::output_format_available(".parquet")) formats.push_back(".parquet");
    Inputs inputs{{"network", net.spec().path}};
    add_input(inputs, "origins", mo.from);
    add_input(inputs, "targets", mo.to);
    auto output = std::make_shared<MatrixOutput>();
    output->result = run_study(callbacks, [&](const studies::Reporter& rep) {
        PlannedOutputs planned = python::plan_outputs({{"out", out, formats}}, inputs, rep);
        studies::MatrixResult r = studies::run_matrix(*net.loaded(net.profile(), rep), mo, rep);
        rep.check();
        if (planned.any()) {
            io::OutputPlan& plan = *planned.plan;
            if (plan.files().front().format == ".csv") {
                io::TextOutput text = plan.open_text(0);
                studies::write_matrix_csv(r, [&text](std::string_view piece) { text << piece; });
                text.close();
            } else {
                studies::write_files(
                    plan, {{studies::matrix_layer(r, get<std::string>(o, "layer_name", "matrix"))}},
                    "EPSG:4326", get<bool>(o, "update", false), net.threads(), rep);
            }
            plan.commit();
        }
        return r;
    });
    return output;
}

// --- service areas ----------------------------------------------------------------------------

struct IsochroneOutput {
    studies::IsochroneStudyResult result;
    std::string crs;
};

std::shared_ptr<IsochroneOutput> run_isochrones(NetworkHandle& net, const py::dict& facilities,
                                                const py::dict& o, const py::object& progress,
                                                const py::object& notice,
                                                const py::object& cancelled) {
    PyCallbacks callbacks(progress, notice, cancelled);
    studies::IsochroneStudyOptions io;
    io.facilities = facility_spec(facilities, "facilities");
    io.minutes.clear();
    for (const py::handle m : o["minutes"].cast<py::list>())
        io.minutes.push_back(checked(Quantity::minutes, m, "minutes"));
    if (io.minutes.empty()) throw UsageError("minutes needs at least one break, e.g. [15]");
    const auto method = get<std::string>(o, "method", "raster");
    if (method != "raster" && method != "network" && method != "hull")
        throw UsageError("method must be raster, network or hull, not '" + method + "'");
    io.area.method = method == "hull"      ? maps::AreaMethod::hull
                     : method == "network" ? maps::AreaMethod::network
                                           : maps::AreaMethod::raster;
    if (const auto b = optional_number(o, "buffer_m", Quantity::buffer_m)) io.area.buffer_m = *b;
    const auto shape = get<std::string>(o, "shape", "nested");
    if (shape != "nested" && shape != "rings" && shape != "dissolve" && shape != "split")
        throw UsageError("shape must be nested, rings, dissolve or split, not '" + shape + "'");
    io.shape = shape == "rings"      ? maps::IsochroneShape::rings
               : shape == "dissolve" ? maps::IsochroneShape::dissolve
               : shape == "split"    ? maps::IsochroneShape::split
                                     : maps::IsochroneShape::nested;
    if (const auto e = optional_number(o, "entrance_max_m", Quantity::snap_m))
        io.entrance_max_m = *e;
    const std::string out = get<std::string>(o, "out", ""),
                      lines_out = get<std::string>(o, "lines_out", "");
    io.lines = get<bool>(o, "lines", false) || !lines_out.empty();
    io.threads = net.threads();
    if (!io.facilities.table) io::check_point_input(io.facilities.path, io.facilities.read);
    Inputs inputs{{"network", net.spec().path}};
    add_input(inputs, "facilities", io.facilities);
    auto output = std::make_shared<IsochroneOutput>();
    output->result = run_study(callbacks, [&](const studies::Reporter& rep) {
        PlannedOutputs planned =
            python::plan_outputs({{"out", out}, {"lines_out", lines_out}}, inputs, rep);
        const auto loaded = net.loaded(net.profile(), rep);
        output->crs = loaded->net.work_crs;
        studies::IsochroneStudyResult r = studies::run_isochrones(*loaded, io, rep);
        rep.check();
        if (planned.any()) {
            std::vector<std::vector<Layer>> per_file(planned.plan->files().size());
            if (planned.has(0)) per_file[planned.file(0)].push_back(r.layers.areas);
            if (planned.has(1)) per_file[planned.file(1)].push_back(r.layers.lines);
            studies::write_files(*planned.plan, std::move(per_file), output->crs,
                                       get<bool>(o, "update", false), net.threads(), rep);
            planned.plan->commit();
        }
        return r;
    });
    return output;
}

// --- coverage ---------------------------------------------------------------------------------

struct CoverageOutput {
    std::string crs;
    std::vector<std::string> groups;
    std::size_t group = 0;
    nlohmann::ordered_json summary;
    studies::ServiceResult result;
    studies::ServiceLayers layers;
    /** Per demand point: its input feature, weights per group, served weight (capacity runs). */
    std::vector<std::uint32_t> point_feature;
    std::vector<std::vector<double>> weights;
    std::vector<double> served;
    std::vector<std::uint8_t> status;
};

std::shared_ptr<CoverageOutput> run_coverage(NetworkHandle& net, const py::dict& facilities,
                                             const py::dict& demand, const py::object& districts,
                                             const py::dict& standard, const py::dict& o,
                                             const py::object& progress, const py::object& notice,
                                             const py::object& cancelled) {
    PyCallbacks callbacks(progress, notice, cancelled);
    studies::ServiceOptions so;
    so.standard = net.standard(standard);
    so.facilities = facility_spec(facilities, "facilities");
    so.group = get<std::string>(o, "group", "");
    so.access = studies::parse_access(get<std::string>(o, "access", "e2sfca"), "access");
    const auto decay = get<std::string>(o, "decay", "steps");
    if (decay != "steps" && decay != "gaussian")
        throw UsageError("decay must be steps or gaussian, not '" + decay + "'");
    so.decay = decay == "gaussian" ? planners::Decay::gaussian : planners::Decay::steps;
    const std::string gaps = get<std::string>(o, "gaps", "");
    const auto hex = optional_number(o, "hex_m", Quantity::hex_m);
    so.hex_m = hex ? *hex : !gaps.empty() ? 250.0 : 0.0;
    studies::AreaSpec spec;
    spec.network = net.spec();
    spec.demand = demand_spec(demand);
    spec.districts = polygon_spec(districts, "districts");
    spec.threads = net.threads();
    const std::string out = get<std::string>(o, "out", ""),
                      districts_out = get<std::string>(o, "districts_out", "");
    const std::string facilities_out = get<std::string>(o, "facilities_out", ""),
                      summary = get<std::string>(o, "summary", "");
    const bool capacities = !so.facilities.read.capacity_field.empty();
    if (!facilities_out.empty() && !capacities)
        throw UsageError("facilities_out needs a capacity field (capacity=...)");
    if (!districts_out.empty() && spec.districts.path.empty())
        throw UsageError("districts_out needs districts");
    if (!so.facilities.table) io::check_point_input(so.facilities.path, so.facilities.read);
    Inputs inputs{{"network", net.spec().path}};
    add_input(inputs, "facilities", so.facilities);
    add_input(inputs, "demand", spec.demand);
    add_input(inputs, "districts", spec.districts);
    auto output = std::make_shared<CoverageOutput>();
    run_study(callbacks, [&](const studies::Reporter& rep) {
        PlannedOutputs planned = python::plan_outputs({{"out", out},
                                                       {"districts_out", districts_out},
                                                       {"gaps", gaps},
                                                       {"facilities_out", facilities_out},
                                                       {"summary", summary, {".json"}}},
                                                      inputs, rep);
        const ProfileSettings profile = so.standard.profile();
        const auto loaded = net.loaded(profile, rep);
        const auto area = studies::load_area(spec, loaded->net, profile, rep);
        studies::ServiceResult r = studies::run_service(*area, so, rep);
        output->layers = studies::service_layers(*area, so, r);
        for (const std::string& n : output->layers.notes) rep.note(n);
        output->summary = studies::service_summary(*area, spec, so, r);
        output->crs = area->net.work_crs;
        output->groups = area->demand.groups;
        output->group = r.group;
        output->point_feature = area->demand.feature;
        output->weights = area->demand.weights;
        if (r.seats)
            for (const planners::DemandAssignment& d : r.seats->assignment.demand)
                output->served.push_back(d.served_weight);
        for (const planners::SnapStatus s : r.coverage.status)
            output->status.push_back(static_cast<std::uint8_t>(s));
        output->result = std::move(r);
        rep.check();
        if (planned.any()) {
            const studies::ServiceLayers& l = output->layers;
            const bool out_gpkg =
                planned.has(0) && planned.plan->files()[planned.file(0)].format == ".gpkg";
            std::vector<std::vector<Layer>> per_file(planned.plan->files().size());
            if (planned.has(0)) per_file[planned.file(0)].push_back(l.demand);
            if (!output->result.districts.empty() && (planned.has(1) || out_gpkg))
                per_file[planned.file(planned.has(1) ? 1 : 0)].push_back(l.districts);
            if (planned.has(2)) per_file[planned.file(2)].push_back(l.gaps);
            if (capacities && (planned.has(3) || out_gpkg))
                per_file[planned.file(planned.has(3) ? 3 : 0)].push_back(l.facilities);
            studies::write_files(*planned.plan, std::move(per_file), output->crs,
                                       get<bool>(o, "update", false), net.threads(), rep);
            if (planned.has(4))
                planned.plan->write_text(planned.file(4), output->summary.dump(2) + "\n");
            planned.plan->commit();
        }
        return 0;
    });
    return output;
}

py::dict point_arrays(const std::shared_ptr<CoverageOutput>& self) {
    const py::object owner = py::cast(self);
    const studies::ServiceResult& r = self->result;
    py::dict d;
    d["feature"] = view(self->point_feature, owner);
    d["seconds"] = view(r.coverage.by_time.seconds, owner);
    d["facility"] = view(r.coverage.by_time.facility, owner);
    d["covered"] = view(r.coverage.covered, owner);
    d["status"] = view(self->status, owner);
    if (r.coverage.has_length) d["metres"] = view(r.coverage.by_length.seconds, owner);
    py::dict weights;
    for (std::size_t g = 0; g < self->groups.size(); ++g)
        weights[self->groups[g].c_str()] = view(self->weights[g], owner);
    d["weights"] = weights;
    if (r.seats) {
        d["served"] = view(self->served, owner);
        d["access"] = view(r.seats->access, owner);
    }
    return d;
}

// --- suggestion -------------------------------------------------------------------------------

struct SuggestOutput {
    nlohmann::ordered_json summary;
    Layer sites;
    std::string crs;
};

std::shared_ptr<SuggestOutput> run_suggest(NetworkHandle& net, const py::dict& facilities,
                                           const py::dict& demand, const py::dict& candidates,
                                           const py::object& exclude, const py::dict& standard,
                                           const py::dict& o, const py::object& progress,
                                           const py::object& notice, const py::object& cancelled) {
    PyCallbacks callbacks(progress, notice, cancelled);
    const std::optional<double> count = optional_number(o, "count", Quantity::count);
    const std::optional<double> target = optional_number(o, "target", Quantity::share);
    const std::optional<double> budget = optional_number(o, "budget", Quantity::cost);
    studies::SuggestionOptions so;
    so.solver = studies::objective_options(get<std::string>(o, "objective", "max-coverage"), count,
                                           target, budget, false);
    so.solver.capacitated = get<bool>(o, "capacitated", false);
    so.solver.seed = get<std::uint64_t>(o, "seed", 1);
    if (const auto t = optional_number(o, "time_limit", Quantity::seconds))
        so.solver.time_limit = *t;
    so.solver.parallel.threads = net.threads();
    so.service.standard = net.standard(standard);
    if (!facilities.empty()) so.service.facilities = facility_spec(facilities, "facilities");
    so.service.group = get<std::string>(o, "group", "");
    studies::CandidateSpec& c = so.candidates;
    const studies::FacilitySpec cands = facility_spec(candidates, "candidates");
    c.path = cands.path;
    c.table = cands.table;
    c.read = cands.read;
    if (const auto s = optional_number(o, "candidate_spacing", Quantity::spacing_m))
        c.spacing_m = *s;
    c.max_candidates = get<std::size_t>(o, "max_candidates", c.max_candidates);
    c.capacity = optional_number(o, "candidate_capacity", Quantity::capacity);
    c.exclude = polygon_spec(exclude, "exclude");
    if (const auto e = optional_number(o, "expansion_seats", Quantity::capacity))
        c.expansion_seats = *e;
    c.expansion_cost = optional_number(o, "expansion_cost", Quantity::cost);
    if (const auto p = optional_number(o, "p_median_minutes", Quantity::minutes))
        so.p_median_minutes = *p;
    so.exact = get<bool>(o, "exact", false);
    if (const auto t = optional_number(o, "exact_time_limit", Quantity::seconds))
        so.exact_time_limit = *t;
    studies::check_suggestion(so);
    if (!so.service.facilities.path.empty() && !so.service.facilities.table)
        io::check_point_input(so.service.facilities.path, so.service.facilities.read);
    if (c.path != "auto" && !c.table) io::check_point_input(c.path, c.read);
    studies::AreaSpec spec;
    spec.network = net.spec();
    spec.demand = demand_spec(demand);
    spec.threads = net.threads();
    const std::string out = get<std::string>(o, "out", ""),
                      summary = get<std::string>(o, "summary", "");
    Inputs inputs{{"network", net.spec().path}};
    add_input(inputs, "facilities", so.service.facilities);
    add_input(inputs, "demand", spec.demand);
    if (c.path != "auto") add_input(inputs, "candidates", c);
    add_input(inputs, "exclude", c.exclude);
    auto output = std::make_shared<SuggestOutput>();
    run_study(callbacks, [&](const studies::Reporter& rep) {
        PlannedOutputs planned =
            python::plan_outputs({{"out", out}, {"summary", summary, {".json"}}}, inputs, rep);
        const ProfileSettings profile = so.service.standard.profile();
        const auto loaded = net.loaded(profile, rep);
        const auto area = studies::load_area(spec, loaded->net, profile, rep);
        const studies::SuggestionResult r = studies::run_suggestion(*area, so, rep);
        output->sites = maps::sites_layer(r.rows);
        output->summary = studies::suggestion_summary(*area, spec, so, r);
        output->crs = area->net.work_crs;
        rep.check();
        if (planned.any()) {
            std::vector<std::vector<Layer>> per_file(planned.plan->files().size());
            if (planned.has(0)) per_file[planned.file(0)].push_back(output->sites);
            studies::write_files(*planned.plan, std::move(per_file), output->crs,
                                       get<bool>(o, "update", false), net.threads(), rep);
            if (planned.has(1))
                planned.plan->write_text(planned.file(1), output->summary.dump(2) + "\n");
            planned.plan->commit();
        }
        return 0;
    });
    return output;
}

// --- plan -------------------------------------------------------------------------------------

py::object run_plan(const std::string& scenario_path, const std::string& out, bool force,
                    unsigned threads, const py::object& progress, const py::object& notice,
                    const py::object& cancelled) {
    PyCallbacks callbacks(progress, notice, cancelled);
    const nlohmann::ordered_json summary = run_study(callbacks, [&](const studies::Reporter& rep) {
        const studies::Scenario sc = studies::read_scenario(scenario_path);
        studies::PlanOptions options;
        options.threads = threads;
        studies::PlanWriteOptions write;
        write.threads = threads;
        const studies::PlanResult result =
            studies::plan_into_folder(sc, {out, force, {}}, options, write, rep);
        return studies::plan_summary(result, sc);
    });
    return to_python(summary);
}

}  // namespace

}  // namespace lifecircle::python

PYBIND11_MODULE(_lifecircle, m) {
    using namespace lifecircle;
    using namespace lifecircle::python;
    m.doc() = "lifecircle's study API (use the lifecircle package, not this module)";
    py::register_exception_translator(&translate);

    py::class_<io::FeatureTable, std::shared_ptr<io::FeatureTable>>(m, "FeatureTable")
        .def(py::init(&make_table), py::arg("name"), py::arg("layer"), py::arg("crs"), py::arg("x"),
             py::arg("y"), py::arg("wkb"), py::arg("fields"), py::arg("columns"))
        .def("__len__", &io::FeatureTable::size)
        .def_readonly("name", &io::FeatureTable::name);

    py::class_<NetworkHandle, std::shared_ptr<NetworkHandle>>(m, "Network")
        .def(py::init([](const py::dict& options, const py::object& progress,
                         const py::object& notice, const py::object& cancelled) {
                 PyCallbacks callbacks(progress, notice, cancelled);
                 return std::make_shared<NetworkHandle>(options, callbacks);
             }),
             py::arg("options"), py::arg("progress"), py::arg("notice"), py::arg("cancelled"))
        .def("info",
             [](const NetworkHandle& n) {
                 return to_python(studies::network_summary(n.first()->net));
             })
        .def_property_readonly("work_crs",
                               [](const NetworkHandle& n) { return n.first()->net.work_crs; })
        .def_property_readonly("path", [](const NetworkHandle& n) { return n.spec().path; })
        .def("matrix", &run_matrix, py::arg("origins"), py::arg("targets"), py::arg("options"),
             py::arg("progress"), py::arg("notice"), py::arg("cancelled"))
        .def("isochrones", &run_isochrones, py::arg("facilities"), py::arg("options"),
             py::arg("progress"), py::arg("notice"), py::arg("cancelled"))
        .def("coverage", &run_coverage, py::arg("facilities"), py::arg("demand"),
             py::arg("districts"), py::arg("standard"), py::arg("options"), py::arg("progress"),
             py::arg("notice"), py::arg("cancelled"))
        .def("suggest", &run_suggest, py::arg("facilities"), py::arg("demand"),
             py::arg("candidates"), py::arg("exclude"), py::arg("standard"), py::arg("options"),
             py::arg("progress"), py::arg("notice"), py::arg("cancelled"));

    py::class_<MatrixOutput, std::shared_ptr<MatrixOutput>>(m, "MatrixResult")
        .def("dense", &MatrixOutput::dense)
        .def("sparse", &MatrixOutput::sparse)
        .def_property_readonly("from_ids", [](const MatrixOutput& r) { return r.result.from.ids; })
        .def_property_readonly("to_ids", [](const MatrixOutput& r) { return r.result.to.ids; })
        .def_property_readonly("pairs",
                               [](const MatrixOutput& r) { return r.result.table.size(); });

    py::class_<IsochroneOutput, std::shared_ptr<IsochroneOutput>>(m, "IsochroneResult")
        .def("areas",
             [](const IsochroneOutput& r) { return layer_dict(r.result.layers.areas, r.crs); })
        .def("lines",
             [](const IsochroneOutput& r) { return layer_dict(r.result.layers.lines, r.crs); })
        .def_property_readonly("placed", [](const IsochroneOutput& r) { return r.result.placed; });

    py::class_<CoverageOutput, std::shared_ptr<CoverageOutput>>(m, "CoverageResult")
        .def_property_readonly("summary",
                               [](const CoverageOutput& r) { return to_python(r.summary); })
        .def_property_readonly("groups", [](const CoverageOutput& r) { return r.groups; })
        .def_property_readonly("group", [](const CoverageOutput& r) { return r.group; })
        .def_property_readonly("crs", [](const CoverageOutput& r) { return r.crs; })
        .def("layer",
             [](const CoverageOutput& r, const std::string& name) -> py::object {
                 const studies::ServiceLayers& l = r.layers;
                 const Layer* layer = name == "demand"       ? &l.demand
                                      : name == "districts"  ? &l.districts
                                      : name == "facilities" ? &l.facilities
                                      : name == "gaps"       ? &l.gaps
                                                             : nullptr;
                 if (!layer)
                     throw UsageError("no layer '" + name +
                                      "': demand, districts, facilities or gaps");
                 if (layer->name.empty() && layer->features.empty()) return py::none();
                 return layer_dict(*layer, r.crs);
             })
        .def("point_arrays", &point_arrays);

    py::class_<SuggestOutput, std::shared_ptr<SuggestOutput>>(m, "SuggestionResult")
        .def_property_readonly("summary",
                               [](const SuggestOutput& r) { return to_python(r.summary); })
        .def("sites", [](const SuggestOutput& r) { return layer_dict(r.sites, r.crs); });

    m.def("plan", &run_plan, py::arg("scenario"), py::arg("out"), py::arg("force"),
          py::arg("threads"), py::arg("progress"), py::arg("notice"), py::arg("cancelled"));
    m.def("example_scenario", &studies::example_scenario);
    m.def("standards", [](const std::string& standards_file) {
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const ServiceStandard& s : standards_catalogue(standards_file))
            list.push_back(studies::standard_json(s));
        return to_python(list);
    });
    m.def("access_measures", [] {
        return std::vector<std::string>{"e2sfca", "bfca", "availability"};
    });
}
