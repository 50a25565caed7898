#pragma once
/**
 * Facilities of one kind (clinics, kindergartens, elderly meal points...) extracted from an
 * OpenStreetMap file as points. libosmium headers stay inside io/osm_facilities.cpp.
 */

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lifecircle::io {

/**
 * The kinds of facility read_osm_facilities() extracts, and the OpenStreetMap tags that make
 * an object one. An object is of a kind when ANY row of that kind matches; the first row that
 * matches is reported as OsmFacility::matched_tag. "a=x + b=y" needs both tags; "x/y" accepts
 * either value; a tag holding several values separated by ';' (social_facility:for=
 * senior;disabled) matches when one of them does. A "name~" row matches when name, name:zh or
 * name:zh-Hans contains one of the listed parts AND the object carries a facility tag
 * (amenity=* except parking* and pharmacy, healthcare=* except pharmacy, social_facility=*
 * or office=*), so that a bare building outline or a road named after a facility does not.
 *
 * | kind             | rule                                                              |
 * |------------------|-------------------------------------------------------------------|
 * | hospital         | amenity=hospital                                                  |
 * | hospital         | healthcare=hospital                                               |
 * | clinic           | amenity=clinic                                                    |
 * | clinic           | amenity=doctors                                                   |
 * | clinic           | healthcare=clinic/doctor/centre                                   |
 * | community-health | healthcare=centre                                                 |
 * | community-health | amenity=clinic/doctors + healthcare:speciality=general/community  |
 * | community-health | name~社区卫生服务 (中心, 站), 社区卫生站, 卫生服务站, 社区医院    |
 * | community-health | name~卫生院 (乡镇卫生院, township), 卫生室 (村卫生室, village)    |
 * | kindergarten     | amenity=kindergarten                                              |
 * | kindergarten     | amenity=childcare                                                 |
 * | meal-point       | social_facility=soup_kitchen + social_facility:for=senior/elderly |
 * | meal-point       | social_facility:for=senior/elderly + food=yes                     |
 * | meal-point       | name~助餐 (助餐点, 老年助餐), 长者饭堂, 长者食堂, 老年食堂        |
 * | meal-point       | name~老人食堂, 老年餐桌, 社区食堂                                 |
 * | elderly-care     | amenity=nursing_home                                              |
 * | elderly-care     | social_facility=nursing_home/assisted_living                      |
 * | elderly-care     | amenity=social_facility + social_facility:for=senior/elderly      |
 * | elderly-care     | name~养老院, 敬老院, 老年公寓, 养老中心, 养老服务, 养老驿站       |
 * | elderly-care     | name~养老照料, 日间照料, 托老所, 护理院                           |
 *
 * The kinds are independent: one object may be in several. A 社区卫生服务中心 tagged
 * amenity=hospital is a hospital and community-health; a soup kitchen for seniors is a
 * meal-point and, being a social facility for seniors, elderly-care.
 *
 * Left out on purpose: healthcare=pharmacy, dentist, optometrist, laboratory,
 * physiotherapist, alternative and the like from clinic (not where one sees a doctor), and
 * healthcare=hospital (its own kind); amenity=canteen and amenity=community_centre without a
 * meal name from meal-point (mostly workplace, school or event places, not meal services for
 * the elderly); the bare name part 老年 from elderly-care (老年大学 and 老年活动中心 are not
 * care).
 *
 * Capacity (OsmFacility::capacity, the raw tag value): beds=* then capacity=* for hospitals;
 * capacity=* then beds=* for elderly-care; capacity=* for the other kinds.
 */
enum class FacilityKind {
    hospital,
    clinic,
    community_health,
    kindergarten,
    meal_point,
    elderly_care
};

/** The kind for "hospital", "clinic", "community-health", "kindergarten", "meal-point" or
    "elderly-care" (underscores are accepted for the hyphens); nullopt otherwise. */
std::optional<FacilityKind> parse_facility_kind(std::string_view name);

/** The name parse_facility_kind() accepts, e.g. "community-health". */
std::string_view facility_kind_name(FacilityKind kind);

/** One facility found in OpenStreetMap. */
struct OsmFacility {
    /** "node", "way" or "relation": the type of the tagged OSM object. */
    std::string osm_type;
    /** The OSM id of that object. */
    std::int64_t osm_id = 0;
    /** name=* (UTF-8), empty if untagged. */
    std::string name;
    /**
     * The Chinese name: the first of name:zh, name:zh-Hans, name:zh-CN, name:zh-Hant and name
     * that contains a CJK character (name:zh sometimes holds an English name); empty if none.
     */
    std::string name_zh;
    /** WGS 84 longitude: the node itself, a point inside an area, or the mean of a way's or
        relation's node locations when no area could be built. */
    double lon = 0.0;
    /** WGS 84 latitude. */
    double lat = 0.0;
    /** Raw capacity tag value (see FacilityKind for which tags), empty if untagged. */
    std::string capacity;
    /** The table row that matched, e.g. "amenity=clinic", "healthcare=centre",
        "amenity=social_facility + social_facility:for=senior" or "name~养老院". */
    std::string matched_tag;
};

/**
 * Reads the facilities of one kind from an OpenStreetMap file (.osm, .osm.pbf, .osm.bz2,
 * .osm.gz, .o5m...). Nodes give their location. Closed ways and multipolygon relations are
 * assembled as areas and give a point inside them (the centroid of the largest outer ring
 * when it lies inside, otherwise the middle of the widest interior span through it). Ways
 * that are not closed, areas that cannot be assembled and other relations (e.g. type=site)
 * give the mean of their node locations (relation members: nodes and ways, one level);
 * objects without any located node are skipped. Sorted by (osm_type, osm_id).
 *
 * Throws InputError naming the file when it is missing or cannot be read.
 */
std::vector<OsmFacility> read_osm_facilities(const std::string& path, FacilityKind kind);

}  // namespace lifecircle::io
