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

std::optional<kernels::SobelMlpWeights> GrowingNcaImpl::sobel_mlp_weights() const {
  using layers::PerceptionFilter;
  const std::vector<PerceptionFilter> sobel{PerceptionFilter::Identity, PerceptionFilter::SobelX, PerceptionFilter::SobelY};
  if (perception->options().filters() != sobel) return std::nullopt;
  const auto& fc0 = update->fc0;
  const auto& fc1 = update->fc1;
  if (!fc0->bias.defined() || !fc1->bias.defined()) return std::nullopt;
  return kernels::SobelMlpWeights{fc0->weight.flatten(1), fc0->bias, fc1->weight.flatten(1), fc1->bias};
}

}  // namespace eqnca::models
