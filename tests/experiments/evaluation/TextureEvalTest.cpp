// The texture evaluation: turned textures (exact elements are the grid action's permutation;
// other angles resample the periodic tiling, so nothing outside the texture leaks in), the noise
// start, and evaluate_equivariance with a start state and a texture on random-weight models with
// circular padding. Tolerances: a C4 model at its four rotations is exact up to float32 rounding
// accumulated over 12 steps (~1e-6), so 1e-5, also for the texture loss of its turned run against
// the plain run's state turned (the same state up to rounding); the growing baseline, whose
// fixed Sobel filters do not turn, must be off by more than 1e-2 from noise (it is off by O(1)).
#include "experiments/evaluation/texture_eval.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "experiments/evaluation/equivariance_eval.h"
#include "experiments/evaluation/model_loading.h"
#include "experiments/training/texture_task.h"
#include "layers/grid_action.h"
#include "models/model_factory.h"

namespace eqnca::experiments {
namespace {

models::NcaModel random_texture_model(const std::string& name) {
  models::ModelConfig config;
  config.name = name;
  config.padding = "circular";
  models::NcaModel m = models::make_model(config);
  randomize_parameters(*m, 0.1, 7);
  return m;
}

// An oriented 16x16 texture in [0.2, 0.8]: horizontal stripes of period 4, the colour varying
// along x too, so no quarter turn or mirror maps it onto itself.
torch::Tensor stripes(int64_t h = 16, int64_t w = 16) {
  const torch::Tensor y = torch::arange(h, torch::kFloat32).view({1, 1, h, 1});
  const torch::Tensor x = torch::arange(w, torch::kFloat32).view({1, 1, 1, w});
  const torch::Tensor v = 0.5 + 0.3 * torch::sin(y * (2 * M_PI / 4.0)) * torch::cos(x * (2 * M_PI / w));
  return torch::cat({v, v.expand({1, 1, h, w}) * 0.5 + 0.2, 1.0 - v.expand({1, 1, h, w})}, 1)
      .expand({1, 3, h, w})
      .contiguous();
}

TEST(TextureEvalTest, ExactElementsPermuteTheTextureAndOtherAnglesStayInsideIt) {
  const torch::Tensor t = stripes();
  const groups::Group d4 = groups::Group::dihedral(4);
  for (const auto& g : d4.elements()) EXPECT_TRUE(torch::equal(turn_texture(t, g), layers::rotate_grid(t, g)));
  // Off the grid, every output pixel is a bilinear mix of texture pixels: no zeros from outside
  // the texture (the stripes are >= 0.2), and the mean colour is kept to the window's and resampling's error (0.03).
  const groups::GroupElement g45 = groups::Group::so2(3).element_at(M_PI / 4, false);
  const torch::Tensor turned = turn_texture(t, g45);
  ASSERT_EQ(turned.sizes(), t.sizes());
  EXPECT_GE(turned.min().item<double>(), t.min().item<double>() - 1e-6);
  EXPECT_LE((turned.mean({2, 3}) - t.mean({2, 3})).abs().max().item<double>(), 0.03);
  // A plain rotation of the 16x16 image (zeros outside) leaves empty corners: the check can fail.
  EXPECT_LT(layers::rotate_grid(t, g45).min().item<double>(), 0.1);
  EXPECT_THROW(turn_texture(stripes(16, 12), g45), std::invalid_argument);
  EXPECT_THROW(turn_texture(torch::rand({1, 4, 16, 16}), g45), std::invalid_argument);
}

TEST(TextureEvalTest, NoiseIsSeededAndInTheStateRanges) {
  const torch::Tensor a = noise_start(12, 9, 9, 3), b = noise_start(12, 9, 9, 3);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, noise_start(12, 9, 9, 4)));
  EXPECT_GE(a.slice(1, 0, 4).min().item<double>(), 0.0);
  EXPECT_LT(a.slice(1, 0, 4).max().item<double>(), 1.0);
  EXPECT_LT(a.slice(1, 4).min().item<double>(), -0.5);  // the hidden channels reach below zero
  EXPECT_GE(a.slice(1, 4).min().item<double>(), -1.0);
  models::NcaModel m = random_texture_model("c4");
  EXPECT_THROW(texture_start(*m, "zeros", 9, 9, 0), std::invalid_argument);
  EXPECT_TRUE(torch::equal(texture_start(*m, "seed", 9, 9, 0), texture_seed(m->seed(1, 9, 9))));
}

TEST(TextureEvalTest, C4TextureModelIsExactFromTheTextureStartAndFromNoise) {
  models::NcaModel m = random_texture_model("c4");
  const torch::Tensor texture = stripes();
  for (const std::string start : {"seed", "noise"}) {
    EvalOptions options;
    options.steps = 12;
    options.start = texture_start(*m, start, 16, 16, 5);
    options.texture = texture;
    const EquivarianceSummary s = evaluate_equivariance(m, options);
    ASSERT_EQ(s.elements.size(), 4u);
    const torch::Tensor plain = s.elements[0].final_state;  // the identity's run is the plain run
    EXPECT_GT((plain - options.start).norm().item<double>(), 1e-2) << start << ": the rollout did nothing";
    for (const auto& e : s.elements) {
      EXPECT_LE(e.max_rel_error, 1e-5) << start << " at " << e.angle_deg << " deg";
      const LossFunction turned_loss = make_texture_task_loss("gram", turn_texture(texture, e.g));
      const double expected = turned_loss(m->transform_state(plain, e.g)).item<double>();
      EXPECT_NEAR(e.texture_loss_turned, expected, 1e-5 * expected) << start << " at " << e.angle_deg << " deg";
      EXPECT_TRUE(std::isfinite(e.texture_loss_unturned));
    }
  }
}

TEST(TextureEvalTest, GrowingBaselineFailsFromNoise) {
  models::NcaModel m = random_texture_model("growing");
  EvalOptions options;
  options.steps = 12;
  options.start = noise_start(m->channels(), 16, 16, 5);
  options.elements = elements_for(*m, {90.0, 180.0, 270.0}, false);
  const EquivarianceSummary s = evaluate_equivariance(m, options);
  double worst = 0.0;
  for (const auto& e : s.elements) {
    worst = std::max(worst, e.max_rel_error);
    EXPECT_TRUE(std::isnan(e.texture_loss_turned));  // no texture given
  }
  EXPECT_GT(worst, 1e-2);
}

}  // namespace
}  // namespace eqnca::experiments
