// Equivariance measurement; see equivariance_error.h.
#include "layers/equivariance_error.h"

#include <algorithm>

#include <fmt/format.h>

namespace eqnca::layers {

EquivarianceReport equivariance_error(const TensorMap& f, const Action& act_in, const Action& act_out,
                                      const torch::Tensor& x, const std::vector<groups::GroupElement>& elements) {
  EquivarianceReport report;
  const torch::Tensor fx = f(x);
  for (const auto& g : elements) {
    const torch::Tensor lhs = f(act_in(x, g));
    const torch::Tensor rhs = act_out(fx, g);
    const torch::Tensor diff = (lhs - rhs).to(torch::kDouble);
    ElementError e;
    e.element = g;
    e.exact = groups::is_grid_exact(g);
    e.max_abs = diff.abs().max().item<double>();
    const double denom = rhs.to(torch::kDouble).norm().item<double>();
    e.relative = diff.norm().item<double>() / std::max(denom, 1e-30);
    double& worst = e.exact ? report.max_relative_exact : report.max_relative_interpolated;
    worst = std::max(worst, e.relative);
    report.elements.push_back(e);
  }
  return report;
}

EquivarianceReport equivariance_error(const TensorMap& f, const FieldType& in, const FieldType& out,
                                      const torch::Tensor& x) {
  return equivariance_error(
      f, [&](const torch::Tensor& t, const groups::GroupElement& g) { return in.transform(t, g); },
      [&](const torch::Tensor& t, const groups::GroupElement& g) { return out.transform(t, g); }, x,
      groups::default_check_elements(in.group()));
}

std::string EquivarianceReport::to_string() const {
  std::string s;
  for (const auto& e : elements)
    s += fmt::format("{:<22} {:<12} max|diff| {:.3e}  relative {:.3e}\n", groups::describe(e.element),
                     e.exact ? "exact" : "interpolated", e.max_abs, e.relative);
  return s;
}

}  // namespace eqnca::layers
