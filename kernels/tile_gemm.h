// Matrix products of a tile's rows (one row per cell) with a small layer's weights, for the
// fused steps' MLPs on the CPU.
//
// Why not Eigen's general product: at a tile's size (128 cells, 16-128 columns) Eigen re-packs
// both operands on every call, and the bias, ReLU and accumulation need passes of their own;
// the weights here are packed once per step (PackedWeights) and the tile is read in place by
// register blocks of the target's widest float vectors (kernels/simd.h: 16 floats with AVX-512,
// 8 with AVX), with bias + ReLU or accumulation done at the store.
//
// Conventions: row-major operands given by a pointer and strides in floats; every product is
// accumulated in float in order of the reduction index, so results are deterministic for a
// given shape (they may differ from Eigen's in the last bits).
#pragma once

#include <cstdint>
#include <vector>

namespace eqnca::kernels::detail {

// B (k x n) for `multiply`: k rows of `stride()` floats, n rounded up to whole vectors
// (kernels/simd.h) and zero beyond n.
class PackedWeights {
 public:
  // From a row-major (rows x cols) matrix w: B = w^T (k = cols, n = rows) when `transpose`, the
  // layout of a layer's weight for y = x w^T; else B = w (k = rows, n = cols).
  void pack(const float* w, int64_t rows, int64_t cols, bool transpose);
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  int64_t stride() const { return stride_; }
  const float* data() const { return data_.data(); }

 private:
  int64_t k_ = 0, n_ = 0, stride_ = 0;
  std::vector<float> data_;
};

// What `multiply` does with its result c = a B.
enum class Store {
  kAssign,    // c = a B
  kAdd,       // c += a B
  kBiasRelu,  // c = max(a B + bias, 0), bias of n floats
};

// c (r x n, row stride ldc) = a B for a (r x k) read as a[i * row_stride + j * col_stride], so a
// tile stored either way round can be the left operand.
void multiply(const float* a, int64_t row_stride, int64_t col_stride, int64_t r, const PackedWeights& b, float* c,
              int64_t ldc, Store store, const float* bias = nullptr);

// g (m x n, row stride ldg) += a^T b summed over r rows: a (r x m) read as a[t * row_stride +
// i * col_stride], b (r x n, row stride ldb). The weight gradient of a layer over a tile: cells
// are the reduction.
void accumulate_outer(const float* a, int64_t row_stride, int64_t col_stride, int64_t m, const float* b, int64_t ldb,
                      int64_t n, int64_t r, float* g, int64_t ldg);

}  // namespace eqnca::kernels::detail
