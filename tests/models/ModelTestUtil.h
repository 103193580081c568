// Shared helpers for model tests: random non-zero weights, live and smooth states, and the
// shared-mask rollout error of models/equivariance_check.h in one call.
#pragma once

#include <string>
#include <vector>

#include <torch/types.h>

#include "models/equivariance_check.h"
#include "models/model_factory.h"

namespace eqnca::model_testing {

// Every parameter ~ N(0, std): zero-initialised output layers would make any check trivial.
inline void randomise(models::NcaModel& m, double std, uint64_t seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard ng;
  for (auto& p : m->parameters()) p.normal_(0.0, std);
}

// A model by name in float64 with weights ~ N(0, 0.1); group models get 8 hidden fields to keep
// tests quick. float64, so that long chaotic rollouts cannot amplify float32 summation-order
// rounding into the error of an exact model.
inline models::NcaModel random_model(const std::string& name) {
  models::ModelConfig c;
  c.name = name;
  if (name != "growing" && name != "isotropic" && name != "steerable") c.hidden_fields = 8;
  auto m = models::make_model(c);
  m->to(torch::kDouble);
  randomise(m, 0.1, 7);
  return m;
}

// A live state: every cell's alpha in (0.1, 1), other channels N(0, 1) (regular fields
// included, so orientation is present everywhere).
inline torch::Tensor live_state(const models::NcaModel& m, int64_t size, torch::Dtype dtype) {
  torch::Tensor s = torch::randn({1, m->channels(), size, size}, dtype);
  s.narrow(1, 3, 1).uniform_(0.2, 1.0);
  return s;
}

// A smooth float64 state on 33x33: a Gaussian blob of width ~4 cells times N(0, 1) per channel
// (oriented fields included), alpha the blob itself. Bilinear resampling costs it a few percent,
// which is what checks at 45 and 22.5 degrees measure on top of the model's own error.
inline torch::Tensor smooth_state(const models::NcaModel& m) {
  auto xs = torch::linspace(-1, 1, 33, torch::kDouble);
  auto grid = torch::meshgrid({xs, xs});
  const torch::Tensor blob = torch::exp(-(grid[0].pow(2) + grid[1].pow(2)) / 0.08).view({1, 1, 33, 33});
  torch::manual_seed(9);
  torch::Tensor s = blob * torch::randn({1, m->channels(), 1, 1}, torch::kDouble);
  s.narrow(1, 3, 1).copy_(blob);
  return s;
}

// max over elements and steps of ||F^t(g.s) - g.F^t(s)|| / ||F^t(s)||, masks shared and, off the
// grid's symmetries, left as bilinear weights: the tests measure the rule, not the mask's
// rounding.
inline double shared_mask_error(models::NcaModel& m, const torch::Tensor& start,
                                const std::vector<groups::GroupElement>& elements, int steps, uint64_t seed) {
  return models::max_rel_error(models::check_equivariance(*m, models::EquivarianceCheckOptions()
                                                                  .start(start)
                                                                  .elements(elements)
                                                                  .steps(steps)
                                                                  .seed(seed)
                                                                  .independent_masks(false)
                                                                  .round_masks(false)));
}

// The element at `deg` degrees (mirrored when asked) of the group `m` claims, or of O(2) for
// models that claim none.
inline groups::GroupElement element_at(const models::NcaModel& m, double deg, bool mirror = false) {
  return models::check_elements(*m, {deg}, mirror).at(mirror ? 1 : 0);
}

// The non-equivariant baseline on the same check, so every equivariance test can show that it
// fails: the growing NCA's shared-mask error at `degrees`, from a live 21x21 state or the
// smooth blob.
inline double growing_baseline_error(bool smooth, const std::vector<double>& degrees, int steps, uint64_t seed) {
  auto m = random_model("growing");
  const torch::Tensor s = smooth ? smooth_state(m) : live_state(m, 21, torch::kDouble);
  std::vector<groups::GroupElement> elements;
  for (double deg : degrees) elements.push_back(element_at(m, deg));
  return shared_mask_error(m, s, elements, steps, seed);
}

}  // namespace eqnca::model_testing
