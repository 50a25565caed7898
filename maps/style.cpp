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

/** One symbol named `name` (the range's index) in colour `colour`. */
void symbol(std::string& out, GeometryKind kind, std::size_t name, Rgb colour) {
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
            option(out, props, "color", qgis_colour(colour));
            option(out, props, "joinstyle", "bevel");
            option(out, props, "offset", "0,0");
            option(out, props, "offset_map_unit_scale", no_scale);
            option(out, props, "offset_unit", "MM");
            option(out, props, "outline_color", qgis_colour(darker(colour)));
            option(out, props, "outline_style", "solid");
            option(out, props, "outline_width", "0.3");
            option(out, props, "outline_width_unit", "MM");
            option(out, props, "style", "solid");
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
            option(out, props, "line_color", qgis_colour(colour));
            option(out, props, "line_style", "solid");
            option(out, props, "line_width", "0.8");
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
            option(out, props, "color", qgis_colour(colour));
            option(out, props, "horizontal_anchor_point", "1");
            option(out, props, "joinstyle", "bevel");
            option(out, props, "name", "circle");
            option(out, props, "offset", "0,0");
            option(out, props, "offset_map_unit_scale", no_scale);
            option(out, props, "offset_unit", "MM");
            option(out, props, "outline_color", qgis_colour(darker(colour)));
            option(out, props, "outline_style", "solid");
            option(out, props, "outline_width", "0.2");
            option(out, props, "outline_width_map_unit_scale", no_scale);
            option(out, props, "outline_width_unit", "MM");
            option(out, props, "scale_method", "diameter");
            option(out, props, "size", "2.6");
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
std::string qml_head() {
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
           "<qgis version=\"3.28.0-Firenze\" styleCategories=\"AllStyleCategories\" "
           "labelsEnabled=\"0\" hasScaleBasedVisibilityFlag=\"0\" minScale=\"100000000\" "
           "maxScale=\"0\" readOnly=\"0\">\n";
}
/** Opaque fills in a translucent layer: the base map shows through, nested fills don't mix. */
std::string qml_tail(GeometryKind kind) {
    std::string out = "  <blendMode>0</blendMode>\n  <featureBlendMode>0</featureBlendMode>\n";
    out += kind == GeometryKind::polygon ? "  <layerOpacity>0.6</layerOpacity>\n"
                                         : "  <layerOpacity>1</layerOpacity>\n";
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

}  // namespace lifecircle::maps
