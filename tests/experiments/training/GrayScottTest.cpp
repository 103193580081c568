// Gray-Scott against known behaviour: a homogeneous state follows the reaction ODE alone (the
// Laplacian of a constant is 0), and a perturbed trivial state forms the pattern its (f, k) is
// known for: spots (many small blobs), a labyrinth (one connected maze), or nothing.
#include "experiments/training/gray_scott.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace eqnca::experiments {
namespace {

struct Blobs {
  int count = 0, largest = 0;
  double covered = 0.0;  // fraction of cells above the threshold
};

// 4-connected (periodic) components of v > max(v) / 2.
Blobs blobs_of(const GrayScottState& s) {
  const int n = s.size;
  const double top = *std::max_element(s.v.begin(), s.v.end());
  Blobs b;
  if (top < 1e-3) return b;
  std::vector<char> seen(s.v.size(), 0);
  int on = 0;
  for (size_t i = 0; i < s.v.size(); ++i) {
    if (seen[i] || s.v[i] <= top / 2) continue;
    std::vector<size_t> stack{i};
    seen[i] = 1;
    int size = 0;
    while (!stack.empty()) {
      const size_t c = stack.back();
      stack.pop_back();
      ++size;
      const int y = static_cast<int>(c) / n, x = static_cast<int>(c) % n;
      for (const size_t q : {static_cast<size_t>(((y + 1) % n) * n + x), static_cast<size_t>(((y + n - 1) % n) * n + x),
                             static_cast<size_t>(y * n + (x + 1) % n), static_cast<size_t>(y * n + (x + n - 1) % n)})
        if (!seen[q] && s.v[q] > top / 2) {
          seen[q] = 1;
          stack.push_back(q);
        }
    }
    ++b.count;
    b.largest = std::max(b.largest, size);
    on += size;
  }
  b.covered = static_cast<double>(on) / static_cast<double>(s.v.size());
  return b;
}

GrayScottState pattern(double f, double k) {
  GrayScottOptions o;
  o.feed = f;
  o.kill = k;
  o.size = 64;
  o.steps = 4000;
  return gray_scott_pattern(o);
}

TEST(GrayScottTest, HomogeneousStateFollowsTheReactionOde) {
  GrayScottOptions o;
  o.feed = 0.037;
  o.kill = 0.06;
  GrayScottState s = gray_scott_uniform(16, 0.5, 0.25);
  gray_scott_run(s, o, 200);
  double u = 0.5, v = 0.25;  // the same Euler scheme on the ODE, computed apart
  for (int t = 0; t < 200; ++t) {
    const double uvv = u * v * v;
    const double nu = u - uvv + o.feed * (1 - u), nv = v + uvv - (o.feed + o.kill) * v;
    u = nu;
    v = nv;
  }
  // Every cell does the same arithmetic, and the Laplacian of a constant is 0 up to rounding of
  // -a + 0.8a + 0.2a: 1e-12 absolute is a few hundred ulps over 200 steps.
  for (size_t i = 0; i < s.u.size(); ++i) {
    EXPECT_NEAR(s.u[i], u, 1e-12);
    EXPECT_NEAR(s.v[i], v, 1e-12);
  }
  // And the trivial state u = 1, v = 0 is a fixed point.
  GrayScottState trivial = gray_scott_uniform(16, 1.0, 0.0);
  gray_scott_run(trivial, o, 100);
  for (size_t i = 0; i < trivial.u.size(); ++i) {
    EXPECT_NEAR(trivial.u[i], 1.0, 1e-12);
    EXPECT_NEAR(trivial.v[i], 0.0, 1e-12);
  }
}

TEST(GrayScottTest, SpotsAtTheirFeedAndKillRates) {
  // Measured: 14 blobs, the largest 112 cells (2.7% of the grid). Bounds leave room for the
  // noise: at least 6 blobs, none over 6% of the grid, a quarter of it or less covered.
  const Blobs b = blobs_of(pattern(0.030, 0.062));
  EXPECT_GE(b.count, 6);
  EXPECT_LT(b.largest, 0.06 * 64 * 64);
  EXPECT_LT(b.covered, 0.35);
}

TEST(GrayScottTest, LabyrinthAtItsFeedAndKillRates) {
  // Measured: one component of 2,194 cells (54% of the grid): the maze spans the torus.
  const Blobs b = blobs_of(pattern(0.029, 0.057));
  EXPECT_LE(b.count, 3);
  EXPECT_GT(b.largest, 0.3 * 64 * 64);
}

TEST(GrayScottTest, PerturbationDiesOutsideThePatternedRegion) {
  // High kill rate: v decays faster than the reaction makes it, back to u = 1, v = 0.
  const GrayScottState s = pattern(0.02, 0.08);
  EXPECT_LT(*std::max_element(s.v.begin(), s.v.end()), 1e-3);
  EXPECT_EQ(blobs_of(s).count, 0);
}

TEST(GrayScottTest, ImageIsOpaqueAndUsesTheRamp) {
  const GrayScottState s = pattern(0.030, 0.062);
  const RgbaImage image = gray_scott_image(s);
  ASSERT_EQ(image.height, 64);
  float lo = 1, hi = 0;
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) {
      EXPECT_EQ(image.at(y, x, 3), 1.0f);
      lo = std::min(lo, image.at(y, x, 0));
      hi = std::max(hi, image.at(y, x, 0));
    }
  EXPECT_GT(hi - lo, 0.5f);  // spots on a background use most of the ramp
}

TEST(GrayScottTest, BadOptionsAreRefusedNamingTheOption) {
  GrayScottOptions o;
  o.feed = -0.1;
  EXPECT_THROW(gray_scott_pattern(o), std::invalid_argument);
  o = GrayScottOptions{};
  o.size = 4;
  try {
    gray_scott_pattern(o);
    FAIL() << "size 4 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--size"), std::string::npos) << e.what();
  }
  o = GrayScottOptions{};
  o.du = 2.0;
  GrayScottState s = gray_scott_uniform(8, 1, 0);
  EXPECT_THROW(gray_scott_run(s, o, 1), std::invalid_argument);
}

}  // namespace
}  // namespace eqnca::experiments
