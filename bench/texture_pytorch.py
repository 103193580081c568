#!/usr/bin/env python3
"""PyTorch texture NCA, the equivalent of `eqnca bench --task texture`, for benchmarks.

The texture task written the way a researcher would in idiomatic, eager PyTorch: the Distill
growing NCA of bench/distill_pytorch.py on a torus (circular padding in the perception and the
alive mask), every cell starting as the seed cell, and the loss eqnca's texture task uses
(experiments/training/texture_task.h): the Gram loss over a fixed random feature network (3x3
convolutions 3->32->64->64->64 with circular padding and ReLU, 2x2 average pooling before every
layer but the first, the centred input as layer 0) against a random RGB texture of the grid's
size, plus the overflow and opacity losses. It measures

  growth: torch.no_grad(), a batch of all-seed grids stepped S times; cell-updates/s = B*H*W*S / s
  train:  one training iteration (that batch, S steps with autograd, the loss, backward,
          per-parameter gradient g/(||g||+1e-8), Adam lr 2e-3); seconds per iteration

each as the median over --repeats timed runs after one warm-up (growth also after one backward
pass: see distill_pytorch.warm_up_autograd).

    python3 bench/texture_pytorch.py --batch 4 --size 64 --steps 48 --threads 2 --json
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from distill_pytorch import (  # noqa: E402
    GrowingNca, bench_parser, checked_args, run_benchmark, time_growth, time_training)


class TorusGrowingNca(GrowingNca):
    """The growing NCA with circular padding: a texture has no border."""

    def perceive(self, x):
        return F.conv2d(F.pad(x, (1, 1, 1, 1), mode="circular"), self.perception_kernel, groups=self.channels)

    def alive(self, x):
        alpha = F.pad(x[:, 3:4], (1, 1, 1, 1), mode="circular")
        return F.max_pool2d(alpha, kernel_size=3, stride=1) > self.alive_threshold


class RandomFeatures(torch.nn.Module):
    """Fixed He-normal 3x3 conv stack on a torus; returns the centred input and every layer."""

    def __init__(self, widths=(3, 32, 64, 64, 64)):
        super().__init__()
        self.weights = [torch.randn(o, i, 3, 3) * (2.0 / (9.0 * i)) ** 0.5 for i, o in zip(widths, widths[1:])]

    def forward(self, images):
        x = images - 0.5
        out = [x]
        for layer, w in enumerate(self.weights):
            if layer > 0:
                x = F.avg_pool2d(x, 2)
            x = F.relu(F.conv2d(F.pad(x, (1, 1, 1, 1), mode="circular"), w))
            out.append(x)
        return out


def gram(f):
    flat = f.flatten(2)
    return flat @ flat.transpose(1, 2) / flat.shape[2]


def texture_loss(state, features, target_grams):
    grams = [gram(f) for f in features(state[:, :3])]
    loss = sum(((g - t) ** 2).mean((1, 2)) for g, t in zip(grams, target_grams))
    rgb, rest = state[:, :3], state[:, 3:]
    overflow = ((rgb - rgb.clamp(0, 1)) ** 2).sum((1, 2, 3)) + ((rest - rest.clamp(-1, 1)) ** 2).sum((1, 2, 3))
    opacity = ((state[:, 3] - 1.0) ** 2).mean((1, 2))
    return (loss + overflow / state[0].numel() + opacity).mean()


def texture_start(batch, size, channels, device):
    x = torch.zeros(batch, channels, size, size, device=device)
    x[:, 3:] = 1.0  # the seed cell (alpha and hidden channels 1) everywhere
    return x


def bench_growth(model, args, device):
    return time_growth(model, args, device, texture_start)


def bench_train(model, args, device):
    features = RandomFeatures()
    features.weights = [w.to(device) for w in features.weights]
    with torch.no_grad():
        target_grams = [gram(f) for f in features(torch.rand(1, 3, args.size, args.size, device=device))]
    return time_training(model, args, device, texture_start, lambda x: texture_loss(x, features, target_grams))


def main(argv=None):
    parser = bench_parser(__doc__.split("\n\n")[0], batch=4, size=64, steps=48)
    args = checked_args(parser, argv, min_size=8, size_reason=" (the feature network pools three times)")
    return run_benchmark(args, TorusGrowingNca, bench_growth, bench_train,
                         lambda m: "texture NCA (growing, circular)", task="texture")


if __name__ == "__main__":
    sys.exit(main())
