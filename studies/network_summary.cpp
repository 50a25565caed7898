#include "studies/network_summary.hpp"

#include <map>

#include "core/snap.hpp"

namespace lifecircle::studies {

nlohmann::ordered_json network_summary(const io::Network& net) {
    const RoadGraph& g = net.graph;
    const ProfileData& p = g.profiles.front();
    std::map<std::string, double> km_by_class;
    double total_km = 0;
    for (EdgeId e = 0; e < g.edge_count(); ++e) {
        const bool usable = p.arc_seconds[g.edge_forward_arc[e]] != forbidden_arc ||
                            p.arc_seconds[g.edge_backward_arc[e]] != forbidden_arc;
        if (!usable) continue;
        km_by_class[std::string(road_class_name(g.edge_class[e]))] += g.edge_length_m[e] / 1000.0;
        total_km += g.edge_length_m[e] / 1000.0;
    }
    std::size_t usable_arcs = 0;
    for (const float s : p.arc_seconds) usable_arcs += s != forbidden_arc;
    const Box ll = net.lonlat_bounds();
    nlohmann::ordered_json j;
    j["network"] = net.path;
    j["format"] = net.format;
    j["mode"] = std::string(mode_name(p.settings.mode));
    j["work_crs"] = net.work_crs;
    j["nodes"] = g.node_count();
    j["arcs"] = usable_arcs;
    j["edges"] = g.edge_count();
    j["road_km"] = total_km;
    j["road_km_by_class"] = km_by_class;
    j["components"] = p.component_size.size();
    j["largest_component_nodes"] = p.component_size.empty() ? 0 : p.component_size.front();
    j["largest_component_km"] = p.component_road_m.empty() ? 0.0 : p.component_road_m.front() / 1000.0;
    nlohmann::ordered_json islands = nlohmann::ordered_json::array();
    for (std::size_t c = 1; c < p.component_size.size() && c <= 5; ++c)
        islands.push_back({{"nodes", p.component_size[c]},
                           {"km", p.component_road_m[c] / 1000.0},
                           {"island", p.component_road_m[c] < SnapOptions{}.min_component_m}});
    j["smaller_components"] = islands;
    j["bbox_lonlat"] = {ll.min.x, ll.min.y, ll.max.x, ll.max.y};
    j["read_seconds"] = net.read_seconds;
    j["build_seconds"] = net.build_seconds;
    j["missing_nodes"] = net.missing_nodes;
    return j;
}

}  // namespace lifecircle::studies
