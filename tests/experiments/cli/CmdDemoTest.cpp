// `eqnca demo` as a user meets it: --help lists every option; bad input ends with one line
// "eqnca: error: ..."; `--quick` (seconds: a 17 x 17 grid and narrow models) writes its montage,
// log and runs, next to an earlier demo rather than over it. What the demo measures is
// DemoTest's subject. `--quick --texture` adds texture/montage.png (12 x 12 grids shown 4x).
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "experiments/io/image_io.h"
#include "tests/experiments/cli/CliTestUtil.h"

namespace eqnca::experiments {
namespace {

using testing::expect_one_line_error;
using testing::expect_one_line_usage_error;
using testing::Outcome;
using testing::run_eqnca;

class CmdDemoTest : public testing::CliTest {};

TEST_F(CmdDemoTest, HelpNamesEveryOptionAndBadInputGivesOneLineErrors) {
  testing::expect_help_names(dir, "demo",
                             {"--out", "--minutes", "--budget", "--quick", "--threads", "--seed", "--texture",
                              "--texture-minutes", "--texture-target"});
  const std::string out = " --out " + dir.file("demo");
  expect_one_line_error(run_eqnca(dir, "demo --minutes 0" + out), "--minutes must be > 0, got 0");
  expect_one_line_error(run_eqnca(dir, "demo --budget steps" + out),
                        "--budget must be 'iterations' or 'time', got 'steps'");
  expect_one_line_usage_error(run_eqnca(dir, "demo --threads 0" + out), "--threads");
  expect_one_line_error(run_eqnca(dir, "demo --texture --texture-minutes 0" + out),
                        "--texture-minutes must be > 0, got 0");
  EXPECT_FALSE(std::filesystem::exists(dir.file("demo")));
}

TEST_F(CmdDemoTest, QuickRunWritesNextToAnEarlierDemo) {
  namespace fs = std::filesystem;
  fs::create_directories(fs::path(dir.file("demo")) / "c4");  // an earlier demo's folder
  const Outcome o = run_eqnca(dir, "demo --quick --out " + dir.file("demo"));
  ASSERT_EQ(o.status, 0) << o.err;
  const fs::path out = dir.file("demo-2");
  EXPECT_NE(o.out.find("output in " + out.string()), std::string::npos) << o.out;
  EXPECT_TRUE(fs::is_empty(fs::path(dir.file("demo")) / "c4"));  // left alone
  for (const char* file :
       {"run.h5", "montage.png", "c4/checkpoint.pt", "growing/checkpoint.pt", "web/index.html", "web/weights.js"})
    EXPECT_TRUE(fs::exists(out / file)) << file;
  // Rows: c4, growing; columns: the seed rotated by 0/90/180/270; 17 x 17 grids shown 4x, 4 px gaps.
  const RgbaImage montage = read_png((out / "montage.png").string());
  EXPECT_EQ(montage.height, 2 * 68 + 4);
  EXPECT_EQ(montage.width, 4 * 68 + 3 * 4);
}

TEST_F(CmdDemoTest, QuickTextureRunWritesTheTextureMontage) {
  namespace fs = std::filesystem;
  const Outcome o = run_eqnca(dir, "demo --quick --texture --out " + dir.file("demo"));
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("texture loss (turned)"), std::string::npos) << o.out;
  const RgbaImage montage = read_png((fs::path(dir.file("demo")) / "texture" / "montage.png").string());
  EXPECT_EQ(montage.height, 2 * 48 + 4);
  EXPECT_EQ(montage.width, 4 * 48 + 3 * 4);
}

}  // namespace
}  // namespace eqnca::experiments
