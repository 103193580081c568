// Shared by the fused-step and rollout tests: models with random weights (zero-initialised
// output layers would make every comparison trivial) and states in which cells die, survive and
// are born, so the alive masks matter.
#pragma once

#include <string>

#include <torch/types.h>

#include "kernels/spectral_mlp.h"
#include "models/model_factory.h"
#include "tests/models/ModelTestUtil.h"

namespace eqnca::kernel_testing {

// `name` with `padding` (and `hidden_fields`, 0: the model's default; `band_limit` for so2 / o2),
// every parameter ~ N(0, 0.1).
inline models::NcaModel random_model(const std::string& name, const std::string& padding, uint64_t seed = 7,
                                     int hidden_fields = 0, int band_limit = 3) {
  models::ModelConfig config;
  config.name = name;
  config.padding = padding;
  config.hidden_fields = hidden_fields;
  config.band_limit = band_limit;
  models::NcaModel m = models::make_model(config);
  model_testing::randomise(m, 0.1, seed);
  return m;
}

// (batch, C, size, size): N(0, 1) channels, alpha uniform in (0, 1) but a dead band of columns
// (alpha 0.05) and a dead corner, so cells die, survive and are born at the borders.
inline torch::Tensor mixed_state(const models::NcaModel& m, int64_t batch, int64_t size) {
  torch::Tensor s = torch::randn({batch, m->channels(), size, size});
  torch::Tensor alpha = s.narrow(1, 3, 1);
  alpha.uniform_(0.0, 1.0);
  alpha.narrow(3, size / 3, size / 4).fill_(0.05);
  alpha.narrow(2, 0, size / 4).narrow(3, 0, size / 4).fill_(0.0);
  return s;
}

// A (B, H, W, C) state into the basis the fused step works in (kernels/spectral_mlp.h: S x per
// cell on the spectral path, unchanged otherwise) and back.
inline torch::Tensor to_kernel_basis(const torch::Tensor& nhwc, const kernels::SobelMlpWeights& w) {
  return kernels::to_kernel_basis(nhwc, w.spectral.get());
}
inline torch::Tensor from_kernel_basis(const torch::Tensor& nhwc, const kernels::SobelMlpWeights& w) {
  return kernels::from_kernel_basis(nhwc, w.spectral.get());
}

inline double max_abs(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }
inline double relative(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).norm() / b.norm().clamp_min(1e-30)).item<double>();
}

}  // namespace eqnca::kernel_testing
