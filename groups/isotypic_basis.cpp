// Isotypic bases of finite-group representations; see isotypic_basis.h.
#include "groups/isotypic_basis.h"

#include <Eigen/Eigenvalues>

#include "groups/check.h"

namespace eqnca::groups {

IsotypicBasis isotypic_basis(const Representation& rep) {
  const Group& group = rep.group();
  EQNCA_CHECK(group.finite(), "isotypic_basis: {} is not a finite group", group.name());
  const int n = rep.dim();
  const std::vector<GroupElement> elements = group.elements();
  std::vector<Eigen::MatrixXd> rho;
  rho.reserve(elements.size());
  for (const GroupElement& g : elements) rho.push_back(rep(g));

  IsotypicBasis out;
  out.q.resize(n, n);
  int row = 0;
  const std::vector<Irrep> irreps = irreps_of(group);
  for (size_t i = 0; i < irreps.size(); ++i) {
    // Real characters, so chi(g^-1) = chi(g) and, rho being orthogonal, the sum is symmetric.
    Eigen::MatrixXd p = Eigen::MatrixXd::Zero(n, n);
    for (size_t e = 0; e < elements.size(); ++e) p += irrep_matrix(group, irreps[i], elements[e]).trace() * rho[e];
    p /= double(elements.size());
    p = 0.5 * (p + p.transpose());
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(p);
    const double top = eig.eigenvalues().cwiseAbs().maxCoeff();
    if (top < 1e-9) continue;  // psi does not occur in rep
    for (int k = 0; k < n; ++k) {
      if (std::abs(eig.eigenvalues()(k)) < 0.5 * top) continue;
      EQNCA_CHECK(row < n, "isotypic_basis: components of {} overlap (not a representation?)", rep.name());
      out.q.row(row++) = eig.eigenvectors().col(k).transpose();
      out.irrep_row.push_back(int(i));
    }
  }
  EQNCA_CHECK(row == n, "isotypic_basis: components of {} span {} of {} dimensions", rep.name(), row, n);
  return out;
}

}  // namespace eqnca::groups
