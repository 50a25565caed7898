#!/usr/bin/env bash
# One command: install what is missing, build, and run the main jobs on the built-in demo
# district (demo/). Results land in out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
lc=build/lifecircle
mkdir -p out/demo
echo "== network-info (walk) =="
$lc network-info --network demo/demo_district.osm
echo
echo "== matrix: 300 homes x 3 clinics, walking, within 30 minutes =="
$lc matrix --network demo/demo_district.osm --from demo/homes.csv --to demo/clinics.geojson \
    --max-minutes 30 --out out/demo/od.csv
head -5 out/demo/od.csv
if $lc isochrones --help >/dev/null 2>&1; then
  echo
  echo "== isochrones: 5/10/15-minute walks around the clinics =="
  $lc isochrones --network demo/demo_district.osm --facilities demo/clinics.geojson --name-field name \
      --minutes 5,10,15 --out out/demo/clinic_isochrones.gpkg
  $lc isochrones --network demo/demo_district.osm --facilities demo/clinics.geojson --name-field name \
      --minutes 15 --split --out out/demo/clinic_catchments.geojson
fi
echo
echo "== coverage: who lives within 10 minutes' walk of a clinic (GB 50180 community health centre: 1,000 m) =="
$lc coverage --network demo/demo_district.osm --facilities demo/clinics.geojson --demand demo/homes.csv \
    --weight-field population --standard community-health-centre --minutes 10 \
    --out out/demo/coverage.gpkg --gaps out/demo/coverage.gpkg --hex-m 150 --summary out/demo/coverage.json
echo
echo "== suggest: two more clinics along the roads where the gaps are, with a bound on the answer =="
$lc suggest --network demo/demo_district.osm --facilities demo/clinics.geojson --demand demo/homes.csv \
    --weight-field population --candidates auto --candidate-spacing 100 --objective max-coverage --count 2 \
    --minutes 10 --out out/demo/suggested_clinics.gpkg --summary out/demo/suggest.json
echo
echo "Demo outputs are in out/demo/ (open the .gpkg in QGIS: layers come styled)."
