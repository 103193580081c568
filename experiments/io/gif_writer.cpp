// Animated GIF through giflib's low-level encoder: a screen descriptor with the global palette,
// the NETSCAPE2.0 loop block, then per frame one graphic control block and one full-canvas image.
// giflib does the GIF89a framing and the LZW compression; this file only picks the palette and
// maps pixels to it. The bytes are gathered in memory so that encode_gif and write_gif agree.
#include "experiments/io/gif_writer.h"

#include <gif_lib.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "experiments/io/atomic_file.h"
#include "groups/check.h"

namespace eqnca::experiments {
namespace {

constexpr int kRedLevels = 6, kGreenLevels = 7, kBlueLevels = 6;  // 252 colours; the eye is most
constexpr std::array<int, 4> kGreys = {51, 102, 153, 204};        // sensitive to green
constexpr int kPaletteSize = 256;

int level_value(int level, int levels) { return (level * 255 + (levels - 1) / 2) / (levels - 1); }

std::array<GifColorType, kPaletteSize> make_palette() {
  std::array<GifColorType, kPaletteSize> palette{};
  int index = 0;
  for (int r = 0; r < kRedLevels; ++r)
    for (int g = 0; g < kGreenLevels; ++g)
      for (int b = 0; b < kBlueLevels; ++b, ++index)
        palette[index] = {static_cast<GifByteType>(level_value(r, kRedLevels)),
                          static_cast<GifByteType>(level_value(g, kGreenLevels)),
                          static_cast<GifByteType>(level_value(b, kBlueLevels))};
  for (int grey : kGreys) {
    const auto v = static_cast<GifByteType>(grey);
    palette[index++] = {v, v, v};
  }
  return palette;
}

// The cube is separable, so its nearest colour is the per-channel nearest level; the four greys
// are then the only other candidates.
GifPixelType nearest_index(const std::array<GifColorType, kPaletteSize>& palette, int r, int g, int b) {
  auto nearest_level = [](int v, int levels) { return (v * (levels - 1) + 127) / 255; };
  int best = (nearest_level(r, kRedLevels) * kGreenLevels + nearest_level(g, kGreenLevels)) * kBlueLevels +
             nearest_level(b, kBlueLevels);
  auto distance = [&](int i) {
    const int dr = r - palette[i].Red, dg = g - palette[i].Green, db = b - palette[i].Blue;
    return dr * dr + dg * dg + db * db;
  };
  for (int i = kRedLevels * kGreenLevels * kBlueLevels; i < kPaletteSize; ++i)
    if (distance(i) < distance(best)) best = i;
  return static_cast<GifPixelType>(best);
}

// giflib's output callback: appends to the std::vector<std::uint8_t> in UserData.
int append_bytes(GifFileType* gif, const GifByteType* bytes, int length) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(gif->UserData);
  out->insert(out->end(), bytes, bytes + length);
  return length;
}

// Closing writes the trailer and frees the handle; an encoder abandoned on error is closed too.
struct GifCloser {
  void operator()(GifFileType* gif) const { EGifCloseFile(gif, nullptr); }
};
using GifHandle = std::unique_ptr<GifFileType, GifCloser>;

// giflib reports failures as codes; any here means giflib itself failed (memory), not the input.
void check_gif(int status, const GifFileType* gif, const char* step) {
  if (status != GIF_ERROR) return;
  throw std::runtime_error(
      fmt::format("encode_gif: giflib failed to write the {}: {}", step, GifErrorString(gif->Error)));
}

}  // namespace

std::vector<std::uint8_t> encode_gif(const std::vector<RgbaImage>& frames, int delay_cs, int scale) {
  EQNCA_CHECK(!frames.empty(), "encode_gif: frames is empty, expected at least one frame");
  EQNCA_CHECK(scale >= 1, "encode_gif: scale must be >= 1, got {}", scale);
  EQNCA_CHECK(delay_cs >= 0 && delay_cs <= 65535, "encode_gif: delay_cs must be in 0..65535, got {}", delay_cs);
  const int h = frames[0].height, w = frames[0].width;
  const long long out_h = static_cast<long long>(h) * scale, out_w = static_cast<long long>(w) * scale;
  EQNCA_CHECK(h > 0 && w > 0 && out_h <= 65535 && out_w <= 65535,
              "encode_gif: scaled size {}x{} (frame {}x{} times scale {}) must be within 1..65535", out_w, out_h, w, h,
              scale);
  for (size_t f = 1; f < frames.size(); ++f)
    EQNCA_CHECK(frames[f].height == h && frames[f].width == w,
                "encode_gif: frame {} is {}x{}, expected {}x{} like frame 0", f, frames[f].width, frames[f].height, w,
                h);

  std::vector<std::uint8_t> out;
  int error = 0;
  GifHandle gif(EGifOpen(&out, append_bytes, &error));
  if (!gif)
    throw std::runtime_error(fmt::format("encode_gif: giflib cannot start an encoder: {}", GifErrorString(error)));
  EGifSetGifVersion(gif.get(), true);  // the loop and delay blocks are GIF89a extensions

  const auto palette = make_palette();
  // EGifPutScreenDesc keeps a copy of the colour map, so this one is freed when we return.
  std::unique_ptr<ColorMapObject, void (*)(ColorMapObject*)> colour_map(GifMakeMapObject(kPaletteSize, palette.data()),
                                                                        GifFreeMapObject);
  if (!colour_map) throw std::runtime_error("encode_gif: giflib cannot allocate the palette");
  const int background = nearest_index(palette, 255, 255, 255);
  check_gif(
      EGifPutScreenDesc(gif.get(), static_cast<int>(out_w), static_cast<int>(out_h), 8, background, colour_map.get()),
      gif.get(), "screen descriptor");

  // NETSCAPE2.0 application block: sub-block 1 holds the loop count, 0 = forever.
  const GifByteType loop[] = {1, 0, 0};
  check_gif(EGifPutExtensionLeader(gif.get(), APPLICATION_EXT_FUNC_CODE), gif.get(), "loop block");
  check_gif(EGifPutExtensionBlock(gif.get(), 11, "NETSCAPE2.0"), gif.get(), "loop block");
  check_gif(EGifPutExtensionBlock(gif.get(), sizeof loop, loop), gif.get(), "loop block");
  check_gif(EGifPutExtensionTrailer(gif.get()), gif.get(), "loop block");

  GraphicsControlBlock control{};
  control.DisposalMode = DISPOSE_DO_NOT;  // every frame covers the canvas; leave it in place
  control.UserInputFlag = false;
  control.DelayTime = delay_cs;
  control.TransparentColor = NO_TRANSPARENT_COLOR;
  GifByteType control_bytes[4];
  const size_t control_size = EGifGCBToExtension(&control, control_bytes);

  std::vector<GifPixelType> indices(static_cast<size_t>(out_h * out_w));
  for (const RgbaImage& frame : frames) {
    const std::vector<std::uint8_t> rgb = composite_on_white_rgb8(frame);
    for (long long y = 0; y < out_h; ++y)
      for (long long x = 0; x < out_w; ++x) {
        const std::uint8_t* p = &rgb[((y / scale) * w + x / scale) * 3];
        indices[y * out_w + x] = nearest_index(palette, p[0], p[1], p[2]);
      }
    check_gif(EGifPutExtension(gif.get(), GRAPHICS_EXT_FUNC_CODE, static_cast<int>(control_size), control_bytes),
              gif.get(), "frame delay");
    check_gif(EGifPutImageDesc(gif.get(), 0, 0, static_cast<int>(out_w), static_cast<int>(out_h), false, nullptr),
              gif.get(), "image descriptor");
    check_gif(EGifPutLine(gif.get(), indices.data(), static_cast<int>(indices.size())), gif.get(), "pixels");
  }
  const int closed = EGifCloseFile(gif.release(), &error);  // writes the trailer
  if (closed == GIF_ERROR)
    throw std::runtime_error(fmt::format("encode_gif: giflib cannot finish the file: {}", GifErrorString(error)));
  return out;
}

void write_gif(const std::string& path, const std::vector<RgbaImage>& frames, int delay_cs, int scale) {
  const std::vector<std::uint8_t> bytes = encode_gif(frames, delay_cs, scale);
  write_file_atomically(path, [&](const std::string& tmp_path) {
    FILE* fp = std::fopen(tmp_path.c_str(), "wb");
    if (fp == nullptr) throw std::runtime_error(fmt::format("cannot write GIF '{}': {}", path, std::strerror(errno)));
    const bool written = std::fwrite(bytes.data(), 1, bytes.size(), fp) == bytes.size();
    if (std::fclose(fp) != 0 || !written)
      throw std::runtime_error(fmt::format("cannot write GIF '{}': {}", path, std::strerror(errno)));
  });
}

}  // namespace eqnca::experiments
