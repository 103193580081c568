#!/usr/bin/env python3
"""PyTorch baseline of the Distill 2020 "Growing Neural Cellular Automata" step, for benchmarks.

This is the model written the way a researcher would in idiomatic, eager PyTorch (an
nn.Module, a depthwise F.conv2d with groups=channels, 1x1 convolutions), so that eqnca's
LibTorch implementation can be timed against it on the same machine. It measures

  growth: torch.no_grad(), a batch of seeds grown for S steps; cell-updates/s = B*H*W*S / s
  train:  one pool-free training iteration (seed batch, S steps with autograd, MSE on RGBA
          against a random target, backward, per-parameter gradient g/(||g||+1e-8), Adam
          lr 2e-3); seconds per iteration

each as the median over --repeats timed runs after one warm-up (growth also after one backward
pass: see warm_up_autograd). The last layer's weights are
small random numbers instead of the paper's zeros, so that the update does real work.
Convention: NCHW; channels 0..3 are RGBA; Sobel-x = outer([1,2,1], [-1,0,1]) / 8 responds
to a value increasing along +x (columns), Sobel-y is its transpose.

    python3 bench/distill_pytorch.py --batch 8 --size 72 --steps 64 --threads 2 --json
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class GrowingNca(nn.Module):
    """Distill 2020 growing NCA: fixed identity+Sobel perception, 48->hidden->channels update."""

    def __init__(self, channels=16, hidden=128, fire_rate=0.5, alive_threshold=0.1):
        super().__init__()
        self.channels = channels
        self.fire_rate = fire_rate
        self.alive_threshold = alive_threshold

        identity = torch.zeros(3, 3)
        identity[1, 1] = 1.0
        sobel_x = torch.outer(torch.tensor([1.0, 2.0, 1.0]), torch.tensor([-1.0, 0.0, 1.0])) / 8.0
        sobel_y = sobel_x.t()
        # (3*channels, 1, 3, 3): channel c is seen through filters 3c, 3c+1, 3c+2.
        kernel = torch.stack([identity, sobel_x, sobel_y]).unsqueeze(1).repeat(channels, 1, 1, 1)
        self.register_buffer("perception_kernel", kernel)

        self.fc0 = nn.Conv2d(3 * channels, hidden, kernel_size=1)
        self.fc1 = nn.Conv2d(hidden, channels, kernel_size=1, bias=True)
        # The paper zero-initialises fc1; small random weights keep the benchmark honest.
        nn.init.normal_(self.fc1.weight, std=1e-3)
        nn.init.zeros_(self.fc1.bias)

    def perceive(self, x):
        return F.conv2d(x, self.perception_kernel, padding=1, groups=self.channels)

    def alive(self, x):
        return F.max_pool2d(x[:, 3:4], kernel_size=3, stride=1, padding=1) > self.alive_threshold

    def forward(self, x):
        pre_alive = self.alive(x)
        dx = self.fc1(F.relu(self.fc0(self.perceive(x))))
        fire = (torch.rand(x.shape[0], 1, x.shape[2], x.shape[3], device=x.device) < self.fire_rate)
        x = x + dx * fire.to(x.dtype)
        post_alive = self.alive(x)
        return x * (pre_alive & post_alive).to(x.dtype)


def make_seed(batch, size, channels, device):
    x = torch.zeros(batch, channels, size, size, device=device)
    x[:, 3:, size // 2, size // 2] = 1.0
    return x


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn, repeats, device):
    """Median wall time of fn over `repeats` runs after one warm-up run."""
    fn()
    synchronize(device)
    times = []
    for _ in range(repeats):
        synchronize(device)
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def warm_up_autograd(model, start):
    """One forward and backward pass whose gradients are then dropped.

    PyTorch 1.13 (Debian's) runs the no-grad rollouts of a model that has never been through
    backward several times slower (measured 2026-12-06, 2 threads: a 4x64x64 all-alive grid 48
    steps in 2.0 s before, 0.15 s after; seed-grown 8x72x72, 64 steps: 2.0e5 against 2.7e5
    cell-updates/s). A researcher grows a trained model, so growth is timed after this.
    """
    x = start
    for _ in range(2):
        x = model(x)
    x.sum().backward()
    model.zero_grad(set_to_none=True)


def time_growth(model, args, device, start):
    """Growth in cell-updates/s: `start(batch, size, channels, device)` stepped args.steps times
    without gradients, after one backward pass (see warm_up_autograd)."""
    warm_up_autograd(model, start(args.batch, args.size, model.channels, device))

    def grow():
        with torch.no_grad():
            x = start(args.batch, args.size, model.channels, device)
            for _ in range(args.steps):
                x = model(x)
        return x

    return args.batch * args.size * args.size * args.steps / timed(grow, args.repeats, device)


def time_training(model, args, device, start, loss_of):
    """Seconds per training iteration: args.steps steps from `start` with autograd,
    loss_of(final state), backward, per-parameter gradient g/(||g||+1e-8), Adam lr 2e-3."""
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

    def iteration():
        x = start(args.batch, args.size, model.channels, device)
        for _ in range(args.steps):
            x = model(x)
        loss = loss_of(x)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p.grad /= p.grad.norm() + 1e-8
        optimizer.step()
        return loss

    return timed(iteration, args.repeats, device)


def bench_growth(model, args, device):
    return time_growth(model, args, device, make_seed)


def bench_train(model, args, device):
    target = torch.rand(args.batch, 4, args.size, args.size, device=device)
    return time_training(model, args, device, make_seed, lambda x: F.mse_loss(x[:, :4], target))


def bench_parser(description, batch, size, steps):
    """The options every PyTorch benchmark program here takes, with its own default shape."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--batch", type=int, default=batch)
    parser.add_argument("--size", type=int, default=size, help="grid height = width")
    parser.add_argument("--steps", type=int, default=steps, help="NCA steps per rollout")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (median reported)")
    parser.add_argument("--mode", choices=["growth", "train", "both"], default="both")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    return parser


def checked_args(parser, argv, min_size=1, size_reason=""):
    args = parser.parse_args(argv)
    for name in ("batch", "steps", "threads", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be >= 1, got {getattr(args, name)}")
    if args.size < min_size:
        parser.error(f"--size must be >= {min_size}{size_reason}, got {args.size}")
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda requested but torch.cuda.is_available() is False")
    return args


def run_benchmark(args, make_model, growth_bench, train_bench, describe, task=None):
    """Times growth and/or training of make_model() and prints the result (JSON with --json):
    the keys bench/side_by_side.py reads, as `eqnca bench --json` writes them."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    model = make_model().to(device)

    growth = growth_bench(model, args, device) if args.mode in ("growth", "both") else None
    train = train_bench(model, args, device) if args.mode in ("train", "both") else None

    result = {
        "implementation": "pytorch",
        "model": "growing",
        "device": args.device,
        "threads": args.threads,
        "batch": args.batch,
        "size": args.size,
        "steps": args.steps,
        "growth_cell_updates_per_s": growth,
        "train_s_per_iteration": train,
        "torch_version": torch.__version__,
    }
    if task is not None:
        result["task"] = task
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"pytorch {torch.__version__} {describe(model)}, device {args.device}, "
          f"{args.threads} threads, batch {args.batch}, {args.size}x{args.size}, {args.steps} steps, "
          f"median of {args.repeats}")
    if growth is not None:
        print(f"  growth: {growth:.4g} cell-updates/s")
    if train is not None:
        print(f"  train:  {train:.4g} s/iteration")
    return 0


def main(argv=None):
    args = checked_args(bench_parser(__doc__.split("\n\n")[0], batch=8, size=72, steps=64), argv)
    return run_benchmark(args, GrowingNca, bench_growth, bench_train,
                         lambda m: f"growing NCA ({sum(p.numel() for p in m.parameters())} parameters)")


if __name__ == "__main__":
    sys.exit(main())
