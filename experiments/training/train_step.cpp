// One training iteration; see train_step.h.
#include "experiments/training/train_step.h"

#include <cmath>
#include <limits>

namespace eqnca::experiments {

double normalise_gradients(const std::vector<torch::Tensor>& parameters) {
  torch::NoGradGuard no_grad;
  torch::Tensor total;
  for (const auto& p : parameters) {
    if (!p.grad().defined()) continue;
    auto g = p.grad();
    auto norm = g.norm();
    total = total.defined() ? total + norm.pow(2) : norm.pow(2);
    g.div_(norm + 1e-8);
  }
  return total.defined() ? std::sqrt(total.item<double>()) : 0.0;
}

TrainStepResult train_step(models::NcaModelImpl& model, const kernels::Rollout& rollout,
                           torch::optim::Optimizer& optimizer, const torch::Tensor& start, int steps,
                           const StateLoss& loss) {
  const torch::Tensor state = rollout.run(model, start, steps);
  const torch::Tensor value = loss(state);
  TrainStepResult result;
  result.state = state.detach();
  result.loss = value.item<double>();
  result.grad_norm = std::numeric_limits<double>::quiet_NaN();
  if (!std::isfinite(result.loss)) return result;
  optimizer.zero_grad();
  value.backward();
  result.grad_norm = normalise_gradients(model.parameters());
  optimizer.step();
  result.stepped = true;
  return result;
}

}  // namespace eqnca::experiments
