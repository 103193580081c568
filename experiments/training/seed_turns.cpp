// Turned seeds and targets for training; see seed_turns.h.
#include "experiments/training/seed_turns.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "groups/check.h"
#include "layers/grid_action.h"

namespace eqnca::experiments {

SeedTurns::SeedTurns(const models::NcaModelImpl& model, torch::Tensor target)
    : model_(model), group_(model.group()), target_(std::move(target)) {
  EQNCA_CHECK(target_.dim() == 4 && target_.size(0) == 1 && target_.size(1) == 4,
              "SeedTurns: expected a (1, 4, H, W) target, got ({})", fmt::join(target_.sizes(), ", "));
  const bool rotations = !group_.finite() || group_.rotation_order() > 1;
  if (!rotations)
    throw std::invalid_argument(fmt::format(
        "--seed-turns group needs a model whose group has rotations (c4, d4, c8, c16, so2, o2); '{}' has group {}",
        model.name(), group_.name()));
  // The smallest turn the draw makes (a quarter turn for the continuous groups): a seed that it
  // leaves unchanged (a state of invariant fields) cannot tell a turned seed from the upright one.
  const groups::GroupElement g = turn(group_.finite() ? 2.0 * M_PI / group_.rotation_order() : M_PI / 2.0);
  if (model.seed(1, 3, 3, g).equal(model.seed(1, 3, 3)))
    throw std::invalid_argument(fmt::format(
        "--seed-turns group needs oriented state fields, but every field of '{}' is invariant under {}; its "
        "seed cannot carry a turn",
        model.name(), groups::describe(g)));
}

groups::GroupElement SeedTurns::turn(double angle) const { return group_.element_at(angle); }

torch::Tensor SeedTurns::draw(int64_t n) const {
  if (group_.finite()) {
    const int order = group_.rotation_order();
    return torch::randint(order, {n}, torch::kLong).to(torch::kDouble) * (2.0 * M_PI / order);
  }
  return torch::rand({n}, torch::kDouble) * (2.0 * M_PI);
}

torch::Tensor SeedTurns::seeds(const torch::Tensor& angles) const {
  const int64_t h = target_.size(2), w = target_.size(3);
  const torch::Tensor a = angles.to(torch::kCPU, torch::kDouble).contiguous();
  std::vector<torch::Tensor> out;
  out.reserve(a.numel());
  for (int64_t i = 0; i < a.numel(); ++i) out.push_back(model_.seed(1, h, w, turn(a[i].item<double>())));
  return torch::cat(out).to(target_.device());
}

torch::Tensor SeedTurns::targets(const torch::Tensor& angles) const {
  const torch::Tensor a = angles.to(torch::kCPU, torch::kDouble).contiguous();
  std::vector<torch::Tensor> out;
  out.reserve(a.numel());
  for (int64_t i = 0; i < a.numel(); ++i) out.push_back(layers::rotate_grid(target_, turn(a[i].item<double>())));
  return torch::cat(out);
}

}  // namespace eqnca::experiments
