// RGBA images as plain float buffers, PNG read/write through libpng, and the small geometric
// operations experiments need to turn an emoji into an NCA target and results into figures.
// Convention: pixels are row-major H x W x 4 in [0,1] with RGB premultiplied by alpha (as in
// Mordvintsev et al.'s growing NCA), so a transparent pixel is all zeros.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eqnca::experiments {

struct RgbaImage {
  int height = 0;
  int width = 0;
  std::vector<float> pixels;  // row-major H x W x 4, values in [0,1]

  float& at(int y, int x, int c) { return pixels[(static_cast<size_t>(y) * width + x) * 4 + c]; }
  float at(int y, int x, int c) const { return pixels[(static_cast<size_t>(y) * width + x) * 4 + c]; }
};

// An all-zero (fully transparent) image of the given size.
RgbaImage make_image(int height, int width);

// The largest width or height read_png accepts: a target is shrunk to a few dozen pixels, and a
// larger header is a corrupt or hostile file (refused before its pixels are allocated).
inline constexpr unsigned kMaxPngSide = 8192;

// Reads any PNG colour type / bit depth; returns RGBA with RGB premultiplied by alpha.
// Throws std::runtime_error naming the file if it is missing, not a PNG, corrupt, or larger
// than kMaxPngSide on a side.
RgbaImage read_png(const std::string& path);

// Composites onto white (premultiplied: rgb + 1 - a; straight: rgb * a + 1 - a), clamps to
// [0,1] and returns 8-bit RGB, row-major H x W x 3. Shared by write_png and write_gif.
std::vector<std::uint8_t> composite_on_white_rgb8(const RgbaImage& image, bool premultiplied = true);

// Writes an 8-bit RGB PNG of the image composited onto white, atomically (temp file + rename).
// Throws std::runtime_error naming the file if it cannot be written.
void write_png(const std::string& path, const RgbaImage& image, bool premultiplied = true);

// Shrinks so that the longer side is at most max_side, keeping the aspect ratio, by exact area
// averaging (premultiplied values average correctly). Images that already fit are returned as is.
RgbaImage resize_to_fit(const RgbaImage& image, int max_side);

// Centres the image on a zero (transparent) height x width grid; odd margins put the extra
// pixel at the bottom/right. Throws "target WxH larger than grid WxH" if it does not fit.
RgbaImage pad_to(const RgbaImage& image, int height, int width);

// Lays out rows of equal-size tiles with `gap` white pixels between them; shorter rows are
// filled with white. Premultiplied in and out. Throws if tiles differ in size.
RgbaImage montage(const std::vector<std::vector<RgbaImage>>& rows, int gap);

}  // namespace eqnca::experiments
