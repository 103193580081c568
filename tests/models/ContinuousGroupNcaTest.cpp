// The group NCA over SO(2) / O(2). Tolerances (models/equivariance_check.h's shared-mask relative
// error, float64, weights ~ N(0, 0.1)):
//  * quarter turns (and, for O(2), their mirror images), 8 steps from a random live state:
//    <= 1e-5. The harmonic basis is sampled on the grid, so these elements are exact up to
//    rounding; the growing baseline on the same check must show >= 1e-2.
//  * 45 and 22.5 degrees, one step from a smooth blob, the shared mask moved bilinearly (not
//    rounded): <= 0.05, what bilinear resampling of the blob costs (about 0.03-0.04) plus the
//    basis's own small error off the grid's symmetries (measured 0.030-0.041); the growing
//    baseline, whose Sobel axes do not turn, must exceed 0.06 (measured 0.069-0.083).
#include "models/continuous_group_nca.h"

#include <gtest/gtest.h>

#include <iostream>

#include "tests/models/ModelTestUtil.h"

using namespace eqnca;

TEST(ContinuousGroupNca, QuarterTurnsAreExact) {
  for (const std::string name : {"so2", "o2"}) {
    auto m = model_testing::random_model(name);
    const torch::Tensor s = model_testing::live_state(m, 21, torch::kDouble);
    const auto elements = models::check_elements(*m, {90.0, 180.0, 270.0}, m->group().has_reflections());
    const double e = model_testing::shared_mask_error(m, s, elements, 8, 5);
    std::cout << name << ": quarter turns, 8-step relative error " << e << "\n";
    EXPECT_LE(e, 1e-5) << name;
  }
  const double baseline = model_testing::growing_baseline_error(false, {90.0, 180.0, 270.0}, 8, 5);
  std::cout << "growing baseline: quarter turns, 8-step relative error " << baseline << "\n";
  EXPECT_GE(baseline, 1e-2);
}

TEST(ContinuousGroupNca, InterpolatedAnglesStayWithinTheirTolerance) {
  for (const std::string name : {"so2", "o2"}) {
    auto m = model_testing::random_model(name);
    const torch::Tensor s = model_testing::smooth_state(m);
    for (double deg : {45.0, 22.5}) {
      const double e = model_testing::shared_mask_error(m, s, {model_testing::element_at(m, deg)}, 1, 2);
      std::cout << name << " at " << deg << " deg: one-step relative error " << e << "\n";
      EXPECT_LE(e, 0.05) << name << " " << deg;
    }
  }
  for (double deg : {45.0, 22.5}) {
    const double e = model_testing::growing_baseline_error(true, {deg}, 1, 2);
    std::cout << "growing at " << deg << " deg: one-step relative error " << e << "\n";
    EXPECT_GT(e, 0.06) << deg;
  }
}

TEST(ContinuousGroupNca, OptionsBuildTheModel) {
  // Band limit 2: SO(2)'s band-limited field is psi_0 + psi_1 + psi_2 (5 channels), O(2)'s adds
  // the sign irrep psi_{1,0} (6 channels).
  models::ContinuousGroupNca so2(models::ContinuousGroupNcaOptions(groups::Group::so2(2)).state_fields(1));
  EXPECT_EQ(so2->name(), "so2");
  EXPECT_EQ(so2->channels(), 4 + 5);
  models::ContinuousGroupNca o2(
      models::ContinuousGroupNcaOptions(groups::Group::o2(2)).state_fields(2).padding(layers::Padding::Circular));
  EXPECT_EQ(o2->name(), "o2");
  EXPECT_EQ(o2->channels(), 4 + 2 * 6);
  EXPECT_EQ(o2->padding(), layers::Padding::Circular);
  // The fused step runs the 3x3 perception on the nine taps (kernels/spectral_mlp.h).
  const auto w = o2->sobel_mlp_weights();
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->stencils, kernels::Stencils::Taps);
  ASSERT_TRUE(w->spectral);
  EXPECT_EQ(w->spectral->to_values.size(0), 2 * (4 * 2 + 4));  // samples: 4L+4 rotations, mirrored too
  EXPECT_EQ(w->spectral->to_values.size(1), 6);                // psi_00 + psi_10 + psi_1 + psi_2
}

TEST(ContinuousGroupNca, BadOptionsFailNamingTheOption) {
  auto message = [](const models::ContinuousGroupNcaOptions& o) {
    try {
      models::ContinuousGroupNca m(o);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no throw");
  };
  const auto so2 = groups::Group::so2(3);
  EXPECT_NE(message(models::ContinuousGroupNcaOptions(groups::Group::cyclic(4))).find("C4"), std::string::npos);
  EXPECT_NE(message(models::ContinuousGroupNcaOptions(so2).hidden_fields(0)).find("hidden_fields"), std::string::npos);
  EXPECT_NE(message(models::ContinuousGroupNcaOptions(so2).state_fields(-1)).find("state_fields"), std::string::npos);
  EXPECT_NE(message(models::ContinuousGroupNcaOptions(so2).fire_rate(0.0)).find("fire_rate"), std::string::npos);
}
