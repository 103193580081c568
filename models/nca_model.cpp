// Shared NCA model behaviour: random-mask steps, rollouts, seeds and the state action.
#include "models/nca_model.h"

#include <cmath>

#include "groups/check.h"
#include "kernels/rollout.h"
#include "layers/grid_action.h"

namespace eqnca::models {

torch::Tensor NcaModelImpl::step(const torch::Tensor& state) {
  const torch::Tensor mask =
      layers::stochastic_update_mask(state.size(0), state.size(2), state.size(3), fire_rate_, state.options());
  return step(state, mask);
}

torch::Tensor NcaModelImpl::grow(torch::Tensor state, int steps) {
  return kernels::make_rollout("plain")->run(*this, state, steps);
}

torch::Tensor NcaModelImpl::make_seed(int64_t batch, int64_t height, int64_t width) const {
  // Distill's seed: one cell at the centre with alpha and every hidden channel at 1.
  torch::Tensor s = torch::zeros({batch, channels(), height, width});
  s.index_put_({torch::indexing::Slice(), torch::indexing::Slice(3, torch::indexing::None), height / 2, width / 2},
               1.0);
  return s;
}

torch::Tensor NcaModelImpl::seed(int64_t batch, int64_t height, int64_t width, const groups::GroupElement& g) const {
  torch::Tensor s = make_seed(batch, height, width);
  if (g.angle == 0.0 && !g.reflection) return s;
  if (groups::is_grid_exact(g)) return transform_state(s, g);
  // Off the grid's symmetries the seed cell is not resampled (that would smear it): the cell
  // nearest to the rotated seed position receives the oriented fiber.
  const double cy = 0.5 * (height - 1), cx = 0.5 * (width - 1);
  double x = width / 2 - cx, y = cy - height / 2;
  if (g.reflection) x = -x;
  const double xr = std::cos(g.angle) * x - std::sin(g.angle) * y, yr = std::sin(g.angle) * x + std::cos(g.angle) * y;
  const int64_t col = std::lround(xr + cx), row = std::lround(cy - yr);
  using torch::indexing::Slice;
  torch::Tensor fiber = s.index({Slice(), Slice(), Slice(height / 2, height / 2 + 1), Slice(width / 2, width / 2 + 1)});
  torch::Tensor out = torch::zeros_like(s);
  out.index_put_({Slice(), Slice(), Slice(row, row + 1), Slice(col, col + 1)}, transform_fiber(fiber, g));
  return out;
}

torch::Tensor NcaModelImpl::transform_fiber(const torch::Tensor& fiber, const groups::GroupElement& g) const {
  return layers::act_on_channels(fiber, state_rep(g));
}

torch::Tensor NcaModelImpl::transform_state(const torch::Tensor& state, const groups::GroupElement& g) const {
  return layers::act_on_channels(layers::rotate_grid(state, g), state_rep(g));
}

Eigen::MatrixXd NcaModelImpl::state_rep(const groups::GroupElement& g) const {
  return state_type().representation()(g);
}

layers::FieldType NcaModelImpl::state_type(const groups::Group& group) const {
  return layers::FieldType::trivial(group, int(channels()));
}

void NcaModelImpl::set_mechanics(double fire_rate, layers::Padding padding) {
  EQNCA_CHECK(fire_rate > 0.0 && fire_rate <= 1.0, "fire_rate must be in (0, 1], got {}", fire_rate);
  fire_rate_ = fire_rate;
  padding_ = padding;
}

int64_t NcaModelImpl::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

}  // namespace eqnca::models
