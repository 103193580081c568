// The state shared by the group NCAs (finite_group_nca.h, continuous_group_nca.h): RGBA as four
// invariant fields, then `fields` copies of one oriented field, so a single seed cell carries an
// orientation and the grown pattern turns with it. The oriented field is regular for C_N / D_N
// and band-limited (irreps psi_0..psi_L, layers/fourier_pointwise.h) for SO(2) / O(2); read as a
// function on the group, the seed's oriented fields peak at the identity (regular: e_identity;
// band-limited: the first basis vector of every irrep block).
#pragma once

#include <cstdint>
#include <string>

#include <torch/types.h>

#include "groups/group.h"
#include "groups/representation.h"
#include "layers/field_type.h"

namespace eqnca::models {

class OrientedState {
 public:
  // Throws std::invalid_argument unless fields >= 1.
  OrientedState(groups::Group group, int fields);

  const groups::Group& group() const { return group_; }
  const groups::Representation& field() const { return field_; }  // one oriented field
  const layers::FieldType& type() const { return type_; }
  int64_t channels() const { return type_.channels(); }
  // type(), after checking that `group` is the one the state is typed over (`model` names the
  // model in the message).
  const layers::FieldType& type_over(const groups::Group& group, const std::string& model) const;
  // One live cell at (H/2, W/2): alpha 1 and every oriented field pointing at the identity.
  torch::Tensor seed(int64_t batch, int64_t height, int64_t width) const;

 private:
  groups::Group group_;
  groups::Representation field_;
  layers::FieldType type_;
};

// The name of the group NCA over `group`, as the factory knows it: "c4", "d4", "so2", "o2".
std::string group_model_name(const groups::Group& group);

}  // namespace eqnca::models
