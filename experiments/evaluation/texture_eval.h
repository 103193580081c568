// The texture task's side of `eqnca equivariance`: the start states a texture model is grown
// from and the texture target turned by a group element, against which the g-run's texture is
// scored. Conventions are the grid action's (layers/grid_action.h): counter-clockwise rotations
// about the grid centre, mirror first. A texture is periodic (it trains on circular padding), so
// turning it by an angle off the pixel grid resamples its periodic tiling and leaves no empty
// corners.
#pragma once

#include <cstdint>
#include <string>

#include <torch/types.h>

#include "groups/group.h"
#include "models/nca_model.h"

namespace eqnca::experiments {

// The texture turned by g, (1, 3, h', w'): for exact elements (multiples of 90 degrees, mirrors)
// the index permutation of rotate_grid (h' and w' swap at odd quarter turns); otherwise the
// centre h x w of the 3x3 tiling turned bilinearly about its centre (an h x w window turned by
// any angle stays inside the tiling when the texture is square). Throws std::invalid_argument
// for a texture that is not (1, 3, h, w), or not square at an angle off the grid.
torch::Tensor turn_texture(const torch::Tensor& texture, const groups::GroupElement& g);

// A seeded random state (1, C, H, W) for checks that should not depend on the seed: RGBA
// (channels 0..3) uniform in [0, 1), the hidden channels uniform in [-1, 1) (the overflow
// loss's ranges, so the state is one a trained texture model could meet). Drawn from torch's
// CPU generator seeded with `seed` (which it leaves in that state).
torch::Tensor noise_start(int64_t channels, int64_t height, int64_t width, std::uint64_t seed);

// The start of a texture model's evaluation: "seed" is texture_seed (the model's seed cell in
// every cell, the training start), "noise" is noise_start. Throws std::invalid_argument naming
// --start for other kinds.
torch::Tensor texture_start(const models::NcaModelImpl& model, const std::string& kind, int64_t height, int64_t width,
                            std::uint64_t seed);

}  // namespace eqnca::experiments
