// Representative layers for the spectral plan; see representative_layers.h.
#include "models/representative_layers.h"

namespace eqnca::models {

std::vector<kernels::SobelMlpWeights> representative_weights(layers::EquivariantConvOptions first,
                                                             layers::EquivariantConvOptions second,
                                                             torch::ScalarType dtype, const LayerWeights& weights_of) {
  std::vector<kernels::SobelMlpWeights> out;
  for (double frequency : {0.7371, 1.3117}) {
    // zero_init: no random draw while building; the weights are set right after.
    layers::EquivariantConv a(first.zero_init(true)), b(second.zero_init(true));
    torch::NoGradGuard no_grad;
    a->to(dtype);
    b->to(dtype);
    for (layers::EquivariantConv* conv : {&a, &b})
      for (torch::Tensor& p : (*conv)->parameters())
        p.copy_(torch::arange(p.numel(), p.options()).mul(frequency).add(0.3).sin().view_as(p));
    out.push_back(weights_of(a, b));
  }
  return out;
}

torch::Tensor bias_or_zeros(const layers::EquivariantConv& conv, int64_t n, const torch::Tensor& like) {
  const torch::Tensor b = conv->expand_bias();
  return b.defined() ? b : torch::zeros({n}, like.options());
}

}  // namespace eqnca::models
