// `eqnca demo --quick` end to end (seconds of training of narrow models on a 17x17 grid): every promised file
// is written, and the evaluation shows the claim's shape even untrained-ish: the C4 model's
// shared-mask equivariance error is float rounding (1e-4 allows for 16 steps of trained,
// larger weights), the baseline's is not.
#include "experiments/evaluation/demo.h"

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
  for (const auto& e : r.models[0].evaluation.elements) {
    EXPECT_LE(e.max_rel_error, 1e-4) << e.angle_deg;
    ASSERT_FALSE(e.rotated_target_loss.empty());
  }
  double baseline = 0.0;
  for (const auto& e : r.models[1].evaluation.elements) baseline = std::max(baseline, e.max_rel_error);
  EXPECT_GE(baseline, 1e-2);
  EXPECT_NE(out.str().find("montage"), std::string::npos);
}

}  // namespace
}  // namespace eqnca::experiments
