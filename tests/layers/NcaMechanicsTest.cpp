// NCA mechanics: the alive mask and the masked residual update commute with exact grid
// actions when the stochastic mask is transformed too (bit-exact: only permutations and
// per-cell arithmetic); with an independent mask they do not. Circular padding wraps.
#include <gtest/gtest.h>

#include "layers/grid_action.h"
#include "layers/nca_mechanics.h"

using namespace eqnca;

TEST(NcaMechanics, AliveMaskIsThreeByThreeMaxPoolOfAlpha) {
  torch::Tensor s = torch::zeros({1, 4, 5, 5});
  s[0][3][2][2] = 0.2;
  const torch::Tensor alive = layers::alive_mask(s, layers::Padding::Zeros);
  EXPECT_EQ(alive.sum().item<int64_t>(), 9);
  s[0][3][2][2] = 0.05;
  EXPECT_EQ(layers::alive_mask(s, layers::Padding::Zeros).sum().item<int64_t>(), 0);
  torch::Tensor edge = torch::zeros({1, 4, 5, 5});
  edge[0][3][0][0] = 1.0;
  EXPECT_EQ(layers::alive_mask(edge, layers::Padding::Circular).sum().item<int64_t>(), 9);
  EXPECT_EQ(layers::alive_mask(edge, layers::Padding::Zeros).sum().item<int64_t>(), 4);
}

TEST(NcaMechanics, UpdateCommutesWithRotationWhenTheMaskIsRotatedToo) {
  torch::manual_seed(0);
  const auto d4 = groups::Group::dihedral(4);
  const torch::Tensor s = torch::rand({2, 6, 9, 9});
  const torch::Tensor ds = torch::randn({2, 6, 9, 9});
  const torch::Tensor mask = layers::stochastic_update_mask(2, 9, 9, 0.5, s.options());
  const torch::Tensor out = layers::nca_update(s, ds, mask, layers::Padding::Zeros);
  double independent = 0.0;
  for (const auto& g : d4.elements()) {
    auto r = [&](const torch::Tensor& t) { return layers::rotate_grid(t, g); };
    const torch::Tensor lhs = layers::nca_update(r(s), r(ds), r(mask), layers::Padding::Zeros);
    EXPECT_EQ((lhs - r(out)).abs().max().item<float>(), 0.0f);
    const torch::Tensor other = layers::stochastic_update_mask(2, 9, 9, 0.5, s.options());
    independent =
        std::max(independent,
                 (layers::nca_update(r(s), r(ds), other, layers::Padding::Zeros) - r(out)).abs().max().item<double>());
  }
  EXPECT_GT(independent, 1e-2);
}

TEST(NcaMechanics, FireRateIsRespectedAndValidated) {
  torch::manual_seed(1);
  const torch::Tensor m = layers::stochastic_update_mask(4, 64, 64, 0.25, torch::TensorOptions());
  EXPECT_NEAR(m.mean().item<double>(), 0.25, 0.02);
  EXPECT_THROW(layers::stochastic_update_mask(1, 4, 4, 1.5, torch::TensorOptions()), std::invalid_argument);
}
