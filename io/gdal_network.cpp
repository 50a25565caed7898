#include "io/gdal_network.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "core/error.hpp"
#include "core/profile.hpp"
#include "core/topology.hpp"
#include "io/crs.hpp"
#include "io/gdal_common.hpp"
#include "io/text_format.hpp"

namespace lifecircle::io {

namespace {

using detail::ascii_lower;
using detail::DatasetPtr;
using detail::format_number;
using detail::format_point;
using detail::GdalMessages;
using detail::is_plain_file_path;
using detail::register_gdal;
using detail::shapefile_encoding;
using detail::trim;

// ---------------------------------------------------------------------------------------------
// Small text helpers

bool iequals(std::string_view a, std::string_view b) { return ascii_lower(a) == ascii_lower(b); }

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
    std::string out;
    for (const std::string& item : items) {
        if (!out.empty()) out += separator;
        out += item;
    }
    return out;
}

/** Whether the bytes are well-formed UTF-8 (shortest forms, no surrogates, <= U+10FFFF). */
bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        std::uint32_t code = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            length = 2;
            code = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            length = 3;
            code = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            length = 4;
            code = c & 0x07u;
        } else {
            return false;
        }
        if (i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code = (code << 6) | (next & 0x3Fu);
        }
        constexpr std::array<std::uint32_t, 5> minimum{0, 0, 0x80, 0x800, 0x10000};
        if (code < minimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
            return false;
        }
        i += length;
    }
    return true;
}

/** Replaces every byte that is not part of well-formed UTF-8 with U+FFFD. */
std::string sanitize_utf8(std::string_view text) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t length = 1;
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c & 0xE0) == 0xC0) length = 2;
        if ((c & 0xF0) == 0xE0) length = 3;
        if ((c & 0xF8) == 0xF0) length = 4;
        if (i + length <= text.size() && is_valid_utf8(text.substr(i, length))) {
            out += text.substr(i, length);
            i += length;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// GDAL plumbing

DatasetPtr open_vector(const std::string& path, GdalMessages& messages,
                       std::vector<std::string>& notes) {
    CPLStringList open_options;
    bool guessed = false;
    if (const auto encoding = detail::dbf_open_encoding(path, guessed)) {
        open_options.SetNameValue("ENCODING", encoding->c_str());
        if (guessed) {
            notes.push_back(
                "the Shapefile has no .cpg file naming its encoding; its attributes "
                "are not ASCII and were read as " +
                *encoding + " (add a .cpg file to say otherwise)");
        }
    }
    GDALDatasetH handle =
        GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, nullptr,
                   open_options.List(), nullptr);
    if (handle != nullptr) return DatasetPtr(GDALDataset::FromHandle(handle));

    const std::string gdal_error = messages.take_last();
    std::error_code ec;
    if (is_plain_file_path(path) && !std::filesystem::exists(path, ec)) {
        throw InputError(
            "cannot open: No such file or directory; check the path (a Shapefile needs its "
            ".shp, .shx and .dbf files side by side)");
    }
    if (GDALDatasetH raster = GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr,
                                         nullptr, nullptr)) {
        GDALClose(raster);
        throw InputError(
            "is a raster dataset, not a vector dataset; a road network must be a layer of "
            "lines (Shapefile, GeoPackage, GeoJSON, ...)");
    }
    messages.clear();
    std::string problem = "cannot open: not a vector dataset GDAL can read";
    if (!gdal_error.empty()) problem += " (GDAL: " + gdal_error + ")";
    problem += "; give a Shapefile, GeoPackage, GeoJSON or another vector format GDAL supports";
    throw InputError(problem);
}

bool is_line_type(OGRwkbGeometryType type) {
    switch (wkbFlatten(type)) {
        case wkbLineString:
        case wkbMultiLineString:
        case wkbCircularString:
        case wkbCompoundCurve:
        case wkbMultiCurve:
        case wkbCurve:
            return true;
        default:
            return false;
    }
}

/** Layers that may hold any geometry type (GeoJSON with mixed types, CSV with WKT, ...). */
bool is_mixed_type(OGRwkbGeometryType type) {
    const OGRwkbGeometryType flat = wkbFlatten(type);
    return flat == wkbUnknown || flat == wkbGeometryCollection;
}

std::string geometry_type_name(OGRwkbGeometryType type) {
    switch (wkbFlatten(type)) {
        case wkbPoint:
            return "Point";
        case wkbMultiPoint:
            return "MultiPoint";
        case wkbLineString:
            return "LineString";
        case wkbMultiLineString:
            return "MultiLineString";
        case wkbPolygon:
            return "Polygon";
        case wkbMultiPolygon:
            return "MultiPolygon";
        case wkbGeometryCollection:
            return "GeometryCollection";
        case wkbCircularString:
            return "CircularString";
        case wkbCompoundCurve:
            return "CompoundCurve";
        case wkbCurvePolygon:
            return "CurvePolygon";
        case wkbMultiCurve:
            return "MultiCurve";
        case wkbMultiSurface:
            return "MultiSurface";
        case wkbTIN:
            return "TIN";
        case wkbPolyhedralSurface:
            return "PolyhedralSurface";
        case wkbNone:
            return "no";
        case wkbUnknown:
            return "mixed";
        default:
            return OGRGeometryTypeToName(type);
    }
}

/** The geometry types present in a layer, stopping at the first line. */
std::set<OGRwkbGeometryType> scan_geometry_types(OGRLayer& layer) {
    std::set<OGRwkbGeometryType> types;
    layer.ResetReading();
    for (OGRFeatureUniquePtr feature(layer.GetNextFeature()); feature;
         feature.reset(layer.GetNextFeature())) {
        const OGRGeometry* geometry = feature->GetGeometryRef();
        if (geometry == nullptr || geometry->IsEmpty()) continue;
        OGRwkbGeometryType type = wkbFlatten(geometry->getGeometryType());
        if (type == wkbGeometryCollection) {
            for (const OGRGeometry* part : *geometry->toGeometryCollection()) {
                if (part != nullptr) types.insert(wkbFlatten(part->getGeometryType()));
            }
        } else {
            types.insert(type);
        }
        if (std::any_of(types.begin(), types.end(), is_line_type)) break;
    }
    layer.ResetReading();
    return types;
}

/**
 * Throws the error that explains why a layer is no road network, if it is none; returns
 * normally when it holds lines.
 */
void require_lines(OGRLayer& layer) {
    const OGRwkbGeometryType declared = layer.GetGeomType();
    if (is_line_type(declared)) return;
    std::set<OGRwkbGeometryType> types;
    if (is_mixed_type(declared)) {
        types = scan_geometry_types(layer);
        if (std::any_of(types.begin(), types.end(), is_line_type)) return;
    } else if (declared != wkbNone) {
        types.insert(wkbFlatten(declared));
    }
    if (types.empty()) {
        if (declared == wkbNone) {
            throw InputError(
                "the layer has no geometries (it is a table); a road network needs LineString "
                "geometries");
        }
        if (layer.GetFeatureCount(TRUE) == 0)
            throw InputError("the layer is empty: it has no features");
        throw InputError("the layer has no geometries; a road network needs LineString geometries");
    }
    std::vector<std::string> names;
    for (const OGRwkbGeometryType type : types) names.push_back(geometry_type_name(type));
    throw InputError("the layer has " + join(names, " and ") +
                     " geometries; a road network needs LineString geometries");
}

std::string describe_layer(OGRLayer& layer) {
    return std::string(layer.GetName()) + " (" + geometry_type_name(layer.GetGeomType()) + ")";
}

/** The layer to read, by name or the first with lines; `name` is set as soon as it is known. */
OGRLayer& select_layer(GDALDataset& dataset, const std::string& wanted, std::string& name) {
    const int count = dataset.GetLayerCount();
    if (count == 0) throw InputError("the dataset has no layers");
    if (!wanted.empty()) {
        OGRLayer* layer = dataset.GetLayerByName(wanted.c_str());
        if (layer == nullptr) {
            std::vector<std::string> names;
            for (int i = 0; i < count; ++i) names.emplace_back(dataset.GetLayer(i)->GetName());
            throw InputError("layer '" + wanted + "' not found; the layers are: " + join(names));
        }
        name = layer->GetName();
        require_lines(*layer);
        return *layer;
    }
    for (int i = 0; i < count; ++i) {
        OGRLayer* layer = dataset.GetLayer(i);
        if (is_line_type(layer->GetGeomType())) {
            name = layer->GetName();
            return *layer;
        }
    }
    for (int i = 0; i < count; ++i) {
        OGRLayer* layer = dataset.GetLayer(i);
        if (!is_mixed_type(layer->GetGeomType())) continue;
        const auto types = scan_geometry_types(*layer);
        if (std::any_of(types.begin(), types.end(), is_line_type)) {
            name = layer->GetName();
            return *layer;
        }
    }
    if (count == 1) {
        // One layer: say exactly what is wrong with it.
        OGRLayer* layer = dataset.GetLayer(0);
        name = layer->GetName();
        require_lines(*layer);
    }
    std::vector<std::string> described;
    for (int i = 0; i < count; ++i) described.push_back(describe_layer(*dataset.GetLayer(i)));
    throw InputError(
        "no layer has LineString geometries (a road network needs lines); the "
        "layers are: " +
        join(described));
}

/** "EPSG:xxxx" when the layer's CRS is an EPSG one, otherwise its WKT2. */
std::string srs_text(const OGRSpatialReference& srs) {
    const char* authority = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (authority != nullptr && code != nullptr && EQUAL(authority, "EPSG")) {
        return std::string("EPSG:") + code;
    }
    char* wkt = nullptr;
    const char* const options[] = {"FORMAT=WKT2_2019", nullptr};
    if (srs.exportToWkt(&wkt, options) != OGRERR_NONE || wkt == nullptr) {
        CPLFree(wkt);
        throw InputError(
            "the layer's coordinate reference system cannot be expressed as WKT; "
            "pass --network-crs EPSG:xxxx");
    }
    std::string text = wkt;
    CPLFree(wkt);
    return text;
}

/** Whether the layer delivers coordinates northing/latitude first (not GIS order). */
bool data_is_northing_first(const OGRSpatialReference& srs) {
    const std::vector<int>& mapping = srs.GetDataAxisToSRSAxisMapping();
    if (mapping.empty()) return false;
    OGRAxisOrientation orientation = OAO_Other;
    srs.GetAxis(srs.IsProjected() ? "PROJCS" : "GEOGCS", std::abs(mapping[0]) - 1, &orientation);
    return orientation == OAO_North || orientation == OAO_South;
}

// ---------------------------------------------------------------------------------------------
// Attributes

/**
 * Road grades of Chinese planning data (GB 50220 urban roads, JTG B01 highway grades) and
 * common bureau wording, mapped to OSM classes. Urban expressways (快速路) are mapped to
 * motorway: pedestrians and cyclists are not allowed on their main carriageways.
 */
std::optional<RoadClass> chinese_road_class(std::string_view value) {
    static const std::unordered_map<std::string_view, RoadClass> table{
        {"高速公路", RoadClass::motorway},
        {"高速", RoadClass::motorway},
        {"快速路", RoadClass::motorway},
        {"城市快速路", RoadClass::motorway},
        {"匝道", RoadClass::motorway_link},
        {"主干路", RoadClass::primary},
        {"主干道", RoadClass::primary},
        {"城市主干路", RoadClass::primary},
        {"次干路", RoadClass::secondary},
        {"次干道", RoadClass::secondary},
        {"城市次干路", RoadClass::secondary},
        {"支路", RoadClass::tertiary},
        {"城市支路", RoadClass::tertiary},
        {"一级公路", RoadClass::primary},
        {"二级公路", RoadClass::secondary},
        {"三级公路", RoadClass::tertiary},
        {"四级公路", RoadClass::unclassified},
        {"等外公路", RoadClass::track},
        {"乡村道路", RoadClass::unclassified},
        {"村道", RoadClass::unclassified},
        {"机耕路", RoadClass::track},
        {"小区路", RoadClass::residential},
        {"街坊路", RoadClass::residential},
        {"居住区道路", RoadClass::residential},
        {"内部道路", RoadClass::service},
        {"内部路", RoadClass::service},
        {"步行街", RoadClass::pedestrian},
        {"人行道", RoadClass::footway},
        {"步行道", RoadClass::footway},
        {"人行步道", RoadClass::footway},
        {"人行天桥", RoadClass::footway},
        {"人行地道", RoadClass::footway},
        {"绿道", RoadClass::path},
        {"自行车道", RoadClass::cycleway},
        {"非机动车道", RoadClass::cycleway},
        {"台阶", RoadClass::steps},
        {"梯道", RoadClass::steps},
    };
    const auto it = table.find(value);
    if (it == table.end()) return std::nullopt;
    return it->second;
}

/** Numeric km/h from a speed value ("50", "50 km/h", "30 mph", "50;30"); nullopt if none. */
std::optional<double> parse_speed_text(std::string_view text) {
    text = trim(text);
    double value = 0.0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc()) return std::nullopt;
    const std::string unit =
        ascii_lower(trim(text.substr(static_cast<std::size_t>(end - text.data()))));
    if (unit == "mph") {
        value *= 1.609344;
    } else if (!unit.empty() && unit != "km/h" && unit != "kmh" && unit != "kph" &&
               unit != "公里/小时" && unit[0] != ';') {
        return std::nullopt;
    }
    return value;
}

/** A field to read and what it was given as (for messages). */
struct FieldChoice {
    int index = -1;
    bool numeric = false;
};

FieldChoice find_field(const OGRFeatureDefn& definition, const std::string& given,
                       std::initializer_list<std::string_view> candidates, const char* role,
                       std::string& used) {
    const int count = definition.GetFieldCount();
    auto make = [&](int index) {
        const OGRFieldDefn* field = definition.GetFieldDefn(index);
        const OGRFieldType type = field->GetType();
        used = field->GetNameRef();
        return FieldChoice{index, type == OFTInteger || type == OFTInteger64 || type == OFTReal};
    };
    if (!given.empty()) {
        for (int i = 0; i < count; ++i) {
            if (given == definition.GetFieldDefn(i)->GetNameRef()) return make(i);
        }
        for (int i = 0; i < count; ++i) {
            if (iequals(given, definition.GetFieldDefn(i)->GetNameRef())) return make(i);
        }
        std::vector<std::string> names;
        for (int i = 0; i < count; ++i)
            names.emplace_back(definition.GetFieldDefn(i)->GetNameRef());
        throw InputError("field '" + given + "' (given as the " + role +
                         " field) not found; the layer's fields are: " +
                         (names.empty() ? std::string("(none)") : join(names)));
    }
    for (const std::string_view candidate : candidates) {
        for (int i = 0; i < count; ++i) {
            if (iequals(candidate, definition.GetFieldDefn(i)->GetNameRef())) return make(i);
        }
    }
    used.clear();
    return {};
}

/** Counts values a reader did not understand, with a few examples for the warning. */
class UnknownValues {
public:
    void add(std::string_view value) {
        ++m_count;
        constexpr std::size_t max_examples = 5;
        if (m_examples.size() < max_examples) m_examples.insert(std::string(value));
    }
    std::size_t count() const { return m_count; }
    std::string examples() const {
        std::vector<std::string> quoted;
        for (const std::string& value : m_examples) quoted.push_back("'" + value + "'");
        return join(quoted);
    }

private:
    std::size_t m_count = 0;
    std::set<std::string> m_examples;
};


/** Reduces a feature's fields to EdgeAttributes and a name, the same way for every format. */
class AttributeReader {
public:
    AttributeReader(const OGRFeatureDefn& definition, const GdalNetworkOptions& options,
                    GdalNetworkFields& used) {
        m_speed = find_field(definition, options.speed_field,
                             {"maxspeed", "speed", "speed_kmh", "maxspeed_kmh", "限速"}, "speed",
                             used.speed);
        m_oneway = find_field(definition, options.oneway_field, {"oneway", "one_way", "单行"},
                              "oneway", used.oneway);
        m_class = find_field(definition, options.class_field,
                             {"highway", "class", "fclass", "road_class", "道路等级"}, "road class",
                             used.road_class);
        m_name = find_field(definition, options.name_field, {"name", "道路名称", "路名", "名称"},
                            "name", used.name);
        m_name_field = used.name;
        if (!options.bridge_tunnel_field.empty()) {
            std::string name;
            m_structure.push_back(
                find_field(definition, options.bridge_tunnel_field, {}, "bridge/tunnel", name));
            used.bridge_tunnel = name;
        } else {
            // Every such field counts: Geofabrik's shapefiles have bridge, tunnel and layer.
            for (const std::string_view candidate :
                 {"bridge", "tunnel", "layer", "brunnel", "is_bridge", "is_tunnel", "桥梁", "隧道", "桥隧"}) {
                std::string name;
                const FieldChoice field = find_field(definition, "", {candidate}, "bridge/tunnel", name);
                if (field.index < 0) continue;
                m_structure.push_back(field);
                used.bridge_tunnel += (used.bridge_tunnel.empty() ? "" : ", ") + name;
            }
        }
    }

    /**
     * Fills everything but the oneway rule, which needs all values (see resolve_oneway);
     * returns the index of the feature's oneway value.
     */
    std::uint32_t read(const OGRFeature& feature, RawNetwork& network, TopologyLine& line) {
        line.attributes.road_class = read_class(feature);
        line.attributes.maxspeed_kmh = read_speed(feature);
        line.attributes.bridge_or_tunnel = read_structure(feature);
        line.name = read_name(feature, network);
        return read_oneway(feature);
    }

    /**
     * Sets the oneway rule of every line. Geofabrik's shapefiles write F (forward), T
     * (backward) and B (both), where T would otherwise read as "true": that convention is
     * recognised by the B values it always has.
     */
    void resolve_oneway(std::vector<TopologyLine>& lines, const std::vector<std::uint32_t>& oneway_values) {
        static const std::set<std::string> geofabrik_values{"", "b", "f", "t", "n", "ft", "tf"};
        const bool geofabrik =
            std::find(m_oneway_values.begin(), m_oneway_values.end(), "b") !=
                m_oneway_values.end() &&
            std::all_of(m_oneway_values.begin(), m_oneway_values.end(),
                        [](const std::string& v) { return geofabrik_values.count(v) != 0; });
        std::vector<Oneway> rule(m_oneway_values.size(), Oneway::no);
        std::vector<bool> known(m_oneway_values.size(), true);
        for (std::size_t i = 0; i < m_oneway_values.size(); ++i) {
            const std::string& v = m_oneway_values[i];
            if (v == "t") {
                rule[i] = geofabrik ? Oneway::reverse : Oneway::forward;
            } else if (v == "f") {
                rule[i] = geofabrik ? Oneway::forward : Oneway::no;
            } else if (v == "1" || v == "yes" || v == "true" || v == "y" || v == "ft" ||
                       v == "forward" || v == "是") {
                rule[i] = Oneway::forward;
            } else if (v == "-1" || v == "reverse" || v == "tf" || v == "backward") {
                rule[i] = Oneway::reverse;
            } else if (v.empty() || v == "0" || v == "no" || v == "false" || v == "n" || v == "b" ||
                       v == "both" || v == "reversible" || v == "alternating" || v == "否") {
                rule[i] = Oneway::no;
            } else {
                known[i] = false;
            }
        }
        for (std::size_t l = 0; l < lines.size(); ++l) {
            const std::uint32_t value = oneway_values[l];
            lines[l].attributes.oneway = rule[value];
            if (!known[value]) m_unknown_oneway.add(m_oneway_values[value]);
        }
    }

    /**
     * Warnings about the expected fields that were not found: without them every line
     * silently becomes a two-way 'road' (a garbled encoding is the usual cause).
     */
    void add_missing_field_warnings(const OGRFeatureDefn& definition,
                                    std::vector<std::string>& warnings) const {
        std::vector<std::string> names;
        for (int i = 0; i < definition.GetFieldCount(); ++i)
            names.emplace_back(definition.GetFieldDefn(i)->GetNameRef());
        const std::string fields =
            "; the layer's fields are: " + (names.empty() ? std::string("(none)") : join(names));
        if (m_class.index < 0) {
            warnings.push_back(
                "no road class field found (looked for highway, class, fclass, road_class, "
                "道路等级), so every line is a 'road' open to all modes" +
                fields + ". Name the field with --class-field");
        }
        std::vector<std::string> missing;
        if (m_oneway.index < 0) missing.emplace_back("one-way (oneway, one_way, 单行)");
        if (m_speed.index < 0)
            missing.emplace_back("speed (maxspeed, speed, speed_kmh, maxspeed_kmh, 限速)");
        if (!missing.empty()) {
            warnings.push_back(
                "no " + join(missing, " or ") + " field found, so " +
                (m_oneway.index < 0 ? std::string("every line is two-way") : std::string()) +
                (m_oneway.index < 0 && m_speed.index < 0 ? " and " : "") +
                (m_speed.index < 0 ? std::string("class default speeds are used") : std::string()) +
                fields + ". Name them with --oneway-field / --speed-field");
        }
    }

    /** Warnings about values that were not understood. */
    void add_warnings(std::vector<std::string>& warnings) const {
        if (m_unknown_class.count() > 0) {
            warnings.push_back(std::to_string(m_unknown_class.count()) +
                               " features have a road class that is not recognised (" +
                               m_unknown_class.examples() +
                               "); no travel mode uses them. Use OpenStreetMap highway values");
        }
        if (m_unknown_oneway.count() > 0) {
            warnings.push_back(std::to_string(m_unknown_oneway.count()) +
                               " lines have a oneway value that is not recognised (" +
                               m_unknown_oneway.examples() + "); they are treated as two-way");
        }
        if (m_unknown_speed.count() > 0) {
            warnings.push_back(std::to_string(m_unknown_speed.count()) +
                               " features have a speed that is not a number of km/h (" +
                               m_unknown_speed.examples() + "); the class default speed is used");
        }
        if (m_unknown_structure.count() > 0) {
            warnings.push_back(std::to_string(m_unknown_structure.count()) +
                               " features have a bridge/tunnel value that is not recognised (" +
                               m_unknown_structure.examples() +
                               "); they are taken to be on the ground (use 1/0, yes/no, bridge, tunnel)");
        }
        if (m_bad_names > 0) {
            warnings.push_back(std::to_string(m_bad_names) + " values of the name field '" +
                               m_name_field +
                               "' are not valid UTF-8; undecodable bytes were replaced by U+FFFD. "
                               "For a Shapefile, add a .cpg file naming its encoding (e.g. GBK)");
        }
    }

private:
    static bool has_value(const OGRFeature& feature, const FieldChoice& field) {
        return field.index >= 0 && feature.IsFieldSetAndNotNull(field.index) != 0;
    }

    RoadClass read_class(const OGRFeature& feature) {
        // A road of unknown class: OSM's highway=road, which every mode may use. Class data
        // is often missing in bureau layers; RoadClass::other would drop those roads.
        if (!has_value(feature, m_class)) return RoadClass::road;
        const std::string_view raw = trim(feature.GetFieldAsString(m_class.index));
        if (raw.empty()) return RoadClass::road;
        const std::string value = ascii_lower(raw);
        const RoadClass parsed = parse_road_class(value);
        if (parsed != RoadClass::other || value == "other") return parsed;
        if (value == "unknown") return RoadClass::road;                   // Geofabrik fclass
        if (value.rfind("track_grade", 0) == 0) return RoadClass::track;  // Geofabrik fclass
        if (const auto chinese = chinese_road_class(raw)) return *chinese;
        m_unknown_class.add(raw);
        return RoadClass::other;
    }

    double read_speed(const OGRFeature& feature) {
        if (!has_value(feature, m_speed)) return 0.0;
        double kmh = 0.0;
        if (m_speed.numeric) {
            kmh = feature.GetFieldAsDouble(m_speed.index);
        } else {
            const std::string_view raw = trim(feature.GetFieldAsString(m_speed.index));
            if (raw.empty()) return 0.0;
            const auto parsed = parse_speed_text(raw);
            if (!parsed) {
                // OSM's "none", "walk", "signals" and the like: no number to use.
                m_unknown_speed.add(raw);
                return 0.0;
            }
            kmh = *parsed;
        }
        return std::isfinite(kmh) && kmh > 0.0 ? kmh : 0.0;
    }

    /** Whether any bridge/tunnel field says the line is off the ground. */
    bool read_structure(const OGRFeature& feature) {
        static const std::set<std::string> yes{"1", "yes", "y", "true", "t", "bridge", "tunnel", "viaduct",
                                               "culvert", "boardwalk", "aqueduct", "covered", "building_passage",
                                               "桥", "桥梁", "隧道", "高架", "天桥", "地道", "是"};
        static const std::set<std::string> no{"", "0", "no", "n", "false", "f", "none", "否", "无", "地面"};
        bool structure = false;
        for (const FieldChoice& field : m_structure) {
            if (!has_value(feature, field)) continue;
            if (field.numeric) {
                structure = structure || feature.GetFieldAsDouble(field.index) != 0.0;
                continue;
            }
            const std::string_view raw = trim(feature.GetFieldAsString(field.index));
            const std::string value = ascii_lower(raw);
            if (yes.count(value) != 0) {
                structure = true;
            } else if (no.count(value) == 0) {
                // An OSM-style layer as text ("-1", "2") is a number; anything else is unknown.
                long number = 0;
                const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
                if (error == std::errc() && end == value.data() + value.size()) {
                    structure = structure || number != 0;
                } else {
                    m_unknown_structure.add(raw);
                }
            }
        }
        return structure;
    }

    std::uint32_t read_oneway(const OGRFeature& feature) {
        std::string value;
        if (has_value(feature, m_oneway)) {
            if (m_oneway.numeric) {
                const double number = feature.GetFieldAsDouble(m_oneway.index);
                value = number > 0.5 ? "1" : number < -0.5 ? "-1" : "0";
            } else {
                value = ascii_lower(trim(feature.GetFieldAsString(m_oneway.index)));
            }
        }
        const auto [it, inserted] =
            m_oneway_ids.try_emplace(value, static_cast<std::uint32_t>(m_oneway_values.size()));
        if (inserted) m_oneway_values.push_back(value);
        return it->second;
    }

    std::uint32_t read_name(const OGRFeature& feature, RawNetwork& network) {
        if (!has_value(feature, m_name)) return 0;
        std::string name(trim(feature.GetFieldAsString(m_name.index)));
        if (name.empty()) return 0;
        if (!is_valid_utf8(name)) {
            ++m_bad_names;
            name = sanitize_utf8(name);
        }
        const auto [it, inserted] =
            m_name_ids.try_emplace(name, static_cast<std::uint32_t>(network.names.size()));
        if (inserted) network.names.push_back(name);
        return it->second;
    }

    FieldChoice m_speed;
    FieldChoice m_oneway;
    FieldChoice m_class;
    FieldChoice m_name;
    std::string m_name_field;
    std::unordered_map<std::string, std::uint32_t> m_name_ids;
    std::unordered_map<std::string, std::uint32_t> m_oneway_ids;
    std::vector<std::string> m_oneway_values;
    UnknownValues m_unknown_class;
    UnknownValues m_unknown_oneway;
    UnknownValues m_unknown_speed;
    UnknownValues m_unknown_structure;
    std::vector<FieldChoice> m_structure;  ///< bridge/tunnel fields
    std::size_t m_bad_names = 0;
};

// ---------------------------------------------------------------------------------------------
// Geometry

/** Appends the lines of a geometry (each part separately); curves are linearised. */
void collect_lines(const OGRGeometry& geometry, std::vector<std::vector<Point>>& parts,
                   std::set<OGRwkbGeometryType>& other_types) {
    const OGRwkbGeometryType type = wkbFlatten(geometry.getGeometryType());
    if (OGR_GT_IsNonLinear(type) != 0) {
        const std::unique_ptr<OGRGeometry> linear(geometry.getLinearGeometry());
        if (linear) collect_lines(*linear, parts, other_types);
        return;
    }
    switch (type) {
        case wkbLineString: {
            const OGRLineString* line = geometry.toLineString();
            std::vector<Point> points;
            points.reserve(static_cast<std::size_t>(line->getNumPoints()));
            for (int i = 0; i < line->getNumPoints(); ++i) {
                points.push_back({line->getX(i), line->getY(i)});
            }
            parts.push_back(std::move(points));
            break;
        }
        case wkbMultiLineString:
        case wkbGeometryCollection:
            for (const OGRGeometry* part : *geometry.toGeometryCollection()) {
                if (part != nullptr && !part->IsEmpty()) collect_lines(*part, parts, other_types);
            }
            break;
        default:
            other_types.insert(type);
            break;
    }
}

/** Rejects coordinates that are not numbers or not a longitude/latitude when they must be. */
void check_coordinates(const std::vector<Point>& points, bool geographic) {
    for (const Point& p : points) {
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
            throw InputError("coordinate " + format_point(p) +
                             " is not a finite number; fix or delete this feature");
        }
        if (geographic && std::abs(p.y) > 90.0) {
            if (std::abs(p.x) <= 90.0 && std::abs(p.y) <= 180.0) {
                throw InputError(
                    "latitude out of range: are longitude and latitude swapped? "
                    "Coordinate " +
                    format_point(p) +
                    " has y > 90 but the layer's CRS is geographic, so x must be "
                    "the longitude and y the latitude");
            }
            throw InputError("latitude out of range: coordinate " + format_point(p) +
                             " looks projected (metres) but the layer's CRS is geographic; pass "
                             "--network-crs EPSG:xxxx with the layer's real CRS");
        }
    }
}

// ---------------------------------------------------------------------------------------------

GdalNetworkResult read_layer(const std::string& path, const GdalNetworkOptions& options,
                             std::string& layer_name) {
    register_gdal();
    GdalMessages messages;
    std::vector<std::string> open_notes;
    const DatasetPtr dataset = open_vector(path, messages, open_notes);
    OGRLayer& layer = select_layer(*dataset, options.layer, layer_name);

    GdalNetworkResult result;
    result.layer_name = layer_name;
    result.warnings = std::move(open_notes);
    AttributeReader attributes(*layer.GetLayerDefn(), options, result.fields);
    attributes.add_missing_field_warnings(*layer.GetLayerDefn(), result.warnings);

    // The CRS the coordinates are in, and whether they come latitude first.
    const OGRSpatialReference* srs = layer.GetSpatialRef();
    bool swap_xy = false;
    if (!options.input_crs.empty()) {
        result.source_crs = options.input_crs;
        if (srs != nullptr) {
            result.warnings.push_back(std::string("the layer's coordinate reference system (") +
                                      srs->GetName() + ") was overridden by " + options.input_crs);
        }
    } else if (srs == nullptr) {
        throw InputError(
            "the layer has no coordinate reference system; pass --network-crs EPSG:xxxx (for "
            "example EPSG:4527 for CGCS2000 / 3-degree Gauss-Kruger zone 39)");
    } else {
        result.source_crs = srs_text(*srs);
        swap_xy = data_is_northing_first(*srs);
    }
    const bool geographic = is_geographic(result.source_crs);

    std::vector<TopologyLine> lines;
    std::vector<std::uint32_t> oneway_values;  // per line: index into the reader's oneway values
    std::size_t feature_count = 0;
    std::size_t without_geometry = 0;
    std::size_t not_lines = 0;
    std::size_t degenerate = 0;
    std::set<OGRwkbGeometryType> other_types;
    std::vector<std::vector<Point>> parts;
    layer.ResetReading();
    for (OGRFeatureUniquePtr feature(layer.GetNextFeature()); feature;
         feature.reset(layer.GetNextFeature())) {
        std::int64_t fid = feature->GetFID();
        if (fid == OGRNullFID) fid = static_cast<std::int64_t>(feature_count);
        ++feature_count;
        const OGRGeometry* geometry = feature->GetGeometryRef();
        if (geometry == nullptr || geometry->IsEmpty()) {
            ++without_geometry;
            continue;
        }
        parts.clear();
        collect_lines(*geometry, parts, other_types);
        if (parts.empty()) {
            ++not_lines;
            continue;
        }
        try {
            for (std::vector<Point>& part : parts) {
                if (swap_xy) {
                    for (Point& p : part) std::swap(p.x, p.y);
                }
                check_coordinates(part, geographic);
            }
        } catch (Error& e) {
            e.set_feature(std::to_string(fid));
            throw;
        }
        TopologyLine first;
        first.source = static_cast<std::uint32_t>(result.feature_ids.size());
        const std::uint32_t oneway_value = attributes.read(*feature, result.network, first);
        bool used = false;
        for (std::vector<Point>& part : parts) {
            if (part.size() < 2) {
                ++degenerate;
                continue;
            }
            TopologyLine line = first;
            line.points = std::move(part);
            lines.push_back(std::move(line));
            oneway_values.push_back(oneway_value);
            used = true;
        }
        if (used) result.feature_ids.push_back(fid);
    }
    if (feature_count == 0) throw InputError("the layer is empty: it has no features");
    if (lines.empty()) {
        std::string problem =
            "the layer has no usable LineString geometries (" + std::to_string(feature_count) +
            " features: " + std::to_string(without_geometry) + " without geometry";
        if (not_lines > 0) {
            std::vector<std::string> names;
            for (const OGRwkbGeometryType type : other_types)
                names.push_back(geometry_type_name(type));
            problem +=
                ", " + std::to_string(not_lines) + " with " + join(names, " or ") + " geometries";
        }
        throw InputError(problem + ")");
    }
    attributes.resolve_oneway(lines, oneway_values);

    // The work CRS: given, or the UTM zone of the data's centre.
    Box bounds;
    for (const TopologyLine& line : lines) {
        for (const Point& p : line.points) bounds.extend(p);
    }
    if (!options.work_crs.empty()) {
        result.work_crs = options.work_crs;
    } else {
        Point centre{0.5 * (bounds.min.x + bounds.max.x), 0.5 * (bounds.min.y + bounds.max.y)};
        if (!geographic) {
            try {
                centre = Transformer(result.source_crs, "EPSG:4326").forward(centre);
            } catch (Error& e) {
                throw InputError(
                    "cannot find the longitude/latitude of the layer's centre to "
                    "choose a UTM zone (" +
                    e.problem() + "); pass --work-crs or check the layer's CRS");
            }
        }
        result.work_crs = utm_crs_for(centre.x, centre.y);
    }

    const Transformer to_work(result.source_crs, result.work_crs);
    for (TopologyLine& line : lines) {
        try {
            to_work.forward(line.points);
        } catch (Error& e) {
            e.set_feature(std::to_string(result.feature_ids[line.source]));
            throw;
        }
        remove_repeated_points(line.points);
    }
    const auto too_short = std::remove_if(lines.begin(), lines.end(),
                                          [](const TopologyLine& l) { return l.points.size() < 2; });
    degenerate += static_cast<std::size_t>(std::distance(too_short, lines.end()));
    lines.erase(too_short, lines.end());

    // Junctions and splits are core's business (core/topology.hpp): io only reads features.
    const TopologyStats stats = build_topology(
        lines, {.snap_tolerance_m = options.snap_tolerance_m, .split_at_junctions = options.split_at_junctions},
        result.network);
    result.junction_splits = stats.junction_splits;
    if (result.network.edges.empty()) {
        throw InputError("the layer has no line longer than the snap tolerance (" +
                         format_number(options.snap_tolerance_m) + " m)");
    }

    std::vector<std::string>& warnings = result.warnings;
    if (without_geometry > 0) {
        warnings.push_back(std::to_string(without_geometry) +
                           " features without geometry were skipped");
    }
    if (not_lines > 0) {
        std::vector<std::string> names;
        for (const OGRwkbGeometryType type : other_types) names.push_back(geometry_type_name(type));
        warnings.push_back(std::to_string(not_lines) + " features with " + join(names, " or ") +
                           " geometries were skipped");
    }
    if (degenerate + stats.dropped_pieces > 0) {
        warnings.push_back(std::to_string(degenerate + stats.dropped_pieces) +
                           " lines or pieces of line shorter than the snap tolerance (" +
                           format_number(options.snap_tolerance_m) + " m) were dropped");
    }
    attributes.add_warnings(warnings);
    warnings.insert(warnings.end(), messages.warnings().begin(), messages.warnings().end());
    return result;
}

void check_options(const GdalNetworkOptions& options) {
    if (!std::isfinite(options.snap_tolerance_m) || options.snap_tolerance_m < 0.0) {
        throw UsageError("the snap tolerance must be a number of metres >= 0, not " +
                         format_number(options.snap_tolerance_m));
    }
    if (!options.input_crs.empty()) {
        try {
            is_geographic(options.input_crs);
        } catch (const InputError& e) {
            throw UsageError("input CRS: " + e.problem());
        }
    }
    if (!options.work_crs.empty()) {
        bool metric = false;
        try {
            metric = is_projected_metric(options.work_crs);
        } catch (const InputError& e) {
            throw UsageError("work CRS: " + e.problem());
        }
        if (!metric) {
            throw UsageError("the work CRS '" + options.work_crs +
                             "' is not a projected CRS in metres; give one such as EPSG:32650, "
                             "or leave it out to use the UTM zone of the data");
        }
    }
}

}  // namespace

GdalNetworkResult read_gdal_network(const std::string& path, const GdalNetworkOptions& options) {
    check_options(options);
    std::string layer_name;
    try {
        return read_layer(path, options, layer_name);
    } catch (Error& e) {
        if (!layer_name.empty()) e.set_layer(layer_name);
        e.set_file(path);
        throw;
    }
}

}  // namespace lifecircle::io
