// The training loop end to end on a tiny growing model (24x24 grid, 8..12 steps, batch 4):
// the loss falls; a run resumed from its checkpoint reproduces the uninterrupted loss curve on
// the CPU; a NaN stops training with the last checkpoint intact; bad input fails early. The
// texture task's loss falls too, on data/gray_scott_spots.png at 16x16.
#include <cmath>
#include <filesystem>
#include <numeric>
#include <sstream>

#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/optim/adam.h>

#include "experiments/io/data_path.h"
#include "experiments/io/run_log.h"
#include "experiments/training/checkpoint.h"
#include "experiments/training/trainer.h"
#include "tests/experiments/TempDir.h"
#include "tests/experiments/training/TrainTestUtil.h"

namespace eqnca::experiments {
namespace {

using testing::TempDir;

std::vector<double> losses(const std::string& log_path) {
  return RunLog::open_existing(log_path).read_scalars("train/loss");
}

double mean(const std::vector<double>& v, size_t from, size_t to) {
  return std::accumulate(v.begin() + from, v.begin() + to, 0.0) / static_cast<double>(to - from);
}

// Trains `c` for 20 iterations in one go (folder "whole") and, in folder "split", for 10 and
// then resumed to 20; the two loss curves must agree: the same ops in the same order on one CPU
// thread, equal up to float rounding of the loss. Returns the uninterrupted curve.
std::vector<double> expect_resume_reproduces_the_curve(TrainConfig c, const TempDir& dir) {
  std::ostringstream quiet;
  c.out_dir = dir.file("whole");
  c.iterations = 20;
  const auto whole = losses(train(c, false, quiet).log_path);
  c.out_dir = dir.file("split");
  c.iterations = 10;
  train(c, false, quiet);
  c.iterations = 20;
  const auto split = losses(train(c, true, quiet).log_path);
  EXPECT_EQ(whole.size(), 20u);
  EXPECT_EQ(split.size(), 20u);
  for (size_t i = 0; i < std::min(whole.size(), split.size()); ++i)
    EXPECT_NEAR(split[i], whole[i], 1e-6 * std::abs(whole[i])) << "iteration " << i + 1;
  return whole;
}

TEST(TrainerTest, LossFallsAndTheRunIsLogged) {
  TempDir dir;
  testing::write_test_target(dir.file("t.png"));
  auto c = testing::tiny_config(dir.file("t.png"), dir.file("run"));
  c.mode = "growing";
  c.iterations = 60;
  c.lr = 5e-3;
  c.snapshot_every = 30;
  std::ostringstream progress;
  const TrainResult r = train(c, false, progress);
  EXPECT_EQ(r.iterations, 60);
  const auto l = losses(r.log_path);
  ASSERT_EQ(l.size(), 60u);
  // Growing from the seed, the first losses are the target's own mean square; learning to grow
  // anything like it must cut that clearly within 60 iterations.
  EXPECT_LT(mean(l, 55, 60), 0.8 * mean(l, 0, 5)) << "first " << mean(l, 0, 5) << " last " << mean(l, 55, 60);
  EXPECT_DOUBLE_EQ(r.final_loss, l.back());

  RunLog log = RunLog::open_existing(r.log_path);
  for (const char* name : {"train/lr", "train/grad_norm", "train/wall_time", "train/iteration"})
    EXPECT_EQ(log.read_scalars(name).size(), 60u) << name;
  EXPECT_EQ(log.read_scalars("train/iteration").back(), 60.0);
  std::vector<hsize_t> dims;
  ASSERT_FALSE(log.snapshot_iterations().empty());
  EXPECT_EQ(log.snapshot_iterations().back(), 60.0);
  log.read_snapshot(log.snapshot_iterations().size() - 1, &dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{4, 8, 24, 24}));
  EXPECT_TRUE(std::filesystem::exists(r.checkpoint_path));
  EXPECT_TRUE(std::filesystem::exists(dir.file("run/config.toml")));
  EXPECT_FALSE(progress.str().empty());

  // A second fresh run into the same folder would overwrite it.
  EXPECT_THROW(train(c, false, progress), std::runtime_error);
}

TEST(TrainerTest, ResumeReproducesTheUninterruptedLossCurve) {
  TempDir dir;
  testing::write_test_target(dir.file("t.png"));
  // Regenerating mode with the curriculum exercises every piece of saved state: pool, damage,
  // curriculum, Adam, the generator, and the learning-rate drop at 15.
  auto c = testing::tiny_config(dir.file("t.png"), dir.file("whole"));
  c.curriculum = true;
  c.lr_drop = 15;
  expect_resume_reproduces_the_curve(c, dir);
}

TEST(TrainerTest, ResumeWithTurnedSeedsReproducesTheLossCurve) {
  TempDir dir;
  testing::write_test_target(dir.file("t.png"));
  // A C8 model: its seeds are planted at eighth turns (45 degrees resamples the target), and the
  // pool's angles are part of the saved state.
  auto c = testing::tiny_config(dir.file("t.png"), dir.file("whole"));
  c.model.name = "c8";
  c.model.hidden_fields = 2;
  c.model.state_fields = 1;
  c.mode = "persistent";
  c.seed_turns = "group";
  const auto whole = expect_resume_reproduces_the_curve(c, dir);

  std::ostringstream quiet;
  c.out_dir = dir.file("upright");
  c.iterations = 20;
  c.seed_turns = "none";
  EXPECT_NE(losses(train(c, false, quiet).log_path), whole) << "turned seeds changed nothing";
  // A run that planted upright seeds cannot be resumed with turned ones.
  c.seed_turns = "group";
  c.iterations = 30;
  try {
    train(c, true, quiet);
    ADD_FAILURE() << "resumed with another --seed-turns";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--seed-turns"), std::string::npos) << e.what();
  }
}

TEST(TrainerTest, ResumeDropsRowsLoggedAfterTheCheckpoint) {
  TempDir dir;
  testing::write_test_target(dir.file("t.png"));
  auto c = testing::tiny_config(dir.file("t.png"), dir.file("run"));
  c.iterations = 14;  // checkpoints at 10 and 14, snapshots at 4, 8, 12 ...
  c.snapshot_every = 4;
  std::ostringstream quiet;
  train(c, false, quiet);
  // ... roll the checkpoint back to 10 by re-running to 10 elsewhere and copying it in, as if
  // the run had been killed at 14 with its last checkpoint at 10.
  auto c10 = c;
  c10.out_dir = dir.file("ten");
  c10.iterations = 10;
  train(c10, false, quiet);
  std::filesystem::copy_file(dir.file("ten/checkpoint.pt"), dir.file("run/checkpoint.pt"),
                             std::filesystem::copy_options::overwrite_existing);
  c.iterations = 12;
  const auto r = train(c, true, quiet);
  EXPECT_EQ(r.iterations, 12);
  EXPECT_EQ(losses(r.log_path).size(), 12u);
  // The snapshot taken at 12 before the roll-back is dropped and taken again, once.
  EXPECT_EQ(RunLog::open_read_only(r.log_path).snapshot_iterations(), (std::vector<double>{4, 8, 12}));
}

TEST(TrainerTest, NanLossStopsAndKeepsTheLastGoodCheckpoint) {
  TempDir dir;
  testing::write_test_target(dir.file("t.png"));
  auto c = testing::tiny_config(dir.file("t.png"), dir.file("run"));
  c.lr = 1e30;  // the first update makes parameters ~1e30, the next rollout overflows
  c.checkpoint_every = 1;
  c.iterations = 50;
  std::ostringstream quiet;
  try {
    train(c, false, quiet);
    FAIL() << "expected training to stop";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_TRUE(message.find("NaN") != std::string::npos || message.find("infinite") != std::string::npos) << message;
    EXPECT_NE(message.find("kept"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  auto model = models::make_model(c.model);
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1.0));
  TrainingState state;
  ASSERT_NO_THROW(state = load_checkpoint(dir.file("run/checkpoint.pt"), *model, adam, torch::kCPU));
  EXPECT_GE(state.iteration, 1);
  for (const auto& p : model->parameters()) EXPECT_TRUE(torch::isfinite(p).all().item<bool>());
}

TEST(TrainerTest, BadInputFailsBeforeTraining) {
  TempDir dir;
  testing::write_test_target(dir.file("t.png"), 20);
  std::ostringstream quiet;
  auto c = testing::tiny_config(dir.file("t.png"), dir.file("run"));
  c.target_size = 0;  // 20 px target on a 12 + 2*6 = ... grid
  c.grid = 16;
  EXPECT_THROW(train(c, false, quiet), std::runtime_error);
  c = testing::tiny_config(dir.file("missing.png"), dir.file("run"));
  EXPECT_THROW(train(c, false, quiet), std::runtime_error);
  c = testing::tiny_config(dir.file("t.png"), dir.file("run"));
  EXPECT_THROW(train(c, true, quiet), std::runtime_error);  // nothing to resume
  c.batch = 0;
  EXPECT_THROW(train(c, false, quiet), std::invalid_argument);
  if (!torch::cuda::is_available()) {
    c = testing::tiny_config(dir.file("t.png"), dir.file("run"));
    c.device = "cuda";
    try {
      train(c, false, quiet);
      FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "CUDA requested but not available");
    }
  }
  c = testing::tiny_config(dir.file("t.png"), "/proc/eqnca-unwritable");
  EXPECT_THROW(train(c, false, quiet), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(dir.file("run/run.h5")));
}

// The texture task (`eqnca train --task texture`) on the Gray-Scott spots at 16x16 for 40
// iterations, seeded, on one thread, so the curve is the same on every run. Mode "growing": every
// sample starts from the all-alive texture start, so each iteration's loss measures forming the
// texture from it (with a persistent pool the batch mixes fresh starts and settled states, and
// the curve is too noisy to compare short windows).
TrainConfig texture_config(const std::string& model, const std::string& out_dir) {
  TrainConfig c = testing::tiny_config(resolve_data_file("data/gray_scott_spots.png"), out_dir);
  c.task = "texture";
  c.texture_loss = "gram";
  c.model.name = model;
  c.model.hidden_fields = 8;  // c4: a narrow model keeps the test fast (the baseline has hidden 32)
  c.target_size = 16;
  c.grid = 16;
  c.mode = "growing";
  c.iterations = 40;
  c.lr = 0.0;  // the model's default: 2e-3, x2 for c4 (learning_rate_scale)
  c.lr_final = 0.0;
  c.lr_drop = 1000;
  c.snapshot_every = 0;
  c.checkpoint_every = 40;
  return c;
}

// Measured (2 shared cores, under 1 s per model): mean loss of iterations 1-10 -> 31-40,
// growing 0.0185 -> 0.00119 (x0.064), c4 0.0148 -> 0.00146 (x0.098). The bound, below half, leaves
// a margin of 5x or more; a model that does not learn stays near its first losses.
TEST(TrainerTest, TextureLossFallsOnGrayScottSpots) {
  for (const std::string model : {"growing", "c4"}) {
    TempDir dir;
    std::ostringstream progress;
    const TrainResult r = train(texture_config(model, dir.file("run")), false, progress);
    const auto l = losses(r.log_path);
    ASSERT_EQ(l.size(), 40u);
    const double first = mean(l, 0, 10), last = mean(l, 30, 40);
    EXPECT_LT(last, 0.5 * first) << model << ": first " << first << " last " << last;
  }
}

}  // namespace
}  // namespace eqnca::experiments
