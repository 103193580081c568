// Group NCA over SO(2) / O(2); see continuous_group_nca.h.
#include "models/continuous_group_nca.h"

#include "groups/check.h"
#include "models/representative_layers.h"

namespace eqnca::models {
namespace {
const groups::Group& checked_continuous(const groups::Group& g) {
  EQNCA_CHECK(!g.finite(), "group must be SO2 or O2 for the continuous-group NCA, got {}", g.name());
  return g;
}
}  // namespace

ContinuousGroupNcaImpl::ContinuousGroupNcaImpl(ContinuousGroupNcaOptions options)
    : options_(options), state_(checked_continuous(options.group()), options.state_fields()) {
  EQNCA_CHECK(options_.hidden_fields() >= 1, "hidden_fields must be >= 1, got {}", options_.hidden_fields());
  set_mechanics(options_.fire_rate(), options_.padding());
  const layers::FieldType hidden_type = layers::FieldType::of(state_.field(), options_.hidden_fields());
  perception = register_module(
      "perception",
      layers::EquivariantConv(layers::EquivariantConvOptions(state_.type(), hidden_type, 3).padding(padding_)));
  fourier = register_module("fourier", layers::FourierPointwise(hidden_type, 4 * state_.group().band_limit() + 4));
  output = register_module(
      "output", layers::EquivariantConv(layers::EquivariantConvOptions(hidden_type, state_.type(), 1).zero_init(true)));
}

torch::Tensor ContinuousGroupNcaImpl::step(const torch::Tensor& state, const torch::Tensor& update_mask) {
  return layers::nca_update(state, output(fourier(perception(state))), update_mask, padding_);
}

void ContinuousGroupNcaImpl::begin_rollout() {
  perception->begin_rollout();
  output->begin_rollout();
}

void ContinuousGroupNcaImpl::end_rollout() {
  perception->end_rollout();
  output->end_rollout();
}

kernels::SobelMlpWeights ContinuousGroupNcaImpl::model_weights(const layers::EquivariantConv& first,
                                                               const layers::EquivariantConv& second) const {
  // (H, C, 3, 3) -> (H, C*9) with the taps in kernels::Stencils::Taps order: the centre first.
  const torch::Tensor filter = first->expand_filter();
  const torch::Tensor order = torch::tensor({4, 0, 1, 2, 3, 5, 6, 7, 8}, torch::kLong).to(filter.device());
  const torch::Tensor w1 = filter.flatten(2).index_select(2, order).flatten(1);
  const torch::Tensor w2 = second->expand_filter().flatten(1);
  return kernels::SobelMlpWeights{
      w1,     bias_or_zeros(first, w1.size(0), w1), w2, bias_or_zeros(second, w2.size(0), w2), kernels::Stencils::Taps,
      nullptr};
}

// Block positions from representative layers (models/representative_layers.h).
std::shared_ptr<const kernels::SpectralMlp> ContinuousGroupNcaImpl::make_spectral_plan() const {
  const std::vector<kernels::SobelMlpWeights> representatives = representative_weights(
      perception->options(), output->options(), perception->weight.scalar_type(),
      [this](const layers::EquivariantConv& a, const layers::EquivariantConv& b) { return model_weights(a, b); });
  // Hidden: coefficient d of field j (channel j*D + d) -> row d*F + j.
  const int64_t d = state_.field().dim(), fields = options_.hidden_fields(), hidden = d * fields;
  torch::Tensor t = torch::zeros({hidden, hidden}, torch::kDouble);
  for (int64_t k = 0; k < d; ++k)
    for (int64_t j = 0; j < fields; ++j) t[k * fields + j][j * d + k] = 1.0;
  return kernels::make_spectral_mlp(representatives, t, fourier->sampling(), fourier->projection(), torch::Tensor());
}

std::optional<kernels::SobelMlpWeights> ContinuousGroupNcaImpl::sobel_mlp_weights() const {
  if (!spectral_) spectral_ = make_spectral_plan();  // on first use: model building stays cheap
  return kernels::spectral_weights(model_weights(perception, output), spectral_);
}

}  // namespace eqnca::models
