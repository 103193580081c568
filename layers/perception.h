// Fixed NCA perception: each input channel is convolved (depthwise, 3x3) with a bank of
// classic filters. Output channel c*F + f is filter f applied to input channel c.
//
// Filters (x right, y up; see groups/grid_action.h): identity; the Sobel pair
// (d/dx, d/dy) / 8, which together transform as the standard representation (a vector
// field) when the input channel is invariant; the 3x3 Laplacian [[1,2,1],[2,-12,2],[1,2,1]] / 16
// (Growing Isotropic NCA's stencil, scaled like the Sobel pair).
#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "layers/field_type.h"
#include "layers/padding.h"

namespace eqnca::layers {

enum class PerceptionFilter { Identity, SobelX, SobelY, Laplacian };

struct NcaPerceptionOptions {
  NcaPerceptionOptions(int channels, std::vector<PerceptionFilter> filters)
      : channels_(channels), filters_(std::move(filters)) {}
  TORCH_ARG(int, channels);
  TORCH_ARG(std::vector<PerceptionFilter>, filters);
  TORCH_ARG(Padding, padding) = Padding::Zeros;
};

class NcaPerceptionImpl : public torch::nn::Module {
 public:
  explicit NcaPerceptionImpl(NcaPerceptionOptions options);
  torch::Tensor forward(const torch::Tensor& x);
  // For trivial input fields over `group`: the output field type, per input channel the
  // identity and Laplacian as trivial fields and each adjacent (SobelX, SobelY) as one
  // standard-representation field.
  FieldType output_type(const groups::Group& group) const;
  int64_t out_channels() const { return int64_t(options_.channels()) * int64_t(options_.filters().size()); }
  const NcaPerceptionOptions& options() const { return options_; }

 private:
  NcaPerceptionOptions options_;
  torch::Tensor kernel_;  // (C*F, 1, 3, 3), a fixed buffer
};

TORCH_MODULE(NcaPerception);

torch::Tensor perception_kernel(PerceptionFilter f);  // (3, 3)

}  // namespace eqnca::layers
