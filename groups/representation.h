// Group representations: each knows its group and dimension and gives the orthogonal matrix
// rho(g). Built from irreps (psi_{j,k}: reflection index j, frequency k), the regular
// representation of C_N/D_N, direct sums, and a change of basis rho'(g) = Q rho(g) Q^-1.
//
// Irrep conventions (g = R(theta) F^s, see group.h): a 2-dim irrep psi_{j,k} maps g to
// R(k*theta) * diag(-1, 1)^s, so psi_{1,1} of O(2)/D_N (and psi_{0,1} of SO(2)/C_N) is the
// standard representation: it moves a vector (v_x, v_y) exactly as the plane moves.
// 1-dim irreps: psi_{0,0} trivial; psi_{1,0} the sign of the reflection; for even N,
// psi_{j,N/2} maps R(2*pi*r/N) to (-1)^r. The regular representation of a finite group
// permutes a one-hot basis indexed by elements: rho(g) e_h = e_{gh}.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "groups/group.h"

namespace eqnca::groups {

struct Irrep {
  int reflection_index = 0;  // j: 1 when the reflection acts by -1 (1-dim) or on 2-dim irreps
  int frequency = 0;         // k
  bool operator==(const Irrep& o) const { return reflection_index == o.reflection_index && frequency == o.frequency; }
};

// The irreps a group has: for SO(2)/O(2) up to its band limit.
std::vector<Irrep> irreps_of(const Group& group);
int irrep_dimension(const Group& group, const Irrep& irrep);
Eigen::MatrixXd irrep_matrix(const Group& group, const Irrep& irrep, const GroupElement& g);

class Representation {
 public:
  static Representation trivial(const Group& group);
  static Representation sign(const Group& group);  // needs reflections
  static Representation irrep(const Group& group, int reflection_index, int frequency);
  static Representation standard(const Group& group);  // the 2x2 rotation (and mirror) of the plane
  static Representation regular(const Group& group);   // finite groups only
  static Representation direct_sum(const std::vector<Representation>& parts);
  // rho'(g) = Q rho(g) Q^-1; Q must be orthogonal (so that rho' stays orthogonal).
  Representation change_of_basis(const Eigen::MatrixXd& q, const std::string& name) const;
  // The same representation under another name (names identify representations in caches
  // and field types, e.g. "band_limited" for psi_0 + ... + psi_L).
  Representation renamed(const std::string& name) const;

  const Group& group() const { return group_; }
  int dim() const { return dim_; }
  const std::string& name() const { return name_; }
  Eigen::MatrixXd operator()(const GroupElement& g) const;
  // Irreps in order of the blocks before the change of basis (regular parts expanded as
  // "regular", so this is empty for a representation holding regular blocks).
  bool is_trivial() const;

  bool operator==(const Representation& o) const { return group_ == o.group_ && name_ == o.name_ && dim_ == o.dim_; }
  bool operator!=(const Representation& o) const { return !(*this == o); }

 private:
  struct Block {
    bool regular = false;
    Irrep irrep;
    int dim = 1;
  };
  Representation(Group group, std::string name) : group_(group), name_(std::move(name)) {}
  Group group_;
  std::string name_;
  int dim_ = 0;
  std::vector<Block> blocks_;
  std::shared_ptr<const Eigen::MatrixXd> basis_;  // Q, when a change of basis was applied
};

}  // namespace eqnca::groups
