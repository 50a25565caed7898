#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "maps/coverage_layers.hpp"

using namespace lifecircle;

TEST_CASE("The gap layer is styled by the uncovered weight of the service's own group", "[coverage][style]") {
    // Two cells: many uncovered people of all ages in the first, many uncovered children in
    // the second. A kindergarten's gap map (group 1, children) must grade by uncovered_children,
    // with classes from the children's largest cell (80), not everyone's (1000).
    std::vector<planners::GapCell> cells(2);
    cells[0].cell = {0, 0, {}};
    cells[0].uncovered = {1000.0, 10.0};
    cells[0].points = 3;
    cells[1].cell = {1, 0, {}};
    cells[1].uncovered = {200.0, 80.0};
    cells[1].points = 2;
    const std::vector<std::string> groups = {"everyone", "children"};

    const Layer children = maps::gaps_layer(cells, groups, 250.0, 1);
    CHECK(children.style_name == "uncovered children (graduated)");
    CHECK(children.qml.find("attr=\"uncovered_children\"") != std::string::npos);
    CHECK(children.qml.find("uncovered_everyone") == std::string::npos);
    CHECK(children.qml.find("upper=\"80") != std::string::npos);
    CHECK(children.qml.find("upper=\"1000") == std::string::npos);

    const Layer everyone = maps::gaps_layer(cells, groups, 250.0);
    CHECK(everyone.style_name == "uncovered everyone (graduated)");
    CHECK(everyone.qml.find("upper=\"1000") != std::string::npos);

    CHECK_THROWS_AS(maps::gaps_layer(cells, groups, 250.0, 2), std::invalid_argument);
}
