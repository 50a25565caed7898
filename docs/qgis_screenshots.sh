#!/usr/bin/env bash
# Makes docs/qgis_dialog.png and docs/qgis_result.png: the lifecircle provider in real QGIS under
# Xvfb (apt-get install xvfb qgis), with a profile of its own and the module from build/python.
# Usage: bash docs/qgis_screenshots.sh   (after scripts/build.sh)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The demo homes as a point layer (the CSV has lon/lat columns, which QGIS would need told).
ogr2ogr -f GPKG "$tmp/homes.gpkg" "$src/demo/homes.csv" -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat \
  -oo KEEP_GEOM_COLUMNS=NO -oo AUTODETECT_TYPE=YES -a_srs EPSG:4326 -nln homes
mkdir -p "$tmp/profiles/default/python/plugins" "$tmp/runtime" && chmod 700 "$tmp/runtime"
ln -s "$src/qgis_plugin/lifecircle_qgis" "$tmp/profiles/default/python/plugins/lifecircle_qgis"
mkdir -p "$tmp/profiles/default/QGIS"
printf '[PythonPlugins]\nlifecircle_qgis=true\nprocessing=true\n[qgis]\nshowTips=false\ncheckVersion=false\n' \
  >"$tmp/profiles/default/QGIS/QGIS3.ini"
export PYTHONPATH=$src/build/python XDG_RUNTIME_DIR=$tmp/runtime LIFECIRCLE_SOURCE_DIR=$src \
  LIFECIRCLE_SHOTS_TMP=$tmp LIFECIRCLE_SHOTS_OUT=$tmp
LC_ALL=C.UTF-8 xvfb-run -a -s "-screen 0 1400x900x24" qgis --profiles-path "$tmp" --nologo \
  --code "$src/docs/qgis_screenshots.py" >"$tmp/qgis.log" 2>&1 || true
grep -E "^(wrote|coverage)|Error|Traceback|  File" "$tmp/qgis.log" || true
# Small PNGs for the README: 256 colours.
/usr/bin/python3 - "$tmp" "$src/docs" <<'PY'
import sys
from PIL import Image
tmp, docs = sys.argv[1:]
for name in ("qgis_dialog.png", "qgis_result.png"):
    image = Image.open(f"{tmp}/{name}").convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(f"{docs}/{name}", optimize=True)
    print(f"docs/{name}: {image.size[0]}x{image.size[1]}")
PY
