// Fixed, equivariant NCA perception for states made of trivial and regular fields of C_N/D_N:
// the Distill identity + Sobel filters, arranged so the output is again a typed field.
//   * trivial channel s -> s (trivial) and (d/dx s, d/dy s) (standard representation);
//   * regular field f   -> f, and the oriented derivatives q_x(h) = <h e_x, grad f_h>,
//     q_y(h) = <h e_y, grad f_h> (each a regular field: rotating the grid turns the gradient
//     exactly as it relabels the group elements).
// Output layout: the state itself, then the standard fields of the trivial channels, then the
// q_x fields, then the q_y fields. Exact for grid-exact elements (the Sobel pair is a 90-degree
// vector field); approximate at other angles, like any 3x3 stencil.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "layers/field_type.h"
#include "layers/padding.h"

namespace eqnca::layers {

class SobelLiftPerceptionImpl : public torch::nn::Module {
 public:
  SobelLiftPerceptionImpl(FieldType state_type, Padding padding);
  torch::Tensor forward(const torch::Tensor& state);
  const FieldType& out_type() const { return out_type_; }
  // The lift as one fixed linear map per cell, (out channels, 3 * in channels): forward(state)
  // equals M applied to every cell's features [x_c, dx_c, dy_c] (feature index c*3 + k, the
  // layout of NcaPerception with {Identity, SobelX, SobelY}). Fused steps fold it into the
  // first 1x1 layer.
  torch::Tensor feature_map() const;

 private:
  FieldType in_type_, out_type_;
  Padding padding_;
  int64_t trivial_channels_ = 0;     // the state's trivial channels come first
  torch::Tensor sobel_;              // (2C, 1, 3, 3): (d/dx, d/dy) per channel
  torch::Tensor ax_, ay_, bx_, by_;  // per regular channel: h e_x and h e_y
};
TORCH_MODULE(SobelLiftPerception);

}  // namespace eqnca::layers
