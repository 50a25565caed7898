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

}  // namespace lifecircle::maps
