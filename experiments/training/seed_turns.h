// Turned seeds for training (--seed-turns group): each seed the sample pool plants starts turned
// by a random rotation of the model's group, and the state grown from it is scored against the
// target turned by the same rotation. A group model is exactly equivariant only where the grid is
// (quarter turns); at its other rotations (C8's 45 degrees, any angle of SO(2)) the 3x3 grid makes
// a rule grown upright only approximately equivariant, and training there teaches it to grow the
// turned pattern too. Angles are radians, counter-clockwise, drawn from LibTorch's default CPU
// generator (so a checkpointed generator resumes exactly): uniform over the N rotations of C_N
// and D_N (mirrors are not drawn), uniform in [0, 2 pi) for SO(2) and O(2).
#pragma once

#include <cstdint>

#include <torch/types.h>

#include "models/nca_model.h"

namespace eqnca::experiments {

class SeedTurns {
 public:
  // `target` (1, 4, H, W) on the training device. Throws std::invalid_argument (one line) when
  // the model's state cannot carry an orientation: no rotation but the identity, or a state of
  // invariant fields only (a turned seed would be the same seed).
  SeedTurns(const models::NcaModelImpl& model, torch::Tensor target);

  // n angles, (n) float64 on the CPU.
  torch::Tensor draw(int64_t n) const;
  // The model's seed turned by each angle: (n, C, H, W) on the target's device.
  torch::Tensor seeds(const torch::Tensor& angles) const;
  // The target turned by each angle (layers::rotate_grid: exact at quarter turns, bilinear
  // otherwise): (n, 4, H, W).
  torch::Tensor targets(const torch::Tensor& angles) const;

 private:
  groups::GroupElement turn(double angle) const;

  const models::NcaModelImpl& model_;
  groups::Group group_;
  torch::Tensor target_;
};

}  // namespace eqnca::experiments
