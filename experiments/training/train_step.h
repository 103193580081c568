// One training iteration of an NCA, shared by the trainer, the bench and sweeps: a rollout
// through a named backend (kernels/rollout.h), a loss of the final state, backward, Distill's
// per-parameter gradient normalisation, one optimizer step.
#pragma once

#include <functional>
#include <vector>

#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include "kernels/rollout.h"
#include "models/nca_model.h"

namespace eqnca::experiments {

// A scalar loss of the rollout's final state (B, C, H, W).
using StateLoss = std::function<torch::Tensor(const torch::Tensor& state)>;

struct TrainStepResult {
  torch::Tensor state;     // the final state, detached
  double loss = 0.0;       // the loss before the step
  double grad_norm = 0.0;  // global gradient norm before normalisation; NaN when not stepped
  bool stepped = false;    // false when the loss was NaN or infinite
};

// Distill's gradient normalisation: every parameter's gradient g becomes g / (|g| + 1e-8), so
// the step size is set by the learning rate alone. Parameters without a gradient are skipped.
// Returns the global norm of the gradients before scaling (0 when none has one).
double normalise_gradients(const std::vector<torch::Tensor>& parameters);

// `steps` steps of `model` from `start` through `rollout`, then optimizer.zero_grad(),
// loss(state).backward(), normalise_gradients(model.parameters()) and optimizer.step(). A
// non-finite loss stops before backward: nothing changes and `stepped` is false, so the caller
// decides (the trainer logs it and stops).
TrainStepResult train_step(models::NcaModelImpl& model, const kernels::Rollout& rollout,
                           torch::optim::Optimizer& optimizer, const torch::Tensor& start, int steps,
                           const StateLoss& loss);

}  // namespace eqnca::experiments
