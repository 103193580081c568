// The mechanics every NCA shares, apart from its update rule: the alive mask
// (3x3 max-pool of alpha > 0.1, taken before and after the update), the stochastic update
// mask (each cell fires with probability `fire_rate`), and the residual masked update.
// All are equivariant to the grid action: max-pool and thresholds act per cell on an
// invariant channel (alpha), and the random mask is passed in, so it can be transformed too.
#pragma once

#include <string>

#include <torch/types.h>

#include "layers/padding.h"

namespace eqnca::layers {

// (batch, 1, H, W) boolean: some cell of the 3x3 neighbourhood has alpha > threshold.
// A cell is alive when some alpha in its 3x3 neighbourhood exceeds this.
inline constexpr double kAliveThreshold = 0.1;

torch::Tensor alive_mask(const torch::Tensor& state, Padding padding, int alpha_channel = 3,
                         double threshold = kAliveThreshold);
// (batch, 1, H, W) float mask, 1 where a cell fires this step.
torch::Tensor stochastic_update_mask(int64_t batch, int64_t height, int64_t width, double fire_rate,
                                     const torch::TensorOptions& options);
// state + delta * update_mask, then zero every cell not alive both before and after.
torch::Tensor nca_update(const torch::Tensor& state, const torch::Tensor& delta, const torch::Tensor& update_mask,
                         Padding padding);

}  // namespace eqnca::layers
