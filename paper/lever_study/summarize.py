"""Summarises a lever study (run.sh, either recipe): writes OUT/runs.csv (one row per run) and
prints, in markdown, the per-lever table (mean +- sd over seeds, median where the issue's
targets ask for it) and the per-run rows.
Usage: summarize.py OUT [LEVER ...]   (default: every finished lever under OUT)
Columns, per evaluation length S found (equiv_sS.json; 32 and 64 for the demo-sized recipe, 96
for the full one):
  loss@S th   = rotated_target_loss: MSE of the RGBA grown S steps from the seed turned by th
                against the target turned by th;
  ind@S th    = final_rel_error_independent: ||F(g.s) - g.F(s)|| / ||F(s)|| with independent
                update masks (at 0 deg: two mask draws of the same rollout);
  s/it        = training wall time / iterations (machine shared: see the README)."""
import glob, json, os, statistics as st, sys
import h5py
sys.path.insert(0, os.path.dirname(__file__))
from params import count

R = sys.argv[1] if len(sys.argv) > 1 else 'runs/lever_study'
wanted = set(sys.argv[2:])


def read_run(d):
    lever, seed = d.split('/')[-2], int(d.split('seed')[-1])
    # h5py locks files; a run being written elsewhere is read without the lock.
    with h5py.File(f'{d}/run.h5', 'r', locking=False) as f:
        loss = f['train/loss'][:]; wall = f['train/wall_time'][:]; it = f['train/iteration'][:]
    r = dict(lever=lever, seed=seed, params=count(f'{d}/checkpoint.pt'), iters=len(it),
             s_per_it=float(wall[-1] / len(it)), final=float(loss[-50:].mean()))
    for path in sorted(glob.glob(f'{d}/equiv_s*.json')):
        s = int(path.split('_s')[-1].split('.')[0])
        for e in json.load(open(path))['elements']:
            a = f"{e['angle_deg']:g}" + ('m' if e['reflection'] else '')
            r[f'loss@{s} {a}'] = e['rotated_target_loss']
            r[f'ind@{s} {a}'] = e['final_rel_error_independent']
            r[f'eq@{s} {a}'] = e['final_rel_error']
    return r


rows = [read_run(d) for d in sorted(glob.glob(f'{R}/*/seed*'))
        if os.path.exists(f'{d}/done') and (not wanted or d.split('/')[-2] in wanted)]
keys = []
for r in rows:
    keys += [k for k in r if k not in keys]
with open(f'{R}/runs.csv', 'w') as f:
    f.write(','.join(keys) + '\n')
    for r in rows:
        f.write(','.join(f'{r[k]:.6g}' if isinstance(r.get(k), float) else str(r.get(k, '')) for k in keys) + '\n')


def ms(v, fmt='{:.2e}'):
    v = [x for x in v if x is not None]
    if not v: return '-'
    if len(v) == 1: return fmt.format(v[0])
    return (fmt + ' ± ' + fmt).format(st.mean(v), st.stdev(v))


steps = sorted({int(k.split('@')[1].split()[0]) for k in keys if k.startswith('loss@')})
angles = {s: [k.split()[1] for k in keys if k.startswith(f'loss@{s} ')] for s in steps}
levers = sorted({r['lever'] for r in rows})
for s in steps:
    rot = [a for a in angles[s] if a != '0']
    print(f'\n### evaluated {s} steps from the seed\n')
    print('| lever | seeds | params | s/it | final train loss | loss 0° (median) | loss 0° mean ± sd | '
          + ' | '.join(f'loss {a}°' for a in rot) + ' | ind 0° | ind, mean over other angles |')
    print('|---' * (8 + len(rot)) + '|')
    for l in levers:
        g = [r for r in rows if r['lever'] == l and f'loss@{s} 0' in r]
        if not g: continue
        c = lambda k: [r[k] for r in g if r.get(k) is not None]
        ind_rot = [st.mean([r[f'ind@{s} {a}'] for a in rot if r.get(f'ind@{s} {a}') is not None]) for r in g]
        print(f"| {l} | {len(g)} | {g[0]['params']} | {st.mean(c('s_per_it')) * 1000:.0f} ms | {ms(c('final'))} | "
              f"{st.median(c(f'loss@{s} 0')):.2e} | {ms(c(f'loss@{s} 0'))} | "
              + ' | '.join(ms(c(f'loss@{s} {a}')) for a in rot)
              + f" | {ms(c(f'ind@{s} 0'), '{:.3f}')} | {ms(ind_rot, '{:.3f}')} |")
print('\nper run: lever seed iterations final-train-loss, then per evaluation length: loss at each angle, '
      'independent-mask error at each angle, max shared-mask equivariance error')
for r in rows:
    parts = [r['lever'], str(r['seed']), str(r['iters']), f"{r['final']:.2e}"]
    for s in steps:
        parts += [f"@{s}:"] + [f"{r.get(f'loss@{s} {a}') or float('nan'):.2e}" for a in angles[s]]
        parts += [f"{r.get(f'ind@{s} {a}') or float('nan'):.3f}" for a in angles[s]]
        parts += [f"{max(r.get(f'eq@{s} {a}') or 0 for a in angles[s]):.1e}"]
    print(' '.join(parts))
