// Rollout backends: `steps` NCA steps of a rule (kernels/nca_rule.h) with a fresh random update
// mask per step, built by name (make_rollout) so that drivers choose one from their config:
//   "plain"        the rule's own step(), one LibTorch op after another (what a PyTorch port does);
//   "fused"        the fused Sobel-MLP step (kernels/sobel_mlp_step.h), skipping cells whose
//                  update cannot reach the result;
//   "fused-dense"  the same kernels over every cell (like for like with PyTorch).
// The fused backends step group models in the isotypic basis of their state (spectral path,
// kernels/spectral_mlp.h), converting the state once at each end of the rollout.
// Every backend draws the same masks: per step, in step order, torch::rand of B*H*W numbers on
// the state's device, a cell firing where its number is < fire_rate. From the same generator
// state the backends therefore grow the same pattern, up to float rounding. Autograd follows
// grad mode, so one backend serves growth and training alike.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "kernels/nca_rule.h"

namespace eqnca::kernels {

class Rollout {
 public:
  virtual ~Rollout() = default;
  // The name make_rollout builds it from.
  virtual std::string name() const = 0;
  // Whether `rule` can run here: the fused backends need rule.sobel_mlp_weights().
  virtual bool supports(const NcaRule& rule) const = 0;
  // `steps` (>= 0) steps from `state` (B, C, H, W), returned (B, C, H, W) on its device.
  // Throws std::invalid_argument (one line) for bad arguments or a rule it does not support.
  virtual torch::Tensor run(NcaRule& rule, const torch::Tensor& state, int steps) const = 0;
};

// The backend called `name`; throws std::invalid_argument (one line, listing the known names)
// for any other name.
std::unique_ptr<Rollout> make_rollout(const std::string& name);
// The known names, in the order above.
const std::vector<std::string>& rollout_names();

}  // namespace eqnca::kernels
