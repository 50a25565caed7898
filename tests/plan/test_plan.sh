#!/usr/bin/env bash
# End-to-end checks of `lifecircle demo` and `lifecircle plan`: the outputs open in real QGIS and
# in headless Chromium, reruns are byte-identical, the what-if footbridge raises the far bank's
# coverage by what an independent run on a network with the footbridge drawn in gives, and bad
# scenarios fail clearly. Issue 18: the report framed on residents and facilities with water,
# labels, verdicts and the variants side by side (measured by Chromium), tables.xlsx read back
# by openpyxl, the QGIS project's classes equal to the report's, a PDF, absent facilities, a
# failed plan's folder, numeric CSV columns, snap_status, the GCJ-02 hint, progress, and the
# console table's alignment with Chinese names.
# Usage: LIFECIRCLE=path bash tests/plan/test_plan.sh SOURCE_DIR
set -uo pipefail
src=${1:?source dir}
lc=${LIFECIRCLE:?path to lifecircle}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
check() {
    local name=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $name" >&2; fi
}
run() {  # run EXPECTED_EXIT COMMAND...
    local want=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [[ $got -ne $want ]]; then
        echo "exit $got, wanted $want: $*" >&2
        sed 's/^/  stderr: /' "$tmp/err" >&2
        return 1
    fi
}
err_has() { grep -qF -- "$1" "$tmp/err" || { echo "stderr lacks '$1':" >&2; cat "$tmp/err" >&2; return 1; }; }
skip_ok() {  # runs a checker; exit 77 = the tool is not installed (counted as passed, said so)
    "$@"
    local rc=$?
    if [[ $rc -eq 77 ]]; then echo "skipped (not installed): $*" >&2; return 0; fi
    return $rc
}

py=/usr/bin/python3
check "demo" run 0 "$lc" demo --out "$tmp/demo" --progress
check "demo prints the report" grep -q "report.html" "$tmp/out"
for f in lifecircle.gpkg lifecircle.qgs summary.json report.html tables.xlsx geojson/clinics_demand.geojson \
         geojson/clinics_road_works_demand.geojson geojson/clinics_new_clinic_gaps.geojson \
         geojson/kindergartens_with_sites_gaps.geojson geojson/water.geojson geojson/roads.geojson \
         geojson/kindergartens_suggested_sites.geojson geojson/road_works.geojson data/scenario.toml; do
    check "demo wrote $f" test -s "$tmp/demo/$f"
done
check "demo: two suggested kindergartens, three variants, road works" python3 -c "
import json
s = json.load(open('$tmp/demo/summary.json'))
k = [x for x in s['services'] if x['id'] == 'kindergartens'][0]
assert len(k['suggest']['selected']) == 2, k['suggest']
assert k['suggest']['bound'] >= k['suggest']['objective_value'] - 1e-9
assert [v['id'] for v in k['variants']] == ['today', 'road_works', 'new_clinic'], k['variants']
assert s['road_works'] and s['variants'][1]['road_works'][0]['length_m'] > 190
"
# Progress off a terminal: a line per 10 % of the plan, the site search and the writing.
check "demo: progress lines" bash -c "grep -q 'lifecircle: plan: 100% (12/12)' '$tmp/err' &&
    grep -q 'lifecircle: site search: ' '$tmp/err' && grep -q 'lifecircle: writing the outputs: 100%' '$tmp/err'"
# The console table lines up with Chinese names in it (a CJK character is two columns wide).
check "demo: console table aligned by display width" $py -c "
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in s)
lines = [l for l in open('$tmp/out', encoding='utf-8').read().splitlines() if '%' in l or l.startswith('service')]
assert len(lines) == 4, lines
assert len({w(l) for l in lines}) == 1, [(w(l), l) for l in lines]
assert any(ord(c) > 0x2e80 for c in ''.join(lines))
"
check "demo opens in QGIS" skip_ok env QT_QPA_PLATFORM=offscreen $py "$src/tests/qgis/check_qgis.py" \
    "$tmp/demo/lifecircle.qgs" auto
check "demo project: the report's classes, roads, water, base map off, labels" skip_ok env QT_QPA_PLATFORM=offscreen \
    $py "$src/tests/qgis/check_plan_project.py" "$tmp/demo/lifecircle.qgs" "$tmp/demo/report.html" --water
check "demo report in Chromium" skip_ok bash "$src/tests/report/check_report.sh" "$tmp/demo/report.html"
check "demo report laid out: frames, water, labels, lang, verdicts, variants" skip_ok \
    $py "$src/tests/report/check_plan_report.py" "$tmp/demo/report.html" --water --panels 3 --services 3
check "report is offline" bash -c "! grep -qE 'https?://|<script|@import' '$tmp/demo/report.html' &&
    ! grep -qP 'url\\((?!#frame-)' '$tmp/demo/report.html'"
check "report has the Chinese names" grep -q "老年助餐点" "$tmp/demo/report.html"
check "report: group labels, the standard as run, the verdict's target and nature, road works in words" bash -c "
    grep -q '3–6岁儿童 children 3–6' '$tmp/demo/report.html' &&
    ! grep -q '>pop_3_6<' '$tmp/demo/report.html' &&
    grep -q '本方案调整 Overridden by the scenario: minutes 5 → 10; metres 300 → 500' '$tmp/demo/report.html' &&
    grep -q '全国观测值，用作对照，非法定标准' '$tmp/demo/report.html' &&
    grep -q '本方案自设目标 set by this scenario' '$tmp/demo/report.html' &&
    grep -qE '新建人行道，长 (199|200) 米，连接' '$tmp/demo/report.html' && ! grep -q 'source id' '$tmp/demo/report.html' &&
    grep -qE '新址1：[^<]+旁' '$tmp/demo/report.html' &&
    grep -q '<details class=\"table\">' '$tmp/demo/report.html' &&
    grep -q '人 / 150 m 六边形' '$tmp/demo/report.html'"
check "tables.xlsx read by openpyxl equals summary.json" skip_ok $py "$src/tests/plan/check_tables.py" "$tmp/demo"
# The checkers catch what they look for: a map framed on a tenth of its frame, a QGIS gap
# class of another colour.
$py - "$tmp/demo/report.html" "$tmp/shrunk.html" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
start = html.index('class="layer residents"')
end = html.index("</g>", start)
shrink = lambda m: '%s="%.1f"' % (m.group(1), 300 + (float(m.group(2)) - 300) * 0.1)
html = html[:start] + re.sub(r'(cx|cy)="([0-9.]+)"', shrink, html[start:end]) + html[end:]
start = html.index('class="layer facilities"')
end = html.index("</g>", start)
html = html[:start] + re.sub(r'(cx|cy)="([0-9.]+)"', shrink, html[start:end]) + html[end:]
open(sys.argv[2], "w", encoding="utf-8").write(html)
PY
check_fails() {  # check_fails EXPECTED_TEXT COMMAND...: the checker exits 1 and says so
    local want=$1
    shift
    "$@" >"$tmp/neg" 2>&1
    local rc=$?
    [[ $rc -eq 77 ]] && return 0
    [[ $rc -eq 1 ]] && grep -qF -- "$want" "$tmp/neg" || { echo "checker did not catch it (exit $rc):" >&2; cat "$tmp/neg" >&2; return 1; }
}
check "the report checker catches a wide margin" check_fails "more than 30 % margin" \
    $py "$src/tests/report/check_plan_report.py" "$tmp/shrunk.html" --water --panels 3
sed 's/252,174,145,255/26,152,80,255/' "$tmp/demo/lifecircle.qgs" >"$tmp/demo/recoloured.qgs"
check "the QGIS checker catches other colours" check_fails "clinics_gaps: QGIS classes" env QT_QPA_PLATFORM=offscreen \
    $py "$src/tests/qgis/check_plan_project.py" "$tmp/demo/recoloured.qgs" "$tmp/demo/report.html" --water
rm -f "$tmp/demo/recoloured.qgs"

# Reruns: byte-identical, and a rerun replaces its own outputs without --force.
cp -r "$tmp/demo" "$tmp/demo_first"
check "demo rerun" run 0 "$lc" demo --out "$tmp/demo"
check "demo rerun identical" diff -r "$tmp/demo" "$tmp/demo_first"
# An edited scenario survives a demo rerun (refused, naming it); --force writes the district again.
cp -r "$tmp/demo" "$tmp/demo_edit"
echo "# my edit" >>"$tmp/demo_edit/data/scenario.toml"
cp "$tmp/demo_edit/data/scenario.toml" "$tmp/edited.toml"
check "demo over an edited scenario refused" run 2 "$lc" demo --out "$tmp/demo_edit"
check "demo over an edited scenario message" err_has "data/scenario.toml); to run your edit: lifecircle plan"
check "the edit kept" cmp "$tmp/edited.toml" "$tmp/demo_edit/data/scenario.toml"
check "demo --force over the edit" run 0 "$lc" demo --out "$tmp/demo_edit" --force
check "demo --force wrote the district again" cmp "$tmp/demo_first/data/scenario.toml" "$tmp/demo_edit/data/scenario.toml"
rm -rf "$tmp/demo_edit"
# plan --example runs on the demo's data it names; a road work off the roads is named by its line.
mkdir -p "$tmp/example"
cp "$tmp/demo/data/"* "$tmp/example/"
"$lc" plan --example >"$tmp/example/example.toml"
check "plan --example on the demo data" run 0 "$lc" plan "$tmp/example/example.toml" --out "$tmp/example/out" -q
sed -i 's/116.3117215, 39.9753899/116.3117215, 39.9761/' "$tmp/example/example.toml"
check "a road work off the roads" run 3 "$lc" plan "$tmp/example/example.toml" --out "$tmp/example/out2" -q
check "a road work off the roads message" err_has "example.toml: line "
check "a road work off the roads names it" err_has "road work 'new footbridge (新建人行桥)': its first point (start) is"
rm -rf "$tmp/example"
# The report names what a capacity counts: meals at meal points, not school places.
cp -r "$tmp/demo" "$tmp/demo_meals"
$py - "$tmp/demo_meals/data" <<'PY'
import json, re, sys
d = sys.argv[1]
g = json.load(open(f"{d}/meal_points.geojson", encoding="utf-8"))
for f in g["features"]:
    f["properties"]["meals"] = 60
json.dump(g, open(f"{d}/meal_points.geojson", "w", encoding="utf-8"), ensure_ascii=False)
toml = open(f"{d}/scenario.toml", encoding="utf-8").read()
toml = toml.replace('facilities = "meal_points.geojson"', 'facilities = "meal_points.geojson"\ncapacity_field = "meals"')
open(f"{d}/scenario.toml", "w", encoding="utf-8").write(toml)
PY
check "plan with meals" run 0 "$lc" plan "$tmp/demo_meals/data/scenario.toml" --out "$tmp/demo_meals"
check "meals are 餐位" grep -qF "总餐位 meals 120" "$tmp/demo_meals/report.html"
check "seats stay 学位" grep -qF "总学位 seats 390" "$tmp/demo_meals/report.html"
rm -rf "$tmp/demo_meals"
# --pdf: report.pdf on A4 through Chromium, the same bytes on a rerun; without Chromium a
# message naming the package, and no folder left behind.
if command -v chromium >/dev/null; then
    check "demo --pdf" run 0 "$lc" demo --out "$tmp/pdf" --pdf
    check "demo --pdf is an A4 PDF" $py "$src/tests/report/check_plan_report.py" "$tmp/pdf/report.html" --pdf "$tmp/pdf/report.pdf" --water --panels 3
    cp "$tmp/pdf/report.pdf" "$tmp/first.pdf"
    check "demo --pdf rerun" run 0 "$lc" plan "$tmp/pdf/data/scenario.toml" --out "$tmp/pdf" --pdf
    check "demo --pdf rerun identical" cmp "$tmp/pdf/report.pdf" "$tmp/first.pdf"
fi
check "--pdf without Chromium" run 2 env LIFECIRCLE_CHROMIUM=/nonexistent "$lc" plan "$tmp/demo/data/scenario.toml" --out "$tmp/nopdf" --pdf
check "--pdf without Chromium: the message" err_has "--pdf prints the report with headless Chromium, which is not installed: install it (Debian: apt-get install chromium)"
check "--pdf without Chromium: no folder" test ! -e "$tmp/nopdf"

# The what-if: the footbridge edit against a network that has the footbridge for real.
check "independent coverage with the footbridge" run 0 "$lc" coverage \
    --network "$tmp/demo/data/district_with_footbridge.osm" --facilities "$tmp/demo/data/clinics.geojson" \
    --demand "$tmp/demo/data/compounds.geojson" --weight-field pop_total,pop_3_6,pop_60plus --standard medical-15min \
    --districts "$tmp/demo/data/communities.geojson" --district-field name --out "$tmp/indep.gpkg" \
    --summary "$tmp/indep.json"
check "footbridge raises the far bank by the independent amount" python3 -c "
import json
plan = json.load(open('$tmp/demo/summary.json'))
c = [x for x in plan['services'] if x['id'] == 'clinics'][0]
before, after = c['variants'][0], c['variants'][1]
ind = json.load(open('$tmp/indep.json'))
far = '新华社区'
b = [d for d in before['districts'] if d['district'] == far][0]['pop_total']['covered']
a = [d for d in after['districts'] if d['district'] == far][0]['pop_total']['covered']
i = [d for d in ind['districts'] if d['district'] == far][0]['pop_total']['covered']
assert a > b, (b, a)
assert abs(a - i) < 1e-6, ('plan after the edit', a, 'independent', i)
assert abs(after['groups']['pop_total']['covered'] - ind['groups']['pop_total']['covered']) < 1e-6
"

# A service whose facilities are absent is 0 % with a note, never an abort; a failed plan
# leaves no folder it created.
mkdir -p "$tmp/absent"
cp "$tmp/demo/data/"*.geojson "$tmp/demo/data/district.osm" "$tmp/absent/"
echo '{"type":"FeatureCollection","features":[]}' >"$tmp/absent/none.geojson"
cat >"$tmp/absent/s.toml" <<TOML
title = "absent"
[network]
file = "district.osm"
[demand]
file = "compounds.geojson"
weight_fields = ["pop_total", "pop_3_6"]
[[services]]
id = "empty_file"
facilities = "none.geojson"
minutes = 10
[[services]]
id = "osm_hospitals"
osm_kind = "hospital"
minutes = 10
TOML
check "absent facilities: exit 0" run 0 "$lc" plan "$tmp/absent/s.toml" --out "$tmp/absent/out"
check "absent facilities: warned" err_has "the layer has no facilities"
check "absent facilities: 0 % with a note" bash -c "
    python3 -c \"
import json
s = json.load(open('$tmp/absent/out/summary.json'))
for x in s['services']:
    assert x['variants'][0]['groups']['pop_total']['covered'] == 0, x
    assert x['notes'] and '0%' in x['notes'][0], x
\" && [[ \$(grep -c '未找到设施' '$tmp/absent/out/report.html') -eq 2 ]]"
sed 's/^minutes = 10$/minutes = 10\ndemand_group = "pop_kids"/' "$tmp/absent/s.toml" >"$tmp/absent/bad_group.toml"
check "failed plan: exit 3" run 3 "$lc" plan "$tmp/absent/bad_group.toml" --out "$tmp/absent/failed/deep"
check "failed plan: says why" err_has "demand_group 'pop_kids' is not one of the demand's groups"
check "failed plan: no folder left" test ! -e "$tmp/absent/failed/deep"
check "failed plan: an existing folder stays" bash -c "mkdir -p '$tmp/absent/kept' && ! '$lc' plan '$tmp/absent/bad_group.toml' --out '$tmp/absent/kept' -q 2>/dev/null; test -d '$tmp/absent/kept'"

# Residents from a CSV: their number columns come back as numbers; every row has a snap_status,
# also a row with no residents.
$py - "$tmp/demo/data/compounds.geojson" "$tmp/absent/homes.csv" <<'PY'
import csv, json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))["features"]
with open(sys.argv[2], "w", newline="", encoding="utf-8") as out:
    w = csv.writer(out)
    w.writerow(["id", "name", "lon", "lat", "pop_total", "code"])
    for i, x in enumerate(f):
        ring = x["geometry"]["coordinates"][0]
        lon = sum(p[0] for p in ring[:4]) / 4
        lat = sum(p[1] for p in ring[:4]) / 4
        w.writerow([x["properties"]["id"], x["properties"]["name"], lon, lat, 0 if i == 0 else x["properties"]["pop_total"], "%03d" % i])
PY
cat >"$tmp/absent/csv.toml" <<TOML
[network]
file = "district.osm"
[demand]
file = "homes.csv"
weight_fields = ["pop_total"]
[[services]]
id = "clinics"
facilities = "clinics.geojson"
minutes = 10
TOML
check "CSV residents: plan" run 0 "$lc" plan "$tmp/absent/csv.toml" --out "$tmp/absent/csv"
check "CSV residents: numbers as numbers, a snap_status on every row" python3 -c "
import json
f = json.load(open('$tmp/absent/csv/geojson/clinics_demand.geojson'))['features']
assert all(isinstance(x['properties']['pop_total'], int) for x in f), f[0]['properties']
assert all(isinstance(x['properties']['code'], str) for x in f)  # 007 stays a code
assert all(x['properties']['snap_status'] for x in f)
assert f[0]['properties']['snap_status'] == 'no_residents', f[0]['properties']
"

# Scenario errors name the key and its line; nothing is written.
cat >"$tmp/bad.toml" <<TOML
title = "bad"
[network]
file = "$tmp/demo/data/district.osm"
colour = "red"
[demand]
file = "$tmp/demo/data/compounds.geojson"
[[services]]
id = "x"
facilities = "$tmp/demo/data/clinics.geojson"
minutes = 10
TOML
check "unknown key" run 3 "$lc" plan "$tmp/bad.toml" --out "$tmp/bad_out"
check "unknown key message" err_has "line 4: unknown key 'colour' in [network]"
check "unknown key wrote nothing" test ! -e "$tmp/bad_out/report.html"
sed -i 's/^colour = "red"$/mode = 7/' "$tmp/bad.toml"
check "wrong type" run 3 "$lc" plan "$tmp/bad.toml" --out "$tmp/bad_out"
check "wrong type message" err_has "line 4: key 'mode' in [network] must be a string"
sed -i 's/^mode = 7$//; s#^file = ".*compounds.geojson"#file = "nowhere.geojson"#' "$tmp/bad.toml"
check "missing file" run 3 "$lc" plan "$tmp/bad.toml" --out "$tmp/bad_out"
check "missing file message" err_has "no such file"
check "example scenario" run 0 "$lc" plan --example
check "example is TOML with services" grep -q "^\[\[services\]\]" "$tmp/out"
# A folder with somebody else's file needs --force.
mkdir -p "$tmp/foreign" && echo keep >"$tmp/foreign/notes.txt"
check "foreign folder refused" run 4 "$lc" plan "$tmp/demo/data/scenario.toml" --out "$tmp/foreign"
check "foreign folder message" err_has "pass --force"
check "foreign file kept" grep -q keep "$tmp/foreign/notes.txt"
check "--force writes beside it" run 0 "$lc" plan "$tmp/demo/data/scenario.toml" --out "$tmp/foreign" --force
check "--force kept the file" grep -q keep "$tmp/foreign/notes.txt"

# Real data: Porto 2020, facilities from OpenStreetMap, residents from buildings.
porto=$src/../shared/data/osm/porto_2020.osm.pbf
if [[ -f $porto ]]; then
    cat >"$tmp/porto.toml" <<TOML
title = "Porto 2020"
[network]
file = "$porto"
[demand]
buildings = "$porto"
[report]
language = "en"
[[services]]
id = "clinics"
osm_kind = "clinic"
minutes = 15
[[services]]
id = "kindergartens"
osm_kind = "kindergarten"
minutes = 10
  [services.suggest]
  count = 3
  candidate_spacing_m = 200
TOML
    check "plan on Porto 2020" run 0 "$lc" plan "$tmp/porto.toml" --out "$tmp/porto"
    check "Porto opens in QGIS" skip_ok env QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$src/tests/qgis/check_qgis.py" \
        "$tmp/porto/lifecircle.qgs" auto
    check "Porto report in Chromium" skip_ok bash "$src/tests/report/check_report.sh" "$tmp/porto/report.html"
    check "Porto report has the ODbL attribution" grep -q "Open Database Licence" "$tmp/porto/report.html"
    check "Porto report laid out: frames on the residents, the Douro, labels, lang, verdicts" skip_ok \
        $py "$src/tests/report/check_plan_report.py" "$tmp/porto/report.html" --lang en --water --panels 2 --services 2
    check "Porto report: the river and a road named" bash -c "grep -q '>Rio Douro</text>' '$tmp/porto/report.html' &&
        grep -qE '>Rua [^<]+</text>' '$tmp/porto/report.html'"
    check "Porto project: the report's classes, roads, water, base map off" skip_ok env QT_QPA_PLATFORM=offscreen \
        $py "$src/tests/qgis/check_plan_project.py" "$tmp/porto/lifecircle.qgs" "$tmp/porto/report.html" --water
    check "Porto tables.xlsx equals summary.json" skip_ok $py "$src/tests/plan/check_tables.py" "$tmp/porto"
else
    echo "skipped: $porto not found" >&2
fi

# Amap (GCJ-02) coordinates read as WGS 84 on a real Beijing network: named, with the setting;
# the same points in WGS 84 say nothing.
haidian=$src/../shared/data/osm/beijing_haidian.osm
if [[ -f $haidian ]]; then
    $py - "$haidian" "$tmp/hd_wgs.geojson" "$tmp/hd_gcj.geojson" <<'PY'
import json, math, sys, xml.etree.ElementTree as ET
A, EE = 6378245.0, 0.00669342162296594323
def tlat(x, y):
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    return r + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
def tlon(x, y):
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    return r + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
def to_gcj(lon, lat):  # the published GCJ-02 formula, written here independently of io/
    dlat, dlon = tlat(lon - 105.0, lat - 35.0), tlon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    m = 1 - EE * math.sin(rad) ** 2
    return (lon + dlon * 180.0 / (A / math.sqrt(m) * math.cos(rad) * math.pi),
            lat + dlat * 180.0 / ((A * (1 - EE)) / (m * math.sqrt(m)) * math.pi))
root = ET.parse(sys.argv[1]).getroot()
nodes = {n.get("id"): (float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")}
pts = []
for w in root.iter("way"):
    tags = {t.get("k"): t.get("v") for t in w.iter("tag")}
    refs = [nd.get("ref") for nd in w.iter("nd")]
    if tags.get("highway") in ("residential", "tertiary", "secondary", "primary") and refs[len(refs) // 2] in nodes:
        pts.append(nodes[refs[len(refs) // 2]])
pts = pts[::max(1, len(pts) // 12)][:12]
fc = lambda p: {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "P%d" % i},
     "geometry": {"type": "Point", "coordinates": list(q)}} for i, q in enumerate(p)]}
json.dump(fc(pts), open(sys.argv[2], "w"))
json.dump(fc([to_gcj(*q) for q in pts]), open(sys.argv[3], "w"))
PY
    check "GCJ-02 read as WGS 84: named" run 0 "$lc" coverage --network "$haidian" --facilities "$tmp/hd_gcj.geojson" \
        --demand "$tmp/hd_wgs.geojson" --minutes 10 --out "$tmp/hd_gcj.gpkg"
    check "GCJ-02 read as WGS 84: the hint and the option" err_has "as GCJ-02 (Amap/Gaode, Tencent) coordinates"
    check "GCJ-02: the option to set" err_has "set --facilities-crs gcj02"
    check "WGS 84 read as WGS 84: no hint" run 0 "$lc" coverage --network "$haidian" --facilities "$tmp/hd_wgs.geojson" \
        --demand "$tmp/hd_wgs.geojson" --minutes 10 --out "$tmp/hd_wgs.gpkg"
    check "WGS 84: nothing said" bash -c "! grep -q 'GCJ-02' '$tmp/err'"
    check "GCJ-02 said: read as such, no hint" run 0 "$lc" coverage --network "$haidian" --facilities "$tmp/hd_gcj.geojson" \
        --facilities-crs gcj02 --demand "$tmp/hd_wgs.geojson" --minutes 10 --out "$tmp/hd_said.gpkg"
    check "GCJ-02 said: nothing said" bash -c "! grep -q 'as GCJ-02' '$tmp/err'"
    # WGS 84 points merely far from the roads (tests/data/haidian_points_off_roads.csv: 40 points a
    # median 190 m from the bureau's roads) get no hint: shifted 500 m they come nearer a road by
    # chance (75 m), but not onto one as geocoded points do.
    bureau=$src/../shared/data/bureau/haidian_roads.shp
    if [[ -f $bureau ]]; then
        check "points off the roads: run" run 0 "$lc" matrix --network "$bureau" \
            --from "$src/tests/data/haidian_points_off_roads.csv" --to "$src/tests/data/haidian_points_off_roads.csv" \
            --out "$tmp/hd_off_od.csv"
        check "points off the roads: no hint" bash -c "! grep -qE 'as (GCJ-02|BD-09)' '$tmp/err'"
    fi
else
    echo "skipped: $haidian not found" >&2
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
