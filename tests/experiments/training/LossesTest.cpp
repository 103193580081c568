// Losses: rgba_mse, group_min (exact for C4 rotations of the target) and the polar
// cross-correlation loss (invariant to 90-degree rotations and, when mirrored, reflections of
// the state; not to translations).
#include <gtest/gtest.h>

#include "experiments/training/losses.h"
#include "layers/grid_action.h"

namespace eqnca::experiments {
namespace {

// A chiral RGBA blob on a 24x24 grid: no rotation or mirror maps it onto itself.
torch::Tensor chiral_target() {
  auto t = torch::zeros({1, 4, 24, 24});
  t.slice(2, 8, 16).slice(3, 8, 16).fill_(0.6);               // square body, all channels
  t.slice(2, 6, 8).slice(3, 10, 16).fill_(0.9);               // top bar, off-centre to the right
  t.slice(2, 14, 18).slice(3, 6, 8).select(1, 0).fill_(1.0);  // red foot bottom left
  return t;
}

// A state with 4 hidden channels of noise after the RGBA, as a model's state would have.
torch::Tensor as_state(const torch::Tensor& rgba) {
  torch::manual_seed(3);
  return torch::cat({rgba.repeat({2, 1, 1, 1}), torch::rand({2, 4, rgba.size(2), rgba.size(3)})}, 1);
}

groups::GroupElement rot90() { return groups::Group::cyclic(4).element(1); }

TEST(LossesTest, MseIsPerSampleAndOnRgbaOnly) {
  auto target = chiral_target();
  auto state = as_state(target);
  state[1].slice(0, 0, 4).add_(0.5);
  auto loss = rgba_mse_loss(state, target);
  ASSERT_EQ(loss.sizes(), torch::IntArrayRef({2}));
  EXPECT_NEAR(loss[0].item<double>(), 0.0, 1e-12);
  EXPECT_NEAR(loss[1].item<double>(), 0.25, 1e-6);  // float32 mean of 0.5^2
}

TEST(LossesTest, GroupMinIsZeroForARotatedTargetWhereMseIsNot) {
  auto target = chiral_target();
  auto state = as_state(layers::rotate_grid(target, rot90()));
  auto group_min = group_min_loss(state, target, groups::Group::cyclic(4));
  auto mse = rgba_mse_loss(state, target);
  // 90-degree rotations are index permutations: exact.
  EXPECT_LT(group_min.max().item<double>(), 1e-12);
  EXPECT_GT(mse.min().item<double>(), 1e-2);
  // C2 does not contain the 90-degree rotation.
  EXPECT_GT(group_min_loss(state, target, groups::Group::cyclic(2)).min().item<double>(), 1e-2);
}

TEST(LossesTest, GroupMinNeedsAFiniteGroup) {
  EXPECT_THROW(make_loss("group_min", chiral_target(), groups::Group::so2(3)), std::invalid_argument);
  EXPECT_THROW(make_loss("huber", chiral_target(), groups::Group::cyclic(4)), std::invalid_argument);
}

TEST(LossesTest, PolarIsInvariantToRotatingTheStateBy90Degrees) {
  auto target = chiral_target();
  torch::manual_seed(1);
  auto state = as_state(target) + 0.2 * torch::rand({2, 8, 24, 24});
  auto rotated = layers::rotate_grid(state, rot90());
  auto a = polar_loss(state, target, false), b = polar_loss(rotated, target, false);
  // The polar grid has a multiple of 8 angles, so a 90-degree rotation is an exact shift; the
  // tolerance covers float32 resampling only.
  EXPECT_LT((a - b).abs().max().item<double>(), 1e-3 * a.abs().max().item<double>() + 1e-7);
  EXPECT_LT(polar_loss(as_state(layers::rotate_grid(target, rot90())), target, false).max().item<double>(), 1e-6);
}

TEST(LossesTest, PolarIsNotInvariantToTranslation) {
  auto target = chiral_target();
  auto shifted = as_state(torch::roll(target, {3, 2}, {2, 3}));
  EXPECT_LT(polar_loss(as_state(target), target, false).max().item<double>(), 1e-6);
  EXPECT_GT(polar_loss(shifted, target, false).min().item<double>(), 1e-3);
}

TEST(LossesTest, MirroredPolarLossAcceptsAReflectedState) {
  auto target = chiral_target();
  auto mirrored = as_state(target.flip({3}));
  EXPECT_LT(polar_loss(mirrored, target, true).max().item<double>(), 1e-6);
  EXPECT_GT(polar_loss(mirrored, target, false).min().item<double>(), 1e-3);
}

TEST(LossesTest, PolarLossHasGradients) {
  auto target = chiral_target();
  auto state = (as_state(target) * 0.5).requires_grad_(true);
  polar_loss(state, target, true).sum().backward();
  ASSERT_TRUE(state.grad().defined());
  EXPECT_TRUE(torch::isfinite(state.grad()).all().item<bool>());
  EXPECT_GT(state.grad().slice(1, 0, 4).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(state.grad().slice(1, 4).abs().sum().item<double>(), 0.0);  // hidden channels unused
}

}  // namespace
}  // namespace eqnca::experiments
