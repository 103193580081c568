// The sample pool: growing mode always seeds; pool modes sort by loss, seed the worst, and in
// regenerating mode damage the best; commits write back; circular damage zeroes a disc.
#include <gtest/gtest.h>

#include "experiments/training/nca_pool.h"

namespace eqnca::experiments {
namespace {

torch::Tensor make_seed() {
  auto s = torch::zeros({1, 6, 16, 16});
  s.select(2, 8).select(2, 8).slice(1, 3).fill_(1.0);
  return s;
}

// Loss = mean of channel 0: pool rows filled with value v have loss v.
torch::Tensor channel0_mean(const torch::Tensor& x) { return x.select(1, 0).mean({1, 2}); }

TEST(NcaPoolTest, GrowingModeAlwaysStartsFromTheSeed) {
  SamplePool pool(PoolMode::Growing, 8, make_seed());
  auto batch = pool.sample(3, channel0_mean);
  EXPECT_FALSE(batch.indices.defined());
  EXPECT_TRUE(batch.states.equal(make_seed().repeat({3, 1, 1, 1})));
}

TEST(NcaPoolTest, RegeneratingSortsSeedsTheWorstAndDamagesTheBest) {
  torch::manual_seed(0);
  const int64_t size = 8, n = 6;
  SamplePool pool(PoolMode::Regenerating, size, make_seed());
  // Fill row i with the constant (i + 1) / 10 everywhere (so every cell is non-zero).
  SamplePool::Batch all{torch::arange(size, torch::kLong), {}};
  auto filled = torch::arange(1, size + 1, torch::kFloat32).div(10).view({size, 1, 1, 1}).expand({size, 6, 16, 16});
  pool.commit(all, filled.contiguous());

  auto batch = pool.sample(n, channel0_mean);
  ASSERT_EQ(batch.indices.numel(), n);
  EXPECT_EQ(std::get<0>(at::_unique(batch.indices)).numel(), n);  // distinct rows
  // Row 0: the seed replaced the highest-loss sample.
  EXPECT_TRUE(batch.states[0].equal(make_seed()[0]));
  // Rows 1.. are sorted by decreasing pool value.
  auto values = batch.indices.to(torch::kFloat64).add(1).div(10);
  for (int64_t i = 1; i + 1 < n; ++i) EXPECT_GE(values[i].item<double>(), values[i + 1].item<double>());
  // Rows 1..2 untouched, the 3 best have a damaged (zeroed) disc.
  for (int64_t i = 1; i < n; ++i) {
    const double zeros = (batch.states[i] == 0).sum().item<double>();
    if (i < n - 3)
      EXPECT_EQ(zeros, 0.0) << i;
    else
      EXPECT_GT(zeros, 0.0) << i;
  }
}

TEST(NcaPoolTest, PersistentDoesNotDamageAndCommitWritesBack) {
  torch::manual_seed(1);
  SamplePool pool(PoolMode::Persistent, 4, make_seed());
  auto batch = pool.sample(4, channel0_mean);
  auto grown = torch::full({4, 6, 16, 16}, 0.5);
  pool.commit(batch, grown);
  EXPECT_TRUE(pool.states().equal(grown));
  auto again = pool.sample(4, channel0_mean);
  EXPECT_TRUE(again.states[0].equal(make_seed()[0]));
  EXPECT_EQ((again.states.slice(0, 1) == 0).sum().item<int64_t>(), 0);
}

TEST(NcaPoolTest, DamageZeroesOneDiscOfTheStatedSize) {
  torch::manual_seed(2);
  auto damaged = damage_with_circles(torch::ones({64, 3, 40, 40}));
  auto zero_fraction = (damaged.select(1, 0) == 0).to(torch::kFloat64).mean({1, 2});
  // Radius 0.1..0.4 of the half-width: the disc covers pi r^2 / 4 of the [-1, 1]^2 square
  // (0.8% .. 12.6%) when inside it, which centres in [-0.5, 0.5] always are.
  EXPECT_GE(zero_fraction.min().item<double>(), 0.004);
  EXPECT_LE(zero_fraction.max().item<double>(), 0.14);
  // All channels of a damaged cell are zeroed together.
  EXPECT_TRUE((damaged.select(1, 0) == 0).equal(damaged.select(1, 2) == 0));
}

}  // namespace
}  // namespace eqnca::experiments
