// Growing NCA, the Distill 2020 baseline: 16 channels; depthwise identity + Sobel x/y
// perception (48 features); 1x1 48 -> 128 with ReLU; 1x1 128 -> 16, zero-initialised. The
// last layer keeps the bias Distill's Keras layer has (also zero-initialised), which gives
// the published 8,336 parameters. Not equivariant: the Sobel pair ties it to the grid's axes.
#pragma once

#include "layers/perception.h"
#include "models/dense_update.h"
#include "models/nca_model.h"

namespace eqnca::models {

class GrowingNcaImpl : public NcaModelImpl {
 public:
  GrowingNcaImpl(int channels, int hidden, double fire_rate, layers::Padding padding);
  using NcaModelImpl::step;
  torch::Tensor step(const torch::Tensor& state, const torch::Tensor& update_mask) override;
  groups::Group group() const override { return groups::Group::cyclic(1); }
  int64_t channels() const override { return channels_; }
  std::string name() const override { return "growing"; }
  std::optional<kernels::SobelMlpWeights> sobel_mlp_weights() const override;

  layers::NcaPerception perception{nullptr};
  DenseUpdate update{nullptr};

 private:
  int64_t channels_;
};
TORCH_MODULE(GrowingNca);

}  // namespace eqnca::models
