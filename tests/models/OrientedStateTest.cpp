// The group NCAs' state: RGBA then oriented fields, and a seed whose oriented fields point at
// the identity (checked channel by channel for a regular field and for SO(2)'s and O(2)'s
// band-limited fields).
#include "models/oriented_state.h"

#include <gtest/gtest.h>

using namespace eqnca;

namespace {
// Channels lit at the seed's centre cell.
std::vector<int64_t> lit(const models::OrientedState& s) {
  const torch::Tensor seed = s.seed(1, 5, 5);
  std::vector<int64_t> out;
  for (int64_t c = 0; c < seed.size(1); ++c)
    if (seed[0][c][2][2].item<float>() != 0.0f) out.push_back(c);
  EXPECT_EQ(seed.abs().sum().item<float>(), float(out.size()));  // nothing off the centre cell
  return out;
}
}  // namespace

TEST(OrientedState, RegularFieldsPointAtTheIdentity) {
  const models::OrientedState s(groups::Group::cyclic(4), 3);
  EXPECT_EQ(s.channels(), 4 + 3 * 4);
  EXPECT_EQ(s.field().dim(), 4);
  EXPECT_EQ(lit(s), (std::vector<int64_t>{3, 4, 8, 12}));  // alpha, then e_identity of each field
}

TEST(OrientedState, BandLimitedFieldsLightTheFirstVectorOfEveryIrrep) {
  // SO(2), L = 3: psi_0 (1) + psi_1..psi_3 (2 each) = 7 channels per field.
  const models::OrientedState so2(groups::Group::so2(3), 1);
  EXPECT_EQ(so2.channels(), 4 + 7);
  EXPECT_EQ(lit(so2), (std::vector<int64_t>{3, 4, 5, 7, 9}));
  // O(2), L = 3: psi_{0,0} + psi_{1,0} (1 each) + psi_1..psi_3 (2 each) = 8 channels per field.
  const models::OrientedState o2(groups::Group::o2(3), 2);
  EXPECT_EQ(o2.channels(), 4 + 16);
  EXPECT_EQ(lit(o2), (std::vector<int64_t>{3, 4, 5, 6, 8, 10, 12, 13, 14, 16, 18}));
}

TEST(OrientedState, TypeAndNames) {
  const models::OrientedState s(groups::Group::dihedral(4), 2);
  EXPECT_EQ(s.type_over(groups::Group::dihedral(4), "d4").channels(), 20);
  EXPECT_THROW(s.type_over(groups::Group::cyclic(4), "d4"), std::invalid_argument);
  EXPECT_THROW(models::OrientedState(groups::Group::cyclic(4), 0), std::invalid_argument);
  EXPECT_EQ(models::group_model_name(groups::Group::cyclic(16)), "c16");
  EXPECT_EQ(models::group_model_name(groups::Group::dihedral(4)), "d4");
  EXPECT_EQ(models::group_model_name(groups::Group::so2(3)), "so2");
  EXPECT_EQ(models::group_model_name(groups::Group::o2(1)), "o2");
}
