#include "core/polygon.hpp"

#include <algorithm>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

namespace lifecircle {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {
using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BBox = bg::model::box<BPoint>;
}  // namespace

bool contains(const MultiPolygonXY& polygon, Point p) {
    bool inside = false;
    for (const auto& part : polygon)
        for (const Ring& ring : part) {
            const std::size_t n = ring.size();
            for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
                const Point& a = ring[i];
                const Point& b = ring[j];
                if ((a.y > p.y) != (b.y > p.y) &&
                    p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x)
                    inside = !inside;
            }
        }
    return inside;
}

Box bounds(const MultiPolygonXY& polygon) {
    Box box;
    for (const auto& part : polygon)
        for (const Ring& ring : part)
            for (const Point& p : ring) box.extend(p);
    return box;
}

struct PolygonIndex::Tree {
    bgi::rtree<std::pair<BBox, std::uint32_t>, bgi::rstar<16>> tree;
};

PolygonIndex::PolygonIndex(std::vector<MultiPolygonXY> polygons)
    : m_polygons(std::move(polygons)), m_tree(std::make_unique<Tree>()) {
    std::vector<std::pair<BBox, std::uint32_t>> boxes;
    for (std::uint32_t i = 0; i < m_polygons.size(); ++i) {
        const Box b = bounds(m_polygons[i]);
        if (b.empty()) continue;
        boxes.push_back({BBox(BPoint(b.min.x, b.min.y), BPoint(b.max.x, b.max.y)), i});
    }
    m_tree->tree = decltype(m_tree->tree)(boxes.begin(), boxes.end());
}

PolygonIndex::~PolygonIndex() = default;
PolygonIndex::PolygonIndex(PolygonIndex&&) noexcept = default;
PolygonIndex& PolygonIndex::operator=(PolygonIndex&&) noexcept = default;

std::vector<std::uint32_t> PolygonIndex::containing(Point p) const {
    std::vector<std::uint32_t> out;
    const BPoint q(p.x, p.y);
    for (auto it = m_tree->tree.qbegin(bgi::intersects(q)); it != m_tree->tree.qend(); ++it)
        if (contains(m_polygons[it->second], p)) out.push_back(it->second);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace lifecircle
