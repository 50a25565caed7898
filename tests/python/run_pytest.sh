#!/usr/bin/env bash
# Runs the Python module's tests (pytest) against the built package and the command line.
# Usage: run_pytest.sh PYTHON BUILD_DIR SOURCE_DIR LIFECIRCLE_BINARY
# Exit 77 (a skip for CTest) when pytest, geopandas or scipy is missing:
#   apt-get install python3-pytest python3-geopandas python3-scipy (scripts/install-deps.sh --test)
set -uo pipefail
python=${1:?python} build=${2:?build dir} src=${3:?source dir} lc=${4:?lifecircle binary}
if ! "$python" -c "import pytest, geopandas, scipy" 2>/dev/null; then
    echo "python_module: skipped, pytest, geopandas or scipy is missing (scripts/install-deps.sh --test)"
    exit 77
fi
export PYTHONPATH=$build/python LIFECIRCLE=$lc LIFECIRCLE_SOURCE_DIR=$src
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
exec "$python" -m pytest -q -p no:cacheprovider --basetemp "$tmp/pytest" "$src/tests/python"
