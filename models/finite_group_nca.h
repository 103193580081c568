// Group NCA for the finite rotation groups C_N / D_N (c4, d4, c8, c16): Distill's rule with every
// layer constrained. The state is RGBA plus regular fields (models/oriented_state.h); perception
// is the fixed identity + Sobel lift (layers/sobel_lift_perception.h); the update is 1x1
// equivariant conv -> pointwise ReLU -> 1x1 equivariant conv (zero-initialised) back to the
// state type. Exact on the grid's own symmetries (C4, D4); interpolated elsewhere (C8, C16).
// Submodules, in registration order (the checkpoint keys): lift, hidden, relu, output.
#pragma once

#include <torch/arg.h>

#include "kernels/spectral_mlp.h"
#include "layers/equivariant_conv.h"
#include "layers/nonlinearities.h"
#include "layers/sobel_lift_perception.h"
#include "models/nca_model.h"
#include "models/oriented_state.h"

namespace eqnca::models {

struct FiniteGroupNcaOptions {
  explicit FiniteGroupNcaOptions(groups::Group group) : group_(group) {}
  TORCH_ARG(groups::Group, group);     // C_N or D_N
  TORCH_ARG(int, state_fields) = 2;    // regular fields after RGBA
  TORCH_ARG(int, hidden_fields) = 16;  // regular fields between the two 1x1 convs
  TORCH_ARG(double, fire_rate) = 0.5;
  TORCH_ARG(layers::Padding, padding) = layers::Padding::Zeros;
  // The fused step in the isotypic bases (kernels/spectral_mlp.h), 2.5-5.5x fewer multiply-adds;
  // false: the dense expanded weights (the same maths, for comparisons).
  TORCH_ARG(bool, spectral_step) = true;
};

class FiniteGroupNcaImpl : public NcaModelImpl {
 public:
  explicit FiniteGroupNcaImpl(FiniteGroupNcaOptions options);
  using NcaModelImpl::state_type;
  using NcaModelImpl::step;
  torch::Tensor step(const torch::Tensor& state, const torch::Tensor& update_mask) override;
  groups::Group group() const override { return state_.group(); }
  layers::FieldType state_type(const groups::Group& group) const override { return state_.type_over(group, name()); }
  int64_t channels() const override { return state_.channels(); }
  std::string name() const override { return group_model_name(state_.group()); }
  void begin_rollout() override;
  void end_rollout() override;
  // w1 = the hidden filter x the lift's feature map, so the fused step runs this model too; in
  // the isotypic bases unless options.spectral_step is false.
  std::optional<kernels::SobelMlpWeights> sobel_mlp_weights() const override;
  const FiniteGroupNcaOptions& options() const { return options_; }

  layers::SobelLiftPerception lift{nullptr};
  layers::EquivariantConv hidden{nullptr};  // 1x1
  layers::PointwiseRelu relu{nullptr};
  layers::EquivariantConv output{nullptr};  // 1x1, zero-initialised

 protected:
  torch::Tensor make_seed(int64_t batch, int64_t height, int64_t width) const override {
    return state_.seed(batch, height, width);
  }

 private:
  kernels::SobelMlpWeights dense_weights(const layers::EquivariantConv& first,
                                         const layers::EquivariantConv& second) const;
  std::shared_ptr<const kernels::SpectralMlp> make_spectral_plan() const;
  FiniteGroupNcaOptions options_;
  OrientedState state_;
  mutable std::shared_ptr<const kernels::SpectralMlp> spectral_;
};
TORCH_MODULE(FiniteGroupNca);

}  // namespace eqnca::models
