// The Growing Pokemon curriculum: hardens only below the loss threshold, up to its caps;
// truncation and bites zero the right cells; its state survives a round trip.
#include <gtest/gtest.h>

#include "experiments/training/curriculum.h"

namespace eqnca::experiments {
namespace {

TEST(CurriculumTest, HardensOnlyBelowTheThresholdAndStopsAtTheCaps) {
  Curriculum c(40, 40);
  EXPECT_EQ(c.extra_steps(), 2);
  EXPECT_DOUBLE_EQ(c.noise(), 0.0);
  const double start_radius = c.radius();
  c.observe(0.03);
  EXPECT_EQ(c.hardenings(), 0);
  c.observe(0.02);
  EXPECT_EQ(c.hardenings(), 1);
  EXPECT_EQ(c.extra_steps(), 3);
  EXPECT_DOUBLE_EQ(c.noise(), 0.0005);
  EXPECT_DOUBLE_EQ(c.radius(), start_radius * 0.99);
  EXPECT_DOUBLE_EQ(c.bite_radius(), 0.1);
  for (int i = 0; i < 2000; ++i) c.observe(0.0);
  EXPECT_EQ(c.extra_steps(), 16);
  EXPECT_NEAR(c.noise(), 0.2, 1e-12);
  EXPECT_DOUBLE_EQ(c.radius(), 6.0);
  EXPECT_NEAR(c.bite_radius(), 4.0, 1e-12);
}

TEST(CurriculumTest, TruncatesAndBitesButNeverBitesTheCentre) {
  Curriculum c(41, 41);
  for (int i = 0; i < 2000; ++i) c.observe(0.0);  // radius 6, bite 4, noise 0.2
  torch::manual_seed(0);
  auto x = c.perturb(torch::ones({32, 5, 41, 41}));
  auto alive = (x.select(1, 4) != 0);
  // Nothing further than 6 cells from the centre (20, 20) survives.
  EXPECT_EQ(alive.slice(1, 0, 14).sum().item<int64_t>(), 0);
  EXPECT_EQ(alive.slice(2, 27).sum().item<int64_t>(), 0);
  // The centre always survives; bites near the centre take cells from the radius-6 disc
  // (113 cells); those farther out miss it.
  EXPECT_TRUE(alive.select(1, 20).select(1, 20).all().item<bool>());
  const auto inner = alive.slice(1, 14, 27).slice(2, 14, 27).sum({1, 2});
  EXPECT_EQ(inner.max().item<int64_t>(), 113);
  EXPECT_LT(inner.min().item<int64_t>(), 113 - 20);
  // Noise on live cells.
  EXPECT_GT(x.select(1, 0).masked_select(alive).std().item<double>(), 0.1);
}

TEST(CurriculumTest, StateRoundTrips) {
  Curriculum a(24, 24), b(24, 24);
  for (int i = 0; i < 7; ++i) a.observe(0.01);
  b.set_state(a.state());
  EXPECT_EQ(b.describe(), a.describe());
  EXPECT_EQ(b.hardenings(), 7);
}

}  // namespace
}  // namespace eqnca::experiments
