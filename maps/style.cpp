#include "maps/style.hpp"
#include "maps/xml.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string_view>
#include <system_error>

namespace lifecircle::maps {

namespace {

struct Rgb {
    int r = 0;
    int g = 0;
    int b = 0;
};

/** ColorBrewer RdYlGn, reversed: green (near) to red (far). */
constexpr std::array<Rgb, 5> ramp_stops{{
    {26, 152, 80},
    {145, 207, 96},
    {254, 224, 139},
    {252, 141, 89},
    {215, 48, 39},
}};

/** The ramp colour at t in [0, 1]. */
Rgb ramp(double t) {
    t = std::clamp(t, 0.0, 1.0);
    const double position = t * static_cast<double>(ramp_stops.size() - 1);
    const auto index = std::min(static_cast<std::size_t>(position), ramp_stops.size() - 2);
    const double f = position - static_cast<double>(index);
    const Rgb& a = ramp_stops[index];
    const Rgb& b = ramp_stops[index + 1];
    const auto mix = [f](int x, int y) {
        return static_cast<int>(
            std::lround(static_cast<double>(x) + f * static_cast<double>(y - x)));
    };
    return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
}

/** The same hue, darker: outlines and marker strokes. */
Rgb darker(Rgb c) {
    const auto scale = [](int x) { return static_cast<int>(std::lround(x * 0.6)); };
    return {scale(c.r), scale(c.g), scale(c.b)};
}

/** QGIS's colour encoding "r,g,b,a". */
std::string qgis_colour(Rgb c, int alpha = 255) {
    return std::to_string(c.r) + ',' + std::to_string(c.g) + ',' + std::to_string(c.b) + ',' +
           std::to_string(alpha);
}

/** Shortest round-trip text of a double, independent of the C locale ("7.5", not "7,5"). */
std::string number(double value) {
    std::array<char, 32> buffer{};
    const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    if (error != std::errc()) throw std::invalid_argument("cannot format a number for a style");
    return std::string(buffer.data(), end);
}

/** A field reference in a QGIS expression: "name" with embedded quotes doubled. */
std::string quoted_field(std::string_view field) {
    std::string out = "\"";
    for (const char c : field) {
        out += c;
        if (c == '"') out += '"';
    }
    return out + '"';
}

/** A QGIS symbol layer property in the 3.x <Option> form. */
void option(std::string& out, std::string_view indent, std::string_view name,
            std::string_view value) {
    out += indent;
    out += "<Option type=\"QString\" name=\"";
    out += name;
    out += "\" value=\"";
    out += xml_escape(value);
    out += "\"/>\n";
}

/** The empty data-defined property collection QGIS writes for every symbol and layer. */
void data_defined_properties(std::string& out, std::string_view indent) {
    const std::string in(indent);
    out += in + "<data_defined_properties>\n";
    out += in + "  <Option type=\"Map\">\n";
    out += in + "    <Option type=\"QString\" name=\"name\" value=\"\"/>\n";
    out += in + "    <Option name=\"properties\"/>\n";
    out += in + "    <Option type=\"QString\" name=\"type\" value=\"collection\"/>\n";
    out += in + "  </Option>\n";
    out += in + "</data_defined_properties>\n";
}

const char* symbol_type(GeometryKind kind) {
    switch (kind) {
        case GeometryKind::point:
        case GeometryKind::none:  // never styled; a marker is harmless
            return "marker";
        case GeometryKind::line:
            return "line";
        case GeometryKind::polygon:
            return "fill";
    }
    return "fill";
}

/** How one QGIS symbol looks. */
struct SymbolLook {
    Rgb colour;
    Rgb outline;
    bool no_fill = false;
    double width_mm = 0.3;  ///< outline (polygons, markers) or line width
    double size_mm = 2.6;   ///< markers
    std::string shape = "circle";
};

SymbolLook look_of(GeometryKind kind, Rgb colour) {
    SymbolLook l;
    l.colour = colour;
    l.outline = darker(colour);
    l.width_mm = kind == GeometryKind::line ? 0.8 : kind == GeometryKind::polygon ? 0.3 : 0.2;
    return l;
}

std::string mm(double v) {
    std::array<char, 32> buffer{};
    const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), v);
    if (error != std::errc()) return "0";
    return std::string(buffer.data(), end);
}

/** One symbol named `name` (the range's index). */
void symbol(std::string& out, GeometryKind kind, std::size_t name, const SymbolLook& look) {
    constexpr std::string_view props = "            ";
    constexpr std::string_view no_scale = "3x:0,0,0,0,0,0";
    out += "      <symbol type=\"";
    out += symbol_type(kind);
    out += "\" name=\"" + std::to_string(name) +
           "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\" is_animated=\"0\" "
           "frame_rate=\"10\">\n";
    data_defined_properties(out, "        ");
    switch (kind) {
        case GeometryKind::polygon:
            out += "        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n";
            out += "          <Option type=\"Map\">\n";
            option(out, props, "border_width_map_unit_scale", no_scale);
            option(out, props, "color", qgis_colour(look.colour));
            option(out, props, "joinstyle", "bevel");
            option(out, props, "offset", "0,0");
            option(out, props, "offset_map_unit_scale", no_scale);
            option(out, props, "offset_unit", "MM");
            option(out, props, "outline_color", qgis_colour(look.outline));
            option(out, props, "outline_style", look.width_mm > 0 ? "solid" : "no");
            option(out, props, "outline_width", mm(look.width_mm));
            option(out, props, "outline_width_unit", "MM");
            option(out, props, "style", look.no_fill ? "no" : "solid");
            break;
        case GeometryKind::line:
            out += "        <layer class=\"SimpleLine\" enabled=\"1\" locked=\"0\" pass=\"0\">\n";
            out += "          <Option type=\"Map\">\n";
            option(out, props, "capstyle", "round");
            option(out, props, "customdash", "5;2");
            option(out, props, "customdash_map_unit_scale", no_scale);
            option(out, props, "customdash_unit", "MM");
            option(out, props, "draw_inside_polygon", "0");
            option(out, props, "joinstyle", "round");
            option(out, props, "line_color", qgis_colour(look.colour));
            option(out, props, "line_style", "solid");
            option(out, props, "line_width", mm(look.width_mm));
            option(out, props, "line_width_unit", "MM");
            option(out, props, "offset", "0");
            option(out, props, "offset_map_unit_scale", no_scale);
            option(out, props, "offset_unit", "MM");
            option(out, props, "ring_filter", "0");
            option(out, props, "use_custom_dash", "0");
            option(out, props, "width_map_unit_scale", no_scale);
            break;
        case GeometryKind::point:
        case GeometryKind::none:
            out += "        <layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"0\">\n";
            out += "          <Option type=\"Map\">\n";
            option(out, props, "angle", "0");
            option(out, props, "cap_style", "square");
            option(out, props, "color", qgis_colour(look.colour));
            option(out, props, "horizontal_anchor_point", "1");
            option(out, props, "joinstyle", "bevel");
            option(out, props, "name", look.shape);
            option(out, props, "offset", "0,0");
            option(out, props, "offset_map_unit_scale", no_scale);
            option(out, props, "offset_unit", "MM");
            option(out, props, "outline_color", qgis_colour(look.outline));
            option(out, props, "outline_style", "solid");
            option(out, props, "outline_width", mm(look.width_mm));
            option(out, props, "outline_width_map_unit_scale", no_scale);
            option(out, props, "outline_width_unit", "MM");
            option(out, props, "scale_method", "diameter");
            option(out, props, "size", mm(look.size_mm));
            option(out, props, "size_map_unit_scale", no_scale);
            option(out, props, "size_unit", "MM");
            option(out, props, "vertical_anchor_point", "1");
            break;
    }
    out += "          </Option>\n";
    data_defined_properties(out, "          ");
    out += "        </layer>\n";
    out += "      </symbol>\n";
}

void symbol(std::string& out, GeometryKind kind, std::size_t name, Rgb colour) {
    symbol(out, kind, name, look_of(kind, colour));
}

int layer_geometry_type(GeometryKind kind) {
    switch (kind) {
        case GeometryKind::point:
        case GeometryKind::none:
            return 0;
        case GeometryKind::line:
            return 1;
        case GeometryKind::polygon:
            return 2;
    }
    return 2;
}

/** The start of every style document, and the end after the renderer. */
std::string qml_head(bool labels = false) {
    return std::string("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                       "<qgis version=\"3.28.0-Firenze\" styleCategories=\"AllStyleCategories\" "
                       "labelsEnabled=\"") +
           (labels ? "1" : "0") +
           "\" hasScaleBasedVisibilityFlag=\"0\" minScale=\"100000000\" "
           "maxScale=\"0\" readOnly=\"0\">\n";
}
/** Opaque fills in a translucent layer: the base map shows through, nested fills don't mix. */
std::string qml_tail(GeometryKind kind, double opacity = -1) {
    if (opacity < 0) opacity = kind == GeometryKind::polygon ? 0.6 : 1.0;
    std::string out = "  <blendMode>0</blendMode>\n  <featureBlendMode>0</featureBlendMode>\n";
    out += "  <layerOpacity>" + mm(opacity) + "</layerOpacity>\n";
    out += "  <layerGeometryType>" + std::to_string(layer_geometry_type(kind)) +
           "</layerGeometryType>\n";
    out += "</qgis>\n";
    return out;
}

}  // namespace

std::string graduated_qml(GeometryKind kind, const std::string& field,
                          const std::vector<double>& breaks, const std::string& unit_label,
                          bool high_is_good) {
    if (field.empty()) throw std::invalid_argument("graduated style: the field name is empty");
    if (breaks.empty()) throw std::invalid_argument("graduated style: no class breaks given");
    for (std::size_t i = 0; i < breaks.size(); ++i) {
        if (!std::isfinite(breaks[i])) {
            throw std::invalid_argument("graduated style: class break " + std::to_string(i + 1) +
                                        " is not a finite number");
        }
        if (i > 0 && !(breaks[i - 1] < breaks[i])) {
            throw std::invalid_argument(
                "graduated style: class breaks must be strictly "
                "ascending, but " +
                number(breaks[i]) + " follows " + number(breaks[i - 1]));
        }
    }

    std::string out;
    out.reserve(2048 + breaks.size() * 3072);
    out += qml_head();
    // enableorderby: draw far classes first so near ones end on top (QGIS otherwise draws in
    // feature order, and a large 30-minute polygon would hide the 5-minute one inside it).
    out += "  <renderer-v2 type=\"graduatedSymbol\" attr=\"" + xml_escape(field) +
           "\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" enableorderby=\"1\" "
           "forceraster=\"0\" referencescale=\"-1\">\n";

    out += "    <ranges>\n";
    const std::string unit = unit_label.empty() ? std::string() : " " + unit_label;
    for (std::size_t i = 0; i < breaks.size(); ++i) {
        const double lower = i == 0 ? std::min(0.0, breaks[0]) : breaks[i - 1];
        const std::string label = "\xE2\x89\xA4 " + number(breaks[i]) + unit;  // "≤ 5 min"
        out += "      <range lower=\"" + number(lower) + "\" upper=\"" + number(breaks[i]) +
               "\" symbol=\"" + std::to_string(i) + "\" label=\"" + xml_escape(label) +
               "\" render=\"true\"/>\n";
    }
    out += "    </ranges>\n";

    out += "    <symbols>\n";
    for (std::size_t i = 0; i < breaks.size(); ++i) {
        const double t = breaks.size() == 1
                             ? 0.0
                             : static_cast<double>(i) / static_cast<double>(breaks.size() - 1);
        symbol(out, kind, i, ramp(high_is_good ? 1.0 - t : t));
    }
    out += "    </symbols>\n";
    out += "    <rotation/>\n";
    out += "    <sizescale/>\n";
    out += "    <orderby>\n";
    out += "      <orderByClause asc=\"" + std::string(high_is_good ? "1" : "0") +
           "\" nullsFirst=\"0\">" + xml_text(quoted_field(field)) + "</orderByClause>\n";
    out += "    </orderby>\n";
    out += "  </renderer-v2>\n";
    out += qml_tail(kind);
    return out;
}


std::vector<double> fraction_breaks(double top, std::initializer_list<double> fractions) {
    std::vector<double> breaks;
    for (const double f : fractions) {
        const double b = std::max(1.0, std::ceil(top * f));
        if (breaks.empty() || b > breaks.back()) breaks.push_back(b);
    }
    const double whole = std::max(1.0, std::ceil(top));
    if (breaks.empty() || whole > breaks.back()) breaks.push_back(whole);
    return breaks;
}

std::string categorized_qml(GeometryKind kind, const std::string& field,
                            const std::vector<Category>& categories) {
    if (field.empty()) throw std::invalid_argument("categorised style: the field name is empty");
    if (categories.empty()) throw std::invalid_argument("categorised style: no categories given");
    std::string out = qml_head();
    out += "  <renderer-v2 type=\"categorizedSymbol\" attr=\"" + xml_escape(field) +
           "\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\" referencescale=\"-1\">\n";
    out += "    <categories>\n";
    for (std::size_t i = 0; i < categories.size(); ++i)
        out += "      <category value=\"" + xml_escape(categories[i].value) + "\" symbol=\"" +
               std::to_string(i) + "\" label=\"" + xml_escape(categories[i].label) +
               "\" render=\"true\" type=\"string\"/>\n";
    out += "    </categories>\n";
    out += "    <symbols>\n";
    for (std::size_t i = 0; i < categories.size(); ++i)
        symbol(out, kind, i, Rgb{categories[i].r, categories[i].g, categories[i].b});
    out += "    </symbols>\n";
    out += "    <rotation/>\n    <sizescale/>\n";
    out += "  </renderer-v2>\n";
    out += qml_tail(kind);
    return out;
}


namespace {

Rgb hex_colour(const std::string& hex) {
    if (hex.size() != 7 || hex[0] != '#') throw std::invalid_argument("style: colour '" + hex + "' is not #rrggbb");
    const auto part = [&](std::size_t at) {
        int v = 0;
        const auto [p, ec] = std::from_chars(hex.data() + at, hex.data() + at + 2, v, 16);
        if (ec != std::errc() || p != hex.data() + at + 2)
            throw std::invalid_argument("style: colour '" + hex + "' is not #rrggbb");
        return v;
    };
    return {part(1), part(3), part(5)};
}

/** A label's text with a halo, in the report's font; `along` places it along lines; `priority`
    0-10 decides who wins where labels collide (facilities over roads). */
std::string labeling(const std::string& field, double size_pt, bool along, GeometryKind kind, int priority = 5) {
    std::string out = "  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n";
    out += "      <text-style fieldName=\"" + xml_escape(field) +
           "\" isExpression=\"0\" fontSize=\"" + mm(size_pt) +
           "\" fontSizeUnit=\"Point\" fontWeight=\"50\" textColor=\"" + qgis_colour(hex_colour(palette::label)) +
           "\" fontFamily=\"WenQuanYi Micro Hei\" textOpacity=\"1\" allowHtml=\"0\" multilineHeight=\"1\">\n";
    out += "        <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" "
           "bufferColor=\"255,255,255,255\" bufferOpacity=\"0.9\" bufferNoFill=\"1\" bufferJoinStyle=\"128\"/>\n";
    out += "      </text-style>\n";
    out += "      <text-format wrapChar=\"\" autoWrapLength=\"0\" multilineAlign=\"3\"/>\n";
    // 6: cartographic positions around a point; 2: parallel to a line; 1: over a polygon's centre.
    const int placement = along ? 2 : kind == GeometryKind::point ? 6 : kind == GeometryKind::line ? 2 : 1;
    out += "      <placement placement=\"" + std::to_string(placement) + "\" priority=\"" + std::to_string(priority) +
           "\" dist=\"1.2\" distUnits=\"MM\" repeatDistance=\"0\" placementFlags=\"10\"/>\n";
    out += "      <rendering obstacle=\"1\" drawLabels=\"1\" upsidedownLabels=\"0\" labelPerPart=\"0\" "
           "mergeLines=\"" + std::string(along ? "1" : "0") + "\" scaleVisibility=\"0\" displayAll=\"0\"/>\n";
    out += "    </settings>\n  </labeling>\n";
    return out;
}

}  // namespace

std::vector<std::string> ClassBreaks::labels() const {
    std::vector<std::string> out;
    const std::string u = unit.empty() ? std::string() : " " + unit;
    for (std::size_t k = 0; k < breaks.size(); ++k)
        out.push_back(k == 0 ? "\xE2\x89\xA4 " + number(breaks[0]) + u
                             : number(breaks[k - 1]) + " \xE2\x80\x93 " + number(breaks[k]) + u);
    return out;
}

ClassBreaks gap_classes(const std::string& field, double top, const std::string& unit) {
    ClassBreaks c;
    c.field = field;
    c.unit = unit;
    c.breaks = fraction_breaks(std::max(1.0, std::ceil(top)), {0.1, 0.3, 0.6, 1.0});
    // ColorBrewer Reds (the lightest left out: it would vanish on a printed page).
    static const std::array<const char*, 4> reds = {"#fcae91", "#fb6a4a", "#de2d26", "#a50f15"};
    const std::size_t n = c.breaks.size();
    for (std::size_t k = 0; k < n; ++k) c.colours.push_back(reds[std::min(reds.size() - 1, k + (reds.size() - n))]);
    return c;
}

ClassBreaks area_classes(std::vector<double> minutes, const std::string& unit) {
    std::sort(minutes.begin(), minutes.end());
    minutes.erase(std::unique(minutes.begin(), minutes.end()), minutes.end());
    ClassBreaks c;
    c.field = "minutes";
    c.unit = unit;
    c.breaks = minutes;
    // ColorBrewer Blues: the nearest break darkest.
    static const std::array<const char*, 5> blues = {"#08519c", "#3182bd", "#6baed6", "#9ecae1", "#c6dbef"};
    const std::size_t n = minutes.size();
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t at = n == 1 ? 2 : std::min<std::size_t>(blues.size() - 1, k * (blues.size() - 1) / std::max<std::size_t>(1, n - 1));
        c.colours.push_back(blues[at]);
    }
    return c;
}

double field_max(const Layer& layer, const std::string& field) {
    double top = 0;
    for (std::size_t k = 0; k < layer.fields.size(); ++k) {
        if (layer.fields[k].name != field) continue;
        for (const Feature& f : layer.features) {
            const Value& v = f.values[k];
            if (const auto* d = std::get_if<double>(&v); d && std::isfinite(*d)) top = std::max(top, *d);
            if (const auto* i = std::get_if<std::int64_t>(&v)) top = std::max(top, static_cast<double>(*i));
        }
    }
    return top;
}

std::string classes_qml(GeometryKind kind, const ClassBreaks& c, double layer_opacity, bool far_first) {
    if (c.colours.size() != c.breaks.size())
        throw std::invalid_argument("graduated style: " + std::to_string(c.breaks.size()) + " breaks but " +
                                    std::to_string(c.colours.size()) + " colours");
    std::string out = graduated_qml(kind, c.field, c.breaks, c.unit);  // checks the field and breaks
    out = qml_head();
    out += "  <renderer-v2 type=\"graduatedSymbol\" attr=\"" + xml_escape(c.field) +
           "\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" enableorderby=\"1\" "
           "forceraster=\"0\" referencescale=\"-1\">\n";
    out += "    <ranges>\n";
    const std::vector<std::string> labels = c.labels();
    for (std::size_t i = 0; i < c.breaks.size(); ++i) {
        const double lower = i == 0 ? std::min(0.0, c.breaks[0]) : c.breaks[i - 1];
        out += "      <range lower=\"" + number(lower) + "\" upper=\"" + number(c.breaks[i]) + "\" symbol=\"" +
               std::to_string(i) + "\" label=\"" + xml_escape(labels[i]) + "\" render=\"true\"/>\n";
    }
    out += "    </ranges>\n    <symbols>\n";
    for (std::size_t i = 0; i < c.breaks.size(); ++i) {
        SymbolLook look = look_of(kind, hex_colour(c.colours[i]));
        if (kind == GeometryKind::polygon) look.width_mm = 0.15;
        symbol(out, kind, i, look);
    }
    out += "    </symbols>\n    <rotation/>\n    <sizescale/>\n    <orderby>\n";
    out += "      <orderByClause asc=\"" + std::string(far_first ? "0" : "1") + "\" nullsFirst=\"0\">" +
           xml_text(quoted_field(c.field)) + "</orderByClause>\n";
    out += "    </orderby>\n  </renderer-v2>\n";
    out += qml_tail(kind, layer_opacity);
    return out;
}

std::string simple_qml(GeometryKind kind, const SimpleStyle& st) {
    const bool labels = !st.label_field.empty();
    std::string out = qml_head(labels);
    out += "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\" "
           "referencescale=\"-1\">\n    <symbols>\n";
    SymbolLook look;
    look.no_fill = st.fill == "none";
    if (kind == GeometryKind::line) {
        look.colour = hex_colour(st.stroke);
    } else {
        look.colour = look.no_fill ? hex_colour(st.stroke) : hex_colour(st.fill);
        look.outline = st.stroke == "none" ? look.colour : hex_colour(st.stroke);
    }
    look.width_mm = st.width_mm;
    look.size_mm = st.size_mm;
    look.shape = st.shape;
    symbol(out, kind, 0, look);
    out += "    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n";
    if (labels) out += labeling(st.label_field, st.label_size_pt, st.label_along_lines, kind, kind == GeometryKind::point ? 9 : 4);
    out += qml_tail(kind, st.layer_opacity);
    return out;
}

std::string line_categories_qml(const std::string& field, const std::vector<LineCategory>& categories,
                                const std::string& label_field) {
    if (field.empty() || categories.empty())
        throw std::invalid_argument("categorised style: the field or the categories are empty");
    const bool labels = !label_field.empty();
    std::string out = qml_head(labels);
    out += "  <renderer-v2 type=\"categorizedSymbol\" attr=\"" + xml_escape(field) +
           "\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\" referencescale=\"-1\">\n";
    out += "    <categories>\n";
    for (std::size_t i = 0; i < categories.size(); ++i)
        out += "      <category value=\"" + xml_escape(categories[i].value) + "\" symbol=\"" + std::to_string(i) +
               "\" label=\"" + xml_escape(categories[i].label) + "\" render=\"true\" type=\"string\"/>\n";
    out += "    </categories>\n    <symbols>\n";
    for (std::size_t i = 0; i < categories.size(); ++i) {
        SymbolLook look;
        look.colour = hex_colour(categories[i].colour);
        look.width_mm = categories[i].width_mm;
        symbol(out, GeometryKind::line, i, look);
    }
    out += "    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n";
    if (labels) out += labeling(label_field, 8.0, true, GeometryKind::line, 2);
    out += qml_tail(GeometryKind::line, 1.0);
    return out;
}

std::string residents_qml(GeometryKind kind, const std::string& covered_label, const std::string& uncovered_label) {
    std::string out = qml_head();
    out += "  <renderer-v2 type=\"categorizedSymbol\" attr=\"covered\" symbollevels=\"0\" enableorderby=\"0\" "
           "forceraster=\"0\" referencescale=\"-1\">\n    <categories>\n";
    out += "      <category value=\"1\" symbol=\"0\" label=\"" + xml_escape(covered_label) +
           "\" render=\"true\" type=\"string\"/>\n";
    out += "      <category value=\"0\" symbol=\"1\" label=\"" + xml_escape(uncovered_label) +
           "\" render=\"true\" type=\"string\"/>\n";
    out += "    </categories>\n    <symbols>\n";
    const char* colours[2] = {palette::covered, palette::uncovered};
    for (std::size_t i = 0; i < 2; ++i) {
        SymbolLook dot;
        dot.colour = hex_colour(colours[i]);
        dot.outline = {255, 255, 255};
        dot.width_mm = 0.2;
        dot.size_mm = 2.2;
        if (kind != GeometryKind::polygon) {
            symbol(out, GeometryKind::point, i, dot);
            continue;
        }
        // A dot at each polygon's centre, as the report draws residents: the gap map and the
        // service areas beneath stay visible.
        std::string marker;
        symbol(marker, GeometryKind::point, 0, dot);
        const std::string name = "@" + std::to_string(i) + "@0";
        const std::size_t at = marker.find("name=\"0\"");
        marker.replace(at, 8, "name=\"" + name + "\"");
        out += "      <symbol type=\"fill\" name=\"" + std::to_string(i) +
               "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\" is_animated=\"0\" frame_rate=\"10\">\n";
        data_defined_properties(out, "        ");
        out += "        <layer class=\"CentroidFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n";
        out += "          <Option type=\"Map\">\n";
        option(out, "            ", "clip_on_current_part_only", "0");
        option(out, "            ", "clip_points", "0");
        option(out, "            ", "point_on_all_parts", "1");
        option(out, "            ", "point_on_surface", "1");
        out += "          </Option>\n";
        data_defined_properties(out, "          ");
        out += marker;
        out += "        </layer>\n      </symbol>\n";
    }
    out += "    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n";
    out += qml_tail(kind, 1.0);
    return out;
}

}  // namespace lifecircle::maps
