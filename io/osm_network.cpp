#include "io/osm_network.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <thread>
#include <unordered_map>

#include <span>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <osmium/handler.hpp>
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

/** Every node of the file: ids and locations, in file order (sorted by id in a sorted file). */
struct NodeStore {
    std::vector<osmium::object_id_type> ids;
    std::vector<osmium::Location> locations;
    bool sorted = true;
};

/** The road ways: their node references, tags reduced to attributes, and names. */
struct WayStore {
    std::vector<std::int64_t> way_ids;
    std::vector<std::uint32_t> first;  // offsets into refs
    std::vector<osmium::object_id_type> refs;
    std::vector<EdgeAttributes> attributes;
    std::vector<std::string> names;
};

/**
 * Keeps every node and the road ways. The node locations are looked up after reading, once
 * per distinct way node, rather than per way-node reference through an index while reading.
 */
class RoadHandler : public osmium::handler::Handler {
public:
    RoadHandler(const std::vector<ProfileSettings>& profiles, NodeStore& nodes, WayStore& ways)
        : m_profiles(profiles), m_nodes(nodes), m_ways(ways) {
        m_ways.first.push_back(0);
    }
    void node(const osmium::Node& node) {
        if (!m_nodes.ids.empty() && node.id() <= m_nodes.ids.back()) m_nodes.sorted = false;
        m_nodes.ids.push_back(node.id());
        m_nodes.locations.push_back(node.location());
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
        for (const osmium::NodeRef& ref : way.nodes()) m_ways.refs.push_back(ref.ref());
        m_ways.first.push_back(static_cast<std::uint32_t>(m_ways.refs.size()));
        m_ways.way_ids.push_back(way.id());
        m_ways.attributes.push_back(attrs);
        const char* name = tags["name"];
        if (!name || !*name) name = tags["name:zh"];
        m_ways.names.emplace_back(name ? name : "");
    }

private:
    const std::vector<ProfileSettings>& m_profiles;
    NodeStore& m_nodes;
    WayStore& m_ways;
};

/** Sorts the nodes of an unsorted file (.osm written by hand or by an editor) by id; of
    duplicate ids the last one read wins. */
void sort_nodes(NodeStore& nodes) {
    if (nodes.sorted) return;
    std::vector<std::uint32_t> order(nodes.ids.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return nodes.ids[a] < nodes.ids[b]; });
    NodeStore out;
    out.ids.reserve(order.size());
    out.locations.reserve(order.size());
    for (std::uint32_t i : order) {
        if (!out.ids.empty() && out.ids.back() == nodes.ids[i]) {
            out.locations.back() = nodes.locations[i];
            continue;
        }
        out.ids.push_back(nodes.ids[i]);
        out.locations.push_back(nodes.locations[i]);
    }
    nodes = std::move(out);
}

/**
 * For every way-node reference, the index of that node in the sorted node store, or
 * invalid_index when the file has no location for it. Consecutive references of a way are
 * usually close in id (mappers draw ways node after node), so each search starts next to the
 * previous hit before falling back to bisection.
 */
std::vector<std::uint32_t> find_way_nodes(const NodeStore& nodes, const WayStore& ways) {
    std::vector<std::uint32_t> slot(ways.refs.size(), invalid_index);
    const auto* ids = nodes.ids.data();
    const std::size_t n = nodes.ids.size();
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, ways.way_ids.size(), 1024),
                      [&](const tbb::blocked_range<std::size_t>& range) {
        std::size_t hint = 0;
        for (std::size_t w = range.begin(); w != range.end(); ++w) {
            for (std::uint32_t i = ways.first[w]; i < ways.first[w + 1]; ++i) {
                const osmium::object_id_type ref = ways.refs[i];
                std::size_t k = hint;
                if (!(k < n && ids[k] == ref) && !(k + 1 < n && ids[++k] == ref)) {
                    k = static_cast<std::size_t>(std::lower_bound(ids, ids + n, ref) - ids);
                    if (k == n || ids[k] != ref) continue;
                }
                hint = k;
                if (nodes.locations[k].valid()) slot[i] = static_cast<std::uint32_t>(k);
            }
        }
    });
    return slot;
}

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
    NodeStore nodes;
    WayStore store;
    try {
        RoadHandler roads(profiles, nodes, store);
        // Metadata (versions, users, timestamps) is not needed: skip decoding it.
        osmium::io::Reader reader(path, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way,
                                  osmium::io::read_meta::no);
        osmium::apply(reader, roads);
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

    // Number the distinct located way nodes in order of first use (so the passes below read
    // memory in order), and mark junctions: nodes used more than once (by two ways, or twice by
    // one) and way ends. node_of[i] is the number of way-node reference i (invalid: no location).
    sort_nodes(nodes);
    std::vector<std::uint32_t> node_of = find_way_nodes(nodes, store);
    store.refs = {};
    std::vector<std::uint32_t> number(nodes.ids.size(), invalid_index);
    std::vector<Point> lonlat;  // per numbered node
    std::vector<std::uint8_t> is_junction;
    for (std::uint32_t& slot : node_of) {
        if (slot == invalid_index) continue;
        std::uint32_t& k = number[slot];
        if (k == invalid_index) {
            k = static_cast<std::uint32_t>(lonlat.size());
            const osmium::Location& l = nodes.locations[slot];
            lonlat.push_back({l.lon(), l.lat()});
            is_junction.push_back(0);
        } else {
            is_junction[k] = 1;
        }
        slot = k;
    }
    nodes = {};
    number = {};
    for (std::size_t w = 0; w < store.way_ids.size(); ++w) {
        for (const std::uint32_t end : {node_of[store.first[w]], node_of[store.first[w + 1] - 1]})
            if (end != invalid_index) is_junction[end] = 1;
    }
    if (lonlat.empty()) {
        throw InputError("no road has a located node: the file has ways but none of their nodes")
            .set_file(path);
    }

    // The work CRS: the UTM zone of the centre of the roads.
    double min_lon = 180, max_lon = -180, min_lat = 90, max_lat = -90;
    for (const Point& p : lonlat) {
        min_lon = std::min(min_lon, p.x);
        max_lon = std::max(max_lon, p.x);
        min_lat = std::min(min_lat, p.y);
        max_lat = std::max(max_lat, p.y);
    }
    result.work_crs = !work_crs.empty() ? work_crs : utm_crs_for(0.5 * (min_lon + max_lon), 0.5 * (min_lat + max_lat));
    // For the automatic UTM zone, project with PROJ's fast transverse Mercator (+approx): within
    // a zone it agrees with the exact series to well under a millimetre. Given as PROJ strings,
    // neither end needs PROJ's database, whose first opening costs tens of milliseconds.
    const bool auto_utm = work_crs.empty();
    std::string source = "EPSG:4326";
    std::string projection = result.work_crs;
    if (auto_utm) {
        const std::string zone = result.work_crs.substr(8);  // "EPSG:326zz" / "EPSG:327zz"
        source = wgs84_lonlat_proj;
        projection = "+proj=utm +zone=" + std::to_string(std::stoi(zone)) +
                     (result.work_crs[7] == '7' ? " +south" : "") + " +datum=WGS84 +units=m +approx +type=crs";
    }
    result.projection = projection;
    result.projection_source = source;

    // Project the numbered nodes in place, in two halves on two threads when there is enough
    // to do (each thread its own PROJ object).
    RawNetwork& net = result.network;
    {
        const Transformer to_work(source, projection);
        const std::span<Point> all(lonlat);
        if (all.size() > 100000) {
            const std::size_t half = all.size() / 2;
            std::thread helper([&] { Transformer(source, projection).forward(all.subspan(half)); });
            to_work.forward(all.first(half));
            helper.join();
        } else {
            to_work.forward(all);
        }
    }
    net.nodes = std::move(lonlat);

    // Split ways at junctions; a way cut by the extract boundary ends at its last located node.
    // Every reference but a way's first and last starts at most one edge and ends another.
    const std::size_t edge_bound = store.first.back();
    net.edges.reserve(edge_bound);
    net.shape_first.reserve(edge_bound + 1);
    net.shape_points.reserve(2 * edge_bound);
    std::unordered_map<std::string, std::uint32_t> name_index{{"", 0}};
    for (std::size_t w = 0; w < store.way_ids.size(); ++w) {
        std::uint32_t name = 0;
        if (!store.names[w].empty()) {
            auto [it, fresh] = name_index.emplace(store.names[w], static_cast<std::uint32_t>(net.names.size()));
            if (fresh) net.names.push_back(store.names[w]);
            name = it->second;
        }
        const std::uint32_t end = store.first[w + 1];
        std::uint32_t i = store.first[w];
        while (i < end) {
            if (node_of[i] == invalid_index) {  // a node missing from the extract
                ++result.missing_nodes;
                ++i;
                continue;
            }
            // The edge runs from node i to the next junction or to the last node before a gap.
            std::uint32_t j = i + 1;
            while (j < end && node_of[j] != invalid_index && !is_junction[node_of[j]]) ++j;
            if (j == end || node_of[j] == invalid_index) --j;
            if (j > i) {
                RawEdge edge;
                edge.from = node_of[i];
                edge.to = node_of[j];
                edge.attributes = store.attributes[w];
                edge.name = name;
                edge.source = static_cast<std::uint32_t>(w);
                net.edges.push_back(edge);
                for (std::uint32_t k = i; k <= j; ++k) net.shape_points.push_back(net.nodes[node_of[k]]);
                net.shape_first.push_back(static_cast<std::uint32_t>(net.shape_points.size()));
            }
            i = j == i ? i + 1 : j;
        }
    }
    return result;
}

}  // namespace lifecircle::io
