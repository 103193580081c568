// Field types: a group plus the list of representations of the fields a feature map holds,
// laid out one after the other along the channel axis. Layers check the type of what they
// are given at every boundary.
#pragma once

#include <string>
#include <vector>

#include <torch/types.h>

#include "groups/representation.h"
#include "layers/grid_action.h"

namespace eqnca::layers {

class FieldType {
 public:
  FieldType(groups::Group group, std::vector<groups::Representation> fields);
  // `multiplicity` copies of one representation.
  static FieldType of(const groups::Representation& rep, int multiplicity);
  static FieldType trivial(const groups::Group& group, int channels);
  FieldType operator+(const FieldType& other) const;  // concatenation along channels

  const groups::Group& group() const { return group_; }
  const std::vector<groups::Representation>& fields() const { return fields_; }
  int channels() const { return channels_; }
  // The direct sum of all fields: rho(g) for the whole channel axis.
  const groups::Representation& representation() const { return sum_; }

  // Consecutive copies of the same representation, with their first channel.
  struct Run {
    groups::Representation rep;
    int multiplicity;
    int offset;
  };
  std::vector<Run> runs() const;

  // Throws std::invalid_argument naming `where` unless x is (batch, channels(), H, W).
  void check(const torch::Tensor& x, const std::string& where) const;
  torch::Tensor transform(const torch::Tensor& x, const groups::GroupElement& g) const;

  std::string describe() const;  // e.g. "C4[4 x trivial, 3 x regular]"
  bool operator==(const FieldType& o) const;
  bool operator!=(const FieldType& o) const { return !(*this == o); }

 private:
  groups::Group group_;
  std::vector<groups::Representation> fields_;
  int channels_ = 0;
  groups::Representation sum_;
};

}  // namespace eqnca::layers
