// `eqnca equivariance` as a user meets it: --help lists every option; bad input ends with one
// line "eqnca: error: ..."; a tiny --json run prints one JSON object whose keys and elements
// follow the options given (angles, mirror, steps), and --out adds eval/equivariance/... to a
// run log. The values themselves are EquivarianceEvalTest's subject; here only their plumbing:
// SO(2)'s quarter turn is exact (<= 1e-5, float rounding), 45 degrees is not marked exact.
// A texture run (3 iterations of `eqnca train --task texture`) is evaluated as one: its JSON
// carries finite texture losses against the turned and the unturned texture, and --out logs them.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "experiments/io/run_log.h"
#include "tests/experiments/cli/CliTestUtil.h"

namespace eqnca::experiments {
namespace {

using testing::expect_one_line_error;
using testing::expect_one_line_usage_error;
using testing::Outcome;
using testing::run_eqnca;

class CmdEquivarianceTest : public testing::CliTest {};

TEST_F(CmdEquivarianceTest, HelpNamesEveryOptionAndBadInputGivesOneLineErrors) {
  testing::expect_help_names(
      dir, "equivariance",
      {"--checkpoint", "--model", "--init", "--device", "--steps", "--size", "--angles", "--mirror", "--seed", "--json",
       "--out", "--task", "--start", "--target", "--target-size", "--texture-loss"});
  expect_one_line_error(run_eqnca(dir, "equivariance --model c5x"), "unknown model 'c5x'");
  expect_one_line_error(run_eqnca(dir, "equivariance --checkpoint " + dir.file("none.pt")), "none.pt' does not exist");
  expect_one_line_usage_error(run_eqnca(dir, "equivariance --model c4 --steps 0"), "--steps");
  expect_one_line_error(run_eqnca(dir, "equivariance --model c4 --start zeros"),
                        "--start must be seed or noise, got 'zeros'");
  expect_one_line_error(run_eqnca(dir, "equivariance --model c4 --task weave"), "--task must be grow or texture");
  expect_one_line_error(run_eqnca(dir, "equivariance --model c4 --task texture"), "needs --target FILE.png");
  expect_one_line_error(run_eqnca(dir, "equivariance --model c4 --target data/gray_scott_spots.png"),
                        "apply to --task texture");
}

TEST_F(CmdEquivarianceTest, JsonFollowsTheOptionsAndTheLogIsWritten) {
  const std::string log = dir.file("eval.h5");
  const Outcome o = run_eqnca(
      dir, "equivariance --model so2 --init random --steps 2 --size 9 --angles 90,45 --mirror --json --out " + log);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out.find('\n'), o.out.size() - 1) << "one line of JSON expected:\n" << o.out;
  const auto json = nlohmann::ordered_json::parse(o.out);
  std::vector<std::string> keys;
  for (const auto& [key, value] : json.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"model", "group", "steps", "elements"}));
  EXPECT_EQ(json["model"], "so2");
  EXPECT_EQ(json["steps"], 2);
  // --angles 90,45 with --mirror: the two rotations, then their mirrored versions.
  ASSERT_EQ(json["elements"].size(), 4u);
  const std::vector<double> angles{90.0, 45.0, 90.0, 45.0};
  for (size_t i = 0; i < 4; ++i) {
    const auto& e = json["elements"][i];
    std::vector<std::string> element_keys;
    for (const auto& [key, value] : e.items()) element_keys.push_back(key);
    EXPECT_EQ(element_keys,
              (std::vector<std::string>{"angle_deg", "reflection", "exact", "max_rel_error", "final_rel_error",
                                        "final_rel_error_independent", "rotated_target_loss", "texture_loss_turned",
                                        "texture_loss_unturned"}));
    EXPECT_EQ(e["angle_deg"].get<double>(), angles[i]);
    EXPECT_EQ(e["reflection"].get<bool>(), i >= 2);
    EXPECT_EQ(e["exact"].get<bool>(), angles[i] == 90.0);
    EXPECT_TRUE(e["rotated_target_loss"].is_null());  // a --model has no target
    EXPECT_TRUE(e["texture_loss_turned"].is_null());  // nor a texture
  }
  EXPECT_LE(json["elements"][0]["max_rel_error"].get<double>(), 1e-5);

  const RunLog run = RunLog::open_existing(log);
  for (const char* name : {"angle_deg", "max_rel_error", "rel_error_shared"})
    EXPECT_TRUE(run.exists(std::string("eval/equivariance/") + name)) << name;
  EXPECT_EQ(run.read_array("eval/equivariance/angle_deg").size(), 4u);
}

TEST_F(CmdEquivarianceTest, TextureRunsReportTheTurnedAndUnturnedTextureLoss) {
  const Outcome trained =
      run_eqnca(dir,
                "train --task texture --target data/gray_scott_spots.png --target-size 16 --grid 16 --model growing"
                " --channels 8 --hidden 16 --batch 2 --pool-size 4 --steps-min 4 --steps-max 6 --iterations 3"
                " --threads 1 --out " +
                    dir.file("run"));
  ASSERT_EQ(trained.status, 0) << trained.err;
  const std::string log = dir.file("eval.h5");
  for (const std::string start : {"seed", "noise"}) {
    const Outcome o = run_eqnca(dir, "equivariance --checkpoint " + dir.file("run/checkpoint.pt") +
                                         " --steps 4 --angles 90,45 --json --start " + start + " --out " + log);
    ASSERT_EQ(o.status, 0) << o.err;
    const auto json = nlohmann::ordered_json::parse(o.out);
    ASSERT_EQ(json["elements"].size(), 2u);
    for (const auto& e : json["elements"]) {
      EXPECT_TRUE(e["rotated_target_loss"].is_null());  // a texture has no grown target
      EXPECT_GT(e["texture_loss_turned"].get<double>(), 0.0) << o.out;
      EXPECT_GT(e["texture_loss_unturned"].get<double>(), 0.0) << o.out;
    }
  }
  const RunLog run = RunLog::open_existing(log);
  EXPECT_EQ(run.read_array("eval/equivariance/texture_loss_turned").size(), 2u);
  EXPECT_EQ(run.read_array("eval/equivariance/texture_loss_unturned").size(), 2u);
  // A texture run is not a grow run.
  expect_one_line_error(run_eqnca(dir, "equivariance --checkpoint " + dir.file("run/checkpoint.pt") + " --task grow"),
                        "is a texture run");
}

}  // namespace
}  // namespace eqnca::experiments
