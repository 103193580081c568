#!/usr/bin/env bash
# The demo-sized lever study of issue 10 (paper/lever_study/README.md): trains each lever with
# each seed, one training at a time, then measures every run with `eqnca equivariance` at 32
# and 64 steps. Finished runs are skipped, so a killed study resumes where it stopped.
# Usage: bash paper/lever_study/run.sh [OUT]   (OUT defaults to runs/lever_study; EQNCA, THREADS
# SEEDS, LEVERS (space-separated lever names; default all) and STAGE_AT (below) may be set in the
# environment). About 1
# minute per run at 1 thread on an idle core; two studies with different LEVERS can run side by side.
# EXTRA (e.g. "--device cuda") is appended to every train and equivariance command; SUMMARIZE=0
# skips the summary at the end (gpu_full_recipe.sh runs one lever and seed per call).
set -euo pipefail
# The whole script is one { ... } group, which bash reads completely before running it: a study
# takes hours, and an edit of this file while it runs would otherwise change the lines not yet read.
{
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
eq=${EQNCA:-$repo/build/eqnca}
out=${1:-$repo/runs/lever_study}
seeds=${SEEDS:-"0 1 2"}
# RECIPE=demo (default): the demo-sized recipe, measured at 32 and 64 steps. RECIPE=full: the
# full Distill recipe of issue 10 (lizard 40 px on 72x72, pool 1024, batch 8, 64-96 steps, 500
# iterations, 2 threads), measured at 96 steps, also at the off-grid angles.
recipe=${RECIPE:-demo}
if [ "$recipe" = full ]; then
  common=(--target "$repo/data/lizard.png" --target-size 40 --pad 16 --pool-size 1024 --batch 8 --steps-min 64
    --steps-max 96 --mode persistent --loss mse --iterations "${ITERATIONS:-500}" --threads "${THREADS:-2}" --checkpoint-every 50
    --snapshot-every 0 --log-every 10)
  eval_steps="96"
  angles="0 90 180 270 45 22.5 30"  # C4 and D4 models: the grid's rotations only (below)
else
  common=(--target "$repo/data/lizard.png" --target-size 19 --pad 4 --pool-size 128 --batch 4 --steps-min 24
    --steps-max 32 --lr 2e-3 --lr-final 2e-4 --mode persistent --loss mse --iterations 3000 --lr-drop 2000
    --threads "${THREADS:-1}" --checkpoint-every 100 --snapshot-every 0 --log-every 10)
  eval_steps="32 64"
  angles="0 90 180 270"
fi
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
  [j_growing_h32]="--model growing --hidden 32"
  [k_c4_lr_sqrtG]="--model c4 --hidden-fields 32 --lr 4e-3 --lr-final 4e-4"
  [l_c4_sf6_hf64_lr_sqrtG]="--model c4 --hidden-fields 64 --state-fields 6 --lr 4e-3 --lr-final 4e-4"
  [m_d4_lr_sqrtG]="--model d4 --hidden-fields 16 --lr 5.66e-3 --lr-final 5.66e-4"
  [n_c4_sf4_hf48_lr_sqrtG]="--model c4 --hidden-fields 48 --state-fields 4 --lr 4e-3 --lr-final 4e-4"
  [o_d4_sf3_hf32_lr_sqrtG]="--model d4 --hidden-fields 32 --state-fields 3 --lr 5.66e-3 --lr-final 5.66e-4"
  [p_c8_sf3_hf32_lr_sqrtG]="--model c8 --hidden-fields 32 --state-fields 3 --lr 5.66e-3 --lr-final 5.66e-4"
  [q_c16_sf2_hf16_lr_sqrtG]="--model c16 --hidden-fields 16 --state-fields 2 --lr 8e-3 --lr-final 8e-4"
  # Regenerating mode (damage in training), for the regeneration check (regenerate.sh).
  [r_growing_regen]="--model growing --hidden 128 --mode regenerating"
  [s_c4_regen]="--model c4 --hidden-fields 64 --state-fields 6 --lr 4e-3 --lr-final 4e-4 --mode regenerating"
  # The literature's orientation-free baselines with their own recipes: isotropic perception with
  # the loss taken at the best of the target's D4 transforms (IsoNCA), the steerable NCA (angle channel).
  [t_isotropic_group_min]="--model isotropic --hidden 128 --loss group_min"
  [u_steerable]="--model steerable --hidden 128"
  # SO(2) widths (session 4): the parameter-matched default against narrower hidden layers, now
  # that so2 runs on the fused step.
  [v_so2]="--model so2"
  [w_so2_hf16]="--model so2 --hidden-fields 16"
  [x_so2_hf32]="--model so2 --hidden-fields 32"
  # Session 10: d4 at about the baseline's parameter count (c4's gap closed there; d4's 3,623 did not).
  [y_d4_sf4_hf48_lr_sqrtG]="--model d4 --hidden-fields 48 --state-fields 4 --lr 5.66e-3 --lr-final 5.66e-4"
  [z_d4_sf6_hf32_lr_sqrtG]="--model d4 --hidden-fields 32 --state-fields 6 --lr 5.66e-3 --lr-final 5.66e-4"
  [za_d4_sf3_hf64_lr_sqrtG]="--model d4 --hidden-fields 64 --state-fields 3 --lr 5.66e-3 --lr-final 5.66e-4"
  [zb_c8_sf4_hf48_lr_sqrtG]="--model c8 --hidden-fields 48 --state-fields 4 --lr 5.66e-3 --lr-final 5.66e-4"
  [zc_c16_sf3_hf32_lr_sqrtG]="--model c16 --hidden-fields 32 --state-fields 3 --lr 8e-3 --lr-final 8e-4"
  # Full recipe (RECIPE=full): the baseline, then the group models at the chosen defaults.
  [F_growing]="--model growing --hidden 128 --lr 2e-3"
  [F_c4_sf6_hf64]="--model c4 --hidden-fields 64 --state-fields 6 --lr 4e-3"
  # Sixth pass: a narrower c4 for the equal-wall-clock target (fewer multiply-adds per iteration).
  [F_c4_sf6_hf48]="--model c4 --hidden-fields 48 --state-fields 6 --lr 4e-3"
  [F_d4_sf3_hf32]="--model d4 --hidden-fields 32 --state-fields 3 --lr 5.66e-3"
  # Session 6, on a GPU (gpu_full_recipe.sh): wider d4 and a lower d4 lr; c8, c16, so2 at their defaults.
  [F_d4_sf4_hf48]="--model d4 --hidden-fields 48 --state-fields 4 --lr 5.66e-3"
  [F_d4_sf6_hf64]="--model d4 --hidden-fields 64 --state-fields 6 --lr 5.66e-3"
  [F_d4_sf3_hf32_lr4e-3]="--model d4 --hidden-fields 32 --state-fields 3 --lr 4e-3"
  [F_c8_sf3_hf32]="--model c8 --hidden-fields 32 --state-fields 3 --lr 5.66e-3"
  [F_c8_sf4_hf48]="--model c8 --hidden-fields 48 --state-fields 4 --lr 5.66e-3"
  [F_c16_sf3_hf32]="--model c16 --hidden-fields 32 --state-fields 3 --lr 8e-3"
  [F_c16_sf2_hf16]="--model c16 --hidden-fields 16 --state-fields 2 --lr 8e-3"
  [F_so2]="--model so2"
  # Session 15: so2's lr raised the way the finite groups' was (lr x sqrt N, N = 16 samples per
  # field: 8e-3, unstable), and by half that.
  [F_so2_lr8e-3]="--model so2 --lr 8e-3"
  [F_so2_lr4e-3]="--model so2 --lr 4e-3"
  # Session 16: seeds planted turned by random rotations of the group (--seed-turns group), for
  # the off-grid stable-attractor target; otherwise each model's default.
  [F_c8_turns]="--model c8 --hidden-fields 48 --state-fields 4 --lr 5.66e-3 --seed-turns group"
  [F_c16_turns]="--model c16 --hidden-fields 32 --state-fields 3 --lr 8e-3 --seed-turns group"
  [F_so2_turns]="--model so2 --lr 4e-3 --seed-turns group"
)
# shellcheck disable=SC2206
extra=(${EXTRA:-})
for seed in $seeds; do
  default_levers=$(printf '%s\n' "${!lever[@]}" | sort | if [ "$recipe" = full ]; then grep '^F_'; else grep -v '^F_'; fi)
  for name in ${LEVERS:-$default_levers}; do
    run=$out/$name/seed$seed
    [ -f "$run/done" ] && continue
    rm -rf "$run" && mkdir -p "$run"
    echo "$(date +%T) $name seed $seed"
    run_angles=$angles
    case "${lever[$name]}" in *"--model c4"* | *"--model d4"*) run_angles="0 90 180 270" ;; *"--model c8"*) run_angles="0 90 180 270 45" ;; *"--model c16"*) run_angles="0 90 180 270 45 22.5" ;; esac
    # STAGE_AT=N: train to N iterations first and measure that checkpoint too (in RUN/stageN/),
    # then resume to the full budget (the curve continues exactly), for equal wall-clock comparisons.
    if [ -n "${STAGE_AT:-}" ]; then
      # shellcheck disable=SC2086
      "$eq" train "${common[@]}" ${lever[$name]} ${extra[@]+"${extra[@]}"} --seed "$seed" --out "$run" --iterations "$STAGE_AT" \
        >"$run/train_stage.txt" 2>&1
      mkdir -p "$run/stage$STAGE_AT" && cp "$run/checkpoint.pt" "$run/stage$STAGE_AT/"
      for steps in $eval_steps; do
        # shellcheck disable=SC2086
        "$eq" equivariance --checkpoint "$run/stage$STAGE_AT/checkpoint.pt" --steps $steps --angles $run_angles --seed 0 \
          ${extra[@]+"${extra[@]}"} --json >"$run/stage$STAGE_AT/equiv_s$steps.json"
      done
    fi
    # shellcheck disable=SC2086
    "$eq" train "${common[@]}" ${lever[$name]} ${extra[@]+"${extra[@]}"} --seed "$seed" --out "$run" ${STAGE_AT:+--resume} \
      >"$run/train.txt" 2>&1
    for steps in $eval_steps; do
      # shellcheck disable=SC2086
      "$eq" equivariance --checkpoint "$run/checkpoint.pt" --steps $steps --angles $run_angles --seed 0 \
        ${extra[@]+"${extra[@]}"} --json >"$run/equiv_s$steps.json"
    done
    touch "$run/done"
  done
done
[ "${SUMMARIZE:-1}" = 0 ] || python3 "$(dirname "${BASH_SOURCE[0]}")/summarize.py" "$out"
exit
}
