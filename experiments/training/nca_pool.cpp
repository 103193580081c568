// Sample pool, batch preparation and circular damage (see nca_pool.h).
#include "experiments/training/nca_pool.h"

#include <stdexcept>

#include <fmt/format.h>

#include "groups/check.h"

namespace eqnca::experiments {

PoolMode pool_mode_from_name(const std::string& name) {
  if (name == "growing") return PoolMode::Growing;
  if (name == "persistent") return PoolMode::Persistent;
  if (name == "regenerating") return PoolMode::Regenerating;
  throw std::invalid_argument(fmt::format("--mode must be one of growing|persistent|regenerating, got '{}'", name));
}

torch::Tensor damage_with_circles(const torch::Tensor& states) {
  const int64_t n = states.size(0), h = states.size(2), w = states.size(3);
  // Drawn on the CPU generator whatever the device, so runs on any device consume it alike.
  auto centre = torch::rand({n, 2, 1, 1}, torch::kFloat32) - 0.5;  // (x, y) in [-0.5, 0.5)
  auto radius = torch::rand({n, 1, 1}, torch::kFloat32) * 0.3 + 0.1;
  auto y = torch::linspace(-1.0, 1.0, h, torch::kFloat32).view({1, h, 1});
  auto x = torch::linspace(-1.0, 1.0, w, torch::kFloat32).view({1, 1, w});
  auto dx = x - centre.select(1, 0), dy = y - centre.select(1, 1);
  auto keep = (dx * dx + dy * dy >= radius * radius).to(states.scalar_type()).unsqueeze(1);  // (n, 1, h, w)
  return states * keep.to(states.device());
}

SamplePool::SamplePool(PoolMode mode, int64_t size, torch::Tensor seed, const SeedTurns* turns)
    : mode_(mode), seed_(std::move(seed)), turns_(turns) {
  EQNCA_CHECK(seed_.dim() == 4 && seed_.size(0) == 1, "SamplePool: expected a seed (1, C, H, W), got ({})",
              fmt::join(seed_.sizes(), ", "));
  EQNCA_CHECK(size >= 1, "SamplePool: --pool-size must be positive, got {}", size);
  seed_ = seed_.detach();
  if (mode_ == PoolMode::Growing) return;
  pool_ = seed_.repeat({size, 1, 1, 1});
  angles_ = torch::zeros({size}, torch::kDouble);
  if (!turns_) return;
  torch::NoGradGuard no_grad;
  angles_ = turns_->draw(size);
  for (int64_t row = 0; row < size; ++row)  // one row at a time: no second pool-sized tensor
    pool_.slice(0, row, row + 1).copy_(turns_->seeds(angles_.slice(0, row, row + 1)));
}

SamplePool::Batch SamplePool::sample(int64_t batch, const Loss& loss) {
  torch::NoGradGuard no_grad;
  Batch out;
  if (mode_ == PoolMode::Growing) {
    out.angles = turns_ ? turns_->draw(batch) : torch::zeros({batch}, torch::kDouble);
    out.states = turns_ ? turns_->seeds(out.angles) : seed_.repeat({batch, 1, 1, 1});
    return out;
  }
  EQNCA_CHECK(batch <= pool_.size(0), "SamplePool: --batch ({}) exceeds --pool-size ({})", batch, pool_.size(0));
  auto indices = torch::randperm(pool_.size(0), torch::kLong).slice(0, 0, batch);
  auto states = pool_.index_select(0, indices.to(pool_.device()));
  // Highest loss first; stable so ties (e.g. several seeds) keep their drawn order.
  auto order = std::get<1>(loss(states, angles_.index_select(0, indices))
                               .sort(/*stable=*/true, /*dim=*/0,
                                     /*descending=*/true));
  out.indices = indices.index_select(0, order.cpu());
  out.angles = angles_.index_select(0, out.indices);
  states = states.index_select(0, order);
  if (turns_) {
    const torch::Tensor angle = turns_->draw(1);
    out.angles.slice(0, 0, 1).copy_(angle);
    states.slice(0, 0, 1).copy_(turns_->seeds(angle));
  } else {
    states.slice(0, 0, 1).copy_(seed_);
  }
  if (mode_ == PoolMode::Regenerating && batch > 1) {
    const int64_t damaged = std::min<int64_t>(3, batch - 1);
    auto best = states.slice(0, batch - damaged, batch);
    best.copy_(damage_with_circles(best));
  }
  out.states = states;
  return out;
}

void SamplePool::commit(const Batch& batch, const torch::Tensor& states) {
  if (mode_ == PoolMode::Growing) return;
  torch::NoGradGuard no_grad;
  pool_.index_copy_(0, batch.indices.to(pool_.device()), states.detach());
  if (batch.angles.defined()) angles_.index_copy_(0, batch.indices, batch.angles);
}

void SamplePool::set_states(const torch::Tensor& states) {
  if (mode_ == PoolMode::Growing) return;
  EQNCA_CHECK(states.sizes() == pool_.sizes(), "SamplePool: checkpoint pool has shape ({}), expected ({})",
              fmt::join(states.sizes(), ", "), fmt::join(pool_.sizes(), ", "));
  torch::NoGradGuard no_grad;
  pool_.copy_(states);
}

void SamplePool::set_angles(const torch::Tensor& angles) {
  if (mode_ == PoolMode::Growing) return;
  EQNCA_CHECK(angles.sizes() == angles_.sizes(), "SamplePool: checkpoint pool has {} angles, expected {}",
              angles.numel(), angles_.numel());
  angles_.copy_(angles);
}

}  // namespace eqnca::experiments
