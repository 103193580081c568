// Texture losses: how far an image's texture is from a target's, whatever the pixels' positions.
// Both compare statistics of multi-scale features of a fixed network: Gram matrices (Gatys et al.'s
// style loss, used by the texture NCA papers) or the sliced-Wasserstein distance between the
// features' distributions along fixed random directions (Heitz et al.). The default network is a
// seeded random one (3x3 convolutions with circular padding, ReLU, 2x2 average pooling), known to
// carry enough statistics for texture synthesis and needing no download.
// Images are (B, 3, H, W) RGB in [0, 1]; losses are per sample, (B).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

namespace eqnca::experiments {

// The fixed feature network: layer l is conv3x3(widths[l-1] -> widths[l]) + ReLU, and every layer
// but the first is preceded by 2x2 average pooling. Weights are He-normal from a std::mt19937_64
// seeded with `seed`, so they are the same with any LibTorch.
class RandomTextureFeatures {
 public:
  explicit RandomTextureFeatures(std::uint64_t seed = 0, std::vector<int64_t> widths = {3, 32, 64, 64, 64});
  // The centred input (x - 0.5) then every layer's activations: widths.size() tensors.
  std::vector<torch::Tensor> operator()(const torch::Tensor& images) const;

 private:
  std::vector<torch::Tensor> weights_, biases_;
};

using TextureFeatures = std::function<std::vector<torch::Tensor>(const torch::Tensor& images)>;

// Gram matrix per sample: (B, C, H, W) -> (B, C, C), G = F F^T / (H W).
torch::Tensor gram_matrix(const torch::Tensor& features);
// Sum over layers of the mean squared difference of the Gram matrices. Target features have
// batch 1 (broadcast).
torch::Tensor gram_loss(const std::vector<torch::Tensor>& features, const std::vector<torch::Tensor>& target);
// Sum over layers of the mean squared difference between the sorted projections of the
// features on the layer's directions (C, P) (unit columns) and the target's, whose sorted
// projections (1, P, N_target) are resampled to the sample's pixel count by nearest quantile.
torch::Tensor sliced_wasserstein_loss(const std::vector<torch::Tensor>& features,
                                      const std::vector<torch::Tensor>& sorted_target_projections,
                                      const std::vector<torch::Tensor>& directions);
// Sorted projections (B, P, H W) of features (B, C, H, W) on directions (C, P).
torch::Tensor sorted_projections(const torch::Tensor& features, const torch::Tensor& directions);

// A per-sample texture loss against a fixed target image (1, 3, H, W), target side computed once.
// name: gram | sliced_wasserstein (32 seeded random directions per layer). Throws
// std::invalid_argument with a one-line message for other names.
using TextureLoss = std::function<torch::Tensor(const torch::Tensor& images)>;
TextureLoss make_texture_loss(const std::string& name, const torch::Tensor& target, TextureFeatures features,
                              std::uint64_t seed = 0);

}  // namespace eqnca::experiments
