// The texture task (`eqnca train --task texture`): instead of one image grown from the seed, the
// grid is to settle into the target's texture everywhere, whatever the positions of its features
// (the self-organising texture NCA of the seeds). The loss compares texture statistics of the
// state's RGB (channels 0..2) with the target's through a fixed seeded random feature network
// (experiments/training/texture_losses.h), plus an overflow term that keeps states in range.
// Images are RGB in [0, 1], premultiplied as everywhere in eqnca (opaque textures are unaffected).
#pragma once

#include <string>

#include <torch/types.h>

#include "experiments/training/losses.h"
#include "experiments/training/texture_losses.h"

namespace eqnca::experiments {

// The texture image (1, 3, h, w): the PNG shrunk so its longest side is at most `target_size`
// (0 = as is). Throws std::runtime_error naming the file when it is missing, not a PNG, corrupt,
// smaller than 8 pixels on a side (the feature network pools it three times), or blank (every
// pixel the same colour: there is no texture to learn).
torch::Tensor load_texture_target(const std::string& path, int target_size);

// The texture task's starting state (1, C, H, W): the model's seed cell (the one with the highest
// alpha of `seed`) in every cell. Alive everywhere, the texture forms all over the grid at once,
// where from one cell the alive mask confines it to a slowly growing front; the stochastic update
// mask breaks the uniform state's symmetry.
torch::Tensor texture_seed(const torch::Tensor& seed);

// Per-sample overflow loss (B): mean squared excess of RGB beyond [0, 1] and of the other
// channels beyond [-1, 1]; zero for every state in range.
torch::Tensor overflow_loss(const torch::Tensor& state);

// The feature network a run's config names (--texture-features): "random" (the fixed seeded
// RandomTextureFeatures, nothing to load) or "vgg16" (Vgg16Features read from `vgg16_weights`,
// which then throws std::runtime_error for a missing or malformed file). Other names, or vgg16
// without a file, throw std::invalid_argument.
TextureFeatures make_texture_features(const std::string& name, const std::string& vgg16_weights = "");

// Per-sample opacity loss (B): mean squared distance of alpha (channel 3) from 1. A texture is
// opaque everywhere; without this term nothing holds alpha up, and once it falls below the alive
// threshold in every cell the whole grid dies for good (measured: C4 on stripes, 24x24, died
// within 60 iterations and stayed at loss 0.091 for the rest of a 600-iteration run).
torch::Tensor opacity_loss(const torch::Tensor& state);

// The texture task's per-sample loss of a state (B, C, H, W): texture_loss(state RGB) +
// overflow_loss(state) + opacity_loss(state). name: gram | sliced_wasserstein (experiments/training/texture_losses.h),
// over `features`; the two-argument form uses the random features.
LossFunction make_texture_task_loss(const std::string& name, const torch::Tensor& texture);
LossFunction make_texture_task_loss(const std::string& name, const torch::Tensor& texture, TextureFeatures features);

}  // namespace eqnca::experiments
