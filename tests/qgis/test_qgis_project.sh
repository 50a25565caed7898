#!/usr/bin/env bash
# End to end with QGIS itself: `lifecircle coverage` writes a GeoPackage of the demo district,
# maps::qgis_project_xml() (through the hidden test "[.qgs-write]") writes lifecircle.qgs for
# its layers, and tests/qgis/check_qgis.py opens the project headless with PyQGIS and checks
# every layer (valid, counts, geometry, CRS, styles from the project and from the GeoPackage),
# also after the folder is moved (the project refers to the GeoPackage by a relative path).
#
# Usage: bash tests/qgis/test_qgis_project.sh LIFECIRCLE_BINARY SOURCE_DIR
#   LIFECIRCLE_TESTS     the test binary (default: <dir of LIFECIRCLE_BINARY>/tests/lifecircle_tests)
#   LIFECIRCLE_QGS_SCREENSHOT=FILE.png  also render the project to FILE.png (1200x900)
#   LIFECIRCLE_QGS_KEEP=DIR  keep the folder (lifecircle.gpkg + lifecircle.qgs) as DIR, to open in QGIS
# Exit 0 = passed, 1 = failed, 77 = skipped (PyQGIS not installed: apt-get install python3-qgis
# qgis-providers).
#
# Suggested CTest lines for tests/CMakeLists.txt (77 = skipped when PyQGIS is missing):
#   add_test(NAME qgis_project_end_to_end
#     COMMAND ${CMAKE_COMMAND} -E env LIFECIRCLE_TESTS=$<TARGET_FILE:lifecircle_tests>
#             bash ${CMAKE_CURRENT_SOURCE_DIR}/qgis/test_qgis_project.sh $<TARGET_FILE:lifecircle>
#             ${PROJECT_SOURCE_DIR})
#   set_tests_properties(qgis_project_end_to_end PROPERTIES SKIP_RETURN_CODE 77)
set -uo pipefail
lc=${1:?lifecircle binary}
src=${2:?source dir}
tests=${LIFECIRCLE_TESTS:-$(dirname "$lc")/tests/lifecircle_tests}
python=/usr/bin/python3
check=$src/tests/qgis/check_qgis.py

if ! QT_QPA_PLATFORM=offscreen "$python" -c "import qgis.core" 2>/dev/null; then
    echo "test_qgis_project: skipped, PyQGIS is not installed (apt-get install python3-qgis qgis-providers)"
    exit 77
fi
[[ -x $lc ]] || { echo "test_qgis_project: no lifecircle binary at $lc" >&2; exit 1; }
[[ -x $tests ]] || { echo "test_qgis_project: no test binary at $tests (set LIFECIRCLE_TESTS)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=$tmp/plan
mkdir -p "$dir"

# Two districts over the demo homes (as tests/cli/test_cli.sh makes them), with Chinese names.
"$python" - "$src/demo/homes.csv" "$tmp/districts.geojson" <<'PY' || exit 1
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
lons = sorted(float(r['lon']) for r in rows); lats = sorted(float(r['lat']) for r in rows)
mid = lons[len(lons) // 2]
def rect(x0, x1): return [[x0, lats[0] - 0.01], [x1, lats[0] - 0.01], [x1, lats[-1] + 0.01], [x0, lats[-1] + 0.01], [x0, lats[0] - 0.01]]
f = [{"type": "Feature", "properties": {"name": "西区"}, "geometry": {"type": "Polygon", "coordinates": [rect(lons[0] - 0.01, mid + 0.002)]}},
     {"type": "Feature", "properties": {"name": "东区"}, "geometry": {"type": "Polygon", "coordinates": [rect(mid - 0.002, lons[-1] + 0.01)]}}]
json.dump({"type": "FeatureCollection", "features": f}, open(sys.argv[2], "w"), ensure_ascii=False)
PY

if ! "$lc" coverage --network "$src/demo/demo_district.osm" --facilities "$src/demo/clinics.geojson" \
    --demand "$src/demo/homes.csv" --weight-field population --minutes 10 \
    --out "$dir/lifecircle.gpkg" --gaps "$dir/lifecircle.gpkg" --districts "$tmp/districts.geojson" -q >"$tmp/coverage.log" 2>&1; then
    cat "$tmp/coverage.log" >&2
    echo "test_qgis_project: FAILED: lifecircle coverage" >&2
    exit 1
fi

# The project description for "[.qgs-write]" and the expectations for check_qgis.py, both
# read from the GeoPackage itself (tables, geometry types, counts, QML styles).
"$python" - "$dir" "$tmp" <<'PY' || { echo "test_qgis_project: FAILED: reading the GeoPackage" >&2; exit 1; }
import json, os, re, sqlite3, sys
folder, tmp = sys.argv[1], sys.argv[2]
db = sqlite3.connect(os.path.join(folder, "lifecircle.gpkg"))
tables = [r for r in db.execute("select table_name, data_type from gpkg_contents "
                                "where table_name != 'layer_styles' order by table_name")]
geometry = dict(db.execute("select table_name, geometry_type_name from gpkg_geometry_columns"))
styles = dict(db.execute("select f_table_name, styleQML from layer_styles where useAsDefault"))
assert {"demand", "gaps", "districts"} <= set(styles), f"styled layers: {sorted(styles)}"
kinds = {"POINT": ("point", "Point"), "MULTIPOINT": ("point", "Point"),
         "LINESTRING": ("line", "Line"), "MULTILINESTRING": ("line", "Line"),
         "POLYGON": ("polygon", "Polygon"), "MULTIPOLYGON": ("polygon", "Polygon")}
LABELS = """  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="district" isExpression="0" fontSize="16" fontWeight="75" textColor="30,30,30,255" fontFamily="WenQuanYi Micro Hei">
        <text-buffer bufferDraw="1" bufferSize="1.2" bufferColor="255,255,255,255"/>
      </text-style>
      <placement placement="1"/>
    </settings>
  </labeling>
"""
titles = {"demand": "需求点 Demand (homes)", "gaps": "服务盲区 Gaps & <10 min>", "districts": "街道 Districts"}
order = {"demand": 0, "gaps": 1, "districts": 2}
layers, expected = [], []
for name, data_type in sorted(tables, key=lambda t: (order.get(t[0], 9), t[0])):
    kind, geom = kinds.get(geometry.get(name, ""), ("none", "NoGeometry"))
    qml_file = ""
    if name in styles:
        qml = styles[name]
        if name == "districts":  # labels too: the project must carry <labeling> from the QML
            qml = qml.replace('labelsEnabled="0"', 'labelsEnabled="1"').replace("</qgis>", LABELS + "</qgis>")
        qml_file = os.path.join(tmp, name + ".qml")
        open(qml_file, "w", encoding="utf-8").write(qml)
    layers.append({"name": name, "title": titles.get(name, name), "kind": kind, "qml_file": qml_file,
                   "group": "10-minute medical circle 十分钟就医圈" if name in ("demand", "gaps") else ""})
    count = db.execute(f'select count(*) from "{name}"').fetchone()[0]
    want = {"name": name, "features": count, "geometry": geom, "styled": name in styles,
            "title": titles.get(name, name), "visible": True, "group": layers[-1]["group"]}
    if geom != "NoGeometry":
        want["crs"] = "EPSG:4326"
    if name == "districts":
        want["labels"] = "district"
    if name in styles:  # the renderer the QML names, e.g. graduatedSymbol
        want["renderer"] = re.search(r'<renderer-v2 [^>]*?type="([^"]+)"', styles[name]).group(1)
    expected.append(want)
    print(f"  gpkg layer {name}: {data_type}, {geom}, {count} features, styled={name in styles}")
boxes = [r for r in db.execute("select min_x, min_y, max_x, max_y from gpkg_contents where min_x is not null")]
extent = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]
json.dump({"title": "生活圈 lifecircle demo: 10-minute clinics & <gaps>", "gpkg": "lifecircle.gpkg",
           "out": os.path.join(folder, "lifecircle.qgs"), "extent": extent, "layers": layers},
          open(os.path.join(tmp, "project.json"), "w"), ensure_ascii=False, indent=1)
json.dump({"ordered": True, "layers": expected}, open(os.path.join(tmp, "expected.json"), "w"), ensure_ascii=False, indent=1)
PY

if ! LIFECIRCLE_QGS_JSON=$tmp/project.json "$tests" "[.qgs-write]" >"$tmp/write.log" 2>&1; then
    echo "test_qgis_project: FAILED: writing the project ([.qgs-write])" >&2
    cat "$tmp/write.log" >&2
    exit 1
fi
grep -q "layername=" "$dir/lifecircle.qgs" && ! grep -q "$tmp" "$dir/lifecircle.qgs" ||
    { echo "test_qgis_project: FAILED: the project's datasources are not relative" >&2; exit 1; }

shot=()
[[ -n ${LIFECIRCLE_QGS_SCREENSHOT:-} ]] && shot=(--screenshot "$LIFECIRCLE_QGS_SCREENSHOT")
QT_QPA_PLATFORM=offscreen "$python" "$check" "$dir/lifecircle.qgs" "$tmp/expected.json" "${shot[@]}"
rc=$?
if [[ $rc -ne 0 ]]; then
    echo "test_qgis_project: FAILED: check_qgis.py exit $rc" >&2
    exit "$rc"
fi

# "auto": the expectations derived from the GeoPackage by check_qgis.py itself.
QT_QPA_PLATFORM=offscreen "$python" "$check" "$dir/lifecircle.qgs" auto >"$tmp/auto.log" 2>&1 ||
    { echo "test_qgis_project: FAILED: check_qgis.py auto" >&2; cat "$tmp/auto.log" >&2; exit 1; }

# The check must catch a project without the styles: the same layers, no QML.
"$python" -c "
import json, sys
j = json.load(open(sys.argv[1])); j['out'] = sys.argv[2]
for l in j['layers']: l['qml_file'] = ''
json.dump(j, open(sys.argv[3], 'w'))" "$tmp/project.json" "$dir/unstyled.qgs" "$tmp/unstyled.json" &&
    LIFECIRCLE_QGS_JSON=$tmp/unstyled.json "$tests" "[.qgs-write]" >"$tmp/write2.log" 2>&1 ||
    { echo "test_qgis_project: FAILED: writing the unstyled project" >&2; cat "$tmp/write2.log" >&2; exit 1; }
QT_QPA_PLATFORM=offscreen "$python" "$check" "$dir/unstyled.qgs" "$tmp/expected.json" >"$tmp/unstyled.log" 2>&1
rc=$?
if [[ $rc -ne 1 ]] || ! grep -q "renderer is singleSymbol" "$tmp/unstyled.log"; then
    echo "test_qgis_project: FAILED: check_qgis.py did not catch an unstyled project (exit $rc)" >&2
    cat "$tmp/unstyled.log" >&2
    exit 1
fi
rm -f "$dir/unstyled.qgs"

# Move the folder: the relative datasources still find the GeoPackage.
mv "$dir" "$tmp/moved folder"
QT_QPA_PLATFORM=offscreen "$python" "$check" "$tmp/moved folder/lifecircle.qgs" "$tmp/expected.json" >"$tmp/moved.log" 2>&1
rc=$?
if [[ $rc -ne 0 ]]; then
    echo "test_qgis_project: FAILED: after moving the folder, check_qgis.py exit $rc" >&2
    cat "$tmp/moved.log" >&2
    exit 1
fi
if [[ -n ${LIFECIRCLE_QGS_KEEP:-} ]]; then
    rm -rf "$LIFECIRCLE_QGS_KEEP" && cp -r "$tmp/moved folder" "$LIFECIRCLE_QGS_KEEP" &&
        echo "test_qgis_project: kept the project in $LIFECIRCLE_QGS_KEEP"
fi
echo "test_qgis_project: passed (also after moving the folder)"
