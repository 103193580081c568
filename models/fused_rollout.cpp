// Fused rollouts; see fused_rollout.h.
#include "models/fused_rollout.h"

#include "kernels/sobel_mlp_step.h"

namespace eqnca::models {

torch::Tensor grow_fast(NcaModelImpl& model, const torch::Tensor& state_nchw, int steps, bool skip_idle) {
  const std::optional<kernels::SobelMlpWeights> weights = model.sobel_mlp_weights();
  if (!weights) return model.grow(state_nchw, steps);
  const int64_t b = state_nchw.size(0), h = state_nchw.size(2), w = state_nchw.size(3);
  torch::Tensor x = state_nchw.permute({0, 2, 3, 1}).contiguous();
  const float fire_rate = float(model.fire_rate());
  for (int i = 0; i < steps; ++i) {
    torch::Tensor mask = torch::rand({b, h, w, 1}, x.options());
    if (mask.is_cpu() && mask.scalar_type() == torch::kFloat) {
      // A serial threshold in place: a torch op here would be one more parallel region per step.
      float* p = mask.data_ptr<float>();
      for (int64_t j = 0, n = mask.numel(); j < n; ++j) p[j] = p[j] < fire_rate ? 1.f : 0.f;
    } else {
      mask = (mask < model.fire_rate()).to(x.scalar_type());
    }
    x = kernels::sobel_mlp_step(x, mask, *weights, model.padding(), skip_idle);
  }
  return x.permute({0, 3, 1, 2}).contiguous();
}

}  // namespace eqnca::models
