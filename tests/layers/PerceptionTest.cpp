// Perception: the Sobel pair is a standard-representation vector field for invariant inputs
// (exact under D4); the Sobel lift of trivial + regular fields is exactly D4/C4-equivariant;
// Distill's raw (identity, Sobel) stack treated as invariant channels is not.
#include <gtest/gtest.h>

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
}  // namespace

TEST(Perception, SobelPairIsAVectorFieldUnderD4) {
  torch::manual_seed(0);
  const auto d4 = groups::Group::dihedral(4);
  using layers::PerceptionFilter;
  layers::NcaPerception p(layers::NcaPerceptionOptions(
      3, {PerceptionFilter::Identity, PerceptionFilter::SobelX, PerceptionFilter::SobelY, PerceptionFilter::Laplacian}));
  const FieldType in = FieldType::trivial(d4, 3);
  const torch::Tensor x = torch::randn({2, 3, 9, 9});
  EXPECT_LE(check([&](auto& t) { return p(t); }, in, p->output_type(d4), x).max_relative_exact, 1e-5);
  // Claiming the Sobel responses are invariant (what a plain NCA implicitly does) fails.
  EXPECT_GE(check([&](auto& t) { return p(t); }, in, FieldType::trivial(d4, 12), x).max_relative_exact, 1e-2);
}

TEST(Perception, SobelLiftIsExactlyEquivariantForC4AndD4) {
  torch::manual_seed(1);
  for (const auto& g : {groups::Group::cyclic(4), groups::Group::dihedral(4)}) {
    const FieldType state = FieldType::trivial(g, 4) + FieldType::of(groups::Representation::regular(g), 2);
    layers::SobelLiftPerception lift(state, layers::Padding::Zeros);
    const torch::Tensor x = torch::randn({2, state.channels(), 9, 9});
    const auto report = check([&](auto& t) { return lift(t); }, state, lift->out_type(), x);
    EXPECT_LE(report.max_relative_exact, 1e-5) << g.name() << "\n" << report.to_string();
  }
}

// The lift is a fixed linear map of the identity + Sobel features: fused steps fold
// feature_map() into the first 1x1 layer. Float32 rounding of 3-term sums: 1e-6.
TEST(Perception, SobelLiftEqualsItsFeatureMapOnIdentitySobelFeatures) {
  torch::manual_seed(2);
  using layers::PerceptionFilter;
  for (const auto& g : {groups::Group::cyclic(4), groups::Group::dihedral(4), groups::Group::cyclic(8)})
    for (auto padding : {layers::Padding::Zeros, layers::Padding::Circular}) {
      const FieldType state = FieldType::trivial(g, 4) + FieldType::of(groups::Representation::regular(g), 2);
      layers::SobelLiftPerception lift(state, padding);
      layers::NcaPerception features(layers::NcaPerceptionOptions(
          int(state.channels()), {PerceptionFilter::Identity, PerceptionFilter::SobelX, PerceptionFilter::SobelY})
                                         .padding(padding));
      const torch::Tensor x = torch::randn({2, state.channels(), 7, 9});
      const torch::Tensor m = lift->feature_map();
      ASSERT_EQ(m.size(0), lift->out_type().channels());
      ASSERT_EQ(m.size(1), 3 * state.channels());
      const torch::Tensor mapped = features(x).permute({0, 2, 3, 1}).matmul(m.t()).permute({0, 3, 1, 2});
      EXPECT_LE((mapped - lift(x)).abs().max().item<double>(), 1e-6) << g.name() << " " << layers::padding_name(padding);
    }
}
