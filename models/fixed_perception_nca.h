// The NCA of the non-equivariant literature: a fixed depthwise filter bank per channel
// (layers/perception.h), then the dense update rule (1x1 -> hidden, ReLU, 1x1 -> channels,
// zero-initialised). The filter list is the model:
//  * "growing" (Distill 2020): {Identity, SobelX, SobelY}; 16 channels, 48 features, hidden 128:
//    the published 8,336 parameters (the last layer keeps the bias of Distill's Keras layer).
//    Not equivariant: the Sobel pair ties it to the grid's axes (group C1).
//  * "isotropic" (Growing Isotropic NCA, Mordvintsev, Randazzo, Fouts 2022): {Identity,
//    Laplacian}; the rule cannot tell directions apart, every channel is an invariant field and
//    the rule is exactly D4-equivariant on the grid (symmetry is broken only by the seed or the
//    asynchronous updates).
// The claimed group follows from the filters: D4 when no Sobel filter is present (the identity
// and Laplacian stencils have the square's symmetry), C1 otherwise.
#pragma once

#include <string>
#include <vector>

#include <torch/arg.h>

#include "layers/perception.h"
#include "models/dense_update.h"
#include "models/nca_model.h"

namespace eqnca::models {

struct FixedPerceptionNcaOptions {
  explicit FixedPerceptionNcaOptions(std::vector<layers::PerceptionFilter> filters) : filters_(std::move(filters)) {}
  static FixedPerceptionNcaOptions growing();    // {Identity, SobelX, SobelY}, named "growing"
  static FixedPerceptionNcaOptions isotropic();  // {Identity, Laplacian}, named "isotropic"

  TORCH_ARG(std::vector<layers::PerceptionFilter>, filters);
  TORCH_ARG(std::string, name) = "fixed-perception";
  TORCH_ARG(int, channels) = 16;  // RGBA + hidden channels
  TORCH_ARG(int, hidden) = 128;   // width of the update rule's ReLU layer
  TORCH_ARG(double, fire_rate) = 0.5;
  TORCH_ARG(layers::Padding, padding) = layers::Padding::Zeros;
};

class FixedPerceptionNcaImpl : public NcaModelImpl {
 public:
  explicit FixedPerceptionNcaImpl(FixedPerceptionNcaOptions options);
  using NcaModelImpl::step;
  torch::Tensor step(const torch::Tensor& state, const torch::Tensor& update_mask) override;
  groups::Group group() const override;
  int64_t channels() const override { return options_.channels(); }
  std::string name() const override { return options_.name(); }
  // The fc0/fc1 weights when the filters are exactly {Identity, SobelX, SobelY} (growing) or
  // {Identity, Laplacian} (isotropic), for the fused step; nullopt otherwise.
  std::optional<kernels::SobelMlpWeights> sobel_mlp_weights() const override;
  const FixedPerceptionNcaOptions& options() const { return options_; }

  layers::NcaPerception perception{nullptr};
  DenseUpdate update{nullptr};

 private:
  FixedPerceptionNcaOptions options_;
};
TORCH_MODULE(FixedPerceptionNca);

}  // namespace eqnca::models
