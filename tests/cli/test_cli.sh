#!/usr/bin/env bash
# End-to-end checks of the lifecircle command: results, messages and exit codes.
# Usage: LIFECIRCLE=path/to/lifecircle bash tests/cli/test_cli.sh SOURCE_DIR
set -uo pipefail
src=${1:?source dir}
lc=${LIFECIRCLE:?path to lifecircle}
demo=$src/demo/demo_district.osm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

check() {  # check NAME CONDITION...
    local name=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $name" >&2; fi
}
run() {  # run EXPECTED_EXIT COMMAND... ; leaves stdout in $tmp/out, stderr in $tmp/err
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

# Version and help.
check "version" run 0 "$lc" --version
check "version text" grep -q "lifecircle 0" "$tmp/out"
for verb in network-info matrix isochrones facilities coverage standards demand suggest plan demo; do
    check "$verb --help" run 0 "$lc" "$verb" --help
done

# network-info on the demo district.
check "network-info" run 0 "$lc" network-info --network "$demo" --json
check "network-info json" grep -q '"components"' "$tmp/out"

# A hand-worked matrix: three points on the demo's southern street, 100 m apart at the
# junctions (0,0), (100,0) and (300,0) m. Walking 4 km/h: 100 m = 1.5 min, 200 m = 3 min.
mpd=$(python3 -c "import math;print(111320*math.cos(math.radians(39.98)))")
python3 - "$tmp/pts.csv" "$mpd" <<'PY'
import sys
path, mpd = sys.argv[1], float(sys.argv[2])
with open(path, "w") as f:
    f.write("id,lon,lat\n")
    for name, x in (("a", 0), ("b", 100), ("c", 300)):
        f.write(f"{name},{116.300 + x / mpd:.8f},39.98\n")
PY
check "matrix" run 0 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" --out "$tmp/od.csv"
check "matrix header" grep -qx "from_id,to_id,minutes" "$tmp/od.csv"
# The demo's metres are a spherical approximation; UTM lengths differ by ~0.1%, hence 0.5% slack.
minutes_are() {  # minutes_are FILE FROM TO EXPECTED
    python3 - "$@" <<'PY'
import csv, sys
path, a, b, want = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
rows = {(r["from_id"], r["to_id"]): float(r["minutes"]) for r in csv.DictReader(open(path))}
got = rows.get((a, b))
ok = got is not None and abs(got - want) <= 0.005 * want + 0.002
if not ok:
    print(f"{a}->{b}: got {got}, wanted {want}", file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
check "matrix a-b 1.5 min" minutes_are "$tmp/od.csv" a b 1.5
check "matrix a-c 4.5 min" minutes_are "$tmp/od.csv" a c 4.5
check "matrix c-a 4.5 min" minutes_are "$tmp/od.csv" c a 4.5
check "matrix a-a 0" minutes_are "$tmp/od.csv" a a 0
check "matrix cutoff" run 0 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
    --max-minutes 2 --out "$tmp/od2.csv"
check "matrix cutoff drops a-c" bash -c "! grep -q '^a,c,' '$tmp/od2.csv'"
check "matrix cutoff keeps a-b" minutes_are "$tmp/od2.csv" a b 1.5

# A point far away is reported, not dropped silently.
printf 'id,lon,lat\nfar,116.40,39.98\nnear,116.300,39.98\n' >"$tmp/far.csv"
check "unsnapped listed" run 0 "$lc" matrix --network "$demo" --from "$tmp/far.csv" --to "$tmp/pts.csv" --out "$tmp/od3.csv"
check "unsnapped message" err_has "id far not snapped"

# Bad input and usage.
check "missing network" run 3 "$lc" network-info --network "$tmp/nothing.osm.pbf"
check "missing network message" err_has "nothing.osm.pbf"
check "unknown option" run 2 "$lc" network-info --network "$demo" --bogus
check "bad mode" run 2 "$lc" network-info --network "$demo" --mode fly
check "points as network" run 3 "$lc" network-info --network "$src/demo/clinics.geojson"
check "points as network message" err_has "LineString"
printf 'id,lon,lat\nx,39.98,116.30\n' >"$tmp/swapped.csv"
check "swapped lat/lon" run 3 "$lc" matrix --network "$demo" --from "$tmp/swapped.csv" --to "$tmp/pts.csv" --out "$tmp/od4.csv"
check "swapped message" err_has "swapped"
check "no output after bad input" test ! -e "$tmp/od4.csv"
check "output folder missing" run 4 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
    --out "$tmp/no/such/dir/od.csv"
check "output folder message" err_has "does not exist"
check "bad minutes" run 2 "$lc" isochrones --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --minutes 5,x --out "$tmp/iso.geojson"

# Isochrones: GeoJSON and styled GeoPackage.
check "isochrones geojson" run 0 "$lc" isochrones --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --name-field name --minutes 5,10 --out "$tmp/iso.geojson"
check "isochrones feature count" python3 -c "
import json,sys; d=json.load(open('$tmp/iso.geojson')); f=d['features']
assert len(f)==6, len(f)
assert all(x['geometry']['type'] in ('Polygon','MultiPolygon') for x in f)
assert {x['properties']['minutes'] for x in f}=={5.0,10.0}
assert all(x['properties']['area_km2']>0 for x in f)
"
check "isochrones gpkg + lines" run 0 "$lc" isochrones --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --minutes 15 --split --out "$tmp/iso.gpkg" --lines "$tmp/iso.gpkg"
# Two clinics at one place: the split gives the later one no area, and says so.
printf 'id,lon,lat\nA,116.3038687,39.9831441\nB,116.3038687,39.9831441\nC,116.3178192,39.9841322\n' > "$tmp/twins.csv"
check "split of twins" run 0 "$lc" isochrones --network "$demo" --facilities "$tmp/twins.csv" --minutes 5 --split \
    --out "$tmp/twins.geojson"
check "split twins warning" err_has "1 of 3 facilities get no split area"
check "split twins names B" err_has "id B"
check "split twins areas" python3 -c "
import json; ids=sorted(f['properties']['facility_id'] for f in json.load(open('$tmp/twins.geojson'))['features'])
assert ids==['A','C'], ids"
check "facilities" run 0 "$lc" facilities --network "$demo" --kind kindergarten --out "$tmp/k.geojson"
check "facilities count" python3 -c "import json; assert len(json.load(open('$tmp/k.geojson'))['features'])==2"

# coverage: the shares agree with the matrix verb's times (min over clinics <= 10 minutes).
check "coverage" run 0 "$lc" coverage --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --demand "$src/demo/homes.csv" --weight-field population --minutes 10 --out "$tmp/cov.geojson" \
    --summary "$tmp/cov.json" --gaps "$tmp/gaps.geojson"
check "coverage table" grep -q "population" "$tmp/out"
check "coverage matrix" run 0 "$lc" matrix --network "$demo" --from "$src/demo/homes.csv" \
    --to "$src/demo/clinics.geojson" --out "$tmp/cov_od.csv"
check "coverage agrees with matrix" python3 -c "
import csv, json
best = {}
for r in csv.DictReader(open('$tmp/cov_od.csv')):
    best[r['from_id']] = min(best.get(r['from_id'], 1e9), float(r['minutes']))
pop = {r['id']: float(r['population']) for r in csv.DictReader(open('$src/demo/homes.csv'))}
expected = sum(w for h, w in pop.items() if best.get(h, 1e9) <= 10.0)
s = json.load(open('$tmp/cov.json'))['groups']['population']
assert abs(s['covered'] - expected) < 1e-6, (s['covered'], expected)
assert s['total'] == sum(pop.values())
f = json.load(open('$tmp/cov.geojson'))['features']
assert len(f) == len(pop)
for x in f:
    p = x['properties']
    assert (p['covered'] == 1) == (best.get(p['id'], 1e9) <= 10.0), p
    assert abs(p['minutes_to_nearest'] - best[p['id']]) < 0.002, (p, best[p['id']])
g = json.load(open('$tmp/gaps.geojson'))['features']
assert abs(sum(x['properties']['uncovered_population'] for x in g) - (s['total'] - expected)) < 1e-6
"
check "coverage bad weight field" run 3 "$lc" coverage --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --demand "$src/demo/homes.csv" --weight-field pop --out "$tmp/cov2.geojson"
check "coverage bad weight message" err_has "pop"
check "coverage left nothing" test ! -e "$tmp/cov2.geojson"
check "a misspelt verb" run 2 "$lc" covrage --network "$demo"
check "a misspelt verb is named, with the verbs" err_has "unknown verb 'covrage' (did you mean coverage?); the verbs are network-info, matrix"
# A misspelt option is named with the one meant (it used to say that --network was required).
check "a misspelt option" run 2 "$lc" coverage --netwrok "$demo" --demand "$src/demo/homes.csv" \
    --facilities "$src/demo/clinics.geojson" --out "$tmp/slip.geojson"
check "a misspelt option is named, with the one meant" err_has "unknown option --netwrok of coverage; did you mean --network?"
check "an unknown option" run 2 "$lc" suggest --network "$demo" --bogus 3
check "an unknown option says where the options are" err_has "unknown option --bogus of suggest (see lifecircle suggest --help)"
# Outputs: one mechanism for every verb (checked first, written to temporaries, committed together).
iso_args=(--network "$demo" --facilities "$src/demo/clinics.geojson" --minutes 5)
check "matrix to stdout" run 0 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" --out -
check "matrix stdout = file" cmp "$tmp/out" "$tmp/od.csv"
check "matrix to /dev/stdout" run 0 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
    --out /dev/stdout
check "matrix /dev/stdout = file" cmp "$tmp/out" "$tmp/od.csv"
check "/dev/stdout still a device" test -c /dev/null -a -e /dev/stdout
# A result on stdout stays a valid file: the verb's report (its tables) goes to stderr then.
json_only() { python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/out"; }
check "coverage to stdout" run 0 "$lc" coverage --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --demand "$src/demo/homes.csv" --weight-field population --minutes 15 --out -
check "coverage stdout is GeoJSON alone" json_only
check "coverage report on stderr" err_has "coverage within 15 min"
check "suggest to stdout" run 0 "$lc" suggest --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --demand "$src/demo/homes.csv" --weight-field population --minutes 10 --candidates auto --count 1 --out -
check "suggest stdout is GeoJSON alone" json_only
check "suggest report on stderr" err_has "max-coverage: 1 sites"
check "matrix bad extension" run 2 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
    --out "$tmp/od.txt"
check "matrix bad extension message" err_has "unsupported output format '.txt' for --out; accepted are .csv, .gpkg"
check "matrix gpkg" run 0 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" --out "$tmp/od.gpkg"
check "matrix gpkg rows" test "$(sqlite3 "$tmp/od.gpkg" "select count(*) from matrix")" = "$(($(wc -l <"$tmp/od.csv") - 1))"
check "matrix gpkg a-c" test "$(sqlite3 "$tmp/od.gpkg" "select minutes from matrix where from_id='a' and to_id='c'")" = \
    "$(grep '^a,c,' "$tmp/od.csv" | cut -d, -f3)"
check "matrix gpkg no geometry" test "$(sqlite3 "$tmp/od.gpkg" "select data_type from gpkg_contents where table_name='matrix'")" = attributes
cp "$tmp/pts.csv" "$tmp/pts_copy.csv"
check "output = input" run 2 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
    --out "$tmp/./pts.csv"
check "output = input message" err_has "--out is the same file as the input"
check "input untouched" cmp "$tmp/pts.csv" "$tmp/pts_copy.csv"
mkdir -p "$tmp/afolder"
check "input folder" run 3 "$lc" matrix --network "$demo" --from "$tmp/afolder" --to "$tmp/pts.csv" --out "$tmp/od5.csv"
check "input folder message" err_has "this is a folder; --from takes a file"
check "network folder" run 3 "$lc" network-info --network "$tmp/afolder"
check "output folder" run 4 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" --out "$tmp/afolder"
check "output folder message" err_has "this is a folder; --out takes a file name"
check "quiet" run 0 "$lc" matrix --quiet --network "$demo" --from "$tmp/far.csv" --to "$tmp/pts.csv" --out "$tmp/od6.csv"
check "quiet prints nothing" test ! -s "$tmp/err"
check "quiet keeps errors" run 3 "$lc" matrix --quiet --network "$demo" --from "$tmp/swapped.csv" --to "$tmp/pts.csv" \
    --out "$tmp/od7.csv"
check "quiet error message" err_has "swapped"
printf '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"m"},"geometry":{"type":"MultiPoint","coordinates":[[116.300,39.98],[116.301,39.98]]}}]}' >"$tmp/multi.geojson"
check "library notes" run 0 "$lc" matrix --network "$demo" --from "$tmp/multi.geojson" --to "$tmp/pts.csv" --out "$tmp/od8.csv"
check "library notes message" err_has "lifecircle: note: $tmp/multi.geojson: 1 MultiPoint feature(s)"

# Two outputs naming one GeoPackage by different paths share it; other clashes are refused.
check "same gpkg, two spellings" bash -c "cd '$tmp' && '$lc' isochrones ${iso_args[*]@Q} --out a.gpkg --lines ./a.gpkg"
check "both layers in one gpkg" test "$(sqlite3 "$tmp/a.gpkg" "select group_concat(table_name) from (select table_name from gpkg_contents where table_name != 'layer_styles' order by 1)")" = "isochrones,reached_roads"
check "same geojson twice" run 2 "$lc" isochrones "${iso_args[@]}" --out "$tmp/b.geojson" --lines "$tmp/./b.geojson"
check "same geojson message" err_has "only a .gpkg can hold both"
check "sidecar clash" run 2 "$lc" isochrones "${iso_args[@]}" --out "$tmp/c.geojson" --lines "$tmp/c.json"
check "sidecar clash message" err_has "would share the QGIS style file"
check "nothing written on a clash" test ! -e "$tmp/c.geojson" -a ! -e "$tmp/c.qml" -a ! -e "$tmp/b.geojson"

# GeoPackage reruns are byte-identical.
check "gpkg run 1" run 0 "$lc" isochrones "${iso_args[@]}" --out "$tmp/r1.gpkg" --lines "$tmp/r1.gpkg"
check "gpkg run 2" run 0 "$lc" isochrones "${iso_args[@]}" --out "$tmp/r2.gpkg" --lines "$tmp/r2.gpkg"
check "gpkg reruns identical" cmp "$tmp/r1.gpkg" "$tmp/r2.gpkg"
check "gpkg with --threads 1" run 0 "$lc" isochrones "${iso_args[@]}" --threads 1 --out "$tmp/r3.gpkg" --lines "$tmp/r3.gpkg"
check "one writer thread, same bytes" cmp "$tmp/r1.gpkg" "$tmp/r3.gpkg"

# Sidecars: ours are replaced, a user's own is left alone with a note.
check "sidecar written" run 0 "$lc" isochrones "${iso_args[@]}" --out "$tmp/s.geojson" --lines "$tmp/s_lines.geojson"
check "sidecars named after their file" test -f "$tmp/s.qml" -a -f "$tmp/s_lines.qml"
check "sidecar marked" grep -q "written by lifecircle" "$tmp/s.qml"
echo "<qgis>mine</qgis>" >"$tmp/s.qml"
check "foreign sidecar" run 0 "$lc" isochrones "${iso_args[@]}" --out "$tmp/s.geojson"
check "foreign sidecar note" err_has "left $tmp/s.qml alone: lifecircle did not write it"
check "foreign sidecar kept" grep -qx "<qgis>mine</qgis>" "$tmp/s.qml"

# --update keeps the other layers of a GeoPackage; without it the file is replaced whole.
check "facilities gpkg" run 0 "$lc" facilities --network "$demo" --kind kindergarten --out "$tmp/u.gpkg"
check "update" run 0 "$lc" isochrones "${iso_args[@]}" --update --layer-name clinics_5min --out "$tmp/u.gpkg"
check "update keeps layers" test "$(sqlite3 "$tmp/u.gpkg" "select group_concat(table_name) from (select table_name from gpkg_contents where table_name != 'layer_styles' order by 1)")" = "clinics_5min,facilities"
check "replace whole" run 0 "$lc" isochrones "${iso_args[@]}" --out "$tmp/u.gpkg"
check "replaced whole" test "$(sqlite3 "$tmp/u.gpkg" "select group_concat(table_name) from gpkg_contents where table_name != 'layer_styles'")" = "isochrones"
check "same layer names" run 2 "$lc" isochrones "${iso_args[@]}" --out "$tmp/v.gpkg" --lines "$tmp/v.gpkg" \
    --layer-name x --lines-layer-name X
check "isochrones to stdout" run 0 "$lc" isochrones "${iso_args[@]}" --out -
check "isochrones stdout is GeoJSON" python3 -c "import json; assert json.load(open('$tmp/out'))['type']=='FeatureCollection'"

# Progress lines on a terminal end before any other message.
if script -qec true /dev/null >/dev/null 2>&1; then
    script -qec "'$lc' matrix --network '$demo' --from '$tmp/far.csv' --to '$tmp/pts.csv' --out '$tmp/od9.csv'" \
        /dev/null >"$tmp/tty" 2>&1
    check "progress ends its line" python3 -c "
import sys; t=open('$tmp/tty', encoding='utf-8', errors='replace').read().replace('\r\n', '\n')
bad=[l for l in t.split('\n') if 'lifecircle:' in l and not l.split('\r')[-1].startswith('lifecircle:')]
sys.exit(1 if bad else 0)"
fi
# Input checks: options that used to give silently wrong answers.
# A geographic work CRS made every time 0; Web Mercator makes them 30% too long at 40 N.
check "work-crs 4326 refused" run 2 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
    --work-crs EPSG:4326 --out "$tmp/wc.csv"
check "work-crs 4326 message" err_has "'EPSG:4326' is geographic"
check "work-crs 3857 refused" run 2 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
    --work-crs EPSG:3857 --out "$tmp/wc.csv"
check "work-crs 3857 message" err_has "'EPSG:3857' distorts distances by 30."
check "work-crs UTM accepted" run 0 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
    --work-crs EPSG:32650 --out "$tmp/wc.csv"
check "work-crs UTM a-b" minutes_are "$tmp/wc.csv" a b 1.5

# Each layer has its own CRS: --to-crs shifts only the destinations (GCJ-02 is ~500 m off
# WGS 84 in Beijing), and a layer's own option beats the --input-crs default.
check "to-crs only" run 0 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
    --to-crs gcj02 --out "$tmp/tc.csv"
check "to-crs moves the destinations" bash -c "! grep -q '^a,a,0.000' '$tmp/tc.csv'"
check "from/to-crs beat input-crs" run 0 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" \
    --to "$tmp/pts.csv" --input-crs gcj02 --from-crs wgs84 --to-crs EPSG:4326 --out "$tmp/tc2.csv"
check "from/to-crs a-b" minutes_are "$tmp/tc2.csv" a b 1.5
check "declared CRS override noted" run 0 "$lc" matrix --network "$demo" --from "$src/demo/clinics.geojson" \
    --to "$tmp/pts.csv" --from-crs gcj02 --out "$tmp/tc3.csv"
check "declared CRS override message" err_has "declares its CRS as EPSG:4326 but --from-crs gcj02 overrides it"

# The same point as origin and target is 0 min, not twice the walk to the road (d is 30 m off it).
python3 - "$tmp/off.csv" "$mpd" <<'PY'
import sys
path, mpd = sys.argv[1], float(sys.argv[2])
with open(path, "w") as f:
    f.write("id,lon,lat\n")
    f.write(f"d,{116.300 + 50 / mpd:.8f},{39.98 + 30 / 111320:.8f}\n")
    f.write("a,116.3,39.98\n")
PY
check "matrix self" run 0 "$lc" matrix --network "$demo" --from "$tmp/off.csv" --to "$tmp/off.csv" --out "$tmp/self.csv"
check "matrix d-d 0" minutes_are "$tmp/self.csv" d d 0
check "matrix d-a > 0" bash -c "grep -q '^d,a,' '$tmp/self.csv' && ! grep -q '^d,a,0.000' '$tmp/self.csv'"

# An OSM file given as points points to the facilities verb.
check "osm as points" run 3 "$lc" matrix --network "$demo" --from "$demo" --to "$tmp/pts.csv" --out "$tmp/x.csv"
check "osm as points message" err_has "facilities verb"

# Option values are checked before the network is loaded (the network path does not exist).
check "max-minutes 0" run 2 "$lc" matrix --network "$tmp/none.osm" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
    --max-minutes 0 --out "$tmp/x.csv"
check "max-minutes 0 message" err_has "must be a number more than 0 and at most 1440 minutes, not '0'"
check "max-minutes 0 no long number" bash -c "! grep -q '[0-9]\{30\}' '$tmp/err'"
check "max-minutes nan" run 2 "$lc" matrix --network "$tmp/none.osm" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
    --max-minutes nan --out "$tmp/x.csv"
check "max-minutes nan message" err_has "not 'nan'"
check "buffer-m 0" run 2 "$lc" isochrones --network "$tmp/none.osm" --facilities "$src/demo/clinics.geojson" \
    --buffer-m 0 --out "$tmp/x.geojson"
check "buffer-m 0 message" err_has "--buffer-m"
check "walk-speed nan" run 2 "$lc" isochrones --network "$tmp/none.osm" --facilities "$src/demo/clinics.geojson" \
    --walk-speed nan --out "$tmp/x.geojson"

# A facility whose walk to the road takes longer than a break is reported, not dropped silently.
check "short break" run 0 "$lc" isochrones --network "$demo" --facilities "$tmp/off.csv" --minutes 0.2,5 \
    --out "$tmp/short.geojson"
check "short break warning" err_has "facility id d gets no area for the 0.2 min break"
check "short break count" err_has "1 of 2 facilities in $tmp/off.csv are missing areas (0 have none at all)"
check "facilities-crs alias" run 0 "$lc" isochrones --network "$demo" --facilities "$tmp/off.csv" --minutes 5 \
    --facilities-crs wgs84 --out "$tmp/alias.geojson"

check "from-crs checked before loading" run 2 "$lc" matrix --network "$tmp/none.osm" --from "$tmp/pts.csv" \
    --to "$tmp/pts.csv" --from-crs mars --out "$tmp/x.csv"
check "from-crs message" err_has "--from-crs 'mars' is not understood"
check "missing points before loading" run 3 "$lc" isochrones --network "$tmp/none.osm" --facilities "$tmp/nope.csv" \
    --out "$tmp/x.geojson"
check "missing points message" err_has "nope.csv"

cp "$demo" "$tmp/DEMO.OSM"
check "facilities upper-case name" run 0 "$lc" facilities --network "$tmp/DEMO.OSM" --kind kindergarten \
    --out "$tmp/k2.geojson"
check "network upper-case name" run 0 "$lc" network-info --network "$tmp/DEMO.OSM" --json
check "network upper-case is OSM" grep -q 'OpenStreetMap' "$tmp/out"
# The service-standards catalogue: table, one entry, JSON, unknown name, bad user file.
check "standards" run 0 "$lc" standards
check "standards names" bash -c "grep -q '^medical-15min ' '$tmp/out' && grep -q '^kindergarten ' '$tmp/out' && grep -q '^elderly-meal-point ' '$tmp/out'"
check "standards one" run 0 "$lc" standards gb50180-10min-life-circle
check "standards one source" grep -q "Table 3.0.4" "$tmp/out"
check "standards json" run 0 "$lc" standards --json
check "standards json fields" python3 -c "
import json; d={s['name']: s for s in json.load(open('$tmp/out'))}
assert d['kindergarten']['metres']==300 and d['kindergarten']['demand']=='children-3-6'
assert all(s['source']['document'] for s in d.values())
"
check "standards unknown" run 2 "$lc" standards kindergarden
check "standards unknown message" err_has "known standards are medical-15min"
printf '[[standard]]\nname = "x"\nradius = 300\n' >"$tmp/bad_standards.toml"
check "standards bad file" run 3 "$lc" standards --standards-file "$tmp/bad_standards.toml"
check "standards bad file message" err_has "bad_standards.toml: line 3: unknown key 'radius'"

# coverage per district: two overlapping rectangles; totals and covered weights recomputed here.
python3 - "$src/demo/homes.csv" "$tmp/districts.geojson" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
lons = sorted(float(r['lon']) for r in rows); lats = sorted(float(r['lat']) for r in rows)
mid = lons[len(lons) // 2]
def rect(x0, x1): return [[x0, lats[0] - 0.01], [x1, lats[0] - 0.01], [x1, lats[-1] + 0.01], [x0, lats[-1] + 0.01], [x0, lats[0] - 0.01]]
f = [{"type": "Feature", "properties": {"name": "西区"}, "geometry": {"type": "Polygon", "coordinates": [rect(lons[0] - 0.01, mid + 0.002)]}},
     {"type": "Feature", "properties": {"name": "东区"}, "geometry": {"type": "Polygon", "coordinates": [rect(mid - 0.002, (lons[len(lons) * 9 // 10] + lons[len(lons) * 9 // 10 + 1]) / 2)]}}]
json.dump({"type": "FeatureCollection", "features": f}, open(sys.argv[2], "w"), ensure_ascii=False)
PY
check "coverage districts" run 0 "$lc" coverage --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --demand "$src/demo/homes.csv" --weight-field population --minutes 10 --out "$tmp/covd.gpkg" \
    --districts "$tmp/districts.geojson" --summary "$tmp/covd.json"
check "coverage districts figures" python3 -c "
import csv, json
d = json.load(open('$tmp/districts.geojson'))['features']
rows = list(csv.DictReader(open('$src/demo/homes.csv')))
cov = {f['properties']['id']: f['properties']['covered'] for f in json.load(open('$tmp/cov.geojson'))['features']}
s = json.load(open('$tmp/covd.json'))
def inside(r, ring):
    xs = [p[0] for p in ring]; ys = [p[1] for p in ring]
    return min(xs) < float(r['lon']) < max(xs) and min(ys) < float(r['lat']) < max(ys)
got = {x['district']: x['population'] for x in s['districts']}
out_total = sum(float(r['population']) for r in rows if not any(inside(r, f['geometry']['coordinates'][0]) for f in d))
for f in d:
    ring = f['geometry']['coordinates'][0]
    mine = [r for r in rows if inside(r, ring)]
    g = got[f['properties']['name']]
    assert abs(g['total'] - sum(float(r['population']) for r in mine)) < 1e-6, g
    assert abs(g['covered'] - sum(float(r['population']) for r in mine if cov[r['id']] == 1)) < 1e-6, g
assert abs(got['(outside every district)']['total'] - out_total) < 1e-6
both = [r for r in rows if all(inside(r, f['geometry']['coordinates'][0]) for f in d)]
assert s['district_overlap']['points'] == len(both) > 0
"
check "coverage districts layer" python3 -c "
import sqlite3
c = sqlite3.connect('$tmp/covd.gpkg')
names = {r[0] for r in c.execute('select table_name from gpkg_contents')}
assert {'demand', 'districts'} <= names, names
assert c.execute('select count(*) from layer_styles').fetchone()[0] >= 2
"
check "coverage standard" run 0 "$lc" coverage --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --demand "$src/demo/homes.csv" --weight-field population --standard kindergarten --out "$tmp/covk.geojson" \
    --summary "$tmp/covk.json"
check "coverage standard used" python3 -c "
import json; p = json.load(open('$tmp/covk.json'))['parameters']; assert p['max_meters'] == 300 and 'kindergarten' in p['standard'], p"
check "coverage unknown standard" run 2 "$lc" coverage --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --demand "$src/demo/homes.csv" --standard nope --out "$tmp/covn.geojson"
check "coverage unknown standard message" err_has "known standards are"
check "coverage districts need a gpkg" run 2 "$lc" coverage --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --demand "$src/demo/homes.csv" --districts "$tmp/districts.geojson" --out "$tmp/covx.geojson"

check "demand from a building layer needs the roads" run 2 "$lc" demand --buildings "$src/demo/homes.csv" --out "$tmp/d.geojson"
check "demand from a building layer needs the roads message" err_has "is not OpenStreetMap, so it holds no roads: give the road network too"
# demand from buildings (Porto 2020): residents = footprint x storeys / 36.52 m² per person, recomputed.
porto=$src/../shared/data/osm/porto_2020.osm.pbf
if [[ -f $porto ]]; then
    check "demand buildings" run 0 "$lc" demand --buildings "$porto" --default-levels 3 \
        --age-shares 60plus=0.25 --out "$tmp/res.geojson"
    check "demand to stdout" run 0 "$lc" demand --buildings "$porto" --default-levels 3 --age-shares 60plus=0.25 --out -
    check "demand stdout is GeoJSON alone" json_only
    check "demand stdout = file" python3 -c "
import json, sys
a, b = json.load(open('$tmp/out')), json.load(open('$tmp/res.geojson'))
sys.exit(0 if a['features'] == b['features'] else 1)"
    check "demand buildings figures" python3 -c "
import json
f = json.load(open('$tmp/res.geojson'))['features']
assert len(f) > 1000
for x in f:
    p = x['properties']
    assert abs(p['residents'] - p['footprint_m2'] * p['levels'] / 36.52) < 1e-6 * max(1, p['residents']), p
    assert abs(p['pop_60plus'] - 0.25 * p['residents']) < 1e-6 * max(1, p['residents']), p
"
    check "porto clinics" run 0 "$lc" facilities --network "$porto" --kind clinic --out "$tmp/pclin.geojson"
    check "demand feeds coverage" run 0 "$lc" coverage --network "$porto" --facilities "$tmp/pclin.geojson" \
        --demand "$tmp/res.geojson" --weight-field residents,pop_60plus --minutes 15 --out "$tmp/resc.gpkg" -q
    check "demand bad age shares" run 2 "$lc" demand --buildings "$porto" --age-shares 60plus=2 --out "$tmp/x.gpkg"
    check "demand bad age shares message" err_has "shares from 0 to 1"
fi

# coverage files as the user gets them: reruns byte-identical, every layer styled, hexagons valid and CCW.
for k in 1 2; do
    check "coverage rerun $k" run 0 "$lc" coverage --network "$demo" --facilities "$src/demo/clinics.geojson" \
        --demand "$src/demo/homes.csv" --weight-field population --minutes 10 --out "$tmp/rerun$k.gpkg" \
        --gaps "$tmp/rerun$k.gpkg" --districts "$tmp/districts.geojson" -q
done
check "coverage reruns identical" cmp -s "$tmp/rerun1.gpkg" "$tmp/rerun2.gpkg"
check "coverage layers styled" python3 -c "
import sqlite3
c = sqlite3.connect('$tmp/rerun1.gpkg')
styled = {r[0] for r in c.execute('select f_table_name from layer_styles')}
assert styled == {'demand', 'gaps', 'districts'}, styled
"
check "gap hexagons valid and counter-clockwise" python3 -c "
import json
for f in json.load(open('$tmp/gaps.geojson'))['features']:
    for poly in f['geometry']['coordinates']:
        ring = poly[0]
        assert ring[0] == ring[-1] and len(ring) == 7
        area2 = sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1))
        assert area2 > 0, 'clockwise exterior'
"

# suggest: on the demo district with 10 candidate sites (every 30th home's place), the answers
# agree with exhaustive search over the matrix verb's times.
python3 - "$src/demo/homes.csv" "$tmp/cands.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w") as f:
    f.write("id,lon,lat,seats,cost\n")
    for k, r in enumerate(rows[::30]):
        f.write(f"c{k},{r['lon']},{r['lat']},{40 + 10 * (k % 3)},{1 + k % 2}\n")
PY
check "suggest matrix times" run 0 "$lc" matrix --network "$demo" --from "$src/demo/homes.csv" \
    --to "$tmp/cands.csv" --out "$tmp/sug_od.csv"
check "suggest max-coverage" run 0 "$lc" suggest --network "$demo" --demand "$src/demo/homes.csv" \
    --weight-field population --candidates "$tmp/cands.csv" --objective max-coverage --count 2 --minutes 5 \
    --out "$tmp/sites.geojson" --summary "$tmp/sites.json"
check "suggest table" grep -q "objective" "$tmp/out"
check "suggest --exact" run 0 "$lc" suggest --network "$demo" --demand "$src/demo/homes.csv" \
    --weight-field population --candidates "$tmp/cands.csv" --objective max-coverage --count 2 --minutes 5 \
    --exact --out "$tmp/ex.geojson" --summary "$tmp/ex.json"
check "suggest --exact proven" python3 -c "
import json
a = json.load(open('$tmp/sites.json')); b = json.load(open('$tmp/ex.json'))
assert b['proven_optimal'] is True and b['gap'] == 0, b
assert abs(a['objective_value'] - b['objective_value']) < 1e-6
# CBC runs only when the heuristic's own bound leaves a gap; here it does not.
assert b['method'].startswith('CBC MIP') or b['method'].startswith(\"proven optimal by the heuristic's own bound\"), b
"
check "suggest p-median" run 0 "$lc" suggest --network "$demo" --demand "$src/demo/homes.csv" \
    --weight-field population --candidates "$tmp/cands.csv" --objective p-median --count 3 --minutes 5 \
    --p-median-minutes 60 --out "$tmp/pm.gpkg" --summary "$tmp/pm.json"
check "suggest min-facilities" run 0 "$lc" suggest --network "$demo" --demand "$src/demo/homes.csv" \
    --weight-field population --candidates "$tmp/cands.csv" --objective min-facilities --target 0.3 --minutes 5 \
    --out "$tmp/mf.geojson" --summary "$tmp/mf.json"
check "suggest capacitated" run 0 "$lc" suggest --network "$demo" --demand "$src/demo/homes.csv" \
    --weight-field population --candidates "$tmp/cands.csv" --candidates-capacity-field seats --capacitated \
    --objective max-coverage --count 2 --minutes 5 --out "$tmp/cap.geojson" --summary "$tmp/cap.json"
check "suggest agrees with exhaustive search" python3 -c "
import csv, itertools, json
t = {}
for r in csv.DictReader(open('$tmp/sug_od.csv')):
    t[(r['to_id'], r['from_id'])] = float(r['minutes'])
pop = {r['id']: float(r['population']) for r in csv.DictReader(open('$src/demo/homes.csv'))}
cands = [r['id'] for r in csv.DictReader(open('$tmp/cands.csv'))]
seats = {r['id']: float(r['seats']) for r in csv.DictReader(open('$tmp/cands.csv'))}
def covered(S):
    return sum(w for h, w in pop.items() if any(t.get((c, h), 1e9) <= 5.0 for c in S))
best = max(covered(S) for S in itertools.combinations(cands, 2))
s = json.load(open('$tmp/sites.json'))
assert abs(covered(s['selected']) - best) < 1e-6, (s['selected'], covered(s['selected']), best)
assert abs(s['objective_value'] - best) < 1e-6
assert s['bound'] >= best - 1e-6 and s['gap'] >= 0
f = json.load(open('$tmp/sites.geojson'))['features']
assert [x['properties']['rank'] for x in f] == [1, 2]
assert abs(sum(x['properties']['added_weight'] for x in f) - best) < 1e-6
def cost(S):
    return sum(w * min([t.get((c, h), 1e9) for c in S]) for h, w in pop.items())
pm = json.load(open('$tmp/pm.json'))
opt = min(cost(S) for S in itertools.combinations(cands, 3))
assert abs(cost(pm['selected']) - opt) < 0.01 * len(pop), (cost(pm['selected']), opt)
assert pm['bound'] <= pm['objective_value'] + 1e-6
total = sum(pop.values())
fewest = min(k for k in range(1, len(cands) + 1)
             if any(covered(S) >= 0.3 * total - 1e-6 for S in itertools.combinations(cands, k)))
mf = json.load(open('$tmp/mf.json'))
assert len(mf['selected']) == fewest, (mf['selected'], fewest)
assert covered(mf['selected']) >= 0.3 * total - 1e-6
assert mf['bound'] <= fewest
cap = json.load(open('$tmp/cap.json'))
assert cap['objective_value'] <= sum(seats[c] for c in cap['selected']) + 1e-6
assert cap['coverage_after']['population']['served'] == cap['objective_value']
"
check "suggest styled gpkg" python3 -c "
import sqlite3
c = sqlite3.connect('$tmp/pm.gpkg')
assert {r[0] for r in c.execute('select f_table_name from layer_styles')} == {'suggested_sites'}
assert c.execute('select count(*) from suggested_sites').fetchone()[0] == 3
"
check "suggest rerun" run 0 "$lc" suggest --network "$demo" --demand "$src/demo/homes.csv" \
    --weight-field population --candidates "$tmp/cands.csv" --objective p-median --count 3 --minutes 5 \
    --p-median-minutes 60 --out "$tmp/pm2.gpkg"
check "suggest reruns identical" cmp -s "$tmp/pm.gpkg" "$tmp/pm2.gpkg"
check "suggest unreachable target" run 0 "$lc" suggest --network "$demo" --demand "$src/demo/homes.csv" \
    --weight-field population --candidates "$tmp/cands.csv" --objective min-facilities --target 1.0 --minutes 1 \
    --out "$tmp/mf2.geojson" --summary "$tmp/mf2.json"
check "suggest unreachable message" err_has "cannot be reached: at most"
check "suggest unreachable summary" python3 -c "
import json
s = json.load(open('$tmp/mf2.json'))
assert s['target_reached'] is False and s['best_share'] < 1 and s['unreachable_weight'] > 0
assert len(s['unreachable_demand']) > 0
"
check "suggest auto candidates" run 0 "$lc" suggest --network "$demo" --demand "$src/demo/homes.csv" \
    --weight-field population --facilities "$src/demo/clinics.geojson" --candidates auto --candidate-spacing 150 \
    --objective max-coverage --count 2 --minutes 5 --out "$tmp/auto.geojson" --summary "$tmp/auto.json"
check "suggest auto generated" err_has "candidate sites generated every 150 m"
check "suggest options checked" run 2 "$lc" suggest --network "$demo" --demand "$src/demo/homes.csv" \
    --candidates "$tmp/cands.csv" --objective p-median --out "$tmp/x.geojson"
check "suggest options message" err_has "p-median needs --count K"
check "suggest left nothing" test ! -e "$tmp/x.geojson"
# Bring your own matrix: the same times as a from_id,to_id,cost CSV give the same sites.
python3 - "$tmp/sug_od.csv" "$tmp/od_in.csv" "$src/demo/homes.csv" "$tmp/dem_in.csv" <<'PY'
import csv, sys
with open(sys.argv[2], "w") as f:
    f.write("from_id,to_id,cost\n")
    for r in csv.DictReader(open(sys.argv[1])):
        f.write(f"{r['to_id']},{r['from_id']},{r['minutes']}\n")
with open(sys.argv[4], "w") as f:
    f.write("id,weight\n")
    for r in csv.DictReader(open(sys.argv[3])):
        f.write(f"{r['id']},{r['population']}\n")
PY
check "suggest --matrix" run 0 "$lc" suggest --matrix "$tmp/od_in.csv" --demand "$tmp/dem_in.csv" \
    --objective max-coverage --count 2 --cutoff 5 --out "$tmp/msites.csv" --summary "$tmp/msites.json"
check "suggest --matrix same answer" python3 -c "
import json
a = json.load(open('$tmp/sites.json')); b = json.load(open('$tmp/msites.json'))
assert abs(a['objective_value'] - b['objective_value']) < 1e-6, (a['objective_value'], b['objective_value'])
"
check "suggest --matrix csv" grep -q "^1,c" "$tmp/msites.csv"
printf 'origin,destination,time\na,b,1\n' >"$tmp/bad_od.csv"
check "suggest bad matrix header" run 3 "$lc" suggest --matrix "$tmp/bad_od.csv" --demand "$tmp/dem_in.csv" \
    --objective max-coverage --count 1 --cutoff 5 --out "$tmp/m2.csv"
check "suggest bad matrix message" err_has "expected from_id,to_id,cost"
check "suggest --matrix left nothing" test ! -e "$tmp/m2.csv"


# Issue 17: one study, one answer. The facility id field named is the one read (编号 on a CSV),
# the old spelling still works with a note, a missing field is named.
printf '编号,name,lon,lat\nH1,a,116.3038687,39.9831441\nH2,b,116.3226314,39.9802094\n' >"$tmp/cl.csv"
check "coverage id field" run 0 "$lc" coverage --network "$demo" --facilities "$tmp/cl.csv" --facilities-id-field 编号 \
    --demand "$src/demo/homes.csv" --weight-field population --minutes 10 --out "$tmp/cov_id.geojson"
check "coverage id field used" grep -q '"nearest_facility_id": "H2"' "$tmp/cov_id.geojson"
check "old spelling" run 0 "$lc" coverage --network "$demo" --facilities "$tmp/cl.csv" --facility-id-field 编号 \
    --demand "$src/demo/homes.csv" --weight-field population --minutes 10 --out "$tmp/cov_id2.geojson"
check "old spelling note" err_has "--facility-id-field is now spelled --facilities-id-field"
check "old spelling same file" cmp -s "$tmp/cov_id.geojson" "$tmp/cov_id2.geojson"
check "missing id field" run 3 "$lc" coverage --network "$demo" --facilities "$tmp/cl.csv" --facilities-id-field code \
    --demand "$src/demo/homes.csv" --minutes 10 --out "$tmp/cov_id3.geojson"
check "missing id field named" err_has "code"
check "missing id field left nothing" test ! -e "$tmp/cov_id3.geojson"
# A resident at the very place of a clinic is 0 minutes in matrix and coverage alike.
printf 'id,lon,lat,population\nat,116.3038687,39.9831441,10\n' >"$tmp/at.csv"
check "same place matrix" run 0 "$lc" matrix --network "$demo" --from "$tmp/at.csv" --to "$src/demo/clinics.geojson" \
    --out "$tmp/at_od.csv"
check "same place matrix 0" grep -qx "at,F1,0.000" "$tmp/at_od.csv"
check "same place coverage" run 0 "$lc" coverage --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --demand "$tmp/at.csv" --weight-field population --minutes 10 --out "$tmp/at_cov.geojson"
check "same place coverage 0" grep -q '"minutes_to_nearest": 0.0' "$tmp/at_cov.geojson"
# Capacitated suggest headlines the seats it optimised.
printf 'id,lon,lat,seats\nF1,116.3038687,39.9831441,40\n' >"$tmp/kg.csv"
check "capacitated suggest" run 0 "$lc" suggest --network "$demo" --facilities "$tmp/kg.csv" --capacity-field seats \
    --demand "$src/demo/homes.csv" --weight-field population --candidates auto --candidate-spacing 200 \
    --candidate-capacity 60 --capacitated --count 1 --minutes 10 --out "$tmp/cap.geojson"
check "capacitated headline" grep -q "population served (with a seat within 10 min walk" "$tmp/out"

# Issue 22: every number is validated, with the option named; nothing is written.
for bad in "--minutes nan" "--max-meters nan" "--hex-m nan" "--minutes 1e308" "--walk-speed inf"; do
    check "coverage $bad" run 2 "$lc" coverage --network "$demo" --facilities "$src/demo/clinics.geojson" \
        --demand "$src/demo/homes.csv" $bad --gaps "$tmp/nan_gaps.geojson" --out "$tmp/nan.geojson"
    check "coverage $bad message" err_has "${bad%% *}"
    check "coverage $bad message says must be" err_has "must be a number"
done
check "nan wrote nothing" test ! -e "$tmp/nan.geojson"
for bad in "--time-limit nan" "--p-median-minutes nan"; do
    check "suggest $bad" run 2 "$lc" suggest --network "$demo" --demand "$src/demo/homes.csv" --candidates auto \
        --objective p-median --count 1 $bad --out "$tmp/nan_s.geojson"
    check "suggest $bad message" err_has "${bad%% *}"
done
check "raster grid bound" run 2 "$lc" isochrones --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --minutes 15 --method raster --buffer-m 0.01 --out "$tmp/tiny.geojson"
check "raster grid bound message" err_has "use a buffer of at least"
python3 - "$src/demo/demo_district.osm" "$tmp/broken.osm" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
first = re.search(r'<node id="(\d+)"[^>]*lat="([^"]+)"', text)
open(sys.argv[2], "w", encoding="utf-8").write(text.replace(f'lat="{first.group(2)}"', 'lat="1e308"', 1))
PY
check "broken coordinate" run 3 "$lc" network-info --network "$tmp/broken.osm"
check "broken coordinate message" err_has "a coordinate is broken"
printf 'id,lon,lat,population\nbig,116.3038687,39.9831441,1e308\n' >"$tmp/huge.csv"
check "huge weight" run 3 "$lc" coverage --network "$demo" --facilities "$src/demo/clinics.geojson" \
    --demand "$tmp/huge.csv" --weight-field population --out "$tmp/huge.geojson"
check "huge weight names file and feature" err_has "huge.csv"
check "huge weight names feature" err_has "feature big"



# Issue 20: the same study in shards on this machine (child processes, merged) writes what the
# whole run writes; a planned run's folder merges again; what sharding refuses says why.
python3 - "$src/demo/clinics.geojson" "$tmp/sh_fac.csv" <<'PY'
import json, sys
with open(sys.argv[2], "w") as f:
    f.write("id,lon,lat,seats\n")
    for i, x in enumerate(json.load(open(sys.argv[1]))["features"]):
        lon, lat = x["geometry"]["coordinates"][:2]
        f.write(f"{x['properties']['id']},{lon},{lat},{20 + 10 * i}\n")
PY
cov=(coverage --network "$demo" --facilities "$tmp/sh_fac.csv" --capacity-field seats
     --demand "$src/demo/homes.csv" --weight-field population --minutes 5 --gaps)
check "whole run" run 0 "$lc" "${cov[@]}" "$tmp/sh_gaps0.geojson" --out "$tmp/sh0.geojson" --summary "$tmp/sh0.json"
check "3 shards, 2 at once" run 0 "$lc" "${cov[@]}" "$tmp/sh_gaps1.geojson" --out "$tmp/sh1.geojson" \
    --summary "$tmp/sh1.json" --shards 3 --jobs 2 --shard-dir "$tmp/shrun"
check "shards said done" err_has "shard 2 of 3 done"
check "sharded demand = whole" cmp -s "$tmp/sh0.geojson" "$tmp/sh1.geojson"
check "sharded summary = whole" cmp -s "$tmp/sh0.json" "$tmp/sh1.json"
check "sharded gaps = whole" cmp -s "$tmp/sh_gaps0.geojson" "$tmp/sh_gaps1.geojson"
rm -f "$tmp/sh1.geojson"
check "merge again" run 0 "$lc" merge "$tmp/shrun" --quiet
check "merged again = whole" cmp -s "$tmp/sh0.geojson" "$tmp/sh1.geojson"
check "merge of no run" run 3 "$lc" merge "$tmp"
check "merge of no run message" err_has "no sharded run was planned here"
check "shard without its folder" run 2 "$lc" "${cov[@]}" "$tmp/g.geojson" --out "$tmp/s.geojson" --shard 0/3
check "shard without its folder message" err_has "--shard needs --shard-dir"
check "shard of other options" run 2 "$lc" "${cov[@]}" "$tmp/g.geojson" --out "$tmp/s.geojson" --shard 0/3 \
    --shard-dir "$tmp/shrun"
check "shard of other options message" err_has "the shard's options differ"
check "slurm dry run" run 0 "$lc" slurm --shards 4 --out "$tmp/slurmrun" --dry-run -- "${cov[@]}" "$tmp/g.geojson" \
    --out "$tmp/s.geojson"
check "slurm dry run array" grep -qF "#SBATCH --array=0-3" "$tmp/out"
check "slurm dry run wrote nothing" test ! -e "$tmp/slurmrun"
check "slurm of another verb" run 2 "$lc" slurm --shards 4 --out "$tmp/slurmrun" -- matrix --network "$demo"
check "slurm of another verb message" err_has "lifecircle slurm runs a coverage, suggest or plan study in shards"

# A suggestion in shards: the shards tabulate the candidate sites with their residents, the merge
# chooses on the whole tables: the sites file is the whole run's, byte for byte, and so is the
# summary but the solver's own time.
awk -F, 'NR > 1 && NR % 4 == 0 { print "c" NR "," $2 "," $3 "," 40 + NR % 30 } NR == 1 { print "id,lon,lat,seats" }' \
    "$src/demo/homes.csv" >"$tmp/sh_cand.csv"
sug=(suggest --network "$demo" --facilities "$tmp/sh_fac.csv" --capacity-field seats --demand "$src/demo/homes.csv"
     --weight-field population --minutes 5 --candidates "$tmp/sh_cand.csv" --candidates-capacity-field seats
     --capacitated --count 2)
check "suggest whole" run 0 "$lc" "${sug[@]}" --out "$tmp/sg0.geojson" --summary "$tmp/sg0.json"
check "suggest in 3 shards" run 0 "$lc" "${sug[@]}" --out "$tmp/sg1.geojson" --summary "$tmp/sg1.json" --shards 3 \
    --jobs 2 --shard-dir "$tmp/sgrun"
check "suggest in shards planned the sites" err_has "candidate sites in"
check "suggested sites in shards = whole" cmp -s "$tmp/sg0.geojson" "$tmp/sg1.geojson"
check "suggest summary in shards = whole" python3 -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for x in (a, b): x.pop("seconds")
sys.exit(a != b or not a["selected"])' "$tmp/sg0.json" "$tmp/sg1.json"
rm -f "$tmp/sg1.geojson"
check "suggest merge again" run 0 "$lc" merge "$tmp/sgrun"
check "suggest merged again = whole" cmp -s "$tmp/sg0.geojson" "$tmp/sg1.geojson"
check "suggest merge prints the sites" grep -qF "max-coverage (capacitated): 2 sites" "$tmp/out"
check "suggest shard of a coverage run" run 2 "$lc" "${sug[@]}" --out "$tmp/sg1.geojson" --shard 0/3 \
    --shard-dir "$tmp/shrun"
check "suggest shard of a coverage run message" err_has "is a sharded 'coverage' study, not 'suggest'"
cp "$tmp/sh_cand.csv" "$tmp/sh_cand.bak" && echo "cnew,116.31,39.99,50" >>"$tmp/sh_cand.csv"
check "suggest shard after the candidates changed" run 3 "$lc" "${sug[@]}" --out "$tmp/sg1.geojson" \
    --summary "$tmp/sg1.json" --shard 0/3 --shard-dir "$tmp/sgrun"
check "suggest shard after the candidates changed message" err_has "sh_cand.csv"
mv "$tmp/sh_cand.bak" "$tmp/sh_cand.csv"
check "suggest auto in shards" run 2 "$lc" suggest --network "$demo" --facilities "$tmp/sh_fac.csv" \
    --demand "$src/demo/homes.csv" --candidates auto --count 2 --out "$tmp/sg2.geojson" --shards 2
check "suggest auto in shards message" err_has "needs a candidate layer"
check "suggest auto in shards left nothing" test ! -e "$tmp/sg2.geojson"
check "slurm suggest dry run" run 0 "$lc" slurm --shards 2 --out "$tmp/slurmsg" --dry-run -- "${sug[@]}" \
    --out "$tmp/sg3.geojson"
check "slurm suggest dry run runs suggest" grep -qF "suggest --network" "$tmp/out"

# A plan in shards: each shard runs the scenario's service studies on its residents, the merge runs
# the plan on the merged results: every file of the plan folder is the whole plan's, byte for byte.
cat >"$tmp/sh_plan.toml" <<TOML
title = "demo in shards"
[network]
file = "$demo"
[demand]
file = "$src/demo/homes.csv"
weight_fields = ["population"]
[gaps]
hex_m = 150
[[services]]
id = "clinics"
facilities = "$tmp/sh_fac.csv"
capacity_field = "seats"
minutes = 5
demand_group = "population"
  [services.suggest]
  candidates = "$tmp/sh_cand.csv"
  candidates_capacity_field = "seats"
  capacitated = true
  count = 2
[[variants]]
id = "new_clinic"
title = "a new clinic"
  [[variants.facilities]]
  service = "clinics"
  add = [{ id = "N1", name = "new", lon = 116.3150, lat = 39.9830, capacity = 60 }]
TOML
check "plan whole" run 0 "$lc" plan "$tmp/sh_plan.toml" --out "$tmp/pl0" --quiet
check "plan in 3 shards" run 0 "$lc" plan "$tmp/sh_plan.toml" --out "$tmp/pl1" --shards 3 --jobs 2 --shard-dir "$tmp/plrun"
check "plan in shards = whole, every file" diff -r "$tmp/pl0" "$tmp/pl1"
check "plan in shards printed its table" grep -qF "new_clinic" "$tmp/out"
rm -rf "$tmp/pl1"
check "plan merge again" run 0 "$lc" merge "$tmp/plrun"
check "plan merged again = whole" diff -r "$tmp/pl0" "$tmp/pl1"
if command -v chromium >/dev/null; then
    check "plan in shards with --pdf" run 0 "$lc" plan "$tmp/sh_plan.toml" --out "$tmp/pl4" --shards 2 --pdf --quiet
    check "plan in shards wrote report.pdf" test -s "$tmp/pl4/report.pdf"
fi
{ cat "$tmp/sh_plan.toml"; printf '[[edits]]\ntype = "add_road"\nline = [[116.3117, 39.9754], [116.3117, 39.9772]]\n'; } \
    >"$tmp/sh_plan_edits.toml"
check "plan with road works in shards" run 2 "$lc" plan "$tmp/sh_plan_edits.toml" --out "$tmp/pl2" --shards 2
check "plan with road works in shards message" err_has "a plan in shards takes no road works"
check "plan with road works in shards left nothing" test ! -e "$tmp/pl2"
check "slurm plan dry run" run 0 "$lc" slurm --shards 2 --out "$tmp/slurmpl" --dry-run -- plan "$tmp/sh_plan.toml" \
    --out "$tmp/pl3"
check "slurm plan dry run runs the plan's shards" grep -qF -- "plan $tmp/sh_plan.toml --out $tmp/pl3" "$tmp/out"
check "slurm scenario.toml dry run" run 0 "$lc" slurm "$tmp/sh_plan.toml" --shards 2 --out "$tmp/slurmsc" --dry-run
check "slurm scenario.toml plans the plan into DIR/plan" grep -qF -- "plan $tmp/sh_plan.toml --out $tmp/slurmsc/plan" "$tmp/out"

# Issue 21: public transport by timetable, where the shared data is present.
pa=$src/../shared/data
if [[ -f $pa/transit/porto_alegre_trensurb_gtfs.zip ]]; then
    check "gtfs without transit" run 2 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
        --gtfs "$pa/transit/porto_alegre_trensurb_gtfs.zip" --out "$tmp/odt.csv"
    check "gtfs without transit message" err_has "--gtfs is for --mode transit"
    check "transit without gtfs" run 2 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
        --mode transit --out "$tmp/odt.csv"
    check "transit without gtfs message" err_has "--mode transit needs the timetables"
    check "transit metres refused" run 2 "$lc" coverage --network "$demo" --facilities "$src/demo/clinics.geojson" \
        --demand "$src/demo/homes.csv" --mode transit --gtfs "$pa/transit/porto_alegre_trensurb_gtfs.zip" \
        --departure 2019-05-13T14:00 --minutes 15 --max-meters 500 --out "$tmp/cov_t.geojson"
    check "transit metres message" err_has "by public transport the standard is --minutes"
    check "transit no service" run 3 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
        --mode transit --gtfs "$pa/transit/porto_alegre_trensurb_gtfs.zip" --departure 2031-01-01T08:00 --out "$tmp/odt.csv"
    check "transit no service message" err_has "2031"
    check "transit feed of another city" run 3 "$lc" matrix --network "$demo" --from "$tmp/pts.csv" --to "$tmp/pts.csv" \
        --mode transit --gtfs "$pa/transit/porto_alegre_trensurb_gtfs.zip" --departure 2019-05-13T14:00 --out "$tmp/odt.csv"
    check "transit feed of another city message" err_has "are the feeds (--gtfs) for this city?"
    check "transit left nothing" test ! -e "$tmp/odt.csv"
    check "transit in shards refused" run 2 "$lc" coverage --network "$demo" --facilities "$src/demo/clinics.geojson" \
        --demand "$src/demo/homes.csv" --mode transit --gtfs "$pa/transit/porto_alegre_trensurb_gtfs.zip" \
        --departure 2019-05-13T14:00 --minutes 15 --shards 2 --out "$tmp/cov_t.geojson"
    check "transit in shards message" err_has "is not run in shards"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
