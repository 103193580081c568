// The texture losses against independent double-precision loops, and the property that makes
// them texture losses: a circularly shifted texture has (almost) zero loss, where the pixel MSE
// does not.
#include "experiments/training/texture_losses.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace eqnca::experiments {
namespace {

TEST(TextureLossesTest, GramLossMatchesADirectLoop) {
  torch::manual_seed(1);
  const auto a = torch::rand({2, 3, 5, 4}), t = torch::rand({1, 3, 5, 4});
  const auto loss = gram_loss({a}, {t});
  for (int b = 0; b < 2; ++b) {
    double expected = 0;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        double ga = 0, gt = 0;
        for (int y = 0; y < 5; ++y)
          for (int x = 0; x < 4; ++x) {
            ga += a[b][i][y][x].item<double>() * a[b][j][y][x].item<double>();
            gt += t[0][i][y][x].item<double>() * t[0][j][y][x].item<double>();
          }
        expected += std::pow((ga - gt) / 20.0, 2) / 9.0;
      }
    EXPECT_NEAR(loss[b].item<double>(), expected, 1e-6 * std::max(1.0, expected));  // float32 sums of 20 terms
  }
}

TEST(TextureLossesTest, SlicedWassersteinMatchesSortedProjections) {
  torch::manual_seed(2);
  const auto a = torch::rand({1, 3, 4, 4}), t = torch::rand({1, 3, 2, 4});  // 16 pixels against 8
  auto dirs = torch::randn({3, 2});
  dirs = dirs / dirs.norm(2, 0, true);
  const auto loss = sliced_wasserstein_loss({a}, {sorted_projections(t, dirs)}, {dirs});
  double expected = 0;
  for (int p = 0; p < 2; ++p) {
    std::vector<double> pa, pt;
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) {
        double s = 0;
        for (int c = 0; c < 3; ++c) s += a[0][c][y][x].item<double>() * dirs[c][p].item<double>();
        pa.push_back(s);
      }
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 4; ++x) {
        double s = 0;
        for (int c = 0; c < 3; ++c) s += t[0][c][y][x].item<double>() * dirs[c][p].item<double>();
        pt.push_back(s);
      }
    std::sort(pa.begin(), pa.end());
    std::sort(pt.begin(), pt.end());
    for (int i = 0; i < 16; ++i) expected += std::pow(pa[i] - pt[i / 2], 2) / 32.0;  // quantile i of 16 -> i/2 of 8
  }
  EXPECT_NEAR(loss[0].item<double>(), expected, 1e-6);
}

TEST(TextureLossesTest, ShiftedTextureHasNoLossButPixelMseDoes) {
  torch::manual_seed(3);
  const auto target = torch::rand({1, 3, 32, 32});
  // A shift by a multiple of the 8-pixel pooling stride moves every layer's features exactly.
  const auto shifted = torch::roll(target, {8, 16}, {2, 3});
  const auto other = torch::rand({1, 3, 32, 32}).pow(3);  // a different distribution of colours
  RandomTextureFeatures features(0);
  for (const char* name : {"gram", "sliced_wasserstein"}) {
    const TextureLoss loss = make_texture_loss(name, target, features);
    const double same = loss(shifted).item<double>(), different = loss(other).item<double>();
    EXPECT_LT(same, 1e-9) << name;  // float32 rounding of the same sums in another order
    EXPECT_GT(different, 1e3 * std::max(same, 1e-12)) << name;
  }
  EXPECT_GT((shifted - target).pow(2).mean().item<double>(), 0.1);  // the pixel MSE sees the shift
}

TEST(TextureLossesTest, FeaturesAreSeededAndGradientsFlow) {
  const auto x = torch::rand({1, 3, 16, 16});
  const auto a = RandomTextureFeatures(7)(x), b = RandomTextureFeatures(7)(x), c = RandomTextureFeatures(8)(x);
  ASSERT_EQ(a.size(), 5u);
  EXPECT_TRUE(torch::equal(a.back(), b.back()));
  EXPECT_FALSE(torch::equal(a.back(), c.back()));
  EXPECT_EQ(a.back().size(2), 2);  // three poolings of 16
  auto y = torch::rand({2, 3, 16, 16}).requires_grad_(true);
  make_texture_loss("gram", x, RandomTextureFeatures(0))(y).sum().backward();
  EXPECT_GT(y.grad().abs().sum().item<double>(), 0.0);
}

TEST(TextureLossesTest, UnknownLossIsRefused) {
  EXPECT_THROW(make_texture_loss("mse", torch::rand({1, 3, 8, 8}), RandomTextureFeatures(0)), std::invalid_argument);
  EXPECT_THROW(make_texture_loss("gram", torch::rand({1, 4, 8, 8}), RandomTextureFeatures(0)), std::invalid_argument);
}

}  // namespace
}  // namespace eqnca::experiments
