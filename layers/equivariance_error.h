// Measured equivariance of any map between field types: for each group element g,
// max |f(g.x) - g.f(x)| and the relative error ||f(g.x) - g.f(x)|| / ||g.f(x)||, with
// grid-exact elements (multiples of 90 degrees) and interpolated ones reported apart.
// This checks one map (a layer); whole NCA rollouts are checked by models/equivariance_check.h.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "groups/group.h"
#include "layers/field_type.h"

namespace eqnca::layers {

struct ElementError {
  groups::GroupElement element;
  bool exact = true;
  double max_abs = 0.0;
  double relative = 0.0;
};

struct EquivarianceReport {
  std::vector<ElementError> elements;
  double max_relative_exact = 0.0;         // over grid-exact elements
  double max_relative_interpolated = 0.0;  // over the others
  std::string to_string() const;
};

using TensorMap = std::function<torch::Tensor(const torch::Tensor&)>;
using Action = std::function<torch::Tensor(const torch::Tensor&, const groups::GroupElement&)>;

// f(g.x) vs g.f(x), with `act_in` and `act_out` the actions on inputs and outputs.
EquivarianceReport equivariance_error(const TensorMap& f, const Action& act_in, const Action& act_out,
                                      const torch::Tensor& x, const std::vector<groups::GroupElement>& elements);
// The same for a map between typed fields, over groups::default_check_elements(in.group()).
EquivarianceReport equivariance_error(const TensorMap& f, const FieldType& in, const FieldType& out,
                                      const torch::Tensor& x);

}  // namespace eqnca::layers
