// NCA state to image conversions; see state_image.h.
#include "experiments/evaluation/state_image.h"

#include <stdexcept>

#include <torch/utils.h>

#include "groups/check.h"

namespace eqnca::experiments {

RgbaImage state_to_image(const torch::Tensor& state, int64_t index) {
  EQNCA_CHECK(state.dim() == 4 && state.size(1) >= 4, "state_to_image: expected (B, C >= 4, H, W), got ({})",
              fmt::join(state.sizes(), ", "));
  torch::NoGradGuard no_grad;
  // (H, W, 4) contiguous float on the CPU: exactly RgbaImage's layout.
  const torch::Tensor hwc =
      state[index].slice(0, 0, 4).clamp(0.0, 1.0).permute({1, 2, 0}).to(torch::kCPU, torch::kFloat32).contiguous();
  RgbaImage image = make_image(static_cast<int>(state.size(2)), static_cast<int>(state.size(3)));
  std::copy(hwc.data_ptr<float>(), hwc.data_ptr<float>() + hwc.numel(), image.pixels.begin());
  return image;
}

RgbaImage upscale(const RgbaImage& image, int factor) {
  if (factor < 1) throw std::invalid_argument("upscale factor must be >= 1");
  RgbaImage out = make_image(image.height * factor, image.width * factor);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x)
      for (int c = 0; c < 4; ++c) out.at(y, x, c) = image.at(y / factor, x / factor, c);
  return out;
}

torch::Tensor damage_circle(const torch::Tensor& state, double cx, double cy, double radius) {
  const auto opts = state.options();
  const torch::Tensor ys = torch::arange(state.size(2), opts).view({-1, 1});
  const torch::Tensor xs = torch::arange(state.size(3), opts).view({1, -1});
  const torch::Tensor outside = ((xs - cx).pow(2) + (ys - cy).pow(2) > radius * radius).to(opts.dtype());
  return state * outside;
}

}  // namespace eqnca::experiments
