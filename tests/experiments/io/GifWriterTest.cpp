// write_gif checked by decoding its file back with giflib (DGifOpenFileName + DGifSlurp): the
// GIF89a stamp, canvas size, frame count, NETSCAPE2.0 loop block, delay and disposal per frame,
// and every decoded pixel against the white-composited input. Colour tolerance: RGB distance
// below 42, the fixed palette's worst case (red and blue levels are 51 apart, green levels 42 or
// 43, so an 8-bit colour is at most sqrt(25^2 + 21^2 + 25^2) = 41.1 from its nearest cube colour).
#include "experiments/io/gif_writer.h"

#include <gif_lib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/experiments/TempDir.h"

namespace eqnca::experiments {
namespace {

constexpr int kMaxColourDistance = 42;

struct DecodedGif {
  std::string version;
  int width = 0, height = 0;
  std::vector<GifColorType> palette;  // the global colour table
  int background = -1;
  bool loops_forever = false;
  std::vector<int> delays, disposals;
  std::vector<std::vector<std::uint8_t>> frames;  // RGB, height x width x 3
};

// Everything giflib reads back; test failures name what is missing or malformed.
DecodedGif decode_gif(const std::string& path) {
  DecodedGif out;
  std::ifstream in(path, std::ios::binary);
  out.version.resize(6);
  in.read(out.version.data(), 6);

  int error = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
  if (gif == nullptr) {
    ADD_FAILURE() << "giflib cannot open " << path << ": " << GifErrorString(error);
    return out;
  }
  if (DGifSlurp(gif) == GIF_ERROR) {
    ADD_FAILURE() << "giflib cannot decode " << path << ": " << GifErrorString(gif->Error);
    DGifCloseFile(gif, &error);
    return out;
  }
  out.width = gif->SWidth;
  out.height = gif->SHeight;
  out.background = gif->SBackGroundColor;
  if (gif->SColorMap != nullptr)
    out.palette.assign(gif->SColorMap->Colors, gif->SColorMap->Colors + gif->SColorMap->ColorCount);
  for (int i = 0; i < gif->ImageCount; ++i) {
    const SavedImage& image = gif->SavedImages[i];
    // Before the first image: NETSCAPE2.0, then its sub-block {1, loop count low, high}.
    for (int b = 0; b + 1 < image.ExtensionBlockCount; ++b) {
      const ExtensionBlock& app = image.ExtensionBlocks[b];
      const ExtensionBlock& data = image.ExtensionBlocks[b + 1];
      if (app.Function == APPLICATION_EXT_FUNC_CODE && app.ByteCount == 11 &&
          std::string(app.Bytes, app.Bytes + 11) == "NETSCAPE2.0" && data.Function == CONTINUE_EXT_FUNC_CODE)
        out.loops_forever = data.ByteCount == 3 && data.Bytes[0] == 1 && data.Bytes[1] == 0 && data.Bytes[2] == 0;
    }
    GraphicsControlBlock control{};
    if (DGifSavedExtensionToGCB(gif, i, &control) == GIF_OK) {
      out.delays.push_back(control.DelayTime);
      out.disposals.push_back(control.DisposalMode);
    }
    const GifImageDesc& desc = image.ImageDesc;
    EXPECT_EQ(desc.Left, 0);
    EXPECT_EQ(desc.Top, 0);
    EXPECT_EQ(desc.Width, out.width) << "frame " << i << " should cover the canvas";
    EXPECT_EQ(desc.Height, out.height) << "frame " << i << " should cover the canvas";
    EXPECT_EQ(desc.ColorMap, nullptr) << "frame " << i << ": one global palette expected";
    const ColorMapObject* map = desc.ColorMap != nullptr ? desc.ColorMap : gif->SColorMap;
    std::vector<std::uint8_t> rgb;
    for (int p = 0; p < desc.Width * desc.Height; ++p) {
      const GifColorType& c = map->Colors[image.RasterBits[p]];
      rgb.insert(rgb.end(), {c.Red, c.Green, c.Blue});
    }
    out.frames.push_back(std::move(rgb));
  }
  DGifCloseFile(gif, &error);
  return out;
}

DecodedGif write_and_decode(const std::vector<RgbaImage>& frames, int delay_cs, int scale = 1) {
  testing::TempDir dir;
  write_gif(dir.file("a.gif"), frames, delay_cs, scale);
  return decode_gif(dir.file("a.gif"));
}

RgbaImage noise(int height, int width, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  RgbaImage image = make_image(height, width);
  for (size_t p = 0; p < image.pixels.size(); p += 4) {
    const float alpha = uniform(rng) < 0.2f ? 0.0f : uniform(rng);
    for (int c = 0; c < 3; ++c) image.pixels[p + c] = uniform(rng) * alpha;
    image.pixels[p + 3] = alpha;
  }
  return image;
}

int squared_distance(const std::uint8_t* a, const GifColorType& b) {
  const int dr = a[0] - b.Red, dg = a[1] - b.Green, db = a[2] - b.Blue;
  return dr * dr + dg * dg + db * db;
}

// Every decoded pixel is within the tolerance of the white-composited input and is a nearest
// palette colour (brute force over the whole palette), so no better colour was available.
void expect_matches(const DecodedGif& gif, size_t frame, const RgbaImage& image, int scale) {
  ASSERT_LT(frame, gif.frames.size());
  ASSERT_EQ(gif.width, image.width * scale);
  ASSERT_EQ(gif.height, image.height * scale);
  const std::vector<std::uint8_t> rgb = composite_on_white_rgb8(image);
  for (int y = 0; y < gif.height; ++y)
    for (int x = 0; x < gif.width; ++x) {
      const std::uint8_t* want = &rgb[(static_cast<size_t>(y / scale) * image.width + x / scale) * 3];
      const std::uint8_t* got = &gif.frames[frame][(static_cast<size_t>(y) * gif.width + x) * 3];
      const GifColorType got_colour{got[0], got[1], got[2]};
      int best = squared_distance(want, gif.palette[0]);
      for (const GifColorType& c : gif.palette) best = std::min(best, squared_distance(want, c));
      ASSERT_LT(squared_distance(want, got_colour), kMaxColourDistance * kMaxColourDistance)
          << "frame " << frame << " pixel " << y << "," << x;
      ASSERT_EQ(squared_distance(want, got_colour), best) << "frame " << frame << " pixel " << y << "," << x;
    }
}

TEST(GifWriterTest, FileHasFramesSizeLoopAndDelays) {
  const std::vector<RgbaImage> frames = {noise(5, 7, 1), noise(5, 7, 2), noise(5, 7, 3)};
  const DecodedGif gif = write_and_decode(frames, 7);
  EXPECT_EQ(gif.version, "GIF89a");
  EXPECT_EQ(gif.width, 7);
  EXPECT_EQ(gif.height, 5);
  EXPECT_EQ(gif.palette.size(), 256u);
  ASSERT_GE(gif.background, 0);
  const GifColorType& background = gif.palette.at(gif.background);
  EXPECT_TRUE(background.Red == 255 && background.Green == 255 && background.Blue == 255)
      << "white background expected";
  EXPECT_TRUE(gif.loops_forever);
  EXPECT_EQ(gif.frames.size(), 3u);
  EXPECT_EQ(gif.delays, std::vector<int>({7, 7, 7}));
  EXPECT_EQ(gif.disposals, std::vector<int>(3, DISPOSE_DO_NOT));
  for (size_t f = 0; f < frames.size(); ++f) expect_matches(gif, f, frames[f], 1);  // and in order
}

TEST(GifWriterTest, ColoursComeBackWithinToleranceForManySizes) {
  // 160x160 noise needs many LZW dictionary resets; thin and tiny frames are edge cases.
  for (const auto& [height, width] : std::vector<std::pair<int, int>>{{160, 160}, {1, 1}, {29, 1}, {1, 70}, {31, 33}}) {
    SCOPED_TRACE(std::to_string(height) + "x" + std::to_string(width));
    const RgbaImage image = noise(height, width, static_cast<unsigned>(height * 1000 + width));
    expect_matches(write_and_decode({image}, 1), 0, image, 1);
    const RgbaImage flat = make_image(height, width);  // highly compressible
    expect_matches(write_and_decode({flat}, 1), 0, flat, 1);
  }
}

TEST(GifWriterTest, ExactColoursForWhiteBlackAndTransparent) {
  RgbaImage image = make_image(1, 3);
  image.pixels = {1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0};  // white, black, transparent
  const DecodedGif gif = write_and_decode({image}, 1);
  ASSERT_EQ(gif.frames.size(), 1u);
  EXPECT_EQ(gif.frames[0], std::vector<std::uint8_t>({255, 255, 255, 0, 0, 0, 255, 255, 255}));
}

TEST(GifWriterTest, ScaleRepeatsPixelsInBlocks) {
  const RgbaImage image = noise(3, 4, 9);
  const DecodedGif gif = write_and_decode({image, image}, 5, 3);
  EXPECT_EQ(gif.width, 12);
  EXPECT_EQ(gif.height, 9);
  expect_matches(gif, 1, image, 3);
  ASSERT_EQ(gif.frames.size(), 2u);
  EXPECT_EQ(gif.frames[0], gif.frames[1]);
}

// The message of the exception `call` throws, or "" when it throws none of type E.
template <typename E>
std::string message_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

TEST(GifWriterTest, RejectsBadInputWithOneLineMessages) {
  const std::vector<std::pair<std::function<void()>, std::string>> cases = {
      {[] { encode_gif({}, 5); }, "frames is empty"},
      {[] {
         encode_gif({make_image(2, 2), make_image(2, 3)}, 5);
       },
       "frame 1 is 3x2, expected 2x2"},
      {[] { encode_gif({make_image(2, 2)}, 5, 0); }, "scale must be >= 1, got 0"},
      {[] { encode_gif({make_image(2, 2)}, 70000); }, "delay_cs must be in 0..65535, got 70000"},
      {[] { encode_gif({make_image(2, 40000)}, 5, 2); }, "scaled size 80000x4"},
      {[] { encode_gif({make_image(0, 0)}, 5); }, "scaled size 0x0"},
  };
  for (const auto& [call, expected] : cases) {
    const std::string message = message_of<std::invalid_argument>(call);
    EXPECT_NE(message.find(expected), std::string::npos) << "got '" << message << "', expected '" << expected << "'";
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(GifWriterTest, WriteGifWritesEncodedBytesAtomically) {
  testing::TempDir dir;
  const std::vector<RgbaImage> frames = {noise(8, 8, 4), noise(8, 8, 5)};
  write_gif(dir.file("a.gif"), frames, 4, 2);
  std::ifstream in(dir.file("a.gif"), std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, encode_gif(frames, 4, 2));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1) << "temporary file left";
  const std::string message = message_of<std::runtime_error>([&] { write_gif("/proc/eqnca/a.gif", frames, 4); });
  EXPECT_NE(message.find("cannot write GIF '/proc/eqnca/a.gif'"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

}  // namespace
}  // namespace eqnca::experiments
