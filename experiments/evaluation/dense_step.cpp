// A model's step as a dense 3x3 + 1x1 network; see dense_step.h.
#include "experiments/evaluation/dense_step.h"

#include <vector>

#include <torch/nn/functional/conv.h>

#include "groups/check.h"
#include "layers/nca_mechanics.h"
#include "layers/perception.h"
#include "models/finite_group_nca.h"
#include "models/representative_layers.h"

namespace eqnca::experiments {

DenseNcaStep dense_nca_step(models::NcaModelImpl& model) {
  const std::string name = model.name();
  EQNCA_CHECK(name != "steerable",
              "model 'steerable' cannot be exported as a dense network: its perception depends "
              "on the angle channel");
  EQNCA_CHECK(name != "so2" && name != "o2",
              "model '{}' cannot be exported as a dense network yet: its Fourier nonlinearity is not folded", name);
  torch::NoGradGuard no_grad;
  model.begin_rollout();
  std::optional<kernels::SobelMlpWeights> w;
  if (auto* group_model = dynamic_cast<models::FiniteGroupNcaImpl*>(&model)) {
    // The dense expanded weights, not the isotypic ones the fused step uses.
    const torch::Tensor w1 = group_model->hidden->expand_filter().flatten(1).mm(group_model->lift->feature_map());
    const torch::Tensor w2 = group_model->output->expand_filter().flatten(1);
    w = kernels::SobelMlpWeights{w1,
                                 models::bias_or_zeros(group_model->hidden, w1.size(0), w1),
                                 w2,
                                 models::bias_or_zeros(group_model->output, w2.size(0), w2),
                                 kernels::Stencils::Sobel,
                                 nullptr};
  } else {
    w = model.sobel_mlp_weights();
  }
  model.end_rollout();
  EQNCA_CHECK(w && !w->spectral, "model '{}' cannot be exported as a dense network", name);
  const int64_t c = model.channels(), hidden = w->w1.size(0);
  const torch::Tensor stencils = kernels::stencil_kernels(w->stencils).to(torch::kDouble);
  const torch::Tensor w1 = w->w1.detach().to(torch::kCPU, torch::kDouble).view({hidden, c, stencils.size(0)});
  DenseNcaStep net;
  net.conv = torch::einsum("hck,kij->hcij", {w1, stencils}).to(torch::kFloat).contiguous();
  net.b1 = w->b1.detach().to(torch::kCPU, torch::kFloat).contiguous();
  net.w2 = w->w2.detach().to(torch::kCPU, torch::kFloat).contiguous();
  net.b2 = w->b2.detach().to(torch::kCPU, torch::kFloat).contiguous();
  net.padding = model.padding();
  net.fire_rate = model.fire_rate();
  return net;
}

torch::Tensor apply_dense_step(const DenseNcaStep& net, const torch::Tensor& state, const torch::Tensor& update_mask) {
  EQNCA_CHECK(state.dim() == 4 && state.size(1) == net.conv.size(1), "apply_dense_step: expected a (B, {}, H, W) state",
              net.conv.size(1));
  namespace F = torch::nn::functional;
  const torch::Tensor padded = layers::pad_field(state, 1, net.padding);
  const torch::Tensor h =
      torch::relu(F::conv2d(padded, net.conv.to(state.dtype()), F::Conv2dFuncOptions().bias(net.b1.to(state.dtype()))));
  const torch::Tensor w2 = net.w2.to(state.dtype()).unsqueeze(-1).unsqueeze(-1);
  const torch::Tensor delta = F::conv2d(h, w2, F::Conv2dFuncOptions().bias(net.b2.to(state.dtype())));
  return layers::nca_update(state, delta, update_mask, net.padding);
}

}  // namespace eqnca::experiments
