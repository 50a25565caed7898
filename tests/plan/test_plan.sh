#!/usr/bin/env bash
# End-to-end checks of `lifecircle demo` and `lifecircle plan`: the outputs open in real QGIS and
# in headless Chromium, reruns are byte-identical, the what-if footbridge raises the far bank's
# coverage by what an independent run on a network with the footbridge drawn in gives, and bad
# scenarios fail clearly. Usage: LIFECIRCLE=path bash tests/plan/test_plan.sh SOURCE_DIR
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

check "demo" run 0 "$lc" demo --out "$tmp/demo"
check "demo prints the report" grep -q "report.html" "$tmp/out"
for f in lifecircle.gpkg lifecircle.qgs summary.json report.html geojson/clinics_demand.geojson \
         geojson/kindergartens_suggested_sites.geojson geojson/road_works.geojson data/scenario.toml; do
    check "demo wrote $f" test -s "$tmp/demo/$f"
done
check "demo: two suggested kindergartens" python3 -c "
import json
s = json.load(open('$tmp/demo/summary.json'))
k = [x for x in s['services'] if x['id'] == 'kindergartens'][0]
assert len(k['suggest']['selected']) == 2, k['suggest']
assert k['suggest']['bound'] >= k['suggest']['objective_value'] - 1e-9
assert len(k['variants']) == 2 and s['road_works']
"
check "demo opens in QGIS" skip_ok env QT_QPA_PLATFORM=offscreen /usr/bin/python3 "$src/tests/qgis/check_qgis.py" \
    "$tmp/demo/lifecircle.qgs" auto
check "demo report in Chromium" skip_ok bash "$src/tests/report/check_report.sh" "$tmp/demo/report.html"
check "report is offline" bash -c "! grep -qE 'https?://|<script|@import|url\\(' '$tmp/demo/report.html'"
check "report has the Chinese names" grep -q "老年助餐点" "$tmp/demo/report.html"

# Reruns: byte-identical, and a rerun replaces its own outputs without --force.
cp -r "$tmp/demo" "$tmp/demo_first"
check "demo rerun" run 0 "$lc" demo --out "$tmp/demo"
check "demo rerun identical" diff -r "$tmp/demo" "$tmp/demo_first"

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
else
    echo "skipped: $porto not found" >&2
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
