// The rollout backends (kernels/rollout.h): built by name; every backend draws the same masks
// (checked exactly with a rule whose update is the mask itself); the fused backends follow the
// plain one, which runs the models' own step() with stock torch ops, to SobelMlpStepTest's
// tolerances: values 1e-5 absolute after each of 3 steps, gradients after 3 steps 1e-4 relative
// (float32 sums in another order, carried back through three steps); autograd follows grad mode.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include <torch/csrc/autograd/autograd.h>

#include "kernels/rollout.h"
#include "layers/nca_mechanics.h"
#include "tests/kernels/FusedTestUtil.h"

using namespace eqnca;

namespace {

using kernel_testing::max_abs;
using kernel_testing::mixed_state;
using kernel_testing::random_model;
using kernel_testing::relative;

// A rule whose update is +1 on every channel where a cell fires, in both forms: step() with
// torch ops, and fused weights with a zero hidden layer and output bias 1. On a state alive
// everywhere, the rollout's change of any channel is the sum of its masks, exactly.
class MaskCountingRule : public kernels::NcaRule {
 public:
  static constexpr int64_t kChannels = 5, kHidden = 2;
  bool fused = true;
  int begun = 0, ended = 0;
  torch::Tensor step(const torch::Tensor& state, const torch::Tensor& update_mask) override {
    return layers::nca_update(state, torch::ones_like(state), update_mask, padding());
  }
  double fire_rate() const override { return 0.3; }
  layers::Padding padding() const override { return layers::Padding::Zeros; }
  void begin_rollout() override { ++begun; }
  void end_rollout() override { ++ended; }
  std::optional<kernels::SobelMlpWeights> sobel_mlp_weights() const override {
    if (!fused) return std::nullopt;
    return kernels::SobelMlpWeights{torch::zeros({kHidden, 3 * kChannels}),
                                    torch::zeros({kHidden}),
                                    torch::zeros({kChannels, kHidden}),
                                    torch::ones({kChannels}),
                                    kernels::Stencils::Sobel,
                                    nullptr};
  }
};

struct Case {
  std::string model, padding;
};
const std::vector<Case> kCases{{"growing", "zeros"}, {"growing", "circular"}, {"c4", "zeros"},       {"c4", "circular"},
                               {"d4", "zeros"},      {"d4", "circular"},      {"steerable", "zeros"}};

// The one-line message of what `f` throws as std::invalid_argument; "" if it throws nothing.
template <typename F>
std::string invalid_argument_of(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Rollout, BackendsAreBuiltByName) {
  EXPECT_EQ(kernels::rollout_names(), (std::vector<std::string>{"plain", "fused", "fused-dense"}));
  for (const std::string& name : kernels::rollout_names()) EXPECT_EQ(kernels::make_rollout(name)->name(), name);
}

TEST(Rollout, UnknownNameIsAOneLineError) {
  EXPECT_EQ(invalid_argument_of([] { kernels::make_rollout("fast"); }),
            "unknown rollout backend 'fast'; expected one of plain, fused, fused-dense");
}

TEST(Rollout, EveryBackendDrawsTheSameMasks) {
  const int64_t batch = 2, h = 7, w = 9;
  const int steps = 3;
  // Small integers, so that sums and differences are exact in float32.
  torch::Tensor start = torch::randint(-3, 4, {batch, MaskCountingRule::kChannels, h, w}).to(torch::kFloat);
  start.narrow(1, 3, 1).fill_(1.0);  // alive everywhere, before and after every update
  torch::manual_seed(11);
  torch::Tensor expected = torch::zeros({batch, 1, h, w});
  for (int t = 0; t < steps; ++t) expected += (torch::rand({batch, 1, h, w}) < 0.3).to(torch::kFloat);
  ASSERT_GT(expected.sum().item<double>(), 0.0);
  ASSERT_LT(expected.sum().item<double>(), double(steps * expected.numel()));

  for (const std::string& name : kernels::rollout_names()) {
    MaskCountingRule rule;
    torch::manual_seed(11);
    const torch::Tensor end = kernels::make_rollout(name)->run(rule, start, steps);
    const torch::Tensor fired = end - start;
    for (int64_t c = 0; c < MaskCountingRule::kChannels; ++c)
      EXPECT_TRUE(torch::equal(fired.narrow(1, c, 1), expected)) << name << " channel " << c;
    if (name == "plain") {
      EXPECT_EQ(rule.begun, 1) << "begin_rollout once per rollout";
    }
    EXPECT_EQ(rule.begun, rule.ended) << name;
  }
}

// Values and gradients (state and every parameter) of the fused backends against the plain
// one, from the same generator state, hence the same masks.
TEST(Rollout, FusedBackendsFollowThePlainOne) {
  const int steps = 3;
  for (const auto& c : kCases) {
    torch::manual_seed(3);
    // A ReLU input within float32 rounding of zero (a tie) takes a different side in the two
    // paths and moves that unit's whole gradient: with the weights of seed 7 the d4 rollout has
    // pre-activations down to 1e-8, and one such tie gave a relative gradient difference of 3e-4
    // after the isotypic bases changed the summation order. Seed 11 has none that flips; any
    // real mismatch shows at every seed.
    models::NcaModel m = random_model(c.model, c.padding, 11);
    const torch::Tensor s0 = mixed_state(m, 2, 33);  // 2178 cells: more than one work item
    const torch::Tensor target = torch::randn_like(s0);

    // Per-step values: one step at a time from the plain backend's state, masks from one seed.
    for (const std::string name : {"fused", "fused-dense"}) {
      torch::NoGradGuard no_grad;
      torch::Tensor plain = s0;
      for (int t = 0; t < steps; ++t) {
        torch::manual_seed(100 + t);
        const torch::Tensor fused = kernels::make_rollout(name)->run(*m, plain, 1);
        torch::manual_seed(100 + t);
        plain = kernels::make_rollout("plain")->run(*m, plain, 1);
        EXPECT_LE(max_abs(fused, plain), 1e-5) << name << " " << c.model << " " << c.padding << " step " << t;
      }
    }

    std::vector<std::vector<torch::Tensor>> gradients;
    torch::Tensor plain_end;
    for (const std::string& name : kernels::rollout_names()) {
      std::vector<torch::Tensor> inputs{s0.clone().requires_grad_(true)};
      for (const auto& p : m->parameters()) inputs.push_back(p);
      torch::manual_seed(5);
      const torch::Tensor end = kernels::make_rollout(name)->run(*m, inputs[0], steps);
      if (name == "plain") plain_end = end.detach();
      EXPECT_LE(max_abs(end, plain_end), 1e-5) << name << " " << c.model << " " << c.padding;
      gradients.push_back(torch::autograd::grad({((end - target) * (end - target)).sum()}, inputs));
    }
    const std::vector<torch::Tensor>& plain = gradients[0];
    for (size_t b = 1; b < gradients.size(); ++b) {
      ASSERT_EQ(gradients[b].size(), plain.size());
      for (size_t i = 0; i < plain.size(); ++i) {
        EXPECT_GT(plain[i].abs().max().item<double>(), 0.0) << "gradient " << i << " is zero: the check would be empty";
        EXPECT_LE(relative(gradients[b][i], plain[i]), 1e-4)
            << kernels::rollout_names()[b] << " " << c.model << " " << c.padding << " gradient " << i << " (0 = state)";
      }
    }
    // The masks did something: some cells died, some stayed alive.
    const torch::Tensor alive = plain_end.narrow(1, 3, 1).abs() > 0;
    EXPECT_GT(alive.sum().item<int64_t>(), 0);
    EXPECT_LT(alive.sum().item<int64_t>(), alive.numel());
  }
}

// Over more steps the backends still grow the same pattern (the rounding does not compound).
TEST(Rollout, FusedEqualsPlainOverSixSteps) {
  for (const std::string name : {"growing", "d4"}) {
    models::NcaModel m = random_model(name, "zeros");
    torch::NoGradGuard no_grad;
    torch::manual_seed(5);
    const torch::Tensor s = mixed_state(m, 2, 21);  // random weights would let a lone seed die
    torch::manual_seed(6);
    const torch::Tensor plain = m->grow(s, 6);
    torch::manual_seed(6);
    const torch::Tensor fused = kernels::make_rollout("fused")->run(*m, s, 6);
    EXPECT_LE(max_abs(fused, plain), 1e-4) << name;
    EXPECT_GT(plain.abs().sum().item<double>(), 0.0);
  }
}

TEST(Rollout, AutogradFollowsGradMode) {
  models::NcaModel m = random_model("growing", "zeros");
  const torch::Tensor s = mixed_state(m, 1, 8);
  for (const std::string& name : kernels::rollout_names()) {
    EXPECT_TRUE(kernels::make_rollout(name)->run(*m, s, 2).requires_grad()) << name;
    torch::NoGradGuard no_grad;
    EXPECT_FALSE(kernels::make_rollout(name)->run(*m, s, 2).requires_grad()) << name;
  }
}

TEST(Rollout, FusedBackendsRejectModelsWithoutTheFusedStep) {
  MaskCountingRule rule;
  rule.fused = false;
  const torch::Tensor s = torch::ones({1, MaskCountingRule::kChannels, 4, 4});
  EXPECT_TRUE(kernels::make_rollout("plain")->supports(rule));
  for (const std::string name : {"fused", "fused-dense"}) {
    const auto rollout = kernels::make_rollout(name);
    EXPECT_FALSE(rollout->supports(rule));
    const std::string message = invalid_argument_of([&] { rollout->run(rule, s, 1); });
    EXPECT_EQ(message.rfind("rollout '" + name + "': the model has no fused Sobel-MLP step", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_TRUE(kernels::make_rollout("fused")->supports(*random_model("growing", "zeros")));
}

TEST(Rollout, BadArgumentsAreOneLineErrors) {
  MaskCountingRule rule;
  for (const std::string& name : kernels::rollout_names()) {
    const auto rollout = kernels::make_rollout(name);
    EXPECT_EQ(invalid_argument_of([&] {
                rollout->run(rule, torch::ones({1, 5, 4, 4}), -1);
              }),
              "rollout '" + name + "': steps must be >= 0, got -1");
    EXPECT_EQ(invalid_argument_of([&] {
                rollout->run(rule, torch::ones({5, 4, 4}), 1);
              }),
              "rollout '" + name + "': expected a (B, C, H, W) state, got (5, 4, 4)");
  }
}
