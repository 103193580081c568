// The fused NCA step of every model whose perception is "identity + fixed 3x3 stencils per
// channel, then a linear map": the Sobel pair (growing; the finite group models c4, d4, c8, c16,
// whose Sobel lift is a fixed map folded into the first layer), the Laplacian (isotropic), or the
// nine taps (so2, o2: a learned 3x3 conv).
// Per cell, with features f = [x_c, dx_c, dy_c] (index c*3 + k, NcaPerception's layout for
// {Identity, SobelX, SobelY}, y up) or f = [x_c, lap_c] (index c*2 + k),
//   d = W2 relu(W1 f + b1) + b2,   y = (x + d * mask) * (alive(x) & alive(x + d * mask)),
// alive = 3x3 max of alpha (channel 3) > 0.1, exactly layers::nca_update.
//
// Tensors are channels-last, (B, H, W, C) contiguous: the 1x1 layers are then GEMMs over cells
// with no transposes. On CPU float32 the step is one hand-written kernel (kernels/sobel_mlp_cpu.h)
// with its own backward; elsewhere (CUDA, float64) it is the same maths in torch ops.
#pragma once

#include <memory>

#include <torch/types.h>

#include "layers/padding.h"

namespace eqnca::kernels {

// The stencils after the identity: {SobelX, SobelY} (K = 3 features per channel), {Laplacian}
// (K = 2), the eight neighbours one by one (Taps, K = 9: feature k >= 1 is the neighbour at
// row-major position [0, 1, 2, 3, 5, 6, 7, 8][k - 1] of the 3x3 window, so w1 is any 3x3 conv),
// or Steered (the steerable NCA, K = 4): {Laplacian, SobelX, SobelY} with the Sobel pair turned
// into each cell's own frame, (dx, dy) -> R(-theta) (dx, dy), theta the cell's last channel. The
// angle channel is not perceived: Steered features cover the first C - 1 channels.
enum class Stencils { Sobel, Laplacian, Taps, Steered };

struct SpectralMlp;  // kernels/spectral_mlp.h

// w1 (hidden, K*P), b1 (hidden), w2 (C, hidden), b2 (C), P = perceived_channels(stencils, C): float32, on the state's
// device. May carry autograd history (e.g. expanded from equivariant coefficients); gradients flow to it. With
// `spectral` set (the group models), the state and the weights are in the bases of kernels/spectral_mlp.h and the
// hidden layer is B relu(A c + b1) per hidden field: only the blocks the plan lists are multiplied, and gradients
// outside them are zero.
struct SobelMlpWeights {
  torch::Tensor w1, b1, w2, b2;
  Stencils stencils = Stencils::Sobel;
  std::shared_ptr<const SpectralMlp> spectral;
};

// K: the features per channel, identity included.
int64_t features_per_channel(Stencils stencils);
// The channels perceived out of a state's `channels`: all but the angle for Steered, else all.
int64_t perceived_channels(Stencils stencils, int64_t channels);
// The stencils of the feature layout, identity first: (features_per_channel, 3, 3), float32, a
// cross-correlation with row 0 at the top (for Steered, before the turn into the cell's frame).
// Shared by the reference step and the dense export.
torch::Tensor stencil_kernels(Stencils stencils);

// Multiply-adds per cell update of the step's forward pass as the CPU kernel does them: the
// stencils' non-zero taps (and the steered pair's turn), then on the dense path w1 and w2 whole,
// on the spectral path the feature basis' blocks, the blocks of the two layers and the per-field
// maps A and B. A model's arithmetic, to set beside its time (eqnca bench); the backward of a
// training step does about twice as many again.
int64_t multiply_adds_per_cell(const SobelMlpWeights& weights, int64_t channels);

// One step. state (B, H, W, C); mask (B, H, W) or (B, H, W, 1), 1 where a cell fires (any float
// is allowed: the update is scaled by it). Differentiable in state and weights (masks are
// constants; once differentiable); with grad mode off or nothing requiring grad, it runs the
// growth kernel only; with autograd it saves the inputs and a byte per cell. skip_idle: run the
// MLP only on cells whose update can reach the result (fired and within one cell of a live
// one), and its backward only where the upstream gradient is non-zero (alive and fired) - the
// same results, up to non-finite deltas; false computes every cell, as the plain path does.
// Mismatched shapes throw std::invalid_argument (one line).
torch::Tensor sobel_mlp_step(const torch::Tensor& state, const torch::Tensor& mask, const SobelMlpWeights& weights,
                             layers::Padding padding, bool skip_idle = true);

// The same step written with torch ops: the path off CPU float32, and the tests' oracle.
torch::Tensor sobel_mlp_step_reference(const torch::Tensor& state, const torch::Tensor& mask,
                                       const SobelMlpWeights& weights, layers::Padding padding);

}  // namespace eqnca::kernels
