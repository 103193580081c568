// The grid action is a group action: exact elements compose exactly (bit for bit), the
// interpolated path agrees with the exact one at 90 degrees, and directions follow the
// documented convention (counter-clockwise, mirror x -> -x).
#include <gtest/gtest.h>

#include <torch/types.h>

#include "layers/grid_action.h"

using namespace eqnca::groups;
using namespace eqnca::layers;

TEST(GridAction, ExactElementsComposeExactly) {
  torch::manual_seed(0);
  for (const Group& g : {Group::cyclic(4), Group::dihedral(4), Group::dihedral(2), Group::dihedral(1)}) {
    const Representation rep = Representation::direct_sum({Representation::trivial(g), Representation::regular(g)});
    const torch::Tensor x = torch::randn({2, rep.dim(), 7, 7}, torch::kDouble);
    for (const auto& a : g.elements())
      for (const auto& b : g.elements()) {
        const torch::Tensor lhs = act_on_field(act_on_field(x, rep, b), rep, a);
        const torch::Tensor rhs = act_on_field(x, rep, g.compose(a, b));
        EXPECT_EQ(torch::max(torch::abs(lhs - rhs)).item<double>(), 0.0) << describe(a) << " . " << describe(b);
      }
  }
}

TEST(GridAction, EvenGridsRotateAboutTheCornerOfTheFourCentrePixels) {
  const Group c4 = Group::cyclic(4);
  torch::Tensor x = torch::zeros({1, 1, 4, 4});
  x[0][0][0][3] = 1.0;  // top-right corner
  const torch::Tensor y = rotate_grid(x, c4.element(1));
  EXPECT_EQ(y[0][0][0][0].item<float>(), 1.0f);  // counter-clockwise: top-right -> top-left
  const torch::Tensor m = rotate_grid(x, Group::dihedral(4).element(4));
  EXPECT_EQ(m[0][0][0][0].item<float>(), 1.0f);  // mirror x -> -x: right -> left
}

TEST(GridAction, InterpolatedPathMatchesExactOneAtQuarterTurns) {
  torch::manual_seed(1);
  const Group d4 = Group::dihedral(4);
  const torch::Tensor x = torch::randn({1, 3, 9, 9}, torch::kDouble);
  for (const auto& g : d4.elements()) {
    const double err = torch::max(torch::abs(rotate_grid(x, g, true) - rotate_grid(x, g))).item<double>();
    EXPECT_LE(err, 1e-9) << describe(g);
  }
}

TEST(GridAction, InterpolatedRotationsComposeApproximately) {
  // Two 45-degree turns of a smooth field make one 90-degree turn up to interpolation error;
  // a smooth bump keeps that error small (bilinear error ~ h^2 f'').
  const Group c8 = Group::cyclic(8);
  auto xs = torch::linspace(-1, 1, 33, torch::kDouble);
  auto grid = torch::meshgrid({xs, xs});
  const torch::Tensor f = torch::exp(-((grid[0] - 0.3).pow(2) + (grid[1] + 0.2).pow(2)) / 0.1).view({1, 1, 33, 33});
  const torch::Tensor twice = rotate_grid(rotate_grid(f, c8.element(1)), c8.element(1));
  const torch::Tensor once = rotate_grid(f, c8.element(2));
  EXPECT_LE(torch::max(torch::abs(twice - once)).item<double>(), 0.05);
  EXPECT_GT(torch::max(torch::abs(rotate_grid(f, c8.element(1)) - f)).item<double>(), 0.3);  // it did move
}

TEST(GridAction, ChannelsTransformByTheRepresentation) {
  const Group c4 = Group::cyclic(4);
  const Representation std4 = Representation::standard(c4);
  torch::Tensor v = torch::zeros({1, 2, 3, 3});
  v[0][0] = 1.0;  // a constant field pointing along +x
  const torch::Tensor r = act_on_field(v, std4, c4.element(1));
  EXPECT_NEAR(r[0][0][1][1].item<float>(), 0.0f, 1e-6);
  EXPECT_NEAR(r[0][1][1][1].item<float>(), 1.0f, 1e-6);  // now along +y
  EXPECT_THROW(act_on_field(torch::zeros({1, 3, 3, 3}), std4, c4.element(1)), std::invalid_argument);
  EXPECT_THROW(rotate_grid(torch::zeros({1, 1, 3, 4}), c4.element(1)), std::invalid_argument);
}
