#!/usr/bin/env python3
"""Write VGG16's convolution weights as the HDF5 file `eqnca train --texture-features vgg16` reads.

eqnca never downloads weights: run this where you have them, then pass the file with
--vgg16-weights. By default it takes torchvision's vgg16 with its ImageNet weights (from the
torch hub cache; torchvision fetches them only if they are missing and the network allows);
--state-dict FILE.pth takes a saved state dict of torchvision's vgg16 instead.

  python3 scripts/vgg16_to_h5.py --out vgg16.h5 [--state-dict FILE.pth]

The layout (experiments/training/vgg16_features.h): root attributes format = "eqnca-vgg16" and
version = 1; for each of the 13 convolutions conv{b}_{i} (blocks of 2, 2, 3, 3, 3) the datasets
conv{b}_{i}/weight (out, in, 3, 3) and conv{b}_{i}/bias (out), float32. torchvision's keys
features.{0,2,5,7,10,12,14,17,19,21,24,26,28}.{weight,bias} map to them in that order.

The mapping and the writing need only numpy and h5py (Debian: python3-numpy python3-h5py); torch
and torchvision are imported only to load weights, so the core is tested without them.
"""
import argparse
import os
import sys

import numpy as np

FORMAT = "eqnca-vgg16"
VERSION = 1
BLOCKS = (2, 2, 3, 3, 3)
# Indices of the convolutions in torchvision's vgg16().features (ReLUs and pools in between).
TORCHVISION_INDICES = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)


def conv_names():
    """conv1_1, conv1_2, conv2_1, ..., conv5_3: VGG16's convolutions in forward order."""
    return [f"conv{b}_{i}" for b, count in enumerate(BLOCKS, start=1) for i in range(1, count + 1)]


def layout_from_state_dict(state_dict):
    """Map a torchvision-keyed dict of arrays to {"conv1_1/weight": float32 array, ...}.

    Keys other than the 26 convolution parameters (e.g. the classifier's) are ignored. Raises
    ValueError, naming the key, for a missing parameter, a wrong shape or channels that do not
    chain (3 into conv1_1, each convolution's outputs into the next one's inputs).
    """
    layout = {}
    channels = 3
    for name, index in zip(conv_names(), TORCHVISION_INDICES):
        key = f"features.{index}"
        for part in ("weight", "bias"):
            if f"{key}.{part}" not in state_dict:
                raise ValueError(f"state dict has no '{key}.{part}' ({name}); is it torchvision's vgg16?")
        weight = np.asarray(state_dict[f"{key}.weight"], dtype=np.float32)
        bias = np.asarray(state_dict[f"{key}.bias"], dtype=np.float32)
        if weight.ndim != 4 or weight.shape[1:] != (channels, 3, 3):
            raise ValueError(f"'{key}.weight' ({name}) has shape {weight.shape}, expected (out, {channels}, 3, 3)")
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"'{key}.bias' ({name}) has shape {bias.shape}, expected ({weight.shape[0]},)")
        if not (np.isfinite(weight).all() and np.isfinite(bias).all()):
            raise ValueError(f"'{key}' ({name}) holds non-finite values")
        layout[f"{name}/weight"] = weight
        layout[f"{name}/bias"] = bias
        channels = weight.shape[0]
    return layout


def write_h5(path, layout):
    """Write the layout to `path` through a temporary file renamed into place (never half a file)."""
    import h5py

    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs["format"] = FORMAT
            f.attrs["version"] = np.int64(VERSION)
            for name, values in layout.items():
                f.create_dataset(name, data=np.ascontiguousarray(values, dtype=np.float32))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load_state_dict(state_dict_path=None):
    """torchvision vgg16's parameters as numpy arrays: from `state_dict_path`, or its ImageNet weights."""
    import torch  # only here: the core above runs without torch

    if state_dict_path is not None:
        state_dict = torch.load(state_dict_path, map_location="cpu")
        if isinstance(state_dict, dict) and "state_dict" in state_dict:
            state_dict = state_dict["state_dict"]
    else:
        import torchvision

        try:
            model = torchvision.models.vgg16(weights=torchvision.models.VGG16_Weights.IMAGENET1K_V1)
        except AttributeError:  # torchvision before 0.13
            model = torchvision.models.vgg16(pretrained=True)
        state_dict = model.state_dict()
    return {key: value.detach().cpu().numpy() for key, value in state_dict.items() if key.startswith("features.")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="the HDF5 file to write (e.g. vgg16.h5)")
    parser.add_argument("--state-dict", help="a saved state dict of torchvision's vgg16 (default: its ImageNet weights)")
    args = parser.parse_args(argv)
    try:
        layout = layout_from_state_dict(load_state_dict(args.state_dict))
        write_h5(args.out, layout)
    except (ValueError, OSError, ImportError) as e:
        print(f"vgg16_to_h5: error: {e}", file=sys.stderr)
        return 1
    widths = [layout[f"{name}/weight"].shape[0] for name in conv_names()]
    print(f"wrote {args.out}: 13 convolutions, widths {widths}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
