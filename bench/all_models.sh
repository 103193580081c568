#!/usr/bin/env bash
# Every model's training iteration and growth speed on its fastest exact path, side by side in
# one run (the Distill recipe's shape: batch 8, 72x72, 64 steps, 2 threads), as a Markdown table.
#   bash bench/all_models.sh [EQNCA] [BASELINE_EQNCA]
# EQNCA: the binary to time (default build/eqnca). BASELINE_EQNCA (optional): another build,
# timed in the same rounds for the models it runs fused (e.g. the release before a kernel change).
# ROUNDS (default 2) interleaves the models round by round; the table shows the medians.
# PLAIN_GROWTH=1 also times each model's growth on its LibTorch-op path (`--path plain`, the ops a
# PyTorch port of the model runs; once per round, no warm-up: o2's takes minutes) and adds the
# fused path's speed-up over it.
set -euo pipefail
cd "$(dirname "$0")/.."
eqnca=${1:-build/eqnca}
baseline=${2:-}
rounds=${ROUNDS:-2}
steps=${STEPS:-64}
plain_growth=${PLAIN_GROWTH:-0}
# MODELS (space-separated) times a subset; the ratios are to growing, so keep it in.
read -r -a models <<<"${MODELS:-growing isotropic steerable c4 d4 c8 c16 so2 o2}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

path_of() {  # every model has the fused step (steerable since 2026-12-06)
  echo fast-dense
}

for ((r = 1; r <= rounds; r++)); do
  for m in "${models[@]}"; do
    "$eqnca" bench --model "$m" --path "$(path_of "$m")" --mode both --steps "$steps" --repeats 2 --warmup 1 \
      --json >>"$out/new_$m.jsonl"
    if [[ "$plain_growth" == 1 ]]; then
      "$eqnca" bench --model "$m" --path plain --mode growth --steps "$steps" --repeats 1 --warmup 0 \
        --json >>"$out/plain_$m.jsonl"
    fi
    if [[ -n "$baseline" && "$m" != steerable ]]; then
      "$baseline" bench --model "$m" --path "$(path_of "$m")" --mode both --steps "$steps" --repeats 2 --warmup 1 \
        --json >>"$out/old_$m.jsonl" 2>/dev/null || true
    fi
  done
done

python3 - "$out" "${models[@]}" <<'PY'
import json, statistics, sys, os
out, models = sys.argv[1], sys.argv[2:]
def load(kind, m):
    p = os.path.join(out, f"{kind}_{m}.jsonl")
    if not os.path.exists(p): return None
    rows = [json.loads(l) for l in open(p) if l.strip().startswith("{")]
    if not rows: return None
    def med(k):
        values = [r[k] for r in rows if r.get(k) is not None]
        return statistics.median(values) if values else None
    return {"train": med("train_s_per_iteration"), "growth": med("growth_cell_updates_per_s"),
            "params": rows[0]["parameter_count"], "path": rows[0]["path"],
            "macs": rows[0].get("multiply_adds_per_cell")}
base = load("new", "growing")
# multiply-adds per cell update of the fused step (forward), and their ratio to the baseline's:
# the time ratio a model would have if its kernels ran as fast per multiply-add as the baseline's.
has_old = any(load("old", m) for m in models)
has_plain = any(load("plain", m) for m in models)
print("| model | path | parameters | multiply-adds per cell | vs growing | train s/iteration | vs growing "
      "| growth cell-updates/s | vs growing |"
      + (" plain growth cell-updates/s | fused / plain |" if has_plain else "")
      + (" before: train s/it |" if has_old else ""))
print("|---|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if has_plain else "") + ("---:|" if has_old else ""))
for m in models:
    r = load("new", m)
    if r is None: continue
    old = load("old", m)
    macs = (f"{r['macs']:,} | {r['macs']/base['macs']:.2f}x" if r["macs"] and base["macs"] else "| ")
    line = (f"| {m} | {r['path']} | {r['params']:,} | {macs} | {r['train']:.2f} | {r['train']/base['train']:.2f}x | "
            f"{r['growth']:.3g} | {base['growth']/r['growth']:.2f}x |")
    if has_plain:
        plain = load("plain", m)
        line += f" {plain['growth']:.3g} | {r['growth']/plain['growth']:.2f}x |" if plain else " | |"
    if has_old:
        line += f" {old['train']:.2f} |" if old else " |"
    print(line)
PY
