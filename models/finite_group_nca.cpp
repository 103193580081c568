// Group NCA over C_N / D_N; see finite_group_nca.h.
#include "models/finite_group_nca.h"

#include <map>
#include <numeric>
#include <tuple>

#include "groups/check.h"
#include "groups/isotypic_basis.h"
#include "models/feature_basis.h"
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

namespace {

// Rows of an isotypic basis in (irrep, partner, copy) order: then the rows a layer block reads
// (one irrep's partner a, every copy) are contiguous.
std::vector<int64_t> partner_major(const groups::IsotypicBasis& b) {
  std::vector<int64_t> order(b.irrep_row.size());
  std::iota(order.begin(), order.end(), 0);
  auto key = [&](int64_t r) {
    const size_t i = size_t(r);
    return std::make_tuple(b.irrep_row[i], b.partner_row[i], b.copy_row[i]);
  };
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return key(x) < key(y); });
  return order;
}

}  // namespace

// Block positions from representative layers (models/representative_layers.h).
std::shared_ptr<const kernels::SpectralMlp> FiniteGroupNcaImpl::make_spectral_plan() const {
  const std::vector<kernels::SobelMlpWeights> representatives = representative_weights(
      hidden->options(), output->options(), hidden->weight.scalar_type(),
      [this](const layers::EquivariantConv& a, const layers::EquivariantConv& b) { return dense_weights(a, b); });
  const groups::Group& group = state_.group();
  const groups::IsotypicBasis basis = groups::isotypic_basis(state_.field());
  const std::vector<int64_t> order = partner_major(basis);
  const int64_t g = basis.q.rows(), hidden_fields = options_.hidden_fields(), fields = options_.state_fields();
  Eigen::MatrixXd qe(g, g);
  for (int64_t o = 0; o < g; ++o) qe.row(o) = basis.q.row(order[size_t(o)]);
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  torch::Tensor q = torch::empty({g, g}, f64);
  for (int64_t o = 0; o < g; ++o)
    for (int64_t e = 0; e < g; ++e) q[o][e] = qe(o, e);
  // Hidden: element e of field j (channel j*g + e) -> coefficient o at row o*F + j.
  const int64_t hidden = g * hidden_fields;
  torch::Tensor t = torch::zeros({hidden, hidden}, f64);
  for (int64_t o = 0; o < g; ++o)
    for (int64_t j = 0; j < hidden_fields; ++j)
      for (int64_t e = 0; e < g; ++e) t[o * hidden_fields + j][j * g + e] = qe(o, e);
  // State: RGBA unchanged; coefficient o of field j at 4 + o*fields + j.
  const int64_t c = channels(), invariant = c - g * fields;
  torch::Tensor s = torch::zeros({c, c}, f64);
  for (int64_t i = 0; i < invariant; ++i) s[i][i] = 1.0;
  for (int64_t o = 0; o < g; ++o)
    for (int64_t j = 0; j < fields; ++j)
      for (int64_t e = 0; e < g; ++e) s[invariant + o * fields + j][invariant + j * g + e] = qe(o, e);

  // The features' copies: [x, dx, dy] of each RGBA channel and of each irrep copy of each field,
  // acted on by the copy's matrices (x) (1 + the standard representation: (dx, dy) moves as the
  // plane does, layers/sobel_lift_perception.h).
  const std::vector<groups::GroupElement> elements = group.elements();
  const groups::Representation standard = groups::Representation::standard(group);
  std::vector<Eigen::Matrix3d> stencil;
  for (const groups::GroupElement& e : elements) {
    Eigen::Matrix3d m = Eigen::Matrix3d::Zero();
    m(0, 0) = 1.0;
    m.bottomRightCorner<2, 2>() = standard(e);
    stencil.push_back(m);
  }
  std::vector<FeatureCopy> copies;
  auto add_copy = [&](const std::vector<int64_t>& state_channels, const std::vector<Eigen::MatrixXd>& action) {
    const int64_t n = int64_t(state_channels.size());
    FeatureCopy copy;
    for (int64_t ch : state_channels)
      for (int64_t k = 0; k < 3; ++k) copy.features.push_back(ch * 3 + k);
    for (size_t e = 0; e < elements.size(); ++e) {
      Eigen::MatrixXd m(3 * n, 3 * n);
      for (int64_t a = 0; a < n; ++a)
        for (int64_t b = 0; b < n; ++b) m.block(3 * a, 3 * b, 3, 3) = action[e](a, b) * stencil[e];
      copy.action.push_back(m);
    }
    copies.push_back(std::move(copy));
  };
  for (int64_t i = 0; i < invariant; ++i)
    add_copy({i}, std::vector<Eigen::MatrixXd>(elements.size(), Eigen::MatrixXd::Ones(1, 1)));
  std::map<std::pair<int, int>, std::vector<int64_t>> copy_rows;  // (irrep, copy) -> rows of qe
  for (int64_t o = 0; o < g; ++o) {
    const size_t r = size_t(order[size_t(o)]);
    copy_rows[{basis.irrep_row[r], basis.copy_row[r]}].push_back(o);
  }
  for (int64_t j = 0; j < fields; ++j)
    for (const auto& [id, rows] : copy_rows) {
      std::vector<int64_t> state_channels;
      Eigen::MatrixXd sub(int64_t(rows.size()), g);
      for (size_t a = 0; a < rows.size(); ++a) {
        state_channels.push_back(invariant + rows[a] * fields + j);
        sub.row(int64_t(a)) = qe.row(rows[a]);
      }
      std::vector<Eigen::MatrixXd> action;
      for (const groups::GroupElement& e : elements) action.push_back(sub * state_.field()(e) * sub.transpose());
      add_copy(state_channels, action);
    }
  // The ReLU acts on the group basis: values = Q^T coefficients.
  return kernels::make_spectral_mlp(representatives, t, q.t(), q, s, feature_basis(group, copies, 3 * c));
}

std::optional<kernels::SobelMlpWeights> FiniteGroupNcaImpl::sobel_mlp_weights() const {
  const kernels::SobelMlpWeights dense = dense_weights(hidden, output);
  if (!options_.spectral_step()) return dense;
  if (!spectral_) spectral_ = make_spectral_plan();  // on first use: model building stays cheap
  return kernels::spectral_weights(dense, spectral_);
}

}  // namespace eqnca::models
