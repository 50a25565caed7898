#pragma once
/** What is in a road network (`lifecircle network-info`, Python's `Network.info()`). */

#include <nlohmann/json.hpp>

#include "io/network.hpp"

namespace lifecircle::studies {

/**
 * Nodes, arcs usable by the first profile, km of road by class, connected components (the
 * largest and the first islands), the WGS 84 bounding box and the load time.
 */
nlohmann::ordered_json network_summary(const io::Network& net);

/** The summary as the text `lifecircle network-info` prints. */
std::string network_summary_text(const nlohmann::ordered_json& summary);

}  // namespace lifecircle::studies
