// `eqnca grow` as a user meets it: --help lists every option; bad input ends with one line
// "eqnca: error: ..."; a tiny run writes the frames, the contact sheet and the GIF it promises.
// The run grows a default-initialised growing NCA (its last layer is zero, so every frame is the
// seed: one black cell at the centre of a white grid), which makes every pixel predictable.
#include <gif_lib.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "experiments/io/image_io.h"
#include "tests/experiments/cli/CliTestUtil.h"

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
                              "--frame-every", "--scale", "--columns", "--seed", "--out"});
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

}  // namespace
}  // namespace eqnca::experiments
