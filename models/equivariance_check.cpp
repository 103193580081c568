// Equivariance check of NCA rollouts; see equivariance_check.h for the definitions.
#include "models/equivariance_check.h"

#include <algorithm>

#include <torch/utils.h>

#include "groups/check.h"
#include "layers/grid_action.h"
#include "layers/nca_mechanics.h"

namespace eqnca::models {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Models that claim no symmetry (C1) are measured in O(2), which accepts any angle and the
// mirror; a rotation-only continuous model asked for mirrors is measured in O(2) as well.
groups::Group element_source(const NcaModelImpl& model, bool mirrors) {
  const groups::Group g = model.group();
  if (g.finite() && g.size() == 1) return groups::Group::o2(1);
  if (mirrors && !g.has_reflections() && !g.finite()) return groups::Group::o2(g.band_limit());
  return g;
}

torch::TensorOptions options_of(const NcaModelImpl& model) {
  for (const auto& p : model.parameters()) return p.options();
  return torch::TensorOptions().dtype(torch::kFloat32);
}

// g.s for the seed: on odd grids the oriented seed sits on the rotation centre; on even grids it
// does not, so exact elements move the seed by the grid action instead (an exact permutation).
torch::Tensor rotated_seed(const NcaModelImpl& model, int64_t h, int64_t w, const groups::GroupElement& g) {
  if (groups::is_grid_exact(g) && (h % 2 == 0 || w % 2 == 0)) return model.transform_state(model.seed(1, h, w), g);
  return model.seed(1, h, w, g);
}

// The mask moves like any invariant field; interpolated rotations are rounded back to {0, 1}
// when `round` is set.
torch::Tensor rotate_mask(const torch::Tensor& mask, const groups::GroupElement& g, bool round) {
  torch::Tensor m = layers::rotate_grid(mask, g);
  if (round && !groups::is_grid_exact(g)) m = (m > 0.5).to(mask.scalar_type());
  return m;
}

// Eval mode and one rollout for the whole check; the training flag comes back however it ends.
class CheckScope {
 public:
  explicit CheckScope(NcaModelImpl& model) : model_(model), was_training_(model.is_training()) {
    model_.eval();
    model_.begin_rollout();
  }
  ~CheckScope() {
    model_.end_rollout();
    model_.train(was_training_);
  }
  CheckScope(const CheckScope&) = delete;
  CheckScope& operator=(const CheckScope&) = delete;

 private:
  NcaModelImpl& model_;
  bool was_training_;
};

double relative_error(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& ref) {
  const double denom = std::max(ref.norm().item<double>(), 1e-12);
  return (a - b).norm().item<double>() / denom;
}

}  // namespace

double ElementEquivariance::max_rel_error() const {
  return rel_error_shared_mask.empty() ? 0.0
                                       : *std::max_element(rel_error_shared_mask.begin(), rel_error_shared_mask.end());
}

double ElementEquivariance::final_rel_error() const {
  return rel_error_shared_mask.empty() ? 0.0 : rel_error_shared_mask.back();
}

std::vector<groups::GroupElement> check_elements(const NcaModelImpl& model, const std::vector<double>& angles_deg,
                                                 bool mirrors) {
  const groups::Group group = model.group();
  if (angles_deg.empty() && group.finite() && group.size() > 1) return group.elements();
  const groups::Group source = element_source(model, mirrors);
  std::vector<groups::GroupElement> out;
  for (const bool mirror : {false, true}) {
    if (mirror && !mirrors) break;
    for (const double a : angles_deg) out.push_back(source.element_at(a * kPi / 180.0, mirror));
  }
  return out;
}

std::vector<groups::GroupElement> default_check_elements(const NcaModelImpl& model) {
  const groups::Group group = model.group();
  if (group.finite() && group.size() > 1) return group.elements();
  return check_elements(model, groups::default_check_angles(), group.has_reflections());
}

std::vector<ElementEquivariance> check_equivariance(NcaModelImpl& model, const EquivarianceCheckOptions& options) {
  const torch::Tensor& start = options.start();
  EQNCA_CHECK(options.steps() >= 1, "equivariance: steps must be >= 1, got {}", options.steps());
  if (start.defined())
    EQNCA_CHECK(start.dim() == 4 && start.size(1) == model.channels(),
                "equivariance: start must be (batch, {}, H, W), got ({})", model.channels(),
                fmt::join(start.sizes(), ", "));
  const int64_t h = start.defined() ? start.size(2) : options.height();
  const int64_t w = start.defined() ? start.size(3) : options.width();
  const int64_t batch = start.defined() ? start.size(0) : 1;
  EQNCA_CHECK(h >= 3 && w >= 3, "equivariance: grid must be at least 3x3, got {}x{}", h, w);
  const std::vector<groups::GroupElement> elements =
      options.elements().empty() ? default_check_elements(model) : options.elements();
  const auto opts = options_of(model);

  torch::NoGradGuard no_grad;
  const CheckScope scope(model);
  torch::manual_seed(options.seed());

  // The plain rollout F^t(s) and the masks it used, kept for every element.
  std::vector<torch::Tensor> masks, reference;
  torch::Tensor state = start.defined() ? start.to(opts) : model.seed(1, h, w).to(opts);
  for (int t = 0; t < options.steps(); ++t) {
    masks.push_back(layers::stochastic_update_mask(batch, h, w, model.fire_rate(), opts));
    state = model.step(state, masks.back());
    reference.push_back(state);
  }

  std::vector<ElementEquivariance> results;
  for (size_t i = 0; i < elements.size(); ++i) {
    const groups::GroupElement& g = elements[i];
    ElementEquivariance r;
    r.element = g;
    r.exact = groups::is_grid_exact(g);
    torch::Tensor shared =
        start.defined() ? model.transform_state(start.to(opts), g) : rotated_seed(model, h, w, g).to(opts);
    torch::Tensor independent = shared;
    for (int t = 0; t < options.steps(); ++t) {
      shared = model.step(shared, rotate_mask(masks[t], g, options.round_masks()));
      const torch::Tensor expected = model.transform_state(reference[t], g);
      r.rel_error_shared_mask.push_back(relative_error(shared, expected, reference[t]));
      if (options.independent_masks()) {
        independent = model.step(independent, layers::stochastic_update_mask(batch, h, w, model.fire_rate(), opts));
        r.rel_error_independent_mask.push_back(relative_error(independent, expected, reference[t]));
      }
      if (options.on_step()) options.on_step()(i, t + 1, shared);
    }
    r.final_state = shared.to(torch::kCPU);
    results.push_back(std::move(r));
  }
  return results;
}

double max_rel_error(const std::vector<ElementEquivariance>& results) {
  double worst = 0.0;
  for (const auto& r : results) worst = std::max(worst, r.max_rel_error());
  return worst;
}

}  // namespace eqnca::models
