// Loading of PNG training targets (see target.h).
#include "experiments/training/target.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "experiments/io/image_io.h"
#include "layers/nca_mechanics.h"

namespace eqnca::experiments {

torch::Tensor load_target(const std::string& path, int target_size, int grid_height, int grid_width) {
  RgbaImage image = read_png(path);  // names the file in its own errors
  if (target_size > 0) image = resize_to_fit(image, target_size);
  if (image.height > grid_height || image.width > grid_width)
    throw std::runtime_error(fmt::format("target '{}' is {}x{} pixels, larger than the {}x{} grid", path, image.width,
                                         image.height, grid_width, grid_height));
  // Cells live where a neighbour's alpha exceeds the alive threshold: a target with no such
  // pixel cannot be grown, and training on it would only learn to die.
  float max_alpha = 0.f;
  for (size_t i = 3; i < image.pixels.size(); i += 4) max_alpha = std::max(max_alpha, image.pixels[i]);
  if (!(max_alpha > float(layers::kAliveThreshold)))
    throw std::runtime_error(fmt::format(
        "target '{}' has nothing visible at {}x{} pixels: its highest alpha is {:.3g}, at most the alive threshold {}",
        path, image.width, image.height, max_alpha, layers::kAliveThreshold));
  const RgbaImage padded = pad_to(image, grid_height, grid_width);
  // HWC floats -> (1, 4, H, W); clone because from_blob does not own the buffer.
  auto hwc = torch::from_blob(const_cast<float*>(padded.pixels.data()), {grid_height, grid_width, 4}, torch::kFloat32);
  return hwc.permute({2, 0, 1}).unsqueeze(0).contiguous().clone();
}

}  // namespace eqnca::experiments
