#!/usr/bin/env bash
# Installs every Debian 12 package lifecircle needs to build, test and benchmark.
# Safe to run again: apt-get skips what is already there.
set -euo pipefail

build_pkgs=(
  build-essential cmake pkg-config
  libgdal-dev gdal-bin        # vector/raster readers and writers, GeoPackage, CSV
  libgeos-dev                 # service-area polygons (C API, reentrant)
  libproj-dev                 # CRS transformations
  libboost-graph-dev          # CSR graph type and the reference Dijkstra in tests
  libosmium2-dev libprotozero-dev zlib1g-dev libbz2-dev libexpat1-dev  # OpenStreetMap input
  libcli11-dev                # command-line options
  nlohmann-json3-dev          # JSON output
  libtomlplusplus-dev         # the service-standards catalogue (standards/standards.toml)
  libtbb-dev                  # parallel loops over origins
  coinor-libcbc-dev           # exact MIP for site suggestion (suggest --exact)
  libxlsxwriter-dev           # the plan's tables.xlsx (numbers stored as numbers)
  catch2                      # unit tests (v2)
  python3                     # the command-line test checks its outputs with a few lines of Python
  pybind11-dev python3-dev    # the Python module (import lifecircle): pybind11's headers and CMake config, Python's headers
  python3-numpy               # the Python module's arrays in and out
  sqlite3                     # the command-line test looks into the GeoPackages it writes
  bsdutils                    # `script`: the command-line test runs a verb on a pseudo-terminal (progress lines)
)
test_pkgs=(
  chromium                    # the plan's report.html is loaded headless, network off (tests/report)
  python3-qgis qgis-providers # every plan layer and the .qgs project opened in real QGIS (tests/qgis)
  fonts-wqy-microhei          # Chinese names in the rendered report and QGIS screenshots
  python3-openpyxl            # tables.xlsx read back by an independent reader (tests/plan)
  strace                      # tests/fault: a file system failing every rename from mid-commit on (strace's fault injection)
  python3-pytest python3-geopandas python3-scipy  # the Python module's tests: GeoDataFrames in and out, sparse matrices
  qgis                        # qgis_process: the Processing provider's tests run lifecircle:... headless
  slurm-wlm munge             # tests/slurm: a one-node Slurm cluster (slurmctld, slurmd, munged) on localhost runs
                              # a sharded study as an array job; never needed to run lifecircle or the demo
)
bench_pkgs=(
  osmium-tool                 # baseline for load time
  python3-scipy python3-networkx python3-shapely  # baselines for searches and isochrones
  time
)

want=("${build_pkgs[@]}")
for arg in "$@"; do
  case "$arg" in
    --bench) want+=("${bench_pkgs[@]}") ;;
    --test) want+=("${test_pkgs[@]}") ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
