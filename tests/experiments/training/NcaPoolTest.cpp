// The sample pool: growing mode always seeds; pool modes sort by loss, seed the worst, and in
// regenerating mode damage the best; commits write back; circular damage zeroes a disc; turned
// seeds give every row the seed turned by its own angle, drawn from the model's group.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "experiments/training/nca_pool.h"
#include "layers/grid_action.h"
#include "models/model_factory.h"

namespace eqnca::experiments {
namespace {

torch::Tensor make_seed() {
  auto s = torch::zeros({1, 6, 16, 16});
  s.select(2, 8).select(2, 8).slice(1, 3).fill_(1.0);
  return s;
}

// Loss = mean of channel 0: pool rows filled with value v have loss v.
torch::Tensor channel0_mean(const torch::Tensor& x, const torch::Tensor&) { return x.select(1, 0).mean({1, 2}); }

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

models::NcaModel small_model(const std::string& name) {
  models::ModelConfig config;
  config.name = name;
  config.hidden_fields = 2;
  config.state_fields = 1;
  return models::make_model(config);
}

torch::Tensor asymmetric_target(int64_t size) {
  return torch::rand({1, 4, size, size});  // no rotation maps it onto itself
}

TEST(NcaPoolTest, TurnedSeedsGiveEveryRowTheSeedTurnedByItsAngle) {
  torch::manual_seed(3);
  const models::NcaModel model = small_model("c8");
  const int64_t size = 15;
  const SeedTurns turns(*model, asymmetric_target(size));
  SamplePool pool(PoolMode::Persistent, 32, model->seed(1, size, size), &turns);
  std::set<long> eighths;
  for (int64_t row = 0; row < 32; ++row) {
    const double angle = pool.angles()[row].item<double>();
    const double eighth = angle / (M_PI / 4);
    ASSERT_NEAR(eighth, std::round(eighth), 1e-12) << "C8's rotations only";
    eighths.insert(std::lround(eighth));
    EXPECT_TRUE(pool.states()[row].equal(model->seed(1, size, size, model->group().element_at(angle))[0]))
        << "row " << row;
  }
  EXPECT_GE(eighths.size(), 6u) << "32 draws over 8 rotations";
  EXPECT_TRUE(std::all_of(eighths.begin(), eighths.end(), [](long e) { return e >= 0 && e < 8; }));

  // The sort loss sees each row's own angle; row 0 gets a new seed and angle; commit keeps them.
  torch::Tensor seen;
  auto batch = pool.sample(4, [&](const torch::Tensor& x, const torch::Tensor& angles) {
    seen = angles.clone();
    return x.select(1, 0).mean({1, 2});
  });
  EXPECT_TRUE(std::get<0>(seen.sort()).equal(std::get<0>(pool.angles().index_select(0, batch.indices).sort())));
  const groups::GroupElement g0 = model->group().element_at(batch.angles[0].item<double>());
  EXPECT_TRUE(batch.states[0].equal(model->seed(1, size, size, g0)[0]));
  for (int64_t i = 1; i < 4; ++i)
    EXPECT_EQ(batch.angles[i].item<double>(), pool.angles()[batch.indices[i].item<int64_t>()].item<double>());
  pool.commit(batch, batch.states);
  EXPECT_TRUE(pool.angles().index_select(0, batch.indices).equal(batch.angles));
}

TEST(NcaPoolTest, TurnedTargetsFollowTheAngles) {
  torch::manual_seed(4);
  const models::NcaModel model = small_model("so2");
  const torch::Tensor target = asymmetric_target(15);
  const SeedTurns turns(*model, target);
  const torch::Tensor angles = turns.draw(64);
  EXPECT_GE(angles.min().item<double>(), 0.0);
  EXPECT_LT(angles.max().item<double>(), 2 * M_PI);
  // SO(2) draws any angle, not only the grid's quarter turns.
  EXPECT_GT(torch::remainder(angles, M_PI / 2).max().item<double>(), 0.1);
  const torch::Tensor some = torch::tensor({0.0, M_PI / 2, 0.7}, torch::kDouble);
  const torch::Tensor turned = turns.targets(some);
  EXPECT_TRUE(turned[0].equal(target[0]));
  EXPECT_TRUE(turned[1].equal(layers::rotate_grid(target, model->group().element_at(M_PI / 2))[0]));
  EXPECT_TRUE(turned[2].equal(layers::rotate_grid(target, model->group().element_at(0.7))[0]));
  EXPECT_FALSE(turned[1].equal(target[0]));
  // Growing mode plants a turned seed in every row.
  SamplePool growing(PoolMode::Growing, 1, model->seed(1, 15, 15), &turns);
  const auto batch = growing.sample(3, {});
  for (int64_t i = 0; i < 3; ++i)
    EXPECT_TRUE(
        batch.states[i].equal(model->seed(1, 15, 15, model->group().element_at(batch.angles[i].item<double>()))[0]));
}

TEST(NcaPoolTest, SeedTurnsNeedAModelThatCanCarryAnOrientation) {
  const torch::Tensor target = asymmetric_target(9);
  for (const char* name : {"growing", "isotropic"}) {
    models::ModelConfig config;
    config.name = name;
    const models::NcaModel model = models::make_model(config);
    try {
      SeedTurns turns(*model, target);
      ADD_FAILURE() << name << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("--seed-turns group needs"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
  EXPECT_NO_THROW(SeedTurns(*small_model("c4"), target));
}

}  // namespace
}  // namespace eqnca::experiments
