// The steerable NCA turns its cells' angle channel with the grid: rotations are symmetries,
// mirrors are not (it is chiral). Tolerance (models/equivariance_check.h's shared-mask relative
// error, float64, weights ~ N(0, 0.1), 8 steps from a random live state, every cell live so every
// angle turns): a quarter turn <= 1e-5 (exact up to rounding); the mirror, and the growing
// baseline at the same quarter turn, must show >= 1e-2.
#include "models/steerable_nca.h"

#include <gtest/gtest.h>

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
