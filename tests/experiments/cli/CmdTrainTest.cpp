// `eqnca train` as a user meets it: bad input ends with one line "eqnca: error: ..." on stderr
// and exit status 1; --help explains every option; a tiny run succeeds and can be resumed.
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/experiments/cli/CliTestUtil.h"
#include "tests/experiments/training/TrainTestUtil.h"

namespace eqnca::experiments {
namespace {

using testing::expect_one_line_error;
using testing::Outcome;
using testing::run_eqnca;

class CmdTrainTest : public testing::CliTest {
 protected:
  void SetUp() override {
    testing::write_test_target(dir.file("t.png"));
    base = "train --target " + dir.file("t.png") +
           " --target-size 12 --pad 6 --model growing --channels 8 --hidden 16 --batch 2 --pool-size 4"
           " --steps-min 4 --steps-max 6 --threads 1 --out " +
           dir.file("run");
  }
  std::string base;
};

TEST_F(CmdTrainTest, BadInputGivesOneLineErrors) {
  std::ofstream(dir.file("bad.toml")) << "batch = 2\nbach = 3\n";
  expect_one_line_error(run_eqnca(dir, base + " --config " + dir.file("bad.toml")), "unknown config key 'bach'");
  expect_one_line_error(run_eqnca(dir, base + " --fire-rate 2"), "--fire-rate");
  expect_one_line_error(run_eqnca(dir, base + " --model c5x"), "--model");
  expect_one_line_error(run_eqnca(dir, base + " --target " + dir.file("none.png")), "none.png");
  std::ofstream(dir.file("corrupt.png")) << "not a png";
  expect_one_line_error(run_eqnca(dir, base + " --target " + dir.file("corrupt.png")), "corrupt.png");
  expect_one_line_error(run_eqnca(dir, base + " --grid 8"), "larger than the 8x8 grid");
  expect_one_line_error(run_eqnca(dir, base + " --out /proc/eqnca-no"), "not writable");
  expect_one_line_error(run_eqnca(dir, base + " --resume"), "cannot resume");
}

TEST_F(CmdTrainTest, HelpExplainsEveryOption) {
  testing::expect_help_names(dir, "train",
                             {"--config",
                              "--model",
                              "--channels",
                              "--hidden",
                              "--hidden-fields",
                              "--state-fields",
                              "--band-limit",
                              "--fire-rate",
                              "--padding",
                              "--target",
                              "--target-size",
                              "--pad",
                              "--grid",
                              "--pool-size",
                              "--batch",
                              "--steps-min",
                              "--steps-max",
                              "--iterations",
                              "--lr",
                              "--lr-final",
                              "--lr-drop",
                              "--mode",
                              "--loss",
                              "--curriculum",
                              "--device",
                              "--seed",
                              "--threads",
                              "--log-every",
                              "--checkpoint-every",
                              "--snapshot-every",
                              "--out",
                              "--resume"});
}

TEST_F(CmdTrainTest, TrainsAndResumes) {
  Outcome o = run_eqnca(dir, base + " --iterations 4 --checkpoint-every 2");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("trained 4 iterations"), std::string::npos) << o.out;
  // The resolved config is a valid config file; resuming from it extends the run.
  o = run_eqnca(dir, "train --config " + dir.file("run/config.toml") + " --iterations 6 --resume");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("trained 6 iterations"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace eqnca::experiments
