// CPU kernels of the fused Sobel-MLP step; see sobel_mlp_cpu.h.
#include "kernels/sobel_mlp_cpu.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "kernels/thread_pool.h"
#include "layers/nca_mechanics.h"

namespace eqnca::kernels::detail {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMatrix>;
using ConstMatrixMap = Eigen::Map<const RowMatrix>;

constexpr int64_t kTileCells = 128;             // rows of one GEMM
constexpr int64_t kItemCells = 8 * kTileCells;  // cells of one scheduled work item
constexpr int64_t kAlpha = 3;                   // layers/nca_mechanics.h
constexpr float kAliveThreshold = float(layers::kAliveThreshold);
// The fixed stencils after the identity (layers/perception.cpp, y up) as taps [row][col] of the
// 3x3 neighbourhood: the Sobel pair (growing, C_N / D_N models) or the Laplacian (isotropic).
struct SobelStencils {
  static constexpr int64_t K = 3;  // features per channel: x, d/dx, d/dy
  static constexpr float taps[2][3][3] = {{{-0.125f, 0.f, 0.125f}, {-0.25f, 0.f, 0.25f}, {-0.125f, 0.f, 0.125f}},
                                          {{0.125f, 0.25f, 0.125f}, {0.f, 0.f, 0.f}, {-0.125f, -0.25f, -0.125f}}};
};
struct LaplacianStencils {
  static constexpr int64_t K = 2;  // x, laplacian
  static constexpr float taps[1][3][3] = {
      {{0.0625f, 0.125f, 0.0625f}, {0.125f, -0.75f, 0.125f}, {0.0625f, 0.125f, 0.0625f}}};
};

struct Grid {
  int64_t batch, height, width, channels;
  bool circular;
  int64_t cells() const { return batch * height * width; }
  int64_t items() const { return (cells() + kItemCells - 1) / kItemCells; }

  // nb[a*(2R+1) + b] = the cell at (row + a - R, col + b - R) of `cell`'s image; -1 outside a
  // zero-padded grid.
  template <int R>
  void window(int64_t cell, int64_t* nb) const {
    constexpr int n = 2 * R + 1;
    const int64_t col = cell % width, row = (cell / width) % height, origin = cell - row * width - col;
    int64_t rows[n], cols[n];
    for (int d = 0; d < n; ++d) {
      rows[d] = wrap(row + d - R, height);
      cols[d] = wrap(col + d - R, width);
    }
    for (int a = 0; a < n; ++a)
      for (int b = 0; b < n; ++b)
        nb[a * n + b] = (rows[a] < 0 || cols[b] < 0) ? -1 : origin + rows[a] * width + cols[b];
  }
  void neighbourhood(int64_t cell, int64_t nb[9]) const { window<1>(cell, nb); }

 private:
  int64_t wrap(int64_t v, int64_t n) const {
    if (v >= 0 && v < n) return v;
    if (!circular) return -1;
    return ((v % n) + n) % n;  // grids narrower than the window wrap more than once
  }
};

// Some cell of the neighbourhood has value > threshold (values[cell * stride]); zero padding
// never does, so cells outside count as below.
template <int N = 9>
bool any_above(const float* values, int64_t stride, const int64_t* nb) {
  for (int k = 0; k < N; ++k)
    if (nb[k] >= 0 && values[nb[k] * stride] > kAliveThreshold) return true;
  return false;
}

// Planar features of one cell: x (C), then each stencil's response (C each).
template <typename S>
void perceive(const float* x, int64_t channels, const int64_t nb[9], const float* zeros, float* __restrict out) {
  const float* p[9];
  for (int k = 0; k < 9; ++k) p[k] = nb[k] < 0 ? zeros : x + nb[k] * channels;
  float* __restrict fx = out;
  if constexpr (std::is_same_v<S, SobelStencils>) {
    float* __restrict fdx = out + channels;
    float* __restrict fdy = out + 2 * channels;
    for (int64_t c = 0; c < channels; ++c) {
      fx[c] = p[4][c];
      fdx[c] = ((p[2][c] - p[0][c]) + 2.f * (p[5][c] - p[3][c]) + (p[8][c] - p[6][c])) * 0.125f;
      fdy[c] = ((p[0][c] + 2.f * p[1][c] + p[2][c]) - (p[6][c] + 2.f * p[7][c] + p[8][c])) * 0.125f;
    }
  } else {
    static_assert(std::is_same_v<S, LaplacianStencils>);
    float* __restrict flap = out + channels;
    for (int64_t c = 0; c < channels; ++c) {
      fx[c] = p[4][c];
      flap[c] =
          ((p[0][c] + p[2][c] + p[6][c] + p[8][c]) + 2.f * (p[1][c] + p[3][c] + p[5][c] + p[7][c]) - 12.f * p[4][c]) *
          0.0625f;
    }
  }
}

// Per-thread tile buffers, grown on demand and reused across steps.
struct Workspace {
  std::vector<float> features, hidden, delta, grad_hidden, grad_features, zeros;
  std::vector<int64_t> cells;
  void reserve(int64_t feature_count, int64_t channels, int64_t hidden_width) {
    const auto f = size_t(kTileCells * feature_count), h = size_t(kTileCells * hidden_width);
    if (features.size() < f) features.resize(f), grad_features.resize(f);
    if (hidden.size() < h) hidden.resize(h), grad_hidden.resize(h);
    if (delta.size() < size_t(kTileCells * channels)) delta.resize(size_t(kTileCells * channels));
    if (zeros.size() < size_t(channels)) zeros.assign(size_t(channels), 0.f);
    cells.resize(size_t(kTileCells));
  }
};
Workspace& workspace(int64_t features, int64_t channels, int64_t hidden_width) {
  thread_local Workspace ws;
  ws.reserve(features, channels, hidden_width);
  return ws;
}

// w1 (hidden, C*K) in the public layout c*K + k -> planar k*C + c, into a reused buffer.
const float* planar_w1(const torch::Tensor& w1, int64_t channels, int64_t K, std::vector<float>& buffer) {
  const torch::Tensor w = w1.contiguous();
  const float* src = w.data_ptr<float>();
  const int64_t hidden = w.size(0), f = K * channels;
  buffer.resize(size_t(hidden * f));
  for (int64_t h = 0; h < hidden; ++h)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t k = 0; k < K; ++k) buffer[size_t(h * f + k * channels + c)] = src[h * f + c * K + k];
  return buffer.data();
}

template <typename T>
T* grown(std::vector<T>& v, int64_t n) {
  if (v.size() < size_t(n)) v.resize(size_t(n));
  return v.data();
}

Grid grid_of(const torch::Tensor& state, layers::Padding padding) {
  return Grid{state.size(0), state.size(1), state.size(2), state.size(3), padding == layers::Padding::Circular};
}

// h = relu(F W1^T + b1) for the r feature rows of a tile.
void hidden_layer(const float* features, int64_t r, int64_t f, const float* w1, const float* b1, int64_t hidden_width,
                  float* h) {
  MatrixMap Hm(h, r, hidden_width);
  Hm.noalias() = ConstMatrixMap(features, r, f) * ConstMatrixMap(w1, hidden_width, f).transpose();
  for (int64_t i = 0; i < r; ++i) {
    float* hr = h + i * hidden_width;
    for (int64_t j = 0; j < hidden_width; ++j) hr[j] = std::max(hr[j] + b1[j], 0.f);
  }
}

template <typename S>
torch::Tensor forward(const torch::Tensor& state, const torch::Tensor& mask, const torch::Tensor& w1,
                      const torch::Tensor& b1, const torch::Tensor& w2, const torch::Tensor& b2,
                      layers::Padding padding, bool skip_idle, torch::Tensor* alive_out) {
  const Grid g = grid_of(state, padding);
  const int64_t n = g.cells(), C = g.channels, F = S::K * C, hidden_width = w1.size(0), items = g.items();
  const float* x = state.data_ptr<float>();
  const float* m = mask.data_ptr<float>();
  const torch::Tensor b1c = b1.contiguous(), w2c = w2.contiguous(), b2c = b2.contiguous();
  const float* bias1 = b1c.data_ptr<float>();
  const float* bias2 = b2c.data_ptr<float>();

  // Scratch of the calling thread, reused across steps.
  thread_local std::vector<float> w1_buffer, alpha_buffer;
  thread_local std::vector<uint8_t> pre_buffer, alive_buffer;
  const float* weight1 = planar_w1(w1, C, S::K, w1_buffer);
  uint8_t* pre = grown(pre_buffer, n);
  float* alpha = grown(alpha_buffer, n);
  uint8_t* alive = grown(alive_buffer, n);
  if (alive_out) {
    *alive_out = torch::empty({g.batch, g.height, g.width}, state.options().dtype(torch::kUInt8));
    alive = alive_out->data_ptr<uint8_t>();
  }
  torch::Tensor out = torch::empty_like(state);
  float* u = out.data_ptr<float>();

  // 1. Alive before; perception, MLP and residual update per tile. The MLP runs on a cell when
  // its update can reach the result: it fired, and a cell of its 3x3 neighbourhood was alive
  // before (some alpha of its 5x5 window > threshold); elsewhere the update is discarded or
  // leaves the cell's alpha, hence every alive mask, alone, and the cell keeps its state.
  // One parallel pass: on a shared machine every pass waits for the slowest thread.
  const ConstMatrixMap W2(w2c.data_ptr<float>(), C, hidden_width);
  for_each_work_item(items, [&](int64_t k) {
    Workspace& ws = workspace(F, C, hidden_width);
    int64_t nb[9], window[25];
    const int64_t item_end = std::min(n, (k + 1) * kItemCells);
    for (int64_t t0 = k * kItemCells; t0 < item_end; t0 += kTileCells) {
      const int64_t t1 = std::min(item_end, t0 + kTileCells);
      int64_t r = 0;
      for (int64_t cell = t0; cell < t1; ++cell) {
        g.neighbourhood(cell, nb);
        pre[cell] = any_above(x + kAlpha, C, nb);
        bool run = true;
        if (skip_idle) {
          run = m[cell] != 0.f && pre[cell];
          if (m[cell] != 0.f && !run) {
            g.window<2>(cell, window);
            run = any_above<25>(x + kAlpha, C, window);
          }
        }
        if (run) {
          perceive<S>(x, C, nb, ws.zeros.data(), ws.features.data() + r * F);
          ws.cells[size_t(r++)] = cell;
        } else {
          std::memcpy(u + cell * C, x + cell * C, sizeof(float) * size_t(C));
        }
      }
      if (r > 0) {
        hidden_layer(ws.features.data(), r, F, weight1, bias1, hidden_width, ws.hidden.data());
        MatrixMap D(ws.delta.data(), r, C);
        D.noalias() = ConstMatrixMap(ws.hidden.data(), r, hidden_width) * W2.transpose();
        for (int64_t i = 0; i < r; ++i) {
          const int64_t cell = ws.cells[size_t(i)];
          const float fire = m[cell];
          const float* d = ws.delta.data() + i * C;
          const float* xc = x + cell * C;
          float* uc = u + cell * C;
          for (int64_t c = 0; c < C; ++c) uc[c] = xc[c] + (d[c] + bias2[c]) * fire;
        }
      }
      for (int64_t cell = t0; cell < t1; ++cell) alpha[cell] = u[cell * C + kAlpha];
    }
  });

  // 2. Alive after the update; cells not alive both times are cleared.
  for_each_work_item(items, [&](int64_t k) {
    int64_t nb[9];
    for (int64_t cell = k * kItemCells, end = std::min(n, cell + kItemCells); cell < end; ++cell) {
      g.neighbourhood(cell, nb);
      const bool a = pre[cell] && any_above(alpha, 1, nb);
      alive[cell] = a;
      if (!a) std::memset(u + cell * C, 0, sizeof(float) * size_t(C));
    }
  });
  return out;
}

template <typename S>
SobelMlpGradients backward(const torch::Tensor& grad_out, const torch::Tensor& state, const torch::Tensor& mask,
                           const torch::Tensor& w1, const torch::Tensor& b1, const torch::Tensor& w2,
                           const torch::Tensor& alive_mask, layers::Padding padding, bool skip_idle) {
  const Grid g = grid_of(state, padding);
  const int64_t n = g.cells(), C = g.channels, F = S::K * C, hidden_width = w1.size(0), items = g.items();
  const torch::Tensor gy_t = grad_out.contiguous(), b1c = b1.contiguous(), w2c = w2.contiguous();
  const float* gy = gy_t.data_ptr<float>();
  const float* x = state.data_ptr<float>();
  const float* m = mask.data_ptr<float>();
  const float* bias1 = b1c.data_ptr<float>();
  const uint8_t* alive = alive_mask.data_ptr<uint8_t>();

  // Weight gradients per work item (w1 planar, b1, w2, b2), summed in item order at the end.
  const int64_t per_item = hidden_width * F + hidden_width + C * hidden_width + C;
  thread_local std::vector<float> w1_buffer, gf_buffer, partial_buffer;
  thread_local std::vector<uint8_t> has_gf_buffer;
  const float* weight1 = planar_w1(w1, C, S::K, w1_buffer);
  float* gf = grown(gf_buffer, n * F);  // d loss / d features (planar) where has_gf
  uint8_t* has_gf = grown(has_gf_buffer, n);
  float* partial = grown(partial_buffer, items * per_item);
  std::fill(partial, partial + items * per_item, 0.f);

  torch::Tensor grad_state = torch::empty_like(state);
  float* gx = grad_state.data_ptr<float>();

  // 1. Through the alive mask and the residual; the MLP backward per tile, its hidden layer
  // recomputed from the state (cheaper here than storing 4 * hidden bytes per cell and step).
  // Only cells with a non-zero upstream gradient (alive and fired) run it, unless !skip_idle.
  const ConstMatrixMap W1(weight1, hidden_width, F), W2(w2c.data_ptr<float>(), C, hidden_width);
  for_each_work_item(items, [&](int64_t k) {
    Workspace& ws = workspace(F, C, hidden_width);
    float* gw1 = partial + k * per_item;
    float* gb1 = gw1 + hidden_width * F;
    float* gw2 = gb1 + hidden_width;
    float* gb2 = gw2 + C * hidden_width;
    int64_t nb[9];
    const int64_t item_end = std::min(n, (k + 1) * kItemCells);
    for (int64_t t0 = k * kItemCells; t0 < item_end; t0 += kTileCells) {
      const int64_t t1 = std::min(item_end, t0 + kTileCells);
      int64_t r = 0;
      for (int64_t cell = t0; cell < t1; ++cell) {
        const bool a = alive[cell];
        const float* gyc = gy + cell * C;
        float* gxc = gx + cell * C;
        if (a)
          std::memcpy(gxc, gyc, sizeof(float) * size_t(C));
        else
          std::memset(gxc, 0, sizeof(float) * size_t(C));
        const bool active = !skip_idle || (a && m[cell] != 0.f);
        has_gf[cell] = active;
        if (!active) continue;
        const float fire = a ? m[cell] : 0.f;
        float* gd = ws.delta.data() + r * C;
        for (int64_t c = 0; c < C; ++c) gd[c] = gyc[c] * fire;
        g.neighbourhood(cell, nb);
        perceive<S>(x, C, nb, ws.zeros.data(), ws.features.data() + r * F);
        ws.cells[size_t(r++)] = cell;
      }
      if (r == 0) continue;
      hidden_layer(ws.features.data(), r, F, weight1, bias1, hidden_width, ws.hidden.data());
      const ConstMatrixMap GD(ws.delta.data(), r, C), Hm(ws.hidden.data(), r, hidden_width),
          Fm(ws.features.data(), r, F);
      MatrixMap(gw2, C, hidden_width).noalias() += GD.transpose() * Hm;
      MatrixMap GH(ws.grad_hidden.data(), r, hidden_width);
      GH.noalias() = GD * W2;
      for (int64_t i = 0; i < r; ++i) {
        const float* gd = ws.delta.data() + i * C;
        for (int64_t c = 0; c < C; ++c) gb2[c] += gd[c];
        const float* h = ws.hidden.data() + i * hidden_width;
        float* gh = ws.grad_hidden.data() + i * hidden_width;
        for (int64_t j = 0; j < hidden_width; ++j) {
          gh[j] = h[j] > 0.f ? gh[j] : 0.f;  // relu'(z) = [z > 0], as torch's
          gb1[j] += gh[j];
        }
      }
      MatrixMap(gw1, hidden_width, F).noalias() += GH.transpose() * Fm;
      MatrixMap GF(ws.grad_features.data(), r, F);
      GF.noalias() = GH * W1;
      for (int64_t i = 0; i < r; ++i)
        std::memcpy(gf + ws.cells[size_t(i)] * F, ws.grad_features.data() + i * F, sizeof(float) * size_t(F));
    }
  });

  // 2. Through the perception: the transposed stencil gathers from the neighbours.
  for_each_work_item(items, [&](int64_t k) {
    int64_t nb[9];
    for (int64_t cell = k * kItemCells, end = std::min(n, cell + kItemCells); cell < end; ++cell) {
      float* __restrict acc = gx + cell * C;
      if (has_gf[cell]) {
        const float* own = gf + cell * F;
        for (int64_t c = 0; c < C; ++c) acc[c] += own[c];
      }
      g.neighbourhood(cell, nb);
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {
          // The features of p = cell - (a - 1, b - 1) saw this cell through tap [a][b].
          const int64_t p = nb[(2 - a) * 3 + (2 - b)];
          if (p < 0 || !has_gf[p]) continue;
          for (int64_t s = 0; s + 1 < S::K; ++s) {
            const float tap = S::taps[s][a][b];
            if (tap == 0.f) continue;
            const float* gs = gf + p * F + (s + 1) * C;
            for (int64_t c = 0; c < C; ++c) acc[c] += tap * gs[c];
          }
        }
    }
  });

  // 3. Weight gradients: items summed in order; w1 back to the public layout.
  for (int64_t k = 1; k < items; ++k) {
    const float* p = partial + k * per_item;
    for (int64_t i = 0; i < per_item; ++i) partial[i] += p[i];
  }
  const auto opts = state.options();
  torch::Tensor gw1 = torch::empty({hidden_width, F}, opts);
  float* gw1p = gw1.data_ptr<float>();
  for (int64_t h = 0; h < hidden_width; ++h)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t kk = 0; kk < S::K; ++kk) gw1p[h * F + c * S::K + kk] = partial[h * F + kk * C + c];
  const float* rest = partial + hidden_width * F;
  auto copy = [&](const float* p, std::vector<int64_t> shape) {
    return torch::from_blob(const_cast<float*>(p), shape, opts).clone();
  };
  return {grad_state, gw1, copy(rest, {hidden_width}), copy(rest + hidden_width, {C, hidden_width}),
          copy(rest + hidden_width + C * hidden_width, {C})};
}

}  // namespace

torch::Tensor sobel_mlp_forward_cpu(const torch::Tensor& state, const torch::Tensor& mask, const torch::Tensor& w1,
                                    const torch::Tensor& b1, const torch::Tensor& w2, const torch::Tensor& b2,
                                    Stencils stencils, layers::Padding padding, bool skip_idle, torch::Tensor* alive) {
  if (stencils == Stencils::Laplacian)
    return forward<LaplacianStencils>(state, mask, w1, b1, w2, b2, padding, skip_idle, alive);
  return forward<SobelStencils>(state, mask, w1, b1, w2, b2, padding, skip_idle, alive);
}

SobelMlpGradients sobel_mlp_backward_cpu(const torch::Tensor& grad_out, const torch::Tensor& state,
                                         const torch::Tensor& mask, const torch::Tensor& w1, const torch::Tensor& b1,
                                         const torch::Tensor& w2, const torch::Tensor& alive, Stencils stencils,
                                         layers::Padding padding, bool skip_idle) {
  if (stencils == Stencils::Laplacian)
    return backward<LaplacianStencils>(grad_out, state, mask, w1, b1, w2, alive, padding, skip_idle);
  return backward<SobelStencils>(grad_out, state, mask, w1, b1, w2, alive, padding, skip_idle);
}

}  // namespace eqnca::kernels::detail
