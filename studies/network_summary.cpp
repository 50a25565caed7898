#include "studies/network_summary.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

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

std::string network_summary_text(const nlohmann::ordered_json& j) {
    std::string out;
    char buf[512];
    const auto line = [&](int n) {  // one snprintf into buf, appended
        if (n > 0) out.append(buf, std::min(static_cast<std::size_t>(n), sizeof buf - 1));
    };
    const auto str = [&](const char* k) { return j[k].get<std::string>(); };
    line(std::snprintf(buf, sizeof buf, "network      %s (%s)\n", str("network").c_str(),
                       str("format").c_str()));
    line(std::snprintf(buf, sizeof buf, "mode         %s\n", str("mode").c_str()));
    line(std::snprintf(buf, sizeof buf, "work CRS     %s\n", str("work_crs").c_str()));
    line(std::snprintf(buf, sizeof buf, "nodes        %zu\n", j["nodes"].get<std::size_t>()));
    line(std::snprintf(buf, sizeof buf, "arcs         %zu usable by %s (%zu edges)\n",
                       j["arcs"].get<std::size_t>(), str("mode").c_str(),
                       j["edges"].get<std::size_t>()));
    line(std::snprintf(buf, sizeof buf, "road         %.1f km\n", j["road_km"].get<double>()));
    for (const auto& [cls, km] : j["road_km_by_class"].items())
        line(std::snprintf(buf, sizeof buf, "  %-16s %9.1f km\n", cls.c_str(), km.get<double>()));
    const auto& small = j["smaller_components"];
    line(std::snprintf(
        buf, sizeof buf, "components   %zu (largest: %zu nodes, %.1f km; %zu smaller)\n",
        j["components"].get<std::size_t>(), j["largest_component_nodes"].get<std::size_t>(),
        j["largest_component_km"].get<double>(),
        j["components"].get<std::size_t>() > 0 ? j["components"].get<std::size_t>() - 1 : 0));
    for (std::size_t c = 0; c < small.size(); ++c)
        line(std::snprintf(
            buf, sizeof buf, "  component %-4zu %7zu nodes %8.2f km%s\n", c + 1,
            small[c]["nodes"].get<std::size_t>(), small[c]["km"].get<double>(),
            small[c]["island"].get<bool>() ? " (island: points do not snap here)" : ""));
    const auto& b = j["bbox_lonlat"];
    line(std::snprintf(buf, sizeof buf, "bbox         lon %.6f .. %.6f, lat %.6f .. %.6f\n",
                       b[0].get<double>(), b[2].get<double>(), b[1].get<double>(),
                       b[3].get<double>()));
    line(std::snprintf(buf, sizeof buf, "load time    %.2f s read + %.2f s build\n",
                       j["read_seconds"].get<double>(), j["build_seconds"].get<double>()));
    return out;
}

}  // namespace lifecircle::studies
