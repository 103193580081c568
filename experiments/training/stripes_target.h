// An oriented texture made from nothing: horizontal stripes with a sine profile. A rotation
// changes their direction, so a texture NCA grown from a turned start shows at a glance whether
// it turned the texture with it (Gray-Scott patterns, gray_scott.h, are statistically isotropic
// and cannot show that). Images follow experiments/io/image_io.h: row 0 on top, RGBA in [0, 1].
#pragma once

#include "experiments/io/image_io.h"

namespace eqnca::experiments {

// A size x size opaque image of horizontal stripes: each row's colour goes between dark blue and
// light yellow as 0.5 + 0.5 sin(2 pi y / period). Periodic (a torus) when period divides size.
// Throws std::invalid_argument for size < 2 or period < 2.
RgbaImage stripes_image(int size, int period);

}  // namespace eqnca::experiments
