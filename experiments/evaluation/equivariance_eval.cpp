// Equivariance evaluation of NCA rollouts: the model checker (models/equivariance_check.h) plus
// the rotated-target loss; see equivariance_eval.h for the definitions.
#include "experiments/evaluation/equivariance_eval.h"

#include <cmath>
#include <stdexcept>

#include <torch/utils.h>
#include <nlohmann/json.hpp>

#include "experiments/evaluation/texture_eval.h"
#include "experiments/io/run_log.h"
#include "experiments/training/texture_task.h"
#include "groups/check.h"
#include "layers/grid_action.h"
#include "models/equivariance_check.h"

namespace eqnca::experiments {
namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

std::vector<double> default_angles() { return groups::default_check_angles(); }

std::vector<groups::GroupElement> elements_for(const models::NcaModelImpl& model, const std::vector<double>& angles_deg,
                                               bool mirrors) {
  return models::check_elements(model, angles_deg, mirrors);
}

std::vector<groups::GroupElement> default_elements(const models::NcaModelImpl& model) {
  return models::default_check_elements(model);
}

namespace {

// The texture task's loss of one state (1, C, H, W), computed on the CPU where its feature
// network lives.
double texture_loss_of(const LossFunction& loss, const torch::Tensor& state) {
  torch::NoGradGuard no_grad;
  return loss(state.to(torch::kCPU, torch::kFloat32)).item<double>();
}

}  // namespace

EquivarianceSummary evaluate_equivariance(models::NcaModelImpl& model, const EvalOptions& options) {
  const torch::Tensor& start = options.start;
  if (start.defined())
    EQNCA_CHECK(start.dim() == 4 && start.size(0) == 1, "equivariance: start must be (1, C, H, W), got ({})",
                fmt::join(start.sizes(), ", "));
  const int64_t h = start.defined() ? start.size(2) : options.height;
  const int64_t w = start.defined() ? start.size(3) : options.width;
  torch::Tensor target;
  if (options.target.defined()) {
    target = options.target.dim() == 3 ? options.target.unsqueeze(0) : options.target;
    EQNCA_CHECK(
        target.dim() == 4 && target.size(0) == 1 && target.size(1) == 4 && target.size(2) == h && target.size(3) == w,
        "equivariance: target must be (1, 4, {}, {}), got ({})", h, w, fmt::join(options.target.sizes(), ", "));
  }
  const std::vector<groups::GroupElement> elements =
      options.elements.empty() ? default_elements(model) : options.elements;
  models::EquivarianceCheckOptions check;
  check.steps(options.steps).height(h).width(w).seed(options.seed).elements(elements).start(start);
  // The rotated-target loss: MSE of the shared-mask run's RGBA against g.target, per step.
  std::vector<std::vector<double>> losses;
  std::vector<torch::Tensor> rotated_targets;
  if (target.defined()) {
    losses.resize(elements.size());
    rotated_targets.resize(elements.size());
    check.on_step([&](size_t i, int, const torch::Tensor& state) {
      if (!rotated_targets[i].defined())
        rotated_targets[i] = layers::rotate_grid(target.to(state.options()), elements[i]);
      losses[i].push_back((state.slice(1, 0, 4) - rotated_targets[i]).pow(2).mean().item<double>());
    });
  }
  std::vector<models::ElementEquivariance> checked = models::check_equivariance(model, check);

  EquivarianceSummary summary;
  summary.model = model.name();
  summary.group = model.group().name();
  summary.steps = options.steps;
  // One feature network for every element; each turned texture gets its own target statistics.
  TextureFeatures features;
  LossFunction unturned_loss;
  if (options.texture.defined()) {
    EQNCA_CHECK(options.texture.dim() == 4 && options.texture.size(0) == 1 && options.texture.size(1) == 3,
                "equivariance: texture must be (1, 3, h, w), got ({})", fmt::join(options.texture.sizes(), ", "));
    features = options.texture_features ? options.texture_features : make_texture_features("random");
    unturned_loss = make_texture_task_loss(options.texture_loss, options.texture.to(torch::kCPU), features);
  }
  for (size_t i = 0; i < checked.size(); ++i) {
    models::ElementEquivariance& c = checked[i];
    ElementResult r;
    r.g = c.element;
    r.angle_deg = c.element.angle * 180.0 / kPi;
    r.reflection = c.element.reflection;
    r.exact = c.exact;
    r.max_rel_error = c.max_rel_error();
    r.final_rel_error = c.final_rel_error();
    r.rel_error_shared_mask = std::move(c.rel_error_shared_mask);
    r.rel_error_independent_mask = std::move(c.rel_error_independent_mask);
    if (target.defined()) r.rotated_target_loss = std::move(losses[i]);
    r.final_state = c.final_state;
    if (unturned_loss) {
      const torch::Tensor turned = turn_texture(options.texture.to(torch::kCPU), c.element);
      r.texture_loss_turned =
          texture_loss_of(make_texture_task_loss(options.texture_loss, turned, features), r.final_state);
      r.texture_loss_unturned = texture_loss_of(unturned_loss, r.final_state);
    }
    summary.elements.push_back(std::move(r));
  }
  return summary;
}

void log_equivariance(RunLog& log, const std::string& prefix, const EquivarianceSummary& s) {
  const std::string base = prefix + "/";
  const hsize_t n = s.elements.size(), t = static_cast<hsize_t>(s.steps);
  std::vector<float> angle, reflection, exact, max_err, final_err, loss, turned, unturned, shared, independent;
  for (const auto& e : s.elements) {
    angle.push_back(static_cast<float>(e.angle_deg));
    reflection.push_back(e.reflection ? 1.f : 0.f);
    exact.push_back(e.exact ? 1.f : 0.f);
    max_err.push_back(static_cast<float>(e.max_rel_error));
    final_err.push_back(static_cast<float>(e.final_rel_error));
    loss.push_back(e.rotated_target_loss.empty() ? NAN : static_cast<float>(e.rotated_target_loss.back()));
    turned.push_back(static_cast<float>(e.texture_loss_turned));
    unturned.push_back(static_cast<float>(e.texture_loss_unturned));
    for (double v : e.rel_error_shared_mask) shared.push_back(static_cast<float>(v));
    for (double v : e.rel_error_independent_mask) independent.push_back(static_cast<float>(v));
  }
  log.write_array(base + "angle_deg", angle, {n});
  log.write_array(base + "reflection", reflection, {n});
  log.write_array(base + "exact", exact, {n});
  log.write_array(base + "max_rel_error", max_err, {n});
  log.write_array(base + "final_rel_error", final_err, {n});
  log.write_array(base + "rotated_target_loss", loss, {n});
  log.write_array(base + "texture_loss_turned", turned, {n});
  log.write_array(base + "texture_loss_unturned", unturned, {n});
  log.write_array(base + "rel_error_shared", shared, {n, t});
  log.write_array(base + "rel_error_independent", independent, {n, t});
  // The pattern each element's shared-mask run grew (its RGBA), so figures need no re-run.
  bool same_grid = !s.elements.empty();
  for (const auto& e : s.elements)
    same_grid = same_grid && e.final_state.defined() && e.final_state.dim() == 4 &&
                e.final_state.sizes() == s.elements.front().final_state.sizes();
  if (same_grid) {
    std::vector<float> rgba;
    for (const auto& e : s.elements) {
      const torch::Tensor cells = e.final_state[0].slice(0, 0, 4).to(torch::kCPU, torch::kFloat32).contiguous();
      rgba.insert(rgba.end(), cells.data_ptr<float>(), cells.data_ptr<float>() + cells.numel());
    }
    const auto& sizes = s.elements.front().final_state.sizes();
    log.write_array(base + "final_rgba", rgba, {n, 4, static_cast<hsize_t>(sizes[2]), static_cast<hsize_t>(sizes[3])});
  }
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
    const nlohmann::ordered_json element = {{"angle_deg", number_or_null(e.angle_deg)},
                                            {"reflection", e.reflection},
                                            {"exact", e.exact},
                                            {"max_rel_error", number_or_null(e.max_rel_error)},
                                            {"final_rel_error", number_or_null(e.final_rel_error)},
                                            {"final_rel_error_independent", last_or_null(e.rel_error_independent_mask)},
                                            {"rotated_target_loss", last_or_null(e.rotated_target_loss)},
                                            {"texture_loss_turned", number_or_null(e.texture_loss_turned)},
                                            {"texture_loss_unturned", number_or_null(e.texture_loss_unturned)}};
    elements.push_back(element);
  }
  const nlohmann::ordered_json summary = {
      {"model", s.model}, {"group", s.group}, {"steps", s.steps}, {"elements", elements}};
  // Compact, one line; bytes that are not UTF-8 are replaced rather than thrown on.
  return summary.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace eqnca::experiments
