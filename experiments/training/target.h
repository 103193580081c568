// The training target: an RGBA PNG thumbnailed and centred on the NCA grid, as a tensor shaped
// (1, 4, H, W) in [0, 1] with RGB premultiplied by alpha (the NCA's RGBA channels 0..3).
#pragma once

#include <string>

#include <torch/types.h>

namespace eqnca::experiments {

// Reads `path`, shrinks it so its longest side is at most `target_size` (0 = keep its size),
// and centres it on a transparent grid_height x grid_width grid. Throws std::runtime_error
// with a one-line message naming the file when it is missing, not a PNG, corrupt, larger than
// the grid, or has nothing visible (no alpha above the alive threshold 0.1 after shrinking).
torch::Tensor load_target(const std::string& path, int target_size, int grid_height, int grid_width);

}  // namespace eqnca::experiments
