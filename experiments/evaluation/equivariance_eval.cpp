// Equivariance measurement of NCA rollouts; see equivariance_eval.h for the definitions.
#include "experiments/evaluation/equivariance_eval.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <torch/utils.h>

#include "layers/grid_action.h"
#include "experiments/io/run_log.h"
#include "layers/nca_mechanics.h"

namespace eqnca::experiments {
namespace {

constexpr double kPi = 3.14159265358979323846;

// The group elements are built in: the model's own group when it claims one, otherwise O(2)
// (which accepts any angle and the mirror) so baselines can be measured against any rotation.
groups::Group element_source(const models::NcaModelImpl& model, bool mirrors) {
  const groups::Group g = model.group();
  if (g.finite() && g.size() == 1) return groups::Group::o2(1);
  if (mirrors && !g.has_reflections() && !g.finite()) return groups::Group::o2(g.band_limit());
  return g;
}

torch::TensorOptions options_of(const models::NcaModelImpl& model) {
  for (const auto& p : model.parameters()) return p.options();
  return torch::TensorOptions().dtype(torch::kFloat32);
}

// g.s: on odd grids the oriented seed sits on the rotation centre; on even grids it does not,
// so for exact elements the seed is moved by the grid action instead (an exact permutation).
torch::Tensor rotated_seed(const models::NcaModelImpl& model, int64_t h, int64_t w,
                           const groups::GroupElement& g) {
  if (groups::is_grid_exact(g) && (h % 2 == 0 || w % 2 == 0))
    return model.transform_state(model.seed(1, h, w), g);
  return model.seed(1, h, w, g);
}

// The mask moves like any invariant field; interpolated rotations are rounded back to {0, 1}
// so the rotated run still sees cells that either fire or do not.
torch::Tensor rotate_mask(const torch::Tensor& mask, const groups::GroupElement& g) {
  torch::Tensor m = layers::rotate_grid(mask, g);
  if (!groups::is_grid_exact(g)) m = (m > 0.5).to(mask.scalar_type());
  return m;
}

double relative_error(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& ref) {
  const double denom = std::max(ref.norm().item<double>(), 1e-12);
  return (a - b).norm().item<double>() / denom;
}

}  // namespace

std::vector<double> default_angles() { return {90.0, 180.0, 270.0, 45.0, 22.5}; }

std::vector<groups::GroupElement> elements_for(const models::NcaModelImpl& model,
                                               const std::vector<double>& angles_deg, bool mirrors) {
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

std::vector<groups::GroupElement> default_elements(const models::NcaModelImpl& model) {
  const groups::Group group = model.group();
  if (group.finite() && group.size() > 1) return group.elements();
  return elements_for(model, default_angles(), group.has_reflections());
}

EquivarianceSummary evaluate_equivariance(models::NcaModelImpl& model, const EvalOptions& options) {
  TORCH_CHECK(options.steps >= 1, "equivariance: steps must be >= 1, got ", options.steps);
  TORCH_CHECK(options.height >= 3 && options.width >= 3, "equivariance: grid must be at least 3x3, got ",
              options.height, "x", options.width);
  const int64_t h = options.height, w = options.width;
  const auto opts = options_of(model);
  torch::Tensor target;
  if (options.target.defined()) {
    target = options.target.dim() == 3 ? options.target.unsqueeze(0) : options.target;
    TORCH_CHECK(target.dim() == 4 && target.size(0) == 1 && target.size(1) == 4 && target.size(2) == h &&
                    target.size(3) == w,
                "equivariance: target must be (1, 4, ", h, ", ", w, "), got ", options.target.sizes());
    target = target.to(opts);
  }
  const std::vector<groups::GroupElement> elements =
      options.elements.empty() ? default_elements(model) : options.elements;

  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  torch::manual_seed(options.seed);

  // The reference rollout F^t(s) and the masks it used, kept for every element.
  std::vector<torch::Tensor> masks, reference;
  model.begin_rollout();
  torch::Tensor state = model.seed(1, h, w).to(opts);
  for (int t = 0; t < options.steps; ++t) {
    masks.push_back(layers::stochastic_update_mask(1, h, w, model.fire_rate(), opts));
    state = model.step(state, masks.back());
    reference.push_back(state);
  }

  EquivarianceSummary summary;
  summary.model = model.name();
  summary.group = model.group().name();
  summary.steps = options.steps;
  for (const auto& g : elements) {
    ElementResult r;
    r.g = g;
    r.angle_deg = g.angle * 180.0 / kPi;
    r.reflection = g.reflection;
    r.exact = groups::is_grid_exact(g);
    const torch::Tensor rotated_target = target.defined() ? layers::rotate_grid(target, g) : torch::Tensor();
    torch::Tensor shared = rotated_seed(model, h, w, g).to(opts);
    torch::Tensor independent = shared;
    for (int t = 0; t < options.steps; ++t) {
      shared = model.step(shared, rotate_mask(masks[t], g));
      independent = model.step(independent, layers::stochastic_update_mask(1, h, w, model.fire_rate(), opts));
      const torch::Tensor expected = model.transform_state(reference[t], g);
      r.rel_error_shared_mask.push_back(relative_error(shared, expected, reference[t]));
      r.rel_error_independent_mask.push_back(relative_error(independent, expected, reference[t]));
      if (target.defined())
        r.rotated_target_loss.push_back(
            (shared.slice(1, 0, 4) - rotated_target).pow(2).mean().item<double>());
    }
    r.max_rel_error = *std::max_element(r.rel_error_shared_mask.begin(), r.rel_error_shared_mask.end());
    r.final_rel_error = r.rel_error_shared_mask.back();
    r.final_state = shared.to(torch::kCPU);
    summary.elements.push_back(std::move(r));
  }
  model.end_rollout();
  model.train(was_training);
  return summary;
}

void log_equivariance(RunLog& log, const std::string& prefix, const EquivarianceSummary& s) {
  const std::string base = prefix + "/";
  const hsize_t n = s.elements.size(), t = static_cast<hsize_t>(s.steps);
  std::vector<float> angle, reflection, exact, max_err, final_err, loss, shared, independent;
  for (const auto& e : s.elements) {
    angle.push_back(static_cast<float>(e.angle_deg));
    reflection.push_back(e.reflection ? 1.f : 0.f);
    exact.push_back(e.exact ? 1.f : 0.f);
    max_err.push_back(static_cast<float>(e.max_rel_error));
    final_err.push_back(static_cast<float>(e.final_rel_error));
    loss.push_back(e.rotated_target_loss.empty() ? NAN : static_cast<float>(e.rotated_target_loss.back()));
    for (double v : e.rel_error_shared_mask) shared.push_back(static_cast<float>(v));
    for (double v : e.rel_error_independent_mask) independent.push_back(static_cast<float>(v));
  }
  log.write_array(base + "angle_deg", angle, {n});
  log.write_array(base + "reflection", reflection, {n});
  log.write_array(base + "exact", exact, {n});
  log.write_array(base + "max_rel_error", max_err, {n});
  log.write_array(base + "final_rel_error", final_err, {n});
  log.write_array(base + "rotated_target_loss", loss, {n});
  log.write_array(base + "rel_error_shared", shared, {n, t});
  log.write_array(base + "rel_error_independent", independent, {n, t});
  log.set_attribute(prefix, "summary_json", to_json(s));
}

namespace {

// JSON has no NaN or infinity; like a value that was never measured, they are written as null.
nlohmann::ordered_json number_or_null(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json last_or_null(const std::vector<double>& per_step) {
  return per_step.empty() ? nlohmann::ordered_json(nullptr) : number_or_null(per_step.back());
}

}  // namespace

std::string to_json(const EquivarianceSummary& s) {
  nlohmann::ordered_json elements = nlohmann::ordered_json::array();
  for (const ElementResult& e : s.elements) {
    const nlohmann::ordered_json element = {
        {"angle_deg", number_or_null(e.angle_deg)},
        {"reflection", e.reflection},
        {"exact", e.exact},
        {"max_rel_error", number_or_null(e.max_rel_error)},
        {"final_rel_error", number_or_null(e.final_rel_error)},
        {"final_rel_error_independent", last_or_null(e.rel_error_independent_mask)},
        {"rotated_target_loss", last_or_null(e.rotated_target_loss)}};
    elements.push_back(element);
  }
  const nlohmann::ordered_json summary = {
      {"model", s.model}, {"group", s.group}, {"steps", s.steps}, {"elements", elements}};
  // Compact, one line; bytes that are not UTF-8 are replaced rather than thrown on.
  return summary.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace eqnca::experiments
