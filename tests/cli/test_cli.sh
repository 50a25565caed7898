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
for verb in network-info matrix isochrones facilities standards; do
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
check "facilities" run 0 "$lc" facilities --network "$demo" --kind kindergarten --out "$tmp/k.geojson"
check "facilities count" python3 -c "import json; assert len(json.load(open('$tmp/k.geojson'))['features'])==2"

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

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
