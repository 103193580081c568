// Equivariant nonlinearities act per cell, so their equivariance is a statement about the
// channel action: f(rho(g) v) = rho(g) f(v), checked on (B, C, 1, 1) fibers. Pointwise ReLU
// and the Fourier nonlinearity on its sampled subgroup are exact (<= 1e-5 relative in
// float32); ReLU on irreps fails the same check.
#include <gtest/gtest.h>

#include <cmath>

#include "layers/grid_action.h"
#include "layers/fourier_pointwise.h"
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
    worst = std::max(worst, channel_error([](const torch::Tensor& t) { return torch::relu(t); }, std2, std2, v.narrow(1, 0, 4), g));
  EXPECT_GT(worst, 1e-2);
}

TEST(Nonlinearities, NormReluGatedAndPoolingAreEquivariant) {
  torch::manual_seed(1);
  const auto so2 = groups::Group::so2(3);
  const FieldType irreps = FieldType::of(groups::Representation::irrep(so2, 0, 1), 2) +
                           FieldType::of(groups::Representation::irrep(so2, 0, 3), 1);
  layers::NormRelu norm_relu(irreps);
  { torch::NoGradGuard ng; norm_relu->bias.fill_(0.3); }
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

TEST(Nonlinearities, FourierPointwiseIsExactOnItsSamplesAndCloseElsewhere) {
  torch::manual_seed(2);
  for (const auto& group : {groups::Group::so2(3), groups::Group::o2(3)}) {
    const FieldType t = FieldType::of(layers::band_limited_field(group), 3);
    const torch::Tensor v = torch::randn({6, t.channels(), 1, 1});
    double previous = 1e9;
    for (int n : {8, 16}) {
      layers::FourierPointwise fourier(t, n);
      for (int i = 0; i < n; ++i)  // the sampled rotations: exact
        EXPECT_LE(channel_error([&](auto& x) { return fourier(x); }, t, t, v, group.element_at(2 * M_PI * i / n)), 1e-5);
      // Half-way between samples ReLU's harmonics above L alias: measured 0.35 (N = 8) and
      // ~0.1 (N = 16) for band limit 3. Bounded by 0.5, shrinking with N, never zero.
      const double off = channel_error([&](auto& x) { return fourier(x); }, t, t, v, group.element_at(M_PI / n));
      std::cout << group.name() << " N=" << n << " off-sample relative error " << off << "\n";
      EXPECT_LE(off, 0.5);
      EXPECT_GT(off, 1e-4);
      EXPECT_LT(off, previous);
      previous = off;
    }
  }
}
