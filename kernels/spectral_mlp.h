// The fused step's spectral path for group models (c4, d4, c8, c16). Their 1x1 layers are dense
// matrices only in the group basis; in an isotypic basis (groups/isotypic_basis.h) of the state
// and the hidden regular fields they are block-sparse, so the MLP costs 2-8x fewer multiply-adds.
// The kernel then works in these bases:
//   * the state x~ = S x per cell (S: identity on RGBA, an isotypic basis on each regular
//     field, coefficients ordered coefficient-major: channel 4 + o*fields + j). The alive mask,
//     the residual and the stochastic mask are the same in either basis, so a rollout converts
//     the state once at each end (kernels/rollout.cpp) and the dynamics are exactly conjugate;
//   * w1 maps the features of x~ to hidden coefficients h~ (row o*F + j for hidden field j of
//     F), b1 is in the group basis ordered element-major (row g*F + j); per hidden field,
//     h = relu(Q^T h~ + b1) (ReLU acts on the group basis, as in the model) and the second layer
//     reads Q h; w2 and b2 are in the state's basis x~.
// Only the blocks of w1 and w2 that the equivariance constraint allows to be non-zero are
// stored and multiplied; their positions come from representative weights (random equivariant
// layers), never from the current values (a zero-initialised layer is not structurally zero).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/types.h>

#include "kernels/sobel_mlp_step.h"

namespace eqnca::kernels {

// A matrix that is non-zero only on blocks: block b covers rows [row_begin, row_end) and the
// columns `cols` (ascending; contiguous when col_begin >= 0), stored row-major at `offset` of a
// packed buffer. Rows in no block are zero.
struct LinearBlock {
  int64_t row_begin = 0, row_end = 0;
  std::vector<int64_t> cols;
  int64_t col_begin = -1;
  int64_t offset = 0;
  int64_t rows() const { return row_end - row_begin; }
  int64_t width() const { return int64_t(cols.size()); }
};
struct BlockLayout {
  int64_t rows = 0, cols = 0;
  std::vector<LinearBlock> blocks;
  int64_t packed_size = 0;   // entries stored
  int64_t widest = 0;        // the most columns of one block
  // Blocks from a (rows, cols) bool pattern: runs of consecutive rows with the same non-zero
  // columns.
  static BlockLayout from_pattern(const torch::Tensor& pattern);
};

struct SpectralMlp {
  BlockLayout layer1;  // (hidden, K*C), columns planar: stencil k, channel c -> k*C + c
  BlockLayout layer2;  // (C, hidden)
  torch::Tensor hidden_basis;  // (|G|, |G|) float64 CPU: Q, coefficients = Q * group values
  int64_t hidden_fields = 0;
  torch::Tensor state_basis;   // (C, C) float64: S, x~ = S x
  torch::Tensor hidden_order;  // (hidden) int64: the model's hidden channel of row g*F + j
  torch::Tensor hidden_transform;  // (hidden, hidden) float64: h~ = T h_model
};

// The kernel's weights (with `plan` attached) from the model's dense ones: w1 (hidden, K*C)
// over the public state, hidden channels in the model's order. Differentiable; on w1's device
// and dtype.
SobelMlpWeights spectral_weights(const SobelMlpWeights& dense, const std::shared_ptr<const SpectralMlp>& plan);

// Builds the plan. hidden_order[g*F + j] = the model's hidden channel of element g of hidden
// field j; `representatives`: dense weights of random equivariant layers of the same shape
// (two or more draws, so that no structural non-zero vanishes by chance).
std::shared_ptr<const SpectralMlp> make_spectral_mlp(const std::vector<SobelMlpWeights>& representatives,
                                                     const std::vector<int64_t>& hidden_order,
                                                     const torch::Tensor& hidden_basis,
                                                     const torch::Tensor& state_basis);

// The hidden layer of the spectral path in torch ops (the reference and non-CPU path): from
// h~ (..., hidden) to relu(Q^T h~ + b1) (group basis) and back to coefficients Q h.
torch::Tensor spectral_hidden(const torch::Tensor& h_coefficients, const torch::Tensor& b1, const SpectralMlp& plan);

}  // namespace eqnca::kernels
