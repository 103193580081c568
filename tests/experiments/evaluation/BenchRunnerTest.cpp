// run_bench on a tiny problem: numbers are positive and the JSON carries every key
// bench/side_by_side.py reads. No timing is asserted (the test machines are shared); paths are
// checked to be pluggable and unknown ones rejected with a one-line message.
#include "experiments/evaluation/bench_runner.h"

#include <string>

#include <gtest/gtest.h>

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
  EXPECT_EQ(r.path, "plain");
  EXPECT_EQ(r.device, "cpu");
}

TEST(BenchRunnerTest, JsonHasEveryKeyInOrder) {
  BenchOptions o = tiny();
  o.mode = "growth";
  const std::string json = to_json(run_bench(o));
  size_t last = 0;
  for (const char* key : {"implementation", "model", "device", "threads", "batch", "size", "steps",
                          "growth_cell_updates_per_s", "train_s_per_iteration", "parameter_count", "torch_version",
                          "path"}) {
    const size_t at = json.find("\"" + std::string(key) + "\": ");
    ASSERT_NE(at, std::string::npos) << key;
    EXPECT_GT(at, last) << key;
    last = at;
  }
  EXPECT_NE(json.find("\"implementation\": \"eqnca\""), std::string::npos);
  EXPECT_NE(json.find("\"train_s_per_iteration\": null"), std::string::npos);  // growth only
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
}

TEST(BenchRunnerTest, UnknownPathIsRejected) {
  BenchOptions o = tiny();
  o.path = "fast-not-yet";
  try {
    run_bench(o);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown --path 'fast-not-yet'"), std::string::npos) << e.what();
  }
}

TEST(BenchRunnerTest, RegisteredPathsAreUsed) {
  int grows = 0, iterations = 0;
  register_bench_path("counting", [&](models::NcaModel&, const BenchOptions&) {
    BenchKernels k;
    k.grow = [&](const torch::Tensor& s, int) { ++grows; return s; };
    k.train_iteration = [&](const torch::Tensor&, const torch::Tensor&, int) { ++iterations; return 1.0; };
    return k;
  });
  BenchOptions o = tiny();
  o.path = "counting";
  o.warmup = 1;
  const BenchResult r = run_bench(o);
  EXPECT_EQ(grows, 3);  // warm-up + 2 repeats
  EXPECT_EQ(iterations, 3);
  EXPECT_EQ(r.path, "counting");
}

}  // namespace
}  // namespace eqnca::experiments
