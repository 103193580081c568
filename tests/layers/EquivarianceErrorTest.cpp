// equivariance_error's bookkeeping against values computed by hand (actions that scale by a known
// factor per element, so every relative error is known exactly), its exact/interpolated split,
// and the typed-field overload on real maps: a pointwise square of invariant fields is exact on
// the grid's symmetries (<= 1e-12 in float64: rot90 only moves values) but not at 45 or 22.5
// degrees (bilinear resampling does not commute with squaring: >= 1e-2), and a shift of the
// grid, which is not equivariant at all, fails on the exact elements too (>= 0.5); to_string
// has one line per element.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "layers/equivariance_error.h"

using namespace eqnca;
using groups::Group;
using layers::FieldType;

namespace {
double degrees(const groups::GroupElement& g) { return g.angle * 180.0 / M_PI; }
}  // namespace

TEST(EquivarianceError, ReportsEachElementAndSplitsExactFromInterpolated) {
  torch::manual_seed(0);
  const torch::Tensor x = torch::randn({1, 2, 5, 5}, torch::kDouble);
  const auto elements = groups::default_check_elements(Group::so2(3));  // 90, 180, 270, 45, 22.5
  // f = identity, act_in = identity, act_out = scaling by s(g) = 1 + deg/1000: then
  // f(g.x) - g.f(x) = (1 - s) x, so relative = (s - 1) / s and max_abs = (s - 1) max|x|.
  auto scale = [](const groups::GroupElement& g) { return 1.0 + degrees(g) / 1000.0; };
  const auto report = layers::equivariance_error(
      [](const torch::Tensor& t) { return t; }, [](const torch::Tensor& t, const groups::GroupElement&) { return t; },
      [&](const torch::Tensor& t, const groups::GroupElement& g) { return t * scale(g); }, x, elements);
  ASSERT_EQ(report.elements.size(), 5u);
  const double max_x = x.abs().max().item<double>();
  for (size_t i = 0; i < 5; ++i) {
    const auto& e = report.elements[i];
    const double s = scale(elements[i]);
    EXPECT_EQ(e.exact, i < 3) << i;
    EXPECT_NEAR(degrees(e.element), degrees(elements[i]), 1e-9);
    EXPECT_NEAR(e.relative, (s - 1.0) / s, 1e-12) << i;
    EXPECT_NEAR(e.max_abs, (s - 1.0) * max_x, 1e-12) << i;
  }
  // Each maximum over its own elements: 270 degrees among the exact, 45 among the others.
  EXPECT_NEAR(report.max_relative_exact, 0.27 / 1.27, 1e-12);
  EXPECT_NEAR(report.max_relative_interpolated, 0.045 / 1.045, 1e-12);

  // to_string: one line per element, naming it and its kind.
  std::istringstream lines(report.to_string());
  std::string line;
  size_t n = 0;
  while (std::getline(lines, line)) {
    EXPECT_NE(line.find(groups::describe(report.elements.at(n).element)), std::string::npos) << line;
    EXPECT_NE(line.find(n < 3 ? " exact " : " interpolated "), std::string::npos) << line;
    ++n;
  }
  EXPECT_EQ(n, 5u);
}

TEST(EquivarianceError, PointwiseSquareIsExactOnTheGridOnlyAndAShiftFailsEverywhere) {
  torch::manual_seed(1);
  const torch::Tensor x = torch::randn({2, 3, 9, 9}, torch::kDouble);
  const auto square = [](const torch::Tensor& t) { return t * t; };
  for (const Group& g : {Group::so2(3), Group::o2(3)}) {
    const FieldType trivial = FieldType::trivial(g, 3);
    const auto report = layers::equivariance_error(square, trivial, trivial, x);
    EXPECT_EQ(report.elements.size(), g.has_reflections() ? 10u : 5u);  // default_check_elements
    EXPECT_LE(report.max_relative_exact, 1e-12) << report.to_string();
    EXPECT_GE(report.max_relative_interpolated, 1e-2) << report.to_string();
  }
  const auto shift = [](const torch::Tensor& t) { return torch::roll(t, {1}, {3}); };
  const FieldType d4 = FieldType::trivial(Group::dihedral(4), 3);
  const auto bad = layers::equivariance_error(shift, d4, d4, x);
  ASSERT_EQ(bad.elements.size(), 8u);
  EXPECT_EQ(bad.elements[0].relative, 0.0);  // the identity commutes with anything
  EXPECT_GE(bad.max_relative_exact, 0.5) << bad.to_string();
  EXPECT_EQ(bad.max_relative_interpolated, 0.0);  // D4 has no interpolated elements
}
