// Gray-Scott reaction-diffusion (see gray_scott.h).
#include "experiments/training/gray_scott.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

#include "groups/check.h"

namespace eqnca::experiments {
namespace {

// Periodic 3x3 Laplacian of `a` into `out`.
void laplacian(const std::vector<double>& a, int n, std::vector<double>& out) {
  for (int y = 0; y < n; ++y) {
    const int up = (y + n - 1) % n, down = (y + 1) % n;
    for (int x = 0; x < n; ++x) {
      const int left = (x + n - 1) % n, right = (x + 1) % n;
      auto at = [&](int r, int c) { return a[static_cast<size_t>(r) * n + c]; };
      const double edges = at(up, x) + at(down, x) + at(y, left) + at(y, right);
      const double corners = at(up, left) + at(up, right) + at(down, left) + at(down, right);
      out[static_cast<size_t>(y) * n + x] = -at(y, x) + 0.2 * edges + 0.05 * corners;
    }
  }
}

}  // namespace

GrayScottState gray_scott_uniform(int size, double u, double v) {
  EQNCA_CHECK(size > 0, "gray-scott: size must be positive, got {}", size);
  GrayScottState s;
  s.size = size;
  s.u.assign(static_cast<size_t>(size) * size, u);
  s.v.assign(static_cast<size_t>(size) * size, v);
  return s;
}

GrayScottState gray_scott_perturbed_start(int size, std::uint64_t seed) {
  GrayScottState s = gray_scott_uniform(size, 1.0, 0.0);
  const int half = std::max(1, size / 16), c = size / 2;
  for (int y = c - half; y < c + half; ++y)
    for (int x = c - half; x < c + half; ++x) {
      s.u[static_cast<size_t>(y) * size + x] = 0.5;
      s.v[static_cast<size_t>(y) * size + x] = 0.25;
    }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> noise(0.0, 0.02);
  for (size_t i = 0; i < s.u.size(); ++i) {
    s.u[i] += noise(rng);
    s.v[i] += noise(rng);
  }
  return s;
}

void gray_scott_run(GrayScottState& s, const GrayScottOptions& o, int steps) {
  EQNCA_CHECK(steps >= 0, "gray-scott: --steps must be >= 0, got {}", steps);
  EQNCA_CHECK(o.du >= 0 && o.du <= 1 && o.dv >= 0 && o.dv <= 1,
              "gray-scott: diffusion rates must be in [0, 1], got Du {} Dv {}", o.du, o.dv);
  const int n = s.size;
  std::vector<double> lu(s.u.size()), lv(s.v.size());
  for (int t = 0; t < steps; ++t) {
    laplacian(s.u, n, lu);
    laplacian(s.v, n, lv);
    for (size_t i = 0; i < s.u.size(); ++i) {
      const double u = s.u[i], v = s.v[i], uvv = u * v * v;
      s.u[i] = u + o.du * lu[i] - uvv + o.feed * (1.0 - u);
      s.v[i] = v + o.dv * lv[i] + uvv - (o.feed + o.kill) * v;
    }
  }
}

GrayScottState gray_scott_pattern(const GrayScottOptions& o) {
  EQNCA_CHECK(std::isfinite(o.feed) && o.feed >= 0 && o.feed <= 0.2, "--f must be in [0, 0.2], got {}", o.feed);
  EQNCA_CHECK(std::isfinite(o.kill) && o.kill >= 0 && o.kill <= 0.2, "--k must be in [0, 0.2], got {}", o.kill);
  EQNCA_CHECK(o.size >= 8 && o.size <= 4096, "--size must be in [8, 4096], got {}", o.size);
  EQNCA_CHECK(o.steps >= 0 && o.steps <= 1000000, "--steps must be in [0, 1000000], got {}", o.steps);
  GrayScottState s = gray_scott_perturbed_start(o.size, o.seed);
  gray_scott_run(s, o, o.steps);
  return s;
}

RgbaImage gray_scott_image(const GrayScottState& s) {
  const double top = *std::max_element(s.v.begin(), s.v.end());
  const float dark[3] = {0.08f, 0.12f, 0.30f}, light[3] = {0.98f, 0.92f, 0.78f};
  RgbaImage image = make_image(s.size, s.size);
  for (int y = 0; y < s.size; ++y)
    for (int x = 0; x < s.size; ++x) {
      const double v = s.v[static_cast<size_t>(y) * s.size + x];
      const float t = top > 1e-9 ? static_cast<float>(std::clamp(v / top, 0.0, 1.0)) : 0.0f;
      for (int c = 0; c < 3; ++c) image.at(y, x, c) = dark[c] + t * (light[c] - dark[c]);
      image.at(y, x, 3) = 1.0f;
    }
  return image;
}

}  // namespace eqnca::experiments
