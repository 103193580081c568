// `eqnca grow` as a user meets it: --help lists every option; bad input ends with one line
// "eqnca: error: ..."; a tiny run writes the frames, the contact sheet, the GIF and the HDF5
// frames it promises.
// The run grows a default-initialised growing NCA (its last layer is zero, so every frame is the
// seed: one black cell at the centre of a white grid), which makes every pixel predictable.
#include <gif_lib.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "experiments/io/image_io.h"
#include "experiments/io/run_log.h"
#include "tests/experiments/cli/CliTestUtil.h"
#include "tests/experiments/training/TrainTestUtil.h"

namespace eqnca::experiments {
namespace {

using testing::expect_one_line_error;
using testing::expect_one_line_usage_error;
using testing::Outcome;
using testing::run_eqnca;

class CmdGrowTest : public testing::CliTest {};

TEST_F(CmdGrowTest, HelpNamesEveryOptionAndBadInputGivesOneLineErrors) {
  testing::expect_help_names(dir, "grow",
                             {"--checkpoint", "--model", "--init", "--device", "--rotate-element", "--angle",
                              "--mirror", "--steps", "--size", "--damage-at", "--damage-radius", "--damage-center",
                              "--frame-every", "--scale", "--columns", "--seed", "--json", "--out"});
  const std::string out = " --out " + dir.file("grow");
  expect_one_line_error(run_eqnca(dir, "grow --model c5x" + out), "unknown model 'c5x'");
  expect_one_line_error(run_eqnca(dir, "grow --checkpoint " + dir.file("none.pt") + out), "none.pt' does not exist");
  expect_one_line_error(run_eqnca(dir, "grow --model c4 --rotate-element 7" + out), "--rotate-element 7");
  expect_one_line_usage_error(run_eqnca(dir, "grow --model c4 --steps 0" + out), "--steps");
  EXPECT_FALSE(std::filesystem::exists(dir.file("grow")));  // nothing written on failure
}

TEST_F(CmdGrowTest, WritesFramesContactSheetAndGif) {
  namespace fs = std::filesystem;
  const fs::path out = dir.file("grow");
  const Outcome o = run_eqnca(dir,
                              "grow --model growing --init default --steps 6 --size 9 --frame-every 4 --scale 2 "
                              "--columns 2 --out " +
                                  out.string());
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("3 frames"), std::string::npos) << o.out;

  // Frames at step 0, every 4th step and the last, each 9 x 9 cells upscaled by 2: white, with
  // the seed cell (4, 4) a black 2 x 2 block.
  for (const char* name : {"frame_0000.png", "frame_0004.png", "frame_0006.png"}) {
    ASSERT_TRUE(fs::exists(out / name)) << name;
    const RgbaImage frame = read_png((out / name).string());
    ASSERT_EQ(frame.height, 18);
    ASSERT_EQ(frame.width, 18);
    for (int y = 0; y < 18; ++y)
      for (int x = 0; x < 18; ++x) {
        const float expected = (y / 2 == 4 && x / 2 == 4) ? 0.0f : 1.0f;
        EXPECT_NEAR(frame.at(y, x, 0), expected, 1e-6) << name << " " << y << "," << x;
      }
  }
  EXPECT_FALSE(fs::exists(out / "frame_0002.png"));

  // The contact sheet: 3 frames in rows of 2 at half the scale (9 px tiles), 2 px white gaps.
  const RgbaImage sheet = read_png((out / "contact_sheet.png").string());
  EXPECT_EQ(sheet.height, 2 * 9 + 2);
  EXPECT_EQ(sheet.width, 2 * 9 + 2);
  EXPECT_NEAR(sheet.at(4, 4, 0), 0.0f, 1e-6);            // first tile's seed
  EXPECT_NEAR(sheet.at(11 + 4, 11 + 4, 0), 1.0f, 1e-6);  // the empty fourth tile
  EXPECT_NEAR(sheet.at(11 + 4, 4, 0), 0.0f, 1e-6);       // third tile's seed

  // growth.h5: the same 3 frames' RGBA (the seed cell's alpha 1, all else 0) and their steps.
  {
    const RunLog log = RunLog::open_read_only((out / "growth.h5").string());
    std::vector<hsize_t> dims;
    const std::vector<float> rgba = log.read_array("growth/rgba", &dims);
    ASSERT_EQ(dims, (std::vector<hsize_t>{3, 4, 9, 9}));
    EXPECT_EQ(rgba[size_t(2 * 4 * 81 + 3 * 81 + 4 * 9 + 4)], 1.0f);  // frame 2, alpha, cell (4, 4)
    EXPECT_EQ(rgba[size_t(2 * 4 * 81 + 3 * 81 + 0)], 0.0f);
    EXPECT_EQ(log.read_array("growth/steps"), (std::vector<float>{0, 4, 6}));
  }

  // The GIF: 3 frames on an 18 x 18 canvas, read back by giflib.
  int error = 0;
  GifFileType* gif = DGifOpenFileName((out / "growth.gif").c_str(), &error);
  ASSERT_NE(gif, nullptr) << GifErrorString(error);
  ASSERT_EQ(DGifSlurp(gif), GIF_OK) << GifErrorString(gif->Error);
  EXPECT_EQ(gif->SWidth, 18);
  EXPECT_EQ(gif->SHeight, 18);
  EXPECT_EQ(gif->ImageCount, 3);
  DGifCloseFile(gif, &error);
}

TEST_F(CmdGrowTest, ReportsTheLossAgainstTheTurnedTargetWithAndWithoutDamage) {
  // A c4 run trained for a few iterations: its target PNG is found, so grow reports the loss of
  // the final state against the target turned like the seed, by the same formula as eqnca
  // equivariance's rotated-target loss (same steps and mask seed: the same number).
  testing::write_test_target(dir.file("t.png"));
  const std::string train = "train --target " + dir.file("t.png") +
                            " --target-size 9 --pad 3 --model c4 --hidden-fields 2 --state-fields 1 --batch 2"
                            " --pool-size 4 --steps-min 4 --steps-max 6 --iterations 3 --threads 1 --out " +
                            dir.file("run");
  ASSERT_EQ(run_eqnca(dir, train).status, 0);
  const std::string grow = "grow --checkpoint " + dir.file("run/checkpoint.pt") + " --steps 8 --json --seed 3";
  auto loss_of = [&](const std::string& args) {
    const Outcome o = run_eqnca(dir, grow + args);
    EXPECT_EQ(o.status, 0) << o.err;
    const auto j = nlohmann::json::parse(o.out);
    EXPECT_TRUE(j["loss"].is_number()) << o.out;
    return j["loss"].is_number() ? j["loss"].get<double>() : -1.0;
  };
  const double plain = loss_of(" --rotate-element 1 --out " + dir.file("g1"));
  const double bitten = loss_of(" --rotate-element 1 --damage-at 7 --damage-radius 3 --out " + dir.file("g2"));
  EXPECT_GT(plain, 0.0);
  EXPECT_NE(plain, bitten);  // the bite one step before the end shows in the loss

  // eqnca equivariance turns the unturned run's masks with the seed, grow draws its own on the
  // turned grid: the same loss up to mask noise (under 1e-3 relative for this barely trained
  // rule). c4 is equivariant, so the upright seed against the upright target agrees as well.
  const Outcome e = run_eqnca(
      dir, "equivariance --checkpoint " + dir.file("run/checkpoint.pt") + " --steps 8 --angles 90 --seed 3 --json");
  ASSERT_EQ(e.status, 0) << e.err;
  const auto j = nlohmann::json::parse(e.out);
  EXPECT_NEAR(j["elements"][0]["rotated_target_loss"].get<double>(), plain, 1e-3 * plain);
  const double upright = loss_of(" --out " + dir.file("g0"));
  EXPECT_NEAR(upright, plain, 1e-3 * plain);
}

}  // namespace
}  // namespace eqnca::experiments
