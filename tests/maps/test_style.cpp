#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "maps/style.hpp"

using lifecircle::GeometryKind;
using lifecircle::maps::graduated_qml;

namespace {

/**
 * A small XML well-formedness check: tags nest and balance, attribute values are quoted and
 * contain no raw '<', and there is exactly one root element. Returns "" or the first problem.
 */
std::string xml_problem(const std::string& xml) {
    std::vector<std::string> open;
    std::size_t roots = 0;
    std::size_t i = 0;
    while ((i = xml.find('<', i)) != std::string::npos) {
        if (xml.compare(i, 2, "<!") == 0 || xml.compare(i, 2, "<?") == 0) {
            i = xml.find('>', i);
            if (i == std::string::npos) return "unterminated declaration";
            continue;
        }
        const bool closing = xml.compare(i, 2, "</") == 0;
        std::size_t j = i + (closing ? 2 : 1);
        const std::size_t name_start = j;
        while (j < xml.size() && xml[j] != ' ' && xml[j] != '>' && xml[j] != '/' &&
               xml[j] != '\n') {
            ++j;
        }
        const std::string name = xml.substr(name_start, j - name_start);
        if (name.empty()) return "empty tag name at " + std::to_string(i);
        // Skip attributes, honouring quotes.
        char quote = 0;
        for (; j < xml.size(); ++j) {
            const char c = xml[j];
            if (quote != 0) {
                if (c == '<') return "raw '<' in an attribute of <" + name + ">";
                if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                break;
            }
        }
        if (j >= xml.size()) return "unterminated tag <" + name + ">";
        const bool self_closing = xml[j - 1] == '/';
        if (closing) {
            if (open.empty() || open.back() != name) return "unbalanced </" + name + ">";
            open.pop_back();
        } else if (!self_closing) {
            if (open.empty()) ++roots;
            open.push_back(name);
        } else if (open.empty()) {
            ++roots;
        }
        i = j + 1;
    }
    if (!open.empty()) return "<" + open.back() + "> is never closed";
    if (roots != 1) return std::to_string(roots) + " root elements";
    return "";
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("xml checker catches broken documents", "[style]") {
    CHECK(xml_problem("<a><b/></a>").empty());
    CHECK_FALSE(xml_problem("<a><b></a>").empty());
    CHECK_FALSE(xml_problem("<a x=\"<\"/>").empty());
    CHECK_FALSE(xml_problem("<a/><b/>").empty());
}

TEST_CASE("graduated polygon style for isochrones", "[style]") {
    const std::string qml = graduated_qml(GeometryKind::polygon, "minutes", {5, 10, 15}, "min");
    INFO(qml);
    CHECK(xml_problem(qml).empty());
    CHECK(qml.starts_with("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis "));
    CHECK(qml.find("version=\"3.28") != std::string::npos);
    CHECK(qml.find("styleCategories=\"AllStyleCategories\"") != std::string::npos);
    CHECK(qml.find("<renderer-v2 type=\"graduatedSymbol\" attr=\"minutes\"") != std::string::npos);

    // One class per break, labelled as planners read nested isochrones.
    CHECK(qml.find("<range lower=\"0\" upper=\"5\" symbol=\"0\" label=\"\xE2\x89\xA4 5 min\" "
                   "render=\"true\"/>") != std::string::npos);
    CHECK(qml.find("<range lower=\"5\" upper=\"10\" symbol=\"1\" label=\"\xE2\x89\xA4 10 min\"") !=
          std::string::npos);
    CHECK(qml.find("<range lower=\"10\" upper=\"15\" symbol=\"2\" label=\"\xE2\x89\xA4 15 min\"") !=
          std::string::npos);
    CHECK(count(qml, "<range ") == 3);
    CHECK(count(qml, "<symbol type=\"fill\"") == 3);
    CHECK(count(qml, "class=\"SimpleFill\"") == 3);

    // Green near, red far.
    CHECK(qml.find("name=\"color\" value=\"26,152,80,255\"") != std::string::npos);
    CHECK(qml.find("name=\"color\" value=\"215,48,39,255\"") != std::string::npos);

    // Far classes drawn first so near ones stay visible; the layer lets the base map through.
    CHECK(qml.find("enableorderby=\"1\"") != std::string::npos);
    CHECK(qml.find("<orderByClause asc=\"0\" nullsFirst=\"0\">\"minutes\"</orderByClause>") !=
          std::string::npos);
    CHECK(qml.find("<layerOpacity>0.6</layerOpacity>") != std::string::npos);
    CHECK(qml.find("<layerGeometryType>2</layerGeometryType>") != std::string::npos);
}

TEST_CASE("graduated line and point styles", "[style]") {
    const std::string lines = graduated_qml(GeometryKind::line, "minutes", {2.5, 7.5}, "min");
    CHECK(xml_problem(lines).empty());
    CHECK(count(lines, "<symbol type=\"line\"") == 2);
    CHECK(count(lines, "class=\"SimpleLine\"") == 2);
    CHECK(lines.find("name=\"line_color\" value=\"26,152,80,255\"") != std::string::npos);
    CHECK(lines.find("name=\"line_color\" value=\"215,48,39,255\"") != std::string::npos);
    CHECK(lines.find("upper=\"7.5\"") != std::string::npos);
    CHECK(lines.find("label=\"\xE2\x89\xA4 2.5 min\"") != std::string::npos);
    CHECK(lines.find("<layerOpacity>1</layerOpacity>") != std::string::npos);
    CHECK(lines.find("<layerGeometryType>1</layerGeometryType>") != std::string::npos);

    const std::string points = graduated_qml(GeometryKind::point, "seconds", {300}, "");
    CHECK(xml_problem(points).empty());
    CHECK(count(points, "<symbol type=\"marker\"") == 1);
    CHECK(points.find("attr=\"seconds\"") != std::string::npos);
    CHECK(points.find("label=\"\xE2\x89\xA4 300\"") != std::string::npos);
    CHECK(points.find("name=\"color\" value=\"26,152,80,255\"") != std::string::npos);
}

TEST_CASE("graduated style escapes awkward field names", "[style]") {
    const std::string qml = graduated_qml(GeometryKind::polygon, "t<\"&'>", {1, 2}, "h & m");
    INFO(qml);
    CHECK(xml_problem(qml).empty());
    CHECK(qml.find("attr=\"t&lt;&quot;&amp;&apos;&gt;\"") != std::string::npos);
    // In the expression the quote is doubled, then XML-escaped.
    CHECK(qml.find(">\"t&lt;\"\"&amp;'&gt;\"</orderByClause>") != std::string::npos);
    CHECK(qml.find("label=\"\xE2\x89\xA4 1 h &amp; m\"") != std::string::npos);
}

TEST_CASE("graduated style rejects bad breaks with a clear message", "[style]") {
    CHECK_THROWS_WITH(graduated_qml(GeometryKind::polygon, "minutes", {}, "min"),
                      Catch::Contains("no class breaks"));
    CHECK_THROWS_WITH(graduated_qml(GeometryKind::polygon, "", {5}, "min"),
                      Catch::Contains("field name is empty"));
    CHECK_THROWS_WITH(graduated_qml(GeometryKind::polygon, "minutes", {5, 5}, "min"),
                      Catch::Contains("strictly ascending, but 5 follows 5"));
    CHECK_THROWS_WITH(graduated_qml(GeometryKind::polygon, "minutes", {10, 5}, "min"),
                      Catch::Contains("5 follows 10"));
    CHECK_THROWS_WITH(graduated_qml(GeometryKind::polygon, "minutes",
                                    {5, std::numeric_limits<double>::infinity()}, "min"),
                      Catch::Contains("class break 2 is not a finite number"));
    CHECK_THROWS_AS(graduated_qml(GeometryKind::polygon, "minutes", {}, "min"),
                    std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// One style source for the report and QGIS.

namespace {

std::vector<std::string> all_of(const std::string& text, const std::string& attribute) {
    std::vector<std::string> out;
    const std::string key = attribute + "=\"";
    for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) {
        const std::size_t start = at + key.size();
        out.push_back(text.substr(start, text.find('"', start) - start));
    }
    return out;
}

/** "#rrggbb" as QGIS writes it, "r,g,b,255". */
std::string qgis(const std::string& hex) {
    const auto part = [&](int at) { return std::to_string(std::stoi(hex.substr(static_cast<std::size_t>(at), 2), nullptr, 16)); };
    return part(1) + "," + part(3) + "," + part(5) + ",255";
}

}  // namespace

TEST_CASE("gap classes: 10, 30, 60 and 100 % of the largest cell, light to dark red, units in the labels",
          "[style]") {
    using lifecircle::maps::gap_classes;
    const auto c = gap_classes("uncovered_pop_3_6", 2123, "人 persons");
    CHECK(c.field == "uncovered_pop_3_6");
    CHECK(c.breaks == std::vector<double>{213, 637, 1274, 2123});
    CHECK(c.colours == std::vector<std::string>{"#fcae91", "#fb6a4a", "#de2d26", "#a50f15"});
    CHECK(c.labels() == std::vector<std::string>{"≤ 213 人 persons", "213 – 637 人 persons", "637 – 1274 人 persons",
                                                 "1274 – 2123 人 persons"});
    // Few people: repeated breaks drop out, the darkest colours stay for the largest cells.
    const auto small = gap_classes("u", 3, "");
    CHECK(small.breaks == std::vector<double>{1, 2, 3});
    CHECK(small.colours == std::vector<std::string>{"#fb6a4a", "#de2d26", "#a50f15"});
    CHECK(small.labels().front() == "≤ 1");
}

TEST_CASE("the QML of a class set carries exactly its breaks, colours and labels", "[style]") {
    using namespace lifecircle::maps;
    const ClassBreaks gaps = gap_classes("uncovered_pop_total", 784, "人 persons");
    const std::string qml = classes_qml(GeometryKind::polygon, gaps, 0.75, false);
    CHECK(xml_problem(qml).empty());
    CHECK(all_of(qml, "upper") == std::vector<std::string>{"79", "236", "471", "784"});
    CHECK(all_of(qml, "label") == gaps.labels());
    std::vector<std::string> colours;
    for (const std::string& c : gaps.colours) colours.push_back(qgis(c));
    std::vector<std::string> fills;
    const std::string key = "name=\"color\" value=\"";
    for (std::size_t at = qml.find(key); at != std::string::npos; at = qml.find(key, at + 1))
        fills.push_back(qml.substr(at + key.size(), qml.find('"', at + key.size()) - at - key.size()));
    CHECK(fills == colours);
    CHECK(qml.find("<layerOpacity>0.75</layerOpacity>") != std::string::npos);

    const ClassBreaks areas = area_classes({15, 5, 10, 10}, "min 分钟");
    CHECK(areas.breaks == std::vector<double>{5, 10, 15});
    CHECK(areas.colours.front() == "#08519c");  // the nearest darkest
    const std::string aq = classes_qml(GeometryKind::polygon, areas, 0.35, true);
    CHECK(aq.find("<orderByClause asc=\"0\"") != std::string::npos);  // far first: near on top
    CHECK(all_of(aq, "label").front() == "≤ 5 min 分钟");
    ClassBreaks broken = areas;
    broken.colours.pop_back();
    CHECK_THROWS_WITH(classes_qml(GeometryKind::polygon, broken, 1, true), "graduated style: 3 breaks but 2 colours");
}

TEST_CASE("single-symbol styles with labels, road classes, residents as dots", "[style]") {
    using namespace lifecircle::maps;
    SimpleStyle st;
    st.fill = palette::facility;
    st.stroke = "#ffffff";
    st.label_field = "name";
    const std::string qml = simple_qml(GeometryKind::point, st);
    CHECK(xml_problem(qml).empty());
    CHECK(qml.find("labelsEnabled=\"1\"") != std::string::npos);
    CHECK(qml.find("<text-style fieldName=\"name\"") != std::string::npos);
    CHECK(qml.find("fontFamily=\"WenQuanYi Micro Hei\"") != std::string::npos);
    CHECK(qml.find("value=\"" + qgis(palette::facility) + "\"") != std::string::npos);
    SimpleStyle plain;
    CHECK(simple_qml(GeometryKind::polygon, plain).find("labelsEnabled=\"0\"") != std::string::npos);
    SimpleStyle named_colour;
    named_colour.stroke = "red";
    CHECK_THROWS_AS(simple_qml(GeometryKind::line, named_colour), std::invalid_argument);

    const std::string roads = line_categories_qml("main", {{"1", "main", "#6b6b6b", 0.7}, {"0", "road", "#9e9e9e", 0.25}}, "name");
    CHECK(xml_problem(roads).empty());
    CHECK(all_of(roads, "value").size() >= 2);
    CHECK(roads.find("placement=\"2\"") != std::string::npos);  // names along the lines

    const std::string residents = residents_qml(GeometryKind::polygon, "covered", "not covered");
    CHECK(xml_problem(residents).empty());
    CHECK(residents.find("class=\"CentroidFill\"") != std::string::npos);
    CHECK(residents.find("value=\"" + qgis(palette::covered) + "\"") != std::string::npos);
    CHECK(residents.find("value=\"" + qgis(palette::uncovered) + "\"") != std::string::npos);
    CHECK(residents_qml(GeometryKind::point, "a", "b").find("CentroidFill") == std::string::npos);
}
