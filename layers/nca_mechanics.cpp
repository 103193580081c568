// NCA mechanics; see nca_mechanics.h.
#include "layers/nca_mechanics.h"

#include <stdexcept>

#include <fmt/format.h>

namespace eqnca::layers {

torch::Tensor alive_mask(const torch::Tensor& state, Padding padding, int alpha_channel, double threshold) {
  torch::Tensor alpha = state.narrow(1, alpha_channel, 1);
  // Zero padding is safe for the max: padded zeros never exceed the threshold.
  torch::Tensor pooled = torch::max_pool2d(pad_field(alpha, 1, padding), {3, 3}, {1, 1});
  return pooled > threshold;
}

torch::Tensor stochastic_update_mask(int64_t batch, int64_t height, int64_t width, double fire_rate,
                                     const torch::TensorOptions& options) {
  if (!(fire_rate > 0.0 && fire_rate <= 1.0))
    throw std::invalid_argument(fmt::format("fire rate must be in (0, 1], got {}", fire_rate));
  return (torch::rand({batch, 1, height, width}, options) < fire_rate).to(options.dtype());
}

torch::Tensor nca_update(const torch::Tensor& state, const torch::Tensor& delta, const torch::Tensor& update_mask,
                         Padding padding) {
  const torch::Tensor pre = alive_mask(state, padding);
  torch::Tensor next = state + delta * update_mask;
  const torch::Tensor post = alive_mask(next, padding);
  return next * torch::logical_and(pre, post).to(next.scalar_type());
}

}  // namespace eqnca::layers
