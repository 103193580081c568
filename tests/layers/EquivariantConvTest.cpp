// EquivariantConv: exact equivariance for grid-exact groups (relative error <= 1e-5 in
// float32; float rounding gives ~1e-7), a plain conv failing the same check, export to a
// plain conv matching to 1e-6, eval-mode caching, stable saved keys, and type checks.
#include <gtest/gtest.h>

#include <sstream>

#include <torch/serialize.h>

#include "layers/equivariance_error.h"
#include "layers/equivariant_conv.h"

using namespace eqnca;
using layers::EquivariantConv;
using layers::EquivariantConvOptions;
using layers::FieldType;

namespace {

FieldType mixed(const groups::Group& g, int trivial, int regular) {
  return FieldType::trivial(g, trivial) + FieldType::of(groups::Representation::regular(g), regular);
}

layers::EquivarianceReport check(const layers::TensorMap& f, const FieldType& in, const FieldType& out,
                                 const torch::Tensor& x) {
  return layers::equivariance_error(f, in, out, x);
}

}  // namespace

TEST(EquivariantConv, ExactlyEquivariantForC4AndD4AndAPlainConvIsNot) {
  torch::manual_seed(0);
  for (const groups::Group& g : {groups::Group::cyclic(4), groups::Group::dihedral(4)})
    for (int k : {1, 3, 5}) {
      const FieldType in = mixed(g, 3, 2), out = mixed(g, 2, 3);
      EquivariantConv conv(EquivariantConvOptions(in, out, k));
      {
        torch::NoGradGuard ng;
        conv->bias.normal_();
      }
      const torch::Tensor x = torch::randn({2, in.channels(), 11, 11});
      const auto report = check([&](const torch::Tensor& t) { return conv(t); }, in, out, x);
      EXPECT_LE(report.max_relative_exact, 1e-5) << g.name() << " k=" << k << "\n" << report.to_string();
      // The same check on an unconstrained conv of the same shape fails.
      torch::nn::Conv2d plain(torch::nn::Conv2dOptions(in.channels(), out.channels(), k).padding(k / 2));
      const auto bad = check([&](const torch::Tensor& t) { return plain(t); }, in, out, x);
      EXPECT_GE(bad.max_relative_exact, 1e-2) << g.name();
    }
}

TEST(EquivariantConv, HarmonicBasisIsExactAtQuarterTurnsAndCloseAt45Degrees) {
  // C8 on a 3x3 grid: 90-degree elements are exact; 45-degree ones resample the grid, so a
  // smooth input keeps the error small. Tolerance 0.15: the 3x3 stencil sees a bilinearly
  // rotated field whose error is O(h^2 f''), measured ~0.05 here for a width-3 Gaussian bump.
  torch::manual_seed(1);
  const groups::Group c8 = groups::Group::cyclic(8);
  const FieldType in = mixed(c8, 2, 1), out = mixed(c8, 1, 2);
  EquivariantConv conv(EquivariantConvOptions(in, out, 3));
  auto xs = torch::linspace(-1, 1, 41);
  auto grid = torch::meshgrid({xs, xs});
  const torch::Tensor bump = torch::exp(-(grid[0].pow(2) + grid[1].pow(2)) / 0.1);
  const torch::Tensor x = bump.view({1, 1, 41, 41}) * torch::randn({1, in.channels(), 1, 1});
  const auto report = check([&](const torch::Tensor& t) { return conv(t); }, in, out, x);
  EXPECT_LE(report.max_relative_exact, 1e-5) << report.to_string();
  EXPECT_LE(report.max_relative_interpolated, 0.15) << report.to_string();
  std::cout << report.to_string();
}

TEST(EquivariantConv, ExportMatchesTrainingModeAndEvalCacheFollowsWeights) {
  torch::manual_seed(2);
  const groups::Group c4 = groups::Group::cyclic(4);
  const FieldType in = mixed(c4, 4, 3), out = mixed(c4, 4, 2);
  EquivariantConv conv(EquivariantConvOptions(in, out, 3));
  {
    torch::NoGradGuard ng;
    conv->bias.normal_();
  }
  const torch::Tensor x = torch::randn({2, in.channels(), 9, 9});
  const torch::Tensor train_out = conv(x);
  auto plain = conv->export_conv();
  EXPECT_LE((plain(x) - train_out).abs().max().item<double>(), 1e-6);
  conv->eval();
  EXPECT_LE((conv(x) - train_out).abs().max().item<double>(), 1e-6);
  {
    torch::NoGradGuard ng;
    conv->weight.mul_(2.0);
  }  // the cached filter must follow
  const torch::Tensor doubled = conv(x);
  conv->train();
  EXPECT_LE((doubled - conv(x)).abs().max().item<double>(), 1e-6);
}

TEST(EquivariantConv, SavedKeysAreTheSameInTrainAndEvalModeAndRoundTrip) {
  torch::manual_seed(3);
  const groups::Group d4 = groups::Group::dihedral(4);
  const FieldType in = mixed(d4, 2, 1), out = mixed(d4, 1, 1);
  EquivariantConv a(EquivariantConvOptions(in, out, 3)), b(EquivariantConvOptions(in, out, 3));
  auto keys = [](torch::nn::Module& m) {
    std::vector<std::string> k;
    for (const auto& p : m.named_parameters()) k.push_back(p.key());
    for (const auto& p : m.named_buffers()) k.push_back(p.key());
    return k;
  };
  const auto train_keys = keys(*a);
  a->eval();
  const torch::Tensor x = torch::randn({1, in.channels(), 7, 7});
  const torch::Tensor ya = a(x);
  EXPECT_EQ(keys(*a), train_keys);
  std::stringstream buffer;
  {
    torch::serialize::OutputArchive archive;
    a->save(archive);
    archive.save_to(buffer);
  }
  torch::serialize::InputArchive archive;
  archive.load_from(buffer);
  b->load(archive);
  b->eval();
  EXPECT_LE((b(x) - ya).abs().max().item<double>(), 0.0);
}

TEST(EquivariantConv, FieldTypeMismatchThrows) {
  const groups::Group c4 = groups::Group::cyclic(4);
  EquivariantConv conv(EquivariantConvOptions(mixed(c4, 2, 1), mixed(c4, 1, 1), 3));
  EXPECT_THROW(conv(torch::randn({1, 5, 7, 7})), std::invalid_argument);
  EXPECT_THROW(EquivariantConv(EquivariantConvOptions(mixed(c4, 2, 1), mixed(groups::Group::cyclic(8), 1, 1), 3)),
               std::invalid_argument);
  EXPECT_THROW(EquivariantConv(EquivariantConvOptions(mixed(c4, 2, 1), mixed(c4, 1, 1), 4)), std::invalid_argument);
}
