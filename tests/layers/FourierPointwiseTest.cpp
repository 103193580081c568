// The Fourier nonlinearity acts per cell, so its equivariance is a statement about the channel
// action f(rho(g) v) = rho(g) f(v), checked on (B, C, 1, 1) fibers with layers::equivariance_error.
// On the N sampled rotations (and their mirrors for O(2)) it is exact (<= 1e-5 relative in
// float32); half-way between samples it is not (ReLU's harmonics above the band limit alias),
// and that error shrinks as N grows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "layers/equivariance_error.h"
#include "layers/fourier_pointwise.h"
#include "layers/grid_action.h"

using namespace eqnca;
using layers::FieldType;

namespace {

// Worst relative error of `f` over `elements`, the channels of input and output both moved by
// rho(g) of `type` (the pixels stay where they are: a fiber has one).
double channel_error(layers::FourierPointwise& f, const FieldType& type, const torch::Tensor& v,
                     const std::vector<groups::GroupElement>& elements) {
  const layers::Action act = [&](const torch::Tensor& t, const groups::GroupElement& g) {
    return layers::act_on_channels(t, type.representation()(g));
  };
  double worst = 0.0;
  for (const auto& e :
       layers::equivariance_error([&](const torch::Tensor& t) { return f(t); }, act, act, v, elements).elements)
    worst = std::max(worst, e.relative);
  return worst;
}

std::string construction_error(const FieldType& type, int samples) {
  try {
    layers::FourierPointwise f(type, samples);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no throw";
}

}  // namespace

TEST(FourierPointwise, IsExactOnItsSamplesAndCloseElsewhere) {
  torch::manual_seed(2);
  for (const auto& group : {groups::Group::so2(3), groups::Group::o2(3)}) {
    const FieldType t = FieldType::of(layers::band_limited_field(group), 3);
    const torch::Tensor v = torch::randn({6, t.channels(), 1, 1});
    double previous = 1e9;
    for (int n : {8, 16}) {
      layers::FourierPointwise fourier(t, n);
      std::vector<groups::GroupElement> samples;  // the sampled rotations: exact
      for (int i = 0; i < n; ++i) samples.push_back(group.element_at(2 * M_PI * i / n));
      EXPECT_LE(channel_error(fourier, t, v, samples), 1e-5) << group.name() << " N=" << n;
      // Half-way between samples ReLU's harmonics above L alias: measured 0.35 (N = 8) and
      // ~0.1 (N = 16) for band limit 3. Bounded by 0.5, shrinking with N, never zero.
      const double off = channel_error(fourier, t, v, {group.element_at(M_PI / n)});
      std::cout << group.name() << " N=" << n << " off-sample relative error " << off << "\n";
      EXPECT_LE(off, 0.5);
      EXPECT_GT(off, 1e-4);
      EXPECT_LT(off, previous);
      previous = off;
    }
  }
  // O(2)'s mirrored samples are exact too.
  const auto o2 = groups::Group::o2(2);
  const FieldType t2 = FieldType::of(layers::band_limited_field(o2), 2);
  layers::FourierPointwise fourier(t2, 6);
  std::vector<groups::GroupElement> mirrored;
  for (int i = 0; i < 6; ++i) mirrored.push_back(o2.element_at(2 * M_PI * i / 6, true));
  EXPECT_LE(channel_error(fourier, t2, torch::randn({4, t2.channels(), 1, 1}), mirrored), 1e-5);
}

TEST(FourierPointwise, BandLimitedFieldsOnlyAndOneLineErrors) {
  // SO(2), L = 3: psi_0 + psi_1..psi_3 = 1 + 3 * 2; O(2) adds the sign irrep psi_{1,0}.
  EXPECT_EQ(layers::band_limited_field(groups::Group::so2(3)).dim(), 7);
  EXPECT_EQ(layers::band_limited_field(groups::Group::o2(3)).dim(), 8);
  // C_N keeps the frequencies below N/2: C8 has psi_1..psi_3.
  EXPECT_EQ(layers::band_limited_field(groups::Group::cyclic(8)).dim(), 7);
  EXPECT_EQ(layers::band_limited_field(groups::Group::so2(3)).name(), "band_limited");

  const auto so2 = groups::Group::so2(2);
  const FieldType band = FieldType::of(layers::band_limited_field(so2), 1);
  const std::string mixed = construction_error(band + FieldType::trivial(so2, 1), 8);
  EXPECT_NE(mixed.find("copies of one field representation"), std::string::npos) << mixed;
  const std::string regular =
      construction_error(FieldType::of(groups::Representation::regular(groups::Group::cyclic(4)), 2), 4);
  EXPECT_NE(regular.find("band_limited"), std::string::npos) << regular;
  EXPECT_NE(regular.find("regular"), std::string::npos) << regular;
  const std::string samples = construction_error(band, 0);
  EXPECT_NE(samples.find("got 0"), std::string::npos) << samples;
  for (const auto& m : {mixed, regular, samples}) EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  layers::FourierPointwise f(band, 8);
  EXPECT_THROW(f(torch::zeros({1, band.channels() + 1, 1, 1})), std::invalid_argument);
}
