// Group NCA over C_N / D_N; see finite_group_nca.h.
#include "models/finite_group_nca.h"

#include "groups/check.h"

namespace eqnca::models {
namespace {
const groups::Group& checked_finite(const groups::Group& g) {
  EQNCA_CHECK(g.finite(), "group must be C_N or D_N for the finite-group NCA, got {}", g.name());
  return g;
}
}  // namespace

FiniteGroupNcaImpl::FiniteGroupNcaImpl(FiniteGroupNcaOptions options)
    : options_(options), state_(checked_finite(options.group()), options.state_fields()) {
  EQNCA_CHECK(options_.hidden_fields() >= 1, "hidden_fields must be >= 1, got {}", options_.hidden_fields());
  set_mechanics(options_.fire_rate(), options_.padding());
  const layers::FieldType hidden_type = layers::FieldType::of(state_.field(), options_.hidden_fields());
  lift = register_module("lift", layers::SobelLiftPerception(state_.type(), padding_));
  hidden = register_module("hidden",
                           layers::EquivariantConv(layers::EquivariantConvOptions(lift->out_type(), hidden_type, 1)));
  relu = register_module("relu", layers::PointwiseRelu(hidden_type));
  output = register_module(
      "output", layers::EquivariantConv(layers::EquivariantConvOptions(hidden_type, state_.type(), 1).zero_init(true)));
}

torch::Tensor FiniteGroupNcaImpl::step(const torch::Tensor& state, const torch::Tensor& update_mask) {
  return layers::nca_update(state, output(relu(hidden(lift(state)))), update_mask, padding_);
}

void FiniteGroupNcaImpl::begin_rollout() {
  hidden->begin_rollout();
  output->begin_rollout();
}

void FiniteGroupNcaImpl::end_rollout() {
  hidden->end_rollout();
  output->end_rollout();
}

std::optional<kernels::SobelMlpWeights> FiniteGroupNcaImpl::sobel_mlp_weights() const {
  auto bias_or_zeros = [](const torch::Tensor& b, int64_t n, const torch::Tensor& like) {
    return b.defined() ? b : torch::zeros({n}, like.options());
  };
  const torch::Tensor w1 = hidden->expand_filter().flatten(1).mm(lift->feature_map());
  const torch::Tensor w2 = output->expand_filter().flatten(1);
  return kernels::SobelMlpWeights{w1, bias_or_zeros(hidden->expand_bias(), w1.size(0), w1), w2,
                                  bias_or_zeros(output->expand_bias(), w2.size(0), w2)};
}

}  // namespace eqnca::models
