// The fused Sobel-MLP step against the models' plain path (model->step, NCHW, stock torch ops),
// an independent implementation: growing, isotropic (the Laplacian stencil), steerable (the
// Sobel pair turned by each cell's angle channel, whose gradient the kernel carries), c4 and d4 with
// every parameter ~ N(0, 0.1) (c4, d4, c8, c16 on the spectral path, kernels/spectral_mlp.h), zero and
// circular padding, states with dead regions so the alive masks matter, grids of more than one
// work item (2048 cells) so the parallel split and the per-item gradient sums are exercised.
// Tolerances: forward 1e-5 absolute (float32 sums of ~50-130 terms in a different order, over
// values of order 1); gradients after 3 steps 1e-4 relative to the plain path's in float64 (the
// same rounding, carried back through three steps).
// This file also covers kernels/sobel_mlp_cpu.cpp: its CPU kernels are internal to eqnca_kernels
// (namespace detail) and are tested through sobel_mlp_step, their one public entry point.
#include <cmath>

#include <gtest/gtest.h>

#include <tuple>
#include <utility>

#include <torch/csrc/autograd/autograd.h>

#include "kernels/sobel_mlp_step.h"
#include "kernels/spectral_mlp.h"
#include "layers/field_type.h"
#include "tests/kernels/FusedTestUtil.h"

using namespace eqnca;

namespace {

using kernel_testing::max_abs;
using kernel_testing::mixed_state;
using kernel_testing::random_model;
using kernel_testing::relative;

torch::Tensor random_mask(int64_t batch, int64_t size) {
  return (torch::rand({batch, 1, size, size}) < 0.5).to(torch::kFloat);
}

torch::Tensor nhwc(const torch::Tensor& t) { return t.permute({0, 2, 3, 1}).contiguous(); }
torch::Tensor nchw(const torch::Tensor& t) { return t.permute({0, 3, 1, 2}); }
torch::Tensor nhw(const torch::Tensor& mask) { return mask.squeeze(1).contiguous(); }
// The state as the fused step takes it (NHWC; the isotypic basis on the spectral path) and back.
torch::Tensor to_kernel(const torch::Tensor& t, const kernels::SobelMlpWeights& w) {
  return kernel_testing::to_kernel_basis(nhwc(t), w);
}
torch::Tensor from_kernel(const torch::Tensor& t, const kernels::SobelMlpWeights& w) {
  return nchw(kernel_testing::from_kernel_basis(t, w));
}

struct Case {
  std::string model, padding;
  int hidden_fields = 0;  // 0: the model's default
  int band_limit = 3;     // so2 / o2
};
// The defaults of c4, d4, c8 and c16 are whole multiples of the sixteen fields the hidden
// nonlinearity takes as one vector (kernels/field_relu.h); 19 and 17 leave fields over, 3
// is fewer than one vector; so2 at band limit 2 has no unrolled kernel (the loops over sizes).
const std::vector<Case> kCases{{"growing", "zeros"},      {"growing", "circular"},   {"isotropic", "zeros"},
                               {"isotropic", "circular"}, {"c4", "zeros"},           {"c4", "circular"},
                               {"d4", "zeros"},           {"d4", "circular"},        {"c8", "zeros"},
                               {"c16", "circular"},       {"so2", "zeros"},          {"o2", "circular"},
                               {"steerable", "zeros"},    {"steerable", "circular"}, {"c4", "circular", 19},
                               {"so2", "zeros", 17},      {"d4", "zeros", 3},        {"so2", "circular", 18, 2}};

}  // namespace

TEST(SobelMlpStep, ForwardMatchesThePlainStep) {
  for (const auto& c : kCases) {
    torch::manual_seed(1);
    models::NcaModel m = random_model(c.model, c.padding, 7, c.hidden_fields, c.band_limit);
    torch::NoGradGuard no_grad;
    const auto w = m->sobel_mlp_weights();
    ASSERT_TRUE(w.has_value()) << c.model;
    torch::Tensor plain = mixed_state(m, 2, 35), fused = to_kernel(plain, *w), fused_dense = fused;
    for (int t = 0; t < 3; ++t) {
      const torch::Tensor mask = random_mask(2, 35);
      plain = m->step(plain, mask);
      fused = kernels::sobel_mlp_step(fused, nhw(mask), *w, m->padding());
      fused_dense = kernels::sobel_mlp_step(fused_dense, nhw(mask), *w, m->padding(), /*skip_idle=*/false);
      EXPECT_LE(max_abs(from_kernel(fused, *w), plain), 1e-5)
          << c.model << "/" << c.hidden_fields << " " << c.padding << " step " << t;
      EXPECT_LE(max_abs(from_kernel(fused_dense, *w), plain), 1e-5)
          << c.model << "/" << c.hidden_fields << " " << c.padding << " step " << t;
    }
    // The masks did something: some cells died, some stayed alive.
    const torch::Tensor alive = plain.narrow(1, 3, 1).abs() > 0;
    EXPECT_GT(alive.sum().item<int64_t>(), 0);
    EXPECT_LT(alive.sum().item<int64_t>(), alive.numel());
  }
}

// Grids narrower than the 5x5 window wrap onto themselves more than once.
TEST(SobelMlpStep, TinyCircularGridsMatchThePlainStep) {
  torch::manual_seed(6);
  models::NcaModel m = random_model("growing", "circular");
  torch::NoGradGuard no_grad;
  for (auto [h, w] : {std::pair<int64_t, int64_t>{1, 5}, {2, 3}, {3, 1}}) {
    torch::Tensor s = torch::randn({2, m->channels(), h, w});
    s.narrow(1, 3, 1).uniform_(-0.2, 0.3);
    const torch::Tensor mask = (torch::rand({2, 1, h, w}) < 0.5).to(torch::kFloat);
    const torch::Tensor plain = m->step(s, mask);
    for (bool skip_idle : {true, false}) {
      const torch::Tensor fused =
          kernels::sobel_mlp_step(nhwc(s), nhw(mask), *m->sobel_mlp_weights(), m->padding(), skip_idle);
      EXPECT_LE(max_abs(nchw(fused), plain), 1e-5) << h << "x" << w << " skip_idle " << skip_idle;
    }
  }
}

TEST(SobelMlpStep, TorchOpsPathMatchesThePlainStep) {
  for (const auto& c : kCases) {
    torch::manual_seed(2);
    models::NcaModel m = random_model(c.model, c.padding, 7, c.hidden_fields, c.band_limit);
    torch::NoGradGuard no_grad;
    const torch::Tensor s = mixed_state(m, 2, 11), mask = random_mask(2, 11);
    const auto w = m->sobel_mlp_weights();
    const torch::Tensor ref = kernels::sobel_mlp_step_reference(to_kernel(s, *w), nhw(mask), *w, m->padding());
    EXPECT_LE(max_abs(from_kernel(ref, *w), m->step(s, mask)), 1e-5)
        << c.model << "/" << c.hidden_fields << " " << c.padding;
  }
}

TEST(SobelMlpStep, GradientsMatchThePlainPathsAutograd) {
  for (const auto& c : kCases) {
    for (bool skip_idle : {true, false}) {
      torch::manual_seed(3);
      models::NcaModel m = random_model(c.model, c.padding, 7, c.hidden_fields, c.band_limit);
      const torch::Tensor s0 = mixed_state(m, 2, 33);
      std::vector<torch::Tensor> masks;
      for (int t = 0; t < 3; ++t) masks.push_back(random_mask(2, 33));
      const torch::Tensor target = torch::randn_like(s0);
      std::vector<torch::Tensor> inputs{s0.clone().requires_grad_(true)};
      for (const auto& p : m->parameters()) inputs.push_back(p);

      torch::Tensor x = inputs[0];
      for (const auto& mask : masks) x = m->step(x, mask);
      // The reference gradients come from the plain path in float64: float32 autograd differs from
      // the exact gradient by about as much as the fused kernel does (d4: 1e-4), so comparing two
      // float32 computations would measure their rounding, not the kernel.
      torch::manual_seed(3);
      models::NcaModel m64 = random_model(c.model, c.padding, 7, c.hidden_fields, c.band_limit);
      m64->to(torch::kDouble);
      std::vector<torch::Tensor> inputs64{s0.to(torch::kDouble).requires_grad_(true)};
      for (const auto& p : m64->parameters()) inputs64.push_back(p);
      torch::Tensor x64 = inputs64[0];
      for (const auto& mask : masks) x64 = m64->step(x64, mask.to(torch::kDouble));
      const torch::Tensor target64 = target.to(torch::kDouble);
      auto plain = torch::autograd::grad({((x64 - target64) * (x64 - target64)).sum()}, inputs64);
      for (auto& g : plain) g = g.to(torch::kFloat);
      EXPECT_LE(max_abs(x64.to(torch::kFloat), x), 1e-5) << "the float64 model grows the same states";

      const torch::Tensor state = inputs[0].detach().clone().requires_grad_(true);
      std::vector<torch::Tensor> fused_inputs = inputs;
      fused_inputs[0] = state;
      const auto w = m->sobel_mlp_weights();
      torch::Tensor y = to_kernel(state, *w);
      for (const auto& mask : masks) y = kernels::sobel_mlp_step(y, nhw(mask), *w, m->padding(), skip_idle);
      y = from_kernel(y, *w);
      EXPECT_LE(max_abs(y, x), 1e-5);
      const auto fused = torch::autograd::grad({((y - target) * (y - target)).sum()}, fused_inputs);

      ASSERT_EQ(fused.size(), plain.size());
      for (size_t i = 0; i < plain.size(); ++i) {
        ASSERT_TRUE(fused[i].defined() && plain[i].defined());
        EXPECT_GT(plain[i].abs().max().item<double>(), 0.0) << "gradient " << i << " is zero: the check would be empty";
        EXPECT_LE(relative(fused[i], plain[i]), 1e-4)
            << c.model << "/" << c.hidden_fields << " " << c.padding << " skip_idle " << skip_idle << " gradient " << i
            << " (0 = state)";
      }
    }
  }
}

TEST(SobelMlpStep, GrowthModeEqualsGradMode) {
  for (const auto& c : kCases) {
    torch::manual_seed(4);
    models::NcaModel m = random_model(c.model, c.padding, 7, c.hidden_fields, c.band_limit);
    const torch::Tensor s = nhwc(mixed_state(m, 2, 35)), mask = nhw(random_mask(2, 35));
    const torch::Tensor with_grad = kernels::sobel_mlp_step(s, mask, *m->sobel_mlp_weights(), m->padding());
    ASSERT_TRUE(with_grad.requires_grad());
    torch::NoGradGuard no_grad;
    const torch::Tensor growth = kernels::sobel_mlp_step(s, mask, *m->sobel_mlp_weights(), m->padding());
    // The same kernel and arithmetic; only where relu(z) is stored differs.
    EXPECT_LE(max_abs(growth, with_grad.detach()), 1e-6) << c.model << "/" << c.hidden_fields << " " << c.padding;
  }
}

TEST(SobelMlpStep, EveryModelHasTheFusedStep) {
  for (const std::string& name : models::model_names()) {
    models::ModelConfig config;
    config.name = name;
    EXPECT_TRUE(models::make_model(config)->sobel_mlp_weights().has_value()) << name;
  }
}

TEST(SobelMlpStep, Float64RunsTheTorchOpsPath) {
  models::NcaModel m = random_model("c4", "circular");
  m->to(torch::kDouble);
  torch::NoGradGuard no_grad;
  const torch::Tensor s = mixed_state(m, 1, 9).to(torch::kDouble), mask = random_mask(1, 9).to(torch::kDouble);
  const auto w = m->sobel_mlp_weights();
  const torch::Tensor fused = kernels::sobel_mlp_step(to_kernel(s, *w), nhw(mask), *w, m->padding());
  EXPECT_EQ(fused.scalar_type(), torch::kDouble);
  EXPECT_LE(max_abs(from_kernel(fused, *w), m->step(s, mask)), 1e-12);
}

TEST(SobelMlpStep, RejectsMismatchedShapes) {
  models::NcaModel m = random_model("growing", "zeros");
  const auto w = m->sobel_mlp_weights();
  const torch::Tensor s = torch::zeros({1, 8, 8, 16});
  try {
    kernels::sobel_mlp_step(s, torch::ones({1, 8, 7}), *w, m->padding());
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "sobel_mlp_step: expected a (1, 8, 8) mask, got (1, 8, 7)");
  }
  EXPECT_THROW(kernels::sobel_mlp_step(torch::zeros({1, 8, 8, 20}), torch::ones({1, 8, 8}), *w, m->padding()),
               std::invalid_argument);
}

// The spectral path (kernels/spectral_mlp.h) commutes with every element of C4 and D4 (and the
// quarter turns and mirrors of SO(2) / O(2)): from a
// transformed state with the transformed masks, 8 fused steps end in the transformed result
// (relative error <= 1e-5: float32 rounding in another basis). The growing baseline through the
// same kernel is off by more than 1e-2 at some element.
TEST(SobelMlpStep, SpectralStepIsEquivariantAtExactElementsAndTheBaselineIsNot) {
  for (const std::string name : {"c4", "d4", "so2", "o2", "growing"}) {
    torch::manual_seed(5);
    models::NcaModel m = random_model(name, "zeros");
    torch::NoGradGuard no_grad;
    const auto w = m->sobel_mlp_weights();
    ASSERT_EQ(bool(w->spectral), name != "growing") << name;
    // The grid's exact elements: all of C4 / D4; the quarter turns (and mirrors) of SO(2) / O(2);
    // C4's for the baseline.
    const groups::Group group = name == "growing" ? groups::Group::cyclic(4) : m->group();
    std::vector<groups::GroupElement> elements;
    for (int quarter = 0; quarter < 4; ++quarter)
      for (bool mirror : {false, true})
        if (!mirror || group.has_reflections()) elements.push_back(group.element_at(quarter * M_PI / 2, mirror));
    const layers::FieldType state_type = m->state_type(group), mask_type = layers::FieldType::trivial(group, 1);
    const torch::Tensor s0 = mixed_state(m, 1, 31);
    std::vector<torch::Tensor> masks;
    for (int t = 0; t < 8; ++t) masks.push_back(random_mask(1, 31));
    double worst = 0.0;
    for (const groups::GroupElement& g : elements) {
      torch::Tensor x = to_kernel(s0, *w), xg = to_kernel(state_type.transform(s0, g), *w);
      for (const torch::Tensor& mask : masks) {
        x = kernels::sobel_mlp_step(x, nhw(mask), *w, m->padding());
        xg = kernels::sobel_mlp_step(xg, nhw(mask_type.transform(mask, g)), *w, m->padding());
      }
      const double error = relative(from_kernel(xg, *w), state_type.transform(from_kernel(x, *w), g));
      if (name != "growing") {
        EXPECT_LE(error, 1e-5) << name << " " << groups::describe(g);
      }
      worst = std::max(worst, error);
    }
    if (name == "growing") {
      EXPECT_GT(worst, 1e-2);
    }
  }
}

// The plan multiplies only what the constraint allows, Schur's count: sum over irreps psi of
// (multiplicity in the output) x (multiplicity in the input) x dim(psi) for real type, x dim^2
// for C_N's complex type. c4 (6 state, 64 hidden regular fields; the lifted features hold the
// trivial irrep 22 times, the sign 18, the 2-dim one 22): 64*22 + 64*18 + 128*44 = 8,192 of w1's
// 21,504 entries. d4 (4 state, 48 hidden; features: A1 16 times, A2, B1, B2 12 each, E 28 times):
// 48*16 + 3*48*12 + 2*96*28 = 7,872 of 41,472 (D4's E blocks are W x I_2: the standard form of
// groups/isotypic_basis.h). Every block reads one contiguous run of the features (no gathers).
TEST(SpectralMlp, PlanKeepsTheBlocksTheConstraintAllows) {
  struct Expected {
    std::string model;
    int64_t w1, packed1, blocks1, w2, packed2, blocks2;
  };
  for (const Expected& e :
       {Expected{"c4", 21504, 8192, 3, 7168, 2560, 3}, Expected{"d4", 41472, 7872, 6, 13824, 2496, 6}}) {
    models::ModelConfig config;
    config.name = e.model;
    const auto w = models::make_model(config)->sobel_mlp_weights();
    ASSERT_TRUE(w.has_value() && w->spectral);
    const kernels::SpectralMlp& p = *w->spectral;
    EXPECT_EQ(p.layer1.rows * p.layer1.cols, e.w1) << e.model;
    EXPECT_EQ(p.layer1.packed_size, e.packed1) << e.model;
    EXPECT_EQ(int64_t(p.layer1.blocks.size()), e.blocks1) << e.model;
    EXPECT_EQ(p.layer2.rows * p.layer2.cols, e.w2) << e.model;
    EXPECT_EQ(p.layer2.packed_size, e.packed2) << e.model;
    EXPECT_EQ(int64_t(p.layer2.blocks.size()), e.blocks2) << e.model;
    for (const kernels::BlockLayout* l : {&p.layer1, &p.layer2})
      for (const kernels::LinearBlock& b : l->blocks) EXPECT_GE(b.col_begin, 0) << e.model << ": a gathered block";
  }
}

// The arithmetic eqnca bench reports beside a model's time. growing: the Sobel pair's 12 non-zero
// taps on 16 channels, then 48 -> 128 -> 16 dense. c4 (28 channels): the same taps, the feature
// basis' blocks (108 for its 84 features), Schur's blocks of the two layers (as in the test
// above) and A, B of its 64 regular hidden fields (4 x 4 each way).
TEST(SpectralMlp, MultiplyAddsPerCellCountWhatTheKernelMultiplies) {
  for (const auto& [name, expected] : {std::pair<std::string, int64_t>{"growing", 12 * 16 + 48 * 128 + 128 * 16},
                                       {"c4", 12 * 28 + 108 + 8192 + 2 * 4 * 4 * 64 + 2560}}) {
    models::ModelConfig config;
    config.name = name;
    const models::NcaModel model = models::make_model(config);
    const auto w = model->sobel_mlp_weights();
    ASSERT_TRUE(w.has_value()) << name;
    EXPECT_EQ(kernels::multiply_adds_per_cell(*w, model->channels()), expected) << name;
  }
}

// so2 and o2: the taps split into rings and irreps of the grid's exact group (C4 / D4) leave
// 26,640 of the learned 3x3 perception's 81,648 multiply-adds per cell for so2 and 21,424 of
// 148,320 for o2 (before the feature basis: 65,520 and 71,276). These counts are what the band
// limit and the exact group leave in the representative weights, not a formula: a change in
// either shows here first.
TEST(SpectralMlp, TapsInRingsKeepOnlyTheBandLimitedBlocks) {
  for (const auto& [name, dense, packed] :
       {std::tuple<std::string, int64_t, int64_t>{"so2", 81648, 26640}, {"o2", 148320, 21424}}) {
    models::ModelConfig config;
    config.name = name;
    const auto w = models::make_model(config)->sobel_mlp_weights();
    ASSERT_TRUE(w.has_value() && w->spectral);
    EXPECT_EQ(w->spectral->layer1.rows * w->spectral->layer1.cols, dense) << name;
    EXPECT_EQ(w->spectral->layer1.packed_size, packed) << name;
  }
}

TEST(SpectralMlp, BlockLayoutGroupsRowsWithTheSamePattern) {
  // Rows 0-1 use columns {0, 1}; row 2 none; rows 3-4 columns {1, 3} (not contiguous).
  const torch::Tensor p = torch::tensor({1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1}).view({5, 4});
  const kernels::BlockLayout l = kernels::BlockLayout::from_pattern(p);
  ASSERT_EQ(l.blocks.size(), 2u);
  EXPECT_EQ(l.blocks[0].row_begin, 0);
  EXPECT_EQ(l.blocks[0].row_end, 2);
  EXPECT_EQ(l.blocks[0].col_begin, 0);
  EXPECT_EQ(l.blocks[1].row_begin, 3);
  EXPECT_EQ(l.blocks[1].row_end, 5);
  EXPECT_EQ(l.blocks[1].col_begin, -1);
  EXPECT_EQ(l.blocks[1].cols, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(l.packed_size, 8);
  EXPECT_EQ(l.widest, 2);
}
