// Exact and interpolated actions on grids; see grid_action.h for the conventions.
#include "layers/grid_action.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace eqnca::layers {
namespace {

void check_field(const torch::Tensor& field) {
  if (field.dim() != 4)
    throw std::invalid_argument(
        fmt::format("a field must be shaped (batch, channels, H, W), got a tensor with {} dims", field.dim()));
}

torch::Tensor rotate_interpolated(const torch::Tensor& field, const GroupElement& g) {
  const int64_t h = field.size(2), w = field.size(3);
  if (h != w)
    throw std::invalid_argument(fmt::format("rotating by {} needs a square grid, got {}x{}", describe(g), h, w));
  // affine_grid works in (u, v) = (column, row-downwards) coordinates; the output pixel at u
  // samples the input at g^-1 u. With v = -y, g^-1 = F^s R(-theta) becomes F^s R(+theta)
  // written in (u, v).
  const double c = std::cos(g.angle), s = std::sin(g.angle);
  const double mirror = g.reflection ? -1.0 : 1.0;
  auto opts = torch::TensorOptions().dtype(field.scalar_type()).device(field.device());
  torch::Tensor theta = torch::tensor({mirror * c, -mirror * s, 0.0, s, c, 0.0}, torch::kDouble)
                            .to(opts)
                            .view({1, 2, 3})
                            .expand({field.size(0), 2, 3});
  torch::Tensor grid = at::affine_grid_generator(theta, field.sizes(), /*align_corners=*/true);
  return at::grid_sampler(field, grid, /*interpolation bilinear*/ 0, /*padding zeros*/ 0, /*align_corners=*/true);
}

}  // namespace

torch::Tensor rotate_grid(const torch::Tensor& field, const GroupElement& g, bool interpolate) {
  check_field(field);
  if (interpolate || !is_grid_exact(g)) return rotate_interpolated(field, g);
  const int quarter_turns = static_cast<int>(std::lround(g.angle / (M_PI / 2))) % 4;
  if (quarter_turns % 2 == 1 && field.size(2) != field.size(3))
    throw std::invalid_argument(
        fmt::format("rotating by {} needs a square grid, got {}x{}", describe(g), field.size(2), field.size(3)));
  torch::Tensor out = g.reflection ? field.flip({3}) : field;
  // rot90 turns from the row axis towards the column axis: counter-clockwise as displayed.
  if (quarter_turns != 0) out = torch::rot90(out, quarter_turns, {2, 3});
  return out.contiguous();
}

torch::Tensor to_tensor(const Eigen::MatrixXd& m, const torch::TensorOptions& options) {
  torch::Tensor t = torch::empty({m.rows(), m.cols()}, torch::kDouble);
  auto acc = t.accessor<double, 2>();
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) acc[i][j] = m(i, j);
  return t.to(options);
}

torch::Tensor act_on_channels(const torch::Tensor& field, const Eigen::MatrixXd& rho) {
  check_field(field);
  if (rho.rows() != field.size(1) || rho.cols() != field.size(1))
    throw std::invalid_argument(fmt::format("representation of dimension {} cannot act on a field with {} channels",
                                            rho.rows(), field.size(1)));
  const auto sizes = field.sizes();
  torch::Tensor r = to_tensor(rho, field.options());
  torch::Tensor flat = field.reshape({sizes[0], sizes[1], sizes[2] * sizes[3]});
  return torch::matmul(r, flat).reshape(sizes);
}

torch::Tensor act_on_field(const torch::Tensor& field, const Representation& rep, const GroupElement& g) {
  return act_on_channels(rotate_grid(field, g), rep(g));
}

}  // namespace eqnca::layers
