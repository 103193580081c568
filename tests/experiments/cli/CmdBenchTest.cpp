// `eqnca bench` as a user meets it: --help lists every option; bad input ends with one line
// "eqnca: error: ..."; a tiny --json run prints only one JSON object (what bench/side_by_side.py
// reads) with every key, and the values follow the options given. Timings themselves are
// BenchRunnerTest's subject.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/experiments/cli/CliTestUtil.h"

namespace eqnca::experiments {
namespace {

using testing::expect_one_line_error;
using testing::Outcome;
using testing::run_eqnca;

class CmdBenchTest : public testing::CliTest {};

TEST_F(CmdBenchTest, HelpNamesEveryOptionAndBadInputGivesOneLineErrors) {
  testing::expect_help_names(dir, "bench",
                             {"--model", "--hidden-fields", "--batch", "--size", "--steps", "--threads", "--device",
                              "--repeats", "--warmup", "--mode", "--path", "--seed", "--json"});
  expect_one_line_error(run_eqnca(dir, "bench --model c5x --steps 1"), "unknown model 'c5x'");
  expect_one_line_error(run_eqnca(dir, "bench --path bogus"), "unknown --path 'bogus'");
  expect_one_line_error(run_eqnca(dir, "bench --batch 0"), "--batch must be >= 1, got 0");
}

TEST_F(CmdBenchTest, JsonHasEveryKeyAndFollowsTheOptions) {
  const Outcome o = run_eqnca(dir,
                              "bench --model c4 --hidden-fields 2 --batch 1 --size 8 --steps 2 --repeats 1 "
                              "--warmup 0 --threads 1 --mode growth --path fused --json");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out.find('\n'), o.out.size() - 1) << "one line of JSON only:\n" << o.out;
  const auto json = nlohmann::ordered_json::parse(o.out);
  std::vector<std::string> keys;
  for (const auto& [key, value] : json.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"implementation", "model", "task", "device", "threads", "batch", "size",
                                            "steps", "growth_cell_updates_per_s", "train_s_per_iteration",
                                            "parameter_count", "multiply_adds_per_cell", "torch_version", "path"}));
  EXPECT_EQ(json["implementation"], "eqnca");
  EXPECT_EQ(json["model"], "c4");
  EXPECT_EQ(json["device"], "cpu");
  EXPECT_EQ(json["threads"], 1);
  EXPECT_EQ(json["batch"], 1);
  EXPECT_EQ(json["size"], 8);
  EXPECT_EQ(json["steps"], 2);
  EXPECT_EQ(json["path"], "fused");
  EXPECT_GT(json["growth_cell_updates_per_s"].get<double>(), 0.0);
  EXPECT_TRUE(json["train_s_per_iteration"].is_null());  // --mode growth: not measured
  // Two hidden regular fields of C4 instead of the parameter-matched width: far below 8,336.
  EXPECT_GT(json["parameter_count"].get<int>(), 0);
  EXPECT_LT(json["parameter_count"].get<int>(), 1000);
  EXPECT_GT(json["multiply_adds_per_cell"].get<int>(), 0);
}

}  // namespace
}  // namespace eqnca::experiments
