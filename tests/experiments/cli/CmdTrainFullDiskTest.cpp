// `eqnca train` on a full disk, on a real file system: a 4 MiB tmpfs mounted for the test (which
// needs root and the right to mount; skipped with a message otherwise), filled with a file
// written until the kernel says ENOSPC. A full disk must end the run with one clear line and a
// non-zero status, leave the last checkpoint byte for byte and the log readable, leave no
// temporary or half-created file, and let the run continue once space is freed.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "experiments/io/run_log.h"
#include "tests/experiments/cli/CliTestUtil.h"
#include "tests/experiments/training/TrainTestUtil.h"

namespace eqnca::experiments {
namespace {

namespace fs = std::filesystem;
using testing::Outcome;
using testing::run_eqnca;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The last line of stderr (progress lines come before it) is the error, and the only one.
void expect_error_line_last(const Outcome& o, const std::string& needle) {
  EXPECT_EQ(o.status, 1) << o.err;
  const size_t begin = o.err.rfind('\n', o.err.size() - 2);
  const std::string last = o.err.substr(begin == std::string::npos ? 0 : begin + 1);
  EXPECT_EQ(last.rfind("eqnca: error: ", 0), 0u) << o.err;
  EXPECT_NE(last.find(needle), std::string::npos) << "'" << needle << "' in: " << o.err;
  EXPECT_EQ(o.err.find("eqnca: error: "), o.err.rfind("eqnca: error: ")) << o.err;
}

class CmdTrainFullDiskTest : public testing::CliTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root; full-disk test skipped";
    disk = dir.file("disk");
    fs::create_directory(disk);
    if (std::system(("mount -t tmpfs -o size=4m tmpfs " + disk + " 2>/dev/null").c_str()) != 0)
      GTEST_SKIP() << "cannot mount a tmpfs here (no CAP_SYS_ADMIN?); full-disk test skipped";
    mounted = true;
    testing::write_test_target(dir.file("t.png"));
    // A pool of 16 states on a 20x20 grid: a checkpoint of ~400 KB, so a full disk cannot hide
    // it in space the file system still has.
    base = "train --target " + dir.file("t.png") +
           " --target-size 12 --pad 4 --model growing --batch 2 --pool-size 16 --steps-min 8 --steps-max 12"
           " --threads 1 --log-every 5 --checkpoint-every 10 --out " +
           run;
  }
  void TearDown() override {
    if (mounted) std::system(("umount -l " + disk).c_str());
  }

  // Writes a file until the kernel refuses (ENOSPC): the disk is then full to the last block.
  void fill_disk() {
    std::ofstream filler(disk + "/filler", std::ios::binary);
    const std::string block(4096, '\0');
    while (filler.write(block.data(), std::streamsize(block.size())) && filler.flush()) {
    }
  }
  void free_disk() { fs::remove(disk + "/filler"); }

  std::vector<std::string> temporaries() const {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(run))
      if (entry.path().filename().string().find(".tmp-") != std::string::npos) found.push_back(entry.path());
    return found;
  }

  std::string disk, base;
  std::string run = dir.file("disk/run");
  bool mounted = false;
};

TEST_F(CmdTrainFullDiskTest, ARunThatFillsTheDiskStopsCleanlyAndContinuesOnceSpaceIsFree) {
  Outcome o = run_eqnca(dir, base + " --iterations 20");
  ASSERT_EQ(o.status, 0) << o.err;
  const std::string checkpoint = slurp(run + "/checkpoint.pt");
  ASSERT_GT(checkpoint.size(), 100000u);

  fill_disk();
  o = run_eqnca(dir, "train --out " + run + " --resume --iterations 200");
  expect_error_line_last(o, "No space left on device");
  EXPECT_EQ(slurp(run + "/checkpoint.pt"), checkpoint) << "the last checkpoint must survive untouched";
  EXPECT_TRUE(temporaries().empty()) << temporaries().front();
  // The log is readable and still holds the 20 rows the checkpoint stands for.
  EXPECT_GE(RunLog::open_read_only(run + "/run.h5").read_scalars("train/loss").size(), 20u);

  free_disk();
  o = run_eqnca(dir, "train --out " + run + " --resume --iterations 40");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("trained 40 iterations"), std::string::npos) << o.out;
  const std::vector<double> iterations = RunLog::open_read_only(run + "/run.h5").read_scalars("train/iteration");
  ASSERT_EQ(iterations.size(), 40u);
  for (size_t i = 0; i < iterations.size(); ++i) EXPECT_EQ(iterations[i], double(i + 1));
}

TEST_F(CmdTrainFullDiskTest, ANewRunOnAFullDiskLeavesNoHalfCreatedLog) {
  fill_disk();
  Outcome o = run_eqnca(dir, base + " --iterations 4");
  expect_error_line_last(o, "No space left on device");
  EXPECT_FALSE(fs::exists(run + "/run.h5")) << "a log that could not be created must not be left behind";

  free_disk();
  o = run_eqnca(dir, base + " --iterations 4");  // not "already holds a run"
  ASSERT_EQ(o.status, 0) << o.err;
}

}  // namespace
}  // namespace eqnca::experiments
