// The spectral path's plan and weights; see spectral_mlp.h.
#include "kernels/spectral_mlp.h"

#include <algorithm>
#include <numeric>

#include "groups/check.h"

namespace eqnca::kernels {
namespace {

// The planar permutation as a feature basis: row k*C + c picks public feature c*K + k.
torch::Tensor planar_basis(int64_t channels, int64_t k) {
  torch::Tensor t = torch::zeros({channels * k, channels * k}, torch::kDouble);
  for (int64_t s = 0; s < k; ++s)
    for (int64_t c = 0; c < channels; ++c) t[s * channels + c][c * k + s] = 1.0;
  return t;
}

// T's connected blocks, inputs at planar positions; throws unless they partition both sides.
std::vector<FeatureBlock> feature_blocks_of(const torch::Tensor& t, int64_t channels, int64_t k) {
  const int64_t n = t.size(0);
  EQNCA_CHECK(t.dim() == 2 && t.size(1) == n && n == channels * k,
              "make_spectral_mlp: the feature basis must be ({0}, {0}) for {1} channels x {2} features", channels * k,
              channels, k);
  const torch::Tensor tc = t.contiguous();
  const double* v = tc.data_ptr<double>();
  // Union-find over rows (0..n-1) and public columns (n..2n-1) joined by non-zeros.
  std::vector<int64_t> parent(size_t(2 * n));
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int64_t a) {
    while (parent[size_t(a)] != a) a = parent[size_t(a)] = parent[size_t(parent[size_t(a)])];
    return a;
  };
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < n; ++c)
      if (std::abs(v[r * n + c]) > 1e-12) parent[size_t(find(r))] = find(n + c);
  std::vector<FeatureBlock> blocks;
  std::vector<int64_t> block_of(size_t(2 * n), -1);
  for (int64_t a = 0; a < 2 * n; ++a) {
    const int64_t root = find(a);
    if (block_of[size_t(root)] < 0) {
      block_of[size_t(root)] = int64_t(blocks.size());
      blocks.emplace_back();
    }
    FeatureBlock& b = blocks[size_t(block_of[size_t(root)])];
    if (a < n) {
      b.out.push_back(a);
    } else {
      const int64_t c = a - n;  // public c'*K + s -> planar s*C + c'
      b.in.push_back((c % k) * channels + c / k);
    }
  }
  for (FeatureBlock& b : blocks) {
    EQNCA_CHECK(b.in.size() == b.out.size() && !b.in.empty(),
                "make_spectral_mlp: the feature basis is not orthogonal (a block maps {} features to {})", b.in.size(),
                b.out.size());
    for (int64_t r : b.out)
      for (int64_t p : b.in) {
        const int64_t c = (p % channels) * k + p / channels;
        b.m.push_back(float(v[r * n + c]));
      }
  }
  return blocks;
}

// Structural non-zeros: some draw has |entry| > 1e-5 of its largest entry.
torch::Tensor pattern_of(const std::vector<torch::Tensor>& draws) {
  torch::Tensor any;
  for (const torch::Tensor& d : draws) {
    const torch::Tensor a = d.abs();
    const torch::Tensor nz = a > 1e-5 * a.max().item<double>();
    any = any.defined() ? torch::logical_or(any, nz) : nz;
  }
  return any;
}

}  // namespace

BlockLayout BlockLayout::from_pattern(const torch::Tensor& pattern) {
  EQNCA_CHECK(pattern.dim() == 2, "BlockLayout: expected a (rows, cols) pattern");
  const torch::Tensor p = pattern.to(torch::kBool).contiguous().cpu();
  const bool* v = p.data_ptr<bool>();
  BlockLayout out;
  out.rows = p.size(0);
  out.cols = p.size(1);
  auto row_cols = [&](int64_t r) {
    std::vector<int64_t> cols;
    for (int64_t c = 0; c < out.cols; ++c)
      if (v[r * out.cols + c]) cols.push_back(c);
    return cols;
  };
  int64_t covered = 0;
  for (int64_t r = 0; r < out.rows;) {
    std::vector<int64_t> cols = row_cols(r);
    int64_t end = r + 1;
    while (end < out.rows && row_cols(end) == cols) ++end;
    if (!cols.empty()) {
      LinearBlock b;
      b.row_begin = r;
      b.row_end = end;
      b.col_begin = (cols.back() - cols.front() + 1 == int64_t(cols.size())) ? cols.front() : -1;
      for (int64_t c = 0; c < int64_t(cols.size()); ++c) {
        if (!b.runs.empty() && b.runs.back().from + b.runs.back().length == cols[size_t(c)])
          ++b.runs.back().length;
        else
          b.runs.push_back({cols[size_t(c)], c, 1});
      }
      b.cols = std::move(cols);
      b.offset = out.packed_size;
      out.packed_size += b.rows() * b.width();
      out.widest = std::max(out.widest, b.width());
      covered += b.rows();
      out.blocks.push_back(std::move(b));
    }
    r = end;
  }
  out.covers_all_rows = covered == out.rows;
  return out;
}

std::shared_ptr<const SpectralMlp> make_spectral_mlp(const std::vector<SobelMlpWeights>& representatives,
                                                     const torch::Tensor& hidden_transform,
                                                     const torch::Tensor& to_values,
                                                     const torch::Tensor& to_coefficients,
                                                     const torch::Tensor& state_basis,
                                                     const torch::Tensor& feature_basis) {
  EQNCA_CHECK(representatives.size() >= 2, "make_spectral_mlp: needs two or more representative weights");
  const SobelMlpWeights& first = representatives.front();
  const int64_t hidden = first.w1.size(0), n = to_values.size(0), d = to_values.size(1),
                k = features_per_channel(first.stencils);
  EQNCA_CHECK(to_coefficients.size(0) == d && to_coefficients.size(1) == n && hidden % d == 0 &&
                  hidden_transform.size(0) == hidden && hidden_transform.size(1) == hidden,
              "make_spectral_mlp: {} hidden channels do not match ({}, {}) and ({}, {}) field maps and a ({}, {}) "
              "transform",
              hidden, n, d, to_coefficients.size(0), to_coefficients.size(1), hidden_transform.size(0),
              hidden_transform.size(1));
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  auto plan = std::make_shared<SpectralMlp>();
  plan->hidden_fields = hidden / d;
  plan->to_values = to_values.to(f64).contiguous();
  plan->to_coefficients = to_coefficients.to(f64).contiguous();
  plan->hidden_transform = hidden_transform.to(f64).contiguous();
  plan->to_values32 = to_values.to(torch::kFloat).contiguous();
  plan->to_coefficients32 = to_coefficients.to(torch::kFloat).contiguous();
  plan->to_values32_t = plan->to_values32.t().contiguous();
  plan->to_coefficients32_t = plan->to_coefficients32.t().contiguous();
  if (state_basis.defined()) plan->state_basis = state_basis.to(f64).contiguous();
  const int64_t channels = first.w1.size(1) / k;
  plan->feature_basis = feature_basis.defined() ? feature_basis.to(f64).contiguous() : planar_basis(channels, k);
  EQNCA_CHECK(
      (plan->feature_basis.mm(plan->feature_basis.t()) - torch::eye(channels * k, f64)).abs().max().item<double>() <
          1e-9,
      "make_spectral_mlp: the feature basis is not orthogonal");
  plan->feature_blocks = feature_blocks_of(plan->feature_basis, channels, k);

  // The positions from float64 copies of the representatives, in the kernel's bases.
  std::vector<torch::Tensor> w1s, w2s;
  for (const SobelMlpWeights& r : representatives) {
    SobelMlpWeights m{r.w1.detach().to(f64),
                      r.b1.detach().to(f64),
                      r.w2.detach().to(f64),
                      r.b2.detach().to(f64),
                      r.stencils,
                      nullptr};
    const SobelMlpWeights s = spectral_weights(m, plan);
    w1s.push_back(s.w1);
    w2s.push_back(s.w2);
  }
  plan->layer1 = BlockLayout::from_pattern(pattern_of(w1s));
  plan->layer2 = BlockLayout::from_pattern(pattern_of(w2s));
  return plan;
}

SobelMlpWeights spectral_weights(const SobelMlpWeights& model, const std::shared_ptr<const SpectralMlp>& plan) {
  const auto opts = model.w1.options();
  const torch::Tensor t = plan->hidden_transform.to(opts);
  const int64_t k = features_per_channel(model.stencils);
  SobelMlpWeights out;
  out.stencils = model.stencils;
  out.spectral = plan;
  out.w1 = t.mm(model.w1);
  out.w2 = model.w2.mm(t.t());
  out.b2 = model.b2;
  if (plan->state_basis.defined()) {
    const torch::Tensor s = plan->state_basis.to(opts);
    out.w1 = out.w1.mm(torch::kron(s.t().contiguous(), torch::eye(k, opts)));
    out.w2 = s.mm(out.w2);
    out.b2 = s.mv(out.b2);
  }
  out.w1 = out.w1.mm(plan->feature_basis.to(opts).t());
  const torch::Tensor a = torch::kron(plan->to_values.to(opts), torch::eye(plan->hidden_fields, opts));
  out.b1 = a.mv(t.mv(model.b1));
  return out;
}

torch::Tensor to_kernel_basis(const torch::Tensor& state, const SpectralMlp* plan) {
  if (plan == nullptr || !plan->state_basis.defined()) return state;
  return torch::matmul(state, plan->state_basis.to(state.options()).t()).contiguous();
}

torch::Tensor from_kernel_basis(const torch::Tensor& state, const SpectralMlp* plan) {
  if (plan == nullptr || !plan->state_basis.defined()) return state;
  return torch::matmul(state, plan->state_basis.to(state.options())).contiguous();
}

torch::Tensor to_feature_basis(const torch::Tensor& features, const SpectralMlp& plan) {
  return torch::matmul(features, plan.feature_basis.to(features.options()).t());
}

torch::Tensor spectral_hidden(const torch::Tensor& coefficients, const torch::Tensor& b1, const SpectralMlp& plan) {
  const int64_t f = plan.hidden_fields, n = plan.to_values.size(0), d = plan.to_values.size(1);
  std::vector<int64_t> shape(coefficients.sizes().begin(), coefficients.sizes().end() - 1);
  auto grouped = [&](int64_t rows) {
    std::vector<int64_t> s = shape;
    s.push_back(rows);
    s.push_back(f);
    return s;
  };
  auto flat = [&](int64_t rows) {
    std::vector<int64_t> s = shape;
    s.push_back(rows * f);
    return s;
  };
  const torch::Tensor a = plan.to_values.to(coefficients.options()),
                      b = plan.to_coefficients.to(coefficients.options());
  // (..., D, F) -> (..., N, F): A over the coefficients, then the bias and ReLU on the values.
  const torch::Tensor values = torch::matmul(a, coefficients.reshape(grouped(d))).reshape(flat(n));
  const torch::Tensor v = torch::relu(values + b1);
  return torch::matmul(b, v.reshape(grouped(n))).reshape(flat(d));
}

}  // namespace eqnca::kernels
