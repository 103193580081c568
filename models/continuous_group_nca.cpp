// Group NCA over SO(2) / O(2); see continuous_group_nca.h.
#include "models/continuous_group_nca.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "groups/check.h"
#include "models/feature_basis.h"
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
  return kernels::make_spectral_mlp(representatives, t, fourier->sampling(), fourier->projection(), torch::Tensor(),
                                    tap_feature_basis());
}

// The nine taps of each channel move among themselves under the grid's exact rotations (C4, and
// D4 with reflections): the centre stays, the four edge and the four corner neighbours each turn
// as a ring. Copies: every state channel block the exact group keeps together (RGBA channels,
// each frequency's pair or single of a field) times one ring.
torch::Tensor ContinuousGroupNcaImpl::tap_feature_basis() const {
  const groups::Group exact = state_.group().has_reflections() ? groups::Group::dihedral(4) : groups::Group::cyclic(4);
  const std::vector<groups::GroupElement> elements = exact.elements();
  const layers::FieldType& type = state_.type();
  const int64_t channels = type.channels();
  // The state's action on its channels at each exact element (RGBA trivial, then the fields).
  std::vector<Eigen::MatrixXd> state_action;
  for (const groups::GroupElement& e : elements) {
    Eigen::MatrixXd m = Eigen::MatrixXd::Identity(channels, channels);
    const int64_t d = state_.field().dim(), first = channels - d * options_.state_fields();
    for (int64_t j = 0; j < options_.state_fields(); ++j)
      m.block(first + j * d, first + j * d, d, d) = state_.field()(e);
    state_action.push_back(m);
  }
  // Channel blocks: connected by a non-zero of some element's action.
  std::vector<int64_t> block(size_t(channels), -1);
  std::vector<std::vector<int64_t>> blocks;
  for (int64_t c = 0; c < channels; ++c) {
    if (block[size_t(c)] >= 0) continue;
    std::vector<int64_t> members{c};
    block[size_t(c)] = int64_t(blocks.size());
    for (size_t i = 0; i < members.size(); ++i)
      for (const Eigen::MatrixXd& m : state_action)
        for (int64_t o = 0; o < channels; ++o)
          if (block[size_t(o)] < 0 && std::abs(m(o, members[i])) > 1e-12) {
            block[size_t(o)] = block[size_t(c)];
            members.push_back(o);
          }
    std::sort(members.begin(), members.end());
    blocks.push_back(members);
  }
  // Taps: kernel order k -> window position (row 0 at the top, y up); an element moves the
  // offset (dx, dy) = (col - 1, 1 - row) by R(angle) F^reflection, F = diag(-1, 1).
  const std::array<int, 9> position{4, 0, 1, 2, 3, 5, 6, 7, 8};
  auto tap_of = [&](int row, int col) {
    return int(std::find(position.begin(), position.end(), row * 3 + col) - position.begin());
  };
  auto moved = [&](int k, const groups::GroupElement& e) {
    int dx = position[size_t(k)] % 3 - 1, dy = 1 - position[size_t(k)] / 3;
    if (e.reflection) dx = -dx;
    for (int q = 0; q < int(std::lround(e.angle / (0.5 * M_PI))) % 4; ++q) {
      const int x = dx;
      dx = -dy;
      dy = x;
    }
    return tap_of(1 - dy, dx + 1);
  };
  const std::vector<std::vector<int>> rings{{0}, {2, 4, 5, 7}, {1, 3, 6, 8}};  // centre, edges, corners
  std::vector<FeatureCopy> copies;
  for (const std::vector<int64_t>& members : blocks)
    for (const std::vector<int>& ring : rings) {
      FeatureCopy copy;
      for (int64_t c : members)
        for (int k : ring) copy.features.push_back(c * 9 + k);
      const int64_t n = int64_t(copy.features.size()), r = int64_t(ring.size());
      for (size_t e = 0; e < elements.size(); ++e) {
        Eigen::MatrixXd m = Eigen::MatrixXd::Zero(n, n);
        for (int64_t a = 0; a < int64_t(members.size()); ++a)
          for (int64_t i = 0; i < r; ++i) {
            const int to = moved(ring[size_t(i)], elements[e]);
            const int64_t to_index = int64_t(std::find(ring.begin(), ring.end(), to) - ring.begin());
            for (int64_t b = 0; b < int64_t(members.size()); ++b)
              m(b * r + to_index, a * r + i) = state_action[e](members[size_t(b)], members[size_t(a)]);
          }
        copy.action.push_back(m);
      }
      copies.push_back(std::move(copy));
    }
  return feature_basis(exact, copies, 9 * channels);
}

std::optional<kernels::SobelMlpWeights> ContinuousGroupNcaImpl::sobel_mlp_weights() const {
  if (!spectral_) spectral_ = make_spectral_plan();  // on first use: model building stays cheap
  return kernels::spectral_weights(model_weights(perception, output), spectral_);
}

}  // namespace eqnca::models
