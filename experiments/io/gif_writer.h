// Animated GIF89a output for NCA growth/regeneration videos, encoded by giflib: frames are
// composited onto white (like write_png), mapped to a fixed 256-colour palette (6x7x6 RGB cube +
// 4 greys, nearest colour), and the file loops forever.
// Why a fixed palette rather than giflib's GifQuantizeBuffer (present in Debian 12's giflib 5.2,
// marked deprecated there): its median cut fits a palette to the pixels of each call, so palettes
// per frame make a still region of the NCA flicker, and it bins colours to 5 bits per channel, so
// white comes back as (248, 248, 248) and the background turns grey. The fixed palette is the same
// in every file, keeps white and black exact, and is within RGB distance 42 of any colour.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiments/io/image_io.h"

namespace eqnca::experiments {

// Encodes the frames (equal size, premultiplied RGBA) as a looping GIF. `delay_cs` is the delay
// after each frame in 1/100 s (browsers show delays below 2 as 10); `scale` >= 1 upscales each
// pixel to a scale x scale block so that small grids stay visible. Throws std::invalid_argument
// (EQNCA_CHECK) for no frames, unequal sizes, a scale below 1, a delay outside 0..65535, or a
// scaled side above 65535; std::runtime_error if giflib itself fails.
std::vector<std::uint8_t> encode_gif(const std::vector<RgbaImage>& frames, int delay_cs, int scale = 1);

// encode_gif, then written atomically (temp file + rename). Throws std::runtime_error naming the
// file if it cannot be written.
void write_gif(const std::string& path, const std::vector<RgbaImage>& frames, int delay_cs, int scale = 1);

}  // namespace eqnca::experiments
