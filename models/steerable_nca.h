// Growing Steerable NCA (Randazzo, Mordvintsev, Fouts 2023): the last channel of each cell
// holds an angle theta, and the cell perceives the Sobel pair in its own frame,
// [s, Laplacian s, R(-theta) (d/dx s, d/dy s)] over the other channels. Rotating the grid by
// alpha and adding alpha to every live cell's angle leaves what cells perceive unchanged:
// equivariant to rotations (exactly at 90 degrees on the grid), but chiral: a mirror is not
// a symmetry. The angle channel is excluded from perception (its gradient is not invariant).
#pragma once

#include <torch/arg.h>

#include "layers/perception.h"
#include "models/dense_update.h"
#include "models/nca_model.h"

namespace eqnca::models {

struct SteerableNcaOptions {
  TORCH_ARG(int, channels) = 16;  // RGBA + hidden channels + the angle (the last)
  TORCH_ARG(int, hidden) = 128;   // width of the update rule's ReLU layer
  TORCH_ARG(double, fire_rate) = 0.5;
  TORCH_ARG(layers::Padding, padding) = layers::Padding::Zeros;
};

class SteerableNcaImpl : public NcaModelImpl {
 public:
  explicit SteerableNcaImpl(SteerableNcaOptions options = {});
  using NcaModelImpl::step;
  torch::Tensor step(const torch::Tensor& state, const torch::Tensor& update_mask) override;
  groups::Group group() const override { return groups::Group::so2(1); }
  int64_t channels() const override { return options_.channels(); }
  std::string name() const override { return "steerable"; }
  // Pixels move; live cells' angles turn by g (a mirror sends theta to pi - theta).
  torch::Tensor transform_state(const torch::Tensor& state, const groups::GroupElement& g) const override;
  torch::Tensor transform_fiber(const torch::Tensor& fiber, const groups::GroupElement& g) const override;
  // The fused step's steered stencils (kernels::Stencils::Steered): the same rule, one kernel.
  std::optional<kernels::SobelMlpWeights> sobel_mlp_weights() const override;
  const SteerableNcaOptions& options() const { return options_; }

  layers::NcaPerception perception{nullptr};
  DenseUpdate update{nullptr};

 protected:
  torch::Tensor make_seed(int64_t batch, int64_t height, int64_t width) const override;

 private:
  SteerableNcaOptions options_;
};
TORCH_MODULE(SteerableNca);

}  // namespace eqnca::models
