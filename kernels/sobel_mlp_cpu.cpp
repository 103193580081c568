// CPU kernels of the fused Sobel-MLP step; see sobel_mlp_cpu.h.
#include "kernels/sobel_mlp_cpu.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "kernels/field_relu.h"
#include "kernels/simd.h"
#include "kernels/thread_pool.h"
#include "kernels/tile_gemm.h"
#include "layers/nca_mechanics.h"

namespace eqnca::kernels::detail {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMatrix>;
using ConstMatrixMap = Eigen::Map<const RowMatrix>;
using ColMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

constexpr int64_t kTileCells = 128;             // rows of one GEMM
constexpr int64_t kItemCells = 8 * kTileCells;  // cells of one scheduled work item
constexpr int64_t kAlpha = 3;                   // layers/nca_mechanics.h
constexpr float kAliveThreshold = float(layers::kAliveThreshold);
// The fixed stencils after the identity (layers/perception.cpp, y up) as taps [row][col] of the
// 3x3 neighbourhood: the Sobel pair (growing, C_N / D_N models), the Laplacian (isotropic) or
// each neighbour alone (SO(2) / O(2) models).
using Taps = std::array<std::array<float, 3>, 3>;
constexpr Taps kSobelX{{{-0.125f, 0.f, 0.125f}, {-0.25f, 0.f, 0.25f}, {-0.125f, 0.f, 0.125f}}};
constexpr Taps kSobelY{{{0.125f, 0.25f, 0.125f}, {0.f, 0.f, 0.f}, {-0.125f, -0.25f, -0.125f}}};
constexpr Taps kLaplacian{{{0.0625f, 0.125f, 0.0625f}, {0.125f, -0.75f, 0.125f}, {0.0625f, 0.125f, 0.0625f}}};

// The same stencils on the neighbourhood p[0..8] (row-major, p[4] the cell) at channel c,
// written out for the compiler (the taps above are what the backward transposes).
inline float sobel_x(const float* const p[9], int64_t c) {
  return ((p[2][c] - p[0][c]) + 2.f * (p[5][c] - p[3][c]) + (p[8][c] - p[6][c])) * 0.125f;
}
inline float sobel_y(const float* const p[9], int64_t c) {
  return ((p[0][c] + 2.f * p[1][c] + p[2][c]) - (p[6][c] + 2.f * p[7][c] + p[8][c])) * 0.125f;
}
inline float laplacian(const float* const p[9], int64_t c) {
  return ((p[0][c] + p[2][c] + p[6][c] + p[8][c]) + 2.f * (p[1][c] + p[3][c] + p[5][c] + p[7][c]) - 12.f * p[4][c]) *
         0.0625f;
}

struct SobelStencils {
  static constexpr int64_t K = 3;  // features per channel: x, d/dx, d/dy
  static constexpr std::array<Taps, 2> taps{kSobelX, kSobelY};
};
// The eight neighbours one by one (so2, o2: w1 is a 3x3 conv), in row-major order without the
// centre, which is the identity feature.
struct TapStencils {
  static constexpr int64_t K = 9;
  static constexpr int positions[8] = {0, 1, 2, 3, 5, 6, 7, 8};
  static constexpr float taps[8][3][3] = {{{1, 0, 0}, {0, 0, 0}, {0, 0, 0}}, {{0, 1, 0}, {0, 0, 0}, {0, 0, 0}},
                                          {{0, 0, 1}, {0, 0, 0}, {0, 0, 0}}, {{0, 0, 0}, {1, 0, 0}, {0, 0, 0}},
                                          {{0, 0, 0}, {0, 0, 1}, {0, 0, 0}}, {{0, 0, 0}, {0, 0, 0}, {1, 0, 0}},
                                          {{0, 0, 0}, {0, 0, 0}, {0, 1, 0}}, {{0, 0, 0}, {0, 0, 0}, {0, 0, 1}}};
};
struct LaplacianStencils {
  static constexpr int64_t K = 2;  // x, laplacian
  static constexpr std::array<Taps, 1> taps{kLaplacian};
};
// The steerable NCA's: Laplacian and the Sobel pair, the pair then turned into the cell's frame
// by the angle in its last channel, which is not perceived. The taps are those before the turn:
// the backward turns the gradient back first.
struct SteeredStencils {
  static constexpr int64_t K = 4;  // x, laplacian, local d/dx, local d/dy
  static constexpr std::array<Taps, 3> taps{kLaplacian, kSobelX, kSobelY};
};

// The channels a cell perceives out of C: all but the angle (the last) for the steered stencils.
template <typename S>
constexpr int64_t perceived(int64_t channels) {
  return std::is_same_v<S, SteeredStencils> ? channels - 1 : channels;
}

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
  void neighbourhood(int64_t cell, int64_t nb[9]) const {
    // Most cells are inside the image: their neighbours are fixed offsets (no wrapping).
    const int64_t col = cell % width, row = (cell / width) % height;
    if (row > 0 && row + 1 < height && col > 0 && col + 1 < width) {
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) nb[a * 3 + b] = cell + (a - 1) * width + (b - 1);
      return;
    }
    window<1>(cell, nb);
  }

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

// Planar features of one cell: x (P), then each stencil's response (P each), P = perceived<S>(C)
// of the state's C channels.
template <typename S>
void perceive(const float* x, int64_t C, const int64_t nb[9], const float* zeros, float* __restrict out) {
  const float* p[9];
  for (int k = 0; k < 9; ++k) p[k] = nb[k] < 0 ? zeros : x + nb[k] * C;
  const int64_t channels = perceived<S>(C);
  float* __restrict fx = out;
  if constexpr (std::is_same_v<S, SteeredStencils>) {
    float* __restrict flap = out + channels;
    float* __restrict fdx = out + 2 * channels;
    float* __restrict fdy = out + 3 * channels;
    const float theta = p[4][channels], cs = std::cos(theta), sn = std::sin(theta);
    for (int64_t c = 0; c < channels; ++c) {
      fx[c] = p[4][c];
      flap[c] = laplacian(p, c);
      const float dx = sobel_x(p, c), dy = sobel_y(p, c);
      fdx[c] = cs * dx + sn * dy;
      fdy[c] = -sn * dx + cs * dy;
    }
  } else if constexpr (std::is_same_v<S, SobelStencils>) {
    float* __restrict fdx = out + channels;
    float* __restrict fdy = out + 2 * channels;
    for (int64_t c = 0; c < channels; ++c) {
      fx[c] = p[4][c];
      fdx[c] = sobel_x(p, c);
      fdy[c] = sobel_y(p, c);
    }
  } else if constexpr (std::is_same_v<S, TapStencils>) {
    for (int64_t c = 0; c < channels; ++c) fx[c] = p[4][c];
    for (int s = 0; s < 8; ++s)
      std::memcpy(out + (s + 1) * channels, p[S::positions[s]], sizeof(float) * size_t(channels));
  } else {
    static_assert(std::is_same_v<S, LaplacianStencils>);
    float* __restrict flap = out + channels;
    for (int64_t c = 0; c < channels; ++c) {
      fx[c] = p[4][c];
      flap[c] = laplacian(p, c);
    }
  }
}

// Per-thread tile buffers, grown on demand and reused across steps.
struct Workspace {
  std::vector<float> features, hidden, delta, grad_hidden, grad_features, zeros;
  std::vector<float> coefficients, coefficients2, gathered, basis_features, grad_basis_features,
      feature_major;  // the spectral path's
  std::vector<int64_t> cells;
};
Workspace& workspace(int64_t channels) {
  thread_local Workspace ws;
  if (ws.zeros.size() < size_t(channels)) ws.zeros.assign(size_t(channels), 0.f);
  ws.cells.resize(size_t(kTileCells));
  return ws;
}

template <typename T>
T* grown(std::vector<T>& v, int64_t n) {
  if (v.size() < size_t(n)) v.resize(size_t(n));
  return v.data();
}

Grid grid_of(const torch::Tensor& state, layers::Padding padding) {
  return Grid{state.size(0), state.size(1), state.size(2), state.size(3), padding == layers::Padding::Circular};
}

// The public column c*K + k of a (rows, C*K) matrix for the planar column p = k*C + c.
int64_t public_column(int64_t p, int64_t channels, int64_t k) { return (p % channels) * k + p / channels; }

// w1 (hidden, C*K) in the public layout c*K + k -> planar k*C + c, into a reused buffer.
const float* planar_w1(const torch::Tensor& w1, int64_t channels, int64_t K, std::vector<float>& buffer) {
  const torch::Tensor w = w1.contiguous();
  const float* src = w.data_ptr<float>();
  const int64_t hidden = w.size(0), f = K * channels;
  buffer.resize(size_t(hidden * f));
  for (int64_t h = 0; h < hidden; ++h)
    for (int64_t p = 0; p < f; ++p) buffer[size_t(h * f + p)] = src[h * f + public_column(p, channels, K)];
  return buffer.data();
}

// The MLP of the dense path, per tile: delta = W2 relu(W1 f + b1) (b2 is added by the caller).
// Gradients per work item: w1 (planar), b1, w2 transposed. The weights are packed for tile_gemm once per
// call, each the way round its products read it.
class DenseMlp {
 public:
  // `channels` of the state (the outputs), of which `perceived` have k features each.
  DenseMlp(const torch::Tensor& w1, const torch::Tensor& b1, const torch::Tensor& w2, int64_t channels,
           int64_t perceived, int64_t k)
      : b1_(b1.contiguous()),
        w2_(w2.contiguous()),
        channels_(channels),
        perceived_(perceived),
        k_(k),
        hidden_(w1.size(0)) {
    thread_local std::vector<float> buffer;
    w1_ = planar_w1(w1, perceived, k, buffer);
    const float* w2p = w2_.data_ptr<float>();
    w1t_.pack(w1_, hidden_, features(), true);   // hidden = f W1^T
    w1n_.pack(w1_, hidden_, features(), false);  // d features = d hidden W1
    w2t_.pack(w2p, channels_, hidden_, true);    // delta = h W2^T
    w2n_.pack(w2p, channels_, hidden_, false);   // d hidden = d delta W2
  }
  int64_t gradient_size() const { return hidden_ * features() + hidden_ + channels_ * hidden_; }

  // ws.features (r, F) -> ws.hidden (r, hidden), ws.delta (r, C).
  void forward(Workspace& ws, int64_t r) const {
    hidden(ws, r);
    multiply(ws.hidden.data(), hidden_, 1, r, w2t_, grown(ws.delta, r * channels_), channels_, Store::kAssign);
  }

  // ws.delta holds d loss / d delta (r, C): adds the weight gradients to `grad` and writes
  // d loss / d features to ws.grad_features (r, F); the hidden layer is recomputed.
  void backward(Workspace& ws, int64_t r, float* grad) const {
    const int64_t f = features();
    float* gw1 = grad;
    float* gb1 = gw1 + hidden_ * f;
    float* gw2 = gb1 + hidden_;
    hidden(ws, r);
    // W2's gradient transposed, (hidden, C): sixteen hidden units per register block rather
    // than the few rows C would give (1.4x faster at C = 16).
    accumulate_outer(ws.hidden.data(), hidden_, 1, hidden_, ws.delta.data(), channels_, channels_, r, gw2, channels_);
    float* gh = grown(ws.grad_hidden, r * hidden_);
    multiply(ws.delta.data(), channels_, 1, r, w2n_, gh, hidden_, Store::kAssign);
    relu_backward(ws.hidden.data(), gh, r, hidden_, gb1);
    accumulate_outer(gh, hidden_, 1, hidden_, ws.features.data(), f, f, r, gw1, f);
    multiply(gh, hidden_, 1, r, w1n_, grown(ws.grad_features, r * f), f, Store::kAssign);
  }

  // Summed item gradients -> w1 (public layout), b1, w2.
  std::vector<torch::Tensor> gradients(const float* grad, const torch::TensorOptions& opts) const {
    const int64_t f = features();
    torch::Tensor gw1 = torch::empty({hidden_, f}, opts);
    float* out = gw1.data_ptr<float>();
    for (int64_t h = 0; h < hidden_; ++h)
      for (int64_t p = 0; p < f; ++p) out[h * f + public_column(p, perceived_, k_)] = grad[h * f + p];
    const float* rest = grad + hidden_ * f;
    return {gw1, copy(rest, {hidden_}, opts), copy(rest + hidden_, {hidden_, channels_}, opts).t().contiguous()};
  }

  // gh = [h > 0] * gh (relu'(z) = [z > 0], as torch's), accumulated into gb1.
  static void relu_backward(const float* h, float* gh, int64_t r, int64_t width, float* gb1) {
    for (int64_t i = 0; i < r; ++i) {
      const float* hi = h + i * width;
      float* gi = gh + i * width;
      for (int64_t j = 0; j < width; ++j) {
        gi[j] = hi[j] > 0.f ? gi[j] : 0.f;
        gb1[j] += gi[j];
      }
    }
  }
  static torch::Tensor copy(const float* p, std::vector<int64_t> shape, const torch::TensorOptions& opts) {
    return torch::from_blob(const_cast<float*>(p), shape, opts).clone();
  }

 private:
  int64_t features() const { return k_ * perceived_; }
  // ws.features -> ws.hidden = relu(f W1^T + b1).
  void hidden(Workspace& ws, int64_t r) const {
    multiply(ws.features.data(), features(), 1, r, w1t_, grown(ws.hidden, r * hidden_), hidden_, Store::kBiasRelu,
             b1_.data_ptr<float>());
  }
  torch::Tensor b1_, w2_;
  const float* w1_ = nullptr;
  int64_t channels_, perceived_, k_, hidden_;
  PackedWeights w1t_, w1n_, w2t_, w2n_;
};

// A block-sparse layer (kernels/spectral_mlp.h) on tile rows: the blocks packed once per call,
// for tile_gemm each way round its products read them. The gradient of a block is kept as
// (rows, width), or as (width, rows) when the layer runs feature-major (there the cells of a
// column are contiguous, so the outer product sums over them with the block's rows as vectors).
class BlockLayer {
 public:
  // w (rows, public columns); `channels`, `k`: the public -> planar column map (k = 1: none).
  BlockLayer(const BlockLayout& layout, const torch::Tensor& w, int64_t channels, int64_t k, std::vector<float>& buffer)
      : layout_(layout), channels_(channels), k_(k) {
    const torch::Tensor wc = w.contiguous();
    const float* src = wc.data_ptr<float>();
    const int64_t cols = wc.size(1);
    packed_ = grown(buffer, layout.packed_size);
    for (const LinearBlock& b : layout.blocks)
      for (int64_t a = 0; a < b.rows(); ++a)
        for (int64_t c = 0; c < b.width(); ++c)
          packed_[b.offset + a * b.width() + c] =
              src[(b.row_begin + a) * cols + public_column(b.cols[size_t(c)], channels, k)];
    transposed_.resize(layout.blocks.size());
    plain_.resize(layout.blocks.size());
    for (size_t i = 0; i < layout.blocks.size(); ++i) {
      const LinearBlock& b = layout.blocks[i];
      transposed_[i].pack(packed_ + b.offset, b.rows(), b.width(), true);  // y = x W^T
      plain_[i].pack(packed_ + b.offset, b.rows(), b.width(), false);      // gx = gy W
    }
  }
  int64_t packed_size() const { return layout_.packed_size; }

  // y (r, rows; stride ys) = x (r, cols; stride xs) W^T.
  void forward(const float* x, int64_t xs, int64_t r, float* y, int64_t ys, std::vector<float>& gather) const {
    if (!layout_.covers_all_rows)
      for (int64_t i = 0; i < r; ++i) std::fill(y + i * ys, y + i * ys + layout_.rows, 0.f);
    for (size_t i = 0; i < layout_.blocks.size(); ++i) {
      const LinearBlock& b = layout_.blocks[i];
      int64_t stride = 0;
      const float* xb = columns(b, x, xs, r, gather, stride);
      multiply(xb, stride, 1, r, transposed_[i], y + b.row_begin, ys, Store::kAssign);
    }
  }

  // From gy (r, rows; stride gys): adds W's gradient to `grad` (packed, (rows, width) blocks) and
  // writes gx (r, cols; stride gxs) = gy W.
  void backward(const float* x, int64_t xs, const float* gy, int64_t gys, int64_t r, float* grad, float* gx,
                int64_t gxs, std::vector<float>& gather) const {
    for (int64_t i = 0; i < r; ++i) std::fill(gx + i * gxs, gx + i * gxs + layout_.cols, 0.f);
    for (size_t k = 0; k < layout_.blocks.size(); ++k) {
      const LinearBlock& b = layout_.blocks[k];
      const float* gyb = gy + b.row_begin;
      int64_t stride = 0;
      const float* xb = columns(b, x, xs, r, gather, stride);
      accumulate_outer(gyb, gys, 1, b.rows(), xb, stride, b.width(), r, grad + b.offset, b.width());
      if (b.col_begin >= 0) {
        multiply(gyb, gys, 1, r, plain_[k], gx + b.col_begin, gxs, Store::kAdd);
      } else {
        float* g = grown(gather, r * b.width());
        multiply(gyb, gys, 1, r, plain_[k], g, b.width(), Store::kAssign);
        for (int64_t i = 0; i < r; ++i)
          for (int64_t c = 0; c < b.width(); ++c) gx[i * gxs + b.cols[size_t(c)]] += g[i * b.width() + c];
      }
    }
  }

  // The same with x and gx feature-major, (cols, r): column c of the tile is the r floats at
  // x + c * r, so a block's columns are one contiguous chunk (or one per run). W's gradient is
  // added as (width, rows) blocks.
  void forward_feature_major(const float* x, int64_t r, float* y, int64_t ys, std::vector<float>& gather) const {
    if (!layout_.covers_all_rows)
      for (int64_t i = 0; i < r; ++i) std::fill(y + i * ys, y + i * ys + layout_.rows, 0.f);
    for (size_t i = 0; i < layout_.blocks.size(); ++i) {
      const LinearBlock& b = layout_.blocks[i];
      multiply(columns_feature_major(b, x, r, gather), 1, r, r, transposed_[i], y + b.row_begin, ys, Store::kAssign);
    }
  }
  void backward_feature_major(const float* x, const float* gy, int64_t gys, int64_t r, float* grad, float* gx,
                              std::vector<float>& gather) const {
    std::fill(gx, gx + layout_.cols * r, 0.f);
    for (size_t k = 0; k < layout_.blocks.size(); ++k) {
      const LinearBlock& b = layout_.blocks[k];
      accumulate_outer(columns_feature_major(b, x, r, gather), 1, r, b.width(), gy + b.row_begin, gys, b.rows(), r,
                       grad + b.offset, b.rows());
      // gy W cell-major (the product's natural layout), then added transposed into gx: r x width
      // moves against the product's r x width x rows multiply-adds.
      const int64_t w = b.width();
      float* g = grown(gather, r * w);
      multiply(gy + b.row_begin, gys, 1, r, plain_[k], g, w, Store::kAssign);
      const auto add_columns = [&](int64_t from, int64_t to, int64_t length) {
        for (int64_t c = 0; c < length; ++c) {
          float* __restrict dst = gx + (from + c) * r;
          const float* __restrict src = g + to + c;
          for (int64_t i = 0; i < r; ++i) dst[i] += src[i * w];
        }
      };
      if (b.col_begin >= 0)
        add_columns(b.col_begin, 0, w);
      else
        for (const ColumnRun& run : b.runs) add_columns(run.from, run.to, run.length);
    }
  }

  // Packed gradient -> (rows, public columns), zero outside the blocks; `feature_major`: the
  // blocks were accumulated by backward_feature_major, (width, rows).
  torch::Tensor dense_gradient(const float* grad, const torch::TensorOptions& opts, bool feature_major) const {
    torch::Tensor out = torch::zeros({layout_.rows, layout_.cols}, opts);
    float* o = out.data_ptr<float>();
    for (const LinearBlock& b : layout_.blocks)
      for (int64_t a = 0; a < b.rows(); ++a)
        for (int64_t c = 0; c < b.width(); ++c)
          o[(b.row_begin + a) * layout_.cols + public_column(b.cols[size_t(c)], channels_, k_)] =
              grad[b.offset + (feature_major ? c * b.rows() + a : a * b.width() + c)];
    return out;
  }

 private:
  // The block's columns of x (row-major, stride xs): x itself when contiguous, else gathered run
  // by run; *stride is the result's row stride.
  const float* columns(const LinearBlock& b, const float* x, int64_t xs, int64_t r, std::vector<float>& gather,
                       int64_t& stride) const {
    if (b.col_begin >= 0) {
      stride = xs;
      return x + b.col_begin;
    }
    float* g = grown(gather, r * b.width());
    for (int64_t i = 0; i < r; ++i) {
      const float* xi = x + i * xs;
      float* gi = g + i * b.width();
      for (const ColumnRun& run : b.runs) std::memcpy(gi + run.to, xi + run.from, sizeof(float) * size_t(run.length));
    }
    stride = b.width();
    return g;
  }
  // The same feature-major: the block's columns as (width, r), each column's r cells contiguous.
  const float* columns_feature_major(const LinearBlock& b, const float* x, int64_t r,
                                     std::vector<float>& gather) const {
    if (b.col_begin >= 0) return x + b.col_begin * r;
    float* g = grown(gather, r * b.width());
    for (const ColumnRun& run : b.runs)
      std::memcpy(g + run.to * r, x + run.from * r, sizeof(float) * size_t(run.length * r));
    return g;
  }
  const BlockLayout& layout_;
  int64_t channels_, k_;
  float* packed_ = nullptr;
  std::vector<PackedWeights> transposed_, plain_;
};

// The feature basis T of the spectral path on a feature-major tile (F, r): out = T in (planar in,
// the basis' order out) and in = T^T out, block by block, r cells at a time.
void to_feature_basis(const std::vector<FeatureBlock>& blocks, const float* in, int64_t r, float* out) {
  for (const FeatureBlock& b : blocks) {
    const size_t n = b.in.size();
    for (size_t o = 0; o < n; ++o) {
      const float* m = b.m.data() + o * n;
      float* __restrict y = out + b.out[o] * r;
      const float* __restrict x0 = in + b.in[0] * r;
      for (int64_t i = 0; i < r; ++i) y[i] = m[0] * x0[i];
      for (size_t j = 1; j < n; ++j) {
        const float* __restrict xj = in + b.in[j] * r;
        const float c = m[j];
        for (int64_t i = 0; i < r; ++i) y[i] += c * xj[i];
      }
    }
  }
}
void from_feature_basis(const std::vector<FeatureBlock>& blocks, const float* out, int64_t r, float* in) {
  for (const FeatureBlock& b : blocks) {
    const size_t n = b.in.size();
    for (size_t j = 0; j < n; ++j) {
      float* __restrict x = in + b.in[j] * r;
      const float* __restrict y0 = out + b.out[0] * r;
      for (int64_t i = 0; i < r; ++i) x[i] = b.m[j] * y0[i];
      for (size_t o = 1; o < n; ++o) {
        const float* __restrict yo = out + b.out[o] * r;
        const float c = b.m[o * n + j];
        for (int64_t i = 0; i < r; ++i) x[i] += c * yo[i];
      }
    }
  }
}

// The MLP of the spectral path (kernels/spectral_mlp.h), per tile: coefficients c = W1 T f, per
// hidden field v = relu(A c + b1), delta = W2 (B v). Gradients per item: the packed blocks of
// w1, b1 (values), the packed blocks of w2.
class SpectralMlpTile {
 public:
  SpectralMlpTile(const SpectralMlp& plan, const torch::Tensor& w1, const torch::Tensor& b1, const torch::Tensor& w2,
                  int64_t channels, int64_t perceived, int64_t k)
      : layer1_(plan.layer1, w1, plan.layer1.cols, 1, buffer1()),
        layer2_(plan.layer2, w2, plan.layer2.cols, 1, buffer2()),
        feature_blocks_(plan.feature_blocks),
        b1_(b1.contiguous()),
        channels_(channels),
        perceived_(perceived),
        k_(k),
        coefficients_(plan.coefficients()),
        values_(plan.values()),
        fields_(plan.hidden_fields),
        field_relu_(plan.to_values32.data_ptr<float>(), plan.to_coefficients32.data_ptr<float>(),
                    plan.to_values32_t.data_ptr<float>(), plan.to_coefficients32_t.data_ptr<float>(),
                    plan.to_values32.size(0), plan.to_values32.size(1)) {}
  int64_t gradient_size() const { return layer1_.packed_size() + values_ + layer2_.packed_size(); }

  void forward(Workspace& ws, int64_t r) const {
    hidden(ws, r);
    layer2_.forward(ws.coefficients2.data(), coefficients_, r, grown(ws.delta, r * channels_), channels_, ws.gathered);
  }

  void backward(Workspace& ws, int64_t r, float* grad) const {
    const int64_t f = k_ * perceived_;
    float* g1 = grad;
    float* gb1 = g1 + layer1_.packed_size();
    float* g2 = gb1 + values_;
    hidden(ws, r);
    // Through layer 2 into d loss / d (B v), then B^T, the ReLU, A^T: d loss / d coefficients.
    layer2_.backward(ws.coefficients2.data(), coefficients_, ws.delta.data(), channels_, r, g2,
                     grown(ws.grad_hidden, r * coefficients_), coefficients_, ws.gathered);
    field_relu_.backward(ws.grad_hidden.data(), ws.hidden.data(), r, fields_, gb1, ws.coefficients.data());
    float* gt = grown(ws.grad_basis_features, r * f);
    layer1_.backward_feature_major(ws.basis_features.data(), ws.coefficients.data(), coefficients_, r, g1, gt,
                                   ws.gathered);
    // T^T, then back to the cell-major rows the perception's transpose reads.
    float* gfm = grown(ws.feature_major, r * f);
    from_feature_basis(feature_blocks_, gt, r, gfm);
    MatrixMap(grown(ws.grad_features, r * f), r, f) = Eigen::Map<const ColMatrix>(gfm, r, f);
  }

  std::vector<torch::Tensor> gradients(const float* grad, const torch::TensorOptions& opts) const {
    const float* gb1 = grad + layer1_.packed_size();
    return {layer1_.dense_gradient(grad, opts, true), DenseMlp::copy(gb1, {values_}, opts),
            layer2_.dense_gradient(gb1 + values_, opts, false)};
  }

 private:
  static std::vector<float>& buffer1() {
    thread_local std::vector<float> b;
    return b;
  }
  static std::vector<float>& buffer2() {
    thread_local std::vector<float> b;
    return b;
  }
  // ws.features -> ws.basis_features (T f, feature-major: one contiguous row of r cells per
  // feature, so that T is a few vector multiply-adds per feature), ws.coefficients (W1 T f),
  // ws.hidden (v = relu(A c + b1)), ws.coefficients2 (B v).
  void hidden(Workspace& ws, int64_t r) const {
    const int64_t f = k_ * perceived_;
    float* fm = grown(ws.feature_major, r * f);
    Eigen::Map<ColMatrix>(fm, r, f) = ConstMatrixMap(ws.features.data(), r, f);
    float* t = grown(ws.basis_features, r * f);
    to_feature_basis(feature_blocks_, fm, r, t);
    float* c = grown(ws.coefficients, r * coefficients_);
    layer1_.forward_feature_major(t, r, c, coefficients_, ws.gathered);
    float* v = grown(ws.hidden, r * values_);
    field_relu_.forward(c, b1_.data_ptr<float>(), r, fields_, v, grown(ws.coefficients2, r * coefficients_));
  }
  BlockLayer layer1_, layer2_;
  const std::vector<FeatureBlock>& feature_blocks_;
  torch::Tensor b1_;
  int64_t channels_, perceived_, k_, coefficients_, values_, fields_;
  FieldRelu field_relu_;  // A, bias + ReLU, B in one pass (and back)
};

template <typename S, typename Mlp>
torch::Tensor forward(const torch::Tensor& state, const torch::Tensor& mask, const Mlp& mlp, const torch::Tensor& b2,
                      layers::Padding padding, bool skip_idle, torch::Tensor* alive_out) {
  const Grid g = grid_of(state, padding);
  const int64_t n = g.cells(), C = g.channels, P = perceived<S>(C), F = S::K * P, items = g.items();
  const float* x = state.data_ptr<float>();
  const float* m = mask.data_ptr<float>();
  const torch::Tensor b2c = b2.contiguous();
  const float* bias2 = b2c.data_ptr<float>();

  // Scratch of the calling thread, reused across steps.
  thread_local std::vector<float> alpha_buffer;
  thread_local std::vector<uint8_t> pre_buffer, alive_buffer;
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
  for_each_work_item(items, [&](int64_t k) {
    Workspace& ws = workspace(C);
    float* features = grown(ws.features, kTileCells * F);
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
          perceive<S>(x, C, nb, ws.zeros.data(), features + r * F);
          ws.cells[size_t(r++)] = cell;
        } else {
          std::memcpy(u + cell * C, x + cell * C, sizeof(float) * size_t(C));
        }
      }
      if (r > 0) {
        mlp.forward(ws, r);
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

// The steered features' gradient (planar, P per feature) turned back from the cell's frame: with
// (lx, ly) = R(-theta) (dx, dy), d/d(dx, dy) = R(theta) d/d(lx, ly), and the angle's gradient
// sum_c (g_lx ly - g_ly lx) is added to *grad_theta.
void turn_back(float theta, const float* features, int64_t P, float* __restrict gf, float* grad_theta) {
  const float cs = std::cos(theta), sn = std::sin(theta);
  const float* lx = features + 2 * P;
  const float* ly = features + 3 * P;
  float* __restrict gx = gf + 2 * P;
  float* __restrict gy = gf + 3 * P;
  float g_theta = 0.f;
  for (int64_t c = 0; c < P; ++c) {
    g_theta += gx[c] * ly[c] - gy[c] * lx[c];
    const float gdx = cs * gx[c] - sn * gy[c], gdy = sn * gx[c] + cs * gy[c];
    gx[c] = gdx;
    gy[c] = gdy;
  }
  *grad_theta += g_theta;
}

// acc[c] += sum_j taps[j] * sources[j][c] for c < P, in the order of j.
void add_weighted(const float* const* sources, const float* taps, int count, int64_t P, float* __restrict acc) {
  int64_t c = 0;
  for (; c + kLanes <= P; c += kLanes) {
    Floats sum = load<Floats>(acc + c);
    for (int j = 0; j < count; ++j) sum += taps[j] * load<Floats>(sources[j] + c);
    put(acc + c, sum);
  }
  for (; c < P; ++c) {
    float sum = acc[c];
    for (int j = 0; j < count; ++j) sum += taps[j] * sources[j][c];
    acc[c] = sum;
  }
}

template <typename S, typename Mlp>
SobelMlpGradients backward(const torch::Tensor& grad_out, const torch::Tensor& state, const torch::Tensor& mask,
                           const Mlp& mlp, const torch::Tensor& alive_mask, layers::Padding padding, bool skip_idle) {
  const Grid g = grid_of(state, padding);
  const int64_t n = g.cells(), C = g.channels, P = perceived<S>(C), F = S::K * P, items = g.items();
  const torch::Tensor gy_t = grad_out.contiguous();
  const float* gy = gy_t.data_ptr<float>();
  const float* x = state.data_ptr<float>();
  const float* m = mask.data_ptr<float>();
  const uint8_t* alive = alive_mask.data_ptr<uint8_t>();

  // Weight gradients per work item (the MLP's, then b2), summed in item order at the end.
  const int64_t mlp_size = mlp.gradient_size(), per_item = mlp_size + C;
  thread_local std::vector<float> gf_buffer, partial_buffer;
  thread_local std::vector<uint8_t> has_gf_buffer;
  float* gf = grown(gf_buffer, n * F);  // d loss / d features (planar) where has_gf
  uint8_t* has_gf = grown(has_gf_buffer, n);
  float* partial = grown(partial_buffer, items * per_item);
  std::fill(partial, partial + items * per_item, 0.f);

  torch::Tensor grad_state = torch::empty_like(state);
  float* gx = grad_state.data_ptr<float>();

  // 1. Through the alive mask and the residual; the MLP backward per tile, its hidden layer
  // recomputed from the state (cheaper here than storing 4 * hidden bytes per cell and step).
  // Only cells with a non-zero upstream gradient (alive and fired) run it, unless !skip_idle.
  for_each_work_item(items, [&](int64_t k) {
    Workspace& ws = workspace(C);
    float* features = grown(ws.features, kTileCells * F);
    float* delta = grown(ws.delta, kTileCells * C);
    float* gmlp = partial + k * per_item;
    float* gb2 = gmlp + mlp_size;
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
        float* gd = delta + r * C;
        for (int64_t c = 0; c < C; ++c) {
          gd[c] = gyc[c] * fire;
          gb2[c] += gd[c];
        }
        g.neighbourhood(cell, nb);
        perceive<S>(x, C, nb, ws.zeros.data(), features + r * F);
        ws.cells[size_t(r++)] = cell;
      }
      if (r == 0) continue;
      mlp.backward(ws, r, gmlp);
      for (int64_t i = 0; i < r; ++i) {
        const int64_t cell = ws.cells[size_t(i)];
        float* gfc = gf + cell * F;
        std::memcpy(gfc, ws.grad_features.data() + i * F, sizeof(float) * size_t(F));
        if constexpr (std::is_same_v<S, SteeredStencils>)
          turn_back(x[cell * C + P], ws.features.data() + i * F, P, gfc, gx + cell * C + P);
      }
    }
  });

  // 2. Through the perception: the transposed stencil gathers from the neighbours.
  for_each_work_item(items, [&](int64_t k) {
    int64_t nb[9];
    for (int64_t cell = k * kItemCells, end = std::min(n, cell + kItemCells); cell < end; ++cell) {
      // The feature gradients this cell's channels feed, with their taps: its own identity
      // feature, then each neighbour's stencil responses that saw it. Listed first and summed
      // a vector of channels at a time, so that the sum stays in a register (a loop over the
      // channels per tap took 7% of a growing training step).
      constexpr int kMaxTaps = 1 + 9 * (S::K - 1);  // the identity and every stencil's 9 taps
      const float* sources[kMaxTaps];
      float taps[kMaxTaps];
      int count = 0;
      if (has_gf[cell]) {
        sources[count] = gf + cell * F;
        taps[count++] = 1.f;
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
            sources[count] = gf + p * F + (s + 1) * P;
            taps[count++] = tap;
          }
        }
      add_weighted(sources, taps, count, P, gx + cell * C);
    }
  });

  // 3. Weight gradients: items summed in order.
  for (int64_t k = 1; k < items; ++k) {
    const float* p = partial + k * per_item;
    for (int64_t i = 0; i < per_item; ++i) partial[i] += p[i];
  }
  const auto opts = state.options();
  std::vector<torch::Tensor> w = mlp.gradients(partial, opts);
  return {grad_state, w[0], w[1], w[2], DenseMlp::copy(partial + mlp_size, {C}, opts)};
}

template <typename S>
torch::Tensor forward_with(const torch::Tensor& state, const torch::Tensor& mask, const torch::Tensor& w1,
                           const torch::Tensor& b1, const torch::Tensor& w2, const torch::Tensor& b2,
                           const SpectralMlp* spectral, layers::Padding padding, bool skip_idle, torch::Tensor* alive) {
  const int64_t C = state.size(3), P = perceived<S>(C);
  if (spectral)
    return forward<S>(state, mask, SpectralMlpTile(*spectral, w1, b1, w2, C, P, S::K), b2, padding, skip_idle, alive);
  return forward<S>(state, mask, DenseMlp(w1, b1, w2, C, P, S::K), b2, padding, skip_idle, alive);
}

template <typename S>
SobelMlpGradients backward_with(const torch::Tensor& grad_out, const torch::Tensor& state, const torch::Tensor& mask,
                                const torch::Tensor& w1, const torch::Tensor& b1, const torch::Tensor& w2,
                                const torch::Tensor& alive, const SpectralMlp* spectral, layers::Padding padding,
                                bool skip_idle) {
  const int64_t C = state.size(3), P = perceived<S>(C);
  if (spectral)
    return backward<S>(grad_out, state, mask, SpectralMlpTile(*spectral, w1, b1, w2, C, P, S::K), alive, padding,
                       skip_idle);
  return backward<S>(grad_out, state, mask, DenseMlp(w1, b1, w2, C, P, S::K), alive, padding, skip_idle);
}

}  // namespace

torch::Tensor sobel_mlp_forward_cpu(const torch::Tensor& state, const torch::Tensor& mask, const torch::Tensor& w1,
                                    const torch::Tensor& b1, const torch::Tensor& w2, const torch::Tensor& b2,
                                    Stencils stencils, const SpectralMlp* spectral, layers::Padding padding,
                                    bool skip_idle, torch::Tensor* alive) {
  if (stencils == Stencils::Laplacian)
    return forward_with<LaplacianStencils>(state, mask, w1, b1, w2, b2, spectral, padding, skip_idle, alive);
  if (stencils == Stencils::Taps)
    return forward_with<TapStencils>(state, mask, w1, b1, w2, b2, spectral, padding, skip_idle, alive);
  if (stencils == Stencils::Steered)
    return forward_with<SteeredStencils>(state, mask, w1, b1, w2, b2, spectral, padding, skip_idle, alive);
  return forward_with<SobelStencils>(state, mask, w1, b1, w2, b2, spectral, padding, skip_idle, alive);
}

SobelMlpGradients sobel_mlp_backward_cpu(const torch::Tensor& grad_out, const torch::Tensor& state,
                                         const torch::Tensor& mask, const torch::Tensor& w1, const torch::Tensor& b1,
                                         const torch::Tensor& w2, const torch::Tensor& alive, Stencils stencils,
                                         const SpectralMlp* spectral, layers::Padding padding, bool skip_idle) {
  if (stencils == Stencils::Laplacian)
    return backward_with<LaplacianStencils>(grad_out, state, mask, w1, b1, w2, alive, spectral, padding, skip_idle);
  if (stencils == Stencils::Taps)
    return backward_with<TapStencils>(grad_out, state, mask, w1, b1, w2, alive, spectral, padding, skip_idle);
  if (stencils == Stencils::Steered)
    return backward_with<SteeredStencils>(grad_out, state, mask, w1, b1, w2, alive, spectral, padding, skip_idle);
  return backward_with<SobelStencils>(grad_out, state, mask, w1, b1, w2, alive, spectral, padding, skip_idle);
}

}  // namespace eqnca::kernels::detail
