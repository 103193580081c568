// The texture task's target and loss (see texture_task.h).
#include "experiments/training/texture_task.h"

#include <memory>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "experiments/io/image_io.h"
#include "experiments/training/texture_losses.h"
#include "experiments/training/vgg16_features.h"
#include "groups/check.h"

namespace eqnca::experiments {

torch::Tensor load_texture_target(const std::string& path, int target_size) {
  RgbaImage image = read_png(path);  // names the file in its own errors
  if (target_size > 0) image = resize_to_fit(image, target_size);
  if (image.height < 8 || image.width < 8)
    throw std::runtime_error(fmt::format("texture '{}' is {}x{} pixels; the texture loss needs at least 8x8", path,
                                         image.width, image.height));
  auto hwc =
      torch::from_blob(image.pixels.data(), {image.height, image.width, 4}, torch::kFloat32).slice(2, 0, 3).clone();
  const torch::Tensor texture = hwc.permute({2, 0, 1}).unsqueeze(0).contiguous();
  if ((texture.amax({2, 3}) - texture.amin({2, 3})).max().item<float>() < 1.0f / 255.0f)
    throw std::runtime_error(fmt::format("texture '{}' is one colour at {}x{} pixels: there is no texture to learn",
                                         path, image.width, image.height));
  return texture;
}

torch::Tensor texture_seed(const torch::Tensor& seed) {
  const int64_t width = seed.size(3);
  const int64_t cell = seed[0][3].flatten().argmax().item<int64_t>();
  const torch::Tensor value = seed[0].select(1, cell / width).select(1, cell % width);  // (C)
  return value.view({1, -1, 1, 1}).expand_as(seed).contiguous();
}

torch::Tensor overflow_loss(const torch::Tensor& state) {
  const torch::Tensor rgb = state.slice(1, 0, 3), rest = state.slice(1, 3);
  const torch::Tensor excess_rgb = (rgb - rgb.clamp(0.0, 1.0)).pow(2).sum({1, 2, 3});
  const torch::Tensor excess_rest = (rest - rest.clamp(-1.0, 1.0)).pow(2).sum({1, 2, 3});
  return (excess_rgb + excess_rest) / static_cast<double>(state[0].numel());
}

TextureFeatures make_texture_features(const std::string& name, const std::string& vgg16_weights) {
  if (name == "random") {
    // One fixed network for every run: the same seed gives the same features on any machine, so
    // texture losses of different runs are comparable.
    const auto features = std::make_shared<RandomTextureFeatures>(0);
    return [features](const torch::Tensor& images) { return (*features)(images); };
  }
  if (name == "vgg16") {
    EQNCA_CHECK(!vgg16_weights.empty(),
                "--texture-features vgg16 needs --vgg16-weights FILE.h5 (made by scripts/vgg16_to_h5.py)");
    const auto features = std::make_shared<Vgg16Features>(vgg16_weights);  // throws for a bad file
    return [features](const torch::Tensor& images) { return (*features)(images); };
  }
  throw std::invalid_argument(fmt::format("--texture-features must be random or vgg16, got '{}'", name));
}

torch::Tensor opacity_loss(const torch::Tensor& state) { return (state.select(1, 3) - 1.0).pow(2).mean({1, 2}); }

LossFunction make_texture_task_loss(const std::string& name, const torch::Tensor& texture) {
  return make_texture_task_loss(name, texture, make_texture_features("random"));
}

LossFunction make_texture_task_loss(const std::string& name, const torch::Tensor& texture, TextureFeatures features) {
  const TextureLoss texture_loss = make_texture_loss(name, texture, std::move(features), 0);
  return [texture_loss](const torch::Tensor& state) {
    return texture_loss(state.slice(1, 0, 3)) + overflow_loss(state) + opacity_loss(state);
  };
}

}  // namespace eqnca::experiments
