// The spectral path's hidden nonlinearity in one pass; see field_relu.h.
#include "kernels/field_relu.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/simd.h"

namespace eqnca::kernels::detail {

// The kernels of one shape: C coefficients, V values per field, kLanes fields (kernels/simd.h) as
// one vector; `float` is the same code for one field, used when there are fewer than kLanes. The
// C inputs and C outputs of a group of fields stay in registers; the values are made a chunk at a
// time (all 32 of O(2)'s would not fit with them) and folded into the outputs at once.
template <int C, int V>
struct FieldReluKernels {
  static constexpr int kChunk = V < kLanes ? V : int(kLanes);
  static_assert(V % kChunk == 0, "values in whole chunks");

  template <typename L>
  static void forward_fields(const FieldRelu& m, const float* c, const float* bias, int64_t f, int64_t j, float* v,
                             float* c2) {
    L x[C], out[C];
    for (int k = 0; k < C; ++k) {
      x[k] = load<L>(c + k * f + j);
      out[k] = L{};
    }
    for (int o0 = 0; o0 < V; o0 += kChunk) {
      L h[kChunk];
      for (int o = 0; o < kChunk; ++o) {
        const float* ao = m.a_ + (o0 + o) * C;
        L s = load<L>(bias + (o0 + o) * f + j);
        for (int k = 0; k < C; ++k) s += ao[k] * x[k];
        h[o] = s > L{} ? s : L{};
        put(v + (o0 + o) * f + j, h[o]);
      }
      for (int k = 0; k < C; ++k) {
        const float* bk = m.b_ + k * V + o0;
        for (int o = 0; o < kChunk; ++o) out[k] += bk[o] * h[o];
      }
    }
    for (int k = 0; k < C; ++k) put(c2 + k * f + j, out[k]);
  }

  template <typename L>
  static void backward_fields(const FieldRelu& m, const float* gc2, const float* v, int64_t f, int64_t j, float* gb,
                              float* gc, const L& keep) {
    L g[C], out[C];
    for (int k = 0; k < C; ++k) {
      g[k] = load<L>(gc2 + k * f + j);
      out[k] = L{};
    }
    for (int o0 = 0; o0 < V; o0 += kChunk) {
      L gv[kChunk];
      for (int o = 0; o < kChunk; ++o) {
        const float* bo = m.bt_ + (o0 + o) * C;
        L s{};
        for (int k = 0; k < C; ++k) s += bo[k] * g[k];
        const L h = load<L>(v + (o0 + o) * f + j);
        s = h > L{} ? s : L{};
        float* gbo = gb + (o0 + o) * f + j;
        put(gbo, load<L>(gbo) + keep * s);
        gv[o] = s;
      }
      for (int k = 0; k < C; ++k) {
        const float* ak = m.at_ + k * V + o0;
        for (int o = 0; o < kChunk; ++o) out[k] += ak[o] * gv[o];
      }
    }
    for (int k = 0; k < C; ++k) put(gc + k * f + j, out[k]);
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
