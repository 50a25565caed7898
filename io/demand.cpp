#include "io/demand.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <string_view>
#include <utility>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include <cpl_conv.h>
#include <gdal.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/polygon.hpp"
#include "core/wkb.hpp"
#include "io/chinese_coords.hpp"
#include "io/crs.hpp"
#include "io/gdal_common.hpp"
#include "io/points.hpp"

namespace lifecircle::io {

namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using BgPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BgBox = bg::model::box<BgPoint>;
using EdgeEntry = std::pair<BgBox, EdgeId>;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out.empty() ? "(none)" : out;
}

std::string format_value(double v) {
    std::array<char, 32> buffer{};
    const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), v);
    return error == std::errc() ? std::string(buffer.data(), end) : std::to_string(v);
}

/** The polygon helpers of core/polygon.hpp, under the names this file uses. */
bool inside(const WorkPolygon& polygon, Point p) { return lifecircle::contains(polygon, p); }
Box box_of(const WorkPolygon& polygon) { return lifecircle::bounds(polygon); }

bool in_box(const Box& b, Point p) {
    return p.x >= b.min.x && p.x <= b.max.x && p.y >= b.min.y && p.y <= b.max.y;
}

/** Why a weight value could not be used, or nothing; `empty` is set for NULL / blank. */
struct WeightValue {
    double value = 0.0;
    bool empty = false;
};

WeightValue parse_number(const Value& v, const std::string& what, const std::string& field,
                         const std::string& id) {
    WeightValue out;
    if (std::holds_alternative<std::monostate>(v)) {
        out.empty = true;
        return out;
    }
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        out.value = static_cast<double>(*i);
    } else if (const auto* d = std::get_if<double>(&v)) {
        out.value = *d;
    } else {
        std::string_view text = std::get<std::string>(v);
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
            text.remove_prefix(1);
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
            text.remove_suffix(1);
        if (text.empty()) {
            out.empty = true;
            return out;
        }
        const std::string_view digits = text.front() == '+' ? text.substr(1) : text;
        // from_chars: the same in every locale.
        const auto [end, error] =
            std::from_chars(digits.data(), digits.data() + digits.size(), out.value);
        if (error != std::errc() || end != digits.data() + digits.size()) {
            throw InputError("the " + what + " value '" + std::string(text) + "' in field '" +
                             field + "' is not a number: fix the value or leave it empty")
                .set_feature(id);
        }
    }
    if (!std::isfinite(out.value)) {
        throw InputError("the " + what + " value in field '" + field +
                         "' is not a finite number: fix the value or leave it empty")
            .set_feature(id);
    }
    if (out.value < 0) {
        throw InputError("the " + what + " value " + format_value(out.value) + " in field '" +
                         field + "' is negative: fix the value")
            .set_feature(id);
    }
    if (what == "weight" && !within(Quantity::weight, out.value)) {
        throw InputError("the weight value " + format_value(out.value) + " in field '" + field + "' " +
                         limit_problem(Quantity::weight, out.value) +
                         " (residents of one feature): fix the value or the field")
            .set_feature(id);
    }
    return out;
}

std::vector<bool> usable_edges(const RoadGraph& graph, const std::optional<ProfileId>& profile) {
    if (!profile) return {};
    if (profile->index() >= graph.profiles.size())
        throw UsageError("the demand profile is not one of the network's profiles");
    const ProfileData& data = graph.profile(*profile);
    std::vector<bool> usable(graph.edge_count());
    for (EdgeId e = 0; e < graph.edge_count(); ++e) {
        usable[e] = data.arc_seconds[graph.edge_forward_arc[e]] != forbidden_arc ||
                    data.arc_seconds[graph.edge_backward_arc[e]] != forbidden_arc;
    }
    return usable;
}

void add_point(DemandSet& set, Point xy, std::uint32_t feature, const std::vector<double>& w,
               double share) {
    set.xy.push_back(xy);
    set.feature.push_back(feature);
    for (std::size_t g = 0; g < w.size(); ++g) set.weights[g].push_back(w[g] * share);
}

// --- vector layers --------------------------------------------------------------------------

/** Index of a field named by the user (any case); throws InputError listing the fields. */
std::size_t field_index(const PointLayer& layer, const std::string& name, const char* what,
                        const std::string& path) {
    const auto it = std::find_if(layer.fields.begin(), layer.fields.end(),
                                 [&](const Field& f) { return lower(f.name) == lower(name); });
    if (it == layer.fields.end()) {
        std::vector<std::string> names;
        for (const Field& f : layer.fields) names.push_back(f.name);
        throw InputError(std::string("there is no ") + what + " field '" + name +
                         "'; the layer has the fields " + join(names) + ": choose among them")
            .set_file(path)
            .set_layer(layer.layer_name);
    }
    return static_cast<std::size_t>(it - layer.fields.begin());
}

/** A feature's polygon rings projected to the work CRS. */
WorkPolygon to_work(const PointRecord& record, const Network& net) {
    WorkPolygon out;
    for (const auto& part : record.polygon_lonlat) {
        auto& out_part = out.emplace_back();
        for (const auto& ring : part) {
            std::vector<Point> xy;
            xy.reserve(ring.size());
            for (const auto& [lon, lat] : ring) xy.push_back({lon, lat});
            net.to_work(xy);
            out_part.push_back(std::move(xy));
        }
    }
    return out;
}

/** How read_points() reads a demand layer. */
PointReadOptions vector_read_options(const DemandReadOptions& options) {
    PointReadOptions po;
    po.layer = options.layer;
    po.id_field = options.id_field;
    po.input_crs = options.input_crs;
    po.attributes = true;
    po.polygons = true;
    po.lonlat_filter = options.lonlat_filter;
    po.allow_empty = !options.lonlat_filter.empty() || static_cast<bool>(options.keep);
    return po;
}

/** Demand from a point or polygon layer read from `path` (a file, or a table's name). */
DemandSet read_vector_demand(const std::string& path, PointLayer layer, const DemandReadOptions& options,
                             const Network& net) {
    if (options.keep) {
        std::erase_if(layer.points, [&](const PointRecord& r) { return !options.keep(r.fid, r.lon, r.lat); });
    }

    DemandSet set;
    const auto fail = [&](const std::string& problem) {
        return InputError(problem).set_file(path).set_layer(layer.layer_name);
    };

    // Weight fields, matched case-insensitively as GDAL matches field names.
    std::vector<std::size_t> weight_index;
    for (const std::string& name : options.weight_fields) {
        weight_index.push_back(field_index(layer, name, "weight", path));
        set.groups.push_back(name);
    }
    if (set.groups.empty()) set.groups.push_back("count");
    const std::size_t group_count = set.groups.size();
    set.weights.assign(group_count, {});
    set.feature_weights.assign(group_count, {});

    const std::size_t n = layer.points.size();
    std::size_t polygons = 0;
    for (const PointRecord& r : layer.points) polygons += r.polygon_lonlat.empty() ? 0 : 1;
    if (polygons != 0 && polygons != n) {
        throw fail("the layer mixes points (" + std::to_string(n - polygons) + ") and polygons (" +
                   std::to_string(polygons) +
                   "): give them as two layers, or turn the points into small polygons");
    }
    set.kind = polygons != 0 ? "polygons" : "points";
    set.source_crs = layer.source_crs;

    // Weights per feature.
    std::vector<std::vector<double>> w(n, std::vector<double>(group_count, 1.0));
    std::string first_empty;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t g = 0; g < weight_index.size(); ++g) {
            WeightValue v;
            try {
                v = parse_number(layer.points[i].values[weight_index[g]], "weight", set.groups[g],
                                 layer.points[i].id);
            } catch (InputError& e) {
                e.set_file(path).set_layer(layer.layer_name);
                throw;
            }
            w[i][g] = v.value;
            if (v.empty) {
                if (set.empty_weights++ == 0)
                    first_empty = layer.points[i].id + " (" + set.groups[g] + ")";
            }
        }
    }

    // Geometry into the work CRS: representative points and polygon rings.
    std::vector<Point> anchor(n);
    for (std::size_t i = 0; i < n; ++i) anchor[i] = {layer.points[i].lon, layer.points[i].lat};
    net.to_work(anchor);
    std::vector<WorkPolygon> shapes(polygons != 0 ? n : 0);
    for (std::size_t i = 0; i < shapes.size(); ++i) shapes[i] = to_work(layer.points[i], net);

    std::vector<PolygonSamples> samples;
    if (!shapes.empty()) {
        samples = spread_polygons(net.graph, shapes, options.spread_spacing_m,
                                  usable_edges(net.graph, options.profile));
    }

    // Housing buildings (optional): each polygon's weight goes to those inside it.
    DemandSet buildings;
    std::unique_ptr<bgi::rtree<std::pair<BgPoint, std::size_t>, bgi::rstar<16>>> building_tree;
    if (!shapes.empty() && !options.buildings.empty()) {
        buildings =
            estimate_residents_from_buildings(options.buildings, options.building_options, net);
        std::vector<std::pair<BgPoint, std::size_t>> entries;
        for (std::size_t b = 0; b < buildings.xy.size(); ++b)
            entries.emplace_back(BgPoint{buildings.xy[b].x, buildings.xy[b].y}, b);
        building_tree =
            std::make_unique<bgi::rtree<std::pair<BgPoint, std::size_t>, bgi::rstar<16>>>(
                entries.begin(), entries.end());
    }
    const auto buildings_inside = [&](std::size_t i) {
        std::vector<std::pair<BgPoint, std::size_t>> hits;
        const Box b = box_of(shapes[i]);
        building_tree->query(bgi::intersects(BgBox{{b.min.x, b.min.y}, {b.max.x, b.max.y}}),
                             std::back_inserter(hits));
        std::vector<std::size_t> out;
        for (const auto& [p, index] : hits)
            if (inside(shapes[i], buildings.xy[index])) out.push_back(index);
        std::sort(out.begin(), out.end());
        return out;
    };

    std::string first_without_road;
    for (std::size_t i = 0; i < n; ++i) {
        const auto feature = static_cast<std::uint32_t>(i);
        set.ids.push_back(layer.points[i].id);
        set.fids.push_back(layer.points[i].fid);
        for (std::size_t g = 0; g < group_count; ++g) set.feature_weights[g].push_back(w[i][g]);
        const bool weighs = std::any_of(w[i].begin(), w[i].end(), [](double v) { return v > 0; });
        if (!weighs) continue;
        if (building_tree) {
            const std::vector<std::size_t> inner = buildings_inside(i);
            double total = 0.0;
            for (const std::size_t b : inner) total += buildings.weights[0][b];
            if (total > 0) {
                ++set.polygons_on_buildings;
                for (const std::size_t b : inner)
                    add_point(set, buildings.xy[b], feature, w[i], buildings.weights[0][b] / total);
                continue;
            }
        }
        if (shapes.empty() || samples[i].points.empty()) {
            if (!shapes.empty() && set.polygons_without_road++ == 0)
                first_without_road = layer.points[i].id;
            add_point(set, anchor[i], feature, w[i], 1.0);
            continue;
        }
        const double share = 1.0 / static_cast<double>(samples[i].points.size());
        for (const Point& p : samples[i].points) add_point(set, p, feature, w[i], share);
    }

    set.features.name = layer.layer_name;
    set.features.kind = shapes.empty() ? GeometryKind::point : GeometryKind::polygon;
    set.features.fields = std::move(layer.fields);
    set.features.features.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        Feature f;
        f.wkb = shapes.empty() ? wkb_point(anchor[i]) : wkb_multipolygon(shapes[i]);
        f.values = std::move(layer.points[i].values);
        set.features.features.push_back(std::move(f));
    }

    set.notes = std::move(layer.notes);
    if (set.empty_weights > 0) {
        set.notes.push_back(std::to_string(set.empty_weights) +
                            " empty weight value(s) counted as 0, the first in feature " +
                            first_empty);
    }
    if (building_tree) {
        set.notes.push_back(std::to_string(set.polygons_on_buildings) +
                            " polygon(s) spread over the housing buildings inside them, in "
                            "proportion to their floor area; the others over their roads");
    }
    if (set.polygons_without_road > 0) {
        set.notes.push_back(std::to_string(set.polygons_without_road) +
                            " polygon(s) with no road inside, the first with id " +
                            first_without_road +
                            ": their residents were put at one point on the polygon's surface");
    }
    return set;
}

// --- rasters --------------------------------------------------------------------------------

/** The CRS text Transformer understands: "EPSG:xxxx" when there is a code, else WKT2. */
std::string crs_text(const OGRSpatialReference& srs) {
    const char* auth = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (auth != nullptr && code != nullptr) return std::string(auth) + ":" + code;
    char* wkt = nullptr;
    const char* const wkt_options[] = {"FORMAT=WKT2_2019", nullptr};
    srs.exportToWkt(&wkt, wkt_options);
    std::string out = wkt != nullptr ? wkt : "";
    CPLFree(wkt);
    return out;
}

enum class Shift { none, gcj02, bd09 };

DemandSet read_raster_demand(GDALDataset& dataset, const std::string& path,
                             const DemandReadOptions& options, const Network& net) {
    const auto fail = [&](const std::string& problem) {
        return InputError(problem).set_file(path);
    };
    if (options.band < 1 || options.band > dataset.GetRasterCount()) {
        throw fail("there is no band " + std::to_string(options.band) + "; the raster has " +
                   std::to_string(dataset.GetRasterCount()) + " band(s): choose one of them");
    }
    GDALRasterBand& band = *dataset.GetRasterBand(options.band);
    std::array<double, 6> gt{};
    if (dataset.GetGeoTransform(gt.data()) != CE_None) {
        throw fail(
            "the raster is not georeferenced (no geotransform): give a GeoTIFF with "
            "its coordinates");
    }
    // Source CRS: input_crs, else the raster's own.
    Shift shift = Shift::none;
    std::string source;
    const std::string key = lower(options.input_crs);
    if (key == "gcj02" || key == "gcj-02" || key == "gcj") {
        shift = Shift::gcj02;
        source = wgs84_lonlat_proj;
    } else if (key == "bd09" || key == "bd-09" || key == "baidu") {
        shift = Shift::bd09;
        source = wgs84_lonlat_proj;
    } else if (key == "wgs84" || key == "wgs 84" || key == "wgs-84") {
        source = wgs84_lonlat_proj;
    } else if (!key.empty()) {
        source = options.input_crs;
    } else if (const OGRSpatialReference* srs = dataset.GetSpatialRef()) {
        source = crs_text(*srs);
    } else {
        throw fail("the raster has no CRS: set the input CRS (for example EPSG:4326)");
    }
    const Transformer to_lonlat(source, wgs84_lonlat_proj);

    // Read only the window over the network (a WorldPop tile covers a whole country).
    const int width = dataset.GetRasterXSize();
    const int height = dataset.GetRasterYSize();
    std::array<double, 6> inv{};
    int col0 = 0;
    int row0 = 0;
    int col1 = width;
    int row1 = height;
    const Box bounds = net.lonlat_bounds();
    if (!bounds.empty() && shift == Shift::none && GDALInvGeoTransform(gt.data(), inv.data())) {
        constexpr int steps = 16;  // densified outline: a projected box is not a box
        double cmin = std::numeric_limits<double>::infinity();
        double cmax = -cmin;
        double rmin = cmin;
        double rmax = -cmin;
        for (int k = 0; k <= steps; ++k) {
            const double t = static_cast<double>(k) / steps;
            const double lon = bounds.min.x + t * (bounds.max.x - bounds.min.x);
            const double lat = bounds.min.y + t * (bounds.max.y - bounds.min.y);
            for (const Point ll : {Point{lon, bounds.min.y}, Point{lon, bounds.max.y},
                                   Point{bounds.min.x, lat}, Point{bounds.max.x, lat}}) {
                Point p;
                try {
                    p = to_lonlat.inverse(ll);
                } catch (const InputError&) {
                    continue;  // outside the raster CRS's area: that side reads everything
                }
                const double c = inv[0] + inv[1] * p.x + inv[2] * p.y;
                const double r = inv[3] + inv[4] * p.x + inv[5] * p.y;
                cmin = std::min(cmin, c);
                cmax = std::max(cmax, c);
                rmin = std::min(rmin, r);
                rmax = std::max(rmax, r);
            }
        }
        if (std::isfinite(cmin)) {
            const auto clamp_to = [](double v, int hi) {
                return static_cast<int>(std::clamp(v, 0.0, static_cast<double>(hi)));
            };
            col0 = clamp_to(std::floor(cmin) - 1, width);
            col1 = clamp_to(std::ceil(cmax) + 1, width);
            row0 = clamp_to(std::floor(rmin) - 1, height);
            row1 = clamp_to(std::ceil(rmax) + 1, height);
        }
    }

    int has_nodata = 0;
    const double nodata = band.GetNoDataValue(&has_nodata);
    DemandSet set;
    set.kind = "raster";
    const char* description = band.GetDescription();
    set.groups.push_back(description != nullptr && *description != '\0' ? description
                                                                        : "population");
    set.weights.assign(1, {});
    set.feature_weights.assign(1, {});
    set.features.name = std::filesystem::path(path).stem().string();
    set.features.kind = GeometryKind::point;
    set.features.fields = {
        {"row", FieldType::integer}, {"col", FieldType::integer}, {"value", FieldType::real}};

    std::vector<Point> centres;
    std::vector<std::array<int, 2>> cells;
    std::vector<double> values;
    std::size_t nodata_cells = 0;
    std::size_t non_positive = 0;
    std::vector<double> row(static_cast<std::size_t>(std::max(0, col1 - col0)));
    for (int r = row0; r < row1 && !row.empty(); ++r) {
        if (band.RasterIO(GF_Read, col0, r, col1 - col0, 1, row.data(), col1 - col0, 1, GDT_Float64,
                          0, 0) != CE_None) {
            throw fail("cannot read row " + std::to_string(r) + " of band " +
                       std::to_string(options.band) + ": the file may be damaged");
        }
        for (int c = col0; c < col1; ++c) {
            const double v = row[static_cast<std::size_t>(c - col0)];
            if ((has_nodata != 0 && (v == nodata || (std::isnan(nodata) && std::isnan(v)))) ||
                std::isnan(v)) {
                ++nodata_cells;
                continue;
            }
            if (!(v > 0) || !std::isfinite(v)) {
                ++non_positive;
                continue;
            }
            if (!within(Quantity::weight, v))
                throw fail("the cell at row " + std::to_string(r) + ", column " + std::to_string(c) + " holds " +
                           std::to_string(v) + " residents: " + limit_problem(Quantity::weight, v) +
                           "; check the band (" + std::to_string(options.band) + ") and its scale");
            const double px = c + 0.5;
            const double py = r + 0.5;
            centres.push_back({gt[0] + gt[1] * px + gt[2] * py, gt[3] + gt[4] * px + gt[5] * py});
            cells.push_back({r, c});
            values.push_back(v);
        }
    }
    to_lonlat.forward(centres);
    for (Point& p : centres) {
        if (shift == Shift::gcj02) {
            const LonLat q = gcj02_to_wgs84({p.x, p.y});
            p = {q.lon, q.lat};
        } else if (shift == Shift::bd09) {
            const LonLat q = bd09_to_wgs84({p.x, p.y});
            p = {q.lon, q.lat};
        }
    }
    net.to_work(centres);
    for (std::size_t i = 0; i < centres.size(); ++i) {
        const auto feature = static_cast<std::uint32_t>(i);
        set.ids.push_back(std::to_string(cells[i][0]) + ":" + std::to_string(cells[i][1]));
        set.feature_weights[0].push_back(values[i]);
        set.xy.push_back(centres[i]);
        set.feature.push_back(feature);
        set.weights[0].push_back(values[i]);
        Feature f;
        f.wkb = wkb_point(centres[i]);
        f.values = {std::int64_t{cells[i][0]}, std::int64_t{cells[i][1]}, values[i]};
        set.features.features.push_back(std::move(f));
    }
    set.notes.push_back("read rows " + std::to_string(row0) + "-" + std::to_string(row1 - 1) +
                        " and columns " + std::to_string(col0) + "-" + std::to_string(col1 - 1) +
                        " of " + std::to_string(height) + " x " + std::to_string(width) +
                        " cells (the network's extent): " + std::to_string(centres.size()) +
                        " populated, " + std::to_string(nodata_cells) + " nodata, " +
                        std::to_string(non_positive) + " zero or negative");
    if (centres.empty()) {
        throw fail(
            "no cell with a value above 0 lies over the network: check that the raster "
            "covers the network's area and its CRS");
    }
    return set;
}

// --- buildings ------------------------------------------------------------------------------

/** Area of a polygon: exterior rings minus holes (shoelace; orientation does not matter). */
double area_m2(const WorkPolygon& polygon) {
    double total = 0.0;
    for (const auto& part : polygon) {
        for (std::size_t r = 0; r < part.size(); ++r) {
            double twice = 0.0;
            const auto& ring = part[r];
            for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++)
                twice += (ring[j].x - ring[i].x) * (ring[j].y + ring[i].y);
            total += (r == 0 ? 0.5 : -0.5) * std::abs(twice);
        }
    }
    return std::max(0.0, total);
}

/** building=* values that are housing (OpenStreetMap wiki, Key:building, "Accommodation"), or
    the user's own list. */
bool is_residential_building(std::string_view value, const std::vector<std::string>& own) {
    static constexpr std::array<std::string_view, 10> types{
        "residential", "apartments", "house",     "detached", "semidetached_house",
        "terrace",     "bungalow",   "dormitory", "farm",     "cabin"};
    if (!own.empty()) return std::find(own.begin(), own.end(), value) != own.end();
    return std::find(types.begin(), types.end(), value) != types.end();
}

/** The value of `key` in GDAL's OSM other_tags ("k"=>"v","k2"=>"v2"), or nothing. */
std::optional<std::string> other_tag(const Value& other_tags, const std::string& key) {
    const auto* text = std::get_if<std::string>(&other_tags);
    if (text == nullptr) return std::nullopt;
    const std::string needle = "\"" + key + "\"=>\"";
    const std::size_t at = text->find(needle);
    if (at == std::string::npos) return std::nullopt;
    const std::size_t begin = at + needle.size();
    const std::size_t end = text->find('"', begin);
    return text->substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::string text_of(const Value& v) {
    const auto* text = std::get_if<std::string>(&v);
    return text != nullptr ? *text : std::string();
}

bool is_osm_path(const std::string& path) {
    const std::string name = lower(std::filesystem::path(path).filename().string());
    const auto ends = [&](std::string_view tail) {
        return name.size() >= tail.size() &&
               name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
    };
    return ends(".osm") || ends(".osm.pbf") || ends(".pbf");
}

bool is_csv(const std::string& path);

}  // namespace

DemandSet estimate_residents_from_buildings(const std::string& path,
                                            const BuildingResidentsOptions& options,
                                            const Network& net) {
    if (!(options.floor_area_per_person_m2 > 0) || !std::isfinite(options.floor_area_per_person_m2))
        throw UsageError("the floor area per person must be a positive number of square metres");
    if (!(options.default_levels > 0) || !std::isfinite(options.default_levels))
        throw UsageError("the default number of storeys must be a positive number");
    if (!(options.residential_share >= 0 && options.residential_share <= 1))
        throw UsageError("the residential share must lie between 0 and 1");
    for (const AgeShare& a : options.age_shares) {
        if (!(a.share >= 0 && a.share <= 1))
            throw UsageError("the share of group '" + a.group + "' must lie between 0 and 1");
    }
    const bool osm = is_osm_path(path);
    PointReadOptions po;
    po.layer = options.layer.empty() && osm ? "multipolygons" : options.layer;
    po.id_field = osm && options.id_field == "id" ? "id" : options.id_field;
    po.input_crs = options.input_crs;
    po.attributes = true;
    po.polygons = true;
    po.allow_osm = osm;
    po.allow_osm = osm;
    PointLayer layer = read_points(path, po);
    const auto fail = [&](const std::string& problem, const std::string& feature) {
        return InputError(problem).set_file(path).set_layer(layer.layer_name).set_feature(feature);
    };

    const std::size_t n = layer.points.size();
    std::optional<std::size_t> levels_field;
    std::optional<std::size_t> share_field;
    std::optional<std::size_t> building_field;
    std::optional<std::size_t> landuse_field;
    std::optional<std::size_t> other_tags_field;
    if (!options.levels_field.empty())
        levels_field = field_index(layer, options.levels_field, "storeys", path);
    if (!options.residential_share_field.empty())
        share_field =
            field_index(layer, options.residential_share_field, "residential share", path);
    if (osm) {
        building_field = field_index(layer, "building", "OpenStreetMap", path);
        landuse_field = field_index(layer, "landuse", "OpenStreetMap", path);
        other_tags_field = field_index(layer, "other_tags", "OpenStreetMap", path);
    }

    std::vector<WorkPolygon> shapes(n);
    std::vector<Point> anchor(n);
    for (std::size_t i = 0; i < n; ++i) {
        shapes[i] = to_work(layer.points[i], net);
        anchor[i] = {layer.points[i].lon, layer.points[i].lat};
    }
    net.to_work(anchor);

    // OSM: which features are buildings, and which are landuse=residential areas.
    std::vector<bool> candidate(n, !osm);
    std::vector<bool> generic(n, false);  // building=yes: housing only inside residential land
    std::vector<EdgeEntry> residential_land;
    if (osm) {
        for (std::size_t i = 0; i < n; ++i) {
            const std::string building = text_of(layer.points[i].values[*building_field]);
            if (!building.empty() && building != "no") {
                candidate[i] = is_residential_building(building, options.building_types) || building == "yes";
                generic[i] = building == "yes";
            } else if (text_of(layer.points[i].values[*landuse_field]) == "residential" &&
                       !shapes[i].empty()) {
                const Box b = box_of(shapes[i]);
                residential_land.emplace_back(BgBox{{b.min.x, b.min.y}, {b.max.x, b.max.y}},
                                              static_cast<EdgeId>(i));
            }
        }
    }
    const bgi::rtree<EdgeEntry, bgi::rstar<16>> land(residential_land.begin(),
                                                     residential_land.end());
    const auto on_residential_land = [&](Point p) {
        std::vector<EdgeEntry> hits;
        land.query(bgi::intersects(BgPoint{p.x, p.y}), std::back_inserter(hits));
        return std::any_of(hits.begin(), hits.end(),
                           [&](const EdgeEntry& h) { return inside(shapes[h.second], p); });
    };

    DemandSet set;
    set.kind = "buildings";
    set.groups.push_back("residents");
    for (const AgeShare& a : options.age_shares) set.groups.push_back(a.group);
    set.weights.assign(set.groups.size(), {});
    set.feature_weights.assign(set.groups.size(), {});
    set.features.name = layer.layer_name;
    set.features.kind = GeometryKind::polygon;
    set.features.fields = layer.fields;
    for (const char* name : {"footprint_m2", "levels", "floor_area_m2", "residents"})
        set.features.fields.push_back({name, FieldType::real});

    std::size_t default_level_count = 0;
    std::size_t points_not_polygons = 0;
    for (std::size_t i = 0; i < n; ++i) {
        PointRecord& record = layer.points[i];
        if (!candidate[i]) continue;
        if (shapes[i].empty()) {
            ++points_not_polygons;
            continue;
        }
        if (generic[i] && !on_residential_land(anchor[i])) continue;
        WeightValue levels{options.default_levels, true};
        if (levels_field) {
            levels = parse_number(record.values[*levels_field], "storeys", options.levels_field,
                                  record.id);
        } else if (osm) {
            if (const auto tag = other_tag(record.values[*other_tags_field], "building:levels")) {
                levels = parse_number(Value(*tag), "storeys", "building:levels", record.id);
            } else {
                levels.empty = true;
            }
        }
        if (levels.empty || levels.value == 0) {
            levels.value = options.default_levels;
            ++default_level_count;
        }
        double share = options.residential_share;
        if (share_field) {
            const WeightValue v = parse_number(record.values[*share_field], "residential share",
                                               options.residential_share_field, record.id);
            if (!v.empty) share = v.value;
            if (share > 1) {
                throw fail("the residential share " + format_value(share) + " in field '" +
                               options.residential_share_field +
                               "' is above 1: give the housing part of the floor area as 0..1",
                           record.id);
            }
        }
        const double footprint = area_m2(shapes[i]);
        const double floor_area = footprint * levels.value;
        const double residents = floor_area * share / options.floor_area_per_person_m2;

        const auto feature = static_cast<std::uint32_t>(set.ids.size());
        set.ids.push_back(record.id);
        std::vector<double> w{residents};
        for (const AgeShare& a : options.age_shares) w.push_back(residents * a.share);
        for (std::size_t g = 0; g < w.size(); ++g) set.feature_weights[g].push_back(w[g]);
        if (residents > 0) add_point(set, anchor[i], feature, w, 1.0);
        Feature f;
        f.wkb = wkb_multipolygon(shapes[i]);
        f.values = std::move(record.values);
        for (const double v : {footprint, levels.value, floor_area, residents})
            f.values.emplace_back(v);
        set.features.features.push_back(std::move(f));
    }
    set.notes = std::move(layer.notes);
    if (default_level_count > 0) {
        set.notes.push_back(std::to_string(default_level_count) +
                            " building(s) without a storey count were given " +
                            format_value(options.default_levels) + " storey(s)");
    }
    if (points_not_polygons > 0) {
        set.notes.push_back(std::to_string(points_not_polygons) +
                            " building(s) mapped as points were left out: a footprint is needed");
    }
    if (set.ids.empty()) {
        throw InputError(
            "no residential building footprints found: give a polygon layer of "
            "housing (or OpenStreetMap buildings)")
            .set_file(path)
            .set_layer(layer.layer_name);
    }
    return set;
}

namespace {

bool is_csv(const std::string& path) {
    const std::string ext = lower(std::filesystem::path(path).extension().string());
    return ext == ".csv" || ext == ".tsv";
}

}  // namespace

std::vector<PolygonSamples> spread_polygons(const RoadGraph& graph,
                                            std::span<const WorkPolygon> polygons, double spacing_m,
                                            const std::vector<bool>& usable) {
    if (!(spacing_m > 0) || !std::isfinite(spacing_m))
        throw UsageError("the spread spacing must be a positive number of metres");
    std::vector<EdgeEntry> entries;
    entries.reserve(graph.edge_count());
    for (EdgeId e = 0; e < graph.edge_count(); ++e) {
        if (!usable.empty() && !usable[e]) continue;
        Box b;
        for (const Point* p = graph.shape_begin(e); p != graph.shape_begin(e) + graph.shape_size(e);
             ++p)
            b.extend(*p);
        entries.emplace_back(BgBox{{b.min.x, b.min.y}, {b.max.x, b.max.y}}, e);
    }
    const bgi::rtree<EdgeEntry, bgi::rstar<16>> tree(entries.begin(), entries.end());

    std::vector<PolygonSamples> out(polygons.size());
    std::vector<EdgeEntry> hits;
    for (std::size_t i = 0; i < polygons.size(); ++i) {
        const WorkPolygon& polygon = polygons[i];
        const Box b = box_of(polygon);
        if (b.empty()) continue;
        hits.clear();
        tree.query(bgi::intersects(BgBox{{b.min.x, b.min.y}, {b.max.x, b.max.y}}),
                   std::back_inserter(hits));
        // Edge order, so results do not depend on the tree's layout.
        std::sort(hits.begin(), hits.end(),
                  [](const EdgeEntry& x, const EdgeEntry& y) { return x.second < y.second; });
        for (const auto& [edge_box, e] : hits) {
            const Point* shape = graph.shape_begin(e);
            const std::uint32_t count = graph.shape_size(e);
            double start = 0.0;             // offset of the current segment's start
            double next = 0.5 * spacing_m;  // offset of the next sample
            for (std::uint32_t k = 0; k + 1 < count; ++k) {
                const Point a = shape[k];
                const Point c = shape[k + 1];
                const double len = std::hypot(c.x - a.x, c.y - a.y);
                while (next <= start + len) {
                    const double t = len > 0 ? (next - start) / len : 0.0;
                    const Point p{a.x + t * (c.x - a.x), a.y + t * (c.y - a.y)};
                    if (in_box(b, p) && inside(polygon, p)) {
                        out[i].points.push_back(p);
                        out[i].edges.push_back(e);
                    }
                    next += spacing_m;
                }
                start += len;
            }
        }
    }
    return out;
}

bool is_demand_raster(const std::string& path) {
    if (is_csv(path)) return false;
    detail::register_gdal();
    detail::GdalMessages quiet;
    GDALDatasetUniquePtr raster(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    return raster && raster->GetRasterCount() > 0 && raster->GetLayerCount() == 0;
}

DemandSet read_demand(const std::string& path, const DemandReadOptions& options,
                      const Network& net) {
    if (!(options.spread_spacing_m > 0) || !std::isfinite(options.spread_spacing_m))
        throw UsageError("the spread spacing must be a positive number of metres");
    detail::register_gdal();
    if (detail::is_plain_file_path(path) && !std::filesystem::exists(path)) {
        throw InputError(
            "the file does not exist: check the path (relative paths start in the current "
            "folder)")
            .set_file(path);
    }
    if (!is_csv(path)) {
        // A raster is opened as one; everything else goes to read_points (vector layers).
        detail::GdalMessages quiet;
        GDALDatasetUniquePtr raster(
            GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        if (raster && raster->GetRasterCount() > 0 && raster->GetLayerCount() == 0)
            return read_raster_demand(*raster, path, options, net);
    }
    return read_vector_demand(path, read_points(path, vector_read_options(options)), options, net);
}

DemandSet read_demand(const FeatureTable& table, const DemandReadOptions& options, const Network& net) {
    if (!(options.spread_spacing_m > 0) || !std::isfinite(options.spread_spacing_m))
        throw UsageError("the spread spacing must be a positive number of metres");
    return read_vector_demand(table.name, read_points(table, vector_read_options(options)), options, net);
}

}  // namespace lifecircle::io
