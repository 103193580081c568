// VGG16's convolutional features for the texture losses (texture_losses.h), from weights the user
// supplies as an HDF5 file: eqnca never downloads them. scripts/vgg16_to_h5.py writes the file
// from torchvision's ImageNet weights (or a saved state dict) where the user has them.
//
// File layout (format "eqnca-vgg16", version 1), readable and writable with h5py:
//   root attributes  format = "eqnca-vgg16" (string), version = 1 (integer)
//   conv{b}_{i}/weight  (out, in, 3, 3) float32    for VGG16's 13 convolutions: blocks b = 1..5
//   conv{b}_{i}/bias    (out) float32              of 2, 2, 3, 3, 3 convolutions (i = 1..)
// conv1_1 takes 3 input channels (RGB) and each convolution's input channels are the previous
// one's output channels. Widths come from the file (VGG16's are 64, 128, 256, 512, 512), so a
// file of the same layout with narrow widths is a valid, small network: the tests use one. Only
// conv1_1 .. conv5_1 are read (the deepest layer used); conv5_2 and conv5_3 may be present.
//
// Forward, as torchvision's vgg16().features: images (B, 3, H, W) RGB in [0, 1] are normalised with
// ImageNet's mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225); each convolution is 3x3 with
// zero padding 1, then ReLU; 2x2 max pooling (stride 2, odd sizes floored) between blocks.
#pragma once

#include <string>
#include <vector>

#include <torch/types.h>

namespace eqnca::experiments {

inline constexpr const char* kVgg16Format = "eqnca-vgg16";
inline constexpr int kVgg16FormatVersion = 1;

class Vgg16Features {
 public:
  // Reads and checks the file. Throws std::runtime_error, one line naming the file and, where it
  // applies, the dataset: a missing file, one that is not HDF5, a wrong or missing format/version
  // attribute, a missing dataset, one not of floats, a wrong shape, channels that do not chain,
  // non-finite values.
  explicit Vgg16Features(const std::string& path);

  // The activations relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 (the layers Gatys et al.'s
  // texture synthesis uses), each (B, C_b, H / 2^(b-1), W / 2^(b-1)); computed only as deep as
  // conv5_1. Throws std::invalid_argument for images that are not (B, 3, H, W) or smaller than
  // 16x16 (four poolings would leave nothing).
  std::vector<torch::Tensor> operator()(const torch::Tensor& images) const;

  // The channel widths of relu1_1 .. relu5_1 as read from the file.
  std::vector<int64_t> widths() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  // conv1_1, conv1_2, conv2_1, ..., conv5_1 in forward order (10 convolutions).
  std::vector<torch::Tensor> weights_, biases_;
};

// The names of the convolutions eqnca reads, in forward order: conv1_1 .. conv5_1.
std::vector<std::string> vgg16_used_convolutions();

}  // namespace eqnca::experiments
