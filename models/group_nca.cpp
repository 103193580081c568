// Group-equivariant NCA; see group_nca.h.
#include "models/group_nca.h"

#include <stdexcept>

#include <fmt/format.h>

namespace eqnca::models {
namespace {

groups::Representation oriented_field(const groups::Group& g) {
  return g.finite() ? groups::Representation::regular(g) : layers::band_limited_field(g);
}

layers::FieldType make_state_type(const groups::Group& g, int state_fields) {
  if (state_fields < 1) throw std::invalid_argument(fmt::format("state_fields must be >= 1, got {}", state_fields));
  return layers::FieldType::trivial(g, 4) + layers::FieldType::of(oriented_field(g), state_fields);
}

}  // namespace

GroupNcaImpl::GroupNcaImpl(std::string name, groups::Group group, int state_fields, int hidden_fields,
                           double fire_rate, layers::Padding padding)
    : name_(std::move(name)), group_(group), oriented_(oriented_field(group)),
      state_type_(make_state_type(group, state_fields)) {
  if (hidden_fields < 1) throw std::invalid_argument(fmt::format("hidden_fields must be >= 1, got {}", hidden_fields));
  fire_rate_ = fire_rate;
  padding_ = padding;
  const layers::FieldType hidden_type = layers::FieldType::of(oriented_, hidden_fields);
  if (group.finite()) {
    lift = register_module("lift", layers::SobelLiftPerception(state_type_, padding));
    hidden = register_module("hidden", layers::EquivariantConv(layers::EquivariantConvOptions(lift->out_type(), hidden_type, 1)));
    relu = register_module("relu", layers::PointwiseRelu(hidden_type));
  } else {
    perception = register_module(
        "perception", layers::EquivariantConv(layers::EquivariantConvOptions(state_type_, hidden_type, 3).padding(padding)));
    fourier = register_module("fourier", layers::FourierPointwise(hidden_type, 4 * group.band_limit() + 4));
  }
  output = register_module(
      "output", layers::EquivariantConv(layers::EquivariantConvOptions(hidden_type, state_type_, 1).zero_init(true)));
}

layers::FieldType GroupNcaImpl::state_type(const groups::Group& group) const {
  if (group != group_)
    throw std::invalid_argument(fmt::format("model {} is typed over {}, not {}", name_, group_.name(), group.name()));
  return state_type_;
}

Eigen::MatrixXd GroupNcaImpl::state_rep(const groups::GroupElement& g) const { return state_type_.representation()(g); }

torch::Tensor GroupNcaImpl::make_seed(int64_t batch, int64_t height, int64_t width) const {
  torch::Tensor s = torch::zeros({batch, channels(), height, width});
  const int64_t r = height / 2, c = width / 2;
  s.select(1, 3).select(1, r).select(1, c).fill_(1.0);  // alpha: alive
  const int d = oriented_.dim();
  const int one_dim = group_.finite() ? d : (group_.has_reflections() ? 2 : 1);
  for (int64_t f = 0; f < (channels() - 4) / d; ++f) {
    const int64_t base = 4 + f * d;
    if (group_.finite()) {
      s.select(1, base).select(1, r).select(1, c).fill_(1.0);  // e_identity
    } else {  // first vector of every irrep block: f(g) peaks at the identity
      for (int a = 0; a < d; a += (a < one_dim ? 1 : 2)) s.select(1, base + a).select(1, r).select(1, c).fill_(1.0);
    }
  }
  return s;
}

torch::Tensor GroupNcaImpl::step(const torch::Tensor& state, const torch::Tensor& update_mask) {
  torch::Tensor delta;
  if (group_.finite()) {
    delta = output(relu(hidden(lift(state))));
  } else {
    delta = output(fourier(perception(state)));
  }
  return layers::nca_update(state, delta, update_mask, padding_);
}

std::optional<kernels::SobelMlpWeights> GroupNcaImpl::sobel_mlp_weights() const {
  if (!group_.finite()) return std::nullopt;
  auto bias_or_zeros = [](const torch::Tensor& b, int64_t n, const torch::Tensor& like) {
    return b.defined() ? b : torch::zeros({n}, like.options());
  };
  const torch::Tensor w1 = hidden->expand_filter().flatten(1).mm(lift->feature_map());
  const torch::Tensor w2 = output->expand_filter().flatten(1);
  return kernels::SobelMlpWeights{w1, bias_or_zeros(hidden->expand_bias(), w1.size(0), w1), w2,
                         bias_or_zeros(output->expand_bias(), w2.size(0), w2)};
}

void GroupNcaImpl::begin_rollout() {
  for (auto* conv : {&perception, &hidden, &output})
    if (!conv->is_empty()) (*conv)->begin_rollout();
}

void GroupNcaImpl::end_rollout() {
  for (auto* conv : {&perception, &hidden, &output})
    if (!conv->is_empty()) (*conv)->end_rollout();
}

}  // namespace eqnca::models
