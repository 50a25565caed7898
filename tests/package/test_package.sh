#!/usr/bin/env bash
# Installs the build into a temporary prefix and builds and runs a tiny consumer against it with
# find_package(lifecircle CONFIG). Usage: test_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=${1:?build dir}
src=${2:?source dir}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$src/tests/package/consumer" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
    -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$tmp/consumer" -j2 >/dev/null
"$tmp/consumer/consumer"
# The README's example equals the command line's coverage on the demo district.
got=$("$tmp/consumer/coverage_study" "$src/demo/demo_district.osm" "$src/demo/clinics.geojson" "$src/demo/homes.csv")
echo "$got"
want=$("$build/lifecircle" coverage --network "$src/demo/demo_district.osm" --facilities "$src/demo/clinics.geojson" \
    --demand "$src/demo/homes.csv" --weight-field population --standard medical-15min --out "$tmp/c.geojson" -q |
    awk '$1 == "population" {print $3 " of " $2}')
[[ "$got" == "$want residents within 15 min walk (4.0 km/h)" ]] || { echo "README example gave '$got', coverage '$want'"; exit 1; }
echo "2 passed, 0 failed"
