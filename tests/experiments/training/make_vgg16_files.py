"""Small VGG16 files for Vgg16FeaturesTest and CmdTrainTest, written by the converter's core.

  python3 make_vgg16_files.py OUT_DIR

A fake torchvision-keyed state dict of numpy arrays (VGG16's layout with narrow widths 4, 8, 8,
8, 8, seeded He-normal weights, plus classifier keys the converter must ignore) goes through
scripts/vgg16_to_h5.py's layout_from_state_dict and write_h5 into OUT_DIR/small.h5. Then, from
the weights read back from that file, an independent float64 numpy forward pass of a random image
(2, 3, 20, 20) writes OUT_DIR/reference.h5: "image" and relu1_1 .. relu5_1. Last, broken copies
for the loader's errors: missing_dataset.h5 (no conv3_1/weight), wrong_shape.h5 (conv2_1/weight
with 5 input channels), wrong_format.h5 (format = "eqnca-vgg19"), non_finite.h5 (a NaN in
conv4_1/bias). Before all that, the converter's refusals of bad state dicts are checked (an
assertion fails the script). Needs numpy and h5py only.
"""
import importlib.util
import pathlib
import shutil
import sys

import h5py
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("vgg16_to_h5", HERE.parents[2] / "scripts" / "vgg16_to_h5.py")
converter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(converter)

WIDTHS = (4, 8, 8, 8, 8)
MEAN = np.array([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1)
STD = np.array([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1)


def fake_state_dict(rng):
    state, channels = {}, 3
    widths = [w for w, count in zip(WIDTHS, converter.BLOCKS) for _ in range(count)]
    for index, out in zip(converter.TORCHVISION_INDICES, widths):
        state[f"features.{index}.weight"] = rng.normal(0, np.sqrt(2 / (9 * channels)), (out, channels, 3, 3))
        state[f"features.{index}.bias"] = rng.normal(0, 0.1, out)
        channels = out
    state["classifier.0.weight"] = rng.normal(0, 1, (5, 7))  # not a convolution: ignored
    return state


def conv3x3(x, w, b):
    """Zero padding 1, cross-correlation as torch.nn.Conv2d: out[y, x] = sum w[dy, dx] in[y+dy-1, x+dx-1]."""
    n, _, h, wd = x.shape
    padded = np.zeros((n, x.shape[1], h + 2, wd + 2))
    padded[:, :, 1:-1, 1:-1] = x
    out = np.zeros((n, w.shape[0], h, wd))
    for dy in range(3):
        for dx in range(3):
            out += np.einsum("oi,bihw->bohw", w[:, :, dy, dx], padded[:, :, dy : dy + h, dx : dx + wd])
    return out + b.reshape(1, -1, 1, 1)


def max_pool2(x):
    n, c, h, w = x.shape
    x = x[:, :, : h // 2 * 2, : w // 2 * 2]
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def reference_features(path, image):
    with h5py.File(path, "r") as f:
        weights = {name: (f[name + "/weight"][()].astype(np.float64), f[name + "/bias"][()].astype(np.float64))
                   for name in converter.conv_names()}
    x = (image.astype(np.float64) - MEAN) / STD
    features = {}
    for block, count in enumerate(converter.BLOCKS, start=1):
        if block > 1:
            x = max_pool2(x)
        for i in range(1, (count if block < 5 else 1) + 1):
            x = np.maximum(conv3x3(x, *weights[f"conv{block}_{i}"]), 0.0)
            if i == 1:
                features[f"relu{block}_1"] = x
    return features


def broken_copy(out, name, edit):
    shutil.copyfile(out / "small.h5", out / name)
    with h5py.File(out / name, "r+") as f:
        edit(f)


def expect_refused(state, needle):
    try:
        converter.layout_from_state_dict(state)
    except ValueError as e:
        assert needle in str(e), f"'{needle}' not in: {e}"
        return
    raise AssertionError(f"the converter accepted a state dict it should refuse ({needle})")


def check_converter_refusals(rng):
    """The converter refuses what the loader would: a missing key, channels that do not chain."""
    state = fake_state_dict(rng)
    del state["features.12.bias"]
    expect_refused(state, "no 'features.12.bias' (conv3_2)")
    state = fake_state_dict(rng)
    state["features.5.weight"] = state["features.5.weight"][:, :3]
    expect_refused(state, "'features.5.weight' (conv2_1) has shape (8, 3, 3, 3), expected (out, 4, 3, 3)")


def main(out):
    out = pathlib.Path(out)
    rng = np.random.default_rng(14)
    check_converter_refusals(np.random.default_rng(15))
    converter.write_h5(out / "small.h5", converter.layout_from_state_dict(fake_state_dict(rng)))

    image = rng.uniform(0, 1, (2, 3, 20, 20)).astype(np.float32)
    with h5py.File(out / "reference.h5", "w") as f:
        f["image"] = image
        for name, values in reference_features(out / "small.h5", image).items():
            f[name] = values

    broken_copy(out, "missing_dataset.h5", lambda f: f.__delitem__("conv3_1/weight"))

    def wrong_shape(f):
        del f["conv2_1/weight"]
        f["conv2_1/weight"] = np.zeros((8, 5, 3, 3), np.float32)

    broken_copy(out, "wrong_shape.h5", wrong_shape)
    broken_copy(out, "wrong_format.h5", lambda f: f.attrs.__setitem__("format", "eqnca-vgg19"))

    def non_finite(f):
        f["conv4_1/bias"][2] = np.nan

    broken_copy(out, "non_finite.h5", non_finite)


if __name__ == "__main__":
    main(sys.argv[1])
