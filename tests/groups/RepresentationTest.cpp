// Every representation is a homomorphism: |rho(gh) - rho(g) rho(h)| <= 1e-6 (double
// arithmetic leaves ~1e-15; 1e-6 is the contract layers rely on), and is orthogonal.
#include <cmath>
#include <functional>

#include <gtest/gtest.h>

#include "groups/representation.h"

using namespace eqnca::groups;

namespace {

std::vector<Representation> representations_of(const Group& g) {
  std::vector<Representation> reps;
  for (const Irrep& ir : irreps_of(g)) reps.push_back(Representation::irrep(g, ir.reflection_index, ir.frequency));
  reps.push_back(Representation::trivial(g));
  if (g.has_reflections()) reps.push_back(Representation::sign(g));
  if (!g.finite() || g.rotation_order() >= 3) reps.push_back(Representation::standard(g));
  if (g.finite()) reps.push_back(Representation::regular(g));
  std::vector<Representation> parts(reps.begin(), reps.begin() + std::min<size_t>(3, reps.size()));
  const Representation sum = Representation::direct_sum(parts);
  reps.push_back(sum);
  // A random orthogonal change of basis.
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(Eigen::MatrixXd::Random(sum.dim(), sum.dim()));
  reps.push_back(sum.change_of_basis(qr.householderQ(), "rotated_sum"));
  reps.push_back(Representation::direct_sum({reps.back(), Representation::trivial(g)}));  // sum of a changed basis
  return reps;
}

using Matrices = std::function<Eigen::MatrixXd(const GroupElement&)>;

// max over pairs |rho(ab) - rho(a) rho(b)|: zero exactly when rho is a homomorphism.
double homomorphism_error(const Group& g, const Matrices& rho, const std::vector<GroupElement>& els) {
  double worst = 0.0;
  for (const auto& a : els)
    for (const auto& b : els) worst = std::max(worst, (rho(g.compose(a, b)) - rho(a) * rho(b)).cwiseAbs().maxCoeff());
  return worst;
}

double homomorphism_error(const Representation& rep, const std::vector<GroupElement>& els) {
  return homomorphism_error(
      rep.group(), [&rep](const GroupElement& e) { return rep(e); }, els);
}

}  // namespace

TEST(Representation, EveryRepresentationIsAHomomorphism) {
  std::vector<Group> groups;
  for (int n = 1; n <= 16; ++n) {
    groups.push_back(Group::cyclic(n));
    groups.push_back(Group::dihedral(n));
  }
  groups.push_back(Group::so2(4));
  groups.push_back(Group::o2(4));
  for (const Group& g : groups) {
    const auto els = g.finite() ? g.elements() : g.sample(10, 3);
    for (const Representation& rep : representations_of(g)) {
      EXPECT_LE(homomorphism_error(rep, els), 1e-6) << g.name() << " " << rep.name();
      for (const auto& a : els) {
        const Eigen::MatrixXd m = rep(a);
        ASSERT_EQ(m.rows(), rep.dim());
        EXPECT_LE((m * m.transpose() - Eigen::MatrixXd::Identity(rep.dim(), rep.dim())).cwiseAbs().maxCoeff(), 1e-9);
      }
      EXPECT_LE((rep(g.identity()) - Eigen::MatrixXd::Identity(rep.dim(), rep.dim())).cwiseAbs().maxCoeff(), 1e-12);
    }
  }
}

TEST(Representation, ABrokenRepresentationFailsTheCheck) {
  // The check can fail: rotating by half of each element's angle is no homomorphism of C8
  // (r^7 r = e, but half-angles add up to pi, not 0), so the same check must report an error
  // of order 1 (|R(pi) - I| = 2).
  const Group c8 = Group::cyclic(8);
  const Matrices half_angle = [](const GroupElement& e) {
    Eigen::MatrixXd r(2, 2);
    const double t = 0.5 * e.angle;
    r << std::cos(t), -std::sin(t), std::sin(t), std::cos(t);
    return r;
  };
  EXPECT_GT(homomorphism_error(c8, half_angle, c8.elements()), 0.5);
  EXPECT_LE(homomorphism_error(Representation::standard(c8), c8.elements()), 1e-6);
}

TEST(Representation, StandardMovesVectorsLikeThePlane) {
  const Group o2 = Group::o2(2);
  const GroupElement g = o2.element_at(M_PI / 2, false);
  const Eigen::Vector2d ex(1, 0);
  EXPECT_NEAR((Representation::standard(o2)(g) * ex - Eigen::Vector2d(0, 1)).norm(), 0.0, 1e-12);
  const GroupElement mirror = o2.element_at(0.0, true);
  EXPECT_NEAR((Representation::standard(o2)(mirror) * ex - Eigen::Vector2d(-1, 0)).norm(), 0.0, 1e-12);
}

TEST(Representation, DimensionsAndBadRequests) {
  EXPECT_EQ(Representation::regular(Group::dihedral(4)).dim(), 8);
  EXPECT_EQ(Representation::irrep(Group::cyclic(4), 0, 2).dim(), 1);
  EXPECT_EQ(Representation::irrep(Group::so2(3), 0, 3).dim(), 2);
  EXPECT_THROW(Representation::regular(Group::so2(2)), std::invalid_argument);
  EXPECT_THROW(Representation::irrep(Group::so2(2), 0, 3), std::invalid_argument);
  EXPECT_THROW(Representation::sign(Group::cyclic(4)), std::invalid_argument);
  EXPECT_THROW(Representation::direct_sum(
                   {Representation::trivial(Group::cyclic(4)), Representation::trivial(Group::cyclic(8))}),
               std::invalid_argument);
  EXPECT_THROW(Representation::trivial(Group::cyclic(4)).change_of_basis(Eigen::MatrixXd::Constant(1, 1, 2.0), "x"),
               std::invalid_argument);
}
