// `eqnca sweep` as a user meets it: a bad sweep file fails with one line before any run starts;
// a tiny local sweep trains every sampled run in its own folder, writes results.csv, and a
// second identical command skips the finished runs and reruns only a deleted one.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/experiments/cli/CliTestUtil.h"
#include "tests/experiments/training/TrainTestUtil.h"

namespace eqnca::experiments {
namespace {

using testing::expect_one_line_error;
using testing::Outcome;
using testing::run_eqnca;
namespace fs = std::filesystem;

class CmdSweepTest : public testing::CliTest {
 protected:
  void SetUp() override {
    testing::write_test_target(dir.file("a.png"));
    testing::write_test_target(dir.file("b.png"));
    std::ofstream(dir.file("base.toml")) << "target-size = 8\npad = 4\nmodel = \"growing\"\nbatch = 2\n"
                                            "pool-size = 4\nsteps-min = 2\nsteps-max = 3\niterations = 2\n";
  }
  std::string sweep(const std::string& body) {
    std::ofstream(dir.file("sweep.toml")) << "base = \"base.toml\"\n" << body;
    return "sweep --config " + dir.file("sweep.toml") + " --out " + dir.file("out");
  }
  static std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

TEST_F(CmdSweepTest, BadSweepFilesFailBeforeAnythingRuns) {
  expect_one_line_error(run_eqnca(dir, sweep("[options.colour]\nchoice = [1]\n")), "unknown option 'colour'");
  expect_one_line_error(run_eqnca(dir, sweep("[options.lr]\nuniform = [0.1, 0.1]\n")), "empty range");
  expect_one_line_error(run_eqnca(dir, sweep("[options.hidden]\nint_range = [9, 8]\n")), "empty range");
  expect_one_line_error(run_eqnca(dir, sweep("[options.hidden]\nchoice = []\n")), "empty choice list");
  expect_one_line_error(run_eqnca(dir, sweep("sets = -2\n")), "'sets' must be at least 1");
  expect_one_line_error(run_eqnca(dir, sweep("repeats = 0\n")), "'repeats' must be at least 1");
  expect_one_line_error(run_eqnca(dir, sweep("sets = [2\n")), "sweep.toml:2:");
  expect_one_line_error(run_eqnca(dir, sweep("set = 2\n")), "unknown key 'set'");
  expect_one_line_error(run_eqnca(dir, sweep("[options.seed]\nchoice = [1]\n")), "set by the sweep itself");
  // A sampled value the train option refuses is caught at planning, not by a failing run.
  expect_one_line_error(run_eqnca(dir, sweep("[options.fire-rate]\nchoice = [2.0]\n")), "--fire-rate");
  EXPECT_FALSE(fs::exists(dir.file("out")));
}

TEST_F(CmdSweepTest, LocalSweepTrainsEveryRunAndResumes) {
  const std::string cmd = sweep(
      "sets = 2\nrepeats = 1\njobs = 2\ntargets = [\"a.png\", \"b.png\"]\n"
      "[options.hidden]\nint_range = [8, 16]\n[options.lr]\nlog_uniform = [1e-3, 1e-2]\n");
  const Outcome first = run_eqnca(dir, cmd);
  ASSERT_EQ(first.status, 0) << first.err;
  const std::string csv = slurp(dir.file("out/results.csv"));
  EXPECT_EQ(csv.rfind("run,set,target,seed,hidden,lr,status,final_loss,wall_s,error\n", 0), 0u) << csv;
  int ok = 0;
  for (size_t at = csv.find(",ok,"); at != std::string::npos; at = csv.find(",ok,", at + 1)) ++ok;
  EXPECT_EQ(ok, 4) << csv;  // 2 sets x 2 targets x 1 repeat
  for (const char* run : {"set000-a-r1", "set000-b-r1", "set001-a-r1", "set001-b-r1"})
    EXPECT_TRUE(fs::exists(dir.path() / "out/runs" / run / "run.h5")) << run;

  // Resume: a finished run is not trained again (its log stays as it was); a missing one is.
  const auto kept = fs::last_write_time(dir.path() / "out/runs/set000-a-r1/run.h5");
  fs::remove_all(dir.path() / "out/runs/set001-b-r1");
  const Outcome second = run_eqnca(dir, cmd);
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_EQ(fs::last_write_time(dir.path() / "out/runs/set000-a-r1/run.h5"), kept);
  EXPECT_TRUE(fs::exists(dir.path() / "out/runs/set001-b-r1/run.h5"));
  EXPECT_EQ(slurp(dir.file("out/results.csv")).substr(0, csv.find("set001-b-r1")),
            csv.substr(0, csv.find("set001-b-r1")));  // same plan, same sampled values
}

TEST_F(CmdSweepTest, AFailingRunKeepsItsErrorLine) {
  std::ofstream(dir.file("bad.png")) << "not a png";
  const Outcome o = run_eqnca(dir, sweep("targets = [\"a.png\", \"bad.png\"]\n"));
  expect_one_line_error(o, "1 of 2 runs failed");
  const std::string csv = slurp(dir.file("out/results.csv"));
  EXPECT_NE(csv.find("set000-bad-r1,0," + dir.file("bad.png") + ",1,failed,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("bad.png"), csv.rfind("bad.png")) << "the error line names the file: " << csv;
}

}  // namespace
}  // namespace eqnca::experiments
