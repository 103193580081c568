// The texture task's pieces: the texture target and its refusals, the overflow loss against a
// direct computation, the all-alive starting state, and the task loss, which is zero for the
// target itself, nearly zero for the target shifted circularly (a texture loss ignores where
// features are) and large for noise.
#include "experiments/training/texture_task.h"

#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

#include "experiments/io/image_io.h"
#include "tests/experiments/TempDir.h"

namespace eqnca::experiments {
namespace {

using testing::TempDir;

// A 16x16 opaque texture of bright spots on a dark background, one every 4 pixels.
RgbaImage spots() {
  RgbaImage image = make_image(16, 16);
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) {
      const float v = (y % 4 == 1 && x % 4 == 1) ? 0.9f : 0.1f;
      image.at(y, x, 0) = v;
      image.at(y, x, 1) = v;
      image.at(y, x, 2) = 0.3f;
      image.at(y, x, 3) = 1.f;
    }
  return image;
}

TEST(TextureTaskTest, LoadsTheTextureAsRgbAndRefusesTinyOrBlankImages) {
  TempDir dir;
  write_png(dir.file("spots.png"), spots());
  const torch::Tensor t = load_texture_target(dir.file("spots.png"), 0);
  ASSERT_EQ(t.sizes(), (torch::IntArrayRef{1, 3, 16, 16}));
  EXPECT_NEAR(t[0][0][1][1].item<float>(), 0.9f, 1.0f / 255);  // 8-bit PNG round trip
  EXPECT_NEAR(t[0][2][0][0].item<float>(), 0.3f, 1.0f / 255);

  EXPECT_THROW(load_texture_target(dir.file("spots.png"), 4), std::runtime_error);  // 4x4 after shrinking
  RgbaImage blank = make_image(16, 16);
  for (size_t i = 0; i < blank.pixels.size(); ++i) blank.pixels[i] = (i % 4 == 3) ? 1.f : 0.5f;
  write_png(dir.file("blank.png"), blank);
  try {
    load_texture_target(dir.file("blank.png"), 0);
    FAIL() << "a one-colour texture was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("one colour"), std::string::npos) << e.what();
  }
}

TEST(TextureTaskTest, OverflowLossIsZeroInRangeAndTheMeanSquaredExcessOutside) {
  torch::Tensor state = torch::zeros({2, 6, 3, 3});
  state.slice(1, 0, 3).fill_(0.5);
  state.slice(1, 3).fill_(-0.7);
  EXPECT_EQ(overflow_loss(state).abs().max().item<float>(), 0.f);
  // Sample 1: one RGB value 0.25 above 1, one hidden value 0.5 below -1.
  state[1][0][0][0] = 1.25;
  state[1][4][2][1] = -1.5;
  const torch::Tensor loss = overflow_loss(state);
  EXPECT_EQ(loss[0].item<float>(), 0.f);
  EXPECT_NEAR(loss[1].item<double>(), (0.25 * 0.25 + 0.5 * 0.5) / (6 * 3 * 3), 1e-7);
}

TEST(TextureTaskTest, TheStartingStateIsTheSeedCellEverywhere) {
  torch::Tensor seed = torch::zeros({1, 5, 7, 6});
  seed[0][3][3][2] = 1.0;
  seed[0][4][3][2] = 0.25;
  const torch::Tensor start = texture_seed(seed);
  ASSERT_EQ(start.sizes(), seed.sizes());
  EXPECT_TRUE(torch::equal(start[0][3], torch::ones({7, 6})));
  EXPECT_TRUE(torch::equal(start[0][4], torch::full({7, 6}, 0.25)));
  EXPECT_EQ(start.slice(1, 0, 3).abs().max().item<float>(), 0.f);
}

// Tolerances: the target itself gives exactly the target's statistics (0 up to float rounding,
// 1e-6); a circular shift by half a period changes the random network's zero-padded border
// statistics only, so it stays below a tenth of the loss of noise.
TEST(TextureTaskTest, TheTaskLossIgnoresPositionsButNotContent) {
  TempDir dir;
  write_png(dir.file("spots.png"), spots());
  const torch::Tensor texture = load_texture_target(dir.file("spots.png"), 0);
  for (const char* name : {"gram", "sliced_wasserstein"}) {
    const LossFunction loss = make_texture_task_loss(name, texture);
    torch::Tensor state = torch::zeros({3, 8, 16, 16});
    state[0].slice(0, 0, 3).copy_(texture[0]);
    state[1].slice(0, 0, 3).copy_(texture[0].roll({2, 2}, {1, 2}));
    torch::manual_seed(3);
    state[2].slice(0, 0, 3).copy_(torch::rand({3, 16, 16}));
    state.slice(1, 3).fill_(1.0);  // alpha and hidden channels in range: no overflow
    const torch::Tensor l = loss(state);
    EXPECT_LT(l[0].item<double>(), 1e-6) << name;
    EXPECT_LT(l[1].item<double>(), 0.1 * l[2].item<double>())
        << name << ": shifted " << l[1].item<double>() << ", noise " << l[2].item<double>();
    EXPECT_GT(l[2].item<double>(), 1e-4) << name;
  }
}

// Opacity: zero for an opaque state, the mean squared distance of alpha from 1 otherwise (a
// grid at alpha 0.4 everywhere: 0.36 exactly, to float rounding); the task loss carries it, so
// a fading texture costs more than the same colours held opaque.
TEST(TextureTaskTest, TheTaskLossKeepsTheTextureOpaque) {
  torch::Tensor state = torch::zeros({2, 8, 6, 6});
  state[0][3].fill_(1.0);
  state[1][3].fill_(0.4);
  const torch::Tensor o = opacity_loss(state);
  EXPECT_EQ(o[0].item<double>(), 0.0);
  EXPECT_NEAR(o[1].item<double>(), 0.36, 1e-6);

  TempDir dir;
  write_png(dir.file("spots.png"), spots());
  const torch::Tensor texture = load_texture_target(dir.file("spots.png"), 0);
  torch::Tensor grids = torch::zeros({2, 8, 16, 16});
  grids.slice(1, 0, 3).copy_(texture.expand({2, 3, 16, 16}));
  grids[0][3].fill_(1.0);
  grids[1][3].fill_(0.05);  // below the alive threshold: about to die
  const torch::Tensor l = make_texture_task_loss("gram", texture)(grids);
  EXPECT_NEAR(l[1].item<double>() - l[0].item<double>(), 0.95 * 0.95, 1e-5);
}

TEST(TextureTaskTest, UnknownLossNamesAreRefused) {
  EXPECT_THROW(make_texture_task_loss("l2", torch::rand({1, 3, 16, 16})), std::invalid_argument);
}

}  // namespace
}  // namespace eqnca::experiments
