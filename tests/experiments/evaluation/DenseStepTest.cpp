// The dense 3x3 + 1x1 network of experiments/evaluation/dense_step.h against each model's own step.
#include "experiments/evaluation/dense_step.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "experiments/evaluation/model_loading.h"

namespace eqnca::experiments {
namespace {

models::NcaModel random_model(const std::string& name) {
  ModelSource source;
  source.model = name;
  source.seed = 7;
  return load_model(source).model;
}

// Largest |dense - model| over 12 steps from the model's seed, every cell firing.
double rollout_gap(models::NcaModelImpl& model, const DenseNcaStep& net) {
  torch::NoGradGuard no_grad;
  torch::Tensor a = model.seed(1, 17, 17), b = a.clone();
  const torch::Tensor ones = torch::ones({1, 1, 17, 17});
  model.begin_rollout();
  double gap = 0.0;
  for (int t = 0; t < 12; ++t) {
    a = model.step(a, ones);
    b = apply_dense_step(net, b, ones);
    gap = std::max(gap, (a - b).abs().max().item<double>());
  }
  model.end_rollout();
  return gap;
}

class DenseStepModels : public ::testing::TestWithParam<std::string> {};

// Float32 rounding of differently ordered sums: 1e-4 on states of order 1.
TEST_P(DenseStepModels, MatchesTheModelsOwnRollout) {
  models::NcaModel model = random_model(GetParam());
  const DenseNcaStep net = dense_nca_step(*model);
  EXPECT_EQ(net.conv.size(1), model->channels());
  EXPECT_LT(rollout_gap(*model, net), 1e-4);
}

// The same check fails when one weight of the dense network is off by 0.05.
TEST_P(DenseStepModels, APerturbedWeightFailsTheCheck) {
  models::NcaModel model = random_model(GetParam());
  DenseNcaStep net = dense_nca_step(*model);
  net.conv[0][3][1][1] += 0.05;
  net.b2[3] += 0.05;
  EXPECT_GT(rollout_gap(*model, net), 1e-3);
}

INSTANTIATE_TEST_SUITE_P(Exportable, DenseStepModels,
                         ::testing::Values("growing", "isotropic", "c4", "d4", "c8", "c16"));

TEST(DenseStep, RefusesModelsItCannotExpressByName) {
  for (const std::string name : {"steerable", "so2"}) {
    models::NcaModel model = random_model(name);
    try {
      dense_nca_step(*model);
      FAIL() << name << " was exported";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("'" + name + "'"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace eqnca::experiments
