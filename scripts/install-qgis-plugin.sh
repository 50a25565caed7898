#!/usr/bin/env bash
# Installs the lifecircle Processing provider into QGIS: links qgis_plugin/lifecircle_qgis into the
# profile's plugins folder (QGIS_PROFILE, default "default") and enables it, so that "lifecircle"
# appears in the Processing Toolbox and `qgis_process run lifecircle:coverage -- ...` works.
# The plugin calls the lifecircle Python module: run scripts/build.sh first (it installs the
# module for the system python3). Undo: remove the link (or disable it in Plugins > Manage).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${QGIS_PROFILE:-default}
plugins=${QGIS_PROFILES_DIR:-$HOME/.local/share/QGIS/QGIS3/profiles}/$profile/python/plugins
mkdir -p "$plugins"
ln -sfn "$PWD/qgis_plugin/lifecircle_qgis" "$plugins/lifecircle_qgis"
echo "linked $plugins/lifecircle_qgis -> $PWD/qgis_plugin/lifecircle_qgis"
if ! /usr/bin/python3 -c "import lifecircle" 2>/dev/null; then
  echo "warning: the lifecircle Python module is not installed for /usr/bin/python3: run scripts/build.sh" >&2
fi
# Enable it (QGIS's settings say which plugins load). Debian 12's qgis_process wrapper passes an
# option its 3.22 binary refuses, so the binary is called when it is there.
qp=$(command -v qgis_process.bin || command -v qgis_process || true)
if [[ -n $qp ]]; then
  QT_QPA_PLATFORM=offscreen "$qp" plugins enable lifecircle_qgis >/dev/null 2>&1 &&
    echo "enabled: lifecircle is in the Processing Toolbox (restart QGIS if it is open)" ||
    echo "enable it in QGIS: Plugins > Manage and Install Plugins > Installed > lifecircle" >&2
else
  echo "enable it in QGIS: Plugins > Manage and Install Plugins > Installed > lifecircle"
fi
