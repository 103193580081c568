// Animated GIF89a output for NCA growth/regeneration videos, with no dependency beyond the C++
// library: frames are composited onto white (like write_png), mapped to a fixed 256-colour
// palette (6x7x6 RGB cube + 4 greys, nearest colour) and LZW-compressed; the file loops forever.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiments/io/image_io.h"

namespace eqnca::experiments {

// Encodes the frames (equal size, premultiplied RGBA) as a looping GIF. `delay_cs` is the delay
// after each frame in 1/100 s (browsers show delays below 2 as 10); `scale` >= 1 upscales each
// pixel to a scale x scale block so that small grids stay visible. Throws std::invalid_argument
// for no frames, unequal sizes, or a scaled side above 65535.
std::vector<std::uint8_t> encode_gif(const std::vector<RgbaImage>& frames, int delay_cs, int scale = 1);

// encode_gif, then written atomically (temp file + rename). Throws std::runtime_error naming the
// file if it cannot be written.
void write_gif(const std::string& path, const std::vector<RgbaImage>& frames, int delay_cs, int scale = 1);

}  // namespace eqnca::experiments
