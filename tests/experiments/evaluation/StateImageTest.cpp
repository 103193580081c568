// NCA states to pictures: channels 0..3 of one batch entry become the image as they are
// (premultiplied RGBA, rows = H, columns = W, hidden channels ignored), clamped to [0, 1], and on
// white they show as rgb + 1 - alpha (checked in 8-bit, half a step of tolerance); upscaling
// repeats each pixel in a factor x factor block; circular damage zeroes exactly the cells within
// the radius; bad shapes and factors are one-line errors.
#include "experiments/evaluation/state_image.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace eqnca::experiments {
namespace {

TEST(StateImageTest, RgbaChannelsBecomeTheImageClampedAndShowOnWhite) {
  torch::manual_seed(0);
  const torch::Tensor state = torch::rand({2, 6, 3, 5});  // H = 3, W = 5: a transposition shows
  for (int64_t b : {0, 1}) {
    const RgbaImage image = state_to_image(state, b);
    ASSERT_EQ(image.height, 3);
    ASSERT_EQ(image.width, 5);
    ASSERT_EQ(image.pixels.size(), 3u * 5u * 4u);
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 5; ++x)
        for (int c = 0; c < 4; ++c)
          EXPECT_EQ(image.at(y, x, c), state[b][c][y][x].item<float>()) << b << " " << y << "," << x << "," << c;
  }
  // Any floating dtype: float64 states convert.
  EXPECT_EQ(state_to_image(state.to(torch::kDouble), 1).at(2, 4, 3), state[1][3][2][4].item<float>());

  // Values are clamped to [0, 1].
  torch::Tensor out_of_range = torch::zeros({1, 4, 1, 3});
  out_of_range.select(3, 0).fill_(-0.5);
  out_of_range.select(3, 1).fill_(1.7);
  out_of_range.select(3, 2).fill_(0.25);
  const RgbaImage clamped = state_to_image(out_of_range);
  for (int c = 0; c < 4; ++c) {
    EXPECT_EQ(clamped.at(0, 0, c), 0.0f);
    EXPECT_EQ(clamped.at(0, 1, c), 1.0f);
    EXPECT_EQ(clamped.at(0, 2, c), 0.25f);
  }

  // (r, g, b, a) premultiplied -> rgb + 1 - a on white: a half-transparent pure red is (1, .5, .5);
  // a dead cell is white; a live cell with no colour is black.
  torch::Tensor cells = torch::zeros({1, 4, 1, 3});
  cells[0][0][0][0] = 0.5f;
  cells[0][3][0][0] = 0.5f;
  cells[0][3][0][2] = 1.0f;
  const std::vector<std::uint8_t> rgb = composite_on_white_rgb8(state_to_image(cells));
  const std::vector<double> expected{1.0, 0.5, 0.5, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0};
  ASSERT_EQ(rgb.size(), expected.size());
  for (size_t i = 0; i < rgb.size(); ++i) EXPECT_NEAR(rgb[i], 255.0 * expected[i], 0.5 + 1e-9) << i;
}

TEST(StateImageTest, UpscaleRepeatsPixelsAndDamageZeroesTheCircle) {
  torch::manual_seed(1);
  const RgbaImage small = state_to_image(torch::rand({1, 4, 2, 3}));
  const RgbaImage big = upscale(small, 3);
  ASSERT_EQ(big.height, 6);
  ASSERT_EQ(big.width, 9);
  for (int y = 0; y < 6; ++y)
    for (int x = 0; x < 9; ++x)
      for (int c = 0; c < 4; ++c) EXPECT_EQ(big.at(y, x, c), small.at(y / 3, x / 3, c)) << y << "," << x;
  EXPECT_EQ(upscale(small, 1).pixels, small.pixels);

  // Damage zeroes every channel of the cells within the radius.
  const torch::Tensor state = torch::ones({2, 5, 7, 9});
  const double cx = 5.0, cy = 2.0, r = 2.5;  // column, row
  const torch::Tensor damaged = damage_circle(state, cx, cy, r);
  EXPECT_EQ(state.min().item<float>(), 1.0f);  // the input is left alone
  for (int64_t y = 0; y < 7; ++y)
    for (int64_t x = 0; x < 9; ++x) {
      const bool inside = std::hypot(x - cx, y - cy) <= r;
      const torch::Tensor cell = damaged.select(2, y).select(2, x);
      EXPECT_TRUE(cell.eq(inside ? 0.0f : 1.0f).all().item<bool>()) << y << "," << x;
    }
}

TEST(StateImageTest, BadShapesAndFactorsAreOneLineErrors) {
  for (const auto& bad : {torch::zeros({4, 5, 5}), torch::zeros({1, 3, 5, 5})}) {
    try {
      state_to_image(bad);
      FAIL() << "accepted " << bad.sizes();
    } catch (const std::invalid_argument& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("expected (B, C >= 4, H, W)"), std::string::npos) << m;
      EXPECT_NE(m.find(bad.dim() == 3 ? "(4, 5, 5)" : "(1, 3, 5, 5)"), std::string::npos) << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
  }
  const RgbaImage image = make_image(2, 2);
  for (int factor : {0, -1}) {
    try {
      upscale(image, factor);
      FAIL() << "accepted factor " << factor;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("upscale factor must be >= 1"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace eqnca::experiments
