// Distill 2020 growing NCA; see growing_nca.h.
#include "models/growing_nca.h"

namespace eqnca::models {

GrowingNcaImpl::GrowingNcaImpl(int channels, int hidden, double fire_rate, layers::Padding padding)
    : channels_(channels) {
  fire_rate_ = fire_rate;
  padding_ = padding;
  using layers::PerceptionFilter;
  perception = register_module(
      "perception", layers::NcaPerception(layers::NcaPerceptionOptions(
                                              channels, {PerceptionFilter::Identity, PerceptionFilter::SobelX,
                                                         PerceptionFilter::SobelY})
                                              .padding(padding)));
  update = register_module("update", DenseUpdate(3 * channels, hidden, channels));
}

torch::Tensor GrowingNcaImpl::step(const torch::Tensor& state, const torch::Tensor& update_mask) {
  return layers::nca_update(state, update(perception(state)), update_mask, padding_);
}

}  // namespace eqnca::models
