// The spectral path's hidden nonlinearity (kernels/field_relu.h) against a float64 reference, for
// every shape with unrolled kernels (C4's 4 x 4, 8 x 8, 16 x 16, SO(2)'s 7 x 16, O(2)'s 8 x 32)
// and one without (the loops over sizes), at field counts that leave every kind of remainder:
// fewer fields than a vector, whole vectors, and a partial vector after whole ones. Tolerance:
// 1e-5 of the sum of |terms| of each output (float sums). The bias gradient must take every
// field of every row exactly once (the last partial vector overlaps the one before it).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/field_relu.h"

namespace {

using eqnca::kernels::detail::FieldRelu;

std::vector<float> random_values(int64_t n, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = normal(rng);
  return v;
}

std::vector<float> transposed(const std::vector<float>& m, int64_t rows, int64_t cols) {
  std::vector<float> t(m.size());
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) t[size_t(j * rows + i)] = m[size_t(i * cols + j)];
  return t;
}

struct Shape {
  int64_t coefficients, values;
};
const Shape kShapes[] = {{4, 4}, {8, 8}, {16, 16}, {7, 16}, {8, 32}, {5, 12}};
const int64_t kFields[] = {1, 3, 8, 16, 19, 33};
constexpr int64_t kRows = 5;

void expect_near(float got, double want, double scale, const char* what, int64_t at) {
  EXPECT_NEAR(got, want, 1e-5 * scale + 1e-7) << what << " at " << at;
}

TEST(FieldRelu, ForwardAndBackwardMatchTheReference) {
  std::mt19937 rng(5);
  for (const Shape& s : kShapes)
    for (int64_t f : kFields) {
      SCOPED_TRACE(testing::Message() << s.coefficients << " x " << s.values << ", " << f << " fields");
      const int64_t C = s.coefficients, V = s.values;
      const std::vector<float> a = random_values(V * C, rng), b = random_values(C * V, rng);
      const std::vector<float> at = transposed(a, V, C), bt = transposed(b, C, V);
      const FieldRelu relu(a.data(), b.data(), at.data(), bt.data(), V, C);
      const std::vector<float> c = random_values(kRows * C * f, rng), bias = random_values(V * f, rng),
                               gc2 = random_values(kRows * C * f, rng), gb0 = random_values(V * f, rng);
      std::vector<float> v(size_t(kRows * V * f)), c2(size_t(kRows * C * f)), gc(size_t(kRows * C * f)), gb = gb0;
      relu.forward(c.data(), bias.data(), kRows, f, v.data(), c2.data());
      relu.backward(gc2.data(), v.data(), kRows, f, gb.data(), gc.data());

      std::vector<double> gb_want(gb0.begin(), gb0.end()), gb_scale(gb0.size());
      for (size_t i = 0; i < gb0.size(); ++i) gb_scale[i] = std::abs(gb0[i]);
      for (int64_t r = 0; r < kRows; ++r)
        for (int64_t j = 0; j < f; ++j) {
          // One field: coefficient k at k*f + j of its row, value o at o*f + j.
          auto coef = [&](const std::vector<float>& x, int64_t k) { return double(x[size_t((r * C + k) * f + j)]); };
          std::vector<double> h(static_cast<size_t>(V)), dh(static_cast<size_t>(V));
          for (int64_t o = 0; o < V; ++o) {
            double sum = bias[size_t(o * f + j)], scale = std::abs(sum);
            for (int64_t k = 0; k < C; ++k) {
              sum += double(a[size_t(o * C + k)]) * coef(c, k);
              scale += std::abs(double(a[size_t(o * C + k)]) * coef(c, k));
            }
            h[size_t(o)] = std::max(sum, 0.0);
            expect_near(v[size_t((r * V + o) * f + j)], h[size_t(o)], scale, "v", o);
            // d loss / d (A c + b): B^T gc2 where the value is positive (the kernel's v decides,
            // so a value within rounding of 0 is judged the same way).
            double g = 0.0;
            for (int64_t k = 0; k < C; ++k) g += double(b[size_t(k * V + o)]) * coef(gc2, k);
            dh[size_t(o)] = v[size_t((r * V + o) * f + j)] > 0.f ? g : 0.0;
            gb_want[size_t(o * f + j)] += dh[size_t(o)];
            gb_scale[size_t(o * f + j)] += std::abs(dh[size_t(o)]);
          }
          for (int64_t k = 0; k < C; ++k) {
            double y = 0.0, y_scale = 0.0, g = 0.0, g_scale = 0.0;
            for (int64_t o = 0; o < V; ++o) {
              y += double(b[size_t(k * V + o)]) * h[size_t(o)];
              y_scale += std::abs(double(b[size_t(k * V + o)]) * h[size_t(o)]);
              g += double(a[size_t(o * C + k)]) * dh[size_t(o)];
              g_scale += std::abs(double(a[size_t(o * C + k)]) * dh[size_t(o)]);
            }
            expect_near(c2[size_t((r * C + k) * f + j)], y, y_scale, "c2", k);
            expect_near(gc[size_t((r * C + k) * f + j)], g, g_scale, "gc", k);
          }
        }
      for (size_t i = 0; i < gb.size(); ++i) expect_near(gb[i], gb_want[i], gb_scale[i], "gb", int64_t(i));
    }
}

}  // namespace
