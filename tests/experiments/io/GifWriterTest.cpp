// encode_gif checked by an independent GIF parser and LZW decoder written here from the GIF89a
// specification: header, loop extension, one graphic control + image per frame, and decoded
// pixels within half a palette step of the white-composited input.
#include "experiments/io/gif_writer.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "tests/experiments/TempDir.h"

namespace eqnca::experiments {
namespace {

struct ParsedGif {
  int width = 0, height = 0;
  std::vector<std::uint8_t> palette;
  bool loops_forever = false;
  std::vector<int> delays;
  std::vector<std::vector<std::uint8_t>> frames;  // palette indices
};

// Reference LZW decoder; fails the test on any code it cannot explain.
std::vector<std::uint8_t> lzw_decode(const std::vector<std::uint8_t>& data, int min_code_size) {
  const int clear = 1 << min_code_size, end = clear + 1;
  std::vector<std::vector<std::uint8_t>> table;
  auto reset = [&] {
    table.assign(end + 1, {});
    for (int i = 0; i < clear; ++i) table[i] = {static_cast<std::uint8_t>(i)};
  };
  reset();
  int width = min_code_size + 1, previous = -1;
  size_t bit = 0;
  std::vector<std::uint8_t> out;
  while (true) {
    if (bit + width > data.size() * 8) {
      ADD_FAILURE() << "LZW data ended without an end code";
      return out;
    }
    int code = 0;
    for (int i = 0; i < width; ++i, ++bit) code |= ((data[bit / 8] >> (bit % 8)) & 1) << i;
    if (code == clear) {
      reset();
      width = min_code_size + 1;
      previous = -1;
      continue;
    }
    if (code == end) break;
    std::vector<std::uint8_t> entry;
    if (code < static_cast<int>(table.size()) && (code < clear || code > end)) {
      entry = table[code];
    } else if (code == static_cast<int>(table.size()) && previous >= 0) {
      entry = table[previous];
      entry.push_back(table[previous][0]);
    } else {
      ADD_FAILURE() << "invalid LZW code " << code << " with table size " << table.size();
      return out;
    }
    if (previous >= 0 && table.size() < 4096) {
      std::vector<std::uint8_t> added = table[previous];
      added.push_back(entry[0]);
      table.push_back(added);
    }
    out.insert(out.end(), entry.begin(), entry.end());
    previous = code;
    if (static_cast<int>(table.size()) == (1 << width) && width < 12) ++width;
  }
  EXPECT_LE((bit + 7) / 8, data.size());
  EXPECT_GT(bit + 8, data.size() * 8) << "bytes left after the end code";
  return out;
}

ParsedGif parse_gif(const std::vector<std::uint8_t>& bytes) {
  ParsedGif gif;
  size_t pos = 0;
  auto u8 = [&] { return bytes.at(pos++); };
  auto u16 = [&] { const int lo = u8(); return lo | (u8() << 8); };
  auto sub_blocks = [&] {
    std::vector<std::uint8_t> data;
    for (int n = u8(); n != 0; n = u8())
      for (int i = 0; i < n; ++i) data.push_back(u8());
    return data;
  };
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 6), "GIF89a");
  pos = 6;
  gif.width = u16();
  gif.height = u16();
  const int flags = u8();
  EXPECT_EQ(flags & 0x80, 0x80) << "global colour table expected";
  u8();  // background index
  u8();  // aspect
  const size_t palette_size = 3u << ((flags & 7) + 1);
  gif.palette.assign(bytes.begin() + pos, bytes.begin() + pos + palette_size);
  pos += palette_size;
  while (true) {
    const int introducer = u8();
    if (introducer == 0x3B) break;
    if (introducer == 0x21) {
      const int label = u8();
      const std::vector<std::uint8_t> data = sub_blocks();
      if (label == 0xF9) {
        EXPECT_EQ(data.size(), 4u);
        gif.delays.push_back(data[1] | (data[2] << 8));
      } else if (label == 0xFF) {
        const std::string id(data.begin(), data.begin() + 11);
        if (id == "NETSCAPE2.0") gif.loops_forever = data.size() == 14 && data[11] == 1 && data[12] == 0 && data[13] == 0;
      }
    } else if (introducer == 0x2C) {
      EXPECT_EQ(u16(), 0);
      EXPECT_EQ(u16(), 0);
      const int w = u16(), h = u16();
      EXPECT_EQ(w, gif.width);
      EXPECT_EQ(h, gif.height);
      EXPECT_EQ(u8() & 0x80, 0) << "no local colour table expected";
      const int min_code_size = u8();
      gif.frames.push_back(lzw_decode(sub_blocks(), min_code_size));
      EXPECT_EQ(gif.frames.back().size(), static_cast<size_t>(w) * h);
    } else {
      ADD_FAILURE() << "unexpected block introducer " << introducer << " at byte " << pos - 1;
      break;
    }
  }
  EXPECT_EQ(pos, bytes.size()) << "bytes after the trailer";
  return gif;
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

// Each decoded colour must be a nearest palette colour (checked by brute force over all 256),
// and no further than the cube's half-diagonal step sqrt(25.5^2 + 21.25^2 + 25.5^2) < 42.
void expect_matches(const ParsedGif& gif, size_t frame, const RgbaImage& image, int scale) {
  const std::vector<std::uint8_t> rgb = composite_on_white_rgb8(image);
  for (int y = 0; y < gif.height; ++y)
    for (int x = 0; x < gif.width; ++x) {
      const std::uint8_t* want = &rgb[(static_cast<size_t>(y / scale) * image.width + x / scale) * 3];
      auto distance = [&](int i) {
        int sum = 0;
        for (int c = 0; c < 3; ++c) sum += (gif.palette[i * 3 + c] - want[c]) * (gif.palette[i * 3 + c] - want[c]);
        return sum;
      };
      int best = 0;
      for (int i = 1; i < 256; ++i) best = distance(i) < distance(best) ? i : best;
      const int chosen = gif.frames[frame][static_cast<size_t>(y) * gif.width + x];
      ASSERT_EQ(distance(chosen), distance(best)) << "pixel " << y << "," << x;
      ASSERT_LT(distance(chosen), 42 * 42);
    }
}

TEST(GifWriterTest, HeaderLoopAndDelays) {
  const std::vector<RgbaImage> frames = {noise(5, 7, 1), noise(5, 7, 2), noise(5, 7, 3)};
  const ParsedGif gif = parse_gif(encode_gif(frames, 7));
  EXPECT_EQ(gif.width, 7);
  EXPECT_EQ(gif.height, 5);
  EXPECT_EQ(gif.palette.size(), 768u);
  EXPECT_TRUE(gif.loops_forever);
  EXPECT_EQ(gif.frames.size(), 3u);
  EXPECT_EQ(gif.delays, std::vector<int>({7, 7, 7}));
}

TEST(GifWriterTest, LzwRoundTripAcrossDictionaryResets) {
  // 160x160 noise needs far more than 4096 codes, so the encoder must clear and restart.
  const RgbaImage image = noise(160, 160, 42);
  const ParsedGif gif = parse_gif(encode_gif({image}, 10));
  ASSERT_EQ(gif.frames.size(), 1u);
  expect_matches(gif, 0, image, 1);
}

TEST(GifWriterTest, LzwRoundTripForManySizes) {
  // Sweeps image lengths so that the stream ends at every code-width boundary at least once.
  for (int width = 1; width <= 70; ++width) {
    SCOPED_TRACE(width);
    const RgbaImage image = noise(29, width, width);
    const ParsedGif gif = parse_gif(encode_gif({image}, 1));
    ASSERT_EQ(gif.frames.size(), 1u);
    expect_matches(gif, 0, image, 1);
    const RgbaImage flat = make_image(31, width);  // highly compressible: long dictionary strings
    expect_matches(parse_gif(encode_gif({flat}, 1)), 0, flat, 1);
  }
}

TEST(GifWriterTest, ExactColoursForWhiteBlackAndTransparent) {
  RgbaImage image = make_image(1, 3);
  image.pixels = {1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0};  // white, black, transparent
  const ParsedGif gif = parse_gif(encode_gif({image}, 1));
  auto colour = [&](int x) {
    const int i = gif.frames[0][x];
    return std::vector<int>{gif.palette[i * 3], gif.palette[i * 3 + 1], gif.palette[i * 3 + 2]};
  };
  EXPECT_EQ(colour(0), std::vector<int>({255, 255, 255}));
  EXPECT_EQ(colour(1), std::vector<int>({0, 0, 0}));
  EXPECT_EQ(colour(2), std::vector<int>({255, 255, 255}));
}

TEST(GifWriterTest, ScaleRepeatsPixelsInBlocks) {
  const RgbaImage image = noise(3, 4, 9);
  const ParsedGif gif = parse_gif(encode_gif({image, image}, 5, 3));
  EXPECT_EQ(gif.width, 12);
  EXPECT_EQ(gif.height, 9);
  expect_matches(gif, 1, image, 3);
  EXPECT_EQ(gif.frames[0], gif.frames[1]);
}

TEST(GifWriterTest, RejectsBadInput) {
  EXPECT_THROW(encode_gif({}, 5), std::invalid_argument);
  EXPECT_THROW(encode_gif({make_image(2, 2), make_image(2, 3)}, 5), std::invalid_argument);
  EXPECT_THROW(encode_gif({make_image(2, 2)}, 5, 0), std::invalid_argument);
  EXPECT_THROW(encode_gif({make_image(2, 40000)}, 5, 2), std::invalid_argument);
}

TEST(GifWriterTest, WriteGifWritesEncodedBytesAtomically) {
  testing::TempDir dir;
  const std::vector<RgbaImage> frames = {noise(8, 8, 4), noise(8, 8, 5)};
  write_gif(dir.file("a.gif"), frames, 4, 2);
  std::ifstream in(dir.file("a.gif"), std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, encode_gif(frames, 4, 2));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
  EXPECT_THROW(write_gif("/proc/eqnca/a.gif", frames, 4), std::runtime_error);
}

}  // namespace
}  // namespace eqnca::experiments
