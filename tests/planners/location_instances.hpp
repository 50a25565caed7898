#pragma once
// Readers for the location-allocation instances with known optima in ../shared/data/location
// (Beasley's OR-Library p-median, Osman-Christofides capacitated p-median, the spopt San
// Francisco instance), shared by the tests and bench/bench_location.cpp.

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/time_table.hpp"

namespace lifecircle::instances {

struct Instance {
    std::string name;
    std::size_t n = 0;  ///< demand points
    std::size_t p = 0;  ///< sites to choose
    std::vector<double> weight;
    std::vector<double> capacity;        ///< per candidate (capacitated instances)
    std::vector<std::vector<double>> d;  ///< candidate x demand
    double optimum = std::numeric_limits<double>::quiet_NaN();
};

/** Dense candidate x demand table. */
inline TimeTable dense_table(const std::vector<std::vector<double>>& d, std::size_t cols) {
    std::vector<std::vector<TimeEntry>> rows(d.size());
    for (std::size_t j = 0; j < d.size(); ++j)
        for (std::size_t i = 0; i < cols; ++i)
            if (std::isfinite(d[j][i])) rows[j].push_back({static_cast<std::uint32_t>(i), static_cast<float>(d[j][i])});
    return TimeTable(std::move(rows), cols);
}

/** Beasley pmedN.txt: "n m p", then m lines "i j cost" of an undirected graph (the last of
    duplicate edges counts); distances = all-pairs shortest paths (Floyd-Warshall). */
inline Instance read_pmed(const std::string& path, double optimum) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    Instance x;
    std::size_t m = 0;
    in >> x.n >> m >> x.p;
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<std::vector<double>> d(x.n, std::vector<double>(x.n, inf));
    for (std::size_t i = 0; i < x.n; ++i) d[i][i] = 0;
    for (std::size_t k = 0; k < m; ++k) {
        std::size_t a = 0, b = 0;
        double c = 0;
        in >> a >> b >> c;
        d[a - 1][b - 1] = c;
        d[b - 1][a - 1] = c;
    }
    for (std::size_t k = 0; k < x.n; ++k)
        for (std::size_t i = 0; i < x.n; ++i) {
            if (!std::isfinite(d[i][k])) continue;
            for (std::size_t j = 0; j < x.n; ++j)
                if (d[i][k] + d[k][j] < d[i][j]) d[i][j] = d[i][k] + d[k][j];
        }
    x.d = std::move(d);
    x.weight.assign(x.n, 1.0);
    x.optimum = optimum;
    x.name = path.substr(path.find_last_of('/') + 1);
    x.name = x.name.substr(0, x.name.find('.'));
    return x;
}

/** pmed/optima.txt: "pmedN value" lines after a header. */
inline std::map<std::string, double> read_pmed_optima(const std::string& path) {
    std::ifstream in(path);
    std::map<std::string, double> out;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream s(line);
        std::string name;
        double v = 0;
        if (s >> name >> v) out[name] = v;
    }
    return out;
}

/** pmedcapN_M.txt: "instance optimum", "n p capacity", then n lines "id x y demand"; Euclidean
    distances truncated to integers (the published optima are sums of truncated distances: with
    real distances several would be below the relaxation). The instances' objective is sum of distances (not demand-weighted) with single
    sourcing; `d` here is the distance, the caller decides how to weight it. */
inline Instance read_pmedcap(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    Instance x;
    double id = 0, capacity = 0;
    in >> id >> x.optimum >> x.n >> x.p >> capacity;
    std::vector<double> px(x.n), py(x.n);
    x.weight.resize(x.n);
    for (std::size_t i = 0; i < x.n; ++i) {
        double k = 0;
        in >> k >> px[i] >> py[i] >> x.weight[i];
    }
    x.d.assign(x.n, std::vector<double>(x.n));
    for (std::size_t j = 0; j < x.n; ++j)
        for (std::size_t i = 0; i < x.n; ++i) x.d[j][i] = std::floor(std::hypot(px[j] - px[i], py[j] - py[i]));
    x.capacity.assign(x.n, capacity);
    x.name = path.substr(path.find_last_of('/') + 1);
    x.name = x.name.substr(0, x.name.find('.'));
    return x;
}

}  // namespace lifecircle::instances
