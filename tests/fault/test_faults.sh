#!/usr/bin/env bash
# The output transaction end to end (issue 22), with the real binary: write, sync and rename
# failures injected mid-commit (LIFECIRCLE_FAULT, a test-only setting, and strace's own
# injection), kills (SIGKILL, SIGTERM, SIGINT) at chosen and seeded moments of `plan` and of
# `isochrones --update`, concurrent `--update` runs, manifests that point outside their folder,
# the demo folder rerun, full disks (a small tmpfs, when one can be mounted) and the messages of
# the unclear cases. Every case checks the exit code, the message, the previous outputs byte for
# byte (sha256) where there were some, and that no temporary file (.lc-*) is left.
# Usage: LIFECIRCLE=path bash tests/fault/test_faults.sh SOURCE_DIR
# LIFECIRCLE_FAULT_SEED=n picks other kill moments; the seed in use is printed.
set -uo pipefail
src=${1:?source dir}
lc=${LIFECIRCLE:?path to lifecircle}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset LIFECIRCLE_FAULT LIFECIRCLE_LOCK_TIMEOUT
export TMPDIR=$tmp/tmpdir  # streams are staged here: checked for debris too
mkdir -p "$TMPDIR"
seed=${LIFECIRCLE_FAULT_SEED:-22}
RANDOM=$seed
echo "seed $seed (set LIFECIRCLE_FAULT_SEED to change the kill moments)"
passed=0
failed=0
check() {
    local name=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $name" >&2; fi
}
run() {  # run EXPECTED_EXIT COMMAND...: stdout to $tmp/out, stderr to $tmp/err
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
err_has_re() { grep -qE -- "$1" "$tmp/err" || { echo "stderr lacks /$1/:" >&2; cat "$tmp/err" >&2; return 1; }; }
sums() { (cd "$1" && find . -type f ! -name '.lc-*' -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum); }
same_as() {  # same_as DIR SUMFILE: every file of DIR byte for byte as recorded
    if ! diff <(sums "$1") "$2" >/dev/null; then
        echo "$1 differs from $2:" >&2
        diff <(sums "$1") "$2" | head -5 >&2
        return 1
    fi
}
either() {  # either DIR SUM_A SUM_B: all of the one or all of the other
    diff <(sums "$1") "$2" >/dev/null || diff <(sums "$1") "$3" >/dev/null || {
        echo "$1 is a mix of $2 and $3:" >&2
        diff <(sums "$1") "$2" | head -5 >&2
        return 1
    }
}
no_debris() {
    local left
    left=$(find "$@" -name '.lc-*' 2>/dev/null)
    [[ -z $left ]] || { echo "left behind: $left" >&2; return 1; }
}
exit_of() {  # the exit status of a shell child ended by a signal
    case $1 in KILL) echo 137 ;; TERM) echo 143 ;; INT) echo 130 ;; esac
}

# Fixtures: the demo district, and two quick scenarios on it (no site suggestion) whose outputs
# differ in every file: A, then B over A.
D=$tmp/demo
check "demo" run 0 "$lc" demo --out "$D" -q
data=$D/data
scenario() {  # scenario FILE TITLE MINUTES
    cat >"$1" <<TOML
title = "$2"
[network]
file = "$data/district.osm"
[demand]
file = "$data/compounds.geojson"
weight_fields = ["pop_total", "pop_60plus"]
[districts]
file = "$data/communities.geojson"
name_field = "name"
[gaps]
hex_m = 200
[[services]]
id = "clinics"
facilities = "$data/clinics.geojson"
minutes = $3
demand_group = "pop_total"
[[services]]
id = "meal_points"
facilities = "$data/meal_points.geojson"
minutes = $3
demand_group = "pop_60plus"
TOML
    sed -n '/^\[\[edits\]\]/,$p' "$data/scenario.toml" >>"$1"
}
scenario "$tmp/a.toml" "fault A" 10
scenario "$tmp/b.toml" "fault B" 12
P=$tmp/plan
check "plan A" run 0 "$lc" plan "$tmp/a.toml" --out "$P" -q
cp -a "$P" "$tmp/plan_A"
sums "$P" >"$tmp/A.sum"
check "plan B" run 0 "$lc" plan "$tmp/b.toml" --out "$tmp/plan_B" -q
sums "$tmp/plan_B" >"$tmp/B.sum"
check "A and B differ" bash -c "! cmp -s '$tmp/A.sum' '$tmp/B.sum'"
reset_plan() { rm -rf "$P" && cp -a "$tmp/plan_A" "$P"; }

# 1. Failures injected mid-commit of `plan` B over A: exit 4, A byte for byte, nothing left.
for spec in rename:20 rename:10+ rename:1@.lifecircle-plan sync:40 sync:1@geojson write:1@journal \
            write:1:ENOSPC@.lifecircle-plan; do
    reset_plan
    check "plan, $spec: exit 4" run 4 env LIFECIRCLE_FAULT=$spec "$lc" plan "$tmp/b.toml" --out "$P" -q
    case $spec in
        rename*) check "plan, $spec: message" err_has "cannot move the finished file into place (Input/output error); no output was replaced" ;;
        sync:40) check "plan, $spec: message" err_has "(fsync: Input/output error); no output was replaced" ;;
        sync*) check "plan, $spec: message" err_has "that keeps the commit safe (Input/output error); no output was replaced" ;;
        write:1@journal) check "plan, $spec: message" err_has "that keeps the commit safe (Input/output error); no output was replaced" ;;
        *ENOSPC*) check "plan, $spec: message (a full disk, not an empty manifest)" err_has \
            "$P/.lifecircle-plan: cannot write: No space left on device (the disk holding '$P' is full); no output was replaced" ;;
    esac
    check "plan, $spec: A byte for byte" same_as "$P" "$tmp/A.sum"
    check "plan, $spec: nothing left" no_debris "$P" "$TMPDIR"
done
check "plan after the failures: B" run 0 "$lc" plan "$tmp/b.toml" --out "$P" -q
check "plan after the failures: B byte for byte" same_as "$P" "$tmp/B.sum"
# The issue's own reproduction: a file system failing every rename from the 10th on (strace).
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
    reset_plan
    check "strace rename EIO from the 10th: exit 4" run 4 strace -f -o /dev/null \
        -e inject=rename,renameat,renameat2:error=EIO:when=10+ "$lc" plan "$tmp/b.toml" --out "$P" -q
    check "strace rename EIO: message" err_has "no output was replaced"
    check "strace rename EIO: A byte for byte" same_as "$P" "$tmp/A.sum"
    check "strace rename EIO: nothing left" no_debris "$P"
else
    echo "skipped: strace cannot trace here" >&2
fi

# 2. Kills of `plan` B over A. SIGKILL leaves its journal: the next run (stopped before it
# replaces anything: its summary.json write fails) finishes or rolls back and says so. SIGTERM
# and SIGINT remove the temporaries at once; in a commit they wait for its end.
kill_plan() {  # kill_plan RULE SIGNAL
    local rule=$1 sig=$2 rc
    reset_plan
    { env --default-signal LIFECIRCLE_FAULT="$rule" "$lc" plan "$tmp/b.toml" --out "$P" -q >/dev/null 2>"$tmp/err"; rc=$?; } 2>/dev/null
    if [[ $rc -eq 0 ]]; then  # the rule's moment never came: the run completed
        check "plan $rule: completed, B" same_as "$P" "$tmp/B.sum"
        return
    fi
    check "plan $rule: ended by SIG$sig" test "$rc" -eq "$(exit_of "$sig")"
    if [[ $sig == KILL ]]; then
        local left
        left=$(find "$P" -name '.lc-*' | wc -l)
        check "plan $rule, next run: exit 4" run 4 env LIFECIRCLE_FAULT=write:1@summary.json "$lc" plan "$tmp/b.toml" --out "$P"
        check "plan $rule, next run: its own failure" err_has "summary.json: cannot write: Input/output error; no output was replaced"
        if [[ $left -gt 0 ]]; then
            check "plan $rule, next run: says what it recovered" \
                err_has_re "note: (rolled back an interrupted run|an interrupted run .* finished its commit|removed the unfinished journal|removed [0-9]+ temporary files? left in)"
        fi
    fi
    check "plan $rule: all A or all B" either "$P" "$tmp/A.sum" "$tmp/B.sum"
    check "plan $rule: nothing left" no_debris "$P" "$TMPDIR"
}
kill_plan "kill:1:KILL@lifecircle.gpkg" KILL   # syncing the finished files: no journal yet
kill_plan "kill:1:KILL@journal" KILL           # writing the journal
kill_plan "kill:3:KILL@summary.json" KILL      # mid-rename: rolled back
kill_plan "kill:2:KILL@geojson" KILL           # after the last rename: finished
for sig in KILL KILL TERM TERM INT INT; do
    kill_plan "kill:$((1 + RANDOM % 130)):$sig" $sig
done
kill_plan "kill:3:TERM@summary.json" TERM      # mid-commit: completed first, then ended
kill_plan "kill:3:INT@.lifecircle-plan" INT
# From outside, at a seeded moment (SIGINT with its default disposition, as from a terminal).
for sig in TERM INT; do
    reset_plan
    env --default-signal "$lc" plan "$tmp/b.toml" --out "$P" -q >/dev/null 2>&1 &
    pid=$!
    sleep "0.$((1 + RANDOM % 6))"
    kill -s "$sig" "$pid" 2>/dev/null
    { wait "$pid"; rc=$?; } 2>/dev/null
    check "plan, SIG$sig from outside: ended by it or completed" bash -c "[[ $rc -eq 0 || $rc -eq $(exit_of $sig) ]]"
    check "plan, SIG$sig from outside: all A or all B" either "$P" "$tmp/A.sum" "$tmp/B.sum"
    check "plan, SIG$sig from outside: nothing left" no_debris "$P" "$TMPDIR"
done

# 3. Kills of `isochrones --update`: the GeoPackage keeps its layers, with or without the new one.
U=$tmp/update
mkdir -p "$U"
iso() {  # iso GPKG LAYER [env...]
    local gpkg=$1 layer=$2
    shift 2
    env "$@" "$lc" isochrones --network "$data/district.osm" --facilities "$data/clinics.geojson" --minutes 5,10 \
        --out "$gpkg" --update --layer-name "$layer" -q
}
layers() {
    python3 -c "import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
assert c.execute('pragma integrity_check').fetchone()[0] == 'ok'
print(' '.join(sorted(r[0] for r in c.execute('select table_name from gpkg_contents') if r[0] != 'layer_styles')))" "$1"
}
check "update: theirs" run 0 iso "$U/m.gpkg" theirs
cp "$U/m.gpkg" "$tmp/m_old.gpkg"
sums "$U" >"$tmp/m_old.sum"
check "update: new" run 0 iso "$U/m.gpkg" new
sums "$U" >"$tmp/m_new.sum"
check "update: both layers" test "$(layers "$U/m.gpkg")" = "new theirs"
kill_update() {  # kill_update RULE SIGNAL
    local rule=$1 sig=$2 rc
    cp "$tmp/m_old.gpkg" "$U/m.gpkg"
    { iso "$U/m.gpkg" new --default-signal LIFECIRCLE_FAULT="$rule" >/dev/null 2>&1; rc=$?; } 2>/dev/null
    if [[ $rc -ne 0 ]]; then check "update $rule: ended by SIG$sig" test "$rc" -eq "$(exit_of "$sig")"; fi
    if [[ $sig == KILL ]]; then
        check "update $rule, next run: exit 4" run 4 iso "$U/m.gpkg" probe LIFECIRCLE_FAULT=rename:1
        check "update $rule, next run: its own failure" err_has "cannot move the finished file into place (Input/output error); no output was replaced"
    fi
    check "update $rule: the old or the new file" either "$U" "$tmp/m_old.sum" "$tmp/m_new.sum"
    check "update $rule: a sound GeoPackage" eval 'layers "$U/m.gpkg" >/dev/null'
    check "update $rule: nothing left" no_debris "$U" "$TMPDIR"
}
# Every operation on m.gpkg (the copy's writes, the sync, the rename; past them the run completes),
# on its journal (write, sync) and on the folder (synced after the journal and after the rename).
for n in 1 2 3 4 5 6 7 8; do kill_update "kill:$n:KILL@m.gpkg" KILL; done
for n in 1 2; do
    kill_update "kill:$n:KILL@journal" KILL
    kill_update "kill:$n:KILL@update" KILL
done
kill_update "kill:$((1 + RANDOM % 9)):TERM" TERM
kill_update "kill:$((1 + RANDOM % 9)):INT" INT
cp "$tmp/m_old.gpkg" "$U/m.gpkg"
# The binary itself in the background (a function would run in a subshell: the signal would end
# the subshell, not the run, which would then finish after the checks).
env --default-signal "$lc" isochrones --network "$data/district.osm" --facilities "$data/clinics.geojson" --minutes 5,10 \
    --out "$U/m.gpkg" --update --layer-name new -q >/dev/null 2>&1 &
pid=$!
sleep "0.0$((RANDOM % 10))"
kill -TERM "$pid" 2>/dev/null
{ wait "$pid"; } 2>/dev/null
check "update, SIGTERM from outside: the old or the new file" either "$U" "$tmp/m_old.sum" "$tmp/m_new.sum"
check "update, SIGTERM from outside: nothing left" no_debris "$U" "$TMPDIR"

# 4. Two --update runs at once, with other layer names: both layers are there, every time.
C=$tmp/concurrent
mkdir -p "$C"
for rep in 1 2 3 4 5; do
    [[ $((rep % 2)) -eq 1 ]] && rm -f "$C/c.gpkg"  # also the race to create it
    iso "$C/c.gpkg" "iso_A_$rep" >"$tmp/a.out" 2>&1 &
    a=$!
    iso "$C/c.gpkg" "iso_B_$rep" >"$tmp/b.out" 2>&1 &
    b=$!
    wait "$a"
    ra=$?
    wait "$b"
    rb=$?
    check "concurrent $rep: both exit 0" test "$ra$rb" = "00"
    got=$(layers "$C/c.gpkg")
    check "concurrent $rep: both layers ($got)" bash -c "[[ ' $got ' == *' iso_A_$rep '* && ' $got ' == *' iso_B_$rep '* ]]"
done
check "concurrent: nothing left" no_debris "$C" "$TMPDIR"
# A lock held elsewhere (util-linux flock on the folder): a bounded wait, then a clear message.
if command -v flock >/dev/null; then
    flock "$C" sleep 5 &
    holder=$!
    sleep 0.3
    check "locked folder: exit 4" run 4 iso "$C/c.gpkg" late LIFECIRCLE_LOCK_TIMEOUT=0.5
    check "locked folder: message" err_has "$C/c.gpkg: another run (of lifecircle or of another program) holds the lock of the folder '$C' while it writes there; waited 0.5 s for it"
    kill "$holder" 2>/dev/null
    wait "$holder" 2>/dev/null
    check "locked folder: nothing left" no_debris "$C" "$TMPDIR"
fi

# 5. Manifests naming files outside their folder are refused with the line; victims intact.
R=$tmp/results
mkdir -p "$R" "$tmp/outside"
echo precious >"$tmp/victim.txt"
echo precious >"$tmp/outside/victim.txt"
manifest_case() {  # manifest_case NAME MESSAGE MANIFEST_TEXT
    printf '%s' "$3" >"$R/.lifecircle-plan"
    check "manifest $1: exit 4" run 4 "$lc" plan "$tmp/a.toml" --out "$R"
    check "manifest $1: message" err_has "$2"
    check "manifest $1: victims intact" grep -qx precious "$tmp/victim.txt" "$tmp/outside/victim.txt"
    check "manifest $1: nothing written" test ! -e "$R/report.html"
}
manifest_case "../" "$R/.lifecircle-plan: line 2: '../victim.txt' climbs out of the folder with '..'" \
    $'version 2\noutput ../victim.txt\n'
manifest_case "absolute (first version)" "$R/.lifecircle-plan: line 1: '$tmp/victim.txt' is an absolute path" \
    "$tmp/victim.txt"$'\n'
ln -s ../outside/victim.txt "$R/link.txt"
manifest_case "symlink out" "$R/.lifecircle-plan: line 2: 'link.txt' goes through the symbolic link 'link.txt', which leads out of the folder" \
    $'version 2\noutput link.txt\n'
rm "$R/link.txt"
ln -s ../outside "$R/geojson"
manifest_case "symlinked folder" "line 2: 'geojson/victim.txt' goes through the symbolic link 'geojson'" \
    $'version 2\nkept geojson/victim.txt\n'
rm "$R/geojson"
check "manifests: nothing left" no_debris "$R" "$TMPDIR"

# 6. The demo folder rerun: edit data/scenario.toml, plan it into the same folder. All data stays,
# the edit is used, the stale suggested-sites layer goes. Then again from a first-version manifest.
E=$tmp/demo_rerun
cp -a "$D" "$E"
sed -i '0,/^title = /s/^title = .*/title = "edited demo"/; /^  \[services.suggest\]/,/^  candidate_capacity/d' "$E/data/scenario.toml"
(cd "$E/data" && sha256sum ./*) >"$tmp/data.sum"
check "demo rerun: exit 0" run 0 "$lc" plan "$E/data/scenario.toml" --out "$E" -q
check "demo rerun: all eight data files intact" bash -c "cd '$E/data' && sha256sum -c --quiet '$tmp/data.sum' && [[ \$(ls | wc -l) -eq 8 ]]"
check "demo rerun: the edit was used" python3 -c "
import json
s = json.load(open('$E/summary.json'))
assert s['title'] == 'edited demo', s['title']
assert all('suggest' not in x for x in s['services'])"
check "demo rerun: the stale layer removed" test ! -e "$E/geojson/kindergartens_suggested_sites.geojson"
check "demo rerun: data kept in the manifest" grep -qx "kept data/scenario.toml" "$E/.lifecircle-plan"
printf '# files written by lifecircle plan; a rerun replaces them\n' >"$tmp/v1"
(cd "$E" && find data geojson -type f | sort && ls lifecircle.gpkg lifecircle.qgs summary.json report.html tables.xlsx) >>"$tmp/v1"
cp "$tmp/v1" "$E/.lifecircle-plan"
check "demo rerun, first-version manifest: exit 0" run 0 "$lc" plan "$E/data/scenario.toml" --out "$E" -q
check "demo rerun, first-version manifest: data intact" bash -c "cd '$E/data' && sha256sum -c --quiet '$tmp/data.sum'"
check "demo rerun: nothing left" no_debris "$E" "$TMPDIR"

# 7. Full disks, for real: a 300 KiB tmpfs (needs root or user namespaces).
small=$tmp/small
mkdir -p "$small"
if [[ $(id -u) -eq 0 ]]; then ns=(unshare -m); else ns=(unshare -r -m); fi
small_disk() {  # small_disk LISTING FILL_KB COMMAND...: the tmpfs at $small, FILL_KB of it taken
    local listing=$1 fill=$2
    shift 2
    "${ns[@]}" sh -c '
        small=$1 listing=$2 fill=$3
        shift 3
        mount -t tmpfs -o size=300k tmpfs "$small" || exit 99
        mkdir -p "$small/t"
        [ "$fill" -gt 0 ] && dd if=/dev/zero of="$small/fill" bs=1k count="$fill" 2>/dev/null
        "$@"
        rc=$?
        (cd "$small" && find . -name ".lc-*") >"$listing"
        exit $rc' sh "$small" "$listing" "$fill" "$@"
}
if "${ns[@]}" sh -c "mount -t tmpfs -o size=64k tmpfs '$small'" 2>/dev/null; then
    check "full disk, plan: exit 4" run 4 small_disk "$tmp/left" 0 "$lc" plan "$tmp/a.toml" --out "$small/P" -q
    check "full disk, plan: message" err_has_re "the disk holding '$small/P(/geojson)?' is full"
    check "full disk, plan: nothing left" test ! -s "$tmp/left"
    check "full TMPDIR, standard output: exit 4" run 4 small_disk "$tmp/left" 400 env TMPDIR="$small/t" \
        "$lc" isochrones --network "$data/district.osm" --facilities "$data/clinics.geojson" --out - -q
    check "full TMPDIR, standard output: blamed on TMPDIR" err_has \
        "-: cannot write: the temporary folder '$small/t' (TMPDIR), which keeps standard output until the run has finished, is full (0 KiB free): free space there or point TMPDIR at a folder with room"
    check "full TMPDIR, standard output: nothing written" test ! -s "$tmp/out"
    check "full TMPDIR: nothing left" test ! -s "$tmp/left"
else
    echo "skipped: cannot mount a small tmpfs here (needs root or user namespaces)" >&2
fi

# 8. The unclear cases' messages, each before any work where it can be.
N=$tmp/names
mkdir -p "$N"
long=$(printf 'n%.0s' {1..240})
check "245-byte GeoPackage name: exit 0" run 0 "$lc" isochrones --network "$data/district.osm" \
    --facilities "$data/clinics.geojson" --out "$N/$long.gpkg" -q
check "245-byte GeoPackage name: written" test -s "$N/$long.gpkg"
check "245-byte GeoJSON name and its style: exit 0" run 0 "$lc" isochrones --network "$data/district.osm" \
    --facilities "$data/clinics.geojson" --out "$N/${long:0:237}.geojson" -q
check "245-byte GeoJSON name: its style file" test -s "$N/${long:0:237}.qml"
check "names: nothing left" no_debris "$N" "$TMPDIR"
mkfifo "$N/x.gpkg"
check "FIFO named x.gpkg: exit 2" run 2 timeout 20 "$lc" isochrones --network "$data/district.osm" \
    --facilities "$data/clinics.geojson" --out "$N/x.gpkg"
check "FIFO named x.gpkg: message" err_has "$N/x.gpkg: --out is a named pipe (FIFO), which lifecircle can only write as a stream of geojson, but its name promises a .gpkg file"
ln -s "$tmp/nowhere/out.gpkg" "$N/dangling.gpkg"
check "dangling --out, before reading the network: exit 4" run 4 "$lc" isochrones --network "$tmp/no_network.osm" \
    --facilities "$data/clinics.geojson" --out "$N/dangling.gpkg"
check "dangling --out: message" err_has "$N/dangling.gpkg: cannot write: --out is a symbolic link to '$tmp/nowhere/out.gpkg', whose folder '$tmp/nowhere' does not exist; create it or fix the link"
ln -s "$tmp/nowhere" "$N/dangling_folder"
check "dangling plan --out: exit 4" run 4 "$lc" plan "$tmp/a.toml" --out "$N/dangling_folder"
check "dangling plan --out: message" err_has "$N/dangling_folder: is a symbolic link to '$tmp/nowhere', which does not exist"
check "an unknown fault setting: exit 2" run 2 env LIFECIRCLE_FAULT=rename "$lc" plan "$tmp/a.toml" --out "$N/p"
check "an unknown fault setting: message" err_has "LIFECIRCLE_FAULT='rename' (a test-only setting) is not understood"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
