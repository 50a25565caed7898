#include "io/osm_network.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <unordered_map>

#include <tbb/parallel_sort.h>

#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/visitor.hpp>

#include "core/error.hpp"
#include "io/crs.hpp"

namespace lifecircle::io {

namespace {

bool is_one_of(const char* v, std::initializer_list<std::string_view> values) {
    if (!v) return false;
    const std::string_view s(v);
    return std::find(values.begin(), values.end(), s) != values.end();
}

/** Explicit permission from an access-type tag value. */
Access access_value(const char* v) {
    if (is_one_of(v, {"yes", "designated", "permissive", "destination", "customers", "delivery"}))
        return Access::allowed;
    if (is_one_of(v, {"no", "private", "use_sidepath", "agricultural", "forestry", "discouraged_no"}))
        return Access::denied;
    return Access::by_class;
}

/** The most specific tag that says something wins (foot beats access, and so on). */
Access first_explicit(std::initializer_list<const char*> values) {
    for (const char* v : values) {
        const Access a = access_value(v);
        if (a != Access::by_class) return a;
    }
    return Access::by_class;
}

struct WayStore {
    std::vector<std::int64_t> way_ids;
    std::vector<std::uint32_t> first;  // offsets into node_ids/locations
    std::vector<osmium::object_id_type> node_ids;
    std::vector<osmium::Location> locations;
    std::vector<EdgeAttributes> attributes;
    std::vector<std::string> names;
};

class RoadHandler : public osmium::handler::Handler {
public:
    RoadHandler(const std::vector<ProfileSettings>& profiles, WayStore& store) : m_profiles(profiles), m_store(store) {
        m_store.first.push_back(0);
    }
    void way(const osmium::Way& way) {
        const osmium::TagList& tags = way.tags();
        OsmTagView view;
        view.highway = tags["highway"];
        if (!view.highway) return;
        view.access = tags["access"];
        view.foot = tags["foot"];
        view.bicycle = tags["bicycle"];
        view.vehicle = tags["vehicle"];
        view.motor_vehicle = tags["motor_vehicle"];
        view.motorcar = tags["motorcar"];
        view.oneway = tags["oneway"];
        view.junction = tags["junction"];
        view.maxspeed = tags["maxspeed"];
        const EdgeAttributes attrs = osm_edge_attributes(view);
        bool usable = false;
        for (const ProfileSettings& p : m_profiles) {
            const Permission perm = permission(p, attrs);
            usable = usable || perm.forward || perm.backward;
        }
        if (!usable || way.nodes().size() < 2) return;
        for (const osmium::NodeRef& ref : way.nodes()) {
            m_store.node_ids.push_back(ref.ref());
            m_store.locations.push_back(ref.location());
        }
        m_store.first.push_back(static_cast<std::uint32_t>(m_store.node_ids.size()));
        m_store.way_ids.push_back(way.id());
        m_store.attributes.push_back(attrs);
        const char* name = tags["name"];
        if (!name || !*name) name = tags["name:zh"];
        m_store.names.emplace_back(name ? name : "");
    }

private:
    const std::vector<ProfileSettings>& m_profiles;
    WayStore& m_store;
};

}  // namespace

double parse_maxspeed_kmh(const char* value) {
    if (!value || !*value) return 0.0;
    const std::string_view v(value);
    if (v == "walk") return 5.0;
    if (v == "none" || v == "signals" || v == "variable") return 0.0;
    char* end = nullptr;
    const double number = std::strtod(value, &end);
    if (end == value || !(number > 0) || !std::isfinite(number)) return 0.0;  // "RU:urban", "PL:zone"...
    const std::string_view rest(end);
    if (rest.find("mph") != std::string_view::npos) return number * 1.609344;
    if (rest.find("knots") != std::string_view::npos) return number * 1.852;
    return number;
}

EdgeAttributes osm_edge_attributes(const OsmTagView& t) {
    EdgeAttributes a;
    a.road_class = t.highway ? parse_road_class(t.highway) : RoadClass::other;
    a.maxspeed_kmh = parse_maxspeed_kmh(t.maxspeed);
    if (is_one_of(t.oneway, {"yes", "true", "1"})) {
        a.oneway = Oneway::forward;
    } else if (is_one_of(t.oneway, {"-1", "reverse"})) {
        a.oneway = Oneway::reverse;
    } else if (!is_one_of(t.oneway, {"no", "false", "0"}) &&
               (is_one_of(t.junction, {"roundabout", "circular"}) ||
                a.road_class == RoadClass::motorway)) {
        a.oneway = Oneway::forward;  // implied by the road type
    }
    a.access[static_cast<std::size_t>(Mode::walk)] = first_explicit({t.foot, t.access});
    a.access[static_cast<std::size_t>(Mode::bike)] = first_explicit({t.bicycle, t.vehicle, t.access});
    a.access[static_cast<std::size_t>(Mode::drive)] =
        first_explicit({t.motorcar, t.motor_vehicle, t.vehicle, t.access});
    return a;
}

bool is_osm_file(const std::string& path) {
    for (std::string_view ext : {".osm", ".pbf", ".osm.bz2", ".osm.gz", ".osc"}) {
        if (path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0) return true;
    }
    return false;
}

OsmNetworkResult read_osm_network(const std::string& path, const std::vector<ProfileSettings>& profiles,
                                  const std::string& work_crs) {
    if (!std::filesystem::exists(path)) {
        throw InputError("cannot open: no such file; check the path of --network").set_file(path);
    }
    WayStore store;
    try {
        using Index = osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;
        Index index;
        osmium::handler::NodeLocationsForWays<Index> locations(index);
        locations.ignore_errors();
        RoadHandler roads(profiles, store);
        osmium::io::Reader reader(path, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way);
        osmium::apply(reader, locations, roads);
        reader.close();
    } catch (const std::exception& e) {
        throw InputError(std::string("cannot read OpenStreetMap data: ") + e.what() +
                         "; is it a valid .osm/.osm.pbf file?")
            .set_file(path);
    }
    if (store.way_ids.empty()) {
        throw InputError("no roads: the file has no ways with a highway tag that the chosen mode may use")
            .set_file(path);
    }

    OsmNetworkResult result;
    result.ways_read = store.way_ids.size();
    result.way_ids = store.way_ids;

    // Junctions: nodes used more than once (by two ways, or twice by one) and way ends.
    std::vector<osmium::object_id_type> sorted(store.node_ids);
    tbb::parallel_sort(sorted.begin(), sorted.end());
    std::vector<osmium::object_id_type> junctions;
    for (std::size_t i = 0; i + 1 < sorted.size(); ++i) {
        if (sorted[i] == sorted[i + 1] && (junctions.empty() || junctions.back() != sorted[i]))
            junctions.push_back(sorted[i]);
    }
    for (std::size_t w = 0; w < store.way_ids.size(); ++w) {
        junctions.push_back(store.node_ids[store.first[w]]);
        junctions.push_back(store.node_ids[store.first[w + 1] - 1]);
    }
    std::sort(junctions.begin(), junctions.end());
    junctions.erase(std::unique(junctions.begin(), junctions.end()), junctions.end());
    auto junction_index = [&](osmium::object_id_type id) -> std::int64_t {
        auto it = std::lower_bound(junctions.begin(), junctions.end(), id);
        return (it != junctions.end() && *it == id) ? it - junctions.begin() : -1;
    };

    // The work CRS: the UTM zone of the centre of the roads.
    double min_lon = 180, max_lon = -180, min_lat = 90, max_lat = -90;
    for (const osmium::Location& l : store.locations) {
        if (!l.valid()) continue;
        min_lon = std::min(min_lon, l.lon());
        max_lon = std::max(max_lon, l.lon());
        min_lat = std::min(min_lat, l.lat());
        max_lat = std::max(max_lat, l.lat());
    }
    result.work_crs = work_crs.empty() ? utm_crs_for(0.5 * (min_lon + max_lon), 0.5 * (min_lat + max_lat)) : work_crs;
    const Transformer to_work("EPSG:4326", result.work_crs);
    // Project the located way nodes in one batch; nodes missing from the extract stay NaN.
    std::vector<Point> located;
    located.reserve(store.locations.size());
    for (const osmium::Location& l : store.locations)
        if (l.valid()) located.push_back({l.lon(), l.lat()});
    to_work.forward(located);
    std::vector<Point> xy(store.locations.size(), Point{NAN, NAN});
    for (std::size_t i = 0, k = 0; i < xy.size(); ++i)
        if (store.locations[i].valid()) xy[i] = located[k++];

    RawNetwork& net = result.network;
    net.nodes.assign(junctions.size(), Point{NAN, NAN});
    std::unordered_map<std::string, std::uint32_t> name_index{{"", 0}};
    for (std::size_t w = 0; w < store.way_ids.size(); ++w) {
        std::uint32_t name = 0;
        if (!store.names[w].empty()) {
            auto [it, fresh] = name_index.emplace(store.names[w], static_cast<std::uint32_t>(net.names.size()));
            if (fresh) net.names.push_back(store.names[w]);
            name = it->second;
        }
        RawEdge edge;
        std::uint32_t from = invalid_index;
        for (std::uint32_t i = store.first[w]; i < store.first[w + 1]; ++i) {
            if (!store.locations[i].valid()) {  // clipped extract: the way is cut here
                ++result.missing_nodes;
                from = invalid_index;
                edge.shape.clear();
                continue;
            }
            const std::int64_t j = junction_index(store.node_ids[i]);
            const bool is_end = i + 1 == store.first[w + 1] || !store.locations[i + 1].valid();
            std::uint32_t node = invalid_index;
            if (j >= 0) {
                node = static_cast<std::uint32_t>(j);
                net.nodes[node] = xy[i];
            } else if (from == invalid_index || is_end) {
                // A way cut by the extract boundary starts or ends at a plain shape point.
                node = static_cast<std::uint32_t>(net.nodes.size());
                net.nodes.push_back(xy[i]);
            }
            edge.shape.push_back(xy[i]);
            if (node == invalid_index) continue;
            if (from != invalid_index && edge.shape.size() >= 2) {
                edge.from = from;
                edge.to = node;
                edge.attributes = store.attributes[w];
                edge.name = name;
                edge.source = static_cast<std::uint32_t>(w);
                net.edges.push_back(std::move(edge));
                edge = RawEdge{};
                edge.shape.push_back(xy[i]);
            }
            from = node;
        }
    }
    return result;
}

}  // namespace lifecircle::io
