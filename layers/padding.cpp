// Boundary conditions of the grid; see padding.h.
#include "layers/padding.h"

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

}  // namespace eqnca::layers
