// `eqnca targets gray-scott` and `stripes` as a user runs them: each writes an opaque PNG of the
// asked size, and refuses bad options with one error line.
#include <cmath>
#include <filesystem>

#include <gtest/gtest.h>

#include "experiments/io/image_io.h"
#include "tests/experiments/cli/CliTestUtil.h"

namespace eqnca::experiments::testing {
namespace {

class CmdTargetsTest : public CliTest {};

TEST_F(CmdTargetsTest, GrayScottWritesAnOpaquePatternPng) {
  const std::string png = dir.file("spots.png");
  const Outcome o = run_eqnca(dir, "targets gray-scott --f 0.03 --k 0.062 --size 32 --steps 1500 --out " + png);
  ASSERT_EQ(o.status, 0) << o.err;
  const RgbaImage image = read_png(png);
  EXPECT_EQ(image.height, 32);
  EXPECT_EQ(image.width, 32);
  float lo = 1, hi = 0;
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x) {
      EXPECT_NEAR(image.at(y, x, 3), 1.0f, 1e-6f);
      lo = std::min(lo, image.at(y, x, 1));
      hi = std::max(hi, image.at(y, x, 1));
    }
  EXPECT_GT(hi - lo, 0.3f);  // a pattern, not a flat image
}

TEST_F(CmdTargetsTest, BadRatesAreOneErrorLine) {
  const Outcome o = run_eqnca(dir, "targets gray-scott --f 0.5 --out " + dir.file("x.png"));
  expect_one_line_error(o, "--f must be in [0, 0.2]");
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.png")));
}

// Stripes are horizontal: every row is one colour, and rows one period apart are the same
// colour (to PNG's 8 bits), while rows half a period apart differ.
TEST_F(CmdTargetsTest, StripesAreHorizontalAndPeriodic) {
  const std::string png = dir.file("stripes.png");
  const Outcome o = run_eqnca(dir, "targets stripes --size 24 --period 8 --out " + png);
  ASSERT_EQ(o.status, 0) << o.err;
  const RgbaImage image = read_png(png);
  ASSERT_EQ(image.height, 24);
  ASSERT_EQ(image.width, 24);
  for (int y = 0; y < 24; ++y)
    for (int x = 0; x < 24; ++x)
      for (int c = 0; c < 4; ++c) {
        EXPECT_EQ(image.at(y, x, c), image.at(y, 0, c)) << y << " " << x;
        EXPECT_NEAR(image.at(y, x, c), image.at((y + 8) % 24, x, c), 1.0f / 255.0f) << y << " " << x;
      }
  EXPECT_GT(std::abs(image.at(2, 0, 0) - image.at(6, 0, 0)), 0.5f);  // a peak and a trough
}

TEST_F(CmdTargetsTest, BadStripesAreOneErrorLine) {
  const Outcome o = run_eqnca(dir, "targets stripes --period 1 --out " + dir.file("x.png"));
  expect_one_line_error(o, "--period must be >= 2, got 1");
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.png")));
}

}  // namespace
}  // namespace eqnca::experiments::testing
