"""Every number of the essay, computed from a paper build folder's logs, with where it came from.

Usage: python3 essay_numbers.py OUT BUDGET > numbers.json (not "numbers.py": that name shadows the standard library)
Each entry: {"value": float, "text": as printed, "source": {"kind": ..., "run": ..., ...}}; the
source is what tests/paper/check_essay.py recomputes on its own to check the essay.
"""
import json
import math
import sys

import numpy as np

import logs

OUT, BUDGET = sys.argv[1], sys.argv[2]
numbers = {}


def text(value, kind):
    if kind == "config":  # as configured: 16, 0.5, 0.002
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"
    if kind == "parameters":
        return f"{int(value):,}"
    if kind == "ratio":
        return f"{value:.2f}"
    if kind == "s_per_iteration":
        return f"{value:.3g}"
    return f"{value:.2g}" if abs(value) < 1e-3 else f"{value:.3g}"


def put(key, value, source, kind=None):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return
    numbers[key] = {"value": float(value), "text": text(value, kind or source["kind"]), "source": source}


def final_loss(loss):
    return float(np.mean(loss[-max(1, len(loss) // 10):]))


# The settings the essay names (model sizes, the recipe), read back from each run's resolved
# config, so the prose states what was run rather than what a default was when it was written.
CONFIG_KEYS = ["channels", "hidden", "hidden-fields", "state-fields", "band-limit", "fire-rate", "target-size",
               "pad", "batch", "pool-size", "steps-min", "steps-max", "iterations", "lr", "lr-final", "lr-drop",
               "threads"]

for run in logs.MODES + logs.MODELS[1:]:
    config = logs.config(OUT, run)
    for key in CONFIG_KEYS:
        if isinstance(config.get(key), (int, float)) and not isinstance(config.get(key), bool):
            put(f"{run}.config.{key.replace('-', '_')}", config[key], {"kind": "config", "run": run, "key": key})
    t = logs.train(OUT, run)
    put(f"{run}.final_loss", final_loss(t["loss"]), {"kind": "final_loss", "run": run})
    put(f"{run}.s_per_iteration", t["s_per_iteration"], {"kind": "s_per_iteration", "run": run})
    put(f"{run}.parameters", logs.parameter_count(OUT, run), {"kind": "parameters", "run": run})
    for where in ["grow_0", "grow_90", "grow_45", "damage", "undamaged"]:
        g = logs.growth(OUT, run, where)
        if g is not None and g["summary"].get("loss") is not None:
            put(f"{run}.loss_{where}", g["summary"]["loss"], {"kind": "grow_loss", "run": run, "where": where})
    e = logs.equivariance(OUT, run)
    if e is not None:
        exact = (e["exact"] == 1) & (np.abs(e["angle_deg"]) > 1e-6)
        if exact.any():
            put(f"{run}.error_exact", float(e["final_rel_error"][exact].max()), {"kind": "error_exact", "run": run})
        for angle in (45, 90):
            i = np.flatnonzero((np.abs(e["angle_deg"] - angle) < 1e-3) & (e["reflection"] == 0))
            if len(i):
                put(f"{run}.error_{angle}", float(e["final_rel_error"][i[0]]),
                    {"kind": "error_angle", "run": run, "angle": angle})
                if e["rel_error_shared"].size:  # after the first step: how early an error appears
                    put(f"{run}.error_{angle}_step1", float(e["rel_error_shared"][i[0]][0]),
                        {"kind": "error_angle_step1", "run": run, "angle": angle})
                if e["rel_error_independent"].size:
                    put(f"{run}.error_{angle}_independent", float(e["rel_error_independent"][i[0]][-1]),
                        {"kind": "error_angle_independent", "run": run, "angle": angle})

    n = logs.equivariance(OUT, run, "noise.h5")
    if n is not None and n["rel_error_independent"].size:
        put(f"{run}.noise_floor", float(n["rel_error_independent"][0][-1]), {"kind": "noise_floor", "run": run})

# Ratios to the baseline (both numbers are in the essay too, so the checker recomputes them).
for run in logs.MODELS[1:]:
    for key in ("s_per_iteration", "loss_grow_0"):
        a, b = numbers.get(f"{run}.{key}"), numbers.get(f"growing.{key}")
        if a and b and b["value"] > 0:
            put(f"{run}.{key}_ratio", a["value"] / b["value"],
                {"kind": "ratio", "of": f"{run}.{key}", "to": f"growing.{key}"}, kind="ratio")
# The texture section: each texture run's recipe, final loss, size, exactness, and its grown
# texture's loss against the texture turned by the start's turn and against the unturned one.
for model in logs.TEXTURE_MODELS:
    run = f"texture/{model}"
    name = f"texture_{model}"
    config = logs.config(OUT, run)
    for key in ("target-size", "iterations", "batch", "pool-size", "steps-min", "steps-max", "lr"):
        put(f"{name}.config.{key.replace('-', '_')}", config[key], {"kind": "config", "run": run, "key": key})
    put(f"{name}.final_loss", final_loss(logs.train(OUT, run)["loss"]), {"kind": "final_loss", "run": run})
    put(f"{name}.parameters", logs.parameter_count(OUT, run), {"kind": "parameters", "run": run})
    e = logs.equivariance(OUT, run)
    exact = (e["exact"] == 1) & (np.abs(e["angle_deg"]) > 1e-6)
    put(f"{name}.error_exact", float(e["final_rel_error"][exact].max()), {"kind": "error_exact", "run": run})
    for angle in (0, 90, 180, 270):
        i = np.flatnonzero((np.abs(e["angle_deg"] - angle) < 1e-3) & (e["reflection"] == 0))[0]
        for against in ("turned", "unturned"):
            put(f"{name}.loss_{against}_{angle}", float(e[f"texture_loss_{against}"][i]),
                {"kind": "texture_loss", "run": run, "angle": angle, "against": against})
    a, b = numbers.get(f"{name}.loss_turned_90"), numbers.get(f"{name}.loss_unturned_90")
    if a and b and b["value"] > 0:
        put(f"{name}.turned_over_unturned_90", a["value"] / b["value"],
            {"kind": "ratio", "of": f"{name}.loss_turned_90", "to": f"{name}.loss_unturned_90"}, kind="ratio")

iterations = len(logs.train(OUT, "growing")["loss"])
put("iterations", iterations, {"kind": "iterations", "run": "growing"}, kind="parameters")
json.dump({"budget": BUDGET, "numbers": numbers}, sys.stdout, indent=1)
