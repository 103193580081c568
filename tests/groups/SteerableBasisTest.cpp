// Every basis filter satisfies K(g.x) = rho_out(g) K(x) rho_in(g)^-1: to 1e-6 on the grid for
// grid-exact groups, and to 1e-5 at continuously rotated points for harmonic bases (double
// arithmetic; the margin covers trigonometric rounding summed over ~100 terms).
// Dimensions match hand counts.
#include <gtest/gtest.h>

#include <cmath>

#include "groups/steerable_basis.h"

using namespace eqnca::groups;

namespace {

// Filter n at pixel (row, col) as a (dim_out x dim_in) matrix.
Eigen::MatrixXd at_pixel(const SteerableBasis& b, int n, int row, int col) {
  const int k = b.kernel_size;
  Eigen::MatrixXd m(b.dim_out, b.dim_in);
  for (int a = 0; a < b.dim_out; ++a)
    for (int c = 0; c < b.dim_in; ++c) m(a, c) = b.filters(n, ((a * b.dim_in + c) * k + row) * k + col);
  return m;
}

double grid_constraint_error(const SteerableBasis& b, const Representation& in, const Representation& out) {
  const Group& g = in.group();
  const int k = b.kernel_size;
  const double c = 0.5 * (k - 1);
  double worst = 0.0;
  for (const auto& e : g.elements())
    for (int n = 0; n < b.size(); ++n)
      for (int row = 0; row < k; ++row)
        for (int col = 0; col < k; ++col) {
          double x = col - c, y = c - row;
          if (e.reflection) x = -x;
          const double xr = std::cos(e.angle) * x - std::sin(e.angle) * y;
          const double yr = std::sin(e.angle) * x + std::cos(e.angle) * y;
          const int r2 = int(std::lround(c - yr)), c2 = int(std::lround(xr + c));
          const Eigen::MatrixXd lhs = at_pixel(b, n, r2, c2);
          const Eigen::MatrixXd rhs = out(e) * at_pixel(b, n, row, col) * in(e).transpose();
          worst = std::max(worst, (lhs - rhs).cwiseAbs().maxCoeff());
        }
  return worst;
}

double continuous_constraint_error(const SteerableBasis& b, const Representation& in, const Representation& out,
                                   const std::vector<GroupElement>& els) {
  double worst = 0.0;
  const double pts[][2] = {{0.3, 0.1}, {-0.7, 0.9}, {1.2, -0.4}, {0.0, 0.0}, {0.5, 1.5}};
  for (const auto& e : els)
    for (int n = 0; n < b.size(); ++n)
      for (const auto& p : pts) {
        double x = e.reflection ? -p[0] : p[0], y = p[1];
        const double xr = std::cos(e.angle) * x - std::sin(e.angle) * y;
        const double yr = std::sin(e.angle) * x + std::cos(e.angle) * y;
        const Eigen::MatrixXd lhs = b.evaluate(n, xr, yr);
        const Eigen::MatrixXd rhs = out(e) * b.evaluate(n, p[0], p[1]) * in(e).transpose();
        worst = std::max(worst, (lhs - rhs).cwiseAbs().maxCoeff());
      }
  return worst;
}

std::vector<Representation> reps_of(const Group& g) {
  std::vector<Representation> r{Representation::trivial(g)};
  if (g.has_reflections()) r.push_back(Representation::sign(g));
  if (!g.finite() || g.rotation_order() >= 3) r.push_back(Representation::standard(g));
  if (g.finite()) r.push_back(Representation::regular(g));
  return r;
}

}  // namespace

TEST(SteerableBasis, GridExactFiltersSatisfyTheConstraintOnTheGrid) {
  for (const Group& g : {Group::cyclic(1), Group::cyclic(2), Group::cyclic(4), Group::dihedral(1), Group::dihedral(2),
                         Group::dihedral(4)})
    for (const auto& in : reps_of(g))
      for (const auto& out : reps_of(g))
        for (int k : {1, 3, 5}) {
          const auto b = grid_exact_basis(in, out, k);
          EXPECT_LE(grid_constraint_error(*b, in, out), 1e-6) << g.name() << " " << in.name() << "->" << out.name();
        }
}

TEST(SteerableBasis, AnUnconstrainedFilterFailsTheCheck) {
  const Group c4 = Group::cyclic(4);
  const auto triv = Representation::trivial(c4), reg = Representation::regular(c4);
  SteerableBasis random = *grid_exact_basis(triv, reg, 3);
  random.filters = Eigen::MatrixXd::Random(1, random.filters.cols());
  EXPECT_GT(grid_constraint_error(random, triv, reg), 0.1);
}

TEST(SteerableBasis, DimensionsMatchHandCounts) {
  const Group c4 = Group::cyclic(4), d4 = Group::dihedral(4), c1 = Group::cyclic(1);
  // C4, trivial -> regular, 3x3: a free filter for one output channel fixes the others: 9.
  EXPECT_EQ(grid_exact_basis(Representation::trivial(c4), Representation::regular(c4), 3)->size(), 9);
  // D4, trivial -> trivial, 3x3: centre, edge ring, corner ring.
  EXPECT_EQ(grid_exact_basis(Representation::trivial(d4), Representation::trivial(d4), 3)->size(), 3);
  // C4 trivial -> trivial, 3x3: centre + one per orbit of size 4 (edges, corners).
  EXPECT_EQ(grid_exact_basis(Representation::trivial(c4), Representation::trivial(c4), 3)->size(), 3);
  // C4 regular -> regular, 3x3: 9 pixels * 16 entries / 4 elements.
  EXPECT_EQ(grid_exact_basis(Representation::regular(c4), Representation::regular(c4), 3)->size(), 36);
  // D4 regular -> regular, 5x5: 25 * 64 / 8.
  EXPECT_EQ(grid_exact_basis(Representation::regular(d4), Representation::regular(d4), 5)->size(), 200);
  // C1 imposes nothing: every filter.
  EXPECT_EQ(grid_exact_basis(Representation::trivial(c1), Representation::trivial(c1), 3)->size(), 9);
  // D4 trivial -> sign, 3x3: a mirror-odd, rotation-invariant filter cannot exist on 3x3
  // (needs frequency 4 with odd reflection parity on ring orbits of size 8, absent here).
  EXPECT_EQ(grid_exact_basis(Representation::trivial(d4), Representation::sign(d4), 3)->size(), 0);
  // Harmonic, SO(2), trivial -> trivial, 3x3: one isotropic function per ring.
  const Group so2 = Group::so2(2);
  EXPECT_EQ(harmonic_basis(Representation::trivial(so2), Representation::trivial(so2), 3)->size(), 2);
  // SO(2), trivial -> standard, 3x3: frequency 1 on ring 1 only, a 2-dim fixed space
  // (the gradient and its 90-degree turn).
  EXPECT_EQ(harmonic_basis(Representation::trivial(so2), Representation::standard(so2), 3)->size(), 2);
}

TEST(SteerableBasis, HarmonicFiltersSatisfyTheConstraintAtContinuousRotations) {
  std::vector<Group> groups{Group::cyclic(8),   Group::dihedral(8), Group::cyclic(16), Group::cyclic(4),
                            Group::dihedral(3), Group::so2(3),      Group::o2(3)};
  for (const Group& g : groups) {
    const auto els = g.finite() ? g.elements() : g.sample(8, 11);
    for (const auto& in : reps_of(g))
      for (const auto& out : reps_of(g)) {
        const auto b = harmonic_basis(in, out, 3);
        EXPECT_LE(continuous_constraint_error(*b, in, out, els), 1e-5)
            << g.name() << " " << in.name() << "->" << out.name();
      }
  }
  // SO(2) with a 5x5 kernel and a band-limited field of several irreps.
  const Group so2 = Group::so2(2);
  const auto field = Representation::direct_sum(
      {Representation::irrep(so2, 0, 0), Representation::irrep(so2, 0, 1), Representation::irrep(so2, 0, 2)});
  const auto b = harmonic_basis(field, field, 5);
  EXPECT_GT(b->size(), 0);
  EXPECT_LE(continuous_constraint_error(*b, field, field, so2.sample(8, 5)), 1e-5);
}

TEST(SteerableBasis, BasesAreCachedAndBadRequestsThrow) {
  const Group c4 = Group::cyclic(4), c8 = Group::cyclic(8);
  const auto t4 = Representation::trivial(c4), r4 = Representation::regular(c4);
  EXPECT_EQ(grid_exact_basis(t4, r4, 3).get(), grid_exact_basis(t4, r4, 3).get());
  EXPECT_THROW(grid_exact_basis(t4, r4, 4), std::invalid_argument);
  EXPECT_THROW(grid_exact_basis(t4, Representation::trivial(c8), 3), std::invalid_argument);
  EXPECT_THROW(grid_exact_basis(Representation::trivial(c8), Representation::trivial(c8), 3), std::invalid_argument);
  EXPECT_THROW(harmonic_basis(t4, r4, 0), std::invalid_argument);
}
