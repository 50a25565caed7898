#include "maps/report.hpp"
#include "maps/xml.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "core/types.hpp"

namespace lifecircle::maps {

namespace {

// ---------------------------------------------------------------------------------------------
// Text: escaping and locale-free numbers.

void append_escaped(std::string& out, std::string_view text) { append_xml(out, text, false); }

std::string escaped(std::string_view text) {
    std::string out;
    append_escaped(out, text);
    return out;
}

/** `v` with `decimals` fixed decimals and trailing zeros trimmed ("1.5", "2"), no "-0". */
std::string fmt(double v, int decimals) {
    if (!std::isfinite(v)) return "0";
    std::array<char, 64> buf{};
    auto [end, ec] =
        std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed, decimals);
    if (ec != std::errc{}) return "0";
    std::string s(buf.data(), end);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    if (s == "-0") s = "0";
    return s;
}

/** The shortest decimal that reads back as `v` (legend class bounds, scale-bar lengths). */
std::string shortest(double v) {
    std::array<char, 64> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    if (ec != std::errc{}) return "0";
    std::string s(buf.data(), end);
    return s == "-0" ? "0" : s;
}

/** A pixel coordinate in tenths, the resolution we write. */
using Tenths = std::int64_t;

Tenths tenths(double px) { return static_cast<Tenths>(std::llround(px * 10.0)); }

void append_tenths(std::string& out, Tenths t) {
    if (t < 0) out += '-';
    const Tenths a = t < 0 ? -t : t;
    out += std::to_string(a / 10);
    if (a % 10 != 0) {
        out += '.';
        out += static_cast<char>('0' + a % 10);
    }
}

std::string px(double v) {
    std::string s;
    append_tenths(s, tenths(v));
    return s;
}

// ---------------------------------------------------------------------------------------------
// WKB.

/** The parts of one feature's geometry, flattened by kind. */
struct Shapes {
    std::vector<Point> points;
    std::vector<std::vector<Point>> lines;
    std::vector<std::vector<std::vector<Point>>> polygons;  ///< rings, exterior first
};

class WkbReader {
public:
    explicit WkbReader(std::span<const unsigned char> bytes) : m_bytes(bytes) {}

    void read(Shapes& out, int depth = 0) {
        if (depth > 8) fail("geometry collections nested too deeply");
        const unsigned char order = byte();
        if (order > 1) fail("bad byte order marker");
        m_little = order == 1;
        std::uint32_t type = u32();
        // EWKB flags (PostGIS) and ISO Z/M/ZM type codes.
        int dims = 2;
        if (type & 0x80000000u) ++dims;
        if (type & 0x40000000u) ++dims;
        if (type & 0x20000000u) u32();  // SRID
        type &= 0x0FFFFFFFu;
        if (type >= 1000 && type < 4000) {
            dims += type / 1000 == 3 ? 2 : 1;
            type %= 1000;
        }
        switch (type) {
            case 1: {
                const Point p = point(dims);
                if (std::isfinite(p.x) && std::isfinite(p.y)) out.points.push_back(p);
                break;
            }
            case 2:
                out.lines.push_back(points(dims));
                break;
            case 3:
                out.polygons.push_back(rings(dims));
                break;
            case 4:
            case 5:
            case 6:
            case 7: {
                const std::uint32_t parts = count();
                for (std::uint32_t i = 0; i < parts; ++i) read(out, depth + 1);
                break;
            }
            default:
                fail("unsupported geometry type " + std::to_string(type));
        }
    }

    bool done() const { return m_pos == m_bytes.size(); }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error(what + " at byte " + std::to_string(m_pos));
    }
    unsigned char byte() {
        if (m_pos >= m_bytes.size()) fail("truncated");
        return m_bytes[m_pos++];
    }
    std::uint64_t uint(int size) {
        if (m_bytes.size() - m_pos < static_cast<std::size_t>(size)) fail("truncated");
        std::uint64_t v = 0;
        for (int i = 0; i < size; ++i) {
            const std::uint64_t b = m_bytes[m_pos + static_cast<std::size_t>(i)];
            v |= m_little ? b << (8 * i) : b << (8 * (size - 1 - i));
        }
        m_pos += static_cast<std::size_t>(size);
        return v;
    }
    std::uint32_t u32() { return static_cast<std::uint32_t>(uint(4)); }
    /** An element count, checked against the bytes left so a corrupt count cannot allocate. */
    std::uint32_t count() {
        const std::uint32_t n = u32();
        if (n > m_bytes.size() - m_pos) fail("count " + std::to_string(n) + " beyond the data");
        return n;
    }
    double f64() {
        const std::uint64_t bits = uint(8);
        double v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    Point point(int dims) {
        Point p{f64(), f64()};
        for (int d = 2; d < dims; ++d) f64();
        return p;
    }
    std::vector<Point> points(int dims) {
        const std::uint32_t n = count();
        std::vector<Point> pts;
        pts.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) pts.push_back(point(dims));
        return pts;
    }
    std::vector<std::vector<Point>> rings(int dims) {
        const std::uint32_t n = count();
        std::vector<std::vector<Point>> r;
        for (std::uint32_t i = 0; i < n; ++i) r.push_back(points(dims));
        return r;
    }

    std::span<const unsigned char> m_bytes;
    std::size_t m_pos = 0;
    bool m_little = true;
};

Shapes read_shapes(const Layer& layer, std::size_t feature) {
    Shapes shapes;
    const auto& wkb = layer.features[feature].wkb;
    if (wkb.empty()) return shapes;
    try {
        WkbReader reader(wkb);
        reader.read(shapes);
        if (!reader.done()) throw std::runtime_error("trailing bytes after the geometry");
    } catch (const std::runtime_error& e) {
        throw std::runtime_error("report: layer '" + layer.name + "' feature " +
                                 std::to_string(feature) + ": malformed WKB: " + e.what());
    }
    return shapes;
}

// ---------------------------------------------------------------------------------------------
// Map layout.

constexpr double frame_x = 20;
constexpr double frame_y = 20;
constexpr double frame_w = 800;
constexpr double frame_h = 560;
constexpr double legend_x = frame_x + frame_w + 20;
constexpr double legend_w = 260;
constexpr double legend_row = 22;

/** World (metres, y up) to frame pixels (y down). */
struct Fit {
    double min_x = 0;
    double max_y = 0;
    double scale = 1;  ///< pixels per metre
    double off_x = frame_x;
    double off_y = frame_y;
    Tenths x(double wx) const { return tenths(off_x + (wx - min_x) * scale); }
    Tenths y(double wy) const { return tenths(off_y + (max_y - wy) * scale); }
    /** Whether a world box can show in the frame (10 px of slack for strokes and symbols). */
    bool shows(double x0, double y0, double x1, double y1) const {
        const double slack = 10 / scale;
        const double left = min_x + (frame_x - off_x) / scale - slack;
        const double right = min_x + (frame_x + frame_w - off_x) / scale + slack;
        const double top = max_y - (frame_y - off_y) / scale + slack;
        const double bottom = max_y - (frame_y + frame_h - off_y) / scale - slack;
        return x1 >= left && x0 <= right && y1 >= bottom && y0 <= top;
    }
};

void extend(Box& box, const Point& p) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) return;
    box.min.x = std::min(box.min.x, p.x);
    box.min.y = std::min(box.min.y, p.y);
    box.max.x = std::max(box.max.x, p.x);
    box.max.y = std::max(box.max.y, p.y);
}

void extend(Box& box, const Shapes& s) {
    for (const auto& p : s.points) extend(box, p);
    for (const auto& line : s.lines) {
        for (const auto& p : line) extend(box, p);
    }
    for (const auto& poly : s.polygons) {
        for (const auto& ring : poly) {
            for (const auto& p : ring) extend(box, p);
        }
    }
}

/** The strip at the foot of the frame the scale bar stands in: nothing framed is drawn under it. */
constexpr double scale_strip = 40;

/** Fits `box`, padded by 5 % of its larger side, into the frame above the scale bar's strip,
    centred, keeping the aspect. */
Fit fit_box(Box box) {
    Fit f;
    double dx = box.max.x - box.min.x;
    double dy = box.max.y - box.min.y;
    const double side = std::max(dx, dy);
    const double pad = side > 0 ? 0.05 * side : 50.0;  // a lone point: a 100 m window
    box.min.x -= pad;
    box.min.y -= pad;
    box.max.x += pad;
    box.max.y += pad;
    dx = box.max.x - box.min.x;
    dy = box.max.y - box.min.y;
    const double usable_h = frame_h - scale_strip;
    f.scale = std::min(frame_w / dx, usable_h / dy);
    f.min_x = box.min.x;
    f.max_y = box.max.y;
    f.off_x = frame_x + (frame_w - dx * f.scale) / 2;
    f.off_y = frame_y + (usable_h - dy * f.scale) / 2;
    return f;
}

/** The largest 1, 2 or 5 × 10^k not above `target` (> 0). */
double round_length(double target) {
    double base = std::pow(10.0, std::floor(std::log10(target)));
    if (base * 10 <= target * (1 + 1e-12)) base *= 10;  // log10 rounding just below a power
    if (base > target * (1 + 1e-12)) base /= 10;
    const double m = target / base;
    if (m >= 5 - 1e-9) return 5 * base;
    if (m >= 2 - 1e-9) return 2 * base;
    return base;
}

std::string length_label(double metres) {
    if (metres >= 1000) return shortest(metres / 1000) + " km";
    return shortest(metres) + " m";
}

void append_ring(std::string& d, const std::vector<Point>& ring, const Fit& fit, bool closed) {
    std::vector<std::pair<Tenths, Tenths>> pts;
    pts.reserve(ring.size());
    for (const auto& p : ring) {
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
        const std::pair<Tenths, Tenths> t{fit.x(p.x), fit.y(p.y)};
        // Lines drop points within half a pixel of the last one kept (the last point stays).
        if (!closed && !pts.empty() && std::abs(pts.back().first - t.first) < 5 &&
            std::abs(pts.back().second - t.second) < 5 && &p != &ring.back())
            continue;
        if (pts.empty() || pts.back() != t) pts.push_back(t);
    }
    if (closed && pts.size() > 1 && pts.front() == pts.back()) pts.pop_back();
    if (pts.size() < (closed ? 3u : 2u)) return;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        d += i == 0 ? "M" : (i == 1 ? "L" : " ");
        append_tenths(d, pts[i].first);
        d += ' ';
        append_tenths(d, pts[i].second);
    }
    if (closed) d += 'Z';
}

/** A point symbol centred at (cx, cy) in pixels, with optional extra attributes. */
std::string point_symbol(const std::string& shape, double cx, double cy, double r,
                         const std::string& attrs) {
    std::string out;
    if (shape == "circle") {
        out = "<circle cx=\"" + px(cx) + "\" cy=\"" + px(cy) + "\" r=\"" + fmt(r, 1) + "\"";
    } else if (shape == "square") {
        out = "<rect x=\"" + px(cx - r) + "\" y=\"" + px(cy - r) + "\" width=\"" + fmt(2 * r, 1) +
              "\" height=\"" + fmt(2 * r, 1) + "\"";
    } else {
        const bool star = shape == "star";
        const int n = star ? 10 : 3;
        std::string d;
        for (int i = 0; i < n; ++i) {
            const double radius = star ? (i % 2 == 0 ? 1.7 * r : 0.7 * r) : 1.4 * r;
            const double a = 2 * 3.14159265358979323846 * i / n;
            d += i == 0 ? "M" : (i == 1 ? "L" : " ");
            append_tenths(d, tenths(cx + radius * std::sin(a)));
            d += ' ';
            append_tenths(d, tenths(cy - radius * std::cos(a)));
        }
        out = "<path d=\"" + d + "Z\"";
    }
    return out + attrs + "/>";
}

std::optional<double> numeric(const Value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&v)) {
        if (std::isfinite(*d)) return *d;
    }
    return std::nullopt;
}

/** The checked form of one MapLayer. */
struct Prepared {
    const MapLayer* map_layer = nullptr;
    std::optional<std::size_t> field;  ///< graduated field index
    std::vector<Shapes> shapes;        ///< one per feature
};

Prepared prepare(const MapLayer& ml) {
    if (ml.layer == nullptr) throw std::invalid_argument("report: a map layer has no layer");
    const Layer& layer = *ml.layer;
    const SvgStyle& st = ml.style;
    static constexpr std::array<std::string_view, 4> shapes{"circle", "square", "triangle", "star"};
    if (std::find(shapes.begin(), shapes.end(), st.point_shape) == shapes.end()) {
        throw std::invalid_argument("report: layer '" + layer.name + "': unknown point shape '" +
                                    st.point_shape + "' (use circle, square, triangle or star)");
    }
    Prepared p;
    p.map_layer = &ml;
    if (!st.field.empty()) {
        if (st.breaks.empty() || st.breaks.size() != st.colours.size()) {
            throw std::invalid_argument("report: layer '" + layer.name + "': graduated style on '" +
                                        st.field + "' needs one colour per break (" +
                                        std::to_string(st.breaks.size()) + " breaks, " +
                                        std::to_string(st.colours.size()) + " colours)");
        }
        for (std::size_t k = 0; k < st.breaks.size(); ++k) {
            if (!std::isfinite(st.breaks[k]) || (k > 0 && !(st.breaks[k] > st.breaks[k - 1]))) {
                throw std::invalid_argument("report: layer '" + layer.name +
                                            "': graduated breaks must be finite and strictly "
                                            "ascending");
            }
        }
        for (std::size_t i = 0; i < layer.fields.size(); ++i) {
            if (layer.fields[i].name == st.field) p.field = i;
        }
        if (!p.field) {
            throw std::invalid_argument("report: layer '" + layer.name + "' has no field '" +
                                        st.field + "' for its graduated style");
        }
    }
    if (layer.kind != GeometryKind::none) {
        p.shapes.reserve(layer.features.size());
        for (std::size_t i = 0; i < layer.features.size(); ++i) {
            p.shapes.push_back(read_shapes(layer, i));
        }
    }
    return p;
}

/** The class colour of feature `i`, or nullopt for the layer's single colour. */
std::optional<std::string> class_colour(const Prepared& p, std::size_t i) {
    if (!p.field) return std::nullopt;
    const auto& values = p.map_layer->layer->features[i].values;
    if (*p.field >= values.size()) return std::nullopt;
    const auto v = numeric(values[*p.field]);
    if (!v) return std::nullopt;
    const auto& breaks = p.map_layer->style.breaks;
    for (std::size_t k = 0; k < breaks.size(); ++k) {
        if (*v <= breaks[k]) return p.map_layer->style.colours[k];
    }
    return std::nullopt;
}

std::string attr(std::string_view name, std::string_view value) {
    return " " + std::string(name) + "=\"" + escaped(value) + "\"";
}

void draw_layer(std::string& out, const Prepared& p, const Fit& fit) {
    const MapLayer& ml = *p.map_layer;
    const SvgStyle& st = ml.style;
    const Layer& layer = *ml.layer;
    out += "<g" + attr("class", ml.role.empty() ? std::string("layer") : "layer " + ml.role) +
           attr("data-layer", ml.source.empty() ? layer.name : ml.source) + ">\n";
    std::string single_lines;  // lines of one colour: one path for the layer
    for (std::size_t i = 0; i < p.shapes.size(); ++i) {
        const Shapes& s = p.shapes[i];
        Box b;
        extend(b, s);
        if (b.min.x <= b.max.x && !fit.shows(b.min.x, b.min.y, b.max.x, b.max.y)) continue;  // outside the frame
        const auto colour = class_colour(p, i);
        if (!colour && !s.lines.empty() && s.polygons.empty() && s.points.empty()) {
            for (const auto& line : s.lines) append_ring(single_lines, line, fit, false);
            continue;
        }
        if (!s.polygons.empty()) {
            std::string d;
            for (const auto& poly : s.polygons) {
                for (const auto& ring : poly) append_ring(d, ring, fit, true);
            }
            if (!d.empty()) {
                out += "<path fill-rule=\"evenodd\"" + attr("fill", colour.value_or(st.fill)) +
                       attr("fill-opacity", fmt(st.fill_opacity, 2)) + attr("stroke", st.stroke) +
                       attr("stroke-width", fmt(st.stroke_width, 2)) +
                       " stroke-linejoin=\"round\" d=\"" + d + "\"/>\n";
            }
        }
        if (!s.lines.empty()) {
            std::string d;
            for (const auto& line : s.lines) append_ring(d, line, fit, false);
            if (!d.empty()) {
                out += "<path fill=\"none\"" + attr("stroke", colour.value_or(st.stroke)) +
                       attr("stroke-width", fmt(st.stroke_width, 2)) +
                       " stroke-linejoin=\"round\" stroke-linecap=\"round\" d=\"" + d + "\"/>\n";
            }
        }
        for (const auto& pt : s.points) {
            const std::string a = attr("fill", colour.value_or(st.fill)) +
                                  attr("fill-opacity", fmt(st.fill_opacity, 2)) +
                                  attr("stroke", st.stroke) +
                                  attr("stroke-width", fmt(st.stroke_width, 2));
            out += point_symbol(st.point_shape, static_cast<double>(fit.x(pt.x)) / 10,
                                static_cast<double>(fit.y(pt.y)) / 10, st.point_radius, a) +
                   "\n";
        }
    }
    if (!single_lines.empty())
        out += "<path fill=\"none\"" + attr("stroke", st.stroke) + attr("stroke-width", fmt(st.stroke_width, 2)) +
               " stroke-linejoin=\"round\" stroke-linecap=\"round\" d=\"" + single_lines + "\"/>\n";
    out += "</g>\n";
}

/** One legend swatch for a layer of `kind`, 18 px wide, centred vertically on `cy`: always a
    <path> or <circle>, so every picture on the page draws something. */
std::string swatch(GeometryKind kind, const SvgStyle& st, const std::string& fill, double x,
                   double cy) {
    const std::string width = attr("stroke-width", fmt(std::min(st.stroke_width, 4.0), 2));
    switch (kind) {
        case GeometryKind::line:
            return "<path d=\"M" + px(x) + " " + px(cy) + "H" + px(x + 18) + "\" fill=\"none\"" +
                   attr("stroke", fill) + width + "/>";
        case GeometryKind::point:
            return point_symbol(st.point_shape, x + 9, cy, std::min(st.point_radius, 6.0),
                                attr("fill", fill) + attr("fill-opacity", fmt(st.fill_opacity, 2)) +
                                    attr("stroke", st.stroke) + width);
        default:
            return "<path d=\"M" + px(x) + " " + px(cy - 6) + "h18v12h-18Z\"" + attr("fill", fill) +
                   attr("fill-opacity", fmt(st.fill_opacity, 2)) + attr("stroke", st.stroke) + width + "/>";
    }
}

/** A generous width estimate of `label` in pixels at `size`: wide (CJK) glyphs one em, others
    0.62 em, so the legend panel can widen instead of cutting a long label off. */
double text_width(std::string_view label, double size) {
    double em = 0;
    for (std::size_t i = 0; i < label.size();) {
        const auto c = static_cast<unsigned char>(label[i]);
        const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        em += len >= 3 ? 1.0 : 0.62;
        i += len;
    }
    return em * size;
}

/** The label of class k of a graduated style. */
std::string class_label(const SvgStyle& st, std::size_t k) {
    if (k < st.class_labels.size()) return st.class_labels[k];
    return k == 0 ? "≤ " + shortest(st.breaks[0]) : shortest(st.breaks[k - 1]) + " – " + shortest(st.breaks[k]);
}

/** The data attributes of a graduated class, so a check can compare it with QGIS's. */
std::string class_data(const MapLayer& ml, std::size_t k) {
    return attr("data-layer", ml.source.empty() ? ml.layer->name : ml.source) + attr("data-field", ml.style.field) +
           attr("data-upper", shortest(ml.style.breaks[k])) + attr("data-colour", ml.style.colours[k]);
}

/** The legend rows, topmost layer first; returns the y below the last row and widens `right`
    to the rightmost label's estimated end. */
double draw_legend(std::string& out, const std::vector<Prepared>& layers, double& right, bool chinese_first) {
    out += "<g class=\"legend\">\n";
    out += "<text x=\"" + px(legend_x) + "\" y=\"" + px(frame_y + 14) +
           "\" font-size=\"15\" font-weight=\"bold\" fill=\"#222222\">" +
           (chinese_first ? "图例 Legend" : "Legend 图例") + "</text>\n";
    double y = frame_y + 24 + legend_row / 2;
    const auto row = [&](const std::string& symbol, const std::string& label, double indent, const std::string& data) {
        if (!data.empty()) out += "<g class=\"legend-class\"" + data + ">";
        out += symbol + "<text x=\"" + px(legend_x + indent + 26) + "\" y=\"" + px(y + 4.5) +
               "\" font-size=\"13\" fill=\"#222222\">" + escaped(label) + "</text>";
        out += data.empty() ? "\n" : "</g>\n";
        right = std::max(right, legend_x + indent + 26 + text_width(label, 13));
        y += legend_row;
    };
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
        const MapLayer& ml = *it->map_layer;
        const SvgStyle& st = ml.style;
        const GeometryKind kind = ml.layer->kind;
        if (kind == GeometryKind::none) continue;
        const std::string& single = kind == GeometryKind::line ? st.stroke : st.fill;
        if (!it->field) {
            if (!ml.legend.empty()) row(swatch(kind, st, single, legend_x, y), ml.legend, 0, "");
            continue;
        }
        if (!ml.legend.empty()) row("", ml.legend, -26, "");
        for (std::size_t k = 0; k < st.breaks.size(); ++k)
            row(swatch(kind, st, st.colours[k], legend_x + 10, y), class_label(st, k), 10, class_data(ml, k));
    }
    out += "</g>\n";
    return y - legend_row / 2;
}

/** The legend of side-by-side maps as an HTML list: each layer once, by its legend label. */
void html_legend(std::string& out, const std::vector<std::vector<Prepared>>& panels, bool chinese_first) {
    std::vector<std::string> seen;
    std::string items;
    const auto item = [&](const std::string& symbol, const std::string& label, const std::string& cls,
                          const std::string& data) {
        items += "<li" + attr("class", cls) + data + ">";
        if (!symbol.empty())
            items += "<svg class=\"swatch\" width=\"28\" height=\"18\" viewBox=\"0 0 28 18\">" + symbol + "</svg>";
        items += "<span>" + escaped(label) + "</span></li>\n";
    };
    for (const auto& layers : panels) {
        for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
            const MapLayer& ml = *it->map_layer;
            const SvgStyle& st = ml.style;
            const GeometryKind kind = ml.layer->kind;
            if (kind == GeometryKind::none || ml.legend.empty()) continue;
            if (std::find(seen.begin(), seen.end(), ml.legend) != seen.end()) continue;
            seen.push_back(ml.legend);
            if (!it->field) {
                item(swatch(kind, st, kind == GeometryKind::line ? st.stroke : st.fill, 5, 9), ml.legend, "", "");
                continue;
            }
            // A classified layer's heading and classes stay together in one column.
            items += "<li class=\"legend-group\"><ul>\n";
            item("", ml.legend, "legend-heading", "");
            for (std::size_t k = 0; k < st.breaks.size(); ++k)
                item(swatch(kind, st, st.colours[k], 5, 9), class_label(st, k), "legend-class", class_data(ml, k));
            items += "</ul></li>\n";
        }
    }
    out += "<div class=\"legend\"><div class=\"legend-title\">";
    out += chinese_first ? "图例 Legend" : "Legend 图例";
    out += "</div>\n<ul>\n" + items + "</ul></div>\n";
}

void draw_scale_bar(std::string& out, const Fit& fit) {
    const double metres = round_length(frame_w / fit.scale / 5);
    const double len = metres * fit.scale;
    const double x0 = frame_x + 16;
    const double y0 = frame_y + frame_h - 18;
    const std::string label = length_label(metres);
    out += "<g class=\"scale-bar\">\n";
    out += "<rect x=\"" + px(x0 - 8) + "\" y=\"" + px(y0 - 22) + "\" width=\"" + px(len + 60) +
           "\" height=\"34\" fill=\"#ffffff\" fill-opacity=\"0.8\" stroke=\"none\"/>\n";
    out += "<rect x=\"" + px(x0) + "\" y=\"" + px(y0) + "\" width=\"" + px(len / 2) +
           "\" height=\"6\" fill=\"#222222\" stroke=\"#222222\" stroke-width=\"1\"/>\n";
    out += "<rect x=\"" + px(x0 + len / 2) + "\" y=\"" + px(y0) + "\" width=\"" + px(len / 2) +
           "\" height=\"6\" fill=\"#ffffff\" stroke=\"#222222\" stroke-width=\"1\"/>\n";
    out += "<text x=\"" + px(x0) + "\" y=\"" + px(y0 - 5) +
           "\" font-size=\"12\" text-anchor=\"middle\" fill=\"#222222\">0</text>\n";
    out += "<text class=\"scale-label\" x=\"" + px(x0 + len) + "\" y=\"" + px(y0 - 5) +
           "\" font-size=\"12\" text-anchor=\"middle\" fill=\"#222222\">" + label + "</text>\n";
    out += "</g>\n";
}

void draw_north_arrow(std::string& out) {
    const double cx = frame_x + frame_w - 28;
    const double top = frame_y + 14;
    out += "<g class=\"north-arrow\">\n";
    out += "<path d=\"M" + px(cx) + " " + px(top + 16) + "L" + px(cx - 9) + " " + px(top + 44) +
           " " + px(cx) + " " + px(top + 37) + " " + px(cx + 9) + " " + px(top + 44) +
           "Z\" fill=\"#222222\" stroke=\"#222222\" stroke-width=\"1\"/>\n";
    out += "<text x=\"" + px(cx) + "\" y=\"" + px(top + 12) +
           "\" font-size=\"14\" font-weight=\"bold\" text-anchor=\"middle\" "
           "fill=\"#222222\">N</text>\n";
    out += "</g>\n";
}

/** The box the map frame fits: the shapes of the `frame` layers, or of all when none is. */
Box frame_box(const std::vector<Prepared>& layers) {
    Box box;
    bool any_frame = false;
    for (const auto& p : layers) any_frame = any_frame || p.map_layer->frame;
    for (const auto& p : layers) {
        if (any_frame && !p.map_layer->frame) continue;
        for (const auto& s : p.shapes) extend(box, s);
    }
    return box;
}

bool proper(const Box& box) { return box.min.x <= box.max.x && box.min.y <= box.max.y; }

/** A label's box in pixels. */
struct LabelBox {
    double x0, y0, x1, y1;
    bool overlaps(const LabelBox& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

/** Places labels greedily: the first that fits wins, nothing overlaps, all inside the frame. */
class LabelPlacer {
public:
    /** The scale bar (at most a fifth of the frame, with its label) and the north arrow are taken. */
    LabelPlacer() {
        m_taken.push_back({frame_x, frame_y + frame_h - scale_strip, frame_x + frame_w / 5 + 76, frame_y + frame_h});
        m_taken.push_back({frame_x + frame_w - 44, frame_y, frame_x + frame_w, frame_y + 62});
    }
    bool fits(const LabelBox& b) const {
        if (b.x0 < frame_x + 2 || b.y0 < frame_y + 2 || b.x1 > frame_x + frame_w - 2 || b.y1 > frame_y + frame_h - 2)
            return false;
        for (const LabelBox& o : m_taken)
            if (b.overlaps(o)) return false;
        return true;
    }
    void take(const LabelBox& b) { m_taken.push_back(b); }

private:
    std::vector<LabelBox> m_taken;
};

std::string label_text(double x, double y, const std::string& anchor, double size, double angle,
                       const std::string& text) {
    std::string out = "<text class=\"label\" x=\"" + px(x) + "\" y=\"" + px(y) + "\" font-size=\"" + fmt(size, 1) +
                      "\" text-anchor=\"" + anchor +
                      "\" fill=\"#1a1a1a\" stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" "
                      "paint-order=\"stroke\"";
    if (angle != 0) out += " transform=\"rotate(" + fmt(angle, 1) + " " + px(x) + " " + px(y) + ")\"";
    return out + ">" + escaped(text) + "</text>\n";
}

/** The text of feature i's label field ("" when none). */
std::string label_of(const MapLayer& ml, std::size_t field, std::size_t i) {
    const auto& values = ml.layer->features[i].values;
    if (field >= values.size()) return {};
    if (const auto* s = std::get_if<std::string>(&values[field])) return *s;
    if (const auto* d = std::get_if<double>(&values[field])) return shortest(*d);
    if (const auto* n = std::get_if<std::int64_t>(&values[field])) return std::to_string(*n);
    return {};
}

/** The labels of every labelled layer, topmost layer first. */
void draw_labels(std::string& out, const std::vector<Prepared>& layers, const Fit& fit) {
    LabelPlacer placer;
    std::string labels;
    const auto X = [&](double wx) { return static_cast<double>(fit.x(wx)) / 10; };
    const auto Y = [&](double wy) { return static_cast<double>(fit.y(wy)) / 10; };
    // Labelled points are obstacles for every label.
    for (const auto& p : layers) {
        if (p.map_layer->style.label_field.empty()) continue;
        const double r = p.map_layer->style.point_radius + 1;
        for (const auto& s : p.shapes)
            for (const auto& pt : s.points) placer.take({X(pt.x) - r, Y(pt.y) - r, X(pt.x) + r, Y(pt.y) + r});
    }
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
        const MapLayer& ml = *it->map_layer;
        const SvgStyle& st = ml.style;
        if (st.label_field.empty()) continue;
        std::optional<std::size_t> field;
        for (std::size_t k = 0; k < ml.layer->fields.size(); ++k)
            if (ml.layer->fields[k].name == st.label_field) field = k;
        if (!field)
            throw std::invalid_argument("report: layer '" + ml.layer->name + "' has no field '" + st.label_field +
                                        "' to label with");
        const double size = st.label_size;
        std::vector<std::string> done;  // lines: one label per text
        // Points: a name already written near (one facility mapped twice, a node and its building)
        // is not written again; the same name across the map is.
        std::vector<std::pair<std::string, std::pair<double, double>>> near_done;
        constexpr double same_name_px = 120;
        for (std::size_t i = 0; i < it->shapes.size(); ++i) {
            const std::string text = label_of(ml, *field, i);
            if (text.empty()) continue;
            const double w = text_width(text, size) * 0.92;
            const Shapes& s = it->shapes[i];
            for (const auto& pt : s.points) {
                const double cx = X(pt.x), cy = Y(pt.y), r = st.point_radius + 3;
                if (std::any_of(near_done.begin(), near_done.end(), [&](const auto& d) {
                        return d.first == text && std::hypot(d.second.first - cx, d.second.second - cy) < same_name_px;
                    }))
                    break;
                struct Try {
                    double x, y;
                    const char* anchor;
                    LabelBox box;
                };
                const Try tries[] = {
                    {cx + r, cy + size * 0.35, "start", {cx + r, cy - size * 0.6, cx + r + w, cy + size * 0.5}},
                    {cx - r, cy + size * 0.35, "end", {cx - r - w, cy - size * 0.6, cx - r, cy + size * 0.5}},
                    {cx, cy - r - size * 0.3, "middle", {cx - w / 2, cy - r - size * 1.1, cx + w / 2, cy - r}},
                    {cx, cy + r + size * 0.85, "middle", {cx - w / 2, cy + r, cx + w / 2, cy + r + size * 1.1}}};
                for (const Try& t : tries) {
                    if (!placer.fits(t.box)) continue;
                    placer.take(t.box);
                    labels += label_text(t.x, t.y, t.anchor, size, 0, text);
                    near_done.push_back({text, {cx, cy}});
                    break;
                }
                break;  // one label per feature
            }
            if (!s.lines.empty()) {
                if (std::find(done.begin(), done.end(), text) != done.end()) continue;
                // Every feature with this text: its longest line lying wholly in the frame, labelled
                // at the middle of its length, along the segment there.
                double best = 0, bx = 0, by = 0, angle = 0;
                for (std::size_t j = i; j < it->shapes.size(); ++j) {
                    if (label_of(ml, *field, j) != text) continue;
                    // Each run of a line's points that lies in the frame is a candidate.
                    std::vector<std::vector<std::pair<double, double>>> runs;
                    for (const auto& line : it->shapes[j].lines) {
                        runs.emplace_back();
                        for (const auto& q : line) {
                            const double x = X(q.x), y = Y(q.y);
                            if (x > frame_x + 4 && x < frame_x + frame_w - 4 && y > frame_y + 4 && y < frame_y + frame_h - 4)
                                runs.back().emplace_back(x, y);
                            else if (!runs.back().empty())
                                runs.emplace_back();
                        }
                    }
                    for (const auto& px_line : runs) {
                        if (px_line.size() < 2) continue;
                        double len = 0;
                        for (std::size_t k = 0; k + 1 < px_line.size(); ++k)
                            len += std::hypot(px_line[k + 1].first - px_line[k].first, px_line[k + 1].second - px_line[k].second);
                        if (len <= best) continue;
                        best = len;
                        double walked = 0;
                        for (std::size_t k = 0; k + 1 < px_line.size(); ++k) {
                            const auto [x0, y0] = px_line[k];
                            const auto [x1, y1] = px_line[k + 1];
                            const double seg = std::hypot(x1 - x0, y1 - y0);
                            if (walked + seg < len / 2 && k + 2 < px_line.size()) {
                                walked += seg;
                                continue;
                            }
                            const double t = seg > 0 ? std::clamp((len / 2 - walked) / seg, 0.0, 1.0) : 0.0;
                            bx = x0 + t * (x1 - x0);
                            by = y0 + t * (y1 - y0);
                            angle = std::atan2(y1 - y0, x1 - x0) * 180.0 / 3.14159265358979323846;
                            if (angle > 90) angle -= 180;
                            if (angle <= -90) angle += 180;
                            break;
                        }
                    }
                }
                done.push_back(text);
                if (best < w * 0.9) continue;  // no stretch long enough to carry it
                const double a = angle * 3.14159265358979323846 / 180.0;
                const double hw = std::abs(std::cos(a)) * w / 2 + std::abs(std::sin(a)) * size / 2;
                const double hh = std::abs(std::sin(a)) * w / 2 + std::abs(std::cos(a)) * size / 2;
                const LabelBox box{bx - hw, by - hh, bx + hw, by + hh};
                if (!placer.fits(box)) continue;
                placer.take(box);
                labels += label_text(bx, by + size * 0.35, "middle", size, std::round(angle * 10) / 10, text);
            }
            if (!s.polygons.empty() && s.lines.empty() && s.points.empty()) {
                // The largest part's outer ring, tried at its middle, then along its longer side.
                const std::vector<Point>* ring = nullptr;
                double widest = -1;
                for (const auto& poly : s.polygons) {
                    if (poly.empty()) continue;
                    Box b;
                    for (const auto& q : poly.front()) extend(b, q);
                    if (proper(b) && (b.max.x - b.min.x) + (b.max.y - b.min.y) > widest) {
                        widest = (b.max.x - b.min.x) + (b.max.y - b.min.y);
                        ring = &poly.front();
                    }
                }
                if (!ring) continue;
                Box b;
                for (const auto& q : *ring) extend(b, q);
                // Only areas that can carry the name (a lake, not a fountain).
                if (X(b.max.x) - X(b.min.x) < 1.5 * w || Y(b.min.y) - Y(b.max.y) < 1.2 * size) continue;
                const auto inside = [&](double wx, double wy) {
                    bool in = false;
                    const auto& r = *ring;
                    for (std::size_t a = 0, c = r.size() - 1; a < r.size(); c = a++)
                        if ((r[a].y > wy) != (r[c].y > wy) &&
                            wx < (r[c].x - r[a].x) * (wy - r[a].y) / (r[c].y - r[a].y) + r[a].x)
                            in = !in;
                    return in;
                };
                const bool wide = b.max.x - b.min.x >= b.max.y - b.min.y;
                for (const double t : {0.5, 0.3, 0.7, 0.15, 0.85}) {
                    const double wx = wide ? b.min.x + t * (b.max.x - b.min.x) : (b.min.x + b.max.x) / 2;
                    const double wy = wide ? (b.min.y + b.max.y) / 2 : b.min.y + t * (b.max.y - b.min.y);
                    if (!inside(wx, wy)) continue;
                    const double cx = X(wx), cy = Y(wy);
                    const LabelBox box{cx - w / 2, cy - size * 0.6, cx + w / 2, cy + size * 0.5};
                    if (!placer.fits(box)) continue;
                    placer.take(box);
                    labels += label_text(cx, cy + size * 0.35, "middle", size, 0, text);
                    break;
                }
            }
        }
    }
    if (!labels.empty()) out += "<g class=\"labels\">\n" + labels + "</g>\n";
}

/** The inside of a map frame: the layers clipped to it, the labels, the scale bar. */
void draw_frame(std::string& out, const std::vector<Prepared>& layers, const std::optional<Fit>& fit, int clip) {
    out += "<rect class=\"frame\" x=\"" + px(frame_x) + "\" y=\"" + px(frame_y) + "\" width=\"" + px(frame_w) +
           "\" height=\"" + px(frame_h) + "\" fill=\"#f8f8f4\" stroke=\"#999999\" stroke-width=\"1\"/>\n";
    if (!fit) {
        out += "<text x=\"" + px(frame_x + frame_w / 2) + "\" y=\"" + px(frame_y + frame_h / 2) +
               "\" font-size=\"16\" text-anchor=\"middle\" fill=\"#777777\">No features 无要素"
               "</text>\n";
        return;
    }
    const std::string id = "frame-" + std::to_string(clip);
    out += "<clipPath" + attr("id", id) + "><rect x=\"" + px(frame_x) + "\" y=\"" + px(frame_y) + "\" width=\"" +
           px(frame_w) + "\" height=\"" + px(frame_h) + "\"/></clipPath>\n";
    out += "<g clip-path=\"url(#" + id + ")\">\n";
    for (const auto& p : layers) draw_layer(out, p, *fit);
    out += "</g>\n";
    draw_labels(out, layers, *fit);
    draw_scale_bar(out, *fit);
}

std::vector<Prepared> prepare_all(const ReportMap& map) {
    std::vector<Prepared> layers;
    layers.reserve(map.layers.size());
    for (const auto& ml : map.layers) layers.push_back(prepare(ml));
    return layers;
}

void append_map(std::string& out, const ReportMap& map, int& clips, bool chinese_first) {
    const std::vector<Prepared> layers = prepare_all(map);
    const Box box = frame_box(layers);
    std::optional<Fit> fit;
    if (proper(box)) fit = fit_box(box);

    // The legend decides the height: a long one makes the picture taller, never overflows.
    std::string legend;
    double right = legend_x;
    const double legend_bottom = draw_legend(legend, layers, right, chinese_first);
    const double svg_w = std::max(legend_x + legend_w, std::ceil(right + 10));
    const double svg_h = std::max(frame_y + frame_h + 20, legend_bottom + 20);

    out += "<figure class=\"map\">\n";
    out += "<svg class=\"map\" role=\"img\"" + attr("aria-label", map.title) + " width=\"" +
           px(svg_w) + "\" height=\"" + px(svg_h) + "\" viewBox=\"0 0 " + px(svg_w) + " " +
           px(svg_h) + "\">\n";
    out += "<title>" + escaped(map.title) + "</title>\n";
    draw_frame(out, layers, fit, ++clips);
    draw_north_arrow(out);
    out += legend;
    out += "</svg>\n";
    out += "<figcaption><strong>" + escaped(map.title) + "</strong>";
    if (!map.caption.empty()) out += " " + escaped(map.caption);
    out += "</figcaption>\n</figure>\n";
}

void append_comparison(std::string& out, const ReportComparison& cmp, int& clips, bool chinese_first) {
    std::vector<std::vector<Prepared>> panels;
    Box box;
    for (const ReportMap& m : cmp.maps) {
        panels.push_back(prepare_all(m));
        const Box b = frame_box(panels.back());
        if (proper(b)) {
            extend(box, b.min);
            extend(box, b.max);
        }
    }
    std::optional<Fit> fit;
    if (proper(box)) fit = fit_box(box);
    const double w = frame_x * 2 + frame_w, h = frame_y * 2 + frame_h;
    out += "<figure class=\"compare\">\n";
    if (!cmp.title.empty()) out += "<h3>" + escaped(cmp.title) + "</h3>\n";
    out += "<div class=\"panels\">\n";
    for (std::size_t k = 0; k < cmp.maps.size(); ++k) {
        const ReportMap& m = cmp.maps[k];
        out += "<div class=\"panel\">\n<div class=\"panel-title\">" + escaped(m.title) + "</div>\n";
        out += "<svg class=\"map panel-map\" role=\"img\"" + attr("aria-label", m.title) + " width=\"" + px(w) +
               "\" height=\"" + px(h) + "\" viewBox=\"0 0 " + px(w) + " " + px(h) + "\">\n";
        out += "<title>" + escaped(m.title) + "</title>\n";
        draw_frame(out, panels[k], fit, ++clips);
        draw_north_arrow(out);
        out += "</svg>\n";
        if (!m.caption.empty()) out += "<div class=\"panel-caption\">" + escaped(m.caption) + "</div>\n";
        out += "</div>\n";
    }
    out += "</div>\n";
    html_legend(out, panels, chinese_first);
    if (!cmp.caption.empty()) out += "<figcaption>" + escaped(cmp.caption) + "</figcaption>\n";
    out += "</figure>\n";
}

// ---------------------------------------------------------------------------------------------
// Text blocks and tables.

/** Paragraphs split at blank lines, line breaks kept. */
void append_paragraphs(std::string& out, std::string_view text, const char* cls) {
    std::vector<std::vector<std::string_view>> paragraphs(1);
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const bool blank = line.find_first_not_of(" \t") == std::string_view::npos;
        if (blank) {
            if (!paragraphs.back().empty()) paragraphs.emplace_back();
        } else {
            paragraphs.back().push_back(line);
        }
        start = end + 1;
    }
    for (const auto& lines : paragraphs) {
        if (lines.empty()) continue;
        out += cls ? "<p class=\"" + std::string(cls) + "\">" : std::string("<p>");
        for (std::size_t i = 0; i < lines.size(); ++i) {
            if (i > 0) out += "<br/>";
            append_escaped(out, lines[i]);
        }
        out += "</p>\n";
    }
}

/** Digits with at most a sign, separators, a decimal point and a trailing % or unit-free. */
bool looks_numeric(std::string_view cell) {
    bool digit = false;
    for (char c : cell) {
        if (c >= '0' && c <= '9') {
            digit = true;
        } else if (std::string_view("+-.,% ").find(c) == std::string_view::npos) {
            return false;
        }
    }
    return digit;
}

void append_table(std::string& out, const ReportTable& table) {
    std::size_t columns = table.header.size();
    for (const auto& r : table.rows) columns = std::max(columns, r.size());
    if (table.folded) {
        out += "<details class=\"table\">\n<summary>" + escaped(table.title) + "</summary>\n";
    } else {
        out += "<div class=\"table\">\n";
        if (!table.title.empty()) out += "<h3>" + escaped(table.title) + "</h3>\n";
    }
    out += "<table>\n";
    if (!table.header.empty()) {
        out += "<thead><tr>";
        for (std::size_t c = 0; c < columns; ++c) {
            out += "<th>";
            if (c < table.header.size()) append_escaped(out, table.header[c]);
            out += "</th>";
        }
        out += "</tr></thead>\n";
    }
    out += "<tbody>\n";
    for (const auto& r : table.rows) {
        out += "<tr>";
        for (std::size_t c = 0; c < columns; ++c) {
            const std::string_view cell = c < r.size() ? std::string_view(r[c]) : "";
            out += looks_numeric(cell) ? "<td class=\"num\">" : "<td>";
            append_escaped(out, cell);
            out += "</td>";
        }
        out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
    if (!table.note.empty()) append_paragraphs(out, table.note, "note");
    out += table.folded ? "</details>\n" : "</div>\n";
}

void append_callout(std::string& out, const ReportCallout& c) {
    out += "<div" + attr("class", "callout " + c.css_class) + ">\n";
    if (!c.title.empty()) out += "<div class=\"callout-title\">" + escaped(c.title) + "</div>\n";
    append_paragraphs(out, c.text, nullptr);
    out += "</div>\n";
}

constexpr std::string_view css =
    R"(body{margin:0 auto;max-width:1120px;padding:24px 32px;color:#222;background:#fff;line-height:1.55;font-size:15px;font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC","Hiragino Sans GB",sans-serif}
header{border-bottom:3px solid #2b6cb0;margin-bottom:12px;padding-bottom:8px}
h1{font-size:28px;margin:0 0 4px}
.subtitle{color:#555;margin:0;font-size:17px}
nav.toc ol{margin:8px 0;padding-left:24px;columns:2}
nav.toc a{color:#2b6cb0;text-decoration:none}
h2{font-size:21px;border-bottom:1px solid #bbb;padding-bottom:4px;margin:32px 0 10px}
h3{font-size:16px;margin:18px 0 6px}
figure.map{margin:16px 0;break-inside:avoid;page-break-inside:avoid}
svg.map{display:block;width:100%;max-width:1080px;height:auto;background:#fff}
svg text{font-family:inherit}
figcaption{font-size:13px;color:#444;margin-top:6px}
div.table{margin:12px 0 20px;break-inside:avoid;page-break-inside:avoid}
table{border-collapse:collapse;font-size:14px}
th,td{border:1px solid #bbb;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#eef2f7}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr:nth-child(even){background:#f7f7f7}
.note{font-size:12px;color:#555;margin:4px 0 0}
footer{margin-top:40px;padding-top:8px;border-top:1px solid #ccc;font-size:12px;color:#555}
figure.compare{margin:16px 0}
.panels{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:14px}
.panel{break-inside:avoid;page-break-inside:avoid}
.panel-title{font-weight:bold;font-size:15px;margin:0 0 4px}
.panel-caption{font-size:12.5px;color:#444;margin-top:2px}
div.legend{margin:8px 0 4px;font-size:13px;break-inside:avoid;page-break-inside:avoid}
div.legend ul{list-style:none;margin:4px 0;padding:0;columns:3 220px;column-gap:24px}
div.legend li{break-inside:avoid;display:flex;align-items:center;gap:6px;min-height:20px}
div.legend li.legend-group{display:block}
div.legend li.legend-group ul{columns:auto;margin:0;padding:0;list-style:none}
div.legend li.legend-heading{font-weight:bold;margin-top:4px}
div.legend li.legend-class{padding-left:14px}
svg.swatch{flex:none}
.legend-title{font-weight:bold}
.callout{border-left:5px solid #2b6cb0;background:#f3f7fb;padding:6px 12px;margin:10px 0;break-inside:avoid;page-break-inside:avoid}
.callout p{margin:4px 0}
.callout-title{font-weight:bold}
.callout.verdict.met{border-color:#2ca25f;background:#eef8f1}
.callout.verdict.not-met{border-color:#de2d26;background:#fdf0ee}
.callout.verdict.none{border-color:#999;background:#f5f5f5}
.callout.warning{border-color:#e6550d;background:#fff4e8}
details.table{margin:8px 0 16px}
details.table summary{cursor:pointer;color:#2b6cb0;font-weight:bold}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
@page{size:A4 portrait;margin:12mm}
@media print{body{max-width:none;padding:0;font-size:10pt;line-height:1.4}nav.toc{display:none}h2{break-after:avoid;page-break-after:avoid}section+section{break-before:page;page-break-before:always}.panels{grid-template-columns:repeat(auto-fit,minmax(80mm,1fr));gap:4mm}.panel{margin:0 0 2mm}figure.compare h3{break-after:avoid;page-break-after:avoid}svg.map{max-width:100%}table{font-size:8.5pt}th,td{padding:2px 6px}th{background:#eee}details.table summary{color:#222}a{color:inherit;text-decoration:none}}
)";

}  // namespace

std::string report_html(const Report& report) {
    std::string out;
    out += "<!DOCTYPE html>\n<html" + attr("lang", report.lang) + ">\n<head>\n";
    out += "<meta charset=\"utf-8\"/>\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
    out += "<title>" + escaped(report.title) + "</title>\n";
    out += "<style>\n" + std::string(css) + "</style>\n</head>\n<body>\n";
    out += "<header>\n<h1>" + escaped(report.title) + "</h1>\n";
    if (!report.subtitle.empty())
        out += "<p class=\"subtitle\">" + escaped(report.subtitle) + "</p>\n";
    out += "</header>\n";
    if (report.sections.size() > 1) {
        out += "<nav class=\"toc\"><ol>\n";
        for (std::size_t i = 0; i < report.sections.size(); ++i) {
            out += "<li><a href=\"#section-" + std::to_string(i + 1) + "\">" +
                   escaped(report.sections[i].title) + "</a></li>\n";
        }
        out += "</ol></nav>\n";
    }
    out += "<main>\n";
    int clips = 0;  // clip paths are numbered through the page
    for (std::size_t i = 0; i < report.sections.size(); ++i) {
        const ReportSection& s = report.sections[i];
        out += "<section id=\"section-" + std::to_string(i + 1) + "\">\n";
        out += "<h2>" + std::to_string(i + 1) + ". " + escaped(s.title) + "</h2>\n";
        append_paragraphs(out, s.text, nullptr);
        for (const auto& c : s.callouts) append_callout(out, c);
        for (const auto& c : s.comparisons) append_comparison(out, c, clips, report.chinese_first);
        for (const auto& m : s.maps) append_map(out, m, clips, report.chinese_first);
        for (const auto& t : s.tables) append_table(out, t);
        out += "</section>\n";
    }
    out += "</main>\n";
    if (!report.footer.empty()) {
        out += "<footer>\n";
        append_paragraphs(out, report.footer, nullptr);
        out += "</footer>\n";
    }
    out += "</body>\n</html>\n";
    return out;
}

}  // namespace lifecircle::maps
