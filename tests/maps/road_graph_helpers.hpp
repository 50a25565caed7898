#pragma once
// Hand-made walkable graphs for the service-area and split tests.

#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include "core/graph.hpp"

namespace lifecircle::test {

/** A walkable graph whose edge i is roads[i] (build_graph keeps usable edges in order). */
inline RoadGraph make_graph(const std::vector<std::vector<Point>>& roads) {
    RawNetwork raw;
    auto node = [&](Point p) {
        for (std::uint32_t i = 0; i < raw.nodes.size(); ++i)
            if (raw.nodes[i] == p) return i;
        raw.nodes.push_back(p);
        return static_cast<std::uint32_t>(raw.nodes.size() - 1);
    };
    for (const std::vector<Point>& road : roads) {
        RawEdge edge;
        edge.from = node(road.front());
        edge.to = node(road.back());
        edge.attributes.road_class = RoadClass::residential;
        raw.add_edge(edge, road);
    }
    RoadGraph graph = build_graph(std::move(raw), BuildOptions{});
    REQUIRE(graph.edge_count() == roads.size());
    return graph;
}

}  // namespace lifecircle::test
