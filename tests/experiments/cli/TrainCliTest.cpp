// `eqnca train` as a user meets it: bad input ends with one line "eqnca: error: ..." on stderr
// and exit status 1; --help explains every option; a tiny run succeeds and can be resumed.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/experiments/TempDir.h"
#include "tests/experiments/training/TrainTestUtil.h"

namespace eqnca::experiments {
namespace {

using testing::TempDir;

struct Outcome {
  int status;
  std::string out, err;
};

Outcome run_eqnca(const TempDir& dir, const std::string& args) {
#ifndef EQNCA_EXECUTABLE
  (void)dir;
  (void)args;
  return {-1, "", ""};
#else
  const std::string out = dir.file("stdout.txt"), err = dir.file("stderr.txt");
  const int raw = std::system((std::string(EQNCA_EXECUTABLE) + " " + args + " >" + out + " 2>" + err).c_str());
  auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
#endif
}

// One line, starting "eqnca: error: ", containing `needle`, and exit status 1.
void expect_one_line_error(const Outcome& o, const std::string& needle) {
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_EQ(o.err.rfind("eqnca: error: ", 0), 0u) << o.err;
  EXPECT_NE(o.err.find(needle), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << o.err;
}

class TrainCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef EQNCA_EXECUTABLE
    GTEST_SKIP() << "the eqnca executable is not built";
#endif
    testing::write_test_target(dir.file("t.png"));
    base = "train --target " + dir.file("t.png") +
           " --target-size 12 --pad 6 --model growing --channels 8 --hidden 16 --batch 2 --pool-size 4"
           " --steps-min 4 --steps-max 6 --threads 1 --out " + dir.file("run");
  }
  TempDir dir;
  std::string base;
};

TEST_F(TrainCliTest, BadInputGivesOneLineErrors) {
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

TEST_F(TrainCliTest, HelpExplainsEveryOption) {
  const Outcome o = run_eqnca(dir, "train --help");
  EXPECT_EQ(o.status, 0);
  for (const char* option : {"--config", "--model", "--target", "--iterations", "--batch", "--pool-size", "--steps-min",
                             "--steps-max", "--lr", "--mode", "--loss", "--curriculum", "--device", "--seed",
                             "--threads", "--out", "--hidden", "--fire-rate", "--padding", "--band-limit", "--resume"})
    EXPECT_NE(o.out.find(option), std::string::npos) << option;
}

TEST_F(TrainCliTest, TrainsAndResumes) {
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
