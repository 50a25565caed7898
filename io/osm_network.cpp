#include "io/osm_network.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <thread>
#include <unordered_map>

#include <tbb/parallel_sort.h>

#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/sparse_mem_array.hpp>
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
        // Extracts hold few nodes: a sorted (id, location) array beats a dense index.
        using Index = osmium::index::map::SparseMemArray<osmium::unsigned_object_id_type, osmium::Location>;
        Index index;
        osmium::handler::NodeLocationsForWays<Index> locations(index);
        locations.ignore_errors();
        RoadHandler roads(profiles, store);
        // Metadata (versions, users, timestamps) is not needed: skip decoding it.
        osmium::io::Reader reader(path, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way,
                                  osmium::io::read_meta::no);
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

    // Number the distinct way nodes: sort (id, occurrence) pairs once, which also counts uses.
    const std::size_t occurrences = store.node_ids.size();
    std::vector<std::pair<osmium::object_id_type, std::uint32_t>> order(occurrences);
    for (std::uint32_t i = 0; i < occurrences; ++i) order[i] = {store.node_ids[i], i};
    tbb::parallel_sort(order.begin(), order.end());
    std::vector<std::uint32_t> node_of(occurrences);
    std::vector<std::uint32_t> uses;
    std::vector<std::uint32_t> first_occurrence;
    for (std::size_t k = 0; k < occurrences; ++k) {
        if (k == 0 || order[k].first != order[k - 1].first) {
            uses.push_back(0);
            first_occurrence.push_back(order[k].second);
        }
        node_of[order[k].second] = static_cast<std::uint32_t>(uses.size() - 1);
        ++uses.back();
    }
    // Renumber the nodes in order of first use, so the passes below read memory in order
    // rather than jumping around by OSM id.
    {
        std::vector<std::uint32_t> renumber(uses.size(), invalid_index);
        std::vector<std::uint32_t> uses_new(uses.size());
        std::vector<std::uint32_t> first_new(uses.size());
        std::uint32_t next = 0;
        for (std::uint32_t i = 0; i < occurrences; ++i) {
            std::uint32_t& r = renumber[node_of[i]];
            if (r == invalid_index) {
                r = next++;
                uses_new[r] = uses[node_of[i]];
                first_new[r] = i;
            }
            node_of[i] = r;
        }
        uses = std::move(uses_new);
        first_occurrence = std::move(first_new);
    }
    // Junctions: nodes used more than once (by two ways, or twice by one) and way ends.
    std::vector<std::uint8_t> is_junction(uses.size(), 0);
    for (std::size_t u = 0; u < uses.size(); ++u) is_junction[u] = uses[u] > 1;
    for (std::size_t w = 0; w < store.way_ids.size(); ++w) {
        is_junction[node_of[store.first[w]]] = 1;
        is_junction[node_of[store.first[w + 1] - 1]] = 1;
    }

    // The work CRS: the UTM zone of the centre of the roads.
    double min_lon = 180, max_lon = -180, min_lat = 90, max_lat = -90;
    for (const osmium::Location& l : store.locations) {
        if (!l.valid()) continue;
        min_lon = std::min(min_lon, l.lon());
        max_lon = std::max(max_lon, l.lon());
        min_lat = std::min(min_lat, l.lat());
        max_lat = std::max(max_lat, l.lat());
    }
    result.work_crs = !work_crs.empty() ? work_crs : utm_crs_for(0.5 * (min_lon + max_lon), 0.5 * (min_lat + max_lat));
    // For the automatic UTM zone, project with PROJ's fast transverse Mercator (+approx): within
    // a zone it agrees with the exact series to well under a millimetre, and it needs no database.
    const bool auto_utm = work_crs.empty();
    std::string projection = result.work_crs;
    if (auto_utm) {
        const std::string zone = result.work_crs.substr(8);  // "EPSG:326zz" / "EPSG:327zz"
        projection = "+proj=utm +zone=" + std::to_string(std::stoi(zone)) +
                     (result.work_crs[7] == '7' ? " +south" : "") + " +datum=WGS84 +units=m +approx +type=crs";
    }
    const Transformer to_work("EPSG:4326", projection);
    result.projection = projection;

    // Every distinct way node becomes a raw node (build_graph keeps only edge ends); project the
    // located ones in one batch, nodes missing from a clipped extract stay NaN.
    RawNetwork& net = result.network;
    std::vector<Point> located;
    located.reserve(uses.size());
    for (std::uint32_t first : first_occurrence) {
        const osmium::Location& l = store.locations[first];
        if (l.valid()) located.push_back({l.lon(), l.lat()});
    }
    // Two halves on two threads when there is enough to do (each thread its own PROJ object).
    if (located.size() > 100000) {
        const auto half = static_cast<std::ptrdiff_t>(located.size() / 2);
        std::vector<Point> second(located.begin() + half, located.end());
        located.resize(static_cast<std::size_t>(half));
        std::thread helper([&] { Transformer(to_work.source(), to_work.target()).forward(second); });
        to_work.forward(located);
        helper.join();
        located.insert(located.end(), second.begin(), second.end());
    } else {
        to_work.forward(located);
    }
    net.nodes.assign(uses.size(), Point{NAN, NAN});
    for (std::size_t u = 0, k = 0; u < uses.size(); ++u)
        if (store.locations[first_occurrence[u]].valid()) net.nodes[u] = located[k++];

    // Split ways at junctions; a way cut by the extract boundary ends at its last located node.
    net.edges.reserve(store.way_ids.size() * 2);
    std::unordered_map<std::string, std::uint32_t> name_index{{"", 0}};
    for (std::size_t w = 0; w < store.way_ids.size(); ++w) {
        std::uint32_t name = 0;
        if (!store.names[w].empty()) {
            auto [it, fresh] = name_index.emplace(store.names[w], static_cast<std::uint32_t>(net.names.size()));
            if (fresh) net.names.push_back(store.names[w]);
            name = it->second;
        }
        RawEdge edge;
        edge.shape.reserve(store.first[w + 1] - store.first[w]);
        std::uint32_t from = invalid_index;
        const std::uint32_t last = store.first[w + 1] - 1;
        for (std::uint32_t i = store.first[w]; i <= last; ++i) {
            if (!store.locations[i].valid()) {
                ++result.missing_nodes;
                from = invalid_index;
                edge.shape.clear();
                continue;
            }
            const std::uint32_t node = node_of[i];
            const Point& p = net.nodes[node];
            edge.shape.push_back(p);
            const bool cut_after = i == last || !store.locations[i + 1].valid();
            if (!(is_junction[node] || from == invalid_index || cut_after)) continue;
            if (from != invalid_index) {
                edge.from = from;
                edge.to = node;
                edge.attributes = store.attributes[w];
                edge.name = name;
                edge.source = static_cast<std::uint32_t>(w);
                net.edges.push_back(std::move(edge));
                edge = RawEdge{};
                edge.shape.reserve(last + 1 - i);
                edge.shape.push_back(p);
            }
            from = node;
        }
    }
    return result;
}

}  // namespace lifecircle::io
