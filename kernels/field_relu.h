// The hidden nonlinearity of the fused steps' spectral path (kernels/spectral_mlp.h) in one pass
// per tile: from the hidden fields' coefficients c to the values v = relu(A c + b1) at the
// group's samples and back to coefficients B v, and the backward of the same.
//
// Why one pass: A and B are small per-field maps (4x4 for C4, 16x7 for SO(2) at band limit 3),
// a few multiply-adds per float moved; done as three passes (A, bias + ReLU, B) the tile went
// through memory three times and the maps were bound by loads and stores, not arithmetic.
//
// Conventions: a tile row holds one cell; a row of c is C*f floats, coefficient k of field j at
// k*f + j (v likewise with V values per field); the fields of one vector (kernels/simd.h)
// are processed together.
#pragma once

#include <cstdint>

namespace eqnca::kernels::detail {

class FieldRelu {
 public:
  // to_values A (V x C), to_coefficients B (C x V) and their transposes, row-major, alive as long
  // as this. Unrolled kernels for the shapes of the C_N / D_N regular fields (C = V = 4, 8, 16)
  // and SO(2) / O(2) at band limit 3 (C = 7, V = 16; C = 8, V = 32); loops over the sizes for
  // any other.
  FieldRelu(const float* to_values, const float* to_coefficients, const float* to_values_t,
            const float* to_coefficients_t, int64_t values, int64_t coefficients);

  // c (r rows, C*f) -> v (r, V*f) = relu(A c + bias), c2 (r, C*f) = B v; bias has V*f floats.
  void forward(const float* c, const float* bias, int64_t r, int64_t f, float* v, float* c2) const;
  // From d loss / d c2 (r, C*f) and the forward's v: gb (V*f) += the gradient of the bias summed
  // over rows, gc (r, C*f) = d loss / d c = A^T (relu'(v) * B^T gc2).
  void backward(const float* gc2, const float* v, int64_t r, int64_t f, float* gb, float* gc) const;

 private:
  using Forward = void (*)(const FieldRelu&, const float*, const float*, int64_t, int64_t, float*, float*);
  using Backward = void (*)(const FieldRelu&, const float*, const float*, int64_t, int64_t, float*, float*);
  template <int C, int V>
  friend struct FieldReluKernels;
  friend void generic_forward(const FieldRelu&, const float*, const float*, int64_t, int64_t, float*, float*);
  friend void generic_backward(const FieldRelu&, const float*, const float*, int64_t, int64_t, float*, float*);
  const float *a_, *b_, *at_, *bt_;
  int64_t values_, coefficients_;
  Forward forward_ = nullptr;
  Backward backward_ = nullptr;
};

}  // namespace eqnca::kernels::detail
