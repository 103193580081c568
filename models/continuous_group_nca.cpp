// Group NCA over SO(2) / O(2); see continuous_group_nca.h.
#include "models/continuous_group_nca.h"

#include "groups/check.h"

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

}  // namespace eqnca::models
