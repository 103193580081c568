// NCA mechanics; see nca_mechanics.h.
#include "layers/nca_mechanics.h"

#include <stdexcept>

#include <fmt/format.h>

namespace eqnca::layers {

Padding padding_from_name(const std::string& name) {
  if (name == "zeros") return Padding::Zeros;
  if (name == "circular") return Padding::Circular;
  throw std::invalid_argument(fmt::format("unknown padding '{}': expected zeros or circular", name));
}

std::string padding_name(Padding p) { return p == Padding::Zeros ? "zeros" : "circular"; }

torch::Tensor pad_field(const torch::Tensor& x, int radius, Padding padding) {
  if (radius == 0) return x;
  if (padding == Padding::Zeros) return torch::constant_pad_nd(x, {radius, radius, radius, radius}, 0.0);
  // Circular: wrap rows then columns (torch 1.13 has no circular pad for all dtypes in C++).
  torch::Tensor y = torch::cat({x.narrow(2, x.size(2) - radius, radius), x, x.narrow(2, 0, radius)}, 2);
  return torch::cat({y.narrow(3, y.size(3) - radius, radius), y, y.narrow(3, 0, radius)}, 3);
}

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
