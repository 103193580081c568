// The equivariance check of a whole NCA (escnn's check_equivariance, on rollouts): for each
// group element g, grow from the start transformed by g and compare, step by step, with g
// applied to the plain run:
//   rel_error(t) = ||F^t(g.s) - g.F^t(s)|| / ||F^t(s)||,  t = 1..steps.
// Two runs per element. "Shared" masks: the g-run uses the plain run's mask_t moved by g, which
// makes an equivariant model agree to rounding on grid-exact elements; off the grid's symmetries
// the moved mask is rounded back to {0, 1} by default (cells either fire or not, as in any run),
// or left as bilinear weights (round_masks(false): the exact rotation of a masked update, which
// separates the rule's own error from the mask's). "Independent" masks: fresh random masks, what
// a user sees when growing a rotated seed.
// The start is the model's seed, oriented by g for the g-run (seed(..., g)), or a given state,
// moved by transform_state. Grids should be odd-sized for seeds: the seed sits at (H/2, W/2),
// the rotation centre only then (on even grids exact elements move the seed by the grid action,
// an exact permutation, instead). Masks come from torch's generator seeded with `seed`: first the
// plain run's, then each element's independent ones in element order.
// layers/equivariance_error.h is the counterpart for one layer map between field types.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <torch/arg.h>
#include <torch/types.h>

#include "groups/group.h"
#include "models/nca_model.h"

namespace eqnca::models {

// Called after every step of every element's shared-mask run: (element index, step 1..steps,
// the g-run's state).
using EquivarianceStepObserver = std::function<void(size_t element, int step, const torch::Tensor& state)>;

struct EquivarianceCheckOptions {
  TORCH_ARG(int, steps) = 32;
  TORCH_ARG(int64_t, height) = 33;  // the seed's grid; a start state brings its own
  TORCH_ARG(int64_t, width) = 33;
  TORCH_ARG(std::uint64_t, seed) = 0;  // torch generator seed for the update masks
  // Elements to check; empty: default_check_elements(model).
  TORCH_ARG(std::vector<groups::GroupElement>, elements) = {};
  // (batch, C, H, W) start state; undefined: the model's seed.
  TORCH_ARG(torch::Tensor, start) = {};
  TORCH_ARG(bool, independent_masks) = true;
  TORCH_ARG(bool, round_masks) = true;  // interpolated elements: shared masks rounded to {0, 1}
  TORCH_ARG(EquivarianceStepObserver, on_step) = nullptr;
};

struct ElementEquivariance {
  groups::GroupElement element;
  bool exact = false;                              // g maps the pixel grid onto itself (a multiple of 90 degrees)
  std::vector<double> rel_error_shared_mask;       // per step 1..steps
  std::vector<double> rel_error_independent_mask;  // per step 1..steps (empty if not asked for)
  torch::Tensor final_state;                       // the shared-mask g-run's last state, on the CPU
  double max_rel_error() const;                    // over steps, shared masks
  double final_rel_error() const;                  // last step, shared masks
};

// Elements for `model`: one rotation per angle (then each mirrored, when `mirrors`), taken in
// the model's group, or in O(2) for models that claim no symmetry (C1); every element of a
// finite group with more than one element when `angles_deg` is empty. Throws
// std::invalid_argument when an angle is not an element of a finite group.
std::vector<groups::GroupElement> check_elements(const NcaModelImpl& model, const std::vector<double>& angles_deg,
                                                 bool mirrors);
// The default: every element of a finite group with more than one element; otherwise
// check_elements(model, groups::default_check_angles(), model.group().has_reflections()).
std::vector<groups::GroupElement> default_check_elements(const NcaModelImpl& model);

// One result per element, in order. Runs in eval mode without gradients and restores the
// model's training flag; tensors follow the model's parameters' device and dtype.
std::vector<ElementEquivariance> check_equivariance(NcaModelImpl& model, const EquivarianceCheckOptions& options = {});
// The largest max_rel_error() over the results.
double max_rel_error(const std::vector<ElementEquivariance>& results);

}  // namespace eqnca::models
