// Equivariant convolution; see equivariant_conv.h.
#include "layers/equivariant_conv.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/nn/init.h>

namespace eqnca::layers {
namespace {

std::shared_ptr<const groups::SteerableBasis> basis_for(const groups::Representation& in,
                                                        const groups::Representation& out, int k, BasisKind kind) {
  const bool grid = kind == BasisKind::GridExact || (kind == BasisKind::Auto && in.group().acts_exactly_on_grid());
  return grid ? groups::grid_exact_basis(in, out, k) : groups::harmonic_basis(in, out, k);
}

// The unit vectors of rep's trivial isotypic part (orthonormal columns), e.g. the all-ones
// direction of a regular representation.
Eigen::MatrixXd invariant_directions(const groups::Representation& rep) {
  const groups::Group& g = rep.group();
  std::vector<groups::GroupElement> els;
  if (g.finite()) {
    els = g.elements();
  } else {  // equally spaced rotations average every band-limited irrep exactly
    const int m = 2 * g.band_limit() + 3;
    for (int s = 0; s < (g.has_reflections() ? 2 : 1); ++s)
      for (int i = 0; i < m; ++i) els.push_back(g.element_at(2.0 * M_PI * i / m, s == 1));
  }
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(rep.dim(), rep.dim());
  for (const auto& e : els) p += rep(e);
  p /= double(els.size());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> s(0.5 * (p + p.transpose()));
  std::vector<Eigen::VectorXd> cols;
  for (int i = 0; i < rep.dim(); ++i)
    if (s.eigenvalues()(i) > 0.5) cols.push_back(s.eigenvectors().col(i));
  Eigen::MatrixXd out(rep.dim(), Eigen::Index(cols.size()));
  for (size_t i = 0; i < cols.size(); ++i) out.col(Eigen::Index(i)) = cols[i] * (cols[i].sum() < 0 ? -1.0 : 1.0);
  return out;
}

}  // namespace

EquivariantConvImpl::EquivariantConvImpl(EquivariantConvOptions options) : options_(std::move(options)) {
  const int k = options_.kernel_size();
  if (k < 1 || k % 2 == 0)
    throw std::invalid_argument(fmt::format("EquivariantConv: kernel size must be odd and >= 1, got {}", k));
  if (options_.in_type().group() != options_.out_type().group())
    throw std::invalid_argument(
        fmt::format("EquivariantConv: input type {} and output type {} are over different groups",
                    options_.in_type().describe(), options_.out_type().describe()));
  in_runs_ = options_.in_type().runs();
  out_runs_ = options_.out_type().runs();
  int64_t offset = 0;
  for (size_t o = 0; o < out_runs_.size(); ++o)
    for (size_t i = 0; i < in_runs_.size(); ++i) {
      const auto b = basis_for(in_runs_[i].rep, out_runs_[o].rep, k, options_.basis());
      if (b->size() == 0) continue;
      Block block{
          int(i), int(o), offset, int64_t(out_runs_[o].multiplicity) * in_runs_[i].multiplicity * b->size(), {}};
      const Eigen::MatrixXf f = b->filters.cast<float>();
      // clone: t().contiguous() may alias the temporary when one side has length 1.
      block.basis = torch::from_blob(const_cast<float*>(f.data()), {f.cols(), f.rows()}, torch::kFloat)
                        .t()
                        .clone(at::MemoryFormat::Contiguous);
      block.basis = register_buffer(fmt::format("basis_{}_{}", o, i), block.basis);
      blocks_.push_back(block);
      offset += block.count;
    }
  weight = register_parameter("weight", torch::zeros({offset}));

  // Bias: one parameter per invariant direction of each output field.
  std::vector<torch::Tensor> columns;
  const int c_out = options_.out_type().channels();
  int channel = 0;
  for (const auto& field : options_.out_type().fields()) {
    const Eigen::MatrixXd dirs = invariant_directions(field);
    for (Eigen::Index j = 0; j < dirs.cols(); ++j) {
      torch::Tensor col = torch::zeros({c_out});
      for (int a = 0; a < field.dim(); ++a) col[channel + a] = dirs(a, j);
      columns.push_back(col);
    }
    channel += field.dim();
  }
  if (options_.bias() && !columns.empty()) {
    bias_expansion_ = register_buffer("bias_expansion", torch::stack(columns, 1));
    bias = register_parameter("bias", torch::zeros({int64_t(columns.size())}));
  }
  reset();
}

void EquivariantConvImpl::reset() {
  torch::NoGradGuard no_grad;
  if (options_.zero_init()) {
    weight.zero_();
  } else {
    // Each filter entry has variance sigma^2 * n / (d_out d_in k^2) on average (orthonormal
    // basis rows); choose sigma so that fan_in * Var(entry) = gain.
    const double c_in = options_.in_type().channels();
    for (const Block& b : blocks_) {
      const auto& in = in_runs_[size_t(b.in_run)].rep;
      const auto& out = out_runs_[size_t(b.out_run)].rep;
      const double n = double(b.basis.size(0));
      const double sigma = std::sqrt(options_.gain() * in.dim() * out.dim() / (c_in * n));
      weight.narrow(0, b.weight_offset, b.count).normal_(0.0, sigma);
    }
  }
  if (bias.defined()) bias.zero_();
  eval_version_ = -1;
}

int64_t EquivariantConvImpl::basis_size() const { return weight.numel(); }

torch::Tensor EquivariantConvImpl::expand_filter() const {
  const int k = options_.kernel_size();
  std::vector<torch::Tensor> rows;
  for (size_t o = 0; o < out_runs_.size(); ++o) {
    const auto& out = out_runs_[o];
    std::vector<torch::Tensor> cols;
    for (size_t i = 0; i < in_runs_.size(); ++i) {
      const auto& in = in_runs_[i];
      const int64_t h = int64_t(out.multiplicity) * out.rep.dim(), w = int64_t(in.multiplicity) * in.rep.dim();
      torch::Tensor block;
      for (const Block& b : blocks_)
        if (b.out_run == int(o) && b.in_run == int(i)) {
          const int64_t n = b.basis.size(0);
          // (m_out m_in, n) x (n, d_out d_in k k): the one matrix product of the expansion.
          torch::Tensor w_block =
              weight.narrow(0, b.weight_offset, b.count).view({out.multiplicity * in.multiplicity, n});
          block = torch::mm(w_block, b.basis)
                      .view({out.multiplicity, in.multiplicity, out.rep.dim(), in.rep.dim(), k, k})
                      .permute({0, 2, 1, 3, 4, 5})
                      .reshape({h, w, k, k});
        }
      if (!block.defined()) block = torch::zeros({h, w, k, k}, weight.options());
      cols.push_back(block);
    }
    rows.push_back(torch::cat(cols, 1));
  }
  return torch::cat(rows, 0);
}

torch::Tensor EquivariantConvImpl::expand_bias() const {
  if (!bias.defined()) return {};
  return torch::mv(bias_expansion_, bias);
}

torch::Tensor EquivariantConvImpl::cached_filter() {
  if (rollout_filter_.defined()) return rollout_filter_;
  if (is_training()) return expand_filter();
  // Eval mode: expand once and reuse until the weights change (in-place updates bump the
  // tensor version counter).
  const int64_t version = int64_t(weight._version()) + (bias.defined() ? int64_t(bias._version()) << 32 : 0);
  if (!eval_filter_.defined() || version != eval_version_ || eval_filter_.device() != weight.device()) {
    torch::NoGradGuard no_grad;
    eval_filter_ = expand_filter();
    eval_bias_ = expand_bias();
    eval_version_ = version;
  }
  return eval_filter_;
}

torch::Tensor EquivariantConvImpl::forward(const torch::Tensor& x) {
  options_.in_type().check(x, "EquivariantConv");
  const torch::Tensor filter = cached_filter();
  torch::Tensor b;
  if (rollout_filter_.defined())
    b = rollout_bias_;
  else if (!is_training() && eval_filter_.defined())
    b = eval_bias_;
  else
    b = expand_bias();
  const int r = options_.kernel_size() / 2;
  if (options_.padding() == Padding::Circular) return torch::conv2d(pad_field(x, r, Padding::Circular), filter, b);
  return torch::conv2d(x, filter, b, 1, r);
}

torch::nn::Conv2d EquivariantConvImpl::export_conv() const {
  const auto c_in = options_.in_type().channels(), c_out = options_.out_type().channels();
  const int k = options_.kernel_size();
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(c_in, c_out, k)
                             .padding(k / 2)
                             .bias(bias.defined())
                             .padding_mode(options_.padding() == Padding::Circular
                                               ? torch::nn::detail::conv_padding_mode_t(torch::kCircular)
                                               : torch::nn::detail::conv_padding_mode_t(torch::kZeros)));
  torch::NoGradGuard no_grad;
  conv->weight.copy_(expand_filter());
  if (bias.defined()) conv->bias.copy_(expand_bias());
  conv->to(weight.device());
  return conv;
}

void EquivariantConvImpl::begin_rollout() {
  rollout_filter_ = expand_filter();
  rollout_bias_ = expand_bias();
}

void EquivariantConvImpl::end_rollout() {
  rollout_filter_ = torch::Tensor();
  rollout_bias_ = torch::Tensor();
}

void EquivariantConvImpl::train(bool on) {
  torch::nn::Module::train(on);
  eval_filter_ = torch::Tensor();
  eval_version_ = -1;
}

}  // namespace eqnca::layers
