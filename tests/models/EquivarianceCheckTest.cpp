// The rollout equivariance checker itself: which elements it takes, what it returns, that it is
// reproducible and leaves the model as it found it, and that it can fail. Tolerance: a C4 model
// (float32, weights ~ N(0, 0.1)) over 16 steps from the seed, on every element with shared
// masks: <= 1e-5 (float32 rounding accumulated over 16 steps is ~1e-7); the growing baseline on
// the same check must show >= 1e-2 (it shows O(1)).
#include "models/equivariance_check.h"

#include <gtest/gtest.h>

#include "tests/models/ModelTestUtil.h"

using namespace eqnca;

namespace {
models::NcaModel float_model(const std::string& name) {
  models::ModelConfig c;
  c.name = name;
  auto m = models::make_model(c);
  model_testing::randomise(m, 0.1, 7);
  return m;
}
}  // namespace

TEST(EquivarianceCheck, DefaultElementsFollowTheModelsGroup) {
  const size_t angles = groups::default_check_angles().size();
  EXPECT_EQ(models::default_check_elements(*float_model("c4")).size(), 4u);  // every element
  EXPECT_EQ(models::default_check_elements(*float_model("d4")).size(), 8u);
  EXPECT_EQ(models::default_check_elements(*float_model("growing")).size(), angles);  // C1: the angles
  EXPECT_EQ(models::default_check_elements(*float_model("steerable")).size(), angles);
  EXPECT_EQ(models::default_check_elements(*float_model("so2")).size(), angles);
  EXPECT_EQ(models::default_check_elements(*float_model("o2")).size(), 2 * angles);  // and mirrored
  EXPECT_THROW(models::check_elements(*float_model("c4"), {45.0}, false), std::invalid_argument);
  // Baselines are measured in O(2), so they take mirrors too.
  const auto mirrored = models::check_elements(*float_model("growing"), {90.0}, true);
  ASSERT_EQ(mirrored.size(), 2u);
  EXPECT_TRUE(mirrored[1].reflection);
}

TEST(EquivarianceCheck, ExactModelPassesAndBaselineFails) {
  auto c4 = float_model("c4");
  const auto results = models::check_equivariance(*c4, models::EquivarianceCheckOptions().steps(16));
  ASSERT_EQ(results.size(), 4u);
  for (const auto& r : results) {
    EXPECT_TRUE(r.exact);
    ASSERT_EQ(r.rel_error_shared_mask.size(), 16u);
    ASSERT_EQ(r.rel_error_independent_mask.size(), 16u);
    EXPECT_LE(r.max_rel_error(), 1e-5) << groups::describe(r.element);
    EXPECT_EQ(r.final_rel_error(), r.rel_error_shared_mask.back());
  }
  EXPECT_EQ(results[0].max_rel_error(), 0.0);  // the identity
  // The rollout must have done something, or the bound above proves nothing.
  EXPECT_GT((results[0].final_state - c4->seed(1, 33, 33)).norm().item<double>(), 1e-2);
  auto growing = float_model("growing");
  const auto bad = models::check_equivariance(
      *growing, models::EquivarianceCheckOptions().steps(16).elements(models::check_elements(*growing, {90.0}, false)));
  EXPECT_GE(models::max_rel_error(bad), 1e-2);
}

TEST(EquivarianceCheck, ReproducibleAndIndependentMasksAreOptional) {
  auto m = float_model("c4");
  const auto options = models::EquivarianceCheckOptions().steps(4).height(17).width(17).seed(11);
  const auto a = models::check_equivariance(*m, options);
  const auto b = models::check_equivariance(*m, options);
  const auto shared_only =
      models::check_equivariance(*m, models::EquivarianceCheckOptions(options).independent_masks(false));
  const auto other_seed = models::check_equivariance(*m, models::EquivarianceCheckOptions(options).seed(12));
  ASSERT_EQ(a.size(), shared_only.size());
  bool independent_differs = false;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].rel_error_shared_mask, b[i].rel_error_shared_mask);
    EXPECT_EQ(a[i].rel_error_independent_mask, b[i].rel_error_independent_mask);
    // The independent masks are drawn after the shared ones, so leaving them out changes nothing else.
    EXPECT_EQ(a[i].rel_error_shared_mask, shared_only[i].rel_error_shared_mask);
    EXPECT_TRUE(shared_only[i].rel_error_independent_mask.empty());
    independent_differs |= a[i].rel_error_independent_mask != other_seed[i].rel_error_independent_mask;
  }
  EXPECT_TRUE(independent_differs);
}

TEST(EquivarianceCheck, ObserverSeesEveryStepAndModelIsLeftAsFound) {
  auto m = float_model("d4");
  m->train();
  std::vector<std::pair<size_t, int>> calls;
  torch::Tensor last;
  const auto results =
      models::check_equivariance(*m, models::EquivarianceCheckOptions().steps(3).height(9).width(9).on_step(
                                         [&](size_t element, int step, const torch::Tensor& state) {
                                           calls.emplace_back(element, step);
                                           last = state;
                                         }));
  ASSERT_EQ(calls.size(), 8u * 3u);
  EXPECT_EQ(calls[4], std::make_pair(size_t(1), 2));
  EXPECT_TRUE(last.equal(results.back().final_state));
  EXPECT_TRUE(m->is_training());
  for (const auto& p : m->parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(EquivarianceCheck, RoundingMasksMattersOnlyOffTheGrid) {
  auto m = float_model("c8");
  const auto options = models::EquivarianceCheckOptions().steps(3).height(17).width(17).independent_masks(false);
  const auto rounded = models::check_equivariance(*m, options);
  const auto bilinear = models::check_equivariance(*m, models::EquivarianceCheckOptions(options).round_masks(false));
  ASSERT_EQ(rounded.size(), 8u);
  for (size_t i = 0; i < rounded.size(); ++i) {
    if (rounded[i].exact) {
      EXPECT_EQ(rounded[i].rel_error_shared_mask, bilinear[i].rel_error_shared_mask);
    } else {
      EXPECT_NE(rounded[i].rel_error_shared_mask, bilinear[i].rel_error_shared_mask);
    }
  }
}

TEST(EquivarianceCheck, StartStateReplacesTheSeed) {
  auto m = float_model("c4");
  torch::manual_seed(1);
  torch::Tensor start = torch::randn({2, m->channels(), 11, 11});
  start.narrow(1, 3, 1).uniform_(0.2, 1.0);
  const auto results = models::check_equivariance(*m, models::EquivarianceCheckOptions().start(start).steps(5));
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[1].final_state.sizes(), start.sizes());
  EXPECT_LE(models::max_rel_error(results), 1e-5);
}

TEST(EquivarianceCheck, BadOptionsFailNamingTheOption) {
  auto m = float_model("c4");
  auto message = [&](const models::EquivarianceCheckOptions& o) {
    try {
      models::check_equivariance(*m, o);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no throw");
  };
  EXPECT_NE(message(models::EquivarianceCheckOptions().steps(0)).find("steps"), std::string::npos);
  EXPECT_NE(message(models::EquivarianceCheckOptions().height(2)).find("grid"), std::string::npos);
  EXPECT_NE(message(models::EquivarianceCheckOptions().start(torch::zeros({1, 3, 9, 9}))).find("start"),
            std::string::npos);
}
