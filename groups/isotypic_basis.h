// An orthonormal basis of a finite group's representation space adapted to its isotypic
// decomposition: the rows of Q span the isotypic components one after another, in the order of
// irreps_of(group). In that basis every equivariant linear map between two representations is
// block-sparse (Schur's lemma), which is what makes the fused step's spectral path cheap
// (kernels/spectral_mlp.h): a 1x1 layer between regular fields of C4 has 6 instead of 16 non-zero
// entries per pair of fields, of D4 20 instead of 64.
#pragma once

#include <vector>

#include <Eigen/Dense>

#include "groups/representation.h"

namespace eqnca::groups {

struct IsotypicBasis {
  Eigen::MatrixXd q;           // (dim, dim), orthogonal; coefficients = q * vector
  std::vector<int> irrep_row;  // per row of q: the index into irreps_of(group) it belongs to
};

// For finite groups only (throws std::invalid_argument otherwise). The component of an irrep
// psi is the range of the projector (1/|G|) sum_g chi_psi(g) rho(g), up to scale; its basis is
// the projector's eigenvectors, so within a component the order is arbitrary but orthonormal.
IsotypicBasis isotypic_basis(const Representation& rep);

}  // namespace eqnca::groups
