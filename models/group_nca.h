// Group-equivariant NCA: the state is RGBA (invariant fields) plus oriented fields, so a
// single seed cell carries an orientation and the grown pattern turns with it.
//  * C_N / D_N (c4, d4, c8, c16): oriented fields are regular; perception is the fixed
//    identity + Sobel lift (layers/sobel_lift_perception.h); the update is 1x1 equivariant
//    conv -> pointwise ReLU -> 1x1 equivariant conv (zero-initialised) back to the state type:
//    Distill's rule with every layer constrained.
//  * SO(2) / O(2) (so2, o2): oriented fields are band-limited (irreps psi_0..psi_L);
//    perception is a learnable 3x3 harmonic-basis conv, the nonlinearity is Fourier
//    pointwise on 4L+4 rotations (twice the minimum 2L+2, which keeps the aliasing of
//    ReLU's harmonics small between samples; see NonlinearityTest), then a 1x1 equivariant conv back to the state type.
// The seed's oriented fields point at the identity (regular: e_identity; band-limited: the
// function peaked at angle 0).
#pragma once

#include "layers/equivariant_conv.h"
#include "layers/fourier_pointwise.h"
#include "layers/nonlinearities.h"
#include "layers/sobel_lift_perception.h"
#include "models/nca_model.h"

namespace eqnca::models {

class GroupNcaImpl : public NcaModelImpl {
 public:
  GroupNcaImpl(std::string name, groups::Group group, int state_fields, int hidden_fields, double fire_rate,
               layers::Padding padding);
  using NcaModelImpl::step;
  torch::Tensor step(const torch::Tensor& state, const torch::Tensor& update_mask) override;
  groups::Group group() const override { return group_; }
  layers::FieldType state_type(const groups::Group& group) const override;
  int64_t channels() const override { return state_type_.channels(); }
  std::string name() const override { return name_; }
  void begin_rollout() override;
  void end_rollout() override;
  // Finite groups: w1 = hidden filter x the lift's feature map; nullopt for SO(2) / O(2).
  std::optional<kernels::SobelMlpWeights> sobel_mlp_weights() const override;

  layers::SobelLiftPerception lift{nullptr};       // finite groups
  layers::EquivariantConv perception{nullptr};     // continuous groups (3x3)
  layers::EquivariantConv hidden{nullptr};          // finite groups (1x1)
  layers::PointwiseRelu relu{nullptr};
  layers::FourierPointwise fourier{nullptr};
  layers::EquivariantConv output{nullptr};

 protected:
  torch::Tensor make_seed(int64_t batch, int64_t height, int64_t width) const override;
  Eigen::MatrixXd state_rep(const groups::GroupElement& g) const override;

 private:
  std::string name_;
  groups::Group group_;
  groups::Representation oriented_;  // regular or band-limited
  layers::FieldType state_type_;
};
TORCH_MODULE(GroupNca);

}  // namespace eqnca::models
