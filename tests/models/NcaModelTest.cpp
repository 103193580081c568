// What every NCA model inherits from NcaModelImpl, tested on a toy rule whose step adds the
// update mask (so a rollout's effect is known exactly) and on the group models' seeds:
//  * seed(): Distill's one live cell at (H/2, W/2); for exact elements it is the transformed seed
//    (bit for bit), and just off a quarter turn the nearest-cell path agrees with that exact path
//    (1e-6: rho(g) moves by ~1e-7 over the angle's offset); off the grid's symmetries the
//    oriented fiber lands on the cell nearest to the rotated seed position (found here by
//    brute force over all cells);
//  * parameter_count() counts parameters of every submodule and no buffers;
//  * grow() applies exactly `steps` steps with fresh masks inside one begin/end_rollout.
#include "models/nca_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <torch/nn/modules/conv.h>

#include "layers/grid_action.h"
#include "models/model_factory.h"

using namespace eqnca;

namespace {

// A rule with no perception: each step adds 1 to every channel of the cells that fire.
class CountingNcaImpl : public models::NcaModelImpl {
 public:
  explicit CountingNcaImpl(double fire_rate) {
    set_mechanics(fire_rate, layers::Padding::Zeros);
    register_parameter("w", torch::zeros({3, 4}));
    register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 5, 1)));  // 10 weights + 5 biases
    register_buffer("not_a_parameter", torch::zeros({100}));
  }
  using models::NcaModelImpl::step;
  torch::Tensor step(const torch::Tensor& state, const torch::Tensor& update_mask) override {
    ++steps;
    return state + update_mask;
  }
  groups::Group group() const override { return groups::Group::cyclic(1); }
  int64_t channels() const override { return 6; }
  std::string name() const override { return "counting"; }
  void begin_rollout() override { ++begun; }
  void end_rollout() override { ++ended; }
  int steps = 0, begun = 0, ended = 0;
};
TORCH_MODULE(CountingNca);

models::NcaModel group_model(const std::string& name) {
  models::ModelConfig c;
  c.name = name;
  c.hidden_fields = 2;  // seeds do not depend on the width; keep construction quick
  return models::make_model(c);
}

double degrees_to_radians(double deg) { return deg * M_PI / 180.0; }

}  // namespace

TEST(NcaModel, SeedIsOneLiveCellAtTheCentre) {
  CountingNca m(1.0);
  const torch::Tensor s = m->seed(2, 7, 8);
  ASSERT_EQ(s.sizes(), (std::vector<int64_t>{2, 6, 7, 8}));
  using torch::indexing::Slice;
  const torch::Tensor cell = s.index({Slice(), Slice(), 3, 4});  // (H/2, W/2)
  EXPECT_TRUE(cell.narrow(1, 0, 3).eq(0).all().item<bool>());  // RGB dark
  EXPECT_TRUE(cell.narrow(1, 3, 3).eq(1).all().item<bool>());  // alpha and hidden channels 1
  EXPECT_EQ(s.sum().item<double>(), 2 * 3);                     // and nothing elsewhere
}

TEST(NcaModel, DefaultStateTypeIsTrivialAndParameterCountSkipsBuffers) {
  CountingNca m(1.0);
  EXPECT_EQ(m->state_type(groups::Group::dihedral(4)).describe(), "D4[6 x trivial]");
  EXPECT_EQ(m->state_type().describe(), "C1[6 x trivial]");
  // Trivial channels: the action only moves pixels.
  torch::manual_seed(0);
  const torch::Tensor x = torch::randn({1, 6, 5, 5});
  const auto g = groups::Group::dihedral(4).element(5);
  EXPECT_TRUE(m->transform_state(x, g).equal(layers::rotate_grid(x, g)));

  // parameter_count: every submodule's parameters, no buffers.
  EXPECT_EQ(m->parameter_count(), 3 * 4 + 2 * 5 + 5);
}

TEST(NcaModel, SeedAtAnExactElementIsTheTransformedSeedAndJustOffItTheSame) {
  for (const std::string name : {"c4", "d4", "so2", "o2"}) {
    auto m = group_model(name);
    // Every element of C4/D4; for SO(2)/O(2) the quarter turns (and mirrors) among the defaults.
    const auto elements = groups::default_check_elements(m->group());
    const torch::Tensor seed = m->seed(1, 9, 9);
    for (const auto& g : elements) {
      if (!groups::is_grid_exact(g)) continue;
      const torch::Tensor rotated = m->seed(1, 9, 9, g);
      EXPECT_TRUE(rotated.equal(m->transform_state(seed, g))) << name << " " << groups::describe(g);
    }
  }
  // The orientation is visible: C4's quarter turn changes the seed's regular fields.
  auto c4 = group_model("c4");
  EXPECT_GT((c4->seed(1, 9, 9, c4->group().element(1)) - c4->seed(1, 9, 9)).abs().max().item<float>(), 0.5f);

  // Just off a quarter turn the nearest-cell path agrees with the exact one.
  for (const std::string name : {"so2", "o2"}) {
    auto m = group_model(name);
    const groups::Group g = m->group();
    for (int64_t size : {8, 9})  // even grids rotate about the corner of the four centre cells
      for (bool mirror : {false, true}) {
        if (mirror && !g.has_reflections()) continue;
        for (int quarter = 1; quarter < 4; ++quarter) {
          const auto exact = g.element_at(degrees_to_radians(90.0 * quarter), mirror);
          const auto off = g.element_at(degrees_to_radians(90.0 * quarter) + 1e-7, mirror);
          ASSERT_FALSE(groups::is_grid_exact(off));
          const torch::Tensor expected = m->transform_state(m->seed(1, size, size), exact);
          EXPECT_LE((m->seed(1, size, size, off) - expected).abs().max().item<double>(), 1e-6)
              << name << " " << size << " " << groups::describe(exact);
        }
      }
  }
}

TEST(NcaModel, OffGridSeedLandsOnTheNearestCell) {
  auto m = group_model("o2");
  using torch::indexing::Slice;
  for (double deg : {30.0, 60.0, 150.0, 200.0, 330.0})
    for (bool mirror : {false, true})
      for (int64_t size : {8, 9}) {
        const int64_t h = size / 2;
        const torch::Tensor centre_fiber =
            m->seed(1, size, size).index({Slice(), Slice(), Slice(h, h + 1), Slice(h, h + 1)});
        const auto g = m->group().element_at(degrees_to_radians(deg), mirror);
        // The seed cell's centre, (x right, y up) about the grid centre, moved by g.
        const double c = 0.5 * (size - 1);
        double x = size / 2 - c, y = c - size / 2;
        if (mirror) x = -x;
        const double xr = std::cos(g.angle) * x - std::sin(g.angle) * y;
        const double yr = std::sin(g.angle) * x + std::cos(g.angle) * y;
        int64_t best_row = -1, best_col = -1;
        double best = std::numeric_limits<double>::infinity(), second = best;
        for (int64_t row = 0; row < size; ++row)
          for (int64_t col = 0; col < size; ++col) {
            const double d = std::hypot(col - c - xr, c - row - yr);
            if (d < best) {
              second = best;
              best = d;
              best_row = row;
              best_col = col;
            } else {
              second = std::min(second, d);
            }
          }
        ASSERT_GT(second - best, 0.1) << "ambiguous nearest cell at " << deg;  // the reference is well defined
        const torch::Tensor s = m->seed(1, size, size, g);
        const torch::Tensor fiber =
            s.index({Slice(), Slice(), Slice(best_row, best_row + 1), Slice(best_col, best_col + 1)});
        const std::string where = std::to_string(deg) + (mirror ? " mirrored" : "") + " on " + std::to_string(size);
        // The oriented fiber there (rho(g) of the state type), and nothing anywhere else.
        const torch::Tensor expected = layers::act_on_channels(centre_fiber, m->state_type().representation()(g));
        EXPECT_LE((fiber - expected).abs().max().item<double>(), 1e-6) << where;
        EXPECT_NEAR(s.abs().sum().item<double>(), fiber.abs().sum().item<double>(), 1e-5) << where;
        EXPECT_GT((fiber - centre_fiber).abs().max().item<double>(), 0.1) << where;  // orientation is visible
      }
}

TEST(NcaModel, GrowAppliesExactlyStepsStepsAtTheFireRate) {
  CountingNca m(1.0);  // every cell fires: each step adds exactly 1
  const torch::Tensor s = m->seed(2, 5, 5);
  EXPECT_TRUE(m->grow(s, 7).equal(s + 7));
  EXPECT_EQ(m->steps, 7);
  EXPECT_EQ(m->begun, 1);
  EXPECT_EQ(m->ended, 1);
  EXPECT_TRUE(m->grow(s, 0).equal(s));
  EXPECT_EQ(m->steps, 7);

  // At fire rate 0.25 each cell fires in about a quarter of the steps, with fresh masks per step
  // (a reused mask would give only 0 or 40).
  CountingNca sparse(0.25);
  torch::manual_seed(1);
  const torch::Tensor fired = (sparse->grow(torch::zeros({1, 6, 16, 16}), 40)).select(1, 0);
  EXPECT_EQ(sparse->steps, 40);
  EXPECT_NEAR(fired.mean().item<double>(), 10.0, 1.0);
  EXPECT_LT(fired.max().item<double>(), 40.0);
  EXPECT_GT(fired.min().item<double>(), 0.0);
  const torch::Tensor once = sparse->step(torch::zeros({1, 6, 4, 4}));  // a fresh mask at the fire rate
  EXPECT_TRUE((once.eq(0) | once.eq(1)).all().item<bool>());

  // A fire rate outside (0, 1] is a one-line error.
  for (double rate : {0.0, 1.5, -0.1}) {
    try {
      CountingNca rejected(rate);
      FAIL() << rate;
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("fire_rate"), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}
