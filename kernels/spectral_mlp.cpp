// The spectral path's plan and weights; see spectral_mlp.h.
#include "kernels/spectral_mlp.h"

#include <algorithm>

#include "groups/check.h"

namespace eqnca::kernels {
namespace {

// The public feature layout c*K + k -> the kernel's planar k*C + c, for a (rows, C*K) matrix.
torch::Tensor planar_columns(const torch::Tensor& m, int64_t k) {
  const int64_t c = m.size(1) / k;
  return m.reshape({m.size(0), c, k}).transpose(1, 2).reshape({m.size(0), k * c});
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
  for (int64_t r = 0; r < out.rows;) {
    std::vector<int64_t> cols = row_cols(r);
    int64_t end = r + 1;
    while (end < out.rows && row_cols(end) == cols) ++end;
    if (!cols.empty()) {
      LinearBlock b;
      b.row_begin = r;
      b.row_end = end;
      b.col_begin = (cols.back() - cols.front() + 1 == int64_t(cols.size())) ? cols.front() : -1;
      b.cols = std::move(cols);
      b.offset = out.packed_size;
      out.packed_size += b.rows() * b.width();
      out.widest = std::max(out.widest, b.width());
      out.blocks.push_back(std::move(b));
    }
    r = end;
  }
  return out;
}

std::shared_ptr<const SpectralMlp> make_spectral_mlp(const std::vector<SobelMlpWeights>& representatives,
                                                     const std::vector<int64_t>& hidden_order,
                                                     const torch::Tensor& hidden_basis,
                                                     const torch::Tensor& state_basis) {
  EQNCA_CHECK(representatives.size() >= 2, "make_spectral_mlp: needs two or more representative weights");
  const SobelMlpWeights& first = representatives.front();
  const int64_t hidden = first.w1.size(0), g = hidden_basis.size(0), k = features_per_channel(first.stencils);
  EQNCA_CHECK(hidden_basis.dim() == 2 && hidden_basis.size(1) == g && hidden % g == 0 &&
                  int64_t(hidden_order.size()) == hidden,
              "make_spectral_mlp: hidden width {} does not match a ({}, {}) basis and {} orders", hidden, g, g,
              hidden_order.size());
  auto plan = std::make_shared<SpectralMlp>();
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  plan->hidden_fields = hidden / g;
  plan->hidden_basis = hidden_basis.to(f64).contiguous();
  plan->state_basis = state_basis.to(f64).contiguous();
  plan->hidden_order = torch::tensor(hidden_order, torch::kLong);
  // T = kron(Q, I_F) P, P moving the model's hidden channel hidden_order[r] to row r.
  const torch::Tensor perm = torch::zeros({hidden, hidden}, f64);
  for (int64_t r = 0; r < hidden; ++r) perm[r][hidden_order[size_t(r)]] = 1.0;
  const torch::Tensor t64 = torch::kron(hidden_basis.to(f64), torch::eye(plan->hidden_fields, f64)).mm(perm);
  plan->hidden_transform = t64;

  // The positions from float64 copies of the representatives, in the kernel's bases.
  std::vector<torch::Tensor> w1s, w2s;
  for (const SobelMlpWeights& r : representatives) {
    SobelMlpWeights d{r.w1.detach().to(f64), r.b1.detach().to(f64), r.w2.detach().to(f64), r.b2.detach().to(f64),
                      r.stencils, nullptr};
    const SobelMlpWeights s = spectral_weights(d, plan);
    w1s.push_back(planar_columns(s.w1, k));
    w2s.push_back(s.w2);
  }
  plan->layer1 = BlockLayout::from_pattern(pattern_of(w1s));
  plan->layer2 = BlockLayout::from_pattern(pattern_of(w2s));
  return plan;
}

SobelMlpWeights spectral_weights(const SobelMlpWeights& dense, const std::shared_ptr<const SpectralMlp>& plan) {
  const auto opts = dense.w1.options();
  const torch::Tensor t = plan->hidden_transform.to(opts), s = plan->state_basis.to(opts);
  const int64_t k = features_per_channel(dense.stencils);
  SobelMlpWeights out;
  out.stencils = dense.stencils;
  out.spectral = plan;
  out.w1 = t.mm(dense.w1).mm(torch::kron(s.t().contiguous(), torch::eye(k, opts)));
  out.b1 = dense.b1.index_select(0, plan->hidden_order.to(opts.device()));
  out.w2 = s.mm(dense.w2).mm(t.t());
  out.b2 = s.mv(dense.b2);
  return out;
}

torch::Tensor spectral_hidden(const torch::Tensor& h_coefficients, const torch::Tensor& b1, const SpectralMlp& plan) {
  const int64_t g = plan.hidden_basis.size(0), f = plan.hidden_fields;
  std::vector<int64_t> grouped(h_coefficients.sizes().begin(), h_coefficients.sizes().end() - 1);
  std::vector<int64_t> flat = grouped;
  grouped.push_back(g);
  grouped.push_back(f);
  flat.push_back(g * f);
  const torch::Tensor q = plan.hidden_basis.to(h_coefficients.options());
  // (..., o, j) -> (..., g, j): Q^T over o, then the bias and ReLU in the group basis.
  const torch::Tensor values = torch::matmul(q.t(), h_coefficients.reshape(grouped)).reshape(flat);
  const torch::Tensor h = torch::relu(values + b1);
  return torch::matmul(q, h.reshape(grouped)).reshape(flat);
}

}  // namespace eqnca::kernels
