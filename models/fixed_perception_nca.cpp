// Fixed-perception NCA (growing, isotropic); see fixed_perception_nca.h.
#include "models/fixed_perception_nca.h"

#include <algorithm>

#include "groups/check.h"

namespace eqnca::models {
namespace {
using layers::PerceptionFilter;
const std::vector<PerceptionFilter> kSobelFilters{PerceptionFilter::Identity, PerceptionFilter::SobelX,
                                                  PerceptionFilter::SobelY};
const std::vector<PerceptionFilter> kLaplacianFilters{PerceptionFilter::Identity, PerceptionFilter::Laplacian};
}  // namespace

FixedPerceptionNcaOptions FixedPerceptionNcaOptions::growing() {
  return FixedPerceptionNcaOptions(kSobelFilters).name("growing");
}

FixedPerceptionNcaOptions FixedPerceptionNcaOptions::isotropic() {
  return FixedPerceptionNcaOptions(kLaplacianFilters).name("isotropic");
}

FixedPerceptionNcaImpl::FixedPerceptionNcaImpl(FixedPerceptionNcaOptions options) : options_(std::move(options)) {
  EQNCA_CHECK(options_.channels() >= 4, "channels must be >= 4 (RGBA first), got {}", options_.channels());
  EQNCA_CHECK(options_.hidden() >= 1, "hidden must be >= 1, got {}", options_.hidden());
  EQNCA_CHECK(!options_.filters().empty(), "filters must not be empty (model '{}')", options_.name());
  set_mechanics(options_.fire_rate(), options_.padding());
  const int64_t features = int64_t(options_.channels()) * int64_t(options_.filters().size());
  perception = register_module(
      "perception",
      layers::NcaPerception(
          layers::NcaPerceptionOptions(options_.channels(), options_.filters()).padding(options_.padding())));
  update = register_module("update", DenseUpdate(DenseUpdateOptions(features, options_.hidden(), options_.channels())));
}

torch::Tensor FixedPerceptionNcaImpl::step(const torch::Tensor& state, const torch::Tensor& update_mask) {
  return layers::nca_update(state, update(perception(state)), update_mask, padding_);
}

groups::Group FixedPerceptionNcaImpl::group() const {
  const auto& f = options_.filters();
  const bool directional = std::any_of(f.begin(), f.end(), [](PerceptionFilter x) {
    return x == PerceptionFilter::SobelX || x == PerceptionFilter::SobelY;
  });
  return directional ? groups::Group::cyclic(1) : groups::Group::dihedral(4);
}

std::optional<kernels::SobelMlpWeights> FixedPerceptionNcaImpl::sobel_mlp_weights() const {
  kernels::Stencils stencils;
  if (options_.filters() == kSobelFilters)
    stencils = kernels::Stencils::Sobel;
  else if (options_.filters() == kLaplacianFilters)
    stencils = kernels::Stencils::Laplacian;
  else
    return std::nullopt;
  const auto& fc0 = update->fc0;
  const auto& fc1 = update->fc1;
  return kernels::SobelMlpWeights{
      fc0->weight.flatten(1), fc0->bias, fc1->weight.flatten(1), fc1->bias, stencils, nullptr};
}

}  // namespace eqnca::models
