// Fourier pointwise nonlinearity for band-limited fields of SO(2)/O(2) (and C_N/D_N): a field
// holding irreps psi_0..psi_L is read as the coefficients of a function on the group,
// f(g) = sum_k <v_k, psi_k(g) u_k> (u_k the first basis vector); f is sampled on the N
// rotations (and N mirrored rotations for O(2)) of C_N/D_N, passed through ReLU, and
// projected back with the pseudo-inverse of the sampling matrix. Exactly equivariant to the
// sampled subgroup, approximately to the rest (error shrinks as N grows past 2L).
#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "layers/field_type.h"

namespace eqnca::layers {

// The field psi_{0,0} + psi_{1,0} (O(2) only) + psi_1 + ... + psi_L of a continuous group:
// the band-limited analogue of a regular field.
groups::Representation band_limited_field(const groups::Group& group);

class FourierPointwiseImpl : public torch::nn::Module {
 public:
  // `type` must consist of copies of one representation; `samples` = N rotations.
  FourierPointwiseImpl(FieldType type, int samples);
  torch::Tensor forward(const torch::Tensor& x);
  // Per field: values = sampling * coefficients (points, d); coefficients = projection * values
  // (d, points), the sampling's pseudo-inverse.
  const torch::Tensor& sampling() const { return sample_; }
  const torch::Tensor& projection() const { return project_; }

 private:
  FieldType type_;
  torch::Tensor sample_, project_;  // (points, d) and (d, points)
};
TORCH_MODULE(FourierPointwise);

}  // namespace eqnca::layers
