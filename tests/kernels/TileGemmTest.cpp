// The tile products (kernels/tile_gemm.h) against a float64 reference, over shapes that leave
// every kind of remainder: rows not a multiple of any register block, columns not a multiple of
// 16, one-column and one-row operands, strided and column-major left operands. The columns
// between n and a row's stride must stay untouched (a store of a whole vector there would
// overwrite the next field of a tile). Tolerance: 1e-5 of the sum of |a_ij b_jk| (float sums).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/tile_gemm.h"

namespace {

using eqnca::kernels::detail::accumulate_outer;
using eqnca::kernels::detail::multiply;
using eqnca::kernels::detail::PackedWeights;
using eqnca::kernels::detail::Store;

constexpr float kSentinel = 12345.f;

std::vector<float> random_values(int64_t n, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = normal(rng);
  return v;
}

struct Shape {
  int64_t r, k, n;
};
const Shape kShapes[] = {{1, 1, 1},      {5, 3, 7},      {17, 16, 16}, {23, 48, 17}, {128, 48, 128},
                         {130, 128, 48}, {128, 128, 16}, {7, 22, 100}, {33, 64, 65}, {128, 17, 12}};

TEST(TileGemm, MultiplyMatchesTheReferenceForEveryStoreAndLayout) {
  std::mt19937 rng(3);
  for (const Shape& s : kShapes)
    for (bool column_major : {false, true})
      for (Store store : {Store::kAssign, Store::kAdd, Store::kBiasRelu}) {
        // w is a layer's (n x k) weight; the product is a w^T.
        const std::vector<float> w = random_values(s.n * s.k, rng), bias = random_values(s.n, rng);
        const int64_t lda = s.k + 3, ldc = s.n + 5;  // padded rows, as in a tile
        std::vector<float> a = random_values(s.r * lda + s.k * (s.r + 2), rng);
        const int64_t row_stride = column_major ? 1 : lda, col_stride = column_major ? s.r + 2 : 1;
        std::vector<float> c = random_values(s.r * ldc, rng);
        for (int64_t i = 0; i < s.r; ++i)
          for (int64_t j = s.n; j < ldc; ++j) c[size_t(i * ldc + j)] = kSentinel;
        const std::vector<float> before = c;
        PackedWeights b;
        b.pack(w.data(), s.n, s.k, true);
        multiply(a.data(), row_stride, col_stride, s.r, b, c.data(), ldc, store, bias.data());
        for (int64_t i = 0; i < s.r; ++i) {
          for (int64_t j = 0; j < s.n; ++j) {
            double sum = 0, scale = 0;
            for (int64_t t = 0; t < s.k; ++t) {
              const double term = double(a[size_t(i * row_stride + t * col_stride)]) * w[size_t(j * s.k + t)];
              sum += term;
              scale += std::abs(term);
            }
            if (store == Store::kAdd) sum += before[size_t(i * ldc + j)];
            if (store == Store::kBiasRelu) sum = std::max(sum + bias[size_t(j)], 0.0);
            ASSERT_NEAR(c[size_t(i * ldc + j)], sum, 1e-5 * (scale + 1))
                << "r " << s.r << " k " << s.k << " n " << s.n << " row " << i << " col " << j;
          }
          for (int64_t j = s.n; j < ldc; ++j) ASSERT_EQ(c[size_t(i * ldc + j)], kSentinel) << "wrote past n";
        }
      }
}

TEST(TileGemm, PackingWithoutTransposeGivesTheMatrixItself) {
  std::mt19937 rng(4);
  const int64_t r = 9, k = 20, n = 35;
  const std::vector<float> w = random_values(k * n, rng), a = random_values(r * k, rng);
  PackedWeights b;
  b.pack(w.data(), k, n, false);
  EXPECT_EQ(b.k(), k);
  EXPECT_EQ(b.n(), n);
  std::vector<float> c(size_t(r * n));
  multiply(a.data(), k, 1, r, b, c.data(), n, Store::kAssign);
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t t = 0; t < k; ++t) sum += double(a[size_t(i * k + t)]) * w[size_t(t * n + j)];
      ASSERT_NEAR(c[size_t(i * n + j)], sum, 1e-4);
    }
}

TEST(TileGemm, OuterProductSumsOverTheRows) {
  std::mt19937 rng(5);
  const Shape shapes[] = {{1, 1, 1}, {128, 128, 48}, {128, 16, 128}, {130, 128, 16}, {37, 22, 17}, {5, 3, 100}};
  for (const Shape& s : shapes)  // r rows (the reduction), m = s.k rows of g, n columns
    for (bool column_major : {false, true}) {
      const int64_t m = s.k, lda = m + 2, ldb = s.n + 3, ldg = s.n + 4;
      const std::vector<float> a = random_values(s.r * lda + m * (s.r + 1), rng), b = random_values(s.r * ldb, rng);
      const int64_t row_stride = column_major ? 1 : lda, col_stride = column_major ? s.r + 1 : 1;
      std::vector<float> g = random_values(m * ldg, rng);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = s.n; j < ldg; ++j) g[size_t(i * ldg + j)] = kSentinel;
      const std::vector<float> before = g;
      accumulate_outer(a.data(), row_stride, col_stride, m, b.data(), ldb, s.n, s.r, g.data(), ldg);
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < s.n; ++j) {
          double sum = before[size_t(i * ldg + j)], scale = 0;
          for (int64_t t = 0; t < s.r; ++t) {
            const double term = double(a[size_t(t * row_stride + i * col_stride)]) * b[size_t(t * ldb + j)];
            sum += term;
            scale += std::abs(term);
          }
          ASSERT_NEAR(g[size_t(i * ldg + j)], sum, 1e-5 * (scale + 1))
              << "r " << s.r << " m " << m << " n " << s.n << " at " << i << ", " << j;
        }
        for (int64_t j = s.n; j < ldg; ++j) ASSERT_EQ(g[size_t(i * ldg + j)], kSentinel) << "wrote past n";
      }
    }
}

}  // namespace
