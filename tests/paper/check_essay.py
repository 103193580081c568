"""Checks a generated essay against the logs it came from (paper/make.sh --out OUT).

Usage: python3 check_essay.py OUT [--alter]
* every figure essay.md references exists and is a PNG;
* every number printed with a <!--n:key--> marker is recomputed here from the HDF5 logs, by its
  source in numbers.json, with this file's own h5py reads (not paper/scripts/), and must agree
  to the precision printed: |printed - recomputed| <= half a unit in the last printed digit;
* no {{placeholder}} is left;
* no number is printed without a marker, apart from the few definitions in ALLOWED_BY_HAND (a
  number typed into the template would escape the comparison with the logs).
--alter changes one printed number in a copy of the essay and exits 0 only if the check then
fails (the check can fail). Exit 1 with one line per problem otherwise.
"""
import json
import math
import os
import re
import sys
import tomllib

import h5py
import numpy as np


def values(out, source):
    """The value a number's source names, read from the logs."""
    kind, run = source["kind"], source.get("run")
    if kind == "ratio":
        return values(out, NUMBERS[source["of"]]["source"]) / values(out, NUMBERS[source["to"]]["source"])
    if kind in ("final_loss", "s_per_iteration", "iterations"):
        with h5py.File(os.path.join(out, run, "train", "run.h5"), "r") as f:
            loss, wall = f["train/loss"][:], f["train/wall_time"][:]
        if kind == "final_loss":
            return float(np.mean(loss[-max(1, len(loss) // 10):]))
        if kind == "iterations":
            return float(len(loss))
        d = np.diff(wall)
        return float(np.median(d[d > 0]))
    if kind == "config":
        with h5py.File(os.path.join(out, run, "train", "run.h5"), "r") as f:
            text = f.attrs["config"]
        return float(tomllib.loads(text if isinstance(text, str) else text.decode())[source["key"]])
    if kind == "parameters":
        with h5py.File(os.path.join(out, run, "train", "model.h5"), "r") as f:
            return float(sum(np.prod(d.shape) for d in f["parameters"].values()))
    if kind == "grow_loss":
        with h5py.File(os.path.join(out, run, source["where"], "growth.h5"), "r") as f:
            return float(json.loads(f["growth"].attrs["summary_json"])["loss"])
    if kind == "noise_floor":
        with h5py.File(os.path.join(out, run, "noise.h5"), "r") as f:
            return float(f["eval/equivariance/rel_error_independent"][0, -1])
    with h5py.File(os.path.join(out, run, "eval.h5"), "r") as f:
        g = f["eval/equivariance"]
        angle, mirror, exact = g["angle_deg"][:], g["reflection"][:], g["exact"][:]
        if kind == "error_exact":
            return float(g["final_rel_error"][:][(exact == 1) & (np.abs(angle) > 1e-6)].max())
        i = np.flatnonzero((np.abs(angle - source["angle"]) < 1e-3) & (mirror == 0))[0]
        if kind == "error_angle":
            return float(g["final_rel_error"][i])
        if kind == "error_angle_step1":
            return float(g["rel_error_shared"][i][0])
        if kind == "error_angle_independent":
            return float(g["rel_error_independent"][i][-1])
        if kind == "texture_loss":
            return float(g["texture_loss_" + source["against"]][i])
    raise ValueError(f"unknown source kind {kind}")


# Numbers the prose may state by itself: the angles the figures and table are drawn at, the
# citation's year, the alive threshold (a constant of the code), g^-1, and the baseline's cost
# ratio to itself in the table.
ALLOWED_BY_HAND = {"0", "45", "90", "180", "270", "2020", "0.1", "1", "1.00"}


def unmarked_numbers(essay):
    """Numbers in the essay's prose that carry no <!--n:key--> marker."""
    s = re.sub(r"```.*?```", "", essay, flags=re.S)  # command lines
    s = re.sub(r"[-0-9.,e+]+<!--n:[A-Za-z0-9_.]+-->", "", s)
    s = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", s)  # figure references
    s = re.sub(r"`[^`]*`", "", s)  # file and command names
    s = re.sub(r"\b(?:[CD]\d+|SO\(2\)|O\(2\)|\dx\d|\dL\+\d)", "", s)  # group names, 3x3, 4L+4
    s = re.sub(r"^#+ \d+\.", "", s, flags=re.M)  # section numbers
    return [m.group(0) for m in re.finditer(r"\d+(?:\.\d+)?", s) if m.group(0) not in ALLOWED_BY_HAND]


def half_unit(printed):
    """Half a unit in the last printed digit of e.g. '0.0153', '9.4e-08', '8,336'."""
    mantissa, _, exponent = printed.replace(",", "").lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (-decimals + (int(exponent) if exponent else 0))


def check(out, essay):
    problems = []
    for path in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", essay):
        p = os.path.join(out, path)
        if not os.path.isfile(p) or open(p, "rb").read(8) != b"\x89PNG\r\n\x1a\n":
            problems.append(f"figure {path} is missing or not a PNG")
    if "{{" in essay:
        problems.append("a {{placeholder}} was left unfilled")
    for n in unmarked_numbers(essay):
        problems.append(f"the number {n} is printed without a marker (typed by hand, not from the logs)")
    marked = re.findall(r"([-0-9.,e+]+)<!--n:([A-Za-z0-9_.]+)-->", essay)
    if not marked:
        problems.append("no generated numbers found")
    for printed, key in marked:
        if key not in NUMBERS:
            problems.append(f"{key}: not in numbers.json")
            continue
        try:
            recomputed = values(out, NUMBERS[key]["source"])
        except (OSError, KeyError, IndexError, ValueError) as e:
            problems.append(f"{key}: cannot recompute from the logs ({e})")
            continue
        printed_value = float(printed.replace(",", ""))
        if not math.isclose(printed_value, recomputed, rel_tol=0, abs_tol=half_unit(printed) * 1.000001):
            problems.append(f"{key}: the essay says {printed}, the logs give {recomputed:.6g}")
    return problems, len(marked)


out = sys.argv[1]
NUMBERS = json.load(open(os.path.join(out, "numbers.json")))["numbers"]
essay = open(os.path.join(out, "essay.md")).read()
if "--alter" in sys.argv:
    # Change the first generated number's leading digit.
    m = re.search(r"([1-9])([-0-9.,e+]*<!--n:)", essay)
    altered = essay[: m.start(1)] + str(int(m.group(1)) % 9 + 1) + essay[m.end(1):]
    problems, _ = check(out, altered)
    print("altered essay: " + ("rejected, as it must be" if problems else "ACCEPTED (the check cannot fail)"))
    sys.exit(0 if problems else 1)
problems, count = check(out, essay)
for p in problems:
    print(p)
if problems:
    sys.exit(1)
print(f"essay OK: {count} numbers match the logs, every figure exists")
