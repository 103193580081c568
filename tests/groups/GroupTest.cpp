// Group axioms for C1..C16, D1..D16 and sampled SO(2)/O(2); bad requests throw.
#include <gtest/gtest.h>

#include <cmath>

#include "groups/group.h"

using eqnca::groups::Group;
using eqnca::groups::GroupElement;

namespace {
std::vector<Group> finite_groups() {
  std::vector<Group> out;
  for (int n = 1; n <= 16; ++n) {
    out.push_back(Group::cyclic(n));
    out.push_back(Group::dihedral(n));
  }
  return out;
}
std::vector<GroupElement> some_elements(const Group& g) { return g.finite() ? g.elements() : g.sample(12, 7); }
}  // namespace

TEST(Group, AxiomsHoldForFiniteAndSampledContinuousGroups) {
  auto groups = finite_groups();
  groups.push_back(Group::so2(3));
  groups.push_back(Group::o2(3));
  for (const Group& g : groups) {
    const auto els = some_elements(g);
    for (const auto& a : els) {
      EXPECT_TRUE(g.equal(g.compose(a, g.identity()), a)) << g.name();
      EXPECT_TRUE(g.equal(g.compose(g.identity(), a), a)) << g.name();
      EXPECT_TRUE(g.equal(g.compose(a, g.inverse(a)), g.identity())) << g.name();
      for (const auto& b : els)
        for (const auto& c : els)
          EXPECT_TRUE(g.equal(g.compose(g.compose(a, b), c), g.compose(a, g.compose(b, c)))) << g.name();
    }
  }
}

TEST(Group, FiniteGroupsEnumerateEveryElementOnce) {
  for (const Group& g : finite_groups()) {
    const auto els = g.elements();
    ASSERT_EQ(static_cast<int>(els.size()), g.size());
    for (int i = 0; i < g.size(); ++i) EXPECT_EQ(g.index(els[size_t(i)]), i);
    // Closure: products land inside the enumerated set.
    for (const auto& a : els)
      for (const auto& b : els) {
        const int idx = g.index(g.compose(a, b));
        EXPECT_GE(idx, 0);
        EXPECT_LT(idx, g.size());
      }
  }
}

TEST(Group, DihedralIsNotAbelianButCyclicIs) {
  const Group d4 = Group::dihedral(4), c4 = Group::cyclic(4);
  EXPECT_FALSE(d4.equal(d4.compose(d4.element(1), d4.element(4)), d4.compose(d4.element(4), d4.element(1))));
  EXPECT_TRUE(c4.equal(c4.compose(c4.element(1), c4.element(3)), c4.compose(c4.element(3), c4.element(1))));
}

TEST(Group, AnglesAndReflections) {
  const Group d8 = Group::dihedral(8);
  const GroupElement g = d8.element_at(M_PI / 4, true);
  EXPECT_EQ(g.rotation, 1);
  EXPECT_TRUE(g.reflection);
  EXPECT_NEAR(g.angle, M_PI / 4, 1e-12);
  EXPECT_TRUE(eqnca::groups::is_grid_exact(Group::cyclic(4).element(3)));
  EXPECT_FALSE(eqnca::groups::is_grid_exact(d8.element(1)));
}

TEST(Group, DefaultCheckElements) {
  // Finite groups list themselves; continuous ones take the default angles, mirrored after.
  EXPECT_EQ(eqnca::groups::default_check_elements(Group::dihedral(4)).size(), 8u);
  const auto so2 = eqnca::groups::default_check_elements(Group::so2(3));
  ASSERT_EQ(so2.size(), eqnca::groups::default_check_angles().size());
  EXPECT_NEAR(so2[3].angle, M_PI / 4, 1e-12);
  EXPECT_FALSE(so2[3].reflection);
  const auto o2 = eqnca::groups::default_check_elements(Group::o2(3));
  ASSERT_EQ(o2.size(), 2 * so2.size());
  EXPECT_TRUE(o2[so2.size()].reflection);
  EXPECT_NEAR(o2[so2.size()].angle, M_PI / 2, 1e-12);
}

TEST(Group, InvalidRequestsThrowWithAMessage) {
  EXPECT_THROW(Group::cyclic(0), std::invalid_argument);
  EXPECT_THROW(Group::dihedral(-2), std::invalid_argument);
  EXPECT_THROW(Group::so2(-1), std::invalid_argument);
  EXPECT_THROW(Group::cyclic(4).element_at(0.3), std::invalid_argument);
  EXPECT_THROW(Group::cyclic(4).element_at(0.0, true), std::invalid_argument);
  EXPECT_THROW(Group::so2(2).elements(), std::invalid_argument);
  try {
    Group::from_name("Q7");
    FAIL() << "expected a throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("Q7"), std::string::npos);
  }
  EXPECT_EQ(Group::from_name("D16").size(), 32);
}
