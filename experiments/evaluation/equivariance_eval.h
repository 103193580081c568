// Measures how far a trained (or random) NCA is from equivariance, for the CLI, run logs and the
// paper: the model's rollout check (models/equivariance_check.h: per element g and step,
// rel_error(t) = ||F^t(g.s) - g.F^t(s)|| / ||F^t(s)|| from the seed, with shared and with
// independent masks) plus the loss against the rotated target: the MSE of the shared-mask run's
// RGBA against g.target. Grids should be odd-sized (the seed sits at (H/2, W/2)).
// Texture models (experiments/evaluation/texture_eval.h) start from a given state instead of the
// seed and add two texture losses of each g-run's last state: against the texture turned by g
// (what an equivariant model should match) and, for comparison, against the texture as it is.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "experiments/training/texture_losses.h"
#include "groups/group.h"
#include "models/nca_model.h"

namespace eqnca::experiments {
class RunLog;
}

namespace eqnca::experiments {

struct EvalOptions {
  int steps = 32;
  int64_t height = 33;
  int64_t width = 33;
  std::uint64_t seed = 0;  // torch generator seed for the stochastic masks
  // Elements to test; empty = default_elements(model, default_angles(), mirrors if any).
  std::vector<groups::GroupElement> elements;
  // Optional (1, 4, H, W) or (4, H, W) premultiplied RGBA target; undefined = no loss.
  torch::Tensor target;
  // Optional (1, C, H, W) start state, moved by g for each element's run (then height and width
  // are its own); undefined = the model's seed.
  torch::Tensor start;
  // Optional (1, 3, h, w) texture target, scored by make_texture_task_loss(texture_loss, ...) on
  // each element's last state: against turn_texture(texture, g) and against the texture itself.
  torch::Tensor texture;
  std::string texture_loss = "gram";
  // The feature network the texture losses use (make_texture_features); empty: the random one.
  TextureFeatures texture_features;
};

struct ElementResult {
  groups::GroupElement g;
  double angle_deg = 0.0;
  bool reflection = false;
  bool exact = false;                              // g maps the pixel grid onto itself (multiple of 90 degrees)
  std::vector<double> rel_error_shared_mask;       // per step 1..steps
  std::vector<double> rel_error_independent_mask;  // per step 1..steps
  std::vector<double> rotated_target_loss;         // per step 1..steps (empty without target)
  double max_rel_error = 0.0;                      // max over steps, shared masks
  double final_rel_error = 0.0;                    // last step, shared masks
  torch::Tensor final_state;                       // (1, C, H, W) on the CPU: the shared-mask run's last state
  double texture_loss_turned = NAN;                // last state vs the texture turned by g (NaN without texture)
  double texture_loss_unturned = NAN;              // last state vs the texture as it is (NaN without texture)
};

struct EquivarianceSummary {
  std::string model, group;
  int steps = 0;
  std::vector<ElementResult> elements;
};

// Angles (degrees) tried for continuous groups and non-equivariant baselines:
// groups::default_check_angles().
std::vector<double> default_angles();
// models::check_elements: one rotation per angle (plus its mirror image when `mirrors`), or every
// element of a finite group with more than one element when `angles_deg` is empty. Throws
// std::invalid_argument when an angle is not an element of a finite group.
std::vector<groups::GroupElement> elements_for(const models::NcaModelImpl& model, const std::vector<double>& angles_deg,
                                               bool mirrors);
// models::default_check_elements: every element of a finite group with more than one element;
// otherwise elements_for(model, default_angles(), model.group().has_reflections()).
std::vector<groups::GroupElement> default_elements(const models::NcaModelImpl& model);

// Runs in eval mode without gradients; restores the model's training flag afterwards.
EquivarianceSummary evaluate_equivariance(models::NcaModelImpl& model, const EvalOptions& options);
inline EquivarianceSummary evaluate_equivariance(models::NcaModel& model, const EvalOptions& options) {
  return evaluate_equivariance(*model, options);
}

// Compact one-line JSON with a stable key order: {"model", "group", "steps", "elements":
// [{"angle_deg", "reflection", "exact", "max_rel_error", "final_rel_error",
// "final_rel_error_independent", "rotated_target_loss"(null without target), "texture_loss_turned",
// "texture_loss_unturned" (null without texture)}]}. Numbers are
// written so that they read back to the same double; NaN and infinities are null.
std::string to_json(const EquivarianceSummary& summary);

// Writes <prefix>/{angle_deg, reflection, exact, max_rel_error, final_rel_error,
// rotated_target_loss, texture_loss_turned, texture_loss_unturned} (one row per element; NaN
// without target or texture), rel_error_shared and
// rel_error_independent (elements x steps), and the JSON summary as attribute "summary_json".
void log_equivariance(RunLog& log, const std::string& prefix, const EquivarianceSummary& summary);

}  // namespace eqnca::experiments
