#pragma once
// Porto Alegre's hexagon grid (shared data osm/porto_alegre_hexgrid.csv) for the study tests: its
// rows read once, and districts drawn as a grid over them.

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace lifecircle::test {

/** One hexagon: `id,lon,lat,population,schools,jobs,healthcare` as text, lon and lat as numbers. */
struct Hexagon {
    std::vector<std::string> cells;  ///< the seven columns (missing ones empty)
    double lon = 0, lat = 0;
    int healthcare() const { return cells[6].empty() ? 0 : std::stoi(cells[6]); }
};

/** The hexagons of the grid, in file order (empty when the file is missing). */
inline std::vector<Hexagon> porto_alegre_hexagons(const std::string& data_dir) {
    std::ifstream in(data_dir + "/osm/porto_alegre_hexgrid.csv");
    std::vector<Hexagon> out;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        Hexagon h;
        std::size_t a = 0;
        for (std::size_t b; (b = line.find(',', a)) != std::string::npos; a = b + 1) h.cells.push_back(line.substr(a, b - a));
        h.cells.push_back(line.substr(a));
        h.cells.resize(7);
        h.lon = std::stod(h.cells[1]);
        h.lat = std::stod(h.cells[2]);
        out.push_back(std::move(h));
    }
    return out;
}

/** A GeoJSON FeatureCollection of n x n rectangles ("district <k>", id "d<k>") over the hexagons'
    extent; the middle one (odd n) reaches `overlap` degrees into its western neighbour. */
inline std::string district_grid(const std::vector<Hexagon>& hexagons, int n, double overlap = 0.0) {
    double lon0 = 180, lon1 = -180, lat0 = 90, lat1 = -90;
    for (const Hexagon& h : hexagons) {
        lon0 = std::min(lon0, h.lon), lon1 = std::max(lon1, h.lon);
        lat0 = std::min(lat0, h.lat), lat1 = std::max(lat1, h.lat);
    }
    std::string features;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const bool middle = n % 2 == 1 && i == n / 2 && j == n / 2;
            const double a = lon0 + (lon1 - lon0) * i / n - (middle ? overlap : 0), b = lon0 + (lon1 - lon0) * (i + 1) / n;
            const double c = lat0 + (lat1 - lat0) * j / n, d = lat0 + (lat1 - lat0) * (j + 1) / n;
            char buf[400];
            std::snprintf(buf, sizeof buf,
                          "%s{\"type\":\"Feature\",\"properties\":{\"id\":\"d%d\",\"name\":\"district %d\"},"
                          "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],"
                          "[%.6f,%.6f],[%.6f,%.6f]]]}}",
                          features.empty() ? "" : ",", n * i + j, n * i + j, a, c, b, c, b, d, a, d, a, c);
            features += buf;
        }
    return "{\"type\":\"FeatureCollection\",\"features\":[" + features + "]}";
}

}  // namespace lifecircle::test
