// `eqnca train` as a user meets it: bad input ends with one line "eqnca: error: ..." on stderr
// and exit status 1; --help explains every option; a tiny run succeeds and can be resumed; a
// second run into a folder in use is refused; SIGTERM stops a run with a checkpoint that resumes;
// h5py follows a run's log while it trains, and a run killed with SIGKILL resumes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "tests/experiments/H5pyPython.h"
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
  testing::write_test_target(dir.file("clear.png"), 12, 0);
  expect_one_line_error(run_eqnca(dir, base + " --target " + dir.file("clear.png")), "has nothing visible");
  EXPECT_FALSE(std::filesystem::exists(dir.file("run")));  // a bad target fails before anything is written
  expect_one_line_error(run_eqnca(dir, base + " --lr nan"), "--lr must be 0 (the default) or in (0,");
  expect_one_line_error(run_eqnca(dir, base + " --out /proc/eqnca-no"), "not writable");
  expect_one_line_error(run_eqnca(dir, base + " --resume"), "cannot resume");
  expect_one_line_error(run_eqnca(dir, base + " --task weave"), "--task must be one of");
  expect_one_line_error(run_eqnca(dir, base + " --task texture --texture-loss l1"), "--texture-loss");
  expect_one_line_error(run_eqnca(dir, base + " --task texture --loss polar"), "texture runs choose --texture-loss");
}

TEST_F(CmdTrainTest, TrainsATextureWithCircularPadding) {
  const Outcome o = run_eqnca(dir, base + " --task texture --texture-loss sliced_wasserstein --iterations 3");
  ASSERT_EQ(o.status, 0) << o.err;
  std::ifstream in(dir.file("run/config.toml"));
  const std::string toml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(toml.find("task = \"texture\""), std::string::npos) << toml;
  EXPECT_NE(toml.find("padding = \"circular\""), std::string::npos) << toml;
}

// VGG16 features need a weights file the user supplies: without one, with a bad one or with a
// grid too small for four poolings the run fails with one line before anything is written.
TEST_F(CmdTrainTest, Vgg16FeaturesWithoutAGoodWeightsFileFailBeforeWriting) {
  const std::string vgg = base + " --task texture --texture-features vgg16 --grid 16";
  expect_one_line_error(run_eqnca(dir, vgg), "--texture-features vgg16 needs --vgg16-weights");
  expect_one_line_error(run_eqnca(dir, vgg + " --vgg16-weights " + dir.file("none.h5")), "none.h5' does not exist");
  std::ofstream(dir.file("text.h5")) << "not HDF5\n";
  expect_one_line_error(run_eqnca(dir, vgg + " --vgg16-weights " + dir.file("text.h5")),
                        "text.h5' is not an HDF5 file");
  expect_one_line_error(run_eqnca(dir, vgg + " --vgg16-weights " + dir.file("text.h5") + " --grid 12"),
                        "needs a grid of at least 16");
  expect_one_line_error(run_eqnca(dir, base + " --task texture --texture-features vgg19"), "--texture-features");
  EXPECT_FALSE(std::filesystem::exists(dir.file("run")));
}

// A small weights file of VGG16's layout (written by scripts/vgg16_to_h5.py's core) trains a
// texture; a malformed one fails before writing; the features are part of what a resume checks.
TEST_F(CmdTrainTest, TrainsATextureOverVgg16FeaturesFromASmallFile) {
  const std::string python = testing::python_with_h5py();
  const char* source = std::getenv("EQNCA_SOURCE_DIR");
  if (python.empty() || source == nullptr) GTEST_SKIP() << "no python3 with h5py, or EQNCA_SOURCE_DIR unset";
  const std::string make =
      python + " " + source + "/tests/experiments/training/make_vgg16_files.py '" + dir.path().string() + "'";
  ASSERT_EQ(std::system(make.c_str()), 0) << make;
  const std::string vgg = base + " --task texture --texture-features vgg16 --target data/gray_scott_spots.png" +
                          " --target-size 16 --grid 16 --iterations 3 --vgg16-weights ";
  expect_one_line_error(run_eqnca(dir, vgg + dir.file("wrong_shape.h5")), "'conv2_1/weight' has shape (8, 5, 3, 3)");
  EXPECT_FALSE(std::filesystem::exists(dir.file("run")));

  Outcome o = run_eqnca(dir, vgg + dir.file("small.h5"));
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("trained 3 iterations"), std::string::npos) << o.out;
  std::ifstream in(dir.file("run/config.toml"));
  const std::string toml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(toml.find("texture-features = \"vgg16\""), std::string::npos) << toml;
  EXPECT_NE(toml.find("vgg16-weights = \"" + dir.file("small.h5") + "\""), std::string::npos) << toml;
  o = run_eqnca(dir, "train --out " + dir.file("run") + " --resume --iterations 4 --texture-features random");
  expect_one_line_error(o, "cannot resume: --texture-features is \"random\"");
  o = run_eqnca(dir, "train --out " + dir.file("run") + " --resume --iterations 4");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("trained 4 iterations"), std::string::npos) << o.out;

  // The evaluation scores the run over the features it trained with: it reads the weights file
  // again, so without the file it fails with the loader's one line.
  const std::string eval =
      "equivariance --checkpoint " + dir.file("run/checkpoint.pt") + " --steps 2 --angles 90 --json";
  o = run_eqnca(dir, eval);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("\"texture_loss_turned\":"), std::string::npos) << o.out;
  std::filesystem::remove(dir.file("small.h5"));
  expect_one_line_error(run_eqnca(dir, eval), "small.h5' does not exist");
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
                              "--seed-turns",
                              "--device",
                              "--seed",
                              "--threads",
                              "--log-every",
                              "--checkpoint-every",
                              "--snapshot-every",
                              "--out",
                              "--resume",
                              "--texture-features",
                              "--vgg16-weights"});
}

TEST_F(CmdTrainTest, TrainsAndResumes) {
  Outcome o = run_eqnca(dir, base + " --iterations 4 --checkpoint-every 2");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("trained 4 iterations"), std::string::npos) << o.out;
  // The resolved config is a valid config file; resuming from it extends the run.
  o = run_eqnca(dir, "train --config " + dir.file("run/config.toml") + " --iterations 6 --resume");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("trained 6 iterations"), std::string::npos) << o.out;
  // Without --config, --resume takes the run's own config.toml: the options need no repeating.
  o = run_eqnca(dir, "train --out " + dir.file("run") + " --resume --iterations 8");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("trained 8 iterations"), std::string::npos) << o.out;
}

// so2 plants turned seeds by default; a run whose config.toml predates --seed-turns planted
// upright ones and resumes that way.
TEST_F(CmdTrainTest, ARunFromBeforeSeedTurnsResumesWithUprightSeeds) {
  const std::string so2 =
      "train --target " + dir.file("t.png") +
      " --target-size 12 --pad 6 --model so2 --hidden-fields 2 --state-fields 1 --batch 2"
      " --pool-size 4 --steps-min 4 --steps-max 6 --threads 1 --mode persistent --iterations 2 --out " +
      dir.file("run");
  Outcome o = run_eqnca(dir, so2 + " --seed-turns none");
  ASSERT_EQ(o.status, 0) << o.err;
  std::string toml;
  {
    std::ifstream in(dir.file("run/config.toml"));
    toml.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  const auto at = toml.find("seed-turns = \"none\"\n");
  ASSERT_NE(at, std::string::npos) << toml;
  toml.erase(at, std::string("seed-turns = \"none\"\n").size());
  std::ofstream(dir.file("run/config.toml")) << toml;
  o = run_eqnca(dir, "train --out " + dir.file("run") + " --resume --iterations 3");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("trained 3 iterations"), std::string::npos) << o.out;
  // Asked for explicitly, turned seeds are refused: the pool grew from upright ones.
  expect_one_line_error(
      run_eqnca(dir, "train --out " + dir.file("run") + " --resume --iterations 4 --seed-turns group"),
      "cannot resume: --seed-turns is \"group\"");
}

TEST_F(CmdTrainTest, SigtermStopsWithACheckpointAndTheFolderIsLockedMeanwhile) {
  // A long run in the background (sh -c so that `exec` makes the shell the eqnca process).
  const std::string command = std::string("exec ") + EQNCA_EXECUTABLE + " " + base +
                              " --iterations 1000000 --checkpoint-every 1000000 >" + dir.file("bg_out.txt") + " 2>" +
                              dir.file("bg_err.txt");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until it trains (its run log exists), at most a minute.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!std::filesystem::exists(dir.file("run/run.h5")) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(std::filesystem::exists(dir.file("run/run.h5")));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  const Outcome second = run_eqnca(dir, base + " --iterations 5 --resume");
  expect_one_line_error(second, "is in use by another running eqnca process");

  ASSERT_EQ(kill(child, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::ifstream err_file(dir.file("bg_err.txt"));
  std::stringstream err;
  err << err_file.rdbuf();
  const std::string e = err.str();
  const std::string line = e.substr(e.rfind("eqnca: error: "));
  EXPECT_NE(line.find("stopped by SIGTERM after iteration"), std::string::npos) << e;
  EXPECT_EQ(line.find('\n'), line.size() - 1) << e;
  ASSERT_TRUE(std::filesystem::exists(dir.file("run/checkpoint.pt")));  // written although checkpoint-every is 1e6

  // The stopped run resumes from its checkpoint, and the folder is free again.
  const int done = std::stoi(line.substr(line.find("iteration ") + 10));
  const Outcome resumed = run_eqnca(dir, base + " --iterations " + std::to_string(done + 2) + " --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("trained " + std::to_string(done + 2) + " iterations"), std::string::npos) << resumed.out;
}

// A researcher watches the loss curve of a run while it trains (h5py, swmr=True); the run is
// then killed outright (no checkpoint on the way out, HDF5's file left open) and resumes.
TEST_F(CmdTrainTest, H5pyFollowsARunLiveAndAKilledRunResumes) {
  const std::string python = testing::python_with_h5py();
  const char* source = std::getenv("EQNCA_SOURCE_DIR");
  if (python.empty() || source == nullptr) GTEST_SKIP() << "no python3 with h5py, or EQNCA_SOURCE_DIR unset";
  const std::string command = std::string("exec ") + EQNCA_EXECUTABLE + " " + base +
                              " --iterations 1000000 --checkpoint-every 5 --log-every 1 >" + dir.file("bg_out.txt") +
                              " 2>" + dir.file("bg_err.txt");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const std::string follow = python + " " + source + "/tests/experiments/io/follow_run_log.py '" +
                             dir.file("run/run.h5") + "' '" + dir.file("followed") + "' train/loss 60 2>&1";
  FILE* follower = popen(follow.c_str(), "r");
  ASSERT_NE(follower, nullptr);
  std::string seen;
  char buffer[256];
  while (fgets(buffer, sizeof buffer, follower) != nullptr) seen += buffer;
  const int follow_status = pclose(follower);
  EXPECT_TRUE(WIFEXITED(follow_status) && WEXITSTATUS(follow_status) == 0) << seen;
  EXPECT_NE(seen.find("followed train/loss"), std::string::npos) << seen;

  // Let it pass a checkpoint, then kill it where it stands.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!std::filesystem::exists(dir.file("run/checkpoint.pt")) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_TRUE(std::filesystem::exists(dir.file("run/checkpoint.pt")));

  // Rows logged before the kill: at least the checkpoint's iterations. Resume a little past them.
  const std::string count = python + " -c \"import h5py; print(h5py.File('" + dir.file("run/run.h5") +
                            "', 'r', swmr=True)['train/loss'].shape[0])\"";
  FILE* counter = popen(count.c_str(), "r");
  ASSERT_NE(counter, nullptr);
  long rows = -1;
  ASSERT_EQ(fscanf(counter, "%ld", &rows), 1);
  pclose(counter);
  ASSERT_GE(rows, 5);
  const std::string total = std::to_string(rows + 3);
  const Outcome resumed = run_eqnca(dir, base + " --iterations " + total + " --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("trained " + total + " iterations"), std::string::npos) << resumed.out;
  // Closed cleanly now: a plain (non-SWMR) h5py reader opens it and finds one row per iteration.
  const std::string check = python + " -c \"import h5py; f = h5py.File('" + dir.file("run/run.h5") +
                            "', 'r'); assert f['train/loss'].shape == (" + total + ",), f['train/loss'].shape\"";
  EXPECT_EQ(std::system(check.c_str()), 0) << check;
}

}  // namespace
}  // namespace eqnca::experiments
