// Baseline update rule; see dense_update.h.
#include "models/dense_update.h"

#include <torch/nn/functional/activation.h>

namespace eqnca::models {

DenseUpdateImpl::DenseUpdateImpl(int64_t in, int64_t hidden, int64_t out) {
  fc0 = register_module("fc0", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, hidden, 1)));
  fc1 = register_module("fc1", torch::nn::Conv2d(torch::nn::Conv2dOptions(hidden, out, 1)));
  torch::NoGradGuard no_grad;
  fc1->weight.zero_();
  fc1->bias.zero_();
}

torch::Tensor DenseUpdateImpl::forward(const torch::Tensor& x) { return fc1(torch::relu(fc0(x))); }

}  // namespace eqnca::models
