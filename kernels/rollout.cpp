// The rollout backends and their factory; see rollout.h.
#include "kernels/rollout.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "groups/check.h"
#include "kernels/spectral_mlp.h"
#include "layers/nca_mechanics.h"

namespace eqnca::kernels {
namespace {

std::string shape(const torch::Tensor& t) { return fmt::format("({})", fmt::join(t.sizes(), ", ")); }

void check_arguments(const Rollout& rollout, const NcaRule& rule, const torch::Tensor& state, int steps) {
  EQNCA_CHECK(state.dim() == 4, "rollout '{}': expected a (B, C, H, W) state, got {}", rollout.name(), shape(state));
  EQNCA_CHECK(steps >= 0, "rollout '{}': steps must be >= 0, got {}", rollout.name(), steps);
  EQNCA_CHECK(rule.fire_rate() > 0.0 && rule.fire_rate() <= 1.0, "rollout '{}': fire rate must be in (0, 1], got {}",
              rollout.name(), rule.fire_rate());
}

// begin_rollout/end_rollout around the steps, end_rollout also when a step throws.
class RolloutScope {
 public:
  explicit RolloutScope(NcaRule& rule) : rule_(rule) { rule_.begin_rollout(); }
  ~RolloutScope() { rule_.end_rollout(); }
  RolloutScope(const RolloutScope&) = delete;
  RolloutScope& operator=(const RolloutScope&) = delete;

 private:
  NcaRule& rule_;
};

class PlainRollout : public Rollout {
 public:
  std::string name() const override { return "plain"; }
  bool supports(const NcaRule&) const override { return true; }
  torch::Tensor run(NcaRule& rule, const torch::Tensor& state, int steps) const override {
    check_arguments(*this, rule, state, steps);
    RolloutScope scope(rule);
    torch::Tensor x = state;
    for (int i = 0; i < steps; ++i)
      x = rule.step(x, layers::stochastic_update_mask(x.size(0), x.size(2), x.size(3), rule.fire_rate(), x.options()));
    return x;
  }
};

// Channels-last once per rollout and the weights expanded once (so begin_rollout has nothing
// left to cache); masks drawn as (B, H, W, 1), the same numbers as the plain (B, 1, H, W).
class FusedRollout : public Rollout {
 public:
  explicit FusedRollout(bool skip_idle) : skip_idle_(skip_idle) {}
  std::string name() const override { return skip_idle_ ? "fused" : "fused-dense"; }
  bool supports(const NcaRule& rule) const override { return rule.sobel_mlp_weights().has_value(); }
  torch::Tensor run(NcaRule& rule, const torch::Tensor& state, int steps) const override {
    check_arguments(*this, rule, state, steps);
    const std::optional<SobelMlpWeights> weights = rule.sobel_mlp_weights();
    EQNCA_CHECK(weights.has_value(),
                "rollout '{}': the model has no fused Sobel-MLP step (identity + Sobel perception, then a 1x1 "
                "MLP); use 'plain'",
                name());
    const int64_t b = state.size(0), h = state.size(2), w = state.size(3);
    torch::Tensor x = state.permute({0, 2, 3, 1}).contiguous();
    // The spectral path steps the state in its own basis: converted once here and at the end.
    const SpectralMlp* plan = weights->spectral.get();
    x = to_kernel_basis(x, plan);
    const float fire_rate = float(rule.fire_rate());
    for (int i = 0; i < steps; ++i) {
      torch::Tensor mask = torch::rand({b, h, w, 1}, x.options());
      if (mask.is_cpu() && mask.scalar_type() == torch::kFloat) {
        // A serial threshold in place: a torch op here would be one more parallel region per step.
        float* p = mask.data_ptr<float>();
        for (int64_t j = 0, n = mask.numel(); j < n; ++j) p[j] = p[j] < fire_rate ? 1.f : 0.f;
      } else {
        mask = (mask < rule.fire_rate()).to(x.scalar_type());
      }
      x = sobel_mlp_step(x, mask, *weights, rule.padding(), skip_idle_);
    }
    x = from_kernel_basis(x, plan);
    return x.permute({0, 3, 1, 2}).contiguous();
  }

 private:
  bool skip_idle_;
};

}  // namespace

const std::vector<std::string>& rollout_names() {
  static const std::vector<std::string> names{"plain", "fused", "fused-dense"};
  return names;
}

std::unique_ptr<Rollout> make_rollout(const std::string& name) {
  if (name == "plain") return std::make_unique<PlainRollout>();
  if (name == "fused") return std::make_unique<FusedRollout>(/*skip_idle=*/true);
  if (name == "fused-dense") return std::make_unique<FusedRollout>(/*skip_idle=*/false);
  throw_invalid_argument("unknown rollout backend '{}'; expected one of {}", name, fmt::join(rollout_names(), ", "));
}

}  // namespace eqnca::kernels
