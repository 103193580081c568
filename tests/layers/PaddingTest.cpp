// The grid's boundary conditions: names round-trip and an unknown name is a one-line error;
// pad_field's values against an index-by-index reference (zeros: a zero frame; circular: the
// torus, x[(i - r) mod H][(j - r) mod W]); both commute with the exact grid action, as the
// header promises (bit for bit: padding and rot90 only move values).
#include <gtest/gtest.h>

#include <string>

#include "layers/grid_action.h"
#include "layers/padding.h"

using namespace eqnca;
using layers::Padding;

TEST(Padding, NamesRoundTripAndUnknownNamesAreOneLineErrors) {
  EXPECT_EQ(layers::padding_name(Padding::Zeros), "zeros");
  EXPECT_EQ(layers::padding_name(Padding::Circular), "circular");
  for (Padding p : {Padding::Zeros, Padding::Circular})
    EXPECT_EQ(layers::padding_from_name(layers::padding_name(p)), p);
  for (const std::string name : {"reflect", "Zeros", ""}) {
    try {
      layers::padding_from_name(name);
      FAIL() << "'" << name << "' was accepted";
    } catch (const std::invalid_argument& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("'" + name + "'"), std::string::npos) << m;
      EXPECT_NE(m.find("zeros or circular"), std::string::npos) << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
  }
}

TEST(Padding, ZerosAddAZeroFrameAndCircularWrapsLikeATorus) {
  const torch::Tensor x = torch::arange(1, 2 * 3 * 3 * 4 + 1, torch::kFloat).view({2, 3, 3, 4});
  const torch::Tensor y = layers::pad_field(x, 2, Padding::Zeros);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 3, 7, 8}));
  for (int64_t i = 0; i < 7; ++i)
    for (int64_t j = 0; j < 8; ++j) {
      const bool inside = i >= 2 && i < 5 && j >= 2 && j < 6;
      const torch::Tensor expected = inside ? x.select(2, i - 2).select(2, j - 2) : torch::zeros({2, 3});
      EXPECT_TRUE(y.select(2, i).select(2, j).equal(expected)) << i << "," << j;
    }
  for (int r : {1, 2, 3}) {
    const torch::Tensor wrapped = layers::pad_field(x, r, Padding::Circular);
    ASSERT_EQ(wrapped.sizes(), (std::vector<int64_t>{2, 3, 3 + 2 * r, 4 + 2 * r}));
    for (int64_t i = 0; i < 3 + 2 * r; ++i)
      for (int64_t j = 0; j < 4 + 2 * r; ++j) {
        const int64_t si = ((i - r) % 3 + 3) % 3, sj = ((j - r) % 4 + 4) % 4;
        EXPECT_TRUE(wrapped.select(2, i).select(2, j).equal(x.select(2, si).select(2, sj)))
            << r << ": " << i << "," << j;
      }
  }
  // Radius zero pads nothing (for convolutions that pad themselves).
  for (Padding p : {Padding::Zeros, Padding::Circular}) EXPECT_TRUE(layers::pad_field(x, 0, p).is_same(x));
}

TEST(Padding, CommutesWithTheExactGridAction) {
  torch::manual_seed(0);
  const auto d4 = groups::Group::dihedral(4);
  const torch::Tensor x = torch::randn({2, 3, 5, 5});
  for (Padding p : {Padding::Zeros, Padding::Circular})
    for (const auto& g : d4.elements()) {
      const torch::Tensor lhs = layers::pad_field(layers::rotate_grid(x, g), 2, p);
      const torch::Tensor rhs = layers::rotate_grid(layers::pad_field(x, 2, p), g);
      EXPECT_TRUE(lhs.equal(rhs)) << layers::padding_name(p) << " " << groups::describe(g);
    }
}
