#!/usr/bin/env bash
# Reproduces the essay: trains (or resumes, or reuses) every run it needs, evaluates them, draws
# the figures from the HDF5 logs and writes essay.md and essay.html with every number filled in
# from the logs.
#   bash paper/make.sh [--quick | --budget quick|small|medium|full] [--out DIR] [--publish]
# The default budget is full, the Distill recipe (days on 2 cores); --quick = --budget quick
# (minutes: CI and a first look); budgets.sh defines them all. Runs, figures and the essay go to DIR
# (default paper/build/<budget>); a finished run (its `done` file) is reused, an interrupted one
# resumed, so a second call only redraws. --publish copies essay.md, essay.html and figures/
# into paper/ (the committed version). Needs a built eqnca (bash scripts/setup.sh; EQNCA=path
# overrides build/eqnca), python3-h5py, python3-matplotlib and pandoc (scripts/setup.sh installs
# them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
BUDGET=full
out=""
publish=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) BUDGET=quick ;;
    --budget) BUDGET=${2:?--budget needs quick, small, medium or full}; shift ;;
    --out) out=${2:?--out needs a folder}; shift ;;
    --publish) publish=1 ;;
    *) echo "paper/make.sh: unknown option '$1' (--quick, --budget B, --out DIR, --publish)" >&2; exit 2 ;;
  esac
  shift
done
# shellcheck source=paper/budgets.sh
source "$here/budgets.sh"
eqnca=${EQNCA:-$root/build/eqnca}
# libgomp's spinning workers take a core from the fused step (scripts/demo.sh says why).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
python=${PYTHON:-/usr/bin/python3}
[[ -x "$eqnca" ]] || { echo "paper/make.sh: no eqnca at $eqnca: build it first (bash scripts/setup.sh)" >&2; exit 1; }
out=${out:-$here/build/$BUDGET}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$root"  # data/ paths in the run configs are relative to the checkout

# name model mode: the Distill recreation (three modes of the baseline), then every model grown
# from the seed.
runs=("growing growing growing" "persistent growing persistent" "regenerating growing regenerating"
      "isotropic isotropic growing" "steerable steerable growing" "c4 c4 growing" "d4 d4 growing"
      "c8 c8 growing" "c16 c16 growing" "so2 so2 growing" "o2 o2 growing")

# The rotations each model is checked and grown at: a finite group's own elements, else the sweep.
angles_of() {
  case "$1" in
    c4 | d4 | isotropic) echo 90 180 270 ;;
    c8) echo 45 90 135 180 225 270 315 ;;
    c16) seq -s ' ' 22.5 22.5 337.5 ;;
    *) echo "${ANGLES[@]}" ;;
  esac
}

total_cost=0
for r in "${runs[@]}"; do read -r _ m _ <<<"$r"; total_cost=$(echo "$total_cost + ${COST[$m]}" | bc -l); done
done_cost=0     # cost of the runs behind us (trained now or reused)
trained_cost=0  # cost of the runs trained by this call, and the seconds they took
start=$(date +%s)
spent_on_training=0
i=0
for r in "${runs[@]}"; do
  read -r name model mode <<<"$r"
  i=$((i + 1))
  dir=$out/$name
  mkdir -p "$dir"
  # 1. Train, resume, or reuse.
  if [[ ! -f "$dir/train/done" ]]; then
    resume=()
    [[ -f "$dir/train/checkpoint.pt" ]] && resume=(--resume)
    # Training time left: at the pace of the runs this call trained, else at the budget's
    # measured pace (BASE_S); each run weighted by its model's cost per iteration.
    if [[ $(echo "$trained_cost > 0" | bc -l) == 1 ]]; then
      left=$(echo "$spent_on_training / $trained_cost * ($total_cost - $done_cost)" | bc -l)
    else
      left=$(echo "$BASE_S * $ITERATIONS * ($total_cost - $done_cost)" | bc -l)
    fi
    printf '[%d/%d] training %s (%s, %s mode); about %.1f min of training left\n' "$i" "${#runs[@]}" "$name" \
      "$model" "$mode" "$(echo "$left / 60" | bc -l)"
    t0=$(date +%s)
    "$eqnca" train --model "$model" --mode "$mode" "${TRAIN[@]}" --seed 0 --threads 2 \
      --snapshot-every "$ITERATIONS" --out "$dir/train" "${resume[@]}" >"$dir/train.txt" 2>&1 ||
      { echo "paper/make.sh: training $name failed; see $dir/train.txt" >&2; tail -3 "$dir/train.txt" >&2; exit 1; }
    touch "$dir/train/done"
    spent_on_training=$((spent_on_training + $(date +%s) - t0))
    trained_cost=$(echo "$trained_cost + ${COST[$model]}" | bc -l)
  else
    printf '[%d/%d] %s: reusing the finished run\n' "$i" "${#runs[@]}" "$name"
  fi
  done_cost=$(echo "$done_cost + ${COST[$model]}" | bc -l)
  ckpt=$dir/train/checkpoint.pt
  # 2. Equivariance against rotation angle and step (models grown from the seed only).
  if [[ "$mode" == growing && ! -f "$dir/eval.h5" ]]; then
    mirror=()
    [[ "$model" == d4 || "$model" == o2 || "$model" == isotropic ]] && mirror=(--mirror)
    read -r -a angles <<<"$(angles_of "$model")"
    "$eqnca" equivariance --checkpoint "$ckpt" --steps "$EVAL_STEPS" --angles "${angles[@]}" "${mirror[@]}" \
      --out "$dir/eval.h5.tmp" --json >"$dir/equivariance.json"
    mv "$dir/eval.h5.tmp" "$dir/eval.h5"
  fi
  # The noise floor: two rollouts from the same upright seed with independent update masks.
  if [[ "$mode" == growing && ! -f "$dir/noise.h5" ]]; then
    "$eqnca" equivariance --checkpoint "$ckpt" --steps "$EVAL_STEPS" --angles 0 --out "$dir/noise.h5.tmp" \
      --json >/dev/null
    mv "$dir/noise.h5.tmp" "$dir/noise.h5"
  fi
  # 3. Growth from rotated seeds (and, for the regenerating run, after damage).
  for a in 0 90 180 270 45; do
    [[ -f "$dir/grow_$a/growth.h5" ]] && continue
    [[ $a == 45 && ($model == c4 || $model == d4 || $model == isotropic) ]] && continue
    "$eqnca" grow --checkpoint "$ckpt" --angle "$a" --steps "$GROW_STEPS" --frame-every $((GROW_STEPS / 8)) \
      --out "$dir/grow_$a" --json >/dev/null
  done
  if [[ "$mode" != growing && ! -f "$dir/damage/growth.h5" ]]; then
    "$eqnca" grow --checkpoint "$ckpt" --steps $((2 * GROW_STEPS)) --damage-at "$GROW_STEPS" \
      --frame-every $((GROW_STEPS / 4)) --out "$dir/damage" --json >/dev/null
  fi
  if [[ "$mode" != growing && ! -f "$dir/undamaged/growth.h5" ]]; then  # the same rollout, uncut
    "$eqnca" grow --checkpoint "$ckpt" --steps $((2 * GROW_STEPS)) --frame-every $((GROW_STEPS / 4)) \
      --out "$dir/undamaged" --json >/dev/null
  fi
done

# 4. Textures: the baseline and C4 trained on an oriented texture (stripes, generated), each then
# grown from the all-alive start turned by every quarter turn and scored against the texture
# turned alike (eqnca equivariance on a texture run). Cheap next to the runs above.
tex=$out/texture
mkdir -p "$tex"
[[ -f "$tex/stripes.png" ]] ||
  "$eqnca" targets stripes --size "$TEXTURE_SIZE" --period "$TEXTURE_PERIOD" --out "$tex/stripes.png" >/dev/null
for model in growing c4; do
  dir=$tex/$model
  mkdir -p "$dir"
  if [[ ! -f "$dir/train/done" ]]; then
    resume=()
    [[ -f "$dir/train/checkpoint.pt" ]] && resume=(--resume)
    printf 'texture: training %s on stripes\n' "$model"
    "$eqnca" train --task texture --target "$tex/stripes.png" --target-size "$TEXTURE_SIZE" --grid "$TEXTURE_SIZE" \
      --model "$model" --mode persistent "${TEXTURE_TRAIN[@]}" --seed 0 --threads 2 --out "$dir/train" \
      "${resume[@]}" >"$dir/train.txt" 2>&1 ||
      { echo "paper/make.sh: training the $model texture failed; see $dir/train.txt" >&2; tail -3 "$dir/train.txt" >&2; exit 1; }
    touch "$dir/train/done"
  fi
  if [[ ! -f "$dir/eval.h5" ]]; then
    "$eqnca" equivariance --checkpoint "$dir/train/checkpoint.pt" --steps "$TEXTURE_EVAL_STEPS" --angles 0 90 180 270 \
      --out "$dir/eval.h5.tmp" --json >"$dir/equivariance.json"
    mv "$dir/eval.h5.tmp" "$dir/eval.h5"
  fi
done

echo "drawing the figures and writing the essay ($(( ($(date +%s) - start) / 60 )) min so far)"
mkdir -p "$out/figures"
MPLBACKEND=Agg "$python" "$here/scripts/figures.py" "$out" "$root/data"
"$python" "$here/scripts/essay_numbers.py" "$out" "$BUDGET" >"$out/numbers.json"
"$python" "$here/scripts/render.py" "$here/essay.template.md" "$out/numbers.json" >"$out/essay.md"
(cd "$out" && pandoc essay.md --standalone --self-contained --metadata title="eqnca: patterns that turn with their seed" \
  -o essay.html 2>/dev/null) || echo "paper/make.sh: pandoc failed or is missing; essay.html not written" >&2
if [[ $publish == 1 ]]; then
  rm -rf "$here/figures"
  cp -r "$out/figures" "$here/figures"
  cp "$out/essay.md" "$out/numbers.json" "$here/"
  [[ -f "$out/essay.html" ]] && cp "$out/essay.html" "$here/"
fi
echo "done in $(( ($(date +%s) - start) / 60 )) min: $out/essay.md"
