// Every representation is a homomorphism: |rho(gh) - rho(g) rho(h)| <= 1e-6 (double
// arithmetic leaves ~1e-15; 1e-6 is the contract layers rely on), and is orthogonal.
#include <gtest/gtest.h>

#include <cmath>

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

double homomorphism_error(const Representation& rep, const std::vector<GroupElement>& els) {
  const Group& g = rep.group();
  double worst = 0.0;
  for (const auto& a : els)
    for (const auto& b : els)
      worst = std::max(worst, (rep(g.compose(a, b)) - rep(a) * rep(b)).cwiseAbs().maxCoeff());
  return worst;
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
  // The check can fail: a "representation" that doubles the angle on one side only is no
  // homomorphism once composed with a reflection-free twist.
  const Group c8 = Group::cyclic(8);
  const Representation std8 = Representation::standard(c8);
  const auto els = c8.elements();
  double worst = 0.0;
  for (const auto& a : els)
    for (const auto& b : els) {
      const Eigen::MatrixXd broken = std8(c8.compose(a, b)) * std8(a);  // rho(ab) rho(a) != rho(a) rho(b)
      worst = std::max(worst, (broken - std8(a) * std8(b)).cwiseAbs().maxCoeff());
    }
  EXPECT_GT(worst, 0.5);
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
  EXPECT_THROW(Representation::direct_sum({Representation::trivial(Group::cyclic(4)), Representation::trivial(Group::cyclic(8))}),
               std::invalid_argument);
  EXPECT_THROW(Representation::trivial(Group::cyclic(4)).change_of_basis(Eigen::MatrixXd::Constant(1, 1, 2.0), "x"),
               std::invalid_argument);
}
