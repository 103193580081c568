// One training iteration (experiments/training/train_step.h): the gradient normalisation on
// gradients of known norm; an iteration against a hand computation (autograd on a plain rollout
// from the same generator state, g / (|g| + 1e-8), an SGD step of 1), to 1e-5 relative through
// the plain backend (the same float32 arithmetic in another order) and 1e-4 through the fused
// ones (RolloutTest's gradient tolerance); Adam iterations lower the loss on a tiny problem; a
// non-finite loss changes nothing.
#include "experiments/training/train_step.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include "tests/models/ModelTestUtil.h"

namespace eqnca::experiments {
namespace {

double relative(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).norm() / b.norm().clamp_min(1e-30)).item<double>();
}

models::NcaModel growing_model() {
  models::ModelConfig config;
  config.name = "growing";
  return models::make_model(config);
}

// (2, C, 16, 16): N(0, 1) channels, alpha in (0, 1), so cells live, die and are born.
torch::Tensor random_state(const models::NcaModel& m) {
  torch::Tensor s = torch::randn({2, m->channels(), 16, 16});
  s.narrow(1, 3, 1).uniform_(0.0, 1.0);
  return s;
}

TEST(TrainStepTest, NormalisationMakesEveryGradientUnitNormAndReturnsTheGlobalNorm) {
  torch::Tensor a = torch::zeros({2}, torch::requires_grad()), b = torch::zeros({1, 1}, torch::requires_grad()),
                none = torch::zeros({3}, torch::requires_grad());
  a.mutable_grad() = torch::tensor({3.0f, 4.0f});              // |g| = 5
  b.mutable_grad() = torch::tensor({{-12.0f}});                // |g| = 12
  EXPECT_NEAR(normalise_gradients({a, b, none}), 13.0, 1e-5);  // sqrt(5^2 + 12^2)
  EXPECT_NEAR(a.grad().norm().item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(b.grad().norm().item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(a.grad()[0].item<double>(), 0.6, 1e-6);  // the direction is kept
  EXPECT_NEAR(b.grad()[0][0].item<double>(), -1.0, 1e-6);
  EXPECT_FALSE(none.grad().defined());
  EXPECT_EQ(normalise_gradients({none}), 0.0);
}

TEST(TrainStepTest, OneIterationMatchesAHandComputation) {
  for (const std::string backend : {"plain", "fused", "fused-dense"}) {
    models::NcaModel m = growing_model();
    model_testing::randomise(m, 0.1, 7);
    torch::manual_seed(8);
    const torch::Tensor start = random_state(m), target = torch::rand({2, 4, 16, 16});
    auto mse = [&](const torch::Tensor& s) { return (s.slice(1, 0, 4) - target).pow(2).mean(); };
    const int steps = 4;

    // By hand: the plain rollout's gradients, each scaled to unit norm, one SGD step of 1.
    const std::vector<torch::Tensor> before = m->parameters();
    torch::manual_seed(9);
    const torch::Tensor loss = mse(m->grow(start, steps));
    const std::vector<torch::Tensor> grads = torch::autograd::grad({loss}, before);
    double squares = 0.0;
    std::vector<torch::Tensor> expected;
    for (size_t i = 0; i < before.size(); ++i) {
      const double norm = grads[i].norm().item<double>();
      ASSERT_GT(norm, 0.0) << "parameter " << i << ": the check would be empty";
      squares += norm * norm;
      expected.push_back(before[i].detach() - grads[i] / (norm + 1e-8));
    }

    std::vector<torch::Tensor> copies;
    for (const auto& p : before) copies.push_back(p.detach().clone());
    torch::optim::SGD sgd(m->parameters(), torch::optim::SGDOptions(1.0));
    torch::manual_seed(9);
    const TrainStepResult r = train_step(*m, *kernels::make_rollout(backend), sgd, start, steps, mse);

    const double tolerance = backend == "plain" ? 1e-5 : 1e-4;
    EXPECT_TRUE(r.stepped);
    EXPECT_NEAR(r.loss, loss.item<double>(), tolerance * loss.item<double>()) << backend;
    EXPECT_NEAR(r.grad_norm, std::sqrt(squares), tolerance * std::sqrt(squares)) << backend;
    EXPECT_FALSE(r.state.requires_grad());
    const std::vector<torch::Tensor> after = m->parameters();
    for (size_t i = 0; i < after.size(); ++i)
      EXPECT_LE(relative(after[i].detach() - copies[i], expected[i] - copies[i]), tolerance)
          << backend << " parameter " << i;
  }
}

TEST(TrainStepTest, IterationsLowerTheLoss) {
  torch::manual_seed(1);
  models::NcaModel m = growing_model();
  const torch::Tensor seed = m->seed(2, 12, 12);
  torch::Tensor target = torch::zeros({2, 4, 12, 12});
  target.slice(2, 4, 8).slice(3, 4, 8).fill_(0.8);  // a grey square around the seed
  auto mse = [&](const torch::Tensor& s) { return (s.slice(1, 0, 4) - target).pow(2).mean(); };
  torch::optim::Adam adam(m->parameters(), torch::optim::AdamOptions(1e-2));
  const auto rollout = kernels::make_rollout("fused");
  std::vector<double> losses;
  for (int it = 0; it < 30; ++it) losses.push_back(train_step(*m, *rollout, adam, seed, 8, mse).loss);
  EXPECT_LT(losses.back(), 0.5 * losses.front()) << "first " << losses.front() << " last " << losses.back();
}

TEST(TrainStepTest, ANonFiniteLossChangesNothing) {
  models::NcaModel m = growing_model();
  model_testing::randomise(m, 0.1, 7);
  const torch::Tensor start = random_state(m);
  std::vector<torch::Tensor> copies;
  for (const auto& p : m->parameters()) copies.push_back(p.detach().clone());
  torch::optim::SGD sgd(m->parameters(), torch::optim::SGDOptions(1.0));
  const TrainStepResult r = train_step(*m, *kernels::make_rollout("plain"), sgd, start, 2,
                                       [](const torch::Tensor& s) { return s.sum() * std::nan(""); });
  EXPECT_FALSE(r.stepped);
  EXPECT_TRUE(std::isnan(r.loss));
  EXPECT_TRUE(std::isnan(r.grad_norm));
  const std::vector<torch::Tensor> after = m->parameters();
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_TRUE(torch::equal(after[i], copies[i])) << "parameter " << i;
    EXPECT_FALSE(after[i].grad().defined()) << "parameter " << i;
  }
}

}  // namespace
}  // namespace eqnca::experiments
