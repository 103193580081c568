// What the group models share to build the fused step's spectral plan (kernels/spectral_mlp.h):
// the plan's block positions come from copies of the model's two equivariant layers with fixed,
// generic weights (sines of the parameter index, two frequencies), never from random draws, so
// that building a plan does not move the global generator and is the same every time.
#pragma once

#include <functional>
#include <vector>

#include <torch/types.h>

#include "kernels/sobel_mlp_step.h"
#include "layers/equivariant_conv.h"

namespace eqnca::models {

using LayerWeights = std::function<kernels::SobelMlpWeights(const layers::EquivariantConv& first,
                                                            const layers::EquivariantConv& second)>;

// Two draws of `weights_of` applied to copies of layers with these options, in `dtype`.
std::vector<kernels::SobelMlpWeights> representative_weights(layers::EquivariantConvOptions first,
                                                             layers::EquivariantConvOptions second,
                                                             torch::ScalarType dtype, const LayerWeights& weights_of);

// A conv's bias, or zeros (n) like `like` when it has none.
torch::Tensor bias_or_zeros(const layers::EquivariantConv& conv, int64_t n, const torch::Tensor& like);

}  // namespace eqnca::models
