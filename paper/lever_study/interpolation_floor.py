"""How much of an off-grid equivariance error the bilinear resampling alone accounts for.

`eqnca equivariance` compares the state grown from a seed turned by an off-grid angle with the
upright run's state turned by bilinear resampling (layers/grid_action.cpp). Even a pattern that
turned perfectly would differ from that reference: resampling blurs and moves its edges. This
script measures that floor on the target itself: the lizard turned at its source resolution
(120 px, supersampled 4x) and then box-filtered to the training size (40 px on a 72-cell grid),
against the 40 px lizard turned bilinearly on the grid, relative to the target's norm (the
equivariance check's rel_error on RGBA).
Usage: python3 interpolation_floor.py [PNG] [ANGLE ...]   (defaults: data/lizard.png 45 22.5 30)
Needs numpy and PIL (python3-numpy, python3-pil)."""
import os
import sys

import numpy as np
from PIL import Image

GRID, TARGET, SUPER = 72, 40, 4  # the full recipe: 40 px on 72x72 cells


def rotate_bilinear(img, degrees):
    """Turns (H, W, C) counter-clockwise as displayed about the centre: out(x) = img(R^-1 x),
    bilinear, zeros outside, pixel centres at the ends (grid_sample with align_corners)."""
    h, w = img.shape[:2]
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    rows, cols = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64), indexing='ij')
    u, v = 2 * cols / (w - 1) - 1, 2 * rows / (h - 1) - 1  # column right, row down
    x = ((c * u - s * v) + 1) * (w - 1) / 2  # input column
    y = ((s * u + c * v) + 1) * (h - 1) / 2  # input row
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    fx, fy = (x - x0)[..., None], (y - y0)[..., None]
    out = np.zeros_like(img)
    for dy, dx, wgt in ((0, 0, (1 - fy) * (1 - fx)), (0, 1, (1 - fy) * fx), (1, 0, fy * (1 - fx)), (1, 1, fy * fx)):
        yy, xx = y0 + dy, x0 + dx
        inside = ((yy >= 0) & (yy < h) & (xx >= 0) & (xx < w))[..., None]
        out += wgt * inside * img[np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)]
    return out


def box_down(img, k):
    h, w, c = img.shape
    return img.reshape(h // k, k, w // k, k, c).mean(axis=(1, 3))


def main():
    args = sys.argv[1:]
    png = args.pop(0) if args and args[0].endswith('.png') else os.path.join(
        os.path.dirname(__file__), '..', '..', 'data', 'lizard.png')
    angles = [float(a) for a in args] or [45.0, 22.5, 30.0]
    try:
        src = np.asarray(Image.open(png).convert('RGBA'), dtype=np.float64) / 255.0
    except (OSError, ValueError) as e:
        sys.exit(f'interpolation_floor.py: cannot read {png}: {e}')
    src[..., :3] *= src[..., 3:4]  # premultiplied, as eqnca's targets are
    scale = max(src.shape[:2]) // TARGET  # 120 px -> 40: 3
    if scale < 1 or max(src.shape[:2]) % TARGET:
        sys.exit(f'interpolation_floor.py: {png} is {src.shape[1]}x{src.shape[0]}; its longest side must be a '
                 f'multiple of {TARGET}')
    fine = np.zeros((GRID * scale, GRID * scale, 4))
    top, left = (GRID * scale - src.shape[0]) // 2, (GRID * scale - src.shape[1]) // 2
    fine[top:top + src.shape[0], left:left + src.shape[1]] = src
    fine = fine.repeat(SUPER, 0).repeat(SUPER, 1)
    upright = box_down(fine, scale * SUPER)
    norm = np.linalg.norm(upright)
    print(f'{os.path.basename(png)}, {TARGET} px on {GRID}x{GRID}: ||bilinear turn of the target - target turned '
          f'before rasterising|| / ||target||')
    for a in angles:
        truth = box_down(rotate_bilinear(fine, a), scale * SUPER)
        floor = np.linalg.norm(rotate_bilinear(upright, a) - truth) / norm
        print(f'{a:g}°: {floor:.3f}')


if __name__ == '__main__':
    main()
