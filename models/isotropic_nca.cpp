// Growing Isotropic NCA; see isotropic_nca.h.
#include "models/isotropic_nca.h"

namespace eqnca::models {

IsotropicNcaImpl::IsotropicNcaImpl(int channels, int hidden, double fire_rate, layers::Padding padding)
    : channels_(channels) {
  fire_rate_ = fire_rate;
  padding_ = padding;
  using layers::PerceptionFilter;
  perception = register_module(
      "perception", layers::NcaPerception(
                        layers::NcaPerceptionOptions(channels, {PerceptionFilter::Identity, PerceptionFilter::Laplacian})
                            .padding(padding)));
  update = register_module("update", DenseUpdate(2 * channels, hidden, channels));
}

torch::Tensor IsotropicNcaImpl::step(const torch::Tensor& state, const torch::Tensor& update_mask) {
  return layers::nca_update(state, update(perception(state)), update_mask, padding_);
}

}  // namespace eqnca::models
