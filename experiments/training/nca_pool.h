// The sample pool of the Distill growing-NCA recipe: states persist across iterations so the
// model learns to keep (persistent) and repair (regenerating) the pattern, not only to grow it.
// Each batch is sorted by loss, worst first; the worst is replaced by the seed and, in
// regenerating mode, the 3 best are damaged. With turned seeds (experiments/training/seed_turns.h)
// every row remembers the angle of the seed it grew from, and each planted seed gets a new one.
// Randomness comes from LibTorch's default CPU generator (then moved to the pool's device), so a
// checkpointed generator state resumes exactly.
#pragma once

#include <functional>
#include <string>

#include <torch/types.h>

#include "experiments/training/seed_turns.h"

namespace eqnca::experiments {

enum class PoolMode { Growing, Persistent, Regenerating };
PoolMode pool_mode_from_name(const std::string& name);  // throws std::invalid_argument

// Zeroes in each sample (B, C, H, W) one disc: centre uniform in [-0.5, 0.5]^2 and radius
// uniform in [0.1, 0.4], in coordinates where the grid spans [-1, 1].
torch::Tensor damage_with_circles(const torch::Tensor& states);

class SamplePool {
 public:
  struct Batch {
    torch::Tensor indices;  // (B) long pool rows on the CPU; undefined in growing mode
    torch::Tensor states;   // (B, C, H, W) starting states on the pool's device
    torch::Tensor angles;   // (B) float64 on the CPU: each state's seed turn (all 0 without turns)
  };
  // A per-sample loss of states (B, C, H, W) grown from seeds turned by `angles` (B).
  using Loss = std::function<torch::Tensor(const torch::Tensor& states, const torch::Tensor& angles)>;

  // `seed` is (1, C, H, W) on the training device; the pool starts as `size` copies of it
  // (growing mode keeps no pool). With `turns` (not owned; it must outlive the pool) every row
  // starts instead from the seed turned by its own drawn angle.
  SamplePool(PoolMode mode, int64_t size, torch::Tensor seed, const SeedTurns* turns = nullptr);

  // Draws `batch` distinct pool rows, sorts them by `loss` (highest first), puts a seed in
  // row 0 (turned by a new angle with turns) and damages the last min(3, batch-1) rows in
  // regenerating mode. Growing mode: `batch` seeds, each with its own angle with turns.
  Batch sample(int64_t batch, const Loss& loss);
  // Writes the states grown from `batch` (and their angles) back into its pool rows (no-op in
  // growing mode).
  void commit(const Batch& batch, const torch::Tensor& states);

  PoolMode mode() const { return mode_; }
  const torch::Tensor& states() const { return pool_; }    // undefined in growing mode
  const torch::Tensor& angles() const { return angles_; }  // (size) float64; undefined in growing mode
  // Replace the pool and its angles (from a checkpoint); shapes must match.
  void set_states(const torch::Tensor& states);
  void set_angles(const torch::Tensor& angles);

 private:
  PoolMode mode_;
  torch::Tensor seed_;
  const SeedTurns* turns_;
  torch::Tensor pool_;
  torch::Tensor angles_;
};

}  // namespace eqnca::experiments
