// The Sobel lift of trivial + regular fields: exactly C4/D4-equivariant (<= 1e-5 relative in
// float32, rounding only), while the same output read as invariant channels (what a plain NCA
// implicitly assumes) fails the check (>= 1e-2); it equals its fixed feature map on identity +
// Sobel features (what the fused steps fold into their first layer); its output layout follows
// the header; unsupported state types are one-line errors.
#include <gtest/gtest.h>

#include <string>

#include "layers/equivariance_error.h"
#include "layers/perception.h"
#include "layers/sobel_lift_perception.h"

using namespace eqnca;
using layers::FieldType;

namespace {
layers::EquivarianceReport check(const layers::TensorMap& f, const FieldType& in, const FieldType& out,
                                 const torch::Tensor& x) {
  return layers::equivariance_error(f, in, out, x);
}

FieldType state_of(const groups::Group& g) {
  return FieldType::trivial(g, 4) + FieldType::of(groups::Representation::regular(g), 2);
}
}  // namespace

TEST(SobelLiftPerception, IsExactlyEquivariantForC4AndD4AndInvariantChannelsAreNot) {
  torch::manual_seed(1);
  for (const auto& g : {groups::Group::cyclic(4), groups::Group::dihedral(4)}) {
    const FieldType state = FieldType::trivial(g, 4) + FieldType::of(groups::Representation::regular(g), 2);
    layers::SobelLiftPerception lift(state, layers::Padding::Zeros);
    const torch::Tensor x = torch::randn({2, state.channels(), 9, 9});
    const auto report = check([&](auto& t) { return lift(t); }, state, lift->out_type(), x);
    EXPECT_LE(report.max_relative_exact, 1e-5) << g.name() << "\n" << report.to_string();
    // The same output read as invariant channels fails the check.
    const FieldType invariant = FieldType::trivial(g, lift->out_type().channels());
    const auto bad = check([&](auto& t) { return lift(t); }, state, invariant, x);
    EXPECT_GE(bad.max_relative_exact, 1e-2) << g.name() << "\n" << bad.to_string();
  }
}

// The lift is a fixed linear map of the identity + Sobel features: fused steps fold
// feature_map() into the first 1x1 layer. Float32 rounding of 3-term sums: 1e-6.
TEST(SobelLiftPerception, EqualsItsFeatureMapOnIdentitySobelFeatures) {
  torch::manual_seed(2);
  using layers::PerceptionFilter;
  for (const auto& g : {groups::Group::cyclic(4), groups::Group::dihedral(4), groups::Group::cyclic(8)})
    for (auto padding : {layers::Padding::Zeros, layers::Padding::Circular}) {
      const FieldType state = FieldType::trivial(g, 4) + FieldType::of(groups::Representation::regular(g), 2);
      layers::SobelLiftPerception lift(state, padding);
      layers::NcaPerception features(
          layers::NcaPerceptionOptions(int(state.channels()),
                                       {PerceptionFilter::Identity, PerceptionFilter::SobelX, PerceptionFilter::SobelY})
              .padding(padding));
      const torch::Tensor x = torch::randn({2, state.channels(), 7, 9});
      const torch::Tensor m = lift->feature_map();
      ASSERT_EQ(m.size(0), lift->out_type().channels());
      ASSERT_EQ(m.size(1), 3 * state.channels());
      const torch::Tensor mapped = features(x).permute({0, 2, 3, 1}).matmul(m.t()).permute({0, 3, 1, 2});
      EXPECT_LE((mapped - lift(x)).abs().max().item<double>(), 1e-6)
          << g.name() << " " << layers::padding_name(padding);
    }
}

TEST(SobelLiftPerception, OutputLayoutIsStateThenStandardThenQxThenQyAndOtherStatesAreRejected) {
  const auto c4 = groups::Group::cyclic(4);
  layers::SobelLiftPerception lift(state_of(c4), layers::Padding::Circular);
  EXPECT_EQ(lift->out_type().describe(), "C4[4 x trivial, 2 x regular, 4 x standard, 4 x regular]");
  EXPECT_EQ(lift->out_type().channels(), 4 + 2 * 4 + 4 * 2 + 2 * 2 * 4);
  // The first block is the state itself.
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({1, 12, 6, 6});
  EXPECT_TRUE(lift(x).narrow(1, 0, 12).equal(x));
  // A constant field has no gradient: with circular padding every derivative channel is zero.
  const torch::Tensor flat = torch::ones({1, 12, 6, 6});
  EXPECT_LE(lift(flat).narrow(1, 12, lift->out_type().channels() - 12).abs().max().item<double>(), 1e-6);

  // Unsupported state types are one-line errors.
  auto message = [](const FieldType& t) {
    try {
      layers::SobelLiftPerception rejected(t, layers::Padding::Zeros);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no throw");
  };
  const FieldType regular_first = FieldType::of(groups::Representation::regular(c4), 1) + FieldType::trivial(c4, 1);
  const FieldType standard = FieldType::of(groups::Representation::standard(c4), 1);
  for (const FieldType& t : {regular_first, standard}) {
    const std::string m = message(t);
    EXPECT_NE(m.find("trivial fields followed by regular fields"), std::string::npos) << m;
    EXPECT_NE(m.find(t.describe()), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
  EXPECT_THROW(lift(torch::zeros({1, 11, 5, 5})), std::invalid_argument);
}
