#!/usr/bin/env bash
# One command: install what is missing, build, and run the whole test suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh --test
ctest --test-dir build --output-on-failure -j"$(nproc)"
