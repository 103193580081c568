// Equivariant nonlinearities, each checking its field type:
//  * PointwiseRelu: ReLU per channel; equivariant on fields whose rho(g) are permutations
//    (trivial and regular fields).
//  * NormRelu: v -> v * relu(|v| - b) / |v| per field (b learnable, one per field); for
//    orthogonal representations the norm is invariant, so any field type works.
//  * GatedNonlinearity: features * sigmoid(gate), one trivial gate field per feature field
//    (the gates follow the features along the channel axis).
//  * GroupPooling: regular field -> max over its |G| channels (invariant); other fields ->
//    their norm.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "layers/field_type.h"

namespace eqnca::layers {

class PointwiseReluImpl : public torch::nn::Module {
 public:
  explicit PointwiseReluImpl(FieldType type);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  FieldType type_;
};
TORCH_MODULE(PointwiseRelu);

class NormReluImpl : public torch::nn::Module {
 public:
  explicit NormReluImpl(FieldType type);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor bias;

 private:
  FieldType type_;
  torch::Tensor field_index_;  // channel -> field
};
TORCH_MODULE(NormRelu);

class GatedNonlinearityImpl : public torch::nn::Module {
 public:
  // `features` are gated; the input is features followed by one trivial gate per field.
  explicit GatedNonlinearityImpl(FieldType features);
  torch::Tensor forward(const torch::Tensor& x);
  const FieldType& in_type() const { return in_type_; }

 private:
  FieldType features_, in_type_;
  torch::Tensor field_index_;
};
TORCH_MODULE(GatedNonlinearity);

class GroupPoolingImpl : public torch::nn::Module {
 public:
  explicit GroupPoolingImpl(FieldType type);
  torch::Tensor forward(const torch::Tensor& x);
  const FieldType& out_type() const { return out_type_; }

 private:
  FieldType type_, out_type_;
};
TORCH_MODULE(GroupPooling);

}  // namespace eqnca::layers
