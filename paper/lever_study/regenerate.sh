#!/usr/bin/env bash
# The regeneration check of issue 10: for each run folder given, at each rotation of the seed,
# grows STEPS steps undamaged and STEPS steps with a circular bite (radius RADIUS cells, at the
# grid centre) before step BITE, and prints the losses against the turned target as JSON lines
# (eqnca grow --json). Usage: bash paper/lever_study/regenerate.sh RUN... (EQNCA, STEPS=64,
# BITE=32, RADIUS=0 = a sixth of the grid, ANGLES="0 90 180 270" may be set in the environment).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
eq=${EQNCA:-$repo/build/eqnca}
steps=${STEPS:-64}
bite=${BITE:-32}
for run in "$@"; do
  for angle in ${ANGLES:-0 90 180 270}; do
    for damage in -1 "$bite"; do
      out=$(mktemp -d)
      line=$("$eq" grow --checkpoint "$run/checkpoint.pt" --angle "$angle" --steps "$steps" --damage-at "$damage" \
        --damage-radius "${RADIUS:-0}" --seed 0 --json --frame-every "$steps" --out "$out")
      rm -rf "$out"
      echo "{\"run\": \"$run\", \"angle\": $angle, \"grow\": $line}"
    done
  done
done
