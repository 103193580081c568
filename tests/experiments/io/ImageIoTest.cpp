// read_png / write_png against PNGs written independently with libpng's simplified API, plus the
// geometry helpers. 8-bit storage bounds every round trip: tolerances are half a step (0.5/255)
// for rounding, plus float slack.
#include "experiments/io/image_io.h"

#include <png.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>

#include <gtest/gtest.h>
#include <zlib.h>

#include "tests/experiments/TempDir.h"

namespace eqnca::experiments {
namespace {

constexpr float kHalfStep = 0.5f / 255.0f + 1e-6f;

// Reference writer, independent of the code under test.
void write_reference_png(const std::string& path, int width, int height, png_uint_32 format,
                         const std::vector<std::uint8_t>& bytes) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = width;
  image.height = height;
  image.format = format;
  ASSERT_TRUE(png_image_write_to_file(&image, path.c_str(), 0, bytes.data(), 0, nullptr)) << image.message;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

RgbaImage gradient(int height, int width) {
  RgbaImage image = make_image(height, width);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const float alpha = (x + 1.0f) / width;
      image.at(y, x, 0) = alpha * y / std::max(1, height - 1);
      image.at(y, x, 1) = alpha * 0.5f;
      image.at(y, x, 2) = alpha * (1.0f - static_cast<float>(x) / width);
      image.at(y, x, 3) = alpha;
    }
  return image;
}

TEST(ImageIoTest, ReadPngPremultipliesAlpha) {
  testing::TempDir dir;
  const std::vector<std::uint8_t> rgba = {255, 0, 0,   255, 10,  200, 30,  128, 77, 66,  55,  0,
                                          0,   0, 255, 1,   255, 255, 255, 255, 90, 180, 250, 37};
  write_reference_png(dir.file("a.png"), 3, 2, PNG_FORMAT_RGBA, rgba);
  const RgbaImage image = read_png(dir.file("a.png"));
  ASSERT_EQ(image.height, 2);
  ASSERT_EQ(image.width, 3);
  for (size_t p = 0; p < 6; ++p) {
    const float alpha = rgba[p * 4 + 3] / 255.0f;
    EXPECT_NEAR(image.pixels[p * 4 + 3], alpha, 1e-7f);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(image.pixels[p * 4 + c], rgba[p * 4 + c] / 255.0f * alpha, 1e-6f) << p;
  }
}

TEST(ImageIoTest, ReadPngExpandsGreyToOpaqueRgb) {
  testing::TempDir dir;
  write_reference_png(dir.file("g.png"), 2, 1, PNG_FORMAT_GRAY, {0, 200});
  const RgbaImage image = read_png(dir.file("g.png"));
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(image.at(0, 1, c), 200 / 255.0f, 1e-6f);
  EXPECT_EQ(image.at(0, 0, 3), 1.0f);
}

TEST(ImageIoTest, WritePngCompositesPremultipliedOntoWhite) {
  testing::TempDir dir;
  const RgbaImage image = gradient(5, 7);
  write_png(dir.file("w.png"), image);
  const RgbaImage back = read_png(dir.file("w.png"));
  ASSERT_EQ(back.height, 5);
  ASSERT_EQ(back.width, 7);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 7; ++x) {
      EXPECT_EQ(back.at(y, x, 3), 1.0f);
      for (int c = 0; c < 3; ++c)
        EXPECT_NEAR(back.at(y, x, c), image.at(y, x, c) + 1.0f - image.at(y, x, 3), kHalfStep);
    }
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1) << "temporary left behind";
}

TEST(ImageIoTest, WritePngStraightAlphaMultipliesFirst) {
  testing::TempDir dir;
  RgbaImage image = make_image(1, 1);
  image.pixels = {0.8f, 0.2f, 0.0f, 0.5f};
  write_png(dir.file("s.png"), image, /*premultiplied=*/false);
  const RgbaImage back = read_png(dir.file("s.png"));
  EXPECT_NEAR(back.at(0, 0, 0), 0.8f * 0.5f + 0.5f, kHalfStep);
  EXPECT_NEAR(back.at(0, 0, 1), 0.2f * 0.5f + 0.5f, kHalfStep);
  EXPECT_NEAR(back.at(0, 0, 2), 0.5f, kHalfStep);
}

TEST(ImageIoTest, WritePngClampsOutOfRangeValues) {
  testing::TempDir dir;
  RgbaImage image = make_image(1, 1);
  image.pixels = {2.0f, -1.0f, 0.5f, 1.0f};  // an untrained NCA produces such values
  write_png(dir.file("c.png"), image);
  const RgbaImage back = read_png(dir.file("c.png"));
  EXPECT_EQ(back.at(0, 0, 0), 1.0f);
  EXPECT_EQ(back.at(0, 0, 1), 0.0f);
}

TEST(ImageIoTest, MissingFileThrowsNamingIt) {
  const std::string message = error_of([] { read_png("/nonexistent/eqnca/missing.png"); });
  EXPECT_NE(message.find("/nonexistent/eqnca/missing.png"), std::string::npos) << message;
}

TEST(ImageIoTest, NonPngFileThrowsNamingIt) {
  testing::TempDir dir;
  std::ofstream(dir.file("x.png")) << "this is not an image, just text";
  const std::string message = error_of([&] { read_png(dir.file("x.png")); });
  EXPECT_NE(message.find(dir.file("x.png")), std::string::npos) << message;
  EXPECT_NE(message.find("not a PNG"), std::string::npos) << message;
}

TEST(ImageIoTest, CorruptPngThrowsNamingIt) {
  testing::TempDir dir;
  std::ofstream out(dir.file("bad.png"), std::ios::binary);
  out << "\x89PNG\r\n\x1a\n" << std::string(200, '\x5a');  // valid signature, garbage chunks
  out.close();
  const std::string message = error_of([&] { read_png(dir.file("bad.png")); });
  EXPECT_NE(message.find(dir.file("bad.png")), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one-line message expected";
}

// A PNG whose header claims width x height (a real 2x2 image with its IHDR rewritten and its CRC
// recomputed, so libpng finds nothing wrong with the file but its size).
void write_png_claiming(const std::string& path, uint32_t width, uint32_t height) {
  write_png(path, gradient(2, 2));
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(bytes.substr(12, 4), "IHDR");  // signature (8), length (4), type, data (13), CRC
  auto put = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
  };
  put(16, width);
  put(20, height);
  put(29, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(bytes.data() + 12), 17)));
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(ImageIoTest, AbsurdSizesAreRefusedFromTheHeader) {
  testing::TempDir dir;
  write_png_claiming(dir.file("huge.png"), 100000, 100000);  // 40 GB of RGBA if believed
  const std::string message = error_of([&] { read_png(dir.file("huge.png")); });
  EXPECT_NE(message.find(dir.file("huge.png")), std::string::npos) << message;
  EXPECT_NE(message.find("100000x100000 pixels, larger than the 8192x8192"), std::string::npos) << message;
  write_png_claiming(dir.file("wide.png"), kMaxPngSide + 1, 1);
  EXPECT_NE(error_of([&] { read_png(dir.file("wide.png")); }).find("larger than"), std::string::npos);
  // The rewriting itself is sound: the same header at the real size reads back.
  write_png_claiming(dir.file("same.png"), 2, 2);
  EXPECT_EQ(read_png(dir.file("same.png")).width, 2);
}

TEST(ImageIoTest, TruncatedPngThrows) {
  testing::TempDir dir;
  write_png(dir.file("t.png"), gradient(32, 32));
  const auto size = std::filesystem::file_size(dir.file("t.png"));
  std::filesystem::resize_file(dir.file("t.png"), size / 2);
  EXPECT_THROW(read_png(dir.file("t.png")), std::runtime_error);
}

TEST(ImageIoTest, WritePngToUnwritableFolderThrowsNamingFile) {
  const std::string message = error_of([] { write_png("/proc/eqnca/out.png", gradient(2, 2)); });
  EXPECT_NE(message.find("/proc/eqnca/out.png"), std::string::npos) << message;
}

TEST(ImageIoTest, ResizeToFitAveragesAreas) {
  RgbaImage image = make_image(4, 4);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 4; ++c) image.at(y, x, c) = static_cast<float>(y * 4 + x) / 16.0f;
  const RgbaImage half = resize_to_fit(image, 2);
  ASSERT_EQ(half.height, 2);
  ASSERT_EQ(half.width, 2);
  // Top-left output = mean of inputs 0, 1, 4, 5.
  EXPECT_NEAR(half.at(0, 0, 0), (0 + 1 + 4 + 5) / 64.0f, 1e-6f);
  EXPECT_NEAR(half.at(1, 1, 3), (10 + 11 + 14 + 15) / 64.0f, 1e-6f);
}

TEST(ImageIoTest, ResizeToFitKeepsAspectAndMass) {
  const RgbaImage image = gradient(30, 90);
  const RgbaImage small = resize_to_fit(image, 40);
  ASSERT_EQ(small.width, 40);
  ASSERT_EQ(small.height, 13);  // round(30 * 40 / 90)
  // Area averaging preserves the mean up to the rounding of the height (13.33 -> 13 rows).
  double mean_in = 0, mean_out = 0;
  for (size_t i = 3; i < image.pixels.size(); i += 4) mean_in += image.pixels[i];
  for (size_t i = 3; i < small.pixels.size(); i += 4) mean_out += small.pixels[i];
  EXPECT_NEAR(mean_out / (13 * 40), mean_in / (30 * 90), 1e-4);
  const RgbaImage same = resize_to_fit(image, 90);
  EXPECT_EQ(same.pixels, image.pixels) << "images that fit are not resampled";
}

TEST(ImageIoTest, PadToCentresOnTransparentGrid) {
  RgbaImage image = make_image(2, 2);
  std::fill(image.pixels.begin(), image.pixels.end(), 1.0f);
  const RgbaImage padded = pad_to(image, 5, 4);
  ASSERT_EQ(padded.height, 5);
  ASSERT_EQ(padded.width, 4);
  double total = 0;
  for (float v : padded.pixels) total += v;
  EXPECT_EQ(total, 16.0);
  EXPECT_EQ(padded.at(1, 1, 3), 1.0f);  // top = (5-2)/2 = 1, left = (4-2)/2 = 1
  EXPECT_EQ(padded.at(2, 2, 0), 1.0f);
  EXPECT_EQ(padded.at(3, 3, 3), 0.0f);
}

TEST(ImageIoTest, PadToSmallerGridThrows) {
  const std::string message = error_of([] { pad_to(make_image(3, 5), 4, 4); });
  EXPECT_NE(message.find("target 5x3 larger than grid 4x4"), std::string::npos) << message;
}

TEST(ImageIoTest, MontageSeparatesTilesWithWhiteGaps) {
  RgbaImage a = make_image(2, 3), b = make_image(2, 3), c = make_image(2, 3);
  std::fill(b.pixels.begin(), b.pixels.end(), 0.5f);
  std::fill(c.pixels.begin(), c.pixels.end(), 0.25f);
  const RgbaImage grid = montage({{a, b}, {c}}, 1);
  ASSERT_EQ(grid.height, 2 * 2 + 1);
  ASSERT_EQ(grid.width, 2 * 3 + 1);
  EXPECT_EQ(grid.at(0, 0, 3), 0.0f);   // tile a (transparent)
  EXPECT_EQ(grid.at(0, 3, 0), 1.0f);   // vertical gap
  EXPECT_EQ(grid.at(1, 4, 0), 0.5f);   // tile b
  EXPECT_EQ(grid.at(2, 0, 3), 1.0f);   // horizontal gap
  EXPECT_EQ(grid.at(3, 2, 1), 0.25f);  // tile c
  EXPECT_EQ(grid.at(4, 6, 2), 1.0f);   // missing tile: white
  EXPECT_THROW(montage({{a, make_image(3, 3)}}, 1), std::invalid_argument);
  EXPECT_THROW(montage({}, 1), std::invalid_argument);
}

}  // namespace
}  // namespace eqnca::experiments
