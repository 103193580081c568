// `eqnca sweep` as a user meets it: a bad sweep file (or Slurm request) fails with one line before
// any run starts; a tiny local sweep trains every sampled run in its own folder, writes
// results.csv and sweep.h5 with the measurements from the seed, a second identical command skips
// the finished runs and reruns only a deleted one, and `sweep report` draws the figures; a Slurm
// dry run writes the job-array script for the unfinished runs only. The real Slurm round trip is
// tests/experiments/sweep/slurm_sweep_test.sh.
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
using testing::expect_one_line_usage_error;
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

TEST_F(CmdSweepTest, BadSlurmRequestsFailBeforeAnythingRuns) {
  expect_one_line_error(run_eqnca(dir, sweep("[slurm]\nqueue = \"x\"\n")), "unknown slurm option 'queue'");
  expect_one_line_error(run_eqnca(dir, sweep("[slurm]\ntime = \"1h\"\n")), "slurm option 'time'");
  expect_one_line_error(run_eqnca(dir, sweep("[slurm]\ntime = 0\n")), "slurm option 'time'");
  expect_one_line_error(run_eqnca(dir, sweep("[slurm]\nmem = \"0G\"\n")), "slurm option 'mem'");
  expect_one_line_error(run_eqnca(dir, sweep("[slurm]\ncpus = -1\n")), "slurm option 'cpus'");
  expect_one_line_error(run_eqnca(dir, sweep("[slurm]\ngpu = 1\n")), "'gpu' must be true or false");
  expect_one_line_error(run_eqnca(dir, sweep("[slurm]\npartition = \"a b\"\n")), "slurm option 'partition'");
  expect_one_line_error(run_eqnca(dir, sweep("slurm = 3\n")), "'slurm' must be a table");
  expect_one_line_error(run_eqnca(dir, sweep("") + " --backend slurm --mem 4X"), "slurm option 'mem'");
  expect_one_line_error(run_eqnca(dir, sweep("") + " --dry-run"), "--dry-run needs --backend slurm");
  expect_one_line_usage_error(run_eqnca(dir, sweep("") + " --backend pbs"), "--backend");
  expect_one_line_error(run_eqnca(dir, "sweep --out " + dir.file("out")), "sweep needs --config");
  EXPECT_FALSE(fs::exists(dir.file("out")));
}

TEST_F(CmdSweepTest, LocalSweepTrainsEveryRunAndResumes) {
  const std::string cmd = sweep(
      "sets = 2\nrepeats = 1\njobs = 2\ntargets = [\"a.png\", \"b.png\"]\n"
      "[options.hidden]\nint_range = [8, 16]\n[options.lr]\nlog_uniform = [1e-3, 1e-2]\n");
  const Outcome first = run_eqnca(dir, cmd);
  ASSERT_EQ(first.status, 0) << first.err;
  const std::string csv = slurp(dir.file("out/results.csv"));
  EXPECT_EQ(csv.rfind("run,set,target,seed,hidden,lr,status,final_loss,seed_loss,rotated_seed_loss,"
                      "equivariance_error,equivariance_error_independent,parameters,wall_s,error\n",
                      0),
            0u)
      << csv;
  // Every ok row carries its measurements from the seed: no empty cell before the error column.
  EXPECT_EQ(csv.find(",,"), std::string::npos) << csv;
  EXPECT_TRUE(fs::exists(dir.file("out/sweep.h5")));
  EXPECT_TRUE(fs::exists(dir.file("out/plan.json")));
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

  // The figures of seed 004, from the folder alone; each printed path is a PNG.
  const Outcome report = run_eqnca(dir, "sweep report " + dir.file("out"));
  ASSERT_EQ(report.status, 0) << report.err;
  for (const char* png :
       {"loss_vs_hidden.png", "loss_vs_lr.png", "loss_vs_options.png", "loss_by_target.png", "target_vs_target.png"}) {
    const std::string path = dir.file("out") + "/report/" + png;
    EXPECT_NE(report.out.find(path + "\n"), std::string::npos) << report.out;
    EXPECT_EQ(slurp(path).substr(0, 8), "\x89PNG\r\n\x1a\n") << path;
  }

  // A sweep folder refuses a different sweep rather than mixing their results.
  expect_one_line_error(run_eqnca(dir, sweep("sets = 2\ntargets = [\"a.png\", \"b.png\"]\nseed = 7\n"
                                             "[options.hidden]\nint_range = [8, 16]\n")),
                        "holds another sweep");
}

TEST_F(CmdSweepTest, SlurmDryRunScriptsOnlyTheUnfinishedRuns) {
  const std::string cmd =
      sweep("sets = 2\n[options.hidden]\nint_range = [8, 16]\n[slurm]\ntime = \"0:10:00\"\n") +
      " --backend slurm --dry-run --mem 300M --cpus-per-task 2 --gpu --partition short --max-running 1";
  const Outcome o = run_eqnca(dir, cmd);
  ASSERT_EQ(o.status, 0) << o.err;
  const std::string script = slurp(dir.file("out/slurm/array.sbatch"));
  for (const char* line : {"#SBATCH --array=0-1%1\n", "#SBATCH --time=0:10:00\n", "#SBATCH --mem=300M\n",
                           "#SBATCH --cpus-per-task=2\n", "#SBATCH --partition=short\n", "#SBATCH --gres=gpu:1\n",
                           "'set000-base-r1'", "'set001-base-r1'", " sweep task "})
    EXPECT_NE(script.find(line), std::string::npos) << line << " in:\n" << script;
  EXPECT_NE(o.out.find("not submitted"), std::string::npos) << o.out;
  EXPECT_FALSE(fs::exists(dir.file("out/runs")));  // nothing ran

  // One run finished (here by the task command an array task would run): the next script has only the other.
  const Outcome task = run_eqnca(dir, "sweep task " + dir.file("out") + " --run set001-base-r1");
  ASSERT_EQ(task.status, 0) << task.err;
  ASSERT_EQ(run_eqnca(dir, cmd).status, 0);
  const std::string again = slurp(dir.file("out/slurm/array.sbatch"));
  EXPECT_NE(again.find("#SBATCH --array=0-0%1\n"), std::string::npos) << again;
  EXPECT_EQ(again.find("'set001-base-r1'"), std::string::npos) << again;
  const Outcome collect = run_eqnca(dir, "sweep collect " + dir.file("out"));
  expect_one_line_error(collect, "have no result yet");
  EXPECT_NE(slurp(dir.file("out/results.csv")).find("set000-base-r1,0,,1,"), std::string::npos);
  expect_one_line_error(run_eqnca(dir, "sweep collect " + dir.file("nowhere")), "is not a sweep folder");
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
