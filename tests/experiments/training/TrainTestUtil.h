// Helpers shared by the training tests: a small synthetic RGBA target written as a real PNG
// (so tests exercise the same loading path as `eqnca train`) and a fast training config.
#pragma once

#include <png.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "experiments/training/train_config.h"

namespace eqnca::experiments::testing {

// A size x size straight-alpha RGBA PNG: an opaque disc, red on the left half and blue on the
// right with a green notch at the top right, so it has no rotation or mirror symmetry; `alpha`
// is the disc's opacity.
inline void write_test_target(const std::string& path, int size = 12, unsigned char alpha = 255) {
  std::vector<unsigned char> rgba(static_cast<size_t>(size) * size * 4, 0);
  const double c = 0.5 * (size - 1), r = 0.45 * size;
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const double dx = x - c, dy = y - c;
      if (dx * dx + dy * dy > r * r) continue;
      unsigned char* p = &rgba[(static_cast<size_t>(y) * size + x) * 4];
      const bool notch = dx > 0 && dy < -0.3 * size;
      p[0] = dx < 0 ? 230 : 20;
      p[1] = notch ? 200 : 40;
      p[2] = dx < 0 ? 30 : 220;
      p[3] = alpha;
    }
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = size;
  image.height = size;
  image.format = PNG_FORMAT_RGBA;
  if (!png_image_write_to_file(&image, path.c_str(), 0, rgba.data(), 0, nullptr))
    throw std::runtime_error("cannot write test PNG " + path);
}

// A growing model on a 24x24 grid that trains in well under a second per 10 iterations.
inline TrainConfig tiny_config(const std::string& target, const std::string& out_dir) {
  TrainConfig c;
  c.model.name = "growing";
  c.model.channels = 8;
  c.model.hidden = 32;
  c.target = target;
  c.target_size = 12;
  c.pad = 6;
  c.pool_size = 16;
  c.batch = 4;
  c.min_steps = 8;
  c.max_steps = 12;
  c.iterations = 20;
  c.lr = 2e-3;
  c.lr_final = 1e-3;
  c.lr_drop = 40;
  c.mode = "regenerating";
  c.threads = 1;
  c.log_every = 5;
  c.checkpoint_every = 10;
  c.snapshot_every = 10;
  c.out_dir = out_dir;
  return c;
}

}  // namespace eqnca::experiments::testing
