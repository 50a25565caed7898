// Mosaic generator for the county-scale benchmark (bench_county):
//   build/bench/make_mosaic IN.osm.pbf N OUT.osm.pbf [--gap DEG] [--links K]
// Reads the nodes and the highway ways of IN (with their tags; relations are dropped) and writes
// an N x N mosaic: tile (i, j) is the input shifted by i * (width + gap) degrees of longitude
// and j * (height + gap) of latitude (width, height: the extent of the written nodes), with node
// and way ids offset by tile * 10^10 so they stay unique. Each pair of neighbouring tiles is then
// joined by K (default 20) new two-node `highway=primary` ways: from the node nearest to each of
// K evenly spaced points along the facing edge of one tile to the node nearest to the same point
// on the facing edge of the next tile. Candidates are the nodes of the largest connected set of
// walkable or drivable highway ways, so the mosaic is one connected network. Output sorted
// (nodes, then ways, by id); deterministic (the same input gives the same file).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <osmium/builder/osm_object_builder.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/io/any_output.hpp>
#include <osmium/memory/buffer.hpp>
#include <osmium/osm.hpp>

namespace {

using Tags = std::vector<std::pair<std::string, std::string>>;

struct InNode {
    std::int64_t id;
    std::int32_t x, y;  // osmium fixed-point coordinates (1e-7 degrees)
    Tags tags;
};
struct InWay {
    std::int64_t id;
    std::vector<std::int64_t> refs;
    Tags tags;
    bool routable = false;  // a walkable or drivable road
};

constexpr std::int64_t id_stride = 10'000'000'000LL;  // > every OSM id in 2015 data

Tags copy_tags(const osmium::TagList& tl) {
    Tags t;
    for (const osmium::Tag& tag : tl) t.emplace_back(tag.key(), tag.value());
    return t;
}

/** Highway values that are not a road anyone walks or drives on. */
bool routable_highway(const std::string& v) {
    static const std::set<std::string> no = {"proposed", "construction", "abandoned", "platform", "raceway",
                                             "bus_stop", "services",     "rest_area", "razed",    "disused",
                                             "no",       "elevator",     "bus_guideway"};
    return !v.empty() && no.count(v) == 0;
}

struct UnionFind {
    std::vector<std::uint32_t> parent;
    explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0u); }
    std::uint32_t find(std::uint32_t a) {
        while (parent[a] != a) a = parent[a] = parent[parent[a]];
        return a;
    }
    void unite(std::uint32_t a, std::uint32_t b) {
        a = find(a);
        b = find(b);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
};

void add_tags(osmium::builder::Builder& parent, const Tags& tags) {
    osmium::builder::TagListBuilder tb{parent};
    for (const auto& [k, v] : tags) tb.add_tag(k, v);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: make_mosaic IN.osm.pbf N OUT.osm.pbf [--gap DEG] [--links K]\n");
        return 2;
    }
    const std::string in_file = argv[1];
    const int n = std::atoi(argv[2]);
    const std::string out_file = argv[3];
    double gap_deg = 0.002;
    int links = 20;
    for (int i = 4; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--gap") gap_deg = std::atof(argv[i + 1]);
        else if (a == "--links") links = std::atoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "make_mosaic: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    if (n < 1 || n > 30 || links < 1 || gap_deg < 0) {
        std::fprintf(stderr, "make_mosaic: N must be 1..30, --links >= 1, --gap >= 0\n");
        return 2;
    }

    // 1. Read nodes and highway ways.
    std::vector<InNode> nodes;
    std::vector<InWay> ways;
    {
        osmium::io::Reader reader{in_file, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way};
        while (osmium::memory::Buffer buffer = reader.read()) {
            for (const osmium::OSMObject& obj : buffer.select<osmium::OSMObject>()) {
                if (obj.type() == osmium::item_type::node) {
                    const auto& nd = static_cast<const osmium::Node&>(obj);
                    if (!nd.location().valid()) continue;
                    nodes.push_back({nd.id(), nd.location().x(), nd.location().y(), copy_tags(nd.tags())});
                } else if (obj.type() == osmium::item_type::way) {
                    const auto& w = static_cast<const osmium::Way&>(obj);
                    const char* hw = w.tags()["highway"];
                    if (!hw) continue;
                    InWay iw{w.id(), {}, copy_tags(w.tags())};
                    const char* area = w.tags()["area"];
                    iw.routable = routable_highway(hw) && !(area && std::string(area) == "yes");
                    for (const osmium::NodeRef& r : w.nodes()) iw.refs.push_back(r.ref());
                    ways.push_back(std::move(iw));
                }
            }
        }
        reader.close();
    }
    std::sort(nodes.begin(), nodes.end(), [](const InNode& a, const InNode& b) { return a.id < b.id; });
    std::sort(ways.begin(), ways.end(), [](const InWay& a, const InWay& b) { return a.id < b.id; });
    nodes.erase(std::unique(nodes.begin(), nodes.end(), [](const InNode& a, const InNode& b) { return a.id == b.id; }),
                nodes.end());

    // Keep only the nodes the highway ways use.
    std::unordered_map<std::int64_t, std::uint32_t> index;  // node id -> position in nodes
    {
        std::unordered_map<std::int64_t, bool> used;
        for (const InWay& w : ways)
            for (std::int64_t r : w.refs) used[r] = true;
        std::vector<InNode> kept;
        for (InNode& nd : nodes)
            if (used.count(nd.id)) kept.push_back(std::move(nd));
        nodes = std::move(kept);
        for (std::uint32_t i = 0; i < nodes.size(); ++i) index[nodes[i].id] = i;
    }
    if (nodes.empty()) {
        std::fprintf(stderr, "make_mosaic: no highway nodes in %s\n", in_file.c_str());
        return 1;
    }
    for (const InNode& nd : nodes)
        if (nd.id >= id_stride) {
            std::fprintf(stderr, "make_mosaic: node id %lld too large for the id offsets\n",
                         static_cast<long long>(nd.id));
            return 1;
        }
    for (const InWay& w : ways)
        if (w.id >= id_stride) {
            std::fprintf(stderr, "make_mosaic: way id %lld too large\n", static_cast<long long>(w.id));
            return 1;
        }

    // 2. Extent and the largest connected set of routable ways' nodes.
    std::int32_t min_x = nodes[0].x, max_x = nodes[0].x, min_y = nodes[0].y, max_y = nodes[0].y;
    for (const InNode& nd : nodes) {
        min_x = std::min(min_x, nd.x);
        max_x = std::max(max_x, nd.x);
        min_y = std::min(min_y, nd.y);
        max_y = std::max(max_y, nd.y);
    }
    UnionFind uf(nodes.size());
    std::vector<char> on_road(nodes.size(), 0);
    for (const InWay& w : ways) {
        if (!w.routable) continue;
        std::int64_t prev = -1;
        for (std::int64_t r : w.refs) {
            const auto it = index.find(r);
            if (it == index.end()) {
                prev = -1;
                continue;
            }
            on_road[it->second] = 1;
            if (prev >= 0) uf.unite(static_cast<std::uint32_t>(prev), it->second);
            prev = it->second;
        }
    }
    std::vector<std::uint32_t> size(nodes.size(), 0);
    for (std::uint32_t i = 0; i < nodes.size(); ++i)
        if (on_road[i]) ++size[uf.find(i)];
    const std::uint32_t giant =
        static_cast<std::uint32_t>(std::max_element(size.begin(), size.end()) - size.begin());
    std::vector<std::uint32_t> candidates;
    for (std::uint32_t i = 0; i < nodes.size(); ++i)
        if (on_road[i] && uf.find(i) == giant) candidates.push_back(i);

    // Nearest candidate to a point (degrees, longitude scaled by cos(latitude)).
    const double cos_lat = std::cos((min_y + max_y) / 2.0 * 1e-7 * M_PI / 180.0);
    auto nearest = [&](double x, double y) {
        std::uint32_t best = candidates[0];
        double best_d = INFINITY;
        for (std::uint32_t c : candidates) {
            const double dx = (nodes[c].x - x) * cos_lat, dy = nodes[c].y - y;
            const double d = dx * dx + dy * dy;
            if (d < best_d) best_d = d, best = c;
        }
        return best;
    };
    // Facing-edge nodes: east/west (points spread in latitude), north/south (in longitude).
    std::vector<std::uint32_t> east, west, north, south;
    for (int k = 0; k < links; ++k) {
        const double f = (k + 0.5) / links;
        const double y = min_y + f * (max_y - min_y), x = min_x + f * (max_x - min_x);
        east.push_back(nearest(max_x, y));
        west.push_back(nearest(min_x, y));
        north.push_back(nearest(x, max_y));
        south.push_back(nearest(x, min_y));
    }

    const std::int64_t step_x = static_cast<std::int64_t>(max_x - min_x) + std::llround(gap_deg * 1e7);
    const std::int64_t step_y = static_cast<std::int64_t>(max_y - min_y) + std::llround(gap_deg * 1e7);
    if (min_x + step_x * (n - 1) + (max_x - min_x) > 1800000000LL ||
        min_y + step_y * (n - 1) + (max_y - min_y) > 850000000LL) {
        std::fprintf(stderr, "make_mosaic: the mosaic would leave the valid longitudes/latitudes\n");
        return 1;
    }

    // 3. Write: nodes of every tile, ways of every tile, then the connecting roads.
    osmium::io::Header header;
    header.set("generator", "lifecircle make_mosaic");
    header.add_box(osmium::Box(osmium::Location(min_x, min_y),
                               osmium::Location(static_cast<std::int32_t>(min_x + step_x * (n - 1) + (max_x - min_x)),
                                                static_cast<std::int32_t>(min_y + step_y * (n - 1) + (max_y - min_y)))));
    osmium::io::Writer writer{out_file, header, osmium::io::overwrite::allow};
    osmium::memory::Buffer buffer{1 << 20, osmium::memory::Buffer::auto_grow::yes};
    auto flush = [&](bool force) {
        if (force || buffer.committed() > (8u << 20)) {
            writer(std::move(buffer));
            buffer = osmium::memory::Buffer{1 << 20, osmium::memory::Buffer::auto_grow::yes};
        }
    };
    const int tiles = n * n;
    auto tile_offset = [](int t) { return static_cast<std::int64_t>(t) * id_stride; };
    std::size_t written_nodes = 0, written_ways = 0;
    for (int t = 0; t < tiles; ++t) {
        const int i = t % n, j = t / n;  // column (longitude), row (latitude)
        for (const InNode& nd : nodes) {
            {
                osmium::builder::NodeBuilder b{buffer};
                b.set_id(nd.id + tile_offset(t));
                b.set_version(1);
                b.set_visible(true);
                b.set_location(osmium::Location(static_cast<std::int32_t>(nd.x + step_x * i),
                                                static_cast<std::int32_t>(nd.y + step_y * j)));
                add_tags(b, nd.tags);
            }
            buffer.commit();
            ++written_nodes;
            flush(false);
        }
    }
    for (int t = 0; t < tiles; ++t) {
        for (const InWay& w : ways) {
            {
                osmium::builder::WayBuilder b{buffer};
                b.set_id(w.id + tile_offset(t));
                b.set_version(1);
                b.set_visible(true);
                {
                    osmium::builder::WayNodeListBuilder wb{b};
                    for (std::int64_t r : w.refs) wb.add_node_ref(osmium::NodeRef(r + tile_offset(t)));
                }
                add_tags(b, w.tags);
            }
            buffer.commit();
            ++written_ways;
            flush(false);
        }
    }
    // Connecting roads, ids after every tile's ways.
    std::int64_t link_id = tile_offset(tiles);
    std::size_t link_count = 0;
    std::vector<double> link_km;
    auto add_links = [&](int ta, int tb, const std::vector<std::uint32_t>& from, const std::vector<std::uint32_t>& to) {
        std::set<std::pair<std::uint32_t, std::uint32_t>> done;
        for (std::size_t k = 0; k < from.size(); ++k) {
            if (!done.insert({from[k], to[k]}).second) continue;
            {
                const auto& a = nodes[from[k]];
                const auto& b = nodes[to[k]];
                const double dx = (static_cast<double>(b.x) + static_cast<double>(step_x) * ((tb % n) - (ta % n)) - a.x) * cos_lat;
                const double dy = static_cast<double>(b.y) + static_cast<double>(step_y) * ((tb / n) - (ta / n)) - a.y;
                link_km.push_back(std::hypot(dx, dy) * 1e-7 * 111.195);
            }
            {
                osmium::builder::WayBuilder b{buffer};
                b.set_id(++link_id);
                b.set_version(1);
                b.set_visible(true);
                {
                    osmium::builder::WayNodeListBuilder wb{b};
                    wb.add_node_ref(osmium::NodeRef(nodes[from[k]].id + tile_offset(ta)));
                    wb.add_node_ref(osmium::NodeRef(nodes[to[k]].id + tile_offset(tb)));
                }
                add_tags(b, {{"highway", "primary"}, {"name", "mosaic link"}});
            }
            buffer.commit();
            ++link_count;
            flush(false);
        }
    };
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) {
            const int t = j * n + i;
            if (i + 1 < n) add_links(t, t + 1, east, west);   // to the tile east of it
            if (j + 1 < n) add_links(t, t + n, north, south); // to the tile north of it
        }
    flush(true);
    writer.close();
    std::sort(link_km.begin(), link_km.end());
    if (!link_km.empty())
        std::fprintf(stderr, "make_mosaic: connecting roads %.2f / %.2f / %.2f km (shortest / median / longest)\n",
                     link_km.front(), link_km[link_km.size() / 2], link_km.back());
    std::fprintf(stderr,
                 "make_mosaic: %d x %d tiles of %zu nodes and %zu highway ways (extent %.4f x %.4f deg, gap %.4f): "
                 "%zu nodes, %zu ways, %zu connecting roads -> %s\n",
                 n, n, nodes.size(), ways.size(), (max_x - min_x) * 1e-7, (max_y - min_y) * 1e-7, gap_deg,
                 written_nodes, written_ways + link_count, link_count, out_file.c_str());
    return 0;
}
