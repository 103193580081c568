// evaluate_equivariance on untrained models with random (non-zero) weights, so the update rule
// is not the identity. Tolerances: a C4 model on 90-degree rotations is exact up to float32
// rounding accumulated over 16 steps (~1e-6), so 1e-5; the Distill baseline, whose seed and
// channels do not rotate, must be off by at least 1e-2 (it is off by O(1)), showing the test
// can fail. The JSON check is structural: keys, one object per element, balanced brackets.
#include "experiments/evaluation/equivariance_eval.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "experiments/evaluation/model_loading.h"
#include "models/model_factory.h"

namespace eqnca::experiments {
namespace {

models::NcaModel random_model(const std::string& name) {
  models::ModelConfig config;
  config.name = name;
  models::NcaModel m = models::make_model(config);
  randomize_parameters(*m, 0.1, 7);
  return m;
}

double worst_shared_error(const EquivarianceSummary& s) {
  double worst = 0.0;
  for (const auto& e : s.elements) worst = std::max(worst, e.max_rel_error);
  return worst;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

TEST(EquivarianceEvalTest, C4ModelIsExactOnEveryElementWithSharedMasks) {
  models::NcaModel m = random_model("c4");
  EvalOptions options;
  options.steps = 16;
  options.height = options.width = 33;
  const EquivarianceSummary s = evaluate_equivariance(m, options);
  ASSERT_EQ(s.elements.size(), 4u);
  EXPECT_EQ(s.model, m->name());
  EXPECT_EQ(s.steps, 16);
  for (const auto& e : s.elements) {
    EXPECT_TRUE(e.exact);
    EXPECT_EQ(e.rel_error_shared_mask.size(), 16u);
    EXPECT_EQ(e.rel_error_independent_mask.size(), 16u);
    EXPECT_LE(e.max_rel_error, 1e-5) << "at " << e.angle_deg << " deg";
  }
  // The rollout must actually have done something, or the bound above proves nothing.
  const torch::Tensor seed = m->seed(1, 33, 33);
  EXPECT_GT((s.elements[0].final_state - seed).norm().item<double>(), 1e-2);
}

TEST(EquivarianceEvalTest, C4ModelIsExactOnEvenGridsToo) {
  // Even grids rotate about a pixel corner; the rotated seed is then moved by the grid action.
  models::NcaModel m = random_model("c4");
  EvalOptions options;
  options.steps = 8;
  options.height = options.width = 32;
  EXPECT_LE(worst_shared_error(evaluate_equivariance(m, options)), 1e-5);
}

TEST(EquivarianceEvalTest, GrowingBaselineIsNotEquivariant) {
  models::NcaModel m = random_model("growing");
  EvalOptions options;
  options.steps = 16;
  options.height = options.width = 33;
  options.elements = elements_for(*m, {90.0, 180.0, 270.0}, false);
  const EquivarianceSummary s = evaluate_equivariance(m, options);
  ASSERT_EQ(s.elements.size(), 3u);
  EXPECT_GE(worst_shared_error(s), 1e-2);
}

TEST(EquivarianceEvalTest, DefaultElementsFollowTheGroup) {
  EXPECT_EQ(default_elements(*random_model("c4")).size(), 4u);    // every element of C4
  EXPECT_EQ(default_elements(*random_model("d4")).size(), 8u);    // every element of D4
  EXPECT_EQ(default_elements(*random_model("growing")).size(), 5u);  // the default angles
  EXPECT_THROW(elements_for(*random_model("c4"), {45.0}, false), std::invalid_argument);
}

TEST(EquivarianceEvalTest, RotatedTargetLossIsReported) {
  models::NcaModel m = random_model("c4");
  EvalOptions options;
  options.steps = 4;
  options.height = options.width = 17;
  options.target = torch::rand({1, 4, 17, 17});
  const EquivarianceSummary s = evaluate_equivariance(m, options);
  for (const auto& e : s.elements) {
    ASSERT_EQ(e.rotated_target_loss.size(), 4u);
    EXPECT_GT(e.rotated_target_loss.back(), 0.0);
  }
}

TEST(EquivarianceEvalTest, JsonHasEveryElementAndStableKeys) {
  models::NcaModel m = random_model("c4");
  EvalOptions options;
  options.steps = 3;
  options.height = options.width = 17;
  const std::string json = to_json(evaluate_equivariance(m, options));
  ASSERT_FALSE(json.empty());
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
  EXPECT_EQ(count(json, "{"), count(json, "}"));
  EXPECT_EQ(count(json, "["), count(json, "]"));
  EXPECT_EQ(json.rfind("{\"model\": ", 0), 0u);
  EXPECT_LT(json.find("\"group\": "), json.find("\"steps\": 3"));
  EXPECT_LT(json.find("\"steps\": 3"), json.find("\"elements\": ["));
  for (const char* key : {"\"angle_deg\"", "\"reflection\"", "\"exact\"", "\"max_rel_error\"",
                          "\"final_rel_error\"", "\"rotated_target_loss\": null"})
    EXPECT_EQ(count(json, key), 4u) << key;
  EXPECT_EQ(json.find("nan"), std::string::npos);
}

TEST(EquivarianceEvalTest, JsonNumbersAndStrings) {
  EXPECT_EQ(json_number(0.5), "0.5");
  EXPECT_EQ(json_number(std::nan("")), "null");
  EXPECT_EQ(json_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
}

}  // namespace
}  // namespace eqnca::experiments
