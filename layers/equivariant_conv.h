// Equivariant convolution between field types: learnable coefficients x cached steerable
// basis -> filter -> a stock conv2d. Odd kernel sizes, 1x1 included.
//
// Conventions: one parameter `weight` holds the coefficients of every (input run, output run)
// block; `bias` has one entry per output field containing the trivial representation as a
// block (trivial fields, and the constant direction of regular fields), so a bias never
// breaks equivariance. Keys are the same in train and eval mode: the expanded filter cached in
// eval mode (and the one held for a rollout) is not a parameter or buffer.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "groups/steerable_basis.h"
#include "layers/field_type.h"
#include "layers/padding.h"

namespace eqnca::layers {

enum class BasisKind { Auto, GridExact, Harmonic };  // Auto: grid-exact where the group allows

struct EquivariantConvOptions {
  EquivariantConvOptions(FieldType in, FieldType out, int kernel_size)
      : in_type_(std::move(in)), out_type_(std::move(out)), kernel_size_(kernel_size) {}
  TORCH_ARG(FieldType, in_type);
  TORCH_ARG(FieldType, out_type);
  TORCH_ARG(int, kernel_size);
  TORCH_ARG(bool, bias) = true;
  TORCH_ARG(bool, zero_init) = false;
  TORCH_ARG(double, gain) = 2.0;  // He-style: Var(filter) * fan_in = gain
  TORCH_ARG(Padding, padding) = Padding::Zeros;
  TORCH_ARG(BasisKind, basis) = BasisKind::Auto;
};

class EquivariantConvImpl : public torch::nn::Module {
 public:
  explicit EquivariantConvImpl(EquivariantConvOptions options);
  void reset();
  torch::Tensor forward(const torch::Tensor& x);

  // The filter (C_out, C_in, k, k) and bias (C_out) that the current weights expand to.
  torch::Tensor expand_filter() const;
  torch::Tensor expand_bias() const;
  // A plain Conv2d computing the same map (zero padding), for inference and export.
  torch::nn::Conv2d export_conv() const;
  // Hold one expanded filter for a whole rollout (gradients flow through it once).
  void begin_rollout();
  void end_rollout();
  void train(bool on = true) override;

  const EquivariantConvOptions& options() const { return options_; }
  int64_t basis_size() const;

  torch::Tensor weight;
  torch::Tensor bias;

 private:
  struct Block {
    int in_run, out_run;
    int64_t weight_offset, count;  // count = m_out * m_in * basis size
    torch::Tensor basis;           // (basis size, d_out * d_in * k * k)
  };
  torch::Tensor cached_filter();
  EquivariantConvOptions options_;
  std::vector<FieldType::Run> in_runs_, out_runs_;
  std::vector<Block> blocks_;
  torch::Tensor bias_expansion_;  // (C_out, n_bias): maps bias parameters to channels
  torch::Tensor rollout_filter_, rollout_bias_;
  torch::Tensor eval_filter_, eval_bias_;
  int64_t eval_version_ = -1;
};

TORCH_MODULE(EquivariantConv);

}  // namespace eqnca::layers
