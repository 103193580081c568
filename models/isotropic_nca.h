// Growing Isotropic NCA (Mordvintsev, Randazzo, Fouts 2022): perception [s, Laplacian s]
// only, so the rule cannot tell directions apart. Every channel is an invariant field and
// the rule is exactly D4-equivariant on the grid; symmetry is broken only by the seed or
// asynchronous updates.
#pragma once

#include "layers/perception.h"
#include "models/dense_update.h"
#include "models/nca_model.h"

namespace eqnca::models {

class IsotropicNcaImpl : public NcaModelImpl {
 public:
  IsotropicNcaImpl(int channels, int hidden, double fire_rate, layers::Padding padding);
  using NcaModelImpl::step;
  torch::Tensor step(const torch::Tensor& state, const torch::Tensor& update_mask) override;
  groups::Group group() const override { return groups::Group::dihedral(4); }
  int64_t channels() const override { return channels_; }
  std::string name() const override { return "isotropic"; }

  layers::NcaPerception perception{nullptr};
  DenseUpdate update{nullptr};

 private:
  int64_t channels_;
};
TORCH_MODULE(IsotropicNca);

}  // namespace eqnca::models
