"""Fills the essay template with the generated numbers.

Usage: python3 render.py essay.template.md numbers.json > essay.md
{{key}} becomes the number as printed followed by an invisible <!--n:key--> marker (what the
check in tests/paper/ reads); {{table}} becomes the table of every model; {{budget}} the budget's
name. A key the logs did not produce prints as "n/a" (the run was not made), never a guess.
"""
import json
import re
import sys

import logs

template = open(sys.argv[1]).read()
data = json.load(open(sys.argv[2]))
numbers = data["numbers"]


def number(key):
    n = numbers.get(key)
    return f"{n['text']}<!--n:{key}-->" if n else "n/a"


def table():
    rows = ["| model | parameters | s/iteration | vs baseline | train loss | loss from the seed | "
            "loss, seed at 90 deg | loss, seed at 45 deg | error at 90 deg | error at 45 deg |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for m in logs.MODELS:
        r = lambda k: number(f"{m}.{k}")
        rows.append(f"| {logs.LABELS[m]} | {r('parameters')} | {r('s_per_iteration')} | "
                    f"{'1.00' if m == 'growing' else r('s_per_iteration_ratio')} | {r('final_loss')} | "
                    f"{r('loss_grow_0')} | {r('loss_grow_90')} | {r('loss_grow_45')} | {r('error_90')} | "
                    f"{r('error_45')} |")
    return "\n".join(rows)


out = template.replace("{{table}}", table()).replace("{{budget}}", data["budget"])
out = re.sub(r"\{\{([A-Za-z0-9_.]+)\}\}", lambda m: number(m.group(1)), out)
sys.stdout.write(out)
