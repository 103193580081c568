// `eqnca demo --quick` end to end (seconds of training of narrow models on a 17x17 grid): every promised file
// is written, and the evaluation shows the claim's shape even untrained-ish: the C4 model's
// shared-mask equivariance error is float rounding (1e-4 allows for 16 steps of trained,
// larger weights), the baseline's is not. With --texture (the same smoke sizes, 12x12 stripes)
// the texture part writes its runs and montage, logs texture/<model>/..., and has finite texture
// losses; the c4 model stays exact from its turned texture start (1e-4, as above).
#include "experiments/evaluation/demo.h"

#include <cmath>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "experiments/io/run_log.h"
#include "tests/experiments/TempDir.h"

namespace eqnca::experiments {
namespace {

TEST(DemoTest, QuickRunWritesEverythingAndSeparatesTheModels) {
  testing::TempDir dir;
  DemoOptions o;
  o.out = dir.file("demo");
  o.quick = true;
  std::ostringstream out, progress;
  const DemoResult r = run_demo(o, out, progress);
  namespace fs = std::filesystem;
  EXPECT_EQ(r.out_dir, o.out);
  EXPECT_TRUE(fs::exists(r.montage_path));
  EXPECT_EQ(r.web_path, (fs::path(o.out) / "web" / "index.html").string());
  EXPECT_TRUE(fs::exists(fs::path(o.out) / "web" / "weights.js"));
  EXPECT_NE(out.str().find(r.web_path), std::string::npos);
  EXPECT_TRUE(fs::exists(fs::path(o.out) / "c4" / "checkpoint.pt"));
  EXPECT_TRUE(fs::exists(fs::path(o.out) / "growing" / "checkpoint.pt"));
  const RunLog log = RunLog::open_existing(r.log_path);
  EXPECT_TRUE(log.exists("c4/train/loss"));
  EXPECT_TRUE(log.exists("growing/eval/max_rel_error"));

  ASSERT_EQ(r.models.size(), 2u);
  ASSERT_EQ(r.models[0].model, "c4");
  // The default budget compares the models at equal iterations.
  EXPECT_EQ(r.models[0].iterations, r.models[1].iterations);
  EXPECT_GT(r.models[0].iterations, 2);  // more than the timing probe
  for (const auto& e : r.models[0].evaluation.elements) {
    EXPECT_LE(e.max_rel_error, 1e-4) << e.angle_deg;
    ASSERT_FALSE(e.rotated_target_loss.empty());
  }
  double baseline = 0.0;
  for (const auto& e : r.models[1].evaluation.elements) baseline = std::max(baseline, e.max_rel_error);
  EXPECT_GE(baseline, 1e-2);
  EXPECT_NE(out.str().find("montage"), std::string::npos);

  // The rotated-target loss over kDemoMaskDraws mask draws: the first is the evaluation's own,
  // the draws differ (other masks), and for c4 every draw gives the same loss at all four
  // rotations (its masks are turned with the seed), to 1e-5 relative.
  EXPECT_TRUE(log.exists("c4/eval/rotated_target_loss_draws"));
  EXPECT_NE(out.str().find("mask draws"), std::string::npos) << out.str();
  for (const auto& m : r.models) {
    ASSERT_EQ(m.draw_losses.size(), m.evaluation.elements.size());
    for (size_t i = 0; i < m.draw_losses.size(); ++i) {
      ASSERT_EQ(m.draw_losses[i].size(), size_t(eqnca::experiments::kDemoMaskDraws));
      EXPECT_EQ(m.draw_losses[i][0], m.evaluation.elements[i].rotated_target_loss.back());
      EXPECT_GT(m.sd_loss(i), 0.0) << m.model << " element " << i;
    }
  }
  const auto& c4 = r.models[0].draw_losses;
  for (size_t d = 0; d < c4[0].size(); ++d)
    for (size_t i = 1; i < c4.size(); ++i) EXPECT_NEAR(c4[i][d], c4[0][d], 1e-5 * c4[0][d]) << "draw " << d;
}

TEST(DemoTest, QuickTexturePartWritesItsRunsMontageAndLog) {
  testing::TempDir dir;
  DemoOptions o;
  o.out = dir.file("demo");
  o.quick = true;
  o.texture = true;
  std::ostringstream out, progress;
  const DemoResult r = run_demo(o, out, progress);
  namespace fs = std::filesystem;
  for (const char* file :
       {"texture/stripes.png", "texture/c4/checkpoint.pt", "texture/growing/checkpoint.pt", "texture/montage.png"})
    EXPECT_TRUE(fs::exists(fs::path(o.out) / file)) << file;
  EXPECT_EQ(r.texture_montage_path, (fs::path(o.out) / "texture" / "montage.png").string());
  const RunLog log = RunLog::open_existing(r.log_path);
  EXPECT_TRUE(log.exists("texture/c4/train/loss"));
  EXPECT_TRUE(log.exists("texture/growing/eval/texture_loss_turned"));
  EXPECT_TRUE(log.exists("texture/growing/eval/texture_loss_unturned"));
  ASSERT_EQ(r.texture_models.size(), 2u);
  for (const auto& m : r.texture_models) {
    ASSERT_EQ(m.evaluation.elements.size(), 4u);
    for (const auto& e : m.evaluation.elements) {
      EXPECT_TRUE(std::isfinite(e.texture_loss_turned)) << m.model << " " << e.angle_deg;
      EXPECT_TRUE(std::isfinite(e.texture_loss_unturned)) << m.model << " " << e.angle_deg;
      if (m.model == "c4") {
        EXPECT_LE(e.max_rel_error, 1e-4) << e.angle_deg;
      }
    }
  }
  EXPECT_NE(out.str().find("texture loss (turned)"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace eqnca::experiments
