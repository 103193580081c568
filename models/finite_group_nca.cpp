// Group NCA over C_N / D_N; see finite_group_nca.h.
#include "models/finite_group_nca.h"

#include "groups/check.h"
#include "groups/isotypic_basis.h"
#include "models/representative_layers.h"

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

kernels::SobelMlpWeights FiniteGroupNcaImpl::dense_weights(const layers::EquivariantConv& first,
                                                           const layers::EquivariantConv& second) const {
  const torch::Tensor w1 = first->expand_filter().flatten(1).mm(lift->feature_map());
  const torch::Tensor w2 = second->expand_filter().flatten(1);
  return kernels::SobelMlpWeights{
      w1,     bias_or_zeros(first, w1.size(0), w1), w2, bias_or_zeros(second, w2.size(0), w2), kernels::Stencils::Sobel,
      nullptr};
}

// Block positions from representative layers (models/representative_layers.h).
std::shared_ptr<const kernels::SpectralMlp> FiniteGroupNcaImpl::make_spectral_plan() const {
  const std::vector<kernels::SobelMlpWeights> representatives = representative_weights(
      hidden->options(), output->options(), hidden->weight.scalar_type(),
      [this](const layers::EquivariantConv& a, const layers::EquivariantConv& b) { return dense_weights(a, b); });
  const groups::IsotypicBasis basis = groups::isotypic_basis(state_.field());
  const int64_t g = basis.q.rows(), hidden_fields = options_.hidden_fields(), fields = options_.state_fields();
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  torch::Tensor q = torch::empty({g, g}, f64);
  for (int64_t o = 0; o < g; ++o)
    for (int64_t e = 0; e < g; ++e) q[o][e] = basis.q(o, e);
  // Hidden: element e of field j (channel j*g + e) -> coefficient o at row o*F + j.
  const int64_t hidden = g * hidden_fields;
  torch::Tensor t = torch::zeros({hidden, hidden}, f64);
  for (int64_t o = 0; o < g; ++o)
    for (int64_t j = 0; j < hidden_fields; ++j)
      for (int64_t e = 0; e < g; ++e) t[o * hidden_fields + j][j * g + e] = basis.q(o, e);
  // State: RGBA unchanged; coefficient o of field j at 4 + o*fields + j.
  const int64_t c = channels(), invariant = c - g * fields;
  torch::Tensor s = torch::zeros({c, c}, f64);
  for (int64_t i = 0; i < invariant; ++i) s[i][i] = 1.0;
  for (int64_t o = 0; o < g; ++o)
    for (int64_t j = 0; j < fields; ++j)
      for (int64_t e = 0; e < g; ++e) s[invariant + o * fields + j][invariant + j * g + e] = basis.q(o, e);
  // The ReLU acts on the group basis: values = Q^T coefficients.
  return kernels::make_spectral_mlp(representatives, t, q.t(), q, s);
}

std::optional<kernels::SobelMlpWeights> FiniteGroupNcaImpl::sobel_mlp_weights() const {
  const kernels::SobelMlpWeights dense = dense_weights(hidden, output);
  if (!options_.spectral_step()) return dense;
  if (!spectral_) spectral_ = make_spectral_plan();  // on first use: model building stays cheap
  return kernels::spectral_weights(dense, spectral_);
}

}  // namespace eqnca::models
