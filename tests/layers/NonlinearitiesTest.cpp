// Equivariant nonlinearities act per cell, so their equivariance is a statement about the
// channel action: f(rho(g) v) = rho(g) f(v), checked on (B, C, 1, 1) fibers. Pointwise ReLU
// on regular fields is exact (<= 1e-6 relative in float32) and fails the same check on irreps;
// norm ReLU, gated nonlinearities and group pooling are exact up to float rounding (<= 1e-5).
// The Fourier nonlinearity has its own file, FourierPointwiseTest.cpp.
#include <gtest/gtest.h>

#include <algorithm>

#include "layers/grid_action.h"
#include "layers/nonlinearities.h"

using namespace eqnca;
using layers::FieldType;

namespace {
double channel_error(const std::function<torch::Tensor(const torch::Tensor&)>& f, const FieldType& in,
                     const FieldType& out, const torch::Tensor& v, const groups::GroupElement& g) {
  const torch::Tensor lhs = f(layers::act_on_channels(v, in.representation()(g)));
  const torch::Tensor rhs = layers::act_on_channels(f(v), out.representation()(g));
  return ((lhs - rhs).norm() / rhs.norm().clamp_min(1e-12)).item<double>();
}
}  // namespace

TEST(Nonlinearities, PointwiseReluOnRegularFieldsIsExactAndFailsOnIrreps) {
  torch::manual_seed(0);
  const auto d4 = groups::Group::dihedral(4);
  const FieldType reg = FieldType::of(groups::Representation::regular(d4), 3);
  layers::PointwiseRelu relu(reg);
  const torch::Tensor v = torch::randn({4, reg.channels(), 1, 1});
  for (const auto& g : d4.elements()) EXPECT_LE(channel_error([&](auto& t) { return relu(t); }, reg, reg, v, g), 1e-6);
  EXPECT_THROW(layers::PointwiseRelu(FieldType::of(groups::Representation::standard(d4), 1)), std::invalid_argument);
  const FieldType std2 = FieldType::of(groups::Representation::standard(d4), 2);
  double worst = 0.0;
  for (const auto& g : d4.elements())
    worst = std::max(
        worst, channel_error([](const torch::Tensor& t) { return torch::relu(t); }, std2, std2, v.narrow(1, 0, 4), g));
  EXPECT_GT(worst, 1e-2);
}

TEST(Nonlinearities, NormReluGatedAndPoolingAreEquivariant) {
  torch::manual_seed(1);
  const auto so2 = groups::Group::so2(3);
  const FieldType irreps = FieldType::of(groups::Representation::irrep(so2, 0, 1), 2) +
                           FieldType::of(groups::Representation::irrep(so2, 0, 3), 1);
  layers::NormRelu norm_relu(irreps);
  {
    torch::NoGradGuard ng;
    norm_relu->bias.fill_(0.3);
  }
  layers::GatedNonlinearity gated(irreps);
  const torch::Tensor v = torch::randn({5, irreps.channels(), 1, 1});
  const torch::Tensor vg = torch::randn({5, gated->in_type().channels(), 1, 1});
  for (const auto& g : so2.sample(6, 3)) {
    EXPECT_LE(channel_error([&](auto& t) { return norm_relu(t); }, irreps, irreps, v, g), 1e-5);
    EXPECT_LE(channel_error([&](auto& t) { return gated(t); }, gated->in_type(), irreps, vg, g), 1e-5);
  }
  const auto c4 = groups::Group::cyclic(4);
  const FieldType reg = FieldType::of(groups::Representation::regular(c4), 2);
  layers::GroupPooling pool(reg);
  const torch::Tensor r = torch::randn({3, 8, 1, 1});
  for (const auto& g : c4.elements())
    EXPECT_LE(channel_error([&](auto& t) { return pool(t); }, reg, pool->out_type(), r, g), 1e-6);
}
