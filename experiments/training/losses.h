// Training losses on the NCA's RGBA channels (0..3), each per sample: (B, C, H, W) state and
// (1, 4, H, W) target -> (B). mse is the Distill loss; group_min and polar are rotation-
// invariant, so a model that grows the target in any orientation of its group is not penalised.
#pragma once

#include <functional>
#include <string>

#include <torch/types.h>

#include "groups/group.h"

namespace eqnca::experiments {

// Mean over RGBA and pixels of the squared difference.
torch::Tensor rgba_mse_loss(const torch::Tensor& state, const torch::Tensor& target);

// min over the elements g of a finite group of mse(state, g.target) (RGBA are invariant
// fields, so g only moves pixels; non-90-degree rotations resample bilinearly).
torch::Tensor group_min_loss(const torch::Tensor& state, const torch::Tensor& target, const groups::Group& group);

// Growing Isotropic NCA's loss: state and target RGBA resampled to polar coordinates about the
// grid centre (rings weighted by radius, so it approximates the planar MSE), the MSE for every
// circular shift of the angle from one FFT cross-correlation, minimised over shifts and, when
// `mirrored`, over the mirrored state too.
torch::Tensor polar_loss(const torch::Tensor& state, const torch::Tensor& target, bool mirrored);

// A per-sample loss against a fixed target with the target-side work done once.
using LossFunction = std::function<torch::Tensor(const torch::Tensor& state)>;
// name: mse | group_min (finite groups only) | polar (mirrored when the group has reflections).
// Throws std::invalid_argument with a one-line message otherwise.
LossFunction make_loss(const std::string& name, const torch::Tensor& target, const groups::Group& group);

}  // namespace eqnca::experiments
