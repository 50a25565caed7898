#include "io/map_layers.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <filesystem>
#include <numeric>
#include <tuple>

// GCC 12 reports a false -Wstringop-overread inside libosmium's area assembler (the user
// name copy in osm_object_builder.hpp) when it inlines it, despite the system include.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif
#include <osmium/area/assembler.hpp>
#include <osmium/area/multipolygon_manager.hpp>
#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/relations/relations_manager.hpp>
#include <osmium/tags/tags_filter.hpp>
#include <osmium/visitor.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "core/error.hpp"
#include "io/gdal_common.hpp"
#include "io/osm_network.hpp"

namespace lifecircle::io {

namespace {

/** The Chinese name when there is one, else the name. */
std::string name_of(const osmium::TagList& tags) {
    for (const char* key : {"name:zh", "name:zh-Hans", "name"}) {
        if (const char* v = tags[key]) return v;
    }
    return {};
}

bool is_water_line(const osmium::TagList& tags) {
    const char* w = tags["waterway"];
    if (w == nullptr) return false;
    for (const char* kind : {"river", "stream", "canal", "drain", "ditch"})
        if (std::strcmp(w, kind) == 0) return true;
    return false;
}

struct Found {
    int type = 0;  ///< 0 area from a way, 1 area from a relation, 2 line
    std::int64_t id = 0;
    MultiPolygonXY area;
    std::vector<Point> line;
    std::string name;
};

/** Collects assembled water areas and waterway lines. */
class WaterHandler : public osmium::handler::Handler {
public:
    void way(const osmium::Way& way) {
        if (!is_water_line(way.tags())) return;
        Found f;
        f.type = 2;
        f.id = way.id();
        f.name = name_of(way.tags());
        for (const auto& n : way.nodes()) {
            if (n.location().valid()) f.line.push_back({n.location().lon(), n.location().lat()});
        }
        if (f.line.size() >= 2) found.push_back(std::move(f));
    }
    void area(const osmium::Area& area) {
        Found f;
        f.type = area.from_way() ? 0 : 1;
        f.id = area.orig_id();
        f.name = name_of(area.tags());
        for (const auto& outer : area.outer_rings()) {
            std::vector<Ring> polygon;
            Ring ring;
            for (const auto& n : outer) ring.push_back({n.location().lon(), n.location().lat()});
            if (ring.size() < 4) continue;
            polygon.push_back(std::move(ring));
            for (const auto& inner : area.inner_rings(outer)) {
                Ring hole;
                for (const auto& n : inner)
                    hole.push_back({n.location().lon(), n.location().lat()});
                if (hole.size() >= 4) polygon.push_back(std::move(hole));
            }
            f.area.push_back(std::move(polygon));
        }
        if (!f.area.empty()) found.push_back(std::move(f));
    }
    std::vector<Found> found;
};

using LocationIndex =
    osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;

[[noreturn]] void cannot_read(const std::string& path, const std::string& why) {
    throw InputError("cannot read the water layer: " + why).set_file(path);
}

}  // namespace

MapShapes read_osm_water(const std::string& path) {
    if (!std::filesystem::exists(path))
        throw InputError("the OpenStreetMap file does not exist").set_file(path);
    MapShapes out;
    try {
        const osmium::io::File file{path, osm_format(path)};
        osmium::TagsFilter filter{false};
        filter.add_rule(true, osmium::TagMatcher{"natural", "water"});
        filter.add_rule(true, osmium::TagMatcher{"landuse", "reservoir"});
        filter.add_rule(true, osmium::TagMatcher{"landuse", "basin"});
        filter.add_rule(true, osmium::TagMatcher{"waterway", "riverbank"});
        filter.add_rule(true, osmium::TagMatcher{"waterway", "dock"});
        osmium::area::AssemblerConfig config;
        config.create_empty_areas = false;
        osmium::area::MultipolygonManager<osmium::area::Assembler> manager{config, filter};
        osmium::relations::read_relations(file, manager);
        WaterHandler handler;
        LocationIndex index;
        osmium::handler::NodeLocationsForWays<LocationIndex> locations{index};
        locations.ignore_errors();  // extracts cut ways at their edge
        osmium::io::Reader reader{file,
                                  osmium::osm_entity_bits::node | osmium::osm_entity_bits::way};
        osmium::apply(reader, locations, handler,
                      manager.handler([&handler](osmium::memory::Buffer&& buffer) {
                          osmium::apply(buffer, handler);
                      }));
        reader.close();
        std::size_t cut = 0;
        manager.for_each_incomplete_relation(
            [&cut](const osmium::relations::RelationHandle&) { ++cut; });
        if (cut)
            out.notes.push_back(
                std::to_string(cut) +
                " water relation(s) reach beyond the file and are not drawn (their lines are)");
        std::vector<Found>& found = handler.found;
        std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
            return std::tie(a.type, a.id) < std::tie(b.type, b.id);
        });
        for (Found& f : found) {
            if (f.type == 2) {
                out.lines.push_back(std::move(f.line));
                out.line_names.push_back(std::move(f.name));
            } else {
                out.areas.push_back(std::move(f.area));
                out.area_names.push_back(std::move(f.name));
            }
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw InputError(std::string("cannot read the OpenStreetMap data for water (") + e.what() +
                         ")")
            .set_file(path);
    }
    return out;
}

MapShapes read_map_shapes(const std::string& path, const std::string& layer_name,
                          const std::string& input_crs) {
    detail::register_gdal();
    detail::GdalMessages messages;
    if (detail::is_plain_file_path(path) && !std::filesystem::exists(path))
        throw InputError("no such file").set_file(path);
    detail::DatasetPtr ds(static_cast<GDALDataset*>(
        GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
    if (!ds) cannot_read(path, messages.explain("GDAL cannot open it as vector data"));
    OGRLayer* layer = nullptr;
    if (!layer_name.empty()) {
        layer = ds->GetLayerByName(layer_name.c_str());
        if (!layer) {
            std::string names;
            for (int i = 0; i < ds->GetLayerCount(); ++i)
                names += (i ? ", " : "") + std::string(ds->GetLayer(i)->GetName());
            throw InputError("no layer '" + layer_name + "'; its layers: " + names).set_file(path);
        }
    } else if (ds->GetLayerCount() > 0) {
        layer = ds->GetLayer(0);
    }
    if (!layer) cannot_read(path, "the file has no layer");
    OGRSpatialReference source;
    if (!input_crs.empty()) {
        if (source.SetFromUserInput(input_crs.c_str()) != OGRERR_NONE)
            throw InputError("water_crs '" + input_crs +
                             "' is not a CRS GDAL understands (use EPSG:xxxx)")
                .set_file(path);
    } else if (const OGRSpatialReference* own = layer->GetSpatialRef()) {
        source = *own;
    } else {
        throw InputError("the layer has no CRS; give water_crs (e.g. EPSG:4326)")
            .set_file(path)
            .set_layer(layer->GetName());
    }
    source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReference wgs84;
    wgs84.SetWellKnownGeogCS("WGS84");
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const detail::TransformPtr transform(OGRCreateCoordinateTransformation(&source, &wgs84));
    if (!transform) cannot_read(path, messages.explain("no transformation from its CRS to WGS 84"));
    const OGRFeatureDefn* defn = layer->GetLayerDefn();
    int name_field = -1;
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const std::string n = defn->GetFieldDefn(i)->GetNameRef();
        std::string lower = n;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return char(std::tolower(c)); });
        if (lower == "name" || n == "名称") {
            name_field = i;
            break;
        }
    }
    MapShapes out;
    layer->ResetReading();
    const auto ring_of = [](const OGRLinearRing& r) {
        Ring ring;
        for (int i = 0; i < r.getNumPoints(); ++i) ring.push_back({r.getX(i), r.getY(i)});
        return ring;
    };
    for (auto& feature : *layer) {
        OGRGeometry* g = feature->GetGeometryRef();
        if (!g || g->IsEmpty()) continue;
        std::unique_ptr<OGRGeometry> copy(g->clone());
        if (copy->transform(transform.get()) != OGRERR_NONE) continue;
        const std::string name = name_field >= 0 && feature->IsFieldSetAndNotNull(name_field)
                                     ? feature->GetFieldAsString(name_field)
                                     : std::string();
        const OGRwkbGeometryType type = wkbFlatten(copy->getGeometryType());
        if (type == wkbPolygon || type == wkbMultiPolygon) {
            MultiPolygonXY mp;
            const auto add = [&](const OGRPolygon& p) {
                std::vector<Ring> rings;
                if (const OGRLinearRing* ext = p.getExteriorRing()) rings.push_back(ring_of(*ext));
                for (int i = 0; i < p.getNumInteriorRings(); ++i)
                    rings.push_back(ring_of(*p.getInteriorRing(i)));
                if (!rings.empty() && rings.front().size() >= 4) mp.push_back(std::move(rings));
            };
            if (type == wkbPolygon)
                add(*copy->toPolygon());
            else
                for (const OGRPolygon* p : *copy->toMultiPolygon()) add(*p);
            if (!mp.empty()) {
                out.areas.push_back(std::move(mp));
                out.area_names.push_back(name);
            }
        } else if (type == wkbLineString || type == wkbMultiLineString) {
            const auto add = [&](const OGRLineString& l) {
                std::vector<Point> line;
                for (int i = 0; i < l.getNumPoints(); ++i) line.push_back({l.getX(i), l.getY(i)});
                if (line.size() >= 2) {
                    out.lines.push_back(std::move(line));
                    out.line_names.push_back(name);
                }
            };
            if (type == wkbLineString)
                add(*copy->toLineString());
            else
                for (const OGRLineString* l : *copy->toMultiLineString()) add(*l);
        }
    }
    if (out.empty())
        throw InputError("the water layer has no polygons or lines")
            .set_file(path)
            .set_layer(layer->GetName());
    return out;
}

}  // namespace lifecircle::io
