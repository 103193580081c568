// evaluate_equivariance on untrained models with random (non-zero) weights, so the update rule
// is not the identity. Tolerances: a C4 model on 90-degree rotations is exact up to float32
// rounding accumulated over 16 steps (~1e-6), so 1e-5; the Distill baseline, whose seed and
// channels do not rotate, must be off by at least 1e-2 (it is off by O(1)), showing the test
// can fail. The JSON is parsed back: keys in order, one object per element, numbers exact.
#include "experiments/evaluation/equivariance_eval.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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
  EXPECT_EQ(default_elements(*random_model("c4")).size(), 4u);       // every element of C4
  EXPECT_EQ(default_elements(*random_model("d4")).size(), 8u);       // every element of D4
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

std::vector<std::string> keys_of(const nlohmann::ordered_json& object) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.push_back(key);
  return keys;
}

TEST(EquivarianceEvalTest, JsonHasEveryElementAndStableKeys) {
  models::NcaModel m = random_model("c4");
  EvalOptions options;
  options.steps = 3;
  options.height = options.width = 17;
  const EquivarianceSummary s = evaluate_equivariance(m, options);
  const std::string text = to_json(s);
  EXPECT_EQ(text.find('\n'), std::string::npos) << "one line expected";
  const auto json = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(keys_of(json), std::vector<std::string>({"model", "group", "steps", "elements"}));
  EXPECT_EQ(json["model"], s.model);
  EXPECT_EQ(json["group"], s.group);
  EXPECT_EQ(json["steps"], 3);
  ASSERT_EQ(json["elements"].size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const auto& e = json["elements"][i];
    EXPECT_EQ(keys_of(e),
              std::vector<std::string>({"angle_deg", "reflection", "exact", "max_rel_error", "final_rel_error",
                                        "final_rel_error_independent", "rotated_target_loss", "texture_loss_turned",
                                        "texture_loss_unturned"}));
    EXPECT_EQ(e["angle_deg"].get<double>(), s.elements[i].angle_deg);
    EXPECT_EQ(e["reflection"], s.elements[i].reflection);
    EXPECT_EQ(e["max_rel_error"].get<double>(), s.elements[i].max_rel_error);  // exact round trip
    EXPECT_TRUE(e["rotated_target_loss"].is_null()) << "no target was given";
    EXPECT_TRUE(e["texture_loss_turned"].is_null()) << "no texture was given";
  }
}

TEST(EquivarianceEvalTest, JsonWritesNonFiniteAsNullAndEscapesStrings) {
  EquivarianceSummary s;
  s.model = "a\"b\\c\n";
  s.group = "C4";
  s.steps = 2;
  ElementResult e;
  e.angle_deg = 0.1;  // not exact in binary: only a round-tripping printer gets it back
  e.max_rel_error = std::nan("");
  e.final_rel_error = std::numeric_limits<double>::infinity();
  e.rel_error_independent_mask = {1.0, 1.0 / 3.0};
  e.rotated_target_loss = {0.5, std::nan("")};
  s.elements = {e};
  const std::string text = to_json(s);
  EXPECT_EQ(text.find("nan"), std::string::npos) << text;
  EXPECT_EQ(text.find("inf"), std::string::npos) << text;
  const auto json = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(json["model"], s.model);
  const auto& element = json["elements"][0];
  EXPECT_EQ(element["angle_deg"].get<double>(), 0.1);
  EXPECT_TRUE(element["max_rel_error"].is_null());
  EXPECT_TRUE(element["final_rel_error"].is_null());
  EXPECT_EQ(element["final_rel_error_independent"].get<double>(), 1.0 / 3.0);
  EXPECT_TRUE(element["rotated_target_loss"].is_null());
}

}  // namespace
}  // namespace eqnca::experiments
