// Turning NCA states into pictures: the RGBA channels (0..3, RGB premultiplied by alpha) of one
// batch entry as an RgbaImage for write_png / write_gif / montage, and a nearest-neighbour
// upscale so 30-70 px grids stay visible in figures.
#pragma once

#include <cstdint>

#include <torch/types.h>

#include "experiments/io/image_io.h"

namespace eqnca::experiments {

// state: (B, C >= 4, H, W) on any device; values are clamped to [0, 1].
RgbaImage state_to_image(const torch::Tensor& state, int64_t index = 0);

// Each pixel becomes a factor x factor block (factor >= 1).
RgbaImage upscale(const RgbaImage& image, int factor);

// Zeroes every channel of the cells within `radius` cells of (cx, cy) (column, row), in place
// on a copy: the regeneration experiment's circular damage.
torch::Tensor damage_circle(const torch::Tensor& state, double cx, double cy, double radius);

}  // namespace eqnca::experiments
