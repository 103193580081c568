// Rollouts of a model on the fused Sobel-MLP step (kernels/sobel_mlp_step.h) where the model
// has one, its own step() otherwise.
#pragma once

#include <torch/types.h>

#include "models/nca_model.h"

namespace eqnca::models {

// `steps` steps of `model` from an NCHW state, returned NCHW: channels-last once, the fused step
// with the weights expanded once, a fresh mask per step drawn as torch::rand({B, H, W, 1}) <
// fire_rate on the state's device, in step order - the same numbers NcaModelImpl::grow draws
// (rand({B, 1, H, W})), so both give the same rollout from the same generator state. Autograd
// follows grad mode, so this serves growth and training alike. Models without
// sobel_mlp_weights() fall back to model.grow.
torch::Tensor grow_fast(NcaModelImpl& model, const torch::Tensor& state_nchw, int steps, bool skip_idle = true);

}  // namespace eqnca::models
