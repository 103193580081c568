// Horizontal stripes as a texture target (see stripes_target.h).
#include "experiments/training/stripes_target.h"

#include <cmath>

#include "groups/check.h"

namespace eqnca::experiments {

RgbaImage stripes_image(int size, int period) {
  EQNCA_CHECK(size >= 2, "stripes: --size must be >= 2, got {}", size);
  EQNCA_CHECK(period >= 2, "stripes: --period must be >= 2, got {}", period);
  constexpr double kPi = 3.14159265358979323846;
  RgbaImage image = make_image(size, size);
  const float dark[3] = {0.10f, 0.15f, 0.45f}, light[3] = {0.95f, 0.85f, 0.35f};
  for (int y = 0; y < size; ++y) {
    const float v = 0.5f + 0.5f * static_cast<float>(std::sin(2.0 * kPi * y / period));
    for (int x = 0; x < size; ++x) {
      for (int c = 0; c < 3; ++c) image.at(y, x, c) = dark[c] + v * (light[c] - dark[c]);
      image.at(y, x, 3) = 1.f;
    }
  }
  return image;
}

}  // namespace eqnca::experiments
