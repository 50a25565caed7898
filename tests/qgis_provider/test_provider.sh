#!/usr/bin/env bash
# The QGIS Processing provider (qgis_plugin/lifecircle_qgis) headless: `qgis_process run
# lifecircle:...` on the demo district gives the same figures, features, styles and files as the
# command line on the same layers; a demand layer in another CRS, the GCJ-02 option and a road
# layer instead of a network file work; then check_provider.py runs the provider inside PyQGIS
# (memory layers, messages, cancellation).
#
# Usage: bash tests/qgis_provider/test_provider.sh LIFECIRCLE_BINARY BUILD_DIR SOURCE_DIR
# Exit 0 = passed, 1 = failed, 77 = skipped (QGIS, PyQGIS or the Python module missing:
# scripts/install-deps.sh --test, and build with pybind11).
set -uo pipefail
lc=${1:?lifecircle binary} build=${2:?build dir} src=${3:?source dir}
python=/usr/bin/python3
demo=$src/demo

# Debian 12's /usr/bin/qgis_process is a wrapper that passes --noversioncheck (from
# /etc/default/qgis), which QGIS 3.22's qgis_process refuses ("Command --noversioncheck not
# known!"); the binary itself works.
qp=$(command -v qgis_process.bin || command -v qgis_process || true)
if [[ -z $qp ]] || ! QT_QPA_PLATFORM=offscreen "$python" -c "import qgis.core" 2>/dev/null; then
    echo "test_provider: skipped, QGIS is not installed (apt-get install qgis python3-qgis qgis-providers)"
    exit 77
fi
if ! PYTHONPATH=$build/python "$python" -c "import lifecircle" 2>/dev/null; then
    echo "test_provider: skipped, the lifecircle Python module is not built in $build/python (pybind11-dev)"
    exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A profile of our own (the user's QGIS settings stay untouched), the plugin from the source tree,
# the module from the build tree.
export QT_QPA_PLATFORM=offscreen QGIS_CUSTOM_CONFIG_PATH=$tmp/profile QGIS_PLUGINPATH=$src/qgis_plugin
export PYTHONPATH=$build/python XDG_RUNTIME_DIR=$tmp/runtime
mkdir -p "$tmp/runtime" && chmod 700 "$tmp/runtime"
failed=0
fail() { echo "test_provider: FAILED: $*" >&2; failed=1; }

"$qp" plugins enable lifecircle_qgis >"$tmp/enable.log" 2>&1 || { cat "$tmp/enable.log" >&2; fail "plugins enable"; }
"$qp" list >"$tmp/list.log" 2>&1
for alg in serviceareas matrix coverage suggest plan; do
    grep -q "lifecircle:$alg" "$tmp/list.log" || fail "lifecircle:$alg is not in qgis_process list"
done
[[ $failed -eq 0 ]] || { cat "$tmp/list.log" >&2; exit 1; }

qrun() {  # qrun NAME ALGORITHM PARAMETERS... : JSON result in $tmp/NAME.json
    local name=$1 alg=$2
    shift 2
    if ! "$qp" --json run "lifecircle:$alg" -- "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"; then
        cat "$tmp/$name.err" "$tmp/$name.json" >&2
        fail "qgis_process run lifecircle:$alg ($name)"
        return 1
    fi
}
crun() {  # crun VERB ARGS... : the command line, quiet
    "$lc" "$@" -q >"$tmp/cli.log" 2>&1 || { cat "$tmp/cli.log" >&2; fail "lifecircle $*"; return 1; }
}

# The data as QGIS layers: homes as points in WGS 84 and in CGCS2000 / 3-degree GK CM 117E
# (EPSG:4548), two districts, and the demo's roads as a line layer.
"$python" - "$demo" "$tmp" <<'PY' || { echo "test_provider: FAILED: making the layers" >&2; exit 1; }
import csv, json, sys
from osgeo import ogr, osr
demo, tmp = sys.argv[1:]
rows = list(csv.DictReader(open(f"{demo}/homes.csv", encoding="utf-8")))
wgs84 = osr.SpatialReference(); wgs84.ImportFromEPSG(4326); wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
gk = osr.SpatialReference(); gk.ImportFromEPSG(4548); gk.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
to_gk = osr.CoordinateTransformation(wgs84, gk)
for name, srs in (("homes", wgs84), ("homes_4548", gk)):
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(f"{tmp}/{name}.gpkg")
    layer = ds.CreateLayer("homes", srs, ogr.wkbPoint)
    for field, kind in (("id", ogr.OFTString), ("population", ogr.OFTInteger)):
        layer.CreateField(ogr.FieldDefn(field, kind))
    for r in rows:
        f = ogr.Feature(layer.GetLayerDefn())
        f["id"], f["population"] = r["id"], int(r["population"])
        x, y = float(r["lon"]), float(r["lat"])
        if srs is gk:
            x, y, _ = to_gk.TransformPoint(x, y)
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({x!r} {y!r})"))
        layer.CreateFeature(f)
    ds = None
lons = sorted(float(r["lon"]) for r in rows); lats = sorted(float(r["lat"]) for r in rows)
mid = (lons[150] + lons[151]) / 2
def rect(x0, x1):
    return [[[x0, lats[0] - 0.01], [x1, lats[0] - 0.01], [x1, lats[-1] + 0.01], [x0, lats[-1] + 0.01], [x0, lats[0] - 0.01]]]
features = [{"type": "Feature", "properties": {"name": n}, "geometry": {"type": "Polygon", "coordinates": rect(a, b)}}
            for n, a, b in (("西区", lons[0] - 0.01, mid), ("东区", mid, lons[-1] + 0.01))]
json.dump({"type": "FeatureCollection", "features": features}, open(f"{tmp}/districts.geojson", "w"), ensure_ascii=False)
PY
ogr2ogr -f GPKG "$tmp/roads.gpkg" "$demo/demo_district.osm" lines -nln roads -q ||
    { echo "test_provider: FAILED: ogr2ogr roads" >&2; exit 1; }

net=$demo/demo_district.osm
clinics=$demo/clinics.geojson

# 1. coverage: the same summary, tables and styles as the command line on the same layers.
crun coverage --network "$net" --facilities "$clinics" --demand "$tmp/homes.gpkg" --weight-field population \
    --minutes 10 --districts "$tmp/districts.geojson" --districts-out "$tmp/cli_districts.gpkg" \
    --out "$tmp/cli_cov.gpkg" --gaps "$tmp/cli_gaps.gpkg" --hex-m 150 --summary "$tmp/cli_cov.json"
qrun coverage coverage NETWORK="$net" FACILITIES="$clinics" DEMAND="$tmp/homes.gpkg" WEIGHT_FIELD=population \
    MINUTES=10 DISTRICTS="$tmp/districts.geojson" DISTRICTS_OUT="$tmp/q_districts.gpkg" OUTPUT="$tmp/q_cov.gpkg" \
    GAPS="$tmp/q_gaps.gpkg" HEX_M=150 SUMMARY="$tmp/q_cov.json"
# 2. the homes in another CRS, and the clinics read as GCJ-02, against the command line's
#    --facilities-crs gcj02 on the same files.
crun coverage --network "$net" --facilities "$clinics" --facilities-crs gcj02 --demand "$tmp/homes_4548.gpkg" \
    --weight-field population --minutes 10 --out "$tmp/cli_gcj.gpkg" --summary "$tmp/cli_gcj.json"
qrun gcj coverage NETWORK="$net" FACILITIES="$clinics" FACILITIES_CRS=gcj02 DEMAND="$tmp/homes_4548.gpkg" \
    WEIGHT_FIELD=population MINUTES=10 OUTPUT="$tmp/q_gcj.gpkg" SUMMARY="$tmp/q_gcj.json"
qrun crs coverage NETWORK="$net" FACILITIES="$clinics" DEMAND="$tmp/homes_4548.gpkg" WEIGHT_FIELD=population \
    MINUTES=10 OUTPUT="$tmp/q_crs.gpkg"
# 3. service areas.
crun isochrones --network "$net" --facilities "$clinics" --minutes 5,10,15 --out "$tmp/cli_iso.gpkg" \
    --lines "$tmp/cli_lines.gpkg"
qrun iso serviceareas NETWORK="$net" FACILITIES="$clinics" MINUTES=5,10,15 OUTPUT="$tmp/q_iso.gpkg" \
    LINES="$tmp/q_lines.gpkg"
# 4. a road layer instead of the network file.
crun isochrones --network "$tmp/roads.gpkg" --facilities "$clinics" --minutes 10 --split --out "$tmp/cli_roads.gpkg"
qrun roads serviceareas ROADS="$tmp/roads.gpkg" FACILITIES="$clinics" MINUTES=10 SHAPE=split \
    OUTPUT="$tmp/q_roads.gpkg"
# 5. matrix, suggest and plan.
crun matrix --network "$net" --from "$tmp/homes.gpkg" --to "$clinics" --max-minutes 20 --out "$tmp/cli_od.csv"
qrun matrix matrix NETWORK="$net" FROM="$tmp/homes.gpkg" TO="$clinics" MAX_MINUTES=20 OUTPUT="$tmp/q_od.csv"
crun suggest --network "$net" --facilities "$clinics" --demand "$tmp/homes.gpkg" --weight-field population \
    --candidates auto --count 2 --minutes 10 --out "$tmp/cli_sites.gpkg" --summary "$tmp/cli_sites.json"
qrun suggest suggest NETWORK="$net" FACILITIES="$clinics" DEMAND="$tmp/homes.gpkg" WEIGHT_FIELD=population \
    COUNT=2 MINUTES=10 OUTPUT="$tmp/q_sites.gpkg" SUMMARY="$tmp/q_sites.json"
cat >"$tmp/scenario.toml" <<EOF
title = "Clinics of the demo district"
[network]
file = "$net"
[demand]
file = "$tmp/homes.gpkg"
weight_fields = ["population"]
[[services]]
id = "clinics"
title = "10-minute clinics"
facilities = "$clinics"
minutes = 10
demand_group = "population"
EOF
crun plan "$tmp/scenario.toml" --out "$tmp/cli_plan"
qrun plan plan SCENARIO="$tmp/scenario.toml" OUT="$tmp/q_plan"
[[ $failed -eq 0 ]] || exit 1

"$python" - "$tmp" <<'PY' || failed=1
import json, sqlite3, sys
tmp = sys.argv[1]
problems = []
def check(ok, what):
    print(("  ok  " if ok else "  FAILED  ") + what)
    if not ok:
        problems.append(what)
def tables(path):
    db = sqlite3.connect(path)
    names = sorted(r[0] for r in db.execute("select table_name from gpkg_contents"))
    rows = {n: db.execute(f'select * from "{n}"').fetchall() for n in names}
    styles = dict(db.execute("select f_table_name, styleQML from layer_styles where useAsDefault"))
    return names, rows, styles
def result(name):
    return json.load(open(f"{tmp}/{name}.json"))["results"]
def load(name):
    return json.load(open(f"{tmp}/{name}"))

cli, q = load("cli_cov.json"), load("q_cov.json")
check(cli == q, "coverage: the summary equals the command line's")
check(json.loads(result("coverage")["SUMMARY_JSON"]) == cli, "coverage: SUMMARY_JSON is that summary")
share = cli["groups"]["population"]["coverage_share"]
r = result("coverage")
check(r["COVERAGE_SHARE"] == share and r["COVERED"] == cli["groups"]["population"]["covered"],
      f"coverage: COVERAGE_SHARE {r['COVERAGE_SHARE']:.4f}, COVERED {r['COVERED']:.0f} as the command line's")
check(r["OUTPUT"] == f"{tmp}/q_cov.gpkg|layername=demand", "coverage: OUTPUT names the demand layer")
for a, b in (("cli_cov", "q_cov"), ("cli_districts", "q_districts"), ("cli_gaps", "q_gaps")):
    t = tables(f"{tmp}/{b}.gpkg")
    check(t == tables(f"{tmp}/{a}.gpkg") and t[2], f"coverage: {b}.gpkg has the command line's tables and styles "
          f"({', '.join(t[0])})")
check(len(cli["districts"]) == 2 and all(d["population"]["total"] > 0 for d in cli["districts"]),
      "coverage: both districts have residents")

cli_gcj, q_gcj = load("cli_gcj.json"), load("q_gcj.json")
check(cli_gcj == q_gcj, "GCJ-02 clinics and EPSG:4548 homes: the summary equals --facilities-crs gcj02's")
check(cli_gcj["groups"] != cli["groups"], "GCJ-02: reading the clinics as GCJ-02 moves them (other figures)")
crs = json.loads(result("crs")["SUMMARY_JSON"])
a, b = crs["groups"]["population"], cli["groups"]["population"]
check(a["covered"] == b["covered"] and a["total"] == b["total"] and abs(a["mean_minutes"] - b["mean_minutes"]) < 1e-6,
      f"EPSG:4548 homes: the same figures as in WGS 84 ({a['covered']:.0f} of {a['total']:.0f})")

for a, b in (("cli_iso", "q_iso"), ("cli_lines", "q_lines"), ("cli_roads", "q_roads")):
    t = tables(f"{tmp}/{b}.gpkg")
    layer = [n for n in t[0] if n != "layer_styles"][0]
    check(t == tables(f"{tmp}/{a}.gpkg") and t[2] and len(t[1][layer]) > 0,
          f"service areas: {b}.gpkg equals the command line's ({layer}: {len(t[1][layer])} features, styled)")
check(result("iso")["OUTPUT"].endswith("q_iso.gpkg|layername=isochrones"), "service areas: OUTPUT names the layer")

check(open(f"{tmp}/cli_od.csv").read() == open(f"{tmp}/q_od.csv").read(), "matrix: the same CSV, byte for byte")
check(result("matrix")["PAIRS"] == sum(1 for _ in open(f"{tmp}/q_od.csv")) - 1, "matrix: PAIRS counts its lines")

s_cli, s_q = load("cli_sites.json"), load("q_sites.json")
same = all(s_cli[k] == s_q[k] for k in ("selected", "objective_value", "bound", "coverage_before", "coverage_after"))
check(same and len(s_q["selected"]) == 2, f"suggest: the same sites ({', '.join(s_q['selected'])}) and figures")
t = tables(f"{tmp}/q_sites.gpkg")
check(t == tables(f"{tmp}/cli_sites.gpkg") and t[2], "suggest: the sites layer equals the command line's, styled")

p_cli, p_q = load("cli_plan/summary.json"), load("q_plan/summary.json")
check(p_cli == p_q, "plan: summary.json equals the command line's")
import os
check(all(os.path.isfile(f"{tmp}/q_plan/{f}") for f in ("lifecircle.gpkg", "lifecircle.qgs", "report.html")),
      "plan: the folder holds lifecircle.gpkg, lifecircle.qgs and report.html")
check(json.loads(result("plan")["SUMMARY_JSON"]) == p_cli, "plan: SUMMARY_JSON is summary.json")
sys.exit(1 if problems else 0)
PY

# Inside PyQGIS: memory layers, selected features, messages, cancellation.
"$python" "$src/tests/qgis_provider/check_provider.py" "$lc" "$src" "$tmp" || failed=1

if [[ $failed -ne 0 ]]; then
    echo "test_provider: FAILED" >&2
    exit 1
fi
echo "test_provider: passed"
