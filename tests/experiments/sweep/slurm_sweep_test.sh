#!/usr/bin/env bash
# `eqnca sweep --backend slurm` against a real Slurm: starts a single-node cluster on this machine
# (scripts/slurm_local_cluster.sh, which installs slurm-wlm and munge when missing), submits a
# tiny sweep (2 sets x 2 targets, 2 training iterations each) as a job array, waits for it and
# checks the collected results; then breaks it (one run deleted, one marked failed), submits
# again without --wait, and checks that only those two ran again and `eqnca sweep collect` finds
# every run finished. The daemons it started are stopped on every exit. Without root (needed for
# a private cluster) it uses the cluster `sinfo` already reaches, and skips (status 77) when none.
#   bash slurm_sweep_test.sh path/to/eqnca
set -euo pipefail
eqnca=$(cd "$(dirname "${1:?usage: slurm_sweep_test.sh EQNCA}")" && pwd)/$(basename "$1")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/eqnca-slurm-test.XXXXXX")
started=0
cleanup() {
  [ "$started" -eq 1 ] && bash "$repo/scripts/slurm_local_cluster.sh" stop "$work/cluster" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 143" INT TERM  # so that a killed test still runs cleanup
fail() { echo "slurm_sweep_test: FAILED: $*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
  conf=$(bash "$repo/scripts/slurm_local_cluster.sh" start "$work/cluster" $$ | tail -n 1)
  started=1
  export "${conf?}"
elif ! command -v sinfo >/dev/null || ! sinfo -h >/dev/null 2>&1; then
  echo "slurm_sweep_test: SKIPPED: not root (a private test cluster needs root) and no Slurm cluster reachable"
  exit 77
fi

cd "$work"
cp "$repo/data/smiley.png" "$repo/data/lizard.png" .
cat >base.toml <<'TOML'
target-size = 8
pad = 4
model = "growing"
batch = 2
pool-size = 4
steps-min = 2
steps-max = 3
iterations = 2
TOML
cat >sweep.toml <<'TOML'
base = "base.toml"
sets = 2
targets = ["smiley.png", "lizard.png"]
[options.hidden]
int_range = [8, 16]
[options.lr]
log_uniform = [1e-3, 1e-2]
[slurm]
time = "5"
mem = "300M"
cpus = 1
TOML
sweep=("$eqnca" sweep --config sweep.toml --out "$work/out" --backend slurm)

start=$(date +%s)
"${sweep[@]}" --wait --poll 1 >first.txt 2>&1 || { cat first.txt; fail "the first sweep"; }
grep -q "submitted job" first.txt || fail "no job submitted: $(cat first.txt)"
[ "$(grep -c ',ok,' out/results.csv)" -eq 4 ] || { cat out/results.csv; fail "4 ok runs expected"; }
/usr/bin/python3 - <<'PY' || fail "sweep.h5 does not hold the 4 finished runs"
import h5py, math
runs = h5py.File("out/sweep.h5", "r")["runs"]
assert [s.decode() for s in runs["status"][()]] == ["ok"] * 4
assert all(math.isfinite(v) and v > 0 for v in runs["final_loss"][()])
assert all(math.isfinite(v) for v in runs["seed_loss"][()])
PY
[ "$(ls out/slurm/logs | wc -l)" -eq 4 ] || fail "4 array-task logs expected: $(ls out/slurm/logs)"
grep -q "ok in" out/slurm/logs/*_0.out || fail "array task 0 did not run its run: $(cat out/slurm/logs/*_0.out)"
echo "slurm_sweep_test: first sweep (4 array tasks) in $(($(date +%s) - start)) s"

# A partly lost sweep: one run deleted, one failed; the others must not run again.
kept=$(stat -c %Y out/runs/set000-smiley-r1/run.h5)
rm -rf out/runs/set001-lizard-r1
sed -i 's/"status":"ok"/"status":"failed"/' out/runs/set000-lizard-r1/sweep_result.json
start=$(date +%s)
"${sweep[@]}" >second.txt 2>&1 || { cat second.txt; fail "the second submission"; }
grep -q "2 of 4 runs to do" second.txt || fail "2 runs to redo expected: $(cat second.txt)"
job=$(cat out/slurm/job_id)
for _ in $(seq 120); do
  [ -z "$(squeue -h -j "$job" -o %i 2>/dev/null)" ] && break
  sleep 1
done
"$eqnca" sweep collect "$work/out" >collect.txt 2>&1 || { cat collect.txt; fail "collect"; }
grep -q "4 ok, 0 failed, 0 not finished" collect.txt || fail "collect: $(cat collect.txt)"
[ "$(ls out/slurm/logs | grep -c "^${job}_")" -eq 2 ] || fail "2 array tasks expected in job $job"
[ "$(stat -c %Y out/runs/set000-smiley-r1/run.h5)" = "$kept" ] || fail "a finished run was trained again"
echo "slurm_sweep_test: resumed sweep (2 array tasks) in $(($(date +%s) - start)) s"
echo "slurm_sweep_test: passed"
