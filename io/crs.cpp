#include "io/crs.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mutex>
#include <new>
#include <string_view>
#include <utility>
#include <vector>

#include <proj.h>

#include "core/error.hpp"
#include "io/text_format.hpp"

namespace lifecircle::io {

namespace detail {

/** A PROJ context with its own error capture, and the operation of one Transformer. */
struct ProjState {
    PJ_CONTEXT* context = nullptr;
    PJ* operation = nullptr;
    std::mutex mutex;          ///< PROJ objects are not reentrant
    std::string last_message;  ///< the last error PROJ logged, for exception messages

    ProjState() : context(proj_context_create()) {
        if (context == nullptr) throw std::bad_alloc();
        // Library code never prints: PROJ's default logger writes to stderr.
        proj_log_func(context, this, &ProjState::log);
        proj_log_level(context, PJ_LOG_ERROR);
    }
    ~ProjState() {
        if (operation != nullptr) proj_destroy(operation);
        proj_context_destroy(context);
    }
    ProjState(const ProjState&) = delete;
    ProjState& operator=(const ProjState&) = delete;

    static void log(void* self, int level, const char* message) {
        if (level != PJ_LOG_ERROR || message == nullptr) return;
        std::string text = message;
        // "proj_create: crs not found" reads better without the function name.
        if (const auto colon = text.find(": ");
            colon != std::string::npos && text.compare(0, 5, "proj_") == 0) {
            text.erase(0, colon + 2);
        }
        static_cast<ProjState*>(self)->last_message = std::move(text);
    }
};

}  // namespace detail

namespace {

using detail::format_number;
using detail::format_point;

struct PjDeleter {
    void operator()(PJ* pj) const { proj_destroy(pj); }
};
using PjPtr = std::unique_ptr<PJ, PjDeleter>;

/** The CRS text as it should appear in a message: on one line and not too long. */
std::string quote_crs(const std::string& text) {
    std::string flat;
    flat.reserve(text.size());
    bool space = false;
    for (const char c : text) {
        if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            space = true;
            continue;
        }
        if (space && !flat.empty()) flat += ' ';
        space = false;
        flat += c;
    }
    constexpr std::size_t max_length = 80;
    if (flat.size() > max_length) flat = flat.substr(0, max_length - 3) + "...";
    return "'" + flat + "'";
}

/** Conveniences on top of what PROJ reads: "4527" is EPSG:4527, "+proj=..." is a CRS. */
std::string normalize_crs_text(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return text;
    const auto last = text.find_last_not_of(" \t\r\n");
    std::string trimmed = text.substr(first, last - first + 1);
    if (std::all_of(trimmed.begin(), trimmed.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
        return "EPSG:" + trimmed;
    }
    if (trimmed.rfind("+proj=", 0) == 0 && trimmed.find("+type=crs") == std::string::npos) {
        trimmed += " +type=crs";
    }
    return trimmed;
}

/** Parses a CRS; throws InputError naming the text when PROJ rejects it. */
PjPtr create_crs(detail::ProjState& state, const std::string& text) {
    const std::string normalized = normalize_crs_text(text);
    if (normalized.find_first_not_of(" \t\r\n") == std::string::npos) {
        throw InputError(
            "the coordinate reference system is empty; give an EPSG code such as "
            "EPSG:4527, WKT or a PROJ string");
    }
    state.last_message.clear();
    PjPtr crs(proj_create(state.context, normalized.c_str()));
    if (!crs) {
        std::string problem =
            "cannot understand the coordinate reference system " + quote_crs(text);
        if (!state.last_message.empty()) problem += " (PROJ: " + state.last_message + ")";
        problem += "; give an EPSG code such as EPSG:4527, WKT or a PROJ string";
        throw InputError(problem);
    }
    if (proj_is_crs(crs.get()) == 0) {
        throw InputError(quote_crs(text) +
                         " is not a coordinate reference system (it is a coordinate operation); "
                         "give an EPSG code such as EPSG:4527, WKT or a PROJ string");
    }
    return crs;
}

bool crs_is_geographic(PJ_CONTEXT* context, const PJ* crs) {
    switch (proj_get_type(crs)) {
        case PJ_TYPE_GEOGRAPHIC_CRS:
        case PJ_TYPE_GEOGRAPHIC_2D_CRS:
        case PJ_TYPE_GEOGRAPHIC_3D_CRS:
            return true;
        case PJ_TYPE_BOUND_CRS: {
            const PjPtr base(proj_get_source_crs(context, crs));
            return base && crs_is_geographic(context, base.get());
        }
        case PJ_TYPE_COMPOUND_CRS: {
            const PjPtr horizontal(proj_crs_get_sub_crs(context, crs, 0));
            return horizontal && crs_is_geographic(context, horizontal.get());
        }
        default:
            return false;
    }
}

/** What a missing (non-finite) input point transforms to. */
Point missing_point() {
    return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
}

}  // namespace

std::string utm_crs_for(double lon, double lat) {
    if (!std::isfinite(lon) || !std::isfinite(lat) || std::abs(lat) > 90.0 ||
        std::abs(lon) > 540.0) {
        throw InputError("cannot pick a UTM zone for longitude " + format_number(lon) +
                         ", latitude " + format_number(lat) + ": not a valid longitude/latitude");
    }
    double wrapped = std::fmod(lon + 180.0, 360.0);
    if (wrapped < 0.0) wrapped += 360.0;
    const int zone = std::clamp(static_cast<int>(std::floor(wrapped / 6.0)) + 1, 1, 60);
    std::string code = lat >= 0.0 ? "EPSG:326" : "EPSG:327";
    if (zone < 10) code += '0';
    return code + std::to_string(zone);
}

Transformer::Transformer(const std::string& from, const std::string& to)
    : m_state(std::make_unique<detail::ProjState>()), m_source(from), m_target(to) {
    const PjPtr source = create_crs(*m_state, from);
    const PjPtr target = create_crs(*m_state, to);
    m_source_geographic = crs_is_geographic(m_state->context, source.get());
    m_target_geographic = crs_is_geographic(m_state->context, target.get());

    m_state->last_message.clear();
    const PjPtr operation(proj_create_crs_to_crs_from_pj(m_state->context, source.get(),
                                                         target.get(), nullptr, nullptr));
    if (!operation) {
        std::string problem =
            "no coordinate transformation from " + quote_crs(from) + " to " + quote_crs(to);
        if (!m_state->last_message.empty()) problem += " (PROJ: " + m_state->last_message + ")";
        throw InputError(problem);
    }
    m_state->operation = proj_normalize_for_visualization(m_state->context, operation.get());
    if (m_state->operation == nullptr) {
        throw InputError("cannot set the axis order of the transformation from " + quote_crs(from) +
                         " to " + quote_crs(to));
    }
}

Transformer::~Transformer() = default;
Transformer::Transformer(Transformer&&) noexcept = default;
Transformer& Transformer::operator=(Transformer&&) noexcept = default;

Point Transformer::transform(Point p, bool forward) const {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) return missing_point();
    PJ* operation = m_state->operation;
    std::unique_lock lock(m_state->mutex);
    proj_errno_reset(operation);
    // t = HUGE_VAL: no epoch, so time-dependent operations use their reference epoch.
    const PJ_COORD result =
        proj_trans(operation, forward ? PJ_FWD : PJ_INV, proj_coord(p.x, p.y, 0.0, HUGE_VAL));
    lock.unlock();
    const Point out{result.xy.x, result.xy.y};
    if (!std::isfinite(out.x) || !std::isfinite(out.y)) {
        const std::string& from = forward ? m_source : m_target;
        const std::string& to = forward ? m_target : m_source;
        throw InputError("coordinate " + format_point(p) + " cannot be transformed from " +
                         quote_crs(from) + " to " + quote_crs(to));
    }
    return out;
}

Point Transformer::forward(Point p) const { return transform(p, true); }

Point Transformer::inverse(Point p) const { return transform(p, false); }

void Transformer::forward(std::vector<Point>& points) const { forward(std::span<Point>(points)); }

void Transformer::forward(std::span<Point> points) const {
    // PROJ overwrites a point it cannot transform with HUGE_VAL: keep a copy of each chunk so
    // the message can name the original coordinate.
    constexpr std::size_t chunk = 4096;
    std::vector<Point> original;
    original.reserve(std::min(chunk, points.size()));
    PJ* operation = m_state->operation;
    for (std::size_t begin = 0; begin < points.size(); begin += chunk) {
        const std::size_t n = std::min(chunk, points.size() - begin);
        Point* p = points.data() + begin;
        original.assign(p, p + n);
        {
            const std::lock_guard lock(m_state->mutex);
            proj_errno_reset(operation);
            double time = HUGE_VAL;
            proj_trans_generic(operation, PJ_FWD, &p->x, sizeof(Point), n, &p->y, sizeof(Point), n,
                               nullptr, 0, 0, &time, 0, 1);
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (std::isfinite(p[i].x) && std::isfinite(p[i].y)) continue;
            if (!std::isfinite(original[i].x) || !std::isfinite(original[i].y)) {
                p[i] = missing_point();
                continue;
            }
            throw InputError("coordinate " + format_point(original[i]) +
                             " cannot be transformed from " + quote_crs(m_source) + " to " +
                             quote_crs(m_target));
        }
    }
}

bool Transformer::source_is_geographic() const { return m_source_geographic; }

bool Transformer::target_is_geographic() const { return m_target_geographic; }

const std::string& Transformer::source() const { return m_source; }

const std::string& Transformer::target() const { return m_target; }

bool is_geographic(const std::string& crs) {
    detail::ProjState state;
    const PjPtr parsed = create_crs(state, crs);
    return crs_is_geographic(state.context, parsed.get());
}

bool is_projected_metric(const std::string& crs) {
    detail::ProjState state;
    const PjPtr parsed = create_crs(state, crs);
    PjPtr horizontal;
    const PJ* current = parsed.get();
    // A bound CRS (WKT1 with TOWGS84) wraps the real one; a compound CRS starts with it.
    for (int depth = 0; depth < 4; ++depth) {
        const PJ_TYPE type = proj_get_type(current);
        if (type == PJ_TYPE_BOUND_CRS) {
            horizontal.reset(proj_get_source_crs(state.context, current));
        } else if (type == PJ_TYPE_COMPOUND_CRS) {
            horizontal.reset(proj_crs_get_sub_crs(state.context, current, 0));
        } else {
            break;
        }
        if (!horizontal) return false;
        current = horizontal.get();
    }
    if (proj_get_type(current) != PJ_TYPE_PROJECTED_CRS) return false;
    const PjPtr cs(proj_crs_get_coordinate_system(state.context, current));
    if (!cs || proj_cs_get_type(state.context, cs.get()) != PJ_CS_TYPE_CARTESIAN) return false;
    const int axes = proj_cs_get_axis_count(state.context, cs.get());
    if (axes < 2) return false;
    for (int i = 0; i < 2; ++i) {
        double to_metres = 0.0;
        if (proj_cs_get_axis_info(state.context, cs.get(), i, nullptr, nullptr, nullptr, &to_metres,
                                  nullptr, nullptr, nullptr) == 0 ||
            std::abs(to_metres - 1.0) > 1e-12) {
            return false;
        }
    }
    return true;
}

double scale_error(const std::string& crs, const Box& lonlat_box) {
    if (!is_projected_metric(crs)) {
        throw InputError(quote_crs(crs) +
                         " is not a projected coordinate reference system in metres");
    }
    // Measured rather than taken from proj_factors(), which fails for CRSs with northing-first
    // axes (EPSG:4527): short steps east and north, projected, against their lengths on the
    // WGS 84 ellipsoid (parallel arc N cos(phi) dlambda, meridian arc M dphi).
    const Transformer to_crs(wgs84_lonlat_proj, crs);
    const Point centre{0.5 * (lonlat_box.min.x + lonlat_box.max.x),
                       0.5 * (lonlat_box.min.y + lonlat_box.max.y)};
    const Point samples[] = {lonlat_box.min,
                             lonlat_box.max,
                             {lonlat_box.min.x, lonlat_box.max.y},
                             {lonlat_box.max.x, lonlat_box.min.y},
                             centre};
    constexpr double rad = 3.14159265358979323846 / 180.0;
    constexpr double a = 6378137.0;
    constexpr double f = 1.0 / 298.257223563;
    constexpr double e2 = f * (2.0 - f);
    constexpr double step = 1e-3;  // degrees, about 100 m: scale errors to about 1e-6
    double worst = 0.0;
    for (const Point& p : samples) {
        const double phi = std::clamp(p.y, -89.0, 89.0) * rad;
        const double w = std::sqrt(1.0 - e2 * std::sin(phi) * std::sin(phi));
        const double n = a / w;                         // prime vertical radius of curvature
        const double m = a * (1.0 - e2) / (w * w * w);  // meridional radius of curvature
        const Point origin = to_crs.forward({p.x, p.y});
        const Point east = to_crs.forward({p.x + step, p.y});
        const Point north = to_crs.forward({p.x, p.y + step});
        const double parallel =
            std::hypot(east.x - origin.x, east.y - origin.y) / (n * std::cos(phi) * step * rad);
        const double meridional =
            std::hypot(north.x - origin.x, north.y - origin.y) / (m * step * rad);
        worst = std::max({worst, std::abs(parallel - 1.0), std::abs(meridional - 1.0)});
    }
    return worst;
}

void check_work_crs(const std::string& crs, const Box& lonlat_box) {
    std::string utm = "the UTM zone of the data, e.g. EPSG:32650 for Beijing";
    if (!lonlat_box.empty()) {
        const std::string zone = utm_crs_for(0.5 * (lonlat_box.min.x + lonlat_box.max.x),
                                             0.5 * (lonlat_box.min.y + lonlat_box.max.y));
        utm = "the UTM zone of the data (" + zone + ")";
    }
    const std::string advice = "; leave --work-crs out to use " + utm +
                               ", or give a Gauss-Kruger zone (in China CGCS2000 3-degree zones "
                               "EPSG:4534-4554)";
    bool geographic = false;
    bool metric = false;
    try {
        geographic = is_geographic(crs);
        metric = !geographic && is_projected_metric(crs);
    } catch (const InputError& e) {
        throw UsageError("--work-crs: " + e.problem());
    }
    if (geographic) {
        throw UsageError("the work CRS " + quote_crs(crs) +
                         " is geographic (degrees of longitude and latitude), so travel "
                         "distances in it are not metres" +
                         advice);
    }
    if (!metric) {
        throw UsageError("the work CRS " + quote_crs(crs) + " is not a projected CRS in metres" +
                         advice);
    }
    if (lonlat_box.empty()) return;
    const double error = scale_error(crs, lonlat_box);
    if (error > max_work_crs_scale_error) {
        char percent[32];
        std::snprintf(percent, sizeof percent, "%.1f%%", error * 100.0);
        throw UsageError(quote_crs(crs) + " distorts distances by " + percent +
                         " at this latitude (at most " +
                         format_number(max_work_crs_scale_error * 100.0) +
                         "% is accepted), so every travel time would be off by as much" + advice);
    }
}

std::string crs_to_wkt(const std::string& crs) {
    detail::ProjState state;
    const PjPtr parsed = create_crs(state, crs);
    const char* wkt = proj_as_wkt(state.context, parsed.get(), PJ_WKT2_2019, nullptr);
    if (wkt == nullptr) {
        throw InputError("cannot express the coordinate reference system " + quote_crs(crs) +
                         " as WKT2");
    }
    return wkt;
}

}  // namespace lifecircle::io
