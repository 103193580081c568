"""Reads a paper build folder (paper/make.sh --out DIR): the one place that knows its layout.

DIR/<run>/train/run.h5    training log (experiments/io/run_log.h): train/loss, train/wall_time, ...,
                          and the resolved config (TOML) as the root attribute `config`
DIR/<run>/train/model.h5  parameters/<key>, one dataset per parameter
DIR/<run>/eval.h5         eqnca equivariance: eval/equivariance/{angle_deg, reflection, exact,
                          final_rel_error, rel_error_shared (elements, steps), rel_error_independent}
DIR/<run>/noise.h5        the same at angle 0 only: rel_error_independent is then the difference
                          between two rollouts from the upright seed with independent masks
DIR/<run>/grow_<angle>/growth.h5  eqnca grow: growth/rgba (frames, 4, H, W), growth/steps, and the
                          outcome (loss against the turned target) as growth/@summary_json
"""
import json
import os
import tomllib

import h5py
import numpy as np

# The runs of paper/make.sh: the baseline's three training modes, then every model from the seed.
MODES = ["growing", "persistent", "regenerating"]
MODELS = ["growing", "isotropic", "steerable", "c4", "d4", "c8", "c16", "so2", "o2"]
# The texture section's runs (texture/<model>): the baseline and C4 on generated stripes.
TEXTURE_MODELS = ["growing", "c4"]
LABELS = {"growing": "growing (Distill)", "isotropic": "isotropic", "steerable": "steerable",
          "c4": "C4", "d4": "D4", "c8": "C8", "c16": "C16", "so2": "SO(2)", "o2": "O(2)"}


def path(out, *parts):
    return os.path.join(out, *parts)


def train(out, run):
    """Iterations, losses and seconds per iteration of a run's training log."""
    with h5py.File(path(out, run, "train", "run.h5"), "r") as f:
        loss = np.asarray(f["train/loss"][:], dtype=float)
        wall = np.asarray(f["train/wall_time"][:], dtype=float)
        iteration = np.asarray(f["train/iteration"][:], dtype=float)
        last_snapshot = None
        if "snapshots/states" in f:  # schema 2: one dataset [n, B, C, H, W]
            if f["snapshots/states"].shape[0] > 0:
                last_snapshot = np.asarray(f["snapshots/states"][-1])
        elif "snapshots" in f:  # schema 1: snapshots/iteration_NNNNNNN, one dataset each
            snapshots = sorted(f["snapshots"].keys())
            last_snapshot = np.asarray(f["snapshots/" + snapshots[-1]][:]) if snapshots else None
    # wall_time restarts when a run is resumed; per-iteration time from its positive steps.
    steps = np.diff(wall)
    steps = steps[steps > 0]
    return {"iteration": iteration, "loss": loss, "s_per_iteration": float(np.median(steps)) if len(steps) else float("nan"),
            "snapshot": last_snapshot}


def config(out, run):
    """The run's resolved configuration (the TOML text eqnca train stores in run.h5's `config`)."""
    with h5py.File(path(out, run, "train", "run.h5"), "r") as f:
        text = f.attrs["config"]
    return tomllib.loads(text.decode() if isinstance(text, bytes) else text)


def parameter_count(out, run):
    with h5py.File(path(out, run, "train", "model.h5"), "r") as f:
        return int(sum(d.size for d in f["parameters"].values()))


def growth(out, run, where):
    """Frames (n, 4, H, W), their steps and the outcome of eqnca grow in DIR/<run>/<where>."""
    p = path(out, run, where, "growth.h5")
    if not os.path.exists(p):
        return None
    with h5py.File(p, "r") as f:
        summary = json.loads(f["growth"].attrs["summary_json"])
        return {"rgba": np.asarray(f["growth/rgba"][:]), "steps": np.asarray(f["growth/steps"][:]), "summary": summary}


def equivariance(out, run, name="eval.h5"):
    p = path(out, run, name)
    if not os.path.exists(p):
        return None
    with h5py.File(p, "r") as f:
        g = f["eval/equivariance"]
        keys = ["angle_deg", "reflection", "exact", "final_rel_error", "rel_error_shared", "rel_error_independent"]
        # Written by newer eqnca builds: texture losses (texture runs) and the grown patterns.
        keys += [k for k in ("texture_loss_turned", "texture_loss_unturned", "final_rgba") if k in g]
        return {k: np.asarray(g[k][:]) for k in keys}


def rgb(rgba):
    """Premultiplied RGBA (4, H, W) over white, as an (H, W, 3) image in [0, 1]."""
    a = np.clip(rgba[3], 0, 1)
    return np.clip(1.0 - a[..., None] + np.moveaxis(rgba[:3], 0, -1), 0, 1)
