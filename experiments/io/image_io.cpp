// PNG I/O through libpng's C API plus box-filter resizing, padding and montage on premultiplied
// RGBA floats. libpng reports errors by longjmp, so the functions that call setjmp keep no C++
// objects with destructors in their own frame; everything they fill is owned by the caller.
#include "experiments/io/image_io.h"

#include <png.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "experiments/io/atomic_file.h"
#include "groups/check.h"

namespace eqnca::experiments {
namespace {

struct PngError {
  char message[256] = "unknown libpng error";
  png_uint_32 width = 0, height = 0;  // set when the image is larger than kMaxPngSide
};

[[noreturn]] void on_png_error(png_structp png, png_const_charp msg) {
  auto* error = static_cast<PngError*>(png_get_error_ptr(png));
  std::snprintf(error->message, sizeof error->message, "%s", msg);
  png_longjmp(png, 1);
}

void on_png_warning(png_structp, png_const_charp) {}  // warnings (e.g. iCCP) are not our concern

struct DecodedPng {
  png_uint_32 width = 0, height = 0;
  std::vector<png_byte> rgba;  // 8-bit straight alpha
  std::vector<png_bytep> rows;
};

bool decode_png(FILE* fp, DecodedPng* out, PngError* error) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, error, on_png_error, on_png_warning);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_init_io(png, fp);
  png_set_sig_bytes(png, 8);
  png_set_user_limits(png, 1u << 20, 1u << 20);  // libpng's own bound; ours is checked below
  png_read_info(png, info);
  // Refuse absurd sizes from the header alone, before anything is allocated for the pixels.
  if (png_get_image_width(png, info) > kMaxPngSide || png_get_image_height(png, info) > kMaxPngSide) {
    error->width = png_get_image_width(png, info);
    error->height = png_get_image_height(png, info);
    png_longjmp(png, 1);
  }
  const png_byte colour = png_get_color_type(png, info);
  // Normalise every colour type and bit depth to 8-bit RGBA.
  if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (colour == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (colour == PNG_COLOR_TYPE_GRAY || colour == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
  if (colour == PNG_COLOR_TYPE_RGB || colour == PNG_COLOR_TYPE_GRAY || colour == PNG_COLOR_TYPE_PALETTE)
    png_set_filler(png, 0xFF, PNG_FILLER_AFTER);  // no-op where tRNS already produced alpha
  png_set_scale_16(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  out->width = png_get_image_width(png, info);
  out->height = png_get_image_height(png, info);
  if (png_get_rowbytes(png, info) != out->width * 4) png_error(png, "unexpected row size after conversion");
  out->rgba.resize(static_cast<size_t>(out->width) * out->height * 4);
  out->rows.resize(out->height);
  for (png_uint_32 y = 0; y < out->height; ++y)
    out->rows[y] = out->rgba.data() + static_cast<size_t>(y) * out->width * 4;
  png_read_image(png, out->rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

bool encode_png(FILE* fp, int width, int height, png_bytepp rows, PngError* error) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, error, on_png_error, on_png_warning);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_init_io(png, fp);
  png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

std::uint8_t to_byte(float v) { return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); }

// For each output index: the input indices its interval [o*s, (o+1)*s) overlaps, and the overlap
// as a fraction of the interval, so the weights of every output sum to one.
std::vector<std::vector<std::pair<int, float>>> area_weights(int in, int out) {
  std::vector<std::vector<std::pair<int, float>>> weights(out);
  const double scale = static_cast<double>(in) / out;
  for (int o = 0; o < out; ++o) {
    const double lo = o * scale, hi = (o + 1) * scale;
    for (int i = static_cast<int>(std::floor(lo)); i < std::min(in, static_cast<int>(std::ceil(hi))); ++i) {
      const double overlap = std::min(hi, i + 1.0) - std::max(lo, static_cast<double>(i));
      if (overlap > 0) weights[o].emplace_back(i, static_cast<float>(overlap / scale));
    }
  }
  return weights;
}

}  // namespace

RgbaImage make_image(int height, int width) {
  EQNCA_CHECK(height >= 0 && width >= 0, "image size {}x{} is negative", width, height);
  return RgbaImage{height, width, std::vector<float>(static_cast<size_t>(height) * width * 4, 0.0f)};
}

RgbaImage read_png(const std::string& path) {
  FILE* fp = std::fopen(path.c_str(), "rb");
  if (fp == nullptr) throw std::runtime_error(fmt::format("cannot open PNG '{}': {}", path, std::strerror(errno)));
  png_byte signature[8] = {};
  if (std::fread(signature, 1, 8, fp) != 8 || png_sig_cmp(signature, 0, 8) != 0) {
    std::fclose(fp);
    throw std::runtime_error(fmt::format("'{}' is not a PNG file", path));
  }
  DecodedPng decoded;
  PngError error;
  const bool ok = decode_png(fp, &decoded, &error);
  std::fclose(fp);
  if (!ok && error.width > 0)
    throw std::runtime_error(fmt::format("PNG '{}' is {}x{} pixels, larger than the {}x{} eqnca reads", path,
                                         error.width, error.height, kMaxPngSide, kMaxPngSide));
  if (!ok) throw std::runtime_error(fmt::format("corrupt PNG '{}': {}", path, error.message));

  RgbaImage image = make_image(static_cast<int>(decoded.height), static_cast<int>(decoded.width));
  for (size_t p = 0; p < image.pixels.size(); p += 4) {
    const float alpha = decoded.rgba[p + 3] / 255.0f;
    for (int c = 0; c < 3; ++c) image.pixels[p + c] = decoded.rgba[p + c] / 255.0f * alpha;
    image.pixels[p + 3] = alpha;
  }
  return image;
}

std::vector<std::uint8_t> composite_on_white_rgb8(const RgbaImage& image, bool premultiplied) {
  std::vector<std::uint8_t> rgb(static_cast<size_t>(image.height) * image.width * 3);
  for (size_t i = 0, n = rgb.size() / 3; i < n; ++i) {
    const float alpha = std::clamp(image.pixels[i * 4 + 3], 0.0f, 1.0f);
    for (int c = 0; c < 3; ++c) {
      const float colour = premultiplied ? image.pixels[i * 4 + c] : image.pixels[i * 4 + c] * alpha;
      rgb[i * 3 + c] = to_byte(colour + 1.0f - alpha);
    }
  }
  return rgb;
}

void write_png(const std::string& path, const RgbaImage& image, bool premultiplied) {
  EQNCA_CHECK(image.height > 0 && image.width > 0, "cannot write empty {}x{} image to '{}'", image.width, image.height,
              path);
  std::vector<std::uint8_t> rgb = composite_on_white_rgb8(image, premultiplied);
  std::vector<png_bytep> rows(image.height);
  for (int y = 0; y < image.height; ++y) rows[y] = rgb.data() + static_cast<size_t>(y) * image.width * 3;
  write_file_atomically(path, [&](const std::string& tmp_path) {
    FILE* fp = std::fopen(tmp_path.c_str(), "wb");
    if (fp == nullptr) throw std::runtime_error(fmt::format("cannot write PNG '{}': {}", path, std::strerror(errno)));
    PngError error;
    const bool ok = encode_png(fp, image.width, image.height, rows.data(), &error);
    const bool closed = std::fclose(fp) == 0;
    if (!ok) throw std::runtime_error(fmt::format("cannot write PNG '{}': {}", path, error.message));
    if (!closed) throw std::runtime_error(fmt::format("cannot write PNG '{}': {}", path, std::strerror(errno)));
  });
}

RgbaImage resize_to_fit(const RgbaImage& image, int max_side) {
  EQNCA_CHECK(max_side > 0, "resize_to_fit: max_side must be positive, got {}", max_side);
  const int longest = std::max(image.height, image.width);
  if (longest <= max_side) return image;
  const double scale = static_cast<double>(max_side) / longest;
  const int out_h = std::max(1, static_cast<int>(std::lround(image.height * scale)));
  const int out_w = std::max(1, static_cast<int>(std::lround(image.width * scale)));
  const auto wy = area_weights(image.height, out_h), wx = area_weights(image.width, out_w);

  RgbaImage rows_done = make_image(image.height, out_w);  // horizontal pass first, then vertical
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < out_w; ++x)
      for (const auto& [i, w] : wx[x])
        for (int c = 0; c < 4; ++c) rows_done.at(y, x, c) += w * image.at(y, i, c);
  RgbaImage out = make_image(out_h, out_w);
  for (int y = 0; y < out_h; ++y)
    for (const auto& [i, w] : wy[y])
      for (int x = 0; x < out_w; ++x)
        for (int c = 0; c < 4; ++c) out.at(y, x, c) += w * rows_done.at(i, x, c);
  return out;
}

RgbaImage pad_to(const RgbaImage& image, int height, int width) {
  EQNCA_CHECK(image.height <= height && image.width <= width, "target {}x{} larger than grid {}x{}; resize it first",
              image.width, image.height, width, height);
  RgbaImage out = make_image(height, width);
  const int top = (height - image.height) / 2, left = (width - image.width) / 2;
  for (int y = 0; y < image.height; ++y)
    std::copy_n(image.pixels.begin() + static_cast<size_t>(y) * image.width * 4, static_cast<size_t>(image.width) * 4,
                out.pixels.begin() + (static_cast<size_t>(top + y) * width + left) * 4);
  return out;
}

RgbaImage montage(const std::vector<std::vector<RgbaImage>>& rows, int gap) {
  EQNCA_CHECK(gap >= 0, "montage: gap must be non-negative, got {}", gap);
  const RgbaImage* first = nullptr;
  size_t columns = 0;
  for (const auto& row : rows) {
    columns = std::max(columns, row.size());
    if (first == nullptr && !row.empty()) first = &row.front();
  }
  EQNCA_CHECK(first != nullptr, "montage: no tiles given");
  const int th = first->height, tw = first->width, n_rows = static_cast<int>(rows.size()),
            n_cols = static_cast<int>(columns);
  RgbaImage out = make_image(n_rows * th + (n_rows - 1) * gap, n_cols * tw + (n_cols - 1) * gap);
  std::fill(out.pixels.begin(), out.pixels.end(), 1.0f);  // opaque white, premultiplied
  for (int r = 0; r < n_rows; ++r) {
    for (int c = 0; c < static_cast<int>(rows[r].size()); ++c) {
      const RgbaImage& tile = rows[r][c];
      EQNCA_CHECK(tile.height == th && tile.width == tw, "montage: tile ({}, {}) is {}x{}, expected {}x{}", r, c,
                  tile.width, tile.height, tw, th);
      for (int y = 0; y < th; ++y)
        std::copy_n(tile.pixels.begin() + static_cast<size_t>(y) * tw * 4, static_cast<size_t>(tw) * 4,
                    out.pixels.begin() + (static_cast<size_t>(r * (th + gap) + y) * out.width + c * (tw + gap)) * 4);
    }
  }
  return out;
}

}  // namespace eqnca::experiments
