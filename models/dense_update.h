// The update rule of the non-equivariant NCA baselines (Distill 2020): per cell,
// 1x1 conv in -> hidden with bias, ReLU, 1x1 conv hidden -> out with bias, the last layer
// zero-initialised so a fresh model leaves the seed unchanged ("do nothing" start).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace eqnca::models {

class DenseUpdateImpl : public torch::nn::Module {
 public:
  DenseUpdateImpl(int64_t in, int64_t hidden, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Conv2d fc0{nullptr}, fc1{nullptr};
};
TORCH_MODULE(DenseUpdate);

}  // namespace eqnca::models
