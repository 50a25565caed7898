#include "io/points.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <numbers>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <variant>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <gdal_priv.h>
#include <ogr_api.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "core/error.hpp"
#include "io/chinese_coords.hpp"
#include "io/gdal_common.hpp"
#include "io/osm_network.hpp"
#include "io/text_format.hpp"

namespace lifecircle::io {

namespace {

using detail::format_number;
using detail::format_point;
using detail::GdalMessages;
using detail::is_plain_file_path;
using detail::register_gdal;
using detail::TransformPtr;

/** Accepted coordinate column names of CSV files (GDAL matches them case-insensitively). */
constexpr const char* csv_x_names = "lon,lng,long,longitude,x,经度";
constexpr const char* csv_y_names = "lat,latitude,y,纬度";
constexpr const char* csv_wkt_names = "WKT,geometry,geom";
/** Largest distance between boundary vertices returned with PointReadOptions::entrances. */
constexpr double densify_step_m = 20.0;
/** Significant digits of the coordinates quoted in messages. */
constexpr int message_digits = 10;

/** An in-memory GDAL file (/vsimem/...) removed when this goes out of scope. */
class MemFile {
public:
    MemFile() = default;
    ~MemFile() {
        if (!m_name.empty()) VSIUnlink(m_name.c_str());
    }
    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;

    /** Creates the file holding a copy of `bytes`; returns its name. */
    const std::string& create(const std::string& stem, const std::string& bytes) {
        static std::atomic<unsigned> counter{0};
        m_name = "/vsimem/lifecircle_points_" + std::to_string(counter++) + "/" + stem;
        VSILFILE* f = VSIFOpenL(m_name.c_str(), "wb");
        if (f == nullptr) throw InputError("cannot create the in-memory copy " + m_name);
        const bool ok = VSIFWriteL(bytes.data(), 1, bytes.size(), f) == bytes.size();
        VSIFCloseL(f);
        if (!ok) throw InputError("cannot write the in-memory copy " + m_name);
        return m_name;
    }

private:
    std::string m_name;
};

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string trim(std::string_view s) {
    const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

std::string field_list(const OGRFeatureDefn& defn) {
    std::vector<std::string> names;
    for (int i = 0; i < defn.GetFieldCount(); ++i)
        names.emplace_back(defn.GetFieldDefn(i)->GetNameRef());
    return names.empty() ? "(none)" : join(names);
}

bool is_csv_path(const std::string& path) {
    const std::string ext = lower(std::filesystem::path(path).extension().string());
    return ext == ".csv" || ext == ".tsv";
}

/** The bytes of a CSV file if it is not valid UTF-8 (then GBK is assumed), else empty. */
std::string csv_recoded_from_gbk(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (bytes.empty() || bytes.find('\0') != std::string::npos) return {};
    if (CPLIsUTF8(bytes.c_str(), static_cast<int>(std::min<std::size_t>(bytes.size(), 0x7fffffff))))
        return {};
    char* recoded = CPLRecode(bytes.c_str(), "CP936", CPL_ENC_UTF8);
    std::string out = recoded != nullptr ? recoded : "";
    CPLFree(recoded);
    return out;
}

/** How coordinates are read: through OGR from a CRS, or as GCJ-02/BD-09 longitude/latitude. */
enum class Shift { none, gcj02, bd09 };

struct SourceCrs {
    OGRSpatialReference srs;  ///< meaningful when shift == none
    Shift shift = Shift::none;
    bool geographic = true;
    bool assumed = false;  ///< the layer has no CRS and none was given: WGS 84 was assumed
    std::string name;
    std::string override_note;  ///< set when the given CRS replaces one the layer declares
};

/** The option that names this input's layer, e.g. "--from-layer". */
std::string layer_option(const PointReadOptions& options) {
    return options.option_prefix.empty() ? "--layer" : options.option_prefix + "-layer";
}

/** The option that names this input's CRS, e.g. "--from-crs". */
std::string crs_option(const PointReadOptions& options) {
    return options.option_prefix.empty() ? "--input-crs" : options.option_prefix + "-crs";
}

std::string crs_name(const OGRSpatialReference& srs) {
    const char* auth = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (auth != nullptr && code != nullptr) return std::string(auth) + ":" + code;
    char* wkt = nullptr;
    srs.exportToWkt(&wkt);
    std::string out = wkt != nullptr ? wkt : "";
    CPLFree(wkt);
    return out;
}

SourceCrs source_crs(OGRLayer& layer, const PointReadOptions& options) {
    const std::string& input_crs = options.input_crs;
    SourceCrs crs;
    const std::string key = lower(trim(input_crs));
    const OGRSpatialReference* layer_srs = layer.GetSpatialRef();
    // A CRS the file declares is never replaced silently: a WGS 84 layer read as GCJ-02 moves
    // every point by about 500 m.
    const auto note_override = [&] {
        if (layer_srs == nullptr) return;
        OGRSpatialReference declared = *layer_srs;
        declared.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        if (crs.shift == Shift::none && declared.IsSame(&crs.srs) != 0) return;
        crs.override_note = "the layer declares its CRS as " + crs_name(declared) + " but " +
                            crs_option(options) + " " + input_crs +
                            " overrides it: the coordinates are read as " + crs.name + "; leave " +
                            crs_option(options) + " out if the declared CRS is right";
    };
    if (key == "gcj02" || key == "gcj-02" || key == "gcj") {
        crs.shift = Shift::gcj02;
        crs.name = "gcj02";
        note_override();
        return crs;
    }
    if (key == "bd09" || key == "bd-09" || key == "baidu") {
        crs.shift = Shift::bd09;
        crs.name = "bd09";
        note_override();
        return crs;
    }
    if (key == "wgs84" || key == "wgs 84" || key == "wgs-84") {
        crs.srs.SetWellKnownGeogCS("WGS84");
    } else if (!key.empty()) {
        if (crs.srs.SetFromUserInput(input_crs.c_str()) != OGRERR_NONE) {
            throw InputError("the input CRS '" + input_crs +
                             "' is not understood: give EPSG:xxxx, wgs84, gcj02 or bd09");
        }
    } else if (layer_srs != nullptr) {
        crs.srs = *layer_srs;
    } else {
        crs.srs.SetWellKnownGeogCS("WGS84");
        crs.assumed = true;
    }
    crs.srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    crs.geographic = crs.srs.IsGeographic() != 0;
    crs.name = crs.assumed ? "EPSG:4326" : crs_name(crs.srs);
    if (!key.empty()) note_override();
    return crs;
}

/** Feature-level problem; the caller adds the feature, layer and file. */
[[noreturn]] void fail(const std::string& problem) { throw InputError(problem); }

/** Checks raw coordinates of a geographic (or assumed geographic) source. */
void check_lonlat_range(double x, double y, const SourceCrs& crs) {
    if (std::abs(x) <= 180.0 && std::abs(y) <= 90.0) return;
    if (std::abs(y) > 90.0 && std::abs(y) <= 180.0 && std::abs(x) <= 90.0)
        fail("latitude " + format_number(y, message_digits) +
             " is out of range: are longitude and latitude swapped?");
    if (crs.assumed) {
        fail("coordinates " + format_point({x, y}, message_digits) +
             " are not longitude/latitude and the layer has no CRS: give the input CRS, "
             "e.g. EPSG:4527, or add a .prj file");
    }
    if (std::abs(y) > 90.0) {
        fail("latitude " + format_number(y, message_digits) +
             " is out of range: are these projected coordinates? give the input CRS, e.g. "
             "EPSG:4527");
    }
    fail("longitude " + format_number(x, message_digits) +
         " is out of range: check the coordinates and the CRS");
}

/** Converts raw coordinates from the source to WGS 84 longitude/latitude in place. */
class ToWgs84 {
public:
    explicit ToWgs84(const SourceCrs& crs) : m_crs(crs) {
        if (crs.shift != Shift::none || crs.assumed) return;
        OGRSpatialReference wgs84;
        wgs84.SetWellKnownGeogCS("WGS84");
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        if (crs.srs.IsSame(&wgs84) != 0) return;
        m_transform.reset(OGRCreateCoordinateTransformation(&crs.srs, &wgs84));
        if (!m_transform) {
            throw InputError("no transformation from " + crs.name +
                             " to WGS 84: check the layer's CRS or give the input CRS");
        }
    }

    /** Transforms one point; throws InputError (without feature) if it cannot. */
    void apply(double& x, double& y) const {
        if (m_crs.geographic) check_lonlat_range(x, y, m_crs);
        if (m_transform) {
            const double x0 = x;
            const double y0 = y;
            if (!m_transform->Transform(1, &x, &y) || !std::isfinite(x) || !std::isfinite(y)) {
                fail("coordinates " + format_point({x0, y0}, message_digits) +
                     " cannot be transformed from " + m_crs.name + " to WGS 84: check the CRS");
            }
            check_lonlat_range(x, y, m_crs);
        }
        if (m_crs.shift == Shift::gcj02) {
            const LonLat p = gcj02_to_wgs84({x, y});
            x = p.lon;
            y = p.lat;
        } else if (m_crs.shift == Shift::bd09) {
            const LonLat p = bd09_to_wgs84({x, y});
            x = p.lon;
            y = p.lat;
        }
    }

private:
    const SourceCrs& m_crs;
    TransformPtr m_transform;
};

/** Haversine distance in metres on the WGS 84 mean sphere. */
double distance_m(double lon1, double lat1, double lon2, double lat2) {
    constexpr double r = 6371008.8;
    constexpr double rad = std::numbers::pi / 180.0;
    const double dlat = (lat2 - lat1) * rad;
    const double dlon = (lon2 - lon1) * rad;
    const double h =
        std::sin(dlat / 2) * std::sin(dlat / 2) +
        std::cos(lat1 * rad) * std::cos(lat2 * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * r * std::asin(std::min(1.0, std::sqrt(h)));
}

/** Appends the ring's vertices in WGS 84, with extra vertices so no step exceeds 20 m. */
void append_ring(const OGRLinearRing& ring, const ToWgs84& to_wgs84,
                 std::vector<std::pair<double, double>>& out) {
    std::vector<std::pair<double, double>> vertices;
    vertices.reserve(static_cast<std::size_t>(ring.getNumPoints()));
    for (int i = 0; i < ring.getNumPoints(); ++i) {
        double x = ring.getX(i);
        double y = ring.getY(i);
        to_wgs84.apply(x, y);
        vertices.emplace_back(x, y);
    }
    for (std::size_t i = 0; i < vertices.size(); ++i) {
        if (i > 0) {
            const auto [lon0, lat0] = vertices[i - 1];
            const auto [lon1, lat1] = vertices[i];
            const double steps = std::ceil(distance_m(lon0, lat0, lon1, lat1) / densify_step_m);
            for (int k = 1; k < static_cast<int>(steps); ++k) {
                const double t = k / steps;
                out.emplace_back(lon0 + t * (lon1 - lon0), lat0 + t * (lat1 - lat0));
            }
        }
        out.push_back(vertices[i]);
    }
}

/** Parses an optional numeric field; NaN when empty. Throws InputError for text. */
double numeric_field(const OGRFeature& feature, int index, const char* what) {
    if (index < 0 || !feature.IsFieldSetAndNotNull(index))
        return std::numeric_limits<double>::quiet_NaN();
    const OGRFieldDefn* defn = feature.GetFieldDefnRef(index);
    const OGRFieldType type = defn->GetType();
    if (type == OFTInteger || type == OFTInteger64 || type == OFTReal)
        return feature.GetFieldAsDouble(index);
    const std::string text = trim(feature.GetFieldAsString(index));
    if (text.empty()) return std::numeric_limits<double>::quiet_NaN();
    // from_chars: the same in every locale (strtod would read "1,5" in a German one).
    const std::string_view digits =
        text.front() == '+' ? std::string_view(text).substr(1) : std::string_view(text);
    double value = 0.0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value)) {
        fail(std::string(what) + " value '" + text + "' in field '" + defn->GetNameRef() +
             "' is not a number: fix the value or leave it empty");
    }
    return value;
}

/** Index of a field the user named; throws InputError listing the fields when absent. */
int required_field(const OGRFeatureDefn& defn, const std::string& name, const char* what) {
    if (name.empty()) return -1;
    const int index = defn.GetFieldIndex(name.c_str());
    if (index < 0) {
        throw InputError("there is no field '" + name + "' for the " + what +
                         "; the layer has the fields " + field_list(defn) + ": choose one of them");
    }
    return index;
}

bool is_line(OGRwkbGeometryType type) {
    const auto flat = wkbFlatten(type);
    return flat == wkbLineString || flat == wkbMultiLineString || flat == wkbCircularString ||
           flat == wkbCompoundCurve || flat == wkbMultiCurve;
}

std::string line_problem(OGRwkbGeometryType type) {
    return std::string("the layer holds lines (") + OGRGeometryTypeToName(type) +
           "): a facility or demand layer must hold points or polygons; give a point or "
           "polygon layer, or convert the lines to points first";
}

struct Fields {
    int id = -1;
    int name = -1;
    int type = -1;
    int capacity = -1;
    int cutoff = -1;
    int delay = -1;
    int cost = -1;
};

Fields resolve_fields(const OGRFeatureDefn& defn, const PointReadOptions& options) {
    Fields f;
    if (options.id_field == "id" && defn.GetFieldIndex("id") < 0) {
        f.id = -1;  // the FID stands in, as documented
    } else {
        f.id = required_field(defn, options.id_field, "id");
    }
    if (!options.name_field.empty()) {
        f.name = required_field(defn, options.name_field, "name");
    } else {
        f.name = defn.GetFieldIndex("name");
        if (f.name < 0) f.name = defn.GetFieldIndex("名称");
    }
    f.type = required_field(defn, options.type_field, "type");
    f.capacity = required_field(defn, options.capacity_field, "capacity");
    f.cutoff = required_field(defn, options.cutoff_field, "cutoff");
    f.delay = required_field(defn, options.delay_field, "delay");
    f.cost = required_field(defn, options.cost_field, "cost");
    return f;
}

struct Reader {
    const PointReadOptions& options;
    const ToWgs84& to_wgs84;
    const Fields& fields;
    std::unordered_map<std::string, std::int64_t> seen_ids;
    std::int64_t multipoints = 0;
    std::string first_multipoint;

    /** Reads one feature; throws InputError without context (the caller adds it). */
    void read(OGRFeature& feature, PointRecord& record) {
        const OGRGeometry* geometry = feature.GetGeometryRef();
        if (geometry == nullptr || geometry->IsEmpty()) {
            fail(
                "the feature has no coordinates (empty or NaN longitude/latitude): fill them in "
                "or remove the feature");
        }
        const OGRwkbGeometryType type = wkbFlatten(geometry->getGeometryType());
        if (is_line(type)) fail(line_problem(geometry->getGeometryType()));

        double x = std::numeric_limits<double>::quiet_NaN();
        double y = x;
        if (type == wkbPoint) {
            const auto* p = geometry->toPoint();
            x = p->getX();
            y = p->getY();
        } else if (type == wkbMultiPoint) {
            const auto* p = geometry->toMultiPoint()->getGeometryRef(0);
            x = p->getX();
            y = p->getY();
            if (multipoints++ == 0) first_multipoint = record.id;
        } else if (type == wkbPolygon || type == wkbMultiPolygon || type == wkbCurvePolygon ||
                   type == wkbMultiSurface) {
            std::unique_ptr<OGRGeometry> linear(geometry->getLinearGeometry());
            std::unique_ptr<OGRGeometry> inside(linear
                                                    ? OGRGeometry::FromHandle(OGR_G_PointOnSurface(
                                                          OGRGeometry::ToHandle(linear.get())))
                                                    : nullptr);
            if (!inside || inside->IsEmpty() || wkbFlatten(inside->getGeometryType()) != wkbPoint) {
                fail("no point inside the polygon could be found: check that the polygon is valid");
            }
            x = inside->toPoint()->getX();
            y = inside->toPoint()->getY();
            if (options.entrances) add_boundary(*linear, record);
            if (options.polygons) add_polygons(*linear, record);
        } else {
            fail(std::string("geometry type ") +
                 OGRGeometryTypeToName(geometry->getGeometryType()) +
                 " is not supported: give points or polygons");
        }
        if (!std::isfinite(x) || !std::isfinite(y)) {
            fail(
                "the feature has no coordinates (empty or NaN longitude/latitude): fill them in "
                "or remove the feature");
        }
        to_wgs84.apply(x, y);
        record.lon = x;
        record.lat = y;

        if (fields.name >= 0) record.name = feature.GetFieldAsString(fields.name);
        if (fields.type >= 0) record.type = feature.GetFieldAsString(fields.type);
        record.capacity = numeric_field(feature, fields.capacity, "capacity");
        record.cutoff_minutes = numeric_field(feature, fields.cutoff, "cutoff");
        record.delay_minutes = numeric_field(feature, fields.delay, "delay");
        record.cost = numeric_field(feature, fields.cost, "cost");
        // A negative delay would make a facility reach farther than its cutoff; a cutoff of
        // zero or less would silently drop the facility.
        if (record.delay_minutes < 0.0) {
            fail("delay value " + format_number(record.delay_minutes) + " in field '" +
                 feature.GetFieldDefnRef(fields.delay)->GetNameRef() +
                 "' is negative: give the minutes spent before leaving (0 or more)");
        }
        if (record.cutoff_minutes <= 0.0) {
            fail("cutoff value " + format_number(record.cutoff_minutes) + " in field '" +
                 feature.GetFieldDefnRef(fields.cutoff)->GetNameRef() +
                 "' is not a positive number of minutes: give the facility's largest break, "
                 "or leave the value empty to use the largest --minutes break");
        }
    }

    void add_boundary(const OGRGeometry& linear, PointRecord& record) const {
        const auto add_polygon = [&](const OGRPolygon& polygon) {
            if (const OGRLinearRing* ring = polygon.getExteriorRing())
                append_ring(*ring, to_wgs84, record.boundary_lonlat);
        };
        if (wkbFlatten(linear.getGeometryType()) == wkbPolygon) {
            add_polygon(*linear.toPolygon());
        } else if (wkbFlatten(linear.getGeometryType()) == wkbMultiPolygon) {
            for (const OGRPolygon* part : *linear.toMultiPolygon()) add_polygon(*part);
        }
    }

    void add_polygons(const OGRGeometry& linear, PointRecord& record) const {
        const auto add_polygon = [&](const OGRPolygon& polygon) {
            auto& part = record.polygon_lonlat.emplace_back();
            for (const OGRLinearRing* ring : polygon) {
                auto& out = part.emplace_back();
                out.reserve(static_cast<std::size_t>(ring->getNumPoints()));
                for (int i = 0; i < ring->getNumPoints(); ++i) {
                    double x = ring->getX(i);
                    double y = ring->getY(i);
                    to_wgs84.apply(x, y);
                    out.emplace_back(x, y);
                }
            }
        };
        if (wkbFlatten(linear.getGeometryType()) == wkbPolygon) {
            add_polygon(*linear.toPolygon());
        } else if (wkbFlatten(linear.getGeometryType()) == wkbMultiPolygon) {
            for (const OGRPolygon* part : *linear.toMultiPolygon()) add_polygon(*part);
        }
    }

    /** The feature's values of every attribute field (PointReadOptions::attributes). */
    static std::vector<Value> values_of(const OGRFeature& feature) {
        std::vector<Value> values;
        values.reserve(static_cast<std::size_t>(feature.GetFieldCount()));
        for (int i = 0; i < feature.GetFieldCount(); ++i) {
            if (!feature.IsFieldSetAndNotNull(i)) {
                values.emplace_back(std::monostate{});
                continue;
            }
            switch (feature.GetFieldDefnRef(i)->GetType()) {
                case OFTInteger:
                case OFTInteger64:
                    values.emplace_back(static_cast<std::int64_t>(feature.GetFieldAsInteger64(i)));
                    break;
                case OFTReal:
                    values.emplace_back(feature.GetFieldAsDouble(i));
                    break;
                default:
                    values.emplace_back(std::string(feature.GetFieldAsString(i)));
            }
        }
        return values;
    }

    /** The feature's id, checked for being present and unique. */
    std::string id_of(const OGRFeature& feature) {
        std::string id;
        if (fields.id < 0) {
            id = std::to_string(feature.GetFID());
        } else {
            if (feature.IsFieldSetAndNotNull(fields.id))
                id = trim(feature.GetFieldAsString(fields.id));
            if (id.empty()) {
                throw InputError("the id field '" +
                                 std::string(feature.GetFieldDefnRef(fields.id)->GetNameRef()) +
                                 "' is empty: give every feature an id")
                    .set_feature("FID " + std::to_string(feature.GetFID()));
            }
        }
        const auto [it, inserted] = seen_ids.emplace(id, feature.GetFID());
        if (!inserted) {
            throw InputError("the id '" + id + "' is used twice (FID " +
                             std::to_string(it->second) + " and FID " +
                             std::to_string(feature.GetFID()) + "): ids must be unique")
                .set_feature(id);
        }
        return id;
    }
};

/**
 * Sets the layer's spatial filter to a WGS 84 box taken into the layer's CRS: its outline,
 * densified, transformed and boxed, with a margin of 1% of its size (a superset: the caller
 * decides which features it keeps). GCJ-02/BD-09 layers are shifted longitude/latitude: the box
 * grows by 0.02 degrees (the shift is under 0.01). A box that cannot be transformed reads
 * everything.
 */
void set_lonlat_filter(OGRLayer& layer, const SourceCrs& crs, const Box& lonlat) {
    Box box;
    if (crs.shift != Shift::none || crs.assumed) {
        box = lonlat;
        if (crs.shift != Shift::none) box = {{box.min.x - 0.02, box.min.y - 0.02}, {box.max.x + 0.02, box.max.y + 0.02}};
    } else {
        OGRSpatialReference wgs84;
        wgs84.SetWellKnownGeogCS("WGS84");
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        TransformPtr back(OGRCreateCoordinateTransformation(&wgs84, &crs.srs));
        if (!back) return;
        constexpr int steps = 64;
        for (int k = 0; k <= steps; ++k) {
            const double t = static_cast<double>(k) / steps;
            const double lon = lonlat.min.x + t * (lonlat.max.x - lonlat.min.x);
            const double lat = lonlat.min.y + t * (lonlat.max.y - lonlat.min.y);
            for (Point p : {Point{lon, lonlat.min.y}, Point{lon, lonlat.max.y}, Point{lonlat.min.x, lat},
                            Point{lonlat.max.x, lat}}) {
                if (!back->Transform(1, &p.x, &p.y) || !std::isfinite(p.x) || !std::isfinite(p.y)) return;
                box.extend(p);
            }
        }
    }
    const double mx = 0.01 * (box.max.x - box.min.x) + 1e-9;
    const double my = 0.01 * (box.max.y - box.min.y) + 1e-9;
    layer.SetSpatialFilterRect(box.min.x - mx, box.min.y - my, box.max.x + mx, box.max.y + my);
}

/** Whether a layer declares point or polygon geometries (or an unknown type, as CSV does). */
bool is_point_or_polygon_layer(OGRLayer& layer) {
    const OGRwkbGeometryType type = wkbFlatten(layer.GetGeomType());
    return type == wkbPoint || type == wkbMultiPoint || type == wkbPolygon ||
           type == wkbMultiPolygon || type == wkbCurvePolygon || type == wkbMultiSurface;
}

/**
 * The first layer of points or polygons; with a note naming it when the file has several
 * layers. A single layer is returned as it is (its features are checked one by one); a file
 * of several layers none of which holds points or polygons is an InputError listing them.
 */
OGRLayer* first_point_layer(GDALDataset& dataset, const std::string& option,
                            std::vector<std::string>& notes) {
    const int count = dataset.GetLayerCount();
    if (count == 1) return dataset.GetLayer(0);
    std::vector<std::string> names;
    OGRLayer* chosen = nullptr;
    OGRLayer* untyped = nullptr;  // a layer of mixed or undeclared geometry may hold points
    for (int i = 0; i < count; ++i) {
        OGRLayer* candidate = dataset.GetLayer(i);
        names.push_back(std::string(candidate->GetName()) + " (" +
                        OGRGeometryTypeToName(candidate->GetGeomType()) + ")");
        if (chosen == nullptr && is_point_or_polygon_layer(*candidate)) chosen = candidate;
        const OGRwkbGeometryType type = wkbFlatten(candidate->GetGeomType());
        if (untyped == nullptr && (type == wkbUnknown || type == wkbGeometryCollection) &&
            candidate->GetLayerDefn()->GetGeomFieldCount() > 0) {
            untyped = candidate;
        }
    }
    if (chosen == nullptr) chosen = untyped;
    if (chosen == nullptr) {
        throw InputError("none of the file's layers holds points or polygons; the layers are " +
                         join(names) + ": give a point or polygon layer");
    }
    notes.push_back("the file has " + std::to_string(count) + " layers (" + join(names) +
                    "); read '" + chosen->GetName() +
                    "', the first that holds points or polygons; choose another with " + option);
    return chosen;
}

PointLayer read_layer(OGRLayer& layer, bool csv, const PointReadOptions& options) {
    PointLayer result;
    result.layer_name = layer.GetName();
    const OGRFeatureDefn& defn = *layer.GetLayerDefn();
    if (defn.GetGeomFieldCount() == 0) {
        if (csv) {
            throw InputError(std::string("no coordinate columns found; the columns are ") +
                             field_list(defn) +
                             ": name the longitude and latitude columns one of " + csv_x_names +
                             " and " + csv_y_names +
                             " (any case), or put WKT geometries in a "
                             "column named one of " +
                             csv_wkt_names);
        }
        throw InputError("the layer has no geometry: give a layer of points or polygons");
    }
    if (is_line(layer.GetGeomType())) throw InputError(line_problem(layer.GetGeomType()));

    const Fields fields = resolve_fields(defn, options);
    if (fields.id < 0 && !options.option_prefix.empty())
        result.notes.push_back("the layer has no 'id' field: its features are numbered by their feature id (FID); "
                               "name the id field with " + options.option_prefix + "-id-field");
    const SourceCrs crs = source_crs(layer, options);
    const ToWgs84 to_wgs84(crs);
    result.source_crs = crs.name;
    if (options.attributes) {
        for (int i = 0; i < defn.GetFieldCount(); ++i) {
            const OGRFieldDefn& field = *defn.GetFieldDefn(i);
            const OGRFieldType type = field.GetType();
            result.fields.push_back({field.GetNameRef(), type == OFTInteger || type == OFTInteger64
                                                             ? FieldType::integer
                                                         : type == OFTReal ? FieldType::real
                                                                           : FieldType::string});
        }
    }
    if (!crs.override_note.empty()) result.notes.push_back(crs.override_note);

    if (!options.lonlat_filter.empty()) set_lonlat_filter(layer, crs, options.lonlat_filter);
    Reader reader{options, to_wgs84, fields, {}, 0, {}};
    layer.ResetReading();
    for (auto& feature : layer) {
        PointRecord record;
        record.fid = feature->GetFID();
        record.id = reader.id_of(*feature);
        try {
            reader.read(*feature, record);
            if (options.attributes) record.values = Reader::values_of(*feature);
        } catch (InputError& e) {
            e.set_feature(record.id);
            throw;
        }
        result.points.push_back(std::move(record));
    }
    if (result.points.empty() && !options.allow_empty) {
        throw InputError(
            "the layer is empty: it has no features; check the layer name or the filter");
    }
    if (reader.multipoints > 0) {
        result.notes.push_back(std::to_string(reader.multipoints) +
                               " MultiPoint feature(s), the first with id " +
                               reader.first_multipoint + ": only the first point of each was used");
    }
    return result;
}

}  // namespace

namespace {

/** A missing file or an OSM file is an InputError before GDAL is asked. */
void check_point_file(const std::string& path, bool allow_osm = false) {
    const bool plain_file = is_plain_file_path(path);
    if (plain_file && !std::filesystem::exists(path)) {
        throw InputError(
            "the file does not exist: check the path (relative paths start in the "
            "current folder)")
            .set_file(path);
    }
    if (plain_file && !allow_osm && is_osm_file(path)) {
        throw InputError(
            "this is an OpenStreetMap file, not a point layer: extract its facilities with "
            "the facilities verb first (lifecircle facilities --network " +
            std::filesystem::path(path).filename().string() +
            " --kind clinic --out clinics.gpkg) and pass that file")
            .set_file(path);
    }
}

}  // namespace

void check_point_input(const std::string& path, const PointReadOptions& options) {
    register_gdal();
    check_point_file(path);
    const std::string key = lower(trim(options.input_crs));
    if (key.empty() || key == "gcj02" || key == "gcj-02" || key == "gcj" || key == "bd09" ||
        key == "bd-09" || key == "baidu" || key == "wgs84" || key == "wgs 84" || key == "wgs-84") {
        return;
    }
    GdalMessages quiet;
    OGRSpatialReference srs;
    if (srs.SetFromUserInput(options.input_crs.c_str()) != OGRERR_NONE) {
        throw UsageError(crs_option(options) + " '" + options.input_crs +
                         "' is not understood: give EPSG:xxxx, wgs84, gcj02 or bd09");
    }
}

PointLayer read_points(const std::string& path, const PointReadOptions& options) {
    register_gdal();
    check_point_file(path, options.allow_osm);
    const bool plain_file = is_plain_file_path(path);
    const bool csv = is_csv_path(path);
    GdalMessages messages;
    std::vector<std::string> open_notes;
    MemFile recoded_copy;
    std::string open_path = path;
    CPLStringList open_options;
    if (csv) {
        open_options.SetNameValue("X_POSSIBLE_NAMES", csv_x_names);
        open_options.SetNameValue("Y_POSSIBLE_NAMES", csv_y_names);
        open_options.SetNameValue("GEOM_POSSIBLE_NAMES", csv_wkt_names);
        open_options.SetNameValue("KEEP_GEOM_COLUMNS", "NO");
        if (plain_file) {
            if (const std::string utf8 = csv_recoded_from_gbk(path); !utf8.empty()) {
                open_path =
                    recoded_copy.create(std::filesystem::path(path).filename().string(), utf8);
            }
        }
    }
    bool guessed_encoding = false;
    if (const auto encoding = detail::dbf_open_encoding(path, guessed_encoding)) {
        open_options.SetNameValue("ENCODING", encoding->c_str());
        if (guessed_encoding) {
            open_notes.push_back(
                "the Shapefile has no .cpg file naming its encoding; its "
                "attributes are not ASCII and were read as " +
                *encoding + " (add a .cpg file to say otherwise)");
        }
    }
    try {
        GDALDatasetUniquePtr dataset(GDALDataset::Open(open_path.c_str(),
                                                       GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                                       open_options.List(), nullptr));
        if (!dataset) {
            std::string problem = "not a vector data file GDAL can read";
            if (!messages.last().empty()) problem += " (" + messages.last() + ")";
            throw InputError(problem + ": give a GeoJSON, GeoPackage, Shapefile or CSV file");
        }
        if (dataset->GetLayerCount() == 0) throw InputError("the file has no vector layers");
        OGRLayer* layer = nullptr;
        if (options.layer.empty()) {
            layer = first_point_layer(*dataset, layer_option(options), open_notes);
        } else {
            layer = dataset->GetLayerByName(options.layer.c_str());
            if (layer == nullptr) {
                std::vector<std::string> names;
                for (auto* l : dataset->GetLayers()) names.emplace_back(l->GetName());
                throw InputError("there is no layer '" + options.layer +
                                 "'; the file has the layers " + join(names) +
                                 ": choose one of them");
            }
        }
        try {
            PointLayer result = read_layer(*layer, csv, options);
            result.notes.insert(result.notes.begin(), open_notes.begin(), open_notes.end());
            return result;
        } catch (InputError& e) {
            e.set_layer(layer->GetName());
            throw;
        }
    } catch (InputError& e) {
        e.set_file(path);
        throw;
    }
}

namespace {

/** The in-memory GDAL layer of a FeatureTable (the Memory driver). */
struct TableLayer {
    GDALDatasetUniquePtr dataset;
    OGRLayer* layer = nullptr;
};

void set_value(OGRFeature& feature, int index, const Value& value) {
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                feature.SetFieldNull(index);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                feature.SetField(index, static_cast<GIntBig>(v));
            } else if constexpr (std::is_same_v<T, double>) {
                if (std::isnan(v))
                    feature.SetFieldNull(index);
                else
                    feature.SetField(index, v);
            } else {
                feature.SetField(index, v.c_str());
            }
        },
        value);
}

TableLayer table_layer(const FeatureTable& table, OGRSpatialReference* srs) {
    const std::size_t n = table.size();
    if (table.x.size() != table.y.size())
        throw UsageError(table.name + ": " + std::to_string(table.x.size()) + " x but " +
                         std::to_string(table.y.size()) + " y coordinates");
    if (!table.wkb.empty() && !table.x.empty())
        throw UsageError(table.name + ": give point coordinates or WKB geometries, not both");
    if (table.columns.size() != table.fields.size())
        throw UsageError(table.name + ": " + std::to_string(table.fields.size()) + " fields but " +
                         std::to_string(table.columns.size()) + " columns of values");
    for (std::size_t f = 0; f < table.fields.size(); ++f)
        if (table.columns[f].size() != n)
            throw UsageError(table.name + ": the column '" + table.fields[f].name + "' has " +
                             std::to_string(table.columns[f].size()) + " values for " +
                             std::to_string(n) + " features");
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("Memory");
    if (driver == nullptr) throw InputError("GDAL has no Memory driver").set_file(table.name);
    TableLayer out;
    out.dataset.reset(driver->Create("", 0, 0, 0, GDT_Unknown, nullptr));
    if (!out.dataset) throw InputError("cannot create an in-memory layer").set_file(table.name);
    out.layer = out.dataset->CreateLayer(table.layer.c_str(), srs, wkbUnknown, nullptr);
    if (out.layer == nullptr)
        throw InputError("cannot create an in-memory layer").set_file(table.name);
    for (const Field& field : table.fields) {
        OGRFieldDefn defn(field.name.c_str(), field.type == FieldType::integer ? OFTInteger64
                                              : field.type == FieldType::real  ? OFTReal
                                                                               : OFTString);
        if (out.layer->CreateField(&defn) != OGRERR_NONE)
            throw UsageError(table.name + ": cannot add the field '" + field.name +
                             "' (a duplicate name?)");
    }
    for (std::size_t i = 0; i < n; ++i) {
        OGRFeature feature(out.layer->GetLayerDefn());
        if (table.wkb.empty()) {
            feature.SetGeometryDirectly(new OGRPoint(table.x[i], table.y[i]));
        } else if (!table.wkb[i].empty()) {
            OGRGeometry* geometry = nullptr;
            if (OGRGeometryFactory::createFromWkb(table.wkb[i].data(), nullptr, &geometry,
                                                  table.wkb[i].size()) != OGRERR_NONE) {
                throw InputError("the geometry is not valid WKB")
                    .set_file(table.name)
                    .set_layer(table.layer)
                    .set_feature("#" + std::to_string(i));
            }
            feature.SetGeometryDirectly(geometry);
        }
        for (std::size_t f = 0; f < table.fields.size(); ++f)
            set_value(feature, static_cast<int>(f), table.columns[f][i]);
        if (out.layer->CreateFeature(&feature) != OGRERR_NONE)
            throw InputError("cannot add a feature to the in-memory layer").set_file(table.name);
    }
    return out;
}

}  // namespace

PointLayer read_points(const FeatureTable& table, const PointReadOptions& options) {
    register_gdal();
    GdalMessages messages;
    PointReadOptions read = options;
    const std::string key = lower(trim(table.crs));
    OGRSpatialReference srs;
    bool with_srs = true;
    if (key.empty() || key == "wgs84" || key == "wgs 84" || key == "wgs-84") {
        srs.SetWellKnownGeogCS("WGS84");
    } else if (key == "gcj02" || key == "gcj-02" || key == "gcj" || key == "bd09" ||
               key == "bd-09" || key == "baidu") {
        // Shifted longitude/latitude has no GDAL CRS: read as the input CRS keyword says.
        with_srs = false;
        if (read.input_crs.empty()) read.input_crs = table.crs;
    } else if (srs.SetFromUserInput(table.crs.c_str()) != OGRERR_NONE) {
        throw InputError("the CRS '" + table.crs +
                         "' is not understood: give EPSG:xxxx, WKT, wgs84, gcj02 or bd09")
            .set_file(table.name);
    }
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    TableLayer mem = table_layer(table, with_srs ? &srs : nullptr);
    try {
        return read_layer(*mem.layer, false, read);
    } catch (InputError& e) {
        e.set_file(table.name).set_layer(table.layer);
        throw;
    }
}

}  // namespace lifecircle::io
