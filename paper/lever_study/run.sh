#!/usr/bin/env bash
# The demo-sized lever study of issue 10 (paper/lever_study/README.md): trains each lever with
# each seed, one training at a time, then measures every run with `eqnca equivariance` at 32
# and 64 steps. Finished runs are skipped, so a killed study resumes where it stopped.
# Usage: bash paper/lever_study/run.sh [OUT]   (OUT defaults to runs/lever_study; EQNCA, THREADS
# and SEEDS may be set in the environment). About 1 minute per run at 1 thread on an idle core.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
eq=${EQNCA:-$repo/build/eqnca}
out=${1:-$repo/runs/lever_study}
seeds=${SEEDS:-"0 1 2"}
common=(--target "$repo/data/lizard.png" --target-size 19 --pad 4 --pool-size 128 --batch 4 --steps-min 24
  --steps-max 32 --lr 2e-3 --lr-final 2e-4 --mode persistent --loss mse --iterations 3000 --lr-drop 2000
  --threads "${THREADS:-1}" --checkpoint-every 100 --snapshot-every 0 --log-every 10)
declare -A lever=(
  [a_growing]="--model growing --hidden 128"
  [b_c4]="--model c4 --hidden-fields 32"
  [c_c4_sf6]="--model c4 --hidden-fields 32 --state-fields 6"
  [d_c4_lr1e-3]="--model c4 --hidden-fields 32 --lr 1e-3"
  [e_c4_fr075]="--model c4 --hidden-fields 32 --fire-rate 0.75"
  [f_c4_hf64]="--model c4 --hidden-fields 64"
  [g_d4_hf16]="--model d4 --hidden-fields 16"
  [h_c4_sf6_fr075_hf64]="--model c4 --hidden-fields 64 --state-fields 6 --fire-rate 0.75"
  [i_c4_lr4e-3]="--model c4 --hidden-fields 32 --lr 4e-3"
)
for seed in $seeds; do
  for name in $(printf '%s\n' "${!lever[@]}" | sort); do
    run=$out/$name/seed$seed
    [ -f "$run/done" ] && continue
    rm -rf "$run" && mkdir -p "$run"
    echo "$(date +%T) $name seed $seed"
    # shellcheck disable=SC2086
    "$eq" train "${common[@]}" ${lever[$name]} --seed "$seed" --out "$run" >"$run/train.txt" 2>&1
    for steps in 32 64; do
      "$eq" equivariance --checkpoint "$run/checkpoint.pt" --steps $steps --angles 0 90 180 270 --seed 0 --json \
        >"$run/equiv_s$steps.json"
    done
    touch "$run/done"
  done
done
python3 "$(dirname "${BASH_SOURCE[0]}")/summarize.py" "$out"
