// Fourier pointwise nonlinearity; see fourier_pointwise.h.
#include "layers/fourier_pointwise.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "layers/grid_action.h"

namespace eqnca::layers {

groups::Representation band_limited_field(const groups::Group& group) {
  std::vector<groups::Representation> parts{groups::Representation::trivial(group)};
  if (group.has_reflections()) parts.push_back(groups::Representation::sign(group));
  const int top = group.finite() ? (group.rotation_order() - 1) / 2 : group.band_limit();
  for (int k = 1; k <= top; ++k)
    parts.push_back(groups::Representation::irrep(group, group.has_reflections() ? 1 : 0, k));
  return groups::Representation::direct_sum(parts).renamed("band_limited");
}

FourierPointwiseImpl::FourierPointwiseImpl(FieldType type, int samples) : type_(std::move(type)) {
  const auto runs = type_.runs();
  if (runs.size() != 1)
    throw std::invalid_argument(
        fmt::format("FourierPointwise needs copies of one field representation, got {}", type_.describe()));
  const groups::Representation& rep = runs[0].rep;
  const groups::Group& g = type_.group();
  if (samples < 1) throw std::invalid_argument(fmt::format("FourierPointwise needs >= 1 sample, got {}", samples));
  std::vector<groups::GroupElement> points;
  for (int s = 0; s < (g.has_reflections() ? 2 : 1); ++s)
    for (int i = 0; i < samples; ++i) {
      const double angle = 2.0 * M_PI * i / samples;
      points.push_back(g.element_at(angle, s == 1));
    }
  if (rep.name() != "band_limited")
    throw std::invalid_argument(
        fmt::format("FourierPointwise needs band_limited fields (see band_limited_field), got '{}'", rep.name()));
  // u: the first basis vector of every irrep block (trivial, sign, then 2-dim blocks), so
  // that row i of the sampling matrix is (rho(g_i) u)^T and f(g) = v^T rho(g) u.
  Eigen::VectorXd u = Eigen::VectorXd::Zero(rep.dim());
  const int one_dim = g.has_reflections() ? 2 : 1;
  for (int a = 0; a < rep.dim(); a += (a < one_dim ? 1 : 2)) u(a) = 1.0;
  Eigen::MatrixXd s(Eigen::Index(points.size()), rep.dim());
  for (size_t i = 0; i < points.size(); ++i) s.row(Eigen::Index(i)) = (rep(points[i]) * u).transpose();
  const Eigen::MatrixXd pinv = s.completeOrthogonalDecomposition().pseudoInverse();
  sample_ = register_buffer("sample", layers::to_tensor(s, torch::kFloat));
  project_ = register_buffer("project", layers::to_tensor(pinv, torch::kFloat));
}

torch::Tensor FourierPointwiseImpl::forward(const torch::Tensor& x) {
  type_.check(x, "FourierPointwise");
  const int64_t b = x.size(0), h = x.size(2), w = x.size(3);
  const int64_t d = sample_.size(1), m = x.size(1) / d;
  torch::Tensor v = x.view({b, m, d, h * w});
  torch::Tensor f = torch::relu(torch::matmul(sample_, v));  // (b, m, points, hw)
  return torch::matmul(project_, f).view({b, m * d, h, w});
}

}  // namespace eqnca::layers
