// Growing Steerable NCA (Randazzo, Mordvintsev, Fouts 2023): the last channel of each cell
// holds an angle theta, and the cell perceives the Sobel pair in its own frame,
// [s, Laplacian s, R(-theta) (d/dx s, d/dy s)] over the other channels. Rotating the grid by
// alpha and adding alpha to every live cell's angle leaves what cells perceive unchanged:
// equivariant to rotations (exactly at 90 degrees on the grid), but chiral: a mirror is not
// a symmetry. The angle channel is excluded from perception (its gradient is not invariant).
#pragma once

#include "layers/perception.h"
#include "models/dense_update.h"
#include "models/nca_model.h"

namespace eqnca::models {

class SteerableNcaImpl : public NcaModelImpl {
 public:
  SteerableNcaImpl(int channels, int hidden, double fire_rate, layers::Padding padding);
  using NcaModelImpl::step;
  torch::Tensor step(const torch::Tensor& state, const torch::Tensor& update_mask) override;
  groups::Group group() const override { return groups::Group::so2(1); }
  int64_t channels() const override { return channels_; }
  std::string name() const override { return "steerable"; }
  // Pixels move; live cells' angles turn by g (a mirror sends theta to pi - theta).
  torch::Tensor transform_state(const torch::Tensor& state, const groups::GroupElement& g) const override;
  torch::Tensor transform_fiber(const torch::Tensor& fiber, const groups::GroupElement& g) const override;

  layers::NcaPerception perception{nullptr};
  DenseUpdate update{nullptr};

 protected:
  torch::Tensor make_seed(int64_t batch, int64_t height, int64_t width) const override;

 private:
  int64_t channels_;
};
TORCH_MODULE(SteerableNca);

}  // namespace eqnca::models
