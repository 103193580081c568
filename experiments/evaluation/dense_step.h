// A model's update step as a plain dense network, the form a browser page (issue 16) runs:
// one 3x3 perception conv over all state channels, ReLU, one 1x1 layer, then the shared NCA
// mechanics (layers/nca_mechanics.h). Fixed stencils (Sobel, Laplacian) and the group models'
// Sobel lift and expanded equivariant filters are folded into the 3x3 conv exactly.
//
// conv is (hidden, C, 3, 3), a cross-correlation with row 0 at the top (torch::conv2d's layout).
#pragma once

#include <torch/types.h>

#include "layers/padding.h"
#include "models/nca_model.h"

namespace eqnca::experiments {

struct DenseNcaStep {
  torch::Tensor conv, b1, w2, b2;  // (hidden, C, 3, 3), (hidden), (C, hidden), (C); float32, CPU
  layers::Padding padding = layers::Padding::Zeros;
  double fire_rate = 0.5;
};

// growing, isotropic, c4, d4, c8, c16. Other models (steerable: angle-dependent perception;
// so2, o2: their Fourier nonlinearity is not folded yet) throw std::invalid_argument naming them.
DenseNcaStep dense_nca_step(models::NcaModelImpl& model);

// One step of the dense network on a (B, C, H, W) state with a (B, 1, H, W) update mask: the
// maths the page implements, here to check it against the model's own step.
torch::Tensor apply_dense_step(const DenseNcaStep& net, const torch::Tensor& state, const torch::Tensor& update_mask);

}  // namespace eqnca::experiments
