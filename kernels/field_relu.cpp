// The spectral path's hidden nonlinearity in one pass; see field_relu.h.
#include "kernels/field_relu.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/simd.h"

namespace eqnca::kernels::detail {

// The kernels of one shape: C coefficients, V values per field, kLanes fields (kernels/simd.h) as
// one vector; `float` is the same code for one field, used when there are fewer than kLanes.
// Two ways to do a group of fields:
//  * small maps (C4's 4 x 4): inputs, values and outputs all stay in registers, one dot product
//    per value;
//  * larger ones: each map is a register-blocked product, up to kBlock outputs summed in
//    registers while the inputs stream from L1 a vector at a time, the products interleaved
//    output by output. Done the first way, each output was a chain of C dependent multiply-adds
//    and the group's inputs, outputs and a chunk of values (2 C + 8 vectors) did not fit AVX2's
//    16 registers: 1.1-1.6x slower (bench/field_relu_bench.cpp, bench/RESULTS.md). Two cells'
//    rows at once, each weight broadcast once for both, measured slower still.
template <int C, int V>
struct FieldReluKernels {
  // Inputs, values and outputs of a group take at most all registers but one (a broadcast weight).
  static constexpr bool kInRegisters = 2 * C + V + 1 <= kVectorRegisters;
  // Accumulators of a block: all registers but the streamed input and a broadcast weight.
  static constexpr int kBlock = kVectorRegisters - 2;

  // K outputs in blocks of at most kBlock, as even as whole blocks allow: `full` blocks of `size`
  // and one of `tail` (AVX2: 16 -> 8 + 8, 32 -> 11 + 11 + 10).
  template <int K>
  struct Blocks {
    static constexpr int count = (K + kBlock - 1) / kBlock;
    static constexpr int size = (K + count - 1) / count;
    static constexpr int full = K / size;
    static constexpr int tail = K - full * size;
  };

  // acc[o] += sum_n m[o * N + n] * x[n * stride] for o < R: R rows of a row-major (., N) map.
  template <typename L, int N, int R>
  static inline void accumulate(const float* m, const float* x, int64_t stride, L (&acc)[R]) {
    for (int n = 0; n < N; ++n) {
      const L xn = load<L>(x + n * stride);
      for (int o = 0; o < R; ++o) acc[o] += m[o * N + n] * xn;
    }
  }
  // y[k * y_stride] = sum_n m[k * N + n] x[n * x_stride] for k in [k0, k0 + B).
  template <typename L, int N, int B>
  static inline void map_block(const float* m, const float* x, int64_t x_stride, float* y, int64_t y_stride, int k0) {
    L acc[B];
    for (int k = 0; k < B; ++k) acc[k] = L{};
    accumulate<L, N, B>(m + k0 * N, x, x_stride, acc);
    for (int k = 0; k < B; ++k) put(y + (k0 + k) * y_stride, acc[k]);
  }
  // The same for all K rows of m (K = C: 7, 8 or 16, whole blocks).
  template <typename L, int N, int K>
  static inline void map(const float* m, const float* x, int64_t x_stride, float* y, int64_t y_stride) {
    using B = Blocks<K>;
    static_assert(B::tail == 0, "outputs in whole blocks");
    for (int k0 = 0; k0 < K; k0 += B::size) map_block<L, N, B::size>(m, x, x_stride, y, y_stride, k0);
  }

  // v = relu(A c + bias) for the values [o0, o0 + B).
  template <typename L, int B>
  static inline void values_block(const float* a, const float* c, const float* bias, int64_t f, int64_t j, float* v,
                                  int o0) {
    L h[B];
    for (int o = 0; o < B; ++o) h[o] = load<L>(bias + (o0 + o) * f + j);
    accumulate<L, C, B>(a + o0 * C, c + j, f, h);
    for (int o = 0; o < B; ++o) put(v + (o0 + o) * f + j, h[o] > L{} ? h[o] : L{});
  }
  // d loss / d (A c + b) for the values [o0, o0 + B), from gc2 = d loss / d (B v): into gv (value
  // o at o * lanes of L) and summed into gb.
  template <typename L, int B>
  static inline void gradient_block(const float* bt, const float* gc2, const float* v, int64_t f, int64_t j, float* gb,
                                    const L& keep, float* gv, int o0) {
    constexpr int64_t kStride = sizeof(L) / sizeof(float);
    L s[B];
    for (int o = 0; o < B; ++o) s[o] = L{};
    accumulate<L, C, B>(bt + o0 * C, gc2 + j, f, s);
    for (int o = 0; o < B; ++o) {
      const L d = load<L>(v + (o0 + o) * f + j) > L{} ? s[o] : L{};
      float* gbo = gb + (o0 + o) * f + j;
      put(gbo, load<L>(gbo) + keep * d);
      put(gv + (o0 + o) * kStride, d);
    }
  }

  template <typename L>
  static void forward_fields(const FieldRelu& m, const float* c, const float* bias, int64_t f, int64_t j, float* v,
                             float* c2) {
    const float* a = m.a_;
    const float* b = m.b_;
    if constexpr (kInRegisters) {
      L x[C], out[C];
      for (int k = 0; k < C; ++k) {
        x[k] = load<L>(c + k * f + j);
        out[k] = L{};
      }
      L h[V];
      for (int o = 0; o < V; ++o) {
        L s = load<L>(bias + o * f + j);
        for (int k = 0; k < C; ++k) s += a[o * C + k] * x[k];
        h[o] = s > L{} ? s : L{};
        put(v + o * f + j, h[o]);
      }
      for (int k = 0; k < C; ++k)
        for (int o = 0; o < V; ++o) out[k] += b[k * V + o] * h[o];
      for (int k = 0; k < C; ++k) put(c2 + k * f + j, out[k]);
    } else {
      using B = Blocks<V>;
      for (int o0 = 0; o0 < B::full * B::size; o0 += B::size) values_block<L, B::size>(a, c, bias, f, j, v, o0);
      if constexpr (B::tail > 0) values_block<L, B::tail>(a, c, bias, f, j, v, B::full * B::size);
      map<L, V, C>(b, v + j, f, c2 + j, f);
    }
  }

  template <typename L>
  static void backward_fields(const FieldRelu& m, const float* gc2, const float* v, int64_t f, int64_t j, float* gb,
                              float* gc, const L& keep) {
    const float* at = m.at_;
    const float* bt = m.bt_;
    if constexpr (kInRegisters) {
      L g[C], out[C], gv[V];
      for (int k = 0; k < C; ++k) {
        g[k] = load<L>(gc2 + k * f + j);
        out[k] = L{};
      }
      for (int o = 0; o < V; ++o) {
        L s{};
        for (int k = 0; k < C; ++k) s += bt[o * C + k] * g[k];
        s = load<L>(v + o * f + j) > L{} ? s : L{};
        float* gbo = gb + o * f + j;
        put(gbo, load<L>(gbo) + keep * s);
        gv[o] = s;
      }
      for (int k = 0; k < C; ++k)
        for (int o = 0; o < V; ++o) out[k] += at[k * V + o] * gv[o];
      for (int k = 0; k < C; ++k) put(gc + k * f + j, out[k]);
    } else {
      // Through L1 to the second map. Unaligned (the loads need not be): an aligned array made
      // every call realign the stack.
      constexpr int64_t kStride = sizeof(L) / sizeof(float);
      float gv[V * kStride];
      using B = Blocks<V>;
      for (int o0 = 0; o0 < B::full * B::size; o0 += B::size)
        gradient_block<L, B::size>(bt, gc2, v, f, j, gb, keep, gv, o0);
      if constexpr (B::tail > 0) gradient_block<L, B::tail>(bt, gc2, v, f, j, gb, keep, gv, B::full * B::size);
      map<L, V, C>(at, gv, kStride, gc + j, f);
    }
  }

  // Fields past the last whole vector: the kLanes ending at f again, overlapping the group before
  // (those fields' values are the same when made twice; the bias gradient takes each field once,
  // `keep` zero on the overlap). Below kLanes fields, one field at a time.
  static void forward(const FieldRelu& m, const float* c, const float* bias, int64_t r, int64_t f, float* v,
                      float* c2) {
    for (int64_t i = 0; i < r; ++i) {
      const float* ci = c + i * C * f;
      float* vi = v + i * V * f;
      float* c2i = c2 + i * C * f;
      if (f < kLanes) {
        for (int64_t j = 0; j < f; ++j) forward_fields<float>(m, ci, bias, f, j, vi, c2i);
        continue;
      }
      for (int64_t j = 0; j + kLanes <= f; j += kLanes) forward_fields<Floats>(m, ci, bias, f, j, vi, c2i);
      if (f % kLanes != 0) forward_fields<Floats>(m, ci, bias, f, f - kLanes, vi, c2i);
    }
  }
  static void backward(const FieldRelu& m, const float* gc2, const float* v, int64_t r, int64_t f, float* gb,
                       float* gc) {
    Floats all, last;
    for (int l = 0; l < kLanes; ++l) {
      all[l] = 1.f;
      last[l] = l >= kLanes - f % kLanes ? 1.f : 0.f;
    }
    for (int64_t i = 0; i < r; ++i) {
      const float* gi = gc2 + i * C * f;
      const float* vi = v + i * V * f;
      float* gci = gc + i * C * f;
      if (f < kLanes) {
        for (int64_t j = 0; j < f; ++j) backward_fields<float>(m, gi, vi, f, j, gb, gci, 1.f);
        continue;
      }
      for (int64_t j = 0; j + kLanes <= f; j += kLanes) backward_fields<Floats>(m, gi, vi, f, j, gb, gci, all);
      if (f % kLanes != 0) backward_fields<Floats>(m, gi, vi, f, f - kLanes, gb, gci, last);
    }
  }
};

// Any other shape (other band limits, other groups), one map at a time over whole rows of
// fields: loops the compiler vectorises over fields, with the values' gradient kept in a scratch
// row of the calling thread.
namespace {

// out (rows x f) = M (rows x cols, row-major) in (cols x f): each row of out and in holds f fields.
void map_fields(const float* m, int64_t rows, int64_t cols, const float* in, int64_t f, float* out) {
  for (int64_t o = 0; o < rows; ++o) {
    float* __restrict y = out + o * f;
    std::fill(y, y + f, 0.f);
    for (int64_t k = 0; k < cols; ++k) {
      const float w = m[o * cols + k];
      const float* __restrict x = in + k * f;
      for (int64_t j = 0; j < f; ++j) y[j] += w * x[j];
    }
  }
}

}  // namespace

void generic_forward(const FieldRelu& m, const float* c, const float* bias, int64_t r, int64_t f, float* v, float* c2) {
  const int64_t C = m.coefficients_, V = m.values_;
  for (int64_t i = 0; i < r; ++i) {
    float* vi = v + i * V * f;
    map_fields(m.a_, V, C, c + i * C * f, f, vi);
    for (int64_t j = 0; j < V * f; ++j) vi[j] = std::max(vi[j] + bias[j], 0.f);
    map_fields(m.b_, C, V, vi, f, c2 + i * C * f);
  }
}
void generic_backward(const FieldRelu& m, const float* gc2, const float* v, int64_t r, int64_t f, float* gb,
                      float* gc) {
  const int64_t C = m.coefficients_, V = m.values_;
  thread_local std::vector<float> scratch;
  if (scratch.size() < size_t(V * f)) scratch.resize(size_t(V * f));
  float* gv = scratch.data();
  for (int64_t i = 0; i < r; ++i) {
    const float* vi = v + i * V * f;
    map_fields(m.bt_, V, C, gc2 + i * C * f, f, gv);
    for (int64_t j = 0; j < V * f; ++j) {
      gv[j] = vi[j] > 0.f ? gv[j] : 0.f;
      gb[j] += gv[j];
    }
    map_fields(m.at_, C, V, gv, f, gc + i * C * f);
  }
}

FieldRelu::FieldRelu(const float* to_values, const float* to_coefficients, const float* to_values_t,
                     const float* to_coefficients_t, int64_t values, int64_t coefficients)
    : a_(to_values),
      b_(to_coefficients),
      at_(to_values_t),
      bt_(to_coefficients_t),
      values_(values),
      coefficients_(coefficients) {
  const auto pick = [&](auto kernels, int64_t c, int64_t v) {
    if (forward_ || coefficients != c || values != v) return;
    forward_ = &decltype(kernels)::forward;
    backward_ = &decltype(kernels)::backward;
  };
  pick(FieldReluKernels<4, 4>{}, 4, 4);
  pick(FieldReluKernels<8, 8>{}, 8, 8);
  pick(FieldReluKernels<16, 16>{}, 16, 16);
  pick(FieldReluKernels<7, 16>{}, 7, 16);
  pick(FieldReluKernels<8, 32>{}, 8, 32);
  if (!forward_) {
    forward_ = &generic_forward;
    backward_ = &generic_backward;
  }
}

void FieldRelu::forward(const float* c, const float* bias, int64_t r, int64_t f, float* v, float* c2) const {
  forward_(*this, c, bias, r, f, v, c2);
}
void FieldRelu::backward(const float* gc2, const float* v, int64_t r, int64_t f, float* gb, float* gc) const {
  backward_(*this, gc2, v, r, f, gb, gc);
}

}  // namespace eqnca::kernels::detail
