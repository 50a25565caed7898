#include "io/osm_network.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <optional>
#include <utility>
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
#include "core/memory.hpp"
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

/** Every node of the file: ids and locations, in file order until sort_nodes(). */
struct NodeStore {
    std::vector<osmium::object_id_type> ids;
    std::vector<osmium::Location> locations;
    bool sorted = true;
};

/** The road ways: their node references, tags reduced to attributes, and names. */
struct WayStore {
    std::vector<std::int64_t> way_ids;
    std::vector<std::uint32_t> first{0};  ///< per way: offset into refs and node_of
    std::vector<osmium::object_id_type> refs;  ///< per way-node reference: the node id
    std::vector<std::uint32_t> node_of;   ///< per way-node reference: its number, invalid_index if unlocated
    std::vector<EdgeAttributes> attributes;
    std::vector<std::uint32_t> name;      ///< per way: index into names
    std::vector<std::string> names{""};   ///< distinct names, 0 = unnamed
    std::unordered_map<std::string, std::uint32_t> name_index{{"", 0}};
    std::vector<Point> lonlat;            ///< per number
    std::vector<std::uint8_t> is_junction;  ///< per number: used more than once, or a way end
};

/**
 * Reserves room for the nodes and way-node references a file of this size can hold, so the
 * arrays never grow by copying. Only the pages actually filled are ever touched; the rest is
 * address space. A PBF node takes at least ~4 bytes and a way-node reference at least one;
 * OSM XML takes tens of bytes for either. Compressed XML is not estimated.
 */
void reserve_for_file(const std::string& path, NodeStore& nodes, WayStore& ways) {
    std::error_code ec;
    const auto bytes = static_cast<std::size_t>(std::filesystem::file_size(path, ec));
    if (ec) return;
    std::size_t node_bound = 0;
    std::size_t ref_bound = 0;
    const std::string format = osm_format(path);
    if (format == "pbf") {
        node_bound = bytes / 4;
        ref_bound = bytes;
    } else if (format == "osm") {
        node_bound = bytes / 30;
        ref_bound = bytes / 15;
    }
    try {
        nodes.ids.reserve(node_bound);
        nodes.locations.reserve(node_bound);
        ways.refs.reserve(ref_bound);
    } catch (const std::bad_alloc&) {
        // Not that much address space: the arrays grow as they fill instead.
    }
}

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
 * Index of the first id >= `ref` in the sorted `ids`, searched outward from `hint` with
 * doubling steps (a galloping search): cheap when the answer is near the hint, as it is for
 * consecutive nodes of a way (mappers draw ways node after node).
 */
std::size_t gallop_lower_bound(const osmium::object_id_type* ids, std::size_t n, osmium::object_id_type ref,
                               std::size_t hint) {
    std::size_t lo = 0;
    std::size_t hi = n;
    if (hint < n && ids[hint] < ref) {
        lo = hint + 1;  // everything before lo is smaller than ref
        std::size_t step = 1;
        while (lo + step - 1 < n && ids[lo + step - 1] < ref) {
            lo += step;
            step *= 2;
        }
        hi = std::min(lo + step, n);
    } else if (hint < n) {
        hi = hint;  // ids[hi] >= ref
        std::size_t step = 1;
        while (hi >= step && ids[hi - step] >= ref) {
            hi -= step;
            step *= 2;
        }
        lo = hi >= step ? hi - step + 1 : 0;
    }
    return static_cast<std::size_t>(std::lower_bound(ids + lo, ids + hi, ref) - ids);
}

/**
 * For every way-node reference, the index of that node in the sorted node store, or
 * invalid_index when the file has no location for it. Ways are looked up in parallel, each
 * search starting at the previous hit.
 */
std::vector<std::uint32_t> find_way_nodes(const NodeStore& nodes, const WayStore& ways) {
    std::vector<std::uint32_t> slot;
    resize_prefaulted(slot, ways.refs.size());
    const auto* ids = nodes.ids.data();
    const std::size_t n = nodes.ids.size();
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, ways.way_ids.size(), 1024),
                      [&](const tbb::blocked_range<std::size_t>& range) {
        std::size_t hint = n / 2;
        for (std::size_t i = ways.first[range.begin()]; i < ways.first[range.end()]; ++i) {
            const std::size_t k = gallop_lower_bound(ids, n, ways.refs[i], hint);
            if (k < n && ids[k] == ways.refs[i]) {
                hint = k;
                slot[i] = nodes.locations[k].valid() ? static_cast<std::uint32_t>(k) : invalid_index;
            } else {
                slot[i] = invalid_index;
            }
        }
    });
    return slot;
}

/**
 * Numbers the distinct located way nodes in order of first use (so the passes after it read
 * memory in order rather than jumping around by OSM id), fills ways.node_of, ways.lonlat and
 * ways.is_junction: nodes used more than once (by two ways, or twice by one) and way ends.
 */
void number_way_nodes(const NodeStore& nodes, WayStore& ways) {
    ways.node_of = find_way_nodes(nodes, ways);
    ways.refs = {};
    std::vector<std::uint32_t> number;
    assign_prefaulted(number, nodes.ids.size(), std::uint32_t{invalid_index});
    reserve_prefaulted(ways.lonlat, nodes.ids.size());
    reserve_prefaulted(ways.is_junction, nodes.ids.size());
    for (std::uint32_t& slot : ways.node_of) {
        if (slot == invalid_index) continue;
        std::uint32_t& k = number[slot];
        if (k == invalid_index) {
            k = static_cast<std::uint32_t>(ways.lonlat.size());
            const osmium::Location& l = nodes.locations[slot];
            ways.lonlat.push_back({l.lon(), l.lat()});
            ways.is_junction.push_back(0);
        } else {
            ways.is_junction[k] = 1;
        }
        slot = k;
    }
    for (std::size_t w = 0; w + 1 < ways.first.size(); ++w) {
        for (const std::uint32_t end : {ways.node_of[ways.first[w]], ways.node_of[ways.first[w + 1] - 1]})
            if (end != invalid_index) ways.is_junction[end] = 1;
    }
}

/**
 * A broken coordinate (libosmium reads lat="1e308" as 0) puts a node thousands of kilometres
 * from its way: no road goes 200 km between two nodes, so such a segment is an InputError naming
 * the way and where the node lies.
 */
void check_way_segments(const WayStore& ways, const std::string& path) {
    constexpr double limit_m = 200000.0;
    const auto metres = [](Point a, Point b) {  // haversine on a sphere of 6371 km
        const double rad = 3.14159265358979323846 / 180.0;
        const double dlat = (b.y - a.y) * rad, dlon = (b.x - a.x) * rad;
        const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                         std::cos(a.y * rad) * std::cos(b.y * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
        return 2 * 6371000.0 * std::asin(std::min(1.0, std::sqrt(h)));
    };
    for (std::size_t w = 0; w + 1 < ways.first.size(); ++w) {
        std::uint32_t previous = invalid_index;
        for (std::size_t i = ways.first[w]; i < ways.first[w + 1]; ++i) {
            const std::uint32_t k = ways.node_of[i];
            if (k == invalid_index) continue;
            if (previous != invalid_index) {
                const double d = metres(ways.lonlat[previous], ways.lonlat[k]);
                if (d > limit_m) {
                    char buf[200];
                    std::snprintf(buf, sizeof buf,
                                  "two consecutive nodes of this way lie %.0f km apart (lon %.7f, lat %.7f and lon "
                                  "%.7f, lat %.7f)",
                                  d / 1000.0, ways.lonlat[previous].x, ways.lonlat[previous].y, ways.lonlat[k].x,
                                  ways.lonlat[k].y);
                    throw InputError(std::string(buf) +
                                     ": a coordinate is broken (a value such as 1e308 is read as 0); fix the node in "
                                     "an OSM editor or leave the way out")
                        .set_file(path)
                        .set_feature("way " + std::to_string(ways.way_ids[w]));
                }
            }
            previous = k;
        }
    }
}

/** Keeps every node and the road ways; their nodes are looked up after reading. */
class RoadHandler : public osmium::handler::Handler {
public:
    RoadHandler(const std::vector<ProfileSettings>& profiles, NodeStore& nodes, WayStore& ways)
        : m_profiles(profiles), m_nodes(nodes), m_ways(ways) {}

    void node(const osmium::Node& node) {
        if (m_nodes.ids.size() >= m_nodes_prefaulted) {
            prefault_ahead(m_nodes.ids);
            m_nodes_prefaulted = prefault_ahead(m_nodes.locations);
        }
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
        view.oneway_bicycle = tags["oneway:bicycle"];
        view.cycleway = tags["cycleway"];
        view.cycleway_both = tags["cycleway:both"];
        view.cycleway_left = tags["cycleway:left"];
        view.cycleway_right = tags["cycleway:right"];
        view.cycleway_left_oneway = tags["cycleway:left:oneway"];
        view.cycleway_right_oneway = tags["cycleway:right:oneway"];
        view.bridge = tags["bridge"];
        view.tunnel = tags["tunnel"];
        view.layer = tags["layer"];
        const EdgeAttributes attrs = osm_edge_attributes(view);
        bool usable = false;
        for (const ProfileSettings& p : m_profiles) {
            const Permission perm = permission(p, attrs);
            usable = usable || perm.forward || perm.backward;
        }
        if (!usable || way.nodes().size() < 2) return;
        if (m_ways.refs.size() + way.nodes().size() > m_refs_prefaulted) m_refs_prefaulted = prefault_ahead(m_ways.refs);
        for (const osmium::NodeRef& ref : way.nodes()) m_ways.refs.push_back(ref.ref());
        m_ways.first.push_back(static_cast<std::uint32_t>(m_ways.refs.size()));
        m_ways.way_ids.push_back(way.id());
        m_ways.attributes.push_back(attrs);
        const char* name = tags["name"];
        if (!name || !*name) name = tags["name:zh"];
        std::uint32_t index = 0;
        if (name && *name) {
            const auto [it, fresh] =
                m_ways.name_index.try_emplace(name, static_cast<std::uint32_t>(m_ways.names.size()));
            if (fresh) m_ways.names.emplace_back(name);
            index = it->second;
        }
        m_ways.name.push_back(index);
    }

private:
    /** Prefaults the next stretch of the array's reserved room; returns the size up to which
        it is prefaulted. The arrays fill one element at a time, so they are prefaulted in
        steps rather than all of a generous reservation at once. */
    template <class T>
    static std::size_t prefault_ahead(std::vector<T>& v) {
        constexpr std::size_t step_bytes = 1 << 20;
        const std::size_t until = std::min(v.capacity(), v.size() + step_bytes / sizeof(T));
        if (until > v.size()) prefault(v.data() + v.size(), (until - v.size()) * sizeof(T));
        return std::max(until, v.size() + 1);
    }

    const std::vector<ProfileSettings>& m_profiles;
    NodeStore& m_nodes;
    WayStore& m_ways;
    std::size_t m_nodes_prefaulted = 0;
    std::size_t m_refs_prefaulted = 0;
};

/**
 * Calls piece(way, i, j) for every edge of the road ways: from way-node reference i to
 * reference j, at junctions; a way cut by the extract boundary ends at its last located node.
 * Returns the number of references without a location.
 */
template <class Piece>
std::size_t for_each_piece(const WayStore& ways, Piece&& piece) {
    const std::vector<std::uint32_t>& node_of = ways.node_of;
    std::size_t missing = 0;
    for (std::size_t w = 0; w + 1 < ways.first.size(); ++w) {
        const std::uint32_t end = ways.first[w + 1];
        std::uint32_t i = ways.first[w];
        while (i < end) {
            if (node_of[i] == invalid_index) {  // a node missing from the extract
                ++missing;
                ++i;
                continue;
            }
            // The edge runs from node i to the next junction or to the last node before a gap.
            std::uint32_t j = i + 1;
            while (j < end && node_of[j] != invalid_index && !ways.is_junction[node_of[j]]) ++j;
            if (j == end || node_of[j] == invalid_index) --j;
            if (j > i) piece(w, i, j);
            i = j == i ? i + 1 : j;
        }
    }
    return missing;
}

/**
 * The one-way rule for bikes when it differs from the general one, following the OSM wiki
 * (Key:oneway:bicycle, Tag:cycleway=opposite*): oneway:bicycle wins; without it, a contraflow
 * cycle lane or track mapped on a one-way street (cycleway[:both|:left|:right]=opposite*, or
 * a side lane with cycleway:left/right:oneway=-1 or no) lets bikes ride against the flow.
 */
std::optional<Oneway> bike_oneway(const OsmTagView& t, Oneway general) {
    if (is_one_of(t.oneway_bicycle, {"no", "false", "0"})) return Oneway::no;
    if (is_one_of(t.oneway_bicycle, {"yes", "true", "1"})) return Oneway::forward;
    if (is_one_of(t.oneway_bicycle, {"-1", "reverse"})) return Oneway::reverse;
    if (general == Oneway::no) return std::nullopt;
    for (const char* side : {t.cycleway, t.cycleway_both, t.cycleway_left, t.cycleway_right}) {
        if (is_one_of(side, {"opposite", "opposite_lane", "opposite_track", "opposite_share_busway"}))
            return Oneway::no;
    }
    // A side lane running the other way (or both ways) on a one-way street.
    const std::string_view against = general == Oneway::forward ? "-1" : "yes";
    for (const char* side_oneway : {t.cycleway_left_oneway, t.cycleway_right_oneway}) {
        if (is_one_of(side_oneway, {against, "no"})) return Oneway::no;
    }
    return std::nullopt;
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
    a.bike_oneway = bike_oneway(t, a.oneway);
    // Off the ground: any bridge or tunnel value but "no" (yes, viaduct, building_passage...),
    // or a layer other than 0 (a road drawn above or below others without a bridge tag).
    const auto tagged = [](const char* v) { return v != nullptr && *v != '\0' && std::string_view(v) != "no"; };
    const bool layered = t.layer != nullptr && std::strtol(t.layer, nullptr, 10) != 0;
    a.bridge_or_tunnel = tagged(t.bridge) || tagged(t.tunnel) || layered;
    return a;
}

std::string osm_format(const std::string& path) {
    std::string lower = std::filesystem::path(path).filename().string();
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& [ext, format] : {std::pair<std::string_view, const char*>{".osm.pbf", "pbf"},
                                      {".pbf", "pbf"},
                                      {".osm.bz2", "osm.bz2"},
                                      {".osm.gz", "osm.gz"},
                                      {".osm", "osm"},
                                      {".osc", "osc"}}) {
        if (lower.ends_with(ext)) return format;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    char head[1024] = {};
    in.read(head, sizeof head);
    const auto n = static_cast<std::size_t>(in.gcount());
    const std::string_view bytes(head, n);
    // PBF: a 4-byte big-endian BlobHeader length, then field 1 (type, tag 0x0a) of length 9.
    if (n >= 15 && bytes[4] == '\x0a' && bytes[5] == '\x09' && bytes.substr(6, 9) == "OSMHeader")
        return "pbf";
    // XML: an optional BOM, an XML declaration and comments, then the <osm root element.
    std::size_t pos = bytes.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    while (pos < n) {
        pos = bytes.find('<', pos);
        if (pos == std::string_view::npos || pos + 1 >= n) return {};
        if (bytes[pos + 1] == '?' || bytes[pos + 1] == '!') {
            ++pos;
            continue;
        }
        const std::string_view root = bytes.substr(pos + 1, 4);
        return root == "osm>" || root == "osm " || root == "osm\t" || root == "osm\n" ||
                       root == "osm\r"
                   ? "osm"
                   : "";
    }
    return {};
}

bool is_osm_file(const std::string& path) { return !osm_format(path).empty(); }

OsmNetworkResult read_osm_network(const std::string& path, const std::vector<ProfileSettings>& profiles,
                                  const std::string& work_crs) {
    if (!std::filesystem::exists(path)) {
        throw InputError("cannot open: no such file; check the path of --network").set_file(path);
    }
    NodeStore nodes;
    WayStore store;
    try {
        reserve_for_file(path, nodes, store);
        RoadHandler roads(profiles, nodes, store);
        // Metadata (versions, users, timestamps) is not needed: skip decoding it.
        // The format comes from osm_format(): libosmium itself only knows lower-case suffixes.
        const osmium::io::File file(path, osm_format(path));
        osmium::io::Reader reader(file, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way,
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
    store.name_index = {};
    sort_nodes(nodes);
    number_way_nodes(nodes, store);
    nodes = {};
    if (store.lonlat.empty()) {
        throw InputError("no road has a located node: the file has ways but none of their nodes")
            .set_file(path);
    }
    check_way_segments(store, path);

    OsmNetworkResult result;
    result.ways_read = store.way_ids.size();
    result.way_ids = std::move(store.way_ids);
    const std::vector<std::uint32_t>& node_of = store.node_of;
    std::vector<Point>& lonlat = store.lonlat;

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

    // Split ways at junctions: count the pieces first so every array is allocated (and
    // prefaulted) once at its final size, then fill them.
    std::size_t edge_count = 0;
    std::size_t point_count = 0;
    result.missing_nodes = for_each_piece(store, [&](std::size_t, std::uint32_t i, std::uint32_t j) {
        ++edge_count;
        point_count += j - i + 1;
    });
    reserve_prefaulted(net.edges, edge_count);
    reserve_prefaulted(net.shape_first, edge_count + 1);
    reserve_prefaulted(net.shape_points, point_count);
    net.names = std::move(store.names);
    for_each_piece(store, [&](std::size_t w, std::uint32_t i, std::uint32_t j) {
        RawEdge edge;
        edge.from = node_of[i];
        edge.to = node_of[j];
        edge.attributes = store.attributes[w];
        edge.name = store.name[w];
        edge.source = static_cast<std::uint32_t>(w);
        net.edges.push_back(edge);
        for (std::uint32_t k = i; k <= j; ++k) net.shape_points.push_back(net.nodes[node_of[k]]);
        net.shape_first.push_back(static_cast<std::uint32_t>(net.shape_points.size()));
    });
    return result;
}

}  // namespace lifecircle::io
