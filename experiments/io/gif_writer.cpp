// GIF89a encoder: global 256-colour palette, NETSCAPE2.0 loop block, one graphic control block
// and one full-canvas LZW image per frame. A fixed palette (rather than a per-frame median cut)
// keeps colours stable across frames, so a still region of the NCA does not flicker.
#include "experiments/io/gif_writer.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "experiments/io/atomic_file.h"

namespace eqnca::experiments {
namespace {

constexpr int kRedLevels = 6, kGreenLevels = 7, kBlueLevels = 6;  // 252 colours; the eye is most
constexpr std::array<int, 4> kGreys = {51, 102, 153, 204};          // sensitive to green

int level_value(int level, int levels) { return (level * 255 + (levels - 1) / 2) / (levels - 1); }

std::array<std::uint8_t, 768> make_palette() {
  std::array<std::uint8_t, 768> palette{};
  int index = 0;
  for (int r = 0; r < kRedLevels; ++r)
    for (int g = 0; g < kGreenLevels; ++g)
      for (int b = 0; b < kBlueLevels; ++b, ++index) {
        palette[index * 3 + 0] = static_cast<std::uint8_t>(level_value(r, kRedLevels));
        palette[index * 3 + 1] = static_cast<std::uint8_t>(level_value(g, kGreenLevels));
        palette[index * 3 + 2] = static_cast<std::uint8_t>(level_value(b, kBlueLevels));
      }
  for (int grey : kGreys) {
    for (int c = 0; c < 3; ++c) palette[index * 3 + c] = static_cast<std::uint8_t>(grey);
    ++index;
  }
  return palette;
}

// The cube is separable, so its nearest colour is the per-channel nearest level; the four greys
// are then the only other candidates.
std::uint8_t nearest_index(const std::array<std::uint8_t, 768>& palette, int r, int g, int b) {
  auto nearest_level = [](int v, int levels) { return (v * (levels - 1) + 127) / 255; };
  int best = (nearest_level(r, kRedLevels) * kGreenLevels + nearest_level(g, kGreenLevels)) * kBlueLevels +
             nearest_level(b, kBlueLevels);
  auto distance = [&](int i) {
    const int dr = r - palette[i * 3], dg = g - palette[i * 3 + 1], db = b - palette[i * 3 + 2];
    return dr * dr + dg * dg + db * db;
  };
  for (int i = kRedLevels * kGreenLevels * kBlueLevels; i < 256; ++i)
    if (distance(i) < distance(best)) best = i;
  return static_cast<std::uint8_t>(best);
}

// Packs variable-width codes LSB-first into 255-byte sub-blocks, as GIF requires.
class CodeWriter {
 public:
  explicit CodeWriter(std::vector<std::uint8_t>* out) : out_(out) {}
  void put(int code, int width) {
    bits_ |= static_cast<std::uint32_t>(code) << n_bits_;
    n_bits_ += width;
    while (n_bits_ >= 8) {
      push(static_cast<std::uint8_t>(bits_ & 0xFF));
      bits_ >>= 8;
      n_bits_ -= 8;
    }
  }
  void finish() {
    if (n_bits_ > 0) push(static_cast<std::uint8_t>(bits_ & 0xFF));
    flush_block();
    out_->push_back(0);  // block terminator
  }

 private:
  void push(std::uint8_t byte) {
    block_[block_size_++] = byte;
    if (block_size_ == 255) flush_block();
  }
  void flush_block() {
    if (block_size_ == 0) return;
    out_->push_back(static_cast<std::uint8_t>(block_size_));
    out_->insert(out_->end(), block_.begin(), block_.begin() + block_size_);
    block_size_ = 0;
  }
  std::vector<std::uint8_t>* out_;
  std::uint32_t bits_ = 0;
  int n_bits_ = 0;
  std::array<std::uint8_t, 255> block_{};
  int block_size_ = 0;
};

// LZW with 8-bit minimum code size. The dictionary is a dense (prefix code, byte) -> code table;
// only the entries added since the last clear are reset, which keeps clears cheap.
void lzw_encode(const std::vector<std::uint8_t>& indices, std::vector<std::uint8_t>* out) {
  constexpr int kClear = 256, kEnd = 257, kMaxCode = 4096;
  out->push_back(8);
  CodeWriter writer(out);
  std::vector<std::int16_t> table(static_cast<size_t>(kMaxCode) * 256, -1);
  std::vector<size_t> used;
  int width = 9, next_code = kEnd + 1;
  writer.put(kClear, width);
  int prefix = indices[0];
  for (size_t i = 1; i < indices.size(); ++i) {
    const size_t key = static_cast<size_t>(prefix) * 256 + indices[i];
    if (table[key] >= 0) {
      prefix = table[key];
      continue;
    }
    writer.put(prefix, width);
    table[key] = static_cast<std::int16_t>(next_code++);
    used.push_back(key);
    // The decoder adds each entry one code later than we do, hence '>' rather than '>='.
    if (next_code > (1 << width) && width < 12) ++width;
    if (next_code == kMaxCode) {
      writer.put(kClear, width);
      for (size_t k : used) table[k] = -1;
      used.clear();
      width = 9;
      next_code = kEnd + 1;
    }
    prefix = indices[i];
  }
  writer.put(prefix, width);
  // Reading that last code makes the decoder add entry next_code - 1, and it widens as soon as
  // its table reaches 1 << width, so the end code may need one more bit.
  if (next_code == (1 << width) && width < 12) ++width;
  writer.put(kEnd, width);
  writer.finish();
}

void put_u16(std::vector<std::uint8_t>* out, int value) {
  out->push_back(static_cast<std::uint8_t>(value & 0xFF));
  out->push_back(static_cast<std::uint8_t>((value >> 8) & 0xFF));
}

}  // namespace

std::vector<std::uint8_t> encode_gif(const std::vector<RgbaImage>& frames, int delay_cs, int scale) {
  if (frames.empty()) throw std::invalid_argument("encode_gif: no frames");
  if (scale < 1) throw std::invalid_argument(fmt::format("encode_gif: scale must be >= 1, got {}", scale));
  if (delay_cs < 0 || delay_cs > 65535) throw std::invalid_argument(fmt::format("encode_gif: delay {} cs out of range", delay_cs));
  const int h = frames[0].height, w = frames[0].width;
  const long long out_h = static_cast<long long>(h) * scale, out_w = static_cast<long long>(w) * scale;
  if (h <= 0 || w <= 0 || out_h > 65535 || out_w > 65535)
    throw std::invalid_argument(fmt::format("encode_gif: scaled size {}x{} outside 1..65535", out_w, out_h));

  const auto palette = make_palette();
  std::vector<std::uint8_t> out = {'G', 'I', 'F', '8', '9', 'a'};
  put_u16(&out, static_cast<int>(out_w));
  put_u16(&out, static_cast<int>(out_h));
  out.push_back(0xF7);  // global colour table, 8 bits per primary, 2^(7+1) entries
  out.push_back(nearest_index(palette, 255, 255, 255));  // background: white
  out.push_back(0);     // square pixels
  out.insert(out.end(), palette.begin(), palette.end());
  const char loop[] = "\x21\xFF\x0BNETSCAPE2.0\x03\x01\x00\x00\x00";  // loop count 0 = forever
  out.insert(out.end(), loop, loop + sizeof loop - 1);

  std::vector<std::uint8_t> indices(static_cast<size_t>(out_h * out_w));
  for (size_t f = 0; f < frames.size(); ++f) {
    if (frames[f].height != h || frames[f].width != w)
      throw std::invalid_argument(fmt::format("encode_gif: frame {} is {}x{}, frame 0 is {}x{}", f,
                                              frames[f].width, frames[f].height, w, h));
    const std::vector<std::uint8_t> rgb = composite_on_white_rgb8(frames[f]);
    for (long long y = 0; y < out_h; ++y)
      for (long long x = 0; x < out_w; ++x) {
        const std::uint8_t* p = &rgb[((y / scale) * w + x / scale) * 3];
        indices[y * out_w + x] = nearest_index(palette, p[0], p[1], p[2]);
      }
    const std::uint8_t control[] = {0x21, 0xF9, 0x04, 0x04 /* disposal: leave in place */};
    out.insert(out.end(), control, control + 4);
    put_u16(&out, delay_cs);
    out.push_back(0);  // transparent index (unused)
    out.push_back(0);
    out.push_back(0x2C);  // image descriptor: full canvas, no local palette, not interlaced
    put_u16(&out, 0);
    put_u16(&out, 0);
    put_u16(&out, static_cast<int>(out_w));
    put_u16(&out, static_cast<int>(out_h));
    out.push_back(0);
    lzw_encode(indices, &out);
  }
  out.push_back(0x3B);  // trailer
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
