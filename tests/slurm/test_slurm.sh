#!/usr/bin/env bash
# Sharded studies on a real Slurm cluster of one node: this script starts Debian's munge and
# slurm-wlm (slurmctld + slurmd, two CPUs) on localhost with their own key, config, ports and state
# under a scratch folder, submits `lifecircle slurm --shards 4 --submit` (a coverage study, a
# suggestion, a scenario's plan), and compares the merged outputs with the single run byte for byte. Then a shard that fails once (retried by its
# array task) and one that fails for good (named, the merge never runs, `lifecircle merge`
# refuses naming it). The daemons are stopped when the script ends, however it ends.
#   LIFECIRCLE=build/lifecircle bash tests/slurm/test_slurm.sh SOURCE_DIR
# Exit code 77 (ctest: skipped) with a clear message only where Slurm cannot start: not root, the
# packages missing (scripts/install-deps.sh --test installs them), or a daemon that will not run.
set -uo pipefail

src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
lc=${LIFECIRCLE:?set LIFECIRCLE to the lifecircle program}
lc=$(cd "$(dirname "$lc")" && pwd)/$(basename "$lc")
data=$src/../shared/data/osm
skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "slurmd must run as root to start jobs; run this test as root (CI does)"
for cmd in munged slurmctld slurmd sbatch squeue scontrol sinfo python3; do
    command -v "$cmd" >/dev/null || skip "$cmd is not installed (scripts/install-deps.sh --test installs slurm-wlm and munge)"
done
[ -f "$data/porto_alegre.osm.pbf" ] || skip "shared data missing: $data"

T=$(mktemp -d /tmp/lifecircle_slurm.XXXXXX)
chmod 755 "$T"
stop() {
    for p in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
        [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
    done
    sleep 1
    for p in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
        [ -f "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null
    done
    rm -rf "$T"
}
trap stop EXIT

# --- the cluster: munge with its own key and socket, slurmctld and slurmd on ports of our own ---
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log"
chmod 711 "$T/munge"
head -c 1024 /dev/urandom > "$T/munge/munge.key"
chmod 400 "$T/munge/munge.key"
munged --force --key-file="$T/munge/munge.key" --socket="$T/munge/munge.socket" \
    --pid-file="$T/munge/munged.pid" --log-file="$T/munge/munged.log" --seed-file="$T/munge/munged.seed" \
    || skip "munged would not start: $(tail -3 "$T/munge/munged.log" 2>/dev/null)"
port=$((20000 + ($$ % 10000) * 2))
cat > "$T/slurm.conf" <<EOF
ClusterName=lifecircletest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
NodeName=lcnode NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=lctest Nodes=lcnode Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$T/slurm.conf
slurmctld -f "$SLURM_CONF" || skip "slurmctld would not start: $(tail -3 "$T/log/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" -N lcnode || skip "slurmd would not start: $(tail -3 "$T/log/slurmd.log" 2>/dev/null)"
for _ in $(seq 60); do
    sinfo -h -o %T 2>/dev/null | grep -q idle && break
    sleep 0.5
done
sinfo -h -o %T 2>/dev/null | grep -q idle ||
    skip "the Slurm node never became idle: $(tail -2 "$T/log/slurmctld.log") $(tail -2 "$T/log/slurmd.log")"
echo "Slurm is up: $(sinfo -h -o '%P %D %c %T')"

# --- the study: Porto Alegre's residents, its healthcare counts as clinics, nine districts ------
cd "$T"
python3 - "$data" <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/porto_alegre_hexgrid.csv")))
with open("clinics.csv", "w") as f:
    f.write("id,lon,lat,capacity\n")
    for r in rows:
        h = int(float(r["healthcare"] or 0))
        if h > 0:
            f.write(f"h{r['id']},{r['lon']},{r['lat']},{h * 1500}\n")
lon = [float(r["lon"]) for r in rows]; lat = [float(r["lat"]) for r in rows]
x0, x1, y0, y1 = min(lon), max(lon), min(lat), max(lat)
features = []
for i in range(3):
    for j in range(3):
        a, b = x0 + (x1 - x0) * i / 3, x0 + (x1 - x0) * (i + 1) / 3
        c, d = y0 + (y1 - y0) * j / 3, y0 + (y1 - y0) * (j + 1) / 3
        features.append({"type": "Feature", "properties": {"id": f"d{3*i+j}", "name": f"district {3*i+j}"},
                         "geometry": {"type": "Polygon", "coordinates": [[[a, c], [b, c], [b, d], [a, d], [a, c]]]}})
json.dump({"type": "FeatureCollection", "features": features}, open("districts.geojson", "w"))
EOF
study=(--network "$data/porto_alegre.osm.pbf" --demand "$data/porto_alegre_hexgrid.csv" --weight-field population
       --facilities clinics.csv --capacity-field capacity --districts districts.geojson --district-field name
       --minutes 15 --hex-m 500)
outputs() { echo --out "$1.geojson" --summary "$1.json" --gaps "$1_gaps.geojson" --districts-out "$1_districts.geojson"; }
"$lc" coverage "${study[@]}" $(outputs single) --quiet >/dev/null || fail "the single run failed"

same_as_single() {
    for suffix in .geojson .json _gaps.geojson _districts.geojson; do
        cmp -s "single$suffix" "$1$suffix" || fail "$1$suffix differs from single$suffix"
    done
    echo "ok: $1 = the single run, byte for byte (demand, summary, gaps, districts)"
}

wait_for() {  # job ids: waits until they left the queue (at most 5 minutes)
    for _ in $(seq 600); do
        [ -z "$(squeue -h -j "$(IFS=,; echo "$*")" 2>/dev/null)" ] && return 0
        sleep 0.5
    done
    fail "jobs $* did not finish in 5 minutes: $(squeue)"
}

job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1; }

# --- --dry-run prints the scripts and writes nothing -------------------------------------------
dry=$("$lc" slurm --shards 4 --out run0 --partition lctest --time 10 --mem 1G --dry-run -- coverage "${study[@]}" $(outputs m0))
for want in "#SBATCH --array=0-3" "#SBATCH --partition=lctest" "#SBATCH --time=10" "#SBATCH --mem=1G" \
            "--shard \"\$i/4\"" "for attempt in 1 2" "afterok:\$array" "merge $T/run0"; do
    grep -qF -- "$want" <<<"$dry" || fail "--dry-run does not print '$want'"
done
[ ! -e run0 ] || fail "--dry-run wrote $T/run0"
echo "ok: --dry-run prints the array, the retry and the afterok merge, and writes nothing"

# --- four shards on the cluster, merged = single ------------------------------------------------
submitted=$("$lc" slurm --shards 4 --out run1 --cpus 1 --time 10 --submit -- coverage "${study[@]}" $(outputs m1)) ||
    fail "lifecircle slurm --submit failed"
echo "$submitted"
read -r array merge < run1/jobs.txt
wait_for "$array" "$merge"
[ "$(job_state "$merge")" = COMPLETED ] || fail "the merge job ended $(job_state "$merge"): $(cat run1/logs/merge.err)"
same_as_single m1
for i in 0 1 2 3; do grep -q "shard $i of 4" "run1/logs/shard-$i.err" || fail "shard $i's log says nothing"; done

# --- a suggestion in four shards on the cluster: the whole run's sites ------------------------------
awk -F, 'NR == 1 { print "id,lon,lat,seats" } NR > 1 && NR % 9 == 0 { print "c" NR "," $2 "," $3 "," 3000 }' \
    "$data/porto_alegre_hexgrid.csv" >candidates.csv
sug=(--network "$data/porto_alegre.osm.pbf" --demand "$data/porto_alegre_hexgrid.csv" --weight-field population
     --facilities clinics.csv --capacity-field capacity --minutes 15 --candidates candidates.csv
     --candidates-capacity-field seats --capacitated --count 5)
"$lc" suggest "${sug[@]}" --out sites_single.geojson --quiet >/dev/null || fail "the single suggestion failed"
"$lc" slurm --shards 4 --out run_sg --time 10 --submit -- suggest "${sug[@]}" --out sites_m.geojson >/dev/null ||
    fail "lifecircle slurm --submit -- suggest failed"
read -r array merge < run_sg/jobs.txt
wait_for "$array" "$merge"
[ "$(job_state "$merge")" = COMPLETED ] || fail "the suggest merge job ended $(job_state "$merge"): $(cat run_sg/logs/merge.err)"
cmp -s sites_single.geojson sites_m.geojson || fail "the sites of the sharded suggestion differ from the single run's"
echo "ok: a suggestion in 4 shards on the cluster chose the single run's sites, byte for byte"

# --- a scenario's plan in four shards on the cluster: every file the whole plan's -----------------
cat > plan.toml <<EOF2
title = "Porto Alegre on the cluster"
[network]
file = "$data/porto_alegre.osm.pbf"
[demand]
file = "$data/porto_alegre_hexgrid.csv"
weight_fields = ["population"]
[districts]
file = "districts.geojson"
name_field = "name"
[[services]]
id = "clinics"
facilities = "clinics.csv"
capacity_field = "capacity"
minutes = 15
demand_group = "population"
EOF2
"$lc" plan plan.toml --out plan_single --quiet >/dev/null || fail "the single plan failed"
"$lc" slurm --shards 4 --out run_pl --time 10 --submit -- plan plan.toml --out plan_m >/dev/null ||
    fail "lifecircle slurm --submit -- plan failed"
read -r array merge < run_pl/jobs.txt
wait_for "$array" "$merge"
[ "$(job_state "$merge")" = COMPLETED ] || fail "the plan's merge job ended $(job_state "$merge"): $(cat run_pl/logs/merge.err)"
diff -r plan_single plan_m >/dev/null || fail "the plan in shards differs from the single plan: $(diff -rq plan_single plan_m)"
echo "ok: a plan in 4 shards on the cluster wrote the single plan's folder, every file byte for byte"

# --- a shard that fails once is run again by its task -------------------------------------------
cat > flaky <<EOF
#!/bin/bash
if [[ " \$* " == *" --shard 1/4 "* ]] && [ ! -e "$T/flaked" ]; then
    touch "$T/flaked"; echo "flaky: failing on purpose" >&2; exit 1
fi
exec "$lc" "\$@"
EOF
chmod +x flaky
"$lc" slurm --shards 4 --out run2 --lifecircle flaky --submit -- coverage "${study[@]}" $(outputs m2) >/dev/null ||
    fail "lifecircle slurm --submit (flaky) failed"
read -r array merge < run2/jobs.txt
wait_for "$array" "$merge"
grep -q "shard 1 of 4 failed with exit code 1 (attempt 1 of 2)" run2/logs/shard-1.err || fail "shard 1 was not retried"
[ ! -e run2/shards/shard-1-of-4.failed ] || fail "shard 1 succeeded on its retry but is marked failed"
same_as_single m2
echo "ok: a shard failing once is retried by its array task, and the merge is still the single run"

# --- a shard that fails for good is named; the merge never runs, and refuses by hand -----------
cat > broken <<EOF
#!/bin/bash
[[ " \$* " == *" --shard 2/4 "* ]] && { echo "broken: failing on purpose" >&2; exit 1; }
exec "$lc" "\$@"
EOF
chmod +x broken
"$lc" slurm --shards 4 --out run3 --lifecircle broken --submit -- coverage "${study[@]}" $(outputs m3) >/dev/null ||
    fail "lifecircle slurm --submit (broken) failed"
read -r array merge < run3/jobs.txt
wait_for "$array" "$merge"
[ "$(job_state "$merge")" != COMPLETED ] || fail "the merge ran although shard 2 failed"
grep -q "failed (exit code 1)" run3/shards/shard-2-of-4.failed || fail "shard 2's failure was not noted"
[ "$(grep -c "attempt" run3/logs/shard-2.err)" -eq 2 ] || fail "shard 2 was not run twice"
[ ! -e m3.geojson ] || fail "a merge of three shards wrote outputs"
msg=$("$lc" merge run3 2>&1); code=$?
[ "$code" -eq 3 ] || fail "lifecircle merge of a run missing a shard exits $code, not 3: $msg"
grep -q "1 of 4 shards have no result (shard 2)" <<<"$msg" || fail "the merge does not name shard 2: $msg"
grep -q "exit code 1" <<<"$msg" || fail "the merge does not say why shard 2 failed: $msg"
grep -q -- "--array=2" <<<"$msg" || fail "the merge does not say how to run shard 2 again: $msg"
echo "ok: a shard failing twice is named in its .failed note and by lifecircle merge, and nothing is merged"
echo "all Slurm tests passed"
