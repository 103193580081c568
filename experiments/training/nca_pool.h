// The sample pool of the Distill growing-NCA recipe: states persist across iterations so the
// model learns to keep (persistent) and repair (regenerating) the pattern, not only to grow it.
// Each batch is sorted by loss, worst first; the worst is replaced by the seed and, in
// regenerating mode, the 3 best are damaged. Randomness comes from LibTorch's default CPU
// generator (then moved to the pool's device), so a checkpointed generator state resumes exactly.
#pragma once

#include <string>

#include <torch/types.h>

#include "experiments/training/losses.h"

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
  };

  // `seed` is (1, C, H, W) on the training device; the pool starts as `size` copies of it
  // (growing mode keeps no pool).
  SamplePool(PoolMode mode, int64_t size, torch::Tensor seed);

  // Draws `batch` distinct pool rows, sorts them by `loss` (highest first), puts the seed in
  // row 0 and damages the last min(3, batch-1) rows in regenerating mode.
  Batch sample(int64_t batch, const LossFunction& loss);
  // Writes the states grown from `batch` back into its pool rows (no-op in growing mode).
  void commit(const Batch& batch, const torch::Tensor& states);

  PoolMode mode() const { return mode_; }
  const torch::Tensor& states() const { return pool_; }  // undefined in growing mode
  // Replaces the pool (from a checkpoint); shape must match.
  void set_states(const torch::Tensor& states);

 private:
  PoolMode mode_;
  torch::Tensor seed_;
  torch::Tensor pool_;
};

}  // namespace eqnca::experiments
