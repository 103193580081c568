// isotypic_basis: Q is orthogonal, and Q rho(g) Q^T has no entry (> 1e-12, double arithmetic)
// coupling rows of different irreps, for every element of C_N and D_N and for regular, standard
// and mixed representations; each irrep's component has dimension dim(psi) x multiplicity.
// A basis that is orthogonal but not adapted (a random rotation of it) fails the same check.
#include <gtest/gtest.h>

#include "groups/isotypic_basis.h"

using namespace eqnca::groups;

namespace {

// The largest |(Q rho(g) Q^T)_{ab}| over elements g and rows a, b of different irreps.
double coupling(const Representation& rep, const Eigen::MatrixXd& q, const std::vector<int>& irrep_row) {
  double worst = 0.0;
  for (const GroupElement& g : rep.group().elements()) {
    const Eigen::MatrixXd m = q * rep(g) * q.transpose();
    for (int a = 0; a < m.rows(); ++a)
      for (int b = 0; b < m.cols(); ++b)
        if (irrep_row[size_t(a)] != irrep_row[size_t(b)]) worst = std::max(worst, std::abs(m(a, b)));
  }
  return worst;
}

}  // namespace

TEST(IsotypicBasis, DecouplesTheIrrepsOfFiniteGroups) {
  for (const Group& g : {Group::cyclic(4), Group::cyclic(8), Group::cyclic(5), Group::dihedral(4), Group::dihedral(8),
                         Group::dihedral(3)}) {
    const Representation regular = Representation::regular(g);
    for (const Representation& rep :
         {regular, Representation::standard(g),
          Representation::direct_sum({Representation::trivial(g), regular, Representation::standard(g)})}) {
      const IsotypicBasis basis = isotypic_basis(rep);
      ASSERT_EQ(basis.q.rows(), rep.dim());
      ASSERT_EQ(int(basis.irrep_row.size()), rep.dim());
      EXPECT_LE((basis.q * basis.q.transpose() - Eigen::MatrixXd::Identity(rep.dim(), rep.dim())).cwiseAbs().maxCoeff(),
                1e-12)
          << g.name() << " " << rep.name();
      EXPECT_LE(coupling(rep, basis.q, basis.irrep_row), 1e-12) << g.name() << " " << rep.name();
      // Rows of one irrep are consecutive.
      for (size_t r = 1; r < basis.irrep_row.size(); ++r) EXPECT_LE(basis.irrep_row[r - 1], basis.irrep_row[r]);
    }
    // In the regular representation every irrep occurs dim(psi) times: dim(psi)^2 rows.
    const IsotypicBasis basis = isotypic_basis(regular);
    const std::vector<Irrep> irreps = irreps_of(g);
    for (size_t i = 0; i < irreps.size(); ++i) {
      const int d = irrep_dimension(g, irreps[i]);
      // A 2-dim irrep of C_N is two complex ones: it occurs once in the real regular representation.
      const int expected = (d == 2 && !g.has_reflections()) ? 2 : d * d;
      EXPECT_EQ(std::count(basis.irrep_row.begin(), basis.irrep_row.end(), int(i)), expected)
          << g.name() << " irrep " << i;
    }
  }
}

TEST(IsotypicBasis, AnUnadaptedOrthogonalBasisFailsTheCheck) {
  const Representation rep = Representation::regular(Group::dihedral(4));
  const IsotypicBasis basis = isotypic_basis(rep);
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(Eigen::MatrixXd::Random(rep.dim(), rep.dim()));
  const Eigen::MatrixXd rotated = Eigen::MatrixXd(qr.householderQ()) * basis.q;
  EXPECT_GT(coupling(rep, rotated, basis.irrep_row), 1e-2);
}

TEST(IsotypicBasis, ContinuousGroupsAreRefused) {
  EXPECT_THROW(isotypic_basis(Representation::standard(Group::so2(3))), std::invalid_argument);
}
