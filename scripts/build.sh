#!/usr/bin/env bash
# Installs missing Debian packages, builds lifecircle (Release) into build/ and installs the Python
# module for the system python3 (into the user's site folder, no root needed).
# --test also builds the tests (scripts/test.sh); --bench also installs the benchmarks' packages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh "$@"
tests=OFF
for arg in "$@"; do [[ $arg == --test ]] && tests=ON; done
python=/usr/bin/python3
[[ -x $python ]] || python=$(command -v python3)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLIFECIRCLE_BUILD_TESTS="$tests" \
  -DLIFECIRCLE_PYTHON_INSTALL_DIR="$("$python" -m site --user-site)" >/dev/null
cmake --build build -j"$(nproc)"
if grep -q "^LIFECIRCLE_BUILD_PYTHON:BOOL=ON" build/CMakeCache.txt; then
  cmake --install build --component python >/dev/null
  echo "The Python module is installed for $python: $("$python" -m site --user-site)/lifecircle" >&2
fi
