// run_bench on a tiny problem: numbers are positive and the JSON carries every key
// bench/side_by_side.py reads. No timing is asserted (the test machines are shared). Every path
// runs, the fused ones train like the plain one (the loss after two iterations to 1e-4
// relative: RolloutTest's gradient tolerance), the warm-up runs are run, every model runs on the
// fused paths, and bad options and unknown paths fail with one-line messages.
#include "experiments/evaluation/bench_runner.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "models/model_factory.h"

namespace eqnca::experiments {
namespace {

BenchOptions tiny() {
  BenchOptions o;
  o.batch = 2;
  o.size = 12;
  o.steps = 3;
  o.threads = 1;
  o.repeats = 2;
  o.warmup = 0;
  return o;
}

TEST(BenchRunnerTest, MeasuresGrowthAndTraining) {
  const BenchResult r = run_bench(tiny());
  EXPECT_GT(r.growth_cell_updates_per_s, 0.0);
  EXPECT_GT(r.train_s_per_iteration, 0.0);
  EXPECT_EQ(r.parameter_count, 8336);  // the Distill model at its defaults
  // Its fused step: the Sobel pair's 12 taps on 16 channels, 48 -> 128 -> 16.
  EXPECT_EQ(r.multiply_adds_per_cell, 12 * 16 + 48 * 128 + 128 * 16);
  EXPECT_EQ(r.path, "plain");
  EXPECT_EQ(r.device, "cpu");
}

TEST(BenchRunnerTest, JsonHasEveryKeyInOrder) {
  BenchOptions o = tiny();
  o.mode = "growth";
  const BenchResult r = run_bench(o);
  const std::string text = to_json(r);
  EXPECT_EQ(text.find('\n'), std::string::npos) << "one line expected";
  const auto json = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (const auto& [key, value] : json.items()) keys.push_back(key);
  EXPECT_EQ(keys, std::vector<std::string>({"implementation", "model", "task", "device", "threads", "batch", "size",
                                            "steps", "growth_cell_updates_per_s", "train_s_per_iteration",
                                            "parameter_count", "multiply_adds_per_cell", "torch_version", "path"}));
  EXPECT_EQ(json["implementation"], "eqnca");
  EXPECT_EQ(json["task"], "grow");
  EXPECT_EQ(json["batch"], 2);
  EXPECT_EQ(json["parameter_count"], r.parameter_count);
  EXPECT_EQ(json["growth_cell_updates_per_s"].get<double>(), r.growth_cell_updates_per_s);  // exact round trip
  EXPECT_TRUE(json["train_s_per_iteration"].is_null());                                     // growth only: not measured
}

// The one-line message of the std::invalid_argument that run_bench(o) throws; "" if none.
std::string bench_error(const BenchOptions& o) {
  try {
    run_bench(o);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(BenchRunnerTest, UnknownPathIsRejected) {
  BenchOptions o = tiny();
  o.path = "fast-not-yet";
  EXPECT_EQ(bench_error(o),
            "bench: unknown --path 'fast-not-yet' (available: plain, fused, fused-dense, fast, fast-dense)");
}

TEST(BenchRunnerTest, EveryPathRuns) {
  EXPECT_EQ(bench_path_names(), (std::vector<std::string>{"plain", "fused", "fused-dense", "fast", "fast-dense"}));
  for (const std::string& path : bench_path_names()) {
    BenchOptions o = tiny();
    o.path = path;
    const BenchResult r = run_bench(o);
    EXPECT_EQ(r.path, path);
    EXPECT_GT(r.growth_cell_updates_per_s, 0.0) << path;
    EXPECT_GT(r.train_s_per_iteration, 0.0) << path;
    EXPECT_TRUE(std::isfinite(r.final_train_loss)) << path;
  }
}

// The same seed gives the same masks on every path, so the training losses agree.
TEST(BenchRunnerTest, FusedPathsTrainLikeThePlainOne) {
  BenchOptions o = tiny();
  o.mode = "train";
  o.size = 33;  // more than one work item of the fused step
  o.steps = 6;
  const double plain = run_bench(o).final_train_loss;
  ASSERT_GT(plain, 0.0);
  for (const std::string path : {"fast", "fast-dense", "fused", "fused-dense"}) {
    o.path = path;
    EXPECT_NEAR(run_bench(o).final_train_loss, plain, 1e-4 * plain) << path;
  }
  o.path = "fast";
  const double fast = run_bench(o).final_train_loss;
  o.path = "fused";
  EXPECT_EQ(run_bench(o).final_train_loss, fast);  // one backend under two names
}

// Warm-up runs are run (untimed): the loss after 1 + 2 iterations is the loss after 0 + 3.
// The texture task (all cells alive, circular padding, Gram texture loss) trains alike on every
// path, like the growing task above, and its loss is not the growing task's.
TEST(BenchRunnerTest, TextureTaskTrainsAlikeOnEveryPath) {
  BenchOptions o = tiny();
  o.mode = "train";
  o.task = "texture";
  o.size = 16;
  o.steps = 4;
  const BenchResult plain = run_bench(o);
  EXPECT_EQ(plain.task, "texture");
  ASSERT_GT(plain.final_train_loss, 0.0);
  for (const std::string path : {"fast", "fast-dense"}) {
    o.path = path;
    EXPECT_NEAR(run_bench(o).final_train_loss, plain.final_train_loss, 1e-4 * plain.final_train_loss) << path;
  }
  o.task = "grow";
  o.path = "plain";
  EXPECT_GT(std::abs(run_bench(o).final_train_loss - plain.final_train_loss), 1e-3 * plain.final_train_loss);
  o.mode = "growth";
  o.task = "texture";
  EXPECT_GT(run_bench(o).growth_cell_updates_per_s, 0.0);
}

TEST(BenchRunnerTest, WarmupRunsAreRun) {
  BenchOptions o = tiny();
  o.mode = "train";
  o.warmup = 1;
  o.repeats = 2;
  const double warm = run_bench(o).final_train_loss;
  o.warmup = 0;
  o.repeats = 3;
  EXPECT_EQ(run_bench(o).final_train_loss, warm);
  o.repeats = 1;
  EXPECT_NE(run_bench(o).final_train_loss, warm);
}

// Every built-in model has the fused step (the steerable one since its angle turn moved into the
// kernel), so `--path fast` and `fast-dense` take any of them.
TEST(BenchRunnerTest, EveryModelRunsOnTheFusedPaths) {
  BenchOptions o = tiny();
  o.mode = "growth";
  o.repeats = 1;
  for (const std::string& name : models::model_names())
    for (const std::string path : {"fast", "fast-dense"}) {
      o.model = name;
      o.path = path;
      EXPECT_EQ(bench_error(o), "") << name << " " << path;
    }
}

TEST(BenchRunnerTest, BadOptionsAreOneLineErrors) {
  BenchOptions o = tiny();
  o.batch = 0;
  EXPECT_EQ(bench_error(o), "bench: --batch must be >= 1, got 0");
  o = tiny();
  o.mode = "grow";
  EXPECT_EQ(bench_error(o), "bench: --mode must be growth, train or both, got 'grow'");
  o = tiny();
  o.device = "tpu";
  EXPECT_EQ(bench_error(o), "bench: --device must be cpu or cuda[:N], got 'tpu'");
  o = tiny();
  o.task = "textures";
  EXPECT_EQ(bench_error(o), "bench: --task must be grow or texture, got 'textures'");
  o = tiny();
  o.task = "texture";
  o.size = 6;
  EXPECT_EQ(bench_error(o), "bench: --task texture needs --size >= 8 (the feature network pools three times), got 6");
}

}  // namespace
}  // namespace eqnca::experiments
