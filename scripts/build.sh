#!/usr/bin/env bash
# Installs missing Debian packages and builds lifecircle (Release) into build/.
# Usage: build.sh [--test] [--bench] [--target NAME]: --test/--bench also install those packages;
# --target builds only that target (the demo needs only the program, not the test suite).
set -euo pipefail
cd "$(dirname "$0")/.."
deps=()
target=()
while (($#)); do
  case "$1" in
    --target) target=(--target "$2"); shift 2 ;;
    *) deps+=("$1"); shift ;;
  esac
done
bash scripts/install-deps.sh "${deps[@]+"${deps[@]}"}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" "${target[@]+"${target[@]}"}"
