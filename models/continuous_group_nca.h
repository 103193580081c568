// Group NCA for the continuous rotation groups SO(2) / O(2) (so2, o2), carried with a band
// limit L. The state is RGBA plus band-limited fields (models/oriented_state.h); perception is a
// learnable 3x3 harmonic-basis equivariant conv; the nonlinearity is Fourier pointwise on 4L+4
// rotations (twice the minimum 2L+2, which keeps the aliasing of ReLU's harmonics small between
// samples; see NonlinearityTest); then a 1x1 equivariant conv (zero-initialised) back to the
// state type. Exact at quarter turns; interpolated at other angles.
// Submodules, in registration order (the checkpoint keys): perception, fourier, output.
#pragma once

#include <torch/arg.h>

#include "kernels/spectral_mlp.h"
#include "layers/equivariant_conv.h"
#include "layers/fourier_pointwise.h"
#include "models/nca_model.h"
#include "models/oriented_state.h"

namespace eqnca::models {

struct ContinuousGroupNcaOptions {
  explicit ContinuousGroupNcaOptions(groups::Group group) : group_(group) {}
  TORCH_ARG(groups::Group, group);     // SO(2) or O(2), with its band limit
  TORCH_ARG(int, state_fields) = 2;    // band-limited fields after RGBA
  TORCH_ARG(int, hidden_fields) = 16;  // band-limited fields between perception and output
  TORCH_ARG(double, fire_rate) = 0.5;
  TORCH_ARG(layers::Padding, padding) = layers::Padding::Zeros;
};

class ContinuousGroupNcaImpl : public NcaModelImpl {
 public:
  explicit ContinuousGroupNcaImpl(ContinuousGroupNcaOptions options);
  using NcaModelImpl::state_type;
  using NcaModelImpl::step;
  torch::Tensor step(const torch::Tensor& state, const torch::Tensor& update_mask) override;
  groups::Group group() const override { return state_.group(); }
  layers::FieldType state_type(const groups::Group& group) const override { return state_.type_over(group, name()); }
  int64_t channels() const override { return state_.channels(); }
  std::string name() const override { return group_model_name(state_.group()); }
  void begin_rollout() override;
  void end_rollout() override;
  // The fused step's weights: the perception conv on the nine taps, the Fourier nonlinearity's
  // sampling and projection per hidden field (kernels/spectral_mlp.h), with the taps split into
  // rings and irreps of the grid's exact group (tap_feature_basis, models/feature_basis.h).
  std::optional<kernels::SobelMlpWeights> sobel_mlp_weights() const override;
  const ContinuousGroupNcaOptions& options() const { return options_; }

  layers::EquivariantConv perception{nullptr};  // 3x3
  layers::FourierPointwise fourier{nullptr};
  layers::EquivariantConv output{nullptr};  // 1x1, zero-initialised

 protected:
  torch::Tensor make_seed(int64_t batch, int64_t height, int64_t width) const override {
    return state_.seed(batch, height, width);
  }

 private:
  kernels::SobelMlpWeights model_weights(const layers::EquivariantConv& first,
                                         const layers::EquivariantConv& second) const;
  std::shared_ptr<const kernels::SpectralMlp> make_spectral_plan() const;
  torch::Tensor tap_feature_basis() const;
  ContinuousGroupNcaOptions options_;
  OrientedState state_;
  mutable std::shared_ptr<const kernels::SpectralMlp> spectral_;
};
TORCH_MODULE(ContinuousGroupNca);

}  // namespace eqnca::models
