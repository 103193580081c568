// The baselines' per-cell update rule: shapes, the zero-initialised last layer (a fresh rule
// changes nothing, Distill's "do nothing" start), its parameter count and checkpoint keys, its
// values against a per-cell matrix product written out here (1e-5 absolute: float32 sums of
// at most 24 terms in another order), and bad options as one-line errors naming them.
#include "models/dense_update.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace eqnca;

TEST(DenseUpdate, ShapesParametersAndBadOptions) {
  models::DenseUpdate u(models::DenseUpdateOptions(12, 24, 5));
  EXPECT_EQ(u->options().in(), 12);
  EXPECT_EQ(u->options().hidden(), 24);
  EXPECT_EQ(u->options().out(), 5);
  EXPECT_EQ(u(torch::randn({3, 12, 7, 9})).sizes(), (std::vector<int64_t>{3, 5, 7, 9}));

  // Parameters: Distill's growing NCA has 8,336.
  models::DenseUpdate distill(models::DenseUpdateOptions(48, 128, 16));
  int64_t n = 0;
  std::vector<std::string> keys;
  for (const auto& p : distill->named_parameters()) {
    n += p.value().numel();
    keys.push_back(p.key());
  }
  EXPECT_EQ(n, 48 * 128 + 128 + 128 * 16 + 16);  // 8,336
  EXPECT_EQ(keys, (std::vector<std::string>{"fc0.weight", "fc0.bias", "fc1.weight", "fc1.bias"}));

  // Bad options are one-line errors naming the values.
  for (const auto& o : {models::DenseUpdateOptions(0, 8, 4), models::DenseUpdateOptions(4, 0, 4),
                        models::DenseUpdateOptions(4, 8, 0)}) {
    try {
      models::DenseUpdate rejected(o);
      FAIL() << "accepted " << o.in() << ", " << o.hidden() << ", " << o.out();
    } catch (const std::invalid_argument& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("in, hidden and out must be >= 1"), std::string::npos) << m;
      EXPECT_NE(m.find(std::to_string(o.in()) + ", " + std::to_string(o.hidden()) + ", " + std::to_string(o.out())),
                std::string::npos)
          << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
  }
}

TEST(DenseUpdate, FreshRuleGivesAZeroDelta) {
  torch::manual_seed(0);
  models::DenseUpdate u(models::DenseUpdateOptions(12, 24, 5));
  EXPECT_GT(u->fc0->weight.abs().max().item<double>(), 0.0);  // only the last layer starts at zero
  EXPECT_EQ(u->fc1->weight.abs().max().item<double>(), 0.0);
  EXPECT_EQ(u->fc1->bias.abs().max().item<double>(), 0.0);
  EXPECT_EQ(u(torch::randn({2, 12, 5, 5}) * 10).abs().max().item<double>(), 0.0);
}

TEST(DenseUpdate, IsLinearReluLinearPerCell) {
  torch::manual_seed(1);
  models::DenseUpdate u(models::DenseUpdateOptions(6, 24, 4));
  {
    torch::NoGradGuard ng;
    for (auto& p : u->parameters()) p.normal_(0.0, 0.5);
  }
  const torch::Tensor x = torch::randn({2, 6, 3, 5});
  torch::NoGradGuard ng;
  const torch::Tensor w0 = u->fc0->weight.flatten(1), b0 = u->fc0->bias;
  const torch::Tensor w1 = u->fc1->weight.flatten(1), b1 = u->fc1->bias;
  const torch::Tensor y = u(x);
  double worst = 0.0;
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 5; ++j) {
        const torch::Tensor cell = x.select(0, b).select(1, i).select(1, j);  // (6)
        const torch::Tensor expected = w1.matmul(torch::relu(w0.matmul(cell) + b0)) + b1;
        worst = std::max(worst, (y.select(0, b).select(1, i).select(1, j) - expected).abs().max().item<double>());
      }
  EXPECT_LE(worst, 1e-5);
  EXPECT_GT(y.abs().max().item<double>(), 0.1);  // the comparison is not between zeros
}
