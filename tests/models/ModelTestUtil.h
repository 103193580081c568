// Shared helpers for model tests: random non-zero weights, a live random state, and the
// equivariance of T steps with the stochastic masks transformed alongside the state.
#pragma once

#include <vector>

#include <torch/types.h>

#include "layers/grid_action.h"
#include "models/model_factory.h"

namespace eqnca::model_testing {

// Every parameter ~ N(0, std): zero-initialised output layers would make any check trivial.
inline void randomise(models::NcaModel& m, double std, uint64_t seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard ng;
  for (auto& p : m->parameters()) p.normal_(0.0, std);
}

// A live state: every cell's alpha in (0.1, 1), other channels N(0, 1) (regular fields
// included, so orientation is present everywhere).
inline torch::Tensor live_state(const models::NcaModel& m, int64_t size, torch::Dtype dtype) {
  torch::Tensor s = torch::randn({1, m->channels(), size, size}, dtype);
  s.narrow(1, 3, 1).uniform_(0.2, 1.0);
  return s;
}

// max over t of ||F^t(g.s) - g.F^t(s)|| / ||g.F^t(s)||, masks transformed alongside.
inline double rollout_error(models::NcaModel& m, const torch::Tensor& s, const groups::GroupElement& g, int steps,
                            uint64_t seed) {
  torch::NoGradGuard ng;
  torch::manual_seed(seed);
  torch::Tensor a = m->transform_state(s, g), b = s;
  double worst = 0.0;
  m->begin_rollout();
  for (int t = 0; t < steps; ++t) {
    const torch::Tensor mask = layers::stochastic_update_mask(1, s.size(2), s.size(3), 0.5, s.options());
    a = m->step(a, layers::rotate_grid(mask, g));
    b = m->step(b, mask);
    const torch::Tensor gb = m->transform_state(b, g);
    worst = std::max(worst, ((a - gb).norm() / gb.norm().clamp_min(1e-30)).item<double>());
  }
  m->end_rollout();
  return worst;
}

}  // namespace eqnca::model_testing
