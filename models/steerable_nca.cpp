// Growing Steerable NCA; see steerable_nca.h.
#include "models/steerable_nca.h"

#include <cmath>

#include "groups/check.h"
#include "layers/grid_action.h"

namespace eqnca::models {
namespace {
// Turns the angle channel (the last) of every non-empty cell by g.
torch::Tensor turn_angles(const torch::Tensor& state, const groups::GroupElement& g) {
  const int64_t a = state.size(1) - 1;
  torch::Tensor out = state.clone();
  torch::Tensor theta = state.narrow(1, a, 1);
  const torch::Tensor live = (state.abs().sum(1, true) > 0).to(state.scalar_type());
  torch::Tensor turned = g.reflection ? (M_PI - theta) : theta;
  out.narrow(1, a, 1).copy_(turned + live * g.angle);
  return out;
}
}  // namespace

SteerableNcaImpl::SteerableNcaImpl(SteerableNcaOptions options) : options_(options) {
  const int c = options_.channels();
  EQNCA_CHECK(c >= 5, "channels must be >= 5 for the steerable NCA (RGBA, hidden, angle), got {}", c);
  EQNCA_CHECK(options_.hidden() >= 1, "hidden must be >= 1, got {}", options_.hidden());
  set_mechanics(options_.fire_rate(), options_.padding());
  using layers::PerceptionFilter;
  perception = register_module(
      "perception", layers::NcaPerception(
                        layers::NcaPerceptionOptions(c - 1, {PerceptionFilter::Identity, PerceptionFilter::Laplacian,
                                                             PerceptionFilter::SobelX, PerceptionFilter::SobelY})
                            .padding(options_.padding())));
  update = register_module("update", DenseUpdate(DenseUpdateOptions(4 * (c - 1), options_.hidden(), c)));
}

torch::Tensor SteerableNcaImpl::make_seed(int64_t batch, int64_t height, int64_t width) const {
  torch::Tensor s = NcaModelImpl::make_seed(batch, height, width);
  s.narrow(1, channels() - 1, 1).zero_();  // the seed faces angle 0
  return s;
}

torch::Tensor SteerableNcaImpl::step(const torch::Tensor& state, const torch::Tensor& update_mask) {
  const int64_t c = channels() - 1;
  const torch::Tensor p = perception(state.narrow(1, 0, c));  // (B, 4c, H, W), per channel [s, lap, dx, dy]
  const auto b = state.size(0), h = state.size(2), w = state.size(3);
  const torch::Tensor f = p.view({b, c, 4, h, w});
  const torch::Tensor theta = state.narrow(1, c, 1);  // (B, 1, H, W) broadcasts over channels
  const torch::Tensor cs = torch::cos(theta), sn = torch::sin(theta);
  const torch::Tensor dx = f.select(2, 2), dy = f.select(2, 3);
  // R(-theta) (dx, dy): the gradient in the cell's own frame.
  const torch::Tensor local_x = cs * dx + sn * dy, local_y = -sn * dx + cs * dy;
  const torch::Tensor features =
      torch::stack({f.select(2, 0), f.select(2, 1), local_x, local_y}, 2).view({b, 4 * c, h, w});
  return layers::nca_update(state, update(features), update_mask, padding_);
}

std::optional<kernels::SobelMlpWeights> SteerableNcaImpl::sobel_mlp_weights() const {
  // The perception's filter order [identity, Laplacian, SobelX, SobelY] per channel is the
  // steered stencils' feature order, so fc0's columns need no permutation.
  return kernels::SobelMlpWeights{update->fc0->weight.flatten(1), update->fc0->bias,
                                  update->fc1->weight.flatten(1), update->fc1->bias,
                                  kernels::Stencils::Steered,     nullptr};
}

torch::Tensor SteerableNcaImpl::transform_state(const torch::Tensor& state, const groups::GroupElement& g) const {
  return turn_angles(layers::rotate_grid(state, g), g);
}

torch::Tensor SteerableNcaImpl::transform_fiber(const torch::Tensor& fiber, const groups::GroupElement& g) const {
  return turn_angles(fiber, g);
}

}  // namespace eqnca::models
