#!/usr/bin/env bash
# One command: install what is missing, build, and run the main job on the built-in demo: a
# whole plan on a synthetic district (lifecircle demo -> out/demo/report.html), then each verb on
# the small district in demo/ (out/verbs/).
set -euo pipefail
cd "$(dirname "$0")/.."
# The program and the Python module the demo runs; the tests are built by scripts/test.sh.
bash scripts/build.sh
lc=build/lifecircle
echo "== demo: a synthetic district, a whole plan (service areas, coverage, seats, suggested sites, a what-if footbridge) =="
$lc demo --out out/demo --force
mkdir -p out/verbs
echo
echo "== network-info (walk) =="
$lc network-info --network demo/demo_district.osm
echo
echo "== matrix: 300 homes x 3 clinics, walking, within 30 minutes =="
$lc matrix --network demo/demo_district.osm --from demo/homes.csv --to demo/clinics.geojson \
    --max-minutes 30 --out out/verbs/od.csv
head -5 out/verbs/od.csv
if $lc isochrones --help >/dev/null 2>&1; then
  echo
  echo "== isochrones: 5/10/15-minute walks around the clinics =="
  $lc isochrones --network demo/demo_district.osm --facilities demo/clinics.geojson --facilities-name-field name \
      --minutes 5,10,15 --out out/verbs/clinic_isochrones.gpkg
  $lc isochrones --network demo/demo_district.osm --facilities demo/clinics.geojson --facilities-name-field name \
      --minutes 15 --split --out out/verbs/clinic_catchments.geojson
fi
echo
echo "== coverage: who lives within 10 minutes' walk of a clinic (GB 50180 community health centre: 1,000 m) =="
$lc coverage --network demo/demo_district.osm --facilities demo/clinics.geojson --demand demo/homes.csv \
    --weight-field population --standard community-health-centre --minutes 10 \
    --out out/verbs/coverage.gpkg --gaps out/verbs/coverage.gpkg --hex-m 150 --summary out/verbs/coverage.json
echo
echo "== suggest: two more clinics along the roads where the gaps are, with a bound on the answer =="
$lc suggest --network demo/demo_district.osm --facilities demo/clinics.geojson --demand demo/homes.csv \
    --weight-field population --candidates auto --candidate-spacing 100 --objective max-coverage --count 2 \
    --minutes 10 --out out/verbs/suggested_clinics.gpkg --summary out/verbs/suggest.json
echo
echo "== coverage in 3 shards here, merged exactly: what a province runs on a cluster (same summary, byte for byte) =="
$lc coverage --network demo/demo_district.osm --facilities demo/clinics.geojson --demand demo/homes.csv \
    --weight-field population --standard community-health-centre --minutes 10 \
    --out out/verbs/coverage_sharded.gpkg --gaps out/verbs/coverage_sharded.gpkg --hex-m 150 \
    --summary out/verbs/coverage_sharded.json --shards 3 --jobs 2
cmp out/verbs/coverage.json out/verbs/coverage_sharded.json && echo "the sharded summary is the whole run's"
echo
echo "== slurm: the same study as a Slurm array job of 16 shards and a merge job (--dry-run: the scripts only) =="
$lc slurm --shards 16 --out out/verbs/slurm_run --time 1:00:00 --mem 2G --dry-run -- coverage \
    --network demo/demo_district.osm --facilities demo/clinics.geojson --demand demo/homes.csv \
    --weight-field population --minutes 10 --out out/verbs/coverage_cluster.gpkg >out/verbs/slurm_scripts.txt
head -16 out/verbs/slurm_scripts.txt
if /usr/bin/python3 -c "import lifecircle" 2>/dev/null; then
  echo
  echo "== from Python: the same coverage, as arrays (import lifecircle) =="
  /usr/bin/python3 - <<'PY'
import lifecircle
net = lifecircle.Network("demo/demo_district.osm")
result = net.coverage("demo/clinics.geojson", "demo/homes.csv", weights="population",
                      standard="community-health-centre", minutes=10)
print(result)
print("minutes of the first five homes:", result.minutes[:5].round(1), "covered:", result.covered[:5])
PY
fi
echo
echo "The plan is in out/demo/ (open report.html in a browser, lifecircle.qgs in QGIS); each verb's outputs are in out/verbs/."
