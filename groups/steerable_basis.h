// Bases of steerable k x k filters: every filter K with K(g.x) = rho_out(g) K(x) rho_in(g)^-1
// is a linear combination of the basis, so a layer learns only the coefficients and
// expands them into a filter with one matrix product.
//
// Two constructions, both solved numerically as the fixed space of the group-averaged
// action (a symmetric projector, whose eigenvectors of eigenvalue 1 are its singular vectors):
//  * grid_exact_basis: for groups that map the pixel grid onto itself (C1, C2, C4, D1, D2,
//    D4): the complete space of k x k filters that satisfy the constraint exactly on the grid.
//  * harmonic_basis: for every group (Weiler & Cesa 2019): functions G_r(|x|) cos(j phi),
//    G_r(|x|) sin(j phi) on rings r = 0, 1, ..., (k-1)/2 with Gaussian profile
//    G_r(rho) = exp(-(rho - r)^2 / (2 sigma^2)); the frequency cutoff is j = 0 on the centre
//    ring and j <= min(max_frequency, 2r) on ring r (default max_frequency = 2). The
//    constraint holds for the continuous filter, so on the grid it is exact for 90-degree
//    elements and approximate for others. SO(2)/O(2) are averaged over C_M/D_M with M large
//    enough that the average of these trigonometric polynomials is exact.
// Filter layout: row n of `filters` is basis filter n flattened as [out][in][row][col],
// rows top to bottom, columns left to right (the grid conventions of grid_action.h).
// Bases are cached per (group, representations, k, options) and shared.
#pragma once

#include <memory>
#include <vector>

#include <Eigen/Dense>

#include "groups/representation.h"

namespace eqnca::groups {

struct HarmonicBasisOptions {
  int max_frequency = 2;
  double sigma = 0.6;
};

struct SteerableBasis {
  int kernel_size = 0;
  int dim_out = 0;
  int dim_in = 0;
  Eigen::MatrixXd filters;  // (size, dim_out * dim_in * k * k), orthonormal rows
  int size() const { return static_cast<int>(filters.rows()); }

  // Harmonic bases also keep their continuous form, so filters can be evaluated off the grid.
  struct Atom {
    double radius;
    int frequency;
    bool sine;
  };
  std::vector<Atom> atoms;
  double sigma = 0.0;
  Eigen::MatrixXd coefficients;  // (size, dim_out * dim_in * atoms), layout [out][in][atom]
  bool continuous() const { return !atoms.empty(); }
  // Filter n at the point (x, y) of the plane (y up): a (dim_out x dim_in) matrix.
  Eigen::MatrixXd evaluate(int n, double x, double y) const;
};

std::shared_ptr<const SteerableBasis> grid_exact_basis(const Representation& in, const Representation& out,
                                                       int kernel_size);
std::shared_ptr<const SteerableBasis> harmonic_basis(const Representation& in, const Representation& out,
                                                     int kernel_size, const HarmonicBasisOptions& options = {});

}  // namespace eqnca::groups
