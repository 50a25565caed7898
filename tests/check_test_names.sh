#!/usr/bin/env bash
# CTest cuts a test's name at ';' (its list separator); a cut name matches no Catch2 test case,
# and Catch2 runs that as "no tests ran" with exit 0, so such a test would pass without running.
# Fails, naming them, when any test case's name holds a ';'.
set -uo pipefail
names=$("$1" --list-test-names-only)  # Catch2 exits with the number of tests listed
[[ -n $names ]] || { echo "no test names listed by $1"; exit 1; }
if grep -n ';' <<<"$names"; then
    echo "the test names above hold ';': CTest would cut them and skip the tests; use ',' instead"
    exit 1
fi
echo "$(wc -l <<<"$names") test names, none with ';'"
