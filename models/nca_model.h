// The interface every NCA model shares: one update step on a state tensor (batch, C, H, W)
// with RGBA in channels 0..3 (premultiplied RGB, alpha = "alive"), a seed, and the group
// action on states, so that drivers can train, grow and measure equivariance of any model
// the same way.
//
// A step takes the stochastic update mask explicitly ((batch, 1, H, W), 1 = update) so an
// equivariance check can transform the mask alongside the state. Equivariant models expand
// their steerable filters once per rollout (begin_rollout), not once per step.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "groups/group.h"
#include "kernels/nca_rule.h"
#include "layers/field_type.h"
#include "layers/nca_mechanics.h"

namespace eqnca::models {

class NcaModelImpl : public torch::nn::Module, public kernels::NcaRule {
 public:
  // One step: perceive, update, residual with `update_mask`, alive masking.
  torch::Tensor step(const torch::Tensor& state, const torch::Tensor& update_mask) override = 0;
  // One step with a fresh random mask at the model's fire rate.
  torch::Tensor step(const torch::Tensor& state);
  // `steps` steps with fresh masks (a rollout); the "plain" backend of kernels/rollout.h.
  torch::Tensor grow(torch::Tensor state, int steps);

  // The seed: one live cell at (H/2, W/2) whose fiber is oriented by `g` (rho(g) applied);
  // for exact elements on odd grids this equals transform_state(seed(), g).
  virtual torch::Tensor seed(int64_t batch, int64_t height, int64_t width, const groups::GroupElement& g = {}) const;
  // The action of g on a state: pixels move, channels transform by state_type() (the
  // steerable model overrides this: its angle channel is shifted, not mixed).
  virtual torch::Tensor transform_state(const torch::Tensor& state, const groups::GroupElement& g) const;
  // The action on one cell's channels, (batch, C, 1, 1): used to orient seeds off the grid.
  virtual torch::Tensor transform_fiber(const torch::Tensor& fiber, const groups::GroupElement& g) const;

  // The group the model claims equivariance to, and the state's field type under it.
  // Non-equivariant baselines claim nothing (C1) but report a state type over any group
  // with all channels trivial, so their equivariance can still be measured (and fails).
  virtual groups::Group group() const = 0;
  virtual layers::FieldType state_type(const groups::Group& group) const;
  layers::FieldType state_type() const { return state_type(group()); }
  virtual int64_t channels() const = 0;
  virtual std::string name() const = 0;
  double fire_rate() const override { return fire_rate_; }
  layers::Padding padding() const override { return padding_; }

  // Expand steerable filters once for the rollout that follows (autograd keeps one graph
  // through the shared filter); end_rollout drops them.
  void begin_rollout() override {}
  void end_rollout() override {}

  // Models whose step is "identity + Sobel features, linear, ReLU, linear" return the weights
  // of that step (expanded now, with autograd history to the parameters), so drivers can run
  // the fused step (kernels/sobel_mlp_step.h); call it once per rollout. Others return nullopt.
  std::optional<kernels::SobelMlpWeights> sobel_mlp_weights() const override { return std::nullopt; }

  int64_t parameter_count() const;

 protected:
  // The unoriented seed; the default is Distill's (alpha and hidden channels 1 at the centre).
  virtual torch::Tensor make_seed(int64_t batch, int64_t height, int64_t width) const;
  // rho(g) on the state's channels; the default uses state_type().
  virtual Eigen::MatrixXd state_rep(const groups::GroupElement& g) const;
  // Sets the mechanics every model shares, checking fire_rate is in (0, 1].
  void set_mechanics(double fire_rate, layers::Padding padding);
  double fire_rate_ = 0.5;
  layers::Padding padding_ = layers::Padding::Zeros;
};

TORCH_MODULE(NcaModel);

}  // namespace eqnca::models
