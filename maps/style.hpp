#pragma once
/** QGIS layer styles (QML documents) for output layers, stored with them so they open styled. */

#include <initializer_list>
#include <string>
#include <vector>

#include "core/layer.hpp"

namespace lifecircle::maps {

/**
 * A graduated QGIS 3 style (QML) on a numeric field: one class per break, coloured from green
 * (near) through yellow to red (far), labelled "≤ 5 min", "≤ 10 min", ... Class i holds values
 * in [breaks[i-1], breaks[i]] (the first class starts at min(0, breaks[0])); QGIS gives a
 * value on a shared bound to the earlier class. Values above the last break are not drawn.
 *
 * Features are drawn in descending order of the field (an order-by clause), so nearer classes
 * lie on top of farther ones: nested isochrones and overlapping service areas show, at every
 * place, the smallest value. Polygons have an opaque fill with a darker outline and the whole
 * layer is drawn at 60 % opacity so the base map shows through without nested fills mixing;
 * lines get a graduated line colour; points a graduated circle.
 *
 * `field` is a field name (quoted for QGIS as needed), `breaks` the ascending upper bounds
 * (e.g. 5, 10, 15) and `unit_label` the unit shown in the legend ("min"; may be empty).
 * Throws std::invalid_argument if the field name is empty or the breaks are empty, not finite
 * or not strictly ascending. `high_is_good` turns the ramp round (a coverage share: red low,
 * green high) and draws high values on top.
 */
std::string graduated_qml(GeometryKind kind, const std::string& field,
                          const std::vector<double>& breaks, const std::string& unit_label,
                          bool high_is_good = false);

/**
 * Class breaks for counts of people: max(1, ⌈top·f⌉) for each fraction f (ascending, repeats
 * dropped), then max(1, ⌈top⌉) when it is above the last, so the largest value is always drawn.
 */
std::vector<double> fraction_breaks(double top, std::initializer_list<double> fractions);

/** One class of a categorised style: the field's value (as QGIS compares it), a label, a colour. */
struct Category {
    std::string value;
    std::string label;
    int r = 0;
    int g = 0;
    int b = 0;
};

/**
 * A categorised QGIS 3 style (QML) on a field: one symbol per category (e.g. covered 1 green,
 * 0 red), drawn in category order reversed so the first category ends on top. Throws
 * std::invalid_argument if the field name or the categories are empty.
 */
std::string categorized_qml(GeometryKind kind, const std::string& field,
                            const std::vector<Category>& categories);

// ---------------------------------------------------------------------------------------------
// One style source for the report's SVG maps and the QGIS project: the palette, the class
// breaks and the legend labels are made here once and written into both, so a planner sees
// the same colours, breaks and units in the meeting's printout and in QGIS.

/** The colours both the report and QGIS draw with ("#rrggbb"). */
namespace palette {
inline constexpr const char* covered = "#2c7fb8";      ///< residents covered
inline constexpr const char* uncovered = "#e34a33";    ///< residents not covered
inline constexpr const char* facility = "#08306b";     ///< an existing facility
inline constexpr const char* added_facility = "#6a51a3";  ///< a facility a variant adds
inline constexpr const char* site = "#d94801";         ///< a suggested site
inline constexpr const char* road_works = "#c51b8a";   ///< added or changed roads
inline constexpr const char* road = "#9e9e9e";         ///< roads
inline constexpr const char* main_road = "#6b6b6b";    ///< main roads (primary to tertiary)
inline constexpr const char* water = "#a6cee3";        ///< water areas
inline constexpr const char* waterway = "#4a90c2";     ///< rivers and canals
inline constexpr const char* label = "#1a1a1a";        ///< label text
}  // namespace palette

/** Graduated classes as both outputs draw them. */
struct ClassBreaks {
    std::string field;                 ///< the numeric field classified
    std::vector<double> breaks;        ///< strictly ascending upper bounds
    std::vector<std::string> colours;  ///< "#rrggbb", one per break
    /** The unit after each class label ("人 persons", "min"); may be empty. */
    std::string unit;

    /** The class labels: "≤ b0", then "b0 – b1", ... followed by the unit when there is one. */
    std::vector<std::string> labels() const;
};

/**
 * The gap map's classes for `field` (people not covered per hexagon): breaks at 10, 30, 60 and
 * 100 % of `top` (the largest cell, whole people, fraction_breaks), light to dark red.
 */
ClassBreaks gap_classes(const std::string& field, double top, const std::string& unit);

/** The service areas' classes on "minutes": one per break, the nearest darkest blue. */
ClassBreaks area_classes(std::vector<double> minutes, const std::string& unit);

/** The largest finite number in `field` of `layer` (0 when none): what gap_classes() needs. */
double field_max(const Layer& layer, const std::string& field);

/**
 * A graduated QGIS style (QML) with exactly these classes, colours and labels: polygons filled
 * opaque in a layer of `layer_opacity` (nested areas do not mix), drawn with the highest class
 * first (`far_first`: the nearest service area ends on top) or last (gaps: the worst cell on
 * top). Throws std::invalid_argument as graduated_qml() does, or when colours and breaks differ
 * in number.
 */
std::string classes_qml(GeometryKind kind, const ClassBreaks& classes, double layer_opacity, bool far_first);

/** A point, line or polygon drawn in one way, optionally labelled. */
struct SimpleStyle {
    std::string fill = "#808080";    ///< points and polygons; "none" = no fill
    std::string stroke = "#404040";  ///< lines, outlines
    double width_mm = 0.3;           ///< line width or outline width
    double size_mm = 2.6;            ///< point size
    /** "circle", "square", "triangle" or "star". */
    std::string shape = "circle";
    double layer_opacity = 1.0;
    /** A field to label each feature with (facility names, road names); empty = no labels. */
    std::string label_field;
    double label_size_pt = 9.0;
    /** Labels along lines (roads, rivers) rather than beside points. */
    bool label_along_lines = false;
};

/** A single-symbol QGIS style (QML), labelled when `style.label_field` is set. */
std::string simple_qml(GeometryKind kind, const SimpleStyle& style);

/**
 * A categorised style whose categories may be labelled, e.g. roads by class with names along
 * the main ones. Each category: value, legend label, colour, width (mm).
 */
struct LineCategory {
    std::string value, label, colour;
    double width_mm = 0.3;
};
/**
 * Residents coloured by `covered` (1 covered, 0 not) as the report draws them: a dot per point,
 * or at each polygon's centre (QGIS's centroid fill), so the layers beneath stay visible.
 */
std::string residents_qml(GeometryKind kind, const std::string& covered_label, const std::string& uncovered_label);

/** Lines categorised on `field`, labelled with `label_field` (empty = none). */
std::string line_categories_qml(const std::string& field, const std::vector<LineCategory>& categories,
                                const std::string& label_field);

}  // namespace lifecircle::maps
