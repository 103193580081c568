// The update rule of the non-equivariant NCA baselines (Distill 2020): per cell,
// 1x1 conv in -> hidden with bias, ReLU, 1x1 conv hidden -> out with bias, the last layer
// zero-initialised so a fresh model leaves the seed unchanged ("do nothing" start).
// Parameters: fc0.{weight, bias}, fc1.{weight, bias} (the checkpoint keys of every baseline).
#pragma once

#include <cstdint>

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace eqnca::models {

struct DenseUpdateOptions {
  DenseUpdateOptions(int64_t in, int64_t hidden, int64_t out) : in_(in), hidden_(hidden), out_(out) {}
  TORCH_ARG(int64_t, in);      // features per cell
  TORCH_ARG(int64_t, hidden);  // width of the ReLU layer
  TORCH_ARG(int64_t, out);     // state channels the update is added to
};

class DenseUpdateImpl : public torch::nn::Module {
 public:
  explicit DenseUpdateImpl(DenseUpdateOptions options);
  torch::Tensor forward(const torch::Tensor& x);
  const DenseUpdateOptions& options() const { return options_; }

  torch::nn::Conv2d fc0{nullptr}, fc1{nullptr};

 private:
  DenseUpdateOptions options_;
};
TORCH_MODULE(DenseUpdate);

}  // namespace eqnca::models
