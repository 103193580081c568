#!/usr/bin/env bash
# gpu_full_recipe.sh — issue 10's full-recipe runs (run.sh, RECIPE=full) on one CUDA machine,
# many at once, inside a fixed time budget: the GPU sessions this project is lent are short.
#
# Usage: bash paper/lever_study/gpu_full_recipe.sh OUT [BUDGET_S]
#   OUT       results: OUT/runs/<lever>/seed<N>/ (run.sh's layout), OUT/cuda_*.json, OUT/bench_*.json,
#             OUT/build.log, and OUT/results.tgz (everything but the large checkpoint.pt files)
#   BUDGET_S  seconds from the start of this script by which it must have packed OUT (default 480);
#             a training still running then is stopped and left out.
# Environment: EQNCA (an eqnca built with CUDA; default: build it with scripts/build_on_gpu.sh,
# the .deb files in .deb/), JOBS ("lever:seed ..."; default below, most wanted first), PAR
# (trainings at once, default 16), ITERATIONS (default 500), DEVICE (default cuda; cpu to try
# the script itself on a small budget).
# The trainings share the GPU and the CPU, so their s/iteration are not timings of one run;
# OUT/bench_*.json hold those, measured alone before the trainings start.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:?usage: gpu_full_recipe.sh OUT [BUDGET_S]}
start=$(date +%s)
deadline=$((start + ${2:-480}))
device=${DEVICE:-cuda}
mkdir -p "$out/runs"
out=$(cd "$out" && pwd)
log() { echo "$(date +%T) +$(($(date +%s) - start))s $*"; }

if [ -z "${EQNCA:-}" ]; then
  # PyTorch 2.12 and later refuse C++17 in their headers; the root CMakeLists.txt reads that
  # from ATen/ATen.h and builds as C++20 then.
  log "building eqnca against PyTorch's LibTorch"
  if ! bash "$repo/scripts/build_on_gpu.sh" --configure-only -- -DEQNCA_TESTS=OFF >"$out/build.log" 2>&1 ||
    ! cmake --build "$repo/build-cuda" --target eqnca -j "$(nproc)" >>"$out/build.log" 2>&1; then
    grep -m 20 -E 'error|Error' "$out/build.log"
    tail -n 30 "$out/build.log"
    exit 1
  fi
  # shellcheck source=/dev/null
  source /tmp/eqnca-deps/env.sh
  EQNCA=$repo/build-cuda/eqnca
  log "built"
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >"$out/gpu.txt" 2>&1 || true

# Exact elements on the GPU: c4 and d4 must stay at rounding error, the baseline must not
# (CHECKS=0 skips these and the bench).
checks=${CHECKS:-1}
for model in c4 d4 growing; do
  [ "$checks" = 1 ] || break
  "$EQNCA" equivariance --model "$model" --init random --steps 32 --device "$device" --json \
    >"$out/cuda_equivariance_$model.json" 2>&1 || log "equivariance $model failed"
done
# One training iteration of the full recipe's shape, alone on the GPU.
for model in growing c4; do
  [ "$checks" = 1 ] || break
  timeout 40 "$EQNCA" bench --model "$model" --batch 8 --size 72 --steps 64 --mode train --device "$device" \
    --repeats 2 --warmup 1 --json >"$out/bench_$model.json" 2>&1 || log "bench $model failed"
done
log "checks done"

default_jobs="F_growing:0 F_growing:1 F_growing:2 F_d4_sf3_hf32:0 F_d4_sf3_hf32:1 F_d4_sf3_hf32:2
  F_c8_sf3_hf32:0 F_c8_sf3_hf32:1 F_c8_sf3_hf32:2 F_so2:0 F_so2:1 F_so2:2
  F_d4_sf4_hf48:0 F_d4_sf4_hf48:1 F_d4_sf4_hf48:2 F_c16_sf2_hf16:0 F_c16_sf2_hf16:1 F_c16_sf2_hf16:2
  F_d4_sf6_hf64:0 F_d4_sf6_hf64:1 F_d4_sf6_hf64:2"
run_job() {  # run_job LEVER:SEED: one training and its evaluation, stopped at the deadline
  local lever=${1%:*} seed=${1#*:}
  local left=$((deadline - $(date +%s) - 25))
  [ "$left" -gt 30 ] || { log "no time left for $1"; return 0; }
  LEVERS=$lever SEEDS=$seed RECIPE=full THREADS=1 EXTRA="--device $device" SUMMARIZE=0 EQNCA=$EQNCA \
    timeout "$left" bash "$repo/paper/lever_study/run.sh" "$out/runs" >"$out/runs/job_${lever}_$seed.txt" 2>&1 &&
    log "done $1" || log "stopped or failed: $1"
}
export -f run_job log
export deadline start device out repo EQNCA
# shellcheck disable=SC2086
printf '%s\n' ${JOBS:-$default_jobs} | xargs -P "${PAR:-16}" -I{} bash -c 'run_job {}'

# Parameters per run (params.py reads checkpoint.pt, which stays behind), then pack the rest.
for ckpt in "$out"/runs/*/seed*/checkpoint.pt; do
  [ -f "$ckpt" ] && python3 "$repo/paper/lever_study/params.py" "$ckpt" >"$(dirname "$ckpt")/params.txt" 2>&1
done
(cd "$out" && tar czf results.tgz --exclude=checkpoint.pt --exclude='checkpoint.pt.*' --exclude=results.tgz \
  runs ./*.json ./*.txt build.log 2>/dev/null)
log "packed $(find "$out/runs" -name done | wc -l) finished runs into $out/results.tgz"
