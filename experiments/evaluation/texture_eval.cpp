// Start states and turned texture targets for the texture evaluation; see texture_eval.h.
#include "experiments/evaluation/texture_eval.h"

#include <stdexcept>

#include <fmt/format.h>
#include <torch/utils.h>

#include "experiments/training/texture_task.h"
#include "groups/check.h"
#include "layers/grid_action.h"

namespace eqnca::experiments {

torch::Tensor turn_texture(const torch::Tensor& texture, const groups::GroupElement& g) {
  EQNCA_CHECK(texture.dim() == 4 && texture.size(0) == 1 && texture.size(1) == 3,
              "turn_texture: texture must be (1, 3, h, w), got ({})", fmt::join(texture.sizes(), ", "));
  if (groups::is_grid_exact(g)) return layers::rotate_grid(texture, g).contiguous();
  const int64_t h = texture.size(2), w = texture.size(3);
  EQNCA_CHECK(h == w, "turn_texture: turning by {:g} degrees needs a square texture, got {}x{}",
              g.angle * 180.0 / 3.14159265358979323846, w, h);
  // The middle tile of the 3x3 tiling is the texture itself, and the tiling's centre is the
  // texture's: at angle 0 this returns the texture unchanged. The window's corners reach
  // h / sqrt 2 from the centre, well inside the tiling's 1.5 h.
  const torch::Tensor tiled = texture.repeat({1, 1, 3, 3});
  return layers::rotate_grid(tiled, g).slice(2, h, 2 * h).slice(3, w, 2 * w).contiguous();
}

torch::Tensor noise_start(int64_t channels, int64_t height, int64_t width, std::uint64_t seed) {
  EQNCA_CHECK(channels >= 4, "noise_start: a state has at least 4 channels (RGBA), got {}", channels);
  torch::manual_seed(seed);
  torch::Tensor state = torch::rand({1, channels, height, width});
  state.slice(1, 4).mul_(2.0).sub_(1.0);  // hidden channels: [-1, 1)
  return state;
}

torch::Tensor texture_start(const models::NcaModelImpl& model, const std::string& kind, int64_t height, int64_t width,
                            std::uint64_t seed) {
  if (kind == "seed") return texture_seed(model.seed(1, height, width).to(torch::kCPU));
  if (kind == "noise") return noise_start(model.channels(), height, width, seed);
  throw std::invalid_argument(fmt::format("--start must be seed or noise, got '{}'", kind));
}

}  // namespace eqnca::experiments
