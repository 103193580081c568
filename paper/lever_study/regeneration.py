"""Issue 10's regeneration target from regenerate.sh's output: after a bite, the loss against the
turned target within 1.5x of the same growth without the bite, at every rotation.

Usage: regeneration.py FILE...   (each FILE the JSON lines of one regenerate.sh call; calls with
different STEPS give the rows for different recovery times, steps - bite)

Prints a markdown table: per run folder's lever (its parent folder) and recovery steps, the
damaged / undamaged loss ratio at each angle as the median over seeds (each seed's ratio in
brackets), and whether the worst angle's median is within 1.5x."""
import collections
import json
import os
import statistics as st
import sys

# (lever, recovery steps) -> angle -> seed -> {damaged: loss, undamaged: loss}
losses = collections.defaultdict(lambda: collections.defaultdict(lambda: collections.defaultdict(dict)))
if len(sys.argv) < 2:
    sys.exit('usage: regeneration.py FILE... (the JSON lines of regenerate.sh calls)')
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            for number, line in enumerate(f, 1):
                if not line.strip().startswith('{'):
                    continue
                try:
                    row = json.loads(line)
                    grow = row['grow']
                    run = row['run'].rstrip('/')
                    bite, steps, loss, angle = grow['damage_at'], grow['steps'], grow['loss'], row['angle']
                except (ValueError, KeyError, TypeError, AttributeError) as e:
                    sys.exit(f'regeneration.py: {path}:{number}: not a regenerate.sh row ({e!r})')
                lever, seed = os.path.basename(os.path.dirname(run)), os.path.basename(run)
                key = 'undamaged' if bite < 0 else 'damaged'
                # The undamaged growth has no bite step; its rows pair with the damaged ones of
                # the same file, which all share one bite step.
                losses[(lever, path, steps)][angle][seed][key] = (loss, bite)
    except OSError as e:
        sys.exit(f'regeneration.py: cannot read {path}: {e.strerror}')

print('| lever | steps after the bite | ' + ' | '.join(f'{a:g}°' for a in (0, 90, 180, 270)) +
      ' | worst angle (target ≤ 1.5×) |')
print('|---|---|---|---|---|---|---|')
for (lever, _, steps), by_angle in sorted(losses.items(), key=lambda kv: (kv[0][0], kv[0][2])):
    cells, medians, recovery = [], [], None
    for angle in sorted(by_angle):
        ratios = []
        for seed, pair in sorted(by_angle[angle].items()):
            if 'damaged' not in pair or 'undamaged' not in pair:
                continue
            recovery = steps - pair['damaged'][1]
            ratios.append(pair['damaged'][0] / pair['undamaged'][0])
        if not ratios:
            cells.append('-')
            continue
        medians.append(st.median(ratios))
        cells.append(f'{st.median(ratios):.2f}× ({", ".join("%.2f" % r for r in ratios)})')
    worst = max(medians) if medians else float('nan')
    verdict = 'met' if worst <= 1.5 else 'missed'
    print(f'| {lever} | {recovery} | ' + ' | '.join(cells) + f' | {worst:.2f}×: {verdict} |')
