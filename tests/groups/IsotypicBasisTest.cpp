// isotypic_basis: Q is orthogonal, and Q rho(g) Q^T has no entry (> 1e-12, double arithmetic)
// coupling rows of different irreps, for every element of C_N and D_N and for regular, standard
// and mixed representations; each irrep's component has dimension dim(psi) x multiplicity.
// A basis that is orthogonal but not adapted (a random rotation of it) fails the same check.
// Components of real-type irreps are in standard form: on each copy every g acts by
// irrep_matrix(psi, g), and copies do not mix (1e-12); a rotation that mixes two copies fails.
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

// The largest deviation from standard form over the rows of real-type components: (Q rho(g) Q^T)
// on rows (copy c, a) and (copy c', b) must be psi(g)_ab when c == c', else 0.
double standard_form_error(const Representation& rep, const IsotypicBasis& basis) {
  const Group& group = rep.group();
  const std::vector<Irrep> irreps = irreps_of(group);
  double worst = 0.0;
  for (const GroupElement& g : group.elements()) {
    const Eigen::MatrixXd m = basis.q * rep(g) * basis.q.transpose();
    for (int a = 0; a < m.rows(); ++a)
      for (int b = 0; b < m.cols(); ++b) {
        const int i = basis.irrep_row[size_t(a)];
        const Irrep& psi = irreps[size_t(i)];
        if (i != basis.irrep_row[size_t(b)] || irrep_dimension(group, psi) == 1 || !group.has_reflections()) continue;
        const int d = irrep_dimension(group, psi);
        auto position = [&](int r) { return basis.partner_row[size_t(r)]; };
        const double expected = basis.copy_row[size_t(a)] == basis.copy_row[size_t(b)]
                                    ? irrep_matrix(group, psi, g)(position(a), position(b))
                                    : 0.0;
        EXPECT_LT(position(a), d);
        worst = std::max(worst, std::abs(m(a, b) - expected));
      }
  }
  return worst;
}

}  // namespace

TEST(IsotypicBasis, RealTypeComponentsAreInStandardForm) {
  for (const Group& g : {Group::dihedral(4), Group::dihedral(3), Group::dihedral(8)}) {
    const Representation regular = Representation::regular(g);
    for (const Representation& rep :
         {regular, Representation::direct_sum({Representation::trivial(g), regular, Representation::standard(g)})}) {
      const IsotypicBasis basis = isotypic_basis(rep);
      EXPECT_LE(standard_form_error(rep, basis), 1e-12) << g.name() << " " << rep.name();
    }
  }
  // Mixing the first two rows of D4's 2-dim component (copy 0, a = 0 with copy 0, a = 1 turned by
  // 30 degrees) keeps it isotypic but not in standard form.
  const Representation rep = Representation::regular(Group::dihedral(4));
  IsotypicBasis mixed = isotypic_basis(rep);
  const std::vector<Irrep> irreps = irreps_of(rep.group());
  int first = 0;
  while (first < rep.dim() && irrep_dimension(rep.group(), irreps[size_t(mixed.irrep_row[size_t(first)])]) == 1)
    ++first;
  ASSERT_LT(first + 1, rep.dim());
  ASSERT_EQ(mixed.partner_row[size_t(first)], 0);
  ASSERT_EQ(mixed.partner_row[size_t(first + 1)], 1);
  const Eigen::RowVectorXd r0 = mixed.q.row(first), r1 = mixed.q.row(first + 1);
  const double c = std::cos(0.5236), s = std::sin(0.5236);
  mixed.q.row(first) = c * r0 + s * r1;
  mixed.q.row(first + 1) = -s * r0 + c * r1;
  EXPECT_LE(coupling(rep, mixed.q, mixed.irrep_row), 1e-12);
  EXPECT_GT(standard_form_error(rep, mixed), 0.1);
}

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
