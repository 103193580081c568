"""Summarises the lever study (run.sh): writes OUT/runs.csv (one row per run) and prints the
per-lever table, mean +- sd over seeds, in markdown. Usage: summarize.py OUT"""
import glob, json, os, re, statistics as st, sys
import h5py
sys.path.insert(0, os.path.dirname(__file__))
from params import count
R = sys.argv[1] if len(sys.argv) > 1 else 'runs/lever_study'
rows = []
for d in sorted(glob.glob(f'{R}/*/seed*')):
    if not os.path.exists(f'{d}/done'): continue
    lever, seed = d.split('/')[-2], int(d.split('seed')[-1])
    with h5py.File(f'{d}/run.h5', 'r') as f:
        loss = f['train/loss'][:]; wall = f['train/wall_time'][:]; it = f['train/iteration'][:]
    final = float(loss[-50:].mean())
    s_per_it = float(wall[-1] / len(it))
    e = {}
    for s in (32, 64):
        j = json.load(open(f'{d}/equiv_s{s}.json'))
        e[s] = {round(x['angle_deg']): x for x in j['elements']}
    r = dict(lever=lever, seed=seed, params=count(f'{d}/checkpoint.pt'), s_per_it=s_per_it, final=final,
             iters=len(it), wall=float(wall[-1]))
    for s in (32, 64):
        for a in (0, 90, 180, 270):
            r[f'rot{a}_s{s}'] = e[s][a]['rotated_target_loss']
            r[f'ind{a}_s{s}'] = e[s][a]['final_rel_error_independent']
            r[f'eq{a}_s{s}'] = e[s][a]['final_rel_error']
    rows.append(r)
keys = list(rows[0].keys()) if rows else []
with open(f'{R}/runs.csv', 'w') as f:
    f.write(','.join(keys) + '\n')
    for r in rows: f.write(','.join(f'{r[k]:.6g}' if isinstance(r[k], float) else str(r[k]) for k in keys) + '\n')
def ms(v, fmt='{:.2e}'):
    if len(v) == 1: return fmt.format(v[0])
    return (fmt + ' ± ' + fmt).format(st.mean(v), st.stdev(v))
levers = sorted({r['lever'] for r in rows})
print('| lever | seeds | params | s/it | final train loss | rot-target loss 0° | 90° | 180° | 270° | ind-mask err 0° | ind-mask err 90/180/270 (mean) | rot loss 0° @64 steps | ind err 0° @64 |')
print('|---|---|---|---|---|---|---|---|---|---|---|---|---|')
for l in levers:
    g = [r for r in rows if r['lever'] == l]
    c = lambda k: [r[k] for r in g]
    ind_rot = [st.mean([r[f'ind{a}_s32'] for a in (90, 180, 270)]) for r in g]
    print(f"| {l} | {len(g)} | {g[0]['params']} | {st.mean(c('s_per_it'))*1000:.1f} ms | {ms(c('final'))} | "
          f"{ms(c('rot0_s32'))} | {ms(c('rot90_s32'))} | {ms(c('rot180_s32'))} | {ms(c('rot270_s32'))} | "
          f"{ms(c('ind0_s32'), '{:.3f}')} | {ms(ind_rot, '{:.3f}')} | {ms(c('rot0_s64'))} | {ms(c('ind0_s64'), '{:.3f}')} |")
print()
print('per run: lever seed final rot0 rot90 rot180 rot270 ind0 ind90 ind180 ind270 max_eq_err(det masks)')
for r in rows:
    print(r['lever'], r['seed'], f"{r['final']:.2e}", *(f"{r[f'rot{a}_s32']:.2e}" for a in (0,90,180,270)),
          *(f"{r[f'ind{a}_s32']:.3f}" for a in (0,90,180,270)), f"{max(r[f'eq{a}_s32'] for a in (0,90,180,270)):.1e}")
