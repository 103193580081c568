// The fused step's spectral path, for the group models (c4, d4, c8, c16, so2, o2): the MLP
//   c = W1 f (hidden coefficients), per hidden field v = relu(A c + b1), d = W2 (B v),
// where A (N x D) turns a field's D coefficients into N values on which ReLU acts, and B (D x N)
// turns them back. For C_N / D_N the coefficients are those of an isotypic basis Q of the regular
// field (groups/isotypic_basis.h; A = Q^T, B = Q, values = the group basis the model's ReLU acts
// on), and the 1x1 layers are block-sparse there, with the features in a matching basis
// (models/feature_basis.h): each block is Schur's minimum (d4's first layer 7,872 of 41,472
// multiply-adds per cell). For SO(2) / O(2) the coefficients are the band-limited field's own and
// A, B are the Fourier nonlinearity's sampling and projection (layers/fourier_pointwise.h); the
// first layer is the 3x3 perception conv on the Taps stencils, split into rings and irreps of the
// grid's exact C4 / D4 (so2: 26,640 of 81,648).
// The CPU kernel keeps the features feature-major per tile (one row of cells per feature), so T
// is a few vector multiply-adds per feature and a block's columns are one contiguous chunk.
// The kernel works in these bases:
//   * the state x~ = S x per cell (C_N / D_N: S is the identity on RGBA and the isotypic basis on
//     each regular field, coefficients ordered coefficient-major: channel 4 + o*fields + j;
//     SO(2) / O(2): no change). The alive mask, the residual and the stochastic mask are the same
//     in either basis, so a rollout converts the state once at each end (kernels/rollout.cpp) and
//     the dynamics are exactly conjugate;
//   * the features f~ = T f per cell, T an orthogonal "feature basis" on the public features
//     f = [x~_c, stencils of x~_c] (index c*K + k). C_N / D_N: T splits every copy's stencil
//     features into irreps in standard form, ordered irrep by irrep, so that each block of w1
//     reads one contiguous run of f~ (no gathers) and D_N's blocks are W (x) I_2 (half the
//     multiply-adds). Without one, T is the planar permutation (k*C + c), as before;
//   * hidden coefficients are coefficient-major (row o*F + j for hidden field j of F), values and
//     b1 value-major (n*F + j); w1, w2 and b2 are in those bases and in the state's x~.
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
struct ColumnRun {
  int64_t from, to, length;  // columns [from, from + length) go to [to, to + length) of the block
};
struct LinearBlock {
  int64_t row_begin = 0, row_end = 0;
  std::vector<int64_t> cols;
  std::vector<ColumnRun> runs;  // `cols` as maximal runs of consecutive columns: what a gather copies
  int64_t col_begin = -1;
  int64_t offset = 0;
  int64_t rows() const { return row_end - row_begin; }
  int64_t width() const { return int64_t(cols.size()); }
};
struct BlockLayout {
  int64_t rows = 0, cols = 0;
  std::vector<LinearBlock> blocks;
  int64_t packed_size = 0;  // entries stored
  int64_t widest = 0;       // the most columns of one block
  bool covers_all_rows = false;
  // Blocks from a (rows, cols) bool pattern: runs of consecutive rows with the same non-zero
  // columns.
  static BlockLayout from_pattern(const torch::Tensor& pattern);
};

// A fixed orthogonal map of the features per cell, as small dense blocks: out[out[i]] =
// sum_j m[i * in.size() + j] * in[in[j]], the inputs at planar positions (k*C + c, the order the
// kernel perceives in), the outputs in the feature basis' order. The blocks partition both sides.
struct FeatureBlock {
  std::vector<int64_t> in, out;
  std::vector<float> m;  // (out.size(), in.size()), row-major
};

struct SpectralMlp {
  BlockLayout layer1;                        // (D*F, K*C), columns in the feature basis' order
  torch::Tensor feature_basis;               // T (K*C, K*C) float64: rows in the kernel's order, columns public
  std::vector<FeatureBlock> feature_blocks;  // T on planar positions, for the CPU kernel
  BlockLayout layer2;                        // (C, D*F)
  torch::Tensor to_values;                   // A (N, D) float64 CPU
  torch::Tensor to_coefficients;             // B (D, N) float64 CPU
  int64_t hidden_fields = 0;                 // F
  torch::Tensor state_basis;                 // S (C, C) float64, or undefined: x~ = x
  torch::Tensor hidden_transform;            // H (D*F, model hidden) float64, orthogonal: coefficients = H h
  // float32 copies of A, B, A^T, B^T for the CPU kernel, made once with the plan.
  torch::Tensor to_values32, to_coefficients32, to_values32_t, to_coefficients32_t;
  int64_t coefficients() const { return to_values.size(1) * hidden_fields; }
  int64_t values() const { return to_values.size(0) * hidden_fields; }
};

// Builds the plan. `representatives`: the model's layers in its own layout (w1 (hidden, K*C) over
// its state, hidden channels in its order, b1 on them) with generic equivariant weights, two or
// more draws so that no structural non-zero vanishes by chance. `feature_basis`: T above, or
// undefined for the planar permutation.
std::shared_ptr<const SpectralMlp> make_spectral_mlp(const std::vector<SobelMlpWeights>& representatives,
                                                     const torch::Tensor& hidden_transform,
                                                     const torch::Tensor& to_values,
                                                     const torch::Tensor& to_coefficients,
                                                     const torch::Tensor& state_basis,
                                                     const torch::Tensor& feature_basis = torch::Tensor());

// The kernel's weights (with `plan` attached) from the model's, in the layout of
// make_spectral_mlp's representatives: w1 = H W1 (S^T x I_K) T^T, b1 = (A x I_F) H b1,
// w2 = S W2 H^T, b2 = S b2 (H the hidden transform, T the feature basis). Differentiable; on
// w1's device and dtype.
SobelMlpWeights spectral_weights(const SobelMlpWeights& model, const std::shared_ptr<const SpectralMlp>& plan);

// The state into the kernel's basis and back: (..., C) -> (..., C); unchanged without S.
torch::Tensor to_kernel_basis(const torch::Tensor& state, const SpectralMlp* plan);
torch::Tensor from_kernel_basis(const torch::Tensor& state, const SpectralMlp* plan);

// Public features (..., K*C) into the feature basis: f T^T.
torch::Tensor to_feature_basis(const torch::Tensor& features, const SpectralMlp& plan);

// The hidden layer of the spectral path in torch ops (the reference and non-CPU path): from
// coefficients c (..., D*F) to B relu(A c + b1), (..., D*F).
torch::Tensor spectral_hidden(const torch::Tensor& coefficients, const torch::Tensor& b1, const SpectralMlp& plan);

}  // namespace eqnca::kernels
