#!/usr/bin/env python3
"""Time eqnca against the idiomatic PyTorch baseline of the Distill growing NCA, interleaved.

Runs `eqnca bench --json` and `bench/distill_pytorch.py --json` alternately (A, B, A, B, ...)
for --rounds rounds with the same batch, grid size, steps, threads and device, so that drifts
of the machine (thermal, other load) hit both alike. Prints the median of each over the rounds
and two ratios, both "higher is better for eqnca":

  growth throughput  eqnca / pytorch   (cell-updates/s)
  training speed-up  pytorch / eqnca   (s per iteration)

--model picks eqnca's model; the baseline is always PyTorch's "growing" model, and the rows
say so. --task texture times the texture task on both sides instead (eqnca bench --task texture
against bench/texture_pytorch.py: all cells alive, circular padding, Gram texture loss).
Each program runs in its own OpenMP wait policy (libgomp's OMP_WAIT_POLICY, read when the
library loads): eqnca with PASSIVE, as scripts/demo.sh and paper/make.sh run it (its own thread
pool does the work; spinning OpenMP workers only take its second core), PyTorch with libgomp's
default (ACTIVE spinning, which its many small parallel ops need: with PASSIVE its growth ran at
half speed, 2026-12-07). --eqnca-omp-wait-policy / --pytorch-omp-wait-policy change them ('' =
the variable unset). --markdown prints a block to paste into bench/RESULTS.md. A run that fails or prints
no JSON stops everything: its command, stderr and stdout are shown and the exit code is 1.

    python3 bench/side_by_side.py --batch 8 --size 72 --steps 64 --threads 2 --markdown
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def default_python():
    """This interpreter if it has torch, else Debian's /usr/bin/python3 (python3-torch)."""
    import importlib.util
    if importlib.util.find_spec("torch") is not None or not os.path.exists("/usr/bin/python3"):
        return sys.executable
    return "/usr/bin/python3"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eqnca", default=os.path.join(ROOT, "build", "eqnca"),
                        help="path to the eqnca executable (default: build/eqnca)")
    parser.add_argument("--python", default=default_python(),
                        help="Python interpreter with torch for the baseline (default: this one "
                             "if it imports torch, else /usr/bin/python3)")
    parser.add_argument("--pytorch-script", default=None,
                        help="the PyTorch program (default: distill_pytorch.py, or texture_pytorch.py "
                             "with --task texture)")
    parser.add_argument("--task", choices=["grow", "texture"], default="grow",
                        help="grow: from the seed, MSE loss; texture: the texture task")
    parser.add_argument("--model", default="growing", help="eqnca model to time")
    parser.add_argument("--path", default="fast-dense",
                        help="eqnca implementation: plain | fast | fast-dense (eqnca bench --path)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=72)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs inside each program")
    parser.add_argument("--mode", choices=["growth", "train", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved A,B rounds")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per single run")
    parser.add_argument("--markdown", action="store_true", help="also print a RESULTS.md block")
    parser.add_argument("--eqnca-omp-wait-policy", default="PASSIVE",
                        help="OMP_WAIT_POLICY for eqnca ('' = unset)")
    parser.add_argument("--pytorch-omp-wait-policy", default="",
                        help="OMP_WAIT_POLICY for PyTorch ('' = unset: libgomp's default)")
    args = parser.parse_args(argv)
    for name in ("batch", "size", "steps", "threads", "repeats", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be >= 1, got {getattr(args, name)}")
    if not os.path.isfile(args.eqnca) or not os.access(args.eqnca, os.X_OK):
        parser.error(f"eqnca executable not found or not executable: {args.eqnca} "
                     "(build it first, or pass --eqnca PATH)")
    if args.pytorch_script is None:
        script = "texture_pytorch.py" if args.task == "texture" else "distill_pytorch.py"
        args.pytorch_script = os.path.join(HERE, script)
    if not os.path.isfile(args.pytorch_script):
        parser.error(f"PyTorch baseline not found: {args.pytorch_script}")
    return args


def common_flags(args):
    return ["--batch", str(args.batch), "--size", str(args.size), "--steps", str(args.steps),
            "--threads", str(args.threads), "--device", args.device,
            "--repeats", str(args.repeats), "--mode", args.mode, "--json"]


def commands(args):
    eqnca = [args.eqnca, "bench", "--model", args.model, "--path", args.path, "--task", args.task] + common_flags(args)
    pytorch = [args.python, args.pytorch_script] + common_flags(args)
    return {"eqnca": eqnca, "pytorch": pytorch}


def parse_json(stdout):
    """The whole stdout as one JSON object, else the last line that is one."""
    try:
        value = json.loads(stdout)
        if isinstance(value, dict):
            return value
    except json.JSONDecodeError:
        pass
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return value
    return None


def fail(name, command, why, stdout="", stderr=""):
    print(f"side_by_side: {name} run failed: {why}", file=sys.stderr)
    print(f"  command: {shlex.join(command)}", file=sys.stderr)
    if stderr.strip():
        print(f"--- {name} stderr ---\n{stderr.rstrip()}", file=sys.stderr)
    if stdout.strip():
        print(f"--- {name} stdout ---\n{stdout.rstrip()}", file=sys.stderr)
    sys.exit(1)


def environment(policy):
    """This process's environment with OMP_WAIT_POLICY set to `policy` ('' removes it)."""
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    return env


def run_once(name, command, args):
    policy = args.eqnca_omp_wait_policy if name == "eqnca" else args.pytorch_omp_wait_policy
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout,
                              env=environment(policy))
    except FileNotFoundError as error:
        fail(name, command, f"cannot execute: {error}")
    except subprocess.TimeoutExpired as error:
        fail(name, command, f"timed out after {args.timeout:g} s",
             error.stdout or "", error.stderr or "")
    if done.returncode != 0:
        fail(name, command, f"exit code {done.returncode}", done.stdout, done.stderr)
    result = parse_json(done.stdout)
    if result is None:
        fail(name, command, "no JSON object on stdout", done.stdout, done.stderr)
    wanted = {"batch": args.batch, "size": args.size, "steps": args.steps,
              "threads": args.threads, "device": args.device}
    for key, value in wanted.items():
        if key in result and result[key] != value:
            print(f"side_by_side: warning: {name} reports {key}={result[key]!r}, asked {value!r}",
                  file=sys.stderr)
    needed = []
    if args.mode in ("growth", "both"):
        needed.append("growth_cell_updates_per_s")
    if args.mode in ("train", "both"):
        needed.append("train_s_per_iteration")
    for key in needed:
        if not isinstance(result.get(key), (int, float)) or result[key] <= 0:
            fail(name, command, f"JSON has no positive number for {key!r}: {result.get(key)!r}",
                 done.stdout, done.stderr)
    return result


def median_of(results, key):
    values = [r[key] for r in results if isinstance(r.get(key), (int, float))]
    return statistics.median(values) if values else None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.split(":")[0].strip() in ("model name", "Model", "Hardware"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def gpu_model():
    try:
        done = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                              capture_output=True, text=True, timeout=30)
        names = [n.strip() for n in done.stdout.splitlines() if n.strip()]
        return ", ".join(names) if done.returncode == 0 and names else "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def fmt(value, spec):
    return "n/a" if value is None else format(value, spec)


def table_rows(args, summary):
    task = " texture" if args.task == "texture" else ""
    label = f"eqnca {args.model}{task} ({args.path})"
    e_grow, p_grow = summary["eqnca"]["growth"], summary["pytorch"]["growth"]
    e_train, p_train = summary["eqnca"]["train"], summary["pytorch"]["train"]
    grow_ratio = e_grow / p_grow if e_grow and p_grow else None
    speedup = p_train / e_train if e_train and p_train else None
    header = ["measure", label, f"pytorch growing{task}", "ratio"]
    rows = [
        ["growth, cell-updates/s (higher is better)", fmt(e_grow, ".4g"), fmt(p_grow, ".4g"),
         fmt(grow_ratio, ".2f") + ("x eqnca/pytorch" if grow_ratio else "")],
        ["training, s/iteration (lower is better)", fmt(e_train, ".4g"), fmt(p_train, ".4g"),
         fmt(speedup, ".2f") + ("x speed-up pytorch/eqnca" if speedup else "")],
    ]
    return header, rows


def print_plain(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths]] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


def print_markdown(args, header, rows, results, argv):
    invoked = shlex.join(["python3", os.path.relpath(os.path.abspath(__file__))] + argv)
    cmds = commands(args)
    date = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    torch_version = results["pytorch"][0].get("torch_version", "unknown")
    print()
    task = ", texture task" if args.task == "texture" else ""
    print(f"### {date}: eqnca {args.model} ({args.path} path) vs PyTorch growing{task}, {args.device}, "
          f"{args.threads} threads")
    print()
    print(f"- machine: `{platform.machine()}`, CPU: {cpu_model()}"
          + (f", GPU: {gpu_model()}" if args.device == "cuda" else ""))
    print(f"- threads: {args.threads}; batch {args.batch}, {args.size}x{args.size}, "
          f"{args.steps} steps; median of {args.repeats} repeats per run, "
          f"median of {args.rounds} interleaved rounds")
    eqnca_torch = results["eqnca"][0].get("torch_version", "unknown")
    print(f"- PyTorch {torch_version} (baseline); LibTorch {eqnca_torch} (eqnca)")
    print(f"- command: `{invoked}`")
    policy = lambda value: f"OMP_WAIT_POLICY={value}" if value else "OMP_WAIT_POLICY unset"
    print(f"  - eqnca ({policy(args.eqnca_omp_wait_policy)}): `{shlex.join(cmds['eqnca'])}`")
    print(f"  - pytorch ({policy(args.pytorch_omp_wait_policy)}): `{shlex.join(cmds['pytorch'])}`")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    cmds = commands(args)
    results = {"eqnca": [], "pytorch": []}
    for round_index in range(args.rounds):
        for name in ("eqnca", "pytorch"):
            print(f"round {round_index + 1}/{args.rounds}: {name} ...", file=sys.stderr,
                  flush=True)
            result = run_once(name, cmds[name], args)
            results[name].append(result)
            print(f"  growth {fmt(result.get('growth_cell_updates_per_s'), '.4g')} cell-updates/s,"
                  f" train {fmt(result.get('train_s_per_iteration'), '.4g')} s/iteration",
                  file=sys.stderr, flush=True)

    summary = {name: {"growth": median_of(rs, "growth_cell_updates_per_s"),
                      "train": median_of(rs, "train_s_per_iteration")}
               for name, rs in results.items()}
    header, rows = table_rows(args, summary)
    print(f"batch {args.batch}, {args.size}x{args.size}, {args.steps} steps, {args.device}, "
          f"{args.threads} threads; medians of {args.rounds} interleaved rounds")
    print_plain(header, rows)
    if args.markdown:
        print_markdown(args, header, rows, results, argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
