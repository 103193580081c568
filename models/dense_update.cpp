// Baseline update rule; see dense_update.h.
#include "models/dense_update.h"

#include <torch/nn/functional/activation.h>

#include "groups/check.h"

namespace eqnca::models {

DenseUpdateImpl::DenseUpdateImpl(DenseUpdateOptions options) : options_(options) {
  EQNCA_CHECK(options_.in() >= 1 && options_.hidden() >= 1 && options_.out() >= 1,
              "dense update: in, hidden and out must be >= 1, got {}, {}, {}", options_.in(), options_.hidden(),
              options_.out());
  fc0 = register_module("fc0", torch::nn::Conv2d(torch::nn::Conv2dOptions(options_.in(), options_.hidden(), 1)));
  fc1 = register_module("fc1", torch::nn::Conv2d(torch::nn::Conv2dOptions(options_.hidden(), options_.out(), 1)));
  torch::NoGradGuard no_grad;
  fc1->weight.zero_();
  fc1->bias.zero_();
}

torch::Tensor DenseUpdateImpl::forward(const torch::Tensor& x) { return fc1(torch::relu(fc0(x))); }

}  // namespace eqnca::models
