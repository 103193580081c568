// Tile products of the fused steps' MLPs; see tile_gemm.h.
#include "kernels/tile_gemm.h"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <utility>

#include "kernels/simd.h"

namespace eqnca::kernels::detail {
namespace {

using Vec = Floats;

// Register blocks: a block keeps rows x vectors sums in registers while it streams the reduction
// index, with room left for one row of b's vectors and a broadcast of a.
// AVX-512 (32 registers): 24 sums. Blocks one vector wide hold 16 rows: 24 spilled, 8 starve the
// FMA units (measured on a 128-cell tile: 76, 156 and 164 GFLOP/s at 24, 8 and 16 rows on one
// Zen 5 core). 16 registers (AVX2, SSE): 12 sums, 6 rows for blocks one vector wide (the growing
// MLP's six tile products on one Zen 3 core: 73 GFLOP/s, against 59 with 12 rows, 71 with 8, 50
// with three vectors by 4 rows, 46 with 16 sums).
constexpr int kSums = kVectorRegisters == 32 ? 24 : 12;
constexpr int kMaxVectors = kVectorRegisters == 32 ? 4 : 2;
constexpr int kRowsOfOneVector = kVectorRegisters == 32 ? 16 : 6;
template <int V>
constexpr int kBlockRows = V == 1 ? kRowsOfOneVector : kSums / V;

inline Vec load(const float* p) { return detail::load<Vec>(p); }
// The first `count` (1..kLanes) lanes of v to p.
inline void store(float* p, const Vec& v, int64_t count) {
  if (count == kLanes)
    put(p, v);
  else
    std::memcpy(p, &v, sizeof(float) * size_t(count));
}
inline Vec load_partial(const float* p, int64_t count) {
  if (count == kLanes) return load(p);
  Vec v{};
  std::memcpy(&v, p, sizeof(float) * size_t(count));
  return v;
}

// One block of `multiply`: rows [0, R) of a times vectors [0, V) of b's panel. The store mode is
// a template argument and full panels take a path with no lane counts, so that the stores are
// straight-line code: with both decided at run time GCC stored the 12 sums from a stack array in
// a loop, a quarter of the time of the product with the shortest reduction (k = 16 in the
// growing MLP's backward) and 9% at k = 48 (bench/tile_gemm_bench.cpp).
template <int R, int V, Store S>
void multiply_block(const float* __restrict a, int64_t rs, int64_t cs, int64_t k, const float* __restrict b,
                    int64_t b_stride, float* __restrict c, int64_t ldc, int64_t cols, const Vec* bias) {
  Vec sum[R][V];
  for (int i = 0; i < R; ++i)
    for (int v = 0; v < V; ++v) sum[i][v] = Vec{};
  for (int64_t j = 0; j < k; ++j) {
    Vec bv[V];
    for (int v = 0; v < V; ++v) bv[v] = load(b + j * b_stride + v * kLanes);
    for (int i = 0; i < R; ++i) {
      const float s = a[i * rs + j * cs];
      for (int v = 0; v < V; ++v) sum[i][v] += s * bv[v];
    }
  }
  auto finish = [&](const Vec& y, const float* out, int v, int64_t count) {
    if constexpr (S == Store::kAdd) return y + load_partial(out, count);
    if constexpr (S == Store::kBiasRelu) {
      const Vec z = y + bias[v];
      return z > Vec{} ? z : Vec{};
    }
    return y;
  };
  if (cols == V * kLanes) {
    for (int i = 0; i < R; ++i)
      for (int v = 0; v < V; ++v) {
        float* out = c + i * ldc + v * kLanes;
        put(out, finish(sum[i][v], out, v, kLanes));
      }
    return;
  }
  for (int i = 0; i < R; ++i)
    for (int v = 0; v < V; ++v) {
      const int64_t count = std::min(kLanes, cols - v * kLanes);
      float* out = c + i * ldc + v * kLanes;
      store(out, finish(sum[i][v], out, v, count), count);
    }
}

// Rows [0, r) in blocks of R, the remainder in blocks of R / 2, R / 4, ... 1.
template <int R, int V, Store S>
void multiply_rows(const float* a, int64_t rs, int64_t cs, int64_t r, int64_t k, const float* b, int64_t b_stride,
                   float* c, int64_t ldc, int64_t cols, const Vec* bias) {
  int64_t i = 0;
  for (; i + R <= r; i += R) multiply_block<R, V, S>(a + i * rs, rs, cs, k, b, b_stride, c + i * ldc, ldc, cols, bias);
  if constexpr (R > 1)
    if (i < r) multiply_rows<R / 2, V, S>(a + i * rs, rs, cs, r - i, k, b, b_stride, c + i * ldc, ldc, cols, bias);
}

// One block of `accumulate_outer`: g rows [0, M) and vectors [0, V), summed over r rows.
template <int M, int V>
void outer_block(const float* __restrict a, int64_t rs, int64_t cs, const float* __restrict b, int64_t ldb, int64_t r,
                 float* __restrict g, int64_t ldg, int64_t cols) {
  Vec sum[M][V];
  for (int i = 0; i < M; ++i)
    for (int v = 0; v < V; ++v) sum[i][v] = Vec{};
  for (int64_t t = 0; t < r; ++t) {
    Vec bv[V];
    for (int v = 0; v < V; ++v) bv[v] = load(b + t * ldb + v * kLanes);
    for (int i = 0; i < M; ++i) {
      const float s = a[t * rs + i * cs];
      for (int v = 0; v < V; ++v) sum[i][v] += s * bv[v];
    }
  }
  if (cols == V * kLanes) {  // straight-line stores, as in multiply_block
    for (int i = 0; i < M; ++i)
      for (int v = 0; v < V; ++v) {
        float* out = g + i * ldg + v * kLanes;
        put(out, sum[i][v] + load(out));
      }
    return;
  }
  for (int i = 0; i < M; ++i)
    for (int v = 0; v < V; ++v) {
      const int64_t count = std::min(kLanes, cols - v * kLanes);
      float* out = g + i * ldg + v * kLanes;
      store(out, sum[i][v] + load_partial(out, count), count);
    }
}

template <int M, int V>
void outer_rows(const float* a, int64_t rs, int64_t cs, int64_t m, const float* b, int64_t ldb, int64_t r, float* g,
                int64_t ldg, int64_t cols) {
  int64_t i = 0;
  for (; i + M <= m; i += M) outer_block<M, V>(a + i * cs, rs, cs, b, ldb, r, g + i * ldg, ldg, cols);
  if constexpr (M > 1)
    if (i < m) outer_rows<M / 2, V>(a + i * cs, rs, cs, m - i, b, ldb, r, g + i * ldg, ldg, cols);
}

// Calls f(std::integral_constant<int, V>) for V = vectors (1..kMaxVectors).
template <int V = 1, typename F>
void with_vectors(int64_t vectors, F&& f) {
  if (vectors == V)
    f(std::integral_constant<int, V>{});
  else if constexpr (V < kMaxVectors)
    with_vectors<V + 1>(vectors, std::forward<F>(f));
}

}  // namespace

void PackedWeights::pack(const float* w, int64_t rows, int64_t cols, bool transpose) {
  k_ = transpose ? cols : rows;
  n_ = transpose ? rows : cols;
  stride_ = (n_ + kLanes - 1) / kLanes * kLanes;
  data_.assign(size_t(k_ * stride_), 0.f);
  for (int64_t j = 0; j < k_; ++j)
    for (int64_t i = 0; i < n_; ++i) data_[size_t(j * stride_ + i)] = transpose ? w[i * cols + j] : w[j * cols + i];
}

void multiply(const float* a, int64_t row_stride, int64_t col_stride, int64_t r, const PackedWeights& b, float* c,
              int64_t ldc, Store store, const float* bias) {
  const int64_t vectors = b.stride() / kLanes;
  for (int64_t v0 = 0; v0 < vectors; v0 += kMaxVectors) {
    const int64_t nv = std::min<int64_t>(kMaxVectors, vectors - v0), c0 = v0 * kLanes;
    const int64_t cols = std::min(b.n() - c0, nv * kLanes);
    Vec bias_v[kMaxVectors] = {};
    if (store == Store::kBiasRelu)
      for (int64_t v = 0; v < nv; ++v)
        bias_v[v] = load_partial(bias + c0 + v * kLanes, std::min(kLanes, cols - v * kLanes));
    with_vectors(nv, [&](auto vc) {
      constexpr int V = decltype(vc)::value;
      auto rows = [&](auto mode) {
        multiply_rows<kBlockRows<V>, V, decltype(mode)::value>(a, row_stride, col_stride, r, b.k(), b.data() + c0,
                                                               b.stride(), c + c0, ldc, cols, bias_v);
      };
      if (store == Store::kAssign)
        rows(std::integral_constant<Store, Store::kAssign>{});
      else if (store == Store::kAdd)
        rows(std::integral_constant<Store, Store::kAdd>{});
      else
        rows(std::integral_constant<Store, Store::kBiasRelu>{});
    });
  }
}

void accumulate_outer(const float* a, int64_t row_stride, int64_t col_stride, int64_t m, const float* b, int64_t ldb,
                      int64_t n, int64_t r, float* g, int64_t ldg) {
  const int64_t full = n / kLanes;
  for (int64_t v0 = 0; v0 < full; v0 += kMaxVectors) {
    const int64_t nv = std::min<int64_t>(kMaxVectors, full - v0), c0 = v0 * kLanes;
    with_vectors(nv, [&](auto vc) {
      constexpr int V = decltype(vc)::value;
      outer_rows<kBlockRows<V>, V>(a, row_stride, col_stride, m, b + c0, ldb, r, g + c0, ldg, nv * kLanes);
    });
  }
  // The last n % kLanes columns of b, zero-padded to a vector per row (a row's full vector would
  // read past the end of b).
  if (const int64_t tail = n - full * kLanes; tail > 0) {
    thread_local std::vector<float> padded;
    padded.assign(size_t(r * kLanes), 0.f);
    for (int64_t t = 0; t < r; ++t)
      std::memcpy(&padded[size_t(t * kLanes)], b + t * ldb + full * kLanes, sizeof(float) * size_t(tail));
    outer_rows<kBlockRows<1>, 1>(a, row_stride, col_stride, m, padded.data(), kLanes, r, g + full * kLanes, ldg, tail);
  }
}

}  // namespace eqnca::kernels::detail
