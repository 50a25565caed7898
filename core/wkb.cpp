#include "core/wkb.hpp"

#include <cstdint>
#include <cstring>

namespace lifecircle {

namespace {
void put_u32(std::vector<unsigned char>& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<unsigned char>(v >> (8 * i)));
}
void put_f64(std::vector<unsigned char>& out, double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<unsigned char>(bits >> (8 * i)));
}
constexpr unsigned char little_endian = 1;
constexpr std::uint32_t wkb_point_type = 1;
constexpr std::uint32_t wkb_linestring_type = 2;
constexpr std::uint32_t wkb_polygon_type = 3;
constexpr std::uint32_t wkb_multilinestring_type = 5;
constexpr std::uint32_t wkb_multipolygon_type = 6;
}  // namespace

std::vector<unsigned char> wkb_point(Point p) {
    std::vector<unsigned char> out{little_endian};
    put_u32(out, wkb_point_type);
    put_f64(out, p.x);
    put_f64(out, p.y);
    return out;
}

std::vector<unsigned char> wkb_multilinestring(std::span<const std::vector<Point>> lines) {
    std::vector<unsigned char> out{little_endian};
    put_u32(out, wkb_multilinestring_type);
    put_u32(out, static_cast<std::uint32_t>(lines.size()));
    for (const auto& line : lines) {
        out.push_back(little_endian);
        put_u32(out, wkb_linestring_type);
        put_u32(out, static_cast<std::uint32_t>(line.size()));
        for (const Point& p : line) {
            put_f64(out, p.x);
            put_f64(out, p.y);
        }
    }
    return out;
}

std::vector<unsigned char> wkb_multipolygon(
    std::span<const std::vector<std::vector<Point>>> polygons) {
    std::vector<unsigned char> out{little_endian};
    put_u32(out, wkb_multipolygon_type);
    put_u32(out, static_cast<std::uint32_t>(polygons.size()));
    for (const auto& rings : polygons) {
        out.push_back(little_endian);
        put_u32(out, wkb_polygon_type);
        put_u32(out, static_cast<std::uint32_t>(rings.size()));
        for (const auto& ring : rings) {
            put_u32(out, static_cast<std::uint32_t>(ring.size()));
            for (const Point& p : ring) {
                put_f64(out, p.x);
                put_f64(out, p.y);
            }
        }
    }
    return out;
}

}  // namespace lifecircle
