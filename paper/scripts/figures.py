"""Draws every figure of the essay from a paper build folder's HDF5 logs (see logs.py).

Usage: python3 figures.py OUT DATA_DIR   (writes OUT/figures/*.png)
Restyle freely: each figure is one function reading the logs through logs.py.
"""
import os
import sys

import matplotlib.pyplot as plt
import numpy as np

import logs

OUT, DATA = sys.argv[1], sys.argv[2]
FIG = os.path.join(OUT, "figures")
os.makedirs(FIG, exist_ok=True)


def save(fig, name):
    fig.savefig(os.path.join(FIG, name), dpi=110, bbox_inches="tight")
    plt.close(fig)


def tile(ax, rgba, title=None):
    ax.imshow(logs.rgb(rgba), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=8)


def targets():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.imshow(plt.imread(os.path.join(DATA, "lizard.png")))
    ax.set_axis_off()
    ax.set_title("target", fontsize=9)
    save(fig, "targets.png")


def growth_strip(run, where, name, title):
    g = logs.growth(OUT, run, where)
    if g is None:
        return
    n = len(g["steps"])
    fig, axes = plt.subplots(1, n, figsize=(1.3 * n, 1.6))
    for ax, frame, step in zip(np.atleast_1d(axes), g["rgba"], g["steps"]):
        tile(ax, frame, f"step {int(step)}")
    fig.suptitle(title, fontsize=9)
    save(fig, name)


def loss_curves():
    fig, ax = plt.subplots(figsize=(5, 3))
    for mode in logs.MODES:
        t = logs.train(OUT, mode)
        ax.plot(t["iteration"], t["loss"], label=mode, lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("training loss (RGBA MSE)")
    ax.legend(fontsize=8)
    save(fig, "loss_curves.png")


def pool():
    t = logs.train(OUT, "persistent")
    if t["snapshot"] is None:
        return
    states = t["snapshot"][:8]
    fig, axes = plt.subplots(1, len(states), figsize=(1.3 * len(states), 1.5))
    for ax, s in zip(np.atleast_1d(axes), states):
        tile(ax, s[:4])
    fig.suptitle("pool samples at the end of persistent training", fontsize=9)
    save(fig, "pool.png")


def rotated_seeds(models, name, title):
    angles = [0, 90, 180, 270, 45]
    fig, axes = plt.subplots(len(models), len(angles), figsize=(1.4 * len(angles), 1.4 * len(models)), squeeze=False)
    for r, m in enumerate(models):
        for c, a in enumerate(angles):
            ax = axes[r][c]
            g = logs.growth(OUT, m, f"grow_{a}")
            if g is None:
                ax.set_axis_off()
                continue
            tile(ax, g["rgba"][-1], f"seed at {a} deg" if r == 0 else None)
            if c == 0:
                ax.set_ylabel(logs.LABELS[m], fontsize=8)
    fig.suptitle(title, fontsize=9, y=1.0)
    fig.tight_layout()
    save(fig, name)


def error_against_step():
    models = [m for m in logs.MODELS if logs.equivariance(OUT, m) is not None]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
    for ax, key, label in zip(axes, ["rel_error_shared", "rel_error_independent"],
                              ["transformed update masks", "independent update masks"]):
        for m in models:
            e = logs.equivariance(OUT, m)
            i = np.flatnonzero((np.abs(e["angle_deg"] - 90) < 1e-3) & (e["reflection"] == 0))
            if len(i) == 0 or e[key].size == 0:
                continue
            err = np.maximum(e[key][i[0]], 1e-9)
            ax.plot(np.arange(1, len(err) + 1), err, label=logs.LABELS[m], lw=1)
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_title(f"90 deg, {label}", fontsize=9)
    axes[0].set_ylabel("relative equivariance error")
    axes[1].legend(fontsize=7, ncol=2)
    save(fig, "error_vs_step.png")


def error_against_angle():
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for m in logs.MODELS:
        e = logs.equivariance(OUT, m)
        if e is None:
            continue
        keep = e["reflection"] == 0
        order = np.argsort(e["angle_deg"][keep])
        ax.plot(e["angle_deg"][keep][order], np.maximum(e["final_rel_error"][keep][order], 1e-9), "o-", ms=3, lw=1,
                label=logs.LABELS[m])
    ax.set_yscale("log")
    ax.set_xlabel("rotation of the seed (degrees)")
    ax.set_ylabel("relative error at the last step")
    ax.set_xticks(range(0, 361, 45))
    ax.legend(fontsize=7, ncol=3)
    save(fig, "error_vs_angle.png")


def textures():
    """Top row: the stripes turned by each quarter turn; then each texture run's grown texture
    from the start turned alike (eqnca equivariance's final_rgba, shared masks)."""
    target = plt.imread(os.path.join(OUT, "texture", "stripes.png"))[..., :3]
    angles = [0, 90, 180, 270]
    runs = [m for m in logs.TEXTURE_MODELS if logs.equivariance(OUT, f"texture/{m}") is not None]
    fig, axes = plt.subplots(1 + len(runs), len(angles), figsize=(1.4 * len(angles), 1.45 * (1 + len(runs))),
                             squeeze=False)
    for c, a in enumerate(angles):
        ax = axes[0][c]
        ax.imshow(np.rot90(target, a // 90), interpolation="nearest")  # counter-clockwise as displayed
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"turned {a} deg", fontsize=8)
        if c == 0:
            ax.set_ylabel("target", fontsize=8)
    for r, m in enumerate(runs, start=1):
        e = logs.equivariance(OUT, f"texture/{m}")
        for c, a in enumerate(angles):
            i = np.flatnonzero((np.abs(e["angle_deg"] - a) < 1e-3) & (e["reflection"] == 0))[0]
            tile(axes[r][c], e["final_rgba"][i])
            if c == 0:
                axes[r][c].set_ylabel(logs.LABELS[m], fontsize=8)
    fig.suptitle("texture grown from the start turned by each quarter turn", fontsize=9, y=1.0)
    fig.tight_layout()
    save(fig, "textures.png")


targets()
growth_strip("growing", "grow_0", "growth_strip.png", "the Distill baseline grown from the seed")
loss_curves()
pool()
growth_strip("regenerating", "damage", "regeneration.png", "regenerating baseline: cut halfway, then left to grow")
rotated_seeds(["growing"], "problem.png", "the baseline grown from rotated seeds")
rotated_seeds(logs.MODELS, "answer.png", "every model grown from rotated seeds")
error_against_step()
error_against_angle()
textures()
