// What a rollout needs from an NCA: its update rule. models::NcaModelImpl implements it; the
// backends of kernels/rollout.h drive it, so kernels/ never sees a model class.
//
// States are (B, C, H, W) with alpha ("alive") in channel 3; an update mask is (B, 1, H, W),
// 1 where a cell fires (layers/nca_mechanics.h).
#pragma once

#include <optional>

#include <torch/types.h>

#include "kernels/sobel_mlp_step.h"
#include "layers/padding.h"

namespace eqnca::kernels {

class NcaRule {
 public:
  virtual ~NcaRule() = default;

  // One step: perceive, update, residual with `update_mask`, alive masking.
  virtual torch::Tensor step(const torch::Tensor& state, const torch::Tensor& update_mask) = 0;
  // The probability that a cell fires in a step.
  virtual double fire_rate() const = 0;
  virtual layers::Padding padding() const = 0;

  // Around a rollout of step() calls: rules with expensive weights (steerable filters) expand
  // them once in begin_rollout, so that autograd keeps one graph through them; end_rollout
  // drops them.
  virtual void begin_rollout() {}
  virtual void end_rollout() {}

  // Rules whose step is "identity + Sobel features, linear, ReLU, linear" return the weights of
  // that step (expanded now, with autograd history to the parameters) for the fused step
  // (kernels/sobel_mlp_step.h); called once per rollout. Others return nullopt.
  virtual std::optional<SobelMlpWeights> sobel_mlp_weights() const { return std::nullopt; }
};

}  // namespace eqnca::kernels
