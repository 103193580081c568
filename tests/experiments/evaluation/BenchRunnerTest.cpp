// run_bench on a tiny problem: numbers are positive and the JSON carries every key
// bench/side_by_side.py reads. No timing is asserted (the test machines are shared); paths are
// checked to be pluggable and unknown ones rejected with a one-line message.
#include "experiments/evaluation/bench_runner.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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
  const BenchResult r = run_bench(o);
  const std::string text = to_json(r);
  EXPECT_EQ(text.find('\n'), std::string::npos) << "one line expected";
  const auto json = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (const auto& [key, value] : json.items()) keys.push_back(key);
  EXPECT_EQ(keys, std::vector<std::string>({"implementation", "model", "device", "threads", "batch", "size", "steps",
                                            "growth_cell_updates_per_s", "train_s_per_iteration",
                                            "parameter_count", "torch_version", "path"}));
  EXPECT_EQ(json["implementation"], "eqnca");
  EXPECT_EQ(json["batch"], 2);
  EXPECT_EQ(json["parameter_count"], r.parameter_count);
  EXPECT_EQ(json["growth_cell_updates_per_s"].get<double>(), r.growth_cell_updates_per_s);  // exact round trip
  EXPECT_TRUE(json["train_s_per_iteration"].is_null());  // growth only: not measured
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
