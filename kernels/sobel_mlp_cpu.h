// CPU kernels of the fused Sobel-MLP step (kernels/sobel_mlp_step.h); internal to eqnca_kernels.
//
// Tensors are float32 and contiguous, channels-last: state (B, H, W, C), mask (B, H, W); the
// weights in the public layout of SobelMlpWeights (feature index c*K + k). Inside, the features
// are "planar" per cell (all x, then each stencil's response: vectorisable over channels) and
// w1 is permuted to match once per call (on the spectral path: its blocks packed). Cells run in
// tiles of 128 whose operands stay in L2; work items of 8 tiles go to the threads of
// kernels/thread_pool.h; the GEMMs are Eigen, single-threaded inside each item. Each step is two
// parallel passes (the post-update alive mask needs the neighbours' updates) forward and two
// backward. Weight gradients are summed per item and then in item order, so results do not
// depend on the scheduling.
#pragma once

#include <torch/types.h>

#include "kernels/sobel_mlp_step.h"
#include "kernels/spectral_mlp.h"
#include "layers/padding.h"

namespace eqnca::kernels::detail {

struct SobelMlpGradients {
  torch::Tensor state, w1, b1, w2, b2;
};

// One step. skip_idle: run the MLP only on cells whose update can reach the result (fired, and
// within one cell of a cell alive before the update); the result is the same either way.
// `alive` (nullable) receives the (B, H, W) uint8 mask of cells alive before and after, the one
// thing backward needs beyond the inputs.
torch::Tensor sobel_mlp_forward_cpu(const torch::Tensor& state, const torch::Tensor& mask, const torch::Tensor& w1,
                                    const torch::Tensor& b1, const torch::Tensor& w2, const torch::Tensor& b2,
                                    Stencils stencils, const SpectralMlp* spectral, layers::Padding padding,
                                    bool skip_idle, torch::Tensor* alive);

// Gradients of sum(grad_out * step(state)) for the state and the weights; masks are constants.
// The hidden layer is recomputed from the state. skip_idle: only cells with a non-zero upstream
// gradient (alive and fired) run the MLP backward; the gradients are the same either way.
SobelMlpGradients sobel_mlp_backward_cpu(const torch::Tensor& grad_out, const torch::Tensor& state,
                                         const torch::Tensor& mask, const torch::Tensor& w1, const torch::Tensor& b1,
                                         const torch::Tensor& w2, const torch::Tensor& alive, Stencils stencils,
                                         const SpectralMlp* spectral, layers::Padding padding, bool skip_idle);

}  // namespace eqnca::kernels::detail
