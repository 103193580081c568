// The fixed space of a group-averaging projector: the vectors a representation leaves unchanged
// (equivariant filters, isotypic components), as an orthonormal basis. Shared by the steerable
// bases (groups/steerable_basis.h).
//
// Conventions: p is a symmetric projector, p = p^T = p^2 up to rounding (an average of orthogonal
// matrices over a group or a symmetric sample of one); the basis vectors are rows, each with its
// largest entry positive, so that a basis is reproducible run to run.
#pragma once

#include <Eigen/Dense>

namespace eqnca::groups {

// The eigenvectors of p of eigenvalue ~1, from the symmetric eigensolver. Where it does not
// converge (Eigen's QR iteration can fail on a spectrum of only 0 and 1: D8 regular -> regular,
// 1,536 x 1,536, built with AVX2, gave "eigenvalues" 0.08 and 0.92 and a basis 0.15 off the
// constraint), the range from projector_range instead. Converged solves keep their basis, so
// models saved with one load the same.
Eigen::MatrixXd fixed_space(const Eigen::MatrixXd& p);

// The range of p from a column-pivoted QR: pivots below 1e-8 of the largest are rounding (what is
// left of p after its range is removed), the rest span it.
Eigen::MatrixXd projector_range(const Eigen::MatrixXd& p);

}  // namespace eqnca::groups
