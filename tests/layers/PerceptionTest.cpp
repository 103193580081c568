// Perception: the Sobel pair is a standard-representation vector field for invariant inputs
// (exact under D4: <= 1e-5 relative in float32); Distill's raw (identity, Sobel) stack treated as
// invariant channels is not (>= 1e-2). The Sobel lift has its own file, SobelLiftPerceptionTest.cpp.
#include <gtest/gtest.h>

#include "layers/equivariance_error.h"
#include "layers/perception.h"

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
  layers::NcaPerception p(layers::NcaPerceptionOptions(3, {PerceptionFilter::Identity, PerceptionFilter::SobelX,
                                                           PerceptionFilter::SobelY, PerceptionFilter::Laplacian}));
  const FieldType in = FieldType::trivial(d4, 3);
  const torch::Tensor x = torch::randn({2, 3, 9, 9});
  EXPECT_LE(check([&](auto& t) { return p(t); }, in, p->output_type(d4), x).max_relative_exact, 1e-5);
  // Claiming the Sobel responses are invariant (what a plain NCA implicitly does) fails.
  EXPECT_GE(check([&](auto& t) { return p(t); }, in, FieldType::trivial(d4, 12), x).max_relative_exact, 1e-2);
}
