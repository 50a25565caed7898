#include "studies/network_parts.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "studies/shard_io.hpp"

namespace lifecircle::studies {

namespace {

constexpr std::string_view magic = "LCPARTS1";
constexpr int parts_version = 1;
/** Bytes of one road before its shape points. */
constexpr std::uint64_t edge_fixed_bytes = 4 + 4 + 4 + 4 * 8 + 8 + 8 + 3 * 4 + 4 + 4 + 4;
/** Bytes of one cell in the table: offset, bytes, count, box. */
constexpr std::uint64_t cell_bytes = 8 + 8 + 8 + 4 * 8;

bool meets(const Box& a, const Box& b) {
    return a.min.x <= b.max.x && b.min.x <= a.max.x && a.min.y <= b.max.y && b.min.y <= a.max.y;
}

Box shape_box(std::span<const Point> shape) {
    Box b;
    for (const Point& p : shape) b.extend(p);
    return b;
}

void put_attributes(BinaryWriter& w, const EdgeAttributes& a) {
    w.put<std::uint8_t>(static_cast<std::uint8_t>(a.road_class));
    w.put<std::int8_t>(static_cast<std::int8_t>(a.oneway));
    w.put<std::uint8_t>(a.bike_oneway ? 1 : 0);
    w.put<std::int8_t>(a.bike_oneway ? static_cast<std::int8_t>(*a.bike_oneway) : 0);
    for (const Access x : a.access) w.put<std::uint8_t>(static_cast<std::uint8_t>(x));
    w.put<std::uint8_t>(a.bridge_or_tunnel ? 1 : 0);
    w.put<double>(a.maxspeed_kmh);
    for (const float f : a.speed_factor) w.put<float>(f);
}

EdgeAttributes get_attributes(BinaryReader& r) {
    EdgeAttributes a;
    a.road_class = static_cast<RoadClass>(r.get<std::uint8_t>());
    a.oneway = static_cast<Oneway>(r.get<std::int8_t>());
    const bool bike = r.get<std::uint8_t>() != 0;
    const auto bike_value = static_cast<Oneway>(r.get<std::int8_t>());
    if (bike) a.bike_oneway = bike_value;
    for (Access& x : a.access) x = static_cast<Access>(r.get<std::uint8_t>());
    a.bridge_or_tunnel = r.get<std::uint8_t>() != 0;
    a.maxspeed_kmh = r.get<double>();
    for (float& f : a.speed_factor) f = r.get<float>();
    return a;
}

struct Header {
    nlohmann::json json;
    std::uint64_t names_offset = 0, sources_offset = 0, cells_offset = 0, data_offset = 0, size = 0;
    std::uint64_t cells = 0;
};

/** Reads `n` bytes at `offset`; InputError when the file ends early. */
std::string read_at(std::ifstream& in, const std::string& path, std::uint64_t offset, std::uint64_t n) {
    std::string out(n, '\0');
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(out.data(), static_cast<std::streamsize>(n));
    if (static_cast<std::uint64_t>(in.gcount()) != n)
        throw InputError("the network parts file is truncated (it ends early); plan the sharded run again")
            .set_file(path);
    return out;
}

Header read_header(std::ifstream& in, const std::string& path) {
    if (!in) throw InputError("cannot open the network parts file").set_file(path);
    const std::string head = read_at(in, path, 0, magic.size() + 8);
    if (head.compare(0, magic.size(), magic) != 0)
        throw InputError("this is not a network parts file of a sharded run (it does not start with " +
                         std::string(magic) + ")")
            .set_file(path);
    std::uint64_t length = 0;
    std::memcpy(&length, head.data() + magic.size(), 8);
    if (length > (64u << 20)) throw InputError("the network parts file's header is damaged").set_file(path);
    Header h;
    try {
        h.json = nlohmann::json::parse(read_at(in, path, magic.size() + 8, length));
        if (h.json.at("version").get<int>() != parts_version)
            throw InputError("the network parts file was written by another version of lifecircle; plan the sharded "
                             "run again")
                .set_file(path);
        h.names_offset = h.json.at("names_offset").get<std::uint64_t>();
        h.sources_offset = h.json.at("sources_offset").get<std::uint64_t>();
        h.cells_offset = h.json.at("cells_offset").get<std::uint64_t>();
        h.data_offset = h.json.at("data_offset").get<std::uint64_t>();
        h.size = h.json.at("size").get<std::uint64_t>();
        h.cells = h.json.at("cells").get<std::uint64_t>();
    } catch (const nlohmann::json::exception& e) {
        throw InputError(std::string("the network parts file's header is damaged (") + e.what() + ")").set_file(path);
    }
    in.clear();
    in.seekg(0, std::ios::end);
    if (static_cast<std::uint64_t>(in.tellg()) != h.size + 8)
        throw InputError("the network parts file is " + std::to_string(static_cast<long long>(in.tellg())) +
                         " bytes, its header says " + std::to_string(h.size + 8) +
                         ": it was cut short or changed; plan the sharded run again")
            .set_file(path);
    return h;
}

}  // namespace

std::uint64_t write_network_parts(const io::RawRoads& roads, double cell_m,
                                  const std::function<void(std::string_view)>& sink) {
    const RawNetwork& raw = roads.network;
    Box extent;
    for (const Point& p : raw.nodes) extent.extend(p);
    for (const Point& p : raw.shape_points) extent.extend(p);
    if (extent.empty()) extent = {{0, 0}, {0, 0}};
    const double width = extent.max.x - extent.min.x, height = extent.max.y - extent.min.y;
    const double cell = std::max({cell_m, width / 1024.0, height / 1024.0, 1.0});
    const auto nx = static_cast<std::uint64_t>(std::floor(width / cell)) + 1;
    const auto ny = static_cast<std::uint64_t>(std::floor(height / cell)) + 1;
    const std::size_t m = raw.edges.size();

    // Each road goes to the cell of its box's centre; the cells' roads are written cell by cell.
    std::vector<std::uint32_t> cell_of(m);
    std::vector<Box> cell_box(nx * ny);
    std::vector<std::uint64_t> cell_count(nx * ny, 0), cell_size(nx * ny, 0);
    for (std::size_t e = 0; e < m; ++e) {
        const Box b = shape_box(raw.shape(e));
        const auto cx = std::min<std::uint64_t>(
            nx - 1, static_cast<std::uint64_t>(std::max(0.0, std::floor((0.5 * (b.min.x + b.max.x) - extent.min.x) / cell))));
        const auto cy = std::min<std::uint64_t>(
            ny - 1, static_cast<std::uint64_t>(std::max(0.0, std::floor((0.5 * (b.min.y + b.max.y) - extent.min.y) / cell))));
        const auto c = static_cast<std::uint32_t>(cy * nx + cx);
        cell_of[e] = c;
        cell_box[c].extend(b.min);
        cell_box[c].extend(b.max);
        ++cell_count[c];
        cell_size[c] += edge_fixed_bytes + 16 * raw.shape(e).size();
    }
    std::vector<std::uint32_t> order(m);
    {
        std::vector<std::uint64_t> start(nx * ny + 1, 0);
        for (std::size_t c = 0; c < nx * ny; ++c) start[c + 1] = start[c] + cell_count[c];
        for (std::size_t e = 0; e < m; ++e) order[start[cell_of[e]]++] = static_cast<std::uint32_t>(e);
    }

    std::uint64_t names_bytes = 8, sources_bytes = 8 + 8 * roads.source_ids.size();
    for (const std::string& n : raw.names) names_bytes += 8 + n.size();
    nlohmann::json j;
    j["version"] = parts_version;
    j["path"] = roads.path;
    j["format"] = roads.format;
    j["work_crs"] = roads.work_crs;
    j["projection"] = roads.projection;
    j["projection_source"] = roads.projection_source;
    j["source_kind"] = roads.source_kind;
    j["edges"] = m;
    j["nodes"] = raw.nodes.size();
    j["extent"] = {extent.min.x, extent.min.y, extent.max.x, extent.max.y};
    j["cell_m"] = cell;
    j["nx"] = nx;
    j["ny"] = ny;
    j["cells"] = nx * ny;
    // Offsets depend on the header's own length: fill them with fixed-width numbers first.
    for (const char* key : {"names_offset", "sources_offset", "cells_offset", "data_offset", "size"})
        j[key] = std::uint64_t{1} << 62;
    const std::uint64_t header_bytes = j.dump().size();
    const std::uint64_t names_offset = magic.size() + 8 + header_bytes;
    const std::uint64_t sources_offset = names_offset + names_bytes;
    const std::uint64_t cells_offset = sources_offset + sources_bytes;
    const std::uint64_t data_offset = cells_offset + 8 + cell_bytes * nx * ny;
    std::uint64_t size = data_offset;
    for (const std::uint64_t s : cell_size) size += s;
    j["names_offset"] = names_offset;
    j["sources_offset"] = sources_offset;
    j["cells_offset"] = cells_offset;
    j["data_offset"] = data_offset;
    j["size"] = size;
    std::string header = j.dump();
    header.resize(header_bytes, ' ');  // smaller numbers than the placeholders: pad with blanks

    BinaryWriter w(sink);
    w.raw(magic);
    w.put<std::uint64_t>(header_bytes);
    w.raw(header);
    w.put_strings(raw.names);
    w.put_vector(roads.source_ids);
    w.put<std::uint64_t>(nx * ny);
    std::uint64_t offset = data_offset;
    for (std::size_t c = 0; c < nx * ny; ++c) {
        w.put<std::uint64_t>(offset);
        w.put<std::uint64_t>(cell_size[c]);
        w.put<std::uint64_t>(cell_count[c]);
        const Box& b = cell_box[c];
        for (const double v : {b.min.x, b.min.y, b.max.x, b.max.y}) w.put<double>(cell_count[c] ? v : 0.0);
        offset += cell_size[c];
    }
    for (const std::uint32_t e : order) {
        const RawEdge& edge = raw.edges[e];
        w.put<std::uint32_t>(e);
        w.put<std::uint32_t>(edge.from);
        w.put<std::uint32_t>(edge.to);
        for (const double v : {raw.nodes[edge.from].x, raw.nodes[edge.from].y, raw.nodes[edge.to].x, raw.nodes[edge.to].y})
            w.put<double>(v);
        put_attributes(w, edge.attributes);
        w.put<std::uint32_t>(edge.name);
        w.put<std::uint32_t>(edge.source);
        const std::span<const Point> shape = raw.shape(e);
        w.put<std::uint32_t>(static_cast<std::uint32_t>(shape.size()));
        for (const Point& p : shape) {
            w.put<double>(p.x);
            w.put<double>(p.y);
        }
    }
    if (w.offset() != size) throw std::logic_error("write_network_parts: the sizes do not add up");
    const std::uint64_t hash = w.hash();
    w.put<std::uint64_t>(hash);
    w.flush();
    return hash;
}

NetworkPartsInfo read_network_parts_info(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const Header h = read_header(in, path);
    NetworkPartsInfo info;
    try {
        info.path = h.json.at("path").get<std::string>();
        info.format = h.json.at("format").get<std::string>();
        info.work_crs = h.json.at("work_crs").get<std::string>();
        info.projection = h.json.at("projection").get<std::string>();
        info.projection_source = h.json.at("projection_source").get<std::string>();
        info.source_kind = h.json.at("source_kind").get<std::string>();
        info.edges = h.json.at("edges").get<std::size_t>();
        info.nodes = h.json.at("nodes").get<std::size_t>();
        const auto e = h.json.at("extent");
        info.extent = {{e.at(0).get<double>(), e.at(1).get<double>()}, {e.at(2).get<double>(), e.at(3).get<double>()}};
    } catch (const nlohmann::json::exception& e) {
        throw InputError(std::string("the network parts file's header is damaged (") + e.what() + ")").set_file(path);
    }
    const std::string tail = read_at(in, path, h.size, 8);
    std::memcpy(&info.hash, tail.data(), 8);
    return info;
}

io::RawRoads read_network_part(const std::string& path, const Box& region) {
    std::ifstream in(path, std::ios::binary);
    const Header h = read_header(in, path);
    const NetworkPartsInfo info = read_network_parts_info(path);
    io::RawRoads roads;
    roads.path = info.path;
    roads.format = info.format;
    roads.work_crs = info.work_crs;
    roads.projection = info.projection;
    roads.projection_source = info.projection_source;
    roads.source_kind = info.source_kind;

    // The cells whose roads' box meets the region, then their roads that meet it.
    const std::string table = read_at(in, path, h.cells_offset, 8 + cell_bytes * h.cells);
    BinaryReader cells(table, path);
    if (cells.get<std::uint64_t>() != h.cells) cells.damaged();
    struct Kept {
        std::uint32_t index;
        std::uint32_t from, to;
        Point from_xy, to_xy;
        EdgeAttributes attributes;
        std::uint32_t name, source;
        std::vector<Point> shape;
    };
    std::vector<Kept> kept;
    for (std::uint64_t c = 0; c < h.cells; ++c) {
        const auto offset = cells.get<std::uint64_t>();
        const auto bytes = cells.get<std::uint64_t>();
        const auto count = cells.get<std::uint64_t>();
        Box b;
        b.min.x = cells.get<double>();
        b.min.y = cells.get<double>();
        b.max.x = cells.get<double>();
        b.max.y = cells.get<double>();
        if (count == 0 || !meets(b, region)) continue;
        if (offset < h.data_offset || offset + bytes > h.size) cells.damaged();
        const std::string data = read_at(in, path, offset, bytes);
        BinaryReader r(data, path);
        for (std::uint64_t k = 0; k < count; ++k) {
            Kept e;
            e.index = r.get<std::uint32_t>();
            e.from = r.get<std::uint32_t>();
            e.to = r.get<std::uint32_t>();
            e.from_xy.x = r.get<double>();
            e.from_xy.y = r.get<double>();
            e.to_xy.x = r.get<double>();
            e.to_xy.y = r.get<double>();
            e.attributes = get_attributes(r);
            e.name = r.get<std::uint32_t>();
            e.source = r.get<std::uint32_t>();
            const auto n = r.get<std::uint32_t>();
            if (n > r.left() / 16) r.damaged();
            e.shape.resize(n);
            for (Point& p : e.shape) {
                p.x = r.get<double>();
                p.y = r.get<double>();
            }
            if (meets(shape_box(e.shape), region)) kept.push_back(std::move(e));
        }
    }
    std::sort(kept.begin(), kept.end(), [](const Kept& a, const Kept& b) { return a.index < b.index; });

    // Names and source ids: only those the kept roads use, in the whole file's order.
    const std::string names_block = read_at(in, path, h.names_offset, h.sources_offset - h.names_offset);
    BinaryReader names_reader(names_block, path);
    const std::vector<std::string> names = names_reader.get_strings();
    const std::string sources_block = read_at(in, path, h.sources_offset, h.cells_offset - h.sources_offset);
    BinaryReader sources_reader(sources_block, path);
    const std::vector<std::int64_t> sources = sources_reader.get_vector<std::int64_t>();

    RawNetwork& raw = roads.network;
    raw.names = {""};
    std::unordered_map<std::uint32_t, std::uint32_t> node_of, name_of, source_of;
    std::vector<std::uint32_t> used_names, used_sources;
    for (const Kept& e : kept) {
        if (e.name != 0 && name_of.emplace(e.name, 0).second) used_names.push_back(e.name);
        if (source_of.emplace(e.source, 0).second) used_sources.push_back(e.source);
    }
    std::sort(used_names.begin(), used_names.end());
    std::sort(used_sources.begin(), used_sources.end());
    for (const std::uint32_t n : used_names) {
        if (n >= names.size()) names_reader.damaged();
        name_of[n] = static_cast<std::uint32_t>(raw.names.size());
        raw.names.push_back(names[n]);
    }
    for (const std::uint32_t s : used_sources) {
        if (s >= sources.size()) sources_reader.damaged();
        source_of[s] = static_cast<std::uint32_t>(roads.source_ids.size());
        roads.source_ids.push_back(sources[s]);
    }
    const auto node = [&](std::uint32_t global, Point xy) {
        const auto [it, fresh] = node_of.emplace(global, static_cast<std::uint32_t>(raw.nodes.size()));
        if (fresh) raw.nodes.push_back(xy);
        return it->second;
    };
    raw.edges.reserve(kept.size());
    for (const Kept& e : kept) {
        RawEdge edge;
        edge.from = node(e.from, e.from_xy);
        edge.to = node(e.to, e.to_xy);
        edge.attributes = e.attributes;
        edge.name = e.name == 0 ? 0 : name_of[e.name];
        edge.source = source_of[e.source];
        raw.add_edge(edge, e.shape);
    }
    return roads;
}

}  // namespace lifecircle::studies
