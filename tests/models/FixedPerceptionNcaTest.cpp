// The fixed-perception NCA: the filter list makes the model. "growing" (identity + Sobel) is
// Distill's baseline with its published 8,336 parameters and the fused step's weights;
// "isotropic" (identity + Laplacian) is D4-equivariant. Equivariance tolerance
// (models/equivariance_check.h's shared-mask relative error, float64, weights ~ N(0, 0.1), 8
// steps from a random live state): isotropic <= 1e-5 on every element of D4 (exact up to
// rounding); growing, on the same check, must show >= 1e-2.
#include "models/fixed_perception_nca.h"

#include <gtest/gtest.h>

#include "tests/models/ModelTestUtil.h"

using namespace eqnca;
using layers::PerceptionFilter;

TEST(FixedPerceptionNca, PresetsAreGrowingAndIsotropic) {
  models::FixedPerceptionNca growing(models::FixedPerceptionNcaOptions::growing());
  EXPECT_EQ(growing->name(), "growing");
  EXPECT_EQ(growing->group(), groups::Group::cyclic(1));
  EXPECT_EQ(growing->parameter_count(), 8336);
  EXPECT_TRUE(growing->sobel_mlp_weights().has_value());
  models::FixedPerceptionNca isotropic(models::FixedPerceptionNcaOptions::isotropic());
  EXPECT_EQ(isotropic->name(), "isotropic");
  EXPECT_EQ(isotropic->group(), groups::Group::dihedral(4));
  EXPECT_EQ(isotropic->parameter_count(), 6288);
  EXPECT_EQ(isotropic->sobel_mlp_weights()->stencils, kernels::Stencils::Laplacian);  // on the fused step too
}

TEST(FixedPerceptionNca, AnyFilterListBuildsAModel) {
  models::FixedPerceptionNca m(
      models::FixedPerceptionNcaOptions(
          {PerceptionFilter::Identity, PerceptionFilter::Laplacian, PerceptionFilter::SobelX, PerceptionFilter::SobelY})
          .channels(8)
          .hidden(16)
          .name("mixed"));
  EXPECT_EQ(m->name(), "mixed");
  EXPECT_EQ(m->update->fc0->weight.size(1), 8 * 4);  // features: channels x filters
  EXPECT_EQ(m->group(), groups::Group::cyclic(1));   // a Sobel filter ties it to the axes
  EXPECT_FALSE(m->sobel_mlp_weights().has_value());  // the fused step knows identity + Sobel only
}

TEST(FixedPerceptionNca, FusedWeightsAreTheDenseLayers) {
  models::FixedPerceptionNca m(models::FixedPerceptionNcaOptions::growing());
  const auto w = m->sobel_mlp_weights();
  ASSERT_TRUE(w.has_value());
  EXPECT_TRUE(w->w1.equal(m->update->fc0->weight.flatten(1)));
  EXPECT_TRUE(w->b1.equal(m->update->fc0->bias));
  EXPECT_TRUE(w->w2.equal(m->update->fc1->weight.flatten(1)));
  EXPECT_TRUE(w->b2.equal(m->update->fc1->bias));
}

TEST(FixedPerceptionNca, AFreshModelLeavesTheSeedUnchanged) {
  // The last layer starts at zero (Distill's "do nothing" start).
  models::FixedPerceptionNca m(models::FixedPerceptionNcaOptions::growing());
  const torch::Tensor seed = m->seed(1, 9, 9);
  torch::NoGradGuard ng;
  EXPECT_TRUE(m->step(seed, torch::ones({1, 1, 9, 9})).equal(seed));
}

TEST(FixedPerceptionNca, IsotropicIsD4EquivariantAndGrowingIsNot) {
  auto iso = model_testing::random_model("isotropic");
  const torch::Tensor s = model_testing::live_state(iso, 21, torch::kDouble);
  EXPECT_LE(model_testing::shared_mask_error(iso, s, groups::Group::dihedral(4).elements(), 8, 6), 1e-5);
  auto growing = model_testing::random_model("growing");
  const torch::Tensor sg = model_testing::live_state(growing, 21, torch::kDouble);
  EXPECT_GE(model_testing::shared_mask_error(growing, sg, groups::Group::dihedral(4).elements(), 8, 6), 1e-2);
}

TEST(FixedPerceptionNca, BadOptionsFailNamingTheOption) {
  auto message = [](const models::FixedPerceptionNcaOptions& o) {
    try {
      models::FixedPerceptionNca m(o);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no throw");
  };
  const auto growing = models::FixedPerceptionNcaOptions::growing();
  EXPECT_NE(message(models::FixedPerceptionNcaOptions(growing).channels(3)).find("channels"), std::string::npos);
  EXPECT_NE(message(models::FixedPerceptionNcaOptions(growing).hidden(0)).find("hidden"), std::string::npos);
  EXPECT_NE(message(models::FixedPerceptionNcaOptions(growing).fire_rate(0.0)).find("fire_rate"), std::string::npos);
  EXPECT_NE(message(models::FixedPerceptionNcaOptions(std::vector<PerceptionFilter>{})).find("filters"),
            std::string::npos);
}
