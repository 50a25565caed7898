#include "maps/qgis_project.hpp"
#include "maps/xml.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

namespace lifecircle::maps {

namespace {

/** Control characters XML 1.0 cannot hold at all (not even as references): dropped. */
/** Shortest round-trip text of a double, independent of the C locale. */
std::string number(double value) {
    std::array<char, 32> buffer{};
    const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    if (error != std::errc()) throw std::invalid_argument("cannot format a number for a project");
    return std::string(buffer.data(), end);
}

/** 32-bit FNV-1a: a fixed, platform-independent hash for layer ids. */
std::uint32_t fnv1a(std::string_view text) {
    std::uint32_t h = 2166136261u;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h;
}

std::string hex8(std::uint32_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(8, '0');
    for (int i = 7; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = digits[v & 0xFu];
        v >>= 4;
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// A small scanner for QML documents: the <qgis> root's attributes and its child elements
// as raw text, so they can be embedded verbatim (entities and all) into the project.

struct Attribute {
    std::string name;
    std::string raw_value;  // as written, still escaped
    char quote = '"';
};

struct QmlParts {
    std::vector<Attribute> root_attributes;
    std::vector<std::pair<std::string, std::string>> children;  // name, raw element text
};

[[noreturn]] void bad_qml(const std::string& layer, const std::string& why) {
    throw std::invalid_argument("QGIS project: the style of layer '" + layer +
                                "' is not a usable QML document: " + why);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_name_char(char c) { return !is_space(c) && c != '>' && c != '/' && c != '=' && c != '<'; }

/** Skips a comment, CDATA section, processing instruction or declaration at `i`; true if one. */
bool skip_markup(std::string_view s, std::size_t& i, const std::string& layer) {
    const auto skip_to = [&](std::string_view end) {
        const std::size_t j = s.find(end, i);
        if (j == std::string_view::npos) bad_qml(layer, "unterminated markup");
        i = j + end.size();
    };
    if (s.compare(i, 4, "<!--") == 0) {
        skip_to("-->");
    } else if (s.compare(i, 9, "<![CDATA[") == 0) {
        skip_to("]]>");
    } else if (s.compare(i, 2, "<?") == 0) {
        skip_to("?>");
    } else if (s.compare(i, 2, "<!") == 0) {
        skip_to(">");
    } else {
        return false;
    }
    return true;
}

/**
 * Reads the tag starting at s[i] == '<' (not markup): its name, attributes, whether it
 * closes ("</x>") or is empty ("<x/>"); leaves i after the '>'.
 */
struct Tag {
    std::string name;
    std::vector<Attribute> attributes;
    bool closing = false;
    bool empty = false;
};
Tag read_tag(std::string_view s, std::size_t& i, const std::string& layer) {
    Tag tag;
    ++i;
    if (i < s.size() && s[i] == '/') {
        tag.closing = true;
        ++i;
    }
    const std::size_t start = i;
    while (i < s.size() && is_name_char(s[i])) ++i;
    tag.name = std::string(s.substr(start, i - start));
    if (tag.name.empty()) bad_qml(layer, "a tag without a name");
    for (;;) {
        while (i < s.size() && is_space(s[i])) ++i;
        if (i >= s.size()) bad_qml(layer, "unterminated tag <" + tag.name + ">");
        if (s[i] == '>') {
            ++i;
            return tag;
        }
        if (s[i] == '/' && i + 1 < s.size() && s[i + 1] == '>') {
            tag.empty = true;
            i += 2;
            return tag;
        }
        const std::size_t name_start = i;
        while (i < s.size() && is_name_char(s[i])) ++i;
        Attribute a;
        a.name = std::string(s.substr(name_start, i - name_start));
        while (i < s.size() && is_space(s[i])) ++i;
        if (a.name.empty() || i >= s.size() || s[i] != '=')
            bad_qml(layer, "a malformed attribute in <" + tag.name + ">");
        ++i;
        while (i < s.size() && is_space(s[i])) ++i;
        if (i >= s.size() || (s[i] != '"' && s[i] != '\''))
            bad_qml(layer, "an unquoted attribute in <" + tag.name + ">");
        a.quote = s[i];
        const std::size_t value_end = s.find(a.quote, i + 1);
        if (value_end == std::string_view::npos)
            bad_qml(layer, "an unterminated attribute in <" + tag.name + ">");
        a.raw_value = std::string(s.substr(i + 1, value_end - i - 1));
        i = value_end + 1;
        tag.attributes.push_back(std::move(a));
    }
}

QmlParts parse_qml(std::string_view s, const std::string& layer) {
    QmlParts parts;
    std::size_t i = 0;
    // The prolog, up to the root element.
    for (;;) {
        i = s.find('<', i);
        if (i == std::string_view::npos) bad_qml(layer, "no <qgis> root element");
        if (skip_markup(s, i, layer)) continue;
        break;
    }
    Tag root = read_tag(s, i, layer);
    if (root.name != "qgis" || root.closing) bad_qml(layer, "the root element is not <qgis>");
    parts.root_attributes = std::move(root.attributes);
    if (root.empty) return parts;

    // The root's children: record each top-level element's extent.
    int depth = 0;
    std::size_t child_start = 0;
    std::string child_name;
    for (;;) {
        const std::size_t lt = s.find('<', i);
        if (lt == std::string_view::npos) bad_qml(layer, "the <qgis> element is not closed");
        i = lt;
        if (skip_markup(s, i, layer)) continue;
        const std::size_t tag_start = i;
        Tag tag = read_tag(s, i, layer);
        if (tag.closing) {
            if (depth == 0) {
                if (tag.name != "qgis") bad_qml(layer, "</" + tag.name + "> closes <qgis>");
                return parts;
            }
            --depth;
            if (depth == 0) {
                if (tag.name != child_name)
                    bad_qml(layer, "</" + tag.name + "> closes <" + child_name + ">");
                parts.children.emplace_back(child_name,
                                            std::string(s.substr(child_start, i - child_start)));
            }
        } else if (tag.empty) {
            if (depth == 0)
                parts.children.emplace_back(tag.name,
                                            std::string(s.substr(tag_start, i - tag_start)));
        } else {
            if (depth == 0) {
                child_start = tag_start;
                child_name = tag.name;
            }
            ++depth;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Coordinate reference systems, as QGIS 3.22 writes them (authid + srsid decide on reading).

constexpr std::string_view wgs84_wkt =
    "GEOGCRS[\"WGS 84\",ENSEMBLE[\"World Geodetic System 1984 ensemble\",MEMBER[\"World "
    "Geodetic System 1984 (Transit)\"],MEMBER[\"World Geodetic System 1984 (G730)\"],MEMBER["
    "\"World Geodetic System 1984 (G873)\"],MEMBER[\"World Geodetic System 1984 (G1150)\"],"
    "MEMBER[\"World Geodetic System 1984 (G1674)\"],MEMBER[\"World Geodetic System 1984 "
    "(G1762)\"],MEMBER[\"World Geodetic System 1984 (G2139)\"],ELLIPSOID[\"WGS 84\",6378137,"
    "298.257223563,LENGTHUNIT[\"metre\",1]],ENSEMBLEACCURACY[2.0]],PRIMEM[\"Greenwich\",0,"
    "ANGLEUNIT[\"degree\",0.0174532925199433]],CS[ellipsoidal,2],AXIS[\"geodetic latitude "
    "(Lat)\",north,ORDER[1],ANGLEUNIT[\"degree\",0.0174532925199433]],AXIS[\"geodetic "
    "longitude (Lon)\",east,ORDER[2],ANGLEUNIT[\"degree\",0.0174532925199433]],USAGE[SCOPE["
    "\"Horizontal component of 3D system.\"],AREA[\"World.\"],BBOX[-90,-180,90,180]],ID["
    "\"EPSG\",4326]]";

constexpr std::string_view mercator_wkt =
    "PROJCRS[\"WGS 84 / Pseudo-Mercator\",BASEGEOGCRS[\"WGS 84\",ENSEMBLE[\"World Geodetic "
    "System 1984 ensemble\",MEMBER[\"World Geodetic System 1984 (Transit)\"],MEMBER[\"World "
    "Geodetic System 1984 (G730)\"],MEMBER[\"World Geodetic System 1984 (G873)\"],MEMBER["
    "\"World Geodetic System 1984 (G1150)\"],MEMBER[\"World Geodetic System 1984 (G1674)\"],"
    "MEMBER[\"World Geodetic System 1984 (G1762)\"],MEMBER[\"World Geodetic System 1984 "
    "(G2139)\"],ELLIPSOID[\"WGS 84\",6378137,298.257223563,LENGTHUNIT[\"metre\",1]],"
    "ENSEMBLEACCURACY[2.0]],PRIMEM[\"Greenwich\",0,ANGLEUNIT[\"degree\",0.0174532925199433]],"
    "ID[\"EPSG\",4326]],CONVERSION[\"Popular Visualisation Pseudo-Mercator\",METHOD[\"Popular "
    "Visualisation Pseudo Mercator\",ID[\"EPSG\",1024]],PARAMETER[\"Latitude of natural "
    "origin\",0,ANGLEUNIT[\"degree\",0.0174532925199433],ID[\"EPSG\",8801]],PARAMETER["
    "\"Longitude of natural origin\",0,ANGLEUNIT[\"degree\",0.0174532925199433],ID[\"EPSG\","
    "8802]],PARAMETER[\"False easting\",0,LENGTHUNIT[\"metre\",1],ID[\"EPSG\",8806]],"
    "PARAMETER[\"False northing\",0,LENGTHUNIT[\"metre\",1],ID[\"EPSG\",8807]]],CS[Cartesian,"
    "2],AXIS[\"easting (X)\",east,ORDER[1],LENGTHUNIT[\"metre\",1]],AXIS[\"northing (Y)\","
    "north,ORDER[2],LENGTHUNIT[\"metre\",1]],USAGE[SCOPE[\"Web mapping and visualisation.\"],"
    "AREA[\"World between 85.06\xC2\xB0S and 85.06\xC2\xB0N.\"],BBOX[-85.06,-180,85.06,180]],"
    "ID[\"EPSG\",3857]]";

void spatialrefsys(std::string& out, const std::string& indent, bool mercator) {
    const std::string in = indent + "  ";
    out += indent + "<spatialrefsys>\n";
    out += in + "<wkt>" + xml_text(mercator ? mercator_wkt : wgs84_wkt) + "</wkt>\n";
    if (mercator) {
        out += in +
               "<proj4>+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 "
               "+units=m +nadgrids=@null +wktext +no_defs</proj4>\n";
        out += in + "<srsid>3857</srsid>\n" + in + "<srid>3857</srid>\n";
        out += in + "<authid>EPSG:3857</authid>\n";
        out += in + "<description>WGS 84 / Pseudo-Mercator</description>\n";
        out += in + "<projectionacronym>merc</projectionacronym>\n";
        out += in + "<ellipsoidacronym>EPSG:7030</ellipsoidacronym>\n";
        out += in + "<geographicflag>false</geographicflag>\n";
    } else {
        out += in + "<proj4>+proj=longlat +datum=WGS84 +no_defs</proj4>\n";
        out += in + "<srsid>3452</srsid>\n" + in + "<srid>4326</srid>\n";
        out += in + "<authid>EPSG:4326</authid>\n";
        out += in + "<description>WGS 84</description>\n";
        out += in + "<projectionacronym>longlat</projectionacronym>\n";
        out += in + "<ellipsoidacronym>EPSG:7030</ellipsoidacronym>\n";
        out += in + "<geographicflag>true</geographicflag>\n";
    }
    out += indent + "</spatialrefsys>\n";
}

/** A map layer's id, data source, name and CRS (Web Mercator for a tile layer), as QGIS writes them. */
void layer_identity(std::string& out, const std::string& id, const std::string& source, const std::string& title,
                    bool mercator) {
    out += "      <id>" + xml_escape(id) + "</id>\n";
    out += "      <datasource>" + xml_escape(source) + "</datasource>\n";
    out += "      <keywordList>\n        <value></value>\n      </keywordList>\n";
    out += "      <layername>" + xml_escape(title) + "</layername>\n";
    out += "      <srs>\n";
    spatialrefsys(out, "        ", mercator);
    out += "      </srs>\n";
}

/** Spherical (web) Mercator of a WGS 84 position, in metres. */
constexpr double earth_radius = 6378137.0;
constexpr double pi = 3.14159265358979323846;
double mercator_x(double lon) { return earth_radius * lon * pi / 180.0; }
double mercator_y(double lat) {
    const double clamped = std::fmax(-85.06, std::fmin(85.06, lat));
    return earth_radius * std::log(std::tan(pi / 4.0 + clamped * pi / 360.0));
}

// ---------------------------------------------------------------------------------------

const char* geometry_name(GeometryKind kind) {
    switch (kind) {
        case GeometryKind::point:
            return "Point";
        case GeometryKind::line:
            return "Line";
        case GeometryKind::polygon:
            return "Polygon";
        case GeometryKind::none:
            return "No geometry";
    }
    return "Polygon";
}

/** The WKB type write_layers() stores for the kind. */
const char* wkb_name(GeometryKind kind) {
    switch (kind) {
        case GeometryKind::point:
            return "Point";
        case GeometryKind::line:
            return "MultiLineString";
        case GeometryKind::polygon:
            return "MultiPolygon";
        case GeometryKind::none:
            return "NoGeometry";
    }
    return "MultiPolygon";
}

/** A plain grey single-symbol renderer for layers without a style. */
std::string default_renderer(GeometryKind kind) {
    const auto opt = [](std::string_view name, std::string_view value) {
        return "            <Option type=\"QString\" name=\"" + std::string(name) + "\" value=\"" +
               std::string(value) + "\"/>\n";
    };
    std::string type;
    std::string layer_class;
    std::string props;
    switch (kind) {
        case GeometryKind::point:
        case GeometryKind::none:
            type = "marker";
            layer_class = "SimpleMarker";
            props = opt("color", "120,120,120,255") + opt("name", "circle") +
                    opt("outline_color", "60,60,60,255") + opt("outline_width", "0.2") +
                    opt("outline_width_unit", "MM") + opt("size", "2") + opt("size_unit", "MM");
            break;
        case GeometryKind::line:
            type = "line";
            layer_class = "SimpleLine";
            props = opt("line_color", "120,120,120,255") + opt("line_style", "solid") +
                    opt("line_width", "0.5") + opt("line_width_unit", "MM");
            break;
        case GeometryKind::polygon:
            type = "fill";
            layer_class = "SimpleFill";
            props = opt("color", "200,200,200,120") + opt("outline_color", "90,90,90,255") +
                    opt("outline_style", "solid") + opt("outline_width", "0.3") +
                    opt("outline_width_unit", "MM") + opt("style", "solid");
            break;
    }
    return "      <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
           "forceraster=\"0\" referencescale=\"-1\">\n"
           "        <symbols>\n"
           "          <symbol type=\"" +
           type +
           "\" name=\"0\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
           "          <layer class=\"" +
           layer_class +
           "\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
           "            <Option type=\"Map\">\n" +
           props +
           "            </Option>\n"
           "          </layer>\n"
           "          </symbol>\n"
           "        </symbols>\n"
           "        <rotation/>\n"
           "        <sizescale/>\n"
           "      </renderer-v2>\n";
}

/** Elements the project writes itself; a QML's copies of them are not embedded. */
const std::set<std::string, std::less<>>& written_here() {
    static const std::set<std::string, std::less<>> names{"id",
                                                          "datasource",
                                                          "layername",
                                                          "srs",
                                                          "provider",
                                                          "extent",
                                                          "wgs84extent",
                                                          "layerGeometryType",
                                                          "keywordList",
                                                          "resourceMetadata",
                                                          "map-layer-style-manager"};
    return names;
}

/** Root attributes of a QML that are not layer settings (or are set here). */
bool skipped_root_attribute(std::string_view name) {
    return name == "version" || name == "styleCategories" || name == "type" || name == "geometry" ||
           name == "wkbType";
}

std::string sanitized(std::string_view name) {
    std::string out;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        out += ok ? c : '_';
    }
    return out;
}

struct Resolved {
    const ProjectLayer* layer = nullptr;
    std::string id;
    std::string title;
};

void tree_layer(std::string& out, const std::string& indent, const Resolved& r,
                const std::string& source) {
    out += indent + "<layer-tree-layer id=\"" + xml_escape(r.id) + "\" name=\"" +
           xml_escape(r.title) + "\" providerKey=\"" + xml_escape(r.layer->provider) + "\" source=\"" +
           xml_escape(source) +
           "\" checked=\"" + (r.layer->visible ? "Qt::Checked" : "Qt::Unchecked") +
           "\" expanded=\"1\" legend_exp=\"\" patch_size=\"-1,-1\" "
           "legend_split_behavior=\"0\">\n";
    out += indent + "  <customproperties/>\n";
    out += indent + "</layer-tree-layer>\n";
}

/** A raster pipe as QGIS writes it for a tile layer: colour data drawn as it comes. */
constexpr std::string_view tile_pipe =
    "      <pipe>\n"
    "        <provider>\n"
    "          <resampling enabled=\"false\" zoomedInResamplingMethod=\"nearestNeighbour\" "
    "zoomedOutResamplingMethod=\"nearestNeighbour\" maxOversampling=\"2\"/>\n"
    "        </provider>\n"
    "        <rasterrenderer type=\"singlebandcolordata\" opacity=\"1\" alphaBand=\"-1\" band=\"1\" "
    "nodataColor=\"\">\n"
    "          <rasterTransparency/>\n"
    "          <minMaxOrigin>\n"
    "            <limits>None</limits>\n"
    "            <extent>WholeRaster</extent>\n"
    "            <statAccuracy>Estimated</statAccuracy>\n"
    "            <cumulativeCutLower>0.02</cumulativeCutLower>\n"
    "            <cumulativeCutUpper>0.98</cumulativeCutUpper>\n"
    "            <stdDevFactor>2</stdDevFactor>\n"
    "          </minMaxOrigin>\n"
    "        </rasterrenderer>\n"
    "        <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
    "        <huesaturation saturation=\"0\" grayscaleMode=\"0\" invertColors=\"0\" colorizeOn=\"0\" "
    "colorizeRed=\"255\" colorizeGreen=\"128\" colorizeBlue=\"128\" colorizeStrength=\"100\"/>\n"
    "        <rasterresampler maxOversampling=\"2\"/>\n"
    "        <resamplingStage>resamplingFilter</resamplingStage>\n"
    "      </pipe>\n";

}  // namespace

ProjectLayer osm_basemap_layer(const std::string& title, bool visible) {
    ProjectLayer out;
    out.layer_name = "osm_basemap";
    out.title = title;
    out.provider = "wms";
    out.source = "type=xyz&url=https://tile.openstreetmap.org/{z}/{x}/{y}.png&zmax=19&zmin=0&http-header:referer=";
    out.visible = visible;
    return out;
}

ProjectLayer project_layer(const Layer& layer, std::string title, std::string group, bool visible) {
    ProjectLayer out;
    out.layer_name = layer.name;
    out.title = std::move(title);
    out.kind = layer.kind;
    out.qml = layer.qml;
    out.visible = visible;
    out.group = std::move(group);
    return out;
}

std::string qgis_layer_id(const std::string& layer_name) {
    return sanitized(layer_name) + "_" + hex8(fnv1a(layer_name));
}

std::string qgis_project_xml(const QgisProject& project) {
    if (project.gpkg_file.empty()) throw std::invalid_argument("QGIS project: no GeoPackage file");
    if (project.gpkg_file.front() == '/' || project.gpkg_file.front() == '\\' ||
        (project.gpkg_file.size() > 1 && project.gpkg_file[1] == ':'))
        throw std::invalid_argument("QGIS project: the GeoPackage path '" + project.gpkg_file +
                                    "' must be relative to the project file");
    if (project.gpkg_file.find('|') != std::string::npos)
        throw std::invalid_argument("QGIS project: the GeoPackage path '" + project.gpkg_file +
                                    "' contains '|'");
    const std::string gpkg =
        project.gpkg_file.compare(0, 2, "./") == 0 ? project.gpkg_file : "./" + project.gpkg_file;

    // Ids, titles and the legend tree.
    std::vector<Resolved> resolved;
    std::map<std::string, int> seen;
    for (const ProjectLayer& layer : project.layers) {
        if (layer.layer_name.empty())
            throw std::invalid_argument("QGIS project: a layer without a name");
        if (layer.layer_name.find('|') != std::string::npos)
            throw std::invalid_argument("QGIS project: layer name '" + layer.layer_name +
                                        "' contains '|'");
        Resolved r;
        r.layer = &layer;
        r.id = qgis_layer_id(layer.layer_name);
        const int n = ++seen[layer.layer_name];
        if (n > 1) r.id += "_" + std::to_string(n);
        r.title = layer.title.empty() ? layer.layer_name : layer.title;
        resolved.push_back(std::move(r));
    }
    const auto source_of = [&gpkg](const ProjectLayer& layer) {
        if (layer.provider != "ogr") return layer.source;
        return gpkg + "|layername=" + layer.layer_name;
    };

    // Top-level entries in legend order: a layer (index) or a group (its layers' indexes).
    struct Entry {
        std::string group;  // empty = a single layer
        std::vector<std::size_t> members;
    };
    std::vector<Entry> entries;
    std::map<std::string, std::size_t> group_entry;
    for (std::size_t i = 0; i < resolved.size(); ++i) {
        const std::string& g = resolved[i].layer->group;
        if (g.empty()) {
            entries.push_back({"", {i}});
            continue;
        }
        const auto [it, added] = group_entry.emplace(g, entries.size());
        if (added) entries.push_back({g, {}});
        entries[it->second].members.push_back(i);
    }
    std::vector<std::size_t> tree_order;
    for (const Entry& e : entries)
        tree_order.insert(tree_order.end(), e.members.begin(), e.members.end());
    bool custom_order = false;
    for (std::size_t i = 0; i < tree_order.size(); ++i)
        if (tree_order[i] != i) custom_order = true;

    std::string out;
    out.reserve(16384 + project.layers.size() * 8192);
    const std::string title = xml_escape(project.title);
    out += "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n";
    out += "<qgis projectname=\"" + title +
           "\" version=\"3.22.0-Bia\xC5\x82owie\xC5\xBC"
           "a\">\n";
    out += "  <homePath path=\"\"/>\n";
    out += "  <title>" + title + "</title>\n";
    out += "  <autotransaction active=\"0\"/>\n";
    out += "  <evaluateDefaultValues active=\"0\"/>\n";
    out += "  <trust active=\"0\"/>\n";
    out += "  <projectCrs>\n";
    spatialrefsys(out, "    ", true);
    out += "  </projectCrs>\n";

    // The legend: QGIS 3 has no separate <legend> element (that was QGIS 2); the layer tree is it.
    out += "  <layer-tree-group>\n";
    out += "    <customproperties/>\n";
    for (const Entry& e : entries) {
        if (e.group.empty()) {
            tree_layer(out, "    ", resolved[e.members.front()],
                       source_of(*resolved[e.members.front()].layer));
            continue;
        }
        out += "    <layer-tree-group name=\"" + xml_escape(e.group) +
               "\" checked=\"Qt::Checked\" expanded=\"1\">\n";
        out += "      <customproperties/>\n";
        for (const std::size_t i : e.members)
            tree_layer(out, "      ", resolved[i], source_of(*resolved[i].layer));
        out += "    </layer-tree-group>\n";
    }
    out += std::string("    <custom-order enabled=\"") + (custom_order ? "1" : "0") + "\">\n";
    for (const Resolved& r : resolved) out += "      <item>" + xml_escape(r.id) + "</item>\n";
    out += "    </custom-order>\n";
    out += "  </layer-tree-group>\n";

    // The initial view, in the project CRS, for the canvas and as the default view extent.
    const bool has_view = std::isfinite(project.min_lon) && std::isfinite(project.min_lat) &&
                          std::isfinite(project.max_lon) && std::isfinite(project.max_lat) &&
                          project.min_lon <= project.max_lon && project.min_lat <= project.max_lat;
    std::string xmin, ymin, xmax, ymax;
    if (has_view) {
        double x0 = mercator_x(project.min_lon), x1 = mercator_x(project.max_lon);
        double y0 = mercator_y(project.min_lat), y1 = mercator_y(project.max_lat);
        const double pad = std::fmax(0.05 * std::fmax(x1 - x0, y1 - y0), 100.0);
        x0 -= pad, x1 += pad, y0 -= pad, y1 += pad;
        xmin = number(x0), ymin = number(y0), xmax = number(x1), ymax = number(y1);
        out += "  <mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\">\n";
        out += "    <units>meters</units>\n";
        out += "    <extent>\n";
        out += "      <xmin>" + xmin + "</xmin>\n      <ymin>" + ymin + "</ymin>\n";
        out += "      <xmax>" + xmax + "</xmax>\n      <ymax>" + ymax + "</ymax>\n";
        out += "    </extent>\n";
        out += "    <rotation>0</rotation>\n";
        out += "    <destinationsrs>\n";
        spatialrefsys(out, "      ", true);
        out += "    </destinationsrs>\n";
        out += "    <rendermaptile>0</rendermaptile>\n";
        out += "  </mapcanvas>\n";
    }

    out += "  <projectlayers>\n";
    for (const Resolved& r : resolved) {
        const ProjectLayer& layer = *r.layer;
        if (layer.provider != "ogr") {
            out += "    <maplayer type=\"raster\" hasScaleBasedVisibilityFlag=\"0\" maxScale=\"0\" "
                   "minScale=\"1e+08\" autoRefreshEnabled=\"0\" autoRefreshTime=\"0\" refreshOnNotifyEnabled=\"0\" "
                   "refreshOnNotifyMessage=\"\">\n";
            layer_identity(out, r.id, source_of(layer), r.title, true);
            out += "      <provider>" + xml_escape(layer.provider) + "</provider>\n";
            out += "      <noData>\n        <noDataList bandNo=\"1\" useSrcNoData=\"0\"/>\n      </noData>\n";
            out += "      <map-layer-style-manager current=\"default\">\n";
            out += "        <map-layer-style name=\"default\"/>\n";
            out += "      </map-layer-style-manager>\n";
            out += tile_pipe;
            out += "      <blendMode>0</blendMode>\n";
            out += "    </maplayer>\n";
            continue;
        }
        QmlParts qml;
        if (!layer.qml.empty()) qml = parse_qml(layer.qml, layer.layer_name);
        out += "    <maplayer type=\"vector\" geometry=\"" +
               std::string(geometry_name(layer.kind)) + "\" wkbType=\"" + wkb_name(layer.kind) +
               "\"";
        bool has_labels_flag = false;
        for (const Attribute& a : qml.root_attributes) {
            if (skipped_root_attribute(a.name)) continue;
            if (a.name == "labelsEnabled") has_labels_flag = true;
            out += " " + a.name + "=" + a.quote + a.raw_value + a.quote;
        }
        if (!has_labels_flag) out += " labelsEnabled=\"0\"";
        out += ">\n";
        layer_identity(out, r.id, source_of(layer), r.title, false);
        out += "      <provider encoding=\"UTF-8\">ogr</provider>\n";
        out += "      <map-layer-style-manager current=\"default\">\n";
        out += "        <map-layer-style name=\"default\"/>\n";
        out += "      </map-layer-style-manager>\n";
        bool has_renderer = false;
        for (const auto& [name, text] : qml.children) {
            if (written_here().count(name) != 0) continue;
            if (name == "renderer-v2") has_renderer = true;
            out += "      " + text + "\n";
        }
        if (!has_renderer && layer.kind != GeometryKind::none) out += default_renderer(layer.kind);
        out += "    </maplayer>\n";
    }
    out += "  </projectlayers>\n";

    out += "  <layerorder>\n";
    for (const Resolved& r : resolved) out += "    <layer id=\"" + xml_escape(r.id) + "\"/>\n";
    out += "  </layerorder>\n";

    out += "  <properties>\n";
    out += "    <Paths>\n      <Absolute type=\"bool\">false</Absolute>\n    </Paths>\n";
    out +=
        "    <SpatialRefSys>\n      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n"
        "    </SpatialRefSys>\n";
    out += "  </properties>\n";
    out += "  <visibility-presets/>\n";
    out += "  <transformContext/>\n";
    out += "  <projectMetadata>\n";
    out += "    <identifier></identifier>\n    <parentidentifier></parentidentifier>\n";
    out += "    <language></language>\n    <type></type>\n";
    out += "    <title>" + title + "</title>\n";
    out += "    <abstract></abstract>\n    <links/>\n";
    out += "  </projectMetadata>\n";
    out += "  <ProjectViewSettings UseProjectScales=\"0\" rotation=\"0\">\n";
    out += "    <Scales/>\n";
    if (has_view) {
        out += "    <DefaultViewExtent xmin=\"" + xmin + "\" ymin=\"" + ymin + "\" xmax=\"" + xmax +
               "\" ymax=\"" + ymax + "\">\n";
        spatialrefsys(out, "      ", true);
        out += "    </DefaultViewExtent>\n";
    }
    out += "  </ProjectViewSettings>\n";
    out += "</qgis>\n";
    return out;
}

}  // namespace lifecircle::maps
