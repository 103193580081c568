// The grid's boundary condition, shared by every convolution and NCA step: zeros (cells
// outside the grid are empty) or circular (the grid is a torus, as textures want). Both
// commute with the exact grid action (rot90 and flips map the boundary onto itself).
#pragma once

#include <string>

#include <torch/types.h>

namespace eqnca::layers {

enum class Padding { Zeros, Circular };
Padding padding_from_name(const std::string& name);  // "zeros" | "circular"; throws otherwise
std::string padding_name(Padding p);

// Pads by `radius` cells on every side; zeros pads nothing for convolutions that pad themselves.
torch::Tensor pad_field(const torch::Tensor& x, int radius, Padding padding);

}  // namespace eqnca::layers
