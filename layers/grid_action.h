// The action of a group element on fields over the pixel grid, tensors shaped
// (batch, channels, H, W): (g.f)(x) = rho(g) f(g^-1 x). The grid part moves pixels, the
// channel part mixes each cell's channels by rho(g); the two are kept apart so layers and
// tests can use either.
//
// Grid conventions: row 0 is the top of the image, x grows with the column, y grows upwards,
// rotations are counter-clockwise as displayed, the mirror is x -> -x (a left-right flip).
// The centre of rotation is the grid centre ((H-1)/2, (W-1)/2): a pixel centre for odd sizes,
// a pixel corner for even ones. Multiples of 90 degrees (and the mirror) are exact index
// permutations (flip first, then torch's rot90); other angles resample bilinearly about the
// centre, with zeros outside the grid, and need a square grid.
#pragma once

#include <torch/types.h>
#include <Eigen/Dense>

#include "groups/group.h"
#include "groups/representation.h"

namespace eqnca::layers {

using groups::GroupElement;
using groups::Representation;

// Moves the pixels only: out(x) = in(g^-1 x).
// `interpolate` forces the bilinear path even for exact elements (used to check it).
torch::Tensor rotate_grid(const torch::Tensor& field, const GroupElement& g, bool interpolate = false);
// Mixes channels only: out[:, c] = sum_d rho[c, d] in[:, d]; rho is (C x C).
torch::Tensor act_on_channels(const torch::Tensor& field, const Eigen::MatrixXd& rho);
// The full action of g on a field whose channels transform by `rep` (rep.dim() == C).
torch::Tensor act_on_field(const torch::Tensor& field, const Representation& rep, const GroupElement& g);
// Converts a representation matrix to a tensor of the field's dtype and device.
torch::Tensor to_tensor(const Eigen::MatrixXd& m, const torch::TensorOptions& options);

}  // namespace eqnca::layers
