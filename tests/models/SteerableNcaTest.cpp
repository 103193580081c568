// The steerable NCA turns its cells' angle channel with the grid: rotations are symmetries,
// mirrors are not (it is chiral). Tolerance (models/equivariance_check.h's shared-mask relative
// error, float64, weights ~ N(0, 0.1), 8 steps from a random live state, every cell live so every
// angle turns): a quarter turn <= 1e-5 (exact up to rounding); the mirror, and the growing
// baseline at the same quarter turn, must show >= 1e-2. The fused step (kernels::Stencils::
// Steered) in float32, 8 steps from a live 31x31 state with masks turned along: every quarter
// turn <= 1e-5 relative (float32 rounding of sums of ~60 terms); the growing baseline's fused
// step >= 1e-2.
#include "models/steerable_nca.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "kernels/sobel_mlp_step.h"
#include "layers/grid_action.h"
#include "tests/models/ModelTestUtil.h"

using namespace eqnca;

TEST(SteerableNca, RotationButNotMirrorEquivariant) {
  auto m = model_testing::random_model("steerable");
  const torch::Tensor s = model_testing::live_state(m, 21, torch::kDouble);
  const auto d4 = groups::Group::dihedral(4);
  EXPECT_LE(model_testing::shared_mask_error(m, s, {d4.element(1)}, 8, 5), 1e-5);
  EXPECT_GE(model_testing::shared_mask_error(m, s, {d4.element(4)}, 8, 5), 1e-2);  // chiral
  EXPECT_GE(model_testing::growing_baseline_error(false, {90.0}, 8, 5), 1e-2);
}

TEST(SteerableNca, OptionsAndSeed) {
  models::SteerableNca m(models::SteerableNcaOptions().channels(8).hidden(32));
  EXPECT_EQ(m->name(), "steerable");
  EXPECT_EQ(m->channels(), 8);
  // Perception [s, Laplacian, local dx, local dy] over every channel but the angle.
  EXPECT_EQ(m->update->fc0->weight.size(1), 4 * 7);
  EXPECT_EQ(m->update->fc0->weight.size(0), 32);
  const torch::Tensor seed = m->seed(1, 5, 5);
  EXPECT_EQ(seed.select(1, 7).abs().sum().item<float>(), 0.0f);  // the seed faces angle 0
  EXPECT_EQ(seed.select(1, 3)[0][2][2].item<float>(), 1.0f);
  try {
    models::SteerableNca bad(models::SteerableNcaOptions().channels(4));
    FAIL() << "expected a throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("channels"), std::string::npos);
  }
}

// The worst relative error over the quarter turns g of F^8(g.s) against g.F^8(s), F the fused
// step with masks turned along.
double fused_quarter_turn_error(models::NcaModel& m) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(11);
  const torch::Tensor s = model_testing::live_state(m, 31, torch::kFloat);
  std::vector<torch::Tensor> masks;
  for (int t = 0; t < 8; ++t) masks.push_back((torch::rand({1, 1, 31, 31}) < 0.5).to(torch::kFloat));
  const auto w = m->sobel_mlp_weights();
  const auto run = [&](torch::Tensor x, const groups::GroupElement& g) {
    x = x.permute({0, 2, 3, 1}).contiguous();
    for (const torch::Tensor& mask : masks)
      x = kernels::sobel_mlp_step(x, layers::rotate_grid(mask, g).squeeze(1).contiguous(), *w, m->padding());
    return x.permute({0, 3, 1, 2}).contiguous();
  };
  const auto c4 = groups::Group::cyclic(4);
  const torch::Tensor plain = run(s, c4.element(0));
  double worst = 0.0;
  for (int k = 1; k < 4; ++k) {
    const auto g = c4.element(k);
    const torch::Tensor turned = run(m->transform_state(s, g), g), expected = m->transform_state(plain, g);
    worst = std::max(worst, ((turned - expected).norm() / expected.norm()).item<double>());
  }
  return worst;
}

TEST(SteerableNca, FusedStepIsQuarterTurnEquivariant) {
  models::NcaModel steerable = model_testing::random_model("steerable");
  steerable->to(torch::kFloat);
  EXPECT_LE(fused_quarter_turn_error(steerable), 1e-5);
  models::NcaModel growing = model_testing::random_model("growing");
  growing->to(torch::kFloat);
  EXPECT_GE(fused_quarter_turn_error(growing), 1e-2);
}
