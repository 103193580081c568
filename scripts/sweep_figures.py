#!/usr/bin/env python3
"""The figures of a hyperparameter sweep, as in seed 004's study, from its results.csv.

    python3 sweep_figures.py DIR/results.csv DIR/report

`eqnca sweep report DIR` runs it. Draws, from the runs whose status is "ok":
  loss_vs_<option>.png   final loss against each swept option (one panel per option in
                         loss_vs_options.png too), coloured by target;
  loss_by_target.png     the distribution of final losses per target, each set one colour;
  target_vs_target.png   the first target's final loss against every other target's for the
                         same sets (mean over repeats), with an exponential fit y = a exp(b x)
                         (only with two or more targets).
Prints the path of each PNG it writes. Failures are one line on stderr and exit status 1.
Needs only the standard library and matplotlib (Debian's python3-matplotlib).
"""
import csv
import math
import os
import sys

FIXED = {"run", "set", "target", "seed", "status", "final_loss", "seed_loss", "rotated_seed_loss",
         "equivariance_error", "equivariance_error_independent", "parameters", "wall_s", "error"}


def fail(message):
    sys.stderr.write(f"sweep_figures: {message}\n")
    sys.exit(1)


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def target_name(path):
    return os.path.splitext(os.path.basename(path))[0] if path else "base"


def read_rows(path):
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            columns = reader.fieldnames or []
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror}")
    if "final_loss" not in columns:
        fail(f"{path} is not a sweep's results.csv (no final_loss column)")
    options = [c for c in columns if c not in FIXED]
    ok = [r for r in rows if r["status"] == "ok" and number(r["final_loss"]) is not None]
    if not ok:
        fail(f"{path} has no finished run to draw")
    return ok, options


def colours(n):
    import matplotlib
    cmap = matplotlib.colormaps["tab10" if n <= 10 else "viridis"]
    return [cmap(i if n <= 10 else i / max(1, n - 1)) for i in range(n)]


def option_axis(rows, option):
    """x positions for an option's values: numbers as they are, anything else as categories."""
    values = [r[option] for r in rows]
    if all(number(v) is not None for v in values):
        return [number(v) for v in values], None
    categories = sorted(set(values))
    return [categories.index(v) for v in values], categories


def draw_option(ax, rows, option, targets, palette):
    xs, categories = option_axis(rows, option)
    for t, colour in zip(targets, palette):
        pts = [(x, number(r["final_loss"])) for x, r in zip(xs, rows) if target_name(r["target"]) == t]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=18, color=colour, label=t)
    if categories is not None:
        ax.set_xticks(range(len(categories)))
        ax.set_xticklabels(categories, rotation=30)
    elif len(set(xs)) > 1 and min(xs) > 0 and max(xs) / min(xs) > 50:
        ax.set_xscale("log")  # learning rates and the like span decades
    ax.set_xlabel(option)
    ax.set_ylabel("final loss")
    ax.set_yscale("log")


def main():
    if len(sys.argv) != 3:
        fail("usage: sweep_figures.py RESULTS.csv OUT_DIR")
    rows, options = read_rows(sys.argv[1])
    out = sys.argv[2]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        fail("needs matplotlib (apt-get install python3-matplotlib)")
    os.makedirs(out, exist_ok=True)
    targets = sorted({target_name(r["target"]) for r in rows})
    palette = colours(len(targets))
    written = []

    def save(fig, name):
        path = os.path.join(out, name)
        fig.tight_layout()
        fig.savefig(path + ".tmp.png", dpi=110)
        plt.close(fig)
        os.replace(path + ".tmp.png", path)  # a reader never sees half a PNG
        written.append(path)

    # Final loss against each hyperparameter: one file per option, and all of them side by side.
    for option in options:
        fig, ax = plt.subplots(figsize=(4.5, 3.5))
        draw_option(ax, rows, option, targets, palette)
        ax.legend(fontsize=7)
        save(fig, f"loss_vs_{option}.png")
    if options:
        cols = min(3, len(options))
        grid_rows = math.ceil(len(options) / cols)
        fig, axes = plt.subplots(grid_rows, cols, figsize=(4.2 * cols, 3.4 * grid_rows), squeeze=False)
        for ax, option in zip(axes.flat, options):
            draw_option(ax, rows, option, targets, palette)
        for ax in list(axes.flat)[len(options):]:
            ax.axis("off")
        axes.flat[0].legend(fontsize=7)
        fig.suptitle("final loss against each hyperparameter")
        save(fig, "loss_vs_options.png")

    # The distribution of final losses per target, each set one colour (seed 004's strip plot).
    sets = sorted({int(r["set"]) for r in rows})
    set_colour = dict(zip(sets, colours(len(sets))))
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(targets), 3.8))
    for i, t in enumerate(targets):
        mine = [r for r in rows if target_name(r["target"]) == t]
        losses = [number(r["final_loss"]) for r in mine]
        ax.boxplot([losses], positions=[i], widths=0.5, showfliers=False)
        for j, r in enumerate(mine):
            jitter = 0.25 * ((j * 0.618) % 1.0 - 0.5)
            ax.scatter(i + jitter, number(r["final_loss"]), s=18, color=set_colour[int(r["set"])], zorder=3)
    ax.set_xticks(range(len(targets)))
    ax.set_xticklabels(targets)
    ax.set_ylabel("final loss")
    ax.set_yscale("log")
    ax.set_title("final losses per target (colour: set)")
    save(fig, "loss_by_target.png")

    # One target's final loss against another's for the same sets.
    if len(targets) >= 2:
        mean = {}
        for r in rows:
            mean.setdefault((target_name(r["target"]), int(r["set"])), []).append(number(r["final_loss"]))
        mean = {k: sum(v) / len(v) for k, v in mean.items()}
        first = targets[0]
        fig, ax = plt.subplots(figsize=(5, 4))
        for t, colour in zip(targets[1:], palette[1:]):
            pts = [(mean[(first, s)], mean[(t, s)]) for s in sets if (first, s) in mean and (t, s) in mean]
            if not pts:
                continue
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=22, color=colour, label=t)
            # y = a exp(b x): a straight line through (x, log y), as seed 004's regressions.
            if len(pts) >= 2 and len({p[0] for p in pts}) > 1 and all(p[1] > 0 for p in pts):
                n = len(pts)
                mx = sum(p[0] for p in pts) / n
                my = sum(math.log(p[1]) for p in pts) / n
                b = sum((p[0] - mx) * (math.log(p[1]) - my) for p in pts) / sum((p[0] - mx) ** 2 for p in pts)
                lo, hi = min(p[0] for p in pts), max(p[0] for p in pts)
                xs = [lo + (hi - lo) * k / 50 for k in range(51)]
                ax.plot(xs, [math.exp(my + b * (x - mx)) for x in xs], color=colour, lw=1)
        ax.set_xlabel(f"final loss on {first}")
        ax.set_ylabel("final loss on the other target")
        ax.set_yscale("log")
        ax.legend(fontsize=7)
        ax.set_title("the same sets on different targets")
        save(fig, "target_vs_target.png")

    for path in written:
        print(path)


if __name__ == "__main__":
    main()
