// Isotypic bases of finite-group representations; see isotypic_basis.h.
#include "groups/isotypic_basis.h"

#include <Eigen/Eigenvalues>

#include "groups/check.h"

namespace eqnca::groups {
namespace {

// Orthonormal eigenvectors of a symmetric projector-like matrix with eigenvalue >= half its
// largest; none when it is (numerically) zero.
std::vector<Eigen::VectorXd> range_of(const Eigen::MatrixXd& p) {
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(0.5 * (p + p.transpose()));
  const double top = eig.eigenvalues().cwiseAbs().maxCoeff();
  std::vector<Eigen::VectorXd> out;
  if (top < 1e-9) return out;
  for (int k = 0; k < int(p.rows()); ++k)
    if (std::abs(eig.eigenvalues()(k)) >= 0.5 * top) out.push_back(eig.eigenvectors().col(k));
  return out;
}

}  // namespace

IsotypicBasis isotypic_basis(const Representation& rep) {
  EQNCA_CHECK(rep.group().finite(), "isotypic_basis: {} is not a finite group", rep.group().name());
  std::vector<Eigen::MatrixXd> rho;
  for (const GroupElement& g : rep.group().elements()) rho.push_back(rep(g));
  return isotypic_basis(rep.group(), rho);
}

IsotypicBasis isotypic_basis(const Group& group, const std::vector<Eigen::MatrixXd>& rho) {
  EQNCA_CHECK(group.finite(), "isotypic_basis: {} is not a finite group", group.name());
  const std::vector<GroupElement> elements = group.elements();
  EQNCA_CHECK(rho.size() == elements.size() && !rho.empty(), "isotypic_basis: {} matrices for the {} elements of {}",
              rho.size(), elements.size(), group.name());
  const int n = int(rho.front().rows());
  const double order = double(elements.size());

  IsotypicBasis out;
  out.q.resize(n, n);
  int row = 0;
  auto add = [&](const Eigen::VectorXd& v, int irrep, int copy, int partner) {
    EQNCA_CHECK(row < n, "isotypic_basis: components of a {}-dim representation overlap (not a representation?)", n);
    out.q.row(row++) = v.transpose();
    out.irrep_row.push_back(irrep);
    out.copy_row.push_back(copy);
    out.partner_row.push_back(partner);
  };
  const std::vector<Irrep> irreps = irreps_of(group);
  for (size_t i = 0; i < irreps.size(); ++i) {
    std::vector<Eigen::MatrixXd> psi;
    double norm = 0.0;  // <chi, chi>: 1 for real type, 2 for complex type
    for (const GroupElement& g : elements) {
      psi.push_back(irrep_matrix(group, irreps[i], g));
      norm += psi.back().trace() * psi.back().trace() / order;
    }
    const int d = int(psi.front().rows());
    if (d > 1 && norm < 1.5) {
      // Real type: partners P_a0 v of each v in the range of P_00, all acted on by psi(g).
      auto partner_map = [&](int a) {
        Eigen::MatrixXd p = Eigen::MatrixXd::Zero(n, n);
        for (size_t e = 0; e < elements.size(); ++e) p += psi[e](a, 0) * rho[e];
        return Eigen::MatrixXd(p * (double(d) / order));
      };
      std::vector<Eigen::MatrixXd> partners;
      for (int a = 0; a < d; ++a) partners.push_back(partner_map(a));
      const std::vector<Eigen::VectorXd> firsts = range_of(partners[0]);
      for (size_t c = 0; c < firsts.size(); ++c)
        for (int a = 0; a < d; ++a) add((partners[size_t(a)] * firsts[c]).normalized(), int(i), int(c), a);
      continue;
    }
    // Real characters, so chi(g^-1) = chi(g) and, rho being orthogonal, the sum is symmetric.
    Eigen::MatrixXd p = Eigen::MatrixXd::Zero(n, n);
    for (size_t e = 0; e < elements.size(); ++e) p += psi[e].trace() * rho[e];
    const std::vector<Eigen::VectorXd> range = range_of(p / order);
    for (size_t c = 0; c < range.size(); ++c) add(range[c], int(i), d == 1 ? int(c) : 0, d == 1 ? 0 : int(c));
  }
  EQNCA_CHECK(row == n, "isotypic_basis: components of a {}-dim representation span {} dimensions", n, row);
  return out;
}

}  // namespace eqnca::groups
