#include "io/osm_facilities.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

// GCC 12 reports a false -Wstringop-overread inside libosmium's area assembler (the user
// name copy in osm_object_builder.hpp) when it inlines it, despite the system include.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif
#include <osmium/area/assembler.hpp>
#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/memory/buffer.hpp>
#include <osmium/osm/area.hpp>
#include <osmium/osm/node.hpp>
#include <osmium/osm/relation.hpp>
#include <osmium/osm/way.hpp>
#include <osmium/visitor.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "core/error.hpp"
#include "io/osm_network.hpp"

namespace lifecircle::io {

namespace {

using Kind = FacilityKind;

/**
 * One row of the tag table: key=values, and when also_key is set also also_key=also_values.
 * Value lists are '|' separated. Keep in step with the table in osm_facilities.hpp.
 */
struct TagRule {
    Kind kind;
    std::string_view key;
    std::string_view values;
    std::string_view also_key = {};
    std::string_view also_values = {};
};

constexpr std::array tag_rules{
    TagRule{Kind::hospital, "amenity", "hospital"},
    TagRule{Kind::hospital, "healthcare", "hospital"},

    TagRule{Kind::clinic, "amenity", "clinic"},
    TagRule{Kind::clinic, "amenity", "doctors"},
    TagRule{Kind::clinic, "healthcare", "clinic|doctor|centre"},

    TagRule{Kind::community_health, "healthcare", "centre"},
    TagRule{Kind::community_health, "amenity", "clinic|doctors", "healthcare:speciality",
            "general|community"},

    TagRule{Kind::kindergarten, "amenity", "kindergarten"},
    TagRule{Kind::kindergarten, "amenity", "childcare"},

    TagRule{Kind::meal_point, "social_facility", "soup_kitchen", "social_facility:for",
            "senior|elderly"},
    TagRule{Kind::meal_point, "social_facility:for", "senior|elderly", "food", "yes"},

    TagRule{Kind::elderly_care, "amenity", "nursing_home"},
    TagRule{Kind::elderly_care, "social_facility", "nursing_home|assisted_living"},
    TagRule{Kind::elderly_care, "amenity", "social_facility", "social_facility:for",
            "senior|elderly"},
};

/** A name fragment that makes a facility of its kind (see the context rule in the header). */
struct NameRule {
    Kind kind;
    std::string_view fragment;
};

constexpr std::array name_rules{
    NameRule{Kind::community_health, "社区卫生服务"},  // 社区卫生服务中心 and 社区卫生服务站
    NameRule{Kind::community_health, "社区卫生站"},
    NameRule{Kind::community_health, "卫生服务站"},
    NameRule{Kind::community_health, "社区医院"},
    NameRule{Kind::community_health, "卫生院"},  // 乡镇卫生院: the rural counterpart
    NameRule{Kind::community_health, "卫生室"},  // 村卫生室

    NameRule{Kind::meal_point, "助餐"},  // 助餐点, 老年助餐, 养老助餐服务点
    NameRule{Kind::meal_point, "长者饭堂"},
    NameRule{Kind::meal_point, "长者食堂"},
    NameRule{Kind::meal_point, "老年食堂"},
    NameRule{Kind::meal_point, "老人食堂"},
    NameRule{Kind::meal_point, "老年餐桌"},
    NameRule{Kind::meal_point, "社区食堂"},

    NameRule{Kind::elderly_care, "养老院"},
    NameRule{Kind::elderly_care, "敬老院"},
    NameRule{Kind::elderly_care, "老年公寓"},
    NameRule{Kind::elderly_care, "养老中心"},
    NameRule{Kind::elderly_care, "养老服务"},
    NameRule{Kind::elderly_care, "养老驿站"},
    NameRule{Kind::elderly_care, "养老照料"},
    NameRule{Kind::elderly_care, "日间照料"},
    NameRule{Kind::elderly_care, "托老所"},
    NameRule{Kind::elderly_care, "护理院"},
};

constexpr std::array<std::pair<Kind, std::string_view>, 6> kind_names{{
    {Kind::hospital, "hospital"},
    {Kind::clinic, "clinic"},
    {Kind::community_health, "community-health"},
    {Kind::kindergarten, "kindergarten"},
    {Kind::meal_point, "meal-point"},
    {Kind::elderly_care, "elderly-care"},
}};

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

/** Calls f on each part of `list` separated by `separator`. */
template <typename F>
bool any_part(std::string_view list, char separator, F&& f) {
    while (true) {
        const auto cut = list.find(separator);
        if (f(trim(list.substr(0, cut)))) return true;
        if (cut == std::string_view::npos) return false;
        list.remove_prefix(cut + 1);
    }
}

/** Whether a tag value (maybe "a;b") holds one of the accepted values ("x|y"). */
bool value_matches(const char* value, std::string_view accepted) {
    if (value == nullptr) return false;
    return any_part(value, ';', [&](std::string_view v) {
        return any_part(accepted, '|', [&](std::string_view a) { return v == a; });
    });
}

/** Whether the object carries a tag that makes a name rule meaningful. */
bool has_facility_context(const osmium::TagList& tags) {
    if (const char* amenity = tags["amenity"]) {
        const std::string_view a(amenity);
        if (a.rfind("parking", 0) != 0 && a != "pharmacy") return true;
    }
    if (const char* healthcare = tags["healthcare"];
        healthcare != nullptr && std::strcmp(healthcare, "pharmacy") != 0)
        return true;
    return tags["social_facility"] != nullptr || tags["office"] != nullptr;
}

/** The table row the tags match for the kind, as text; empty when none does. */
std::string match(const osmium::TagList& tags, Kind kind) {
    for (const TagRule& rule : tag_rules) {
        if (rule.kind != kind) continue;
        const std::string key(rule.key);
        const char* value = tags[key.c_str()];
        if (!value_matches(value, rule.values)) continue;
        std::string text = key + "=" + value;
        if (!rule.also_key.empty()) {
            const std::string also_key(rule.also_key);
            const char* also = tags[also_key.c_str()];
            if (!value_matches(also, rule.also_values)) continue;
            text += " + " + also_key + "=" + also;
        }
        return text;
    }
    bool any_name_rule = false;
    for (const NameRule& rule : name_rules) any_name_rule = any_name_rule || rule.kind == kind;
    if (!any_name_rule || !has_facility_context(tags)) return {};
    for (const NameRule& rule : name_rules) {
        if (rule.kind != kind) continue;
        for (const char* key : {"name", "name:zh", "name:zh-Hans"}) {
            const char* name = tags[key];
            if (name != nullptr &&
                std::string_view(name).find(rule.fragment) != std::string_view::npos)
                return "name~" + std::string(rule.fragment);
        }
    }
    return {};
}

/** Whether the UTF-8 text holds a CJK ideograph. */
bool has_cjk(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::uint32_t cp = 0;
        std::size_t length = 1;
        if (c < 0x80) {
            cp = c;
        } else if ((c >> 5) == 0x6) {
            cp = c & 0x1Fu;
            length = 2;
        } else if ((c >> 4) == 0xE) {
            cp = c & 0x0Fu;
            length = 3;
        } else if ((c >> 3) == 0x1E) {
            cp = c & 0x07u;
            length = 4;
        } else {
            ++i;  // not UTF-8: skip the byte
            continue;
        }
        if (i + length > text.size()) break;
        for (std::size_t k = 1; k < length; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3Fu);
        if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
            (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF))
            return true;
        i += length;
    }
    return false;
}

std::string chinese_name(const osmium::TagList& tags) {
    for (const char* key : {"name:zh", "name:zh-Hans", "name:zh-CN", "name:zh-Hant", "name"}) {
        const char* value = tags[key];
        if (value != nullptr && has_cjk(value)) return value;
    }
    return {};
}

std::string capacity_of(const osmium::TagList& tags, Kind kind) {
    const auto first = [&](std::initializer_list<const char*> keys) -> std::string {
        for (const char* key : keys) {
            if (const char* value = tags[key]) return value;
        }
        return {};
    };
    if (kind == Kind::hospital) return first({"beds", "capacity"});
    if (kind == Kind::elderly_care) return first({"capacity", "beds"});
    return first({"capacity"});
}

/** The facility fields that come from the tags; coordinates are filled in later. */
OsmFacility describe(const char* osm_type, const osmium::OSMObject& object, Kind kind,
                     std::string matched) {
    OsmFacility f;
    f.osm_type = osm_type;
    f.osm_id = object.id();
    const osmium::TagList& tags = object.tags();
    if (const char* name = tags["name"]) f.name = name;
    f.name_zh = chinese_name(tags);
    f.capacity = capacity_of(tags, kind);
    f.matched_tag = std::move(matched);
    f.lon = std::numeric_limits<double>::quiet_NaN();
    f.lat = std::numeric_limits<double>::quiet_NaN();
    return f;
}

/** Running mean of locations. */
struct MeanLocation {
    double lon = 0.0;
    double lat = 0.0;
    std::size_t count = 0;

    void add(const osmium::Location& l) {
        if (!l.valid()) return;
        lon += l.lon();
        lat += l.lat();
        ++count;
    }
    /** Writes the mean into f; false when there was no location. */
    bool put(OsmFacility& f) const {
        if (count == 0) return false;
        f.lon = lon / static_cast<double>(count);
        f.lat = lat / static_cast<double>(count);
        return true;
    }
};

/** Adds the locations of a way's nodes, the closing node of a closed way once. */
void add_way(MeanLocation& mean, const osmium::Way& way) {
    const auto& nodes = way.nodes();
    std::size_t n = nodes.size();
    if (n > 1 && nodes.front().ref() == nodes.back().ref()) --n;
    for (std::size_t i = 0; i < n; ++i) mean.add(nodes[i].location());
}

// ---------------------------------------------------------------------------------------
// A point inside an area.

using XY = std::pair<double, double>;
using Ring = std::vector<XY>;

struct Polygon {
    Ring outer;
    std::vector<Ring> inners;
};

Ring ring_of(const osmium::NodeRefList& nodes) {
    Ring ring;
    ring.reserve(nodes.size());
    for (const auto& nr : nodes) {
        if (nr.location().valid()) ring.emplace_back(nr.location().lon(), nr.location().lat());
    }
    return ring;
}

std::vector<Polygon> polygons_of(const osmium::Area& area) {
    std::vector<Polygon> polygons;
    for (const auto& outer : area.outer_rings()) {
        Polygon p;
        p.outer = ring_of(outer);
        for (const auto& inner : area.inner_rings(outer)) p.inners.push_back(ring_of(inner));
        if (p.outer.size() >= 4) polygons.push_back(std::move(p));
    }
    return polygons;
}

double signed_area(const Ring& ring) {
    double a = 0.0;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++)
        a += ring[j].first * ring[i].second - ring[i].first * ring[j].second;
    return a / 2.0;
}

/** Area centroid of a ring; the vertex mean for a ring without area. */
XY centroid(const Ring& ring) {
    double a = 0.0;
    double cx = 0.0;
    double cy = 0.0;
    // Relative to the first vertex, for precision with coordinates far from (0, 0).
    const XY o = ring.front();
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const double xj = ring[j].first - o.first;
        const double yj = ring[j].second - o.second;
        const double xi = ring[i].first - o.first;
        const double yi = ring[i].second - o.second;
        const double cross = xj * yi - xi * yj;
        a += cross;
        cx += (xj + xi) * cross;
        cy += (yj + yi) * cross;
    }
    if (std::abs(a) < 1e-18) {
        XY mean{0.0, 0.0};
        for (const XY& p : ring) {
            mean.first += p.first;
            mean.second += p.second;
        }
        return {mean.first / static_cast<double>(ring.size()),
                mean.second / static_cast<double>(ring.size())};
    }
    return {o.first + cx / (3.0 * a), o.second + cy / (3.0 * a)};
}

bool in_ring(const Ring& ring, XY p) {
    bool inside = false;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const auto [xi, yi] = ring[i];
        const auto [xj, yj] = ring[j];
        if ((yi > p.second) != (yj > p.second) &&
            p.first < (xj - xi) * (p.second - yi) / (yj - yi) + xi)
            inside = !inside;
    }
    return inside;
}

bool in_polygon(const Polygon& polygon, XY p) {
    if (!in_ring(polygon.outer, p)) return false;
    return std::none_of(polygon.inners.begin(), polygon.inners.end(),
                        [&](const Ring& inner) { return in_ring(inner, p); });
}

/** The middle of the widest inside span of a horizontal line at y; false if none. */
bool widest_span_middle(const Polygon& polygon, double y, XY& out) {
    std::vector<double> xs;
    const auto crossings = [&](const Ring& ring) {
        for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
            const auto [xi, yi] = ring[i];
            const auto [xj, yj] = ring[j];
            if ((yi > y) != (yj > y)) xs.push_back(xi + (y - yi) * (xj - xi) / (yj - yi));
        }
    };
    crossings(polygon.outer);
    for (const Ring& inner : polygon.inners) crossings(inner);
    std::sort(xs.begin(), xs.end());
    double best = 0.0;
    for (std::size_t i = 0; i + 1 < xs.size(); i += 2) {
        const double width = xs[i + 1] - xs[i];
        if (width > best) {
            best = width;
            out = {(xs[i] + xs[i + 1]) / 2.0, y};
        }
    }
    return best > 0.0;
}

/**
 * A point inside the largest polygon: its outer ring's centroid when that is inside (not in
 * a hole), otherwise the middle of the widest span on a horizontal line through the centroid
 * or, failing that, through other heights of the bounding box.
 */
XY interior_point(const std::vector<Polygon>& polygons) {
    const Polygon* largest = &polygons.front();
    double largest_area = -1.0;
    for (const Polygon& p : polygons) {
        const double a = std::abs(signed_area(p.outer));
        if (a > largest_area) {
            largest_area = a;
            largest = &p;
        }
    }
    const XY c = centroid(largest->outer);
    if (in_polygon(*largest, c)) return c;
    XY out = c;
    if (widest_span_middle(*largest, c.second, out)) return out;
    double min_y = std::numeric_limits<double>::infinity();
    double max_y = -min_y;
    for (const XY& p : largest->outer) {
        min_y = std::min(min_y, p.second);
        max_y = std::max(max_y, p.second);
    }
    for (const double t : {0.5, 0.25, 0.75, 0.125, 0.375, 0.625, 0.875}) {
        if (widest_span_middle(*largest, min_y + t * (max_y - min_y), out)) return out;
    }
    return c;  // a degenerate ring: the centroid is as good as anything
}

/** Assembles an area and puts a point inside it into f; false when that fails. */
template <typename AssembleFn>
bool area_point(AssembleFn&& assemble, OsmFacility& f) {
    osmium::area::AssemblerConfig config;
    config.create_empty_areas = false;
    osmium::area::Assembler assembler{config};
    osmium::memory::Buffer buffer{1024, osmium::memory::Buffer::auto_grow::yes};
    try {
        if (!assemble(assembler, buffer)) return false;
    } catch (const osmium::invalid_location&) {
        return false;
    }
    for (const auto& area : buffer.select<osmium::Area>()) {
        const std::vector<Polygon> polygons = polygons_of(area);
        if (polygons.empty()) return false;
        const XY p = interior_point(polygons);
        f.lon = p.first;
        f.lat = p.second;
        return true;
    }
    return false;
}

// ---------------------------------------------------------------------------------------
// Reading.

/** A matching relation waiting for its members. */
struct PendingRelation {
    OsmFacility facility;
    std::size_t offset = 0;  ///< of the relation's copy in Collector::relations
    bool area = false;       ///< type=multipolygon or type=boundary
};

/** Pass 1: matching relations and the members they need. */
class RelationCollector : public osmium::handler::Handler {
public:
    explicit RelationCollector(Kind kind) : m_kind(kind) {}

    void relation(const osmium::Relation& relation) {
        std::string matched = match(relation.tags(), m_kind);
        if (matched.empty()) return;
        PendingRelation pending;
        pending.facility = describe("relation", relation, m_kind, std::move(matched));
        const char* type = relation.tags()["type"];
        pending.area = type != nullptr && (std::strcmp(type, "multipolygon") == 0 ||
                                           std::strcmp(type, "boundary") == 0);
        pending.offset = relations.committed();
        relations.add_item(relation);
        relations.commit();
        for (const auto& member : relation.members()) {
            if (member.type() == osmium::item_type::node) member_nodes.insert(member.ref());
            if (member.type() == osmium::item_type::way) member_ways.insert(member.ref());
        }
        pending_relations.push_back(std::move(pending));
    }

    osmium::memory::Buffer relations{4096, osmium::memory::Buffer::auto_grow::yes};
    std::vector<PendingRelation> pending_relations;
    std::unordered_set<osmium::object_id_type> member_nodes;
    std::unordered_set<osmium::object_id_type> member_ways;

private:
    Kind m_kind;
};

/** Pass 2: tagged nodes and ways, and copies of the members pass 1 asked for. */
class FacilityCollector : public osmium::handler::Handler {
public:
    FacilityCollector(Kind kind, const RelationCollector& relations)
        : m_kind(kind), m_relations(relations) {}

    void node(const osmium::Node& node) {
        if (m_relations.member_nodes.count(node.id()) != 0)
            node_locations.emplace(node.id(), node.location());
        std::string matched = match(node.tags(), m_kind);
        if (matched.empty() || !node.location().valid()) return;
        OsmFacility f = describe("node", node, m_kind, std::move(matched));
        f.lon = node.location().lon();
        f.lat = node.location().lat();
        found.push_back(std::move(f));
    }

    void way(const osmium::Way& way) {
        if (m_relations.member_ways.count(way.id()) != 0) {
            way_offsets.emplace(way.id(), ways.committed());
            ways.add_item(way);
            ways.commit();
        }
        std::string matched = match(way.tags(), m_kind);
        if (matched.empty()) return;
        OsmFacility f = describe("way", way, m_kind, std::move(matched));
        const auto& nodes = way.nodes();
        const bool closed = nodes.size() >= 4 && nodes.front().ref() == nodes.back().ref();
        const bool placed =
            closed && area_point([&](osmium::area::Assembler& a,
                                     osmium::memory::Buffer& b) { return a(way, b); },
                                 f);
        if (!placed) {
            MeanLocation mean;
            add_way(mean, way);
            if (!mean.put(f)) return;
        }
        found.push_back(std::move(f));
    }

    std::vector<OsmFacility> found;
    std::unordered_map<osmium::object_id_type, osmium::Location> node_locations;
    osmium::memory::Buffer ways{4096, osmium::memory::Buffer::auto_grow::yes};
    std::unordered_map<osmium::object_id_type, std::size_t> way_offsets;

private:
    Kind m_kind;
    const RelationCollector& m_relations;
};

/** Places each matching relation: as an area when complete, else by its members' mean. */
void place_relations(RelationCollector& relations, FacilityCollector& collector) {
    for (PendingRelation& pending : relations.pending_relations) {
        const auto& relation = relations.relations.get<osmium::Relation>(pending.offset);
        std::vector<const osmium::Way*> member_ways;
        bool complete = true;
        MeanLocation mean;
        for (const auto& member : relation.members()) {
            if (member.type() == osmium::item_type::node) {
                if (const auto it = collector.node_locations.find(member.ref());
                    it != collector.node_locations.end())
                    mean.add(it->second);
            } else if (member.type() == osmium::item_type::way) {
                const auto it = collector.way_offsets.find(member.ref());
                if (it == collector.way_offsets.end()) {
                    complete = false;
                    continue;
                }
                const auto& way = collector.ways.get<osmium::Way>(it->second);
                member_ways.push_back(&way);
                add_way(mean, way);
            }
        }
        OsmFacility& f = pending.facility;
        const bool placed =
            pending.area && complete && !member_ways.empty() &&
            area_point([&](osmium::area::Assembler& a,
                           osmium::memory::Buffer& b) { return a(relation, member_ways, b); },
                       f);
        if (placed || mean.put(f)) collector.found.push_back(std::move(f));
    }
}

using LocationIndex =
    osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;

}  // namespace

std::optional<FacilityKind> parse_facility_kind(std::string_view name) {
    std::string normalised(name);
    std::replace(normalised.begin(), normalised.end(), '_', '-');
    for (const auto& [kind, kind_name] : kind_names) {
        if (normalised == kind_name) return kind;
    }
    return std::nullopt;
}

std::string_view facility_kind_name(FacilityKind kind) {
    for (const auto& [k, kind_name] : kind_names) {
        if (k == kind) return kind_name;
    }
    return "unknown";
}

std::vector<OsmFacility> read_osm_facilities(const std::string& path, FacilityKind kind) {
    if (!std::filesystem::exists(path)) {
        throw InputError("the OpenStreetMap file does not exist: check the path").set_file(path);
    }
    try {
        // The format from the content too: libosmium only knows lower-case suffixes.
        const osmium::io::File file{path, osm_format(path)};

        RelationCollector relations{kind};
        {
            osmium::io::Reader reader{file, osmium::osm_entity_bits::relation};
            osmium::apply(reader, relations);
            reader.close();
        }

        FacilityCollector collector{kind, relations};
        {
            LocationIndex index;
            osmium::handler::NodeLocationsForWays<LocationIndex> locations{index};
            locations.ignore_errors();  // extracts cut ways at their edge
            osmium::io::Reader reader{file,
                                      osmium::osm_entity_bits::node | osmium::osm_entity_bits::way};
            osmium::apply(reader, locations, collector);
            reader.close();
        }
        place_relations(relations, collector);

        std::vector<OsmFacility> found = std::move(collector.found);
        std::sort(found.begin(), found.end(), [](const OsmFacility& a, const OsmFacility& b) {
            return std::tie(a.osm_type, a.osm_id) < std::tie(b.osm_type, b.osm_id);
        });
        return found;
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw InputError(std::string("cannot read the OpenStreetMap data (") + e.what() +
                         "): give an .osm, .osm.pbf, .osm.bz2 or .osm.gz file")
            .set_file(path);
    }
}

}  // namespace lifecircle::io
