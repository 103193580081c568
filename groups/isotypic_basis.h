// An orthonormal basis of a finite group's representation space adapted to its isotypic
// decomposition: the rows of Q span the isotypic components one after another, in the order of
// irreps_of(group). In that basis every equivariant linear map between two representations is
// block-sparse (Schur's lemma), which is what makes the fused step's spectral path cheap
// (kernels/spectral_mlp.h): a 1x1 layer between regular fields of C4 has 6 instead of 16 non-zero
// entries per pair of fields, of D4 20 instead of 64.
//
// Components of irreps of real type (every irrep of D_N; the 1-dim ones of C_N) are in standard
// form: their rows come in copies of dim(psi) consecutive rows on which every g acts by the same
// irrep_matrix(psi, g). Between two such components an equivariant map is then W (x) I_dim(psi):
// row (copy, a) reads only the rows a of the other side's copies, which halves again the
// multiply-adds of D_N's 2-dim blocks. A 2-dim irrep of C_N (complex type) has no such form over
// the reals; its component's rows are any orthonormal basis of it.
#pragma once

#include <vector>

#include <Eigen/Dense>

#include "groups/representation.h"

namespace eqnca::groups {

struct IsotypicBasis {
  Eigen::MatrixXd q;             // (dim, dim), orthogonal; coefficients = q * vector
  std::vector<int> irrep_row;    // per row of q: the index into irreps_of(group) it belongs to
  std::vector<int> copy_row;     // per row: which copy of its irrep it lies in (0, 1, ...); a
                                 // complex-type component is one "copy" however large
  std::vector<int> partner_row;  // per row: its position a in the copy (0 for 1-dim irreps)
};

// For finite groups only (throws std::invalid_argument otherwise). The component of an irrep
// psi is the range of the projector (1/|G|) sum_g chi_psi(g) rho(g); for real type, the copies are
// P_a0 v for an orthonormal basis v of the range of P_00, P_ab = (d/|G|) sum_g psi(g)_ab rho(g).
IsotypicBasis isotypic_basis(const Representation& rep);
// The same for a representation given by its matrices, one per element of group.elements().
IsotypicBasis isotypic_basis(const Group& group, const std::vector<Eigen::MatrixXd>& rho);

}  // namespace eqnca::groups
